"""Parallel and distributed evaluation: identical results, faults, nesting, Dask."""

import os
import threading
import warnings

import numpy as np
import pytest
from joblib import Parallel, cpu_count, delayed, parallel_config
from sklearn.exceptions import ConvergenceWarning

from evonet import Evaluator, MLPLayout, NeuroEvolutionClassifier, SupervisedProblem
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.strategies import get_strategy


def problem_and_init(n=8000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 20))
    y = (X[:, :3].sum(axis=1) > 0).astype(int) + (X[:, 3] > 1)
    layout = MLPLayout(20, (8,), 3, output_activation="softmax")
    problem = SupervisedProblem(layout, X, y, loss="log_loss")
    return problem, (lambda k, g: init_population(layout, k, g))


def run_strategy(name, n_jobs, backend, generations=4, settings=None):
    problem, init = problem_and_init()
    evaluator = Evaluator(problem, n_jobs=n_jobs, backend=backend, adaptive=False)
    strategy = get_strategy(name, **(settings or {}))
    run = Run(strategy, evaluator, np.random.default_rng(5), initializer=init)
    evolve(run, generations)
    return np.asarray(run.best), run.loss_curve


MODES = [(1, None), (2, "loky"), (-1, "loky"), (2, "threading"), (2, "multiprocessing")]


@pytest.mark.parametrize("name, settings", [
    ("ga", dict(population_size=64)),
    ("cmaes", dict(population_size=40)),
    ("es", dict(population_size=64)),
])
def test_weight_strategies_identical_for_any_n_jobs_and_backend(name, settings):
    reference, curve = run_strategy(name, 1, None, settings=settings)
    for n_jobs, backend in MODES[1:]:
        best, other_curve = run_strategy(name, n_jobs, backend, settings=settings)
        np.testing.assert_array_equal(best, reference)
        assert other_curve == curve


def test_problems_are_chunked_so_workers_get_work():
    problem, _ = problem_and_init()
    assert problem.population_chunk() < 40  # several chunks for the populations below
    big, _ = problem_and_init(n=3000)
    X = big.X_aug[:, :-1]
    from evonet.problems import SupervisedProblem as Problem

    wide = Problem(MLPLayout(20, (16,), 3, output_activation="softmax"), X, big.targets,
                   loss="log_loss")
    assert wide.population_chunk() < 50  # the estimator tests' populations of 100


def test_neat_identical_for_any_n_jobs_and_backend():
    from evonet.genome.innovation import MinimalInitializer
    from evonet.nn.graph_problem import GraphProblem

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)

    def run(n_jobs, backend):
        problem = GraphProblem(4, 1, X, y, loss="log_loss", output_activation="logistic",
                               chunk_size=16)
        evaluator = Evaluator(problem, n_jobs=n_jobs, backend=backend, adaptive=False)
        r = Run(get_strategy("neat", population_size=48), evaluator, np.random.default_rng(1),
                initializer=MinimalInitializer(4, 1))
        evolve(r, 4)
        return r.loss_curve, r.best.to_dict()

    reference = run(1, None)
    for n_jobs, backend in ((2, "loky"), (2, "threading")):
        assert run(n_jobs, backend) == reference


def test_control_task_identical_for_any_n_jobs():
    from evonet.control import MLPPolicy, PoleBalancing, PoleBalancingProblem

    def run(n_jobs, backend):
        problem = PoleBalancingProblem(PoleBalancing(n_poles=1), MLPPolicy(4, (), 1),
                                       max_steps=300, chunk_size=8)
        evaluator = Evaluator(problem, n_jobs=n_jobs, backend=backend, adaptive=False)
        r = Run(get_strategy("cmaes", population_size=24), evaluator,
                np.random.default_rng(2), initializer=lambda k, g: g.normal(size=(k, 5)))
        evolve(r, 3)
        return r.loss_curve, np.asarray(r.best)

    curve, best = run(1, None)
    for n_jobs, backend in ((2, "loky"), (2, "threading")):
        other_curve, other_best = run(n_jobs, backend)
        assert other_curve == curve
        np.testing.assert_array_equal(other_best, best)


