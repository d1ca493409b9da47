"""evonet: neuroevolution with DEAP, batched NumPy networks and scikit-learn estimators."""

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
    "evolve_policy",
    "forward",
    "load",
    "make_toolbox",
    "save",
]
