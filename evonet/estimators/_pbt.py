"""The estimators' population-based training (``strategy="pbt"``): its data, learner and result.

A PBT fit holds out ``validation_fraction`` of the training rows (stratified
for classifiers, as scikit-learn's early stopping; unstratified where a class
has too few rows to stratify), whatever ``early_stopping`` says; so does each
``partial_fit`` call, of its own rows, which is one round of one epoch
(:func:`partial_fit_steps`), but a call of one row, whose members are judged
on it before they learn from it
(:func:`~evonet.estimators._split.holds_out`). The members
learn on the remaining rows: the run's learner is a Lamarckian
:class:`~evonet.learning.LifetimeLearner` on the training problem, following
each member's learning rate, ``alpha`` and Adam state from
:meth:`~evonet.strategies.PBT.learning_plan`, ``learning_batch_size`` rows per
step. The run's evaluator scores the held-out rows: each round's losses, by
which members are exploited and the incumbent chosen, are the members'
validation losses (the estimator's loss, without the L2 term). So the
run's ``loss_curve`` is the best validation loss so far, and the stopping rule
(``tol``, checked after every round, and ``n_iter_no_change`` counted in epochs:
:func:`patience`) is validation-based.
"""

import math

import numpy as np

from evonet.estimators._auto import auto_picks_pbt
from evonet.estimators._learning import make_learner, param_default
from evonet.estimators._scoring import scored_fit, scored_problem
from evonet.learning import LifetimeLearner, default_learning_batch_size
from evonet.strategies.pbt import ALPHA_BOUNDS, PBT, RATE_BOUNDS

__all__ = ["READY_EPOCHS", "STREAM_ALPHA", "fit_learner", "fit_parts", "is_pbt",
           "keep_pbt_history", "partial_fit_steps", "patience", "pbt_ranges", "ready_steps",
           "round_steps"]

STREAM_ALPHA = (1e-5, 1e-2)
"""PBT's initial ``alpha`` range in a run that ``partial_fit`` starts (a ``fit``: PBT's own).

The L2 term is ``0.5 * alpha * ||W||^2 / N`` with ``N`` the rows of the
problem learned on: a call's rows in a stream, the training set in a fit, so
the same ``alpha`` weighs about 30 times more in calls of 50 rows than in a
digits fit (1,293 rows), and in a stream sorted by label it shrinks the
weights of the classes the latest calls lack. With PBT's range,
``[1e-2, 1]``, the digits stream sorted by label of
``benchmarks/stream_accuracy.py`` reached 0.924 and 0.971 held-out accuracy
(seeds 0 and 1), against 0.978 and 0.973 with this one."""


def pbt_ranges(est, incremental):
    """PBT's initial ``alpha`` and learning-rate ranges, scaled by ``alpha`` and
    ``learning_rate_init``.

    At their defaults the estimator's ``alpha`` and ``learning_rate_init``
    give :class:`~evonet.strategies.PBT`'s own ranges (:data:`STREAM_ALPHA`
    for ``alpha`` in a run that ``partial_fit`` starts); other values scale
    them (twice ``alpha``, twice the range), so that a grid search over
    either changes the model, within the bounds PBT's explore keeps them in
    (``alpha`` in ``[1e-10, 10]``, so an ``alpha`` of 0 gives the smallest;
    learning rates in ``[1e-6, 1]``).

    Examples
    --------
    >>> from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
    >>> pbt_ranges(NeuroEvolutionClassifier(), False)
    {'alpha': (0.01, 1.0), 'learning_rate': (0.0003, 0.01)}
    >>> pbt_ranges(NeuroEvolutionRegressor(), True)["alpha"]
    (1e-05, 0.01)
    >>> pbt_ranges(NeuroEvolutionClassifier(alpha=10.0, learning_rate_init=1e-2), False)
    {'alpha': (0.1, 10.0), 'learning_rate': (0.003, 0.1)}
    """
    alpha = est.alpha / param_default(est, "alpha")
    rate = est.learning_rate_init / param_default(est, "learning_rate_init")
    own = PBT()

    def scaled(bounds, factor, limits):  # within the bounds explore keeps them in
        return tuple(float(np.clip(bound * factor, *limits)) for bound in bounds)

    return {"alpha": scaled(STREAM_ALPHA if incremental else own.alpha, alpha, ALPHA_BOUNDS),
            "learning_rate": scaled(own.learning_rate, rate, RATE_BOUNDS)}


