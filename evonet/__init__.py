"""evonet: neuroevolution with DEAP, batched NumPy networks and scikit-learn estimators.

The public names below are imported when first used (PEP 562's module
``__getattr__``), not by ``import evonet``: scikit-learn's estimator base,
SciPy, DEAP and the control tasks take seconds to import, and ``import
evonet`` (or ``import evonet.config``, which a joblib worker does) should not
pay for what it does not use. Only :mod:`evonet.config` and
:mod:`evonet.version` are imported eagerly; both are in the bottom layer and
import nothing of evonet, so the lazy imports close no import cycle.
"""

import importlib

from evonet.config import config_context, get_config, set_config
from evonet.version import __version__

# public name -> the module that defines it, imported on first use (see the docstring)
_LAZY = {
    "Evaluator": "evonet.evaluation",
    "EvolvedPolicy": "evonet.control",
    "LearningPlan": "evonet.learning",
    "LifetimeLearner": "evonet.learning",
    "MLPLayout": "evonet.nn",
    "NeuroEvolutionClassifier": "evonet.estimators",
    "NeuroEvolutionRegressor": "evonet.estimators",
    "SupervisedProblem": "evonet.evaluation",
    "WeightIndividual": "evonet.genome",
    "evolve_policy": "evonet.control",
    "forward": "evonet.nn",
    "load": "evonet.saving",
    "make_toolbox": "evonet.toolboxes",
    "save": "evonet.saving",
}

__all__ = [
    "Evaluator",
    "EvolvedPolicy",
    "LearningPlan",
    "LifetimeLearner",
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


def __getattr__(name):
    """A public name (or a subpackage, as ``evonet.estimators``), imported on first use."""
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    if not name.startswith("_"):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
