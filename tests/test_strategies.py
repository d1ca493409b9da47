"""Conformance suite run on every registered strategy, NEAT included.

Each strategy gets a :class:`Case`: its settings, an initializer of its kind
of individual and a small problem it should solve (a quadratic bowl for
weight strategies, the AND function for NEAT's genomes). The checks are the
same for all: same seed same result, another seed differs, the state
survives pickle mid-run, ``ask`` does not change the state, ``tell`` checks
the losses' shape and counts NaN as worst, and the task is solved.
"""

import pickle
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pytest

from evonet.genome.initializers import MinimalInitializer
from evonet.problems.graph import GraphProblem
from evonet.strategies import STRATEGIES, StrategyState, get_strategy
from evonet.strategies.shaping import centred_ranks, nan_as_worst, shared_fitness

N_PARAMS = 8
CENTRE = np.linspace(-1.0, 1.5, N_PARAMS)
AND = GraphProblem(2, 1, np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float),
                   np.array([0.0, 0.0, 0.0, 1.0]), output_activation="logistic",
                   dtype=np.float64)


def bowl(population):
    return ((np.asarray(population) - CENTRE) ** 2).sum(axis=1)


def initializer(n, rng):
    return rng.normal(size=(n, N_PARAMS))


def same_weights(a, b):
    return np.array_equal(a, b)


def same_genes(a, b):
    return np.array_equal(a.nodes, b.nodes) and np.array_equal(a.connections, b.connections)


