"""
Comparing search strategies
===========================

The same network (one hidden layer of 10 units) evolved on the wine data set by the
genetic algorithm (``"ga"``), the OpenAI-style evolution strategy (``"es"``) and CMA-ES
(``"cmaes"``), each with the same budget of network evaluations. The figure draws each run's
logbook: the population's loss per generation and the training loss of the network the
strategy would return, checked on all training rows every few generations.
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

fits = {}
for strategy in ["ga", "es", "cmaes"]:
    clf = NeuroEvolutionClassifier((10,), strategy=strategy, max_evaluations=6000,
                                   max_generations=1000, n_iter_no_change=np.inf,
                                   random_state=0)
    clf.fit(X_train, y_train)
    fits[strategy] = clf
    print(f"{strategy:6s} {clf.n_iter_:4d} generations, {clf.n_evaluations_} networks, "
          f"training loss {clf.loss_curve_[-1]:.4f}, "
          f"held-out accuracy {clf.score(X_test, y_test):.3f}")

# %%
# Drawing
# -------
# One :class:`~evonet.plot.EvolutionDisplay` per fit, on a shared loss axis: the
# population's best, mean and spread per generation and the full-data checks. The
# strategies spend the same budget in different numbers of generations (their
# populations differ in size), so the generation axes differ too.
import matplotlib.pyplot as plt

from evonet.plot import EvolutionDisplay

fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
for ax, (strategy, clf) in zip(axes, fits.items()):
    EvolutionDisplay.from_estimator(clf, ax=ax, log_scale=True)
    ax.set_title(f"{strategy}: {clf.n_iter_} generations, {clf.n_evaluations_} networks",
                 fontsize=9)
for ax in axes[1:]:
    ax.set_ylabel("")
fig.tight_layout()
plt.show()
