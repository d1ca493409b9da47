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
from scipy.special import expit

from evonet.genome.neat import (
    ACTIVATION,
    BIAS,
    ENABLED,
    IN_NODE,
    LEVEL,
    NODE_ACTIVATIONS,
    NODE_ID,
    OUT_NODE,
    WEIGHT,
)

__all__ = [
    "FeedForwardNetwork",
    "FeedForwardPopulation",
    "check_graph_input",
]

LOOKUP_SLACK = 8
"""A ``genomes x node ids`` table maps ids to positions while it has at most this many
entries per node (plus 4096); sparser ids are found by binary search."""


def _identity(z):
    return z


def _neat_sigmoid(z):
    # the NEAT paper's steepened sigmoid 1 / (1 + exp(-4.9 z)) (Stanley & Miikkulainen 2002, 4.1)
    z *= 4.9
    return expit(z, out=z)


def _logistic(z):
    return expit(z, out=z)


def _tanh(z):
    return np.tanh(z, out=z)


def _relu(z):
    return np.maximum(z, 0, out=z)


_FUNCTIONS = dict(identity=_identity, neat_sigmoid=_neat_sigmoid, logistic=_logistic,
                  tanh=_tanh, relu=_relu)
_FUNCTIONS = tuple(_FUNCTIONS[name] for name in NODE_ACTIVATIONS)  # indexed by code


def check_graph_input(X, n_inputs, name="X"):
    """Validate the ``(N, n_inputs)`` input rows of a graph network; return a float array.

    Examples
    --------
    >>> check_graph_input([[0, 1]], 2)
    array([[0., 1.]])
    """
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


def _activate(groups, z):
    """Apply ``[(code, rows or None), ...]`` activations to the rows of ``z`` in place."""
    for code, rows in groups:
        if rows is None:
            _FUNCTIONS[code](z)
        else:
            part = z[rows]
            z[rows] = _FUNCTIONS[code](part)
    return z


def _groups(codes):
    """Rows of each activation code (identity left out); ``[(code, None)]`` if all share one."""
    if codes.size == 0:
        return []
    first = codes[0]
    if (codes == first).all():
        return [] if first == 0 else [(int(first), None)]
    return [(int(c), np.flatnonzero(codes == c)) for c in np.unique(codes) if c != 0]


