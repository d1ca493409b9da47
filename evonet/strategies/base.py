"""The ask/tell strategy base class and the registry of strategies by name.

A strategy object holds only fixed settings, made in ``__init__`` and never
changed by ``ask`` or ``tell``. Everything that changes from one generation to
the next lives in a small typed dataclass, a subclass of :class:`StrategyState`
per algorithm, that :meth:`Strategy.init` creates and :meth:`Strategy.tell`
returns (as evosax's ``algorithms/base.py`` does). Its fields are arrays,
numbers, lists and a few known classes, so it pickles and :mod:`evonet.io`
writes it into checkpoints, field by field, without pickle. The base class
keeps the bookkeeping every strategy shares (generation count, best individual
told so far, NaN losses counted as the worst) so that each algorithm only fills
in ``_init``, ``_ask`` and ``_tell``.
"""

import inspect
import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from evonet.checks import check_int
from evonet.genome.types import copy_individual
from evonet.strategies.shaping import nan_as_worst

__all__ = ["STEP_SIZES", "STRATEGIES", "Strategy", "StrategyState", "get_strategy",
           "register_strategy", "scaled_step_sizes"]

STEP_SIZES = ("sigma", "learning_rate", "mutation_sigma")
"""Strategy settings that are step sizes in weight units (see :func:`scaled_step_sizes`)."""

STRATEGIES = {}
"""Strategy name -> class; fills as strategy modules are imported."""


def register_strategy(cls):
    """Class decorator adding a :class:`Strategy` subclass to :data:`STRATEGIES`.

    Examples
    --------
    >>> sorted(STRATEGIES)[:2]
    ['cmaes', 'es']
    """
    if not cls.name or cls.name in STRATEGIES:
        raise ValueError(f"strategy name {cls.name!r} is empty or already registered.")
    STRATEGIES[cls.name] = cls
    return cls


def scaled_step_sizes(name, factor):
    """The step-size settings of strategy ``name`` (:data:`STEP_SIZES`): defaults times ``factor``.

    Examples
    --------
    >>> scaled_step_sizes("es", 0.5)
    {'sigma': 0.025, 'learning_rate': 0.005}
    >>> scaled_step_sizes("cmaes", 1.0)
    {}
    """
    if factor == 1.0 or name not in STRATEGIES:
        return {}  # the defaults as they are (their own values, bit for bit)
    parameters = inspect.signature(STRATEGIES[name].__init__).parameters
    return {key: parameters[key].default * factor for key in STEP_SIZES
            if key in parameters and isinstance(parameters[key].default, numbers.Real)}


def get_strategy(name, **settings):
    """Make the registered strategy called ``name`` with ``settings``.

    Examples
    --------
    >>> get_strategy("ga", population_size=20).population_size
    20
    """
    if not isinstance(name, str) or name not in STRATEGIES:
        raise ValueError(f"strategy={name!r} is not supported; choose one of "
                         f"{sorted(STRATEGIES)}.")
    return STRATEGIES[name](**settings)


@dataclass(kw_only=True, eq=False)
class StrategyState:
    """Evolving state of a run, the fields every strategy's state shares.

    Each strategy's state is a dataclass subclassing this one with the
    fields of its algorithm (``GAState``, ``OpenESState``, ``CMAESState``,
    ``RestartCMAESState``, ``NEATState``); all fields are keywords.

    Attributes
    ----------
    generation : int
        Generations told so far.
    best_params : object or None
        The individual with the lowest loss told so far (on the data it was
        scored on, which may be a minibatch).
    best_loss : float
        Its loss (``inf`` before the first ``tell``).

    Examples
    --------
    >>> StrategyState()
    StrategyState(best_loss, best_params, generation)
    """

    generation: int = 0
    best_params: Any = None
    best_loss: float = math.inf

    def __repr__(self):
        names = ", ".join(sorted(self.__dict__))
        return f"{type(self).__name__}({names})"




