"""The estimators' population-based training (``strategy="pbt"``): its data, learner and result.

A PBT fit holds out ``validation_fraction`` of the training rows (stratified
for classifiers, as scikit-learn's early stopping; unstratified where a class
has too few rows to stratify), whatever ``early_stopping`` says. The members
learn on the remaining rows: the run's learner is a Lamarckian
:class:`~evonet.learning.LifetimeLearner` on the training problem, following
each member's learning rate, ``alpha`` and Adam state from
:meth:`~evonet.strategies.PBT.learning_plan`, ``learning_batch_size`` rows per
step. The run's evaluator scores the held-out rows: each round's losses, by
which members are exploited and the incumbent chosen, are the members'
validation losses (the estimator's loss, without the L2 term). So the
run's ``loss_curve`` is the best validation loss so far, and the stopping rule
(``tol``, ``n_iter_no_change``, checked after every round) is validation-based.
"""

import numpy as np

from evonet.estimators._learning import make_learner
from evonet.learning import LifetimeLearner

__all__ = ["fit_problems", "is_pbt_fit", "keep_pbt_history", "split_stratify"]

def is_pbt_fit(est, continuing, checkpoint):
    """Whether this fit of ``est`` runs population-based training."""
    if continuing:
        return est.strategy_ == "pbt"
    if checkpoint is not None and checkpoint.resumed:
        return checkpoint.saved_metadata("strategy") == "pbt"
    return est.strategy == "pbt"


def split_stratify(y, stratify, validation_fraction, pbt=True):
    """The labels to stratify the validation split on.

    ``stratify`` as it is for early stopping (``pbt`` false); for PBT, which
    always holds out rows, ``None`` (an unstratified split) where some class
    has too few rows to be stratified.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0] * 10 + [1] * 10)
    >>> split_stratify(y, y, 0.2) is y, split_stratify(y[:11], y[:11], 0.2)
    (True, None)
    """
    if stratify is None or not pbt:
        return stratify
    _, counts = np.unique(stratify, return_counts=True)
    n_val = int(np.ceil(validation_fraction * len(y)))
    if counts.min() < 2 or n_val < len(counts) or len(y) - n_val < len(counts):
        return None
    return stratify


def fit_problems(est, architecture, data, train_problem, pbt):
    """The problem the run's evaluator scores and the run's learner.

    For PBT (``pbt``) the validation rows, without the L2 term, and a
    Lamarckian learner on ``train_problem``; otherwise ``train_problem`` and
    the learner of the estimator's ``learning`` (``None`` without).

    Parameters
    ----------
    est : estimator
    architecture : MLPArchitecture
    data : FitData
        Split: ``X_val`` and ``targets_val`` hold the validation rows.
    train_problem : SupervisedProblem
        The training rows, which the members learn on.
    pbt : bool

    Returns
    -------
    (SupervisedProblem, LifetimeLearner)
    """
    if not pbt:
        return train_problem, make_learner(est, train_problem)
    validation = architecture.problem(data.X_val, data.targets_val, est.loss, data.val_weight,
                                      0.0)
    learner = LifetimeLearner(train_problem, "lamarckian",
                              learning_batch_size=est.learning_batch_size)
    return validation, learner


def keep_pbt_history(est, run):
    """Set ``est.pbt_history_`` after a PBT fit (see :meth:`~evonet.strategies.PBT.history`)."""
    if est.strategy_ == "pbt":
        est.pbt_history_ = run.strategy.history(run.state)
    elif "pbt_history_" in vars(est):
        del est.pbt_history_  # of an earlier fit
