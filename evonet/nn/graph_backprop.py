"""Back-propagation through feed-forward graph networks (NEAT genomes), a population at a time.

:class:`GraphGradients` compiles a population of feed-forward genomes as
:class:`~evonet.nn.graph.FeedForwardPopulation` does (one global index per
node, the enabled connections sorted by the level of their target, output
nodes last and linear) and evaluates it the same way: per level one gather,
one segmented sum (``np.add.reduceat``) and one activation for all genomes
and rows together. It keeps every node's value, so that the backward pass
can run the levels in reverse with the same per-level operations batched
over all networks: the delta of a level's nodes (their values' gradient
times the activation's derivative, taken from the activated values), a
segmented product with the source values for the weights' gradients, and a
scatter-add (``np.add.at``) of ``weight * delta`` into the sources.

Gradients come back in the order of the genomes' own genes: one value per
row of ``genome.connections`` (zero for a disabled connection) and one per row
of ``genome.nodes`` (the bias; zero for an input node). A genome with a cycle
of enabled connections is refused with ``ValueError`` (back-propagation
through time of recurrent genomes is not done here).
"""

import numpy as np

from evonet.genome.neat import ENABLED, activation_code
from evonet.nn.graph_genes import (
    GraphGenes,
    activation_groups,
    apply_activation_groups,
    segment_starts,
)

__all__ = ["GraphGradients", "node_derivative"]

_NEAT_SIGMOID, _LOGISTIC, _TANH, _RELU = (activation_code(name) for name in
                                          ("neat_sigmoid", "logistic", "tanh", "relu"))


def node_derivative(codes, y):
    """Derivative of each node's activation, from its activated values ``y`` ``(nodes, R)``.

    ``codes`` holds one activation code per row of ``y``
    (:data:`~evonet.genome.neat.NODE_ACTIVATIONS`).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.neat import activation_code
    >>> codes = np.array([activation_code("tanh"), activation_code("relu")])
    >>> node_derivative(codes, np.array([[0.5], [2.0]]))
    array([[0.75],
           [1.  ]])
    """
    d = np.ones_like(y)
    for code in np.unique(codes):
        rows = np.flatnonzero(codes == code)
        v = y[rows]
        if code == _TANH:
            d[rows] = 1 - v * v
        elif code in (_LOGISTIC, _NEAT_SIGMOID):
            d[rows] = v * (1 - v) * (4.9 if code == _NEAT_SIGMOID else 1.0)
        elif code == _RELU:
            d[rows] = v > 0
    return d


def _levels(g):
    """Longest-path level of every node; ``ValueError`` for a cycle."""
    level = np.zeros(g.n_nodes, dtype=np.intp)
    for _ in range(g.max_nodes + 1):
        new = np.zeros_like(level)
        if g.src.size:
            np.maximum.at(new, g.dst, level[g.src] + 1)
        if np.array_equal(new, level):
            return level
        level = new
    bad = g.node_owner[np.flatnonzero(level >= g.max_nodes)[0]]
    raise ValueError(f"genome {bad} has a cycle of enabled connections; back-propagation "
                     f"needs a feed-forward genome (recurrent genomes are not supported).")


