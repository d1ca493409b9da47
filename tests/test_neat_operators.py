"""NEAT operators: crossover alignment on hand-built parents, mutations, distances."""

import numpy as np
import pytest
from neat_helpers import random_genomes

from evonet.genome.compatibility import compatibility_distance, compatibility_distances
from evonet.genome.neat import (
    BIAS,
    ENABLED,
    IN_NODE,
    INNOVATION,
    NODE_ID,
    OUT_NODE,
    WEIGHT,
    NeatGenome,
)
from evonet.genome.pool import GenePool
from evonet.operators.neat import (
    NeatMutation,
    breed,
    crossover,
    cx_neat,
    mutate_biases,
    mutate_weights,
    perturb,
)

NODES = [(0, 0.0, 0), (1, 0.0, 0), (2, 0.5, 0), (3, 0.7, 0), (4, -0.3, 0), (5, 0.9, 0)]


def parents():
    """The two parents of Fig. 4 of the paper (innovations 1..10), hidden nodes 3, 4 (5).

    Parent 1: 1 2 3 4(off) 5 . . 8
    Parent 2: 1 2 3 4(off) 5 6 7 . 9(off) 10
    """
    p1 = NeatGenome(2, 1, NODES[:4] + [(4, 0.1, 0)], [
        (1, 0, 2, 1.0, True), (2, 1, 2, 1.0, True), (3, 4, 2, 1.0, True),
        (4, 1, 3, 1.0, False), (5, 3, 2, 1.0, True), (8, 0, 3, 1.0, True)])
    p2 = NeatGenome(2, 1, NODES, [
        (1, 0, 2, 2.0, True), (2, 1, 2, 2.0, True), (3, 4, 2, 2.0, True),
        (4, 1, 3, 2.0, False), (5, 3, 2, 2.0, True), (6, 3, 4, 2.0, True),
        (7, 5, 4, 2.0, True), (9, 4, 3, 2.0, False), (10, 0, 5, 2.0, True)])
    return p1, p2


def test_crossover_aligns_by_innovation_and_takes_structure_from_the_fitter():
    p1, p2 = parents()
    for seed in range(20):
        child = crossover(p2, p1, np.random.default_rng(seed))
        # the fitter parent's genes exactly: matching 1-5, disjoint 6 7 9, excess 10
        np.testing.assert_array_equal(child.connections[:, :OUT_NODE + 1],
                                      p2.connections[:, :OUT_NODE + 1])
        np.testing.assert_array_equal(child.nodes[:, NODE_ID], p2.nodes[:, NODE_ID])
        w = child.connections[:, WEIGHT]
        matching = np.isin(child.connections[:, INNOVATION], [1, 2, 3, 4, 5])
        assert set(w[matching]) <= {1.0, 2.0}      # matching: from either parent
        assert (w[~matching] == 2.0).all()         # disjoint and excess: the fitter's
        child.validate()
    weights = np.array([crossover(p2, p1, np.random.default_rng(s)).connections[:5, WEIGHT]
                        for s in range(200)])
    assert 0.35 < (weights == 1.0).mean() < 0.65   # a fair coin per matching gene


def test_crossover_disables_genes_disabled_in_either_parent_at_the_given_rate():
    p1, p2 = parents()
    p2.connections[p2.connections[:, INNOVATION] == 2, ENABLED] = 0.0   # off in p2 only
    always = crossover(p1, p2, np.random.default_rng(0), disable_rate=1.0)
    never = crossover(p1, p2, np.random.default_rng(0), disable_rate=0.0)
    by_innov = lambda g: dict(zip(g.connections[:, INNOVATION].astype(int).tolist(),  # noqa: E731
                                  g.connections[:, ENABLED].tolist()))
    assert by_innov(always) == {1: 1.0, 2: 0.0, 3: 1.0, 4: 0.0, 5: 1.0, 8: 1.0}
    assert by_innov(never) == {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0, 5: 1.0, 8: 1.0}
    rate = np.mean([by_innov(crossover(p1, p2, np.random.default_rng(s)))[4] == 0.0
                    for s in range(400)])
    assert 0.68 < rate < 0.82  # the paper's 75%


