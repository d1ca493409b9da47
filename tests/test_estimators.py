import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.estimators import choose_batch_size, choose_strategy
from evonet.losses import LOSSES  # noqa: F401  (import check)
from evonet.nn import forward

FAST = dict(hidden_layer_sizes=(6,), max_generations=60)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def regression_data(n=200, outputs=1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3))
    Y = np.column_stack([X[:, 0] - 2 * X[:, 1], np.sin(2 * X[:, 2])])[:, :outputs]
    return X, (Y[:, 0] if outputs == 1 else Y)


def test_multiclass_fit_learns_and_exposes_sklearn_attributes(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier(hidden_layer_sizes=(8,), random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.95
    assert [W.shape for W in clf.coefs_] == [(4, 8), (8, 3)]
    assert [b.shape for b in clf.intercepts_] == [(8,), (3,)]
    assert clf.out_activation_ == "softmax" and clf.n_outputs_ == 3
    assert clf.n_iter_ < 5000  # stopped converged
    checked = [r["loss"] for r in clf.logbook_ if "loss" in r]
    assert checked == clf.loss_curve_ and 0 < len(checked) <= clf.n_iter_
    assert clf.n_evaluations_ >= clf.n_iter_ * 2
    assert clf.best_loss_ == pytest.approx(min(clf.loss_curve_))
    assert len(clf.logbook_) == clf.n_iter_
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X))


def test_best_loss_is_log_loss_plus_l2_of_the_returned_network(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier(hidden_layer_sizes=(5,), alpha=0.5, random_state=1,
                                   max_generations=80).fit(X, y)
    proba = clf.predict_proba(X)
    log_loss = -np.mean(np.log(proba[np.arange(len(y)), y]))
    l2 = sum((W**2).sum() for W in clf.coefs_)
    assert clf.best_loss_ == pytest.approx(log_loss + 0.5 * 0.5 * l2 / len(y), rel=1e-9)


def test_binary_uses_one_logistic_unit_and_string_labels():
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    labels = np.where(y == 1, "spam", "ham")
    clf = NeuroEvolutionClassifier(**FAST, random_state=0).fit(X, labels)
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic"
    assert list(clf.classes_) == ["ham", "spam"]
    assert set(clf.predict(X)) <= {"ham", "spam"}
    assert clf.predict_proba(X).shape == (150, 2)
    assert clf.score(X, labels) > 0.8


def test_multilabel_indicator_targets():
    X, Y = make_multilabel_classification(n_samples=120, n_features=6, n_classes=3,
                                          random_state=0)
    X = StandardScaler().fit_transform(X)
    clf = NeuroEvolutionClassifier((6,), max_generations=300, random_state=0).fit(X, Y)
    assert clf.n_outputs_ == 3 and clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == (120, 3)
    assert clf.predict_proba(X).shape == (120, 3)
    assert clf.score(X, Y) > 0.5  # subset accuracy, far above chance (1/8)


@pytest.mark.parametrize("outputs", [1, 2])
def test_regressor_single_and_multi_output(outputs):
    X, y = regression_data(outputs=outputs)
    reg = NeuroEvolutionRegressor(hidden_layer_sizes=(8,), random_state=0,
                                  max_generations=1500).fit(X, y)
    assert reg.predict(X).shape == y.shape
    assert reg.score(X, y) > 0.9
    assert reg.out_activation_ == "identity"


@pytest.mark.parametrize("strategy", ["es", "cmaes", "ga"])
def test_every_strategy_fits(iris, strategy):
    X, y = iris
    clf = NeuroEvolutionClassifier((6,), strategy=strategy, max_generations=150,
                                   random_state=0).fit(X, y)
    assert clf.strategy_ == strategy and clf.score(X, y) > 0.85


def test_auto_rules():
    assert choose_strategy(50, 100) == "cmaes" and choose_strategy(5000, 100) == "es"
    assert choose_batch_size("auto", 200) is None and choose_batch_size("auto", 10**5) == 256
    clf = NeuroEvolutionClassifier((2,), max_generations=5, random_state=0)
    assert clf.fit(*load_iris(return_X_y=True)).strategy_ == "cmaes"


def test_same_random_state_same_model_whatever_n_jobs(iris):
    X, y = iris
    models = [NeuroEvolutionClassifier((6,), max_generations=30, random_state=3,
                                       n_jobs=n_jobs).fit(X, y) for n_jobs in (1, 2)]
    for a, b in zip(models[0].coefs_, models[1].coefs_):
        np.testing.assert_array_equal(a, b)
    other = NeuroEvolutionClassifier((6,), max_generations=30, random_state=4).fit(X, y)
    assert not np.array_equal(other.coefs_[0], models[0].coefs_[0])


def test_minibatch_fitness_model_chosen_on_full_data():
    X, y = make_classification(n_samples=3000, n_features=8, random_state=0)
    clf = NeuroEvolutionClassifier((8,), batch_size=100, max_generations=300,
                                   random_state=0).fit(X, y)
    # every loss_curve_ entry is a full-data loss: the returned model's is best_loss_
    p = clf.predict_proba(X)[:, 1]
    full = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    l2 = sum((W**2).sum() for W in clf.coefs_)
    assert clf.best_loss_ == pytest.approx(full + 0.5 * clf.alpha * l2 / len(y), rel=1e-5)
    assert len(clf.loss_curve_) < clf.n_iter_  # checked on a cadence, not every generation
    assert clf.score(X, y) > 0.85


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


def test_partial_fit_runs_one_generation_and_continues(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((6,), random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[:100], y[:100], classes=np.unique(y))
    assert clf.n_iter_ == 1
    for _ in range(4):
        clf.partial_fit(X, y)
    assert clf.n_iter_ == 5 and len(clf.loss_curve_) == 5
    reference = NeuroEvolutionClassifier((6,), random_state=0, max_generations=5)
    assert clf.n_evaluations_ > 0 and reference is not None
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X[:3], np.array([0, 1, 7]))


def test_warm_start_continues_population_and_counts(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((6,), max_generations=20, warm_start=True, random_state=0)
    clf.fit(X, y)
    first_loss, first_iter = clf.best_loss_, clf.n_iter_
    clf.fit(X, y)
    assert clf.n_iter_ == first_iter + 20
    assert clf.best_loss_ <= first_loss
    cold = NeuroEvolutionClassifier((6,), max_generations=20, random_state=0).fit(X, y)
    cold.fit(X, y)
    assert cold.n_iter_ == 20


def test_sample_weight_zero_equals_dropping_rows(iris):
    X, y = iris
    w = np.ones(len(y))
    w[::4] = 0
    a = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0).fit(
        X, y, sample_weight=w)
    b = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0).fit(X[w > 0], y[w > 0])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6, atol=1e-9)


