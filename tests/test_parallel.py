"""Parallel and distributed evaluation: identical results, faults, nesting, Dask."""

import contextlib
import os
import re
import tempfile
import threading
import time
import warnings

import numpy as np
import pytest
from joblib import Parallel, cpu_count, delayed, effective_n_jobs, parallel_config
from sklearn.exceptions import ConvergenceWarning

import evonet.estimators._base
import evonet.problems
from evonet import Evaluator, MLPLayout, NeuroEvolutionClassifier, SupervisedProblem
from evonet.callbacks import Callback
from evonet.control import PoleBalancingProblem
from evonet.evaluation import population_chunks
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.nn.graph_problem import GraphProblem
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


class LogsScorers:
    """Mixin for a problem: each chunk it scores appends "pid thread" of its scorer to the
    file named by ``log`` (if set), so a test sees whether workers scored it."""

    log = None

    def evaluate(self, population, rows=None):
        if self.log is not None:
            with open(self.log, "a") as f:
                f.write(f"{os.getpid()} {threading.get_ident()}\n")
        return super().evaluate(population, rows)


class LoggedSupervisedProblem(LogsScorers, SupervisedProblem):
    pass


class LoggedGraphProblem(LogsScorers, GraphProblem):
    pass


class LoggedPoleProblem(LogsScorers, PoleBalancingProblem):
    pass


def scored_by_workers(log):
    """Whether a chunk logged in ``log`` was scored outside this thread of this process."""
    here = f"{os.getpid()} {threading.get_ident()}"
    return bool(set(log.read_text().split("\n")) - {here, ""})


def logged(problem, log):
    problem.log = str(log)
    if log.exists():
        log.unlink()
    return problem


# Estimators choose between in-process and parallel scoring from timings: the first four
# generations of several chunks alternate in-process, workers, in-process, workers, and
# at verbose=1 the fifth says what both took: the workers scored two generations.
TIMED_BOTH_WAYS = r"one took [\d.]+ ms in-process and [\d.]+ ms with \d+ workers"


def workers_expected(n_jobs):
    return effective_n_jobs(n_jobs) > 1


def fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def problem_and_init(n=8000, seed=0, problem_class=SupervisedProblem):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 20))
    y = (X[:, :3].sum(axis=1) > 0).astype(int) + (X[:, 3] > 1)
    layout = MLPLayout(20, (8,), 3, output_activation="softmax")
    problem = problem_class(layout, X, y, loss="log_loss")
    return problem, (lambda k, g: init_population(layout, k, g))


def run_strategy(name, n_jobs, backend, generations=4, settings=None, log=None):
    problem, init = problem_and_init(problem_class=LoggedSupervisedProblem)
    if log is not None:
        logged(problem, log)
    evaluator = Evaluator(problem, n_jobs=n_jobs, backend=backend, adaptive=False)
    strategy = get_strategy(name, **(settings or {}))
    run = Run(strategy, evaluator, np.random.default_rng(5), initializer=init)
    evolve(run, generations)
    return np.asarray(run.best), run.loss_curve


MODES = [(1, None), (2, "loky"), (-1, "loky"), (2, "threading"), (2, "multiprocessing")]
WEIGHT_STRATEGIES = [   # populations of 2 chunks each (the problem's chunk is 33)
    ("ga", dict(population_size=64)),
    ("cmaes", dict(population_size=40)),
    ("es", dict(population_size=64)),
]


@pytest.mark.parametrize("name, settings", WEIGHT_STRATEGIES)
def test_weight_strategies_identical_for_any_n_jobs_and_backend(name, settings, tmp_path):
    problem, _ = problem_and_init()
    assert len(population_chunks(settings["population_size"], problem.population_chunk())) == 2
    reference, curve = run_strategy(name, 1, None, settings=settings)
    for n_jobs, backend in MODES[1:]:
        log = tmp_path / f"{n_jobs}-{backend}"
        best, other_curve = run_strategy(name, n_jobs, backend, settings=settings, log=log)
        np.testing.assert_array_equal(best, reference)
        assert other_curve == curve
        assert scored_by_workers(log) == workers_expected(n_jobs), (n_jobs, backend)


