"""Lifetime learning: networks that train by back-propagation before their fitness is taken.

Evolution shapes a network over generations; learning shapes it within its
lifetime. :class:`LifetimeLearner` is the learning stage of a generation
(:class:`~evonet.evolve.Run`'s ``learner``): every network of the population
takes ``learning_steps`` Adam steps (:class:`~evonet.nn.optim.Adam`) of
back-propagation on minibatches of the training data before it is scored.

* **Baldwinian** learning (Hinton & Nowlan 1987) scores what each network
  learned, but the strategy keeps evolving the genomes it was born with:
  learning only changes which genomes are selected, toward those that learn
  well. Any strategy takes it.
* **Lamarckian** learning (Whitley, Gordon & Mathias 1994) writes the
  learned weights back into the genomes the strategy is told. A strategy
  takes it when it can be told points it did not sample
  (:attr:`~evonet.strategies.Strategy.takes_learned`): the GA and NEAT as
  they are, CMA-ES by injecting them as external solutions
  (:meth:`~evonet.strategies.CMAES.tell_learned`).

A strategy may hand a :class:`~evonet.strategies.plan.LearningPlan`
(per-network learning rates, ``alpha``, steps, and an optimiser state that
lives on; population-based training does): the learner then follows it and
returns it with the new optimiser state.

The population is trained in the chunks it is scored in (sizes fixed by the
problem, the minibatch size and the population size, never by the number of
threads), on the thread pool of :mod:`evonet.evaluation`, every chunk with
the same minibatches; so the learned networks are the same for any number of
threads or ``n_jobs``.
"""

import copy
import math
import numbers
from dataclasses import replace

import numpy as np

from evonet.checks import check_bool, check_int
from evonet.evaluation import blas_single_thread
from evonet.evaluation.chunks import population_chunks
from evonet.evaluation.threads import run_in_threads, thread_count
from evonet.genome.neat import BIAS, WEIGHT, NeatGenome
from evonet.nn.optim import Adam, AdamState
from evonet.problems.graph_learning import graph_loss_and_grad
from evonet.problems.learning import train_population
from evonet.sampling import MinibatchSampler
from evonet.strategies.plan import LearningPlan

__all__ = ["LEARNING_MODES", "LearningPlan", "LifetimeLearner", "check_learning_rate_init",
           "default_learning_batch_size"]

LEARNING_MODES = ("baldwinian", "lamarckian")
"""The kinds of lifetime learning (see the module's description)."""

DEFAULT_BATCH = 200
"""``learning_batch_size=None`` gives ``min(200, n_samples)`` rows per step, as MLPClassifier."""


def default_learning_batch_size(learning_batch_size, n_samples):
    """Rows per learning step: ``min(200, n_samples)`` for ``None``, at most ``n_samples``.

    Examples
    --------
    >>> default_learning_batch_size(None, 150), default_learning_batch_size(None, 1437)
    (150, 200)
    >>> default_learning_batch_size(32, 1437), default_learning_batch_size(500, 150)
    (32, 150)
    """
    if learning_batch_size is None:
        return min(DEFAULT_BATCH, n_samples)
    return min(check_int(learning_batch_size, "learning_batch_size"), n_samples)


def check_learning_rate_init(value):
    """``learning_rate_init`` as a float if it is a positive finite number, else ``ValueError``.

    Examples
    --------
    >>> check_learning_rate_init(0.01)
    0.01
    >>> check_learning_rate_init(0)
    Traceback (most recent call last):
    ...
    ValueError: learning_rate_init must be a positive finite number, got 0.
    """
    if not (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0):
        raise ValueError(f"learning_rate_init must be a positive finite number, got {value!r}.")
    return float(value)


def _concat_states(states):
    """One Adam state of the rows of ``states`` (the chunks') in order."""
    return AdamState(m=np.concatenate([s.m for s in states]),
                     v=np.concatenate([s.v for s in states]),
                     t=np.concatenate([s.t for s in states]))


def _slice_state(state, part):
    if state is None:
        return None
    return AdamState(m=state.m[part].copy(), v=state.v[part].copy(), t=state.t[part].copy())


