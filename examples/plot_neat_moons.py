"""
NEAT grows a network for the two moons
======================================

With ``strategy="neat"`` the classifier evolves the topology as well as the weights
(NeuroEvolution of Augmenting Topologies): every network starts with its inputs wired
straight to the output, and hidden nodes and connections are added by mutation when they
help. The fitted model keeps the winning genome in ``genome_``.
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
# Drawing
# -------
# (plain matplotlib from ``genome_.to_dict()``: inputs on the left, output on the right,
# hidden nodes placed by their depth; blue connections have a positive weight, red a
# negative one, and the width grows with the weight's magnitude)
import matplotlib.pyplot as plt

kinds = {node["id"]: node["kind"] for node in description["nodes"]}
links = [(c["in_node"], c["out_node"], c["weight"]) for c in description["connections"]
         if c["enabled"]]
depth = dict.fromkeys(kinds, 0)
for _ in kinds:   # longest path from an input (recurrent links left out of the depth)
    for a, b, _w in links:
        if a != b and depth[a] + 1 > depth[b] and depth[a] < len(kinds):
            depth[b] = depth[a] + 1
right = max(depth.values()) + 1
columns = {}
for node, kind in kinds.items():
    x = 0 if kind == "input" else right if kind == "output" else min(max(depth[node], 1),
                                                                       right - 1)
    columns.setdefault(x, []).append(node)
position = {node: (x, k - (len(nodes) - 1) / 2)
            for x, nodes in columns.items() for k, node in enumerate(nodes)}

fig, (left, right_ax) = plt.subplots(1, 2, figsize=(10, 4))
xx, yy = np.meshgrid(np.linspace(-1.5, 2.5, 200), np.linspace(-1.0, 1.5, 200))
proba = clf.predict_proba(np.c_[xx.ravel(), yy.ravel()])[:, 1].reshape(xx.shape)
left.contourf(xx, yy, proba, levels=20, cmap="RdBu", alpha=0.6)
left.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolor="k", s=15)
left.set_title("predicted probability of class 1")
for a, b, w in links:
    (xa, ya), (xb, yb) = position[a], position[b]
    right_ax.annotate("", (xb, yb), (xa, ya), arrowprops=dict(
        arrowstyle="->", color="tab:red" if w < 0 else "tab:blue",
        lw=0.5 + min(abs(w), 6) / 2, shrinkA=10, shrinkB=10,
        connectionstyle="arc3,rad=0.4" if a == b or depth[a] >= depth[b] else "arc3"))
colors = {"input": "lightgray", "hidden": "khaki", "output": "lightgreen"}
for node, (x, yv) in position.items():
    right_ax.scatter([x], [yv], s=500, zorder=3, color=colors[kinds[node]], edgecolor="k")
    right_ax.text(x, yv, str(node), ha="center", va="center", fontsize=8, zorder=4)
right_ax.set_axis_off()
right_ax.set_title(f"the evolved network: {genome.n_hidden} hidden nodes, "
                   f"{len(links)} connections")
fig.tight_layout()
plt.show()
