"""Graph networks: batched population evaluation against a plain per-genome one, bad input."""

import numpy as np
import pytest
from neat_helpers import random_genomes, reference_forward, reference_step

from evonet.evaluation import Evaluator
from evonet.genome.initializers import minimal_population
from evonet.genome.neat import ENABLED, IN_NODE, LEVEL, OUT_NODE, NeatGenome
from evonet.nn.graph import FeedForwardNetwork, FeedForwardPopulation
from evonet.nn.recurrent import RecurrentNetwork, RecurrentPopulation
from evonet.problems.graph import GraphProblem


@pytest.mark.parametrize("activate_outputs", [False, True])
def test_batched_forward_equals_a_plain_per_genome_evaluation(activate_outputs):
    genomes, _ = random_genomes(60, 3, 2, seed=11, steps=25)
    X = np.random.default_rng(0).normal(size=(7, 3))
    got = FeedForwardPopulation(genomes, np.float64).forward(X, activate_outputs)
    want = np.array([[reference_forward(g, x, activate_outputs) for x in X] for g in genomes])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    # float32 agrees to its precision, and one genome alone gives the same outputs
    got32 = FeedForwardPopulation(genomes, np.float32).forward(X, activate_outputs)
    np.testing.assert_allclose(got32, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(FeedForwardNetwork(genomes[7]).predict(X, activate_outputs),
                                  got[7])


def test_results_do_not_depend_on_the_company_or_the_row_chunks():
    genomes, _ = random_genomes(30, 2, 1, seed=12, steps=15)
    X = np.random.default_rng(1).normal(size=(50, 2))
    whole = FeedForwardPopulation(genomes).forward(X, row_chunk=7)
    for k in (0, 13, 29):
        np.testing.assert_array_equal(FeedForwardPopulation(genomes[k:k + 1]).forward(X)[0],
                                      whole[k])


def test_stale_cached_levels_are_recomputed():
    genomes, _ = random_genomes(10, 2, 1, seed=13, steps=15)
    X = np.random.default_rng(2).normal(size=(5, 2))
    want = FeedForwardPopulation(genomes, np.float64).forward(X)
    for g in genomes:
        g.nodes[:, LEVEL] = 0.0  # as if edited by hand without update_levels()
    np.testing.assert_array_equal(FeedForwardPopulation(genomes, np.float64).forward(X), want)


def test_a_cycle_in_the_feed_forward_decoder_raises():
    nodes = [(0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0)]
    g = NeatGenome(1, 1, nodes, [(0, 0, 2, 1.0, True), (1, 2, 3, 1.0, True),
                                 (2, 3, 2, 1.0, True), (3, 3, 1, 1.0, True)])
    with pytest.raises(ValueError, match="genome 1 has a cycle"):
        FeedForwardPopulation([NeatGenome(1, 1), g])
    # disabling the loop makes it acyclic again
    g.connections[2, ENABLED] = 0.0
    FeedForwardPopulation([g])


def test_malformed_genomes_raise_value_errors_naming_the_genome():
    good = minimal_population(2, 2, 1, np.random.default_rng(0))
    missing = good[1].copy()
    missing.connections[0, 1] = 9.0  # from node 9, which does not exist
    with pytest.raises(ValueError, match="genome 1 has a connection from missing node 9"):
        FeedForwardPopulation([good[0], missing])
    out_of_output = NeatGenome(1, 2, connections=[(0, 1, 2, 1.0, True)])
    with pytest.raises(ValueError, match="out of output node 1"):
        FeedForwardPopulation([out_of_output])
    RecurrentPopulation([out_of_output])  # fine in a recurrent network
    with pytest.raises(ValueError, match="genome 1 has 3 inputs"):
        FeedForwardPopulation([NeatGenome(2, 1), NeatGenome(3, 1)])
    with pytest.raises(ValueError, match="empty"):
        FeedForwardPopulation([])
    with pytest.raises(ValueError, match="shape"):
        FeedForwardPopulation(good).forward(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="dtype"):
        FeedForwardPopulation(good, np.int32)



@pytest.mark.parametrize("population", [FeedForwardPopulation, RecurrentPopulation])
def test_duplicate_enabled_connections_raise_naming_the_genome_and_the_pair(population):
    # genomes whose connection arrays were edited after construction: decoding them
    # would silently sum both weights of the repeated pair
    good = NeatGenome(2, 1, connections=[(0, 0, 2, 1.0, True), (1, 1, 2, 1.0, True)])
    twice = good.copy()
    twice.connections[1, IN_NODE] = 0.0  # 0 -> 2 twice
    with pytest.raises(ValueError, match="genome 2 has duplicate enabled connections 0 -> 2"):
        population([good, good, twice])
    # sparse node ids take the binary-search path to node positions; same check there
    nodes = [(0, 0, 0), (1, 0, 0), (2, 0, 0), (5000, 0, 0)]
    sparse = NeatGenome(2, 1, nodes, [(0, 0, 5000, 1.0, True), (1, 5000, 2, 1.0, True),
                                      (2, 1, 5000, 1.0, True)])
    population([good, sparse])
    sparse.connections[2, IN_NODE] = 0.0
    with pytest.raises(ValueError, match="genome 1 has duplicate enabled connections "
                                         "0 -> 5000"):
        population([good, sparse])
    # a disabled copy takes no part in decoding, so it is allowed
    twice.connections[1, ENABLED] = 0.0
    out = population([twice], np.float64)
    if isinstance(out, FeedForwardPopulation):
        np.testing.assert_array_equal(out.forward([[1.0, 1.0]]), [[[1.0]]])


def test_recurrent_duplicate_self_loops_raise():
    loop = NeatGenome(1, 1, connections=[(0, 0, 1, 1.0, True), (1, 1, 1, 0.5, True)])
    RecurrentPopulation([loop])
    loop.connections[0, [IN_NODE, OUT_NODE]] = 1.0
    with pytest.raises(ValueError, match="genome 0 has duplicate enabled connections 1 -> 1"):
        RecurrentPopulation([loop])


def test_recurrent_population_steps_like_the_plain_reference():
    genomes, _ = random_genomes(25, 2, 2, seed=14, steps=20, feed_forward=False)
    assert any((g.nodes[:, LEVEL] < 0).any() for g in genomes)  # some really are cyclic
    rng = np.random.default_rng(3)
    nets = RecurrentPopulation(genomes)
    states = [{} for _ in genomes]
    for _ in range(6):
        x = rng.normal(size=(25, 2))
        got = nets.step(x)
        for k, g in enumerate(genomes):
            states[k] = reference_step(g, states[k], x[k])
            np.testing.assert_allclose(got[k], [states[k][o] for o in (2, 3)], rtol=1e-10,
                                       atol=1e-12)


def test_recurrent_batch_axis_runs_episodes_independently():
    genomes, _ = random_genomes(4, 2, 1, seed=15, steps=10, feed_forward=False)
    x = np.random.default_rng(4).normal(size=(4, 2, 3))
    batched = RecurrentPopulation(genomes)
    single = RecurrentNetwork(genomes[2])
    for t in range(4):
        out = batched.step(x * (t + 1))
        single_out = single.step(x[2, :, 1] * (t + 1))
        np.testing.assert_allclose(out[2, :, 1], single_out, rtol=1e-12)
    with pytest.raises(ValueError, match="inputs must have shape"):
        batched.step(np.zeros((3, 2)))


def test_graph_problem_losses_equal_the_plain_computation():
    genomes, _ = random_genomes(20, 3, 2, seed=16, steps=10)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(700, 3))  # more than one chunk of rows
    Y = rng.normal(size=(700, 2))
    w = rng.random(700)
    problem = GraphProblem(3, 2, X, Y, sample_weight=w, dtype=np.float64)
    out = np.array([[reference_forward(g, x, False) for x in X[:50]] for g in genomes])
    sub = GraphProblem(3, 2, X[:50], Y[:50], sample_weight=w[:50], dtype=np.float64)
    want = (((out - Y[:50]) ** 2).mean(axis=2) @ w[:50]) / w[:50].sum()
    np.testing.assert_allclose(sub.evaluate(genomes), want, rtol=1e-10)
    rows = np.arange(0, 700, 3)
    np.testing.assert_allclose(problem.evaluate(genomes, rows),
                               GraphProblem(3, 2, X[rows], Y[rows], sample_weight=w[rows],
                                            dtype=np.float64).evaluate(genomes), rtol=1e-12)


