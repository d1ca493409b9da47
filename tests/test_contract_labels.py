"""The classifier's labels under partial_fit and warm_start, and early stopping's
limits, behave as scikit-learn's MLPClassifier / MLPRegressor."""

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor


@pytest.fixture
def xy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] > 0).astype(int)


def small(cls=NeuroEvolutionClassifier, **kw):
    return cls((3,), max_generations=3, random_state=0, **kw)


@pytest.mark.parametrize("make", [small, lambda: MLPClassifier((3,), max_iter=3)])
def test_partial_fit_refuses_labels_outside_classes(xy, make):
    X, y = xy
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        make().partial_fit(X, y + 1, classes=[0, 1])
    est = make().partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="`y` has classes not in `self.classes_`"):
        est.partial_fit(X, np.where(y == 1, 2, 0))


@pytest.mark.parametrize("make", [small, lambda: MLPClassifier((3,), max_iter=3)])
def test_partial_fit_refuses_other_classes_later(xy, make):
    X, y = xy
    est = make().partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="is not the same as on the last call to partial_fit"
                       if isinstance(est, NeuroEvolutionClassifier) else "is not the same"):
        est.partial_fit(X, y, classes=[0, 1, 2])
    est.partial_fit(X, y, classes=[1, 0])  # the same labels in another order are the same
    assert list(est.classes_) == [0, 1]


def test_partial_fit_batch_of_one_class_is_accepted(xy):
    X, y = xy
    est = small().partial_fit(X, y, classes=[0, 1, 2])
    before = est.coefs_[0].copy()
    est.partial_fit(X[y == 0], y[y == 0])
    assert list(est.classes_) == [0, 1, 2] and not np.array_equal(before, est.coefs_[0])


@pytest.mark.parametrize("make", [small, lambda: MLPClassifier((3,), max_iter=3)])
def test_warm_start_needs_the_same_labels(xy, make):
    X, y = xy
    est = make().set_params(warm_start=True).fit(X, y)
    for other in (np.where(y == 1, 2, 0), np.zeros_like(y)):
        with pytest.raises(ValueError, match="warm_start can only be used where `y` has the "
                                             "same classes"):
            est.fit(X, other)
    est.fit(X, y)


@pytest.mark.parametrize("make", [small, lambda: MLPClassifier((3,), max_iter=3)])
def test_partial_fit_after_early_stopping_fit_raises(xy, make):
    X, y = xy
    est = make().set_params(early_stopping=True, validation_fraction=0.3).fit(X, y)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping=True"):
        est.partial_fit(X, y)


@pytest.mark.parametrize("cls", [NeuroEvolutionRegressor, MLPRegressor])
def test_validation_set_too_small_raises(cls):
    X = np.arange(10.0)[:, None]
    est = cls(hidden_layer_sizes=(2,), early_stopping=True, validation_fraction=0.1,
              random_state=0)
    with pytest.raises(ValueError, match="The validation set is too small"):
        est.fit(X, X[:, 0])


def test_validation_set_too_small_classifier():
    X = np.arange(20.0)[:, None]
    y = np.arange(20) % 2
    est = small(early_stopping=True, validation_fraction=0.05)
    # sklearn's stratified split needs a row per class first, whatever the estimator
    with pytest.raises(ValueError, match="test_size|validation set is too small"):
        est.fit(X, y)
    est = small(early_stopping=True, validation_fraction=0.1).fit(X, y)
    assert est.validation_scores_ is not None and est.best_loss_ is None