def test_evaluator_identical_for_any_n_jobs_and_backend(tmp_path):
    problem, _ = problem_and_init(n=2000, problem_class=LoggedSupervisedProblem)
    population = np.random.default_rng(6).normal(size=(300, problem.n_params))
    assert len(population_chunks(300, problem.population_chunk())) == 3
    serial = Evaluator(problem).evaluate(population)
    log = tmp_path / "scorers"
    for n_jobs, backend in MODES[1:]:
        logged(problem, log)
        with Evaluator(problem, n_jobs=n_jobs, backend=backend, adaptive=False) as evaluator:
            np.testing.assert_array_equal(evaluator.evaluate(population), serial)
            assert evaluator.n_evaluations == 300
        assert scored_by_workers(log) == workers_expected(n_jobs), (n_jobs, backend)


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
    wide = SupervisedProblem(MLPLayout(20, (16,), 3, output_activation="softmax"), X,
                             big.targets, loss="log_loss")
    assert wide.population_chunk() < 50  # the estimator tests' populations of 100


def test_neat_identical_for_any_n_jobs_and_backend(tmp_path):
    from evonet.genome.innovation import MinimalInitializer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    log = tmp_path / "scorers"

    def run(n_jobs, backend):
        problem = logged(LoggedGraphProblem(4, 1, X, y, loss="log_loss",
                                            output_activation="logistic", chunk_size=16), log)
        evaluator = Evaluator(problem, n_jobs=n_jobs, backend=backend, adaptive=False)
        r = Run(get_strategy("neat", population_size=48), evaluator, np.random.default_rng(1),
                initializer=MinimalInitializer(4, 1))
        evolve(r, 4)
        return r.loss_curve, r.best.to_dict()

    reference = run(1, None)   # populations of 48: 3 chunks of 16
    for n_jobs, backend in ((2, "loky"), (-1, "loky"), (2, "threading")):
        assert run(n_jobs, backend) == reference
        assert scored_by_workers(log) == workers_expected(n_jobs), (n_jobs, backend)


def neat_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 4))   # graph chunks of 43 genomes: 2 chunks of 48
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


def neat_fit(X, y, n_jobs=None):
    # 5 generations of 2 chunks: the workers score two, then the evaluator chooses
    clf = NeuroEvolutionClassifier(strategy="neat", population_size=48, max_generations=5,
                                   random_state=0, n_jobs=n_jobs, verbose=int(n_jobs is not None))
    clf = fit_quietly(clf, X, y)
    return clf.genome_.to_dict(), clf.loss_curve_, clf.predict_proba(X[:50])


def assert_same_fit(a, b):
    assert a[0] == b[0] and a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])


def test_neat_estimator_identical_on_dask_and_with_all_cores(dask_client, capsys):
    X, y = neat_data()
    reference = neat_fit(X, y)
    with on_dask(dask_client) as tasks:
        assert_same_fit(neat_fit(X, y, n_jobs=2), reference)
    assert len(tasks) >= 4  # two generations' two chunks ran on the cluster
    capsys.readouterr()
    assert_same_fit(neat_fit(X, y, n_jobs=-1), reference)
    if workers_expected(-1):
        assert re.search(TIMED_BOTH_WAYS, capsys.readouterr().err)


def test_control_task_identical_for_any_n_jobs(tmp_path):
    from evonet.control import MLPPolicy, PoleBalancing

    log = tmp_path / "scorers"

    def run(n_jobs, backend):
        problem = logged(LoggedPoleProblem(PoleBalancing(n_poles=1), MLPPolicy(4, (), 1),
                                           max_steps=300, chunk_size=8), log)
        evaluator = Evaluator(problem, n_jobs=n_jobs, backend=backend, adaptive=False)
        r = Run(get_strategy("cmaes", population_size=24), evaluator,
                np.random.default_rng(2), initializer=lambda k, g: g.normal(size=(k, 5)))
        evolve(r, 3)
        return r.loss_curve, np.asarray(r.best)

    curve, best = run(1, None)   # populations of 24: 3 chunks of 8
    for n_jobs, backend in ((2, "loky"), (-1, "loky"), (2, "threading")):
        other_curve, other_best = run(n_jobs, backend)
        assert other_curve == curve
        np.testing.assert_array_equal(other_best, best)
        assert scored_by_workers(log) == workers_expected(n_jobs), (n_jobs, backend)


