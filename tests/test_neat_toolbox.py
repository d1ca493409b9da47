"""The NEAT toolbox: DEAP's own algorithms on evonet's NEAT operators."""

import pickle
import random

import numpy as np
import pytest
from deap import algorithms, tools

from evonet.genome.types import NeatIndividual
from evonet.neat_toolbox import make_neat_toolbox, same_genome

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([0.0, 1.0, 1.0, 0.0])


def toolbox(seed, **kwargs):
    return make_neat_toolbox(2, 1, X, Y, random_state=seed, output_activation="logistic",
                             mutation=dict(add_node_rate=0.1, add_connection_rate=0.3,
                                           weight_power=1.0), **kwargs)


def test_registers_the_deap_aliases_and_an_innovation_registry():
    tb = toolbox(0)
    for name in ("individual", "population", "mate", "mutate", "select", "evaluate", "map",
                 "distance"):
        assert hasattr(tb, name)
    ind = tb.individual()
    assert isinstance(ind, NeatIndividual) and ind.n_enabled == 2
    assert tb.innovations.connection(0, 2) == 0


def test_batched_map_equals_one_at_a_time():
    tb = toolbox(1)
    pop = tb.population(n=20)
    for ind in pop:
        tb.mutate(ind)
    batched = tb.map(tb.evaluate, pop)
    single = [tb.evaluate(ind) for ind in pop]
    np.testing.assert_allclose([f[0] for f in batched], [f[0] for f in single], rtol=1e-6)


def run_easimple(seed, ngen=15):
    random.seed(seed)
    tb = toolbox(seed)
    hof = tools.HallOfFame(1, similar=same_genome)
    pop, log = algorithms.eaSimple(tb.population(n=60), tb, cxpb=0.5, mutpb=0.8, ngen=ngen,
                                   halloffame=hof, verbose=False)
    return pop, log, hof


def test_easimple_evolves_xor_networks_reproducibly():
    pop, log, hof = run_easimple(0)
    assert len(log) == 16 and log[-1]["nevals"] > 0
    first = [ind.fitness.values[0] for ind in pop]
    start = toolbox(0)
    best0 = min(f[0] for f in start.map(start.evaluate, start.population(n=60)))
    assert hof[0].fitness.values[0] < best0  # evolution improved on the start
    pop2, _, _ = run_easimple(0)
    assert first == [ind.fitness.values[0] for ind in pop2]
    for ind in pop:
        ind.validate()


def test_toolbox_pickles_and_bad_options_raise():
    tb = pickle.loads(pickle.dumps(toolbox(2)))
    assert isinstance(tb.individual(), NeatIndividual)
    with pytest.raises(ValueError, match="mutation"):
        make_neat_toolbox(2, 1, X, Y, mutation="strong")
    with pytest.raises(ValueError, match="weight_rate"):
        make_neat_toolbox(2, 1, X, Y, mutation=dict(weight_rate=2.0))
    with pytest.raises(ValueError, match="tournsize"):
        make_neat_toolbox(2, 1, X, Y, tournsize=0)
    with pytest.raises(ValueError, match="disable_rate"):
        make_neat_toolbox(2, 1, X, Y, disable_rate=-1)
