"""Callbacks of the run loop: observers such as the progress display and checkpoints.

A callback observes; it does not steer. It has four hooks, each given the
:class:`~evonet.evolve.Run`: ``on_start`` before the first generation of an
:func:`~evonet.evolve.evolve` call, ``on_generation`` after each generation,
``after_generation`` once every callback has seen it (with whether the run
stops) and ``on_end`` once the loop is over. Stopping belongs to the loop and
its stopping rules (:mod:`evonet.stopping`); ``NoImprovementStopping`` and
``ValidationStopping`` are importable from here too.
"""

import copy
import math
import os
import shutil
import sys
import time
import warnings

from evonet.evaluation import annotate_failure
from evonet.io.checkpoint import write_checkpoint
from evonet.stopping import NoImprovementStopping, ValidationStopping

__all__ = ["Callback", "Checkpoint", "NoImprovementStopping", "ProgressPrinter", "RestorePoint",
           "ValidationStopping", "save_failed_run"]


class Callback:
    """Base class with no-op hooks; subclass and override what you need.

    Examples
    --------
    >>> class Losses(Callback):
    ...     def __init__(self):
    ...         self.losses = []
    ...     def on_generation(self, run):
    ...         self.losses.append(run.logbook[-1]["min"])
    >>> history = Losses()
    >>> history.on_generation(type("R", (), {"logbook": [{"min": 0.5}]})())
    >>> history.losses
    [0.5]
    """

    def on_start(self, run):
        """Called before the first generation."""

    def on_generation(self, run):
        """Called after each generation (the return value is ignored)."""

    def after_generation(self, run, stopping):
        """Called after every callback's ``on_generation``, with whether the run stops."""

    def on_end(self, run):
        """Called when the run stops."""

    def get_state(self):
        """Counters to save in a checkpoint (a dict), or ``None`` for a stateless callback."""
        return None

    def set_state(self, state):
        """Take back what :meth:`get_state` returned (resuming from a checkpoint)."""


