"""NEAT species sizes over generations, as a stack plot."""

import numpy as np

from evonet.plot._common import (
    axes_or_new,
    fitted_model,
    logbook_columns,
    logbook_of,
    policy_parts,
)

__all__ = ["SpeciesDisplay"]

PREFIX = "species:"
"""Logbook entries ``species:KEY`` hold species KEY's size (NEAT runs)."""
MAX_LEGEND = 12


class SpeciesDisplay:
    """How many genomes each NEAT species had, generation by generation (a stack plot).

    Use :meth:`from_estimator`, :meth:`from_policy` or :meth:`from_logbook`;
    a run that was not NEAT (no species recorded) raises ``ValueError``.

    Parameters
    ----------
    generations : ndarray of shape (n_generations,)
    keys : list of int
        The species, in the order they were founded.
    sizes : ndarray of shape (n_generations, n_species)
        Members of each species in each generation (0 before it was founded
        and after it died out).

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    stacks_ : list of PolyCollection
        One band per species.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> records = [{"gen": 1, "species:0": 10}, {"gen": 2, "species:0": 6, "species:1": 4}]
    >>> display = SpeciesDisplay.from_logbook(records, ax=Figure().subplots())
    >>> len(display.stacks_), display.sizes.tolist()
    (2, [[10, 0], [6, 4]])
    """

    def __init__(self, *, generations, keys, sizes):
        self.generations = generations
        self.keys = keys
        self.sizes = sizes

    @classmethod
    def from_logbook(cls, logbook, *, ax=None, **plot_params):
        """The display of a NEAT run's logbook (records with ``species:KEY`` entries)."""
        generations, _ = logbook_columns(logbook, ())
        records = list(logbook)
        keys = sorted({int(k[len(PREFIX):]) for r in records for k in r
                       if isinstance(k, str) and k.startswith(PREFIX)})
        if not keys:
            raise ValueError("the logbook records no species: species sizes are recorded by "
                             "NEAT runs (strategy='neat') only, and older files lack them.")
        sizes = np.array([[int(r.get(f"{PREFIX}{k}", 0)) for k in keys] for r in records],
                         dtype=np.int64)
        return cls(generations=generations, keys=keys, sizes=sizes).plot(ax=ax, **plot_params)

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, **plot_params):
        """The species of a fitted estimator's NEAT run."""
        model = fitted_model(estimator)
        strategy = getattr(model, "strategy_", None)
        if strategy != "neat":
            raise ValueError(f"species exist in NEAT runs only; this model was evolved with "
                             f"strategy={strategy!r}.")
        return cls.from_logbook(logbook_of(model, "species"), ax=ax, **plot_params)

    @classmethod
    def from_policy(cls, policy, *, ax=None, **plot_params):
        """The species of an :class:`~evonet.control.EvolvedPolicy`'s NEAT run."""
        _, weights, _ = policy_parts(policy)
        if not hasattr(weights, "connections"):
            raise ValueError("species exist in NEAT runs only; this policy has a fixed "
                             "topology.")
        return cls.from_logbook(logbook_of(policy, "species"), ax=ax, **plot_params)

    def plot(self, ax=None):
        """Draw the stack plot on ``ax`` (a new figure if ``None``); return ``self``."""
        ax = axes_or_new(ax)
        labels = [f"species {k}" for k in self.keys]
        self.stacks_ = ax.stackplot(self.generations, self.sizes.T, labels=labels)
        ax.set_xlabel("generation")
        ax.set_ylabel("genomes per species")
        ax.set_title(f"{len(self.keys)} species", fontsize=9)
        if len(self.keys) <= MAX_LEGEND:
            ax.legend(loc="upper left", fontsize=7)
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
