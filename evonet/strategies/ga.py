"""Generational, elitist genetic algorithm on a ``(P, n_params)`` population array."""

from dataclasses import dataclass

import numpy as np

from evonet.checks import check_int, check_positive_float
from evonet.operators import gaussian_mutation, tournament_indices
from evonet.operators.checks import check_probability
from evonet.operators.crossover import blend_crossover, sbx_crossover, uniform_crossover
from evonet.strategies.base import (
    Strategy,
    StrategyState,
    register_strategy,
)

__all__ = ["GA", "GAState"]

_CROSSOVERS = {
    "blend": (blend_crossover, 0.5),
    "sbx": (sbx_crossover, 15.0),
    "uniform": (uniform_crossover, 0.5),
}


@dataclass(kw_only=True, eq=False, repr=False)
class GAState(StrategyState):
    """State of :class:`GA`: the population told last and its losses.

    Attributes
    ----------
    population : ndarray of shape (P, n_params)
        The initial population until the first ``tell``, then the last one told.
    losses : ndarray of shape (P,) or None
        Its losses (``None`` before the first ``tell``).
    """

    population: np.ndarray
    losses: np.ndarray | None = None


@register_strategy
class GA(Strategy):
    """Generational genetic algorithm with elitism, on whole population arrays.

    Each generation keeps the ``n_elite`` best individuals unchanged, picks
    parents for the others by tournament, mates consecutive pairs with
    probability ``crossover_rate`` and adds Gaussian noise to each gene with
    probability ``mutation_rate``: the population-level operators of
    :mod:`evonet.operators`, with no Python loop over individuals.

    Parameters
    ----------
    population_size : int, default=100
    n_elite : int, default=None
        Best individuals copied unchanged into the next generation (they are
        evaluated again, so a minibatch never makes a stale score immortal);
        ``None``: 2, or 1 in a population of 2. At least one child a
        generation: ``n_elite < population_size``.
    tournsize : int, default=3
    crossover : {"blend", "sbx", "uniform"}, default="blend"
    crossover_rate : float, default=0.5
        Probability that a pair of parents is mated.
    crossover_param : float, default=None
        ``alpha`` of blend (0.5), ``eta`` of SBX (15) or ``indpb`` of uniform (0.5).
    mutation_sigma : float, default=0.1
        Scale of the Gaussian mutation.
    mutation_rate : float, default=None
        Per-gene mutation probability; ``None`` means ``min(1, 10 / n_params)``
        (about ten mutated genes per child).

    Examples
    --------
    >>> import numpy as np
    >>> ga = GA(population_size=40, mutation_sigma=0.3)
    >>> rng = np.random.default_rng(0)
    >>> state = ga.init(lambda n, rng: rng.normal(size=(n, 2)) + 3.0, rng)
    >>> for _ in range(60):
    ...     pop = ga.ask(state, rng)
    ...     state = ga.tell(state, pop, (pop**2).sum(axis=1), rng)
    >>> bool(state.best_loss < 0.01)
    True
    """

    name = "ga"

    def __init__(self, population_size=100, n_elite=None, tournsize=3, crossover="blend",
                 crossover_rate=0.5, crossover_param=None, mutation_sigma=0.1,
                 mutation_rate=None):
        super().__init__(population_size)
        self.n_elite = min(2, self.population_size - 1) if n_elite is None \
            else check_int(n_elite, "n_elite", 0)
        if self.n_elite >= self.population_size:
            raise ValueError(f"n_elite={n_elite} must be smaller than population_size="
                             f"{population_size}.")
        self.tournsize = check_int(tournsize, "tournsize")
        if crossover not in _CROSSOVERS:
            raise ValueError(f"crossover={crossover!r} is not supported; choose one of "
                             f"{list(_CROSSOVERS)}.")
        self.crossover = crossover
        self.crossover_rate = check_probability(crossover_rate, "crossover_rate")
        self.crossover_param = crossover_param
        self.mutation_sigma = check_positive_float(mutation_sigma, "mutation_sigma",
                                                   allow_zero=True)
        self.mutation_rate = (None if mutation_rate is None
                              else check_probability(mutation_rate, "mutation_rate"))

    def _init(self, initializer, rng):
        population = np.asarray(initializer(self.population_size, rng), dtype=np.float64)
        return GAState(population=population)

    def _ask(self, state, rng):
        if state.losses is None:
            return state.population.copy()
        P, n_params = state.population.shape
        order = np.argsort(state.losses, kind="stable")
        elites = state.population[order[: self.n_elite]]
        n_children = self.population_size - self.n_elite
        n_pairs = (n_children + 1) // 2
        parents = state.population[
            tournament_indices(state.losses, 2 * n_pairs, self.tournsize, rng)
        ]
        first, second = parents[0::2], parents[1::2]
        operator, default = _CROSSOVERS[self.crossover]
        param = default if self.crossover_param is None else self.crossover_param
        child_a, child_b = operator(first, second, param, rng)
        mate = rng.random(n_pairs) < self.crossover_rate
        child_a = np.where(mate[:, None], child_a, first)
        child_b = np.where(mate[:, None], child_b, second)
        children = np.concatenate([child_a, child_b])[:n_children]
        rate = min(1.0, 10.0 / n_params) if self.mutation_rate is None else self.mutation_rate
        children = gaussian_mutation(children, self.mutation_sigma, rate, rng)
        return np.concatenate([elites, children])

    def _tell(self, state, population, losses, rng):
        self._check_told(population, (self.population_size, state.population.shape[1]))
        state.population = np.asarray(population, dtype=np.float64)
        state.losses = losses
        return state

    def incumbent(self, state):
        if state.losses is None:
            return state.best_params, state.best_loss
        best = int(np.argmin(state.losses))
        return state.population[best].copy(), float(state.losses[best])
