"""NEAT genomes: invariants, bad input, innovation numbers, add-node, pickling, JSON."""

import copy
import json
import pickle

import numpy as np
import pytest
from neat_helpers import random_genomes

from evonet.genome.initializers import MinimalInitializer, minimal_genome, minimal_population
from evonet.genome.innovation import InnovationRegistry
from evonet.genome.neat import (
    ENABLED,
    IN_NODE,
    INNOVATION,
    LEVEL,
    NODE_ID,
    OUT_NODE,
    WEIGHT,
    NeatGenome,
    node_levels,
)
from evonet.genome.structure import active_hidden_nodes
from evonet.genome.types import NeatIndividual
from evonet.nn.graph import FeedForwardNetwork
from evonet.operators.neat import NeatMutation, add_connection, add_node, breed


def test_minimal_genome_connects_every_input_to_every_output():
    g = minimal_genome(3, 2, np.random.default_rng(0))
    assert isinstance(g, NeatIndividual) and not g.fitness.valid
    pairs = g.connections[:, [IN_NODE, OUT_NODE]].astype(int).tolist()
    assert sorted(map(tuple, pairs)) == [(i, o) for i in range(3) for o in (3, 4)]
    assert g.connections[:, INNOVATION].tolist() == list(range(6))
    assert g.n_hidden == 0 and g.n_enabled == 6
    g.validate()


@pytest.mark.parametrize("nodes, connections, message", [
    (None, [(0, 0, 7, 1.0, True)], "missing node 7"),
    (None, [(0, 9, 2, 1.0, True)], "from missing node 9"),
    (None, [(0, 0, 2, 1.0, True), (1, 0, 2, 2.0, True)], "duplicate connection 0 -> 2"),
    (None, [(0, 2, 1, 1.0, True)], "into an input"),
    (None, [(0, 0, 2, np.nan, True)], "NaN"),
    ([(0, 0, 0), (1, 0, 0)], None, "inputs and outputs"),
    ([(0, 0, 0), (1, 0, 0), (2, 0, "softsign")], None, "activation='softsign'"),
    ([(0, 0, 0), (1, 0, 0), (2, 0, 9)], None, "activation codes"),
])
def test_bad_genes_raise_value_error_naming_the_problem(nodes, connections, message):
    with pytest.raises(ValueError, match=message):
        NeatGenome(2, 1, nodes=nodes, connections=connections)


def test_duplicate_node_ids_and_bad_counts_raise():
    with pytest.raises(ValueError, match="unique"):
        NeatGenome(1, 1, nodes=[(0, 0, 0), (1, 0, 0), (1, 0, 0)])
    with pytest.raises(ValueError, match="n_inputs"):
        NeatGenome(0, 1)
    with pytest.raises(ValueError, match="n_outputs"):
        minimal_genome(2, True, np.random.default_rng(0))


def test_evolved_genomes_keep_every_invariant():
    genomes, registry = random_genomes(40, 3, 2, seed=1, steps=20)
    for g in genomes:
        g.validate()
        # the cached levels are the structure's, and every connection climbs them
        np.testing.assert_array_equal(g.nodes[:, LEVEL], node_levels(g.nodes[:, NODE_ID],
                                                                     g.connections))
        level = dict(zip(g.nodes[:, NODE_ID].tolist(), g.nodes[:, LEVEL].tolist()))
        for a, b in g.connections[:, [IN_NODE, OUT_NODE]].tolist():
            assert level[a] < level[b]
        # inputs are 0..2, outputs 3 and 4: outputs are never sources, inputs never targets
        assert not np.isin(g.connections[:, IN_NODE], [3, 4]).any()
        assert not np.isin(g.connections[:, OUT_NODE], [0, 1, 2]).any()


def test_one_innovation_number_per_structure():
    genomes, registry = random_genomes(60, 2, 1, seed=2, steps=15)
    seen = {}
    for g in genomes:
        for k, a, b in g.connections[:, [INNOVATION, IN_NODE, OUT_NODE]].astype(int).tolist():
            assert seen.setdefault((a, b), k) == k  # one number per connection...
            assert registry.connections[(a, b)] == k
    assert len(set(seen.values())) == len(seen)  # ...and one connection per number


def test_the_same_split_gives_the_same_node_and_innovations():
    registry = InnovationRegistry.minimal(2, 1)
    a, b = (minimal_genome(2, 1, np.random.default_rng(s)) for s in (0, 1))
    for g in (a, b):
        g.connections[1, ENABLED] = 0.0  # leave connection 0 -> 2 the only one to split
        assert add_node(g, registry, np.random.default_rng(5))
    np.testing.assert_array_equal(a.nodes[:, NODE_ID], b.nodes[:, NODE_ID])
    np.testing.assert_array_equal(a.connections[:, :OUT_NODE + 1], b.connections[:, :OUT_NODE + 1])
    # splitting the same connection again in a genome that has that node gives a new node
    a.connections[a.connections[:, INNOVATION] == 0, ENABLED] = 1.0
    before = set(a.nodes[:, NODE_ID].tolist())
    registry.split(0, a.nodes[:, NODE_ID])
    assert registry.split(0, a.nodes[:, NODE_ID]) not in before


