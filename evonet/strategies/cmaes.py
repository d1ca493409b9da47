"""CMA-ES on DEAP's ``cma.Strategy``, sampling from the run's own generator."""

import math
import warnings
from dataclasses import dataclass

import numpy as np
from deap import cma

from evonet.checks import check_int, check_positive_float
from evonet.genome.types import as_individual
from evonet.strategies.base import (
    Strategy,
    StrategyState,
    register_strategy,
)

__all__ = ["CMAES", "CMAESState"]

LARGE_GENOME = 2000
"""Above this many parameters full CMA-ES is slow (O(n^2) memory, O(n^3) updates)."""


def sample_cma(es, rng):
    """``lambda_`` points of a ``deap.cma.Strategy``'s distribution, drawn from ``rng``.

    DEAP's own ``generate`` draws from ``numpy.random``'s global state; this
    draws the same distribution, ``centroid + sigma * B D z``, from ``rng``.

    Examples
    --------
    >>> import numpy as np
    >>> from deap import cma
    >>> sample_cma(cma.Strategy(centroid=[0.0, 0.0], sigma=1.0), np.random.default_rng(0)).shape
    (6, 2)
    """
    z = rng.standard_normal((es.lambda_, es.dim))
    return es.centroid + es.sigma * (z @ es.BD.T)


def update_cma(es, population, losses):
    """Tell a ``deap.cma.Strategy`` the ``losses`` of the rows of ``population``."""
    es.update([as_individual(x, fitness=loss) for x, loss in zip(population, losses)])


def clamp_injected(es, points):
    """External solutions as CMA-ES takes them: steps clamped in Mahalanobis length.

    Hansen (2011), "Injecting external solutions into CMA-ES", Sec. 2: the
    step ``y = (x - m) / sigma`` of an injected point ``x`` is shortened to a
    Mahalanobis length ``||C^(-1/2) y||`` of at most
    ``c_y = sqrt(n) + 2 n / (n + 2)`` (about the longest a sample of the
    distribution itself would take), so that one far-away point cannot
    drag the mean, the evolution paths or the step size. Points within that
    length are unchanged.

    Parameters
    ----------
    es : deap.cma.Strategy
    points : ndarray of shape (k, n)

    Returns
    -------
    ndarray of shape (k, n)
        ``m + sigma * y`` with the clamped steps.

    Examples
    --------
    >>> import numpy as np
    >>> from deap import cma
    >>> es = cma.Strategy(centroid=[0.0, 0.0], sigma=1.0)
    >>> clamp_injected(es, np.array([[0.5, 0.0], [100.0, 0.0]])).round(3)
    array([[0.5  , 0.   ],
           [2.414, 0.   ]])
    """
    points = np.asarray(points, dtype=np.float64)
    n = es.dim
    steps = (points - es.centroid) / es.sigma
    lengths = np.linalg.norm((steps @ es.B) / es.diagD, axis=1)   # ||C^(-1/2) y||
    limit = math.sqrt(n) + 2.0 * n / (n + 2.0)
    with np.errstate(divide="ignore"):
        factor = np.minimum(1.0, limit / lengths)
    return es.centroid + es.sigma * (steps * factor[:, None])


@dataclass(kw_only=True, eq=False, repr=False)
class CMAESState(StrategyState):
    """State of :class:`CMAES`.

    Attributes
    ----------
    cma : deap.cma.Strategy
        DEAP's strategy object: mean, covariance, evolution paths and step
        size (updated in place by ``tell``).
    """

    cma: cma.Strategy


