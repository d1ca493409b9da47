"""The network and its evolution in one figure: what ``evonet plot MODEL`` writes."""

import os

from evonet.plot._common import logbook_of
from evonet.plot.evolution import EvolutionDisplay
from evonet.plot.network import NetworkDisplay

__all__ = ["FIGURE_FORMATS", "model_figure", "save_model_figure"]

FIGURE_FORMATS = (".png", ".svg", ".pdf")
"""File extensions :func:`save_model_figure` writes."""

MAX_EDGES = 300
"""The figure draws at most this many connections, the largest weights."""


def model_figure(model):
    """A matplotlib ``Figure``: the model's network (left) and its evolution (right).

    Made without pyplot, so it never opens a window whatever the backend.

    Parameters
    ----------
    model : fitted estimator, Pipeline or EvolvedPolicy
        What :func:`evonet.load` returns.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from evonet.control import EvolvedPolicy, MLPPolicy
    >>> policy = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
    >>> model_figure(policy)   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: EvolvedPolicy has no logbook to draw the evolution from (a policy built ...
    """
    from matplotlib.figure import Figure

    policy = hasattr(model, "network_") and hasattr(model, "weights_")
    if policy:
        logbook_of(model, "the evolution")
    figure = Figure(figsize=(12, 4.8), layout="constrained")
    left, right = figure.subplots(1, 2, width_ratios=[1.1, 1])
    if policy:
        NetworkDisplay.from_policy(model, ax=left, max_edges=MAX_EDGES)
        EvolutionDisplay.from_policy(model, ax=right)
    else:
        NetworkDisplay.from_estimator(model, ax=left, max_edges=MAX_EDGES)
        EvolutionDisplay.from_estimator(model, ax=right)
    return figure


def save_model_figure(model, path):
    """Write :func:`model_figure` of ``model`` to ``path`` (PNG, SVG or PDF by extension).

    Examples
    --------
    >>> save_model_figure(None, "model.jpg")   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: path='model.jpg' has the extension '.jpg'; the figure is written as ...
    """
    extension = os.path.splitext(str(path))[1].lower()
    if extension not in FIGURE_FORMATS:
        raise ValueError(f"path={str(path)!r} has the extension {extension!r}; the figure is "
                         f"written as {', '.join(FIGURE_FORMATS[:-1])} or "
                         f"{FIGURE_FORMATS[-1]}.")
    model_figure(model).savefig(path, dpi=110)
