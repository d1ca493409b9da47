"""Ask/tell search strategies and their registry.

>>> from evonet.strategies import STRATEGIES
>>> sorted(STRATEGIES)
['cmaes', 'es', 'ga', 'ipop-cmaes', 'neat']
"""

from evonet.strategies.base import (
    STRATEGIES,
    Strategy,
    StrategyState,
    get_strategy,
    register_strategy,
)
from evonet.strategies.cmaes import CMAES
from evonet.strategies.es import OpenES
from evonet.strategies.ga import GA
from evonet.strategies.neat import NEAT
from evonet.strategies.restart_cmaes import RestartCMAES

__all__ = ["CMAES", "GA", "NEAT", "STRATEGIES", "OpenES", "RestartCMAES", "Strategy",
           "StrategyState", "get_strategy", "register_strategy"]
