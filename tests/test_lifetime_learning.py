"""Lifetime learning: the learner (evonet.learning), the strategies' Lamarckian hooks and the
estimators' ``learning`` parameters."""

import copy

import numpy as np
import pytest

import evonet
from evonet import Evaluator, MLPLayout, SupervisedProblem
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.learning import LearningPlan, LifetimeLearner
from evonet.nn.optim import Adam
from evonet.problems.learning import train_population
from evonet.strategies import get_strategy
from evonet.strategies.cmaes import clamp_injected

RNG = np.random.default_rng(42)
X = RNG.normal(size=(60, 3))
Y = (X @ [1.0, -2.0, 0.5] > 0).astype(int) + (X[:, 0] > 1)
LAYOUT = MLPLayout(3, (5,), 3, output_activation="softmax")


def problem(alpha=0.0):
    return SupervisedProblem(LAYOUT, X, Y, loss="log_loss", alpha=alpha, dtype=np.float64)


def population(n=10, seed=0):
    return init_population(LAYOUT, n, np.random.default_rng(seed))


# -- the learner -------------------------------------------------------------------------------
def test_learning_lowers_every_loss_and_leaves_the_population_alone():
    p, pop = problem(), population()
    before = pop.copy()
    learner = LifetimeLearner(p, "lamarckian", learning_steps=20, learning_rate_init=0.05)
    learned, plan = learner.learn(pop, np.random.default_rng(0), None)
    assert plan is None and np.array_equal(pop, before)
    assert (p.evaluate(learned) < p.evaluate(pop)).all()


def test_the_same_seed_learns_the_same_networks_and_moves_the_generator_on():
    learner = LifetimeLearner(problem(), learning_batch_size=16)
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    a, _ = learner.learn(population(), rng_a, None)
    b, _ = learner.learn(population(), rng_b, None)
    assert np.array_equal(a, b)
    assert rng_a.integers(10**9) == rng_b.integers(10**9)
    assert rng_a.bit_generator.state != np.random.default_rng(3).bit_generator.state


@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_results_do_not_depend_on_the_threads_with_several_chunks(n_threads):
    learner = LifetimeLearner(problem(), learning_batch_size=16, chunk_size=3)
    assert len(learner._chunks(10)) == 4
    with evonet.config_context(n_threads=1):
        reference, _ = learner.learn(population(), np.random.default_rng(1), None)
    with evonet.config_context(n_threads=n_threads):
        learned, _ = learner.learn(population(), np.random.default_rng(1), None)
    assert np.array_equal(learned, reference)


def test_without_a_plan_it_is_train_population_with_a_fresh_adam():
    p, pop = problem(alpha=0.5), population()
    learner = LifetimeLearner(p, learning_steps=7, learning_rate_init=0.01,
                              learning_batch_size=16)
    learned, _ = learner.learn(pop, np.random.default_rng(5), None)
    expected = train_population(p, pop, steps=7, rng=np.random.default_rng(5),
                                optimizer=Adam(learning_rate=0.01), batch_size=16)
    assert np.array_equal(learned, expected.population)


def test_a_plan_gives_each_network_its_rate_alpha_and_steps_and_its_state_lives_on():
    p, pop = problem(), population(6)
    rates = np.array([1e-3, 1e-2, 1e-1, 1e-3, 1e-2, 1e-1])
    alphas = np.array([0.0, 0.0, 0.0, 5.0, 5.0, 5.0])
    plan = LearningPlan(rates, alphas, steps=4)
    # full-batch steps: two calls of 4 steps continuing the state are one call of 8
    learner = LifetimeLearner(p, learning_batch_size=len(X))
    rng = np.random.default_rng(0)
    once, plan = learner.learn(pop, rng, plan)
    twice, plan = learner.learn(once, rng, plan)
    assert plan.optimizer_state.t.tolist() == [8] * 6
    expected = train_population(p, pop, steps=8, rng=np.random.default_rng(0),
                                optimizer=Adam(learning_rate=rates), alpha=alphas)
    assert np.allclose(twice, expected.population, rtol=0, atol=1e-12)
    moved = np.abs(twice - pop).sum(axis=1)
    assert moved[0] < moved[1] < moved[2]