class RecordsMode(Callback):
    """Keeps the evaluator's choice of path after each generation."""

    def __init__(self):
        self.modes = []

    def on_generation(self, run):
        self.modes.append(run.evaluator.mode)


def policy_search(n_jobs=None):
    from evonet.control import evolve_policy

    # a population of 80 is two chunks of the pole-balancing problem (64 at most); the
    # evaluator's choice of path, made after 4 generations, shows that workers scored two
    modes = RecordsMode()
    policy = evolve_policy("2-markov", population_size=80, max_generations=5, n_jobs=n_jobs,
                           random_state=1, callbacks=[modes])   # unsolved: short episodes
    return (policy.weights_, policy.best_fitness_,
            [(r["min"], r["mean"]) for r in policy.logbook_]), modes.modes


def test_control_policy_search_identical_on_dask_and_with_all_cores(dask_client):
    (weights, fitness, log), _ = policy_search()
    with on_dask(dask_client) as tasks:
        other, modes = policy_search(n_jobs=2)
    np.testing.assert_array_equal(other[0], weights)
    assert other[1:] == (fitness, log)
    assert len(tasks) >= 4  # two generations' two chunks ran on the cluster
    assert modes[:4] == [None] * 4 and modes[4] in ("serial", "parallel")
    other, modes = policy_search(n_jobs=-1)
    np.testing.assert_array_equal(other[0], weights)
    assert other[1:] == (fitness, log)
    if workers_expected(-1):
        assert modes[4] in ("serial", "parallel")


def test_estimator_same_model_for_n_jobs_1_2_and_all(capsys):
    problem, _ = problem_and_init(n=3000)
    X = problem.X_aug[:, :-1].astype(float)
    y = np.asarray(problem.targets)
    fits = []
    for n_jobs in (1, 2, -1):
        # the ES's populations of 100 are 3 chunks; 8 generations: workers score two
        clf = fit_quietly(NeuroEvolutionClassifier((16,), max_generations=8, n_jobs=n_jobs,
                                                   batch_size=None, random_state=0,
                                                   verbose=int(n_jobs != 1)), X, y)
        assert clf.strategy_ == "es"
        timed = re.search(TIMED_BOTH_WAYS, capsys.readouterr().err)
        assert bool(timed) == workers_expected(n_jobs), n_jobs
        fits.append(clf)
    for other in fits[1:]:
        assert_same_model(other, fits[0])


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

    def _extra_callbacks(self):
        estimator = self

        class Record(Callback):
            def on_generation(self, run):
                estimator.inner_n_jobs_ = run.evaluator.effective_n_jobs

        return [Record()]


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


class DiesWhenArmed:
    """A problem (wrapping ``problem``) whose worker process dies while scoring, once the
    file ``armed`` exists in ``folder`` and only once (the file ``died`` then exists)."""

    def __init__(self, problem, folder):
        self.problem = problem
        self.folder = folder
        self.parent = os.getpid()

    def __getattr__(self, name):
        if name.startswith("__") or "problem" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.problem, name)

    def evaluate(self, population, rows=None):
        if os.getpid() != self.parent and os.path.exists(os.path.join(self.folder, "armed")) \
                and first_time(os.path.join(self.folder, "died")):
            time.sleep(0.3)   # the other chunks finish first
            os._exit(1)
        return self.problem.evaluate(population, rows)


class KillsAWorker(Evaluator):
    """Scores every generation of several chunks in its workers, and kills the worker
    scoring a chunk of generation ``AT``, once."""

    AT = 7

    def __init__(self, problem, **kwargs):
        self.folder = tempfile.mkdtemp(prefix="evonet-test-")
        super().__init__(DiesWhenArmed(problem, self.folder), **dict(kwargs, adaptive=False))

    def evaluate(self, population, rows=None, generation=None):
        if generation == self.AT:
            open(os.path.join(self.folder, "armed"), "w").close()
        return super().evaluate(population, rows, generation)


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


