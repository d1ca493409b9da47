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
from evonet.nn import MLPLayout, forward

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
    assert NeuroEvolutionClassifier(**fit).fit(X, y).strategy_ == "es"  # minibatches
    assert NeuroEvolutionClassifier(**fit, batch_size=None).fit(X, y).strategy_ == "cmaes"
    assert NeuroEvolutionClassifier(**fit, batch_size=64).fit(X[:150], y[:150]).strategy_ == "es"
    # the early-stopping split leaves 1,890 training rows: all of them every generation
    stopped = NeuroEvolutionClassifier(**fit, early_stopping=True).fit(X, y)
    assert stopped.strategy_ == "cmaes"
    Xr, yr = regression_data(n=2500)
    assert NeuroEvolutionRegressor(**fit).fit(Xr, yr).strategy_ == "es"


def test_same_random_state_same_model_other_state_differs(iris):
    # (identical models for any n_jobs: tests/test_parallel.py)
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
    assert clf.n_evaluations_ > 0
    with pytest.raises(ValueError, match="classes not in"):
        clf.partial_fit(X[:3], np.array([0, 1, 7]))


@pytest.mark.parametrize("strategy", ["ga", "cmaes", "es"])
def test_k_partial_fits_equal_fit_with_k_generations(iris, strategy):
    X, y = iris
    k = 5
    # 100 networks per generation: fit checks its incumbent every generation, as the
    # k one-generation partial_fit calls do, so both keep the same best network
    params = dict(hidden_layer_sizes=(6,), strategy=strategy, population_size=100,
                  random_state=0)
    incremental = NeuroEvolutionClassifier(**params)
    for _ in range(k):
        incremental.partial_fit(X, y, classes=np.unique(y))
    reference = NeuroEvolutionClassifier(**params, max_generations=k).fit(X, y)
    assert incremental.n_iter_ == reference.n_iter_ == k
    for a, b in zip(incremental.coefs_ + incremental.intercepts_,
                    reference.coefs_ + reference.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert incremental.loss_curve_ == reference.loss_curve_
    np.testing.assert_array_equal(incremental.predict_proba(X), reference.predict_proba(X))


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


@pytest.mark.parametrize("strategy", ["cmaes", "es"])
def test_warm_start_10_plus_10_generations_equal_20(iris, strategy):
    X, y = iris
    # 20 networks: a check every 5 generations, so generation 10 is one in both runs
    params = dict(hidden_layer_sizes=(6,), strategy=strategy, population_size=20,
                  random_state=0)
    warm = NeuroEvolutionClassifier(**params, max_generations=10, warm_start=True)
    warm.fit(X, y).fit(X, y)
    cold = NeuroEvolutionClassifier(**params, max_generations=20).fit(X, y)
    assert warm.n_iter_ == cold.n_iter_ == 20
    for a, b in zip(warm.coefs_ + warm.intercepts_, cold.coefs_ + cold.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert warm.loss_curve_ == cold.loss_curve_


def assert_same_model(a, b, X):
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(p, q)
    assert a.strategy_ == b.strategy_ and a.loss_curve_ == b.loss_curve_
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.parametrize(
    "params",
    [
        dict(),                                   # full-data fitness
        dict(batch_size=32),                      # minibatches
        dict(batch_size=32, strategy="ga"),
        dict(early_stopping=True, n_iter_no_change=3),  # the split leaves them out too
    ],
)
def test_sample_weight_zero_equals_dropping_rows(iris, params):
    X, y = iris
    w = np.ones(len(y))
    w[::4] = 0
    a = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0, **params).fit(
        X, y, sample_weight=w)
    b = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0, **params).fit(
        X[w > 0], y[w > 0])
    assert_same_model(a, b, X)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    # unequal weights among the kept rows: the same as passing only those rows' weights
    w[1::4] = 2.5
    c = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0, **params).fit(
        X, y, sample_weight=w)
    d = NeuroEvolutionClassifier((5,), max_generations=25, random_state=0, **params).fit(
        X[w > 0], y[w > 0], sample_weight=w[w > 0])
    assert_same_model(c, d, X)