def test_a_frozen_mask_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"frozen must have shape \(4, 38\), got \(4, 3\)"):
        train_population(problem(), population(4), steps=1, rng=np.random.default_rng(0),
                         frozen=np.zeros((4, 3), dtype=bool))


def test_a_plan_of_the_wrong_size_is_refused():
    learner = LifetimeLearner(problem())
    with pytest.raises(ValueError, match="plan.learning_rate"):
        learner.learn(population(4), np.random.default_rng(0), LearningPlan.uniform(3))
    with pytest.raises(ValueError, match="plan.steps"):
        learner.learn(population(3), np.random.default_rng(0),
                      LearningPlan(np.ones(3), np.zeros(3), steps=0))


def test_a_diverging_network_keeps_its_last_finite_weights():
    p = problem(alpha=1.0)   # weights of 1e300 make the L2 term overflow: the loss is inf
    learner = LifetimeLearner(p, learning_steps=5, learning_rate_init=1e300)
    learned, _ = learner.learn(population(4), np.random.default_rng(0), None)
    assert np.isfinite(learned).all() and np.isinf(p.evaluate(learned)).all()


@pytest.mark.parametrize("settings, match", [
    (dict(mode="darwinian"), "mode='darwinian'.*'baldwinian', 'lamarckian'"),
    (dict(learning_steps=0), "learning_steps must be a positive integer, got 0"),
    (dict(learning_rate_init=-1.0), "learning_rate_init must be a positive finite number"),
    (dict(learning_rate_init=float("nan")), "learning_rate_init"),
    (dict(learning_batch_size=0), "learning_batch_size must be a positive integer, got 0"),
    (dict(keep_zeros="yes"), "keep_zeros must be True or False, got 'yes'"),
    (dict(prequential=1), "prequential must be True or False, got 1"),
])
def test_bad_settings_are_refused_by_name(settings, match):
    with pytest.raises(ValueError, match=match):
        LifetimeLearner(problem(), **settings)


# -- the strategies' Lamarckian hooks -------------------------------------------------------------
def make_run(strategy, learner, seed=0, **settings):
    p = problem()
    return Run(get_strategy(strategy, **settings), Evaluator(p), np.random.default_rng(seed),
               initializer=lambda n, rng: init_population(LAYOUT, n, rng), learner=learner)


@pytest.mark.parametrize("strategy, settings", [("ga", dict(population_size=10)),
                                                ("cmaes", dict(population_size=8))])
def test_lamarckian_learning_beats_evolution_alone(strategy, settings):
    learner = LifetimeLearner(problem(), "lamarckian", learning_steps=5,
                              learning_rate_init=0.05)
    alone = evolve(make_run(strategy, None, **settings), 6)
    learned = evolve(make_run(strategy, learner, **settings), 6)
    assert learned.best_loss < alone.best_loss


def test_baldwinian_learning_tells_the_genomes_it_asked():
    learner = LifetimeLearner(problem(), "baldwinian", learning_steps=5,
                              learning_rate_init=0.05)
    run = evolve(make_run("ga", learner, population_size=10), 1)
    asked = make_run("ga", None, population_size=10)
    asked_population = asked.strategy.ask(asked.state, asked.rng)
    assert np.array_equal(run.state.population, asked_population)


def test_a_prequential_learner_is_scored_before_it_learns_and_tells_what_it_learned():
    # test, then train: the losses told are those of the networks asked for, on rows none
    # of them has learned; the networks told are the learned ones (Lamarckian)
    runs = {}
    for prequential in (False, True):
        learner = LifetimeLearner(problem(), "lamarckian", learning_steps=10,
                                  learning_rate_init=0.05, prequential=prequential)
        runs[prequential] = evolve(make_run("pbt", learner, population_size=8), 1)
    asked = make_run("pbt", None, population_size=8)
    asked = asked.strategy.ask(asked.state, asked.rng)
    learned = runs[False].state.history_loss[0]
    np.testing.assert_allclose(runs[True].state.history_loss[0], problem().evaluate(asked))
    assert (learned < runs[True].state.history_loss[0]).all()
    assert not np.array_equal(runs[True].state.population, asked)