READY_EPOCHS = 2
"""Epochs of its training rows a PBT member learns for in a round, by default."""

READY_STEPS = (5, 50)
"""Fewest and most Adam steps of a default PBT round."""


def ready_steps(n_rows, learning_batch_size=None):
    """Adam steps of an estimator's PBT round: ``READY_EPOCHS`` epochs of minibatches, 5 to 50.

    A member is judged (and may be replaced) after each round. Judged after
    a fraction of an epoch, the members that learn slowest look best for the
    moment: on friedman1 (720 training rows, minibatches of 200) rounds of 5
    steps drove every learning rate down to 1e-4 and stopped one fold of
    five on a plateau (R^2 0.73; repeated 5-fold mean 0.917 against the MLP's
    0.929); rounds of two epochs (8 steps) gave 0.931. Small data sets
    (up to 500 training rows with the default minibatches) keep 5 steps, and
    large ones are judged every 50 steps (10,000 rows of minibatches of 200)
    at the latest, however long an epoch is.

    Examples
    --------
    >>> ready_steps(135), ready_steps(720), ready_steps(1293), ready_steps(1293, 64)
    (5, 8, 13, 41)
    >>> ready_steps(10**6)
    50
    """
    batch = default_learning_batch_size(learning_batch_size, n_rows)
    low, high = READY_STEPS
    return min(high, max(low, math.ceil(READY_EPOCHS * n_rows / batch)))


def partial_fit_steps(est, n_rows):
    """Adam steps of a ``partial_fit`` call's PBT round: one epoch of its ``n_rows`` rows.

    As ``MLPClassifier.partial_fit`` makes one pass over the rows it is
    given, a PBT member takes ``ceil(n_rows / learning_batch_size)`` steps
    per call (one for a batch of up to 200 rows), whatever the first call's
    batch was; ``None`` when ``strategy_params`` sets ``steps``. Rounds of 5
    steps per call of 50 rows (5 epochs of each batch) left the members
    fitted to the latest slice of a stream sorted by target: held-out R^2
    -0.99 and -0.35 on two friedman1 streams (``benchmarks/stream_r2.py``,
    seeds 0 and 1), against 0.687 and 0.658 with one step.

    Examples
    --------
    >>> from evonet import NeuroEvolutionRegressor
    >>> partial_fit_steps(NeuroEvolutionRegressor(), 50), partial_fit_steps(
    ...     NeuroEvolutionRegressor(), 1000)
    (1, 5)
    >>> print(partial_fit_steps(NeuroEvolutionRegressor(strategy_params={"steps": 3}), 50))
    None
    """
    if "steps" in (est.strategy_params or {}):
        return None
    return math.ceil(n_rows / default_learning_batch_size(est.learning_batch_size, n_rows))


def round_steps(est, n_rows, incremental):
    """Adam steps of a PBT round of this fit: :func:`partial_fit_steps` for a ``partial_fit``
    call (``None`` when ``strategy_params`` sets them), else :func:`ready_steps`."""
    if incremental:
        return partial_fit_steps(est, n_rows)
    return ready_steps(n_rows, est.learning_batch_size)


