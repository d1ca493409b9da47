"""Conformance suite run on every registered weight strategy."""

import pickle

import numpy as np
import pytest

from evonet.strategies import STRATEGIES, get_strategy

N_PARAMS = 8
CENTRE = np.linspace(-1.0, 1.5, N_PARAMS)

# settings that make each strategy solve the bowl in a small budget
SETTINGS = {
    "ga": dict(population_size=60, mutation_sigma=0.1, mutation_rate=0.3),
    "cmaes": dict(sigma=0.5),
    "ipop-cmaes": dict(sigma=0.5),
    "es": dict(population_size=40, sigma=0.1, learning_rate=0.05),
}
# registered strategies left out of this suite, each with the reason
EXCLUDED = {
    "neat": "its individuals are NEAT genomes, not weight vectors; "
            "tests/test_neat_strategy.py covers it",
}
# every registered strategy not excluded runs the suite
WEIGHT_STRATEGIES = sorted(name for name in STRATEGIES if name not in EXCLUDED)


def bowl(population):
    return ((np.asarray(population) - CENTRE) ** 2).sum(axis=1)


def initializer(n, rng):
    return rng.normal(size=(n, N_PARAMS))


def run(name, seed, generations, state=None, rng=None):
    strategy = get_strategy(name, **SETTINGS[name])
    rng = np.random.default_rng(seed) if rng is None else rng
    state = strategy.init(initializer, rng) if state is None else state
    for _ in range(generations):
        population = strategy.ask(state, rng)
        state = strategy.tell(state, population, bowl(population), rng)
    return strategy, state, rng


def test_every_registered_strategy_is_in_the_suite_or_excluded_with_a_reason():
    # a newly registered strategy fails here until it gets settings (and so runs the
    # suite) or an entry in EXCLUDED saying why it cannot
    registered = set(STRATEGIES)
    unaccounted = registered - set(SETTINGS) - set(EXCLUDED)
    assert not unaccounted, f"add {sorted(unaccounted)} to SETTINGS or EXCLUDED"
    assert set(SETTINGS) <= registered and set(EXCLUDED) <= registered
    assert not set(SETTINGS) & set(EXCLUDED)
    assert all(reason.strip() for reason in EXCLUDED.values())
    assert set(WEIGHT_STRATEGIES) == set(SETTINGS) >= {"ga", "cmaes", "ipop-cmaes", "es"}


@pytest.mark.parametrize("name", WEIGHT_STRATEGIES)
def test_same_seed_same_result(name):
    s1, a, _ = run(name, 3, 15)
    s2, b, _ = run(name, 3, 15)
    np.testing.assert_array_equal(s1.incumbent(a)[0], s2.incumbent(b)[0])
    assert a.best_loss == b.best_loss and a.generation == b.generation == 15


@pytest.mark.parametrize("name", WEIGHT_STRATEGIES)
def test_different_seed_differs(name):
    s1, a, _ = run(name, 3, 5)
    s2, b, _ = run(name, 4, 5)
    assert not np.array_equal(s1.incumbent(a)[0], s2.incumbent(b)[0])


@pytest.mark.parametrize("name", WEIGHT_STRATEGIES)
def test_drives_quadratic_bowl_near_its_minimum(name):
    strategy, state, _ = run(name, 0, 300)
    params, _ = strategy.incumbent(state)
    assert bowl(params[None])[0] < 1e-2
    assert state.best_loss < 1e-2


@pytest.mark.parametrize("name", WEIGHT_STRATEGIES)
def test_state_survives_pickle_mid_run(name):
    strategy, state, rng = run(name, 7, 10)
    restored_strategy, restored_state, restored_rng = pickle.loads(
        pickle.dumps((strategy, state, rng)))
    _, uninterrupted, _ = run(name, 7, 10, state=state, rng=rng)
    _, resumed, _ = run(name, 7, 10, state=restored_state, rng=restored_rng)
    np.testing.assert_array_equal(strategy.incumbent(uninterrupted)[0],
                                  restored_strategy.incumbent(resumed)[0])
    assert resumed.generation == 20


@pytest.mark.parametrize("name", WEIGHT_STRATEGIES)
def test_ask_does_not_change_the_state(name):
    strategy, state, rng = run(name, 1, 3)
    before = pickle.dumps(state)
    strategy.ask(state, rng)
    assert pickle.dumps(state) == before


@pytest.mark.parametrize("name", WEIGHT_STRATEGIES)
def test_tell_checks_loss_shape_and_treats_nan_as_worst(name):
    strategy, state, rng = run(name, 1, 1)
    population = strategy.ask(state, rng)
    with pytest.raises(ValueError, match="losses must have shape"):
        strategy.tell(state, population, np.zeros(len(population) + 1), rng)
    losses = bowl(population)
    losses[0] = np.nan
    state = strategy.tell(state, population, losses, rng)
    assert np.isfinite(state.best_loss)


def test_unknown_strategy_and_bad_settings_raise():
    with pytest.raises(ValueError, match="strategy='nope'"):
        get_strategy("nope")
    with pytest.raises(ValueError, match="population_size"):
        get_strategy("ga", population_size=1)
    with pytest.raises(ValueError, match="sigma"):
        get_strategy("es", sigma=-1.0)
    with pytest.raises(ValueError, match="n_elite"):
        get_strategy("ga", population_size=10, n_elite=10)
    with pytest.raises(ValueError, match="crossover"):
        get_strategy("ga", crossover="twopoint")
    with pytest.raises(TypeError):
        get_strategy("cmaes", learning_rate=0.1)


def test_es_rounds_population_up_to_pairs_and_uses_mirrored_samples():
    es = get_strategy("es", population_size=7)
    assert es.population_size == 8
    rng = np.random.default_rng(0)
    state = es.init(initializer, rng)
    population = es.ask(state, rng)
    np.testing.assert_allclose(population[:4] + population[4:],
                               np.broadcast_to(2 * state.theta, (4, N_PARAMS)))


def test_cmaes_samples_from_the_given_generator_only():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    run("cmaes", 0, 3)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
