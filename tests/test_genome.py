import copy
import pickle

import numpy as np
from deap import creator
from joblib import Parallel, delayed

from evonet.genome import WeightIndividual, as_individual, init_population, random_individual
from evonet.nn import MLPLayout


def _describe(individual):
    # runs in a worker process: the type must be rebuilt from evonet's module
    return (type(individual).__name__, individual.fitness.values, float(individual.sum()),
            individual.dtype.str)


def test_creator_types_are_prefixed_and_made_once():
    import importlib

    import evonet.genome.types as types

    before = creator.EvonetWeights
    importlib.reload(types)  # the guard keeps the existing classes
    assert creator.EvonetWeights is before
    assert not hasattr(creator, "Individual") or creator.Individual is not before
    assert creator.EvonetFitnessMin.weights == (-1.0,)


def test_individual_is_float64_vector_with_its_own_fitness():
    ind = WeightIndividual([1, 2, 3])
    assert ind.dtype == np.float64 and ind.shape == (3,)
    view = ind[1:]
    ind.fitness.values = (1.5,)
    assert not view.fitness.valid  # a view never shares its source's fitness


def test_deepcopy_copies_values_and_fitness():
    ind = as_individual(np.arange(4.0), fitness=2.0)
    clone = copy.deepcopy(ind)
    assert not np.shares_memory(ind, clone)
    assert clone.fitness.values == (2.0,) and clone.fitness is not ind.fitness
    clone[0] = 10.0
    assert ind[0] == 0.0


def test_pickle_is_an_array_not_a_list():
    ind = as_individual(np.zeros(10_000), fitness=0.5)
    data = pickle.dumps(ind, protocol=pickle.HIGHEST_PROTOCOL)
    # 8 bytes per float plus a small header: a list of Python floats would be ~90 kB
    assert len(data) < 81_000
    back = pickle.loads(data)
    assert type(back) is WeightIndividual and back.fitness.values == (0.5,)
    np.testing.assert_array_equal(back, ind)


def test_a_pickled_fitness_leaves_the_creator_types_alone():
    # DEAP pickles a creator class by re-creating it on load, which replaced
    # creator.EvonetFitnessMin: individuals made after that failed to reach a worker
    ind = as_individual(np.zeros(3), fitness=1.5)
    before = creator.EvonetFitnessMin
    back = pickle.loads(pickle.dumps([ind.fitness, WeightIndividual([1.0]).fitness]))
    assert creator.EvonetFitnessMin is before and type(back[0]) is before
    assert back[0].values == (1.5,) and not back[1].valid
    results = Parallel(n_jobs=2, backend="loky")(delayed(_describe)(i) for i in [ind, ind])
    assert results[0] == ("EvonetWeights", (1.5,), 0.0, "<f8")


def test_round_trip_through_loky_worker():
    inds = [as_individual(np.full(5, float(i)), fitness=float(i)) for i in range(3)]
    results = Parallel(n_jobs=2, backend="loky")(delayed(_describe)(ind) for ind in inds)
    assert results == [("EvonetWeights", (float(i),), 5.0 * i, "<f8") for i in range(3)]


def test_init_population_is_glorot_per_layer_and_seeded():
    layout = MLPLayout(10, (30,), 2)
    pop = init_population(layout, 200, np.random.default_rng(0))
    (W1, b1), (W2, b2) = layout.unpack(pop)
    assert np.abs(W1).max() <= np.sqrt(6 / 40) and np.abs(W2).max() <= np.sqrt(6 / 32)
    assert np.abs(W1).max() > 0.9 * np.sqrt(6 / 40)
    np.testing.assert_array_equal(pop, init_population(layout, 200, np.random.default_rng(0)))
    assert not np.array_equal(pop, init_population(layout, 200, np.random.default_rng(1)))


def test_init_never_touches_global_state():
    import random

    random.seed(5)
    np.random.seed(5)
    state_py, state_np = random.getstate(), np.random.get_state()[1].copy()
    random_individual(MLPLayout(3, (4,), 1), np.random.default_rng(0))
    assert random.getstate() == state_py
    np.testing.assert_array_equal(np.random.get_state()[1], state_np)