class FixedChunks:
    """A problem (wrapping ``problem``) scored in chunks of ``size`` networks; with a
    ``marker`` file name, the first worker process to score a chunk dies (once)."""

    def __init__(self, problem, size=4, marker=None):
        self.problem = problem
        self.size = size
        self.marker = marker
        self.parent = os.getpid()

    def population_chunk(self, rows=None):
        return self.size

    @property
    def n_samples(self):
        return self.problem.n_samples

    def evaluate(self, population, rows=None):
        if self.marker is not None and os.getpid() != self.parent and first_time(self.marker):
            time.sleep(0.3)   # the other chunks finish first
            os._exit(1)
        return self.problem.evaluate(population, rows)


def test_toolbox_retry_failed_survives_a_dead_worker(tmp_path):
    import random

    from deap import algorithms

    from evonet import make_toolbox
    from evonet.toolbox import BatchFitness

    problem, _ = problem_and_init(n=200)
    X, y = problem.X_aug[:, :-1].astype(float), np.asarray(problem.targets)

    def run(n_jobs, marker=None):
        toolbox = make_toolbox(MLPLayout(20, (4,), 3, output_activation="softmax"), X, y,
                               loss="log_loss", random_state=0, n_jobs=2, retry_failed=True)
        assert toolbox.evaluate.evaluator.retry_failed is True
        # DEAP's seam: an evaluator of the toolbox's problem in 4 chunks of 4 networks
        evaluator = Evaluator(FixedChunks(toolbox.evaluate.evaluator.problem, marker=marker),
                              n_jobs=n_jobs, backend="loky", retry_failed=True, adaptive=False)
        toolbox.register("evaluate", BatchFitness(evaluator))
        random.seed(0)
        population = toolbox.population(n=16)
        with evaluator:
            algorithms.eaSimple(population, toolbox, cxpb=0.5, mutpb=0.3, ngen=2,
                                verbose=False)
        return [ind.fitness.values for ind in population], evaluator

    reference, _ = run(1)
    fitnesses, evaluator = run(2, marker=str(tmp_path / "died"))
    assert fitnesses == reference
    assert (tmp_path / "died").exists() and evaluator.n_retried_chunks >= 1


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


class ScriptedCosts:
    """Chunks of 4 whose scoring advances a fake clock, by ``serial`` seconds a chunk
    in-process (this thread) and ``parallel`` seconds a chunk in a worker thread; it
    records, per call, where its chunks were scored."""

    chunk_size = 4
    n_samples = 1

    def __init__(self, serial, parallel):
        self.serial, self.parallel = serial, parallel
        self.now = 0.0
        self.where = set()
        self.lock = threading.Lock()
        self.here = threading.get_ident()

    def clock(self):
        return self.now

    def evaluate(self, population, rows=None):
        in_process = threading.get_ident() == self.here
        with self.lock:
            self.now += self.serial if in_process else self.parallel
            self.where.add("S" if in_process else "P")
        return np.asarray(population).sum(axis=1)


@pytest.fixture
def scripted(monkeypatch):
    """A :class:`ScriptedCosts` problem whose clock is the one the evaluator reads."""

    def make(serial, parallel):
        costs = ScriptedCosts(serial, parallel)
        monkeypatch.setattr(time, "perf_counter", costs.clock)
        return costs

    return make


def paths(evaluator, costs, calls, size=16):
    """Where each of ``calls`` evaluations of ``size`` individuals was scored: S or P."""
    population = np.ones((size, 3))
    seen = []
    for _ in range(calls):
        costs.where.clear()
        np.testing.assert_array_equal(evaluator.evaluate(population), np.full(size, 3.0))
        seen.append("".join(sorted(costs.where)))
    return "".join(seen)


