"""NEAT genomes: node genes, connection genes and the innovation registry.

A genome (Stanley & Miikkulainen 2002, Section 3.1 and Fig. 2) is two small
float64 arrays, one row per gene, with named columns:

* ``nodes``, shape ``(n, 4)``, columns :data:`NODE_COLUMNS` ``(id, bias,
  activation, level)``, sorted by ``id``. Inputs have ids ``0 .. n_inputs - 1``,
  outputs the next ``n_outputs`` ids, hidden nodes any larger id. Each node
  carries its own ``bias`` and ``activation`` (a code of
  :data:`NODE_ACTIVATIONS`). Bias is a node attribute rather
  than the paper's bias input node, so every hidden node has a bias from birth
  and biases mutate like weights; inputs' bias and activation are unused.
  ``level`` is not a gene but a cache derived from the structure: the length
  of the longest path to the node over *all* connections (enabled or not),
  or -1 everywhere when they form a cycle. Evaluation orders nodes by it.
* ``connections``, shape ``(m, 5)``, columns :data:`CONNECTION_COLUMNS`
  ``(innovation, in_node, out_node, weight, enabled)``, sorted by
  ``innovation``; ``enabled`` is 1.0 or 0.0.

Plain float arrays (ids are exact in float64) make copying a genome two array
copies and gathering a population one concatenation per kind of gene.

Invariants (checked by :meth:`NeatGenome.validate`): unique node ids with every
input and output present, connections only between existing nodes and never
into an input, no two connections with the same ``(in_node, out_node)``,
unique innovation numbers, finite values.
"""

import copy

import numpy as np

from evonet.checks import check_int

__all__ = [
    "ACTIVATION",
    "BIAS",
    "CONNECTION_COLUMNS",
    "ENABLED",
    "IN_NODE",
    "INNOVATION",
    "LEVEL",
    "NODE_ACTIVATIONS",
    "NODE_COLUMNS",
    "NODE_ID",
    "NeatGenome",
    "OUT_NODE",
    "WEIGHT",
    "activation_code",
    "node_levels",
    "topological_order",
]

NODE_ACTIVATIONS = ("identity", "neat_sigmoid", "logistic", "tanh", "relu")
"""Activation names of node genes; a node stores the index of its name (its code).

``neat_sigmoid`` is the NEAT paper's steepened sigmoid ``1/(1+exp(-4.9x))``;
``logistic`` the plain one. The functions are in :mod:`evonet.nn.graph`.
"""

NODE_COLUMNS = ("id", "bias", "activation", "level")
"""Columns of ``NeatGenome.nodes``."""
NODE_ID, BIAS, ACTIVATION, LEVEL = range(4)

CONNECTION_COLUMNS = ("innovation", "in_node", "out_node", "weight", "enabled")
"""Columns of ``NeatGenome.connections``."""
INNOVATION, IN_NODE, OUT_NODE, WEIGHT, ENABLED = range(5)


def activation_code(name):
    """The code stored in a node gene for the activation called ``name``.

    Examples
    --------
    >>> activation_code("neat_sigmoid"), NODE_ACTIVATIONS[activation_code("tanh")]
    (1, 'tanh')
    """
    if not isinstance(name, str) or name not in NODE_ACTIVATIONS:
        raise ValueError(f"activation={name!r} is not supported; choose one of "
                         f"{list(NODE_ACTIVATIONS)}.")
    return NODE_ACTIVATIONS.index(name)


