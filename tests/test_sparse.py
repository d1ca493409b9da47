"""Sparse input (scipy.sparse): never densified, the dense matrix's results to 1e-6."""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from neat_helpers import random_genomes
from parallel_helpers import LoggedSupervisedProblem, logged, scored_by_other_processes
from sklearn.preprocessing import OneHotEncoder

from evonet import Evaluator, MLPLayout
from evonet.evaluation import SupervisedProblem, population_chunks
from evonet.evaluation.shipping import load_problem, write_problem
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.io.fingerprint import array_fingerprint
from evonet.nn import forward
from evonet.nn.sparse import check_sparse_input
from evonet.problems.graph import GraphProblem
from evonet.problems.supervised import CHUNK_WORK
from evonet.strategies import get_strategy

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def sparse_rows(n=120, d=30, density=0.2, seed=0):
    """A CSR matrix of ``n`` rows with several stored values per row."""
    return sp.random(n, d, density=density, format="csr", random_state=seed,
                     data_rvs=np.random.default_rng(seed).standard_normal)


def one_hot(n=150, categories=(12, 7), seed=0):
    rng = np.random.default_rng(seed)
    codes = np.column_stack([rng.integers(0, k, size=n) for k in categories])
    return OneHotEncoder(sparse_output=True).fit_transform(codes), codes


# -- the forward pass ----------------------------------------------------------

@pytest.mark.parametrize("hidden", [(), (6,), (6, 4)])
def test_forward_on_sparse_rows_matches_the_dense_matrix(hidden):
    X = sparse_rows(n=1100)  # more than two chunks of rows
    layout = MLPLayout(X.shape[1], hidden, 3, "tanh", "softmax")
    population = np.random.default_rng(1).normal(size=(5, layout.n_params))
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        out = forward(layout, population, X, dtype)
        assert out.dtype == dtype
        np.testing.assert_allclose(out, forward(layout, population, X.toarray(), dtype),
                                   rtol=0, atol=tol)
        # one network (the prediction path) gives the dense matrix's outputs exactly
        # here: its sums run over the same products in the same order
        single = forward(layout, population[2], X, dtype)
        np.testing.assert_array_equal(single, forward(layout, population[2], X.toarray(), dtype))
        # and a row the same alone as in the batch
        for i in (0, 517, 1099):
            np.testing.assert_array_equal(forward(layout, population[2], X[i:i + 1], dtype),
                                          single[i:i + 1])


def test_one_hot_rows_give_the_dense_matrix_results_exactly():
    # a one-hot row's first layer is w_j + b rounded once, however a BLAS orders the sums
    X, _ = one_hot(n=700, categories=(40,))
    layout = MLPLayout(X.shape[1], (5,), 2, "relu", "softmax")
    population = np.random.default_rng(2).normal(size=(6, layout.n_params))
    for dtype in (np.float32, np.float64):
        np.testing.assert_array_equal(forward(layout, population, X, dtype),
                                      forward(layout, population, X.toarray(), dtype))


def test_every_sparse_format_is_checked_and_left_unchanged():
    dense = np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 0.0]])
    for fmt in ("csr", "csc", "coo", "lil", "dok", "bsr"):
        X = check_sparse_input(sp.csr_matrix(dense).asformat(fmt), 3)
        assert X.format == "csr" and X.has_canonical_format
        np.testing.assert_array_equal(X.toarray(), dense)
    # unsorted columns and duplicates are put in order on a copy; the caller's matrix
    # keeps them
    X = sp.csr_matrix((np.array([1.0, 5.0, 2.0]), np.array([1, 0, 1]), np.array([0, 3])),
                      shape=(1, 3))
    checked = check_sparse_input(X, 3)
    assert checked.has_canonical_format
    np.testing.assert_array_equal(checked.indices, [0, 1])
    np.testing.assert_array_equal(checked.data, [5.0, 3.0])
    np.testing.assert_array_equal(X.indices, [1, 0, 1])
    assert check_sparse_input(sp.csr_matrix(np.eye(2, dtype=np.int64)), 2).dtype == np.float64
    assert check_sparse_input(sp.csr_matrix(np.eye(2, dtype=np.float32)), 2).dtype == np.float32


def test_bad_sparse_input_raises_value_error():
    layout = MLPLayout(3, (2,), 1)
    weights = np.zeros(layout.n_params)
    bad = sp.csr_matrix(np.array([[np.nan, 0.0, 1.0]]))
    with pytest.raises(ValueError, match="NaN or infinite"):
        forward(layout, weights, bad)
    with pytest.raises(ValueError, match="4 features but the network expects n_inputs=3"):
        forward(layout, weights, sp.csr_matrix(np.zeros((2, 4))))
    with pytest.raises(ValueError, match="real-valued"):
        forward(layout, weights, sp.csr_matrix(np.ones((2, 3), dtype=complex)))


# -- the problem ---------------------------------------------------------------

