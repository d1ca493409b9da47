"""NSGA-II on masked weight vectors: the loss against the network's size, two objectives.

Each individual is a weight vector and a connection mask beside it; the network
evaluated is the masked vector (zeros where a connection is off), so problems and
evaluators see an ordinary ``(P, n_params)`` population. The strategy takes the
loss the problem returns as its first objective (whatever that loss is: ``-score``
plus a penalty works the same) and computes the second itself, the number of
non-zero weights and biases (:data:`NSGA2.n_objectives` is 2). Survivors are chosen
by DEAP's ``tools.selNSGA2`` from parents and children together (elitist), which is
deterministic; the only random draws (tournaments, crossover, mutation) come from
the run's generator. With lifetime learning (:class:`~evonet.learning.LifetimeLearner`)
the children learn before they are scored, their switched-off connections held at zero
(:attr:`NSGA2.keeps_zeros`): the masks choose the connections, gradient descent their
weights; a Lamarckian run is told the learned networks, whose non-zero weights are
their connections.
"""

import numbers
from dataclasses import dataclass

import numpy as np
from deap import base, tools

from evonet.checks import check_positive_float
from evonet.operators import tournament_indices
from evonet.operators.checks import check_probability
from evonet.strategies.base import (
    Strategy,
    StrategyState,
    register_strategy,
)

__all__ = ["NSGA2", "NSGA2State", "hypervolume_2d", "non_dominated"]


class _Fitness(base.Fitness):
    weights = (-1.0, -1.0)   # both objectives minimised


class _Member:
    """What DEAP's selection sees of an individual: its fitness and its row."""

    __slots__ = ("fitness", "row")

    def __init__(self, values, row):
        self.fitness = _Fitness(values)
        self.fitness.crowding_dist = 0.0   # selNSGA2 sets it on those it sorts
        self.row = row


