"""Checkpoints of a fit: resuming gives the bit-identical model; mismatches are refused."""

import os
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.callbacks import Callback
from evonet.io import read_checkpoint, read_checkpoint_metadata
from evonet.runs import fit_context


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


class Crash(BaseException):
    """A crash, as of a killed process: not an ``Exception``, so ``fit`` cannot save the
    run when it happens (a failing generation does; see test_parallel_failures.py), and
    the resumed run starts from the last periodic checkpoint."""


class CrashAt(Callback):
    """Raise in the middle of the run, as a crash would (the fit never ends normally)."""

    def __init__(self, generation):
        self.generation = generation

    def on_generation(self, run):
        if run.generation == self.generation:
            raise Crash


def crash_fit(est, X, y, generation):
    with pytest.raises(Crash), fit_context(callbacks=[CrashAt(generation)]):
        est.fit(X, y)


def assert_same_model(a, b):
    """Everything a fit produces, bit for bit (the logbook's timings aside)."""
    X = np.random.default_rng(0).normal(size=(20, a.n_features_in_))
    if hasattr(a, "predict_proba"):
        assert np.array_equal(a.predict_proba(X), b.predict_proba(X))
    assert np.array_equal(a.predict(X), b.predict(X))
    if a.strategy_ == "neat":
        assert np.array_equal(a.genome_.nodes, b.genome_.nodes)
        assert np.array_equal(a.genome_.connections, b.genome_.connections)
    else:
        for W, V in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
            assert np.array_equal(W, V)
    assert a.loss_curve_ == b.loss_curve_
    assert (a.n_iter_, a.n_evaluations_, a.best_loss_) == (b.n_iter_, b.n_evaluations_,
                                                           b.best_loss_)
    assert a.validation_scores_ == b.validation_scores_
    assert a.stop_reason_ == b.stop_reason_
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in a.logbook_]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in b.logbook_]


CASES = {
    "ga": dict(strategy="ga", population_size=20, max_generations=30),
    "cmaes": dict(strategy="cmaes", max_generations=40),
    "es": dict(strategy="es", population_size=20, max_generations=30, batch_size=32),
    "neat": dict(strategy="neat", population_size=30, max_generations=25),
    "cmaes-early-stopping": dict(strategy="cmaes", max_generations=200, early_stopping=True,
                                 n_iter_no_change=8, tol=1e-3),
    "ga-converges": dict(strategy="ga", population_size=10, max_generations=300,
                         n_iter_no_change=6, tol=1e-2),
    "neat-converges": dict(strategy="neat", population_size=20, max_generations=300,
                           n_iter_no_change=5, tol=1e-2),
}


@pytest.mark.parametrize("case", list(CASES))
def test_resumed_fit_equals_uninterrupted_fit(tmp_path, iris, case):
    X, y = iris
    params = dict(hidden_layer_sizes=(3,), random_state=0, checkpoint_interval=0,
                  **CASES[case])
    reference = NeuroEvolutionClassifier(**params).fit(X, y)
    path = tmp_path / "run.ckpt"
    assert reference.n_iter_ >= 10
    # runs that converge crash just before they stop, where the stopping counters matter
    converging = reference.stop_reason_ in ("converged", "validation")
    crash_at = reference.n_iter_ - 2 if converging else reference.n_iter_ // 2
    crash_fit(NeuroEvolutionClassifier(checkpoint=path, **params), X, y, crash_at)
    assert read_checkpoint_metadata(path)["generation"] == crash_at - 1
    resumed = NeuroEvolutionClassifier(checkpoint=path, **params).fit(X, y)
    assert_same_model(resumed, reference)
    assert not path.exists()   # removed when the fit ends


def test_resume_twice_with_minibatches_regressor(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=300)
    params = dict(hidden_layer_sizes=(4,), strategy="es", population_size=16,
                  max_generations=40, batch_size=50, random_state=3, checkpoint_interval=0)
    reference = NeuroEvolutionRegressor(**params).fit(X, y)
    path = str(tmp_path / "reg.ckpt")
    crash_fit(NeuroEvolutionRegressor(checkpoint=path, **params), X, y, 9)
    crash_fit(NeuroEvolutionRegressor(checkpoint=path, **params), X, y, 23)
    assert read_checkpoint(path).generation == 22
    assert_same_model(NeuroEvolutionRegressor(checkpoint=path, **params).fit(X, y), reference)


def test_resume_a_warm_start_continuation(tmp_path, iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(3,), strategy="cmaes", max_generations=10,
                  random_state=0, warm_start=True, checkpoint_interval=0)
    reference = NeuroEvolutionClassifier(**params).fit(X, y).fit(X, y)
    path = tmp_path / "warm.ckpt"
    est = NeuroEvolutionClassifier(checkpoint=path, **params).fit(X, y)
    crash_fit(est, X, y, 15)
    assert_same_model(NeuroEvolutionClassifier(checkpoint=path, **params).fit(X, y), reference)


