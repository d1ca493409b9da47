"""The two kinds of network an estimator can evolve: a fixed MLP, or a NEAT graph."""

from functools import partial

import numpy as np

from evonet.evaluation import SupervisedProblem
from evonet.genome.initializers import MinimalInitializer
from evonet.genome.weights import init_population, init_scale, step_scale
from evonet.nn import MLPLayout, forward
from evonet.problems.graph import GraphProblem, predict_genome
from evonet.strategies import scaled_step_sizes

FLOAT64_WORK = 2_000_000
"""Rows x parameters up to which a ``precise`` fitness runs in float64 (float32 beyond)."""


class MLPArchitecture:
    """A fixed-topology MLP whose flat weight vector is evolved."""

    kind = "mlp"

    def __init__(self, n_inputs, hidden, n_outputs, activation, output_activation):
        self.layout = MLPLayout(n_inputs, hidden, n_outputs, activation, output_activation)

    def __eq__(self, other):
        return isinstance(other, MLPArchitecture) and self.layout == other.layout

    def __repr__(self):
        return repr(self.layout)

    @property
    def n_params(self):
        return self.layout.n_params

    def problem(self, X, targets, loss, sample_weight, alpha, precise=False):
        """The fitness of the networks on ``(X, targets)``.

        In float32, whatever the size: half the time of float64 on the small
        benchmark sets, with the same generations and held-out scores
        (predictions stay float64). ``precise`` (a fit with ``scoring`` or
        lifetime learning) keeps float64 where rows x parameters is at most
        :data:`FLOAT64_WORK`: scores are then compared with scikit-learn's own
        scorers, and Lamarckian gradient steps would turn float32 rounding into
        different models for weighted and repeated rows. PBT without
        ``scoring`` runs in float32 (the same held-out scores on the benchmark
        sets in about half the time).
        """
        small = X.shape[0] * self.n_params <= FLOAT64_WORK
        dtype = np.float64 if precise and small else np.float32
        return SupervisedProblem(self.layout, X, targets, loss=loss,
                                 sample_weight=sample_weight, alpha=alpha, dtype=dtype)

    def initializer(self, alpha=0.0, total_weight=1.0):
        """Glorot-uniform networks, shrunk where ``alpha``'s L2 term would dominate.

        See :func:`~evonet.genome.weights.init_scale`.
        """
        return partial(init_population, self.layout,
                       scale=init_scale(self.layout, alpha, total_weight))

    def strategy_defaults(self, strategy_name):
        """Step sizes scaled to the fan-in and size (:func:`evonet.genome.weights.step_scale`)."""
        return scaled_step_sizes(strategy_name, step_scale(self.layout))

    def output(self, params, X):
        return forward(self.layout, np.asarray(params, dtype=np.float64), X, dtype=np.float64)


class NEATArchitecture:
    """A NEAT graph grown from a minimal network (inputs wired to outputs)."""

    kind = "neat"

    def __init__(self, n_inputs, n_outputs, output_activation):
        self.n_inputs = n_inputs
        self.n_outputs = n_outputs
        self.output_activation = output_activation

    def __eq__(self, other):
        return isinstance(other, NEATArchitecture) and vars(self) == vars(other)

    def __repr__(self):
        return (f"NEAT graph ({self.n_inputs} inputs, {self.n_outputs} outputs, "
                f"{self.output_activation} output)")

    @property
    def n_params(self):
        return self.n_inputs * self.n_outputs + self.n_outputs

    def problem(self, X, targets, loss, sample_weight, alpha, precise=False):
        dtype = np.float64 if X.shape[0] <= 20_000 else np.float32
        return GraphProblem(self.n_inputs, self.n_outputs, X, targets, loss=loss,
                            output_activation=self.output_activation,
                            sample_weight=sample_weight, dtype=dtype)

    def initializer(self, alpha=0.0, total_weight=1.0):
        """Minimal graphs (NEAT's fitness has no L2 term to start small for)."""
        return MinimalInitializer(self.n_inputs, self.n_outputs)

    def strategy_defaults(self, strategy_name):
        """No scaled step sizes: a NEAT graph starts with its inputs wired to its outputs."""
        return {}

    def output(self, genome, X):
        return predict_genome(genome, X, self.output_activation)
