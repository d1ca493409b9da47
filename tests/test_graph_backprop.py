"""Back-propagation through NEAT feed-forward graphs: finite differences and the losses."""

import numpy as np
import pytest
from neat_helpers import random_genomes

from evonet.genome.neat import BIAS, WEIGHT, NeatGenome
from evonet.problems import GraphProblem, graph_loss_and_grad

HEADS = [("identity", "squared_error"), ("tanh", "squared_error"),
         ("softmax", "squared_error"), ("softmax", "log_loss"), ("logistic", "log_loss")]


def perturbed_losses(problem, genomes, column, kind, eps, rows):
    """Central differences of every gene ``column`` of every genome (all genomes at once)."""
    arrays = [g.connections if kind == "connections" else g.nodes for g in genomes]
    fd = [np.zeros(len(a)) for a in arrays]
    for j in range(max(len(a) for a in arrays)):
        losses = []
        for sign in (1, -1):
            copies = [g.copy() for g in genomes]
            for c in copies:
                genes = c.connections if kind == "connections" else c.nodes
                if j < len(genes):
                    genes[j, column] += sign * eps
            losses.append(problem.evaluate(copies, rows))
        for p, a in enumerate(arrays):
            if j < len(a):
                fd[p][j] = (losses[0][p] - losses[1][p]) / (2 * eps)
    return fd


def targets_for(rng, loss, output, n_rows, n_out):
    if loss == "log_loss" and output == "softmax":
        return rng.integers(0, n_out, size=n_rows)
    if loss == "log_loss":
        return (rng.random((n_rows, n_out)) < 0.5).astype(float)
    return rng.normal(size=(n_rows, n_out))


@pytest.mark.parametrize(("output", "loss"), HEADS)
def test_graph_gradient_equals_central_differences(output, loss):
    rng = np.random.default_rng(0)
    genomes, _ = random_genomes(5, 3, 2, seed=1, steps=14)
    X = rng.normal(size=(30, 3))
    problem = GraphProblem(3, 2, X, targets_for(rng, loss, output, 30, 2), loss=loss,
                           output_activation=output, dtype=np.float64,
                           sample_weight=rng.uniform(0.2, 2.0, size=30))
    rows = np.sort(rng.choice(30, size=20, replace=False))
    for r in (None, rows):
        result = graph_loss_and_grad(problem, genomes, r)
        np.testing.assert_allclose(result.losses, problem.evaluate(genomes, r), rtol=1e-14)
        fd_w = perturbed_losses(problem, genomes, WEIGHT, "connections", 1e-6, r)
        fd_b = perturbed_losses(problem, genomes, BIAS, "nodes", 1e-6, r)
        for p in range(len(genomes)):
            got = np.concatenate([result.weight_grads[p], result.bias_grads[p]])
            want = np.concatenate([fd_w[p], fd_b[p]])
            assert np.linalg.norm(got - want) < 1e-6 * np.linalg.norm(want)


def test_grown_genomes_have_hidden_nodes_and_disabled_connections():
    # the finite-difference test above covers hidden nodes, every node activation and
    # disabled connections (whose gradient is zero)
    genomes, _ = random_genomes(5, 3, 2, seed=1, steps=14)
    assert sum(g.n_hidden for g in genomes) >= 3
    assert any((g.connections[:, 4] == 0).any() for g in genomes)
    problem = GraphProblem(3, 2, np.ones((4, 3)), np.ones((4, 2)), dtype=np.float64)
    result = graph_loss_and_grad(problem, genomes)
    for g, grads in zip(genomes, result.weight_grads):
        assert grads.shape == (len(g.connections),)
        assert (grads[g.connections[:, 4] == 0] == 0).all()


def test_float32_losses_equal_evaluate_over_several_chunks():
    rng = np.random.default_rng(2)
    genomes, _ = random_genomes(12, 4, 3, seed=3)
    X = rng.normal(size=(1200, 4))
    problem = GraphProblem(4, 3, X, rng.integers(0, 3, size=1200), loss="log_loss",
                           output_activation="softmax")
    result = graph_loss_and_grad(problem, genomes)
    np.testing.assert_array_equal(result.losses, problem.evaluate(genomes))
    one = graph_loss_and_grad(problem, genomes[4:5])
    np.testing.assert_allclose(one.weight_grads[0], result.weight_grads[4], rtol=1e-6,
                               atol=1e-7)


def test_a_recurrent_genome_is_refused():
    g = NeatGenome(1, 1, nodes=[(0, 0.0, "identity"), (1, 0.0, "identity"), (2, 0.0, "tanh")],
                   connections=[(0, 0, 2, 1.0, True), (1, 2, 2, 0.5, True),
                                (2, 2, 1, 1.0, True)])
    problem = GraphProblem(1, 1, [[1.0]], [0.0])
    with pytest.raises(ValueError, match="cycle"):
        graph_loss_and_grad(problem, [g])