class Strategy:
    """Base class of ask/tell strategies that minimise a loss.

    Subclasses set ``name`` and implement ``_init(initializer, rng)`` (returning
    its :class:`StrategyState` subclass), ``_ask(state, rng)`` (returning a population) and
    ``_tell(state, population, losses, rng)``; they may override
    ``incumbent``. Populations are ``(P, n_params)`` arrays for weight
    strategies (or lists of genomes for topology strategies).

    Parameters
    ----------
    population_size : int
        Individuals per generation.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.strategies import get_strategy
    >>> strategy = get_strategy("es", population_size=20, sigma=0.1, learning_rate=0.1)
    >>> rng = np.random.default_rng(0)
    >>> state = strategy.init(lambda n, rng: rng.normal(size=(n, 3)), rng)
    >>> for _ in range(200):
    ...     population = strategy.ask(state, rng)
    ...     state = strategy.tell(state, population, (population**2).sum(axis=1), rng)
    >>> bool((strategy.incumbent(state)[0] ** 2).sum() < 0.05)
    True
    """

    name = None

    def __init__(self, population_size=50):
        self.population_size = check_int(population_size, "population_size", 2)

    def __repr__(self):
        settings = ", ".join(f"{k}={v!r}" for k, v in sorted(vars(self).items())
                             if not k.startswith("_"))  # caches are not settings
        return f"{type(self).__name__}({settings})"

    def init(self, initializer, rng):
        """Create the state of a new run.

        Parameters
        ----------
        initializer : callable
            ``initializer(n, rng)`` returns ``n`` random initial individuals
            (an ``(n, n_params)`` array for weight strategies).
        rng : numpy.random.Generator

        Returns
        -------
        StrategyState
            The strategy's own state dataclass.
        """
        return self._init(initializer, rng)

    def ask(self, state, rng):
        """The population to evaluate next (never modifies ``state``'s history)."""
        return self._ask(state, rng)

    def tell(self, state, population, losses, rng):
        """The state after the losses of the population from :meth:`ask`.

        Continue with the returned state: the one passed in may have been
        updated in place (CMA-ES updates DEAP's strategy object, NEAT its
        species and innovation registry), so it is not kept as history.
        ``population`` must be what :meth:`ask` returned (learned values aside,
        see :meth:`tell_learned`); the strategies whose state fixes its shape
        (ES, GA, CMA-ES) refuse another one.
        """
        losses = np.asarray(losses, dtype=np.float64)
        if losses.shape != (len(population),):
            raise ValueError(f"losses must have shape ({len(population)},), got {losses.shape}.")
        losses = nan_as_worst(losses)
        best = int(np.argmin(losses))
        # the first generation's best is kept even if every loss was inf or NaN (a run
        # that diverged at once): there is always a network to return and to check
        if losses[best] < state.best_loss or state.best_params is None:
            state.best_loss = float(losses[best])
            state.best_params = copy_individual(population[best])
        state = self._tell(state, population, losses, rng)
        state.generation += 1
        return state

    takes_learned = True
    """Whether :meth:`tell_learned` takes networks changed after :meth:`ask` (Lamarckian
    learning); a strategy that can only be told its own samples sets it to ``False``."""

    @staticmethod
    def _check_told(population, shape):
        """Raise ``ValueError`` unless ``population`` has ``shape`` (the one ask gives)."""
        if np.shape(population) != tuple(shape):
            raise ValueError(f"population must be what ask returned, of shape {tuple(shape)}, "
                             f"got shape {np.shape(population)}.")

    def tell_learned(self, state, population, losses, rng):
        """The state after the losses of networks that learned after :meth:`ask`.

        Lamarckian learning (:class:`~evonet.evolve.Run` with a Lamarckian
        learner) tells the strategy the learned networks through this hook,
        not through :meth:`tell`: a strategy that models where its samples
        come from (CMA-ES) treats them as external solutions here. By default
        it is :meth:`tell` (a GA or NEAT keeps whatever it is told).
        """
        if not self.takes_learned:
            raise ValueError(f"strategy {self.name!r} cannot be told learned networks "
                             f"(Lamarckian learning); use Baldwinian learning.")
        return self.tell(state, population, losses, rng)

    def learning_plan(self, state):
        """What the learning stage of a generation needs from the strategy (``None``).

        A strategy whose individuals carry their own learning settings (per
        network learning rates and optimiser states, say) returns them here;
        :class:`~evonet.evolve.Run` hands the plan to its learner and the
        updated plan back to :meth:`learned`.
        """
        return None

    def learned(self, state, plan):
        """The state after the learning stage updated ``plan`` (unchanged by default)."""
        return state

    def stalled(self, state):
        """Whether the strategy changes its search when the run stops improving.

        A patience rule (:class:`~evonet.stopping.NoImprovementStopping`)
        calls this when its patience runs out; ``True`` (the strategy
        changed ``state``, a smaller step say) lets the run go on with fresh
        patience. ``False`` by default: the run stops.

        Examples
        --------
        >>> get_strategy("ga").stalled(StrategyState())
        False
        """
        return False

    def stalls_left(self, state):
        """How many more times :meth:`stalled` would let the run go on (0 by default).

        Examples
        --------
        >>> import numpy as np
        >>> es = get_strategy("es", adaptive_steps=2)
        >>> state = es.init(lambda n, rng: np.zeros((n, 3)), np.random.default_rng(0))
        >>> es.stalls_left(state), es.stalled(state), es.stalls_left(state)
        (2, True, 1)
        """
        return 0

    def logbook_entries(self, state):
        """What the strategy adds to the logbook record of the generation just told.

        A dict of flat ``str -> int or float`` entries (none by default; NEAT
        records its species' sizes); read only, it never changes ``state``.

        Examples
        --------
        >>> get_strategy("ga").logbook_entries(StrategyState())
        {}
        """
        return {}

    def incumbent(self, state):
        """The model the run would return now, and the loss it was told, if any.

        Returns ``(params, told_loss)``: ``told_loss`` is the loss this exact
        individual was given in a ``tell`` (on whatever rows were used), or
        ``None`` when it was never evaluated (a distribution mean, say). The
        base class returns the best individual told so far.
        """
        return state.best_params, state.best_loss

    def _init(self, initializer, rng):
        raise NotImplementedError

    def _ask(self, state, rng):
        raise NotImplementedError

    def _tell(self, state, population, losses, rng):
        raise NotImplementedError
