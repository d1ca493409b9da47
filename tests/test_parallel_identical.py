"""Identical results for any n_jobs and backend, with several chunks scored by workers."""

import re

import numpy as np
import pytest
from parallel_helpers import (
    TIMED_BOTH_WAYS,
    LoggedGraphProblem,
    LoggedPoleProblem,
    LoggedSupervisedProblem,
    assert_same_model,
    fit_quietly,
    logged,
    on_dask,
    problem_and_init,
    scored_by_workers,
    workers_expected,
)

from evonet import Evaluator, MLPLayout, NeuroEvolutionClassifier, SupervisedProblem
from evonet.callbacks import Callback
from evonet.evaluation import population_chunks
from evonet.evaluation.parallel import ModeChooser
from evonet.evolve import Run, evolve
from evonet.strategies import get_strategy


@pytest.fixture(autouse=True)
def workers_tried_at_once(monkeypatch):
    """The adaptive evaluators here try their workers from the second multi-chunk
    generation on, as if they could pay, so that workers score some generations."""
    monkeypatch.setattr(ModeChooser, "worth_probing", lambda self: True)


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
    from evonet.genome.initializers import MinimalInitializer

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
