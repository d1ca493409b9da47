"""Policy search on control tasks: evolve a policy, keep it as a model, show it.

:func:`evolve_policy` runs any registered strategy on a control problem and
returns an :class:`EvolvedPolicy`; :func:`save_gif` animates one. The tasks
and policy networks live in :mod:`evonet.tasks`, the problems that score
populations on them in :mod:`evonet.problems`; their names are exported here
too, as they always were.
"""

from evonet.control.evolved import EvolvedPolicy
from evonet.control.gif import save_gif
from evonet.control.search import evolve_policy
from evonet.problems.gym import GymProblem
from evonet.problems.pole import PoleBalancingProblem, generalization_test, success_test
from evonet.tasks.gym import GymEnvironment
from evonet.tasks.pole import TASKS, PoleBalancing, damping_fitness, make_task
from evonet.tasks.policies import MLPPolicy, NeatPolicy, RecurrentPolicy, make_policy
from evonet.tasks.rollout import RolloutResult, rollout
from evonet.tasks.scalar import make_scalar_step, simulate_scalar
from evonet.tasks.trace import trajectory

__all__ = ["TASKS", "EvolvedPolicy", "GymEnvironment", "GymProblem", "MLPPolicy",
           "NeatPolicy", "PoleBalancing", "PoleBalancingProblem", "RecurrentPolicy",
           "RolloutResult", "damping_fitness", "evolve_policy", "generalization_test",
           "make_policy", "make_task", "make_scalar_step", "rollout", "save_gif",
           "simulate_scalar", "success_test", "trajectory"]
