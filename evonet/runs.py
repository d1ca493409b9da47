"""Assembling a run: the strategy from settings, a new or resumed run, and its checkpoints.

The estimators' ``fit``, :func:`evonet.control.evolve_policy` and the command line all
start and drive their runs through this module, in four steps:

1. :func:`make_strategy` makes the strategy from a name and settings;
2. :class:`CheckpointFile` opens the checkpoint file, if any, before the run is built (a
   resumed run may need what it saved, such as evaluation seeds), and refuses a file of
   another run;
3. :func:`start_run` gives a new run, or the saved run ready to continue;
4. :func:`run_generations` drives it with :func:`~evonet.evolve.evolve`, writing the
   checkpoint while it runs, saving the run if a generation fails or Ctrl-C stops it, and
   removing the file when it ends.

:func:`fit_context` lets a caller add observers to the runs of the ``fit`` calls made inside
it, and keep their checkpoints: the command line keeps a run's checkpoint until the model
file is written.
"""

import contextlib
import contextvars
import inspect
import os
from dataclasses import dataclass, field

from evonet.callbacks import Callback, Checkpoint, RestorePoint, save_failed_run
from evonet.evolve import Run, evolve
from evonet.io.checkpoint import (
    check_checkpoint_location,
    check_checkpoint_settings,
    read_checkpoint,
    remove_checkpoint,
)
from evonet.io.fingerprint import describe_mismatch
from evonet.strategies import STRATEGIES, Strategy, get_strategy

__all__ = ["CheckpointFile", "FitOptions", "check_strategy_params", "fit_context",
           "get_fit_options", "make_strategy", "run_generations", "start_run"]


@dataclass(frozen=True)
class FitOptions:
    """What :func:`fit_context` adds to the runs started inside it.

    Attributes
    ----------
    callbacks : tuple of Callback
        Observers added after a run's own callbacks.
    checkpoint_metadata : dict or None
        JSON-ready values stored in the run's checkpoint metadata.
    keep_checkpoint : bool
        Keep the checkpoint file after the run ends (the caller removes it).
    """

    callbacks: tuple = ()
    checkpoint_metadata: dict = field(default=None)
    keep_checkpoint: bool = False


_FIT_OPTIONS = contextvars.ContextVar("evonet_fit_options", default=None)
_NO_OPTIONS = FitOptions()


@contextlib.contextmanager
def fit_context(*, callbacks=(), checkpoint_metadata=None, keep_checkpoint=False):
    """Add observers to, and keep the checkpoints of, the runs started inside the block.

    Every ``fit``, ``partial_fit`` and :func:`~evonet.control.evolve_policy` call
    made inside the ``with`` block (in this thread or task) passes ``callbacks`` to
    its run after its own, stores ``checkpoint_metadata`` in its checkpoint file and,
    with ``keep_checkpoint``, leaves its checkpoint in place when it ends. Nested
    blocks add to the outer ones: their callbacks come after, their metadata
    updates, and either keeps the checkpoint.

    Parameters
    ----------
    callbacks : sequence of Callback, default=()
    checkpoint_metadata : dict, default=None
        JSON-ready values (the command line stores the command that resumes the run).
    keep_checkpoint : bool, default=False

    Examples
    --------
    >>> import numpy as np
    >>> from evonet import NeuroEvolutionRegressor
    >>> from evonet.callbacks import Callback
    >>> class Count(Callback):
    ...     generations = 0
    ...     def on_generation(self, run):
    ...         self.generations += 1
    >>> counter = Count()
    >>> X = np.linspace(-1, 1, 20)[:, None]
    >>> with fit_context(callbacks=[counter]):
    ...     reg = NeuroEvolutionRegressor((2,), max_generations=5, tol=-1.0,
    ...                                   random_state=0).fit(X, X[:, 0])
    ... # doctest: +SKIP
    >>> counter.generations, reg.stop_reason_  # doctest: +SKIP
    (5, 'budget')
    """
    if checkpoint_metadata is not None and not isinstance(checkpoint_metadata, dict):
        raise ValueError(f"fit_context: checkpoint_metadata must be a dict of JSON values or "
                         f"None, got {checkpoint_metadata!r}.")
    if not isinstance(keep_checkpoint, bool):
        raise ValueError(f"fit_context: keep_checkpoint must be True or False, got "
                         f"{keep_checkpoint!r}.")
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise ValueError(f"fit_context: callbacks must be evonet.callbacks.Callback "
                             f"instances, got {callback!r}.")
    outer = get_fit_options()
    metadata = dict(outer.checkpoint_metadata or {}, **(checkpoint_metadata or {}))
    token = _FIT_OPTIONS.set(FitOptions(outer.callbacks + tuple(callbacks), metadata or None,
                                        outer.keep_checkpoint or bool(keep_checkpoint)))
    try:
        yield get_fit_options()
    finally:
        _FIT_OPTIONS.reset(token)


