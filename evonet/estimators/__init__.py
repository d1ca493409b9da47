"""scikit-learn estimators: neuroevolution classifier and regressor."""

from evonet.estimators._base import choose_batch_size, choose_strategy
from evonet.estimators.classifier import NeuroEvolutionClassifier
from evonet.estimators.regressor import NeuroEvolutionRegressor

__all__ = ["NeuroEvolutionClassifier", "NeuroEvolutionRegressor", "choose_batch_size",
           "choose_strategy"]