def test_problem_keeps_sparse_rows_and_scores_as_the_dense_matrix():
    X = sparse_rows(n=900, d=25)
    y = np.asarray(X.sum(axis=1)).ravel() > 0
    layout = MLPLayout(25, (4,), 1, "tanh", "logistic")
    population = np.random.default_rng(3).normal(size=(7, layout.n_params))
    minibatch = np.random.default_rng(4).permutation(900)[:300]
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 1e-6)):
        problem = SupervisedProblem(layout, X, y.astype(float), loss="log_loss", dtype=dtype)
        dense = SupervisedProblem(layout, X.toarray(), y.astype(float), loss="log_loss",
                                  dtype=dtype)
        assert sp.issparse(problem.X_aug) and problem.X_aug.dtype == dtype  # cast once
        assert problem.X_aug.nnz == X.nnz
        for rows in (None, minibatch):
            np.testing.assert_allclose(problem.evaluate(population, rows),
                                       dense.evaluate(population, rows), rtol=tol, atol=0)


def test_a_wide_sparse_problem_never_builds_the_dense_matrix():
    # dense float32, this X would take 8 GB; the fitness pass must stay far below
    n, d = 2000, 10**6
    rng = np.random.default_rng(5)
    X = sp.csr_matrix((np.ones(n), (np.arange(n), rng.integers(0, d, size=n))), shape=(n, d))
    layout = MLPLayout(d, (2,), 1, "tanh", "logistic")
    population = rng.normal(size=(4, layout.n_params)) * 0.01
    tracemalloc.start()
    try:
        problem = SupervisedProblem(layout, X, (rng.random(n) < 0.5).astype(float),
                                    loss="log_loss", dtype=np.float32)
        losses = problem.evaluate(population)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.isfinite(losses).all()
    # each network's weights are copied for the sparse product: a chunk copies about
    # CHUNK_WORK weights, not 256 networks' worth
    assert (problem.population_chunk() - 1) * layout.n_params < CHUNK_WORK
    # the prepared first-layer weights (d x 4 networks x 2 units, float32) dominate
    assert peak < 100 * 2**20, peak


def test_sparse_problem_is_scored_by_process_workers_in_several_chunks(tmp_path):
    X = sparse_rows(n=8000, d=40, density=0.25, seed=6)
    y = np.asarray(X[:, :10].sum(axis=1)).ravel() > 0
    layout = MLPLayout(40, (16,), 1, "tanh", "logistic")
    problem = LoggedSupervisedProblem(layout, X, y.astype(float), loss="log_loss")
    assert len(population_chunks(64, problem.population_chunk())) > 1

    def run(n_jobs):
        log = tmp_path / f"log-{n_jobs}"
        evaluator = Evaluator(logged(problem, log), n_jobs=n_jobs, backend="loky",
                              adaptive=False)
        run = Run(get_strategy("es", population_size=64), evaluator,
                  np.random.default_rng(7), initializer=lambda k, g: init_population(layout, k, g))
        evolve(run, 3)
        return np.asarray(run.best), run.loss_curve, scored_by_other_processes(log)

    best, curve, by_workers = run(1)
    best2, curve2, by_workers2 = run(2)
    assert not by_workers and by_workers2
    np.testing.assert_array_equal(best, best2)
    assert curve == curve2


def test_a_shipped_sparse_problem_is_read_back_memory_mapped(tmp_path):
    X = sparse_rows(n=8000, d=40, density=0.25, seed=8)
    layout = MLPLayout(40, (3,), 1)
    problem = SupervisedProblem(layout, X, np.asarray(X.sum(axis=1)).ravel())
    write_problem(problem, str(tmp_path))
    loaded = load_problem("sparse-test", str(tmp_path))
    assert sp.issparse(loaded.X_aug)
    assert isinstance(loaded.X_aug.data, np.memmap)  # the stored values, not a copy
    population = np.random.default_rng(9).normal(size=(5, layout.n_params))
    np.testing.assert_array_equal(loaded.evaluate(population), problem.evaluate(population))


def test_graph_problem_scores_sparse_rows_as_the_dense_matrix():
    X = sparse_rows(n=700, d=6, density=0.4, seed=10)
    y = (np.asarray(X.sum(axis=1)).ravel() > 0).astype(int)
    genomes, _ = random_genomes(8, 6, 2, seed=11)
    for dtype in (np.float32, np.float64):
        sparse = GraphProblem(6, 2, X, y, loss="log_loss", output_activation="softmax",
                              dtype=dtype)
        dense = GraphProblem(6, 2, X.toarray(), y, loss="log_loss",
                             output_activation="softmax", dtype=dtype)
        assert sp.issparse(sparse.X)
        np.testing.assert_array_equal(sparse.evaluate(genomes), dense.evaluate(genomes))
        np.testing.assert_array_equal(sparse.predict(genomes[0], X),
                                      dense.predict(genomes[0], X.toarray()))


def test_checkpoint_fingerprint_of_sparse_data_sees_every_value():
    X = sparse_rows()
    changed = X.copy()
    changed.data[-1] += 1.0
    assert array_fingerprint(X) == array_fingerprint(X.copy())
    assert array_fingerprint(X) != array_fingerprint(changed)
    assert array_fingerprint(X)["shape"] == [120, 30]
