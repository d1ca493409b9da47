"""Scikit-learn's metrics for a whole population of networks at once.

Each function takes the targets of ``N`` rows and the outputs of ``P``
networks on them, laid out ``(P, N)`` (labels or scores) or ``(P, N, k)``
(class probabilities, regression outputs), and returns the ``P`` values of
the metric of the same name in :mod:`sklearn.metrics`, equal to it to
floating-point accuracy (1e-12), edge cases included: ``zero_division``, a
class absent from the predictions or from the targets (averages run over the
labels present in either, as scikit-learn's ``unique_labels``), ties in the
scores of ``roc_auc``, constant targets of ``r2``. Each is one vectorised
pass: the confusion counts of every network come from one ``np.bincount``,
the AUC from one sort of the scores.

Class labels are integer codes ``0 .. n_classes - 1`` (as
``np.searchsorted(classes_, y)`` gives them); ``sample_weight`` is ``None``
or ``N`` non-negative weights.
"""

import numpy as np

__all__ = ["accuracy", "balanced_accuracy", "confusion_counts", "f1", "log_loss",
           "mean_absolute_error", "mean_squared_error", "precision", "precision_recall_f1",
           "r2", "recall", "roc_auc", "roc_auc_ovr", "root_mean_squared_error"]

AVERAGES = ("binary", "micro", "macro", "weighted")


def _labels(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.intp)
    y_pred = np.asarray(y_pred, dtype=np.intp)
    if y_pred.ndim == 1:
        y_pred = y_pred[None, :]
    if y_pred.ndim != 2 or y_pred.shape[1] != y_true.shape[0]:
        raise ValueError(f"y_pred must have shape (P, {y_true.shape[0]}), got {y_pred.shape}.")
    return y_true, y_pred


def _weights(sample_weight, n):
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), got {w.shape}.")
    return w


def confusion_counts(y_true, y_pred, n_classes, sample_weight=None):
    """Confusion matrices of ``P`` networks, ``(P, n_classes, n_classes)``, in one bincount.

    Entry ``[p, t, q]`` is the (weighted) number of rows of true class ``t``
    that network ``p`` predicts as ``q``, as :func:`sklearn.metrics.confusion_matrix`.

    Examples
    --------
    >>> confusion_counts([0, 1, 1], [[0, 1, 0], [1, 1, 1]], 2)[1]
    array([[0., 1.],
           [0., 2.]])
    """
    y_true, y_pred = _labels(y_true, y_pred)
    P, N = y_pred.shape
    w = _weights(sample_weight, N)
    index = (np.arange(P)[:, None] * n_classes + y_true[None, :]) * n_classes + y_pred
    weights = None if w is None else np.broadcast_to(w, (P, N)).ravel()
    counts = np.bincount(index.ravel(), weights=weights, minlength=P * n_classes * n_classes)
    return counts.astype(np.float64).reshape(P, n_classes, n_classes)


def accuracy(y_true, y_pred, sample_weight=None):
    """Accuracy of each network's predicted labels (:func:`sklearn.metrics.accuracy_score`).

    Examples
    --------
    >>> accuracy([0, 1, 1, 0], [[0, 1, 1, 1], [1, 0, 0, 1]])
    array([0.75, 0.  ])
    """
    y_true, y_pred = _labels(y_true, y_pred)
    correct = (y_pred == y_true[None, :]).astype(np.float64)
    w = _weights(sample_weight, y_true.shape[0])
    if w is None:
        return correct.mean(axis=1)
    return correct @ w / w.sum()


def balanced_accuracy(y_true, y_pred, n_classes, sample_weight=None):
    """Mean recall over the classes present in ``y_true`` (``balanced_accuracy_score``).

    Examples
    --------
    >>> balanced_accuracy([0, 0, 0, 1], [[0, 0, 0, 0], [0, 0, 1, 1]], 2)
    array([0.5       , 0.83333333])
    """
    C = confusion_counts(y_true, y_pred, n_classes, sample_weight)
    support = C.sum(axis=2)
    present = support > 0
    recall = np.diagonal(C, axis1=1, axis2=2) / np.where(present, support, 1.0)
    return (recall * present).sum(axis=1) / present.sum(axis=1)


