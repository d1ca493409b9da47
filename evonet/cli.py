"""The ``evonet`` command line: ``fit``, ``resume``, ``predict`` and ``info``.

Exit codes: 0 success, 1 failure, 2 usage or input error (a bad option, a
CSV file or model file that cannot be used). Input errors print one line on
stderr, never a traceback (set ``EVONET_DEBUG=1`` to see one for a failure).
The folders of the files a command writes (``--out``, ``--checkpoint``) are
checked before any work, so a long fit never ends unable to save its result.
"""

import argparse
import os
import shlex
import sys

from evonet._commands import fit_command, info_command, predict_command, resume_command
from evonet.data import DataError
from evonet.io import WriteError
from evonet.strategies import STRATEGIES

__all__ = ["build_parser", "main"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive integer")
    return value


def _seconds(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds >= 0")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not in (0, 1)")
    return value


def _add_run_options(parser):
    parser.add_argument("--n-jobs", type=int, default=None, metavar="N",
                        help="parallel workers for fitness evaluation (results do not depend "
                             "on it)")
    parser.add_argument("--out", metavar="MODEL", help="save the fitted model to this file "
                                                       "(for evonet predict and evonet info)")
    parser.add_argument("--quiet", action="store_true", help="no progress display")


def build_parser():
    """The argument parser of the ``evonet`` command.

    Examples
    --------
    >>> build_parser().parse_args(["info", "model.evonet"]).command
    'info'
    """
    parser = _Parser(prog="evonet", description="Evolve neural networks with evonet.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    fit = commands.add_parser(
        "fit", help="evolve a network on a CSV file or a built-in data set",
        description="Evolve a network on a CSV file (with a header row) or a built-in data "
                    "set, inputs standardised in a Pipeline; print progress, then held-out "
                    "accuracy (or R^2) beside scikit-learn's MLP trained on the same split.")
    fit.add_argument("data", nargs="?", metavar="DATA.csv", help="CSV file with a header row")
    fit.add_argument("--target", metavar="COL", help="target column of the CSV file")
    fit.add_argument("--dataset", metavar="NAME",
                     help="a built-in data set: iris, wine, breast_cancer, digits or diabetes")
    fit.add_argument("--task", choices=["classification", "regression"],
                     help="default: the data set's, or inferred from the target column")
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
    fit.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _add_run_options(fit)
    fit.set_defaults(handler=fit_command)
    parser.fit_parser = fit

    resume = commands.add_parser(
        "resume", help="continue a fit from its checkpoint",
        description="Continue an interrupted 'evonet fit --checkpoint FILE' exactly where it "
                    "stopped: same data, same settings, the same final model as an "
                    "uninterrupted run.")
    resume.add_argument("checkpoint", metavar="CHECKPOINT")
    _add_run_options(resume)
    resume.set_defaults(handler=resume_command)

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
    predict.set_defaults(handler=predict_command)

    info = commands.add_parser(
        "info", help="describe a saved model or a checkpoint",
        description="Print a saved model's architecture, size and training summary (or a "
                    "checkpoint's progress).")
    info.add_argument("model", metavar="MODEL")
    info.set_defaults(handler=info_command)
    return parser


def main(argv=None):
    """Run the ``evonet`` command line; return the exit code.

    Exit codes: 0 success, 1 failure, 2 usage or input error.

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
        _check_output_folders(args)
        return args.handler(args)
    except KeyboardInterrupt:
        print(f"evonet: interrupted{_resume_hint(args)}", file=sys.stderr)
        return EXIT_FAILURE
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
    if args.command != "resume":
        return []
    out = ("--out", args.out, "")
    if args.out is None:   # the model goes where the interrupted 'evonet fit --out' said
        from evonet.io import read_checkpoint_metadata

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
    ...                                   "/no/such/folder/p.csv"])
    >>> _check_output_folders(args)
    Traceback (most recent call last):
    ...
    evonet.data.DataError: --out /no/such/folder/p.csv: the folder /no/such/folder does not exist
    """
    for option, path, advice in _output_files(args):
        if path is None:
            continue
        folder = os.path.dirname(os.path.abspath(path))
        if not path or path.endswith(os.sep) or (os.altsep and path.endswith(os.altsep)):
            problem = "needs a file name" if not path else f"{path} needs a file name"
        elif os.path.isdir(path):
            problem = f"{path} is a folder; give a file name in it"
        elif not os.path.isdir(folder):
            problem = f"{path}: {folder} is not a folder" if os.path.exists(folder) \
                else f"{path}: the folder {folder} does not exist"
        elif not os.access(folder, os.W_OK | os.X_OK):
            problem = f"{path}: the folder {folder} is not writable"
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


if __name__ == "__main__":
    sys.exit(main())
