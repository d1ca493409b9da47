"""What a continued fit does to its run: ``warm_start`` fits and ``partial_fit`` calls."""

import copy

from evonet.estimators._checkpoint import param_value
from evonet.io.fingerprint import array_fingerprint

__all__ = ["OBJECTIVE_PARAMS", "check_run_params", "continue_run", "run_params",
           "training_rows_key"]

OBJECTIVE_PARAMS = ("alpha", "scoring", "batch_size", "loss_warmup", "learning",
                    "learning_steps", "learning_rate_init", "learning_batch_size")
"""Parameters that change what a fit's losses measure: after a change, a ``warm_start``
fit's losses no longer compare with those of the fit before."""
RUN_PARAMS = ("strategy", "population_size", "strategy_params")
"""Parameters that set up a run: a continued fit cannot change them."""
PBT_RUN_PARAMS = ("alpha", "learning_rate_init")
"""What else sets up a PBT run: its members' initial ``alpha`` and learning rates."""


def run_params(est, strategy_name):
    """The parameters that set up ``est``'s new run of ``strategy_name`` (kept to compare)."""
    names = RUN_PARAMS + (PBT_RUN_PARAMS if strategy_name == "pbt" else ())
    return {name: copy.deepcopy(getattr(est, name)) for name in names}


def _same(a, b, name):
    return param_value(a, name) == param_value(b, name)


def check_run_params(est, incremental):
    """Raise ``ValueError`` when a continued fit changed a parameter its run was set up with.

    A ``warm_start`` fit or ``partial_fit`` call continues the run of the
    fit before: its strategy, population and settings (for PBT also the
    members' ``alpha`` and learning rates, which ``alpha`` and
    ``learning_rate_init`` scale when the run starts). Changing one of them
    would be ignored; it takes a new run instead.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from evonet import NeuroEvolutionClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NeuroEvolutionClassifier((3,), max_generations=2, warm_start=True,
    ...                                random_state=0).fit(X, y)
    >>> clf.set_params(population_size=40).fit(X, y)
    Traceback (most recent call last):
    ...
    ValueError: warm_start continues the run of the previous fit, which population_size=None \
set up; population_size=40 needs a new run: fit with warm_start=False.
    """
    saved = est.__dict__.get("_run_params") or {}
    for name, value in saved.items():
        new = getattr(est, name)
        if name == "strategy" and new == getattr(est, "strategy_", None):
            continue  # naming the strategy "auto" chose: the same run
        if not _same(new, value, name):
            how = "partial_fit" if incremental else "warm_start"
            raise ValueError(f"{how} continues the run of the previous fit, which "
                             f"{name}={value!r} set up; {name}={new!r} needs a new run: fit "
                             f"with warm_start=False.")


def training_rows_key(est, data, incremental):
    """What identifies a ``warm_start`` fit's training rows (``None`` where no fit compares).

    A digest of the training rows, targets and weights (after any validation
    split), and the parameters that change what the losses measure
    (:data:`OBJECTIVE_PARAMS`), when ``est.warm_start`` and the call is a
    ``fit``: a later ``warm_start`` fit on the same rows with the same
    objective may keep the best network found before, since its losses
    compare. ``partial_fit`` calls (a new batch
    each) and fits without ``warm_start`` get ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet import NeuroEvolutionRegressor
    >>> from evonet.estimators._fitdata import FitData
    >>> data = FitData(np.zeros((3, 2)), np.zeros(3), np.zeros((3, 1)), None, 1, "identity")
    >>> print(training_rows_key(NeuroEvolutionRegressor(), data, False))
    None
    >>> len(training_rows_key(NeuroEvolutionRegressor(warm_start=True), data, False))
    11
    """
    if incremental or not est.warm_start:
        return None
    objective = tuple(param_value(getattr(est, name), name) for name in OBJECTIVE_PARAMS)
    return tuple(array_fingerprint(a)["sha256"] if a is not None else None
                 for a in (data.X, data.targets, data.sample_weight)) + objective


def continue_run(run, est, data, evaluator, batch_size, validation, incremental):
    """``run``, continued by a ``warm_start`` fit or a ``partial_fit`` call of ``est`` on its data.

    The best losses recorded so far are dropped unless this fit trains on
    the very rows of the previous ``warm_start`` fit: losses on other rows
    (another batch, other data, another validation split) do not compare,
    and the model of a call comes from that call's search, never from an
    earlier call that scored better on its own rows.
    """
    run.set_data(evaluator, batch_size)  # the run keeps its checks' spacing (PBT: every round)
    run.validation = validation
    key = training_rows_key(est, data, incremental)
    if key is None or key != getattr(run, "data_key", None):
        run.forget_best()
    run.data_key = key
    if not incremental:
        run.selected = None
        run.validation_scores = []
    return run
