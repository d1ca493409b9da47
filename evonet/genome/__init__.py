"""Genotypes: flat weight vectors as DEAP individuals, and their initialisation."""

from evonet.genome.types import FitnessMin, WeightIndividual, as_individual
from evonet.genome.weights import init_population, init_scale, init_weights, random_individual

__all__ = ["FitnessMin", "WeightIndividual", "as_individual", "init_population", "init_scale",
           "init_weights", "random_individual"]
