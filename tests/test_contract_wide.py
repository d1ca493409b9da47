"""Step sizes scaled to wide networks, and a fit that never improved warns."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from evonet import NeuroEvolutionClassifier
from evonet.genome.weights import step_scale
from evonet.nn import MLPLayout


def wide(n_rows=20, n_features=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features))
    return X, (X[:, 0] > 0).astype(int)


def test_step_scale_shrinks_with_fan_in_and_weights():
    assert step_scale(MLPLayout(4, (100,), 3)) == step_scale(MLPLayout(64, (100,), 10)) == 1.0
    narrow, wider = step_scale(MLPLayout(200, (10,), 1)), step_scale(MLPLayout(800, (10,), 1))
    assert wider == pytest.approx(narrow / 2)  # fan-in x4: sqrt
    big = step_scale(MLPLayout(100, (400,), 1))  # fan-in 400 and 40,801 weights
    assert big == pytest.approx(0.5 * np.sqrt(10_000 / 40_801))


def test_wide_default_search_takes_scaled_steps():
    X, y = wide()
    clf = NeuroEvolutionClassifier(max_generations=1, random_state=0)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    factor = step_scale(clf._architecture.layout)
    assert clf.strategy_ == "es" and factor < 1
    assert clf._run.strategy.sigma == pytest.approx(0.05 * factor)
    assert clf._run.strategy.learning_rate == pytest.approx(0.01 * factor)
    # a setting given in strategy_params wins over the scaled default
    clf.set_params(strategy_params={"sigma": 0.2}).fit(X, y)
    assert clf._run.strategy.sigma == 0.2


def test_wide_default_fit_learns_the_training_rows():
    X, y = wide()
    clf = NeuroEvolutionClassifier(hidden_layer_sizes=(20,), random_state=0,
                                   max_generations=150)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.score(X, y) == 1.0 and clf.best_loss_ < clf.loss_curve_[0]


def test_a_fit_that_never_improved_warns_so():
    X, y = wide(n_features=3)
    # a step too small to move any weight: the ES's network stays the one it started from
    clf = NeuroEvolutionClassifier((3,), strategy="es", n_iter_no_change=3,
                                   population_size=10, max_generations=50,
                                   strategy_params={"learning_rate": 1e-300},
                                   random_state=0)
    with pytest.warns(ConvergenceWarning, match="never improved on its start"):
        clf.fit(X, y)
    assert clf.best_loss_ == clf.loss_curve_[0] and clf.stop_reason_ == "converged"
    # a fit that did improve does not say so
    clf.set_params(strategy_params=None, max_generations=20)
    with pytest.warns(ConvergenceWarning, match="budget") as record:
        clf.fit(X, y)
    assert not any("never improved" in str(w.message) for w in record)
