"""What the experiment scripts share: their output folder and its options, the machine, extras.

Not an experiment itself (hence the underscore). The scripts import it as ``_common``:
``python experiments/NAME.py`` puts experiments/ first on ``sys.path``, and the tests that
load a script from its file put it there too. The data sets are evonet's own
(:mod:`evonet.datasets`), shared with the command line and the benchmarks.

The option checks (:func:`at_least`, :func:`output_file`, :func:`output_folder`) serve the
benchmarks too (``benchmarks/_options.py`` loads them from here): a value the script cannot
use is refused when the options are read, with argparse's usage error naming the option,
not after minutes of work.
"""

import argparse
import importlib.util
import os
import platform

from evonet.datasets import DATASETS
from evonet.io import write_problem

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
"""The default output folder, ``experiments/results/``."""


def add_cv_options(parser, repeats):
    """Add ``--datasets`` (among :data:`evonet.datasets.DATASETS`), ``--seed`` and
    ``--repeats`` (``repeats`` by default): the repeated 5-fold cross-validation's options."""
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS),
                        metavar="NAME",
                        help=f"data sets to compare on, among {', '.join(DATASETS)} "
                             f"(default: all)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the folds and of every model (default: %(default)s)")
    parser.add_argument("--repeats", type=at_least(1), default=repeats,
                        help="repetitions of the 5-fold cross-validation (default: "
                             "%(default)s)")


def add_output_options(parser, out_dir_help, json_help):
    """Add ``--out-dir DIR`` and ``--json [PATH]`` to ``parser``, with each script's help.

    Both are checked as they are read (:func:`output_folder`, :func:`output_file`), so that a
    location that cannot be written is refused before the experiment runs.
    """
    parser.add_argument("--out-dir", type=output_folder, default=None, metavar="DIR",
                        help=out_dir_help)
    parser.add_argument("--json", type=output_file, nargs="?", const="", default=None,
                        metavar="PATH", help=json_help)


def at_least(minimum, kind=int):
    """An argparse ``type``: a number of at least ``minimum``.

    Parameters
    ----------
    minimum : int or float
        The smallest value accepted.
    kind : {int, float}, default=int
        ``int`` accepts whole numbers only, ``float`` any number.

    Returns
    -------
    callable
        Turns the option's text into the number, or raises ``argparse.ArgumentTypeError``,
        which argparse reports as ``argument --runs: must be a whole number of at least 1,
        got '0'`` (exit status 2).

    Examples
    --------
    >>> at_least(1)("3")
    3
    >>> at_least(0, float)("0.5")
    0.5
    """
    what = "a whole number" if kind is int else "a number"

    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value >= minimum:   # "not >=" refuses nan too
            raise argparse.ArgumentTypeError(f"must be {what} of at least {minimum}, "
                                             f"got {text!r}")
        return value

    return parse


def _folder_problem(folder):
    """Why no file can be made in the existing path ``folder``, or ``None``."""
    if not os.path.isdir(folder):
        return f"{folder} is a file, not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to write in {folder}"
    return None


def output_file(path):
    """An argparse ``type`` for ``--json PATH``: ``path``, if a file can be written there.

    The folder of ``path`` must exist (it is not made) and ``path`` must not be a folder;
    otherwise ``argparse.ArgumentTypeError`` says why. Nothing is written to find out. The
    empty text (``--json`` given no PATH, or ``--json ""``) stands for the default file in
    the output folder and passes as it is.

    Examples
    --------
    >>> output_file("results.json")
    'results.json'
    """
    if path == "":
        return path
    problem = write_problem(path)   # what evonet's own writes check
    if problem:
        raise argparse.ArgumentTypeError(f"cannot write {path}: {problem}")
    return path


def output_folder(path):
    """An argparse ``type`` for ``--out-dir DIR``: ``path``, if it is or can become a folder.

    A missing folder is made later, when there is something to write; here it is only
    checked that it could be (its nearest existing parent is a folder that may be written
    in). Otherwise ``argparse.ArgumentTypeError`` says why. Nothing is made to find out.

    Examples
    --------
    >>> output_folder("results")
    'results'
    """
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if existing == os.path.abspath(path) and not os.path.isdir(existing):
        problem = "it is a file, not a folder"
    else:
        problem = _folder_problem(existing)
    if problem:
        raise argparse.ArgumentTypeError(f"cannot use {path} as the output folder: {problem}")
    return path


def output_dir(args, make=False):
    """The output folder: ``--out-dir``, else :data:`RESULTS`; made if ``make`` is true."""
    out_dir = args.out_dir or RESULTS
    if make:
        os.makedirs(out_dir, exist_ok=True)
    return out_dir


def json_path(args, name):
    """Where ``--json`` writes: its PATH if given, else ``name`` in the output folder (made
    if missing). Call it only when ``args.json is not None``."""
    return args.json or os.path.join(output_dir(args, make=True), name)


def machine_conditions(load_key="load_average_1min"):
    """Where the times were measured: cores, load average (1 min) and platform, for the record.

    ``load_key`` names the load average's entry.
    """
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"cpus": os.cpu_count(), load_key: load, "platform": platform.platform(),
            "python": platform.python_version()}


def missing_extra(script, module, extra, what):
    """One line naming the extra to install when ``module`` is missing, else ``None``.

    ``script`` is the calling script's ``__file__`` (the line starts with its name);
    ``what`` says what needs ``module``.
    """
    if importlib.util.find_spec(module) is not None:
        return None
    return (f"{os.path.basename(script)}: {what} needs {module}, which is not installed: "
            f'pip install "evonet[{extra}]"')
