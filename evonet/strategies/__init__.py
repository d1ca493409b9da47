"""Ask/tell search strategies, their registry, their states and fitness shaping.

Each strategy (fixed settings) has a state dataclass (what evolves);
:mod:`evonet.strategies.shaping` holds the fitness shaping they share.

>>> from evonet.strategies import STRATEGIES
>>> sorted(STRATEGIES)
['cmaes', 'es', 'ga', 'ipop-cmaes', 'neat', 'nsga2', 'pbt']
"""

from evonet.strategies.base import (
    STEP_SIZES,
    STRATEGIES,
    Strategy,
    StrategyState,
    get_strategy,
    register_strategy,
    scaled_step_sizes,
)
from evonet.strategies.cmaes import CMAES, CMAESState
from evonet.strategies.es import OpenES, OpenESState
from evonet.strategies.ga import GA, GAState
from evonet.strategies.neat import NEAT, NEATState
from evonet.strategies.nsga2 import NSGA2, NSGA2State
from evonet.strategies.pbt import PBT, PBTState
from evonet.strategies.plan import LearningPlan
from evonet.strategies.restart_cmaes import RestartCMAES, RestartCMAESState

__all__ = ["CMAES", "GA", "NEAT", "NSGA2", "PBT", "STRATEGIES", "CMAESState", "GAState",
           "LearningPlan", "NEATState", "NSGA2State", "OpenES", "OpenESState", "PBTState",
           "RestartCMAES", "RestartCMAESState", "Strategy", "StrategyState",
           "get_strategy", "register_strategy", "scaled_step_sizes", "STEP_SIZES"]
