"""The classes a checkpoint may rebuild: the whitelist of the serialiser (evonet.io._state)."""

from deap import cma

from evonet.genome.innovation import InnovationRegistry
from evonet.problems.gym import EpisodeSeeds
from evonet.problems.pole import FixedSampler
from evonet.sampling import MinibatchSampler
from evonet.strategies import CMAESState, GAState, NEATState, OpenESState, RestartCMAESState
from evonet.strategies.neat import Species
from evonet.strategies.nsga2 import NSGA2State
from evonet.strategies.pbt import PBTState

__all__ = ["PLAIN_CLASSES"]

PLAIN_CLASSES = {
    "GAState": GAState,
    "OpenESState": OpenESState,
    "CMAESState": CMAESState,
    "RestartCMAESState": RestartCMAESState,
    "NEATState": NEATState,
    "NSGA2State": NSGA2State,
    "PBTState": PBTState,
    "deap.cma.Strategy": cma.Strategy,
    "Species": Species,
    "InnovationRegistry": InnovationRegistry,
    "MinibatchSampler": MinibatchSampler,
    "FixedSampler": FixedSampler,
    "EpisodeSeeds": EpisodeSeeds,
}
"""Classes rebuilt from their attributes (``cls.__new__`` then the ``__dict__``): plain
data holders whose construction runs no code of their own. A dataclass is written and
read field by field: exactly its fields, no more, no fewer."""
