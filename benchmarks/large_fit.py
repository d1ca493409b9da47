"""A regressor fitted with its defaults on 1,000,000 rows x 20 features.

With the defaults, ``strategy="auto"`` trains this by population-based
training: 8 networks take Adam steps on minibatches of 200 rows and are
judged on a 10 % validation split after every round, so the fit takes
seconds, not hours. (``strategy="es"`` scores each generation on 256 rows
under ``batch_size="auto"``.) Prints the fit time, the number of
generations (PBT's rounds), R^2 on held-out rows and the peak resident memory.
Target: under 3 minutes on this 2-core machine, bounded memory.

Usage: python benchmarks/large_fit.py [--rows 1000000] [--seed 0] [--json PATH]
"""

import argparse
import json
import resource
import time
import warnings

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs

from evonet import NeuroEvolutionRegressor


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=at_least(1), default=1_000_000,
                        help="training rows; 100,000 more are drawn for the held-out R^2 "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data and random_state of the fit (default: "
                             "%(default)s)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((args.rows + 100_000, 20))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.5 * X[:, 3] + 0.1 * rng.standard_normal(len(X))
    X_test, y_test = X[args.rows:], y[args.rows:]
    X, y = X[:args.rows], y[:args.rows]
    data_mib = (X.nbytes + y.nbytes + X_test.nbytes + y_test.nbytes) / 2**20
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = NeuroEvolutionRegressor(random_state=args.seed).fit(X, y)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r2 = model.score(X_test, y_test)
    result = {"rows": args.rows, "fit_seconds": seconds, "generations": model.n_iter_,
              "evaluations": model.n_evaluations_, "test_r2": r2, "peak_rss_mib": peak_mib,
              "data_mib": data_mib, "converged": not caught}
    print(f"{args.rows:,} x 20 rows, defaults (strategy {model.strategy_}): "
          f"fit {seconds:.1f} s, {model.n_iter_} generations, {model.n_evaluations_:,} network "
          f"evaluations, held-out R^2 {r2:.3f}")
    print(f"peak resident memory {peak_mib:.0f} MiB (the data: {data_mib:.0f} MiB float64)")
    print(f"target: under 180 s: {'met' if seconds < 180 else 'MISSED'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