def test_a_longer_budget_continues_the_same_run(tmp_path, iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(3,), strategy="ga", population_size=10, random_state=0,
                  checkpoint_interval=0, n_iter_no_change=1000)
    reference = NeuroEvolutionClassifier(max_generations=30, **params).fit(X, y)
    path = tmp_path / "run.ckpt"
    crash_fit(NeuroEvolutionClassifier(checkpoint=path, max_generations=20, **params), X, y, 12)
    resumed = NeuroEvolutionClassifier(checkpoint=path, max_generations=30, verbose=2, n_jobs=2,
                                       **params).fit(X, y)
    assert_same_model(resumed, reference)


@pytest.mark.parametrize("change, message", [
    (dict(alpha=0.5), "parameter alpha is 1.0 in the checkpoint but 0.5 now"),
    (dict(strategy="cmaes"), "parameter strategy is 'ga'"),
    (dict(X="other"), "X holds different values"),
    (dict(X="fewer"), r"X has shape \(150, 4\) in the checkpoint but \(149, 4\)"),
])
def test_a_mismatching_checkpoint_says_what_differs(tmp_path, iris, change, message):
    X, y = iris
    params = dict(hidden_layer_sizes=(3,), strategy="ga", population_size=10,
                  max_generations=20, random_state=0, checkpoint_interval=0)
    path = tmp_path / "run.ckpt"
    crash_fit(NeuroEvolutionClassifier(checkpoint=path, **params), X, y, 5)
    before = path.read_bytes()
    data = {"other": X + 1.0, "fewer": X[1:]}.get(change.pop("X", None), X)
    target = y[1:] if len(data) < len(X) else y
    with pytest.raises(ValueError, match=message):
        NeuroEvolutionClassifier(checkpoint=path, **{**params, **change}).fit(data, target)
    assert path.read_bytes() == before   # a refused checkpoint is left as it was


def test_a_regressor_refuses_a_classifier_checkpoint(tmp_path, iris):
    X, y = iris
    path = tmp_path / "run.ckpt"
    params = dict(hidden_layer_sizes=(3,), strategy="ga", population_size=10,
                  max_generations=20, random_state=0, checkpoint_interval=0)
    crash_fit(NeuroEvolutionClassifier(checkpoint=path, **params), X, y, 5)
    with pytest.raises(ValueError, match="written by NeuroEvolutionClassifier"):
        NeuroEvolutionRegressor(checkpoint=path, **params).fit(X, y.astype(float))


def test_interval_controls_writes_and_file_goes_when_fit_ends(tmp_path, iris):
    X, y = iris
    path = tmp_path / "run.ckpt"
    params = dict(hidden_layer_sizes=(3,), strategy="ga", population_size=10,
                  max_generations=15, random_state=0)
    crash_fit(NeuroEvolutionClassifier(checkpoint=path, checkpoint_interval=3600, **params),
              X, y, 10)
    assert not path.exists()   # the first write is an interval after the start
    NeuroEvolutionClassifier(checkpoint=path, checkpoint_interval=0, **params).fit(X, y)
    assert not path.exists() and os.listdir(tmp_path) == []


def test_files_that_are_not_checkpoints_are_never_overwritten(tmp_path, iris):
    X, y = iris
    path = tmp_path / "notes.txt"
    path.write_text("my notes")
    with pytest.raises(ValueError, match="not a valid evonet checkpoint"):
        NeuroEvolutionClassifier(checkpoint=path, max_generations=2).fit(X, y)
    assert path.read_text() == "my notes"
    with pytest.raises(ValueError, match="does not exist"):
        NeuroEvolutionClassifier(checkpoint=tmp_path / "no" / "x.ckpt").fit(X, y)
    with pytest.raises(ValueError, match="is a folder"):
        NeuroEvolutionClassifier(checkpoint=tmp_path).fit(X, y)


@pytest.mark.parametrize("params, match", [
    (dict(checkpoint=3), "checkpoint must be a file path"),
    (dict(checkpoint_interval=-1), "checkpoint_interval must be"),
    (dict(checkpoint_interval="often"), "checkpoint_interval must be"),
])
def test_invalid_checkpoint_parameters(iris, params, match):
    with pytest.raises(ValueError, match=match):
        NeuroEvolutionClassifier(**params).fit(*iris)


def test_partial_fit_ignores_the_checkpoint(tmp_path, iris):
    X, y = iris
    path = tmp_path / "run.ckpt"
    NeuroEvolutionClassifier((3,), checkpoint=path, checkpoint_interval=0).partial_fit(
        X, y, classes=[0, 1, 2])
    assert not path.exists()


def test_a_failing_write_warns_and_the_run_goes_on(tmp_path, iris, monkeypatch):
    from evonet.callbacks import Checkpoint

    def full_disk(self, run):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Checkpoint, "write", full_disk)
    X, y = iris
    params = dict(hidden_layer_sizes=(3,), strategy="ga", population_size=10,
                  max_generations=5, random_state=0)
    with pytest.warns(UserWarning, match="could not be written.*No space left"):
        est = NeuroEvolutionClassifier(checkpoint=tmp_path / "x.ckpt", checkpoint_interval=0,
                                       **params).fit(X, y)
    assert_same_model(est, NeuroEvolutionClassifier(**params).fit(X, y))
