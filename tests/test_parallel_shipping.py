"""Shipping the problem to workers: once per fit, pickling checks, parallel settings."""

import os
import threading

import numpy as np
import pytest
from joblib import parallel_config
from parallel_helpers import RaisingProblem, fit_quietly, on_dask, problem_and_init

from evonet import Evaluator, NeuroEvolutionClassifier
from evonet.evaluation import population_chunks


class LockedProblem(RaisingProblem):
    def __init__(self):
        self.lock = threading.Lock()


def test_bad_parallel_settings_raise_value_error():
    problem, _ = problem_and_init(n=50)
    with pytest.raises(ValueError, match="n_jobs"):
        Evaluator(problem, n_jobs=0)
    with pytest.raises(ValueError, match="backend='spark'"):
        Evaluator(problem, n_jobs=2, backend="spark")
    with pytest.raises(ValueError, match="retry_failed must be True or False, got 'no'"):
        Evaluator(problem, retry_failed="no")
    with pytest.raises(ValueError, match="module level"):
        with Evaluator(LockedProblem(), n_jobs=2, backend="loky"):
            pass
    with Evaluator(LockedProblem(), n_jobs=2, backend="threading") as evaluator:
        np.testing.assert_array_equal(evaluator.evaluate(np.ones((8, 2))), np.ones(8))


@pytest.mark.parametrize("backend", ["loky", "multiprocessing"])
def test_unpicklable_problem_for_a_process_backend_says_what_to_change(backend):
    with pytest.raises(ValueError, match="define its fitness function and classes at module "
                                         "level"):
        with Evaluator(LockedProblem(), n_jobs=2, backend=backend):
            pass


def test_unpicklable_problem_on_dask_says_what_to_change(dask_client):
    with parallel_config(backend="dask"), pytest.raises(
            ValueError, match="cannot be pickled for the Dask backend.*define its fitness "
                              "function and classes at module level"):
        with Evaluator(LockedProblem(), n_jobs=2):
            pass


def test_retry_failed_parameter_is_checked_kept_and_saved(tmp_path):
    from sklearn.base import clone

    from evonet.saving import load

    X, y = np.random.default_rng(0).normal(size=(30, 2)), np.arange(30) % 2
    with pytest.raises(ValueError, match="retry_failed must be True or False"):
        NeuroEvolutionClassifier(retry_failed="yes").fit(X, y)
    clf = NeuroEvolutionClassifier((2,), max_generations=2, retry_failed=True, random_state=0)
    assert clone(clf).get_params()["retry_failed"] is True
    fit_quietly(clf, X, y).save(tmp_path / "m.evonet")
    assert load(tmp_path / "m.evonet").retry_failed is True


class CountsLoads:
    """Appends its process id to a file each time it is unpickled (a copy arrives)."""

    chunk_size = 4
    n_samples = 1

    def __init__(self, log):
        self.log = log
        self.data = np.arange(20_000, dtype=np.float64)   # large enough to be mapped

    def __setstate__(self, state):
        self.__dict__.update(state)
        with open(self.log, "a") as f:
            f.write(f"{os.getpid()}\n")

    def evaluate(self, population, rows=None):
        # the loss says whether the worker's data is memory-mapped
        mapped = float(isinstance(self.data, np.memmap))
        return np.asarray(population)[:, 0] * 0 + mapped


def _loads(log):
    pids = log.read_text().split() if log.exists() else []
    return {pid: pids.count(pid) for pid in pids}


@pytest.mark.parametrize("backend", ["loky", "multiprocessing"])
def test_data_goes_to_each_worker_process_once_per_fit(backend, tmp_path):
    log = tmp_path / "loads"
    population = np.zeros((16, 2))   # 4 chunks, 6 generations: 24 tasks
    with Evaluator(CountsLoads(str(log)), n_jobs=2, backend=backend, adaptive=False) as ev:
        for generation in range(6):
            losses = ev.evaluate(population, generation=generation + 1)
            np.testing.assert_array_equal(losses, np.ones(16))   # memory-mapped there
    loads = _loads(log)
    assert 1 <= len(loads) <= 2 and set(loads.values()) == {1}
    assert str(os.getpid()) not in loads


def test_data_goes_to_each_dask_worker_once_per_fit(tmp_path, dask_client):
    log = tmp_path / "loads"
    with on_dask(dask_client) as tasks:
        with Evaluator(CountsLoads(str(log)), n_jobs=2, adaptive=False) as evaluator:
            for generation in range(6):
                evaluator.evaluate(np.zeros((16, 2)), generation=generation + 1)
    loads = _loads(log)
    assert len(tasks) >= 6 and 1 <= len(loads) <= 2 and set(loads.values()) == {1}


def test_a_backend_without_generator_results_scores_whole_generations():
    """A custom backend (a subclass of joblib's multiprocessing one, as some
    cluster backends are) that cannot return results as they come still works."""
    import joblib
    from joblib._parallel_backends import MultiprocessingBackend

    class ListOnlyPool(MultiprocessingBackend):
        pass

    joblib.register_parallel_backend("evonet-test-list-only", ListOnlyPool)
    problem, _ = problem_and_init(n=2000)
    population = np.random.default_rng(0).normal(size=(200, problem.n_params))
    with Evaluator(problem, n_jobs=2, backend="evonet-test-list-only",
                   adaptive=False) as evaluator:
        losses = evaluator.evaluate(population)
    assert len(population_chunks(200, problem.population_chunk(None))) > 1   # workers ran
    np.testing.assert_array_equal(losses, Evaluator(problem).evaluate(population))