def test_to_sklearn_matches_predictions(iris):
    X, y = iris
    for Xs, ys in ((X, y), (X, (y == 1).astype(int)),
                   make_multilabel_classification(n_samples=80, n_features=4,
                                                  random_state=0)):
        clf = NeuroEvolutionClassifier((5,), max_generations=20, random_state=0).fit(Xs, ys)
        mlp = clf.to_sklearn()
        np.testing.assert_array_equal(mlp.predict(Xs), clf.predict(Xs))
        np.testing.assert_allclose(mlp.predict_proba(Xs), clf.predict_proba(Xs),
                                   rtol=0, atol=1e-12)
    Xr, yr = regression_data(outputs=2)
    reg = NeuroEvolutionRegressor((5,), max_generations=20, random_state=0).fit(Xr, yr)
    np.testing.assert_allclose(reg.to_sklearn().predict(Xr), reg.predict(Xr), rtol=1e-12)


def test_prediction_is_float64_and_row_independent(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((6,), max_generations=20, random_state=0).fit(X, y)
    batch = clf.predict_proba(X)
    assert batch.dtype == np.float64
    one_by_one = np.vstack([clf.predict_proba(X[i:i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(batch, one_by_one, rtol=1e-13, atol=1e-15)
    manual = forward(clf._architecture.layout, clf._weights(), X, dtype=np.float64)
    np.testing.assert_array_equal(manual, batch)


def test_clone_pipeline_grid_search_and_cross_validate(iris):
    X, y = load_iris(return_X_y=True)
    clf = NeuroEvolutionClassifier((4,), max_generations=40, random_state=0)
    assert clone(clf).get_params() == clf.get_params()
    pipe = make_pipeline(StandardScaler(), clf).fit(X, y)
    assert pipe.score(X, y) > 0.85
    grid = GridSearchCV(make_pipeline(StandardScaler(), clf),
                        {"neuroevolutionclassifier__hidden_layer_sizes": [(3,), (6,)],
                         "neuroevolutionclassifier__strategy": ["es", "cmaes"]},
                        cv=3, n_jobs=2).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4 and grid.best_score_ > 0.8
    scores = cross_validate(make_pipeline(StandardScaler(), clf), X, y, cv=3)
    assert scores["test_score"].mean() > 0.8


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    clf = NeuroEvolutionClassifier((4,), max_generations=10, random_state=0).fit(X, y)
    assert list(clf.feature_names_in_) == list(X.columns)
    assert isinstance(X, pd.DataFrame)


def test_pickle_round_trip_in_fresh_process(tmp_path, iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((6,), max_generations=20, random_state=0).fit(X, y)
    model, data = tmp_path / "model.pkl", tmp_path / "X.npy"
    model.write_bytes(pickle.dumps(clf))
    np.save(data, X)
    code = (
        "import pickle, sys, numpy as np; "
        "clf = pickle.loads(open(sys.argv[1], 'rb').read()); "
        "np.save(sys.argv[3], clf.predict_proba(np.load(sys.argv[2])))"
    )
    out = tmp_path / "proba.npy"
    subprocess.run([sys.executable, "-c", code, str(model), str(data), str(out)], check=True,
                   env={**os.environ, "PYTHONHASHSEED": "1"})
    np.testing.assert_array_equal(np.load(out), clf.predict_proba(X))
    # the pickled model carries the network, not the training data
    assert len(model.read_bytes()) < 200_000


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
        (dict(activation="softmax"), "activation='softmax'"),
        (dict(strategy="sgd"), "strategy='sgd'"),
        (dict(population_size=1), "population_size"),
        (dict(max_generations=0), "max_generations"),
        (dict(batch_size=0), "batch_size"),
        (dict(alpha=-1.0), "alpha"),
        (dict(validation_fraction=1.5), "validation_fraction"),
        (dict(n_iter_no_change=0), "n_iter_no_change"),
        (dict(tol=-1), "tol"),
        (dict(n_jobs=0), "n_jobs"),
        (dict(strategy_params=[1]), "strategy_params"),
        (dict(strategy="es", strategy_params={"sigma": -1}), "sigma"),
    ],
)
def test_invalid_parameters_raise_value_error(iris, params, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        NeuroEvolutionClassifier(**params).fit(X, y)


def test_bad_data_raises_like_sklearn(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((4,), max_generations=5, random_state=0)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(Xn, y)
    Xi = X.copy()
    Xi[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        clf.fit(Xi, y)
    with pytest.raises(ValueError, match="2D array"):
        clf.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="1 class"):
        clf.fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Negative values"):
        clf.fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, np.linspace(0, 1, len(y)))
    clf.fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but NeuroEvolutionClassifier "
                                         "is expecting 4"):
        clf.predict(X[:, :3])
    reg = NeuroEvolutionRegressor((3,), max_generations=5)
    with pytest.raises(ValueError, match="NaN"):
        reg.fit(X, np.full(len(X), np.nan))


def test_neat_estimators_expose_genome_and_json_not_coefs(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier(strategy="neat", max_generations=40, population_size=60,
                                   random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.85
    assert clf.genome_.n_inputs == 4 and clf.genome_.n_outputs == 3
    for name in ("coefs_", "intercepts_"):
        with pytest.raises(AttributeError, match="strategy='neat'"):
            getattr(clf, name)
    with pytest.raises(ValueError, match="fixed-topology"):
        clf.to_sklearn()
    import json

    data = json.loads(clf.to_json())
    assert data["kind"] == "neat" and data["genome"]["n_inputs"] == 4
    # hidden_layer_sizes is ignored: a NEAT fit starts from the minimal network
    other = NeuroEvolutionClassifier(hidden_layer_sizes=(50, 50), strategy="neat",
                                     max_generations=40, population_size=60,
                                     random_state=0).fit(X, y)
    np.testing.assert_array_equal(other.predict_proba(X), clf.predict_proba(X))


def test_neat_regressor_predicts_in_target_units():
    X, y = regression_data()
    y = 100 + 20 * y
    reg = NeuroEvolutionRegressor(strategy="neat", max_generations=80, population_size=80,
                                  random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.8
    assert abs(reg.predict(X).mean() - y.mean()) < 5
