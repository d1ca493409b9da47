"""scikit-learn's own estimator checks, every one of them, on both estimators."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor


# As scikit-learn's own suite caps MLPClassifier at max_iter=100 for these checks, the
# budget is capped here (60 generations; NEAT 40 of 40 genomes, which still pass every
# check and keep the whole suite within its time); every other parameter is the default.
# The NEAT estimators (topology evolution) run the same checks.
@parametrize_with_checks([
    NeuroEvolutionClassifier(max_generations=60),
    NeuroEvolutionRegressor(max_generations=60),
    NeuroEvolutionClassifier(strategy="neat", max_generations=40, population_size=40),
    NeuroEvolutionRegressor(strategy="neat", max_generations=40, population_size=40),
])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
