"""What a continued fit does to its run: ``warm_start`` fits and ``partial_fit`` calls."""


from evonet.io.fingerprint import array_fingerprint

__all__ = ["continue_run", "training_rows_key"]


def training_rows_key(est, data, incremental):
    """What identifies a ``warm_start`` fit's training rows (``None`` where no fit compares).

    A digest of the training rows, targets and weights (after any validation
    split) when ``est.warm_start`` and the call is a ``fit``: a later
    ``warm_start`` fit on the same rows may keep the best network found
    before, since its losses compare. ``partial_fit`` calls (a new batch
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
    3
    """
    if incremental or not est.warm_start:
        return None
    return tuple(array_fingerprint(a)["sha256"] if a is not None else None
                 for a in (data.X, data.targets, data.sample_weight))


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
