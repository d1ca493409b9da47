"""Graph networks decoded from NEAT genomes, evaluated a whole population at a time.

A genome (:class:`~evonet.genome.neat.NeatGenome`, or anything with its
``n_inputs``, ``n_outputs``, ``nodes`` and ``connections`` arrays) is a
directed graph of nodes. Every non-input node computes
``act(bias + sum_j w_j * value_j)`` over its *enabled* incoming connections;
a node with none outputs ``act(bias)``.

The population is never looped over in Python. All genomes' genes are
concatenated into flat arrays with one global index per node, so:

* :class:`FeedForwardPopulation` computes each node's *level* (longest path
  from a node without inputs) for every genome at once, then evaluates level
  after level: one gather, one segmented sum (``np.add.reduceat`` over the
  connections sorted by target) and one activation per level for all genomes
  and all rows together. A cycle raises ``ValueError``.
* :class:`~evonet.nn.recurrent.RecurrentPopulation` allows any connection and
  steps all networks together: one synchronous activation step per time step,
  the node values carried as state (the paper's NEAT activates recurrent
  networks this way).

Output nodes are sinks in a feed-forward network; their value is left linear
(``activate_outputs=False``, used by losses on logits) or activated with the
output nodes' own activation genes.
"""

import numpy as np

from evonet.nn.graph_genes import (
    GraphGenes,
    activation_groups,
    apply_activation_groups,
    segment_starts,
)
from evonet.nn.sparse import check_sparse_input, is_sparse

__all__ = [
    "FeedForwardNetwork",
    "FeedForwardPopulation",
    "check_graph_input",
]


