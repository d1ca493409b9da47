"""The sklearn contract: clone, pipelines, searches, parameter and data checks."""

import numpy as np
import pytest
from estimator_helpers import regression_data
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


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
@pytest.mark.parametrize("estimator_class", [NeuroEvolutionClassifier, NeuroEvolutionRegressor])
def test_invalid_parameters_raise_value_error(iris, params, match, estimator_class):
    X, y = iris if estimator_class is NeuroEvolutionClassifier else regression_data()
    with pytest.raises(ValueError, match=match):
        estimator_class(**params).fit(X, y)


def test_regressor_bad_data_raises_like_sklearn():
    X, y = regression_data()
    reg = NeuroEvolutionRegressor((3,), max_generations=5, random_state=0)
    with pytest.raises(NotFittedError):
        reg.predict(X)
    with pytest.raises(ValueError, match="Negative values"):
        reg.fit(X, y, sample_weight=-np.ones(len(y)))
    w = np.ones(len(y))
    w[3] = -0.5
    with pytest.raises(ValueError, match="Negative values"):
        reg.fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="sample_weight"):
        reg.fit(X, y, sample_weight=np.ones(len(y) - 1))
    with pytest.raises(ValueError, match="non-zero"):
        reg.fit(X, y, sample_weight=np.zeros(len(y)))
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        reg.fit(Xn, y)
    with pytest.raises(ValueError, match="infinity"):
        reg.fit(X, np.where(np.arange(len(y)) == 0, np.inf, y))
    with pytest.raises(ValueError, match="2D array"):
        reg.fit(X[:, 0], y)
    reg.fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but NeuroEvolutionRegressor "
                                         "is expecting 3"):
        reg.predict(X[:, :2])


@pytest.mark.parametrize("early_stopping", [False, True])
def test_random_state_becomes_one_generator_per_fit(iris, monkeypatch, early_stopping):
    import evonet.estimators._base as base

    made = []

    def counting(random_state):
        made.append(random_state)
        return base_make_generator(random_state)

    base_make_generator = base.make_generator
    monkeypatch.setattr(base, "make_generator", counting)
    X, y = iris
    clf = NeuroEvolutionClassifier((4,), max_generations=5, early_stopping=early_stopping,
                                   random_state=np.random.RandomState(0))
    clf.fit(X, y)
    assert len(made) == 1
    # a fresh RandomState(0) gives the same fit
    again = clone(clf).set_params(random_state=np.random.RandomState(0)).fit(X, y)
    np.testing.assert_array_equal(again.coefs_[0], clf.coefs_[0])


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
