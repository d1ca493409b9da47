"""scikit-learn's own estimator checks, every one of them, on both estimators."""

import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor


# As scikit-learn's own suite caps MLPClassifier at max_iter=100 for these checks, the
# budget is capped here; every other parameter is the default.
@parametrize_with_checks([NeuroEvolutionClassifier(max_generations=200),
                          NeuroEvolutionRegressor(max_generations=200)])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
