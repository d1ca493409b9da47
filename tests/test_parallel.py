"""Parallel and distributed evaluation: identical results, faults, nesting, Dask."""

import contextlib
import os
import threading
import time
import warnings

import numpy as np
import pytest
from joblib import Parallel, cpu_count, delayed, parallel_config
from sklearn.exceptions import ConvergenceWarning

import evonet.estimators._base
import evonet.problems
from evonet import Evaluator, MLPLayout, NeuroEvolutionClassifier, SupervisedProblem
from evonet.callbacks import Callback
from evonet.evaluation import _score_chunk
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.runs import fit_context
from evonet.strategies import get_strategy

CLUSTER = dict(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
               host="127.0.0.1")


@pytest.fixture(scope="module")
def dask_client():
    """One 2-process Dask cluster on loopback for every Dask test of this module."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(**CLUSTER) as cluster, distributed.Client(cluster) as client:
        yield client


@contextlib.contextmanager
def on_dask(client):
    """Run under joblib's Dask backend; yields the tasks the cluster's workers ran."""
    from distributed import get_task_stream

    tasks = []
    with get_task_stream(client) as stream, parallel_config(backend="dask"):
        yield tasks
    tasks += [t for t in stream.data if "_score_chunk" in str(t["key"])]


@pytest.fixture
def always_parallel(monkeypatch):
    """Every generation of several chunks goes to the workers (no in-process choice)."""
    monkeypatch.setattr(Evaluator, "_choose_mode", lambda self: "parallel")


def fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


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
WEIGHT_STRATEGIES = [   # populations of 2 chunks each (the problem's chunk is 32)
    ("ga", dict(population_size=64)),
    ("cmaes", dict(population_size=40)),
    ("es", dict(population_size=64)),
]


@pytest.mark.parametrize("name, settings", WEIGHT_STRATEGIES)
def test_weight_strategies_identical_for_any_n_jobs_and_backend(name, settings):
    reference, curve = run_strategy(name, 1, None, settings=settings)
    for n_jobs, backend in MODES[1:]:
        best, other_curve = run_strategy(name, n_jobs, backend, settings=settings)
        np.testing.assert_array_equal(best, reference)
        assert other_curve == curve


@pytest.mark.parametrize("name, settings", WEIGHT_STRATEGIES)
def test_weight_strategies_identical_on_a_dask_cluster(name, settings, dask_client):
    reference, curve = run_strategy(name, 1, None, settings=settings)
    with on_dask(dask_client) as tasks:
        best, other_curve = run_strategy(name, 2, None, settings=settings)
    np.testing.assert_array_equal(best, reference)
    assert other_curve == curve
    # 4 generations of 2 chunks each, every one scored by the cluster's workers
    assert len(tasks) >= 4 and {t["worker"] for t in tasks} <= set(
        dask_client.scheduler_info()["workers"])


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
    for n_jobs, backend in ((2, "loky"), (-1, "loky"), (2, "threading")):
        assert run(n_jobs, backend) == reference


def neat_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 4))   # graph chunks of 43 genomes: 2 chunks of 48
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def neat_fit(X, y, n_jobs=None):
    clf = NeuroEvolutionClassifier(strategy="neat", population_size=48, max_generations=4,
                                   random_state=0, n_jobs=n_jobs)
    clf = fit_quietly(clf, X, y)
    return clf.genome_.to_dict(), clf.loss_curve_, clf.predict_proba(X[:50])


def assert_same_fit(a, b):
    assert a[0] == b[0] and a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])


def test_neat_estimator_identical_on_dask_and_with_all_cores(dask_client, always_parallel):
    X, y = neat_data()
    reference = neat_fit(X, y)
    with on_dask(dask_client) as tasks:
        assert_same_fit(neat_fit(X, y, n_jobs=2), reference)
    assert len(tasks) >= 4  # every generation's two chunks ran on the cluster
    assert_same_fit(neat_fit(X, y, n_jobs=-1), reference)


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
    for n_jobs, backend in ((2, "loky"), (-1, "loky"), (2, "threading")):
        other_curve, other_best = run(n_jobs, backend)
        assert other_curve == curve
        np.testing.assert_array_equal(other_best, best)


def policy_search(n_jobs=None):
    from evonet.control import evolve_policy

    # a population of 80 is two chunks of the pole-balancing problem (64 at most)
    policy = evolve_policy("1-markov", population_size=80, max_generations=3, n_jobs=n_jobs,
                           random_state=0)
    return (policy.weights_, policy.best_fitness_,
            [(r["min"], r["mean"]) for r in policy.logbook_])


def test_control_policy_search_identical_on_dask_and_with_all_cores(dask_client,
                                                                   always_parallel):
    weights, fitness, log = policy_search()
    with on_dask(dask_client) as tasks:
        other = policy_search(n_jobs=2)
    np.testing.assert_array_equal(other[0], weights)
    assert other[1:] == (fitness, log)
    assert len(tasks) >= 3  # the 3 generations' chunks ran on the cluster
    other = policy_search(n_jobs=-1)
    np.testing.assert_array_equal(other[0], weights)
    assert other[1:] == (fitness, log)


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
        return evaluator.effective_n_jobs


def test_nested_evaluation_stays_within_the_outer_workers_share():
    # an estimator with n_jobs=2 inside GridSearchCV(n_jobs=2): no cores x cores threads
    inner = Parallel(n_jobs=2, backend="loky")(delayed(_inner_jobs)() for _ in range(2))
    assert all(jobs <= max(1, cpu_count() // 2) for jobs in inner)
    with parallel_config(backend="threading"):
        inner = Parallel(n_jobs=2)(delayed(_inner_jobs)() for _ in range(2))
    assert inner == [1, 1]
    assert _inner_jobs() == min(2, cpu_count())  # not nested: as asked


class RecordsInnerJobs(NeuroEvolutionClassifier):
    """Remembers, as ``inner_n_jobs_``, how many jobs its fit's evaluator used."""

    def fit(self, X, y):
        estimator = self

        class Record(Callback):
            def on_generation(self, run):
                estimator.inner_n_jobs_ = run.evaluator.effective_n_jobs

        with fit_context(callbacks=[Record()]):
            return super().fit(X, y)


