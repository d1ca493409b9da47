"""The ``evonet`` command line."""

import argparse
import sys
import time
import warnings

import numpy as np

from evonet.data import DATASETS, DataError, load_csv, load_dataset

__all__ = ["main"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _infer_task(y):
    if y.dtype == object:
        return "classification"
    integral = np.all(y == np.round(y))
    return "classification" if integral and len(np.unique(y)) <= max(20, len(y) // 20) \
        else "regression"


def _load(args):
    if args.dataset is not None:
        X, y, task, names = load_dataset(args.dataset)
    else:
        if args.target is None:
            raise DataError("a CSV file needs --target COLUMN")
        X, y, names = load_csv(args.data, target=args.target)
        task = _infer_task(y)
    return X, y, args.task or task, names


def _fit_command(args):
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor

    X, y, task, _ = _load(args)
    classification = task == "classification"
    if classification and len(np.unique(y)) < 2:
        raise DataError("the target has a single class; classification needs at least two")
    if len(y) < 10:
        raise DataError(f"{len(y)} rows are too few to hold out a test set")
    stratify = y if classification and np.min(np.unique(y, return_counts=True)[1]) >= 2 else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, random_state=args.seed, stratify=stratify)
    options = dict(strategy=args.strategy, random_state=args.seed, n_jobs=args.n_jobs,
                   verbose=1)
    if args.hidden is not None:
        options["hidden_layer_sizes"] = tuple(args.hidden)
    if args.generations is not None:
        options["max_generations"] = args.generations
    Estimator = NeuroEvolutionClassifier if classification else NeuroEvolutionRegressor
    model = Pipeline([("scale", StandardScaler()), ("model", Estimator(**options))])
    source = args.dataset or args.data
    print(f"evonet {Estimator.__name__} on {source}: {X_train.shape[0]} training rows, "
          f"{X_test.shape[0]} test rows, {X.shape[1]} features", flush=True)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    fitted = model[-1]
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)

    Reference = MLPClassifier if classification else MLPRegressor
    reference = Pipeline([("scale", StandardScaler()),
                          ("model", Reference(max_iter=2000, random_state=args.seed))])
    ref_start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.fit(X_train, y_train)
    ref_seconds = time.perf_counter() - ref_start
    metric = "accuracy" if classification else "R^2"
    ours, theirs = model.score(X_test, y_test), reference.score(X_test, y_test)
    print(f"\nstrategy {fitted.strategy_}, {fitted.n_iter_} generations, "
          f"{fitted.n_evaluations_} network evaluations, {seconds:.1f} s, "
          f"training loss {fitted.best_loss_:.4g}")
    print(f"held-out {metric}: evonet {ours:.4f}  |  {Reference.__name__} {theirs:.4f} "
          f"({ref_seconds:.1f} s, same split)")
    return EXIT_OK


def build_parser():
    parser = _Parser(prog="evonet", description="Evolve neural networks with evonet.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    fit = commands.add_parser(
        "fit", help="evolve a network on a CSV file or a built-in data set",
        description="Evolve a network on a CSV file or a built-in data set, with inputs "
                    "standardised in a Pipeline; report held-out accuracy (or R^2) beside "
                    "scikit-learn's MLP trained on the same split.")
    fit.add_argument("data", nargs="?", help="CSV file with a header row")
    fit.add_argument("--target", help="target column of the CSV file")
    fit.add_argument("--dataset", choices=list(DATASETS), help="a built-in data set")
    fit.add_argument("--task", choices=["classification", "regression"],
                     help="default: the data set's, or inferred from the target column")
    fit.add_argument("--strategy", default="auto", help="auto, es, cmaes or ga")
    fit.add_argument("--generations", type=int, help="max_generations (default 5000)")
    fit.add_argument("--hidden", type=int, nargs="+", metavar="N", help="hidden layer sizes")
    fit.add_argument("--test-size", type=float, default=0.25)
    fit.add_argument("--n-jobs", type=int, default=None)
    fit.add_argument("--seed", type=int, default=0)
    fit.set_defaults(handler=_fit_command)
    return parser


def main(argv=None):
    """Run the ``evonet`` command line; return the exit code.

    Exit codes: 0 success, 1 failure, 2 usage or input error.

    Examples
    --------
    >>> main(["fit", "--dataset", "nope"])  # doctest: +SKIP
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "fit" and (args.dataset is None) == (args.data is None):
        parser.error("give either a CSV file or --dataset NAME")
    try:
        return args.handler(args)
    except DataError as exc:
        print(f"evonet: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"evonet: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("evonet: interrupted", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
