"""NEAT mutations of one :class:`~evonet.genome.neat.NeatGenome`, in place.

Every operator takes the run's ``numpy.random.Generator``, and structural
mutations take the run's :class:`~evonet.genome.neat.InnovationRegistry`.
References are to Stanley & Miikkulainen (2002), "Evolving Neural Networks
through Augmenting Topologies", Section 3. :mod:`evonet.operators.neat`
re-exports these with crossover.
"""

import numbers

import numpy as np

from evonet.genome.neat import (
    BIAS,
    ENABLED,
    INNOVATION,
    LEVEL,
    NODE_ID,
    WEIGHT,
    activation_code,
    node_levels,
    topological_order,
)
from evonet.operators.checks import check_probability

__all__ = [
    "NeatMutation",
    "add_connection",
    "add_node",
    "mut_neat",
    "mutate_biases",
    "mutate_weights",
    "perturb",
    "toggle_connection",
]


def _check_scale(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) \
            or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    return float(value)


def perturb(values, rng, power, replace_rate, init_std, limit, distribution):
    """New values: each perturbed by noise of scale ``power``, or with ``replace_rate`` redrawn.

    Examples
    --------
    >>> import numpy as np
    >>> perturb(np.zeros(3), np.random.default_rng(0), 0.5, 0.0, 1.0, 0.1, "uniform")
    array([ 0.1,  -0.1, -0.1])
    """
    n = values.size
    if distribution == "uniform":
        noise = rng.uniform(-power, power, n)
    else:
        noise = rng.normal(0.0, power, n)
    new = values + noise
    if replace_rate > 0:
        new = np.where(rng.random(n) < replace_rate, rng.normal(0.0, init_std, n), new)
    if limit is not None:
        np.minimum(new, limit, out=new)
        np.maximum(new, -limit, out=new)
    return new


def mutate_weights(genome, rng, power=0.5, replace_rate=0.1, init_std=1.0, limit=8.0,
                   distribution="gaussian"):
    """Perturb every connection weight, or redraw it with probability ``replace_rate``.

    The paper's weight mutation (Section 4.1): each weight is perturbed, or
    with probability 0.1 assigned a new random value ``N(0, init_std^2)``.
    ``distribution`` is ``"gaussian"`` (noise ``N(0, power^2)``) or
    ``"uniform"`` (``U(-power, power)``, the paper's); weights are clipped to
    ``[-limit, limit]`` (``limit=None``: no clipping). Returns ``genome``.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.initializers import minimal_genome
    >>> g = minimal_genome(2, 1, np.random.default_rng(0))
    >>> before = g.connections[:, WEIGHT].copy()
    >>> bool((mutate_weights(g, np.random.default_rng(1)).connections[:, WEIGHT] != before).all())
    True
    """
    conns = genome.connections
    conns[:, WEIGHT] = perturb(conns[:, WEIGHT], rng, power, replace_rate, init_std, limit,
                                distribution)
    return genome


def mutate_biases(genome, rng, power=0.5, replace_rate=0.1, init_std=1.0, limit=8.0,
                  distribution="gaussian"):
    """Perturb the bias of every non-input node, as :func:`mutate_weights` does weights.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.initializers import minimal_genome
    >>> g = mutate_biases(minimal_genome(2, 1, np.random.default_rng(0)), np.random.default_rng(1))
    >>> bool(g.nodes[2, BIAS] != 0), g.nodes[:2, BIAS].tolist()
    (True, [0.0, 0.0])
    """
    nodes = genome.nodes
    nodes[genome.n_inputs:, BIAS] = perturb(nodes[genome.n_inputs:, BIAS], rng, power,
                                             replace_rate, init_std, limit, distribution)
    return genome


def _with_connections(conns, new_genes):
    """``conns`` plus ``new_genes``, kept sorted by innovation number."""
    out = np.concatenate([conns, new_genes])
    if conns.shape[0] and new_genes[:, INNOVATION].min() < conns[-1, INNOVATION]:
        out = out[np.argsort(out[:, INNOVATION], kind="stable")]
    return out


