"""
Evolution and learning on digits: Baldwinian and Lamarckian
===========================================================

Evolution shapes a network over generations; back-propagation shapes it within its
lifetime. With ``learning=`` every network of a generation takes a few Adam steps on
minibatches of the training data before its fitness is taken. Here a genetic algorithm
on the digits data set runs three ways on the same budget of generations: evolution
alone, Baldwinian learning (the learned network is scored, the genome born with is
kept) and Lamarckian learning (the learned weights go back into the genome).
"""

# %%
# Three fits
# ----------
# The same network (64 inputs, 16 hidden units, 10 outputs: 1,210 weights), strategy
# and budget; ``learning_steps=10`` Adam steps per network and generation at
# ``learning_rate_init=1e-3`` (the defaults).
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier

# the budget may end runs this short before the search settles
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

fits = {}
for learning in (None, "baldwinian", "lamarckian"):
    clf = NeuroEvolutionClassifier((16,), strategy="ga", learning=learning,
                                   max_generations=25, random_state=0)
    start = time.perf_counter()
    model = make_pipeline(StandardScaler(), clf).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    name = learning or "evolution alone"
    fits[name] = clf
    print(f"{name:16s} held-out accuracy {model.score(X_test, y_test):.3f} "
          f"({clf.n_iter_} generations, {seconds:.1f} s)")

# %%
# Lamarckian learning lets the genetic algorithm keep what gradient descent found, and
# the loss falls far faster than by evolution alone. Baldwinian learning only changes
# which genomes are selected (toward those that learn well); in so few generations it
# helps much less. Each generation's best (learned) loss:
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.4, 3.6))
for name, clf in fits.items():
    ax.plot([r["gen"] for r in clf.logbook_], [r["min"] for r in clf.logbook_], label=name)
ax.set_xlabel("generation")
ax.set_ylabel("best training loss (log-loss)")
ax.set_yscale("log")
ax.set_title("GA on digits, (16,) hidden units")
ax.legend()
fig.tight_layout()
plt.show()
