"""``evonet plot MODEL [--out FILE]``: a saved model's network and evolution in one figure."""

import os

from evonet.cli.data import DataError

__all__ = ["FORMATS", "figure_path", "plot_command"]

FORMATS = (".png", ".svg", ".pdf")
"""Extensions of the files ``evonet plot`` writes (as :data:`evonet.plot.FIGURE_FORMATS`)."""


def figure_path(args):
    """Where ``evonet plot`` writes: ``--out``, or the model's name with ``.png``.

    Examples
    --------
    >>> import argparse
    >>> figure_path(argparse.Namespace(model="runs/iris.evonet", out=None))
    'runs/iris.png'
    """
    if args.out is not None:
        return args.out
    return os.path.splitext(args.model)[0] + ".png"


def plot_command(args):
    """``evonet plot``: load the model, draw it, write the figure; return the exit code."""
    from evonet.cli.info import load_model  # the model readers: only when a plot runs

    path = figure_path(args)
    extension = os.path.splitext(path)[1].lower()
    if extension not in FORMATS:
        raise DataError(f"--out {path}: unknown extension {extension or '(none)'!r}; give a "
                        f"file ending in {', '.join(FORMATS)}")
    try:
        from evonet.plot import save_model_figure  # matplotlib: only this command needs it
    except ImportError as exc:
        raise DataError(str(exc)) from None
    model = load_model(args.model)
    save_model_figure(model, path)
    print(f"network and evolution of {args.model} drawn in {path}")
    return 0
