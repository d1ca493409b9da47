"""Checkpoints of an estimator's ``fit``: the fingerprint that decides whether to resume."""

from evonet.estimators._learning import unused_learning_params
from evonet.io import jsonable
from evonet.io.fingerprint import array_fingerprint

__all__ = ["FINGERPRINT_EXCLUDED", "check_saved_fit", "fingerprint", "param_value"]

FINGERPRINT_EXCLUDED = ("checkpoint", "checkpoint_interval", "verbose", "n_jobs",
                        "retry_failed", "max_generations", "max_evaluations")
"""Parameters a resumed ``fit`` may change: where and how often to save, how much to
print, how many workers and whether to retry their failures (results depend on neither)
and the budget (a longer budget continues the same run)."""


def param_value(value, name):
    """A parameter's value as checkpoints compare it: JSON-ready (1 and 1.0 alike).

    Examples
    --------
    >>> import numpy as np
    >>> param_value(np.float64(1.0), "alpha") == param_value(1, "alpha")
    True
    """
    if name == "scoring" and callable(value):
        return repr(value)  # make_scorer's repr names the function and its settings
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
    unused = unused_learning_params(est)   # so checkpoints written before them still match
    params = {name: param_value(value, name)
              for name, value in est.get_params(deep=False).items()
              if name not in FINGERPRINT_EXCLUDED and name not in unused
              # scoring and loss_warmup came after 0.1.0: their defaults (and
              # loss_warmup without scoring) leave older checkpoints valid
              and not (name == "scoring" and value is None)
              and not (name == "loss_warmup" and (value == 0.5 or est.scoring is None))}
    return {"estimator": type(est).__name__, "params": params,
            "data": {"X": array_fingerprint(X), "y": array_fingerprint(y),
                     "sample_weight": array_fingerprint(sample_weight)}}


def check_saved_fit(saved):
    """Raise ``ValueError`` unless checkpoint ``saved`` holds what resuming a fit needs."""
    for key, kind in (("start_generation", int), ("strategy", str)):
        if not isinstance(saved.metadata.get(key), kind):
            raise ValueError(f"{saved.path}: field 'metadata.{key}' is missing or invalid.")
    if not isinstance(saved.extra, dict) or "targets" not in saved.extra:
        raise ValueError(f"{saved.path}: the checkpoint lacks the estimator's target encoding.")
