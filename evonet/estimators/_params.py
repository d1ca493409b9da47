"""Validation of the estimators' parameters, with errors that name the parameter."""

import numbers

import numpy as np

from evonet.checks import check_bool, check_int, check_n_jobs, is_int
from evonet.estimators._learning import check_learning_objective, check_learning_params
from evonet.io.checkpoint import check_checkpoint_settings
from evonet.nn.activations import HIDDEN_ACTIVATIONS
from evonet.strategies import STRATEGIES


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_params(est):
    """Raise ``ValueError`` naming the first invalid parameter of ``est``."""
    hidden = est.hidden_layer_sizes
    if is_int(hidden):
        hidden = (hidden,)
    try:
        hidden = tuple(hidden)
    except TypeError:
        raise ValueError(f"hidden_layer_sizes must be a tuple of positive integers, got "
                         f"{est.hidden_layer_sizes!r}.") from None
    if not all(is_int(h) and h > 0 for h in hidden):
        raise ValueError(f"hidden_layer_sizes must hold positive integers, got "
                         f"{est.hidden_layer_sizes!r}.")
    if not isinstance(est.activation, str) or est.activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"activation={est.activation!r} is not supported; choose one of "
                         f"{list(HIDDEN_ACTIVATIONS)}.")
    if not isinstance(est.strategy, str) or (est.strategy != "auto"
                                             and est.strategy not in STRATEGIES):
        raise ValueError(f"strategy={est.strategy!r} is not supported; choose 'auto' or one "
                         f"of {sorted(STRATEGIES)}.")
    check_int(est.population_size, "population_size", 2, allow_none=True)
    check_int(est.max_generations, "max_generations")
    check_int(est.max_evaluations, "max_evaluations", allow_none=True)
    if not (est.batch_size in ("auto", None) or (is_int(est.batch_size)
                                                  and est.batch_size >= 1)):
        raise ValueError(f"batch_size must be 'auto', None or a positive integer, got "
                         f"{est.batch_size!r}.")
    if not (_is_real(est.alpha) and np.isfinite(est.alpha) and est.alpha >= 0):
        raise ValueError(f"alpha must be a non-negative number, got {est.alpha!r}.")
    check_bool(est.early_stopping, "early_stopping")
    if not (_is_real(est.validation_fraction) and 0 < est.validation_fraction < 1):
        raise ValueError(f"validation_fraction must be in (0, 1), got "
                         f"{est.validation_fraction!r}.")
    if not (isinstance(est.n_iter_no_change, numbers.Real) and est.n_iter_no_change == np.inf):
        if not (is_int(est.n_iter_no_change) and est.n_iter_no_change >= 1):
            raise ValueError(f"n_iter_no_change must be a positive integer or np.inf, got "
                             f"{est.n_iter_no_change!r}.")
    if not (_is_real(est.tol) and est.tol >= 0):
        raise ValueError(f"tol must be a non-negative number, got {est.tol!r}.")
    check_n_jobs(est.n_jobs)
    check_bool(est.retry_failed, "retry_failed")
    if not (is_int(est.verbose) or isinstance(est.verbose, bool)) or est.verbose < 0:
        raise ValueError(f"verbose must be a non-negative integer, got {est.verbose!r}.")
    check_bool(est.warm_start, "warm_start")
    check_checkpoint_settings(est.checkpoint, est.checkpoint_interval)
    if est.strategy_params is not None and not isinstance(est.strategy_params, dict):
        raise ValueError(f"strategy_params must be a dict or None, got "
                         f"{est.strategy_params!r}.")
    check_learning_params(est)
    check_learning_objective(est)
    return hidden
