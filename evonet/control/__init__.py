"""Control tasks: pole balancing in NumPy, gymnasium environments, policy search.

The pole-balancing benchmark (one or two poles, with or without velocities,
steps or damping fitness) is simulated for many carts at once
(:class:`PoleBalancing`, :func:`rollout`), with a scalar path for long single
runs; :class:`PoleBalancingProblem` and :class:`GymProblem` score populations
for any strategy; :func:`evolve_policy` runs the search and returns an
:class:`EvolvedPolicy`.
"""

from evonet.control.evolved import EvolvedPolicy
from evonet.control.gif import save_gif
from evonet.control.gym import GymEnvironment, GymProblem
from evonet.control.pole import TASKS, PoleBalancing, damping_fitness, make_task
from evonet.control.policies import MLPPolicy, NeatPolicy, RecurrentPolicy, make_policy
from evonet.control.problems import PoleBalancingProblem, generalization_test, success_test
from evonet.control.rollout import RolloutResult, rollout
from evonet.control.scalar import make_scalar_step, simulate_scalar
from evonet.control.search import evolve_policy
from evonet.control.trace import trajectory

__all__ = ["TASKS", "EvolvedPolicy", "GymEnvironment", "GymProblem", "MLPPolicy",
           "NeatPolicy", "PoleBalancing", "PoleBalancingProblem", "RecurrentPolicy",
           "RolloutResult", "damping_fitness", "evolve_policy", "generalization_test",
           "make_policy", "make_task", "make_scalar_step", "rollout", "save_gif",
           "simulate_scalar", "success_test", "trajectory"]
