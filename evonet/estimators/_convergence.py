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
    name = type(est).__name__
    if len(run.loss_curve) > 1 and run.best_loss >= run.loss_curve[0]:
        warnings.warn(
            f"{name}: the training loss never improved on its start "
            f"({run.loss_curve[0]:.6g}) in {est.n_iter_} generations: the model is the "
            f"starting network. Try smaller step sizes (strategy_params), another "
            f"strategy or scaled inputs.", ConvergenceWarning, stacklevel=5)
    elif run.stop_reason in ("budget", "max_evaluations"):
        what = "the front's hypervolume" if est.strategy_ == "nsga2" else "the loss"
        warnings.warn(
            f"{name}: the budget (max_generations={est.max_generations}, "
            f"max_evaluations={est.max_evaluations}) ran out before {what} converged "
            f"(tol={est.tol}, n_iter_no_change={est.n_iter_no_change}).",
            ConvergenceWarning, stacklevel=5)
    if est.early_stopping and est.validation_scores_ == []:
        limit = "max_evaluations" if run.stop_reason == "max_evaluations" else "max_generations"
        warnings.warn(
            f"{name}: early_stopping=True, but the budget ({limit}="
            f"{getattr(est, limit)}) ended before the first validation check, so no network "
            f"was judged on the held-out rows; raise {limit}.",
            ConvergenceWarning, stacklevel=5)
