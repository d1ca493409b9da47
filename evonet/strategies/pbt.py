"""Population-based training (Jaderberg et al. 2017) as an ask/tell strategy.

A population of networks trains in lock step, each with its own learning
rate, ``alpha`` and Adam state; every *round* is one training interval. The
strategy hands the learning stage of a generation
(:class:`~evonet.evolve.Run`'s ``learner``, a Lamarckian
:class:`~evonet.learning.LifetimeLearner`) a
:class:`~evonet.strategies.plan.LearningPlan` with those settings
(:meth:`PBT.learning_plan`), takes the optimiser state back
(:meth:`PBT.learned`) and is told the trained networks with their losses
(measured on held-out data: the estimators score a validation split). Then the
members whose loss ranks in the worst ``fraction`` copy the weights, the
optimiser state and the hyperparameters of a member drawn from the best
``fraction`` (*exploit*) and multiply each hyperparameter by ``0.8`` or ``1.2``,
or draw it anew from the initial distribution with probability
``resample_probability`` (*explore*). The others keep training as they are.
"""

import math
from dataclasses import dataclass

import numpy as np

from evonet.checks import check_int, check_positive_float
from evonet.nn.optim import AdamState
from evonet.strategies.base import (
    Strategy,
    StrategyState,
    register_strategy,
)
from evonet.strategies.plan import LearningPlan

__all__ = ["PBT", "PBTState"]

PERTURB_FACTORS = (0.8, 1.2)
"""Explore's factors on a copied hyperparameter (Jaderberg et al. 2017)."""

RATE_BOUNDS = (1e-6, 1.0)
ALPHA_BOUNDS = (1e-10, 10.0)
"""Explored learning rates and ``alpha`` stay within these bounds."""


@dataclass(kw_only=True, eq=False)
class PBTState(StrategyState):
    """State of population-based training: the members, their settings and the history.

    Row ``i`` of every ``(P, ...)`` array is member ``i``; each ``history_*``
    array has one row per round told (``(rounds, P)``).

    Attributes
    ----------
    population : ndarray of shape (P, n_params)
        The members' weights (as trained in the last round, after exploit).
    learning_rate, alpha : ndarray of shape (P,)
        Each member's Adam step size and L2 ``alpha`` for the next round.
    adam_m, adam_v : ndarray of shape (P, n_params)
        Adam's moment estimates of each member.
    adam_t : ndarray of shape (P,), int64
        Adam steps each member's state has taken.
    history_learning_rate, history_alpha : ndarray of shape (rounds, P)
        The settings each member trained with in each round.
    history_loss : ndarray of shape (rounds, P)
        Each member's loss after the round (``inf`` for a non-finite one).
    history_parent : ndarray of shape (rounds, P), int64
        The member each member copied after the round (itself if it kept its own).
    """

    population: np.ndarray
    learning_rate: np.ndarray
    alpha: np.ndarray
    adam_m: np.ndarray
    adam_v: np.ndarray
    adam_t: np.ndarray
    history_learning_rate: np.ndarray
    history_alpha: np.ndarray
    history_loss: np.ndarray
    history_parent: np.ndarray


def _check_range(value, name):
    ok = isinstance(value, (tuple, list)) and len(value) == 2 and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        for v in value)
    if not ok or not 0 < value[0] <= value[1]:
        raise ValueError(f"{name} must be a pair (low, high) with 0 < low <= high, got "
                         f"{value!r}.")
    return float(value[0]), float(value[1])


