"""Helpers of the parallel tests: problems that log who scored them, Dask task streams, data."""

import contextlib
import os
import threading
import warnings

import numpy as np
from joblib import effective_n_jobs, parallel_config
from sklearn.exceptions import ConvergenceWarning

from evonet import MLPLayout, SupervisedProblem
from evonet.control import PoleBalancingProblem
from evonet.genome import init_population
from evonet.problems.graph import GraphProblem


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


def scored_by_other_processes(log):
    """Whether a chunk logged in ``log`` was scored in another process (a process worker;
    evonet's own threads score in this process)."""
    return any(line.split()[0] != str(os.getpid()) for line in log.read_text().split("\n")
               if line)


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


def assert_same_model(a, b):
    for x, z in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(x, z)
    assert a.loss_curve_ == b.loss_curve_ and a.n_iter_ == b.n_iter_
