"""Gaussian mutation of flat weight vectors, per individual and per population."""

import numpy as np

from evonet.operators.checks import (
    check_non_negative,
    check_probability,
    float_array,
    write_back,
)

__all__ = ["gaussian_mutation", "mut_gaussian"]


def gaussian_mutation(population, sigma, indpb, rng):
    """Add ``N(0, sigma^2)`` noise to each gene with probability ``indpb``.

    Parameters
    ----------
    population : array-like of shape (m, n_params) or (n_params,)
    sigma : float or array-like of shape (n_params,)
        Scale of the noise, one for all genes or one per gene.
    indpb : float
        Probability that a gene is mutated.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray
        A new array of the input's floating dtype (float64 for integer
        input); the input is not modified.

    Examples
    --------
    >>> import numpy as np
    >>> pop = np.zeros((100, 10))
    >>> out = gaussian_mutation(pop, 0.1, 0.2, np.random.default_rng(0))
    >>> 0.1 < float(np.mean(out != 0)) < 0.3, bool(np.all(pop == 0))
    (True, True)
    >>> gaussian_mutation(pop.astype(np.float32), 0.1, 0.2, np.random.default_rng(0)).dtype
    dtype('float32')
    """
    population = float_array(population)
    check_non_negative(sigma, "sigma")
    indpb = check_probability(indpb, "indpb")
    sigma = np.asarray(sigma, dtype=np.float64)
    if sigma.ndim > 1 or (sigma.ndim == 1 and sigma.shape[0] != population.shape[-1]):
        raise ValueError(f"sigma must be a scalar or have one value per gene "
                         f"({population.shape[-1]}), got shape {sigma.shape}.")
    noise = rng.standard_normal(population.shape)
    noise *= sigma
    if indpb < 1.0:
        noise *= rng.random(population.shape) < indpb
    # the noise is drawn in float64 whatever the dtype, so the stream of draws is the same
    return population + noise.astype(population.dtype, copy=False)


def mut_gaussian(individual, sigma=0.1, indpb=0.1, *, rng):
    """DEAP form of :func:`gaussian_mutation`: mutate in place, return ``(individual,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome import WeightIndividual
    >>> ind = WeightIndividual(np.zeros(5))
    >>> out, = mut_gaussian(ind, 1.0, 1.0, rng=np.random.default_rng(0))
    >>> out is ind, bool(np.all(ind != 0))
    (True, True)
    """
    return (write_back(individual, gaussian_mutation(individual, sigma, indpb, rng)),)