def test_sample_weight_zero_equals_dropping_rows_large_data_and_regressor():
    # 3,000 rows, 2,250 kept: batch_size="auto" gives 256-row minibatches (and the ES)
    X, y = make_classification(n_samples=3000, n_features=5, random_state=0)
    w = np.ones(len(y))
    w[::4] = 0
    fit = dict(hidden_layer_sizes=(4,), max_generations=8, random_state=0)
    a = NeuroEvolutionClassifier(**fit).fit(X, y, sample_weight=w)
    b = NeuroEvolutionClassifier(**fit).fit(X[w > 0], y[w > 0])
    assert a.strategy_ == "es" and choose_batch_size("auto", int((w > 0).sum())) == 256
    assert_same_model(a, b, X)
    # the regressor's target scaling leaves the zero-weight rows out too
    Xr, yr = regression_data(n=300, outputs=2)
    wr = np.ones(len(Xr))
    wr[::3] = 0
    wr[1::3] = 3.0
    for params in (dict(), dict(batch_size=16), dict(early_stopping=True)):
        c = NeuroEvolutionRegressor(**fit, **params).fit(Xr, yr, sample_weight=wr)
        d = NeuroEvolutionRegressor(**fit, **params).fit(Xr[wr > 0], yr[wr > 0],
                                                         sample_weight=wr[wr > 0])
        assert_same_model(c, d, Xr)


class _Recorder:
    """Records the weights ``fit`` hands to the loss and to the validation score."""

    def __init__(self, monkeypatch, estimator_class):
        from evonet.estimators._architecture import MLPArchitecture

        self.training, self.validation = [], []
        problem, score = MLPArchitecture.problem, estimator_class._validation_score

        def record_problem(arch, X, targets, loss, sample_weight, alpha):
            self.training.append(sample_weight)
            return problem(arch, X, targets, loss, sample_weight, alpha)

        def record_score(est, params, X_val, y_val, sample_weight=None):
            self.validation.append((X_val, y_val, sample_weight))
            return score(est, params, X_val, y_val, sample_weight)

        monkeypatch.setattr(MLPArchitecture, "problem", record_problem)
        monkeypatch.setattr(estimator_class, "_validation_score", record_score)


@pytest.mark.parametrize("estimator_class", [NeuroEvolutionClassifier, NeuroEvolutionRegressor])
def test_early_stopping_with_sample_weight_uses_each_parts_weights(iris, monkeypatch,
                                                                   estimator_class):
    X, y = iris if estimator_class is NeuroEvolutionClassifier else regression_data(n=150)

    def weight_of(rows):  # a function of the row, so duplicated rows weigh the same
        return 0.5 + np.abs(np.sin(rows @ np.arange(1.0, X.shape[1] + 1)))

    w = weight_of(X)
    recorder = _Recorder(monkeypatch, estimator_class)
    model = estimator_class((5,), early_stopping=True, n_iter_no_change=3, max_generations=60,
                            random_state=0).fit(X, y, sample_weight=w)
    (train_w,), (X_val, y_val, val_w) = recorder.training, recorder.validation[-1]
    # the training part's weights go to the loss, the validation part's to the score
    assert len(train_w) + len(val_w) == len(w) == len(X)
    np.testing.assert_array_equal(np.sort(np.concatenate([train_w, val_w])), np.sort(w))
    np.testing.assert_array_equal(val_w, weight_of(X_val))
    # the validation score is the weighted score of the selected network (as sklearn's MLP)
    assert model.best_validation_score_ == pytest.approx(
        model.score(X_val, y_val, sample_weight=val_w), rel=1e-9)
    assert model.best_validation_score_ == max(model.validation_scores_)


@pytest.mark.parametrize("estimator_class", [NeuroEvolutionClassifier, NeuroEvolutionRegressor])
def test_early_stopping_keeps_training_weights_when_validation_weights_are_equal(
        iris, monkeypatch, estimator_class):
    X, y = iris if estimator_class is NeuroEvolutionClassifier else regression_data(n=150)
    recorder = _Recorder(monkeypatch, estimator_class)
    model = estimator_class((5,), early_stopping=True, max_generations=3, population_size=100,
                            random_state=0)
    model.fit(X, y)  # finds the split (it does not depend on the weights)
    X_val = recorder.validation[-1][0]
    in_training = [i for i in range(len(X)) if not (X_val == X[i]).all(axis=1).any()]
    # weight 2 on one row of the training part: the validation weights are all equal
    # (an unweighted score), the training weights are not
    w = np.ones(len(y))
    w[in_training[0]] = 2.0
    recorder.training.clear()
    model.fit(X, y, sample_weight=w)
    (train_w,), (_, _, val_w) = recorder.training, recorder.validation[-1]
    assert val_w is None
    assert train_w is not None and len(train_w) == len(y) - 15 and train_w.max() == 2.0


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


