"""Supervised losses of populations of NEAT genomes (graph networks) on a data set.

:class:`GraphProblem` follows the :class:`~evonet.problems.base.Problem`
protocol (``evaluate(population, rows)``, ``chunk_size``, ``n_samples``) for
lists of genomes, so the :class:`~evonet.evaluation.Evaluator` and
:func:`~evonet.evolve.evolve` run it as they run
:class:`~evonet.problems.supervised.SupervisedProblem`, whose losses and
target checks it reuses.
"""

import numpy as np

from evonet.checks import check_int
from evonet.losses import LOSSES, check_loss
from evonet.nn.activations import apply_activation, check_activation
from evonet.nn.graph import FeedForwardPopulation, check_graph_input
from evonet.nn.mlp import ROW_CHUNK
from evonet.nn.sparse import is_sparse
from evonet.problems.supervised import check_row_weights, check_targets, mean_row_loss

__all__ = ["GraphProblem", "graph_chunk_size", "predict_genome"]


def predict_genome(genome, X, output_activation="identity", activate=True):
    """Float64 outputs ``(N, n_outputs)`` of one feed-forward genome on the rows of ``X``.

    The genome's linear outputs with ``output_activation`` applied (as a
    :class:`GraphProblem` does), or left linear (logits) with
    ``activate=False``. Needs no training data: what a fitted model predicts
    with. A row gives the same output alone or in a batch.

    Examples
    --------
    >>> from evonet.genome.neat import NeatGenome
    >>> g = NeatGenome(1, 2, connections=[(0, 0, 1, 1.0, True)])
    >>> predict_genome(g, [[0.0], [2.0]], "softmax").round(3)
    array([[0.5  , 0.5  ],
           [0.881, 0.119]])
    """
    check_activation(output_activation, param="output_activation")
    X = check_graph_input(X, genome.n_inputs)
    out = FeedForwardPopulation([genome], np.float64).forward(X, activate_outputs=False)[0]
    if activate:
        with np.errstate(over="ignore"):
            apply_activation(output_activation, out, axis=1)
    return out


