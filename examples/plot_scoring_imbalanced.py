"""
Evolving for the metric you are judged on: balanced accuracy
============================================================

Back-propagation needs a differentiable loss; evolution only needs a number per
network. With ``scoring=`` a :class:`~evonet.NeuroEvolutionClassifier` maximises any
scikit-learn scorer directly, here ``"balanced_accuracy"`` on a data set where one
class is rare. The same classifier with the default objective (the log-loss) serves as
the comparison, on the same folds of the data.
"""

# %%
# Data
# ----
# 4,000 rows (half of them held out), 5 % of them in class 1. A model that always
# answers 0 is 95 % accurate and has a balanced accuracy (the mean of the recalls of
# both classes) of 0.5.
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score, confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier

# the budget may end runs this short before the search settles
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_classification(n_samples=4000, n_features=20, n_informative=6,
                           weights=[0.95, 0.05], flip_y=0.01, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, test_size=0.5,
                                                    random_state=0)
print(f"class 1: {np.mean(y_train):.1%} of the training rows, {np.sum(y_test)} test rows")

# %%
# Two fits
# --------
# The same network, strategy and budget; only the objective differs. With ``scoring``
# set, each network's fitness is minus its balanced accuracy on the training rows
# (plus ``alpha``'s small L2 term), computed for the whole population at once.
settings = dict(hidden_layer_sizes=(8,), max_generations=300, random_state=0)
models = {
    "log-loss (default)": NeuroEvolutionClassifier(**settings),
    "scoring='balanced_accuracy'": NeuroEvolutionClassifier(scoring="balanced_accuracy",
                                                            **settings),
}
results = {}
for name, clf in models.items():
    model = make_pipeline(StandardScaler(), clf).fit(X_train, y_train)
    predicted = model.predict(X_test)
    results[name] = confusion_matrix(y_test, predicted)
    print(f"{name:28s} balanced accuracy {balanced_accuracy_score(y_test, predicted):.3f}, "
          f"accuracy {model.score(X_test, y_test):.3f} ({clf.strategy_}, "
          f"{clf.n_iter_} generations)")

# %%
# What changed
# ------------
# The log-loss rewards confident answers on the common class; balanced accuracy weighs
# both classes' recalls equally, so the network evolved for it finds more of the rare
# class, at the price of some false alarms.
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.4))
for ax, (name, matrix) in zip(axes, results.items()):
    ConfusionMatrixDisplay(matrix).plot(ax=ax, colorbar=False)
    ax.set_title(name, fontsize=10)
fig.tight_layout()
plt.show()

# %%
# One split of one short run is an illustration, not a benchmark:
# ``experiments/objectives.py`` compares ``scoring=`` with scikit-learn's MLP and its
# tuned decision threshold over cross-validation folds (see :doc:`/user_guide/objectives`).