class ProgressPrinter(Callback):
    """Report progress: generation, losses, evaluations per second and time left.

    On a terminal the report is one line redrawn in place (a progress bar,
    at most ten times a second); elsewhere (a log file, a notebook) one line
    every ``every`` generations, and the last one. When a stopping rule (not
    the budget) ends the run, a last line says why (``stopped at generation
    N: converged``), under the bar or the lines. The bar and the time left
    follow whichever is nearer its end: the budget of ``total`` generations,
    or a stopping rule of
    the run (:meth:`~evonet.stopping.StoppingRule.progress`: for
    ``NoImprovementStopping``, the checks without improvement so far over
    ``n_iter_no_change``). While the rule leads, the time left is that of the
    checks it still needs before it stops the run (at the earliest: an
    improvement starts its count again), so a run about to stop never shows
    the time its whole budget would take.

    Parameters
    ----------
    every : int, default=1
        Generations between two printed lines (when not drawing a bar).
    stream : file, default=None
        Where to write; ``sys.stdout`` if ``None``.
    total : int, default=None
        Generations this call runs at most (the bar and the time left need it).
    bar : bool, default=None
        Draw a bar; ``None`` draws one when ``stream`` is a terminal.

    Examples
    --------
    >>> ProgressPrinter(every=10).every
    10
    >>> format_duration(3725.0)
    '1:02:05'
    """

    def __init__(self, every=1, stream=None, total=None, bar=None):
        self.every = max(1, int(every))
        self.stream = stream
        self.total = None if total is None else max(0, int(total))
        self.bar = bar

    def on_start(self, run):
        self._start = time.perf_counter()
        self._evaluations = run.n_evaluations
        self._generation = run.generation
        self._drawn = -math.inf
        self._checks = 0
        self._printed = None
        stream = self.stream or sys.stdout
        self._bar = self.bar if self.bar is not None else bool(
            getattr(stream, "isatty", lambda: False)())

    def _parts(self, run, seconds):
        record = run.logbook[-1]
        speed = (run.n_evaluations - self._evaluations) / max(seconds, 1e-9)
        parts = []
        if run.loss_curve:
            parts += [f"loss {run.loss_curve[-1]:.6g}", f"best {run.best_loss:.6g}"]
        parts += [f"population min {record['min']:.6g}", f"mean {record['mean']:.6g}"]
        if run.validation_scores:
            parts.append(f"validation {run.validation_scores[-1]:.4f}")
        parts.append(f"{run.n_evaluations} evaluations ({speed:,.0f}/s)")
        _, left = self._progress(run, seconds)
        if left is not None:
            parts.append(f"{format_duration(left)} left")
        return parts

    def _progress(self, run, seconds):
        """Fraction done and seconds left (``None`` when unknown): budget or stopping rule."""
        done = run.generation - self._generation
        per_generation = seconds / max(done, 1)
        fraction = min(done, self.total) / self.total if self.total else None
        left = max(self.total - done, 0) * per_generation if self.total else None
        for rule in getattr(run, "stopping_rules", ()):
            # rules written before progress() existed (duck-typed ones) have no progress
            progress = getattr(rule, "progress", lambda run: None)(run)
            checks_left = getattr(rule, "checks_left", lambda run: None)(run)
            if progress is None or (fraction is not None and progress < fraction):
                continue
            fraction = progress
            if checks_left is not None and self._checks:
                rule_left = checks_left * (done / self._checks) * per_generation
                left = rule_left if left is None else min(left, rule_left)
        return fraction, left

    def on_generation(self, run):
        if run.checked:
            self._checks += 1
        stream = self.stream or sys.stdout
        now = time.perf_counter()
        seconds = now - self._start
        if self._bar:
            last = run.stop_reason is not None or run.generation - self._generation == self.total
            if now - self._drawn < 0.1 and not last:
                return False
            self._drawn = now
            stream.write("\r" + self._bar_line(run, seconds))
            stream.flush()
            return False
        if run.generation % self.every and run.generation != 1:
            return False
        self._print_line(run, seconds, stream)
        return False

    def _print_line(self, run, seconds, stream):
        parts = [f"generation {run.generation:5d}"] + self._parts(run, seconds)
        print(", ".join(parts), file=stream, flush=True)
        self._printed = run.generation

    def _bar_line(self, run, seconds):
        """One terminal-wide line: bar, generations, best and mean loss, speed, time left."""
        done = run.generation - self._generation
        speed = (run.n_evaluations - self._evaluations) / max(seconds, 1e-9)
        fraction, left = self._progress(run, seconds)
        if fraction is not None:
            filled = int(20 * fraction)
            head = f"[{'#' * filled}{'.' * (20 - filled)}] {done}"
            head += f"/{self.total}" if self.total else ""
        else:
            head = f"generation {run.generation}"
        best = run.best_loss if run.loss_curve else run.logbook[-1]["min"]
        parts = [head, f"best {best:.5g}", f"mean {run.logbook[-1]['mean']:.5g}",
                 f"{speed:,.0f} evals/s"]
        if left is not None:
            parts.append(f"{format_duration(left)} left")
        width = shutil.get_terminal_size((100, 20)).columns - 1
        line = "  ".join(parts)
        return f"{line[:width]:<{width}}"

    def on_end(self, run):
        stream = self.stream or sys.stdout
        ran = hasattr(self, "_start") and run.generation > self._generation
        # the last generation's line, and why the run ended unless its budget did
        if getattr(self, "_bar", False):
            print(file=stream, flush=True)  # ends the redrawn line
        elif ran and self._printed != run.generation:
            self._print_line(run, time.perf_counter() - self._start, stream)
        if ran and run.stop_reason not in (None, "budget"):
            print(f"stopped at generation {run.generation}: {run.stop_reason}", file=stream,
                  flush=True)


def format_duration(seconds):
    """``m:ss`` or ``h:mm:ss`` for a number of seconds.

    Examples
    --------
    >>> format_duration(75.4)
    '1:15'
    """
    seconds = int(round(seconds)) if math.isfinite(seconds) else 0
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Checkpoint(Callback):
    """Save the run to a checkpoint file every ``interval`` seconds (0: every generation).

    The file (see :mod:`evonet.io.checkpoint`) holds the run's whole state
    (:meth:`~evonet.evolve.Run.get_state`) and the counters of the stopping
    rules the run is going with (``run.stopping_rules``), and is written
    atomically after a generation that does not end the run: a crash at any
    moment leaves the previous checkpoint intact. The first write comes
    ``interval`` seconds after the start (at the first generation for 0). A
    write that fails with an ``OSError`` (a full disk) warns and the run goes
    on. Resume with :func:`~evonet.io.checkpoint.resume_run`, passing the same
    stopping rules.

    Parameters
    ----------
    path : str or os.PathLike
    interval : float, default=60
        Seconds between writes; 0 writes after every generation.
    metadata : dict, default=None
        JSON-ready values saved with it (fingerprints, how to resume).
    extra : object, default=None
        Further state of the writer (see :func:`~evonet.io.checkpoint.write_checkpoint`).

    Attributes
    ----------
    n_writes : int
    write_seconds : float
        Time spent writing, in total.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from evonet import Evaluator, MLPLayout, SupervisedProblem
    >>> from evonet.evolve import Run, evolve
    >>> from evonet.genome import init_population
    >>> from evonet.strategies import get_strategy
    >>> layout = MLPLayout(1, (), 1)
    >>> problem = SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0])
    >>> run = Run(get_strategy("cmaes"), Evaluator(problem), np.random.default_rng(0),
    ...           initializer=lambda n, rng: init_population(layout, n, rng))
    >>> saver = Checkpoint(os.path.join(tempfile.mkdtemp(), "run.ckpt"), interval=0)
    >>> run = evolve(run, max_generations=5, callbacks=[saver])
    >>> saver.n_writes, os.path.exists(saver.path)
    (5, True)
    """

    def __init__(self, path, interval=60.0, metadata=None, extra=None):
        self.path = os.fspath(path)
        self.interval = float(interval)
        self.metadata = metadata
        self.extra = extra
        self.n_writes = 0
        self.write_seconds = 0.0

    def on_start(self, run):
        self._last = time.monotonic()

    def after_generation(self, run, stopping):
        if stopping:
            return   # the run ends now; the previous checkpoint replays this generation
        if self.interval > 0 and time.monotonic() - self._last < self.interval:
            return
        try:
            self.write(run)
        except OSError as exc:
            # a full disk or a lost mount must not end a run the checkpoint is there to
            # protect: the previous checkpoint stays, and the next interval tries again
            self._last = time.monotonic()
            warnings.warn(f"checkpoint {self.path} could not be written ({exc}); the run "
                          f"continues and tries again in {self.interval:g} s.", UserWarning,
                          stacklevel=2)

    def write(self, run):
        """Write the checkpoint now."""
        start = time.perf_counter()
        write_checkpoint(self.path, run, run.stopping_rules, self.metadata, self.extra)
        self.write_seconds += time.perf_counter() - start
        self.n_writes += 1
        self._last = time.monotonic()


