"""The "neat" strategy: speciation on hand-built distances, reproduction, runs.

The shared conformance checks (seeds, pickling, ask and tell) run on NEAT in
tests/test_strategies.py.
"""

import inspect
import pickle
import random

import numpy as np
import pytest

from evonet.evaluation import Evaluator
from evonet.evolve import Run, evolve
from evonet.genome.initializers import MinimalInitializer
from evonet.genome.innovation import InnovationRegistry
from evonet.genome.neat import WEIGHT, NeatGenome
from evonet.genome.pool import GenePool
from evonet.genome.types import NeatIndividual
from evonet.problems.graph import GraphProblem
from evonet.strategies import NEAT, STRATEGIES, get_strategy
from evonet.strategies.neat import NEATState, Species, allot_offspring
from evonet.strategies.shaping import fitness_from_losses

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([0.0, 1.0, 1.0, 0.0])
PROBLEM = GraphProblem(2, 1, X, Y, output_activation="logistic", dtype=np.float64)
INIT = MinimalInitializer(2, 1)


def run(seed, generations, state=None, rng=None, **settings):
    strategy = get_strategy("neat", population_size=40, **settings)
    rng = np.random.default_rng(seed) if rng is None else rng
    state = strategy.init(INIT, rng) if state is None else state
    for _ in range(generations):
        population = strategy.ask(state, rng)
        state = strategy.tell(state, population, PROBLEM.evaluate(population), rng)
    return strategy, state, rng


def neat_state(**fields):
    """A NEAT state with no population, for calling the strategy's steps by hand."""
    defaults = dict(population=[], species=[], registry=InnovationRegistry(), threshold=3.0)
    return NEATState(**{**defaults, **fields})


def genes(genome):
    return genome.nodes.copy(), genome.connections.copy()


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(genes(a), genes(b)))


def test_neat_is_registered():
    assert STRATEGIES["neat"] is NEAT and get_strategy("neat").population_size == 150


def test_nothing_reads_the_global_random_state():
    np.random.seed(0)
    random.seed(0)
    before = np.random.get_state()[1].copy(), random.getstate()
    run(0, 4)
    assert np.array_equal(np.random.get_state()[1], before[0]) and random.getstate() == before[1]


