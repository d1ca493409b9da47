"""Callbacks of the run loop: progress display and sklearn-style stopping rules.

A callback has three hooks, each given the :class:`~evonet.evolve.Run`:
``on_start`` before the first generation of an :func:`~evonet.evolve.evolve`
call, ``on_generation`` after each generation (a true return value stops the
run) and ``on_end`` once the loop is over.
"""

import sys
import time

import numpy as np

__all__ = ["Callback", "NoImprovementStopping", "ProgressPrinter", "ValidationStopping"]


class Callback:
    """Base class with no-op hooks; subclass and override what you need.

    Examples
    --------
    >>> class StopAt(Callback):
    ...     def __init__(self, generation):
    ...         self.generation = generation
    ...     def on_generation(self, run):
    ...         return run.generation >= self.generation
    >>> StopAt(3).on_generation(type("R", (), {"generation": 3})())
    True
    """

    def on_start(self, run):
        """Called before the first generation."""

    def on_generation(self, run):
        """Called after each generation; return True to stop the run."""
        return False

    def on_end(self, run):
        """Called when the run stops."""


class ProgressPrinter(Callback):
    """Print one line every ``every`` generations: losses, evaluations and speed.

    Examples
    --------
    >>> ProgressPrinter(every=10).every
    10
    """

    def __init__(self, every=1, stream=None):
        self.every = max(1, int(every))
        self.stream = stream

    def on_start(self, run):
        self._start = time.perf_counter()
        self._evaluations = run.n_evaluations

    def on_generation(self, run):
        if run.generation % self.every and run.generation != 1:
            return False
        record = run.logbook[-1]
        seconds = time.perf_counter() - self._start
        speed = (run.n_evaluations - self._evaluations) / max(seconds, 1e-9)
        parts = [f"generation {run.generation:5d}"]
        if run.loss_curve:
            parts += [f"loss {run.loss_curve[-1]:.6g}", f"best {run.best_loss:.6g}"]
        parts += [f"population min {record['min']:.6g}", f"mean {record['mean']:.6g}"]
        if run.validation_scores:
            parts.append(f"validation {run.validation_scores[-1]:.4f}")
        parts.append(f"{run.n_evaluations} evaluations ({speed:,.0f}/s)")
        print(", ".join(parts), file=self.stream or sys.stdout, flush=True)
        return False


class NoImprovementStopping(Callback):
    """Stop when the training loss has not improved by ``tol`` for ``n_iter_no_change`` checks.

    The rule of scikit-learn's MLP: a check counts as no improvement when the
    incumbent's full-data training loss is above ``best_loss - tol``. Checks
    happen every generation with full-data fitness (see :class:`~evonet.evolve.Run`).

    Examples
    --------
    >>> NoImprovementStopping(tol=1e-4, n_iter_no_change=10).n_iter_no_change
    10
    """

    def __init__(self, tol=1e-4, n_iter_no_change=10):
        self.tol = float(tol)
        self.n_iter_no_change = int(n_iter_no_change)
        self.best = np.inf
        self.count = 0

    def on_generation(self, run):
        if not run.checked:
            return False
        loss = run.loss_curve[-1]
        if loss > self.best - self.tol:
            self.count += 1
        else:
            self.count = 0
        self.best = min(self.best, loss)
        if self.count >= self.n_iter_no_change:
            run.stop_reason = "converged"
            return True
        return False


class ValidationStopping(Callback):
    """Early stopping on a validation score (higher is better), restoring the best model.

    Each check scores the run's incumbent with ``score(params)``, appends it
    to ``run.validation_scores`` and remembers the best; the run stops when the
    score has not improved by ``tol`` for ``n_iter_no_change`` checks, and its
    result becomes the best-scoring incumbent.

    Examples
    --------
    >>> ValidationStopping(lambda p: 0.0, tol=1e-4, n_iter_no_change=5).n_iter_no_change
    5
    """

    def __init__(self, score, tol=1e-4, n_iter_no_change=10):
        self.score = score
        self.tol = float(tol)
        self.n_iter_no_change = int(n_iter_no_change)
        self.best = -np.inf
        self.count = 0

    def on_generation(self, run):
        if not run.checked:
            return False
        value = float(self.score(run.incumbent))
        run.validation_scores.append(value)
        run.logbook[-1]["val_score"] = value
        if value < self.best + self.tol:
            self.count += 1
        else:
            self.count = 0
        if value > self.best:
            self.best = value
            run.selected = run.copy_params(run.incumbent)
        if self.count >= self.n_iter_no_change:
            run.stop_reason = "converged"
            return True
        return False