def get_fit_options():
    """The :class:`FitOptions` in force (those of the innermost :func:`fit_context`).

    Examples
    --------
    >>> get_fit_options().keep_checkpoint
    False
    """
    options = _FIT_OPTIONS.get()
    return _NO_OPTIONS if options is None else options


def make_strategy(strategy, population_size=None, strategy_params=None, defaults=None, *,
                  chosen_by_auto=False):
    """The strategy of a run: a registered name with its settings, or an instance as given.

    Parameters
    ----------
    strategy : str or Strategy
        A name of :data:`~evonet.strategies.STRATEGIES`, or an instance (then
        ``population_size`` and ``strategy_params`` must be left out).
    population_size : int, default=None
        Passed as the strategy's ``population_size`` unless ``None``.
    strategy_params : dict, default=None
        Further settings of the strategy.
    defaults : dict, default=None
        Settings used where ``strategy_params`` gives none (the caller's defaults for
        this strategy, such as NEAT's hidden activation).
    chosen_by_auto : bool, default=False
        Whether ``strategy`` is the one ``strategy="auto"`` chose (said in the
        error about a setting it does not take).

    Returns
    -------
    Strategy

    Examples
    --------
    >>> make_strategy("ga", population_size=20).population_size
    20
    >>> make_strategy("neat", defaults={"activation": "relu"}).mutation.activation
    'relu'

    A setting the strategy does not take is refused, naming the valid ones:

    >>> make_strategy("cmaes", strategy_params={"learning_rate": 0.1})
    Traceback (most recent call last):
    ...
    ValueError: strategy_params={'learning_rate': 0.1}: strategy 'cmaes' takes no setting
    'learning_rate'; its settings are ['mu', 'population_size', 'sigma'].
    """
    if isinstance(strategy, Strategy):
        if population_size is not None or strategy_params:
            raise ValueError("pass population_size and strategy_params to the strategy "
                             "instance itself.")
        return strategy
    check_strategy_params(strategy, strategy_params, chosen_by_auto)
    settings = dict(defaults or {})
    settings.update(strategy_params or {})
    if population_size is not None:
        settings["population_size"] = population_size
    return get_strategy(strategy, **settings)


def check_strategy_params(strategy, strategy_params, chosen_by_auto=False):
    """Raise ``ValueError`` for a key of ``strategy_params`` the strategy does not take.

    Examples
    --------
    >>> check_strategy_params("es", {"sigma": 0.1, "learning_rate": 0.01})
    >>> check_strategy_params("cmaes", {"learning_rate": 0.01}, chosen_by_auto=True)
    Traceback (most recent call last):
    ...
    ValueError: strategy_params={'learning_rate': 0.01}: strategy 'cmaes' (chosen by
    strategy='auto') takes no setting 'learning_rate'; its settings are ['mu',
    'population_size', 'sigma'].
    """
    if not strategy_params or strategy not in STRATEGIES:
        return  # an unknown name is refused by get_strategy, with its own message
    signature = inspect.signature(STRATEGIES[strategy].__init__)
    valid = sorted(name for name, parameter in signature.parameters.items()
                   if name != "self" and parameter.kind not in (parameter.VAR_POSITIONAL,
                                                                 parameter.VAR_KEYWORD))
    unknown = [key for key in strategy_params if key not in valid]
    if unknown:
        which = f"{strategy!r} (chosen by strategy='auto')" if chosen_by_auto \
            else repr(strategy)
        raise ValueError(f"strategy_params={strategy_params!r}: strategy {which} takes no "
                         f"setting {unknown[0]!r}; its settings are {valid}.")


class CheckpointFile:
    """The checkpoint file of a run: opened before the run is built, written while it runs.

    Opening checks the settings and the location (a file name in an existing
    folder), then reads the file if it exists; :meth:`match` then compares the
    fingerprint it was written for (parameters and data) with this run's. A
    file of another kind of run (``kind``) or another fingerprint raises
    ``ValueError`` saying what differs: a file that is not this run's
    checkpoint is never overwritten.

    Parameters
    ----------
    path : str or os.PathLike
    interval : float
        Seconds between writes (0: after every generation).
    kind : str, default=None
        The ``kind`` the saved metadata must have (``"estimator"`` for estimators).

    Attributes
    ----------
    saved : CheckpointData or None
        What the file holds, if it exists.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt")
    >>> checkpoint = CheckpointFile(path, 60)
    >>> checkpoint.match({"params": {"sigma": 0.5}})
    >>> checkpoint.resumed
    False
    """

    def __init__(self, path, interval, kind=None):
        check_checkpoint_settings(path, interval)
        self.path = os.fspath(path)
        self.interval = interval
        self.fingerprint = {}
        check_checkpoint_location(self.path)
        self.saved = None
        if os.path.exists(self.path):
            saved = read_checkpoint(self.path)
            if kind is not None and saved.metadata.get("kind") != kind:
                raise ValueError(f"{self.path}: this checkpoint was not written by an "
                                 f"{kind}'s fit.")
            self.saved = saved

    def match(self, fingerprint):
        """Take this run's fingerprint; ``ValueError`` saying what differs if the saved
        run is another one."""
        self.fingerprint = fingerprint
        if self.saved is None:
            return
        differences = describe_mismatch(self.saved.metadata, fingerprint)
        if differences:
            raise ValueError(f"{self.path}: the checkpoint does not match this run: "
                             f"{'; '.join(differences)}. Delete it, or pass another "
                             f"checkpoint path, to start a new run.")

    @property
    def resumed(self):
        """Whether the run continues from the file."""
        return self.saved is not None

    def saved_metadata(self, key, default=None):
        """A value of the saved metadata (``default`` for a new run or a missing key)."""
        return default if self.saved is None else self.saved.metadata.get(key, default)

    def saver(self, metadata=None, extra=None):
        """The :class:`~evonet.callbacks.Checkpoint` callback writing this file."""
        options = get_fit_options()
        metadata = dict(self.fingerprint, **(metadata or {}))
        if options.checkpoint_metadata:
            metadata.update(options.checkpoint_metadata)
        return Checkpoint(self.path, self.interval, metadata=metadata, extra=extra)

    def remove(self):
        """Delete the file (and any temporary beside it) unless :func:`fit_context` keeps it."""
        if not get_fit_options().keep_checkpoint:
            remove_checkpoint(self.path)


