"""evonet: neuroevolution with DEAP, batched NumPy networks and scikit-learn estimators."""

from evonet.config import config_context, get_config, set_config
from evonet.control import EvolvedPolicy, evolve_policy
from evonet.estimators import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.evaluation import Evaluator, SupervisedProblem
from evonet.genome import WeightIndividual
from evonet.nn import MLPLayout, forward
from evonet.saving import load, save
from evonet.toolboxes import make_toolbox
from evonet.version import __version__

__all__ = [
    "Evaluator",
    "EvolvedPolicy",
    "MLPLayout",
    "NeuroEvolutionClassifier",
    "NeuroEvolutionRegressor",
    "SupervisedProblem",
    "WeightIndividual",
    "__version__",
    "config_context",
    "evolve_policy",
    "forward",
    "get_config",
    "load",
    "make_toolbox",
    "save",
    "set_config",
]
