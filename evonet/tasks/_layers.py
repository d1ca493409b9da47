"""Building blocks of the policy networks: batched affine maps over carts.

Every array is laid out as ``(width, n)`` over ``n`` carts (one network per
cart), so a layer ``b + sum_k x_k W_k`` is one contiguous elementwise
operation per input. The sum runs input by input in a fixed order: a cart's
output never depends on which other carts share the batch, and the scalar
versions here repeat it with Python floats for the scalar path. Wide layers
(more than :data:`LOOP_FAN_IN` inputs) use ``matmul`` instead.
"""

import numpy as np
from scipy.special import expit

__all__ = ["LOOP_FAN_IN", "select"]

LOOP_FAN_IN = 16
"""Layers with at most this many inputs sum input by input (exact order); wider ones use matmul."""

_SCALAR_ACTIVATIONS = {
    "identity": lambda z: z,
    "tanh": lambda z: float(np.tanh(z)),
    "relu": lambda z: float(np.maximum(z, 0.0)),
    "logistic": lambda z: float(expit(z)),
}


def select(params, index):
    """Index every array of unpacked parameters along its last (network) axis.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.tasks import MLPPolicy
    >>> policy = MLPPolicy(2)
    >>> params = policy.unpack(np.arange(6.0).reshape(2, 3))
    >>> select(params, [1, 1, 0])[0][1].tolist()
    [[5.0, 5.0, 2.0]]
    """
    return [tuple(a[..., index] for a in layer) for layer in params]


def _affine(terms, bias):
    """``bias + sum_k x_k W_k`` for ``terms = [(X (fan_in, n), W (fan_in, fan_out, n)), ...]``."""
    out = bias.copy()
    for X, W in terms:
        if X.shape[0] > LOOP_FAN_IN:
            # (n, 1, fan_in) @ (n, fan_in, fan_out): batched over carts
            prod = np.matmul(X.T[:, None, :], W.transpose(2, 0, 1))[:, 0, :]
            out += prod.T
        else:
            for k in range(X.shape[0]):
                out += X[k] * W[k]
    return out


def _scalar_affine(terms, bias):
    if len(bias) == 1:  # one unit: the common case of a policy's output
        z = bias[0]
        for x, W in terms:
            for xk, row in zip(x, W):
                z += xk * row[0]
        return [z]
    out = list(bias)
    for x, W in terms:
        for xk, row in zip(x, W):
            for j, w in enumerate(row):
                out[j] += xk * w
    return out


class _PolicyBase:
    """Shared checks and helpers of the policy networks."""

    recurrent = False
    n_params = 0
    n_inputs = 0
    n_outputs = 0

    def is_one(self, weights):
        """Whether ``weights`` is one individual (a genome) rather than a population."""
        return np.ndim(weights) == 1

    def check_population(self, population, name="population"):
        """Validate a ``(P, n_params)`` (or one ``(n_params,)``) array of genomes."""
        try:
            w = np.asarray(population, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be an array of numbers: {exc}") from None
        if w.ndim not in (1, 2) or w.shape[-1] != self.n_params:
            raise ValueError(f"{name} must have shape (P, {self.n_params}) for {self!r}, "
                             f"got {w.shape}.")
        if not np.isfinite(w).all():
            raise ValueError(f"{name} contains NaN or infinite values.")
        return np.atleast_2d(w)

    @property
    def scalar_ok(self):
        """Whether :meth:`scalar_actor` reproduces the batched pass (all layers narrow)."""
        return max(self._fan_ins()) <= LOOP_FAN_IN

    def initial_memory(self, n):
        """Memory of ``n`` fresh carts (``None`` for feed-forward policies)."""
        return None

    def _check_inputs(self, observations):
        if observations.shape[0] != self.n_inputs:
            raise ValueError(f"the policy has n_inputs={self.n_inputs} but got "
                             f"{observations.shape[0]} observation values per cart.")
