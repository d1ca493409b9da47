"""partial_fit and warm_start continue one run: k steps equal one fit of k."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_multilabel_classification

from evonet import NeuroEvolutionClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_partial_fit_runs_one_generation_and_continues(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((6,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:100], y[:100], classes=np.unique(y))
    assert clf.n_iter_ == 1
    for _ in range(4):
        clf.partial_fit(X, y)
    # as MLPClassifier: n_iter_ counts the latest call, loss_curve_ the whole run
    assert clf.n_iter_ == 1 and len(clf.loss_curve_) == 5
    assert clf.n_evaluations_ > 0
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X[:3], np.array([0, 1, 7]))


@pytest.mark.parametrize("strategy", ["ga", "cmaes", "es"])
def test_k_partial_fits_equal_fit_with_k_generations(iris, strategy):
    X, y = iris
    k = 5
    # 100 networks per generation: fit checks its incumbent every generation, as the
    # k one-generation partial_fit calls do, so both keep the same best network
    params = dict(hidden_layer_sizes=(6,), strategy=strategy, population_size=100,
                  random_state=0)
    incremental = NeuroEvolutionClassifier(**params)
    for _ in range(k):
        incremental.partial_fit(X, y, classes=np.unique(y))
    reference = NeuroEvolutionClassifier(**params, max_generations=k).fit(X, y)
    # n_iter_ counts the latest call's generations, as MLPClassifier's iterations
    assert (incremental.n_iter_, reference.n_iter_) == (1, k)
    for a, b in zip(incremental.coefs_ + incremental.intercepts_,
                    reference.coefs_ + reference.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert incremental.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(incremental.predict_proba(X), reference.predict_proba(X))


def test_warm_start_continues_population_and_counts(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((6,), max_generations=20, warm_start=True, random_state=0)
    clf.fit(X, y)
    first_loss, first_iter = clf.best_loss_, clf.n_iter_
    clf.fit(X, y)
    assert first_iter == clf.n_iter_ == 20  # the latest fit's, as MLPClassifier
    assert len(clf.logbook_) == 40
    assert clf.best_loss_ <= first_loss
    cold = NeuroEvolutionClassifier((6,), max_generations=20, random_state=0).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 20


@pytest.mark.parametrize("strategy", ["cmaes", "es"])
def test_warm_start_10_plus_10_generations_equal_20(iris, strategy):
    X, y = iris
    # 20 networks: a check every 5 generations, so generation 10 is one in both runs
    params = dict(hidden_layer_sizes=(6,), strategy=strategy, population_size=20,
                  random_state=0)
    warm = NeuroEvolutionClassifier(**params, max_generations=10, warm_start=True)
    warm.fit(X, y).fit(X, y)
    cold = NeuroEvolutionClassifier(**params, max_generations=20).fit(X, y)
    assert (warm.n_iter_, cold.n_iter_) == (10, 20)
    for a, b in zip(warm.coefs_ + warm.intercepts_, cold.coefs_ + cold.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert warm.loss_curve_ == cold.loss_curve_


def test_multilabel_partial_fit_takes_the_labels_from_y_like_mlpclassifier():
    from sklearn.neural_network import MLPClassifier

    X, Y = make_multilabel_classification(n_samples=80, n_features=5, n_classes=3,
                                          random_state=0)
    clf = NeuroEvolutionClassifier((4,), random_state=0, strategy="es")
    clf.partial_fit(X, Y, classes=[0, 1, 2])
    expected = MLPClassifier((4,), random_state=0).partial_fit(X, Y, classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, expected.classes_)
    np.testing.assert_array_equal(clf.classes_, np.arange(3))
    assert clf.n_outputs_ == 3 and clf.out_activation_ == "logistic"
    # the same first generation as fit on the indicator matrix
    reference = NeuroEvolutionClassifier((4,), random_state=0, strategy="es",
                                         max_generations=1).fit(X, Y)
    np.testing.assert_array_equal(clf.coefs_[0], reference.coefs_[0])
    clf.partial_fit(X[:40], Y[:40])
    assert clf.n_iter_ == 1 and clf.predict(X).shape == (80, 3)
    with pytest.raises(ValueError):
        clf.partial_fit(X, np.hstack([Y, Y[:, :1]]))  # a fourth label


def test_partial_fit_trains_by_pbt_one_epoch_a_call_and_takes_single_rows():
    X, y = make_classification(n_samples=450, n_features=5, random_state=0)
    clf = NeuroEvolutionClassifier((4,), random_state=0)
    clf.partial_fit(X, y, classes=[0, 1])
    # one epoch of the 405 rows left after holding out 45: ceil(405 / 200) Adam steps
    assert clf.strategy_ == "pbt" and clf._run.strategy.steps == 3
    assert not clf._run.learner.prequential
    clf.partial_fit(X[:50], y[:50])
    assert clf._run.strategy.steps == 1 and not clf._run.learner.prequential
    # one row leaves none to hold out: the members are judged on it before learning it
    for i in range(3):
        clf.partial_fit(X[i:i + 1], y[i:i + 1])
        assert clf._run.learner.prequential and clf.n_iter_ == 1
    assert clf.pbt_history_["loss"].shape == (5, 8)
    assert np.isfinite(clf.predict_proba(X)).all()
    fixed = NeuroEvolutionClassifier((4,), random_state=0, strategy="pbt",
                                     strategy_params={"steps": 4})
    fixed.partial_fit(X[:50], y[:50], classes=[0, 1]).partial_fit(X[:20], y[:20])
    assert fixed._run.strategy.steps == 4


@pytest.mark.parametrize("strategy", ["es", "pbt"])
def test_each_partial_fit_keeps_its_own_network_not_a_better_scoring_earlier_one(strategy):
    # a stream sorted by label: an earlier batch of one class scores far better on its own
    # rows than later ones; the model after a call must still be that call's incumbent
    X, y = make_classification(n_samples=300, n_features=5, random_state=1)
    rows = np.argsort(y, kind="stable")
    clf = NeuroEvolutionClassifier((4,), random_state=0, strategy=strategy)
    for _ in range(3):
        for batch in np.array_split(rows, 6):
            clf.partial_fit(X[batch], y[batch], classes=[0, 1])
            incumbent = clf._run.strategy.incumbent(clf._run.state)[0]
            np.testing.assert_array_equal(clf._run.best, incumbent)
            assert clf.best_loss_ == clf.loss_curve_[-1]
            if strategy == "pbt":   # the best member of this call, kept by exploit
                assert any(np.array_equal(incumbent, m) for m in clf._run.state.population)


def test_warm_start_on_other_rows_keeps_a_network_of_that_fit():
    X, y = make_classification(n_samples=200, n_features=5, class_sep=3.0, random_state=0)
    noisy = np.random.default_rng(0).permutation(y)   # no signal: a far higher loss
    clf = NeuroEvolutionClassifier((4,), strategy="es", max_generations=20, warm_start=True,
                                   random_state=0)
    clf.fit(X, y)
    first = len(clf.loss_curve_)
    clf.fit(X, noisy)
    assert min(clf.loss_curve_[:first]) < min(clf.loss_curve_[first:])
    assert clf.best_loss_ == min(clf.loss_curve_[first:])
    # on the same rows the losses compare: the best of both fits
    clf.fit(X, noisy)
    assert clf.best_loss_ == min(clf.loss_curve_[first:])
