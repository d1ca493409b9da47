"""Losses and gradients of a population of feed-forward NEAT genomes on a supervised problem.

:func:`graph_loss_and_grad` is the graph counterpart of
:func:`~evonet.problems.learning.loss_and_grad`: for a
:class:`~evonet.problems.graph.GraphProblem` and a list of feed-forward
genomes it returns the losses ``problem.evaluate`` gives and their gradients
with respect to every connection weight and node bias, computed by
:class:`~evonet.nn.graph_backprop.GraphGradients` through the same chunks of
:data:`~evonet.nn.ROW_CHUNK` rows.
"""

from typing import NamedTuple

import numpy as np

from evonet.losses import loss_and_output_delta
from evonet.nn.graph_backprop import GraphGradients
from evonet.nn.mlp import ROW_CHUNK
from evonet.nn.sparse import is_sparse
from evonet.problems.supervised import mean_row_loss

__all__ = ["GraphLossGrad", "graph_loss_and_grad"]


class GraphLossGrad(NamedTuple):
    """What :func:`graph_loss_and_grad` returns.

    Attributes
    ----------
    losses : ndarray of shape (P,)
        What ``problem.evaluate(genomes, rows)`` returns.
    weight_grads : list of ndarray
        Per genome, one value per row of its ``connections`` (the gradient
        of the loss with respect to that connection's weight; zero when the
        connection is disabled).
    bias_grads : list of ndarray
        Per genome, one value per row of its ``nodes`` (zero for inputs).
    """

    losses: np.ndarray
    weight_grads: list
    bias_grads: list


def graph_loss_and_grad(problem, genomes, rows=None):
    """Losses of feed-forward genomes and their gradients, a whole population in one pass.

    Parameters
    ----------
    problem : GraphProblem
        Data, loss (``squared_error`` or ``log_loss``), output activation,
        ``sample_weight`` and precision (``problem.dtype``).
    genomes : sequence of NeatGenome
        Feed-forward genomes; a genome with a cycle of enabled connections
        raises ``ValueError``.
    rows : ndarray of int, default=None
        Row indices (a minibatch); ``None`` for all rows.

    Returns
    -------
    GraphLossGrad
        ``(losses, weight_grads, bias_grads)``; gradients in float64.

    Examples
    --------
    >>> from evonet.genome.neat import NeatGenome
    >>> from evonet.problems import GraphProblem
    >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 2.0, True)])
    >>> problem = GraphProblem(1, 1, [[0.0], [1.0]], [0.0, 3.0])
    >>> result = graph_loss_and_grad(problem, [g])
    >>> result.losses, result.weight_grads, result.bias_grads
    (array([0.5]), [array([-1.])], [array([ 0., -1.])])
    """
    genomes = list(genomes)
    nets = GraphGradients(genomes, problem.dtype)
    if nets.n_inputs != problem.n_inputs or nets.n_outputs != problem.n_outputs:
        raise ValueError(f"the genomes have {nets.n_inputs} inputs and {nets.n_outputs} "
                         f"outputs, the problem {problem.n_inputs} and {problem.n_outputs}.")
    sw = problem.sample_weight
    n = problem.n_samples if rows is None else len(rows)
    batch_weight = float(n if sw is None else (sw if rows is None else sw[rows]).sum())
    scale = 1.0 / batch_weight if batch_weight > 0 else 0.0
    dtype = problem.dtype
    weights = np.zeros(int(nets.connection_counts.sum()))
    biases = np.zeros(int(nets.node_counts.sum()))

    def row_chunks():
        nonlocal weights, biases
        for r0 in range(0, n, ROW_CHUNK):
            index = slice(r0, r0 + ROW_CHUNK) if rows is None else rows[r0:r0 + ROW_CHUNK]
            X = problem.X[index]
            X = X.toarray() if is_sparse(X) else X
            w = None if sw is None else sw[index]
            values = nets.forward_chunk(X)
            factor = dtype.type(scale) if w is None else (scale * w).astype(dtype)
            per_row, delta = loss_and_output_delta(problem.loss, nets.outputs(values),
                                                   problem.targets[..., index], problem.spec,
                                                   factor)
            dw, db = nets.backward_chunk(values, delta)
            weights += dw
            biases += db
            yield per_row, w

    with np.errstate(over="ignore", invalid="ignore"):
        losses = mean_row_loss(row_chunks(), len(genomes))
    losses[np.isnan(losses)] = np.inf
    return GraphLossGrad(losses, nets.split(weights, nets.connection_counts),
                         nets.split(biases, nets.node_counts))
