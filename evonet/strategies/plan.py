"""What a strategy hands the learning stage of a generation: a :class:`LearningPlan`.

Most strategies hand none (:meth:`~evonet.strategies.Strategy.learning_plan`
returns ``None``), and a learner (:class:`~evonet.learning.LifetimeLearner`)
then trains every network with its own fixed settings and a fresh optimiser
state. A strategy whose networks carry their own learning settings
(population-based training: per-network learning rates and ``alpha``, and an
optimiser state that lives on from one generation to the next) hands a plan,
and gets it back with the optimiser state after the steps.
"""

from dataclasses import dataclass, replace

import numpy as np

from evonet.checks import check_int
from evonet.nn.optim import AdamState, check_learning_rate, take_rows

__all__ = ["LearningPlan"]


@dataclass(eq=False)
class LearningPlan:
    """Per-network learning settings and optimiser state for one learning stage.

    Row ``i`` of every array belongs to network ``i`` of the population the
    plan goes with.

    Attributes
    ----------
    learning_rate : ndarray of shape (P,)
        Adam's step size of each network (positive).
    alpha : ndarray of shape (P,)
        The L2 term's ``alpha`` of each network (non-negative), in place of
        the problem's.
    steps : int
        Minibatch steps every network takes (at least 1).
    optimizer_state : AdamState or None, default=None
        The Adam state to continue from (one row per network); ``None``: a
        fresh one. A learner returns the plan with the state after the steps.

    Examples
    --------
    >>> import numpy as np
    >>> plan = LearningPlan.uniform(3, learning_rate=0.01, alpha=1e-4, steps=5)
    >>> plan.learning_rate, plan.steps, plan.optimizer_state is None
    (array([0.01, 0.01, 0.01]), 5, True)
    >>> plan.take([2, 2, 0]).alpha
    array([0.0001, 0.0001, 0.0001])
    """

    learning_rate: np.ndarray
    alpha: np.ndarray
    steps: int
    optimizer_state: AdamState | None = None

    @classmethod
    def uniform(cls, n_networks, learning_rate=1e-3, alpha=0.0, steps=10):
        """A plan giving ``n_networks`` networks the same settings and a fresh state."""
        return cls(learning_rate=np.full(n_networks, float(learning_rate)),
                   alpha=np.full(n_networks, float(alpha)), steps=steps).checked(n_networks)

    @property
    def n_networks(self):
        """Networks the plan is for (``len(learning_rate)``)."""
        return int(np.shape(self.learning_rate)[0]) if np.ndim(self.learning_rate) else 0

    def checked(self, n_networks):
        """The plan with float64 arrays, or ``ValueError`` unless it fits ``n_networks`` networks.

        Examples
        --------
        >>> LearningPlan([0.1, 0.2], [0.0, 0.0], 3).checked(2).learning_rate
        array([0.1, 0.2])
        >>> LearningPlan([0.1], [0.0], 3).checked(2)
        Traceback (most recent call last):
        ...
        ValueError: plan.learning_rate must be a number or an array of shape (2,), got shape (1,).
        """
        rate = check_learning_rate(self.learning_rate, n_networks, "plan.learning_rate")[:, 0]
        alpha = np.asarray(self.alpha, dtype=np.float64)
        if alpha.shape != (n_networks,) or not (np.isfinite(alpha).all() and (alpha >= 0).all()):
            raise ValueError(f"plan.alpha must be an array of shape ({n_networks},) of "
                             f"non-negative numbers, got {self.alpha!r}.")
        steps = check_int(self.steps, "plan.steps")
        state = self.optimizer_state
        if state is not None and not (isinstance(state, AdamState)
                                      and state.t.shape == (n_networks,)):
            raise ValueError(f"plan.optimizer_state must be None or an AdamState of "
                             f"{n_networks} networks, got {type(state).__name__}.")
        return replace(self, learning_rate=rate, alpha=alpha, steps=steps)

    def take(self, index):
        """The plan whose row ``i`` is row ``index[i]`` of this one (copies; for exploit steps)."""
        index = np.asarray(index, dtype=np.intp)
        state = self.optimizer_state
        return replace(self, learning_rate=np.array(self.learning_rate[index]),
                       alpha=np.array(self.alpha[index]),
                       optimizer_state=None if state is None else take_rows(state, index))