@pytest.mark.parametrize("serial, parallel, chosen", [
    (0.010, 0.100, "serial"),     # workers 10 times slower
    (0.010, 0.001, "parallel"),   # workers 10 times faster
    (0.010, 0.0096, "serial"),    # 4% faster is not worth the workers
    (0.010, 0.0094, "parallel"),  # 6% faster is
])
def test_the_faster_path_is_kept_after_timing_both(scripted, capsys, serial, parallel, chosen):
    costs = scripted(serial, parallel)
    with Evaluator(costs, n_jobs=2, backend="threading", verbose=1) as evaluator:
        # four generations of 4 chunks alternate in-process and workers, then it chooses
        assert paths(evaluator, costs, 4) == "SPSP" and evaluator.mode is None
        assert paths(evaluator, costs, 4) == 4 * chosen[0].upper()
        assert evaluator.mode == chosen
    how = "in-process" if chosen == "serial" else "with 2 workers"
    assert capsys.readouterr().err == (
        f"evonet: scoring generations {how}: one took {4e3 * serial:.1f} ms in-process "
        f"and {4e3 * parallel:.1f} ms with 2 workers\n")


def test_the_workers_start_up_is_not_counted(scripted):
    costs = scripted(0.001, 1.0)
    with Evaluator(costs, n_jobs=2, backend="threading") as evaluator:
        assert paths(evaluator, costs, 2) == "SP"   # the workers' start-up: 4 s
        costs.parallel = 0.0009
        assert paths(evaluator, costs, 2) == "SP"   # 4 ms in-process, 3.6 ms with workers
        assert paths(evaluator, costs, 1) == "P" and evaluator.mode == "parallel"


def test_the_faster_in_process_time_counts(scripted):
    costs = scripted(0.001, 0.002)
    with Evaluator(costs, n_jobs=2, backend="threading") as evaluator:
        assert paths(evaluator, costs, 1) == "S"    # 4 ms
        costs.serial = 0.010
        assert paths(evaluator, costs, 3) == "PSP"  # 8 ms, 40 ms, 8 ms
        assert paths(evaluator, costs, 1) == "S" and evaluator.mode == "serial"


def test_both_paths_are_timed_again_every_reprobe_every_generations(scripted):
    costs = scripted(0.010, 0.100)
    evaluator = Evaluator(costs, n_jobs=2, backend="threading")
    evaluator.REPROBE_EVERY = 8
    with evaluator:
        assert paths(evaluator, costs, 8) == "SPSPSSSS" and evaluator.mode == "serial"
        costs.parallel = 0.001   # the workers became faster: seen at the next timing
        assert paths(evaluator, costs, 8) == "SPSPPPPP" and evaluator.mode == "parallel"


def test_one_chunk_generations_single_jobs_and_non_adaptive_evaluators(scripted):
    costs = scripted(0.010, 0.100)
    with Evaluator(costs, n_jobs=2, backend="threading") as evaluator:
        # a generation of one chunk is scored in-process and not timed
        assert paths(evaluator, costs, 3, size=4) == "SSS"
        assert paths(evaluator, costs, 2) == "SP" and evaluator.mode is None
    with Evaluator(costs, n_jobs=1, backend="threading") as evaluator:
        assert paths(evaluator, costs, 6) == "SSSSSS"
    with Evaluator(costs, n_jobs=2, backend="threading", adaptive=False) as evaluator:
        assert paths(evaluator, costs, 6) == "PPPPPP" and paths(evaluator, costs, 1, 4) == "S"


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
    assert len(tasks) >= 6   # two generations' three chunks ran on the cluster


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
        expected, n_jobs = FloatingPointError, None
    elif failure == "dead worker":
        monkeypatch.setattr(evonet.estimators._base, "Evaluator", KillsAWorker)
        expected, n_jobs = RuntimeError, 2
    else:   # generation 7 is complete: its state is saved
        monkeypatch.setattr(NeuroEvolutionClassifier, "_extra_callbacks",
                            lambda self: [FailsAfter(7)])
        saved, expected, n_jobs = 7, RuntimeError, None
    failed = NeuroEvolutionClassifier((6,), strategy="ga", population_size=24,
                                      max_generations=10, random_state=0, n_jobs=n_jobs,
                                      checkpoint=path)   # default interval: 60 s
    with pytest.raises(expected, match="generation 7") as info:
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
