"""DEAP toolboxes on evonet's batched evaluation: fixed-topology weights and NEAT genomes.

:func:`make_toolbox` (:mod:`evonet.toolboxes.weights`) and
:func:`make_neat_toolbox` (:mod:`evonet.toolboxes.neat`) each build a fresh
``deap.base.Toolbox`` whose ``map`` hands a whole population to the
:class:`~evonet.evaluation.Evaluator`, so DEAP's own algorithms get the
batched path without knowing.
"""

from evonet.toolboxes.neat import GraphBatchFitness, make_neat_toolbox, same_genome
from evonet.toolboxes.weights import CROSSOVERS, BatchFitness, batched_map, make_toolbox

__all__ = ["CROSSOVERS", "BatchFitness", "GraphBatchFitness", "batched_map", "make_neat_toolbox",
           "make_toolbox", "same_genome"]