@register_strategy
class PBT(Strategy):
    """Population-based training: rounds of learning, then exploit and explore.

    Parameters
    ----------
    population_size : int, default=8
        Members trained together.
    steps : int, default=5
        Adam steps of every member per round (the training interval after
        which a member is *ready*, Jaderberg et al. 2017).
    learning_rate : tuple of float, default=(3e-4, 1e-2)
        Initial learning rates are log-uniform in this range.
    alpha : tuple of float, default=(1e-2, 1.0)
        Initial L2 ``alpha`` values are log-uniform in this range (the
        estimators' own default ``alpha`` is 1.0). With ``(1e-5, 1e-2)``
        the estimators' PBT reached 0.9722 on digits and R^2 0.9316 on
        make_friedman1 in ``benchmarks/pbt_vs_mlp.py``'s repeated 5-fold CV,
        against 0.9759 and 0.9347 with this range, and level or higher on iris,
        wine, breast_cancer and diabetes.
    fraction : float, default=0.25
        The worst ``fraction`` of the members (at least one) copies a member
        drawn from the best ``fraction``.
    resample_probability : float, default=0.25
        Chance that explore draws a copied hyperparameter anew from its
        initial range instead of multiplying it by 0.8 or 1.2.
    weight_sigma : float, default=0.0
        Standard deviation of Gaussian noise added to the copied weights
        (0: none, as Jaderberg et al.; with it, PBT told no learning is a
        truncation-selection evolution of the weights).

    Examples
    --------
    Told without learning, with noise on the copies, it still minimises:

    >>> import numpy as np
    >>> strategy = PBT(population_size=8, weight_sigma=0.1)
    >>> rng = np.random.default_rng(0)
    >>> state = strategy.init(lambda n, rng: rng.normal(size=(n, 2)), rng)
    >>> for _ in range(100):
    ...     population = strategy.ask(state, rng)
    ...     state = strategy.tell(state, population, (population ** 2).sum(axis=1), rng)
    >>> bool(state.best_loss < 0.05), state.history_loss.shape
    (True, (100, 8))
    >>> strategy.learning_plan(state).steps
    5
    """

    name = "pbt"
    takes_learning = False
    """The estimators' ``learning`` does not combine with PBT, which learns already."""

    def __init__(self, population_size=8, steps=5, learning_rate=(3e-4, 1e-2),
                 alpha=(1e-2, 1.0), fraction=0.25, resample_probability=0.25,
                 weight_sigma=0.0):
        super().__init__(population_size)
        self.steps = check_int(steps, "steps")
        self.learning_rate = _check_range(learning_rate, "learning_rate")
        self.alpha = _check_range(alpha, "alpha")
        self.fraction = check_positive_float(fraction, "fraction")
        if self.fraction > 0.5:
            raise ValueError(f"fraction must be in (0, 0.5], got {fraction!r}.")
        self.resample_probability = check_positive_float(
            resample_probability, "resample_probability", allow_zero=True)
        if self.resample_probability > 1:
            raise ValueError(f"resample_probability must be in [0, 1], got "
                             f"{resample_probability!r}.")
        self.weight_sigma = check_positive_float(weight_sigma, "weight_sigma", allow_zero=True)

    @property
    def learning_steps_per_generation(self):
        """Adam steps every member takes in a generation (a round): ``steps``.

        The estimators, whose PBT patience counts epochs, convert it into
        rounds with it; a strategy that only searches has no such attribute.
        """
        return self.steps

    def _draw(self, bounds, n, rng):
        low, high = np.log(bounds[0]), np.log(bounds[1])
        return np.exp(rng.uniform(low, high, size=n))

    def _init(self, initializer, rng):
        population = np.array(initializer(self.population_size, rng), dtype=np.float64)
        n = len(population)
        empty = np.empty((0, n))
        return PBTState(population=population,
                        learning_rate=self._draw(self.learning_rate, n, rng),
                        alpha=self._draw(self.alpha, n, rng),
                        adam_m=np.zeros_like(population), adam_v=np.zeros_like(population),
                        adam_t=np.zeros(n, dtype=np.int64), history_learning_rate=empty,
                        history_alpha=empty.copy(), history_loss=empty.copy(),
                        history_parent=np.empty((0, n), dtype=np.int64))

    def _ask(self, state, rng):
        return state.population.copy()

    def learning_plan(self, state):
        """The settings and Adam state of every member for one round (``steps`` steps)."""
        return LearningPlan(learning_rate=state.learning_rate.copy(), alpha=state.alpha.copy(),
                            steps=self.steps, optimizer_state=AdamState(
                                m=state.adam_m.copy(), v=state.adam_v.copy(),
                                t=state.adam_t.copy()))

    def learned(self, state, plan):
        """Keep the members' Adam state after the round's steps."""
        adam = plan.optimizer_state
        state.adam_m, state.adam_v = np.array(adam.m, dtype=np.float64), np.array(adam.v)
        state.adam_t = np.array(adam.t, dtype=np.int64)
        return state

    def _tell(self, state, population, losses, rng):
        population = np.array(population, dtype=np.float64)
        n = len(population)
        order = np.argsort(losses, kind="stable")
        cut = max(1, int(self.fraction * n))
        worst = np.sort(order[n - cut:])
        parent = np.arange(n)
        parent[worst] = rng.choice(order[:cut], size=cut)
        state.history_learning_rate = np.vstack([state.history_learning_rate,
                                                 state.learning_rate])
        state.history_alpha = np.vstack([state.history_alpha, state.alpha])
        state.history_loss = np.vstack([state.history_loss, losses])
        state.history_parent = np.vstack([state.history_parent, parent])
        # exploit: the worst members take over everything of their parents
        state.population = population[parent]
        state.adam_m, state.adam_v = state.adam_m[parent], state.adam_v[parent]
        state.adam_t = state.adam_t[parent]
        state.learning_rate = self._explore(state.learning_rate[parent], worst,
                                            self.learning_rate, RATE_BOUNDS, rng)
        state.alpha = self._explore(state.alpha[parent], worst, self.alpha, ALPHA_BOUNDS, rng)
        if self.weight_sigma > 0:
            state.population[worst] += self.weight_sigma * rng.normal(
                size=(cut, population.shape[1]))
        return state

    def _explore(self, values, members, initial, bounds, rng):
        """``values`` with those of ``members`` perturbed or drawn anew."""
        values = values.copy()
        factors = rng.choice(PERTURB_FACTORS, size=len(members))
        resample = rng.random(len(members)) < self.resample_probability
        fresh = self._draw(initial, len(members), rng)
        values[members] = np.clip(np.where(resample, fresh, values[members] * factors),
                                  *bounds)
        return values

    def history(self, state):
        """Each member's hyperparameter history: a dict of ``(rounds, P)`` arrays.

        ``learning_rate`` and ``alpha`` (the settings member ``i`` trained
        with in round ``r``: ``[r, i]``), ``loss`` (its loss after the round)
        and ``parent`` (the member it copied after the round, ``i`` if none).
        """
        return {"learning_rate": state.history_learning_rate.copy(),
                "alpha": state.history_alpha.copy(), "loss": state.history_loss.copy(),
                "parent": state.history_parent.copy()}