def test_add_node_keeps_the_function_of_an_identity_node_exactly():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 3))
    genomes, registry = random_genomes(20, 3, 2, seed=3, steps=6, mixed_activations=False)
    for g in genomes:
        before = FeedForwardNetwork(g).predict(X, activate_outputs=False)
        if add_node(g, registry, rng, activation="identity", bias=0.0):
            after = FeedForwardNetwork(g).predict(X, activate_outputs=False)
            np.testing.assert_allclose(after, before, rtol=1e-12, atol=1e-12)


def test_add_node_with_a_sigmoid_changes_the_function_only_through_the_squashing():
    # a -> new (weight 1) -> b (old weight): the new node passes on tanh(x), close to x near 0
    g = minimal_genome(1, 1, np.random.default_rng(0))
    X = np.linspace(-0.05, 0.05, 11)[:, None]
    before = FeedForwardNetwork(g).predict(X, activate_outputs=False)
    add_node(g, InnovationRegistry.minimal(1, 1), np.random.default_rng(0), activation="tanh")
    after = FeedForwardNetwork(g).predict(X, activate_outputs=False)
    np.testing.assert_allclose(after, before, atol=1e-4 * abs(g.connections[-1, WEIGHT]))


def test_add_connection_never_duplicates_and_stops_when_full():
    registry = InnovationRegistry.minimal(2, 1)
    g = minimal_genome(2, 1, np.random.default_rng(0))
    assert not add_connection(g, registry, np.random.default_rng(0))  # already full
    add_node(g, registry, np.random.default_rng(0))
    added = 0
    while add_connection(g, registry, np.random.default_rng(added)):
        added += 1
        g.validate()
    # 2 inputs, 1 hidden, 1 output: 0->3, 1->3, 3->2, 0->2, 1->2 are all there is
    assert added == 1 and len(g.connections) == 5


def test_recurrent_add_connection_allows_cycles_and_self_loops():
    registry = InnovationRegistry.minimal(1, 1)
    g = minimal_genome(1, 1, np.random.default_rng(0))
    while add_connection(g, registry, np.random.default_rng(len(g.connections)),
                         feed_forward=False):
        pass
    pairs = set(map(tuple, g.connections[:, [IN_NODE, OUT_NODE]].astype(int).tolist()))
    assert pairs == {(0, 1), (1, 1)}
    assert (g.nodes[:, LEVEL] == -1).all()  # a cycle: no feed-forward levels


def test_registry_from_genomes_rejects_inconsistent_numbers():
    a = NeatGenome(2, 1, connections=[(0, 0, 2, 1.0, True)])
    b = NeatGenome(2, 1, connections=[(5, 0, 2, 1.0, True)])
    with pytest.raises(ValueError, match="inconsistent innovation"):
        InnovationRegistry.from_genomes([a, b])
    registry = InnovationRegistry.from_genomes(minimal_population(4, 3, 2,
                                                                  np.random.default_rng(0)))
    assert registry.connections == InnovationRegistry.minimal(3, 2).connections


def test_copy_pickle_and_json_round_trips():
    genomes, _ = random_genomes(5, 2, 2, seed=4)
    g = genomes[-1]
    g.fitness.values = (0.25,)
    for clone in (copy.deepcopy(g), pickle.loads(pickle.dumps(g)), g.copy()):
        assert type(clone) is NeatIndividual and clone.fitness.values == (0.25,)
        np.testing.assert_array_equal(clone.connections, g.connections)
        np.testing.assert_array_equal(clone.nodes, g.nodes)
        assert clone.connections is not g.connections
    restored = NeatGenome.from_dict(json.loads(json.dumps(g.to_dict())))
    np.testing.assert_array_equal(restored.connections, g.connections)
    np.testing.assert_array_equal(restored.nodes, g.nodes)
    plain = pickle.loads(pickle.dumps(NeatGenome(1, 1)))
    assert type(plain) is NeatGenome and not hasattr(plain, "fitness")


def test_breed_children_are_fresh_individuals_with_invalid_fitness():
    parents = minimal_population(4, 2, 1, np.random.default_rng(0))
    for p in parents:
        p.fitness.values = (1.0,)
    kids = breed(parents, [0, 1, 2, 3], [1, -1, 3, -1], [True] * 4, np.random.default_rng(0),
                 NeatMutation(add_node_rate=1.0), InnovationRegistry.minimal(2, 1))
    assert all(type(k) is NeatIndividual and not k.fitness.valid for k in kids)
    assert all(k.n_hidden == 1 for k in kids)
    for k in kids:
        k.validate()


def test_active_hidden_nodes_ignore_dangling_and_disabled_paths():
    nodes = [(i, 0.0, 0) for i in range(7)]
    g = NeatGenome(2, 1, nodes, [
        (0, 0, 3, 1.0, True), (1, 3, 2, 1.0, True),    # 3 on a path
        (2, 0, 4, 1.0, True),                          # 4 leads nowhere
        (3, 5, 2, 1.0, True),                          # 5 has no input
        (4, 1, 6, 1.0, True), (5, 6, 2, 1.0, False),   # 6's way out is disabled
    ])
    assert active_hidden_nodes(g) == [3]


def test_initializer_is_picklable_and_seeded():
    init = pickle.loads(pickle.dumps(MinimalInitializer(2, 1, output_activation="neat_sigmoid")))
    a = init(5, np.random.default_rng(0))
    b = init(5, np.random.default_rng(0))
    assert all(np.array_equal(x.connections, y.connections) for x, y in zip(a, b))
    assert a[0].nodes[2, 2] == 1  # the neat_sigmoid code on the output
