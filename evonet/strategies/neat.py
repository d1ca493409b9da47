"""NEAT as an ask/tell strategy: speciation, fitness sharing and speciated reproduction.

Stanley & Miikkulainen (2002), "Evolving Neural Networks through Augmenting
Topologies", Evolutionary Computation 10(2), Sections 3.3 and 4.1. The
operators live in :mod:`evonet.operators.neat`, the genomes in
:mod:`evonet.genome.neat`; this module decides who reproduces and how much.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from evonet.checks import check_bool, check_int, check_positive_float
from evonet.genome.compatibility import compatibility_distances
from evonet.genome.innovation import InnovationRegistry
from evonet.genome.pool import GenePool
from evonet.operators.checks import check_probability
from evonet.operators.neat import NeatMutation, breed
from evonet.strategies.base import (
    Strategy,
    StrategyState,
    register_strategy,
)
from evonet.strategies.shaping import FITNESS_SHAPINGS, fitness_from_losses, shared_fitness

__all__ = ["NEAT", "NEATState", "Species", "allot_offspring"]

PERTURBATIONS = ("gaussian", "uniform")


def allot_offspring(shares, total):
    """Split ``total`` offspring in proportion to ``shares`` (largest remainder, ties first).

    Examples
    --------
    >>> allot_offspring([1.0, 1.0, 2.0], 10).tolist()
    [3, 2, 5]
    """
    shares = np.asarray(shares, dtype=np.float64)
    quota = shares / shares.sum() * total
    counts = np.floor(quota).astype(np.int64)
    rest = total - int(counts.sum())
    if rest > 0:
        counts[np.argsort(-(quota - counts), kind="stable")[:rest]] += 1
    return counts


class Species:
    """A species: its members in the last told population and its history.

    Attributes
    ----------
    key : int
    representative : NeatGenome
        The genome new genomes are compared with (a random member of the
        previous generation, as in the paper).
    members : ndarray of int
        Positions of the members in the population told last.
    created, last_improved : int
        Generation of creation and of the last improvement of ``best_loss``.
    best_loss : float
        Lowest loss of any member so far (drives stagnation).
    """

    def __init__(self, key, representative, generation):
        self.key = key
        self.representative = representative
        self.members = np.zeros(0, dtype=np.int64)
        self.created = generation
        self.last_improved = generation
        self.best_loss = np.inf

    def __repr__(self):
        return (f"Species(key={self.key}, size={self.members.size}, "
                f"best_loss={self.best_loss:.4g}, last_improved={self.last_improved})")


@dataclass(kw_only=True, eq=False, repr=False)
class NEATState(StrategyState):
    """State of :class:`NEAT`.

    Attributes
    ----------
    population : list of NeatIndividual
        The next population to evaluate (what ``ask`` returns).
    species : list of Species
        The species of the population told last, with their representatives
        and stagnation counters.
    registry : InnovationRegistry
        The run's innovation numbers and node ids.
    threshold : float
        The compatibility threshold (moves when ``target_species`` is set).
    next_species_key : int
        Key of the next species founded.
    species_sizes : dict of int to int
        Members of each species in the population told last, those that got no
        offspring included (the logbook's ``species:KEY`` entries). Older
        checkpoints lack it; it is filled again by the next ``tell``.
    """

    population: list
    species: list[Species]
    registry: InnovationRegistry
    threshold: float
    next_species_key: int = 0
    species_sizes: dict = field(default_factory=dict)


@register_strategy
class NEAT(Strategy):
    """NeuroEvolution of Augmenting Topologies (Stanley & Miikkulainen 2002).

    Each :meth:`tell` places the evaluated genomes in species by
    compatibility distance (Eq. 1, :mod:`evonet.genome.compatibility`): a
    genome joins the first species whose representative is closer than the
    threshold, else founds a new one. Explicit fitness sharing (Eq. 2) makes
    a species' share of the next generation proportional to the mean fitness
    of its members; a species whose best loss has not improved for
    ``stagnation`` generations gets none, unless it is one of the
    ``protected_species`` best. Within a species, the champion of a species
    larger than ``elitism_min_size`` is copied unchanged, and the other
    offspring come from the best ``survival_threshold`` fraction: a fraction
    ``mutate_only_rate`` by mutation alone, the rest by crossover (with a
    champion of another species at rate ``interspecies_rate``) then mutation.

    Strategies minimise a loss, but fitness sharing needs positive fitness: it
    is derived from each generation's losses by ``fitness_shaping`` (see
    :func:`~evonet.strategies.shaping.fitness_from_losses`) and shared within
    species (:func:`~evonet.strategies.shaping.shared_fitness`). Stagnation
    compares losses, which stay comparable across generations.

    Parameters
    ----------
    population_size : int, default=150
    compatibility_threshold : float, default=3.0
        ``delta_t``.
    excess_coefficient, disjoint_coefficient, weight_coefficient : float, default=1.0, 1.0, 0.4
        ``c1``, ``c2``, ``c3`` of Eq. 1.
    target_species : int, default=None
        If set, the threshold moves by ``threshold_step`` each generation
        toward this number of species.
    threshold_step : float, default=0.3
    survival_threshold : float, default=0.2
        Fraction of each species (best first) allowed to be parents.
    elitism_min_size : int, default=5
        Champions of species with more members than this are copied unchanged.
    stagnation : int, default=15
    protected_species : int, default=1
    mutate_only_rate : float, default=0.25
    interspecies_rate : float, default=0.001
    disable_rate : float, default=0.75
        Chance a gene disabled in either parent is disabled in the child.
    weight_rate, weight_power, weight_replace_rate : float, default=0.8, 0.5, 0.1
    bias_rate, bias_power, bias_replace_rate : float, default=0.8, 0.5, 0.1
    init_std : float, default=1.0
        Scale of new and redrawn weights and biases.
    weight_limit : float or None, default=8.0
        Weights and biases are clipped to ``[-weight_limit, weight_limit]``
        (``None``: no clipping).
    perturbation : {"gaussian", "uniform"}, default="gaussian"
    add_node_rate, add_connection_rate, toggle_rate : float, default=0.03, 0.05, 0.0
    activation : str, default="neat_sigmoid"
        Activation of new hidden nodes (``NODE_ACTIVATIONS``).
    feed_forward : bool, default=True
    fitness_shaping : {"shift", "rank", "negate"}, default="shift"

    Notes
    -----
    The paper's XOR settings (Section 4.1) are the defaults: population 150,
    ``c1 = c2 = 1``, ``c3 = 0.4``, ``delta_t = 3``, stagnation 15, champions of
    species above five, 80% weight mutation of which 10% replacement, 75%
    disable inheritance, 25% mutation-only offspring, interspecies mating
    0.001, add-node 0.03 and add-connection 0.05. The paper does not give its
    perturbation size; Gaussian noise of scale 0.5 is the default here.
    ``experiments/xor.py`` documents settings tuned for XOR.

    The mutation settings live in ``self.mutation`` (a
    :class:`~evonet.operators.neat_mutation.NeatMutation`). Children are
    bred all at once by :func:`~evonet.operators.neat.breed`; the next
    population lists the species in order, each champion first. On equal
    loss the smaller genome counts as the fitter parent (as in NEAT's
    reference implementation). ``feed_forward=False`` lets add-connection
    make cycles, for :class:`~evonet.nn.recurrent.RecurrentPopulation`
    controllers.

    The state holds the population, the species (with their
    representatives and stagnation counters), the run's
    :class:`~evonet.genome.innovation.InnovationRegistry`, the threshold
    and the generation; it pickles, and ``ask`` never changes it.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.initializers import minimal_genome
    >>> from evonet.nn.graph import FeedForwardPopulation
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> neat = NEAT(population_size=50)
    >>> rng = np.random.default_rng(0)
    >>> state = neat.init(lambda n, rng: [minimal_genome(2, 1, rng) for _ in range(n)], rng)
    >>> for _ in range(5):
    ...     pop = neat.ask(state, rng)
    ...     out = FeedForwardPopulation(pop).forward(X)[:, :, 0]
    ...     state = neat.tell(state, pop, ((out - [0, 1, 1, 0]) ** 2).mean(axis=1), rng)
    >>> len(neat.ask(state, rng)), state.generation
    (50, 5)
    """

    name = "neat"

    def __init__(self, population_size=150, compatibility_threshold=3.0, excess_coefficient=1.0,
                 disjoint_coefficient=1.0, weight_coefficient=0.4, target_species=None,
                 threshold_step=0.3, survival_threshold=0.2, elitism_min_size=5, stagnation=15,
                 protected_species=1, mutate_only_rate=0.25, interspecies_rate=0.001,
                 disable_rate=0.75, weight_rate=0.8, weight_power=0.5, weight_replace_rate=0.1,
                 bias_rate=0.8, bias_power=0.5, bias_replace_rate=0.1, init_std=1.0,
                 weight_limit=8.0, perturbation="gaussian", add_node_rate=0.03,
                 add_connection_rate=0.05, toggle_rate=0.0, activation="neat_sigmoid",
                 feed_forward=True, fitness_shaping="shift"):
        super().__init__(population_size)
        self.compatibility_threshold = check_positive_float(compatibility_threshold,
                                                            "compatibility_threshold")
        self.excess_coefficient = check_positive_float(excess_coefficient, "excess_coefficient",
                                                       allow_zero=True)
        self.disjoint_coefficient = check_positive_float(
            disjoint_coefficient, "disjoint_coefficient", allow_zero=True)
        self.weight_coefficient = check_positive_float(weight_coefficient, "weight_coefficient",
                                                       allow_zero=True)
        self.target_species = (None if target_species is None
                               else check_int(target_species, "target_species"))
        self.threshold_step = check_positive_float(threshold_step, "threshold_step")
        self.survival_threshold = check_probability(survival_threshold, "survival_threshold")
        self.elitism_min_size = check_int(elitism_min_size, "elitism_min_size", 0)
        self.stagnation = check_int(stagnation, "stagnation")
        self.protected_species = check_int(protected_species, "protected_species", 0)
        self.mutate_only_rate = check_probability(mutate_only_rate, "mutate_only_rate")
        self.interspecies_rate = check_probability(interspecies_rate, "interspecies_rate")
        self.disable_rate = check_probability(disable_rate, "disable_rate")
        if fitness_shaping not in FITNESS_SHAPINGS:
            raise ValueError(f"fitness_shaping={fitness_shaping!r} is not supported; choose one "
                             f"of {list(FITNESS_SHAPINGS)}.")
        self.fitness_shaping = fitness_shaping
        # NeatMutation checks the other mutation settings, but it calls these two limit and
        # distribution and takes any feed_forward: checked here, errors name our parameters
        if weight_limit is not None:
            check_positive_float(weight_limit, "weight_limit", allow_zero=True)
        if perturbation not in PERTURBATIONS:
            raise ValueError(f"perturbation={perturbation!r} is not supported; choose one of "
                             f"{list(PERTURBATIONS)}.")
        check_bool(feed_forward, "feed_forward")
        self.mutation = NeatMutation(
            weight_rate=weight_rate, weight_power=weight_power,
            weight_replace_rate=weight_replace_rate, bias_rate=bias_rate, bias_power=bias_power,
            bias_replace_rate=bias_replace_rate, init_std=init_std, limit=weight_limit,
            distribution=perturbation, add_node_rate=add_node_rate,
            add_connection_rate=add_connection_rate, toggle_rate=toggle_rate,
            activation=activation, feed_forward=feed_forward)

    def _init(self, initializer, rng):
        population = list(initializer(self.population_size, rng))
        if len(population) != self.population_size:
            raise ValueError(f"the initializer made {len(population)} genomes, expected "
                             f"{self.population_size}.")
        return NEATState(population=population, species=[],
                         registry=InnovationRegistry.from_genomes(population),
                         threshold=self.compatibility_threshold)

    def _ask(self, state, rng):
        return list(state.population)

    def _tell(self, state, population, losses, rng):
        pool = GenePool(population)
        self._speciate(state, pool)
        species = state.species
        state.species_sizes = {s.key: int(s.members.size) for s in species}
        for s in species:
            best = float(losses[s.members].min())
            if best < s.best_loss:
                s.best_loss, s.last_improved = best, state.generation
        fitness = fitness_from_losses(losses, self.fitness_shaping)
        counts = self._offspring_counts(state, species, fitness)
        fitter, other, mutate = self._plan(pool, losses, species, counts, rng)
        state.population = breed(pool, fitter, other, mutate, rng, self.mutation, state.registry,
                                 self.disable_rate)
        # the next generation is compared with a random member of each surviving species
        state.species = [s for s, n in zip(species, counts) if n > 0]
        for s in state.species:
            s.representative = pool.genomes[s.members[rng.integers(s.members.size)]]
        return state

    def logbook_entries(self, state):
        """``{"species:KEY": members}`` for each species of the population told last.

        Examples
        --------
        >>> NEAT().logbook_entries(NEATState(population=[], species=[], registry=None,
        ...                                  threshold=3.0, species_sizes={0: 90, 2: 60}))
        {'species:0': 90, 'species:2': 60}
        """
        return {f"species:{key}": size for key, size in state.species_sizes.items()}

    def _speciate(self, state, pool):
        """Assign every genome to the first compatible species, founding new ones (3.3)."""
        coefficients = (self.excess_coefficient, self.disjoint_coefficient,
                        self.weight_coefficient)
        P = len(pool)
        assigned = np.full(P, -1, dtype=np.int64)
        species = list(state.species)
        if species:
            close = compatibility_distances(pool, [s.representative for s in species],
                                            *coefficients) < state.threshold
            found = close.any(axis=1)
            assigned[found] = close.argmax(axis=1)[found]
        # genomes compatible with no species found new ones, in population order: each
        # founder takes every later compatible genome left, exactly the paper's
        # one-genome-at-a-time assignment
        left = np.flatnonzero(assigned < 0)
        if left.size:
            unplaced = [pool.genomes[i] for i in left]
            close = compatibility_distances(unplaced, unplaced, *coefficients) < state.threshold
            group = np.full(left.size, -1)
            for i in range(left.size):
                if group[i] < 0:
                    joins = close[:, i] & (group < 0)
                    joins[i] = True
                    group[joins] = len(species)
                    species.append(Species(state.next_species_key, unplaced[i],
                                           state.generation))
                    state.next_species_key += 1
            assigned[left] = group
        for k, s in enumerate(species):
            s.members = np.flatnonzero(assigned == k)
        state.species = [s for s in species if s.members.size]
        if self.target_species is not None:
            n = len(state.species)
            if n < self.target_species:
                state.threshold = max(self.threshold_step, state.threshold - self.threshold_step)
            elif n > self.target_species:
                state.threshold += self.threshold_step

    def _offspring_counts(self, state, species, fitness):
        """Offspring per species: mean member fitness (explicit fitness sharing, Eq. 2)."""
        shares = shared_fitness(fitness, [s.members for s in species])
        best = np.array([s.best_loss for s in species])
        stagnant = np.array([state.generation - s.last_improved >= self.stagnation
                             for s in species])
        stagnant[np.argsort(best, kind="stable")[:self.protected_species]] = False
        if stagnant.all():
            stagnant[np.argmin(best)] = False
        shares[stagnant] = 0.0
        if shares.sum() <= 0:
            shares = (~stagnant).astype(np.float64)
        return allot_offspring(shares, self.population_size)

    def _plan(self, pool, losses, species, counts, rng):
        """Parents of every child: ``(fitter, other, mutate)`` arrays for :func:`breed`."""
        ranked = [s.members[np.argsort(losses[s.members], kind="stable")] for s in species]
        champions = np.array([r[0] for r in ranked])
        size = pool.connection_count
        fitter, other, mutate = [], [], []
        for k, (members, n) in enumerate(zip(ranked, counts.tolist())):
            if n == 0:
                continue
            if members.size > self.elitism_min_size:
                # the champion of a large species survives unchanged (Section 4.1)
                fitter.append(members[:1])
                other.append([-1])
                mutate.append([False])
                n -= 1
            n_parents = max(1, math.floor(self.survival_threshold * members.size + 1))
            parents = members[:n_parents]
            mom = parents[rng.integers(n_parents, size=n)]
            dad = parents[rng.integers(n_parents, size=n)]
            draw = rng.random((2, n))
            alone = (draw[0] < self.mutate_only_rate) | (n_parents == 1)
            if len(species) > 1:
                away = ~alone & (draw[1] < self.interspecies_rate)
                if away.any():
                    pick = rng.integers(len(species) - 1, size=int(away.sum()))
                    dad[away] = champions[pick + (pick >= k)]
            # the fitter parent gives the structure; on equal loss, the smaller genome
            swap = (losses[dad] < losses[mom]) | ((losses[dad] == losses[mom])
                                                  & (size[dad] < size[mom]))
            first = np.where(swap, dad, mom)
            second = np.where(swap, mom, dad)
            first[alone] = mom[alone]
            second[alone] = -1
            fitter.append(first)
            other.append(second)
            mutate.append(np.ones(n, dtype=bool))
        return np.concatenate(fitter), np.concatenate(other), np.concatenate(mutate)
