"""Step sizes and starting weights scaled to wide networks, and a fit that never improved warns."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from evonet import NeuroEvolutionClassifier
from evonet.genome.weights import INITIAL_PENALTY, init_population, init_scale, step_scale
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


def l2_term(clf, n_rows):
    return 0.5 * clf.alpha * sum(float((w ** 2).sum()) for w in clf.coefs_) / n_rows


def test_init_scale_leaves_the_benchmark_shapes_alone_and_shrinks_wide_ones():
    # (inputs, outputs, training rows of a 5-fold split): iris, wine, breast_cancer, digits
    for n_in, n_out, rows in ((4, 3, 120), (13, 3, 142), (30, 1, 455), (64, 10, 1437)):
        assert init_scale(MLPLayout(n_in, (100,), n_out), 1.0, rows) == 1.0
    layout = MLPLayout(1000, (100,), 1)
    factor = init_scale(layout, 1.0, 50)
    assert 0 < factor < 1
    assert init_scale(layout, 1.0, 200) > factor  # more rows: a smaller term to start with
    assert init_scale(layout, 0.0, 50) == init_scale(layout, 1.0, 10**9) == 1.0
    # the expected term of the scaled draw is INITIAL_PENALTY
    population = init_population(layout, 20, np.random.default_rng(0), scale=factor)
    weights = np.concatenate([population[:, s:e] for s, e, _ in layout.offsets], axis=1)
    term = 0.5 * (weights ** 2).sum(axis=1).mean() / 50
    assert term == pytest.approx(INITIAL_PENALTY, rel=0.02)
    # scale 1 draws exactly the unscaled values
    assert np.array_equal(init_population(layout, 2, np.random.default_rng(1), scale=1.0),
                          init_population(layout, 2, np.random.default_rng(1)))


def test_wide_default_fit_starts_from_a_small_l2_term():
    # 20 rows of 300 features: Glorot's weights would start with an L2 term of about 3.8
    X, y = wide()
    with pytest.warns(ConvergenceWarning):
        clf = NeuroEvolutionClassifier(max_generations=1, random_state=0).fit(X, y)
    assert l2_term(clf, len(X)) < 1.5 * INITIAL_PENALTY
    # with sample weights the term divides by their sum, and so does the scale
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y, sample_weight=np.full(len(X), 4.0))
    assert l2_term(clf, 4 * len(X)) < 1.5 * INITIAL_PENALTY
    # alpha=0: no term, Glorot's bounds as they are
    with pytest.warns(ConvergenceWarning):
        clf.set_params(alpha=0.0).fit(X, y)
    assert 10 * INITIAL_PENALTY < l2_term(clf.set_params(alpha=1.0), len(X))


def test_wide_default_fit_converges_with_every_training_row_right():
    # from Glorot's weights this fit started at a loss of 4.6 (mostly the L2 term) and ran
    # 1,536 generations shrinking weights (49 s); scaled, it starts near log(2)
    X, y = wide(seed=1)
    clf = NeuroEvolutionClassifier(random_state=0).fit(X, y)
    assert clf.stop_reason_ == "converged" and clf.n_iter_ < 500
    assert clf.loss_curve_[0] < 1.0 and clf.best_loss_ < clf.loss_curve_[0]
    assert clf.score(X, y) == 1.0


@pytest.mark.parametrize("call, match", [
    (lambda: init_scale(MLPLayout(3, (4,), 1), -1.0, 10), "alpha must be a finite number >= 0"),
    (lambda: init_scale(MLPLayout(3, (4,), 1), float("nan"), 10), "alpha must be a finite"),
    (lambda: init_scale(MLPLayout(3, (4,), 1), 1.0, 0), "total_weight must be a finite number > 0"),
    (lambda: init_population(MLPLayout(3, (4,), 1), 2, np.random.default_rng(0), scale=0.0),
     "scale must be a finite number > 0, got 0.0"),
])
def test_bad_scales_are_refused_by_name(call, match):
    with pytest.raises(ValueError, match=match):
        call()
