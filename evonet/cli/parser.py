"""The argument parser of the ``evonet`` command and the parsers of its option values."""

import argparse
import math
import sys

from evonet.datasets import DATASETS
from evonet.strategies import STRATEGIES

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_SIGINT", "EXIT_SIGTERM", "EXIT_USAGE",
           "build_parser", "value_parser"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
"""Exit codes: success, a failure of the run, a usage or input error."""

EXIT_SIGINT, EXIT_SIGTERM = 130, 143
"""Exit codes of a command stopped by Ctrl-C (SIGINT) or SIGTERM: 128 + the signal number,
as a shell reports a process those signals killed."""


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that exits with :data:`EXIT_USAGE` on a usage error."""

    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def value_parser(convert, kind, accept, rule):
    """An argparse ``type``: ``convert(text)``, refused with a reason unless ``accept(value)``.

    Parameters
    ----------
    convert : callable
        Turns the option's text into a value; a ``ValueError`` means the text
        is not ``kind``.
    kind : str
        What ``convert`` reads, for the message (``"an integer"``).
    accept : callable
        Whether a converted value is allowed.
    rule : str
        What an allowed value is, for the message (``"a positive integer"``).

    Examples
    --------
    >>> positive = value_parser(int, "an integer", lambda v: v >= 1, "a positive integer")
    >>> positive("3")
    3
    >>> positive("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 0 is not a positive integer
    >>> positive("x")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 'x' is not an integer
    """

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind}") from None
        if not accept(value):
            raise argparse.ArgumentTypeError(f"{text} is not {rule}")
        return value

    return parse


_positive_int = value_parser(int, "an integer", lambda v: v >= 1, "a positive integer")
_seconds = value_parser(float, "a number of seconds", lambda v: 0 <= v < math.inf,
                       "a number of seconds >= 0")
_fraction = value_parser(float, "a number", lambda v: 0 < v < 1, "in (0, 1)")
_seed = value_parser(int, "an integer", lambda v: 0 <= v < 2**32,
                     "a seed: an integer from 0 to 2**32 - 1")
_n_jobs = value_parser(int, "an integer", lambda v: v != 0,
                       "a number of jobs: a positive integer, or -1 for every core (-2 for all "
                       "but one, ...)")


def _add_run_options(parser):
    parser.add_argument("--n-jobs", type=_n_jobs, default=None, metavar="N",
                        help="parallel workers for fitness evaluation (results do not depend "
                             "on it)")
    parser.add_argument("--out", metavar="MODEL", help="save the fitted model to this file "
                                                       "(for evonet predict and evonet info)")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def _add_fit(commands):
    fit = commands.add_parser(
        "fit", help="evolve a network on a CSV file or a built-in data set",
        description="Evolve a network on a CSV file (with a header row) or a built-in data "
                    "set, inputs standardised in a Pipeline; print progress, then held-out "
                    "accuracy (or R^2) beside scikit-learn's MLP trained on the same split.")
    fit.add_argument("data", nargs="?", metavar="DATA.csv", help="CSV file with a header row")
    fit.add_argument("--target", metavar="COL", help="target column of the CSV file")
    fit.add_argument("--dataset", metavar="NAME",
                     help=f"a built-in data set: {', '.join(list(DATASETS)[:-1])} or "
                          f"{list(DATASETS)[-1]}")
    fit.add_argument("--task", choices=["classification", "regression"],
                     help="default: the data set's, or inferred from the target column: "
                          "classification for text labels and for integers with at most "
                          "max(20, rows/20) distinct values, regression otherwise")
    fit.add_argument("--strategy", default="auto", choices=["auto", *sorted(STRATEGIES)],
                     help="search strategy (default: auto)")
    fit.add_argument("--generations", type=_positive_int, metavar="N",
                     help="max_generations (default 5000; early stopping usually ends sooner)")
    fit.add_argument("--hidden", type=_positive_int, nargs="+", metavar="N",
                     help="hidden layer sizes (default 100)")
    fit.add_argument("--test-size", type=_fraction, default=0.25, metavar="F",
                     help="held-out fraction (default 0.25)")
    fit.add_argument("--checkpoint", metavar="FILE",
                     help="save the run here while it runs; if FILE exists, resume from it")
    fit.add_argument("--checkpoint-interval", type=_seconds, default=60.0, metavar="SECONDS",
                     help="seconds between checkpoint writes, 0 = every generation (default 60)")
    fit.add_argument("--seed", type=_seed, default=0,
                     help="random seed, 0 to 2**32 - 1 (default 0)")
    _add_run_options(fit)
    return fit


def _add_other_commands(commands):
    resume = commands.add_parser(
        "resume", help="continue a fit from its checkpoint",
        description="Continue an interrupted 'evonet fit --checkpoint FILE' exactly where it "
                    "stopped: same data, same settings, the same final model as an "
                    "uninterrupted run.")
    resume.add_argument("checkpoint", metavar="CHECKPOINT")
    _add_run_options(resume)

    predict = commands.add_parser(
        "predict", help="predict with a saved model",
        description="Predict the rows of a CSV file with a model saved by 'evonet fit --out' "
                    "(or model.save). Feature columns are found by name; the saved "
                    "standardisation is applied.")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("data", metavar="DATA.csv")
    predict.add_argument("--out", metavar="PRED.csv", help="write here (default: stdout)")
    predict.add_argument("--proba", action="store_true",
                         help="also write class probabilities (classifiers)")

    info = commands.add_parser(
        "info", help="describe a saved model or a checkpoint",
        description="Print a saved model's architecture, size and training summary (or a "
                    "checkpoint's progress).")
    info.add_argument("model", metavar="MODEL")

    plot = commands.add_parser(
        "plot", help="draw a saved model's network and its evolution",
        description="Draw a saved model's network and the evolution of its run (best, mean "
                    "and spread of the loss per generation) in one figure, written to a "
                    "file; no window opens. Needs matplotlib: pip install \"evonet[plot]\".")
    plot.add_argument("model", metavar="MODEL")
    plot.add_argument("--out", metavar="FILE",
                      help="PNG, SVG or PDF file, by its extension (default: MODEL with .png)")


def build_parser():
    """The argument parser of the ``evonet`` command.

    Its ``fit_parser`` attribute is the parser of ``evonet fit`` (for its usage line).

    Examples
    --------
    >>> build_parser().parse_args(["info", "model.evonet"]).command
    'info'
    """
    parser = _Parser(prog="evonet", description="Evolve neural networks with evonet.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    parser.fit_parser = _add_fit(commands)
    _add_other_commands(commands)
    return parser
