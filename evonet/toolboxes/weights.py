"""A DEAP toolbox for evolving the weights of a fixed-topology network."""

import functools
import inspect

import numpy as np
from deap import base, tools

from evonet.evaluation import Evaluator, SupervisedProblem
from evonet.genome import WeightIndividual
from evonet.genome.weights import random_individual
from evonet.operators import cx_blend, cx_sbx, cx_uniform, mut_gaussian, sel_tournament
from evonet.randomness import make_generator

__all__ = ["CROSSOVERS", "BatchFitness", "batched_map", "make_toolbox"]

CROSSOVERS = {"blend": cx_blend, "sbx": cx_sbx, "uniform": cx_uniform}
"""Crossover name -> DEAP-form operator registered as ``toolbox.mate``."""


class BatchFitness:
    """``toolbox.evaluate``: the loss of one individual, or of many at once.

    Called on one individual it returns a one-element fitness tuple, as DEAP
    expects; :func:`batched_map` recognises it and scores a whole list of
    individuals in one batched pass through the :class:`~evonet.evaluation.Evaluator`.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> from evonet.evaluation import Evaluator, SupervisedProblem
    >>> problem = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0]], [1.0, 3.0])
    >>> fitness = BatchFitness(Evaluator(problem))
    >>> fitness(np.array([2.0, 1.0]))
    (0.0,)
    """

    def __init__(self, evaluator):
        self.evaluator = evaluator

    def __call__(self, individual):
        return (float(self.evaluator.evaluate(np.asarray(individual)[None, :])[0]),)

    def evaluate_many(self, individuals):
        """Fitness tuples of a list of individuals, from one batched evaluation."""
        if not individuals:
            return []
        population = np.stack([np.asarray(ind, dtype=np.float64) for ind in individuals])
        return [(float(v),) for v in self.evaluator.evaluate(population)]


def batched_map(function, *iterables):
    """``toolbox.map``: the builtin ``map``, batched when mapping :class:`BatchFitness`.

    Returns a list. Any other function is mapped one item at a time.

    Examples
    --------
    >>> batched_map(abs, [-1, 2])
    [1, 2]
    """
    target = function
    if isinstance(function, functools.partial) and not function.args and not function.keywords:
        target = function.func
    if isinstance(target, BatchFitness) and len(iterables) == 1:
        return target.evaluate_many(list(iterables[0]))
    return list(map(function, *iterables))