def _divide(numerator, denominator, zero_division):
    if zero_division == "warn":
        zero_division = 0.0
    zero = denominator == 0
    result = numerator / np.where(zero, 1.0, denominator)
    result[zero] = float(zero_division)
    return result


def _average(values, present, weights):
    """Mean of ``values`` (P, K) over ``present`` labels, NaNs ignored (as sklearn)."""
    mask = present & ~np.isnan(values)
    kept = np.where(mask, values, 0.0)
    count = mask.sum(axis=1)
    plain = np.where(count > 0, kept.sum(axis=1) / np.maximum(count, 1), np.nan)
    if weights is None:
        return plain
    total = (weights * mask).sum(axis=1)
    weighted = (kept * weights).sum(axis=1) / np.where(total > 0, total, 1.0)
    # all weights zero: scikit-learn falls back on the plain mean
    return np.where(total > 0, weighted, plain)


def _check_average(average):
    if average not in AVERAGES:
        raise ValueError(f"average={average!r} is not supported; choose one of {list(AVERAGES)}.")


def precision_recall_f1(y_true, y_pred, n_classes, average="binary", pos_label=1,
                        sample_weight=None, zero_division="warn"):
    """Precision, recall and F1 of each network, as ``precision_recall_fscore_support``.

    Parameters
    ----------
    y_true : array-like of shape (N,), int codes
    y_pred : array-like of shape (P, N), int codes
    n_classes : int
    average : {"binary", "micro", "macro", "weighted"}, default="binary"
        ``"binary"`` reports class code ``pos_label`` only; the others
        average over the labels present in ``y_true`` or in that network's
        predictions, as scikit-learn.
    pos_label : int, default=1
        Code of the positive class (``average="binary"``).
    sample_weight : array-like of shape (N,), default=None
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        The value of an undefined ratio ("warn": 0, without a warning).

    Returns
    -------
    tuple of three ndarrays of shape (P,)

    Examples
    --------
    >>> p, r, f = precision_recall_f1([0, 1, 1], [[0, 1, 0]], 2)
    >>> p, r, f
    (array([1.]), array([0.5]), array([0.66666667]))
    """
    _check_average(average)
    y_true, y_pred = _labels(y_true, y_pred)
    C = confusion_counts(y_true, y_pred, n_classes, sample_weight)
    tp = np.diagonal(C, axis1=1, axis2=2)
    true_sum, pred_sum = C.sum(axis=2), C.sum(axis=1)
    P = y_pred.shape[0]
    seen_pred = np.bincount((np.arange(P)[:, None] * n_classes + y_pred).ravel(),
                            minlength=P * n_classes).reshape(P, n_classes) > 0
    present = (np.bincount(y_true, minlength=n_classes) > 0)[None, :] | seen_pred
    if average == "binary":
        tp, true_sum, pred_sum = (a[:, [pos_label]] for a in (tp, true_sum, pred_sum))
        present = np.ones((P, 1), dtype=bool)
    elif average == "micro":
        tp, true_sum, pred_sum = ((a * present).sum(axis=1, keepdims=True)
                                  for a in (tp, true_sum, pred_sum))
        present = np.ones((P, 1), dtype=bool)
    precision_ = _divide(tp, pred_sum, zero_division)
    recall_ = _divide(tp, true_sum, zero_division)
    f1_ = _divide(2.0 * tp, true_sum + pred_sum, zero_division)
    weights = true_sum if average == "weighted" else None
    return tuple(_average(v, present, weights) for v in (precision_, recall_, f1_))


def precision(y_true, y_pred, n_classes, average="binary", pos_label=1, sample_weight=None,
              zero_division="warn"):
    """Precision of each network (:func:`sklearn.metrics.precision_score`).

    Examples
    --------
    >>> precision([0, 1, 1], [[1, 1, 1], [0, 0, 0]], 2)
    array([0.66666667, 0.        ])
    """
    return precision_recall_f1(y_true, y_pred, n_classes, average, pos_label, sample_weight,
                               zero_division)[0]


