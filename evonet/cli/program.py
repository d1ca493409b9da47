"""Running a command: ``main``, its exit codes, and the checks before any work.

Exit codes: 0 success, 1 failure, 2 usage or input error (a bad option, a
CSV file or model file that cannot be used), 130 interrupted by Ctrl-C
(SIGINT), 143 stopped by SIGTERM; a run stopped by either signal saves its
checkpoint first (with ``--checkpoint``). Input errors print one line on
stderr, never a traceback (set ``EVONET_DEBUG=1`` to see one for a failure).
The folders of the files a command writes (``--out``, ``--checkpoint``) are
checked before any work, so a long fit never ends unable to save its result.
"""

import importlib
import os
import shlex
import sys

from evonet.cli.data import DataError
from evonet.cli.parser import (
    EXIT_FAILURE,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_USAGE,
    build_parser,
)
from evonet.cli.plotting import figure_path
from evonet.cli.signals import Terminated, handle_signals
from evonet.io import WriteError, read_checkpoint_metadata, write_problem

__all__ = ["handler", "main"]

COMMANDS = {"fit": ("commands", "fit_command"), "resume": ("commands", "resume_command"),
            "predict": ("commands", "predict_command"), "info": ("info", "info_command"),
            "plot": ("plotting", "plot_command")}
"""The module of :mod:`evonet.cli` and the function each command runs."""


def handler(command):
    """The function that runs ``command`` on the parsed arguments and returns the exit code.

    :mod:`evonet.cli.commands` (and with it scikit-learn's estimators) is
    imported only here, when a command runs: ``evonet --help`` and usage
    errors answer without it.

    Examples
    --------
    >>> handler("info").__name__
    'info_command'
    """
    module, function = COMMANDS[command]
    return getattr(importlib.import_module(f"evonet.cli.{module}"), function)


def main(argv=None):
    """Run the ``evonet`` command line; return the exit code.

    Exit codes: 0 success, 1 failure, 2 usage or input error, 130 interrupted
    (Ctrl-C, SIGINT), 143 stopped by SIGTERM. Either signal during a fit with
    ``--checkpoint`` saves the run before the command exits.

    Examples
    --------
    >>> main(["fit", "--dataset", "nope"])   # the reason goes to stderr
    2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:   # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command == "fit" and (args.dataset is None) == (args.data is None):
        parser.fit_parser.print_usage(sys.stderr)
        print("evonet fit: error: give either a CSV file or --dataset NAME", file=sys.stderr)
        return EXIT_USAGE
    try:
        with handle_signals():
            _check_output_folders(args)
            return handler(args.command)(args)
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        print(f"evonet: {'terminated' if terminated else 'interrupted'}{_resume_hint(args)}",
              file=sys.stderr)
        return EXIT_SIGTERM if terminated else EXIT_SIGINT
    except Exception as exc:
        if os.environ.get("EVONET_DEBUG"):
            raise
        # errors go to stderr, which stays clean of the progress display on stdout
        if isinstance(exc, WriteError):
            # the folders were checked before the run, so the disk or the folder changed
            # under it; the error names the user's file, not the temporary one
            print(f"evonet: failed: {exc.strerror}{_resume_hint(args)}", file=sys.stderr)
            return EXIT_FAILURE
        if isinstance(exc, (DataError, ValueError, FileNotFoundError, IsADirectoryError)):
            print(f"evonet: error: {_one_line(exc)}", file=sys.stderr)
            return EXIT_USAGE
        print(f"evonet: failed: {type(exc).__name__}: {_one_line(exc)}{_resume_hint(args)} "
              f"(EVONET_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_FAILURE


def _output_files(args):
    """``(option, path, advice)`` for each file the command will write."""
    if args.command == "fit":
        return [("--out", args.out, ""), ("--checkpoint", args.checkpoint, "")]
    if args.command == "predict":
        return [("--out", args.out, "")]
    if args.command == "plot":
        return [("--out", figure_path(args), "")]
    if args.command != "resume":
        return []
    out = ("--out", args.out, "")
    if args.out is None:   # the model goes where the interrupted 'evonet fit --out' said
        try:
            record = read_checkpoint_metadata(args.checkpoint).get("command")
        except (OSError, ValueError):
            record = None   # resume_command reports what is wrong with the checkpoint
        recorded = record.get("out") if isinstance(record, dict) else None
        out = ("the recorded --out", recorded if isinstance(recorded, str) else None,
               " (give --out MODEL to save the model elsewhere)")
    # the checkpoint is rewritten as the run goes on, so its folder must be writable too
    # (a missing checkpoint is left to resume_command, which says so)
    checkpoint = args.checkpoint if os.path.isfile(args.checkpoint) else None
    return [out, ("CHECKPOINT", checkpoint, "")]


def _check_output_folders(args):
    """Refuse an output file whose folder is missing or read-only before any work is done.

    Otherwise the failure would only show when the file is written, at the end
    of a fit that may have taken hours.

    Examples
    --------
    >>> args = build_parser().parse_args(["predict", "m.evonet", "x.csv", "--out",
    ...                                   "/no/such/p.csv"])
    >>> _check_output_folders(args)
    Traceback (most recent call last):
    ...
    evonet.cli.data.DataError: --out /no/such/p.csv: the folder /no/such does not exist
    """
    for option, path, advice in _output_files(args):
        if path is None:
            continue
        if not path or path.endswith(os.sep) or (os.altsep and path.endswith(os.altsep)):
            problem = "needs a file name" if not path else f"{path} needs a file name"
        elif os.path.isdir(path):
            problem = f"{path} is a folder; give a file name in it"
        elif (reason := write_problem(path)) is not None:  # a read-only file, no folder...
            problem = f"{path}: {reason}"
        else:
            continue
        raise DataError(f"{option} {problem}{advice}")


def _resume_hint(args):
    checkpoint = getattr(args, "checkpoint", None)
    if checkpoint and os.path.isfile(checkpoint):
        return f"; continue with: evonet resume {shlex.quote(checkpoint)}"
    return ""


def _one_line(exc):
    if isinstance(exc, FileNotFoundError) and exc.filename is not None:
        return f"no such file: {exc.filename}"
    if isinstance(exc, IsADirectoryError) and exc.filename is not None:
        return f"{exc.filename} is a folder, not a file"
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
