"""
Comparing search strategies
===========================

The same network (one hidden layer of 10 units) evolved on the wine data set by the
genetic algorithm (``"ga"``), the OpenAI-style evolution strategy (``"es"``) and CMA-ES
(``"cmaes"``), each with the same budget of network evaluations. The curves show the best
training loss (that of the network each strategy would return, checked on all training
rows every few generations) against the number of networks scored.
"""

# %%
import warnings

import numpy as np
from sklearn.datasets import load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier

# these runs are short on purpose: their budget ends before the loss settles
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

curves = {}
for strategy in ["ga", "es", "cmaes"]:
    clf = NeuroEvolutionClassifier((10,), strategy=strategy, max_evaluations=6000,
                                   max_generations=1000, n_iter_no_change=np.inf,
                                   random_state=0)
    clf.fit(X_train, y_train)
    evaluations = np.cumsum(clf.logbook_.select("nevals"))   # after each generation
    checks = [(evaluations[k], record["loss"]) for k, record in enumerate(clf.logbook_)
              if "loss" in record]
    curves[strategy] = np.array(checks).T
    print(f"{strategy:6s} {clf.n_iter_:4d} generations, {clf.n_evaluations_} networks, "
          f"training loss {clf.loss_curve_[-1]:.4f}, "
          f"held-out accuracy {clf.score(X_test, y_test):.3f}")

# %%
# Drawing
# -------
# (plain matplotlib from each fit's ``logbook_``)
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.4, 3.8))
for strategy, (evaluations, loss) in curves.items():
    ax.plot(evaluations, loss, label=strategy)
ax.set_xlabel("networks evaluated")
ax.set_ylabel("training loss (log loss)")
ax.set_yscale("log")
ax.legend(title="strategy")
ax.set_title("Three strategies on wine, same budget")
fig.tight_layout()
plt.show()