def _inner_n_jobs(estimator, X, y):
    return estimator.inner_n_jobs_


def test_grid_search_over_an_all_cores_estimator_does_not_oversubscribe(monkeypatch):
    from sklearn.model_selection import GridSearchCV

    from evonet.evaluation import THREAD_LIMIT_VARS

    # set high by the user or the cluster: loky workers inherit them from this process
    for name in THREAD_LIMIT_VARS:
        monkeypatch.setenv(name, "8")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    estimator = RecordsInnerJobs((2,), population_size=8, max_generations=2, n_jobs=-1,
                                 random_state=0)
    grid = fit_quietly(GridSearchCV(estimator, {"alpha": [1.0, 2.0]}, cv=2, n_jobs=2,
                                    scoring=_inner_n_jobs, refit=False), X, y)
    # each of the 2 outer workers of this 2-core machine scores with one job (at most
    # cores // 2 of any machine), not with n_jobs=-1's all cores
    assert grid.cv_results_["split0_test_score"].tolist() == [max(1, cpu_count() // 2)] * 2
    assert grid.cv_results_["split1_test_score"].tolist() == [max(1, cpu_count() // 2)] * 2
    assert fit_quietly(estimator, X, y).inner_n_jobs_ == cpu_count()  # not nested: all


def test_nested_limit_is_said_at_verbose(capsys, monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # a share of one core, on any machine
    problem, _ = problem_and_init(n=50)
    with parallel_config(backend="threading"):
        jobs = Parallel(n_jobs=2)(delayed(_open_verbose)(problem) for _ in range(2))
    assert jobs == [1, 1]
    assert "inside a joblib worker: scoring with 1 job instead of 2" in capsys.readouterr().err


def _open_verbose(problem):
    with Evaluator(problem, n_jobs=2, verbose=1, backend="threading") as evaluator:
        return evaluator.effective_n_jobs


class RaisingProblem:
    """Fails on the individual whose first weight is 7."""

    chunk_size = 4
    n_samples = 1

    def evaluate(self, population, rows=None):
        population = np.asarray(population)
        if np.any(population[:, 0] == 7):
            raise FloatingPointError("fitness blew up")
        return population[:, 0].copy()


def first_time(marker):
    """Whether this is the first call with this marker file, in any process."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return False
    return True


class DyingProblem:
    """Kills the worker process that scores it (once, if a marker file is given)."""

    chunk_size = 4
    n_samples = 1

    def __init__(self, parent, marker=None):
        self.parent = parent
        self.marker = marker

    def evaluate(self, population, rows=None):
        if os.getpid() != self.parent:
            if self.marker is None or first_time(self.marker):
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


class LoggedDyingProblem:
    """Logs the first individual of each chunk it scores; the worker scoring individual
    ``victim`` dies (once, after the other chunks had time to finish)."""

    chunk_size = 4
    n_samples = 1

    def __init__(self, log, marker, victim=12):
        self.log = log
        self.marker = marker
        self.victim = victim

    def evaluate(self, population, rows=None):
        population = np.asarray(population)
        with open(self.log, "a") as f:
            f.write(f"{int(population[0, 0])}\n")
        if np.any(population[:, 0] == self.victim) and first_time(self.marker):
            time.sleep(0.5)
            os._exit(1)
        return population[:, 0].copy()


def test_retry_failed_reruns_only_the_lost_chunks_on_fresh_workers(tmp_path):
    log = tmp_path / "log"
    problem = LoggedDyingProblem(str(log), str(tmp_path / "died"))
    population = np.arange(16.0)[:, None] * [1.0, 0.0]   # 4 chunks of 4 individuals
    evaluator = Evaluator(problem, n_jobs=2, backend="loky", adaptive=False, retry_failed=True)
    with evaluator:
        np.testing.assert_array_equal(evaluator.evaluate(population, generation=1),
                                      population[:, 0])
    scored = [int(line) for line in log.read_text().split()]
    assert (tmp_path / "died").exists()
    # the chunk of the worker that died is scored again, not the whole generation
    assert 1 <= evaluator.n_retried_chunks < 4
    assert sorted(set(scored)) == [0, 4, 8, 12] and scored.count(12) == 2
    assert len(scored) == 4 + evaluator.n_retried_chunks


class _Killer:
    """A task's problem that ends the worker process scoring it."""

    chunk_size = 4
    n_samples = 1

    def evaluate(self, population, rows=None):
        time.sleep(0.3)   # the other chunks finish first
        os._exit(1)


class KillsAWorker(Evaluator):
    """Scores every multi-chunk generation in its workers, and kills the worker scoring
    the last chunk of generation ``AT`` (``None``: of the first call), once."""

    AT = 7

    def __init__(self, problem, **kwargs):
        super().__init__(problem, **dict(kwargs, adaptive=False))
        self.killed = False

    def _collect(self, population, chunks, rows, generation, losses):
        if self.killed or generation != self.AT:
            return super()._collect(population, chunks, rows, generation, losses)
        self.killed = True
        problems = [self._shipped] * (len(chunks) - 1) + [_Killer()]
        tasks = [delayed(_score_chunk)(p, population[c], rows, c.start, generation)
                 for p, c in zip(problems, chunks)]
        for start, part in self._parallel(tasks):
            losses[start] = part


@pytest.fixture
def small_chunks(monkeypatch):
    """Supervised problems cut populations into chunks of 4 networks (for tiny data)."""
    monkeypatch.setattr(evonet.problems, "CHUNK_WORK", 1)


def ga_fit(X, y, **kwargs):
    clf = NeuroEvolutionClassifier((6,), strategy="ga", population_size=24, max_generations=10,
                                   random_state=0, **kwargs)
    return fit_quietly(clf, X, y)


def assert_same_model(a, b):
    for x, z in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(x, z)
    assert a.loss_curve_ == b.loss_curve_ and a.n_iter_ == b.n_iter_


def test_estimator_retry_failed_survives_a_dead_worker(monkeypatch, small_chunks):
    from sklearn.base import clone

    problem, _ = problem_and_init(n=200)
    X, y = problem.X_aug[:, :-1].astype(float), np.asarray(problem.targets)
    reference = ga_fit(X, y)
    assert clone(NeuroEvolutionClassifier(retry_failed=True)).retry_failed is True
    monkeypatch.setattr(evonet.estimators._base, "Evaluator", KillsAWorker)
    with pytest.raises(RuntimeError, match="died while scoring generation 7"):
        ga_fit(X, y, n_jobs=2)
    assert_same_model(ga_fit(X, y, n_jobs=2, retry_failed=True), reference)


def test_retry_failed_parameter_is_checked_kept_and_saved(tmp_path):
    from sklearn.base import clone

    from evonet.io import load

    X, y = np.random.default_rng(0).normal(size=(30, 2)), np.arange(30) % 2
    with pytest.raises(ValueError, match="retry_failed must be True or False"):
        NeuroEvolutionClassifier(retry_failed="yes").fit(X, y)
    clf = NeuroEvolutionClassifier((2,), max_generations=2, retry_failed=True, random_state=0)
    assert clone(clf).get_params()["retry_failed"] is True
    fit_quietly(clf, X, y).save(tmp_path / "m.evonet")
    assert load(tmp_path / "m.evonet").retry_failed is True


def test_toolbox_retry_failed_survives_a_dead_worker(monkeypatch, small_chunks):
    import random

    from deap import algorithms

    import evonet.toolbox
    from evonet import make_toolbox

    problem, _ = problem_and_init(n=200)
    X, y = problem.X_aug[:, :-1].astype(float), np.asarray(problem.targets)

    def run(**kwargs):
        toolbox = make_toolbox(MLPLayout(20, (4,), 3, output_activation="softmax"), X, y,
                               loss="log_loss", random_state=0, **kwargs)
        random.seed(0)
        population = toolbox.population(n=16)
        algorithms.eaSimple(population, toolbox, cxpb=0.5, mutpb=0.3, ngen=2, verbose=False)
        return [ind.fitness.values for ind in population], toolbox

    reference, _ = run()
    monkeypatch.setattr(KillsAWorker, "AT", None)
    monkeypatch.setattr(evonet.toolbox, "Evaluator", KillsAWorker)
    fitnesses, toolbox = run(n_jobs=2, retry_failed=True)
    assert fitnesses == reference
    assert toolbox.evaluate.evaluator.killed and toolbox.evaluate.evaluator.n_retried_chunks
    toolbox.evaluate.evaluator.close()


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


class CheapProblem:
    """Trivially cheap fitness in chunks of 4 that logs the process scoring each chunk."""

    chunk_size = 4
    n_samples = 1

    def __init__(self, log):
        self.log = log

    def evaluate(self, population, rows=None):
        with open(self.log, "a") as f:
            f.write(f"{os.getpid()}\n")
        return np.asarray(population).sum(axis=1)


def test_cheap_generations_of_several_chunks_stay_in_process(tmp_path, capsys):
    log = tmp_path / "pids"
    population = np.random.default_rng(0).normal(size=(16, 3))   # 4 chunks
    serial = Evaluator(CheapProblem(str(log))).evaluate(population)
    log.unlink()
    with Evaluator(CheapProblem(str(log)), n_jobs=2, backend="loky", verbose=1) as evaluator:
        for _ in range(4):   # the timed generations: in-process, workers, in-process, workers
            np.testing.assert_array_equal(evaluator.evaluate(population), serial)
        probing = log.read_text().split()
        log.unlink()
        for _ in range(4):
            np.testing.assert_array_equal(evaluator.evaluate(population), serial)
        after = log.read_text().split()
    assert set(probing) - {str(os.getpid())}   # the parallel path was taken and timed
    assert evaluator.mode == "serial" and set(after) == {str(os.getpid())}
    assert "evonet: scoring generations in-process" in capsys.readouterr().err


def test_estimator_on_a_dask_cluster_matches_serial(dask_client):
    problem, _ = problem_and_init(n=3000)
    X = problem.X_aug[:, :-1].astype(float)
    y = np.asarray(problem.targets)

    def fit(**kwargs):
        return fit_quietly(NeuroEvolutionClassifier((16,), max_generations=6, batch_size=None,
                                                    random_state=0, **kwargs), X, y)

    serial = fit()
    with on_dask(dask_client) as tasks:
        on_cluster = fit(n_jobs=2)
    assert_same_model(on_cluster, serial)
    assert len(tasks) > 0   # at least the generations timed on the workers


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


def test_estimator_keeps_the_best_network_when_a_generation_fails():
    from evonet.callbacks import Callback

    class WorkerDied(Callback):
        def on_generation(self, run):
            if run.generation == 6:
                raise RuntimeError("a worker process died while scoring generation 7")

    problem, _ = problem_and_init(n=300)
    X, y = problem.X_aug[:, :-1].astype(float), np.asarray(problem.targets)
    clf = NeuroEvolutionClassifier((6,), random_state=0)
    with pytest.raises(RuntimeError, match="generation 7"), \
            fit_context(callbacks=[WorkerDied()]):
        clf.fit(X, y)
    assert clf.n_iter_ == 6 and len(clf.loss_curve_) >= 1
    assert clf.predict(X).shape == (300,)


class FitnessFailsAt(Evaluator):
    """Raises while scoring generation ``AT``, once (a fitness that failed, or a worker)."""

    AT = 7
    failed = False

    def evaluate(self, population, rows=None, generation=None):
        if generation == self.AT and not FitnessFailsAt.failed:
            FitnessFailsAt.failed = True
            raise FloatingPointError(f"fitness blew up in generation {generation}")
        return super().evaluate(population, rows, generation)


class FailsAfter(Callback):
    """Raises once generation ``generation`` is over (a failure outside the scoring)."""

    def __init__(self, generation):
        self.generation = generation

    def on_generation(self, run):
        if run.generation == self.generation:
            raise RuntimeError(f"a callback failed after generation {self.generation}")


@pytest.mark.parametrize("failure", ["fitness", "dead worker", "callback"])
def test_failed_generation_leaves_a_checkpoint_that_resumes_identically(
        failure, tmp_path, monkeypatch, small_chunks):
    from evonet.io.checkpoint import read_checkpoint_metadata

    problem, _ = problem_and_init(n=200)
    X, y = problem.X_aug[:, :-1].astype(float), np.asarray(problem.targets)
    uninterrupted = ga_fit(X, y)
    path = tmp_path / "k.ckpt"
    saved = 6   # the state before generation 7
    if failure == "fitness":
        monkeypatch.setattr(FitnessFailsAt, "failed", False)
        monkeypatch.setattr(evonet.estimators._base, "Evaluator", FitnessFailsAt)
        expected, n_jobs, context = FloatingPointError, None, contextlib.nullcontext()
    elif failure == "dead worker":
        monkeypatch.setattr(evonet.estimators._base, "Evaluator", KillsAWorker)
        expected, n_jobs, context = RuntimeError, 2, contextlib.nullcontext()
    else:   # generation 7 is complete: its state is saved
        context = fit_context(callbacks=[FailsAfter(7)])
        saved, expected, n_jobs = 7, RuntimeError, None
    failed = NeuroEvolutionClassifier((6,), strategy="ga", population_size=24,
                                      max_generations=10, random_state=0, n_jobs=n_jobs,
                                      checkpoint=path)   # default interval: 60 s
    with pytest.raises(expected, match="generation 7") as info, context:
        fit_quietly(failed, X, y)
    assert "saved in" in " ".join(getattr(info.value, "__notes__", [])) + str(info.value)
    # the best network so far is in the estimator and in the checkpoint
    assert read_checkpoint_metadata(path)["generation"] == saved and failed.n_iter_ == saved
    monkeypatch.undo()
    monkeypatch.setattr(evonet.problems, "CHUNK_WORK", 1)
    resumed = ga_fit(X, y, checkpoint=path)
    assert_same_model(resumed, uninterrupted)
    assert not path.exists()


def test_a_backend_without_generator_results_scores_whole_generations():
    """A custom backend (a subclass of joblib's multiprocessing one, as some
    cluster backends are) that cannot return results as they come still works."""
    import joblib
    from joblib._parallel_backends import MultiprocessingBackend

    from evonet.evaluation import population_chunks

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
