"""Old home of the gymnasium adapter, kept so that ``evonet.control.gym`` still imports.

The environment (:class:`GymEnvironment`, :data:`SEED_BOUND`) lives in
:mod:`evonet.tasks.gym`; the problem that scores populations on it
(:class:`GymProblem`, :class:`EpisodeSeeds`) in :mod:`evonet.problems.gym`.
"""

from evonet.problems.gym import EpisodeSeeds, GymProblem
from evonet.tasks.gym import SEED_BOUND, GymEnvironment

__all__ = ["SEED_BOUND", "EpisodeSeeds", "GymEnvironment", "GymProblem"]