class LifetimeLearner:
    """The learning stage of a generation: Adam steps of back-propagation for every network.

    Implements :class:`~evonet.evolve.Run`'s ``learner`` protocol
    (``learn(population, rng, plan) -> (learned, plan)`` and ``lamarckian``)
    for populations of weight vectors ``(P, n_params)`` of a
    :class:`~evonet.problems.SupervisedProblem`, and for lists of
    feed-forward NEAT genomes of a :class:`~evonet.problems.GraphProblem`,
    whose connection weights and node biases learn
    (:func:`~evonet.problems.graph_learning.graph_loss_and_grad`; a graph
    problem has no L2 term, so a plan's ``alpha`` does not apply to them).

    Parameters
    ----------
    problem : SupervisedProblem
        The training data, loss, ``alpha`` and precision the networks learn
        on (the fitness problem of the run).
    mode : {"baldwinian", "lamarckian"}, default="baldwinian"
        Whether the learned weights are only scored (Baldwinian) or also
        written back into the genomes the strategy is told (Lamarckian); see
        the module's description.
    learning_steps : int, default=10
        Adam steps per network and generation (without a plan).
    learning_rate_init : float, default=1e-3
        Adam's step size (without a plan).
    learning_batch_size : int, default=None
        Rows per step (a shuffled minibatch, the same rows for every
        network); ``None``: ``min(200, n_samples)``, as ``MLPClassifier``.
    chunk_size : int, default=None
        Networks trained together in one chunk; ``None``: the problem's
        ``population_chunk`` for a minibatch. A setting of the learner, never
        of the machine, so results do not depend on the threads.
    keep_zeros : bool, default=False
        Whether weights that are exactly zero stay zero (a strategy's
        switched-off connections: NSGA-II's masks,
        :attr:`~evonet.strategies.NSGA2.keeps_zeros`), so that learning
        never changes which connections a network has.
    prequential : bool, default=False
        Whether :class:`~evonet.evolve.Run` scores the population *before*
        it learns (test, then train): for data that arrives in batches
        (``partial_fit``), each network is then judged on rows it has not
        learned from, and every row is learned from.

    Attributes
    ----------
    lamarckian : bool
        ``mode == "lamarckian"``.
    prequential : bool
        As the parameter.
    batch_size : int
        Rows per step, resolved.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> from evonet.problems import SupervisedProblem
    >>> X = np.linspace(-1, 1, 20)[:, None]
    >>> problem = SupervisedProblem(MLPLayout(1, (), 1), X, 3 * X[:, 0] + 1)
    >>> learner = LifetimeLearner(problem, "lamarckian", learning_steps=100,
    ...                           learning_rate_init=0.1)
    >>> population = np.zeros((4, 2))
    >>> learned, plan = learner.learn(population, np.random.default_rng(0), None)
    >>> bool((problem.evaluate(learned) < problem.evaluate(population)).all()), plan
    (True, None)
    """

    def __init__(self, problem, mode="baldwinian", *, learning_steps=10, learning_rate_init=1e-3,
                 learning_batch_size=None, chunk_size=None, keep_zeros=False,
                 prequential=False):
        if mode not in LEARNING_MODES:
            raise ValueError(f"mode={mode!r} is not a kind of learning; choose one of "
                             f"{list(LEARNING_MODES)}.")
        self.problem = problem
        self.mode = mode
        self.learning_steps = check_int(learning_steps, "learning_steps")
        self.learning_rate_init = check_learning_rate_init(learning_rate_init)
        self.batch_size = default_learning_batch_size(learning_batch_size, problem.n_samples)
        self.chunk_size = check_int(chunk_size, "chunk_size", allow_none=True)
        self.keep_zeros = check_bool(keep_zeros, "keep_zeros")
        self.prequential = check_bool(prequential, "prequential")

    @property
    def lamarckian(self):
        """Whether the learned networks go back into the genomes (``mode == "lamarckian"``)."""
        return self.mode == "lamarckian"

    def __repr__(self):
        return (f"LifetimeLearner(mode={self.mode!r}, learning_steps={self.learning_steps}, "
                f"learning_rate_init={self.learning_rate_init}, "
                f"learning_batch_size={self.batch_size})")

    def plan(self, n_networks):
        """The plan this learner follows when the strategy gives none (a fresh Adam state)."""
        alpha = getattr(self.problem, "alpha", 0.0)
        return LearningPlan.uniform(n_networks, self.learning_rate_init, alpha,
                                    self.learning_steps)

    def learn(self, population, rng, plan=None):
        """Train every network of ``population``; return ``(learned, plan)``.

        Parameters
        ----------
        population : ndarray of shape (P, n_params), or list of NeatGenome
            The networks as the strategy asked them (not changed).
        rng : numpy.random.Generator
            Draws the minibatches (the run's generator).
        plan : LearningPlan or None
            Per-network learning rates, ``alpha`` and steps, and the
            optimiser state to continue; ``None``: this learner's settings,
            the problem's ``alpha`` and a fresh Adam state.

        Returns
        -------
        learned : ndarray of shape (P, n_params), or list of NeatGenome
            The networks after learning (new genomes, for a list). A
            network whose loss or gradient stopped being finite stops
            learning and keeps its last finite weights.
        plan : LearningPlan or None
            ``plan`` with the optimiser state after the steps (``None`` when
            ``plan`` was ``None``).
        """
        genomes = not isinstance(population, np.ndarray) and len(population) \
            and hasattr(population[0], "connections")
        params = list(population) if genomes else np.asarray(population, dtype=np.float64)
        if not genomes and params.ndim != 2:
            raise ValueError(f"population must be 2-D (P, n_params), got shape {params.shape}.")
        given = plan is not None
        plan = (plan if given else self.plan(len(params))).checked(len(params))
        train = self._train_genomes if genomes else self._train
        learned, state = train(params, rng, plan, use_alpha=given)
        return learned, (replace(plan, optimizer_state=state) if given else None)

    def _chunks(self, n_networks):
        size = self.chunk_size
        if size is None:
            chunker = getattr(self.problem, "population_chunk", None)
            size = self.problem.chunk_size if chunker is None \
                else chunker(np.arange(self.batch_size))
        return population_chunks(n_networks, size)

    def _train(self, params, rng, plan, use_alpha):
        """Train the chunks on threads, each with the same minibatches, drawn from ``rng``."""
        start = copy.deepcopy(rng)
        # every row at every step: all rows in their order, no draws
        batch_size = None if self.batch_size >= self.problem.n_samples else self.batch_size

        def train(part):
            chunk_rng = copy.deepcopy(start)
            result = train_population(
                self.problem, params[part], steps=plan.steps, rng=chunk_rng,
                optimizer=Adam(learning_rate=plan.learning_rate[part]),
                state=_slice_state(plan.optimizer_state, part), batch_size=batch_size,
                alpha=plan.alpha[part] if use_alpha else None,
                frozen=params[part] == 0 if self.keep_zeros else None)
            return result, chunk_rng

        with blas_single_thread():
            results, _ = run_in_threads(train, self._chunks(len(params)), thread_count())
        # the run's generator moves on as if it had drawn the minibatches itself
        rng.bit_generator.state = results[0][1].bit_generator.state
        learned = np.concatenate([result.population for result, _ in results])
        return learned, _concat_states([result.state for result, _ in results])

    def _train_genomes(self, genomes, rng, plan, use_alpha):
        """Train genomes chunk by chunk on threads, with minibatches drawn from ``rng`` once."""
        del use_alpha  # graph problems have no L2 term
        batch = None if self.batch_size >= self.problem.n_samples else self.batch_size
        sampler = MinibatchSampler(self.problem.n_samples, batch)
        rows = [sampler.next(rng) for _ in range(plan.steps)]
        width = max(len(g.connections) + len(g.nodes) for g in genomes)
        if plan.optimizer_state is not None and plan.optimizer_state.m.shape[1] != width:
            raise ValueError(f"plan.optimizer_state has {plan.optimizer_state.m.shape[1]} "
                             f"values per network; these genomes need {width}.")

        def train(part):
            return _train_genome_chunk(self.problem, genomes[part], rows, width,
                                       plan.learning_rate[part],
                                       _slice_state(plan.optimizer_state, part))

        with blas_single_thread():
            results, _ = run_in_threads(train, self._chunks(len(genomes)), thread_count())
        learned = [g for chunk, _ in results for g in chunk]
        return learned, _concat_states([state for _, state in results])


