"""evonet.metrics equals scikit-learn's metrics, network by network, edge cases included."""

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from evonet import metrics

TOL = 1e-12


def _cases(n_classes, seed, P=6, N=40):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, N)
    pred = rng.integers(0, n_classes, (P, N))
    pred[0] = y                       # a perfect network
    pred[1] = 0                       # one that predicts one class only
    pred[2] = np.where(y == 0, 1, y)  # one that never predicts class 0 where it is true
    weights = [None, rng.uniform(0.1, 3.0, N)]
    return y, pred, weights


def _sklearn(fn, y, pred, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.array([fn(y, p, **kwargs) for p in pred])


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("seed", [0, 1])
def test_label_metrics_equal_sklearn(n_classes, seed):
    y, pred, weights = _cases(n_classes, seed)
    for w in weights:
        np.testing.assert_allclose(metrics.accuracy(y, pred, w),
                                   _sklearn(skm.accuracy_score, y, pred, sample_weight=w),
                                   rtol=0, atol=TOL)
        np.testing.assert_allclose(metrics.balanced_accuracy(y, pred, n_classes, w),
                                   _sklearn(skm.balanced_accuracy_score, y, pred,
                                            sample_weight=w), rtol=0, atol=TOL)
        averages = ["micro", "macro", "weighted"] + (["binary"] if n_classes == 2 else [])
        for average in averages:
            for ours, theirs in ((metrics.precision, skm.precision_score),
                                 (metrics.recall, skm.recall_score), (metrics.f1, skm.f1_score)):
                np.testing.assert_allclose(
                    ours(y, pred, n_classes, average=average, sample_weight=w),
                    _sklearn(theirs, y, pred, average=average, sample_weight=w),
                    rtol=0, atol=TOL, err_msg=f"{theirs.__name__} {average}")


def test_absent_classes_and_zero_division():
    # class 2 is in neither y nor some predictions; class 1 never predicted by network 0
    y = np.array([0, 0, 1, 1, 3, 3])
    pred = np.array([[0, 0, 0, 0, 3, 0], [1, 1, 1, 1, 1, 1], [2, 0, 1, 1, 3, 3]])
    for zero_division in ("warn", 0.0, 1.0, np.nan):
        for average in ("macro", "weighted", "micro"):
            ours = metrics.f1(y, pred, 4, average=average, zero_division=zero_division)
            theirs = _sklearn(skm.f1_score, y, pred, average=average,
                              zero_division=zero_division)
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL,
                                       err_msg=f"{average} {zero_division}")
            ours = metrics.precision(y, pred, 4, average=average, zero_division=zero_division)
            theirs = _sklearn(skm.precision_score, y, pred, average=average,
                              zero_division=zero_division)
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOL)
    np.testing.assert_allclose(metrics.balanced_accuracy(y, pred, 4),
                               _sklearn(skm.balanced_accuracy_score, y, pred), atol=TOL)


def test_binary_pos_label_never_predicted():
    y = np.array([0, 0, 1, 0])
    pred = np.zeros((1, 4), dtype=int)
    assert metrics.precision(y, pred, 2)[0] == 0.0
    assert metrics.precision(y, pred, 2, zero_division=1.0)[0] == 1.0
    assert metrics.precision(y, pred, 2, pos_label=0)[0] == pytest.approx(0.75)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_roc_auc_equals_sklearn_with_ties(seed):
    rng = np.random.default_rng(seed)
    N, P = 60, 5
    y = rng.integers(0, 2, N)
    scores = rng.normal(size=(P, N))
    scores[1] = np.round(scores[1])          # many ties
    scores[2] = 0.5                          # all tied
    scores[3] = y + 0.0                      # perfect
    for w in (None, rng.uniform(0.1, 2.0, N)):
        theirs = np.array([skm.roc_auc_score(y, s, sample_weight=w) for s in scores])
        np.testing.assert_allclose(metrics.roc_auc(y, scores, w), theirs, rtol=0, atol=TOL)


def test_roc_auc_one_class_is_nan():
    assert np.isnan(metrics.roc_auc([1, 1, 1], [[0.1, 0.2, 0.3]])).all()


def test_roc_auc_ovr_and_log_loss_equal_sklearn():
    rng = np.random.default_rng(3)
    N, P, K = 50, 4, 3
    y = np.r_[np.arange(K), rng.integers(0, K, N - K)]
    logits = rng.normal(size=(P, N, K))
    proba = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
    proba[0, 0] = [1.0, 0.0, 0.0]  # a clipped probability
    for w in (None, rng.uniform(0.1, 2.0, N)):
        for average in ("macro", "weighted"):
            theirs = [skm.roc_auc_score(y, p, multi_class="ovr", average=average,
                                        sample_weight=w) for p in proba]
            np.testing.assert_allclose(metrics.roc_auc_ovr(y, proba, average, w), theirs,
                                       rtol=0, atol=TOL)
        theirs = [skm.log_loss(y, p, sample_weight=w, labels=np.arange(K)) for p in proba]
        np.testing.assert_allclose(metrics.log_loss(y, proba, w), theirs, rtol=0, atol=TOL)


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_regression_metrics_equal_sklearn(n_outputs):
    rng = np.random.default_rng(n_outputs)
    N, P = 30, 5
    y = rng.normal(size=(N, n_outputs))
    pred = rng.normal(size=(P, N, n_outputs))
    pred[0] = y
    y_true = y[:, 0] if n_outputs == 1 else y
    for w in (None, rng.uniform(0.1, 2.0, N)):
        for ours, theirs in ((metrics.r2, skm.r2_score),
                             (metrics.mean_absolute_error, skm.mean_absolute_error),
                             (metrics.mean_squared_error, skm.mean_squared_error),
                             (metrics.root_mean_squared_error, skm.root_mean_squared_error)):
            expected = [theirs(y_true, p[:, 0] if n_outputs == 1 else p, sample_weight=w)
                        for p in pred]
            got = ours(y_true, pred[..., 0] if n_outputs == 1 else pred, w)
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=TOL,
                                       err_msg=theirs.__name__)


def test_r2_constant_target():
    y = np.ones(4)
    got = metrics.r2(y, [np.ones(4), np.arange(4.0)])
    expected = [skm.r2_score(y, np.ones(4)), skm.r2_score(y, np.arange(4.0))]
    np.testing.assert_array_equal(got, expected)


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="average='samples'"):
        metrics.f1([0, 1], [[0, 1]], 2, average="samples")
    with pytest.raises(ValueError, match="y_pred must have shape"):
        metrics.accuracy([0, 1], [[0, 1, 1]])
    with pytest.raises(ValueError, match="sample_weight"):
        metrics.accuracy([0, 1], [[0, 1]], sample_weight=[1.0])