def hypervolume_2d(points, reference):
    """Area dominated by ``points`` (both coordinates minimised) up to ``reference``.

    Points that do not dominate the reference contribute nothing.

    Examples
    --------
    >>> hypervolume_2d(np.array([[1.0, 2.0], [2.0, 1.0]]), (3.0, 3.0))
    3.0
    >>> hypervolume_2d(np.array([[4.0, 0.0]]), (3.0, 3.0))
    0.0
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    inside = (points[:, 0] < reference[0]) & (points[:, 1] < reference[1])
    points = points[inside]
    order = np.lexsort((points[:, 1], points[:, 0]))
    area, ceiling = 0.0, float(reference[1])
    for f1, f2 in points[order]:
        if f2 < ceiling:
            area += (reference[0] - f1) * (ceiling - f2)
            ceiling = f2
    return float(area)


def non_dominated(objectives):
    """Indices of the rows of ``objectives`` (minimised) that no other row dominates.

    Rows with equal objectives are all kept. Sorted by the first objective, then the second.

    Examples
    --------
    >>> non_dominated(np.array([[1.0, 5.0], [2.0, 2.0], [3.0, 3.0], [0.5, 9.0]])).tolist()
    [3, 0, 1]
    """
    objectives = np.asarray(objectives, dtype=np.float64)
    no_worse = (objectives[:, None, :] <= objectives[None, :, :]).all(axis=2)
    better = (objectives[:, None, :] < objectives[None, :, :]).any(axis=2)
    dominated = (no_worse & better).any(axis=0)
    keep = np.flatnonzero(~dominated)
    return keep[np.lexsort((objectives[keep, 1], objectives[keep, 0]))]


@dataclass(kw_only=True, eq=False, repr=False)
class NSGA2State(StrategyState):
    """State of :class:`NSGA2`: the surviving population, its masks and objectives.

    Attributes
    ----------
    weights : ndarray of shape (P, n_params)
        The survivors' weights, masked-off connections included (they come back
        with their weight when a mutation switches them on again).
    masks : ndarray of shape (P, n_params), bool
        Which connections are on.
    objectives : ndarray of shape (P, 2) or None
        Loss and number of non-zero weights (``None`` before the first ``tell``).
    order : ndarray of shape (P,) or None
        Each survivor's place in NSGA-II's order (front, then crowding): the
        tournaments' key.
    seed : int
        Seed of the next generation's variation: ``ask`` draws the children from
        it, and ``tell`` draws them again to take back their unmasked weights and
        masks (so ``ask`` changes nothing); ``tell`` draws the next seed from the
        run's generator.
    reference : ndarray of shape (2,) or None
        The hypervolume's reference point (see :class:`NSGA2`).
    hypervolume : float
        The hypervolume of the survivors' front after the last ``tell``.
    """

    weights: np.ndarray
    masks: np.ndarray
    objectives: np.ndarray | None = None
    order: np.ndarray | None = None
    seed: int = 0
    reference: np.ndarray | None = None
    hypervolume: float = 0.0


@register_strategy
class NSGA2(Strategy):
    """NSGA-II (Deb et al. 2002) trading the loss against the number of non-zero weights.

    Each generation picks parents by binary tournament, on the loss for a
    fraction ``loss_selection`` of them and on NSGA-II's order (lower front
    first, then larger crowding distance) for the others, mates pairs by uniform
    crossover of weights and masks together with probability
    ``crossover_rate``, adds Gaussian noise to the weights of connections that are
    on (``mutation_rate``) and switches each connection off or on with probability
    ``mask_rate``; DEAP's ``tools.selNSGA2`` then keeps ``population_size`` of
    parents and children together.

    The initial masks keep each connection with probability ``initial_density``
    (all of them by default); with ``initial_density=None`` they span the sizes:
    individual ``i`` of ``P`` keeps each connection with probability ``(i + 1) /
    P``. The run's progress is the hypervolume of the front in the plane
    (loss, n_weights / n_params), with the reference point (``w + 0.1 max(|w|,
    1)``, 1.1), ``w`` the worst finite loss of the first generation told.

    Parameters
    ----------
    population_size : int, default=100
    crossover_rate : float, default=0.5
    mutation_sigma : float, default=0.1
    mutation_rate : float, default=None
        Probability that a connection that is on gets Gaussian noise; ``None`` means
        about ten of them per child (``min(1, 10 / n_on)``). Connections that are
        off keep their weight.
    mask_rate : float, default=None
        Per-connection probability of a switch; ``None`` means ``min(0.1, 5 /
        n_params)`` (five switches per child in a large network).
    initial_density : float or None, default=1.0
        Fraction of connections on at the start, in (0, 1]; ``None`` spreads it
        as above. The default starts dense and prunes: random small networks
        have lower losses than random large ones (their outputs are closer to
        uniform), so a spread start loses its large networks in the first
        generations, before they could learn.
    loss_selection : float, default=0.5
        Fraction of the parents chosen by binary tournament on the loss alone
        (the others on NSGA-II's order): more search where the loss is lowest,
        which learns faster than spreading the effort evenly along the front.

    Attributes
    ----------
    n_objectives : int
        2: the loss the problem returns, and the size the strategy counts.

    Examples
    --------
    >>> import numpy as np
    >>> nsga2 = NSGA2(population_size=20, mutation_sigma=0.3)
    >>> rng = np.random.default_rng(0)
    >>> state = nsga2.init(lambda n, rng: rng.normal(size=(n, 4)) + 1.0, rng)
    >>> for _ in range(60):
    ...     pop = nsga2.ask(state, rng)
    ...     state = nsga2.tell(state, pop, ((pop - 1.0) ** 2).sum(axis=1), rng)
    >>> params, objectives = nsga2.front(state)
    >>> objectives[:, 1].astype(int).tolist()   # every size from dense to empty
    [4, 3, 2, 1, 0]
    >>> bool(objectives[0, 0] < 0.05)
    True
    """

    name = "nsga2"
    n_objectives = 2
    keeps_zeros = True
    """A zero weight is a switched-off connection: lifetime learning keeps it at zero
    (:class:`~evonet.learning.LifetimeLearner`'s ``keep_zeros``), so that a network learns
    the weights of the connections it has and its size stays what the masks made it."""

    def __init__(self, population_size=100, crossover_rate=0.5, mutation_sigma=0.1,
                 mutation_rate=None, mask_rate=None, initial_density=1.0,
                 loss_selection=0.5):
        super().__init__(population_size)
        self.loss_selection = check_probability(loss_selection, "loss_selection")
        self.crossover_rate = check_probability(crossover_rate, "crossover_rate")
        self.mutation_sigma = check_positive_float(mutation_sigma, "mutation_sigma",
                                                   allow_zero=True)
        self.mutation_rate = (None if mutation_rate is None
                              else check_probability(mutation_rate, "mutation_rate"))
        self.mask_rate = None if mask_rate is None else check_probability(mask_rate,
                                                                          "mask_rate")
        if initial_density is not None:
            ok = isinstance(initial_density, numbers.Real) and not isinstance(initial_density,
                                                                              bool)
            if not ok or not 0 < initial_density <= 1:
                raise ValueError(f"initial_density must be None or a number in (0, 1], got "
                                 f"{initial_density!r}.")
            initial_density = float(initial_density)
        self.initial_density = initial_density

    def _init(self, initializer, rng):
        weights = np.asarray(initializer(self.population_size, rng), dtype=np.float64)
        P = weights.shape[0]
        density = (np.full(P, self.initial_density) if self.initial_density is not None
                   else np.arange(1, P + 1) / P)
        masks = rng.random(weights.shape) < density[:, None]
        return NSGA2State(weights=weights, masks=masks, seed=_draw_seed(rng))

    def _ask(self, state, rng):
        weights, masks = self._offspring(state)
        return np.where(masks, weights, 0.0)

    def _offspring(self, state):
        """The unmasked weights and the masks of the population ``ask`` gives."""
        if state.objectives is None:
            return state.weights.copy(), state.masks.copy()
        return self._children(state, np.random.default_rng(state.seed))

    def _children(self, state, rng):
        n_children = self.population_size
        n_pairs = (n_children + 1) // 2
        n_params = state.weights.shape[1]
        n_by_loss = int(round(self.loss_selection * 2 * n_pairs))
        parents = np.concatenate([
            tournament_indices(state.objectives[:, 0], n_by_loss, 2, rng),
            tournament_indices(state.order.astype(np.float64), 2 * n_pairs - n_by_loss, 2,
                               rng)])
        first, second = parents[0::2], parents[1::2]
        swap = rng.random((n_pairs, n_params)) < 0.5
        swap &= (rng.random(n_pairs) < self.crossover_rate)[:, None]
        weights, masks = [], []
        for source in (state.weights, state.masks):
            a, b = source[first], source[second]
            child_a, child_b = np.where(swap, b, a), np.where(swap, a, b)
            (weights if source is state.weights else masks).append(
                np.concatenate([child_a, child_b])[:n_children])
        children, masks = weights[0], masks[0]
        if self.mutation_rate is None:   # about ten of the connections that are on
            rate = np.minimum(1.0, 10.0 / np.maximum(masks.sum(axis=1, keepdims=True), 1))
        else:
            rate = self.mutation_rate
        mutated = masks & (rng.random(masks.shape) < rate)
        noise = rng.normal(0.0, self.mutation_sigma, size=children.shape)
        children = np.where(mutated, children + noise, children)
        flip_rate = min(0.1, 5.0 / n_params) if self.mask_rate is None else self.mask_rate
        flips = rng.random(masks.shape) < flip_rate
        # a connection switched on starts small, N(0, mutation_sigma^2), whatever weight it
        # had when it was switched off: a stale weight would make growing back worse than
        # staying pruned, and the dense end of the front would die out
        switched_on = flips & ~masks
        fresh = rng.normal(0.0, self.mutation_sigma, size=children.shape)
        return np.where(switched_on, fresh, children), masks ^ flips

    def _tell(self, state, population, losses, rng):
        population = np.asarray(population, dtype=np.float64)
        weights, masks = self._offspring(state)
        if weights.shape != population.shape \
                or not np.array_equal(np.where(masks, weights, 0.0), population):
            # a population not from ask: its non-zero weights are its connections
            weights, masks = population.copy(), population != 0
        objectives = np.column_stack([_finite(losses), np.count_nonzero(population, axis=1)])
        if state.reference is None:
            worst = float(objectives[np.isfinite(losses), 0].max(initial=0.0))
            state.reference = np.array([worst + 0.1 * max(abs(worst), 1.0), 1.1])
        if state.objectives is not None:
            weights = np.concatenate([state.weights, weights])
            masks = np.concatenate([state.masks, masks])
            objectives = np.concatenate([state.objectives, objectives])
        chosen = self._survivors(objectives)
        keys = {}
        for rank, front in enumerate(tools.sortNondominated(chosen, len(chosen))):
            for member in front:
                keys[member.row] = (rank, -member.fitness.crowding_dist, member.row)
        rows = np.array(sorted(keys, key=keys.get))
        state.weights, state.masks = weights[rows], masks[rows]
        state.objectives = objectives[rows]
        state.order = np.arange(len(rows))
        state.seed = _draw_seed(rng)
        front = state.objectives[non_dominated(state.objectives)]
        state.hypervolume = hypervolume_2d(front / [1.0, weights.shape[1]], state.reference)
        return state

    def _survivors(self, objectives):
        """NSGA-II's survivors; a copy of another's objectives only fills the places left.

        Without this, copies of one network (the empty one, say) all sit in the first
        front and crowd out the rest of the population.
        """
        _, first = np.unique(objectives, axis=0, return_index=True)
        unique = np.zeros(len(objectives), dtype=bool)
        unique[first] = True
        pool = [_Member(tuple(objectives[row]), row) for row in np.flatnonzero(unique)]
        chosen = tools.selNSGA2(pool, min(self.population_size, len(pool)))
        spare = self.population_size - len(chosen)
        return chosen + [_Member(tuple(objectives[row]), row)
                         for row in np.flatnonzero(~unique)[:spare]]

    def front(self, state):
        """The survivors' non-dominated networks, best loss first.

        Returns
        -------
        params : ndarray of shape (F, n_params)
            The masked weight vectors (each distinct pair of objectives once).
        objectives : ndarray of shape (F, 2)
            Their loss (as told) and number of non-zero weights.
        """
        if state.objectives is None:
            return np.empty((0, state.weights.shape[1])), np.empty((0, 2))
        keep = non_dominated(state.objectives)
        _, first = np.unique(state.objectives[keep], axis=0, return_index=True)
        keep = keep[np.sort(first)]
        params = np.where(state.masks[keep], state.weights[keep], 0.0)
        return params, state.objectives[keep].copy()

    def incumbent(self, state):
        if state.objectives is None:
            return state.best_params, state.best_loss
        params, objectives = self.front(state)
        return params[0], float(objectives[0, 0])


def _draw_seed(rng):
    return int(rng.integers(0, 2**63 - 1))


def _finite(losses):
    """Losses with non-finite values replaced by a finite worst (for crowding distances)."""
    losses = np.asarray(losses, dtype=np.float64)
    finite = np.isfinite(losses)
    if finite.all():
        return losses
    worst = float(losses[finite].max()) if finite.any() else 0.0
    return np.where(finite, losses, worst + 1.0 + abs(worst))

