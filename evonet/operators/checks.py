"""Argument checks shared by the operators (and the strategies that take the same rates)."""

import numbers

import numpy as np

__all__ = ["check_non_negative", "check_pair", "check_probability", "float_array", "write_back"]


def check_probability(value, name):
    """``value`` as a float if it is a probability in ``[0, 1]``; else ``ValueError``.

    Examples
    --------
    >>> check_probability(0.25, "crossover_rate")
    0.25
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}.")
    return float(value)


def check_non_negative(value, name):
    """``value`` unchanged if all of it is finite and >= 0, else ``ValueError`` naming ``name``.

    Examples
    --------
    >>> check_non_negative([0.0, 2.0], "sigma")
    [0.0, 2.0]
    """
    arr = np.asarray(value, dtype=np.float64)
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name} must be finite and non-negative, got {value!r}.")
    return value


def float_array(values):
    """``values`` as an ndarray of its own floating dtype (float64 for any other dtype)."""
    values = np.asarray(values)
    return values if values.dtype.kind == "f" else values.astype(np.float64)


def check_pair(a, b):
    """Two parent arrays of one shape, in their common floating dtype (float32 stays float32)."""
    a, b = float_array(a), float_array(b)
    dtype = np.result_type(a, b)
    a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    if a.shape != b.shape:
        raise ValueError(f"parents must have the same shape, got {a.shape} and {b.shape}.")
    return a, b


def write_back(individual, values):
    """Write ``values`` into ``individual`` in place (a copy, never a view of a parent)."""
    individual[...] = values
    return individual