def recall(y_true, y_pred, n_classes, average="binary", pos_label=1, sample_weight=None,
           zero_division="warn"):
    """Recall of each network (:func:`sklearn.metrics.recall_score`).

    Examples
    --------
    >>> recall([0, 1, 1], [[1, 1, 1], [0, 0, 1]], 2)
    array([1. , 0.5])
    """
    return precision_recall_f1(y_true, y_pred, n_classes, average, pos_label, sample_weight,
                               zero_division)[1]


def f1(y_true, y_pred, n_classes, average="binary", pos_label=1, sample_weight=None,
       zero_division="warn"):
    """F1 score of each network (:func:`sklearn.metrics.f1_score`).

    Examples
    --------
    >>> f1([0, 1, 2, 2], [[0, 1, 2, 2], [0, 0, 0, 0]], 3, average="macro")
    array([1.        , 0.13333333])
    """
    return precision_recall_f1(y_true, y_pred, n_classes, average, pos_label, sample_weight,
                               zero_division)[2]


def roc_auc(y_true, y_score, sample_weight=None):
    """Area under the ROC curve of each network's scores, by ranks (binary ``roc_auc_score``).

    The weighted Mann-Whitney statistic: the share of (positive, negative)
    pairs ranked right, a tie counting one half, which is the trapezoidal
    area scikit-learn computes. ``NaN`` when ``y_true`` holds one class only
    (scikit-learn warns and returns ``NaN`` too).

    Parameters
    ----------
    y_true : array-like of shape (N,)
        1 for the positive class, 0 otherwise.
    y_score : array-like of shape (P, N)
        Scores (probabilities or logits) of the positive class.
    sample_weight : array-like of shape (N,), default=None

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [[0.1, 0.4, 0.35, 0.8], [0.5, 0.5, 0.5, 0.5]])
    array([0.75, 0.5 ])
    """
    y_true = np.asarray(y_true) == 1
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_score.ndim == 1:
        y_score = y_score[None, :]
    N = y_true.shape[0]
    w = np.ones(N) if sample_weight is None else _weights(sample_weight, N)
    order = np.argsort(y_score, axis=1, kind="stable")
    s = np.take_along_axis(y_score, order, axis=1)
    pos = y_true[order]
    ws = w[order]
    neg_w = np.where(pos, 0.0, ws)
    cum_neg = np.cumsum(neg_w, axis=1)
    # tie groups of equal scores: negative weight strictly below and within each group
    starts = np.ones(s.shape, dtype=bool)
    starts[:, 1:] = s[:, 1:] != s[:, :-1]
    cols = np.arange(N)
    first = np.maximum.accumulate(np.where(starts, cols, 0), axis=1)
    ends = np.ones(s.shape, dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    last = np.minimum.accumulate(np.where(ends, cols, N - 1)[:, ::-1], axis=1)[:, ::-1]
    below = np.take_along_axis(cum_neg, first, axis=1) - np.take_along_axis(neg_w, first, axis=1)
    tied = np.take_along_axis(cum_neg, last, axis=1) - below
    pos_w = np.where(pos, ws, 0.0)
    w_pos, w_neg = w[y_true].sum(), w[~y_true].sum()
    if w_pos <= 0 or w_neg <= 0:
        return np.full(y_score.shape[0], np.nan)
    return (pos_w * (below + 0.5 * tied)).sum(axis=1) / (w_pos * w_neg)


def roc_auc_ovr(y_true, proba, average="macro", sample_weight=None):
    """One-vs-rest AUC of class probabilities ``(P, N, K)`` (``roc_auc_score(multi_class="ovr")``).

    ``average`` is ``"macro"`` (the mean over classes) or ``"weighted"``
    (weighted by each class's weighted prevalence).

    Examples
    --------
    >>> proba = [[[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.2, 0.7]]]
    >>> roc_auc_ovr([0, 1, 2], proba)
    array([1.])
    """
    if average not in ("macro", "weighted"):
        raise ValueError(f"average={average!r} is not supported; choose 'macro' or 'weighted'.")
    y_true = np.asarray(y_true, dtype=np.intp)
    proba = np.asarray(proba, dtype=np.float64)
    P, N, K = proba.shape
    w = np.ones(N) if sample_weight is None else _weights(sample_weight, N)
    per_class = np.empty((P, K))
    for k in range(K):
        per_class[:, k] = roc_auc(y_true == k, proba[:, :, k], w)
    if average == "macro":
        return per_class.mean(axis=1)
    prevalence = np.bincount(y_true, weights=w, minlength=K)
    return per_class @ prevalence / prevalence.sum()


def log_loss(y_true, proba, sample_weight=None):
    """Cross-entropy of class probabilities ``(P, N, K)`` (:func:`sklearn.metrics.log_loss`).

    Probabilities are clipped to ``[eps, 1 - eps]`` as scikit-learn does;
    every class of the ``K`` columns counts (scikit-learn's ``labels``).

    Examples
    --------
    >>> log_loss([0, 1], [[[0.5, 0.5], [0.5, 0.5]]]).round(6)
    array([0.693147])
    """
    y_true = np.asarray(y_true, dtype=np.intp)
    proba = np.asarray(proba, dtype=np.float64)
    eps = np.finfo(proba.dtype).eps
    picked = np.clip(proba[:, np.arange(y_true.shape[0]), y_true], eps, 1 - eps)
    per_row = -np.log(picked)
    w = _weights(sample_weight, y_true.shape[0])
    return per_row.mean(axis=1) if w is None else per_row @ w / w.sum()


def _regression(y_true, y_pred, sample_weight):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_true = y_true.reshape(y_true.shape[0], -1)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_pred.ndim == 1:
        y_pred = y_pred[None, :]
    y_pred = y_pred.reshape(y_pred.shape[0], y_true.shape[0], -1)
    if y_pred.shape[2] != y_true.shape[1]:
        raise ValueError(f"y_pred has {y_pred.shape[2]} outputs, y_true {y_true.shape[1]}.")
    return y_true, y_pred, _weights(sample_weight, y_true.shape[0])


def _row_mean(values, w):
    """Weighted mean over rows of ``values`` (P, N, m): ``(P, m)``."""
    if w is None:
        return values.mean(axis=1)
    return np.einsum("pnm,n->pm", values, w) / w.sum()


def mean_absolute_error(y_true, y_pred, sample_weight=None):
    """Mean absolute error of each network (outputs averaged uniformly, as scikit-learn).

    Examples
    --------
    >>> mean_absolute_error([1.0, 2.0], [[1.0, 4.0], [0.0, 2.0]])
    array([1. , 0.5])
    """
    y_true, y_pred, w = _regression(y_true, y_pred, sample_weight)
    return _row_mean(np.abs(y_pred - y_true), w).mean(axis=1)


def mean_squared_error(y_true, y_pred, sample_weight=None):
    """Mean squared error of each network (outputs averaged uniformly).

    Examples
    --------
    >>> mean_squared_error([1.0, 2.0], [[1.0, 4.0]])
    array([2.])
    """
    y_true, y_pred, w = _regression(y_true, y_pred, sample_weight)
    return _row_mean((y_pred - y_true) ** 2, w).mean(axis=1)


def root_mean_squared_error(y_true, y_pred, sample_weight=None):
    """Root mean squared error of each network (per output, then averaged).

    Examples
    --------
    >>> root_mean_squared_error([1.0, 2.0], [[1.0, 4.0]])
    array([1.41421356])
    """
    y_true, y_pred, w = _regression(y_true, y_pred, sample_weight)
    return np.sqrt(_row_mean((y_pred - y_true) ** 2, w)).mean(axis=1)


def r2(y_true, y_pred, sample_weight=None):
    """Coefficient of determination of each network (:func:`sklearn.metrics.r2_score`).

    A constant target gives 1 for a perfect prediction and 0 otherwise, as
    scikit-learn's ``force_finite=True``; outputs are averaged uniformly.

    Examples
    --------
    >>> r2([1.0, 2.0, 3.0], [[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]])
    array([1., 0.])
    """
    y_true, y_pred, w = _regression(y_true, y_pred, sample_weight)
    residual = _row_mean((y_pred - y_true) ** 2, w)
    centre = np.average(y_true, axis=0, weights=w)
    spread = np.average((y_true - centre) ** 2, axis=0, weights=w)[None, :]
    score = 1.0 - residual / np.where(spread > 0, spread, 1.0)
    score = np.where(spread > 0, score, np.where(residual == 0, 1.0, 0.0))
    return score.mean(axis=1)
