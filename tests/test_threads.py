"""Chunks scored on threads of this process: the settings, the same models, threads that ran."""

import re
import threading
import time
import warnings

import numpy as np
import pytest
from joblib import Parallel, delayed
from parallel_helpers import TIMED_BOTH_WAYS, RaisingProblem, assert_same_model
from sklearn.exceptions import ConvergenceWarning

import evonet
from evonet import Evaluator, MLPLayout, NeuroEvolutionClassifier, SupervisedProblem
from evonet.evaluation.parallel import ModeChooser
from evonet.evaluation.threads import available_cores, in_pool_thread, thread_count


class RecordsThreads(SupervisedProblem):
    """Records the thread that scored each chunk (and whether it was one of evonet's)."""

    def evaluate(self, population, rows=None):
        self.seen.append((threading.get_ident(), in_pool_thread()))
        return super().evaluate(population, rows)


def recording_problem(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    problem = RecordsThreads(MLPLayout(4, (5,), 1), X, y)
    problem.seen = []
    return problem


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True, np.float64(2.0)])
def test_bad_n_threads_is_a_value_error_naming_it(bad):
    with pytest.raises(ValueError, match=r"n_threads must be a positive integer or None .*"
                                         + re.escape(repr(bad))):
        evonet.set_config(n_threads=bad)
    with pytest.raises(ValueError, match="n_threads"), evonet.config_context(n_threads=bad):
        pass
    assert evonet.get_config() == {"n_threads": None}


def test_settings_per_thread_and_restored_after_a_context():
    assert evonet.get_config()["n_threads"] is None
    with evonet.config_context(n_threads=3):
        assert evonet.get_config()["n_threads"] == 3 and thread_count() == 3
        seen = []
        other = threading.Thread(target=lambda: seen.append(evonet.get_config()["n_threads"]))
        other.start()
        other.join()
        assert seen == [None]   # another thread keeps the defaults
    assert evonet.get_config()["n_threads"] is None
    evonet.set_config(n_threads=np.int64(2))
    try:
        assert evonet.get_config()["n_threads"] == 2 and thread_count() == 2
    finally:
        evonet.set_config(n_threads=None)
    assert thread_count() == available_cores() >= 1


def test_threads_score_the_chunks_and_give_the_serial_losses():
    problem = recording_problem()
    population = np.random.default_rng(1).normal(size=(24, problem.n_params))
    problem.population_chunk = lambda rows: 4   # 6 chunks
    with evonet.config_context(n_threads=1):
        serial = Evaluator(problem).evaluate(population)
    assert {where for _, where in problem.seen} == {False}
    assert {ident for ident, _ in problem.seen} == {threading.get_ident()}
    problem.seen.clear()
    with evonet.config_context(n_threads=3):
        threaded = Evaluator(problem).evaluate(population)
    np.testing.assert_array_equal(threaded, serial)
    assert len(problem.seen) == 6 and {where for _, where in problem.seen} == {True}
    assert threading.get_ident() not in {ident for ident, _ in problem.seen}
    np.testing.assert_array_equal(problem.evaluate(population), serial)


def test_a_fitness_that_raises_in_a_thread_names_the_individual():
    population = np.zeros((16, 2))
    population[9, 0] = 7
    with evonet.config_context(n_threads=2), \
            pytest.raises(FloatingPointError, match="fitness blew up") as info:
        Evaluator(RaisingProblem()).evaluate(population, generation=3)
    assert "individual 9 of generation 3" in str(info.value) + "".join(
        getattr(info.value, "__notes__", []))


def test_an_evaluation_inside_a_scoring_thread_runs_serially():
    counts = []

    class Nested(RaisingProblem):
        def evaluate(self, population, rows=None):
            counts.append(thread_count())
            return super().evaluate(population, rows)

    with evonet.config_context(n_threads=2):
        Evaluator(Nested()).evaluate(np.zeros((8, 2)))
    assert counts == [1, 1]


def test_inside_a_joblib_worker_the_threads_keep_to_its_share():
    share = max(1, available_cores() // 2)
    for backend in ("threading", "loky"):
        counts = Parallel(n_jobs=2, backend=backend)(delayed(thread_count)() for _ in range(2))
        assert all(1 <= c <= share for c in counts), (backend, counts)


def classifier_fit(monkeypatch=None, **kwargs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6))
    y = (X[:, 0] - X[:, 2] > 0).astype(int) + (X[:, 3] > 1)
    clf = NeuroEvolutionClassifier((6,), strategy="es", population_size=24, max_generations=7,
                                   batch_size=None, random_state=0, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(X, y)


def test_same_model_with_default_threads_one_thread_and_process_workers(monkeypatch, capsys):
    # a few multiply-adds per chunk: populations of 24 in 6 chunks of 4
    monkeypatch.setattr("evonet.problems.supervised.CHUNK_WORK", 1000)
    # the workers are tried from the second generation on, as if they could pay
    monkeypatch.setattr(ModeChooser, "worth_probing", lambda self: True)
    reference = classifier_fit()   # the default: the cores available
    with evonet.config_context(n_threads=1):
        assert_same_model(classifier_fit(), reference)
    with evonet.config_context(n_threads=2):
        assert_same_model(classifier_fit(), reference)
    assert_same_model(classifier_fit(n_jobs=1), reference)
    capsys.readouterr()
    assert_same_model(classifier_fit(n_jobs=2, verbose=1), reference)   # loky
    assert re.search(TIMED_BOTH_WAYS, capsys.readouterr().err)   # the workers scored two


def test_busy_time_counts_what_a_thread_ran():
    from evonet.evaluation.threads import busy_seconds

    busy, cpu = busy_seconds(), time.thread_time()
    sum(i * i for i in range(200_000))
    assert busy_seconds() - busy >= 0.5 * (time.thread_time() - cpu) > 0