@register_strategy
class CMAES(Strategy):
    """Covariance matrix adaptation evolution strategy (Hansen & Ostermeier 2001).

    The covariance update is DEAP's :class:`deap.cma.Strategy`; sampling is
    done here from the run's ``numpy.random.Generator`` (DEAP's own
    ``generate`` draws from the global ``numpy.random`` state), as
    ``x_k = m + sigma * B D z_k`` with ``z_k ~ N(0, I)`` (Hansen 2016, Eq. 38).
    The evolving state is the DEAP strategy object (mean, covariance, paths,
    step size), which pickles.

    Parameters
    ----------
    population_size : int, default=None
        ``lambda``; ``None`` gives CMA-ES's default ``4 + floor(3 ln n)``.
    sigma : float, default=0.5
        Initial step size.
    mu : int, default=None
        Parents per update; ``None`` gives ``lambda // 2``.

    Notes
    -----
    The initial mean is one draw of the initializer (Glorot-uniform weights
    for networks). For genomes beyond :data:`LARGE_GENOME` parameters, use the
    ``"es"`` strategy: full CMA-ES needs an ``n x n`` covariance matrix and
    its eigendecomposition each generation.

    Examples
    --------
    >>> import numpy as np
    >>> es = CMAES(sigma=1.0)
    >>> rng = np.random.default_rng(0)
    >>> state = es.init(lambda n, rng: np.full((n, 4), 3.0), rng)
    >>> for _ in range(80):
    ...     pop = es.ask(state, rng)
    ...     state = es.tell(state, pop, (pop**2).sum(axis=1), rng)
    >>> bool((es.incumbent(state)[0] ** 2).sum() < 1e-6)
    True
    """

    name = "cmaes"

    def __init__(self, population_size=None, sigma=0.5, mu=None):
        self.population_size = (None if population_size is None
                                else check_int(population_size, "population_size", 2))
        self.sigma = check_positive_float(sigma, "sigma")
        self.mu = None if mu is None else check_int(mu, "mu")
        if self.mu is not None and self.population_size is not None \
                and self.mu > self.population_size:
            raise ValueError(f"mu={mu} cannot exceed population_size={population_size}.")

    def _init(self, initializer, rng):
        centroid = np.asarray(initializer(1, rng), dtype=np.float64)[0]
        n = centroid.shape[0]
        if n > LARGE_GENOME:
            warnings.warn(f"CMA-ES on {n} parameters keeps a {n}x{n} covariance matrix and "
                          f"decomposes it every generation; strategy='es' scales better.",
                          UserWarning, stacklevel=3)
        options = {}
        if self.population_size is not None:
            options["lambda_"] = self.population_size
        if self.mu is not None:
            options["mu"] = self.mu
        return CMAESState(cma=cma.Strategy(centroid=centroid, sigma=self.sigma, **options))

    def _ask(self, state, rng):
        return sample_cma(state.cma, rng)

    def _tell(self, state, population, losses, rng):
        self._check_told(population, (state.cma.lambda_, state.cma.dim))
        update_cma(state.cma, population, losses)
        return state

    def tell_learned(self, state, population, losses, rng):
        """Tell learned networks as external solutions (:func:`clamp_injected`), then update."""
        return self.tell(state, clamp_injected(state.cma, population), losses, rng)

    def incumbent(self, state):
        return np.array(state.cma.centroid, dtype=np.float64), None

    def spread(self, state):
        """The largest standard deviation of the search distribution: ``sigma * sqrt(max eig C)``.

        Examples
        --------
        >>> import numpy as np
        >>> es = CMAES(sigma=0.5)
        >>> state = es.init(lambda n, rng: np.zeros((n, 3)), np.random.default_rng(0))
        >>> es.spread(state)
        0.5
        """
        return float(state.cma.sigma * state.cma.diagD[-1])

    def converged(self, state, tolx):
        """Whether the distribution has collapsed: :meth:`spread` below ``tolx * sigma``.

        The signal of :class:`~evonet.stopping.StepSizeStopping` (the ``TolX``
        criterion of Hansen's CMA-ES, relative to the initial step size
        ``sigma``): samples then differ from the mean by less than that in
        every direction, so further generations cannot move it.

        Examples
        --------
        >>> import numpy as np
        >>> es = CMAES(sigma=0.5)
        >>> state = es.init(lambda n, rng: np.zeros((n, 3)), np.random.default_rng(0))
        >>> es.converged(state, 1e-3), es.converged(state, 2.0)
        (False, True)
        """
        return self.spread(state) < tolx * self.sigma