def add_connection(genome, registry, rng, feed_forward=True, weight_std=1.0):
    """Add one connection between two unconnected nodes (Section 3.1, Fig. 3 top).

    The new gene is drawn uniformly among all allowed pairs: never into an
    input, never duplicating a connection (enabled or not) and, with
    ``feed_forward``, never out of an output nor closing a cycle (disabled
    connections count, so re-enabling a gene can never make a cycle either).
    Its weight is ``N(0, weight_std^2)`` and its innovation number comes from
    ``registry``. Returns ``True`` if a connection was added (``False``: the
    genome is fully connected).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.innovation import InnovationRegistry
    >>> from evonet.genome.neat import NeatGenome
    >>> g = NeatGenome(2, 1, nodes=[(0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0)],
    ...                connections=[(0, 0, 3, 1.0, True), (1, 3, 2, 1.0, True)])
    >>> registry = InnovationRegistry(next_innovation=2, next_node_id=4)
    >>> add_connection(g, registry, np.random.default_rng(0)), len(g.connections)
    (True, 3)
    """
    ids = genome.nodes[:, NODE_ID]
    conns = genome.connections
    n = ids.size
    n_in, n_io = genome.n_inputs, genome.n_inputs + genome.n_outputs
    if feed_forward:
        # a quick exit for full genomes (the minimal ones, often): an acyclic graph
        # has at most inputs x (hidden + outputs) + h (h - 1) / 2 + hidden x outputs edges
        h = n - n_io
        if conns.shape[0] >= n_in * (h + genome.n_outputs) + h * (h - 1) // 2 \
                + h * genome.n_outputs:
            return False
    order, children, level = topological_order(ids, conns)
    if feed_forward:
        if len(order) < n:
            raise ValueError("the genome has a cycle; add_connection needs feed_forward=False.")
        # bit j of below[k]: node j is reachable from node k (k itself included), so
        # a -> b closes a cycle exactly when bit a of below[b] is set
        below = [1 << k for k in range(n)]
        for k in reversed(order):
            for j in children[k]:
                below[k] |= below[j]
        sources = [k for k in range(n) if not n_in <= k < n_io]
    else:
        below = [0] * n
        sources = range(n)
    existing = {(a, b) for a in range(n) for b in children[a]}
    candidates = [(a, b) for b in range(n_in, n) for a in sources
                  if not (below[b] >> a) & 1 and (a, b) not in existing]
    if not candidates:
        return False
    a, b = candidates[int(rng.integers(len(candidates)))]
    gene = np.array([[registry.connection(ids[a], ids[b]), ids[a], ids[b],
                      rng.normal(0.0, weight_std), 1.0]])
    genome.connections = _with_connections(conns, gene)
    if feed_forward:
        # raise the levels below the new connection just as far as it pushes them
        children[a].append(b)
        stack = [a]
        while stack:
            k = stack.pop()
            for j in children[k]:
                if level[j] <= level[k]:
                    level[j] = level[k] + 1
                    stack.append(j)
        genome.nodes[:, LEVEL] = level
    else:
        genome.nodes[:, LEVEL] = node_levels(ids, genome.connections)
    return True


def add_node(genome, registry, rng, activation="neat_sigmoid", bias=0.0):
    """Split a random enabled connection with a new node (Section 3.1, Fig. 3 bottom).

    The old connection ``a -> b`` is disabled; ``a -> new`` gets weight 1 and
    ``new -> b`` the old weight, so the network's function changes little
    (exactly none for an identity node with zero bias). Returns ``True`` if a
    node was added (``False``: no enabled connection).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.innovation import InnovationRegistry
    >>> from evonet.genome.initializers import minimal_genome
    >>> g = minimal_genome(1, 1, np.random.default_rng(0))
    >>> add_node(g, InnovationRegistry(1, 2), np.random.default_rng(0))
    True
    >>> from evonet.genome.neat import IN_NODE, OUT_NODE
    >>> g.connections[:, [IN_NODE, OUT_NODE, ENABLED]].tolist()
    [[0.0, 1.0, 0.0], [0.0, 2.0, 1.0], [2.0, 1.0, 1.0]]
    """
    conns = genome.connections
    enabled = np.flatnonzero(conns[:, ENABLED])
    if enabled.size == 0:
        return False
    k = int(enabled[rng.integers(enabled.size)])
    innovation, a, b, weight, _ = conns[k].tolist()
    conns[k, ENABLED] = 0.0
    new_id = registry.split(innovation, genome.nodes[:, NODE_ID])
    nodes = np.concatenate([genome.nodes, [[new_id, bias, activation_code(activation), 0.0]]])
    if new_id < genome.nodes[-1, NODE_ID]:
        nodes = nodes[np.argsort(nodes[:, NODE_ID], kind="stable")]
    genes = np.array([[registry.connection(a, new_id), a, new_id, 1.0, 1.0],
                      [registry.connection(new_id, b), new_id, b, weight, 1.0]])
    genome.connections = _with_connections(conns, genes[np.argsort(genes[:, INNOVATION])])
    nodes[:, LEVEL] = node_levels(nodes[:, NODE_ID], genome.connections)
    genome.nodes = nodes
    return True


