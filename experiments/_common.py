"""What the experiment scripts share: their output folder and its options, the machine, extras.

Not an experiment itself (hence the underscore). The scripts import it as ``_common``:
``python experiments/NAME.py`` puts experiments/ first on ``sys.path``, and the tests that
load a script from its file put it there too. The data sets are evonet's own
(:mod:`evonet.datasets`), shared with the command line and the benchmarks.
"""

import importlib.util
import os
import platform

from evonet.datasets import DATASETS

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
    parser.add_argument("--repeats", type=int, default=repeats,
                        help="repetitions of the 5-fold cross-validation (default: "
                             "%(default)s)")


def add_output_options(parser, out_dir_help, json_help):
    """Add ``--out-dir DIR`` and ``--json [PATH]`` to ``parser``, with each script's help."""
    parser.add_argument("--out-dir", default=None, metavar="DIR", help=out_dir_help)
    parser.add_argument("--json", nargs="?", const="", default=None, metavar="PATH",
                        help=json_help)


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