def test_graph_problem_classification_and_predict():
    genomes, _ = random_genomes(10, 4, 3, seed=17, steps=8)
    rng = np.random.default_rng(6)
    X = rng.normal(size=(40, 4))
    y = rng.integers(0, 3, 40)
    problem = GraphProblem(4, 3, X, y, loss="log_loss", output_activation="softmax")
    logits = np.array([[reference_forward(g, x, False) for x in X] for g in genomes])
    z = logits - logits.max(axis=2, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
    want = -logp[:, np.arange(40), y].mean(axis=1)
    np.testing.assert_allclose(problem.evaluate(genomes), want, rtol=1e-5)
    proba = problem.predict(genomes[3], X)
    assert proba.dtype == np.float64 and proba.shape == (40, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(proba, np.exp(logp[3]), rtol=1e-10)
    # a row predicts the same alone as in a batch
    np.testing.assert_array_equal(problem.predict(genomes[3], X[5:6]), proba[5:6])
    errors = GraphProblem(4, 3, X, y, loss="error_rate", output_activation="softmax")
    np.testing.assert_allclose(errors.evaluate(genomes),
                               (logits.argmax(axis=2) != y).mean(axis=1))


def test_graph_problem_checks_its_input():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="X must have shape"):
        GraphProblem(3, 1, X, np.zeros(4))
    with pytest.raises(ValueError, match="y has 3 rows"):
        GraphProblem(2, 1, X, np.zeros(3))
    with pytest.raises(ValueError, match="loss='hinge'"):
        GraphProblem(2, 1, X, np.zeros(4), loss="hinge")
    with pytest.raises(ValueError, match="output_activation"):
        GraphProblem(2, 1, X, np.zeros(4), output_activation="softsign")
    with pytest.raises(ValueError, match="chunk_size"):
        GraphProblem(2, 1, X, np.zeros(4), chunk_size=0)
    with pytest.raises(ValueError, match="sample_weight"):
        GraphProblem(2, 1, X, np.zeros(4), sample_weight=-np.ones(4))
    problem = GraphProblem(2, 1, X, np.zeros(4))
    with pytest.raises(ValueError, match="3 inputs"):
        problem.evaluate([NeatGenome(3, 1)])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_evaluator_scores_genome_lists_identically_for_any_n_jobs(n_jobs):
    genomes, _ = random_genomes(150, 2, 1, seed=18, steps=10)
    X = np.random.default_rng(7).normal(size=(30, 2))
    y = X[:, 0] * X[:, 1]
    problem = GraphProblem(2, 1, X, y, chunk_size=16)   # 10 chunks
    serial = Evaluator(problem).evaluate(genomes)
    # adaptive=False: the chunks go to the workers (no in-process choice)
    with Evaluator(problem, n_jobs=n_jobs, backend="threading", adaptive=False) as evaluator:
        np.testing.assert_array_equal(evaluator.evaluate(genomes), serial)
    np.testing.assert_array_equal(problem.evaluate(genomes), serial)
