"""The evolution of a run: the population's loss per generation, checks and validation."""

import numpy as np

from evonet.plot._common import (
    axes_or_new,
    fitted_model,
    logbook_columns,
    logbook_of,
    policy_parts,
)

__all__ = ["EvolutionDisplay"]

SPREADS = ("std", "minmax", None)


class EvolutionDisplay:
    """Best, mean and spread of the population's loss per generation, with checks.

    Use :meth:`from_estimator`, :meth:`from_policy` or :meth:`from_logbook`
    to make one; all parameters are stored as attributes.

    Parameters
    ----------
    generations : ndarray of shape (n_generations,)
    best, mean, std, worst : ndarray of shape (n_generations,)
        The population's lowest, mean, standard deviation and highest loss
        (``std`` and ``worst`` NaN where the logbook lacks them: files
        written before evonet recorded them).
    checks : ndarray of shape (n_generations,)
        The incumbent's full-data loss at each check, NaN between checks.
    validation : ndarray of shape (n_generations,)
        Its validation score (higher is better), NaN where not validated.
    loss_name : str, default="loss"
        The y-axis label (``"fitness"`` for a policy: higher is better).

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    lines_ : dict of str to Line2D
        ``"best"``, ``"mean"``, and ``"checks"`` and ``"validation"`` when
        there are some: one line per statistic drawn.
    spread_ : PolyCollection or None
        The band of the spread.
    validation_ax_ : Axes or None
        The second y axis of the validation scores.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> records = [{"gen": g, "min": 1 / g, "mean": 2 / g, "std": 0.5 / g, "max": 4 / g}
    ...            for g in range(1, 6)]
    >>> display = EvolutionDisplay.from_logbook(records, ax=Figure().subplots())
    >>> sorted(display.lines_), display.ax_.get_xlabel()
    (['best', 'mean'], 'generation')
    """

    def __init__(self, *, generations, best, mean, std, worst, checks, validation,
                 loss_name="loss"):
        self.generations = generations
        self.best = best
        self.mean = mean
        self.std = std
        self.worst = worst
        self.checks = checks
        self.validation = validation
        self.loss_name = loss_name

    @classmethod
    def from_logbook(cls, logbook, *, negate=False, loss_name=None, ax=None, **plot_params):
        """The display of a logbook (a ``deap.tools.Logbook`` or a list of records).

        Parameters
        ----------
        logbook : sequence of dict
            Records with ``gen``, ``min``, ``mean`` (and ``std``, ``max``,
            ``loss``, ``val_score`` when recorded), as :class:`evonet.evolve.Run` writes;
            DEAP's examples' ``avg`` stands for ``mean``. A logbook without ``min``
            in any record (statistics kept in chapters, say: pass
            ``logbook.chapters["fitness"]``) raises ``ValueError``.
        negate : bool, default=False
            Draw ``-loss`` (a policy's fitness, maximised): best is then the highest.
        loss_name : str, default=None
            The y-axis label (``"loss"``, or ``"fitness"`` with ``negate``).
        ax : matplotlib Axes, default=None
        **plot_params : passed to :meth:`plot`.
        """
        generations, c = logbook_columns(logbook, ("min", "mean", "avg", "std", "max",
                                                   "loss", "val_score"))
        if np.isnan(c["mean"]).all():   # DEAP's examples record the mean as "avg"
            c["mean"] = c["avg"]
        if np.isnan(c["min"]).all():
            raise ValueError("the logbook's records hold no 'min' (the best loss of each "
                             "generation); for statistics in chapters, pass "
                             "logbook.chapters[name].")
        sign = -1.0 if negate else 1.0
        display = cls(generations=generations, best=sign * c["min"], mean=sign * c["mean"],
                      std=c["std"], worst=sign * c["max"], checks=sign * c["loss"],
                      validation=c["val_score"],
                      loss_name=loss_name or ("fitness" if negate else "loss"))
        return display.plot(ax=ax, **plot_params)

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, **plot_params):
        """The display of a fitted ``NeuroEvolutionClassifier`` or ``...Regressor``.

        ``estimator`` may be a ``Pipeline`` ending in one; an unfitted one
        raises ``NotFittedError``.
        """
        model = fitted_model(estimator)
        logbook = logbook_of(model, "the evolution")
        name = f"training loss ({model.loss})" if isinstance(getattr(model, "loss", None),
                                                             str) else "training loss"
        return cls.from_logbook(logbook, loss_name=name, ax=ax, **plot_params)

    @classmethod
    def from_policy(cls, policy, *, ax=None, **plot_params):
        """The display of an :class:`~evonet.control.EvolvedPolicy`'s run (its fitness)."""
        policy_parts(policy)
        logbook = logbook_of(policy, "the evolution")
        return cls.from_logbook(logbook, negate=True, ax=ax, **plot_params)

    def plot(self, ax=None, *, spread="std", log_scale=False):
        """Draw the curves on ``ax`` (a new figure if ``None``); return ``self``.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        spread : {"std", "minmax", None}, default="std"
            The band: mean +- one standard deviation, or from the best to the
            worst loss of each generation; none if ``None`` or not recorded.
        log_scale : bool, default=False
            A logarithmic loss axis.
        """
        if spread not in SPREADS:
            raise ValueError(f"spread={spread!r} is not supported; choose one of "
                             f"{list(SPREADS)}.")
        ax = axes_or_new(ax)
        x = self.generations
        self.spread_ = None
        low, high = (self.mean - self.std, self.mean + self.std) if spread == "std" else \
            (self.best, self.worst)
        if spread is not None and np.isfinite(low).any() and np.isfinite(high).any():
            label = "mean +- std" if spread == "std" else "best to worst"
            self.spread_ = ax.fill_between(x, low, high, where=np.isfinite(low + high),
                                           alpha=0.25, color="tab:blue", label=label)
        self.lines_ = {"best": ax.plot(x, self.best, color="tab:blue", label="best")[0],
                       "mean": ax.plot(x, self.mean, color="tab:blue", ls="--", lw=1,
                                       label="mean")[0]}
        checked = np.isfinite(self.checks)
        if checked.any():
            self.lines_["checks"] = ax.plot(x[checked], self.checks[checked], "o", ms=3,
                                            color="tab:orange", label="full-data check")[0]
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("generation")
        ax.set_ylabel(self.loss_name)
        self.validation_ax_ = None
        validated = np.isfinite(self.validation)
        handles = ax.get_legend_handles_labels()[0]
        if validated.any():
            self.validation_ax_ = ax.twinx()
            self.lines_["validation"] = self.validation_ax_.plot(
                x[validated], self.validation[validated], "s-", ms=3, color="tab:green",
                label="validation score")[0]
            self.validation_ax_.set_ylabel("validation score")
            handles.append(self.lines_["validation"])
        ax.legend(handles=handles, fontsize=8)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
