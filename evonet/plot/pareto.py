"""A Pareto front of the fitted models: score (or loss) against network size."""

import numpy as np

from evonet.plot._common import axes_or_new, fitted_model

__all__ = ["ParetoFrontDisplay"]


class ParetoFrontDisplay:
    """The trade-off between a model's score (or loss) and its number of weights.

    Use :meth:`from_estimator` on an estimator with a ``pareto_front_`` (a
    list of dicts with ``"score"`` or ``"loss"``, ``"n_weights"`` and
    ``"index"``, best first); one without raises ``ValueError``.

    Parameters
    ----------
    n_weights : ndarray of shape (n_points,)
    values : ndarray of shape (n_points,)
    value_name : {"score", "loss"}
    index : ndarray of shape (n_points,)
        Each point's ``index`` in the front's population.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    points_ : PathCollection
        One marker per point of the front.
    line_ : Line2D
        The front as a staircase, by size.
    best_ : PathCollection
        The first (best) point, circled.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from sklearn.base import BaseEstimator
    >>> class Fitted(BaseEstimator):   # an estimator fitted with a size objective
    ...     def fit(self, X=None, y=None):
    ...         self.pareto_front_ = [{"score": 0.97, "n_weights": 40, "index": 3},
    ...                               {"score": 0.9, "n_weights": 12, "index": 0}]
    ...         return self
    >>> display = ParetoFrontDisplay.from_estimator(Fitted().fit(), ax=Figure().subplots())
    >>> len(display.points_.get_offsets()), display.ax_.get_ylabel()
    (2, 'score')
    """

    def __init__(self, *, n_weights, values, value_name, index):
        self.n_weights = n_weights
        self.values = values
        self.value_name = value_name
        self.index = index

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, **plot_params):
        """The display of a fitted estimator's ``pareto_front_``."""
        model = fitted_model(estimator)
        front = getattr(model, "pareto_front_", None)
        if not front:
            raise ValueError(f"{type(model).__name__} has no Pareto front (pareto_front_): "
                             f"it was not fitted with a size objective.")
        if not all(isinstance(p, dict) and "n_weights" in p and ("score" in p or "loss" in p)
                   for p in front):
            raise ValueError("pareto_front_ must be a list of dicts with 'n_weights' and "
                             "'score' or 'loss'.")
        name = "score" if "score" in front[0] else "loss"
        if not all(name in p for p in front):
            raise ValueError(f"pareto_front_ mixes points with and without {name!r}.")
        return cls(n_weights=np.array([p["n_weights"] for p in front], dtype=float),
                   values=np.array([p[name] for p in front], dtype=float), value_name=name,
                   index=np.array([p.get("index", k) for k, p in enumerate(front)])
                   ).plot(ax=ax, **plot_params)

    def plot(self, ax=None):
        """Draw the front on ``ax`` (a new figure if ``None``); return ``self``."""
        ax = axes_or_new(ax)
        order = np.argsort(self.n_weights, kind="stable")
        self.line_ = ax.step(self.n_weights[order], self.values[order], where="post",
                             color="tab:blue", lw=1)[0]
        self.points_ = ax.scatter(self.n_weights, self.values, color="tab:blue", zorder=3,
                                  label="Pareto front")
        self.best_ = ax.scatter(self.n_weights[:1], self.values[:1], s=160, facecolors="none",
                                edgecolors="tab:red", zorder=4, label="chosen (best)")
        ax.set_xlabel("number of weights")
        ax.set_ylabel(self.value_name)
        ax.legend(fontsize=8)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
