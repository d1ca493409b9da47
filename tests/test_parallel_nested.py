"""Nested parallelism: an evaluation inside a joblib worker keeps to its share."""

import numpy as np
from joblib import Parallel, cpu_count, delayed, parallel_config
from parallel_helpers import fit_quietly, problem_and_init

from evonet import Evaluator, NeuroEvolutionClassifier
from evonet.callbacks import Callback
from evonet.runs import fit_context


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
