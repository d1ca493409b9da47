"""Checkpoints of an estimator's ``fit``: the fingerprint that decides whether to resume,
and the restore point a failed ``fit`` is saved from."""

import copy
import os
import warnings

from evonet.callbacks import Callback
from evonet.evaluation import _annotate
from evonet.io import jsonable
from evonet.io.checkpoint import check_checkpoint_location, read_checkpoint
from evonet.io.fingerprint import array_fingerprint, describe_mismatch

__all__ = ["FINGERPRINT_EXCLUDED", "RestorePoint", "fingerprint", "open_checkpoint",
           "save_failed_run"]

FINGERPRINT_EXCLUDED = ("checkpoint", "checkpoint_interval", "verbose", "n_jobs",
                        "retry_failed", "max_generations", "max_evaluations")
"""Parameters a resumed ``fit`` may change: where and how often to save, how much to
print, how many workers and whether to retry their failures (results depend on neither)
and the budget (a longer budget continues the same run)."""


def _param_value(value, name):
    try:
        return jsonable(value, name)
    except ValueError:
        return f"<{type(value).__name__}>"


def fingerprint(est, X, y, sample_weight):
    """Parameters and data of a ``fit``, as compared when resuming from a checkpoint.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet import NeuroEvolutionRegressor
    >>> fp = fingerprint(NeuroEvolutionRegressor(), np.zeros((3, 2)), np.zeros(3), None)
    >>> fp["estimator"], fp["data"]["X"]["shape"], "verbose" in fp["params"]
    ('NeuroEvolutionRegressor', [3, 2], False)
    """
    params = {name: _param_value(value, name)
              for name, value in est.get_params(deep=False).items()
              if name not in FINGERPRINT_EXCLUDED}
    return {"estimator": type(est).__name__, "params": params,
            "data": {"X": array_fingerprint(X), "y": array_fingerprint(y),
                     "sample_weight": array_fingerprint(sample_weight)}}


def open_checkpoint(est):
    """The checkpoint ``est.checkpoint`` names if the file exists, else ``None``.

    Raises ``ValueError`` for a path in a missing folder, a folder, or a file
    that is not a readable checkpoint of this kind of estimator (a file that
    is not a checkpoint is never overwritten).
    """
    path = os.fspath(est.checkpoint)
    check_checkpoint_location(path)
    if not os.path.exists(path):
        return None
    saved = read_checkpoint(path)
    if saved.metadata.get("kind") != "estimator":
        raise ValueError(f"{path}: this checkpoint was not written by an estimator's fit.")
    return saved


def check_resume(saved, current):
    """Raise ``ValueError`` saying what differs if ``saved`` is not a checkpoint of this fit."""
    differences = describe_mismatch(saved.metadata, current)
    if differences:
        raise ValueError(f"{saved.path}: the checkpoint does not match this fit: "
                         f"{'; '.join(differences)}. Delete it, or pass another checkpoint "
                         f"path, to start a new run.")
    for key, kind in (("start_generation", int), ("strategy", str)):
        if not isinstance(saved.metadata.get(key), kind):
            raise ValueError(f"{saved.path}: field 'metadata.{key}' is missing or invalid.")
    if not isinstance(saved.extra, dict) or "targets" not in saved.extra:
        raise ValueError(f"{saved.path}: the checkpoint lacks the estimator's target encoding.")


class RestorePoint(Callback):
    """The run as it was at its last generation boundary, for the checkpoint of a failed fit.

    A generation draws its rows and its population from the run's generator,
    scores them, and only then tells the strategy. A failure while scoring (a
    worker process that died, a fitness that raised) thus leaves the run as
    it was at the boundary but for the generator and the sampler, which this
    callback copies at every boundary (a few microseconds) and
    :meth:`restore` puts back. Place it right after the stopping rules: its
    ``on_generation`` notes that they have seen the generation, which makes a
    failure in a later callback one of a complete generation.

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
        return False

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
        if run.generation == self.generation and run.n_evaluations == self.n_evaluations:
            run.rng.bit_generator.state = self.rng_state
            run.sampler = copy.copy(self.sampler)
            return True
        return run.generation == self.completed and run.stop_reason is None


def save_failed_run(run, point, saver, exc):
    """Write the checkpoint of a ``fit`` that failed with ``exc`` (the state before the
    failing generation), and say in ``exc`` where it is."""
    if not point.restore(run):
        _annotate(exc, f"evonet: the failure came after the strategy was told generation "
                       f"{run.generation}; {saver.path} keeps the last periodic checkpoint, "
                       f"if any")
        return
    try:
        saver.write(run)
    except OSError as err:
        warnings.warn(f"could not save the run to {saver.path} after the failure ({err}).",
                      UserWarning, stacklevel=3)
        return
    _annotate(exc, f"evonet: the run up to generation {run.generation} is saved in "
                   f"{saver.path}; fit again with the same checkpoint to resume it")
