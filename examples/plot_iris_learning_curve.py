"""
Learning curve of a classifier on iris
======================================

Fit a :class:`~evonet.NeuroEvolutionClassifier` on the iris data set, inputs standardised
in a scikit-learn pipeline, and look at how the run went: the training loss of the best
network generation by generation, beside the best and mean loss of the population (its
logbook).
"""

# %%
# Fit
# ---
# The classifier is a drop-in for :class:`~sklearn.neural_network.MLPClassifier`; with a
# network of 8 hidden units (67 weights) ``strategy="auto"`` picks CMA-ES.
import warnings

from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier

# these runs are short on purpose: their budget ends before the loss settles
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
model = make_pipeline(StandardScaler(),
                      NeuroEvolutionClassifier((8,), max_generations=300, random_state=0))
model.fit(X_train, y_train)
clf = model[-1]
print(f"strategy {clf.strategy_}, {clf.n_iter_} generations, {clf.n_evaluations_} networks "
      f"scored, stopped: {clf.stop_reason_}")
print(f"held-out accuracy {model.score(X_test, y_test):.3f}")

# %%
# What the run recorded
# ---------------------
# The logbook has one record per generation: the best (``min``) and ``mean`` loss of that
# generation's population. Every few generations (here every 7th: at least 100 networks
# apart) the run also *checks* the network the strategy would return (for CMA-ES, its
# mean) on all training rows; those records have a ``loss``, and ``loss_curve_`` lists
# them in turn.
generations = clf.logbook_.select("gen")
population_best = clf.logbook_.select("min")
population_mean = clf.logbook_.select("mean")
checks = [record for record in clf.logbook_ if "loss" in record]
print(f"{len(checks)} checks, the last at generation {checks[-1]['gen']}: "
      f"loss {checks[-1]['loss']:.4f} (loss_curve_[-1] = {clf.loss_curve_[-1]:.4f})")

# %%
# Drawing
# -------
# (plain matplotlib from the fitted attributes)
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.4, 3.8))
ax.plot(generations, population_mean, label="population mean", alpha=0.7)
ax.plot(generations, population_best, label="population best", alpha=0.7)
ax.plot([record["gen"] for record in checks], [record["loss"] for record in checks],
        label="the strategy's network, checked", color="black")
ax.set_xlabel("generation")
ax.set_ylabel("training loss (log loss)")
ax.set_yscale("log")
ax.legend()
ax.set_title("NeuroEvolutionClassifier on iris")
fig.tight_layout()
plt.show()