def row_independence_cases():
    rng = np.random.default_rng(5)
    X30 = rng.normal(size=(200, 30))
    y30 = X30[:, :3].sum(axis=1) + 0.1 * rng.normal(size=200)
    X10, y10 = make_classification(n_samples=300, n_features=20, n_informative=10,
                                   n_classes=10, random_state=0)
    Xb, yb = make_classification(n_samples=200, n_features=30, random_state=1)
    Xm, Ym = make_multilabel_classification(n_samples=100, n_features=8, n_classes=4,
                                            random_state=0)
    return [
        (NeuroEvolutionRegressor((16,)), X30, y30),              # the audit's case
        (NeuroEvolutionRegressor((12, 7), activation="relu"), X30, np.column_stack(
            [y30, -y30])),
        (NeuroEvolutionClassifier((6,)), *load_iris(return_X_y=True)),
        (NeuroEvolutionClassifier((16,)), X10, y10),              # 10-way softmax
        (NeuroEvolutionClassifier((9, 5), activation="logistic"), Xb, yb),
        (NeuroEvolutionClassifier((5,)), Xm, Ym),                 # multilabel
        (NeuroEvolutionClassifier((700,), max_generations=1), X30[:, :4],
         (y30 > 0).astype(int)),                                  # wide hidden layer
    ]


@pytest.mark.parametrize("case", range(7))
def test_prediction_is_float64_and_each_row_predicts_the_same_alone_or_in_a_batch(case):
    estimator, X, y = row_independence_cases()[case]
    estimator.set_params(max_generations=min(estimator.max_generations, 5), random_state=0)
    estimator.fit(X, y)
    method = estimator.predict_proba if hasattr(estimator, "predict_proba") \
        else estimator.predict
    batch = method(X)
    assert batch.dtype == np.float64
    alone = np.concatenate([method(X[i:i + 1]) for i in range(len(X))])
    assert np.array_equal(alone, batch)
    pairs = np.concatenate([method(X[i:i + 2]) for i in range(0, len(X), 2)])
    assert np.array_equal(pairs, batch)
    reordered = np.arange(len(X))[::-1]
    assert np.array_equal(method(X[reordered]), batch[reordered])
    assert np.array_equal(method(np.vstack([X, X]))[len(X):], batch)  # a larger batch
    assert np.array_equal(np.concatenate([estimator.predict(X[i:i + 1]) for i in range(len(X))]),
                          estimator.predict(X))
    # the network of coefs_ and intercepts_ through the population forward pass, in float64
    layout = MLPLayout(estimator.n_features_in_, estimator.hidden_layer_sizes,
                       estimator.n_outputs_, estimator.activation, estimator.out_activation_)
    manual = forward(layout, layout.pack(zip(estimator.coefs_, estimator.intercepts_)), X,
                     dtype=np.float64)
    if isinstance(estimator, NeuroEvolutionClassifier):
        assert np.array_equal(manual, batch[:, 1:] if estimator.n_outputs_ == 1 else batch)


def test_row_independence_across_row_chunks():
    # more rows than one chunk of the forward pass (512): rows alone equal the batch
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1300, 30))
    reg = NeuroEvolutionRegressor((20,), max_generations=2, random_state=0).fit(
        X, X[:, 0] - X[:, 1])
    batch = reg.predict(X)
    picks = [0, 511, 512, 513, 1023, 1024, 1299]
    assert np.array_equal(np.concatenate([reg.predict(X[i:i + 1]) for i in picks]), batch[picks])
    assert np.array_equal(reg.predict(X[500:530]), batch[500:530])


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


def test_loss_is_a_class_attribute_as_in_sklearn_mlp():
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    assert NeuroEvolutionClassifier().loss == MLPClassifier().loss == "log_loss"
    assert NeuroEvolutionRegressor().loss == MLPRegressor().loss == "squared_error"
    for estimator in (NeuroEvolutionClassifier(), NeuroEvolutionRegressor()):
        assert "loss" not in estimator.get_params()
        assert not hasattr(estimator, "_loss")


def test_multilabel_partial_fit_takes_the_labels_from_y_like_mlpclassifier():
    from sklearn.neural_network import MLPClassifier

    X, Y = make_multilabel_classification(n_samples=80, n_features=5, n_classes=3,
                                          random_state=0)
    clf = NeuroEvolutionClassifier((4,), random_state=0)
    clf.partial_fit(X, Y, classes=[0, 1, 2])
    expected = MLPClassifier((4,), random_state=0).partial_fit(X, Y, classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, expected.classes_)
    np.testing.assert_array_equal(clf.classes_, np.arange(3))
    assert clf.n_outputs_ == 3 and clf.out_activation_ == "logistic"
    # the same first generation as fit on the indicator matrix
    reference = NeuroEvolutionClassifier((4,), random_state=0, max_generations=1).fit(X, Y)
    np.testing.assert_array_equal(clf.coefs_[0], reference.coefs_[0])
    clf.partial_fit(X[:40], Y[:40])
    assert clf.n_iter_ == 2 and clf.predict(X).shape == (80, 3)
    with pytest.raises(ValueError):
        clf.partial_fit(X, np.hstack([Y, Y[:, :1]]))  # a fourth label


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
