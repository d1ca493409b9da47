"""Stopping rules of the run loop: each looks at the run after a generation and returns a reason.

A stopping rule is handed to :func:`~evonet.evolve.evolve` (``stopping=[...]``); after every
generation the loop asks each rule in turn (all of them, so that every counter sees every
generation) and stops with the first reason given, which it records as ``run.stop_reason``.
Rules only read the run: the loop itself scores the incumbent, records validation scores
and keeps the best validated network. A rule that counts across generations returns its
counters from ``get_state`` and takes them back in ``set_state``, so that a checkpoint saves
them and a resumed run stops exactly where the uninterrupted one would. A rule may also say
how close it is to stopping (``progress``), which the progress display shows.

The reasons a run can stop for, as recorded in ``run.stop_reason`` (and ``stop_reason_`` of a
fitted estimator or policy):

``"budget"``
    ``max_generations`` generations were run.
``"max_evaluations"``
    ``max_evaluations`` networks were evaluated.
``"converged"``
    the training loss stopped improving (:class:`NoImprovementStopping`), the front's
    hypervolume did (:class:`HypervolumeStopping`), or the strategy's search distribution
    collapsed onto a point (:class:`StepSizeStopping`).
``"validation"``
    the validation score stopped improving (:class:`ValidationStopping`).
``"target_reached"``
    a network reached the target fitness (``evonet.control.evolve_policy``).
``"interrupted"``
    ``KeyboardInterrupt`` (Ctrl-C) ended the run.
"""

import numpy as np

__all__ = ["STOP_REASONS", "HypervolumeStopping", "NoImprovementStopping", "StepSizeStopping",
           "StoppingRule", "ValidationStopping"]

STOP_REASONS = ("budget", "max_evaluations", "converged", "validation", "target_reached",
                "interrupted")
"""Every value ``run.stop_reason`` takes once a run has ended."""


class StoppingRule:
    """Base class: ``check(run)`` returns a reason to stop (a string) or ``None``.

    Examples
    --------
    >>> class StopAt(StoppingRule):
    ...     reason = "budget"
    ...     def __init__(self, generation):
    ...         self.generation = generation
    ...     def check(self, run):
    ...         return self.reason if run.generation >= self.generation else None
    >>> StopAt(3).check(type("R", (), {"generation": 3})())
    'budget'
    """

    reason = None
    """The reason this rule gives when it stops the run."""

    def check(self, run):
        """Called after each generation; return a reason to stop, or ``None`` to go on."""
        return None

    def progress(self, run):
        """How close the rule is to stopping the run, from 0 to 1, or ``None`` if unknown.

        :class:`~evonet.callbacks.ProgressPrinter` shows the larger of this and the
        budget's fraction spent, so that its bar and time left follow the rule that will
        stop the run rather than a budget that is never reached.
        """
        return None

    def checks_left(self, run):
        """Checks the run goes on for at least before this rule stops it, or ``None``."""
        return None

    def get_state(self):
        """Counters to save in a checkpoint (a dict), or ``None`` for a stateless rule."""
        return None

    def set_state(self, state):
        """Take back what :meth:`get_state` returned (resuming from a checkpoint)."""


class _Patience(StoppingRule):
    """A counter of checks without an improvement of more than ``tol`` (saved in checkpoints)."""

    def __init__(self, tol, n_iter_no_change, best):
        self.tol = float(tol)
        # np.inf (accepted, as in scikit-learn) never runs out of patience
        self.n_iter_no_change = (float(n_iter_no_change) if n_iter_no_change == np.inf
                                 else int(n_iter_no_change))
        self.best = best
        self.count = 0

    def _count(self, improved, run=None):
        """Count a check; return the reason once patience runs out.

        With ``run``, a strategy that changes its search when the run stalls
        (:meth:`~evonet.strategies.Strategy.stalled`) gets the run fresh
        patience instead.
        """
        self.count = 0 if improved else self.count + 1
        if self.count < self.n_iter_no_change:
            return None
        stalled = getattr(getattr(run, "strategy", None), "stalled", None)
        if stalled is not None and stalled(run.state):
            self.count = 0
            return None
        return self.reason

    def progress(self, run):
        """Checks without improvement so far over the patience (``n_iter_no_change``)."""
        return min(1.0, self.count / self.n_iter_no_change)

    def checks_left(self, run):
        """Checks without improvement still to go: the run stops after them at the earliest."""
        return max(0.0, self.n_iter_no_change - self.count)

    def get_state(self):
        return {"best": self.best, "count": self.count}

    def set_state(self, state):
        self.best, self.count = float(state["best"]), int(state["count"])