def test_fitness_shaping_and_offspring_allotment():
    losses = np.array([1.0, 3.0, 2.0, np.inf])
    np.testing.assert_allclose(fitness_from_losses(losses), [1.0, 0.0, 0.5, 0.0])
    np.testing.assert_allclose(fitness_from_losses(-np.array([4.0, 9.0]), "negate"), [4.0, 9.0])
    np.testing.assert_allclose(fitness_from_losses(np.ones(3)), [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="negate"):
        fitness_from_losses(np.array([1.0]), "negate")
    assert allot_offspring([1.0, 1.0, 2.0], 10).tolist() == [3, 2, 5]
    assert allot_offspring([0.2, 0.0, 0.8], 150).sum() == 150


def weights_genome(w1, w2):
    """Two-gene genomes of one structure: distance = c3 * mean |weight difference|."""
    return NeatIndividual(2, 1, connections=[(0, 0, 2, w1, True), (1, 1, 2, w2, True)])


@pytest.mark.parametrize("threshold, expected", [
    # reps A = (0, 0) and B = (5, 5); c3 = 1 so distances are mean weight differences
    (1.0, [0, 1, 0, 2, 2, 3]),   # (2.5, 2.5) founds C, (2.9, 2.5) joins it, (10, 10) founds D
    (3.0, [0, 1, 0, 0, 0, 2]),   # (2.5, 2.5) is within 3 of both: the first species wins
])
def test_speciation_on_hand_built_distances(threshold, expected):
    strategy = NEAT(population_size=6, compatibility_threshold=threshold,
                    weight_coefficient=1.0)
    a, b = Species(0, weights_genome(0, 0), 0), Species(1, weights_genome(5, 5), 0)
    state = neat_state(species=[a, b], threshold=threshold, next_species_key=2)
    population = [weights_genome(*w) for w in
                  [(0.5, 0.5), (4.8, 5.0), (0.2, 0.2), (2.5, 2.5), (2.9, 2.5), (10, 10)]]
    strategy._speciate(state, GenePool(population))
    assigned = np.empty(6, dtype=int)
    for k, s in enumerate(state.species):
        assigned[s.members] = k
    assert assigned.tolist() == expected
    assert [s.key for s in state.species] == list(range(len(set(expected))))
    assert state.species[-1].representative is population[-1]  # a founder represents


def test_empty_species_disappear_and_the_threshold_adapts():
    strategy = NEAT(population_size=4, weight_coefficient=1.0, target_species=3,
                    threshold_step=0.5)
    gone = Species(0, weights_genome(50, 50), 0)
    state = neat_state(species=[gone], threshold=1.0, next_species_key=1)
    strategy._speciate(state, GenePool([weights_genome(0, 0)] * 4))
    assert [s.key for s in state.species] == [1] and state.threshold == 0.5
    state.threshold = 1.0
    strategy._speciate(state, GenePool([weights_genome(10 * k, 0) for k in range(5)]))
    assert len(state.species) == 5 and state.threshold == 1.5


def test_stagnant_species_get_no_offspring_unless_protected():
    strategy = NEAT(population_size=100, stagnation=15, protected_species=1)
    species = [Species(k, None, 0) for k in range(3)]
    for s, members, best, improved in zip(species, ([0, 1], [2, 3], [4, 5]),
                                          (0.1, 0.5, 0.3), (0, 0, 10)):
        s.members, s.best_loss, s.last_improved = np.array(members), best, improved
    state = neat_state(generation=20)
    fitness = np.array([1.0, 1.0, 0.5, 0.5, 0.2, 0.2])
    # species 0 is stagnant but holds the best loss; species 1 is stagnant and culled
    counts = strategy._offspring_counts(state, species, fitness)
    assert counts.tolist() == [83, 0, 17]
    assert strategy._offspring_counts(neat_state(generation=5), species, fitness).tolist() \
        == [59, 29, 12]


def test_large_species_keep_their_champion_unchanged():
    strategy, state, rng = run(5, 3, elitism_min_size=2)
    population = strategy.ask(state, rng)
    losses = PROBLEM.evaluate(population)
    state = strategy.tell(state, population, losses, rng)
    children = strategy.ask(state, rng)
    for s in state.species:
        if s.members.size > 2:
            champion = population[s.members[np.argmin(losses[s.members])]]
            assert any(same(champion, c) for c in children)


def test_run_and_evolve_drive_neat_through_the_evaluator():
    rng = np.random.default_rng(0)
    strategy = get_strategy("neat", population_size=60, weight_power=1.0,
                            add_connection_rate=0.2)
    run_ = Run(strategy, Evaluator(PROBLEM), rng, initializer=INIT)
    run_ = evolve(run_, max_generations=40)
    assert run_.stop_reason == "budget" and run_.generation == 40
    assert run_.n_evaluations == 40 * 60
    assert run_.loss_curve[-1] < run_.loss_curve[0]
    best = run_.best
    assert isinstance(best, NeatIndividual) and best.fitness.values[0] == run_.best_loss
    np.testing.assert_allclose(((PROBLEM.predict(best, X)[:, 0] - Y) ** 2).mean(),
                               run_.best_loss, rtol=1e-9)


def test_run_results_are_identical_for_any_n_jobs():
    # populations of 70 in 5 chunks; adaptive=False: they go to the workers
    problem = GraphProblem(2, 1, X, Y, output_activation="logistic", dtype=np.float64,
                           chunk_size=16)
    results = []
    for n_jobs in (1, 2):
        rng = np.random.default_rng(3)
        evaluator = Evaluator(problem, n_jobs=n_jobs, backend="threading", adaptive=False)
        run_ = Run(get_strategy("neat", population_size=70), evaluator, rng, initializer=INIT)
        results.append(evolve(run_, max_generations=5).best)
    assert same(*results)


def test_strategy_solves_xor_with_the_paper_fitness():
    # the paper's fitness (4 - sum |error|)^2 told as a loss, with its negation shaping
    strategy = get_strategy("neat", fitness_shaping="negate", weight_power=1.0,
                            add_connection_rate=0.2)
    init = MinimalInitializer(2, 1, output_activation="neat_sigmoid")
    rng = np.random.default_rng(2)
    state = strategy.init(init, rng)
    from evonet.nn.graph import FeedForwardPopulation

    for _ in range(100):
        population = strategy.ask(state, rng)
        out = FeedForwardPopulation(population, np.float64).forward(X)[:, :, 0]
        if ((out > 0.5) == (Y > 0.5)).all(axis=1).any():
            break
        state = strategy.tell(state, population, -(4 - np.abs(out - Y).sum(axis=1)) ** 2, rng)
    else:
        pytest.fail("XOR not solved in 100 generations")


# at least one invalid value of every constructor parameter (checked below)
BAD_SETTINGS = [
    ("population_size", 1), ("population_size", 2.5), ("population_size", True),
    ("compatibility_threshold", 0.0), ("compatibility_threshold", np.nan),
    ("compatibility_threshold", "3"),
    ("excess_coefficient", -1.0), ("excess_coefficient", np.inf),
    ("disjoint_coefficient", -1.0), ("disjoint_coefficient", np.nan),
    ("weight_coefficient", -0.1), ("weight_coefficient", np.inf),
    ("target_species", 0), ("target_species", 2.5),
    ("threshold_step", 0.0), ("threshold_step", np.nan),
    ("survival_threshold", 1.5), ("survival_threshold", -0.1),
    ("elitism_min_size", -1), ("stagnation", 0), ("protected_species", -1),
    ("mutate_only_rate", np.nan), ("interspecies_rate", -0.1), ("disable_rate", 1.1),
    ("weight_rate", 2.0), ("weight_power", -1.0), ("weight_replace_rate", 2.0),
    ("bias_rate", -1.0), ("bias_power", np.inf), ("bias_replace_rate", 1.5),
    ("init_std", -1.0), ("init_std", np.nan),
    ("weight_limit", -1.0), ("weight_limit", np.nan), ("weight_limit", "8"),
    ("perturbation", "cauchy"), ("perturbation", None),
    ("add_node_rate", 2.0), ("add_connection_rate", -1.0), ("toggle_rate", 1.5),
    ("activation", "softsign"), ("activation", 3),
    ("feed_forward", "no"), ("feed_forward", None),
    ("fitness_shaping", "exp"), ("fitness_shaping", None),
]


@pytest.mark.parametrize("name, value", BAD_SETTINGS)
def test_parameters_out_of_range_raise_naming_the_parameter(name, value):
    with pytest.raises(ValueError, match=name):
        get_strategy("neat", **{name: value})
    with pytest.raises(ValueError, match=name):
        NEAT(**{name: value})


def test_every_parameter_has_an_invalid_value_checked():
    assert {name for name, _ in BAD_SETTINGS} == set(inspect.signature(NEAT).parameters)
    # the values the checks allow at their edges still build a strategy
    NEAT(weight_limit=None, perturbation="uniform", feed_forward=np.bool_(False),
         excess_coefficient=0.0, survival_threshold=1.0)


def test_initializer_of_the_wrong_size_or_inconsistent_genomes_raise():
    strategy = NEAT(population_size=5)
    with pytest.raises(ValueError, match="made 3 genomes"):
        strategy.init(lambda n, rng: INIT(3, rng), np.random.default_rng(0))
    bad = [NeatGenome(2, 1, connections=[(k, 0, 2, 1.0, True)]) for k in range(5)]
    with pytest.raises(ValueError, match="inconsistent"):
        strategy.init(lambda n, rng: bad, np.random.default_rng(0))
    assert WEIGHT == 3


def test_what_an_estimator_does_with_minibatches_and_a_fresh_predict():
    from evonet.problems.graph import predict_genome

    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(300, 3))
    yr = (Xr[:, 0] * Xr[:, 1] > 0).astype(int)
    problem = GraphProblem(3, 2, Xr, yr, loss="log_loss", output_activation="softmax")
    strategy = get_strategy("neat", population_size=50, activation="tanh")
    run_ = Run(strategy, Evaluator(problem, n_jobs=2, backend="threading"), rng,
               initializer=MinimalInitializer(3, 2), batch_size=100)
    run_ = evolve(run_, max_generations=12)
    best = run_.best
    proba = predict_genome(best, Xr, "softmax")
    np.testing.assert_allclose(proba, problem.predict(best, Xr))
    assert proba.shape == (300, 2) and np.allclose(proba.sum(axis=1), 1.0)
    # the hall of fame holds the best checked on the full data
    assert run_.best_loss == pytest.approx(problem.evaluate([best])[0], rel=1e-5)
    restored = pickle.loads(pickle.dumps(run_.state))
    assert len(restored.population) == 50
    assert NeatGenome.from_dict(best.to_dict()).n_enabled == best.n_enabled
