"""evonet: neuroevolution with DEAP, batched NumPy networks and scikit-learn estimators."""

__version__ = "0.1.0"

from evonet.control import EvolvedPolicy, evolve_policy  # noqa: E402
from evonet.estimators import NeuroEvolutionClassifier, NeuroEvolutionRegressor  # noqa: E402
from evonet.evaluation import Evaluator, SupervisedProblem  # noqa: E402
from evonet.genome import WeightIndividual  # noqa: E402
from evonet.io import load, save  # noqa: E402
from evonet.nn import MLPLayout, forward  # noqa: E402
from evonet.toolbox import make_toolbox  # noqa: E402

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
