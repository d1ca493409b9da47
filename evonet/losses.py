"""Losses of a population of networks on a chunk of rows (scikit-learn's names).

Each loss takes the outputs of ``P`` networks on a chunk of ``R`` rows, laid
out as ``(P, n_outputs, R)``, and the chunk's targets, and returns the
per-row losses of shape ``(P, R)``. Classification losses work on the
pre-activation outputs (logits) so they stay finite for any weights.
"""

import numpy as np

from evonet.nn.activations import apply_activation

__all__ = ["LOSSES", "check_loss"]


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
        lse = np.log(np.exp(Z - top[:, None, :]).sum(axis=1))
        lse += top
        lse -= Z[:, labels, np.arange(labels.shape[0])]
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
"""Loss name -> ``f(Z, targets, layout)`` returning per-row losses ``(P, R)``."""

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
