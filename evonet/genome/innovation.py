"""The innovation registry of a NEAT run: one number per structural innovation.

The registry numbers the structural innovations of a run (Stanley &
Miikkulainen 2002, Section 3.2), so that genes of the same origin align in
crossover and in the compatibility distance. The genomes a run starts from
are made in :mod:`evonet.genome.initializers`.
"""

import numpy as np

from evonet.checks import check_int
from evonet.genome.neat import NODE_ID, OUT_NODE

__all__ = ["InnovationRegistry"]


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
        """The registry of a run started from
        :func:`~evonet.genome.initializers.minimal_population` genomes.

        Examples
        --------
        >>> r = InnovationRegistry.minimal(2, 1)
        >>> r.connection(1, 2), r.next_innovation, r.next_node_id
        (1, 2, 3)
        """
        n_inputs = check_int(n_inputs, "n_inputs")
        n_outputs = check_int(n_outputs, "n_outputs")
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
        >>> from evonet.genome.initializers import minimal_population
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