def topological_order(node_ids, connections):
    """Kahn's order of the nodes over all connections, with successors and levels.

    Returns ``(order, children, level)``: node positions (into ``node_ids``)
    in topological order, each position's successor positions, and each
    position's longest-path level. ``order`` is shorter than ``node_ids``
    when the connections form a cycle. Plain Python: genomes are small.

    Examples
    --------
    >>> import numpy as np
    >>> conns = np.array([[0, 0, 3, 1.0, 1], [1, 3, 2, 1.0, 0], [2, 0, 2, 1.0, 1]])
    >>> topological_order(np.array([0.0, 1.0, 2.0, 3.0]), conns)
    ([1, 0, 3, 2], [[3, 2], [], [], [2]], [0, 0, 2, 1])
    """
    position = {node: k for k, node in enumerate(node_ids.tolist())}
    n = len(position)
    children = [[] for _ in range(n)]
    waiting = [0] * n
    for a, b in connections[:, IN_NODE:OUT_NODE + 1].tolist():
        children[position[a]].append(position[b])
        waiting[position[b]] += 1
    level = [0] * n
    ready = [k for k in range(n) if waiting[k] == 0]
    order = []
    while ready:
        k = ready.pop()
        order.append(k)
        for j in children[k]:
            if level[k] + 1 > level[j]:
                level[j] = level[k] + 1
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(j)
    return order, children, level


def node_levels(node_ids, connections):
    """Longest-path level of each node over all connections; all -1 if they form a cycle.

    Examples
    --------
    >>> import numpy as np
    >>> conns = np.array([[0, 0, 3, 1.0, 1], [1, 3, 2, 1.0, 0], [2, 0, 2, 1.0, 1]])
    >>> node_levels(np.array([0.0, 1.0, 2.0, 3.0]), conns)
    array([0., 0., 2., 1.])
    """
    order, _, level = topological_order(node_ids, connections)
    if len(order) < node_ids.size:
        return np.full(node_ids.size, -1.0)
    return np.array(level, dtype=np.float64)


def _as_nodes(nodes, n_inputs, n_outputs):
    if nodes is None:
        nodes = [(k, 0.0, 0) for k in range(n_inputs + n_outputs)]
    rows = []
    for node in nodes:
        node = tuple(node)
        if len(node) not in (3, 4):
            raise ValueError(f"a node gene is (id, bias, activation), got {node!r}.")
        act = node[2]
        rows.append((node[0], node[1], activation_code(act) if isinstance(act, str) else act, 0))
    try:
        out = np.array(rows, dtype=np.float64).reshape(-1, 4)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"node genes must be numbers: {exc}") from None
    return out[np.argsort(out[:, NODE_ID], kind="stable")]


def _as_connections(connections):
    if connections is None:
        return np.zeros((0, 5))
    try:
        out = np.array([tuple(c) for c in connections], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"connection genes must be numbers: {exc}") from None
    if out.size == 0:
        return np.zeros((0, 5))
    if out.ndim != 2 or out.shape[1] != 5:
        raise ValueError("a connection gene is (innovation, in_node, out_node, weight, enabled).")
    out[:, ENABLED] = out[:, ENABLED] != 0
    return out[np.argsort(out[:, INNOVATION], kind="stable")]


