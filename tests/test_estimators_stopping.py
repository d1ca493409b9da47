"""Stopping a fit: early stopping on a validation split, the budget's warning."""

import numpy as np
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


def test_cmaes_fit_stops_when_its_steps_collapse(iris):
    X, y = iris
    # no patience at all: only the step size of CMA-ES can end this fit before its budget
    clf = NeuroEvolutionClassifier((2,), strategy="cmaes", n_iter_no_change=np.inf,
                                   max_generations=5000, random_state=0).fit(X, y)
    assert clf.stop_reason_ == "converged" and clf.n_iter_ < 5000
    spread = clf._run.strategy.spread(clf._run.state)
    assert spread < 1e-3 * clf._run.strategy.sigma


def test_default_classifier_stops_on_its_own_long_before_the_budget(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier(random_state=0).fit(X, y)
    assert clf.stop_reason_ == "converged"
    assert clf.n_iter_ < clf.max_generations / 10
    # the last n_iter_no_change checks brought no single improvement of tol
    curve = np.asarray(clf.loss_curve_)
    best_before = np.minimum.accumulate(curve)[:-1]
    no_improvement = curve[1:] > best_before - clf.tol
    assert no_improvement[-clf.n_iter_no_change:].all()
