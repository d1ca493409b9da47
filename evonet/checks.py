"""Checks of plain parameter values, with errors that name the parameter.

Every part of evonet checks its boolean, integer and real settings through these functions, so that
the same mistake gets the same message wherever it is made.
"""

import math
import numbers

import numpy as np

__all__ = ["check_bool", "check_int", "check_n_jobs", "check_positive_float", "is_int"]


def is_int(value):
    """Whether ``value`` is an integer (a NumPy one included), not a bool.

    Examples
    --------
    >>> import numpy as np
    >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(value, name, minimum=1, allow_none=False):
    """``value`` as an ``int`` if it is an integer of at least ``minimum``, else ``ValueError``.

    Parameters
    ----------
    value : object
    name : str
        The parameter's name, for the message.
    minimum : int, default=1
    allow_none : bool, default=False
        Let ``None`` through (returned as ``None``).

    Examples
    --------
    >>> check_int(3, "population_size", 2)
    3
    >>> check_int(0, "max_generations")
    Traceback (most recent call last):
    ...
    ValueError: max_generations must be a positive integer, got 0.
    >>> check_int(1.5, "n_elite", 0, allow_none=True)
    Traceback (most recent call last):
    ...
    ValueError: n_elite must be an integer >= 0 or None, got 1.5.
    """
    if value is None and allow_none:
        return None
    if not is_int(value) or value < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {kind}{' or None' if allow_none else ''}, got "
                         f"{value!r}.")
    return int(value)


def check_n_jobs(n_jobs):
    """``n_jobs`` as joblib takes it: ``None`` or a non-zero integer (``-1``: every core).

    Examples
    --------
    >>> check_n_jobs(-1), check_n_jobs(None)
    (-1, None)
    >>> check_n_jobs(0)
    Traceback (most recent call last):
    ...
    ValueError: n_jobs must be a non-zero integer or None, got 0.
    """
    if n_jobs is not None and (not is_int(n_jobs) or n_jobs == 0):
        raise ValueError(f"n_jobs must be a non-zero integer or None, got {n_jobs!r}.")
    return None if n_jobs is None else int(n_jobs)


def check_bool(value, name):
    """``value`` as a bool if it is ``True`` or ``False`` (NumPy's included), else ``ValueError``.

    Examples
    --------
    >>> check_bool(True, "warm_start")
    True
    >>> check_bool("yes", "warm_start")
    Traceback (most recent call last):
    ...
    ValueError: warm_start must be True or False, got 'yes'.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def check_positive_float(value, name, allow_zero=False):
    """``value`` as a float if it is a finite real number > 0 (>= 0 with ``allow_zero``).

    Raises
    ------
    ValueError
        Naming ``name``, the value and what is accepted.

    Examples
    --------
    >>> check_positive_float(2, "sigma")
    2.0
    >>> check_positive_float(-1.0, "sigma")
    Traceback (most recent call last):
    ...
    ValueError: sigma must be a finite number > 0, got -1.0.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}.")
    return float(value)
