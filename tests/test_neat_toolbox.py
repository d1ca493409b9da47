"""The NEAT toolbox: DEAP's own algorithms on evonet's NEAT operators."""

import pickle
import random

import numpy as np
import pytest
from deap import algorithms, tools

from evonet.genome.innovation import InnovationRegistry
from evonet.genome.neat import BIAS, ENABLED, IN_NODE, INNOVATION, NODE_ID, OUT_NODE, WEIGHT
from evonet.genome.types import NeatIndividual
from evonet.toolboxes.neat import make_neat_toolbox, same_genome

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([0.0, 1.0, 1.0, 0.0])


def toolbox(seed, **kwargs):
    return make_neat_toolbox(2, 1, X, Y, random_state=seed, output_activation="logistic",
                             mutation=dict(add_node_rate=0.1, add_connection_rate=0.3,
                                           weight_power=1.0), **kwargs)


def test_registers_the_deap_aliases_and_an_innovation_registry():
    tb = toolbox(0)
    for name in ("individual", "population", "mate", "mutate", "select", "evaluate", "map",
                 "distance", "mutate_weights", "mutate_biases", "add_node", "add_connection",
                 "toggle_connection"):
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


def own_loop(seed, generations=4, n=12):
    """A hand-written loop over the separately registered operators, checking each one."""
    tb = toolbox(seed)
    pop = tb.population(n=n)
    for ind, fit in zip(pop, tb.map(tb.evaluate, pop)):
        ind.fitness.values = fit
    for _ in range(generations):
        offspring = [tb.clone(ind) for ind in tb.select(pop, len(pop))]
        for child in offspring:
            hidden, genes = child.n_hidden, child.connections[:, INNOVATION].tolist()
            split = tb.add_node(child)
            assert child.n_hidden == hidden + split
            # the old genes keep their numbers; a split adds two
            assert set(genes) <= set(child.connections[:, INNOVATION].tolist())
            assert len(child.connections) == len(genes) + 2 * split
            n_genes = len(child.connections)
            assert tb.add_connection(child) == (len(child.connections) == n_genes + 1)
            flags = child.connections[:, ENABLED].copy()
            assert tb.toggle_connection(child)
            assert np.count_nonzero(child.connections[:, ENABLED] != flags) == 1
            weights, biases = child.connections[:, WEIGHT].copy(), child.nodes[:, BIAS].copy()
            assert tb.mutate_weights(child) is child and tb.mutate_biases(child) is child
            assert (child.connections[:, WEIGHT] != weights).any()
            np.testing.assert_array_equal(child.nodes[:2, BIAS], biases[:2])  # inputs
            assert (child.nodes[2:, BIAS] != biases[2:]).all()
            child.validate()
            del child.fitness.values
        for ind, fit in zip(offspring, tb.map(tb.evaluate, offspring)):
            ind.fitness.values = fit
        pop = offspring
    return tb, pop


def test_separately_registered_operators_drive_a_loop_of_ones_own():
    tb, pop = own_loop(3)
    assert max(ind.n_hidden for ind in pop) >= 3
    # one innovation number per structure across the population, all from the run's
    # registry, and every hidden node id made by one of its splits
    InnovationRegistry.from_genomes(pop)
    made = {node for nodes in tb.innovations.splits.values() for node in nodes}
    for ind in pop:
        for number, a, b in ind.connections[:, [INNOVATION, IN_NODE, OUT_NODE]].astype(int):
            assert tb.innovations.connections[(a, b)] == number
        assert set(ind.nodes[3:, NODE_ID].astype(int).tolist()) <= made
    # the operators draw only from the toolbox's generator: the same seed, the same genomes
    _, again = own_loop(3)
    assert all(same_genome(a, b) for a, b in zip(pop, again))
    _, other = own_loop(4)
    assert not all(same_genome(a, b) for a, b in zip(pop, other))


def test_mate_changes_the_pair_in_place_as_in_deaps_own_loops():
    # it returned new genomes and left the pair as it was: DEAP's hand-written loop,
    # tb.mate(child1, child2), silently did no crossover
    tb = make_neat_toolbox(2, 1, X, Y, random_state=0)
    population = tb.population(n=6)
    for _ in range(3):   # a few generations of structure, so that crossover has work
        for ind in population:
            tb.add_node(ind)
            tb.add_connection(ind)
    for ind, fit in zip(population, tb.map(tb.evaluate, population)):
        ind.fitness.values = fit
    offspring = [tb.clone(ind) for ind in population]
    changed = 0
    for child1, child2 in zip(offspring[::2], offspring[1::2]):
        before = child2.connections.copy()
        assert tb.mate(child1, child2) == (child1, child2)
        assert not child1.fitness.valid and not child2.fitness.valid
        changed += not np.array_equal(before, child2.connections)
    assert changed > 0
    # the parents the clones came from are untouched
    assert all(ind.fitness.valid for ind in population)