def test_crossover_mixes_the_biases_of_matching_nodes_only():
    p1, p2 = parents()
    biases = np.array([crossover(p1, p2, np.random.default_rng(s)).nodes[:, BIAS]
                       for s in range(100)])
    assert (biases[:, :2] == 0.0).all()  # inputs untouched
    assert set(np.unique(biases[:, 4])) == {0.1, -0.3}  # node 4: p1's or p2's bias
    assert set(np.unique(biases[:, 2])) == {0.5}


def test_cx_neat_picks_the_fitter_by_deap_fitness():
    p1, p2 = parents()
    from evonet.genome.types import NeatIndividual

    a = NeatIndividual(2, 1, p1.nodes, p1.connections)
    b = NeatIndividual(2, 1, p2.nodes, p2.connections)
    a.fitness.values, b.fitness.values = (2.0,), (1.0,)  # losses: b is fitter
    for child in cx_neat(a, b, rng=np.random.default_rng(0)):
        assert len(child.connections) == len(p2.connections)
    with pytest.raises(ValueError, match="disable_rate"):
        crossover(p1, p2, np.random.default_rng(0), disable_rate=1.5)


def test_breed_equals_crossover_for_each_child():
    genomes, _ = random_genomes(12, 2, 2, seed=5)
    fitter = np.arange(12)
    other = (fitter + 5) % 12
    kids = breed(genomes, fitter, other, np.zeros(12, bool), np.random.default_rng(0))
    for k, kid in enumerate(kids):
        np.testing.assert_array_equal(kid.connections[:, :OUT_NODE + 1],
                                      genomes[k].connections[:, :OUT_NODE + 1])
        # every weight comes from one of the parents' genes with that innovation number
        for innov, w in kid.connections[:, [INNOVATION, WEIGHT]].tolist():
            choices = [g.connections[g.connections[:, INNOVATION] == innov, WEIGHT]
                       for g in (genomes[k], genomes[other[k]])]
            assert w in np.concatenate(choices)


def test_weight_and_bias_mutations_perturb_clip_and_replace():
    rng = np.random.default_rng(0)
    genomes, _ = random_genomes(1, 2, 1, seed=6, steps=8)
    g = genomes[0]
    w0, b0 = g.connections[:, WEIGHT].copy(), g.nodes[:, BIAS].copy()
    mutate_weights(g, rng, power=0.1, replace_rate=0.0, limit=None)
    assert np.abs(g.connections[:, WEIGHT] - w0).max() < 1.0
    mutate_biases(g, rng, power=0.1, replace_rate=0.0, limit=None)
    np.testing.assert_array_equal(g.nodes[:2, BIAS], b0[:2])
    big = perturb(np.zeros(1000), rng, 100.0, 0.0, 1.0, 3.0, "gaussian")
    assert np.abs(big).max() == 3.0
    fresh = perturb(np.full(1000, 50.0), rng, 0.0, 0.5, 1.0, None, "uniform")
    assert 400 < (fresh != 50.0).sum() < 600


@pytest.mark.parametrize("kwargs, message", [
    (dict(weight_rate=1.5), "weight_rate"),
    (dict(add_node_rate=-0.1), "add_node_rate"),
    (dict(weight_power=-1.0), "weight_power"),
    (dict(distribution="cauchy"), "distribution"),
    (dict(activation="softsign"), "softsign"),
])
def test_mutation_parameters_out_of_range_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        NeatMutation(**kwargs)


