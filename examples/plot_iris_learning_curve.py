"""
Learning curve of a classifier on iris
======================================

Fit a :class:`~evonet.NeuroEvolutionClassifier` on the iris data set and draw how the
training loss of the best network fell, generation by generation.
"""

# %%
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

from evonet import NeuroEvolutionClassifier

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
clf = NeuroEvolutionClassifier((8,), random_state=0).fit(X_train, y_train)
print(f"{clf.strategy_}: {clf.n_iter_} generations, held-out accuracy "
      f"{clf.score(X_test, y_test):.3f}")

# %%
# Drawing
# -------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(clf.loss_curve_)
ax.set_xlabel("generation")
ax.set_ylabel("training loss (log loss)")
ax.set_yscale("log")
plt.show()
