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
stats.register("mean", np.mean)
stats.register("std", np.std)
stats.register("max", np.max)
hof = tools.HallOfFame(1, similar=np.array_equal)           # individuals are arrays
population, logbook = algorithms.eaSimple(toolbox.population(n=200), toolbox, cxpb=0.5,
                                          mutpb=0.5, ngen=100, stats=stats, halloffame=hof,
                                          verbose=False)
print(f"best mean squared error {hof[0].fitness.values[0]:.2e}")
print("outputs of the best network:", np.round(forward(layout, hof[0], X)[:, 0], 3))

# %%
# Drawing
# -------
# :meth:`EvolutionDisplay.from_logbook <evonet.plot.EvolutionDisplay.from_logbook>` takes
# any logbook whose records have ``gen``, ``min`` and ``mean`` (and ``std``, ``max`` for
# the band), so DEAP's own logbook is drawn as it is.
import matplotlib.pyplot as plt

from evonet.plot import EvolutionDisplay

fig, ax = plt.subplots(figsize=(6.4, 3.8))
EvolutionDisplay.from_logbook(logbook, loss_name="mean squared error", ax=ax,
                              spread="minmax", log_scale=True)
ax.set_title("eaSimple on XOR, population of 200")
fig.tight_layout()
plt.show()
