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