class RestorePoint(Callback):
    """The run as it was at its last generation boundary, for the checkpoint of a failed run.

    A generation draws its rows and its population from the run's generator,
    scores them, and only then tells the strategy. A failure while scoring (a
    worker process that died, a fitness that raised) thus leaves the run as
    it was at the boundary but for the generator and the sampler, which this
    callback copies at every boundary (a few microseconds) and
    :meth:`restore` puts back. Its ``on_generation`` notes that the stopping
    rules have seen the generation, which makes a failure in a later callback
    one of a complete generation.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet import Evaluator, MLPLayout, SupervisedProblem
    >>> from evonet.evolve import Run, evolve
    >>> from evonet.genome import init_population
    >>> from evonet.strategies import get_strategy
    >>> layout = MLPLayout(1, (), 1)
    >>> run = Run(get_strategy("ga", population_size=8),
    ...           Evaluator(SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0])),
    ...           np.random.default_rng(0),
    ...           initializer=lambda n, rng: init_population(layout, n, rng))
    >>> point = RestorePoint()
    >>> run = evolve(run, 2, callbacks=[point])
    >>> drawn = run.rng.random()        # a generation that fails after drawing
    >>> point.restore(run), run.rng.random() == drawn
    (True, True)
    """

    def __init__(self):
        self.generation = None
        self.completed = None

    def on_start(self, run):
        self._keep(run)

    def on_generation(self, run):
        self.completed = run.generation

    def after_generation(self, run, stopping):
        self._keep(run)

    def _keep(self, run):
        self.generation = run.generation
        self.n_evaluations = run.n_evaluations
        self.rng_state = run.rng.bit_generator.state  # a fresh dict
        # samplers rebind their state in next() (a new permutation, a new position),
        # never change it in place: a shallow copy keeps the boundary's
        self.sampler = copy.copy(run.sampler)

    def restore(self, run):
        """Put ``run`` back at its last boundary if it failed while scoring; return
        whether it is now a consistent state to save (at a boundary, or after a whole
        generation that did not end the run)."""
        if self.generation is None:
            return False
        if run.generation == self.generation:
            # not told yet: what the generation drew and counted is put back (a strategy
            # that updates its state in place could have been stopped half way through
            # tell by Ctrl-C: a moment too short to guard with a copy every generation)
            run.rng.bit_generator.state = self.rng_state
            run.sampler = copy.copy(self.sampler)
            run.n_evaluations = self.n_evaluations
            return True
        return run.generation == self.completed and run.stop_reason in (None, "interrupted")


def save_failed_run(run, point, saver, exc):
    """Write the checkpoint of a run that failed with ``exc`` (the state before the
    failing generation), and say in ``exc`` where it is."""
    if not point.restore(run):
        annotate_failure(exc, f"evonet: the failure came after the strategy was told generation "
                      f"{run.generation}; {saver.path} keeps the last periodic checkpoint, "
                      f"if any")
        return
    try:
        saver.write(run)
    except OSError as err:
        warnings.warn(f"could not save the run to {saver.path} after the failure ({err}).",
                      UserWarning, stacklevel=3)
        return
    annotate_failure(exc, f"evonet: the run up to generation {run.generation} is saved in "
                  f"{saver.path}; run again with the same checkpoint to resume it")