def test_cmaes_clamps_injected_points_to_a_mahalanobis_length():
    strategy = get_strategy("cmaes", population_size=6, sigma=0.5)
    rng = np.random.default_rng(0)
    state = strategy.init(lambda n, rng: np.zeros((n, 4)), rng)
    sampled = strategy.ask(state, rng)
    far = sampled + 1e6
    clamped = clamp_injected(state.cma, far)
    limit = np.sqrt(4) + 2 * 4 / 6
    steps = (clamped - state.cma.centroid) / state.cma.sigma
    assert np.allclose(np.linalg.norm(steps, axis=1), limit)  # C = I at the start
    assert np.array_equal(clamp_injected(state.cma, sampled * 0.1), sampled * 0.1)
    told = strategy.tell_learned(copy.deepcopy(state), far, np.arange(6.0), rng)
    assert np.abs(told.cma.centroid).max() < limit * 0.5


def test_es_refuses_learned_networks():
    strategy = get_strategy("es", population_size=4)
    assert not strategy.takes_learned
    rng = np.random.default_rng(0)
    state = strategy.init(lambda n, rng: np.zeros((n, 2)), rng)
    with pytest.raises(ValueError, match="Lamarckian"):
        strategy.tell_learned(state, strategy.ask(state, rng), np.zeros(4), rng)


# -- the estimators ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(autouse=True)
def _quiet():
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


FAST = dict(hidden_layer_sizes=(4,), max_generations=8, random_state=0, learning_steps=3,
            learning_rate_init=0.05)


@pytest.mark.parametrize("params, match", [
    (dict(learning="darwinian"), "learning='darwinian' is not supported; choose None, "
                                 "'baldwinian' or 'lamarckian'"),
    (dict(learning=True), "learning=True"),
    (dict(learning="baldwinian", learning_steps=0), "learning_steps must be a positive "
                                                    "integer, got 0"),
    (dict(learning_steps=2.5), "learning_steps"),
    (dict(learning_rate_init=0.0), "learning_rate_init must be a positive finite number, "
                                   "got 0.0"),
    (dict(learning_rate_init=-1e-3), "learning_rate_init"),
    (dict(learning_batch_size=0), "learning_batch_size must be a positive integer or None, "
                                  "got 0"),
])
def test_bad_learning_parameters_are_refused_by_name(iris, params, match):
    from evonet import NeuroEvolutionClassifier
    with pytest.raises(ValueError, match=match):
        NeuroEvolutionClassifier(**params).fit(*iris)


def test_lamarckian_es_is_refused_naming_the_strategies_that_take_it(iris):
    from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
    with pytest.raises(ValueError, match="learning='lamarckian' cannot be used with "
                                         "strategy='es'.*'cmaes', 'ga'"):
        NeuroEvolutionClassifier(strategy="es", learning="lamarckian").fit(*iris)
    # strategy="auto" chooses the ES for a large network: refused, saying auto chose it
    with pytest.raises(ValueError, match=r"strategy='es' \(chosen by strategy='auto'\)"):
        NeuroEvolutionRegressor(hidden_layer_sizes=(50,), learning="lamarckian").fit(
            iris[0], iris[0][:, 0])
    # Baldwinian learning serves the ES
    est = NeuroEvolutionClassifier(strategy="es", learning="baldwinian", population_size=8,
                                   **FAST).fit(*iris)
    assert est.score(*iris) > 0.5


@pytest.mark.parametrize("strategy", ["ga", "cmaes", "es"])
def test_learning_gives_a_learned_model_on_every_strategy(iris, strategy):
    from evonet import NeuroEvolutionClassifier
    modes = ["baldwinian"] + (["lamarckian"] if strategy != "es" else [])
    alone = NeuroEvolutionClassifier(strategy=strategy, population_size=8, **FAST).fit(*iris)
    for mode in modes:
        learned = NeuroEvolutionClassifier(strategy=strategy, population_size=8,
                                           learning=mode, **FAST).fit(*iris)
        assert learned.best_loss_ < alone.best_loss_, mode


