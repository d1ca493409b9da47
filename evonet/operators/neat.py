"""NEAT variation operators: crossover, batched breeding, and the mutations.

Crossover aligns genes by innovation number (Stanley & Miikkulainen 2002,
Section 3.2, Fig. 4). :func:`breed` makes a whole generation of children at
once from a :class:`~evonet.genome.pool.GenePool` of parents: gathering each
child's genes, crossing and perturbing them are a few NumPy passes over all
genes; only the rare structural mutations run genome by genome.
:func:`crossover` is :func:`breed` for one child. The single-genome mutations
of :mod:`evonet.operators.neat_mutation` are re-exported here.
"""

import numpy as np

from evonet.genome.neat import ACTIVATION, BIAS, ENABLED, INNOVATION, NODE_ID, WEIGHT
from evonet.genome.pool import GenePool, concatenated_ranges
from evonet.operators.neat_mutation import (
    NeatMutation,
    add_connection,
    add_node,
    mut_neat,
    mutate_biases,
    mutate_weights,
    perturb,
    toggle_connection,
)

__all__ = [
    "NeatMutation",
    "add_connection",
    "add_node",
    "breed",
    "crossover",
    "cx_neat",
    "mut_neat",
    "mutate_biases",
    "mutate_weights",
    "perturb",
    "toggle_connection",
]


def _split(array, counts):
    """Consecutive row blocks of ``array`` of the given sizes (views)."""
    bounds = np.cumsum(counts).tolist()
    return [array[a:b] for a, b in zip([0] + bounds[:-1], bounds)]


def breed(pool, fitter, other, mutate, rng, mutation=None, registry=None, disable_rate=0.75):
    """Children of the genomes of ``pool``, all made together.

    Child ``k`` has the structure of genome ``fitter[k]`` (its node and
    connection genes). If ``other[k] >= 0`` it is the crossover of the two:
    matching genes (same innovation number; for nodes, same id) take their
    weight, bias and activation from either parent at random, and a matching
    connection disabled in either parent is disabled with probability
    ``disable_rate``, else enabled (Section 3.2); disjoint and excess genes
    are the fitter parent's alone. If ``mutate[k]``, ``mutation`` (a
    :class:`~evonet.operators.neat_mutation.NeatMutation`) is applied:
    weights and biases perturbed with its rates, then its structural
    mutations with ``registry``.

    Parameters
    ----------
    pool : GenePool or list of NeatGenome
    fitter, other : array-like of int
        Parent positions in ``pool``; ``other[k] = -1`` for no crossover.
    mutate : array-like of bool
    rng : numpy.random.Generator
    mutation : NeatMutation, default=None
        Needed when any ``mutate[k]``.
    registry : InnovationRegistry, default=None
        Needed when a structural mutation may happen.
    disable_rate : float, default=0.75

    Returns
    -------
    list of NeatGenome
        New genomes (of the type of ``pool``'s), with invalid fitness.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.initializers import minimal_genome
    >>> parents = [minimal_genome(2, 1, np.random.default_rng(s)) for s in range(3)]
    >>> kids = breed(parents, [0, 1, 2], [2, -1, -1], [False, False, False],
    ...              np.random.default_rng(0))
    >>> np.array_equal(kids[1].connections, parents[1].connections), kids[1] is parents[1]
    (True, False)
    """
    if not 0 <= disable_rate <= 1:
        raise ValueError(f"disable_rate must be in [0, 1], got {disable_rate!r}.")
    pool = pool if isinstance(pool, GenePool) else GenePool(pool)
    fitter = np.asarray(fitter, dtype=np.intp)
    other = np.asarray(other, dtype=np.intp)
    mutate = np.asarray(mutate, dtype=bool)
    K = fitter.size
    if K == 0:
        return []
    template = pool.genomes[0]
    n_in, n_out = template.n_inputs, template.n_outputs
    counts = pool.connection_count[fitter]
    conns = pool.connections[concatenated_ranges(pool.connection_start[fitter], counts)]
    owner = np.repeat(np.arange(K), counts)
    node_counts = pool.node_count[fitter]
    nodes = pool.nodes[concatenated_ranges(pool.node_start[fitter], node_counts)]
    node_owner = np.repeat(np.arange(K), node_counts)
    if (other >= 0).any():
        partner = other[owner]
        genes = np.flatnonzero(partner >= 0)
        at = pool.find_connections(partner[genes], conns[genes, INNOVATION])
        hit = at >= 0
        genes, at = genes[hit], at[hit]
        draw = rng.random((2, genes.size))
        take = draw[0] < 0.5
        conns[genes[take], WEIGHT] = pool.connections[at[take], WEIGHT]
        either_off = (conns[genes, ENABLED] * pool.connections[at, ENABLED]) == 0
        conns[genes, ENABLED] = ~(either_off & (draw[1] < disable_rate))
        partner = other[node_owner]
        rows = np.flatnonzero((partner >= 0) & (nodes[:, NODE_ID] >= n_in))
        at = pool.find_nodes(partner[rows], nodes[rows, NODE_ID])
        hit = at >= 0
        rows, at = rows[hit], at[hit]
        take = rng.random(rows.size) < 0.5
        nodes[rows[take], BIAS:ACTIVATION + 1] = pool.nodes[at[take], BIAS:ACTIVATION + 1]
    if mutate.any():
        m = mutation
        draw = rng.random((5, K))
        genes = np.flatnonzero((mutate & (draw[0] < m.weight_rate))[owner])
        conns[genes, WEIGHT] = perturb(conns[genes, WEIGHT], rng, m.weight_power,
                                       m.weight_replace_rate, m.init_std, m.limit,
                                       m.distribution)
        rows = np.flatnonzero((mutate & (draw[1] < m.bias_rate))[node_owner]
                              & (nodes[:, NODE_ID] >= n_in))
        nodes[rows, BIAS] = perturb(nodes[rows, BIAS], rng, m.bias_power, m.bias_replace_rate,
                                    m.init_std, m.limit, m.distribution)
    cls = type(template)
    children = [cls.from_genes(n_in, n_out, nd, cn)
                for nd, cn in zip(_split(nodes, node_counts), _split(conns, counts))]
    if mutate.any():
        # structural mutations are rare (a few percent of children): one genome at a time
        for k in np.flatnonzero(mutate & (draw[2] < m.add_node_rate)).tolist():
            add_node(children[k], registry, rng, m.activation)
        for k in np.flatnonzero(mutate & (draw[3] < m.add_connection_rate)).tolist():
            add_connection(children[k], registry, rng, m.feed_forward, m.init_std)
        for k in np.flatnonzero(mutate & (draw[4] < m.toggle_rate)).tolist():
            toggle_connection(children[k], rng)
    return children


