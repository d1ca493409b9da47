"""Random initialisation of flat weight vectors."""

import numpy as np

from evonet.checks import check_positive_float
from evonet.genome.types import WeightIndividual

__all__ = ["INITIAL_PENALTY", "REFERENCE_FAN_IN", "REFERENCE_N_PARAMS", "init_population",
           "init_scale", "init_weights", "random_individual", "step_scale"]

REFERENCE_FAN_IN = 100
"""Widest fan-in up to which the strategies' default step sizes are used as they are."""

REFERENCE_N_PARAMS = 10_000
"""Weights up to which the strategies' default step sizes are used as they are."""

INITIAL_PENALTY = 0.2
"""Largest expected L2 term of a starting network (:func:`init_scale`), in loss units."""


def init_population(layout, n, rng, scale=1.0):
    """Draw ``n`` flat weight vectors, Glorot-uniform per layer.

    Each layer's weights and biases are uniform in ``[-r, r]`` with
    ``r = scale * sqrt(6 / (fan_in + fan_out))``, as scikit-learn initialises
    its MLP when ``scale`` is 1, except for logistic hidden units: ``r *
    sqrt(2)`` here, ``sqrt(2 / (fan_in + fan_out))`` in scikit-learn.

    Parameters
    ----------
    layout : MLPLayout
    n : int
        Number of vectors.
    rng : numpy.random.Generator
        The only source of randomness.
    scale : float, default=1.0
        Factor on every bound, a finite number > 0 (:func:`init_scale`
        gives the estimators' one); 1 draws exactly the unscaled values.

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
    scale = check_positive_float(scale, "scale")
    population = np.empty((n, layout.n_params))
    for (start, _, b_end), bound in zip(layout.offsets, _bounds(layout)):
        if scale != 1.0:
            bound *= scale
        population[:, start:b_end] = rng.uniform(-bound, bound, size=(n, b_end - start))
    return population


def _bounds(layout):
    """Each layer's Glorot bound ``r`` (see :func:`init_population`)."""
    factor = 2.0 if layout.activation == "logistic" else 1.0
    return [np.sqrt(factor * 6.0 / (fan_in + fan_out)) for (fan_in, fan_out), _ in layout.shapes]


def init_scale(layout, alpha, total_weight):
    """Factor on the starting bounds: the L2 term starts at :data:`INITIAL_PENALTY` or below.

    The L2 term of an estimator's fitness is ``0.5 * alpha * ||W||^2 /
    total_weight``. Glorot-uniform weights have ``||W||^2`` about ``2 *
    fan_in * fan_out / (fan_in + fan_out)`` per layer, so with few rows and
    wide layers (50 rows of 1,000 features: 1.8 with the default ``alpha``,
    against a log-loss of 0.8) the starting loss is mostly that term, and
    a search spends its run shrinking weights rather than fitting the data.
    Where the expected term exceeds :data:`INITIAL_PENALTY` every bound is
    multiplied by ``sqrt(INITIAL_PENALTY / expected)``; elsewhere (every
    data set of the benchmarks) the factor is 1 and the draws are
    unchanged.

    Parameters
    ----------
    layout : MLPLayout
    alpha : float
        The L2 strength, a finite number >= 0 (0: no term, factor 1).
    total_weight : float
        Rows (or the sum of the sample weights) the term is divided by, > 0.

    Returns
    -------
    float
        In ``(0, 1]``.

    Raises
    ------
    ValueError
        If ``alpha`` is negative or not finite, or ``total_weight`` is not > 0.

    Examples
    --------
    >>> from evonet.nn import MLPLayout
    >>> init_scale(MLPLayout(4, (100,), 3), alpha=1.0, total_weight=150)
    1.0
    >>> round(init_scale(MLPLayout(1000, (100,), 1), alpha=1.0, total_weight=50), 3)
    0.33
    """
    alpha = check_positive_float(alpha, "alpha", allow_zero=True)
    total_weight = check_positive_float(total_weight, "total_weight")
    if alpha == 0:
        return 1.0
    # a weight uniform in [-r, r] has mean square r^2 / 3
    squares = sum(fan_in * fan_out * bound**2 / 3
                  for ((fan_in, fan_out), _), bound in zip(layout.shapes, _bounds(layout)))
    expected = 0.5 * alpha * squares / total_weight
    return 1.0 if expected <= INITIAL_PENALTY else float(np.sqrt(INITIAL_PENALTY / expected))


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


def step_scale(layout):
    """Factor on a search's default step sizes for the network ``layout`` (at most 1).

    A perturbation of ``sigma`` on every weight moves a unit's input by about
    ``sigma * sqrt(fan_in)``, and a search step in ``n`` weights is noisier
    (from the same number of samples) the larger ``n``: wide layers and large
    genomes need smaller steps, as Glorot's initial weights shrink with the
    fan-in. The factor is ``sqrt(REFERENCE_FAN_IN / fan_in) *
    sqrt(REFERENCE_N_PARAMS / n_params)``, each term capped at 1, so networks
    up to 100 inputs per unit and 10,000 weights keep the defaults.

    Parameters
    ----------
    layout : MLPLayout

    Returns
    -------
    float

    Examples
    --------
    >>> from evonet.nn import MLPLayout
    >>> step_scale(MLPLayout(64, (100,), 10))
    1.0
    >>> round(step_scale(MLPLayout(1000, (100,), 1)), 3)
    0.1
    """
    fan_in = max(fan_in for (fan_in, _), _ in layout.shapes)
    return (min(1.0, float(np.sqrt(REFERENCE_FAN_IN / fan_in)))
            * min(1.0, float(np.sqrt(REFERENCE_N_PARAMS / layout.n_params))))
