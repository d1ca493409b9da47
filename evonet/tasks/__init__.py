"""Control tasks simulated in NumPy and the policy networks that act in them.

The pole-balancing benchmark (one or two poles, with or without velocities,
steps or damping fitness) is simulated for many carts at once
(:class:`PoleBalancing`, :func:`rollout`), with a scalar path for long single
runs (:func:`simulate_scalar`); :class:`GymEnvironment` adapts a gymnasium
environment. Policies (:class:`MLPPolicy`, :class:`RecurrentPolicy`,
:class:`NeatPolicy`) map observations to actions for a whole population at
once. This package knows nothing of fitness, strategies or runs: the problems
that score populations on these tasks are in :mod:`evonet.problems`, the
policy search in :mod:`evonet.control`.
"""

from evonet.tasks.envs import make_env
from evonet.tasks.gym import SEED_BOUND, GymEnvironment
from evonet.tasks.pole import TASKS, PoleBalancing, damping_fitness, make_task
from evonet.tasks.policies import MLPPolicy, NeatPolicy, RecurrentPolicy, make_policy, select
from evonet.tasks.rollout import RolloutResult, rollout
from evonet.tasks.scalar import make_scalar_step, simulate_scalar
from evonet.tasks.trace import trajectory

__all__ = ["SEED_BOUND", "TASKS", "GymEnvironment", "MLPPolicy", "NeatPolicy", "PoleBalancing",
           "RecurrentPolicy", "RolloutResult", "damping_fitness", "make_env", "make_policy",
           "make_scalar_step", "make_task", "rollout", "select", "simulate_scalar", "trajectory"]
