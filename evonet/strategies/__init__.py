"""Ask/tell search strategies and their registry.

>>> from evonet.strategies import STRATEGIES
>>> sorted(STRATEGIES)
['cmaes', 'es', 'ga']
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

__all__ = ["CMAES", "GA", "STRATEGIES", "OpenES", "Strategy", "StrategyState", "get_strategy",
           "register_strategy"]
