"""Random initialisation of flat weight vectors."""

import numpy as np

from evonet.genome.types import WeightIndividual

__all__ = ["init_population", "init_weights", "random_individual"]


def init_population(layout, n, rng):
    """Draw ``n`` flat weight vectors, Glorot-uniform per layer.

    Each layer's weights and biases are uniform in ``[-r, r]`` with
    ``r = sqrt(6 / (fan_in + fan_out))`` (``r * sqrt(2)`` for logistic hidden
    units), as scikit-learn initialises its MLP.

    Parameters
    ----------
    layout : MLPLayout
    n : int
        Number of vectors.
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    ndarray of shape (n, layout.n_params)

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> pop = init_population(MLPLayout(4, (8,), 3), 10, np.random.default_rng(0))
    >>> pop.shape, bool(np.abs(pop).max() <= np.sqrt(6 / 11))
    ((10, 67), True)
    """
    population = np.empty((n, layout.n_params))
    factor = 2.0 if layout.activation == "logistic" else 1.0
    for (start, _, b_end), ((fan_in, fan_out), _) in zip(layout.offsets, layout.shapes):
        bound = np.sqrt(factor * 6.0 / (fan_in + fan_out))
        population[:, start:b_end] = rng.uniform(-bound, bound, size=(n, b_end - start))
    return population


def init_weights(layout, rng):
    """Draw one flat weight vector (see :func:`init_population`).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> init_weights(MLPLayout(2, (2,), 1), np.random.default_rng(0)).shape
    (9,)
    """
    return init_population(layout, 1, rng)[0]


def random_individual(layout, rng):
    """A :data:`~evonet.genome.WeightIndividual` with Glorot-uniform weights.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> ind = random_individual(MLPLayout(2, (2,), 1), np.random.default_rng(0))
    >>> ind.shape, ind.fitness.valid
    ((9,), False)
    """
    return WeightIndividual(init_weights(layout, rng))
