"""Problems: what a population is scored on, one loss per individual, minimised.

Every problem follows the contract written in :mod:`evonet.problems.base`
(:class:`Problem`): supervised losses of fixed-topology networks
(:class:`SupervisedProblem`) and of NEAT graphs (:class:`GraphProblem`),
pole balancing (:class:`PoleBalancingProblem`) and gymnasium episodes
(:class:`GymProblem`); :class:`ScoredProblem` scores a supervised problem by any
objective of the outputs (a scikit-learn scorer) instead of its loss. Problems sit
above the networks (:mod:`evonet.nn`) and the control tasks (:mod:`evonet.tasks`) and below the
:class:`~evonet.evaluation.Evaluator` that scores them.
"""

from evonet.problems.base import Problem, Sampler
from evonet.problems.graph import GraphProblem, graph_chunk_size, predict_genome
from evonet.problems.graph_learning import GraphLossGrad, graph_loss_and_grad
from evonet.problems.gym import EpisodeSeeds, GymProblem
from evonet.problems.learning import (
    TrainResult,
    loss_and_grad,
    population_loss_and_grad,
    train_population,
)
from evonet.problems.pole import (
    FixedSampler,
    PoleBalancingProblem,
    generalization_test,
    success_test,
)
from evonet.problems.scored import ScoredProblem
from evonet.problems.supervised import (
    CHUNK_WORK,
    SupervisedProblem,
    check_row_weights,
    check_targets,
    mean_row_loss,
)

__all__ = ["CHUNK_WORK", "EpisodeSeeds", "FixedSampler", "GraphLossGrad", "GraphProblem",
           "GymProblem", "PoleBalancingProblem", "Problem", "Sampler", "ScoredProblem",
           "SupervisedProblem", "TrainResult", "check_row_weights", "check_targets",
           "generalization_test", "graph_chunk_size", "graph_loss_and_grad", "loss_and_grad",
           "mean_row_loss", "population_loss_and_grad", "predict_genome", "success_test",
           "train_population"]
