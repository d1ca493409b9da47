"""
DEAP's eaSimple on an evonet toolbox
====================================

:func:`~evonet.make_toolbox` returns a plain :class:`deap.base.Toolbox` whose
individuals are weight vectors of a fixed network and whose ``map`` scores the whole
population in one batched NumPy pass. DEAP's own algorithms run on it unchanged; here
``eaSimple`` evolves a 2-2-1 network for XOR, and its logbook is drawn.
"""

# %%
import random

import numpy as np
from deap import algorithms, tools

from evonet import MLPLayout, forward, make_toolbox

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0.0, 1.0, 1.0, 0.0])

layout = MLPLayout(2, (2,), 1, activation="tanh")          # 9 weights
toolbox = make_toolbox(layout, X, y, loss="squared_error", random_state=0,
                       mutation_sigma=1.0, mutation_indpb=0.2)
random.seed(0)                                              # eaSimple draws from `random`
stats = tools.Statistics(lambda individual: individual.fitness.values[0])
stats.register("min", np.min)
stats.register("median", np.median)
hof = tools.HallOfFame(1, similar=np.array_equal)           # individuals are arrays
population, logbook = algorithms.eaSimple(toolbox.population(n=200), toolbox, cxpb=0.5,
                                          mutpb=0.5, ngen=100, stats=stats, halloffame=hof,
                                          verbose=False)
print(f"best mean squared error {hof[0].fitness.values[0]:.2e}")
print("outputs of the best network:", np.round(forward(layout, hof[0], X)[:, 0], 3))

# %%
# Drawing
# -------
# (plain matplotlib from DEAP's logbook)
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.4, 3.8))
ax.plot(logbook.select("gen"), logbook.select("median"), label="population median")
ax.plot(logbook.select("gen"), logbook.select("min"), label="population best")
ax.set_yscale("log")
ax.set_xlabel("generation")
ax.set_ylabel("mean squared error")
ax.legend()
ax.set_title("eaSimple on XOR, population of 200")
fig.tight_layout()
plt.show()
