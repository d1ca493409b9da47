"""Fitting the estimators: sklearn attributes, outputs, strategies and the auto rules."""

import numpy as np
import pytest
from estimator_helpers import regression_data
from scipy.sparse import csr_matrix
from sklearn.datasets import load_iris, make_classification, make_multilabel_classification
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.estimators import choose_batch_size, choose_strategy
from evonet.estimators._auto import PBT_DATA
from evonet.losses import LOSSES  # noqa: F401  (import check)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


FAST = dict(hidden_layer_sizes=(6,), max_generations=60)


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
    # the fitness (and so best_loss_) is computed in float32, as the search runs
    assert clf.best_loss_ == pytest.approx(log_loss + 0.5 * 0.5 * l2 / len(y), rel=1e-6)


def test_fitness_precision_float32_and_float64_for_small_precise_fits():
    from evonet.estimators._architecture import FLOAT64_WORK, MLPArchitecture

    arch = MLPArchitecture(4, (10,), 3, "tanh", "softmax")
    small, y = np.zeros((100, 4)), np.zeros(100, dtype=int)
    assert arch.problem(small, y, "log_loss", None, 0.0).dtype == np.float32
    assert arch.problem(small, y, "log_loss", None, 0.0, precise=True).dtype == np.float64
    big_rows = FLOAT64_WORK // arch.n_params + 1
    big = np.zeros((big_rows, 4))
    assert arch.problem(big, np.zeros(big_rows, dtype=int), "log_loss", None, 0.0,
                        precise=True).dtype == np.float32


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


@pytest.mark.parametrize(
    "n_params, n_samples, batch_size, expected",
    [
        (150, 2000, "auto", "cmaes"),   # small genome, full-data fitness
        (151, 2000, "auto", "es"),      # genome too large for full CMA-ES
        (50, 2001, "auto", "es"),       # "auto" picks minibatches beyond 2,000 rows
        (50, 10**6, None, "cmaes"),     # full data whatever its size
        (50, 100, 32, "es"),            # explicit minibatches
        (50, 100, 100, "cmaes"),        # a batch of all rows is the full data
        (5000, 100, None, "es"),
    ],
)
def test_auto_strategy_rule_genome_and_data_size(n_params, n_samples, batch_size, expected):
    assert choose_strategy(n_params, n_samples, batch_size) == expected


def test_auto_strategy_follows_the_training_rows_and_batch_size():
    X, y = make_classification(n_samples=2100, n_features=4, random_state=0)
    fit = dict(hidden_layer_sizes=(2,), max_generations=1, random_state=0)
    # PBT from 800 rows when the objective is the loss and the ES's settings are left alone
    assert NeuroEvolutionClassifier(**fit).fit(X, y).strategy_ == "pbt"
    assert NeuroEvolutionClassifier(**fit).fit(X[:PBT_DATA], y[:PBT_DATA]).strategy_ == "pbt"
    small = NeuroEvolutionClassifier(**fit).fit(X[:PBT_DATA - 1], y[:PBT_DATA - 1])
    assert small.strategy_ == "cmaes"
    for other in (dict(learning="baldwinian"), dict(strategy_params={"sigma": 0.05})):
        assert NeuroEvolutionClassifier(**fit, **other).fit(X, y).strategy_ == "es"  # minibatches
    # a scoring fit scores all rows (up to 10,000): CMA-ES for this small network
    assert NeuroEvolutionClassifier(**fit, scoring="accuracy").fit(X, y).strategy_ == "cmaes"
    assert NeuroEvolutionClassifier(**fit, batch_size=None).fit(X, y).strategy_ == "cmaes"
    assert NeuroEvolutionClassifier(**fit, batch_size=64).fit(X[:150], y[:150]).strategy_ == "es"
    # partial_fit trains by PBT whatever its batches, under the same exclusions
    assert NeuroEvolutionClassifier(**fit).partial_fit(X[:50], y[:50], classes=[0, 1]) \
        .strategy_ == "pbt"
    assert NeuroEvolutionClassifier(**fit, strategy_params={"sigma": 0.05}).partial_fit(
        X[:50], y[:50], classes=[0, 1]).strategy_ == "cmaes"
    assert NeuroEvolutionClassifier(**fit).fit(csr_matrix(X), y).strategy_ == "pbt"
    # early stopping too: PBT then records the validation scores and stops on them
    stopped = NeuroEvolutionClassifier(**fit, early_stopping=True).fit(X, y)
    assert stopped.strategy_ == "pbt" and len(stopped.validation_scores_) == 1
    assert stopped.best_loss_ is None
    Xr, yr = regression_data(n=2500)
    assert NeuroEvolutionRegressor(**fit).fit(Xr, yr).strategy_ == "pbt"
    assert NeuroEvolutionRegressor(**fit, scoring="r2").fit(Xr, yr).strategy_ == "cmaes"


def test_scoring_fits_score_all_rows_up_to_ten_thousand():
    # a metric of the whole set on a 256-row minibatch is mostly noise: all rows instead
    X, y = make_classification(n_samples=3000, n_features=4, random_state=0)
    fit = dict(hidden_layer_sizes=(2,), max_generations=1, random_state=0)
    scored = NeuroEvolutionClassifier(**fit, scoring="balanced_accuracy").fit(X, y)
    assert scored.strategy_ == "cmaes" and scored._run.sampler.full
    loss = NeuroEvolutionClassifier(**fit, strategy="es").fit(X, y)
    assert not loss._run.sampler.full and loss._run.sampler.batch_size == 256
    assert choose_batch_size("auto", 10_000, scored=True) is None
    assert choose_batch_size("auto", 10_001, scored=True) == 256
    assert choose_batch_size(64, 3000, scored=True) == 64


def test_same_random_state_same_model_other_state_differs(iris):
    # (identical models for any n_jobs: tests/test_parallel_identical.py)
    X, y = iris
    models = [NeuroEvolutionClassifier((6,), max_generations=30, random_state=3).fit(X, y)
              for _ in range(2)]
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


def test_loss_is_a_class_attribute_as_in_sklearn_mlp():
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    assert NeuroEvolutionClassifier().loss == MLPClassifier().loss == "log_loss"
    assert NeuroEvolutionRegressor().loss == MLPRegressor().loss == "squared_error"
    for estimator in (NeuroEvolutionClassifier(), NeuroEvolutionRegressor()):
        assert "loss" not in estimator.get_params()
        assert not hasattr(estimator, "_loss")


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
