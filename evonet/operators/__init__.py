"""Variation and selection operators; each takes an explicit ``numpy.random.Generator``."""

from evonet.operators.crossover import (
    blend_crossover,
    cx_blend,
    cx_sbx,
    cx_uniform,
    sbx_crossover,
    uniform_crossover,
)
from evonet.operators.mutation import gaussian_mutation, mut_gaussian
from evonet.operators.selection import sel_tournament, tournament_indices

__all__ = [
    "blend_crossover",
    "cx_blend",
    "cx_sbx",
    "cx_uniform",
    "gaussian_mutation",
    "mut_gaussian",
    "sbx_crossover",
    "sel_tournament",
    "tournament_indices",
    "uniform_crossover",
]