def crossover(fitter, other, rng, disable_rate=0.75):
    """The child of two genomes, genes aligned by innovation number (Section 3.2, Fig. 4).

    Matching genes take their weight from either parent at random; disjoint
    and excess genes come from ``fitter`` only, so the child has exactly the
    fitter parent's structure (and stays acyclic with it). A matching gene
    disabled in either parent is disabled in the child with probability
    ``disable_rate`` (0.75 in the paper), and otherwise enabled. Node genes
    are the fitter parent's, a matching node's bias and activation taken
    from either parent at random. (This is :func:`breed` for one child.)

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.neat import NeatGenome
    >>> nodes = [(0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0)]
    >>> a = NeatGenome(2, 1, nodes, [(0, 0, 2, 1.0, True), (2, 0, 3, 1.0, True),
    ...                               (3, 3, 2, 1.0, True)])
    >>> b = NeatGenome(2, 1, nodes[:3], [(0, 0, 2, 9.0, True), (1, 1, 2, 9.0, True)])
    >>> child = crossover(a, b, np.random.default_rng(2))
    >>> child.connections[:, INNOVATION].tolist(), child.connections[:, WEIGHT].tolist()
    ([0.0, 2.0, 3.0], [9.0, 1.0, 1.0])
    """
    return breed([fitter, other], [0], [1], [False], rng, disable_rate=disable_rate)[0]


def cx_neat(ind1, ind2, *, rng, disable_rate=0.75):
    """DEAP form of :func:`crossover`: the pair becomes two children, each with the fitter's
    structure.

    The fitter parent is the one with the better DEAP fitness (the first on a
    tie or when neither is evaluated). As DEAP's crossovers do, it changes
    ``ind1`` and ``ind2`` in place (their fitness invalidated) and returns
    them, so both ``toolbox.mate(a, b)`` in DEAP's own loops and
    ``a, b = toolbox.mate(a, b)`` work.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.initializers import minimal_genome
    >>> a, b = (minimal_genome(2, 1, np.random.default_rng(s)) for s in (0, 1))
    >>> a.fitness.values, b.fitness.values = (1.0,), (0.5,)
    >>> c1, c2 = cx_neat(a, b, rng=np.random.default_rng(0))
    >>> c1 is a and c2 is b, a.fitness.valid
    (True, False)
    """
    pair = [ind2, ind1] if ind2.fitness > ind1.fitness else [ind1, ind2]
    children = breed(pair, [0, 0], [1, 1], [False, False], rng, disable_rate=disable_rate)
    for parent, child in zip((ind1, ind2), children):
        parent.nodes, parent.connections = child.nodes, child.connections
        del parent.fitness.values
    return ind1, ind2
