"""Where NEAT runs start: minimal genomes and the innovation registry.

Every genome of a run begins with each input connected to each output and no
hidden node (Stanley & Miikkulainen 2002, Section 3.4); the registry then
numbers the structural innovations of the run (Section 3.2).
"""

import numbers

import numpy as np

from evonet.genome.neat import (
    ACTIVATION,
    BIAS,
    ENABLED,
    IN_NODE,
    INNOVATION,
    LEVEL,
    NODE_ID,
    OUT_NODE,
    WEIGHT,
    activation_code,
)

__all__ = ["InnovationRegistry", "MinimalInitializer", "minimal_genome", "minimal_population"]


def _count(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def minimal_population(n, n_inputs, n_outputs, rng, weight_std=1.0, bias_std=0.0,
                       output_activation="identity", cls=None):
    """``n`` genomes with every input connected to every output and no hidden node.

    The paper's starting topology (Section 3.4). Connection ``i -> n_inputs + j``
    has innovation ``i * n_outputs + j`` in every genome, so the genomes of a
    population align. Weights are ``N(0, weight_std^2)``, output biases
    ``N(0, bias_std^2)``, all drawn at once.

    Parameters
    ----------
    n : int
        Number of genomes.
    n_inputs, n_outputs : int
    rng : numpy.random.Generator
    weight_std, bias_std : float, default=1.0, 0.0
    output_activation : str, default="identity"
        Activation gene of the outputs (a name of ``NODE_ACTIVATIONS``).
    cls : type, default=None
        Genome class; ``None`` gives :data:`evonet.genome.types.NeatIndividual`.

    Examples
    --------
    >>> import numpy as np
    >>> pop = minimal_population(3, 2, 1, np.random.default_rng(0))
    >>> len(pop), pop[0].connections[:, [INNOVATION, IN_NODE, OUT_NODE]].tolist()
    (3, [[0.0, 0.0, 2.0], [1.0, 1.0, 2.0]])
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}.")
    n_inputs = _count(n_inputs, "n_inputs")
    n_outputs = _count(n_outputs, "n_outputs")
    for value, name in ((weight_std, "weight_std"), (bias_std, "bias_std")):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    code = activation_code(output_activation)
    if cls is None:
        from evonet.genome.types import NeatIndividual as cls
    n_io = n_inputs + n_outputs
    m = n_inputs * n_outputs
    nodes = np.zeros((n, n_io, 4))
    nodes[:, :, NODE_ID] = np.arange(n_io)
    nodes[:, n_inputs:, ACTIVATION] = code
    nodes[:, n_inputs:, LEVEL] = 1.0
    if bias_std:
        nodes[:, n_inputs:, BIAS] = rng.normal(0.0, bias_std, (n, n_outputs))
    conns = np.empty((n, m, 5))
    conns[:, :, INNOVATION] = np.arange(m)
    conns[:, :, IN_NODE] = np.repeat(np.arange(n_inputs), n_outputs)
    conns[:, :, OUT_NODE] = np.tile(np.arange(n_inputs, n_io), n_inputs)
    conns[:, :, WEIGHT] = rng.normal(0.0, weight_std, (n, m))
    conns[:, :, ENABLED] = 1.0
    return [cls._new(n_inputs, n_outputs, nodes[k], conns[k]) for k in range(n)]


def minimal_genome(n_inputs, n_outputs, rng, weight_std=1.0, bias_std=0.0,
                   output_activation="identity", cls=None):
    """One genome of :func:`minimal_population`.

    Examples
    --------
    >>> import numpy as np
    >>> minimal_genome(2, 1, np.random.default_rng(0))
    EvonetNeat(n_inputs=2, n_outputs=1, n_hidden=0, n_connections=2, n_enabled=2)
    """
    return minimal_population(1, n_inputs, n_outputs, rng, weight_std, bias_std,
                              output_activation, cls)[0]


class MinimalInitializer:
    """``initializer(n, rng)`` of a NEAT run: ``n`` minimal genomes (picklable).

    What :meth:`evonet.strategies.NEAT.init` and :class:`evonet.evolve.Run`
    take as ``initializer``.

    Parameters
    ----------
    n_inputs, n_outputs : int
    weight_std, bias_std : float, default=1.0, 0.0
    output_activation : str, default="identity"

    Examples
    --------
    >>> import numpy as np
    >>> init = MinimalInitializer(4, 3)
    >>> [g.n_enabled for g in init(2, np.random.default_rng(0))]
    [12, 12]
    """

    def __init__(self, n_inputs, n_outputs, weight_std=1.0, bias_std=0.0,
                 output_activation="identity"):
        self.n_inputs = _count(n_inputs, "n_inputs")
        self.n_outputs = _count(n_outputs, "n_outputs")
        self.weight_std = float(weight_std)
        self.bias_std = float(bias_std)
        activation_code(output_activation)
        self.output_activation = output_activation

    def __repr__(self):
        return f"MinimalInitializer({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    def __call__(self, n, rng):
        return minimal_population(n, self.n_inputs, self.n_outputs, rng, self.weight_std,
                                  self.bias_std, self.output_activation)


class InnovationRegistry:
    """Innovation numbers and node ids of a run's structural mutations.

    The paper gives the same innovation number to identical structural
    mutations within a generation (Section 3.2). This registry keeps them for
    the whole run, which includes that rule: a connection ``a -> b`` always
    gets the same innovation number, and splitting connection ``c`` gives the
    same new node id in every genome that has not used it yet, so identical
    add-node mutations align too (one innovation number per structure).

    Attributes
    ----------
    connections : dict
        ``(in_node, out_node) -> innovation``.
    splits : dict
        ``innovation of the split connection -> [node ids created by splitting it]``.
    next_innovation, next_node_id : int

    Examples
    --------
    >>> registry = InnovationRegistry(next_innovation=2, next_node_id=3)
    >>> registry.connection(0, 3), registry.connection(0, 3), registry.connection(3, 2)
    (2, 2, 3)
    >>> registry.split(0, existing=[0, 1, 2]), registry.split(0, existing=[0, 1, 2, 3])
    (3, 4)
    """

    def __init__(self, next_innovation=0, next_node_id=0):
        self.connections = {}
        self.splits = {}
        self.next_innovation = int(next_innovation)
        self.next_node_id = int(next_node_id)

    def connection(self, in_node, out_node):
        """The innovation number of connection ``in_node -> out_node`` (new if unseen)."""
        key = (int(in_node), int(out_node))
        innovation = self.connections.get(key)
        if innovation is None:
            innovation = self.connections[key] = self.next_innovation
            self.next_innovation += 1
        return innovation

    def split(self, innovation, existing):
        """The id of the node made by splitting connection ``innovation``.

        ``existing`` holds the genome's node ids: an id already in the genome
        (the same split made before) is never reused within it.
        """
        made = self.splits.setdefault(int(innovation), [])
        present = set(np.asarray(existing, dtype=np.int64).tolist())
        for node_id in made:
            if node_id not in present:
                return node_id
        node_id = self.next_node_id
        self.next_node_id += 1
        made.append(node_id)
        return node_id

    @classmethod
    def minimal(cls, n_inputs, n_outputs):
        """The registry of a run started from :func:`minimal_population` genomes.

        Examples
        --------
        >>> r = InnovationRegistry.minimal(2, 1)
        >>> r.connection(1, 2), r.next_innovation, r.next_node_id
        (1, 2, 3)
        """
        n_inputs = _count(n_inputs, "n_inputs")
        n_outputs = _count(n_outputs, "n_outputs")
        registry = cls(next_innovation=n_inputs * n_outputs, next_node_id=n_inputs + n_outputs)
        for i in range(n_inputs):
            for j in range(n_outputs):
                registry.connections[(i, n_inputs + j)] = i * n_outputs + j
        return registry

    @classmethod
    def from_genomes(cls, genomes):
        """A registry that knows every connection of ``genomes`` (an initial population).

        Raises ``ValueError`` if two genomes give one connection different
        innovation numbers, or one number to different connections.

        Examples
        --------
        >>> import numpy as np
        >>> pop = minimal_population(3, 2, 1, np.random.default_rng(0))
        >>> r = InnovationRegistry.from_genomes(pop)
        >>> r.next_innovation, r.next_node_id, r.connection(1, 2)
        (2, 3, 1)
        """
        registry = cls()
        by_number = {}
        for g in genomes:
            genes = g.connections[:, :OUT_NODE + 1].astype(np.int64).tolist()
            for innovation, a, b in genes:
                if registry.connections.setdefault((a, b), innovation) != innovation or \
                        by_number.setdefault(innovation, (a, b)) != (a, b):
                    raise ValueError(f"connection {a} -> {b} has inconsistent innovation numbers "
                                     f"across the genomes.")
            registry.next_node_id = max(registry.next_node_id, int(g.nodes[:, NODE_ID].max()) + 1)
        registry.next_innovation = max(by_number, default=-1) + 1
        return registry
