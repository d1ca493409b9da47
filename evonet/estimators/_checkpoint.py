"""Checkpoints of an estimator's ``fit``: the fingerprint that decides whether to resume."""

import os

from evonet.io._fields import jsonable
from evonet.io.checkpoint import array_fingerprint, describe_mismatch, read_checkpoint

__all__ = ["FINGERPRINT_EXCLUDED", "fingerprint", "open_checkpoint"]

FINGERPRINT_EXCLUDED = ("checkpoint", "checkpoint_interval", "verbose", "n_jobs",
                        "max_generations", "max_evaluations")
"""Parameters a resumed ``fit`` may change: where and how often to save, how much to
print, how many workers (results do not depend on it) and the budget (a longer budget
continues the same run)."""


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
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"checkpoint={path!r}: the folder {folder!r} does not exist.")
    if os.path.isdir(path):
        raise ValueError(f"checkpoint={path!r} is a folder; give a file path.")
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
