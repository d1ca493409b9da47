"""``scoring=``: the estimators evolve for a scikit-learn scorer instead of their loss."""

import json
import os
import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import confusion_matrix, get_scorer, make_scorer
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor, load, save
from evonet.estimators._scoring import VECTORISED, Objective
from evonet.runs import fit_context
from tests.estimator_helpers import regression_data
from tests.test_checkpoint import Crash, CrashAt, assert_same_model
from tests.test_experiments import load as load_experiment


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X)[::3], y[::3]


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def cost(y_true, y_pred, sample_weight=None):
    """A cost matrix: a missed positive costs 5, a false alarm 1."""
    matrix = confusion_matrix(y_true, y_pred, labels=[0, 1], sample_weight=sample_weight)
    return 5 * matrix[1, 0] + matrix[0, 1]


COST = make_scorer(cost, greater_is_better=False)


def _l2(est, n):
    return 0.5 * est.alpha * sum(float((W ** 2).sum()) for W in est.coefs_) / n


def _outputs(n_outputs, P=7, N=60, seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(P, N, n_outputs)) * 2
    if n_outputs == 1:
        return 1 / (1 + np.exp(-logits))
    return np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)


@pytest.mark.parametrize("label_type, classes", [("binary", np.array([0, 1])),
                                                 ("binary", np.array([-1, 1])),
                                                 ("multiclass", np.array([1, 2, 5]))])
def test_vectorised_scorers_equal_sklearn_scorers_on_each_network(label_type, classes):
    outputs = _outputs(1 if label_type == "binary" else len(classes))
    rng = np.random.default_rng(1)
    y = classes[rng.integers(0, len(classes), outputs.shape[1])]
    state = {"classes": classes, "label_type": label_type}
    names = [n for n in sorted(VECTORISED) if not n.startswith(("r2", "neg_m", "neg_r"))]
    if label_type == "multiclass":
        names = [n for n in names if n not in ("f1", "precision", "recall", "roc_auc")]
    for w in (None, rng.uniform(0.1, 2.0, len(y))):
        for name in names:
            objective = Objective(name, True, state, y, w)
            assert objective.vectorised == name
            ours, failures = objective(outputs)
            reference = Objective(get_scorer(name), True, state, y, w)
            assert reference.vectorised is None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs, _ = reference(outputs)
            assert not failures
            np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12, err_msg=name)


def test_vectorised_regression_scorers_in_the_targets_units():
    rng = np.random.default_rng(0)
    y = rng.normal(5.0, 3.0, 40)
    state = {"mean": np.array([5.0]), "scale": np.array([3.0]), "ndim": 1}
    outputs = rng.normal(size=(4, 40, 1))
    rows = np.arange(0, 40, 2)
    for name in ("r2", "neg_mean_absolute_error", "neg_mean_squared_error",
                 "neg_root_mean_squared_error"):
        ours, _ = Objective(name, False, state, y, None)(outputs[:, rows], rows)
        theirs, _ = Objective(get_scorer(name), False, state, y, None)(outputs[:, rows], rows)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_best_loss_is_minus_the_score_plus_l2(cancer):
    X, y = cancer
    clf = NeuroEvolutionClassifier((3,), max_generations=30, random_state=0,
                                   scoring="balanced_accuracy").fit(X, y)
    score = get_scorer("balanced_accuracy")(clf, X, y)
    assert clf.best_loss_ == pytest.approx(-score + _l2(clf, len(X)), abs=1e-9)
    assert clf.score(X, y) == pytest.approx(np.mean(clf.predict(X) == y))  # still accuracy


def test_a_cost_matrix_scorer_is_called_per_network_with_sample_weight(cancer):
    X, y = cancer
    w = np.where(y == 0, 2.0, 1.0)
    clf = NeuroEvolutionClassifier((3,), max_generations=8, random_state=0, alpha=0.0,
                                   scoring=COST).fit(X, y, sample_weight=w)
    assert clf.best_loss_ == pytest.approx(-COST(clf, X, y, sample_weight=w), abs=1e-9)
    plain = NeuroEvolutionClassifier((3,), max_generations=8, random_state=0, alpha=0.0,
                                     scoring=COST).fit(X, y)
    assert plain.best_loss_ == pytest.approx(-COST(plain, X, y), abs=1e-9)


