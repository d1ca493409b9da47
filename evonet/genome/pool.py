"""The genes of a whole population in flat arrays, for batched speciation and breeding.

Concatenating a population's gene arrays once per generation lets the NEAT
strategy measure every compatibility distance and breed every child with a
few NumPy passes over all genes, instead of a few NumPy calls per genome.
"""

import numpy as np

from evonet.genome.neat import INNOVATION, NODE_ID

__all__ = ["GenePool", "concatenated_ranges"]


def concatenated_ranges(starts, counts):
    """Concatenated ``range(start, start + count)`` for each pair, as one index array.

    Examples
    --------
    >>> concatenated_ranges(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.intp)
    first = np.cumsum(counts) - counts
    return np.repeat(starts - first, counts) + np.arange(total)


class GenePool:
    """A list of genomes with their genes concatenated.

    Attributes
    ----------
    genomes : list of NeatGenome
    connections, nodes : ndarray
        All connection genes (genome after genome, each sorted by innovation)
        and all node genes (each genome's sorted by id).
    connection_start, connection_count, node_start, node_count : ndarray of int
        Where each genome's genes are.
    connection_owner, node_owner : ndarray of int
        The genome of each gene.
    connection_keys, node_keys : ndarray of int64
        ``owner * stride + innovation`` (resp. node id): sorted, so that any
        genome's gene with a given number is found by one ``searchsorted``.
    max_innovation : ndarray
        Largest innovation number of each genome (-1 if it has no connection).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.initializers import minimal_genome
    >>> pool = GenePool([minimal_genome(2, 1, np.random.default_rng(s)) for s in range(3)])
    >>> pool.connections.shape, pool.connection_owner.tolist()
    ((6, 5), [0, 0, 1, 1, 2, 2])
    """

    def __init__(self, genomes):
        self.genomes = list(genomes)
        P = len(self.genomes)
        conn_arrays = [g.connections for g in self.genomes]
        node_arrays = [g.nodes for g in self.genomes]
        self.connections = np.concatenate(conn_arrays) if P else np.zeros((0, 5))
        self.nodes = np.concatenate(node_arrays) if P else np.zeros((0, 4))
        self.connection_count = np.fromiter(map(len, conn_arrays), dtype=np.intp, count=P)
        self.node_count = np.fromiter(map(len, node_arrays), dtype=np.intp, count=P)
        self.connection_start = np.cumsum(self.connection_count) - self.connection_count
        self.node_start = np.cumsum(self.node_count) - self.node_count
        self.connection_owner = np.repeat(np.arange(P), self.connection_count)
        self.node_owner = np.repeat(np.arange(P), self.node_count)
        self.innovation = self.connections[:, INNOVATION].astype(np.int64)
        self.stride = int(self.innovation.max(initial=0)) + 2
        self.connection_keys = self.connection_owner * self.stride + self.innovation
        node_ids = self.nodes[:, NODE_ID].astype(np.int64)
        self.node_stride = int(node_ids.max(initial=0)) + 1
        self.node_keys = self.node_owner * self.node_stride + node_ids
        last = np.maximum(self.connection_start + self.connection_count - 1, 0)
        self.max_innovation = np.where(self.connection_count > 0,
                                       self.innovation[last] if self.innovation.size else -1, -1)

    def __len__(self):
        return len(self.genomes)

    def find_connections(self, owners, innovations):
        """Positions in :attr:`connections` of genes ``(owner, innovation)``; -1 where absent.

        Examples
        --------
        >>> import numpy as np
        >>> from evonet.genome.initializers import minimal_genome
        >>> pool = GenePool([minimal_genome(2, 1, np.random.default_rng(s)) for s in range(2)])
        >>> pool.find_connections(np.array([1, 1, 0]), np.array([1, 7, 0])).tolist()
        [3, -1, 0]
        """
        return _find(self.connection_keys, owners, innovations, self.stride)

    def connection_table(self):
        """``(P, stride)`` table of gene positions by ``[genome, innovation]``; -1 if absent.

        Examples
        --------
        >>> import numpy as np
        >>> from evonet.genome.initializers import minimal_genome
        >>> GenePool([minimal_genome(1, 2, np.random.default_rng(0))]).connection_table()
        array([[ 0,  1, -1]])
        """
        table = np.full((len(self), self.stride), -1, dtype=np.intp)
        table[self.connection_owner, self.innovation] = np.arange(self.innovation.size)
        return table

    def find_nodes(self, owners, node_ids):
        """Positions in :attr:`nodes` of nodes ``(owner, id)``; -1 where absent."""
        return _find(self.node_keys, owners, node_ids, self.node_stride)


def _find(keys, owners, numbers, stride):
    numbers = np.asarray(numbers, dtype=np.int64)
    found = np.full(numbers.shape, -1, dtype=np.intp)
    if keys.size == 0:
        return found
    valid = (numbers >= 0) & (numbers < stride)
    wanted = np.asarray(owners, dtype=np.int64) * stride + numbers
    at = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    hit = valid & (keys[at] == wanted)
    found[hit] = at[hit]
    return found
