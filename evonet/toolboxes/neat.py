"""A DEAP toolbox for evolving NEAT genomes with your own loop.

:func:`make_neat_toolbox` is :func:`evonet.make_toolbox`'s counterpart for
topology evolution: the NEAT operators of :mod:`evonet.operators.neat`
registered under DEAP's aliases, so ``deap.algorithms.eaSimple`` (or any loop
of your own) evolves graph networks, scored in one batched pass per
population. Speciation and fitness sharing are the ``"neat"`` strategy's
(:class:`evonet.strategies.NEAT`); the toolbox also registers ``distance``
(Eq. 1 of Stanley & Miikkulainen 2002) for loops that speciate themselves.
"""

import numpy as np
from deap import base, tools

from evonet.evaluation import Evaluator
from evonet.genome.compatibility import compatibility_distance
from evonet.genome.initializers import minimal_genome
from evonet.genome.innovation import InnovationRegistry
from evonet.operators import sel_tournament
from evonet.operators.neat import (
    NeatMutation,
    add_connection,
    add_node,
    cx_neat,
    mut_neat,
    mutate_biases,
    mutate_weights,
    toggle_connection,
)
from evonet.problems.graph import GraphProblem
from evonet.randomness import make_generator
from evonet.toolboxes.weights import BatchFitness, batched_map

__all__ = ["GraphBatchFitness", "make_neat_toolbox", "same_genome"]


class GraphBatchFitness(BatchFitness):
    """``toolbox.evaluate`` for genomes: one loss, or a whole list in one batched pass.

    :func:`~evonet.toolboxes.weights.batched_map` recognises it (it is a
    :class:`~evonet.toolboxes.weights.BatchFitness`).

    Examples
    --------
    >>> from evonet.genome.neat import NeatGenome
    >>> problem = GraphProblem(1, 1, [[0.0], [1.0]], [0.0, 2.0])
    >>> fitness = GraphBatchFitness(Evaluator(problem))
    >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 2.0, True)])
    >>> fitness(g), fitness.evaluate_many([g, NeatGenome(1, 1)])
    ((0.0,), [(0.0,), (2.0,)])
    """

    def __call__(self, individual):
        return (float(self.evaluator.evaluate([individual])[0]),)

    def evaluate_many(self, individuals):
        """Fitness tuples of a list of genomes, from one batched evaluation."""
        if not individuals:
            return []
        return [(float(v),) for v in self.evaluator.evaluate(list(individuals))]


def same_genome(a, b):
    """Whether two genomes have equal genes (``similar`` for a ``tools.HallOfFame``).

    Examples
    --------
    >>> from evonet.genome.neat import NeatGenome
    >>> same_genome(NeatGenome(1, 1), NeatGenome(1, 1))
    True
    """
    return (a.n_inputs == b.n_inputs and a.n_outputs == b.n_outputs
            and np.array_equal(a.nodes, b.nodes) and np.array_equal(a.connections, b.connections))


