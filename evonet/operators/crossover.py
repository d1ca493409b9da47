"""Crossover of flat weight vectors: blend (BLX-alpha), simulated binary, uniform.

Every operator comes twice. The population-level form takes two arrays of
parents of shape ``(m, n_params)`` and returns two new arrays of children: the
strategies use it, so a generation needs no Python loop over individuals. The
DEAP form takes two individuals, overwrites them in place with the children
and returns them, as ``deap.algorithms.varAnd`` expects. Children are always
computed into fresh arrays before being written back, so they never alias
their parents or each other (the trap of swapping ndarray slices). Children
have their parents' floating dtype (float32 parents give float32 children);
the random numbers are drawn in float64 whatever the dtype.
"""

import numpy as np

from evonet.operators.checks import check_non_negative, check_pair, check_probability, write_back

__all__ = [
    "blend_crossover",
    "cx_blend",
    "cx_sbx",
    "cx_uniform",
    "sbx_crossover",
    "uniform_crossover",
]


def blend_crossover(parents_a, parents_b, alpha, rng):
    """Blend crossover BLX-alpha (Eshelman & Schaffer 1993) of parent arrays.

    For each gene, ``gamma = (1 + 2 alpha) u - alpha`` with ``u ~ U(0, 1)``;
    the children are ``(1 - gamma) a + gamma b`` and ``gamma a + (1 - gamma) b``,
    so both lie in ``[min - alpha d, max + alpha d]`` with ``d = |a - b|``.

    Examples
    --------
    >>> import numpy as np
    >>> a, b = np.zeros((2, 3)), np.ones((2, 3))
    >>> c1, c2 = blend_crossover(a, b, 0.5, np.random.default_rng(0))
    >>> bool(((c1 >= -0.5) & (c1 <= 1.5)).all()), np.allclose(c1 + c2, a + b)
    (True, True)
    """
    a, b = check_pair(parents_a, parents_b)
    check_non_negative(alpha, "alpha")
    gamma = rng.uniform(-alpha, 1.0 + alpha, size=a.shape).astype(a.dtype, copy=False)
    diff = b - a
    return a + gamma * diff, b - gamma * diff


def sbx_crossover(parents_a, parents_b, eta, rng):
    """Simulated binary crossover (Deb & Agrawal 1995), unbounded, of parent arrays.

    ``beta = (2u)^(1/(eta+1))`` for ``u <= 0.5``, else ``(1 / (2(1-u)))^(1/(eta+1))``;
    children ``0.5((1+beta) a + (1-beta) b)`` and ``0.5((1-beta) a + (1+beta) b)``.
    A large ``eta`` keeps children near their parents.

    Examples
    --------
    >>> import numpy as np
    >>> a, b = np.zeros((1, 4)), np.ones((1, 4))
    >>> c1, c2 = sbx_crossover(a, b, 15.0, np.random.default_rng(0))
    >>> np.allclose(c1 + c2, a + b)
    True
    """
    a, b = check_pair(parents_a, parents_b)
    if not eta >= 0:
        raise ValueError(f"eta must be non-negative, got {eta!r}.")
    u = rng.random(a.shape)
    exponent = 1.0 / (eta + 1.0)
    beta = np.where(u <= 0.5, (2.0 * u) ** exponent, (0.5 / (1.0 - u)) ** exponent)
    beta = beta.astype(a.dtype, copy=False)
    mean = 0.5 * (a + b)
    half_spread = 0.5 * beta * (a - b)
    return mean + half_spread, mean - half_spread


def uniform_crossover(parents_a, parents_b, indpb, rng):
    """Uniform crossover: each gene is swapped between the parents with probability ``indpb``.

    Examples
    --------
    >>> import numpy as np
    >>> a, b = np.zeros((1, 5)), np.ones((1, 5))
    >>> c1, c2 = uniform_crossover(a, b, 0.5, np.random.default_rng(0))
    >>> bool(np.all(c1 + c2 == 1))
    True
    """
    a, b = check_pair(parents_a, parents_b)
    swap = rng.random(a.shape) < check_probability(indpb, "indpb")
    return np.where(swap, b, a), np.where(swap, a, b)


def cx_blend(ind1, ind2, alpha=0.5, *, rng):
    """DEAP form of :func:`blend_crossover`: overwrite ``ind1`` and ``ind2``, return them.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome import WeightIndividual
    >>> a, b = WeightIndividual(np.zeros(3)), WeightIndividual(np.ones(3))
    >>> c1, c2 = cx_blend(a, b, 0.5, rng=np.random.default_rng(0))
    >>> c1 is a, np.shares_memory(c1, c2)
    (True, False)
    """
    c1, c2 = blend_crossover(ind1, ind2, alpha, rng)
    return write_back(ind1, c1), write_back(ind2, c2)


def cx_sbx(ind1, ind2, eta=15.0, *, rng):
    """DEAP form of :func:`sbx_crossover`: overwrite ``ind1`` and ``ind2``, return them.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome import WeightIndividual
    >>> a, b = WeightIndividual(np.zeros(3)), WeightIndividual(np.ones(3))
    >>> c1, c2 = cx_sbx(a, b, rng=np.random.default_rng(0))
    >>> np.allclose(c1 + c2, 1.0)
    True
    """
    c1, c2 = sbx_crossover(ind1, ind2, eta, rng)
    return write_back(ind1, c1), write_back(ind2, c2)


def cx_uniform(ind1, ind2, indpb=0.5, *, rng):
    """DEAP form of :func:`uniform_crossover`: overwrite ``ind1`` and ``ind2``, return them.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome import WeightIndividual
    >>> a, b = WeightIndividual(np.zeros(4)), WeightIndividual(np.ones(4))
    >>> c1, c2 = cx_uniform(a, b, rng=np.random.default_rng(0))
    >>> bool(np.all(c1 + c2 == 1))
    True
    """
    c1, c2 = uniform_crossover(ind1, ind2, indpb, rng)
    return write_back(ind1, c1), write_back(ind2, c2)
