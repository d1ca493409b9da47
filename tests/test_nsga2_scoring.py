"""strategy="nsga2" with scoring=: the front of -score against size; loss_warmup."""

import warnings

import numpy as np
import pytest
from estimator_helpers import regression_data
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score, f1_score, get_scorer, make_scorer
from sklearn.preprocessing import StandardScaler

import evonet
from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor

PARAMS = dict(hidden_layer_sizes=(4,), strategy="nsga2", population_size=20,
              max_generations=15, random_state=0, scoring="balanced_accuracy")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=120, n_features=5, n_informative=3,
                               weights=[0.8, 0.2], random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def fitted(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NeuroEvolutionClassifier(**PARAMS).fit(*data)


def test_the_front_holds_training_scores_best_first(fitted, data):
    X, y = data
    front = fitted.pareto_front_
    assert len(front) >= 2
    assert all(sorted(entry) == ["index", "n_weights", "score"] for entry in front)
    scores = [entry["score"] for entry in front]
    sizes = [entry["n_weights"] for entry in front]
    assert scores == sorted(scores, reverse=True) and sizes == sorted(sizes, reverse=True)
    for entry in front:   # the score itself, no L2 term
        chosen = fitted.select_network(entry["index"])
        assert entry["score"] == pytest.approx(balanced_accuracy_score(y, chosen.predict(X)),
                                               abs=1e-12)
    assert fitted.network_index_ == 0
    assert fitted.best_loss_ == pytest.approx(-front[0]["score"], abs=1e-12)


def test_model_files_keep_the_scores(fitted, data, tmp_path):
    fitted.select_network(1).save(tmp_path / "front.evonet")
    loaded = evonet.load(tmp_path / "front.evonet")
    assert loaded.pareto_front_ == fitted.pareto_front_ and loaded.network_index_ == 1
    assert np.array_equal(loaded.predict(data[0]), fitted.select_network(1).predict(data[0]))


def test_hypervolume_of_minus_the_score_stops_the_run(data):
    est = NeuroEvolutionClassifier(**dict(PARAMS, max_generations=400, n_iter_no_change=3,
                                          tol=1e-2, loss_warmup=0)).fit(*data)
    assert est.stop_reason_ == "converged" and est.n_iter_ < 400


def test_the_budget_warning_speaks_of_the_hypervolume(data):
    with pytest.warns(ConvergenceWarning, match="front's hypervolume"):
        NeuroEvolutionClassifier(**dict(PARAMS, max_generations=3, scoring=None)).fit(*data)


@pytest.mark.parametrize("scoring", ["accuracy", make_scorer(f1_score)])
def test_a_regressor_needs_a_regression_metric(scoring):
    X, y = regression_data(40)
    reg = NeuroEvolutionRegressor(strategy="nsga2", max_generations=2, scoring=scoring)
    with pytest.raises(ValueError, match="scoring=.* is not a regression metric"):
        reg.fit(X, np.round(y))


def test_a_regressor_front_of_r2(tmp_path):
    X, y = regression_data(60)
    reg = NeuroEvolutionRegressor((3,), strategy="nsga2", population_size=20,
                                  max_generations=10, random_state=0, scoring="r2").fit(X, y)
    assert reg.pareto_front_[0]["score"] == pytest.approx(reg.score(X, y), abs=1e-9)


@pytest.mark.parametrize("value", [-0.1, 1.5, "half", True])
def test_bad_loss_warmup_is_refused(data, value):
    with pytest.raises(ValueError, match=f"loss_warmup must be.*got {value!r}"):
        NeuroEvolutionClassifier(max_generations=2, scoring="f1", loss_warmup=value).fit(*data)


def test_loss_warmup_starts_a_flat_score_from_the_loss():
    # a rare class: random networks all predict the majority, F1 is 0 and flat for them
    X, y = make_classification(n_samples=300, n_features=5, n_informative=3,
                               weights=[0.93, 0.07], flip_y=0, random_state=2)
    X = StandardScaler().fit_transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits = {w: NeuroEvolutionClassifier((4,), strategy="es", max_generations=60,
                                            loss_warmup=w, scoring="f1",
                                            random_state=0).fit(X, y)
                for w in (0.0, 1.0)}
    f1 = {w: get_scorer("f1")(est, X, y) for w, est in fits.items()}
    assert f1[1.0] > f1[0.0] + 0.1
    assert fits[1.0].n_iter_ <= 60   # the warm-up's generations are not the fit's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = NeuroEvolutionClassifier((4,), strategy="es", max_generations=30,
                                         loss_warmup=0.5, random_state=0).fit(X, y)
    unwarmed = NeuroEvolutionClassifier((4,), strategy="es", max_generations=30,
                                        loss_warmup=0.0, random_state=0).fit(X, y)
    assert np.array_equal(plain.coefs_[0], unwarmed.coefs_[0])   # no scoring: no warm-up