def patience(n_iter_no_change, strategy, n_rows, learning_batch_size=None):
    """Checks without improvement before a fit stops; for PBT, rounds of that many epochs.

    Evolution strategies check once a generation and wait ``n_iter_no_change``
    checks. A PBT fit checks after every round, and counts its patience in
    epochs of its ``n_rows`` training rows, as scikit-learn's MLP does: the
    rounds, rounded up, in which its members take ``n_iter_no_change``
    epochs' worth of Adam steps (``strategy.learning_steps_per_generation`` a round, minibatches of
    ``learning_batch_size`` rows), and never more than ``n_iter_no_change``
    rounds (a round of a large data set is a fraction of an epoch). With 50
    checks every round a PBT fit ran on for 50 rounds (100 epochs and more)
    after its best validation loss: five digits folds took 12.3 s, against
    5.9 s with a patience of 10 rounds for the same five models.

    Examples
    --------
    >>> from evonet.strategies import PBT, OpenES
    >>> patience(50, OpenES(), 1293), patience(50, PBT(steps=13), 1293)
    (50, 27)
    >>> patience(50, PBT(steps=5), 128), patience(float("inf"), PBT(), 128)
    (10, inf)
    >>> patience(50, PBT(steps=50), 90_000)
    50
    """
    steps = getattr(strategy, "learning_steps_per_generation", None)
    if steps is None or not math.isfinite(n_iter_no_change):
        return n_iter_no_change
    steps_per_epoch = math.ceil(n_rows / default_learning_batch_size(learning_batch_size, n_rows))
    return max(1, min(n_iter_no_change, math.ceil(n_iter_no_change * steps_per_epoch / steps)))


def is_pbt(est, continuing, checkpoint, n_samples, incremental=False):
    """Whether this fit of ``est`` on ``n_samples`` rows runs population-based training.

    A continued or resumed run keeps its strategy; a new one runs PBT when it
    is asked for or ``strategy="auto"`` picks it
    (:func:`~evonet.estimators._auto.auto_picks_pbt`).
    """
    if continuing:
        return est.strategy_ == "pbt"
    if checkpoint is not None and checkpoint.resumed:
        return checkpoint.saved_metadata("strategy") == "pbt"
    return est.strategy == "pbt" or auto_picks_pbt(est, n_samples, incremental)


def fit_parts(est, problem, architecture, data, validation, pbt):
    """The problem the run's evaluator scores, the validation scorer and the learning problem.

    Without PBT: the estimator's ``scoring`` applied
    (:func:`~evonet.estimators._scoring.scored_fit`) and no learning problem
    of its own (the learner learns on the evaluator's problem). With PBT: the
    validation rows (a ``partial_fit`` call's own rows where it holds none
    out, which its members are judged on before they learn from them) scored by
    the loss without the L2 term (or by ``scoring``, as ``-score``), the
    validation scorer only with ``early_stopping`` (which then records
    ``validation_scores_`` and stops on them, as for every strategy), and
    ``problem`` (the training rows) to learn on.

    Returns
    -------
    (problem, validation, training problem or None)
    """
    if not pbt:
        return (*scored_fit(est, problem, architecture, data, validation), None)
    held_out = data.X_val is not None
    X, targets, y, weight = (data.X_val, data.targets_val, data.y_val, data.val_weight) \
        if held_out else (data.X, data.targets, data.y, data.sample_weight)
    judged = architecture.problem(X, targets, est.loss, weight, 0.0,
                                  precise=est.scoring is not None)
    # members are judged by the scoring (the loss by default); they learn from the loss
    if est.early_stopping and est.scoring is not None:  # early stopping on the scoring too
        validation = scored_fit(est, problem, architecture, data, validation)[1]
    return scored_problem(est, judged, y, weight), validation if est.early_stopping else None, \
        problem


def fit_learner(est, problem, prequential=False):
    """The learner of a fit on ``problem``: PBT's Lamarckian one, or that of ``learning``.

    ``prequential``: the members are judged on the rows of ``problem`` before
    they learn from them (test, then train), for a ``partial_fit`` call too
    small to hold rows out (:func:`~evonet.estimators._split.holds_out`).
    """
    if est.strategy_ != "pbt":
        return make_learner(est, problem)
    return LifetimeLearner(problem, "lamarckian", learning_batch_size=est.learning_batch_size,
                           prequential=prequential)


def keep_pbt_history(est, run):
    """Set ``est.pbt_history_`` after a PBT fit (see :meth:`~evonet.strategies.PBT.history`)."""
    if est.strategy_ == "pbt":
        est.pbt_history_ = run.strategy.history(run.state)
    elif "pbt_history_" in vars(est):
        del est.pbt_history_  # of an earlier fit
