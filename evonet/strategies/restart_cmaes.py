"""CMA-ES restarted when it stagnates (Auger & Hansen 2005), for multimodal control tasks."""

import math
from dataclasses import dataclass

import numpy as np
from deap import cma

from evonet.checks import check_int, check_positive_float
from evonet.strategies.base import (
    Strategy,
    StrategyState,
    register_strategy,
)
from evonet.strategies.cmaes import clamp_injected, sample_cma, update_cma

__all__ = ["RestartCMAES", "RestartCMAESState"]


@dataclass(kw_only=True, eq=False, repr=False)
class RestartCMAESState(StrategyState):
    """State of :class:`RestartCMAES`.

    Attributes
    ----------
    cma : deap.cma.Strategy
        The current restart's DEAP strategy object.
    x0 : ndarray of shape (n_params,)
        The initial mean every restart starts from.
    lambda_ : int
        Population size of the current restart.
    restarts : int
        Restarts so far.
    restart_best : float
        Best loss of the current restart.
    stale : int
        Generations since ``restart_best`` last improved.
    """

    cma: cma.Strategy
    x0: np.ndarray
    lambda_: int
    restarts: int = 0
    restart_best: float = math.inf
    stale: int = 0


@register_strategy
class RestartCMAES(Strategy):
    """CMA-ES that starts afresh from the initial mean when a run stagnates.

    Within a restart this is the ``"cmaes"`` strategy: DEAP's
    :class:`deap.cma.Strategy` updates, sampling ``x_k = m + sigma * B D z_k``
    from the run's generator (Hansen 2016, Eq. 38). A restart begins when
    the best loss of the current restart has not improved for ``patience``
    generations, when the search has collapsed
    (``sigma * max(sqrt(diag C)) < tol_x * sigma_0``) or when the covariance
    has degenerated (condition number above ``1e14``, non-finite values).
    It restarts from the initial mean with the initial step size, its
    population multiplied by ``popsize_factor`` (2 gives IPOP-CMA-ES, Auger &
    Hansen 2005; 1 gives plain restarts).

    Parameters
    ----------
    population_size : int, default=None
        ``lambda`` of the first restart; ``None`` gives ``4 + floor(3 ln n)``.
    sigma : float, default=0.5
        Initial step size of every restart.
    mu : int, default=None
        Parents per update; ``None`` gives ``lambda // 2``.
    popsize_factor : float, default=2.0
        Growth of ``lambda`` at each restart.
    patience : int, default=None
        Generations without improvement before a restart; ``None`` gives
        Hansen's ``10 + ceil(30 n / lambda)``.
    tol_x : float, default=1e-8
        Relative collapse of the search distribution that triggers a restart.

    Notes
    -----
    The incumbent is the best individual told so far (with the loss it was
    told), not the distribution mean, which a restart moves back to the start.

    Examples
    --------
    >>> import numpy as np
    >>> es = RestartCMAES(sigma=1.0, popsize_factor=1.0)
    >>> rng = np.random.default_rng(0)
    >>> state = es.init(lambda n, rng: np.full((n, 3), 2.0), rng)
    >>> for _ in range(300):       # converges, collapses below tol_x, restarts
    ...     pop = es.ask(state, rng)
    ...     state = es.tell(state, pop, (pop**2).sum(axis=1), rng)
    >>> state.restarts >= 1, bool(es.incumbent(state)[1] < 1e-12)
    (True, True)
    """

    name = "ipop-cmaes"

    def __init__(self, population_size=None, sigma=0.5, mu=None, popsize_factor=2.0,
                 patience=None, tol_x=1e-8):
        self.population_size = (None if population_size is None
                                else check_int(population_size, "population_size", 2))
        self.sigma = check_positive_float(sigma, "sigma")
        self.mu = None if mu is None else check_int(mu, "mu")
        if self.mu is not None and self.population_size is not None \
                and self.mu > self.population_size:
            raise ValueError(f"mu={mu} cannot exceed population_size={population_size}.")
        self.popsize_factor = check_positive_float(popsize_factor, "popsize_factor")
        if self.popsize_factor < 1:
            raise ValueError(f"popsize_factor must be >= 1, got {popsize_factor!r}.")
        self.patience = None if patience is None else check_int(patience, "patience")
        self.tol_x = check_positive_float(tol_x, "tol_x")

    def _new_cma(self, centroid, lambda_):
        options = {"lambda_": int(lambda_)}
        if self.mu is not None:
            options["mu"] = min(self.mu, int(lambda_))
        return cma.Strategy(centroid=np.array(centroid, dtype=np.float64), sigma=self.sigma,
                            **options)

    def _init(self, initializer, rng):
        x0 = np.asarray(initializer(1, rng), dtype=np.float64)[0].copy()
        n = x0.shape[0]
        lambda_ = self.population_size or 4 + int(3 * math.log(n))
        return RestartCMAESState(cma=self._new_cma(x0, lambda_), x0=x0, lambda_=lambda_)

    def _ask(self, state, rng):
        return sample_cma(state.cma, rng)

    def tell_learned(self, state, population, losses, rng):
        """Tell learned networks as external solutions (see ``cmaes.clamp_injected``)."""
        return self.tell(state, clamp_injected(state.cma, population), losses, rng)

    def _tell(self, state, population, losses, rng):
        self._check_told(population, (state.cma.lambda_, state.cma.dim))
        update_cma(state.cma, population, losses)
        best = float(np.min(losses))
        if best < state.restart_best:
            state.restart_best = best
            state.stale = 0
        else:
            state.stale += 1
        if self._stagnated(state):
            state.restarts += 1
            state.lambda_ = int(round(state.lambda_ * self.popsize_factor))
            state.cma = self._new_cma(state.x0, state.lambda_)
            state.restart_best = np.inf
            state.stale = 0
        return state

    def _stagnated(self, state):
        es = state.cma
        n = es.dim
        patience = self.patience or 10 + math.ceil(30 * n / es.lambda_)
        if state.stale >= patience:
            return True
        if not (np.isfinite(es.C).all() and np.isfinite(es.centroid).all()
                and np.isfinite(es.sigma)):
            return True
        if es.sigma * math.sqrt(float(np.max(np.diag(es.C)))) < self.tol_x * self.sigma:
            return True
        diag = es.diagD
        return bool(np.min(diag) <= 0 or (np.max(diag) / np.min(diag)) ** 2 > 1e14)
