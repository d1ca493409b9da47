"""Failures while scoring: a fitness that raises, dead workers, retries, checkpoints."""

import contextlib
import os
import tempfile
import time

import numpy as np
import pytest
from parallel_helpers import (
    RaisingProblem,
    assert_same_model,
    first_time,
    fit_quietly,
    problem_and_init,
)

import evonet.estimators._base
import evonet.problems.supervised
from evonet import Evaluator, MLPLayout, NeuroEvolutionClassifier
from evonet.callbacks import Callback
from evonet.runs import fit_context


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
    # each chunk ran once, plus once more if it was lost (a lost chunk may not have started
    # before its worker died, on a busy machine: then it is logged only once)
    assert 5 <= len(scored) <= 4 + evaluator.n_retried_chunks


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
    monkeypatch.setattr(evonet.problems.supervised, "CHUNK_WORK", 1)


def ga_fit(X, y, **kwargs):
    clf = NeuroEvolutionClassifier((6,), strategy="ga", population_size=24, max_generations=10,
                                   random_state=0, **kwargs)
    return fit_quietly(clf, X, y)


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
    from evonet.toolboxes.weights import BatchFitness

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
    monkeypatch.setattr(evonet.problems.supervised, "CHUNK_WORK", 1)
    resumed = ga_fit(X, y, checkpoint=path)
    assert_same_model(resumed, uninterrupted)
    assert not path.exists()
