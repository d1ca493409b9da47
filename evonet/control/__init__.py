"""Control tasks: pole balancing in NumPy, gymnasium environments, policy search."""

from evonet.control.pole import TASKS, PoleBalancing, damping_fitness, make_task
from evonet.control.policies import MLPPolicy, RecurrentPolicy
from evonet.control.rollout import RolloutResult, rollout
from evonet.control.scalar import make_scalar_step, simulate_scalar

__all__ = ["TASKS", "MLPPolicy", "PoleBalancing", "RecurrentPolicy", "RolloutResult",
           "damping_fitness", "make_scalar_step", "make_task", "rollout", "simulate_scalar"]