def equal(a, b):
    """Whether two states (or parts of them) hold the same values, bit for bit."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(equal(a[k], b[k]) for k in a)
    if hasattr(a, "wvalues"):   # a DEAP fitness (whose empty values may be the class's)
        return a.wvalues == b.wvalues
    if hasattr(a, "__dict__") and not callable(a):
        return equal(vars(a), vars(b))
    return a == b or (a != a and b != b)   # NaN equals NaN here


@dataclass
class Case:
    """How the suite drives one strategy."""

    settings: dict
    initializer: Any = initializer
    problem: Any = bowl              # population -> losses, to minimise
    same: Any = same_weights         # whether two incumbents are the same individual
    generations: int = 300           # to solve the problem below ``tol``
    tol: float = 1e-2


# settings that make each strategy solve its problem in a small budget
CASES = {
    "ga": Case(dict(population_size=60, mutation_sigma=0.1, mutation_rate=0.3)),
    "cmaes": Case(dict(sigma=0.5)),
    "ipop-cmaes": Case(dict(sigma=0.5)),
    "es": Case(dict(population_size=40, sigma=0.1, learning_rate=0.05)),
    "nsga2": Case(dict(population_size=60, mutation_sigma=0.1, mutation_rate=0.3)),
    "pbt": Case(dict(population_size=20, weight_sigma=0.03)),   # told no learning: noisy copies
    "neat": Case(dict(population_size=40, weight_power=1.0), initializer=MinimalInitializer(2, 1),
                 problem=AND.evaluate, same=same_genes, generations=100),
}
WEIGHT_STRATEGIES = sorted(name for name in STRATEGIES if name != "neat")


@pytest.fixture(params=sorted(CASES))
def name(request):
    return request.param


def run(name, seed, generations, state=None, rng=None):
    case = CASES[name]
    strategy = get_strategy(name, **case.settings)
    rng = np.random.default_rng(seed) if rng is None else rng
    state = strategy.init(case.initializer, rng) if state is None else state
    for _ in range(generations):
        population = strategy.ask(state, rng)
        state = strategy.tell(state, population, case.problem(population), rng)
    return strategy, state, rng


def test_every_registered_strategy_runs_the_suite():
    # a newly registered strategy fails here until it gets a Case
    assert set(CASES) == set(STRATEGIES) >= {"ga", "cmaes", "ipop-cmaes", "es", "neat"}


def test_same_seed_same_result(name):
    s1, a, _ = run(name, 3, 15)
    s2, b, _ = run(name, 3, 15)
    assert CASES[name].same(s1.incumbent(a)[0], s2.incumbent(b)[0])
    assert a.best_loss == b.best_loss and a.generation == b.generation == 15
    assert equal(a, b)


def test_different_seed_differs(name):
    s1, a, _ = run(name, 3, 5)
    s2, b, _ = run(name, 4, 5)
    assert not CASES[name].same(s1.incumbent(a)[0], s2.incumbent(b)[0])
    assert not equal(a, b) and equal(a, pickle.loads(pickle.dumps(a)))


def test_solves_a_small_task(name):
    case = CASES[name]
    strategy, state, _ = run(name, 0, case.generations)
    params, _ = strategy.incumbent(state)
    assert case.problem([params] if name == "neat" else params[None])[0] < case.tol
    assert state.best_loss < case.tol


def test_state_is_a_typed_dataclass_of_its_strategy(name):
    _, state, _ = run(name, 0, 1)
    assert isinstance(state, StrategyState) and type(state) is not StrategyState
    assert all(f.type is not None for f in fields(state))
    assert {"generation", "best_params", "best_loss"} <= {f.name for f in fields(state)}


def test_state_survives_pickle_mid_run(name):
    strategy, state, rng = run(name, 7, 10)
    restored_strategy, restored_state, restored_rng = pickle.loads(
        pickle.dumps((strategy, state, rng)))
    _, uninterrupted, _ = run(name, 7, 10, state=state, rng=rng)
    _, resumed, _ = run(name, 7, 10, state=restored_state, rng=restored_rng)
    assert CASES[name].same(strategy.incumbent(uninterrupted)[0],
                            restored_strategy.incumbent(resumed)[0])
    assert resumed.generation == 20
    assert equal(resumed, uninterrupted)


def test_ask_does_not_change_the_state(name):
    strategy, state, rng = run(name, 1, 3)
    before = pickle.dumps(state)
    population = strategy.ask(state, rng)
    assert pickle.dumps(state) == before
    assert len(population) == strategy.population_size or strategy.population_size is None


def test_tell_checks_loss_shape_and_treats_nan_as_worst(name):
    strategy, state, rng = run(name, 1, 1)
    population = strategy.ask(state, rng)
    with pytest.raises(ValueError, match="losses must have shape"):
        strategy.tell(state, population, np.zeros(len(population) + 1), rng)
    losses = CASES[name].problem(population)
    losses[np.argmin(losses)] = np.nan   # the best individual failed: it counts as the worst
    previous = state.best_loss
    state = strategy.tell(state, population, losses, rng)
    assert state.best_loss == min(previous, np.nanmin(losses)) and state.generation == 2
    assert len(strategy.ask(state, rng)) == len(population) or name == "ipop-cmaes"


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


def test_es_reads_its_directions_from_the_noise_table():
    es = get_strategy("es", population_size=6, sigma=0.5)
    rng = np.random.default_rng(3)
    state = es.init(initializer, rng)
    table = es.noise(state)
    assert table.dtype == np.float32 and table.shape == (2**20,)
    population = es.ask(state, rng)
    directions = (population[:3] - state.theta) / 0.5
    windows = np.lib.stride_tricks.sliding_window_view(table, N_PARAMS)
    for direction in directions:   # each direction is one slice of the table
        distance = np.abs(windows - direction).max(axis=1)
        assert distance.min() < 1e-12
    # the table is a function of the state's seed alone: rebuilt after pickling the
    # strategy (which never carries it) and equal in a fresh strategy
    copied = pickle.loads(pickle.dumps(es))
    assert copied._table == (None, None) and repr(es).count("table") == 1  # noise_table=
    assert np.array_equal(copied.noise(state), table)
    assert not np.array_equal(es.noise(es.init(initializer, rng)), table)


def test_es_without_the_table_draws_fresh_noise_from_the_run_generator():
    es = get_strategy("es", population_size=6, sigma=0.5, noise_table=False)
    state = es.init(initializer, np.random.default_rng(3))
    assert state.noise_seed is None
    rng = np.random.default_rng(4)
    population = es.ask(state, rng)
    expected = np.random.default_rng(4).standard_normal((3, N_PARAMS)) * 0.5
    np.testing.assert_array_equal(population[:3], state.theta + expected)
    with pytest.raises(ValueError, match="noise_table must be True or False, got 'yes'"):
        get_strategy("es", noise_table="yes")


def test_cmaes_samples_from_the_given_generator_only():
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    run("cmaes", 0, 3)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


def test_fitness_shaping_by_hand():
    # Salimans et al. (2017): ranks 0..P-1 mapped to [-0.5, 0.5]; ties keep population order
    losses = nan_as_worst(np.array([0.3, np.nan, -1.0, 0.3, 7.0]))
    np.testing.assert_array_equal(centred_ranks(losses), [-0.25, 0.5, -0.5, 0.0, 0.25])
    # Stanley & Miikkulainen (2002), Eq. 2: f'_i = f_i / N_s; a species' share is the sum
    fitness = np.array([1.0, 0.5, 0.0, 0.25])
    np.testing.assert_array_equal(shared_fitness(fitness, [np.array([0, 1, 2]), np.array([3])]),
                                  [0.5, 0.25])



@pytest.mark.parametrize("name", ["es", "ga", "cmaes", "ipop-cmaes"])
def test_tell_refuses_a_population_of_another_shape_where_the_state_fixes_it(name):
    # the ES broadcast 5 rows against its 8 antithetic ones, and a GA told 3-value networks
    # went on asking for them: the run silently changed
    from evonet.strategies import get_strategy

    strategy = get_strategy(name, population_size=8)
    rng = np.random.default_rng(0)
    state = strategy.init(lambda n, rng: rng.normal(size=(n, 4)), rng)
    population = strategy.ask(state, rng)
    for wrong in (population[:5], np.zeros((len(population), 3))):
        with pytest.raises(ValueError, match="population must be what ask returned"):
            strategy.tell(state, wrong, np.ones(len(wrong)), rng)
    state = strategy.tell(state, population, (population ** 2).sum(axis=1), rng)
    assert state.generation == 1
