"""sample_weight: zero weights equal dropped rows; each part of a split gets its weights."""

import numpy as np
import pytest
from estimator_helpers import regression_data
from sklearn.datasets import make_classification

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.estimators import choose_batch_size

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def assert_same_model(a, b, X):
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(p, q)
    assert a.strategy_ == b.strategy_ and a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.parametrize(
    "params",
    [
        dict(),                                   # full-data fitness
        dict(batch_size=32),                      # minibatches
        dict(batch_size=32, strategy="ga"),
        dict(early_stopping=True, n_iter_no_change=3),  # the split leaves them out too
    ],
)
def test_sample_weight_zero_equals_dropping_rows(iris, params):
    X, y = iris
    w = np.ones(len(y))
    w[::4] = 0
    a = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0, **params).fit(
        X, y, sample_weight=w)
    b = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0, **params).fit(
        X[w > 0], y[w > 0])
    assert_same_model(a, b, X)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    # unequal weights among the kept rows: the same as passing only those rows' weights
    w[1::4] = 2.5
    c = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0, **params).fit(
        X, y, sample_weight=w)
    d = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0, **params).fit(
        X[w > 0], y[w > 0], sample_weight=w[w > 0])
    assert_same_model(c, d, X)


def test_sample_weight_zero_equals_dropping_rows_large_data_and_regressor():
    # 3,000 rows, 2,250 kept: batch_size="auto" gives the ES 256-row minibatches
    X, y = make_classification(n_samples=3000, n_features=5, random_state=0)
    w = np.ones(len(y))
    w[::4] = 0
    fit = dict(hidden_layer_sizes=(4,), max_generations=8, random_state=0)
    a = NeuroEvolutionClassifier(**fit, strategy="es").fit(X, y, sample_weight=w)
    b = NeuroEvolutionClassifier(**fit, strategy="es").fit(X[w > 0], y[w > 0])
    assert a.strategy_ == "es" and choose_batch_size("auto", int((w > 0).sum())) == 256
    assert_same_model(a, b, X)
    # the regressor's target scaling leaves the zero-weight rows out too
    Xr, yr = regression_data(n=300, outputs=2)
    wr = np.ones(len(Xr))
    wr[::3] = 0
    wr[1::3] = 3.0
    for params in (dict(), dict(batch_size=16), dict(early_stopping=True)):
        c = NeuroEvolutionRegressor(**fit, **params).fit(Xr, yr, sample_weight=wr)
        d = NeuroEvolutionRegressor(**fit, **params).fit(Xr[wr > 0], yr[wr > 0],
                                                         sample_weight=wr[wr > 0])
        assert_same_model(c, d, Xr)


class _Recorder:
    """Records the weights ``fit`` hands to the loss and to the validation score."""

    def __init__(self, monkeypatch, estimator_class):
        from evonet.estimators._architecture import MLPArchitecture

        self.training, self.validation = [], []
        problem, score = MLPArchitecture.problem, estimator_class._validation_score

        def record_problem(arch, X, targets, loss, sample_weight, alpha, **kwargs):
            self.training.append(sample_weight)
            return problem(arch, X, targets, loss, sample_weight, alpha, **kwargs)

        def record_score(est, params, X_val, y_val, sample_weight=None):
            self.validation.append((X_val, y_val, sample_weight))
            return score(est, params, X_val, y_val, sample_weight)

        monkeypatch.setattr(MLPArchitecture, "problem", record_problem)
        monkeypatch.setattr(estimator_class, "_validation_score", record_score)


@pytest.mark.parametrize("estimator_class", [NeuroEvolutionClassifier, NeuroEvolutionRegressor])
def test_early_stopping_with_sample_weight_uses_each_parts_weights(iris, monkeypatch,
                                                                   estimator_class):
    X, y = iris if estimator_class is NeuroEvolutionClassifier else regression_data(n=150)

    def weight_of(rows):  # a function of the row, so duplicated rows weigh the same
        return 0.5 + np.abs(np.sin(rows @ np.arange(1.0, X.shape[1] + 1)))

    w = weight_of(X)
    recorder = _Recorder(monkeypatch, estimator_class)
    model = estimator_class((5,), early_stopping=True, n_iter_no_change=3, max_generations=60,
                            random_state=0).fit(X, y, sample_weight=w)
    (train_w,), (X_val, y_val, val_w) = recorder.training, recorder.validation[-1]
    # the training part's weights go to the loss, the validation part's to the score
    assert len(train_w) + len(val_w) == len(w) == len(X)
    np.testing.assert_array_equal(np.sort(np.concatenate([train_w, val_w])), np.sort(w))
    np.testing.assert_array_equal(val_w, weight_of(X_val))
    # the validation score is the weighted score of the selected network (as sklearn's MLP)
    assert model.best_validation_score_ == pytest.approx(
        model.score(X_val, y_val, sample_weight=val_w), rel=1e-9)
    assert model.best_validation_score_ == max(model.validation_scores_)


@pytest.mark.parametrize("estimator_class", [NeuroEvolutionClassifier, NeuroEvolutionRegressor])
def test_early_stopping_keeps_training_weights_when_validation_weights_are_equal(
        iris, monkeypatch, estimator_class):
    X, y = iris if estimator_class is NeuroEvolutionClassifier else regression_data(n=150)
    recorder = _Recorder(monkeypatch, estimator_class)
    model = estimator_class((5,), early_stopping=True, max_generations=3, population_size=100,
                            random_state=0)
    model.fit(X, y)  # finds the split (it does not depend on the weights)
    X_val = recorder.validation[-1][0]
    in_training = [i for i in range(len(X)) if not (X_val == X[i]).all(axis=1).any()]
    # weight 2 on one row of the training part: the validation weights are all equal
    # (an unweighted score), the training weights are not
    w = np.ones(len(y))
    w[in_training[0]] = 2.0
    recorder.training.clear()
    model.fit(X, y, sample_weight=w)
    (train_w,), (_, _, val_w) = recorder.training, recorder.validation[-1]
    assert val_w is None
    assert train_w is not None and len(train_w) == len(y) - 15 and train_w.max() == 2.0
