"""The regressor's target scaling follows a stream (running statistics), and the
run is re-expressed exactly when it changes."""

import copy

import numpy as np
import pytest

from evonet import NeuroEvolutionRegressor
from evonet.estimators._rescale import TargetStats, _affine, reexpress_run
from evonet.nn import forward


def stream(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = 10 + 5 * (X[:, 0] - np.sin(2 * X[:, 1]))
    order = np.argsort(y)  # sorted: the first batch is unrepresentative
    return X[order], y[order]


def test_running_statistics_equal_those_of_all_rows():
    rng = np.random.default_rng(1)
    Y, w = rng.normal(3, 2, size=(90, 2)), rng.uniform(0.5, 2, size=90)
    stats = TargetStats.of(Y[:10], w[:10])
    for part in np.array_split(np.arange(10, 90), 4):
        stats.update(Y[part], w[part])
    mean = np.average(Y, axis=0, weights=w)
    np.testing.assert_allclose(stats.mean, mean, rtol=1e-12)
    np.testing.assert_allclose(stats.scale, np.sqrt(np.average((Y - mean) ** 2, axis=0,
                                                               weights=w)), rtol=1e-12)


@pytest.mark.parametrize("strategy", ["es", "cmaes", "ga", "ipop-cmaes"])
def test_reexpressing_a_run_keeps_every_network_s_predictions(strategy):
    X, y = stream()
    reg = NeuroEvolutionRegressor((3,), strategy=strategy, population_size=8, random_state=0)
    for part in np.array_split(np.arange(200), 4)[:2]:
        reg.partial_fit(X[part], y[part])
    run, layout = reg._run, reg._architecture.layout
    old_mean, old_scale = reg._y_mean, reg._y_scale
    new_mean, new_scale = old_mean + 3.0, old_scale * 2.5
    before = copy.deepcopy(run)
    reexpress_run(run, layout, old_mean, old_scale, new_mean, new_scale)

    def units(params, mean, scale):
        return forward(layout, np.asarray(params, dtype=np.float64), X,
                       dtype=np.float64) * scale + mean

    np.testing.assert_allclose(units(run.incumbent, new_mean, new_scale),
                               units(before.incumbent, old_mean, old_scale), atol=1e-9)
    # the strategy's own incumbent (ES mean, CMA centroid, GA's best) is re-expressed too
    np.testing.assert_allclose(
        units(run.strategy.incumbent(run.state)[0], new_mean, new_scale),
        units(before.strategy.incumbent(before.state)[0], old_mean, old_scale), atol=1e-9)
    if "cma" in strategy:
        # CMA-ES's whole search distribution follows: the covariance of its samples
        # (sigma B D (B D)^T) is the old one under the output layer's scaling
        a, _ = _affine(layout, old_scale / new_scale, (old_mean - new_mean) / new_scale)
        new, old = run.state.cma, before.state.cma
        np.testing.assert_allclose(new.BD @ new.BD.T,
                                   a[:, None] * (old.BD @ old.BD.T) * a[None, :], atol=1e-12)
        assert new.sigma == old.sigma


def test_partial_fit_scaling_follows_the_stream():
    X, y = stream()
    reg = NeuroEvolutionRegressor((3,), population_size=10, random_state=0)
    parts = np.array_split(np.arange(200), 5)
    reg.partial_fit(X[parts[0]], y[parts[0]])
    first = reg.get_target_state()["scale"].copy()
    for part in parts[1:]:
        reg.partial_fit(X[part], y[part])
    state = reg.get_target_state()
    np.testing.assert_allclose(state["mean"], [y.mean()], rtol=1e-12)
    np.testing.assert_allclose(state["scale"], [y.std()], rtol=1e-12)
    assert state["scale"][0] > 3 * first[0]
    # the fitted network predicts in the targets' units (its coefs_ fold the scaling in)
    np.testing.assert_allclose(reg.to_sklearn().predict(X), reg.predict(X), rtol=1e-10)


def test_warm_start_fit_updates_the_scaling():
    X, y = stream()
    reg = NeuroEvolutionRegressor((3,), max_generations=5, warm_start=True, random_state=0)
    reg.fit(X[:50], y[:50])
    reg.fit(X[50:], y[50:])
    np.testing.assert_allclose(reg.get_target_state()["mean"], [y.mean()], rtol=1e-12)
