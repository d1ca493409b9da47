"""The warnings of a finished fit: a loss that never improved, a budget that ran out, an
early stopping that never validated."""

import warnings

from sklearn.exceptions import ConvergenceWarning

__all__ = ["warn_after_fit"]


def warn_after_fit(est, run, incremental):
    """Warn (``ConvergenceWarning``) about what a finished ``fit`` of ``est`` left undone.

    Nothing for a ``partial_fit`` call, which is one step of a stream. A
    ``fit`` warns when the loss never improved on the starting network's
    (the model is that network), else when the budget ran out before the
    stopping rule held, and, with ``early_stopping``, when the budget ended
    before the first validation check (``validation_scores_`` is empty: no
    network was judged on the held-out rows).
    """
    if incremental:
        return
    if len(run.loss_curve) > 1 and run.best_loss >= run.loss_curve[0]:
        _warn(est, f"the training loss never improved on its start ({run.loss_curve[0]:.6g}) "
                   f"in {est.n_iter_} generations: the model is the starting network. Try "
                   f"smaller step sizes (strategy_params), another strategy or scaled inputs.")
    elif run.stop_reason in ("budget", "max_evaluations"):
        what = "the front's hypervolume" if est.strategy_ == "nsga2" else "the loss"
        _warn(est, f"the budget (max_generations={est.max_generations}, max_evaluations="
                   f"{est.max_evaluations}) ran out before {what} converged (tol={est.tol}, "
                   f"n_iter_no_change={est.n_iter_no_change}).")
    if est.early_stopping and est.validation_scores_ == []:
        limit = "max_evaluations" if run.stop_reason == "max_evaluations" else "max_generations"
        _warn(est, f"early_stopping=True, but the budget ({limit}={getattr(est, limit)}) ended "
                   f"before the first validation check, so no network was judged on the "
                   f"held-out rows; raise {limit}.")


def _warn(est, message):
    """A ``ConvergenceWarning`` named after ``est``'s class, shown at the user's ``fit`` call."""
    warnings.warn(f"{type(est).__name__}: {message}", ConvergenceWarning, stacklevel=6)
