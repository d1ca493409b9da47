"""Turning ``random_state`` into an explicit ``numpy.random.Generator``."""

import numbers

import numpy as np

__all__ = ["make_generator", "spawn_seed"]


def make_generator(random_state=None):
    """Return a ``numpy.random.Generator`` for ``random_state``.

    Parameters
    ----------
    random_state : None, int, numpy.random.RandomState or numpy.random.Generator
        ``None`` gives a generator seeded from the operating system (not
        reproducible); an int seeds a new generator; a ``RandomState`` is drawn
        from once to seed a new generator; a ``Generator`` is returned as is.
        The global ``numpy.random`` state is never used.

    Examples
    --------
    >>> g = make_generator(0)
    >>> float(g.random()) == float(make_generator(0).random())
    True
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(int(random_state.randint(0, 2**31 - 1)))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be non-negative, got {random_state}.")
        return np.random.default_rng(int(random_state))
    raise ValueError(
        "random_state must be None, an int, a numpy.random.RandomState or a "
        f"numpy.random.Generator, got {random_state!r}."
    )


def spawn_seed(rng):
    """Draw an integer seed from ``rng`` (for seeding a library's own generator).

    Examples
    --------
    >>> 0 <= spawn_seed(make_generator(1)) < 2**32
    True
    """
    return int(rng.integers(0, 2**32))
