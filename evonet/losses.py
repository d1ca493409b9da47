"""Losses of a population of networks on a chunk of rows (scikit-learn's names).

Each loss takes the outputs of ``P`` networks on a chunk of ``R`` rows, laid
out as ``(P, n_outputs, R)``, and the chunk's targets, and returns the
per-row losses of shape ``(P, R)``. Classification losses work on the
pre-activation outputs (logits) so they stay finite for any weights.

:func:`loss_and_output_delta` gives, with the same per-row losses, their
gradient with respect to the logits (the output delta of back-propagation,
:mod:`evonet.nn.backprop`): ``squared_error`` through any output activation,
``log_loss`` for softmax and logistic outputs; ``error_rate`` has none.
"""

import numpy as np

from evonet.nn.activations import apply_activation
from evonet.nn.backprop import activation_backward

__all__ = ["DIFFERENTIABLE_LOSSES", "LOSSES", "check_loss", "loss_and_output_delta"]


def _squared_error(Z, targets, layout):
    """Mean over outputs of the squared difference, on activated outputs."""
    apply_activation(layout.output_activation, Z, axis=1)
    Z -= targets  # targets: (n_outputs, R)
    np.square(Z, out=Z)
    return Z.mean(axis=1)


def _log_loss(Z, targets, layout):
    """Cross-entropy: softmax on integer labels, or independent logistic units."""
    if layout.output_activation == "softmax":
        labels = targets  # (R,) integer class indices
        top = Z.max(axis=1)
        picked = Z[:, labels, np.arange(labels.shape[0])]
        Z -= top[:, None, :]   # in place, as the other losses: no temporary of Z's size
        np.exp(Z, out=Z)
        lse = np.log(Z.sum(axis=1))
        lse += top
        lse -= picked
        return lse
    # logistic units: softplus(z) - y z, summed over outputs (targets (n_outputs, R) in {0, 1})
    loss = np.logaddexp(0, Z)
    loss -= Z * targets
    return loss.sum(axis=1)


def _error_rate(Z, targets, layout):
    """1 - accuracy; for several logistic outputs a row is right only if all are."""
    if layout.output_activation == "softmax":
        return (Z.argmax(axis=1) != targets).astype(Z.dtype)
    wrong = (Z > 0) != (targets > 0.5)
    return wrong.any(axis=1).astype(Z.dtype)


LOSSES = {
    "squared_error": _squared_error,
    "log_loss": _log_loss,
    "error_rate": _error_rate,
}
"""Loss name -> ``f(Z, targets, layout)``: per-row losses ``(P, R)``; ``Z`` is overwritten."""

_CLASSIFICATION = ("log_loss", "error_rate")


def check_loss(loss, layout):
    """Check that ``loss`` is known and fits the layout's output activation.

    ``log_loss`` and ``error_rate`` need a ``"softmax"`` output (integer labels)
    or a ``"logistic"`` output (0/1 targets, one column per unit).

    Examples
    --------
    >>> from evonet.nn import MLPLayout
    >>> check_loss("log_loss", MLPLayout(4, (8,), 3, output_activation="softmax"))
    'log_loss'
    """
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"loss={loss!r} is not supported; choose one of {list(LOSSES)}.")
    if loss in _CLASSIFICATION:
        out = layout.output_activation
        if out not in ("softmax", "logistic"):
            raise ValueError(
                f"loss={loss!r} needs output_activation='softmax' (integer labels) or "
                f"'logistic' (0/1 targets), the layout has {out!r}."
            )
        if out == "softmax" and layout.n_outputs < 2:
            raise ValueError("a softmax output needs at least 2 units; use 'logistic' for one.")
    return loss


DIFFERENTIABLE_LOSSES = ("squared_error", "log_loss")
"""The losses :func:`loss_and_output_delta` differentiates."""


def _softmax_log_loss(Z, labels, row_weights):
    # the operations of _log_loss (so the same losses), keeping exp(Z - max) for the delta
    n_out, R = Z.shape[1:]
    top = Z.max(axis=1)
    E = Z - top[:, None, :]
    np.exp(E, out=E)
    total = E.sum(axis=1)
    lse = np.log(total)
    lse += top
    lse -= Z[:, labels, np.arange(R)]
    np.divide(row_weights, total, out=total)
    E *= total[:, None, :]
    onehot = labels == np.arange(n_out)[:, None]
    E -= np.multiply(onehot, row_weights, dtype=E.dtype)
    return lse, E


def loss_and_output_delta(loss, Z, targets, layout, row_weights=1.0):
    """Per-row losses and their gradient with respect to the logits.

    Parameters
    ----------
    loss : {"squared_error", "log_loss"}
        A loss of :data:`LOSSES` with a gradient.
    Z : ndarray of shape (P, n_outputs, R)
        Linear outputs (logits) of ``P`` networks on ``R`` rows; not changed.
    targets : ndarray
        The chunk's targets, laid out as for :data:`LOSSES`.
    layout : MLPLayout or object
        What the loss reads of the network: ``n_outputs`` and
        ``output_activation``.
    row_weights : float or ndarray of shape (R,), default=1.0
        Factors of each row's delta (a mean over rows: its weight over the
        sum of weights), of the dtype of ``Z``.

    Returns
    -------
    per_row : ndarray of shape (P, R)
        The losses :data:`LOSSES` gives for ``Z``, computed the same way.
    delta : ndarray of shape (P, n_outputs, R)
        ``d per_row / d Z`` row by row times ``row_weights``:
        ``2 / n_outputs * (act(Z) - y) * act'(Z)`` for ``squared_error``,
        ``softmax(Z) - onehot(y)`` or ``expit(Z) - y`` for ``log_loss``.

    Raises
    ------
    ValueError
        For a loss without a gradient (``error_rate``).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> layout = MLPLayout(1, (), 1)
    >>> per_row, delta = loss_and_output_delta(
    ...     "squared_error", np.array([[[3.0, 1.0]]]), np.array([[1.0, 1.0]]), layout)
    >>> per_row, delta
    (array([[4., 0.]]), array([[[4., 0.]]]))
    """
    if loss not in DIFFERENTIABLE_LOSSES:
        raise ValueError(f"loss={loss!r} has no gradient; choose one of "
                         f"{list(DIFFERENTIABLE_LOSSES)}.")
    out = layout.output_activation
    if loss == "log_loss" and out == "softmax":
        return _softmax_log_loss(Z, targets, row_weights)
    if loss == "log_loss":
        per_row = _log_loss(Z, targets, layout)
        delta = apply_activation(out, Z.copy(), axis=1)
        delta -= targets
        delta *= row_weights
        return per_row, delta
    A = apply_activation(out, Z.copy(), axis=1)
    delta = A - targets
    per_row = np.square(delta).mean(axis=1)
    delta *= row_weights * (2.0 / layout.n_outputs)
    return per_row, activation_backward(out, A, delta, axis=1)