class _Graphs:
    """The genes of a population concatenated, with one global index per node.

    Checks, for every genome at once, what evaluation relies on: equal input
    and output counts, node ids that start with the inputs then the outputs,
    and enabled connections between existing nodes, never into an input (nor,
    with ``feed_forward``, out of an output).
    """

    def __init__(self, genomes, feed_forward):
        if not genomes:
            raise ValueError("the population is empty.")
        P = len(genomes)
        node_arrays, conn_arrays, n_ins, n_outs = zip(*[(g.nodes, g.connections, g.n_inputs,
                                                         g.n_outputs) for g in genomes])
        n_in, n_out = n_ins[0], n_outs[0]
        if n_ins.count(n_in) != P or n_outs.count(n_out) != P:
            k = next(k for k in range(P) if n_ins[k] != n_in or n_outs[k] != n_out)
            raise ValueError(f"genome {k} has {n_ins[k]} inputs and {n_outs[k]} outputs, "
                             f"genome 0 has {n_in} and {n_out}.")
        n_io = n_in + n_out
        # columns as (strided) rows: 1-D gathers and masks on them are the cheapest
        nodes = np.concatenate(node_arrays).T
        conns = np.concatenate(conn_arrays).T
        ids = nodes[NODE_ID]
        # every genome's nodes start with id 0 (its first input): that is where each begins
        starts = np.flatnonzero(ids == 0)
        if starts.size != P:
            raise ValueError(f"every genome needs its input and output nodes first, ids "
                             f"0..{n_io - 1}.")
        counts = np.diff(starts, append=ids.size)
        io = starts[:, None] + np.arange(n_io)
        if counts.min() < n_io or (ids[np.minimum(io, ids.size - 1)] != np.arange(n_io)).any():
            bad = np.flatnonzero((counts < n_io) | (
                ids[np.minimum(io, ids.size - 1)] != np.arange(n_io)).any(axis=1))[0]
            raise ValueError(f"genome {bad} lacks input or output nodes 0..{n_io - 1}.")
        enabled = conns[ENABLED] > 0
        owner = np.repeat(np.arange(P), np.fromiter(map(len, conn_arrays), dtype=np.intp,
                                                    count=P))[enabled]
        src_id = conns[IN_NODE][enabled].astype(np.intp)
        dst_id = conns[OUT_NODE][enabled].astype(np.intp)
        if dst_id.size:
            if dst_id.min() < n_in:
                k = np.flatnonzero(dst_id < n_in)[0]
                raise ValueError(f"genome {owner[k]} has a connection into input node "
                                 f"{dst_id[k]}.")
            if src_id.min() < 0:
                raise ValueError("node ids must be non-negative.")
            # outputs are the ids n_in .. n_io - 1; as unsigned, src - n_in < n_out exactly there
            if feed_forward and ((src_id - n_in).astype(np.uintp) < n_out).any():
                k = np.flatnonzero((src_id >= n_in) & (src_id < n_io))[0]
                raise ValueError(f"genome {owner[k]} has a connection out of output node "
                                 f"{src_id[k]}; output nodes are sinks in a feed-forward network.")
        node_owner = np.repeat(np.arange(P), counts)
        int_ids = ids.astype(np.intp)
        width = int(int_ids.max()) + 1
        if P * width <= LOOKUP_SLACK * ids.size + 4096 and (
                not dst_id.size or max(src_id.max(), dst_id.max()) < width):
            # a (genome, node id) -> position table: two gathers map all the connections
            table = np.full((P, width), -1, dtype=np.intp)
            position = np.arange(ids.size)
            table[node_owner, int_ids] = position
            if (table[node_owner, int_ids] != position).any():
                bad = node_owner[np.flatnonzero(table[node_owner, int_ids] != position)[0]]
                raise ValueError(f"genome {bad} has duplicate node ids.")
            src = table[owner, src_id]
            dst = table[owner, dst_id]
            if src.size and min(src.min(), dst.min()) < 0:
                for found, node_id, direction in ((src, src_id, "from"), (dst, dst_id, "to")):
                    if found.min() < 0:
                        k = np.flatnonzero(found < 0)[0]
                        raise ValueError(f"genome {owner[k]} has a connection {direction} "
                                         f"missing node {node_id[k]}.")
        else:
            keys = node_owner * width + int_ids
            if keys.size > 1 and not (keys[1:] > keys[:-1]).all():
                bad = node_owner[np.flatnonzero(keys[1:] <= keys[:-1])[0]]
                raise ValueError(f"genome {bad} has unsorted or duplicate node ids.")
            src = self._locate(keys, owner * width + src_id, owner, src_id, "from")
            dst = self._locate(keys, owner * width + dst_id, owner, dst_id, "to")
        if src.size > 1:
            # positions are global, so one key per (source, target) pair covers every genome
            pairs = src * ids.size
            pairs += dst
            pairs.sort()
            same = pairs[1:] == pairs[:-1]
            if same.any():
                a, b = divmod(int(pairs[np.flatnonzero(same)[0]]), ids.size)
                raise ValueError(f"genome {node_owner[a]} has duplicate enabled connections "
                                 f"{int(ids[a])} -> {int(ids[b])}.")
        self.n_genomes, self.n_inputs, self.n_outputs = P, n_in, n_out
        self.n_nodes = ids.size
        self.max_nodes = int(counts.max())
        self.node_owner = node_owner
        self.level = nodes[LEVEL]
        self.bias = nodes[BIAS]
        self.codes = nodes[ACTIVATION].astype(np.intp)
        self.inputs = io[:, :n_in]
        self.outputs = io[:, n_in:]
        self.src, self.dst = src, dst
        self.weight = conns[WEIGHT][enabled]
        self.owner = owner

    @staticmethod
    def _locate(keys, wanted, owner, node_id, direction):
        if wanted.size == 0:
            return np.zeros(0, dtype=np.intp)
        at = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
        missing = keys[at] != wanted
        if missing.any():
            k = np.flatnonzero(missing)[0]
            raise ValueError(f"genome {owner[k]} has a connection {direction} missing node "
                             f"{node_id[k]}.")
        return at


def _segments(dst_sorted):
    """Start of each run of equal targets in ``dst_sorted``, and the target of each run."""
    if dst_sorted.size == 0:
        return np.zeros(0, dtype=np.intp), dst_sorted
    change = np.empty(dst_sorted.size, dtype=bool)
    change[0] = True
    np.not_equal(dst_sorted[1:], dst_sorted[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    return starts, dst_sorted[starts]


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
        g = _Graphs(genomes, feed_forward=True)
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
        starts, targets = _segments(dst)
        bias = g.bias.astype(self.dtype)
        target_bias = bias[targets][:, None]
        codes = g.codes[targets]
        # segment and connection bounds of each level 1..top (the last: the outputs)
        seg_bounds = np.searchsorted(level[targets], np.arange(1, top + 2)).tolist()
        conn_bounds = np.append(starts, src.size)[seg_bounds].tolist()
        hidden_codes = codes[:seg_bounds[top - 1]]
        shared = _groups(hidden_codes) if hidden_codes.size and \
            (hidden_codes == hidden_codes[0]).all() else None
        self._levels_plan = []
        for lv in range(top):
            s0, s1 = seg_bounds[lv], seg_bounds[lv + 1]
            if s0 == s1:
                continue
            c0, c1 = conn_bounds[lv], conn_bounds[lv + 1]
            is_output = lv == top - 1
            groups = [] if is_output else shared if shared is not None else \
                _groups(codes[s0:s1])
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
            bias[rows] = _activate(_groups(g.codes[rows]), bias[rows])
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
            _activate(groups, z)
            values[targets] = z
        out = values[self._outputs]
        if activate_outputs:
            shape = out.shape
            groups = _groups(self._output_codes.ravel())
            out = _activate(groups, out.reshape(-1, shape[-1])).reshape(shape)
        return out

    def forward(self, X, activate_outputs=True, row_chunk=512):
        """Outputs of every network on the rows of ``X``: shape ``(P, N, n_outputs)``.

        Parameters
        ----------
        X : array-like of shape (N, n_inputs)
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
