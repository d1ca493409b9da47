"""The run loop: ask -> evaluate -> tell, with a logbook, a hall of fame and callbacks."""

import copy
import math
import operator
import time

import numpy as np
from deap import tools

from evonet.evaluation import blas_single_thread
from evonet.genome.types import as_individual, copy_individual
from evonet.sampling import MinibatchSampler, make_sampler

__all__ = ["MinibatchSampler", "Run", "evolve", "make_sampler"]  # the samplers: evonet.sampling


def same_individual(a, b):
    """The hall of fame's test of sameness: equal arrays, or the very same genome object."""
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and np.array_equal(a, b)
    return a is b


def spread(losses):
    """``min``, ``mean``, ``std`` and ``max`` of a generation's finite losses (its logbook record).

    A generation with no finite loss records ``inf`` for ``min``, ``mean`` and ``max``
    and ``nan`` for ``std``.

    Examples
    --------
    >>> spread(np.array([1.0, 3.0, np.inf]))
    {'min': 1.0, 'mean': 2.0, 'std': 1.0, 'max': 3.0}
    """
    finite = losses[np.isfinite(losses)]
    if not finite.size:
        return dict(min=np.inf, mean=np.inf, std=np.nan, max=np.inf)
    return dict(min=float(finite.min()), mean=float(finite.mean()), std=float(finite.std()),
                max=float(finite.max()))


CHECK_EVALUATIONS = 100
"""At least this many networks are evaluated between two checks of the incumbent."""


