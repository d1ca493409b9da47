"""Tournament selection, on loss arrays and on DEAP individuals."""

import numbers

import numpy as np

from evonet.checks import check_int

__all__ = ["sel_tournament", "tournament_indices"]


def _check_tournament(k, tournsize, n):
    check_int(tournsize, "tournsize")
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 0:
        raise ValueError(f"k must be a non-negative integer, got {k!r}.")
    if n == 0 and k > 0:
        raise ValueError("cannot select from an empty population.")


def tournament_indices(losses, k, tournsize, rng):
    """Indices of ``k`` tournament winners: the lowest loss of ``tournsize`` random entrants.

    Entrants are drawn with replacement; NaN losses never win against a number.

    Examples
    --------
    >>> import numpy as np
    >>> losses = np.array([3.0, 1.0, 2.0])
    >>> tournament_indices(losses, 4, tournsize=3, rng=np.random.default_rng(0)).shape
    (4,)
    """
    losses = np.asarray(losses, dtype=np.float64)
    _check_tournament(k, tournsize, losses.shape[0])
    entrants = rng.integers(0, losses.shape[0], size=(k, tournsize))
    keys = np.nan_to_num(losses, nan=np.inf)[entrants]
    return entrants[np.arange(k), np.argmin(keys, axis=1)]


def sel_tournament(individuals, k, tournsize=3, *, rng):
    """DEAP form: select ``k`` individuals by tournaments on their fitness.

    Uses DEAP's weighted fitness values, so it serves minimising and maximising
    fitnesses alike. Returns references to the winners, as DEAP's selection
    operators do (``varAnd`` clones them). As in DEAP, a tie among the entrants
    goes to one of them at random (the first drawn); and a NaN fitness loses to
    any number, as in evonet's strategies.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome import as_individual
    >>> pop = [as_individual([0.0], fitness=f) for f in (3.0, 1.0, 2.0)]
    >>> chosen = sel_tournament(pop, 5, tournsize=3, rng=np.random.default_rng(0))
    >>> len(chosen), all(c in pop for c in chosen)
    (5, True)
    """
    individuals = list(individuals)
    _check_tournament(k, tournsize, len(individuals))
    for i, ind in enumerate(individuals):
        if not ind.fitness.valid:
            raise ValueError(f"individual {i} has no fitness; evaluate before selecting.")
    # weighted objectives, maximised in DEAP's lexicographic order; NaN worst
    keys = np.array([ind.fitness.wvalues for ind in individuals], dtype=np.float64)
    keys = np.nan_to_num(keys, nan=-np.inf)
    order = np.lexsort(keys.T[::-1])  # ascending
    # equal fitnesses share a rank, so that a tie goes to the entrant drawn first
    new_key = np.r_[True, (np.diff(keys[order], axis=0) != 0).any(axis=1)]
    rank = np.empty(len(individuals), dtype=np.int64)
    rank[order] = np.cumsum(new_key)
    winners = tournament_indices(-rank.astype(np.float64), k, tournsize, rng)
    return [individuals[i] for i in winners]