def toggle_connection(genome, rng):
    """Flip the ``enabled`` flag of one random connection; ``False`` if there is none.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.initializers import minimal_genome
    >>> g = minimal_genome(1, 1, np.random.default_rng(0))
    >>> toggle_connection(g, np.random.default_rng(0)), g.connections[:, ENABLED].tolist()
    (True, [0.0])
    """
    conns = genome.connections
    if conns.shape[0] == 0:
        return False
    k = int(rng.integers(conns.shape[0]))
    conns[k, ENABLED] = 1.0 - conns[k, ENABLED]
    return True


class NeatMutation:
    """NEAT's mutation of one genome, as a picklable callable with its rates.

    Each call, independently: with probability ``add_node_rate`` split a
    connection (:func:`add_node`), with ``add_connection_rate`` add a
    connection (:func:`add_connection`), with ``weight_rate`` perturb all
    weights (:func:`mutate_weights`), with ``bias_rate`` all biases
    (:func:`mutate_biases`) and with ``toggle_rate`` flip one connection's
    enabled flag. Paper values (Section 4.1): ``weight_rate=0.8``,
    ``weight_replace_rate=0.1``, ``add_node_rate=0.03``,
    ``add_connection_rate=0.05``.

    Parameters
    ----------
    weight_rate, weight_power, weight_replace_rate : float
    bias_rate, bias_power, bias_replace_rate : float
    init_std : float
        Scale of redrawn weights and biases and of new connections' weights.
    limit : float or None
        Weights and biases are clipped to ``[-limit, limit]``.
    distribution : {"gaussian", "uniform"}
        Perturbation noise.
    add_node_rate, add_connection_rate, toggle_rate : float
    activation : str
        Activation gene of new hidden nodes.
    feed_forward : bool
        Only add connections that keep the network acyclic.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.innovation import InnovationRegistry
    >>> from evonet.genome.initializers import minimal_genome
    >>> mutate = NeatMutation(add_node_rate=1.0)
    >>> g = minimal_genome(2, 1, np.random.default_rng(0))
    >>> mutate(g, InnovationRegistry(2, 3), np.random.default_rng(0)).n_hidden
    1
    """

    def __init__(self, weight_rate=0.8, weight_power=0.5, weight_replace_rate=0.1, bias_rate=0.8,
                 bias_power=0.5, bias_replace_rate=0.1, init_std=1.0, limit=8.0,
                 distribution="gaussian", add_node_rate=0.03, add_connection_rate=0.05,
                 toggle_rate=0.0, activation="neat_sigmoid", feed_forward=True):
        for name in ("weight_rate", "weight_replace_rate", "bias_rate", "bias_replace_rate",
                     "add_node_rate", "add_connection_rate", "toggle_rate"):
            setattr(self, name, check_probability(locals()[name], name))
        for name in ("weight_power", "bias_power", "init_std"):
            setattr(self, name, _check_scale(locals()[name], name))
        self.limit = None if limit is None else _check_scale(limit, "limit")
        if distribution not in ("gaussian", "uniform"):
            raise ValueError(f"distribution={distribution!r} is not supported; choose "
                             f"'gaussian' or 'uniform'.")
        self.distribution = distribution
        activation_code(activation)
        self.activation = activation
        self.feed_forward = bool(feed_forward)

    def __repr__(self):
        return f"NeatMutation({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    def __call__(self, genome, registry, rng):
        """Mutate ``genome`` in place and return it."""
        if rng.random() < self.add_node_rate:
            add_node(genome, registry, rng, self.activation)
        if rng.random() < self.add_connection_rate:
            add_connection(genome, registry, rng, self.feed_forward, self.init_std)
        if rng.random() < self.weight_rate:
            mutate_weights(genome, rng, self.weight_power, self.weight_replace_rate,
                           self.init_std, self.limit, self.distribution)
        if rng.random() < self.bias_rate:
            mutate_biases(genome, rng, self.bias_power, self.bias_replace_rate, self.init_std,
                          self.limit, self.distribution)
        if rng.random() < self.toggle_rate:
            toggle_connection(genome, rng)
        return genome


def mut_neat(individual, *, mutation, registry, rng):
    """DEAP form of :class:`NeatMutation`: mutate in place, return a one-tuple.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.innovation import InnovationRegistry
    >>> from evonet.genome.initializers import minimal_genome
    >>> g = minimal_genome(2, 1, np.random.default_rng(0))
    >>> mutant, = mut_neat(g, mutation=NeatMutation(), registry=InnovationRegistry(2, 3),
    ...                    rng=np.random.default_rng(0))
    >>> mutant is g
    True
    """
    return (mutation(individual, registry, rng),)
