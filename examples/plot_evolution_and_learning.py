"""
Evolution and learning on digits: Baldwinian, Lamarckian and PBT
================================================================

Evolution shapes a network over generations; back-propagation shapes it within its
lifetime. With ``learning=`` every network of a generation takes a few Adam steps on
minibatches of the training data before its fitness is taken. Here a genetic algorithm
on the digits data set runs three ways on the same budget of generations: evolution
alone, Baldwinian learning (the learned network is scored, the genome born with is
kept) and Lamarckian learning (the learned weights go back into the genome). Then
population-based training (``strategy="pbt"``) trains eight networks together and
adapts their learning rates as it goes.
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

# %%
# Population-based training
# -------------------------
# ``strategy="pbt"`` trains ``population_size=8`` networks by Adam, each with its own
# learning rate and ``alpha``; every round (two epochs of minibatches, 5 to 50 steps, one
# generation) it scores them on a held-out ``validation_fraction`` of the training rows,
# and the worst quarter copies the weights, Adam state and settings of a member of the
# best quarter (*exploit*) and perturbs the settings (*explore*). ``pbt_history_``
# records each member's settings and validation loss round by round.
pbt = make_pipeline(StandardScaler(),
                    NeuroEvolutionClassifier((16,), strategy="pbt", max_generations=60,
                                             random_state=0))
pbt.fit(X_train, y_train)
history = pbt[-1].pbt_history_
print(f"PBT held-out accuracy {pbt.score(X_test, y_test):.3f} "
      f"({pbt[-1].n_iter_} rounds, stopped: {pbt[-1].stop_reason_})")
print("learning rates of the 8 members in the last round:",
      " ".join(f"{rate:.1e}" for rate in history["learning_rate"][-1]))

fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(6.4, 5.0))
top.plot(history["learning_rate"], lw=1)
top.set_yscale("log")
top.set_ylabel("learning rate")
top.set_title("PBT on digits: one line per member")
bottom.plot(history["loss"], lw=1)
bottom.set_yscale("log")
bottom.set_ylabel("validation loss")
bottom.set_xlabel("round")
fig.tight_layout()
plt.show()