def start_run(strategy, evaluator, rng, initializer, batch_size=None, checkpoint=None,
              stopping=(), validation=None, stats=None, learner=None, check_every=None):
    """A new run, or the run saved in ``checkpoint`` ready to continue.

    Parameters
    ----------
    strategy : Strategy
    evaluator : Evaluator
    rng : numpy.random.Generator
        A new run's generator (a resumed run continues with its saved one).
    initializer : callable
        ``initializer(n, rng)``: a new run's first population.
    batch_size : int or None
        Rows per generation of a new run (a resumed run keeps its sampler).
    checkpoint : CheckpointFile, default=None
    stopping : sequence of StoppingRule
        A resumed run gives them their saved counters.
    validation, stats, learner, check_every : see :class:`~evonet.evolve.Run` (a resumed
        run keeps its saved ``check_every``).

    Returns
    -------
    Run

    Examples
    --------
    >>> import numpy as np
    >>> from evonet import Evaluator, MLPLayout, SupervisedProblem
    >>> from evonet.genome import init_population
    >>> layout = MLPLayout(1, (), 1)
    >>> evaluator = Evaluator(SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0]))
    >>> run = start_run(make_strategy("cmaes"), evaluator, np.random.default_rng(0),
    ...                 lambda n, rng: init_population(layout, n, rng))
    >>> run_generations(run, 5).generation
    5
    """
    if checkpoint is not None and checkpoint.resumed:
        checkpoint.saved.restore_callbacks(stopping)
        return Run.from_state(strategy, evaluator, checkpoint.saved.run_state,
                              stats=stats, validation=validation, learner=learner)
    return Run(strategy, evaluator, rng, initializer=initializer, batch_size=batch_size,
               stats=stats, validation=validation, learner=learner, check_every=check_every)


def run_generations(run, max_generations, max_evaluations=None, callbacks=(), stopping=(),
                    checkpoint=None, metadata=None, extra=None):
    """Drive ``run`` with :func:`~evonet.evolve.evolve`, keeping its checkpoint file.

    With a ``checkpoint``, the file is written every ``checkpoint.interval``
    seconds; if a generation fails (a dead worker, a fitness that raised) or
    Ctrl-C stops the run, the run as it was before that generation is saved
    and the exception says where; when the run ends the file is removed
    (unless :func:`fit_context` keeps it). The callbacks of :func:`fit_context`
    are added after ``callbacks``.

    Parameters
    ----------
    run : Run
    max_generations : int
    max_evaluations : int, default=None
    callbacks : sequence of Callback
    stopping : sequence of StoppingRule
    checkpoint : CheckpointFile, default=None
    metadata : dict, default=None
        Saved in the checkpoint beside the fingerprint.
    extra : object, default=None
        The writer's own state, saved in the checkpoint.

    Returns
    -------
    Run

    Examples
    --------
    See :func:`start_run`.
    """
    callbacks = list(callbacks)
    restore_point = saver = None
    if checkpoint is not None:
        # the restore point first: it notes that a generation is complete before any
        # observer runs, so that Ctrl-C in an observer still saves that generation
        restore_point = RestorePoint()
        saver = checkpoint.saver(metadata, extra)
        callbacks = [restore_point, *callbacks, saver]
    callbacks += get_fit_options().callbacks
    try:
        evolve(run, max_generations, max_evaluations=max_evaluations, callbacks=callbacks,
               stopping=stopping)
    except (Exception, KeyboardInterrupt) as exc:
        if checkpoint is not None:
            save_failed_run(run, restore_point, saver, exc)
        raise
    if checkpoint is not None:
        checkpoint.remove()
    return run