def make_neat_toolbox(n_inputs, n_outputs, X, y, loss="squared_error", random_state=None, *,
                      output_activation="identity", sample_weight=None, mutation=None,
                      disable_rate=0.75, tournsize=3, weight_std=1.0, n_jobs=None):
    """Make a fresh DEAP toolbox that evolves NEAT genomes on ``(X, y)``.

    Registers ``individual`` (a minimal genome: inputs wired to outputs),
    ``population``, ``mate`` (:func:`~evonet.operators.neat.cx_neat`),
    ``mutate`` (:func:`~evonet.operators.neat.mut_neat` with ``mutation``),
    ``select`` (tournament), ``evaluate`` (:class:`GraphBatchFitness` of a
    :class:`~evonet.problems.graph.GraphProblem`), a batched ``map`` and
    ``distance`` (:func:`~evonet.genome.compatibility.compatibility_distance`).
    The run's :class:`~evonet.genome.innovation.InnovationRegistry` is
    ``toolbox.innovations``.

    Each mutation that ``mutate`` may apply is also registered alone, for
    loops that compose their own variation. Each changes its genome in place,
    draws from the toolbox's generator and uses the settings of ``mutation``
    (but not its rates: called, it always acts):

    * ``mutate_weights(genome)`` and ``mutate_biases(genome)``
      (:func:`~evonet.operators.neat.mutate_weights`,
      :func:`~evonet.operators.neat.mutate_biases`) perturb every weight or
      every non-input bias; they return the genome.
    * ``add_node(genome)`` and ``add_connection(genome)``
      (:func:`~evonet.operators.neat.add_node`,
      :func:`~evonet.operators.neat.add_connection`) take their node ids and
      innovation numbers from ``toolbox.innovations``, so the same structural
      mutation gets the same numbers in every genome; they return whether the
      genome changed.
    * ``toggle_connection(genome)``
      (:func:`~evonet.operators.neat.toggle_connection`) flips one random
      connection's enabled flag; it returns whether there was one.

    None of them invalidates the fitness: a loop of its own does that (``del
    ind.fitness.values``), as DEAP's ``varAnd`` does after ``mutate``.

    Parameters
    ----------
    n_inputs, n_outputs : int
    X : array-like of shape (N, n_inputs)
    y : array-like
        Targets, as :class:`~evonet.problems.graph.GraphProblem` takes them.
    loss : {"squared_error", "log_loss", "error_rate"}, default="squared_error"
    random_state : None, int, RandomState or Generator
        Seeds the generator that every registered operator draws from.
    output_activation : str, default="identity"
        Applied to the networks' outputs by the loss.
    sample_weight : array-like of shape (N,), default=None
    mutation : NeatMutation or dict, default=None
        Mutation rates (a dict is passed to :class:`NeatMutation`); ``None``
        uses the paper's rates.
    disable_rate : float, default=0.75
    tournsize : int, default=3
    weight_std : float, default=1.0
        Scale of the initial weights.
    n_jobs : int, default=None

    Returns
    -------
    deap.base.Toolbox

    Notes
    -----
    DEAP's algorithms draw from Python's ``random`` module: seed it too for a
    reproducible ``eaSimple`` run. Genomes compare by identity, so a
    ``tools.HallOfFame`` wants ``similar=same_genome``.

    Examples
    --------
    >>> import random
    >>> import numpy as np
    >>> from deap import algorithms
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> toolbox = make_neat_toolbox(2, 1, X, [0.0, 1.0, 1.0, 0.0], random_state=0,
    ...                             output_activation="logistic")
    >>> random.seed(0)
    >>> pop, log = algorithms.eaSimple(toolbox.population(n=30), toolbox, cxpb=0.5,
    ...                                mutpb=0.8, ngen=5, verbose=False)
    >>> len(pop), all(ind.fitness.valid for ind in pop)
    (30, True)

    The operators one at a time, in a loop of your own:

    >>> child = toolbox.clone(pop[0])
    >>> toolbox.add_node(child), toolbox.add_connection(child)
    (True, True)
    >>> child = toolbox.mutate_weights(child)
    >>> del child.fitness.values
    >>> child.fitness.values = toolbox.evaluate(child)
    """
    if mutation is None:
        mutation = NeatMutation()
    elif isinstance(mutation, dict):
        mutation = NeatMutation(**mutation)
    elif not isinstance(mutation, NeatMutation):
        raise ValueError(f"mutation must be a NeatMutation, a dict or None, got {mutation!r}.")
    if not 0 <= disable_rate <= 1:
        raise ValueError(f"disable_rate must be in [0, 1], got {disable_rate!r}.")
    if isinstance(tournsize, bool) or not isinstance(tournsize, int) or tournsize < 1:
        raise ValueError(f"tournsize must be a positive integer, got {tournsize!r}.")
    rng = make_generator(random_state)
    problem = GraphProblem(n_inputs, n_outputs, X, y, loss=loss,
                           output_activation=output_activation, sample_weight=sample_weight)
    registry = InnovationRegistry.minimal(n_inputs, n_outputs)

    toolbox = base.Toolbox()
    toolbox.register("individual", minimal_genome, n_inputs, n_outputs, rng, weight_std)
    toolbox.register("population", tools.initRepeat, list, toolbox.individual)
    toolbox.register("mate", cx_neat, rng=rng, disable_rate=disable_rate)
    toolbox.register("mutate", mut_neat, mutation=mutation, registry=registry, rng=rng)
    # the mutations that mutate draws from, each alone, with the same settings
    toolbox.register("mutate_weights", mutate_weights, rng=rng, power=mutation.weight_power,
                     replace_rate=mutation.weight_replace_rate, init_std=mutation.init_std,
                     limit=mutation.limit, distribution=mutation.distribution)
    toolbox.register("mutate_biases", mutate_biases, rng=rng, power=mutation.bias_power,
                     replace_rate=mutation.bias_replace_rate, init_std=mutation.init_std,
                     limit=mutation.limit, distribution=mutation.distribution)
    toolbox.register("add_node", add_node, registry=registry, rng=rng,
                     activation=mutation.activation)
    toolbox.register("add_connection", add_connection, registry=registry, rng=rng,
                     feed_forward=mutation.feed_forward, weight_std=mutation.init_std)
    toolbox.register("toggle_connection", toggle_connection, rng=rng)
    toolbox.register("select", sel_tournament, tournsize=tournsize, rng=rng)
    toolbox.register("evaluate", GraphBatchFitness(Evaluator(problem, n_jobs=n_jobs)))
    toolbox.register("map", batched_map)
    toolbox.register("distance", compatibility_distance)
    toolbox.innovations = registry
    return toolbox
