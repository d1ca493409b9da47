"""Population-based training: the strategy (exploit, explore, history) and strategy="pbt"."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

import evonet
from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.strategies import PBT, get_strategy


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


FAST = dict(strategy="pbt", hidden_layer_sizes=(6,), population_size=8, max_generations=6,
            strategy_params=dict(steps=5), random_state=0)


# -- the strategy -----------------------------------------------------------------------------
def told_round(strategy, seed=0, n_params=3):
    rng = np.random.default_rng(seed)
    state = strategy.init(lambda n, rng: rng.normal(size=(n, n_params)), rng)
    plan = strategy.learning_plan(state)
    plan.optimizer_state.m[:] = np.arange(len(plan.learning_rate))[:, None]  # tell rows apart
    state = strategy.learned(state, plan)
    before = (state.learning_rate.copy(), state.alpha.copy(), state.adam_m.copy())
    population = strategy.ask(state, rng)
    losses = np.arange(len(population), dtype=float)[::-1]   # member 0 is the worst
    return strategy.tell_learned(state, population, losses, rng), population, losses, before


def test_the_worst_quarter_copies_a_best_member_then_explores():
    strategy = PBT(population_size=8, resample_probability=0.0)
    state, population, losses, (rate, alpha, m) = told_round(strategy)
    parent = state.history_parent[-1]
    worst, best = np.argsort(losses)[-2:], np.argsort(losses)[:2]
    assert set(parent[worst]) <= set(best)
    kept = np.setdiff1d(np.arange(8), worst)
    assert np.array_equal(parent[kept], kept)
    assert np.array_equal(state.population, population[parent])
    assert np.array_equal(state.adam_m, m[parent])
    assert np.array_equal(state.learning_rate[kept], rate[kept])
    ratio = state.learning_rate[worst] / rate[parent[worst]]
    assert np.allclose(np.sort(np.r_[ratio, 0.8, 1.2])[[0, -1]], [0.8, 1.2])
    assert all(np.isclose(r, 0.8) or np.isclose(r, 1.2) for r in ratio)
    assert all(np.isclose(a / alpha[p], 0.8) or np.isclose(a / alpha[p], 1.2)
               for a, p in zip(state.alpha[worst], parent[worst]))
    # the history keeps what each member trained with and how it did
    assert np.array_equal(state.history_learning_rate[-1], rate)
    assert np.array_equal(state.history_loss[-1], losses)


def test_resampling_draws_from_the_initial_range_and_the_incumbent_is_the_best():
    strategy = PBT(population_size=8, resample_probability=1.0, learning_rate=(1e-3, 2e-3))
    state, population, losses, _ = told_round(strategy)
    assert ((state.learning_rate >= 1e-3) & (state.learning_rate <= 2e-3)).all()
    params, loss = strategy.incumbent(state)
    assert np.array_equal(params, population[np.argmin(losses)]) and loss == losses.min()


def test_same_generator_same_rounds_and_the_plan_has_the_members_settings():
    a, *_ = told_round(PBT(population_size=8), seed=3)
    b, *_ = told_round(PBT(population_size=8), seed=3)
    c, *_ = told_round(PBT(population_size=8), seed=4)
    assert np.array_equal(a.learning_rate, b.learning_rate)
    assert not np.array_equal(a.learning_rate, c.learning_rate)
    plan = PBT(steps=7).learning_plan(a)
    assert plan.steps == 7 and np.array_equal(plan.learning_rate, a.learning_rate)


@pytest.mark.parametrize("settings, match", [
    (dict(steps=0), "steps"), (dict(learning_rate=(0.1, 0.01)), "learning_rate"),
    (dict(alpha=-1.0), "alpha"), (dict(fraction=0.75), "fraction must be in"),
    (dict(resample_probability=2.0), "resample_probability"),
])
def test_bad_settings_are_refused_by_name(settings, match):
    with pytest.raises(ValueError, match=match):
        get_strategy("pbt", **settings)


# -- the estimators ---------------------------------------------------------------------------
def test_pbt_fits_keeps_the_best_validated_member_and_records_the_history(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier(**FAST).fit(X, y)
    assert clf.strategy_ == "pbt" and clf.score(X, y) > 0.8
    history = clf.pbt_history_
    assert set(history) == {"learning_rate", "alpha", "loss", "parent"}
    assert all(v.shape == (clf.n_iter_, 8) for v in history.values())
    # the model is the member with the lowest validation loss of any round
    assert np.isclose(clf.best_loss_, history["loss"].min())
    assert clf.loss_curve_ == sorted(clf.loss_curve_, reverse=True)
    assert np.allclose(clf.to_sklearn().predict_proba(X), clf.predict_proba(X))


def test_a_round_is_two_epochs_of_minibatches_by_default(iris):
    from evonet.estimators._pbt import ready_steps

    assert [ready_steps(n) for n in (135, 500, 501, 720)] == [5, 5, 6, 8]
    assert ready_steps(720, learning_batch_size=50) == 29
    assert ready_steps(10**6) == ready_steps(10**4, learning_batch_size=1) == 50
    X, y = iris
    rng = np.random.default_rng(0)
    big_X = np.repeat(X, 5, axis=0) + 0.01 * rng.normal(size=(750, 4))
    params = dict(FAST, strategy_params=None, max_generations=1)
    # 750 rows, 675 after the validation split: ceil(2 * 675 / 200) = 7 steps a round
    clf = NeuroEvolutionClassifier(**params).fit(big_X, np.repeat(y, 5))
    assert clf._run.strategy.steps == 7
    clf.set_params(learning_batch_size=100).fit(big_X, np.repeat(y, 5))
    assert clf._run.strategy.steps == 14
    clf.fit(X, y)  # 135 rows: the floor of 5
    assert clf._run.strategy.steps == 5
    clf.set_params(strategy_params={"steps": 3}).fit(big_X, np.repeat(y, 5))
    assert clf._run.strategy.steps == 3  # strategy_params win


def test_pbt_refuses_learning_naming_it(iris):
    with pytest.raises(ValueError, match="learning='lamarckian' does not combine with "
                                         "strategy='pbt'"):
        NeuroEvolutionClassifier(learning="lamarckian", **FAST).fit(*iris)


def test_pbt_judges_its_members_by_the_scoring(iris):
    X, y = iris
    scored = NeuroEvolutionClassifier(scoring="balanced_accuracy", **FAST).fit(X, y)
    plain = NeuroEvolutionClassifier(**FAST).fit(X, y)
    # the members learn from the loss but are ranked (and kept) by -score on the
    # validation rows: every recorded loss is a negative balanced accuracy
    history = scored.pbt_history_["loss"]
    assert np.all((history >= -1.0) & (history <= 0.0))
    assert scored.best_loss_ == pytest.approx(history.min())
    assert not np.all(plain.pbt_history_["loss"] <= 0.0)


def test_pbt_stops_on_the_validation_loss(iris):
    # 135 training rows in one minibatch: a round of 5 steps is 5 epochs, so a
    # patience of 10 epochs is 2 rounds (and 11 epochs, 3 rounds)
    for epochs, rounds in [(10, 2), (11, 3)]:
        clf = NeuroEvolutionClassifier(**dict(FAST, max_generations=200, n_iter_no_change=epochs,
                                              tol=1.0)).fit(*iris)
        assert clf.stop_reason_ == "converged" and clf.n_iter_ == rounds + 1


def wide_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 20))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


WIDE = dict(strategy="pbt", hidden_layer_sizes=(300,), population_size=40, max_generations=3,
            strategy_params=dict(steps=2), learning_batch_size=500, random_state=0)


def test_same_model_for_any_threads_and_jobs_with_several_chunks():
    X, y = wide_data()
    with evonet.config_context(n_threads=1):
        reference = NeuroEvolutionClassifier(**WIDE).fit(X, y)
    learner = reference._run.learner
    assert len(learner._chunks(40)) >= 2   # several chunks, or the test proves nothing
    for n_threads, n_jobs in [(2, None), (3, 2)]:
        with evonet.config_context(n_threads=n_threads):
            other = NeuroEvolutionClassifier(n_jobs=n_jobs, **WIDE).fit(X, y)
        for W, V in zip(reference.coefs_ + reference.intercepts_,
                        other.coefs_ + other.intercepts_):
            assert np.array_equal(W, V)
        assert reference.loss_curve_ == other.loss_curve_
        assert np.array_equal(reference.pbt_history_["loss"], other.pbt_history_["loss"])


def test_a_resumed_fit_equals_an_uninterrupted_one(tmp_path, iris):
    from tests.test_checkpoint import assert_same_model, crash_fit
    X, y = iris
    params = dict(FAST, max_generations=8, n_iter_no_change=100, checkpoint_interval=0)
    reference = NeuroEvolutionClassifier(**params).fit(X, y)
    path = tmp_path / "pbt.ckpt"
    crash_fit(NeuroEvolutionClassifier(checkpoint=path, **params), X, y, 4)
    assert path.exists()
    resumed = NeuroEvolutionClassifier(checkpoint=path, **params).fit(X, y)
    assert_same_model(resumed, reference)
    for key, value in reference.pbt_history_.items():
        assert np.array_equal(value, resumed.pbt_history_[key])


def test_warm_start_and_partial_fit_continue_the_rounds(iris):
    X, y = iris
    est = NeuroEvolutionClassifier(warm_start=True, **dict(FAST, n_iter_no_change=100))
    est.fit(X, y)
    rounds, first = est._run.generation, est.best_loss_
    est.fit(X, y)
    assert est._run.generation == rounds + 6 and len(est.pbt_history_["loss"]) == rounds + 6
    assert est.n_iter_ == 6 and est.best_loss_ <= first
    stream = NeuroEvolutionRegressor(**FAST)
    for _ in range(3):
        stream.partial_fit(X[:, 1:], X[:, 0])
    assert stream._run.generation == 3 and stream.pbt_history_["loss"].shape == (3, 8)
    assert np.isfinite(stream.predict(X[:, 1:])).all()


def test_model_files_and_a_regressor(tmp_path, iris):
    X, _ = iris
    est = NeuroEvolutionRegressor(**FAST).fit(X[:, 1:], X[:, 0])
    assert est.score(X[:, 1:], X[:, 0]) > 0.5
    evonet.save(est, tmp_path / "m.evonet")
    loaded = evonet.load(tmp_path / "m.evonet")
    assert loaded.get_params() == est.get_params() and loaded.strategy_ == "pbt"
    assert np.array_equal(loaded.predict(X[:, 1:]), est.predict(X[:, 1:]))


def test_a_huge_learning_rate_never_leaves_nan_in_the_model(iris):
    X, y = iris
    clf = NeuroEvolutionClassifier(**dict(FAST, strategy_params=dict(
        steps=5, learning_rate=(1e300, 1e300)))).fit(X, y)
    assert all(np.isfinite(W).all() for W in clf.coefs_ + clf.intercepts_)


def test_a_run_whose_members_all_diverge_at_once_still_ends_with_a_model(iris):
    # PBT's fitness is float32: every member's validation loss overflows to inf in the
    # first round, after which the run kept no incumbent and its first check failed deep
    # inside the evaluator
    X, y = iris
    clf = NeuroEvolutionClassifier(**dict(FAST, strategy_params=dict(
        steps=5, learning_rate=(1e300, 1e300)))).fit(X, y)
    assert all(np.isfinite(W).all() for W in clf.coefs_ + clf.intercepts_)
    assert clf.loss_curve_[0] == np.inf


@pytest.mark.parametrize("name", ["ga", "pbt"])
@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_a_first_generation_of_only_bad_losses_still_has_an_incumbent(name, bad):
    strategy = get_strategy(name, population_size=8)
    rng = np.random.default_rng(0)
    state = strategy.init(lambda n, rng: rng.normal(size=(n, 3)), rng)
    population = strategy.ask(state, rng)
    state = strategy.tell(state, population, np.full(len(population), bad), rng)
    params, loss = strategy.incumbent(state)
    assert params is not None and np.asarray(params).shape == (3,) and loss == np.inf


def _sklearn_checked():
    from sklearn.utils.estimator_checks import parametrize_with_checks
    settings = dict(strategy="pbt", hidden_layer_sizes=(8,), population_size=4,
                    max_generations=10, strategy_params=dict(steps=10))
    # PBT holds out a random validation split, so a row repeated twice may land on both
    # sides of it while its weight-2 twin lands on one: weighting is not repeating there
    # (as for scikit-learn's MLP with early_stopping); every other check must pass
    why = "a random validation split: weights are not repeated rows"
    return parametrize_with_checks(
        [NeuroEvolutionClassifier(**settings), NeuroEvolutionRegressor(**settings)],
        expected_failed_checks=lambda est: {
            "check_sample_weight_equivalence_on_dense_data": why,
            "check_sample_weight_equivalence_on_sparse_data": why})


@_sklearn_checked()
def test_sklearn_estimator_checks_with_pbt(estimator, check):
    check(estimator)


def test_a_run_started_by_partial_fit_draws_alpha_from_the_stream_range():
    # a call's L2 term is divided by its own rows, so a stream starts from smaller alphas
    from evonet.estimators._pbt import STREAM_ALPHA

    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    fitted = NeuroEvolutionClassifier(strategy="pbt", population_size=16, max_generations=2,
                                      random_state=0).fit(X, y)
    first = fitted.pbt_history_["alpha"][0]
    assert first.min() >= 1e-2 and first.max() <= 1.0
    streamed = NeuroEvolutionClassifier(strategy="pbt", population_size=16, random_state=0)
    streamed.partial_fit(X[::3], y[::3], classes=[0, 1, 2])
    first = streamed.pbt_history_["alpha"][0]
    assert first.min() >= STREAM_ALPHA[0] and first.max() <= STREAM_ALPHA[1]


def test_alpha_and_learning_rate_init_scale_pbt_ranges():
    # a grid search over alpha or learning_rate_init changes a PBT model; the defaults give
    # PBT's own ranges, so the default model is PBT's
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)

    def fit(**params):
        return NeuroEvolutionClassifier(strategy="pbt", max_generations=3, random_state=0,
                                        **params).fit(X, y)

    own = fit(strategy_params={"alpha": (1e-2, 1.0), "learning_rate": (3e-4, 1e-2)})
    default = fit()
    np.testing.assert_array_equal(default.predict_proba(X), own.predict_proba(X))
    for params, key, factor in [({"alpha": 10.0}, "alpha", 10.0),
                                ({"learning_rate_init": 1e-4}, "learning_rate", 0.1)]:
        scaled = fit(**params)
        np.testing.assert_allclose(scaled.pbt_history_[key][0],
                                   factor * default.pbt_history_[key][0])
        assert not np.array_equal(scaled.predict_proba(X), default.predict_proba(X))
    regressor = NeuroEvolutionRegressor(strategy="pbt", max_generations=2, random_state=0)
    first = regressor.fit(X[:, 1:], X[:, 0]).pbt_history_["alpha"][0]  # alpha=3.0, its default
    assert first.min() >= 1e-2 and first.max() <= 1.0


def test_pbt_early_stopping_follows_the_scoring_and_warm_start_checks_every_round():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    params = dict(strategy="pbt", early_stopping=True, random_state=0, max_generations=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scored = NeuroEvolutionClassifier(scoring="neg_log_loss", **params).fit(X, y)
        # a log-loss is negative; an accuracy would be in [0, 1]
        assert all(score < 0 for score in scored.validation_scores_)
        warm = NeuroEvolutionClassifier(warm_start=True, n_iter_no_change=1000, **params)
        warm.fit(X, y)
        first = len(warm.validation_scores_)
        warm.fit(X, y)
    # a continued PBT run checks after every round, as the run it continues
    assert first == 6 and len(warm.validation_scores_) == 6


def test_pbt_takes_numpy_scalars_and_keeps_its_ranges_in_bounds():
    from evonet.estimators._pbt import pbt_ranges

    X, y = load_iris(return_X_y=True)
    clf = NeuroEvolutionClassifier(strategy="pbt", alpha=np.float32(0.5), max_generations=2,
                                   learning_rate_init=np.float32(1e-3), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert np.isfinite(clf.predict_proba(X)).all()
    ranges = pbt_ranges(NeuroEvolutionClassifier(alpha=1e3, learning_rate_init=1.0), False)
    assert ranges == {"alpha": (10.0, 10.0), "learning_rate": (0.3, 1.0)}


def test_a_checkpoint_of_pbt_is_refused_after_learning_rate_init_changes():
    from evonet.estimators._checkpoint import fingerprint

    X, y = load_iris(return_X_y=True)
    prints = [fingerprint(NeuroEvolutionClassifier(strategy=strategy, **params), X, y, None)
              for strategy in ("auto", "pbt", "es")
              for params in ({}, {"learning_rate_init": 0.01})]
    assert prints[0] != prints[1] and prints[2] != prints[3]   # PBT uses it
    assert prints[4] == prints[5]   # the ES without learning does not