class GraphGradients:
    """Feed-forward graph networks of a population with the gradients of their weights.

    Parameters
    ----------
    genomes : sequence of NeatGenome
        Feed-forward genomes with the same numbers of inputs and outputs.
    dtype : numpy dtype, default=numpy.float32
        Precision of the passes (float64 for checks).

    Attributes
    ----------
    n_genomes, n_inputs, n_outputs : int
    connection_counts, node_counts : ndarray of int
        Rows of each genome's ``connections`` and ``nodes``.

    Raises
    ------
    ValueError
        For a cycle of enabled connections, or genomes the graph networks refuse.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.neat import NeatGenome
    >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 2.0, True)])
    >>> nets = GraphGradients([g], np.float64)
    >>> values = nets.forward_chunk(np.array([[3.0]]))
    >>> nets.outputs(values)
    array([[[6.]]])
    >>> weights, biases = nets.backward_chunk(values, np.ones((1, 1, 1)))
    >>> weights, biases
    (array([3.]), array([0., 1.]))
    """

    def __init__(self, genomes, dtype=np.float32):
        genomes = list(genomes)
        self.dtype = np.dtype(dtype)
        g = GraphGenes(genomes, feed_forward=True)
        self.n_genomes, self.n_inputs, self.n_outputs = g.n_genomes, g.n_inputs, g.n_outputs
        self.n_nodes = g.n_nodes
        self.connection_counts = np.array([len(x.connections) for x in genomes], dtype=np.intp)
        self.node_counts = np.array([len(x.nodes) for x in genomes], dtype=np.intp)
        enabled = np.flatnonzero(np.concatenate([x.connections[:, ENABLED] for x in genomes]) > 0)
        level = _levels(g)
        top = int(level.max(initial=0)) + 1
        level[g.outputs.ravel()] = top
        order = np.argsort(level[g.dst] * g.n_nodes + g.dst, kind="stable")
        self._position = enabled[order]  # row of each sorted connection among all genomes'
        src, dst = g.src[order], g.dst[order]
        starts, targets = segment_starts(dst)
        seg_bounds = np.searchsorted(level[targets], np.arange(1, top + 2)).tolist()
        conn_bounds = np.append(starts, src.size)[seg_bounds].tolist()
        self._src, self._weight = src, g.weight[order].astype(self.dtype)[:, None]
        self._plan = []
        for lv in range(top):
            s0, s1 = seg_bounds[lv], seg_bounds[lv + 1]
            if s0 < s1:
                c0, c1 = conn_bounds[lv], conn_bounds[lv + 1]
                segment = np.repeat(np.arange(s1 - s0), np.diff(np.append(starts[s0:s1], c1)))
                self._plan.append((c0, c1, starts[s0:s1] - c0, targets[s0:s1], segment,
                                   None if lv == top - 1 else g.codes[targets[s0:s1]]))
        bias = g.bias.astype(self.dtype)
        self._bias = bias[:, None]
        constant = np.ones(g.n_nodes, dtype=bool)
        constant[g.dst] = False
        constant[g.inputs] = False
        constant[g.outputs] = False
        self._constant = np.flatnonzero(constant)
        unreached = np.ones(g.n_nodes, dtype=bool)
        unreached[g.dst] = False
        self._free_outputs = g.outputs.ravel()[unreached[g.outputs.ravel()]]
        self._constant_codes = g.codes[self._constant]
        init = bias.copy()
        init[self._constant] = apply_activation_groups(
            activation_groups(self._constant_codes), init[self._constant])
        self._init = init[:, None]
        self._inputs, self._outputs = g.inputs, g.outputs

    def forward_chunk(self, X):
        """Every node's value ``(n_nodes, R)`` on rows ``X`` ``(R, n_inputs)`` of ``dtype``.

        Hidden nodes activated, outputs linear (logits); see :meth:`outputs`.
        """
        values = np.empty((self.n_nodes, X.shape[0]), dtype=self.dtype)
        values[:] = self._init
        values[self._inputs] = X.T
        for c0, c1, sums, targets, _, codes in self._plan:
            z = values[self._src[c0:c1]]
            z *= self._weight[c0:c1]
            z = np.add.reduceat(z, sums, axis=0)
            z += self._bias[targets]
            if codes is not None:
                apply_activation_groups(activation_groups(codes), z)
            values[targets] = z
        return values

    def outputs(self, values):
        """The linear outputs ``(P, n_outputs, R)`` held in ``values``."""
        return values[self._outputs]

    def backward_chunk(self, values, delta):
        """Gradients of one chunk, given ``delta = dLoss/dlogits`` ``(P, n_outputs, R)``.

        Returns ``(weights, biases)``: float64 arrays with one entry per row
        of the genomes' ``connections`` and ``nodes``, concatenated genome
        after genome (:meth:`split` cuts them per genome).
        """
        dv = np.zeros_like(values)
        dv[self._outputs.ravel()] = delta.reshape(-1, values.shape[1])
        dw = np.zeros(self._src.size)
        db = np.zeros(self.n_nodes)
        for c0, c1, _, targets, segment, codes in reversed(self._plan):
            dz = dv[targets]
            if codes is not None:
                dz *= node_derivative(codes, values[targets])
            db[targets] += dz.sum(axis=1)
            dz = dz[segment]
            src = self._src[c0:c1]
            dw[c0:c1] += np.einsum("cr,cr->c", dz, values[src])
            dz *= self._weight[c0:c1]
            np.add.at(dv, src, dz)
        if self._constant.size:
            rows = self._constant
            db[rows] += (dv[rows] * node_derivative(self._constant_codes, values[rows])).sum(1)
        db[self._free_outputs] += dv[self._free_outputs].sum(axis=1)
        weights = np.zeros(int(self.connection_counts.sum()))
        weights[self._position] = dw
        return weights, db

    def split(self, flat, counts):
        """Cut a concatenated per-row array into one array per genome.

        ``counts`` is :attr:`connection_counts` or :attr:`node_counts`.
        """
        return np.split(flat, np.cumsum(counts)[:-1])
