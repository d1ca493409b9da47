"""The DEAP ``creator`` types of evonet, made once, here, behind a guard.

The names carry an ``Evonet`` prefix so they never collide with a user's own
``creator.Individual`` or ``creator.FitnessMin``.
"""

import copy

import numpy as np
from deap import base, creator

from evonet.genome.neat import NeatGenome

__all__ = ["FitnessMin", "NeatIndividual", "WeightIndividual", "WeightVector", "as_individual",
           "copy_individual"]


class WeightVector(np.ndarray):
    """A 1-D float64 array of network weights: the base of :class:`WeightIndividual`.

    Unlike DEAP's own ndarray replacement it copies and pickles as an array
    (not as a list of Python floats), so sending a population to a worker
    process costs one buffer per individual.
    """

    fitness_type = None
    """The DEAP fitness class that new arrays of this class get (set on the creator type)."""

    def __new__(cls, values=()):
        return np.array(values, dtype=np.float64).reshape(-1).view(cls)

    def __array_finalize__(self, obj):
        # views and results of arithmetic are individuals too: give them a fresh
        # (invalid) fitness of their own, never the fitness of their source
        if obj is not None and self.fitness_type is not None and "fitness" not in self.__dict__:
            self.fitness = self.fitness_type()

    def __deepcopy__(self, memo):
        new = np.ndarray.copy(self)
        new.fitness = copy.deepcopy(self.fitness, memo)
        return new

    def __copy__(self):
        return self.__deepcopy__({})

    def __reduce__(self):
        values = self.fitness.values if self.fitness.valid else ()
        return (_rebuild, (type(self).__name__, np.asarray(self), values))


def _rebuild(type_name, values, fitness_values):
    individual = getattr(creator, type_name)(values)
    if fitness_values:
        individual.fitness.values = fitness_values
    return individual


def _rebuild_fitness(type_name, values):
    fitness = getattr(creator, type_name)()
    if values:
        fitness.values = values
    return fitness


def _reduce_fitness(fitness):
    # by name, as individuals are: DEAP pickles a creator class by re-creating it, and
    # loading such a pickle would replace creator.EvonetFitnessMin by a new class that
    # evonet's individuals do not use (later pickles of them then fail in workers)
    return _rebuild_fitness, (type(fitness).__name__, fitness.values if fitness.valid else ())


if not hasattr(creator, "EvonetFitnessMin"):
    creator.create("EvonetFitnessMin", base.Fitness, weights=(-1.0,),
                   __reduce__=_reduce_fitness)
if not hasattr(creator, "EvonetWeights"):
    creator.create("EvonetWeights", WeightVector, fitness=creator.EvonetFitnessMin)
    creator.EvonetWeights.fitness_type = creator.EvonetFitnessMin

FitnessMin = creator.EvonetFitnessMin
"""Single-objective DEAP fitness that minimises a loss (``weights=(-1.0,)``)."""

WeightIndividual = creator.EvonetWeights
"""DEAP individual of a fixed-topology network: a 1-D float64 array with a ``fitness``.

Examples
--------
>>> import numpy as np
>>> ind = WeightIndividual(np.zeros(3))
>>> ind.fitness.valid, ind.dtype, ind.shape
(False, dtype('float64'), (3,))
>>> ind.fitness.values = (0.25,)
>>> import pickle
>>> pickle.loads(pickle.dumps(ind)).fitness.values
(0.25,)
"""


def copy_individual(individual):
    """An independent copy of an individual: a float64 array of a weight vector, or a deep
    copy of a genome (the strategies' best so far and the run's selected network).

    Examples
    --------
    >>> import numpy as np
    >>> w = np.arange(3.0)
    >>> c = copy_individual(w)
    >>> c[0] = 9.0
    >>> w[0], type(c).__name__
    (np.float64(0.0), 'ndarray')
    """
    if isinstance(individual, np.ndarray):
        return np.array(individual, dtype=np.float64)
    return copy.deepcopy(individual)


def as_individual(values, fitness=None):
    """Make a :data:`WeightIndividual` from an array (copied), optionally with its loss.

    Examples
    --------
    >>> as_individual([1.0, 2.0], fitness=0.5).fitness.values
    (0.5,)
    """
    individual = WeightIndividual(values)
    if fitness is not None:
        individual.fitness.values = (float(fitness),)
    return individual


def _reduce_neat(genome):
    """Pickle a :data:`NeatIndividual` as its gene arrays and fitness, rebuilt here."""
    values = genome.fitness.values if genome.fitness.valid else ()
    return (_rebuild_neat, (type(genome).__name__, genome.n_inputs, genome.n_outputs,
                            genome.nodes, genome.connections, values))


def _rebuild_neat(type_name, n_inputs, n_outputs, nodes, connections, fitness_values):
    # unpickling imports this module, which makes the creator type in a fresh process
    genome = getattr(creator, type_name).from_genes(n_inputs, n_outputs, nodes, connections)
    if fitness_values:
        genome.fitness.values = fitness_values
    return genome


if not hasattr(creator, "EvonetNeat"):
    creator.create("EvonetNeat", NeatGenome, fitness=creator.EvonetFitnessMin,
                   __reduce__=_reduce_neat)
    creator.EvonetNeat.fitness_type = creator.EvonetFitnessMin

NeatIndividual = creator.EvonetNeat
"""DEAP individual of a NEAT genome: a :class:`~evonet.genome.neat.NeatGenome` with a ``fitness``.

Copies and pickles as its two gene arrays and its fitness.

Examples
--------
>>> import pickle
>>> ind = NeatIndividual(2, 1, connections=[(0, 0, 2, 1.0, True)])
>>> ind.fitness.values = (0.5,)
>>> clone = pickle.loads(pickle.dumps(ind))
>>> type(clone) is NeatIndividual, clone.fitness.values, clone.connections[:, 3]
(True, (0.5,), array([1.]))
"""