def graph_chunk_size(n_samples):
    """Default population chunk of a :class:`GraphProblem` on ``n_samples`` rows.

    Compiling a chunk of genomes costs a fixed ~0.1 ms whatever its size, so
    small data sets score a whole population (up to 256 genomes) in one chunk;
    large ones use chunks of down to 16 genomes, about 65,536 genome-rows of
    work each, which parallel workers can share.

    Examples
    --------
    >>> graph_chunk_size(4), graph_chunk_size(1000), graph_chunk_size(10**6)
    (256, 65, 16)
    """
    return int(max(16, min(256, 2**16 // max(1, n_samples))))


class _OutputSpec:
    """What the losses and target checks read of a network: its outputs."""

    def __init__(self, n_inputs, n_outputs, output_activation):
        self.n_inputs = n_inputs
        self.n_outputs = n_outputs
        self.output_activation = output_activation


class GraphProblem:
    """Loss of feed-forward graph networks (NEAT genomes) on a labelled data set.

    Parameters
    ----------
    n_inputs, n_outputs : int
        Inputs and outputs of every genome.
    X : array-like or sparse matrix of shape (N, n_inputs)
        A ``scipy.sparse`` ``X`` is kept sparse (CSR of ``dtype``) and
        densified one chunk of :data:`~evonet.nn.ROW_CHUNK` rows at a time:
        the graph's node values hold every input of a chunk anyway.
    y : array-like
        As :class:`~evonet.problems.supervised.SupervisedProblem` takes it.
    loss : {"squared_error", "log_loss", "error_rate"}, default="squared_error"
    output_activation : {"identity", "tanh", "relu", "logistic", "softmax"}, default="identity"
        Applied to the networks' linear outputs by the loss and by
        :meth:`predict` (the output nodes' own activation genes are not used).
    sample_weight : array-like of shape (N,), default=None
    dtype : numpy dtype, default=numpy.float32
        Precision of fitness evaluation; :meth:`predict` is always float64.
    chunk_size : int, default=None
        Largest population chunk (the Evaluator's unit of work); ``None``
        gives :func:`graph_chunk_size` of the number of rows. Each genome's
        loss is computed from its own genes only, so results do not depend on
        the chunking.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.neat import NeatGenome
    >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 2.0, True)])
    >>> problem = GraphProblem(1, 1, [[0.0], [1.0]], [0.0, 2.0])
    >>> problem.evaluate([g, NeatGenome(1, 1)])
    array([0., 2.])
    >>> problem.predict(g, [[3.0]])
    array([[6.]])
    """

    def __init__(self, n_inputs, n_outputs, X, y, loss="squared_error",
                 output_activation="identity", sample_weight=None, dtype=np.float32,
                 chunk_size=None):
        for value, name in ((n_inputs, "n_inputs"), (n_outputs, "n_outputs"),
                            (1 if chunk_size is None else chunk_size, "chunk_size")):
            check_int(value, name)
        check_activation(output_activation, param="output_activation")
        self.spec = _OutputSpec(int(n_inputs), int(n_outputs), output_activation)
        self.loss = check_loss(loss, self.spec)
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating dtype, got {self.dtype}.")
        X = check_graph_input(X, self.spec.n_inputs)
        self.n_samples = X.shape[0]
        self.chunk_size = graph_chunk_size(self.n_samples) if chunk_size is None \
            else int(chunk_size)
        if self.n_samples == 0:
            raise ValueError("X has no rows.")
        self.X = X.astype(self.dtype) if is_sparse(X) \
            else np.ascontiguousarray(X, dtype=self.dtype)
        self.targets = check_targets(self.spec, self.loss, y, self.n_samples, self.dtype)
        self.sample_weight = check_row_weights(sample_weight, self.n_samples)

    @property
    def n_inputs(self):
        return self.spec.n_inputs

    @property
    def n_outputs(self):
        return self.spec.n_outputs

    @property
    def output_activation(self):
        return self.spec.output_activation

    def _rows(self, rows, r0, r1):
        index = slice(r0, r1) if rows is None else rows[r0:r1]
        w = None if self.sample_weight is None else self.sample_weight[index]
        X = self.X[index]
        return X.toarray() if is_sparse(X) else X, self.targets[..., index], w

    def evaluate(self, population, rows=None):
        """Losses of a list of genomes, optionally on a subset of rows.

        Parameters
        ----------
        population : sequence of NeatGenome
        rows : ndarray of int, default=None
            Row indices (a minibatch); ``None`` for all rows.

        Returns
        -------
        ndarray of shape (P,), float64
            Losses; a network whose output overflows gets ``inf``.
        """
        population = list(population)
        if not population:
            return np.zeros(0)
        nets = FeedForwardPopulation(population, self.dtype)
        if nets.n_inputs != self.n_inputs or nets.n_outputs != self.n_outputs:
            raise ValueError(f"the genomes have {nets.n_inputs} inputs and {nets.n_outputs} "
                             f"outputs, the problem {self.n_inputs} and {self.n_outputs}.")
        loss_fn = LOSSES[self.loss]
        n = self.n_samples if rows is None else len(rows)

        def row_chunks():
            for r0 in range(0, n, ROW_CHUNK):
                X, targets, w = self._rows(rows, r0, r0 + ROW_CHUNK)
                yield loss_fn(nets.forward_chunk(X), targets, self.spec), w

        losses = mean_row_loss(row_chunks(), len(population))
        losses[np.isnan(losses)] = np.inf
        return losses

    def outputs(self, population, rows=None):
        """Activated outputs ``(P, rows, n_outputs)``, float64, of a list of genomes.

        What a score computed from predictions needs
        (:class:`~evonet.problems.scored.ScoredProblem`).

        Examples
        --------
        >>> from evonet.genome.neat import NeatGenome
        >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 2.0, True)])
        >>> GraphProblem(1, 1, [[0.0], [1.0]], [0.0, 2.0]).outputs([g])[0, :, 0]
        array([0., 2.])
        """
        nets = FeedForwardPopulation(list(population), self.dtype)
        n = self.n_samples if rows is None else len(rows)
        out = np.empty((len(population), n, self.n_outputs))
        for r0 in range(0, n, ROW_CHUNK):
            X = self._rows(rows, r0, r0 + ROW_CHUNK)[0]
            Z = nets.forward_chunk(X)
            apply_activation(self.output_activation, Z, axis=1)
            out[:, r0:r0 + X.shape[0]] = Z.transpose(0, 2, 1)
        return out

    def predict(self, genome, X, activate=True):
        """Float64 outputs ``(N, n_outputs)`` of one genome; ``output_activation`` applied.

        With ``activate=False`` the linear outputs (logits). A row gives the
        same output alone or in a batch.

        Examples
        --------
        >>> from evonet.genome.neat import NeatGenome
        >>> p = GraphProblem(1, 2, [[0.0]], [1], loss="log_loss", output_activation="softmax")
        >>> p.predict(NeatGenome(1, 2), [[5.0]])
        array([[0.5, 0.5]])
        """
        return predict_genome(genome, X, self.output_activation, activate)