def naive_distance(a, b, c1=1.0, c2=1.0, c3=0.4, small=20):
    ga = dict(zip(a.connections[:, INNOVATION].astype(int).tolist(),
                  a.connections[:, WEIGHT].tolist()))
    gb = dict(zip(b.connections[:, INNOVATION].astype(int).tolist(),
                  b.connections[:, WEIGHT].tolist()))
    ma, mb = max(ga, default=-1), max(gb, default=-1)
    matching = set(ga) & set(gb)
    excess = sum(k > mb for k in ga) + sum(k > ma for k in gb)
    disjoint = len(set(ga) ^ set(gb)) - excess
    n = max(len(ga), len(gb))
    n = 1 if n < small else n
    w = np.mean([abs(ga[k] - gb[k]) for k in matching]) if matching else 0.0
    return c1 * excess / n + c2 * disjoint / n + c3 * w


def test_distance_by_hand_on_the_paper_parents():
    p1, p2 = parents()
    # as in Fig. 4: matching 1..5 (weights 1 vs 2), disjoint 6 7 8, excess 9 10 (beyond
    # parent 1's largest number, 8); N = 1 (small genomes)
    assert compatibility_distance(p1, p2) == pytest.approx(1 * 2 + 1 * 3 + 0.4 * 1.0)
    assert compatibility_distance(p1, p2, c1=2.0, c2=0.5, c3=0.0) == pytest.approx(4 + 1.5)
    assert compatibility_distance(p1, p1) == 0.0


def test_distance_normalises_by_size_from_twenty_genes():
    big = NeatGenome(1, 1, connections=[(0, 0, 1, 0.0, True)])
    conns = [(0, 0, 1, 0.0, True)]
    nodes = [(0, 0, 0), (1, 0, 0)] + [(k, 0, 0) for k in range(2, 22)]
    conns += [(k, 0, k + 1, 0.0, True) for k in range(1, 21)]  # 21 genes
    large = NeatGenome(1, 1, nodes, conns)
    assert compatibility_distance(big, large) == pytest.approx(20 / 21)
    assert compatibility_distance(big, large, small_genome=22) == pytest.approx(20.0)


def test_batched_distances_match_the_naive_formula():
    genomes, _ = random_genomes(30, 3, 2, seed=7, steps=25)
    genomes.append(NeatGenome(3, 2))  # a genome without connections
    refs = genomes[::4]
    got = compatibility_distances(GenePool(genomes), refs)
    want = np.array([[naive_distance(a, b) for b in refs] for a in genomes])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    got = compatibility_distances(genomes, refs, c1=0.5, c2=2.0, c3=1.0, small_genome=3)
    want = np.array([[naive_distance(a, b, 0.5, 2.0, 1.0, 3) for b in refs] for a in genomes])
    np.testing.assert_allclose(got, want, rtol=1e-12)



@pytest.mark.parametrize("name, value", [
    ("c1", -1.0), ("c1", np.nan), ("c2", -0.5), ("c2", np.inf), ("c3", -1), ("c3", "0.4"),
    ("c3", True), ("small_genome", -1), ("small_genome", np.nan),
])
def test_distance_settings_out_of_range_raise_naming_them(name, value):
    p1, p2 = parents()
    with pytest.raises(ValueError, match=f"{name} must be a finite number >= 0"):
        compatibility_distance(p1, p2, **{name: value})
    with pytest.raises(ValueError, match=f"{name} must be a finite number >= 0"):
        compatibility_distances([p1, p2], [p2], **{name: value})


def test_distance_accepts_zero_and_numpy_coefficients():
    p1, p2 = parents()
    assert compatibility_distance(p1, p2, c1=np.float64(0.0), c2=np.int64(0), c3=0) == 0.0

def test_pool_finds_genes_by_owner_and_number():
    genomes, _ = random_genomes(5, 2, 1, seed=8)
    pool = GenePool(genomes)
    for k, g in enumerate(genomes):
        at = pool.find_connections(np.full(len(g.connections), k), g.connections[:, INNOVATION])
        np.testing.assert_array_equal(pool.connections[at], g.connections)
        assert pool.find_connections([k], [10_000])[0] == -1
        at = pool.find_nodes(np.full(len(g.nodes), k), g.nodes[:, NODE_ID])
        np.testing.assert_array_equal(pool.nodes[at], g.nodes)
    assert IN_NODE == 1
