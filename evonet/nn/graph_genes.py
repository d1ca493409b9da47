"""The genes of a population of graph genomes, concatenated for batched evaluation.

Shared by the feed-forward (:mod:`evonet.nn.graph`) and recurrent
(:mod:`evonet.nn.recurrent`) graph networks and by NEAT policies
(:mod:`evonet.tasks.neat_policy`): :class:`GraphGenes` checks and
concatenates the genes of all genomes with one global index per node, the
node activation functions work in place on stacked rows
(:data:`NODE_FUNCTIONS`, :func:`activation_groups`,
:func:`apply_activation_groups`), and :func:`segment_starts` cuts
connections sorted by target into one segment per target.
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

__all__ = ["LOOKUP_SLACK", "NODE_FUNCTIONS", "GraphGenes", "activation_groups",
           "apply_activation_groups", "segment_starts"]

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


_BY_NAME = dict(identity=_identity, neat_sigmoid=_neat_sigmoid, logistic=_logistic, tanh=_tanh,
                relu=_relu)
NODE_FUNCTIONS = tuple(_BY_NAME[name] for name in NODE_ACTIVATIONS)
"""The node activation functions, indexed by activation code (see ``NODE_ACTIVATIONS``).

Each works in place on a float array and returns it.

Examples
--------
>>> import numpy as np
>>> from evonet.genome.neat import activation_code
>>> NODE_FUNCTIONS[activation_code("relu")](np.array([-1.0, 2.0]))
array([0., 2.])
"""


def apply_activation_groups(groups, z):
    """Apply ``[(code, rows or None), ...]`` activations to the rows of ``z`` in place.

    ``groups`` comes from :func:`activation_groups`; ``rows=None`` applies
    the code to all of ``z``. Returns ``z``.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([[-1.0], [-2.0]])
    >>> apply_activation_groups(activation_groups(np.array([0, 4])), z).tolist()
    [[-1.0], [0.0]]
    """
    for code, rows in groups:
        if rows is None:
            NODE_FUNCTIONS[code](z)
        else:
            part = z[rows]
            z[rows] = NODE_FUNCTIONS[code](part)
    return z


def activation_groups(codes):
    """Rows of each activation code (identity left out); ``[(code, None)]`` if all share one.

    Examples
    --------
    >>> import numpy as np
    >>> activation_groups(np.array([3, 3])), activation_groups(np.array([0, 4, 4]))
    ([(3, None)], [(4, array([1, 2]))])
    """
    if codes.size == 0:
        return []
    first = codes[0]
    if (codes == first).all():
        return [] if first == 0 else [(int(first), None)]
    return [(int(c), np.flatnonzero(codes == c)) for c in np.unique(codes) if c != 0]


class GraphGenes:
    """The genes of a population concatenated, with one global index per node.

    Checks, for every genome at once, what evaluation relies on: equal input
    and output counts, node ids that start with the inputs then the outputs,
    and enabled connections between existing nodes, never into an input (nor,
    with ``feed_forward``, out of an output).

    Parameters
    ----------
    genomes : sequence of NeatGenome
        Or anything with ``n_inputs``, ``n_outputs``, ``nodes`` and ``connections``.
    feed_forward : bool
        Whether connections out of output nodes are refused.

    Attributes
    ----------
    n_genomes, n_inputs, n_outputs : int
    n_nodes : int
        Nodes of all genomes together (global indices ``0 .. n_nodes - 1``).
    max_nodes : int
        Nodes of the largest genome.
    node_owner : ndarray of int
        The genome of each node.
    level, bias : ndarray
        Each node's cached level and its bias.
    codes : ndarray of int
        Each node's activation code.
    inputs, outputs : ndarray of int, shape (n_genomes, n_inputs or n_outputs)
        Global indices of each genome's input and output nodes.
    src, dst : ndarray of int
        Global indices of the ends of every enabled connection.
    weight : ndarray
        The weight of every enabled connection.
    owner : ndarray of int
        The genome of every enabled connection.

    Raises
    ------
    ValueError
        Naming the genome and the fault.

    Examples
    --------
    >>> from evonet.genome.neat import NeatGenome
    >>> g = GraphGenes([NeatGenome(1, 1, connections=[(0, 0, 1, 2.0, True)])] * 2, True)
    >>> g.n_nodes, g.src.tolist(), g.dst.tolist(), g.weight.tolist()
    (4, [0, 2], [1, 3], [2.0, 2.0])
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
        _check_connection_ends(owner, src_id, dst_id, n_in, n_out, feed_forward)
        node_owner = np.repeat(np.arange(P), counts)
        src, dst = _connection_positions(ids, node_owner, P, owner, src_id, dst_id)
        _check_duplicate_connections(src, dst, ids, node_owner)
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


def _check_connection_ends(owner, src_id, dst_id, n_in, n_out, feed_forward):
    """No enabled connection into an input, from a negative id or (feed-forward) an output."""
    if not dst_id.size:
        return
    if dst_id.min() < n_in:
        k = np.flatnonzero(dst_id < n_in)[0]
        raise ValueError(f"genome {owner[k]} has a connection into input node "
                         f"{dst_id[k]}.")
    if src_id.min() < 0:
        raise ValueError("node ids must be non-negative.")
    # outputs are the ids n_in .. n_io - 1; as unsigned, src - n_in < n_out exactly there
    if feed_forward and ((src_id - n_in).astype(np.uintp) < n_out).any():
        k = np.flatnonzero((src_id >= n_in) & (src_id < n_in + n_out))[0]
        raise ValueError(f"genome {owner[k]} has a connection out of output node "
                         f"{src_id[k]}; output nodes are sinks in a feed-forward network.")


def _connection_positions(ids, node_owner, P, owner, src_id, dst_id):
    """Global node positions ``(src, dst)`` of the connections' ends; checks the node ids."""
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
        return src, dst
    keys = node_owner * width + int_ids
    if keys.size > 1 and not (keys[1:] > keys[:-1]).all():
        bad = node_owner[np.flatnonzero(keys[1:] <= keys[:-1])[0]]
        raise ValueError(f"genome {bad} has unsorted or duplicate node ids.")
    return (_locate(keys, owner * width + src_id, owner, src_id, "from"),
            _locate(keys, owner * width + dst_id, owner, dst_id, "to"))


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


def _check_duplicate_connections(src, dst, ids, node_owner):
    """No two enabled connections of a genome between the same two nodes."""
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


def segment_starts(dst_sorted):
    """Start of each run of equal targets in ``dst_sorted``, and the target of each run.

    Examples
    --------
    >>> import numpy as np
    >>> starts, targets = segment_starts(np.array([2, 2, 5, 7, 7]))
    >>> starts.tolist(), targets.tolist()
    ([0, 2, 3], [2, 5, 7])
    """
    if dst_sorted.size == 0:
        return np.zeros(0, dtype=np.intp), dst_sorted
    change = np.empty(dst_sorted.size, dtype=bool)
    change[0] = True
    np.not_equal(dst_sorted[1:], dst_sorted[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    return starts, dst_sorted[starts]