def make_toolbox(
    layout,
    X,
    y,
    loss="squared_error",
    random_state=None,
    *,
    sample_weight=None,
    crossover="blend",
    crossover_kwargs=None,
    mutation_sigma=0.1,
    mutation_indpb=0.1,
    tournsize=3,
    n_jobs=None,
    retry_failed=False,
):
    """Make a fresh DEAP toolbox that evolves the weights of ``layout`` on ``(X, y)``.

    Registers ``individual``, ``population``, ``mate``, ``mutate``, ``select``,
    ``evaluate`` and ``map``, so ``deap.algorithms.eaSimple`` and
    ``eaMuPlusLambda`` run on it unchanged, and ``eaGenerateUpdate`` with a
    ``deap.cma.Strategy`` whose ``generate`` builds
    :data:`~evonet.genome.WeightIndividual` objects.

    Parameters
    ----------
    layout : MLPLayout
        Network shape; an individual is a flat float64 weight vector.
    X : array-like of shape (N, layout.n_inputs)
    y : array-like
        Targets, as :class:`~evonet.evaluation.SupervisedProblem` takes them.
    loss : {"squared_error", "log_loss", "error_rate"}, default="squared_error"
        Fitness to minimise (``FitnessMin``).
    random_state : None, int, RandomState or Generator
        Seeds the generator that the registered ``individual``, ``mate``,
        ``mutate`` and ``select`` draw from; nothing of evonet's draws from the
        global ``random`` or ``numpy.random`` state.
    sample_weight : array-like of shape (N,), default=None
    crossover : {"blend", "sbx", "uniform"}, default="blend"
    crossover_kwargs : dict, default=None
        Options of the crossover: ``alpha`` (blend, default 0.5), ``eta``
        (sbx, default 15) or ``indpb`` (uniform, default 0.5).
    mutation_sigma : float, default=0.1
        Scale of the Gaussian mutation.
    mutation_indpb : float, default=0.1
        Probability that a gene is mutated.
    tournsize : int, default=3
        Tournament size of ``select``.
    n_jobs : int, default=None
        Parallel evaluation through joblib (see :class:`~evonet.evaluation.Evaluator`).
    retry_failed : bool, default=False
        When a worker process dies while scoring, score the chunks it lost
        again on fresh workers (once) instead of raising ``RuntimeError``.

    Returns
    -------
    deap.base.Toolbox

    Notes
    -----
    ``toolbox.map(toolbox.evaluate, individuals)`` scores the whole list in one
    batched forward pass; replacing ``toolbox.map`` (with ``multiprocessing``'s
    or SCOOP's map, say) evaluates one individual per call and loses it.

    DEAP's algorithms draw from Python's ``random`` module (and ``deap.cma``
    from ``numpy.random``): seed those too, e.g. ``random.seed(0)``, for a
    reproducible ``eaSimple`` run.

    Individuals are NumPy arrays, so a ``tools.HallOfFame`` needs
    ``similar=numpy.array_equal``, and DEAP's slicing crossovers
    (``tools.cxOnePoint``, ``tools.cxTwoPoint``) must not be registered: they
    swap slices, which on arrays are views, so one parent's genes are lost
    (DEAP's NumPy tutorial says the same). ``tools.cxUniform``, ``cxBlend``,
    ``mutGaussian`` and ``selNSGA2`` work, as do evonet's own operators.

    Examples
    --------
    >>> import random
    >>> import numpy as np
    >>> from deap import algorithms
    >>> from evonet import MLPLayout, make_toolbox
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    >>> y = np.array([0.0, 1.0, 1.0, 0.0])
    >>> toolbox = make_toolbox(MLPLayout(2, (2,), 1), X, y, random_state=0)
    >>> random.seed(0)
    >>> pop = toolbox.population(n=50)
    >>> pop, log = algorithms.eaSimple(pop, toolbox, cxpb=0.5, mutpb=0.3, ngen=5, verbose=False)
    >>> len(pop), pop[0].fitness.valid
    (50, True)
    """
    if crossover not in CROSSOVERS:
        raise ValueError(f"crossover={crossover!r} is not supported; choose one of "
                         f"{list(CROSSOVERS)}.")
    _check_crossover_kwargs(crossover, crossover_kwargs)
    rng = make_generator(random_state)
    problem = SupervisedProblem(layout, X, y, loss=loss, sample_weight=sample_weight)
    evaluator = Evaluator(problem, n_jobs=n_jobs, retry_failed=retry_failed)

    toolbox = base.Toolbox()
    toolbox.register("individual", random_individual, layout, rng)
    toolbox.register("population", tools.initRepeat, list, toolbox.individual)
    toolbox.register("mate", CROSSOVERS[crossover], **(crossover_kwargs or {}), rng=rng)
    toolbox.register("mutate", mut_gaussian, sigma=mutation_sigma, indpb=mutation_indpb, rng=rng)
    toolbox.register("select", sel_tournament, tournsize=tournsize, rng=rng)
    toolbox.register("evaluate", BatchFitness(evaluator))
    toolbox.register("map", batched_map)
    # checked here so that a bad option fails now, not in the first generation
    if not np.isfinite(mutation_sigma) or mutation_sigma < 0:
        raise ValueError(f"mutation_sigma must be finite and non-negative, got {mutation_sigma!r}.")
    if not 0 <= mutation_indpb <= 1:
        raise ValueError(f"mutation_indpb must be in [0, 1], got {mutation_indpb!r}.")
    if isinstance(tournsize, bool) or not isinstance(tournsize, int) or tournsize < 1:
        raise ValueError(f"tournsize must be a positive integer, got {tournsize!r}.")
    return toolbox


def _check_crossover_kwargs(crossover, crossover_kwargs):
    """Raise ``ValueError`` for options the crossover does not take, or values it refuses,
    by crossing two networks once (with a generator of its own: the run's draws stay)."""
    if crossover_kwargs is not None and not isinstance(crossover_kwargs, dict):
        raise ValueError(f"crossover_kwargs must be a dict or None, got {crossover_kwargs!r}.")
    kwargs = dict(crossover_kwargs or {})
    # the operator's own options: those after its two parents, but the generator
    options = list(inspect.signature(CROSSOVERS[crossover]).parameters)[2:]
    options.remove("rng")
    unknown = sorted(set(kwargs) - set(options))
    if unknown:
        raise ValueError(f"crossover_kwargs={crossover_kwargs!r}: crossover={crossover!r} takes "
                         f"no option {unknown[0]!r}; it takes {options}.")
    with np.errstate(all="ignore"):
        children = CROSSOVERS[crossover](WeightIndividual(np.zeros(4)),
                                         WeightIndividual(np.ones(4)), **kwargs,
                                         rng=np.random.default_rng(0))
    if not all(np.isfinite(child).all() for child in children):
        raise ValueError(f"crossover_kwargs={crossover_kwargs!r} makes crossover={crossover!r} "
                         f"give non-finite weights.")