def test_a_huge_learning_rate_never_leaves_nan_in_the_model(iris):
    from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
    X, y = iris
    for est, target in [(NeuroEvolutionClassifier, y), (NeuroEvolutionRegressor, X[:, 0])]:
        for mode in ("baldwinian", "lamarckian"):
            model = est(strategy="ga", population_size=6, learning=mode,
                        **dict(FAST, learning_rate_init=1e300)).fit(X[:, 1:], target)
            assert all(np.isfinite(W).all() for W in model.coefs_ + model.intercepts_)
            assert np.isfinite(model.predict(X[:, 1:]).astype(float)).all()


def wide_data():
    """Data and a network whose learning and fitness come in several population chunks."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 20))
    return X, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


WIDE = dict(hidden_layer_sizes=(300,), strategy="ga", population_size=16, max_generations=3,
            learning="lamarckian", learning_steps=2, learning_batch_size=1000, random_state=0)


def test_same_model_for_any_threads_and_jobs_with_several_chunks():
    from evonet import NeuroEvolutionClassifier
    from evonet.learning import LifetimeLearner
    X, y = wide_data()
    reference = NeuroEvolutionClassifier(**WIDE)
    with evonet.config_context(n_threads=1):
        reference.fit(X, y)
    problem = SupervisedProblem(reference._architecture.layout, X, y, loss="log_loss")
    learner = LifetimeLearner(problem, learning_batch_size=1000)
    assert len(learner._chunks(16)) >= 2 and problem.population_chunk() < 16
    for n_threads, n_jobs in [(2, None), (3, 2)]:
        with evonet.config_context(n_threads=n_threads):
            other = NeuroEvolutionClassifier(n_jobs=n_jobs, **WIDE).fit(X, y)
        for W, V in zip(reference.coefs_ + reference.intercepts_,
                        other.coefs_ + other.intercepts_):
            assert np.array_equal(W, V)
        assert reference.loss_curve_ == other.loss_curve_


def test_a_resumed_fit_equals_an_uninterrupted_one(tmp_path, iris):
    from evonet import NeuroEvolutionClassifier
    from tests.test_checkpoint import assert_same_model, crash_fit
    X, y = iris
    for mode, strategy in [("lamarckian", "cmaes"), ("baldwinian", "ga")]:
        params = dict(FAST, strategy=strategy, population_size=8, max_generations=12,
                      learning=mode, learning_batch_size=32, checkpoint_interval=0)
        reference = NeuroEvolutionClassifier(**params).fit(X, y)
        path = tmp_path / f"{mode}.ckpt"
        crash_fit(NeuroEvolutionClassifier(checkpoint=path, **params), X, y, 6)
        assert path.exists()
        resumed = NeuroEvolutionClassifier(checkpoint=path, **params).fit(X, y)
        assert_same_model(resumed, reference)


def test_warm_start_and_partial_fit_continue_learning(iris):
    from evonet import NeuroEvolutionClassifier
    X, y = iris
    params = dict(FAST, strategy="ga", population_size=8, learning="lamarckian")
    est = NeuroEvolutionClassifier(warm_start=True, **params).fit(X, y)
    first = est.best_loss_
    generation = est._run.generation
    est.fit(X, y)
    assert est._run.generation == generation + params["max_generations"]
    assert est.best_loss_ <= first
    stream = NeuroEvolutionClassifier(**params)
    for _ in range(3):
        stream.partial_fit(X, y, classes=[0, 1, 2])
    assert stream._run.generation == 3 and stream._run.learner.lamarckian
    losses = stream.loss_curve_
    assert np.isfinite(losses).all()


def test_model_files_keep_the_learning_settings(tmp_path, iris):
    from evonet import NeuroEvolutionRegressor, load, save
    X, y = iris
    est = NeuroEvolutionRegressor(strategy="ga", population_size=6, learning="baldwinian",
                                  **dict(FAST, learning_batch_size=17)).fit(X[:, 1:], X[:, 0])
    save(est, tmp_path / "m.evonet")
    loaded = load(tmp_path / "m.evonet")
    assert loaded.get_params() == est.get_params()
    assert (loaded.learning, loaded.learning_batch_size) == ("baldwinian", 17)
    assert np.array_equal(loaded.predict(X[:, 1:]), est.predict(X[:, 1:]))


# scikit-learn's estimator checks, every one, with Lamarckian learning (a small, short fit:
# the GA takes Lamarckian learning whatever the network; the checks' data sets are small)
def _sklearn_checked():
    from sklearn.utils.estimator_checks import parametrize_with_checks

    from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
    settings = dict(hidden_layer_sizes=(8,), strategy="ga", learning="lamarckian",
                    population_size=6, max_generations=10, learning_rate_init=0.01)
    return parametrize_with_checks([NeuroEvolutionClassifier(**settings),
                                    NeuroEvolutionRegressor(**settings)])


@_sklearn_checked()
def test_sklearn_estimator_checks_with_lamarckian_learning(estimator, check):
    check(estimator)


# -- NEAT genomes ----------------------------------------------------------------------------------
def neat_genomes(n=9, seed=0):
    from evonet.genome.initializers import MinimalInitializer
    return MinimalInitializer(3, 3)(n, np.random.default_rng(seed))


def graph_problem():
    from evonet.problems import GraphProblem
    return GraphProblem(3, 3, X, Y, loss="log_loss", output_activation="softmax")


def test_genomes_learn_their_weights_and_biases_and_keep_their_structure():
    from evonet.genome.neat import BIAS, WEIGHT
    p, genomes = graph_problem(), neat_genomes()
    learner = LifetimeLearner(p, "lamarckian", learning_steps=10, learning_rate_init=0.05,
                              learning_batch_size=16)
    learned, _ = learner.learn(genomes, np.random.default_rng(0), None)
    assert (p.evaluate(learned) < p.evaluate(genomes)).all()
    for g, h in zip(genomes, learned):
        columns = [c for c in range(g.connections.shape[1]) if c != WEIGHT]
        assert np.array_equal(g.connections[:, columns], h.connections[:, columns])
        assert not np.array_equal(g.connections[:, WEIGHT], h.connections[:, WEIGHT])
        assert np.array_equal(g.nodes[:3, BIAS], h.nodes[:3, BIAS])   # inputs have no bias
        assert type(h) is type(g)


@pytest.mark.parametrize("n_threads", [2, 3])
def test_genome_learning_does_not_depend_on_the_threads(n_threads):
    learner = LifetimeLearner(graph_problem(), learning_batch_size=16, chunk_size=2)
    with evonet.config_context(n_threads=1):
        reference, _ = learner.learn(neat_genomes(), np.random.default_rng(1), None)
    with evonet.config_context(n_threads=n_threads):
        learned, _ = learner.learn(neat_genomes(), np.random.default_rng(1), None)
    for g, h in zip(reference, learned):
        assert np.array_equal(g.connections, h.connections)
        assert np.array_equal(g.nodes, h.nodes)


def test_neat_learns_lamarckian_and_resumes_bit_identically(tmp_path, iris):
    from evonet import NeuroEvolutionClassifier
    from tests.test_checkpoint import assert_same_model, crash_fit
    X, y = iris
    params = dict(strategy="neat", population_size=12, max_generations=8, random_state=0,
                  learning_steps=3, learning_rate_init=0.05, checkpoint_interval=0)
    alone = NeuroEvolutionClassifier(**params).fit(X, y)
    learned = NeuroEvolutionClassifier(learning="lamarckian", **params).fit(X, y)
    assert learned.best_loss_ < alone.best_loss_
    path = tmp_path / "neat.ckpt"
    crash_fit(NeuroEvolutionClassifier(checkpoint=path, learning="lamarckian", **params),
              X, y, 4)
    resumed = NeuroEvolutionClassifier(checkpoint=path, learning="lamarckian", **params)
    assert_same_model(resumed.fit(X, y), learned)


def test_the_experiment_writes_its_table_plot_and_json_to_out_dir(tmp_path, monkeypatch,
                                                                   capsys):
    import json
    import os

    from tests.test_experiments import load
    experiment = load("evolution_and_learning")
    row = {"mean": 0.9, "std": 0.01, "fit_s": 0.1, "scores": [0.9], "iterations": 5.0}
    monkeypatch.setattr(experiment, "evaluate", lambda dataset, args: (
        "classification", {"evolution (ga)": row, "lamarckian (ga)": dict(row, mean=0.95),
                           "MLP": row}))
    assert experiment.main(["--datasets", "iris", "digits", "--out-dir", str(tmp_path),
                            "--json"]) == 0
    assert sorted(os.listdir(tmp_path)) == ["evolution_and_learning.json",
                                            "evolution_and_learning.md",
                                            "evolution_and_learning_digits.png"]
    assert "| digits | lamarckian (ga) | 95.0 +- 1.0 | 0.10 | 5 |" in \
        (tmp_path / "evolution_and_learning.md").read_text()
    saved = json.loads((tmp_path / "evolution_and_learning.json").read_text())
    assert saved["results"]["iris"]["methods"]["MLP"]["mean"] == 0.9
    # every method of the real list is one entry, PBT included once evonet has it
    args = experiment.build_parser().parse_args([])
    names = list(experiment.methods("classification", 0, args, n_weights=100))
    assert names[:3] == ["evolution (ga)", "baldwinian (ga)", "lamarckian (ga)"]
    assert ("pbt" in names) == ("pbt" in evonet.strategies.STRATEGIES)
    assert "evolution (cmaes)" not in experiment.methods("classification", 0, args, 5000)
    capsys.readouterr()


def test_the_classifier_documents_the_learning_parameters_before_its_attributes():
    from evonet import NeuroEvolutionClassifier
    doc = NeuroEvolutionClassifier.__doc__
    where = [doc.index(f"\n    {name} : ") for name in
             ("checkpoint_interval", "learning", "learning_steps", "learning_rate_init",
              "learning_batch_size")]
    assert where == sorted(where) and where[-1] < doc.index("\n    Attributes\n")
    assert "Baldwinian" not in doc[:where[1]] and "Hansen 2011" in doc


def test_the_classifier_documents_pbt_in_its_strategy_entry():
    from evonet import NeuroEvolutionClassifier
    from evonet.estimators._pbt_docs import document_pbt
    doc = NeuroEvolutionClassifier.__doc__
    entry = doc[doc.index("\n    strategy : "):doc.index("\n    population_size : ")]
    assert '"nsga2", "pbt"}, default="auto"' in entry
    assert "population-based training (Jaderberg et al. 2017" in entry
    assert '``"auto"`` chooses it from' in entry
    assert doc.count("\n    pbt_history_ : ") == 1
    # a docstring the anchors no longer fit is an error, not a silent omission
    with pytest.raises(RuntimeError, match="anchors of PBT's entries"):
        document_pbt(type("Reworded", (), {"__doc__": "Parameters\n----------\n"}))


def test_a_checkpoint_without_learning_is_not_resumed_with_learning(tmp_path, iris):
    from evonet import NeuroEvolutionClassifier
    from tests.test_checkpoint import crash_fit
    X, y = iris
    params = dict(FAST, strategy="ga", population_size=6, checkpoint_interval=0)
    path = tmp_path / "plain.ckpt"
    crash_fit(NeuroEvolutionClassifier(checkpoint=path, **params), X, y, 4)
    with pytest.raises(ValueError, match="learning"):
        NeuroEvolutionClassifier(checkpoint=path, learning="baldwinian", **params).fit(X, y)
    # without learning, the learning settings that were never used do not matter
    NeuroEvolutionClassifier(checkpoint=path, **dict(params, learning_steps=7)).fit(X, y)
    assert not path.exists()


def test_learning_refuses_a_scoring_without_a_gradient(iris):
    from evonet import NeuroEvolutionClassifier
    with pytest.raises(ValueError, match="learning='baldwinian' needs a differentiable "
                                         "objective.*scoring='accuracy'"):
        NeuroEvolutionClassifier(learning="baldwinian", scoring="accuracy", **FAST).fit(*iris)
    # evolution alone takes any scoring
    NeuroEvolutionClassifier(scoring="accuracy", strategy="ga", population_size=6,
                             **FAST).fit(*iris)