class Run:
    """An evolution run: strategy, state, data sampler and everything recorded so far.

    Every generation asks the strategy for a population, scores it (on a
    minibatch when the sampler gives one) and tells the strategy. Every
    ``check_every`` generations, and after the last one, the run *checks* its
    incumbent: it scores the strategy's current model on the full training
    data, appends that loss to ``loss_curve`` and offers it to the hall of
    fame; stopping callbacks act on checks. A check comes after at least
    :data:`CHECK_EVALUATIONS` network evaluations (every generation for a
    population of 100, every 7th for 15), so that stopping rules count
    comparable amounts of search whatever the population size. With
    minibatches, checks are also spaced so that they cost at most about a
    tenth of the fitness work (``ceil(10 n_samples / (P batch_size))``
    generations apart); the returned model is always chosen on the full
    training data, never on one lucky minibatch.

    Attributes
    ----------
    strategy, state, evaluator : the strategy, its evolving state and the
        :class:`~evonet.evaluation.Evaluator` scoring populations.
    rng : numpy.random.Generator, the run's only source of randomness.
    generation : int, generations run.
    n_evaluations : int, networks evaluated (populations and checks).
    logbook : deap.tools.Logbook, one record per generation: ``gen``, ``nevals``, the
        population's ``min``, ``mean``, ``std`` and ``max`` loss (:func:`spread`), the
        strategy's own entries (NEAT: ``species:KEY`` sizes), ``loss`` on checks,
        ``val_score`` when validated, ``seconds``.
    hall_of_fame : deap.tools.HallOfFame of the best incumbent by training loss.
    loss_curve : list of float, the incumbent's full-data training loss per check.
    checked : bool, whether the last generation ended with a check.
    validation_scores : list of float, the incumbent's validation score per check (with a
        ``validation`` scorer).
    incumbent : the model the strategy would return after the last generation.
    selected : the best-validated incumbent (with a ``validation`` scorer), or ``None``.
    stop_reason : ``None`` while running, then one of
        :data:`evonet.stopping.STOP_REASONS`.
    validation : callable or None
        ``validation(params) -> score`` (higher is better): each check (but the last one
        of an :func:`evolve` call, which only records the loss) scores the incumbent with
        it, appends the score to ``validation_scores`` and keeps the best-scoring
        incumbent as ``selected``. Not saved in checkpoints: it holds data.
    stopping_rules : list of StoppingRule, those of the current :func:`evolve` call.

    Parameters
    ----------
    strategy, evaluator, rng : as the attributes.
    state : the strategy's state to start from; ``None``: ``strategy.init(initializer, rng)``.
    initializer : callable ``(n, rng) -> population``, for a new state.
    batch_size : int or None, rows per generation (``None``: all rows).
    check_every : int or None, generations between checks (``None``: see above).
    halloffame : deap.tools.HallOfFame, default=None, where the checked incumbents go
        (DEAP's ``halloffame``; its default ``==`` becomes a comparison by value, as ``==``
        fails on arrays); a ``HallOfFame(1)`` comparing them by value if ``None``.
    stats : deap.tools.Statistics, default=None, compiled over each generation's losses
        (DEAP's ``stats``) and added to its logbook record, after the population's spread.
    validation : callable, default=None
    learner : object, default=None
        The learning stage of each generation (lifetime learning), between ask
        and tell: ``learner.learn(population, rng, plan) -> (learned, plan)``
        returns the population after learning, whose losses are taken, and the
        strategy's learning plan as updated (``plan`` comes from
        ``strategy.learning_plan(state)``, ``None`` for most strategies, and goes
        back through ``strategy.learned(state, plan)``). With
        ``learner.lamarckian`` true the learned individuals are told to the
        strategy (through ``strategy.tell_learned``); otherwise (Baldwinian
        learning) the strategy is told the individuals it asked for with the
        losses of what they learned, and each
        check learns the incumbent before scoring it, so that the model a run
        returns is a learned one. With ``learner.prequential`` true the
        population is scored *before* it learns (test, then train: data that
        arrives in batches judges each network on rows it has not learned
        from) and told as learned. Not saved in checkpoints: it holds data.
    """

    def __init__(self, strategy, evaluator, rng, state=None, initializer=None, batch_size=None,
                 check_every=None, halloffame=None, stats=None, validation=None, learner=None):
        self.strategy, self.evaluator, self.rng = strategy, evaluator, rng
        if state is None:
            if initializer is None:
                raise ValueError("a new run needs an initializer.")
            state = strategy.init(initializer, rng)
        self.state = state
        self.n_evaluations = 0
        self.logbook = tools.Logbook()
        self.logbook.header = ["gen", "nevals", "min", "mean", "std", "max", "loss", "seconds"]
        self.hall_of_fame = hof = tools.HallOfFame(1, similar=same_individual) \
            if halloffame is None else halloffame
        if hof.similar is operator.eq:  # DEAP's default: ambiguous on arrays
            hof.similar = same_individual
        self.stats, self.validation, self.learner = stats, validation, learner
        self.stopping_rules, self.loss_curve, self.validation_scores = [], [], []
        self.incumbent = self.selected = self.stop_reason = None
        self.checked, self._check_every = False, None
        self.set_data(evaluator, batch_size, check_every)

    def __getstate__(self):
        # the evaluator, the validation scorer and the learner hold the data (set_data()
        # gives a run new data)
        return {**self.__dict__, "evaluator": None, "validation": None, "learner": None,
                "stopping_rules": []}

    STATE_FIELDS = ("state", "rng", "n_evaluations", "logbook", "hall_of_fame", "loss_curve",
                    "validation_scores", "incumbent", "selected", "stop_reason", "checked",
                    "sampler", "_check_every", "_told")
    """What a checkpoint saves of a run: everything but the strategy and the evaluator,
    which hold only fixed settings and the data."""

    def get_state(self):
        """The run's evolving state, a dict of :attr:`STATE_FIELDS` (for checkpoints).

        Together with the strategy (fixed settings) and the data it is
        everything that decides the rest of the run, the minibatch sampler's
        position in its epoch included.
        """
        return {name: getattr(self, name, None) for name in self.STATE_FIELDS}

    @classmethod
    def from_state(cls, strategy, evaluator, fields, stats=None, validation=None, learner=None):
        """The run :meth:`get_state` described, continuing on ``evaluator``'s data.

        Unlike :meth:`set_data`, the saved sampler is kept, so the next
        generation draws exactly the rows it would have drawn.

        Examples
        --------
        >>> import numpy as np
        >>> from evonet import MLPLayout, SupervisedProblem, Evaluator
        >>> from evonet.genome import init_population
        >>> from evonet.strategies import get_strategy
        >>> layout = MLPLayout(1, (), 1)
        >>> problem = SupervisedProblem(layout, [[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
        >>> make = lambda: Run(get_strategy("ga", population_size=10), Evaluator(problem),
        ...                    np.random.default_rng(0),
        ...                    initializer=lambda n, rng: init_population(layout, n, rng))
        >>> a, b = evolve(make(), 3), evolve(make(), 2)
        >>> b = evolve(Run.from_state(b.strategy, Evaluator(problem), b.get_state()), 1)
        >>> bool(np.array_equal(a.best, b.best)), b.generation
        (True, 3)
        """
        missing = [name for name in cls.STATE_FIELDS if name not in fields]
        if missing:
            raise ValueError(f"the saved run lacks {missing}.")
        run = cls.__new__(cls)
        run.strategy = strategy
        run.evaluator = evaluator
        run.stats = stats
        run.validation = validation
        run.learner = learner
        run.stopping_rules = []
        for name in cls.STATE_FIELDS:
            setattr(run, name, fields[name])
        if not isinstance(run.rng, np.random.Generator) or not hasattr(run.state, "generation") \
                or not hasattr(run.sampler, "next"):
            raise ValueError("the saved run is incomplete (generator, state or sampler).")
        return run

    @property
    def generation(self):
        return self.state.generation

    @property
    def best_loss(self):
        """Lowest full-data training loss of a checked incumbent so far."""
        return self.hall_of_fame[0].fitness.values[0] if len(self.hall_of_fame) else np.inf

    @property
    def best(self):
        """The run's result: the validation choice if any, else the best incumbent."""
        if self.selected is not None:
            return self.selected
        return self.hall_of_fame[0] if len(self.hall_of_fame) else self.incumbent

    def forget_best(self):
        """Drop the best losses told and checked so far: on other data, they no longer compare."""
        self.state.best_loss = math.inf
        self.hall_of_fame.clear()

    def set_data(self, evaluator, batch_size=None, check_every=None):
        """Score on ``evaluator``'s problem from now on; ``check_every=None`` keeps the run's."""
        self.evaluator = evaluator
        self.sampler = make_sampler(evaluator.problem, batch_size)
        if check_every is not None:
            self._check_every = check_every

    def check_every(self, population_size):
        """Generations between checks (see the class description)."""
        if self._check_every is not None:
            return self._check_every
        every = math.ceil(CHECK_EVALUATIONS / population_size)
        if not self.sampler.full:
            work = population_size * self.sampler.batch_size
            every = max(every, math.ceil(10 * self.evaluator.problem.n_samples / work))
        return every

    def step(self):
        """Run one generation (and a check when one is due); return its logbook record."""
        start = time.perf_counter()
        rows = self.sampler.next(self.rng)
        population = self.strategy.ask(self.state, self.rng)
        if getattr(self.learner, "prequential", False):   # test, then train (see ``learner``)
            losses = self.evaluator.evaluate(population, rows, generation=self.generation + 1)
            scored, population = self._learn(population)
        else:
            scored, population = self._learn(population)
            losses = self.evaluator.evaluate(scored, rows, generation=self.generation + 1)
        self.n_evaluations += len(population)
        lamarckian = getattr(self.learner, "lamarckian", False)   # see ``learner``
        tell = self.strategy.tell_learned if lamarckian else self.strategy.tell
        self.state = tell(self.state, population, losses, self.rng)
        self.incumbent, told = self.strategy.incumbent(self.state)
        self._told = told if rows is None and not self.baldwinian else None
        record = dict(gen=self.generation, nevals=len(population), **spread(losses))
        record.update(self.strategy.logbook_entries(self.state))
        if self.stats is not None:
            record.update(self.stats.compile(losses))
        self.checked = False
        validated = len(self.validation_scores)
        if self.generation % self.check_every(len(population)) == 0:
            record["loss"] = self.check()
        record["seconds"] = time.perf_counter() - start
        if len(self.validation_scores) > validated:
            record["val_score"] = self.validation_scores[-1]
        self.logbook.record(**record)
        return self.logbook[-1]

    @property
    def baldwinian(self):
        """Whether the run learns without writing what was learned back (see ``learner``)."""
        return self.learner is not None and not self.learner.lamarckian

    def _learn(self, population):
        """The learning stage: what to score and what to tell (both ``population`` without one)."""
        if self.learner is None:
            return population, population
        plan = self.strategy.learning_plan(self.state)
        learned, plan = self.learner.learn(population, self.rng, plan)
        self.state = self.strategy.learned(self.state, plan)
        return learned, (learned if self.learner.lamarckian else population)

    def check(self, validate=True):
        """Score the incumbent on the full data, record it and return its loss.

        With a ``validation`` scorer and ``validate``, also score it on the
        validation data and keep it as ``selected`` if it scores best so far.
        With Baldwinian learning the incumbent first learns, and what it
        learned is what is recorded.
        """
        params = self.incumbent
        if self.baldwinian:
            learned, _ = self.learner.learn(
                params[None, :] if isinstance(params, np.ndarray) else [params], self.rng, None)
            params = learned[0]
        loss = self._told
        if loss is None:
            population = params[None, :] if isinstance(params, np.ndarray) else [params]
            loss = float(self.evaluator.evaluate(population)[0])
            self.n_evaluations += 1
        self.loss_curve.append(loss)
        if isinstance(params, np.ndarray):
            individual = as_individual(params, fitness=loss)
        else:
            individual = copy.deepcopy(params)
            individual.fitness.values = (loss,)
        self.hall_of_fame.update([individual])
        self.checked = True
        if validate and self.validation is not None:
            self._validate(params)
        return loss

    def _validate(self, params):
        value = float(self.validation(params))
        best = max(self.validation_scores, default=-np.inf)
        self.validation_scores.append(value)
        if value > best:
            self.selected = copy_individual(params)


