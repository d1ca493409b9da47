"""Fitness shaping: what strategies make of a generation's losses before they use them.

Strategies minimise losses, but an algorithm often needs something else:
ranks that ignore the scale of the losses (OpenAI ES), or a positive fitness
to share within species (NEAT). Every such transformation lives here, once,
as a pure function of the losses; the strategies call them explicitly.

>>> import numpy as np
>>> losses = np.array([3.0, 1.0, 2.0, 2.0])
>>> ranks(losses).tolist()
[3.0, 0.0, 1.0, 2.0]
>>> centred_ranks(losses).tolist()
[0.5, -0.5, -0.16666666666666669, 0.16666666666666663]
"""

import numpy as np

__all__ = ["FITNESS_SHAPINGS", "centred_ranks", "fitness_from_losses", "nan_as_worst",
           "ranks", "shared_fitness"]

FITNESS_SHAPINGS = ("shift", "rank", "negate")
"""The ways :func:`fitness_from_losses` makes a positive fitness of losses."""


def nan_as_worst(losses):
    """``losses`` with NaN replaced by ``inf``: a failed evaluation ranks last.

    Examples
    --------
    >>> nan_as_worst(np.array([1.0, np.nan])).tolist()
    [1.0, inf]
    """
    return np.where(np.isnan(losses), np.inf, losses)


def ranks(losses):
    """Rank of each loss, ``0`` for the lowest, ties in population order (floats).

    Examples
    --------
    >>> ranks(np.array([0.5, 0.1, 0.5])).tolist()
    [1.0, 0.0, 2.0]
    """
    out = np.empty(len(losses))
    out[np.argsort(losses, kind="stable")] = np.arange(len(losses))
    return out


def centred_ranks(losses):
    """Centred ranks in ``[-0.5, 0.5]``, the lowest loss ``-0.5`` (the best is the most negative).

    The fitness shaping of Salimans et al. (2017), "Evolution Strategies as a
    Scalable Alternative to Reinforcement Learning", Section 2.2: the
    gradient estimate uses ``rank / (P - 1) - 0.5`` instead of the raw
    returns, which makes it invariant to monotone transformations of the
    loss and robust to outliers. Here the loss is minimised, so the sign is
    that of a loss: a descent step moves away from high utilities.

    Examples
    --------
    >>> centred_ranks(np.array([2.0, 0.0, 1.0])).tolist()
    [0.5, -0.5, 0.0]
    """
    return ranks(losses) / (len(losses) - 1) - 0.5


def fitness_from_losses(losses, shaping="shift"):
    """Positive fitness for fitness sharing, derived from losses to minimise.

    ``"shift"``: ``f = (L_max - L) / (L_max - L_min)``, in ``[0, 1]`` (all 1
    when the losses are equal); ``"rank"``: ``f = (P - rank) / P`` (best 1);
    ``"negate"``: ``f = -L`` for a loss that is a negated non-negative fitness
    (e.g. the XOR fitness of the paper), which then shares exactly the
    paper's fitness. Non-finite losses get fitness 0 (``"rank"``: they rank
    last).

    Examples
    --------
    >>> fitness_from_losses(np.array([1.0, 3.0, 2.0, np.inf]))
    array([1. , 0. , 0.5, 0. ])
    >>> fitness_from_losses(np.array([1.0, 3.0, 2.0, np.inf]), "rank")
    array([1.  , 0.5 , 0.75, 0.25])
    """
    if shaping not in FITNESS_SHAPINGS:
        raise ValueError(f"fitness_shaping={shaping!r} is not supported; choose one "
                         f"of {list(FITNESS_SHAPINGS)}.")
    losses = np.asarray(losses, dtype=np.float64)
    finite = np.isfinite(losses)
    fitness = np.zeros(losses.shape)
    if shaping == "rank":
        return (losses.size - ranks(np.where(finite, losses, np.inf))) / losses.size
    if not finite.any():
        return fitness
    if shaping == "negate":
        if (losses[finite] > 0).any():
            raise ValueError("fitness_shaping='negate' needs losses <= 0 (negated fitnesses).")
        fitness[finite] = -losses[finite]
        return fitness
    low, high = losses[finite].min(), losses[finite].max()
    fitness[finite] = (high - losses[finite]) / (high - low) if high > low else 1.0
    return fitness


def shared_fitness(fitness, groups):
    """Total shared fitness of each group (species) of individuals: its mean fitness.

    Explicit fitness sharing, Stanley & Miikkulainen (2002), "Evolving Neural
    Networks through Augmenting Topologies", Eq. 2: the adjusted fitness of
    individual ``i`` is ``f'_i = f_i / sum_j sh(delta(i, j))``, where the
    sharing function ``sh`` is 1 within ``i``'s species and 0 outside it, so
    ``f'_i = f_i / N_s``; a species' offspring are proportional to the sum
    of its members' adjusted fitnesses, which is their mean fitness.

    Parameters
    ----------
    fitness : ndarray of shape (P,)
        Positive fitness (see :func:`fitness_from_losses`).
    groups : sequence of int arrays
        The positions of each group's members.

    Examples
    --------
    >>> shared_fitness(np.array([1.0, 0.0, 0.5, 0.5]), [np.array([0, 1]), np.array([2, 3])])
    array([0.5, 0.5])
    """
    return np.array([fitness[members].mean() for members in groups])
