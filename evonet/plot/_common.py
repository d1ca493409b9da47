"""What the displays share: fitted models, policies, logbooks and new axes."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["axes_or_new", "fitted_model", "logbook_columns", "logbook_of", "policy_parts"]


def fitted_model(estimator):
    """The fitted evonet estimator (the last step of a ``Pipeline``); ``NotFittedError`` if not."""
    if hasattr(estimator, "network_") and hasattr(estimator, "weights_"):
        raise ValueError(f"{estimator!r} is an evolved policy, not an estimator: use "
                         f"from_policy.")
    if not hasattr(estimator, "fit"):
        raise ValueError(f"estimator must be a fitted evonet estimator (or a Pipeline ending "
                         f"in one), got {type(estimator).__name__}.")
    check_is_fitted(estimator)
    if hasattr(estimator, "steps"):   # a Pipeline: the network is its last step
        estimator = estimator.steps[-1][1]
        check_is_fitted(estimator)
    return estimator


def policy_parts(policy):
    """``(network, weights, env)`` of an :class:`~evonet.control.EvolvedPolicy`."""
    if not (hasattr(policy, "network_") and hasattr(policy, "weights_")):
        raise ValueError(f"policy must be an EvolvedPolicy (evonet.control), got "
                         f"{type(policy).__name__}.")
    return policy.network_, policy.weights_, policy.env_


def logbook_of(model, what):
    """The logbook of a fitted estimator or a policy; ``ValueError`` if it kept none."""
    logbook = getattr(model, "logbook_", None)
    if logbook is None or len(logbook) == 0:
        raise ValueError(f"{type(model).__name__} has no logbook to draw {what} from (a "
                         f"policy built by hand, or one saved without its run).")
    return logbook


def logbook_columns(logbook, names):
    """``generations`` and one float array per name (NaN where a record lacks it)."""
    records = list(logbook)
    if not records or not all(isinstance(r, dict) for r in records):
        raise ValueError("logbook must be a non-empty sequence of records (dicts), as "
                         "deap.tools.Logbook.")
    generations = np.array([r.get("gen", k + 1) for k, r in enumerate(records)], dtype=float)
    return generations, {name: np.array([r.get(name, np.nan) for r in records], dtype=float)
                         for name in names}


def axes_or_new(ax, figsize=None):
    """``ax``, or the axes of a new pyplot figure."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)[1]
