"""
Accuracy against size: a Pareto front on breast_cancer
======================================================

With ``strategy="nsga2"`` a :class:`~evonet.NeuroEvolutionClassifier` evolves two
objectives at once: the loss, and the number of non-zero weights and biases of the
network. The fit ends with a front of networks, none of them both better and smaller
than another; :class:`~evonet.plot.ParetoFrontDisplay` draws it, and
:meth:`~evonet.NeuroEvolutionClassifier.select_network` returns a copy of the model
that uses a smaller network of the front.
"""

# %%
# Fit
# ---
# A network of 8 hidden units has 30 x 8 + 8 + 8 + 1 = 257 weights and biases. Each
# individual of NSGA-II carries a mask beside its weights; the strategy counts the
# connections that are on as the second objective.
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier

# the budget may end a run this short before the front settles
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
model = make_pipeline(StandardScaler(),
                      NeuroEvolutionClassifier((8,), strategy="nsga2", max_generations=300,
                                               random_state=0))
model.fit(X_train, y_train)
clf = model[-1]
front = clf.pareto_front_
print(f"{clf.n_iter_} generations, stopped: {clf.stop_reason_}; the front holds "
      f"{len(front)} networks of {front[-1]['n_weights']} to {front[0]['n_weights']} weights")
print(f"the model uses network {clf.network_index_} (the best loss): held-out accuracy "
      f"{model.score(X_test, y_test):.3f}")

# %%
# A smaller network
# -----------------
# Choose on the training data, never on the test rows: the smallest network whose
# training accuracy is within one point of the best network's. ``select_network``
# returns a fitted copy that uses it (``predict``, ``save``, ``to_sklearn``); the
# original model is left as it was.
Z_train, Z_test = model[0].transform(X_train), model[0].transform(X_test)
train_accuracy = np.array([clf.select_network(k).score(Z_train, y_train)
                           for k in range(len(front))])
small = max(k for k in range(len(front)) if train_accuracy[k] >= train_accuracy[0] - 0.01)
smaller = clf.select_network(small)
for name, net in (("best loss", clf), ("smaller", smaller)):
    entry = front[net.network_index_]
    print(f"{name:9s}: network {entry['index']:2d}, {entry['n_weights']:3d} weights, training "
          f"accuracy {net.score(Z_train, y_train):.3f}, held-out {net.score(Z_test, y_test):.3f}")
print("non-zero connection weights per layer of the smaller network (biases aside):",
      [int(np.count_nonzero(W)) for W in smaller.to_sklearn().coefs_])

# %%
# Drawing the front
# -----------------
# ``pareto_front_`` lists the networks, best loss first, each with its training loss
# and its number of non-zero weights and biases; the display draws the loss against
# the size and circles the network the model uses; the smaller network chosen above is
# marked too.
import matplotlib.pyplot as plt

from evonet.plot import ParetoFrontDisplay

display = ParetoFrontDisplay.from_estimator(model)
entry = front[small]
display.ax_.scatter([entry["n_weights"]], [entry["loss"]], marker="s", s=90,
                    facecolors="none", edgecolors="tab:green", zorder=4,
                    label=f"selected ({entry['n_weights']} weights)")
display.ax_.legend(fontsize=8)
display.ax_.set_title("NSGA-II front on breast_cancer (training loss)")
display.figure_.set_size_inches(6.4, 3.8)
display.figure_.tight_layout()
plt.show()
