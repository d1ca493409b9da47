"""
NEAT grows a network for the two moons
======================================

With ``strategy="neat"`` the classifier evolves the topology as well as the weights
(NeuroEvolution of Augmenting Topologies): every network starts with its inputs wired
straight to the output, and hidden nodes and connections are added by mutation when they
help. The fitted model keeps the winning genome in ``genome_``, and its logbook the size of
each species generation by generation.
"""

# %%
# Fit
# ---
import numpy as np
from sklearn.datasets import make_moons

from evonet import NeuroEvolutionClassifier

X, y = make_moons(n_samples=200, noise=0.15, random_state=0)
clf = NeuroEvolutionClassifier(strategy="neat", max_generations=300, random_state=0).fit(X, y)
genome = clf.genome_
print(f"{clf.n_iter_} generations ({clf.stop_reason_}), training accuracy "
      f"{clf.score(X, y):.3f}")
print(f"the champion has {genome.n_hidden} hidden nodes and {genome.n_enabled} enabled "
      f"connections")

# %%
# The genome
# ----------
# The genome's ``to_dict()`` spells the genes out: nodes (input,
# output, hidden, with their bias and activation) and connection genes (from, to, weight,
# enabled).
description = genome.to_dict()
for connection in description["connections"][:5]:
    print(connection)

# %%
# Drawing the network
# -------------------
# :meth:`NetworkDisplay.from_estimator <evonet.plot.NetworkDisplay.from_estimator>` draws
# the genome: inputs on the left, output on the right, hidden nodes placed by their depth
# (the longest enabled path from an input); blue connections have a positive weight, red
# a negative one, and the width grows with the weight's magnitude. Beside it, the
# decision boundary the network draws (plain matplotlib).
import matplotlib.pyplot as plt

from evonet.plot import NetworkDisplay, SpeciesDisplay

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
xx, yy = np.meshgrid(np.linspace(-1.5, 2.5, 200), np.linspace(-1.0, 1.5, 200))
proba = clf.predict_proba(np.c_[xx.ravel(), yy.ravel()])[:, 1].reshape(xx.shape)
left.contourf(xx, yy, proba, levels=20, cmap="RdBu", alpha=0.6)
left.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolor="k", s=15)
left.set_title("predicted probability of class 1")
NetworkDisplay.from_estimator(clf, ax=right, node_size=500)
fig.tight_layout()
plt.show()

# %%
# Species
# -------
# NEAT splits the population into species of similar topology, so that a new structure
# competes first within its own species. The logbook records each species' size per
# generation, and :class:`~evonet.plot.SpeciesDisplay` stacks them: species are founded,
# grow, and die out.
fig, ax = plt.subplots(figsize=(6.4, 3.8))
SpeciesDisplay.from_estimator(clf, ax=ax)
fig.tight_layout()
plt.show()