def evolve(run, max_generations, max_evaluations=None, callbacks=(), stopping=()):
    """Run generations until the budget is spent or a stopping rule ends the run.

    After each generation the stopping rules (:mod:`evonet.stopping`) are asked in turn
    (every one of them, so that each counter sees each generation) and the first reason
    given ends the run; the loop records it in ``run.stop_reason``. Callbacks only
    observe: ``on_generation`` after each generation, then ``after_generation`` with
    whether the run stops (where a checkpoint is written). The stopping rules act on
    checks (``run.checked``); the last generation of the call is always checked.

    Parameters
    ----------
    run : Run
    max_generations : int, generations to run in this call (on top of those already run).
    max_evaluations : int, default=None, stop once ``run.n_evaluations`` reaches this total.
    callbacks : sequence of Callback, observers (progress, checkpoints, history).
    stopping : sequence of StoppingRule

    Returns
    -------
    Run : the same run, with ``stop_reason`` set (one of :data:`evonet.stopping.STOP_REASONS`).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet import MLPLayout, SupervisedProblem, Evaluator
    >>> from evonet.genome import init_population
    >>> from evonet.stopping import NoImprovementStopping
    >>> from evonet.strategies import get_strategy
    >>> layout = MLPLayout(1, (), 1)
    >>> problem = SupervisedProblem(layout, [[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    >>> run = Run(get_strategy("cmaes", sigma=1.0), Evaluator(problem), np.random.default_rng(0),
    ...           initializer=lambda n, rng: init_population(layout, n, rng))
    >>> run = evolve(run, max_generations=100)
    >>> np.round(run.best, 3), run.stop_reason
    (array([2., 1.]), 'budget')
    >>> run = evolve(run, 1000, stopping=[NoImprovementStopping(tol=1e-3, n_iter_no_change=5)])
    >>> run.stop_reason
    'converged'
    """
    run.stop_reason = None
    run.stopping_rules = list(stopping)
    for callback in callbacks:
        callback.on_start(run)
    try:
        # BLAS single-threaded throughout: fitness must be (for reproducibility) and the
        # strategies' small linear algebra is faster so on a busy machine
        with blas_single_thread(), run.evaluator:
            reason = _generations(run, max_generations, max_evaluations, callbacks)
            if run.incumbent is not None and not run.checked:
                run.logbook[-1]["loss"] = run.check(validate=False)
    except KeyboardInterrupt:
        run.stop_reason = "interrupted"
        raise
    run.stop_reason = reason
    for callback in callbacks:
        callback.on_end(run)
    return run


def _generations(run, max_generations, max_evaluations, callbacks):
    """The loop of :func:`evolve`; returns why it ended."""
    for _ in range(max_generations):
        if max_evaluations is not None and run.n_evaluations >= max_evaluations:
            return "max_evaluations"
        run.step()
        reasons = [rule.check(run) for rule in run.stopping_rules]
        reason = next((r for r in reasons if r is not None), None)
        run.stop_reason = reason    # callbacks see whether this generation ends the run
        for callback in callbacks:
            callback.on_generation(run)
        for callback in callbacks:
            callback.after_generation(run, reason is not None)
        if reason is not None:
            return reason
    return "budget"