def check_graph_input(X, n_inputs, name="X"):
    """Validate the ``(N, n_inputs)`` input rows of a graph network; return a float array.

    A sparse ``X`` is returned as canonical CSR
    (:func:`~evonet.nn.sparse.check_sparse_input`): a graph network densifies
    it one chunk of rows at a time, as its node values hold every input of
    the chunk anyway.

    Examples
    --------
    >>> check_graph_input([[0, 1]], 2)
    array([[0., 1.]])
    """
    if is_sparse(X):
        return check_sparse_input(X, n_inputs, name)
    try:
        X = np.asarray(X)
        if X.dtype.kind != "f":
            X = X.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array: {exc}") from None
    if X.ndim != 2 or X.shape[1] != n_inputs:
        raise ValueError(f"{name} must have shape (n_samples, {n_inputs}), got {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return X


class FeedForwardPopulation:
    """A population of feed-forward graph networks, compiled once, evaluated together.

    Parameters
    ----------
    genomes : sequence of NeatGenome
        All with the same numbers of inputs and outputs.
    dtype : numpy dtype, default=numpy.float32
        Precision of the evaluation (float64 for predictions).

    Raises
    ------
    ValueError
        For a cycle among enabled connections, a connection to a missing node,
        into an input or out of an output, or inconsistent genomes.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.neat import NeatGenome
    >>> g = NeatGenome(2, 1, nodes=[(0, 0.0, "identity"), (1, 0.0, "identity"),
    ...                             (2, 0.5, "identity")],
    ...                connections=[(0, 0, 2, 1.0, True), (1, 1, 2, -2.0, True)])
    >>> FeedForwardPopulation([g, g], np.float64).forward([[1.0, 1.0]]).shape
    (2, 1, 1)
    >>> FeedForwardPopulation([g], np.float64).forward([[1.0, 1.0]])[0, 0, 0]
    np.float64(-0.5)
    """

    def __init__(self, genomes, dtype=np.float32):
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating dtype, got {self.dtype}.")
        g = GraphGenes(genomes, feed_forward=True)
        self.n_genomes, self.n_inputs, self.n_outputs = g.n_genomes, g.n_inputs, g.n_outputs
        self.n_nodes = g.n_nodes
        # the genomes' cached levels order the evaluation if every enabled connection
        # climbs (which proves the graph acyclic); else they are recomputed here
        level = g.level
        if level.min(initial=0) < 0 or (level[g.src] >= level[g.dst]).any():
            level = self._levels(g)
        level = level.astype(np.intp)
        # outputs are sinks: evaluate them all last, as one level, so that raw
        # (pre-activation) outputs never feed another node
        top = int(level.max(initial=0)) + 1
        level[g.outputs.ravel()] = top
        order = np.argsort(level[g.dst] * g.n_nodes + g.dst, kind="stable")
        src, dst = g.src[order], g.dst[order]
        weight = g.weight[order].astype(self.dtype)[:, None]
        starts, targets = segment_starts(dst)
        bias = g.bias.astype(self.dtype)
        target_bias = bias[targets][:, None]
        codes = g.codes[targets]
        # segment and connection bounds of each level 1..top (the last: the outputs)
        seg_bounds = np.searchsorted(level[targets], np.arange(1, top + 2)).tolist()
        conn_bounds = np.append(starts, src.size)[seg_bounds].tolist()
        hidden_codes = codes[:seg_bounds[top - 1]]
        shared = activation_groups(hidden_codes) if hidden_codes.size and \
            (hidden_codes == hidden_codes[0]).all() else None
        self._levels_plan = []
        for lv in range(top):
            s0, s1 = seg_bounds[lv], seg_bounds[lv + 1]
            if s0 == s1:
                continue
            c0, c1 = conn_bounds[lv], conn_bounds[lv + 1]
            is_output = lv == top - 1
            groups = [] if is_output else shared if shared is not None else \
                activation_groups(codes[s0:s1])
            # with one incoming connection per target there is nothing to sum
            sums = None if s1 - s0 == c1 - c0 else starts[s0:s1] - c0
            self._levels_plan.append((src[c0:c1], weight[c0:c1], sums, targets[s0:s1],
                                      target_bias[s0:s1], groups))
        # nodes that no enabled connection reaches hold act(bias); outputs stay linear here
        constant = np.ones(g.n_nodes, dtype=bool)
        constant[g.dst] = False
        constant[g.inputs] = False
        constant[g.outputs] = False
        rows = np.flatnonzero(constant)
        if rows.size:
            bias[rows] = apply_activation_groups(activation_groups(g.codes[rows]), bias[rows])
        self._init = bias[:, None]
        self._inputs = g.inputs
        self._outputs = g.outputs
        self._output_codes = g.codes[g.outputs]

    @staticmethod
    def _levels(g):
        """Longest-path level of every node; ``ValueError`` for a cycle."""
        level = np.zeros(g.n_nodes, dtype=np.int64)
        if g.src.size == 0:
            return level
        for _ in range(g.max_nodes + 1):
            new = np.zeros_like(level)
            np.maximum.at(new, g.dst, level[g.src] + 1)
            if np.array_equal(new, level):
                return level
            level = new
        bad = g.node_owner[np.flatnonzero(level >= g.max_nodes)[0]]
        raise ValueError(f"genome {bad} has a cycle of enabled connections; a feed-forward "
                         f"network needs an acyclic graph (use evonet.nn.recurrent).")

    def forward_chunk(self, X, activate_outputs=False):
        """Outputs ``(P, n_outputs, R)`` of every network on rows ``X`` (validated, ``dtype``).

        With ``activate_outputs=False`` the outputs are left linear (logits).

        Examples
        --------
        >>> import numpy as np
        >>> from evonet.genome.neat import NeatGenome
        >>> net = FeedForwardPopulation([NeatGenome(1, 1)], np.float64)
        >>> net.forward_chunk(np.zeros((3, 1))).shape
        (1, 1, 3)
        """
        values = np.empty((self.n_nodes, X.shape[0]), dtype=self.dtype)
        values[:] = self._init
        values[self._inputs] = X.T
        for src, weight, sums, targets, bias, groups in self._levels_plan:
            z = values[src]
            z *= weight
            if sums is not None:
                z = np.add.reduceat(z, sums, axis=0)
            z += bias
            apply_activation_groups(groups, z)
            values[targets] = z
        out = values[self._outputs]
        if activate_outputs:
            shape = out.shape
            groups = activation_groups(self._output_codes.ravel())
            out = apply_activation_groups(groups, out.reshape(-1, shape[-1])).reshape(shape)
        return out

    def forward(self, X, activate_outputs=True, row_chunk=512):
        """Outputs of every network on the rows of ``X``: shape ``(P, N, n_outputs)``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (N, n_inputs)
            A sparse ``X`` is densified ``row_chunk`` rows at a time.
        activate_outputs : bool, default=True
            Apply the output nodes' activation genes (``False``: linear outputs).
        row_chunk : int, default=512
            Rows evaluated together (bounds memory for large ``N``).

        Examples
        --------
        >>> import numpy as np
        >>> from evonet.genome.neat import NeatGenome
        >>> nets = FeedForwardPopulation([NeatGenome(3, 2)] * 4)
        >>> nets.forward(np.ones((10, 3))).shape
        (4, 10, 2)
        """
        X = check_graph_input(X, self.n_inputs)
        out = np.empty((self.n_genomes, X.shape[0], self.n_outputs), dtype=self.dtype)
        for r0 in range(0, X.shape[0], row_chunk):
            chunk = X[r0:r0 + row_chunk].astype(self.dtype)
            if is_sparse(chunk):
                chunk = chunk.toarray()
            out[:, r0:r0 + row_chunk] = self.forward_chunk(chunk, activate_outputs).transpose(
                0, 2, 1)
        return out


class FeedForwardNetwork:
    """One genome decoded to a feed-forward network, evaluated in float64.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.neat import NeatGenome
    >>> g = NeatGenome(2, 1, connections=[(0, 0, 2, 1.0, True), (1, 1, 2, 1.0, True)])
    >>> FeedForwardNetwork(g).predict([[1.0, 2.0], [0.0, 0.5]])
    array([[3. ],
           [0.5]])
    """

    def __init__(self, genome):
        self.genome = genome
        self._population = FeedForwardPopulation([genome], np.float64)

    def predict(self, X, activate_outputs=True):
        """Outputs ``(N, n_outputs)`` of the network (``FeedForwardPopulation.forward``)."""
        return self._population.forward(X, activate_outputs)[0]