def test_early_stopping_keeps_the_best_validation_score(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((3,), max_generations=80, random_state=0, strategy="es",
                                   scoring="f1_macro", early_stopping=True,
                                   n_iter_no_change=5).fit(X, y)
    assert clf.best_loss_ is None
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert all(0.0 <= s <= 1.0 for s in clf.validation_scores_)


def test_regressor_r2_and_neg_mae(cancer):
    X, y = regression_data(n=80)
    reg = NeuroEvolutionRegressor((3,), max_generations=30, random_state=0, alpha=0.0,
                                  scoring="neg_mean_absolute_error").fit(X, 10 + 4 * y)
    assert reg.best_loss_ == pytest.approx(
        -get_scorer("neg_mean_absolute_error")(reg, X, 10 + 4 * y), abs=1e-9)
    reg = NeuroEvolutionRegressor((3,), max_generations=30, random_state=0,
                                  scoring="r2").fit(X, y)
    assert reg.score(X, y) > 0.5


def test_failures_get_the_worst_fitness_and_a_warning(cancer):
    X, y = cancer

    def picky(y_true, y_pred):
        if np.array_equal(y_true, y_pred):
            return 1.0
        if y_pred.sum() % 3 == 0:
            raise RuntimeError("cannot score this one")
        return float(np.mean(y_true == y_pred)) if y_pred.sum() % 3 == 1 else np.nan

    with pytest.warns(UserWarning, match=r"scoring gave no score for \d+ of \d+ networks"):
        clf = NeuroEvolutionClassifier((3,), max_generations=5, random_state=0, strategy="ga",
                                       population_size=20, scoring=make_scorer(picky)).fit(X, y)
    assert hasattr(clf, "coefs_")


@pytest.mark.parametrize("scoring, match", [
    ("acuracy", "scoring='acuracy' is not supported.*'balanced_accuracy'"),
    (3, "scoring=3 is not supported"),
])
def test_bad_scoring_is_refused_naming_it(iris, scoring, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        NeuroEvolutionClassifier((2,), max_generations=2, scoring=scoring).fit(X, y)


def test_a_classification_scorer_on_a_regressor_is_refused_before_the_run():
    X, y = regression_data(n=30)
    with pytest.raises(ValueError, match="scoring='accuracy' cannot score"):
        NeuroEvolutionRegressor((2,), max_generations=2, scoring="accuracy").fit(X, y)


@pytest.mark.parametrize("strategy", ["ga", "cmaes", "es", "ipop-cmaes", "neat"])
def test_every_strategy_takes_a_non_differentiable_scoring(iris, strategy):
    X, y = iris
    params = dict(hidden_layer_sizes=(3,), max_generations=15, random_state=0,
                  strategy=strategy, population_size=12, scoring="accuracy")
    clf = NeuroEvolutionClassifier(**params).fit(X, y)
    assert clf.best_loss_ <= clf.loss_curve_[0]


def test_same_model_for_any_threads_and_n_jobs(iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(3,), max_generations=10, random_state=0,
                  strategy="ga", population_size=16, scoring=COST)
    X2, y2 = X[y < 2], y[y < 2]
    one = NeuroEvolutionClassifier(**params).fit(X2, y2)
    two = NeuroEvolutionClassifier(n_jobs=2, **params).fit(X2, y2)
    assert_same_model(one, two)


def test_a_resumed_fit_equals_the_uninterrupted_fit(tmp_path, iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(3,), max_generations=30, random_state=0,
                  strategy="cmaes", scoring="balanced_accuracy", checkpoint_interval=0)
    reference = NeuroEvolutionClassifier(**params).fit(X, y)
    path = tmp_path / "run.ckpt"
    with pytest.raises(Crash), fit_context(callbacks=[CrashAt(15)]):
        NeuroEvolutionClassifier(checkpoint=path, **params).fit(X, y)
    resumed = NeuroEvolutionClassifier(checkpoint=path, **params).fit(X, y)
    assert_same_model(resumed, reference)


def test_model_files_keep_a_scorer_name_and_refuse_a_scorer_object(tmp_path, iris):
    X, y = iris
    clf = NeuroEvolutionClassifier((2,), max_generations=5, random_state=0,
                                   scoring="f1_macro").fit(X, y)
    save(clf, tmp_path / "m.evonet")
    assert load(tmp_path / "m.evonet").get_params()["scoring"] == "f1_macro"
    clf.set_params(scoring=get_scorer("f1_macro"))
    with pytest.raises(ValueError, match="scoring=.* cannot be saved in a model file"):
        save(clf, tmp_path / "n.evonet")
    assert pickle.loads(pickle.dumps(clf)).get_params()["scoring"] is not None


def test_a_checkpoint_of_another_scorer_is_refused(tmp_path, iris):
    X, y = iris
    params = dict(hidden_layer_sizes=(2,), max_generations=20, random_state=0,
                  strategy="cmaes", checkpoint_interval=0, checkpoint=tmp_path / "run.ckpt")
    with pytest.raises(Crash), fit_context(callbacks=[CrashAt(10)]):
        NeuroEvolutionClassifier(scoring=make_scorer(cost), **params).fit(X[y < 2], y[y < 2])
    other = make_scorer(cost, greater_is_better=False)
    with pytest.raises(ValueError, match="scoring"):
        NeuroEvolutionClassifier(scoring=other, **params).fit(X[y < 2], y[y < 2])


def test_the_objectives_experiment_writes_its_table(tmp_path, monkeypatch, capsys):
    objectives = load_experiment("objectives")
    X, y = load_breast_cancer(return_X_y=True)
    monkeypatch.setattr(objectives, "TASKS", {"small": (lambda seed: (X[::5], y[::5]),
                                                        {"cost": objectives.COST})})
    quick = objectives.models

    def models(scoring, seed):  # the same three models, small enough for a test
        found = quick(scoring, seed)
        found["evonet"].set_params(hidden_layer_sizes=(2,), max_generations=3)
        found["MLPClassifier"].set_params(max_iter=5, hidden_layer_sizes=(2,))
        found["TunedThresholdClassifierCV(MLP)"].set_params(
            cv=2, thresholds=5, estimator__max_iter=5, estimator__hidden_layer_sizes=(2,))
        return found

    monkeypatch.setattr(objectives, "models", models)
    code = objectives.main(["--section", "costs", "--repeats", "1", "--out-dir", str(tmp_path),
                            "--json"])
    assert code in (0, 1)
    assert sorted(os.listdir(tmp_path)) == ["objectives_costs.json", "objectives_costs.md"]
    saved = json.loads((tmp_path / "objectives_costs.json").read_text())
    rows = saved["costs"]["results"]["small/cost"]
    assert set(rows) == {"evonet", "MLPClassifier", "TunedThresholdClassifierCV(MLP)"}
    assert all(len(row["scores"]) == 5 and max(row["scores"]) <= 0 for row in rows.values())
    capsys.readouterr()


def test_scored_problem_raises_only_when_every_network_fails_on_all_rows():
    from evonet.nn import MLPLayout
    from evonet.problems import ScoredProblem, SupervisedProblem

    base = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])

    def broken(outputs, rows):
        return np.full(len(outputs), np.nan), [RuntimeError("broken")] * len(outputs)

    problem = ScoredProblem(base, broken)
    population = np.zeros((3, 2))
    with pytest.raises(RuntimeError, match="broken"):
        problem.evaluate(population)
    with pytest.warns(UserWarning, match="no score for 3 of 3 networks"):
        assert np.isinf(problem.evaluate(population, rows=np.array([0, 2]))).all()
