"""NEAT's compatibility distance, for one pair of genomes or all pairs of two populations.

Stanley & Miikkulainen (2002), Eq. 1:

    delta = c1 * E / N + c2 * D / N + c3 * W

``E`` and ``D`` count excess and disjoint connection genes (genes beyond the
other genome's largest innovation number, and the other unmatched genes),
``W`` is the mean absolute weight difference of matching genes (disabled
genes included) and ``N`` the number of genes of the larger genome, set to 1
when both have fewer than ``small_genome`` (20) genes, the paper's rule for
small genomes.
"""

import math
import numbers

import numpy as np

from evonet.genome.neat import WEIGHT
from evonet.genome.pool import GenePool

__all__ = ["compatibility_distance", "compatibility_distances"]

_TABLE_LIMIT = 2_000_000
"""Largest ``references x innovation numbers`` lookup table (beyond it, a binary search)."""


_SETTINGS = ("c1", "c2", "c3", "small_genome")


def _check_settings(*values):
    """``ValueError`` naming the first of ``c1, c2, c3, small_genome`` not finite and >= 0."""
    # plain float and int skip the (slower) abstract type checks, and NaN fails the
    # comparison: the toolbox's ``distance`` runs this for every pair a DEAP loop compares
    for name, value in zip(_SETTINGS, values):
        number = type(value) in (float, int) or (isinstance(value, numbers.Real)
                                                 and not isinstance(value, bool))
        if not number or not 0 <= value < math.inf:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")


def compatibility_distances(pool, references, c1=1.0, c2=1.0, c3=0.4, small_genome=20):
    """Distances of every genome of ``pool`` to every genome of ``references``: ``(P, S)``.

    Both are :class:`~evonet.genome.pool.GenePool` objects (or lists of
    genomes). All ``P * S`` pairs are computed together: one
    ``searchsorted`` finds, for every gene of every genome, the matching gene
    of every reference.

    Examples
    --------
    >>> from evonet.genome.neat import NeatGenome
    >>> a = NeatGenome(2, 1, connections=[(0, 0, 2, 1.0, True), (1, 1, 2, 1.0, True)])
    >>> b = NeatGenome(2, 1, connections=[(0, 0, 2, 0.0, True)])
    >>> compatibility_distances([a, b], [a, b])
    array([[0. , 1.4],
           [1.4, 0. ]])
    """
    _check_settings(c1, c2, c3, small_genome)
    pool = pool if isinstance(pool, GenePool) else GenePool(pool)
    refs = references if isinstance(references, GenePool) else GenePool(references)
    P, S = len(pool), len(refs)
    if P == 0 or S == 0:
        return np.zeros((P, S))
    innov = pool.innovation
    n_ref = refs.connection_count
    # gene g of genome p against reference s, as the flat pair index p * S + s
    pair = (pool.connection_owner * S)[:, None] + np.arange(S)
    if innov.size * S and S * refs.stride <= _TABLE_LIMIT:
        table = refs.connection_table()
        at = table[:, np.minimum(innov, refs.stride - 1)].T
        at[innov >= refs.stride] = -1
    else:
        at = refs.find_connections(np.arange(S)[None, :],
                                   np.broadcast_to(innov[:, None], (innov.size, S)))
    match = at >= 0
    ref_weight = refs.connections[:, WEIGHT] if refs.connections.shape[0] else np.zeros(1)
    diff = np.abs(pool.connections[:, WEIGHT][:, None] - ref_weight[at])
    diff[~match] = 0.0
    pair = pair.ravel()
    n_match = np.bincount(pair, match.ravel(), minlength=P * S).reshape(P, S)
    weight_sum = np.bincount(pair, diff.ravel(), minlength=P * S).reshape(P, S)
    # genes beyond the other genome's largest innovation number, counted with the
    # genes sorted by innovation: one searchsorted each way
    own_limit = np.minimum(refs.max_innovation[None, :], pool.stride - 1)
    own_below = np.searchsorted(pool.connection_keys, np.arange(P)[:, None] * pool.stride
                                + own_limit, side="right") - pool.connection_start[:, None]
    excess_own = pool.connection_count[:, None] - own_below
    ref_limit = np.minimum(pool.max_innovation[:, None], refs.stride - 1)
    ref_below = np.searchsorted(refs.connection_keys, np.arange(S)[None, :] * refs.stride
                                + ref_limit, side="right") - refs.connection_start[None, :]
    excess_ref = n_ref[None, :] - ref_below
    excess = excess_own + excess_ref
    disjoint = (pool.connection_count[:, None] - n_match - excess_own) + \
        (n_ref[None, :] - n_match - excess_ref)
    size = np.maximum(pool.connection_count[:, None], n_ref[None, :]).astype(np.float64)
    size[size < small_genome] = 1.0
    mean_diff = np.divide(weight_sum, n_match, out=np.zeros((P, S)), where=n_match > 0)
    return (c1 * excess + c2 * disjoint) / size + c3 * mean_diff


def compatibility_distance(a, b, c1=1.0, c2=1.0, c3=0.4, small_genome=20):
    """Compatibility distance of two genomes (Eq. 1 of Stanley & Miikkulainen 2002).

    Parameters
    ----------
    a, b : NeatGenome
    c1, c2, c3 : float, default=1.0, 1.0, 0.4
        Weights of excess genes, disjoint genes and mean weight difference
        (the paper's XOR values).
    small_genome : int, default=20
        ``N = 1`` when both genomes have fewer genes than this.

    Raises
    ------
    ValueError
        If a coefficient or ``small_genome`` is negative or not finite (the
        message names it).

    Examples
    --------
    >>> from evonet.genome.neat import NeatGenome
    >>> a = NeatGenome(2, 1, connections=[(0, 0, 2, 1.0, True), (1, 1, 2, 2.0, True)])
    >>> b = NeatGenome(2, 1, connections=[(1, 1, 2, 1.5, True)])
    >>> compatibility_distance(a, b)  # one disjoint gene, mean difference 0.5
    1.2
    """
    return float(compatibility_distances([a], [b], c1, c2, c3, small_genome)[0, 0])
