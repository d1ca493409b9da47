"""strategy="nsga2": the front of networks (loss against size), select_network, files, runs."""

import json
import warnings

import numpy as np
import pytest
from estimator_helpers import regression_data
from sklearn.base import clone
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from test_checkpoint import assert_same_model, crash_fit

import evonet
from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.estimators import choose_strategy
from evonet.runs import fit_context
from evonet.strategies import NSGA2
from evonet.strategies.nsga2 import hypervolume_2d, non_dominated

PARAMS = dict(hidden_layer_sizes=(6,), strategy="nsga2", population_size=30,
              max_generations=25, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=150, n_features=6, n_informative=4, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def fitted(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return NeuroEvolutionClassifier(**PARAMS).fit(*data)


def n_nonzero(est):
    return sum(int(np.count_nonzero(a)) for a in est.coefs_ + est.intercepts_)


def test_the_front_is_non_dominated_best_loss_first(fitted):
    front = fitted.pareto_front_
    assert len(front) >= 3
    assert [entry["index"] for entry in front] == list(range(len(front)))
    assert all(sorted(entry) == ["index", "loss", "n_weights"] for entry in front)
    losses = [entry["loss"] for entry in front]
    sizes = [entry["n_weights"] for entry in front]
    # non-dominated: as the loss grows, the size shrinks
    assert losses == sorted(losses) and all(a > b for a, b in zip(sizes, sizes[1:]))
    assert fitted.network_index_ == 0 and fitted.strategy_ == "nsga2"
    assert n_nonzero(fitted) == sizes[0]
    assert fitted.best_loss_ == pytest.approx(losses[0])


def test_select_network_returns_a_copy_using_that_network(fitted, data):
    X, y = data
    before = [a.copy() for a in fitted.coefs_ + fitted.intercepts_]
    last = len(fitted.pareto_front_) - 1
    small = fitted.select_network(last)
    assert small is not fitted and small.network_index_ == last
    assert n_nonzero(small) == fitted.pareto_front_[last]["n_weights"]
    assert small.pareto_front_ == fitted.pareto_front_
    assert all(np.array_equal(a, b) for a, b in zip(before, fitted.coefs_ + fitted.intercepts_))
    assert fitted.network_index_ == 0
    assert not np.array_equal(small.predict_proba(X), fitted.predict_proba(X))
    # the copy predicts as its masked network does in scikit-learn (zeros where masked)
    mlp = small.to_sklearn()
    assert np.allclose(mlp.predict_proba(X), small.predict_proba(X))
    assert sum(int(np.count_nonzero(W)) for W in mlp.coefs_ + mlp.intercepts_) \
        == small.pareto_front_[last]["n_weights"]
    assert isinstance(mlp, MLPClassifier)
    document = json.loads(small.to_json())
    assert np.array_equal(np.array(document["coefs"][0]), small.coefs_[0])
    assert np.array_equal(fitted.select_network(-1).coefs_[0], small.coefs_[0])


def test_select_network_refuses_bad_indices_and_unfitted_models(fitted, data):
    n = len(fitted.pareto_front_)
    for index in (n, -n - 1, 1.5, "0", True):
        with pytest.raises(ValueError, match=f"index={index!r} .*integer in \\[0, {n - 1}\\]"):
            fitted.select_network(index)
    with pytest.raises(NotFittedError):
        NeuroEvolutionClassifier(strategy="nsga2").select_network(0)
    other = NeuroEvolutionClassifier((3,), strategy="ga", population_size=10,
                                     max_generations=3, random_state=0).fit(*data)
    assert not hasattr(other, "pareto_front_")
    with pytest.raises(ValueError, match="strategy='nsga2'.*strategy='ga'"):
        other.select_network(0)


def test_model_files_keep_the_whole_front(fitted, data, tmp_path):
    X, _ = data
    chosen = fitted.select_network(1)
    path = tmp_path / "front.evonet"
    chosen.save(path)
    loaded = evonet.load(path)
    assert loaded.pareto_front_ == fitted.pareto_front_ and loaded.network_index_ == 1
    assert np.array_equal(loaded.predict_proba(X), chosen.predict_proba(X))
    for index in (0, len(fitted.pareto_front_) - 1):
        assert np.array_equal(loaded.select_network(index).predict_proba(X),
                              fitted.select_network(index).predict_proba(X))


def test_a_model_file_of_another_strategy_has_no_front(data, tmp_path):
    est = NeuroEvolutionClassifier((3,), strategy="ga", population_size=10, max_generations=3,
                                   random_state=0).fit(*data)
    est.save(tmp_path / "ga.evonet")
    assert not hasattr(evonet.load(tmp_path / "ga.evonet"), "pareto_front_")


def test_regressor_front_and_selected_network(tmp_path):
    X, y = regression_data(120)
    reg = NeuroEvolutionRegressor((5,), strategy="nsga2", population_size=30,
                                  max_generations=20, random_state=0).fit(X, y)
    assert len(reg.pareto_front_) >= 3
    small = reg.select_network(len(reg.pareto_front_) - 1)
    mlp = small.to_sklearn()
    assert isinstance(mlp, MLPRegressor) and np.allclose(mlp.predict(X), small.predict(X))
    small.save(tmp_path / "reg.evonet")
    assert np.array_equal(evonet.load(tmp_path / "reg.evonet").predict(X), small.predict(X))


def test_clone_pipelines_and_grid_search_behave(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), NeuroEvolutionClassifier(**PARAMS)).fit(X, y)
    assert len(pipe[-1].pareto_front_) >= 3
    assert not hasattr(clone(pipe[-1]), "pareto_front_")
    grid = GridSearchCV(NeuroEvolutionClassifier(**dict(PARAMS, max_generations=5)),
                        {"hidden_layer_sizes": [(3,), (5,)]}, cv=2).fit(X, y)
    assert grid.best_estimator_.strategy_ == "nsga2"
    assert grid.best_estimator_.select_network(0).predict(X).shape == y.shape


def test_identical_whatever_the_threads_and_jobs(fitted, data):
    with evonet.config_context(n_threads=2):
        threaded = NeuroEvolutionClassifier(**PARAMS).fit(*data)
    workers = NeuroEvolutionClassifier(**dict(PARAMS, n_jobs=2)).fit(*data)
    for other in (threaded, workers):
        assert_same_model(other, fitted)
        assert other.pareto_front_ == fitted.pareto_front_


def test_checkpoint_resumes_bit_identically(data, tmp_path):
    X, y = data
    params = dict(PARAMS, max_generations=20, checkpoint_interval=0)
    reference = NeuroEvolutionClassifier(**params).fit(X, y)
    path = tmp_path / "nsga2.ckpt"
    crash_fit(NeuroEvolutionClassifier(checkpoint=path, **params), X, y, 11)
    resumed = NeuroEvolutionClassifier(checkpoint=path, **params).fit(X, y)
    assert_same_model(resumed, reference)
    assert resumed.pareto_front_ == reference.pareto_front_


def test_warm_start_continues_the_front(data):
    X, y = data
    est = NeuroEvolutionClassifier(**dict(PARAMS, max_generations=8, warm_start=True))
    first = est.fit(X, y).pareto_front_
    generation = est._run.generation
    second = est.fit(X, y).pareto_front_
    assert est._run.generation == generation + 8
    # elitist: the continued front is at least as good at its best loss
    assert second[0]["loss"] <= first[0]["loss"]


def test_hypervolume_stops_the_run(data):
    est = NeuroEvolutionClassifier(**dict(PARAMS, max_generations=500, n_iter_no_change=3,
                                          tol=1e-2)).fit(*data)
    assert est.stop_reason_ == "converged" and est.n_iter_ < 500


def test_hypervolume_grows_and_matches_moocore():
    # moocore: what DEAP's tools.indicator.hypervolume computes with
    moocore = pytest.importorskip("moocore")
    strategy = NSGA2(population_size=20)
    rng = np.random.default_rng(0)
    state = strategy.init(lambda n, rng: rng.normal(size=(n, 6)), rng)
    volumes = []
    for _ in range(15):
        population = strategy.ask(state, rng)
        state = strategy.tell(state, population, (population ** 2).sum(axis=1)
                              + np.abs(population - 1).sum(axis=1), rng)
        volumes.append(state.hypervolume)
        points = state.objectives[non_dominated(state.objectives)] / [1.0, 6.0]
        assert state.hypervolume == pytest.approx(moocore.hypervolume(points, ref=state.reference))
    assert volumes == sorted(volumes) and volumes[-1] > volumes[0]   # elitist


def test_hypervolume_2d_by_hand():
    assert hypervolume_2d(np.empty((0, 2)), (1.0, 1.0)) == 0.0
    assert hypervolume_2d([[0.0, 0.0]], (2.0, 3.0)) == 6.0
    # a dominated point adds nothing
    assert hypervolume_2d([[0.0, 1.0], [1.0, 2.0]], (2.0, 3.0)) == 4.0


def test_initial_masks_are_dense_or_span_the_sizes():
    strategy = NSGA2(population_size=10, initial_density=None)
    state = strategy.init(lambda n, rng: rng.normal(size=(n, 1000)), np.random.default_rng(0))
    density = state.masks.mean(axis=1)
    assert np.allclose(density, np.arange(1, 11) / 10, atol=0.05)
    fixed = NSGA2(population_size=10, initial_density=0.3).init(
        lambda n, rng: rng.normal(size=(n, 1000)), np.random.default_rng(0))
    assert np.allclose(fixed.masks.mean(axis=1), 0.3, atol=0.05)
    assert NSGA2().init(lambda n, rng: rng.normal(size=(n, 50)),
                        np.random.default_rng(0)).masks.all()


def test_auto_never_picks_nsga2():
    picks = {choose_strategy(n, m, b) for n in (10, 150, 151, 10**5) for m in (50, 10**5)
             for b in ("auto", None, 32)}
    assert picks == {"cmaes", "es"}


@pytest.mark.parametrize("settings, match", [
    (dict(initial_density=0.0), "initial_density must be None or a number in \\(0, 1\\]"),
    (dict(initial_density=True), "initial_density"),
    (dict(loss_selection=2.0), "loss_selection"),
    (dict(mask_rate=1.5), "mask_rate"),
    (dict(crossover_rate=-1), "crossover_rate"),
    (dict(mutation_sigma=-0.1), "mutation_sigma"),
])
def test_bad_settings_are_refused(settings, match):
    with pytest.raises(ValueError, match=match):
        NSGA2(**settings)


def test_early_stopping_is_refused_with_nsga2(data):
    with pytest.raises(ValueError, match="early_stopping=True is not supported with "
                                         "strategy='nsga2'"):
        NeuroEvolutionClassifier(**dict(PARAMS, early_stopping=True)).fit(*data)


def test_partial_fit_keeps_a_front(data):
    X, y = data
    est = NeuroEvolutionClassifier(**PARAMS)
    for _ in range(3):
        est.partial_fit(X, y, classes=np.unique(y))
    assert est.n_iter_ == 1 and len(est.pareto_front_) >= 1


def test_fit_context_callbacks_see_the_state(data):
    seen = []

    class Watch(evonet.callbacks.Callback):
        def on_generation(self, run):
            seen.append(run.state.hypervolume)

    with fit_context(callbacks=[Watch()]):
        NeuroEvolutionClassifier(**dict(PARAMS, max_generations=5)).fit(*data)
    assert len(seen) == 5 and seen == sorted(seen)


@parametrize_with_checks([
    NeuroEvolutionClassifier(strategy="nsga2", max_generations=30, population_size=20),
])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# the regressor's run of the same checks (10 s) goes with the slow tests, which CI runs
# after the main suite, to keep the README's test command within its 4 minutes
@pytest.mark.slow
@parametrize_with_checks([
    NeuroEvolutionRegressor(strategy="nsga2", max_generations=30, population_size=20),
])
def test_sklearn_estimator_checks_regressor(estimator, check):
    check(estimator)


@pytest.mark.parametrize("learning", ["baldwinian", "lamarckian"])
def test_nsga2_learning_keeps_switched_off_connections_off(data, learning):
    # a zero weight is a connection a mask switched off: learning trains the others only,
    # so every network's size is what its mask made it
    X, y = data
    params = dict(PARAMS, strategy_params={"initial_density": None})
    learned = NeuroEvolutionClassifier(**params, learning=learning, learning_steps=5).fit(X, y)
    run = learned._run
    assert run.learner.keep_zeros
    masked = np.where(run.state.masks, run.state.weights, 0.0)
    assert (np.count_nonzero(masked, axis=1) == run.state.objectives[:, 1]).all()
    sizes = [entry["n_weights"] for entry in learned.pareto_front_]
    assert len(sizes) >= 3 and min(sizes) < 0.5 * max(sizes)
    for entry in learned.pareto_front_:
        network = learned.select_network(entry["index"])
        assert sum(np.count_nonzero(a) for a in network.coefs_ + network.intercepts_) \
            == entry["n_weights"]
    if learning == "lamarckian":   # the learned weights are what the front keeps
        plain = NeuroEvolutionClassifier(**params).fit(X, y)
        assert learned.pareto_front_[0]["loss"] < plain.pareto_front_[0]["loss"]


def test_a_learner_that_keeps_zeros_never_moves_them():
    from evonet import MLPLayout, SupervisedProblem
    from evonet.learning import LifetimeLearner

    X, y = load_iris(return_X_y=True)
    problem = SupervisedProblem(MLPLayout(4, (3,), 3, output_activation="softmax"), X, y,
                                loss="log_loss")
    population = np.random.default_rng(0).normal(size=(6, problem.layout.n_params))
    population[population < 0.3] = 0.0
    learned, _ = LifetimeLearner(problem, "lamarckian", learning_steps=20,
                                 learning_rate_init=0.05, keep_zeros=True).learn(
        population, np.random.default_rng(1), None)
    assert np.array_equal(learned == 0, population == 0)
    assert (problem.evaluate(learned) < problem.evaluate(population)).all()