def test_estimator_same_model_for_n_jobs_1_2_and_all():
    problem, _ = problem_and_init(n=3000)
    X = problem.X_aug[:, :-1].astype(float)
    y = np.asarray(problem.targets)
    fits = []
    for n_jobs in (1, 2, -1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf = NeuroEvolutionClassifier((16,), max_generations=8, n_jobs=n_jobs,
                                           batch_size=None, random_state=0).fit(X, y)
        fits.append(clf)
    for other in fits[1:]:
        for a, b in zip(fits[0].coefs_, other.coefs_):
            np.testing.assert_array_equal(a, b)


def _inner_jobs():
    problem, _ = problem_and_init(n=50)
    with Evaluator(problem, n_jobs=2) as evaluator:
        return evaluator._jobs


def test_nested_evaluation_stays_within_the_outer_workers_share():
    # an estimator with n_jobs=2 inside GridSearchCV(n_jobs=2): no cores x cores threads
    inner = Parallel(n_jobs=2, backend="loky")(delayed(_inner_jobs)() for _ in range(2))
    assert all(jobs <= max(1, cpu_count() // 2) for jobs in inner)
    with parallel_config(backend="threading"):
        inner = Parallel(n_jobs=2)(delayed(_inner_jobs)() for _ in range(2))
    assert inner == [1, 1]
    assert _inner_jobs() == min(2, cpu_count())  # not nested: as asked


class RaisingProblem:
    """Fails on the individual whose first weight is 7."""

    chunk_size = 4
    n_samples = 1

    def evaluate(self, population, rows=None):
        population = np.asarray(population)
        if np.any(population[:, 0] == 7):
            raise FloatingPointError("fitness blew up")
        return population[:, 0].copy()


class DyingProblem:
    """Kills the worker process that scores it (once, if a marker file is given)."""

    chunk_size = 4
    n_samples = 1

    def __init__(self, parent, marker=None):
        self.parent = parent
        self.marker = marker

    def evaluate(self, population, rows=None):
        if os.getpid() != self.parent:
            if self.marker is None:
                os._exit(1)
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL)
            except FileExistsError:
                pass
            else:
                os.close(fd)
                os._exit(1)
        return np.asarray(population)[:, 0].copy()


@pytest.mark.parametrize("n_jobs, backend", [(1, None), (2, "loky"), (2, "threading")])
def test_fitness_exception_propagates_with_individual_index(n_jobs, backend):
    population = np.arange(24, dtype=float)[:, None] * np.ones((1, 2))
    evaluator = Evaluator(RaisingProblem(), n_jobs=n_jobs, backend=backend, adaptive=False)
    with pytest.raises(FloatingPointError, match="fitness blew up") as info:
        evaluator.evaluate(population, generation=3)
    text = str(info.value) + " ".join(getattr(info.value, "__notes__", []))
    assert "individual 7 of generation 3" in text
    evaluator.close()


def test_dead_worker_gives_runtime_error_naming_the_generation():
    evaluator = Evaluator(DyingProblem(os.getpid()), n_jobs=2, backend="loky", adaptive=False)
    with pytest.raises(RuntimeError, match="generation 12"):
        evaluator.evaluate(np.zeros((16, 2)), generation=12)
    evaluator.close()


def test_retry_failed_reruns_the_generation_on_fresh_workers(tmp_path):
    problem = DyingProblem(os.getpid(), marker=str(tmp_path / "died"))
    population = np.arange(32, dtype=float).reshape(16, 2)
    evaluator = Evaluator(problem, n_jobs=2, backend="loky", adaptive=False, retry_failed=True)
    losses = evaluator.evaluate(population, generation=1)
    np.testing.assert_array_equal(losses, population[:, 0])
    assert (tmp_path / "died").exists()
    evaluator.close()


class LockedProblem(RaisingProblem):
    def __init__(self):
        self.lock = threading.Lock()


def test_bad_parallel_settings_raise_value_error():
    problem, _ = problem_and_init(n=50)
    with pytest.raises(ValueError, match="n_jobs"):
        Evaluator(problem, n_jobs=0)
    with pytest.raises(ValueError, match="backend='spark'"):
        Evaluator(problem, n_jobs=2, backend="spark")
    with pytest.raises(ValueError, match="module level"):
        with Evaluator(LockedProblem(), n_jobs=2, backend="loky"):
            pass
    with Evaluator(LockedProblem(), n_jobs=2, backend="threading") as evaluator:
        np.testing.assert_array_equal(evaluator.evaluate(np.ones((8, 2))), np.ones(8))


def test_small_generations_stay_in_process_with_the_same_results():
    problem, init = problem_and_init(n=100)
    population = init(64, np.random.default_rng(0))
    serial = Evaluator(problem).evaluate(population)
    evaluator = Evaluator(problem, n_jobs=2, backend="loky")
    with evaluator:
        for _ in range(6):
            np.testing.assert_array_equal(evaluator.evaluate(population), serial)


def test_dask_cluster_runs_the_work_and_matches_serial():
    distributed = pytest.importorskip("distributed")
    problem, _ = problem_and_init(n=3000)
    X = problem.X_aug[:, :-1].astype(float)
    y = np.asarray(problem.targets)

    def fit(**kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return NeuroEvolutionClassifier((16,), max_generations=6, batch_size=None,
                                            random_state=0, **kwargs).fit(X, y)

    serial = fit()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as stream, parallel_config(backend="dask"):
            on_cluster = fit(n_jobs=2)
        workers = {task["worker"] for task in stream.data}
    for a, b in zip(serial.coefs_, on_cluster.coefs_):
        np.testing.assert_array_equal(a, b)
    assert len(stream.data) > 0 and len(workers) >= 1


def test_estimator_keeps_the_best_network_when_a_generation_fails():
    from evonet.callbacks import Callback

    class WorkerDied(Callback):
        def on_generation(self, run):
            if run.generation == 6:
                raise RuntimeError("a worker process died while scoring generation 7")

    class Failing(NeuroEvolutionClassifier):
        def _extra_callbacks(self):
            return [WorkerDied()]

    problem, _ = problem_and_init(n=300)
    X, y = problem.X_aug[:, :-1].astype(float), np.asarray(problem.targets)
    clf = Failing((6,), random_state=0)
    with pytest.raises(RuntimeError, match="generation 7"):
        clf.fit(X, y)
    assert clf.n_iter_ == 6 and len(clf.loss_curve_) >= 1
    assert clf.predict(X).shape == (300,)