class NeatGenome:
    """A NEAT genome: node genes and connection genes (see the module notes).

    The DEAP individual type :data:`evonet.genome.types.NeatIndividual` is this
    class with a ``fitness``; strategies and operators make and return those.

    Parameters
    ----------
    n_inputs, n_outputs : int
    nodes : sequence of (id, bias, activation), default=None
        ``None`` gives the inputs and outputs only (bias 0, identity).
        ``activation`` is a name of :data:`NODE_ACTIVATIONS` or its code; rows
        of a ``nodes`` array are accepted too.
    connections : sequence of (innovation, in_node, out_node, weight, enabled), default=None

    Raises
    ------
    ValueError
        When the genes break an invariant (see :meth:`validate`).

    Examples
    --------
    >>> g = NeatGenome(2, 1, connections=[(0, 0, 2, 0.5, True), (1, 1, 2, -1.0, False)])
    >>> g
    NeatGenome(n_inputs=2, n_outputs=1, n_hidden=0, n_connections=2, n_enabled=1)
    >>> NeatGenome(2, 1, connections=[(0, 0, 7, 0.5, True)])
    Traceback (most recent call last):
    ...
    ValueError: connection 0 -> 7 (innovation 0) goes to missing node 7.
    """

    fitness_type = None
    """The DEAP fitness class new genomes of this class get (``None``: no fitness).

    Set on the DEAP individual type made in :mod:`evonet.genome.types`."""

    def __init__(self, n_inputs, n_outputs, nodes=None, connections=None):
        self.n_inputs = check_int(n_inputs, "n_inputs")
        self.n_outputs = check_int(n_outputs, "n_outputs")
        self.nodes = _as_nodes(nodes, self.n_inputs, self.n_outputs)
        self.connections = _as_connections(connections)
        self.validate()
        self.update_levels()

    @classmethod
    def from_genes(cls, n_inputs, n_outputs, nodes, connections):
        """A genome of these gene arrays, neither copied nor checked (the operators' fast path).

        The arrays must already satisfy the invariants, levels included
        (:meth:`validate`, :meth:`update_levels`); an individual type gets a
        fresh, unevaluated fitness.

        Examples
        --------
        >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 0.5, True)])
        >>> NeatGenome.from_genes(1, 1, g.nodes, g.connections).connections is g.connections
        True
        """
        genome = cls.__new__(cls)
        fitness_type = cls.fitness_type
        if fitness_type is not None:
            # an unevaluated DEAP fitness is its class's defaults (wvalues = ()):
            # skipping Fitness.__init__'s checks makes a child ~2 us cheaper
            genome.fitness = fitness_type.__new__(fitness_type)
        genome.n_inputs = n_inputs
        genome.n_outputs = n_outputs
        genome.nodes = nodes
        genome.connections = connections
        return genome

    def __repr__(self):
        return (f"{type(self).__name__}(n_inputs={self.n_inputs}, n_outputs={self.n_outputs}, "
                f"n_hidden={self.n_hidden}, n_connections={len(self.connections)}, "
                f"n_enabled={self.n_enabled})")

    @property
    def n_hidden(self):
        """Number of hidden node genes (used or not)."""
        return len(self.nodes) - self.n_inputs - self.n_outputs

    @property
    def n_enabled(self):
        """Number of enabled connection genes."""
        return int(np.count_nonzero(self.connections[:, ENABLED]))

    def update_levels(self):
        """Recompute the ``level`` column after changing the structure by hand; return self."""
        self.nodes[:, LEVEL] = node_levels(self.nodes[:, NODE_ID], self.connections)
        return self

    def validate(self):
        """Check the genome's invariants; return it, or raise ``ValueError`` naming the fault.

        Examples
        --------
        >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 1.0, True)])
        >>> g.connections = np.array([[0, 0, 1, 1.0, 1], [5, 0, 1, 2.0, 1]])
        >>> g.validate()
        Traceback (most recent call last):
        ...
        ValueError: duplicate connection 0 -> 1 (innovations 0 and 5).
        """
        nodes, conns = self.nodes, self.connections
        for array, width, name in ((nodes, 4, "nodes"), (conns, 5, "connections")):
            if not isinstance(array, np.ndarray) or array.dtype != np.float64 \
                    or array.ndim != 2 or array.shape[1] != width:
                raise ValueError(f"{name} must be a float64 array of shape (n, {width}).")
            if not np.isfinite(array).all():
                raise ValueError(f"{name} contain NaN or infinite values.")
        ids = nodes[:, NODE_ID]
        n_io = self.n_inputs + self.n_outputs
        if (ids != np.round(ids)).any() or (ids < 0).any():
            raise ValueError("node ids must be non-negative integers.")
        if ids.size > 1 and not (ids[1:] > ids[:-1]).all():
            raise ValueError("node ids must be unique and sorted.")
        if ids.size < n_io or not np.array_equal(ids[:n_io], np.arange(n_io)):
            raise ValueError(f"nodes must include the inputs and outputs, ids 0..{n_io - 1}.")
        codes = nodes[:, ACTIVATION]
        if (codes != np.round(codes)).any() or (codes < 0).any() \
                or (codes >= len(NODE_ACTIVATIONS)).any():
            raise ValueError(f"node activation codes must be integers in "
                             f"[0, {len(NODE_ACTIVATIONS)}).")
        innov = conns[:, INNOVATION]
        if (innov != np.round(innov)).any() or (innov < 0).any():
            raise ValueError("innovation numbers must be non-negative integers.")
        if innov.size > 1 and not (innov[1:] > innov[:-1]).all():
            raise ValueError("innovation numbers must be unique and sorted.")
        if not np.isin(conns[:, ENABLED], (0.0, 1.0)).all():
            raise ValueError("the enabled column must hold 0 or 1.")
        for end, role in ((IN_NODE, "from"), (OUT_NODE, "to")):
            at = np.minimum(np.searchsorted(ids, conns[:, end]), ids.size - 1)
            missing = ids[at] != conns[:, end]
            if missing.any():
                k = np.flatnonzero(missing)[0]
                raise ValueError(f"connection {conns[k, IN_NODE]:.0f} -> {conns[k, OUT_NODE]:.0f} "
                                 f"(innovation {conns[k, INNOVATION]:.0f}) goes {role} missing "
                                 f"node {conns[k, end]:.0f}.")
        into = np.flatnonzero(conns[:, OUT_NODE] < self.n_inputs)
        if into.size:
            k = into[0]
            raise ValueError(f"connection {conns[k, IN_NODE]:.0f} -> {conns[k, OUT_NODE]:.0f} "
                             f"goes into an input.")
        pairs = conns[:, IN_NODE] * (ids.max() + 1) + conns[:, OUT_NODE]
        order = np.argsort(pairs, kind="stable")
        same = np.flatnonzero(pairs[order][1:] == pairs[order][:-1])
        if same.size:
            a, b = conns[order[same[0]]], conns[order[same[0] + 1]]
            raise ValueError(f"duplicate connection {a[IN_NODE]:.0f} -> {a[OUT_NODE]:.0f} "
                             f"(innovations {a[INNOVATION]:.0f} and {b[INNOVATION]:.0f}).")
        return self

    def copy(self):
        """A deep copy (genes and fitness).

        Examples
        --------
        >>> g = NeatGenome(1, 1)
        >>> g.copy().nodes is g.nodes
        False
        """
        new = self.from_genes(self.n_inputs, self.n_outputs, self.nodes.copy(),
                        self.connections.copy())
        if hasattr(self, "fitness"):
            new.fitness = copy.deepcopy(self.fitness)
        return new

    def __deepcopy__(self, memo):
        return self.copy()

    def __copy__(self):
        return self.copy()

    def __reduce__(self):
        # the DEAP individual type (evonet.genome.types) pickles itself, with its fitness
        return (_rebuild, (self.n_inputs, self.n_outputs, self.nodes, self.connections))

    def to_dict(self):
        """A JSON-ready description: kinds and activation names spelled out.

        Examples
        --------
        >>> d = NeatGenome(1, 1, connections=[(0, 0, 1, 0.5, True)]).to_dict()
        >>> d["connections"]
        [{'innovation': 0, 'in_node': 0, 'out_node': 1, 'weight': 0.5, 'enabled': True}]
        >>> NeatGenome.from_dict(d).connections[:, WEIGHT]
        array([0.5])
        """
        n_in, n_io = self.n_inputs, self.n_inputs + self.n_outputs
        nodes = [{"id": int(i), "kind": "input" if i < n_in else "output" if i < n_io else
                  "hidden", "bias": float(b), "activation": NODE_ACTIVATIONS[int(a)]}
                 for i, b, a, _ in self.nodes.tolist()]
        conns = [{"innovation": int(k), "in_node": int(a), "out_node": int(b),
                  "weight": float(w), "enabled": bool(e)}
                 for k, a, b, w, e in self.connections.tolist()]
        return {"n_inputs": self.n_inputs, "n_outputs": self.n_outputs, "nodes": nodes,
                "connections": conns}

    @classmethod
    def from_dict(cls, data):
        """Inverse of :meth:`to_dict` (validated)."""
        nodes = [(n["id"], n["bias"], n["activation"]) for n in data["nodes"]]
        conns = [(c["innovation"], c["in_node"], c["out_node"], c["weight"], c["enabled"])
                 for c in data["connections"]]
        return cls(data["n_inputs"], data["n_outputs"], nodes, conns)


def _rebuild(n_inputs, n_outputs, nodes, connections):
    return NeatGenome.from_genes(n_inputs, n_outputs, nodes, connections)