class NoImprovementStopping(_Patience):
    """Stop when the training loss has not improved by ``tol`` for ``n_iter_no_change`` checks.

    The rule of scikit-learn's MLP: a check counts as no improvement when the
    incumbent's full-data training loss is above ``best_loss - tol``. Checks
    happen every generation with full-data fitness (see :class:`~evonet.evolve.Run`).

    Examples
    --------
    >>> rule = NoImprovementStopping(tol=0.1, n_iter_no_change=2)
    >>> run = type("R", (), {"checked": True, "loss_curve": [1.0]})()
    >>> [rule.check(run) for run.loss_curve[0] in (1.0, 0.95, 0.93)]
    [None, None, 'converged']
    """

    reason = "converged"

    def __init__(self, tol=1e-4, n_iter_no_change=10):
        super().__init__(tol, n_iter_no_change, best=np.inf)

    def check(self, run):
        if not run.checked:
            return None
        loss = run.loss_curve[-1]
        improved = loss <= self.best - self.tol
        self.best = min(self.best, loss)
        return self._count(improved, run)

    def checks_left(self, run):
        """Checks without improvement still to go, the strategy's step cuts included."""
        stalls_left = getattr(getattr(run, "strategy", None), "stalls_left", None)
        cuts = stalls_left(run.state) if stalls_left is not None else 0
        left = super().checks_left(run)
        return left + cuts * self.n_iter_no_change if cuts else left


class ValidationStopping(_Patience):
    """Stop when the validation score has not improved by ``tol`` for ``n_iter_no_change`` checks.

    The run scores its incumbent on the validation data at each check (the
    ``validation`` of :class:`~evonet.evolve.Run`), records the score in
    ``run.validation_scores`` and keeps the best-scoring network as its
    result; this rule counts the checks without an improvement (higher is
    better).

    Examples
    --------
    >>> rule = ValidationStopping(tol=0.1, n_iter_no_change=1)
    >>> run = type("R", (), {"checked": True, "validation_scores": [0.5]})()
    >>> rule.check(run), rule.check(run)
    (None, 'validation')
    """

    reason = "validation"

    def __init__(self, tol=1e-4, n_iter_no_change=10):
        super().__init__(tol, n_iter_no_change, best=-np.inf)

    def check(self, run):
        if not run.checked or not run.validation_scores:
            return None
        value = run.validation_scores[-1]
        improved = value >= self.best + self.tol
        self.best = max(self.best, value)
        return self._count(improved)


class HypervolumeStopping(_Patience):
    """Stop when the front's hypervolume has not grown by ``tol`` for ``n_iter_no_change`` checks.

    For strategies of several objectives whose state records the hypervolume of
    its front (``run.state.hypervolume``, higher is better, as
    :class:`~evonet.strategies.NSGA2`); counted on checks, as
    :class:`NoImprovementStopping`, and giving the same reason.

    Examples
    --------
    >>> rule = HypervolumeStopping(tol=0.1, n_iter_no_change=2)
    >>> run = type("R", (), {"checked": True, "state": type("S", (), {})()})()
    >>> volumes = (1.0, 1.05, 1.08)
    >>> [rule.check(run) for run.state.hypervolume in volumes]
    [None, None, 'converged']
    """

    reason = "converged"

    def __init__(self, tol=1e-4, n_iter_no_change=10):
        super().__init__(tol, n_iter_no_change, best=-np.inf)

    def check(self, run):
        if not run.checked:
            return None
        value = float(run.state.hypervolume)
        improved = value >= self.best + self.tol
        self.best = max(self.best, value)
        return self._count(improved)


class StepSizeStopping(StoppingRule):
    """Stop when the strategy reports that its search distribution has collapsed.

    A strategy with a ``converged(state, tolx)`` method (CMA-ES:
    :meth:`~evonet.strategies.cmaes.CMAES.converged`, ``sigma`` times the
    largest standard deviation of its covariance below ``tolx`` times the
    initial ``sigma``) is asked after each check; once its samples all lie
    within that distance of the mean, further generations only re-evaluate the
    same network, and the run stops with ``"converged"``. Other strategies
    (no such method) never stop the run through this rule. The rule keeps no
    counters: the step size is part of the strategy's state, which checkpoints
    save, so a resumed run stops where the uninterrupted one would.

    Parameters
    ----------
    tolx : float, default=1e-3
        Largest step, relative to the initial step size, at which the
        distribution counts as collapsed.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet import Evaluator, MLPLayout, SupervisedProblem
    >>> from evonet.evolve import Run, evolve
    >>> from evonet.genome import init_population
    >>> from evonet.strategies import get_strategy
    >>> layout = MLPLayout(1, (), 1)
    >>> problem = SupervisedProblem(layout, [[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    >>> run = Run(get_strategy("cmaes", sigma=1.0), Evaluator(problem), np.random.default_rng(0),
    ...           initializer=lambda n, rng: init_population(layout, n, rng))
    >>> run = evolve(run, 5000, stopping=[StepSizeStopping(tolx=1e-6)])
    >>> run.stop_reason, run.generation < 5000
    ('converged', True)
    """

    reason = "converged"

    def __init__(self, tolx=1e-3):
        if not (isinstance(tolx, (int, float)) and tolx >= 0):
            raise ValueError(f"tolx must be a number >= 0, got {tolx!r}.")
        self.tolx = float(tolx)

    def check(self, run):
        converged = getattr(run.strategy, "converged", None)
        if not run.checked or converged is None:
            return None
        return self.reason if converged(run.state, self.tolx) else None
