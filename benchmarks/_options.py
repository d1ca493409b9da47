"""What the benchmark scripts' command lines share: counts, and ``--json PATH`` checked first.

A count below its minimum, or a ``--json`` file that cannot be written (its folder missing,
or a folder in its place), is refused as the options are read, with argparse's usage error
naming the option (exit status 2), not after minutes of timing. The checks are
experiments/_common.py's, so that benchmarks and experiments refuse the same values in the
same words; neither folder is a package, so this module loads that file by its path. The
scripts import it as ``_options``: ``python benchmarks/NAME.py`` puts benchmarks/ first on
``sys.path``.
"""

import importlib.util
import os

_COMMON = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "experiments", "_common.py")


def _experiments_common():
    """experiments/_common.py, loaded from its file under a name of its own."""
    spec = importlib.util.spec_from_file_location("_experiments_common", _COMMON)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_common = _experiments_common()
at_least = _common.at_least
output_file = _common.output_file


def add_json_option(parser):
    """Add ``--json PATH`` to ``parser``: where the results go, checked as it is read.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The script's parser.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> add_json_option(parser)
    >>> parser.parse_args(["--json", "results.json"]).json
    'results.json'
    """
    parser.add_argument("--json", type=output_file, default=None, metavar="PATH",
                        help="also write the results to this JSON file, whose folder must "
                             "exist (default: nothing is written)")
