import numpy as np
import pytest

from evonet.evaluation import Evaluator, SupervisedProblem, population_chunks
from evonet.nn import ROW_CHUNK, MLPLayout, forward


def regression_problem(n=300, **kwargs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 4))
    y = np.column_stack([X[:, 0] - X[:, 1], np.sin(X[:, 2])])
    return SupervisedProblem(MLPLayout(4, (6,), 2), X, y, **kwargs), X, y


def test_population_chunks_cover_in_order_and_ignore_workers():
    chunks = population_chunks(101, 32)
    assert [c.stop - c.start for c in chunks] == [25, 25, 25, 26]
    assert chunks[0].start == 0 and chunks[-1].stop == 101
    assert population_chunks(5, 32) == [slice(0, 5)]


def test_squared_error_is_mean_over_rows_and_outputs():
    problem, X, y = regression_problem()
    pop = np.random.default_rng(1).normal(size=(5, problem.n_params))
    out = forward(problem.layout, pop, X, dtype=np.float64)
    expected = ((out - y) ** 2).mean(axis=(1, 2))
    np.testing.assert_allclose(problem.evaluate(pop), expected, rtol=1e-5)


def test_sample_weight_zero_equals_dropping_rows_and_scales_out():
    problem, X, y = regression_problem()
    w = np.ones(len(X))
    w[::3] = 0.0
    weighted = SupervisedProblem(problem.layout, X, y, sample_weight=w)
    dropped = SupervisedProblem(problem.layout, X[w > 0], y[w > 0])
    scaled = SupervisedProblem(problem.layout, X, y, sample_weight=5 * w)
    pop = np.random.default_rng(2).normal(size=(4, problem.n_params))
    np.testing.assert_allclose(weighted.evaluate(pop), dropped.evaluate(pop), rtol=1e-5)
    np.testing.assert_allclose(scaled.evaluate(pop), weighted.evaluate(pop), rtol=1e-6)


def test_l2_penalty_counts_weights_not_biases():
    problem, X, y = regression_problem(alpha=3.0)
    plain, _, _ = regression_problem()
    pop = np.random.default_rng(3).normal(size=(3, problem.n_params))
    (W1, _), (W2, _) = problem.layout.unpack(pop)
    l2 = (W1**2).sum(axis=(1, 2)) + (W2**2).sum(axis=(1, 2))
    np.testing.assert_allclose(problem.evaluate(pop) - plain.evaluate(pop),
                               0.5 * 3.0 * l2 / len(X), rtol=1e-6)


def test_rows_subset_equals_problem_on_those_rows():
    problem, X, y = regression_problem(n=ROW_CHUNK + 500)
    rows = np.random.default_rng(4).choice(len(X), size=ROW_CHUNK + 100, replace=False)
    subset = SupervisedProblem(problem.layout, X[rows], y[rows])
    pop = np.random.default_rng(5).normal(size=(4, problem.n_params))
    np.testing.assert_allclose(problem.evaluate(pop, rows=rows), subset.evaluate(pop), rtol=1e-6)


def test_overflowing_network_gets_infinite_loss_not_nan():
    layout = MLPLayout(1, (), 2, output_activation="softmax")
    problem = SupervisedProblem(layout, [[1e30], [-1e30]], [0, 1], loss="log_loss")
    losses = problem.evaluate(np.array([[1e10, -1e10, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]))
    assert not np.isnan(losses).any()
    assert losses[1] == pytest.approx(np.log(2), rel=1e-6)


@pytest.mark.parametrize("n_jobs", [0, 1.5, "2", True])
def test_evaluator_rejects_bad_n_jobs(n_jobs):
    problem, _, _ = regression_problem()
    with pytest.raises(ValueError, match="n_jobs"):
        Evaluator(problem, n_jobs=n_jobs)


def test_problem_rejects_bad_targets_and_weights():
    layout = MLPLayout(2, (), 3, output_activation="softmax")
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"lie in \[0, 3\)"):
        SupervisedProblem(layout, X, [0, 1, 3], loss="log_loss")
    with pytest.raises(ValueError, match="integer class labels"):
        SupervisedProblem(layout, X, ["a", "b", "c"], loss="log_loss")
    with pytest.raises(ValueError, match="sample_weight must be finite and non-negative"):
        SupervisedProblem(layout, X, [0, 1, 2], loss="log_loss", sample_weight=[1, -1, 1])
    with pytest.raises(ValueError, match="alpha"):
        SupervisedProblem(layout, X, [0, 1, 2], loss="log_loss", alpha=-1.0)
    with pytest.raises(ValueError, match="0/1 targets"):
        SupervisedProblem(MLPLayout(2, (), 1, output_activation="logistic"), X, [0, 2, 1],
                          loss="log_loss")


def test_an_empty_population_scores_to_no_losses():
    # an empty list said "population has 0 values per network but the layout needs 9"
    from evonet.evaluation import Evaluator, SupervisedProblem
    from evonet.nn import MLPLayout

    evaluator = Evaluator(SupervisedProblem(MLPLayout(2, (2,), 1), np.zeros((4, 2)),
                                            np.zeros(4)))
    for empty in ([], np.zeros((0, 9))):
        assert evaluator.evaluate(empty).shape == (0,)
    assert evaluator.n_evaluations == 0