def _genome_values(genomes, width):
    """Connection weights then node biases of each genome, a row each, zero-padded to ``width``."""
    values = np.zeros((len(genomes), width))
    for i, g in enumerate(genomes):
        m = len(g.connections)
        values[i, :m] = g.connections[:, WEIGHT]
        values[i, m:m + len(g.nodes)] = g.nodes[:, BIAS]
    return values


def _with_values(genomes, values, individuals=True):
    """Copies of ``genomes`` with the weights and biases of the rows of ``values``.

    With ``individuals`` false, plain genomes (no fitness) for a gradient pass only.
    """
    learned = []
    for g, row in zip(genomes, values):
        m = len(g.connections)
        connections, nodes = g.connections.copy(), g.nodes.copy()
        connections[:, WEIGHT] = row[:m]
        nodes[:, BIAS] = row[m:m + len(nodes)]
        kind = type(g) if individuals else NeatGenome   # an individual: a fresh fitness
        learned.append(kind.from_genes(g.n_inputs, g.n_outputs, nodes, connections))
    return learned


def _train_genome_chunk(problem, genomes, rows, width, learning_rate, state):
    """Adam steps of a chunk of genomes on ``rows`` (one minibatch per step).

    As :func:`~evonet.problems.learning.train_population`: a genome whose loss or
    gradient stops being finite stops learning and keeps its last finite values.
    """
    values = _genome_values(genomes, width)
    optimizer = Adam(learning_rate=learning_rate)
    state = optimizer.init(values) if state is None else state
    stopped = np.zeros(len(genomes), dtype=bool)
    for step_rows in rows:
        with np.errstate(over="ignore", invalid="ignore"):
            result = graph_loss_and_grad(problem, _with_values(genomes, values, False), step_rows)
            grads = _genome_values_of(result, genomes, width)
            stopped |= ~(np.isfinite(result.losses) & np.isfinite(grads).all(axis=1))
            grads[stopped] = 0.0
            new, new_state = optimizer.step(values, grads, state, active=~stopped)
            bad = ~np.isfinite(new).all(axis=1)
            if bad.any():
                stopped |= bad
                new, new_state = optimizer.step(values, grads, state, active=~stopped)
        values, state = new, new_state
    return _with_values(genomes, values), state


def _genome_values_of(result, genomes, width):
    """The gradients of ``graph_loss_and_grad`` laid out as :func:`_genome_values`."""
    grads = np.zeros((len(genomes), width))
    for i, (dw, db) in enumerate(zip(result.weight_grads, result.bias_grads)):
        grads[i, :len(dw)] = dw
        grads[i, len(dw):len(dw) + len(db)] = db
    return grads
