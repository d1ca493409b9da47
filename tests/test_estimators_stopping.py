"""Stopping a fit: early stopping on a validation split, the budget's warning."""

import pytest
from sklearn.exceptions import ConvergenceWarning

from evonet import NeuroEvolutionClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_early_stopping_keeps_best_validation_model(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((6,), early_stopping=True, n_iter_no_change=10,
                                   random_state=0).fit(X, y)
    assert clf.validation_scores_ is not None
    assert len(clf.validation_scores_) == len(clf.loss_curve_)
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    plain = NeuroEvolutionClassifier((6,), max_generations=5, random_state=0).fit(X, y)
    assert plain.validation_scores_ is None and plain.best_validation_score_ is None


def test_convergence_warning_when_budget_runs_out(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="max_generations=3"):
        NeuroEvolutionClassifier((4,), max_generations=3, random_state=0).fit(X, y)
