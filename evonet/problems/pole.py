"""Problems for the run loop: a population scored by balancing poles.

:class:`PoleBalancingProblem` follows the
:class:`~evonet.problems.base.Problem` protocol (``evaluate(population, rows)``
returning float64 losses, ``chunk_size``, ``n_samples``, ``make_sampler``), so
every strategy, the :class:`~evonet.evaluation.Evaluator` and
:func:`~evonet.evolve.evolve` use it unchanged. The loss is minus the
fitness: minus the steps balanced, or minus the damping fitness.
"""

import numpy as np

from evonet.tasks.pole import (
    GENERALIZATION_REQUIRED,
    GENERALIZATION_STEPS,
    SUCCESS_STEPS,
    make_task,
)
from evonet.tasks.rollout import SCALAR_BELOW, rollout

__all__ = ["FixedSampler", "PoleBalancingProblem", "generalization_test", "success_test"]


class FixedSampler:
    """Sampler of a problem scored on the same data every generation: always ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> FixedSampler().next(np.random.default_rng(0)) is None
    True
    """

    full = True

    def next(self, rng):
        """What the next generation is scored on: the problem's fixed trial."""
        return None


class PoleBalancingProblem:
    """Score networks by balancing poles from the standard start (loss = -fitness).

    Parameters
    ----------
    task : PoleBalancing or str
        A task or a name from :data:`~evonet.tasks.TASKS`.
    policy : MLPPolicy or RecurrentPolicy
        Its inputs must match ``task.n_observations`` and it has one output.
    max_steps : int, default=None
        Trial length; ``task.max_steps`` (100,000, or 1,000 for damping).
    chunk_size : int, default=64
        Networks per chunk of the :class:`~evonet.evaluation.Evaluator`; a
        larger chunk is stepped as one larger batch.
    scalar_below : int, default=SCALAR_BELOW
        See :func:`~evonet.tasks.rollout.rollout`.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.tasks import MLPPolicy
    >>> problem = PoleBalancingProblem("1-markov", MLPPolicy(4, (), bias=False), max_steps=500)
    >>> problem.evaluate(np.array([[0.0, 0.0, 0.0, 0.0], [0.5, 1.0, 5.0, 1.0]]))
    array([ -22., -500.])
    """

    n_samples = 1

    def __init__(self, task, policy, max_steps=None, chunk_size=64, scalar_below=SCALAR_BELOW):
        self.task = make_task(task)
        if policy.n_inputs != self.task.n_observations or policy.n_outputs != 1:
            raise ValueError(f"the policy maps {policy.n_inputs} inputs to {policy.n_outputs} "
                             f"outputs but {self.task!r} gives {self.task.n_observations} "
                             f"observations and takes 1 output (the force).")
        self.policy = policy
        self.max_steps = self.task.max_steps if max_steps is None else int(max_steps)
        if self.max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps!r}.")
        self.chunk_size = int(chunk_size)
        self.scalar_below = int(scalar_below)

    @property
    def n_params(self):
        """Length of a genome of this problem."""
        return self.policy.n_params

    def make_sampler(self, batch_size=None):
        """Every generation runs the same deterministic trial: a :class:`FixedSampler`."""
        return FixedSampler()

    def fitness(self, population):
        """Steps balanced, or the damping fitness, of each network (higher is better)."""
        result = rollout(self.task, self.policy, population, max_steps=self.max_steps,
                         damping=self.task.fitness == "damping", scalar_below=self.scalar_below)
        if self.task.fitness == "damping":
            return result.damping(self.max_steps)[:, 0]
        return result.steps[:, 0].astype(np.float64)

    def evaluate(self, population, rows=None):
        """Losses ``-fitness`` of a ``(P, n_params)`` population (``rows`` is ignored)."""
        return -self.fitness(population)


def success_test(task, policy, weights, max_steps=SUCCESS_STEPS):
    """Whether networks balance ``max_steps`` steps from the standard start.

    A single network runs on the scalar path (seconds for 100,000 steps).
    ``weights`` may be one genome (a bool is returned) or a ``(P, n_params)``
    population (a boolean array).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.tasks import MLPPolicy
    >>> success_test("1-markov", MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], 5000)
    True
    """
    task = make_task(task)
    steps = rollout(task, policy, policy.check_population(weights), max_steps=max_steps).steps
    passed = steps[:, 0] >= max_steps
    return bool(passed[0]) if policy.is_one(weights) else passed


def generalization_test(task, policy, weights, max_steps=GENERALIZATION_STEPS,
                        required=GENERALIZATION_REQUIRED):
    """How many of the 625 generalisation starts each network balances for 1,000 steps.

    A network is dropped early, with a count below ``required``, once more
    than ``625 - required`` of its starts have failed. ``weights`` may be one
    genome (an int is returned) or a ``(P, n_params)`` population (an array).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.tasks import RecurrentPolicy
    >>> policy = RecurrentPolicy(3, 1, bias=False)
    >>> generalization_test("2-damping", policy, np.zeros(policy.n_params))
    0
    """
    task = make_task(task)
    starts = task.generalization_starts()
    population = policy.check_population(weights)
    result = rollout(task, policy, population, starts=starts, max_steps=max_steps,
                     give_up_after=len(starts) - required)
    counts = (result.steps >= max_steps).sum(axis=1)
    return int(counts[0]) if policy.is_one(weights) else counts
