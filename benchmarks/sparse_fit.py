"""A classifier fitted on a one-hot encoding too wide to hold densely.

200,000 rows of ``OneHotEncoder(sparse_output=True)`` over one feature of
10,000 categories, built from a seeded generator: dense float32, ``X`` would
take 8 GB (7.5 GiB); sparse, it holds one stored value per row. Each category
has a label of its own (flipped for 10 % of the rows), so the network must
learn a weight per category. The fit (``hidden_layer_sizes=(16,)``,
``population_size=32``, a small ``max_generations``) keeps ``X`` sparse:
the first layer is a sparse-dense product and minibatches are sparse row
slices. Prints the fit time, the peak resident memory (``getrusage``) before
and after the fit, and the accuracy on held-out rows. With ``--n-jobs`` above
1 the workers' memory is not counted (they memory-map the stored values).
``--dense`` (for sizes whose dense matrix fits in memory) also fits the same
model on ``X.toarray()`` in the same run and prints both times and the
largest difference between the two models' ``predict_proba``.
Target: peak resident memory well under 2 GB.

Usage: python benchmarks/sparse_fit.py [--rows 200000] [--categories 10000]
       [--generations 50] [--n-jobs 1] [--seed 0] [--dense] [--json PATH]
"""

import argparse
import json
import resource
import time
import warnings

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from sklearn.preprocessing import OneHotEncoder

from evonet import NeuroEvolutionClassifier


def peak_rss_mib():
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(rows, categories, seed):
    """One-hot rows of a seeded categorical feature and labels that depend on the category."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, categories, size=(rows, 1))
    label_of = rng.integers(0, 2, size=categories)
    flipped = rng.random(rows) < 0.1
    y = np.where(flipped, 1 - label_of[codes[:, 0]], label_of[codes[:, 0]])
    encoder = OneHotEncoder(categories=[np.arange(categories)], sparse_output=True,
                            dtype=np.float32)
    return encoder.fit_transform(codes), y


def timed_fit(X, y, args):
    """The benchmark's model fitted on ``(X, y)``, and the seconds the fit took."""
    model = NeuroEvolutionClassifier((16,), population_size=32,
                                     max_generations=args.generations, n_jobs=args.n_jobs,
                                     random_state=args.seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a short budget: the fit has not converged
        model.fit(X, y)
    return model, time.perf_counter() - start


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=at_least(1), default=200_000,
                        help="training rows; 20,000 more are drawn for the held-out accuracy "
                             "(default: %(default)s)")
    parser.add_argument("--categories", type=at_least(1), default=10_000,
                        help="categories of the feature, one one-hot column each (default: "
                             "%(default)s)")
    parser.add_argument("--generations", type=at_least(1), default=50,
                        help="max_generations of the fit (default: %(default)s)")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="n_jobs of the fit, as joblib reads it (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data and random_state of the fit (default: "
                             "%(default)s)")
    parser.add_argument("--dense", action="store_true",
                        help="also fit the same model on the dense matrix and compare (only "
                             "for sizes whose dense matrix fits in memory)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    X, y = make_data(args.rows + 20_000, args.categories, args.seed)
    X_test, y_test = X[args.rows:], y[args.rows:]
    X, y = X[:args.rows], y[:args.rows]
    dense_gib = args.rows * args.categories * 4 / 2**30
    before_mib = peak_rss_mib()
    model, seconds = timed_fit(X, y, args)
    after_mib = peak_rss_mib()
    accuracy = model.score(X_test, y_test)
    result = {"rows": args.rows, "categories": args.categories, "stored_values": int(X.nnz),
              "dense_float32_gib": dense_gib, "generations": model.n_iter_,
              "strategy": model.strategy_, "n_jobs": args.n_jobs, "fit_seconds": seconds,
              "peak_rss_mib_before_fit": before_mib, "peak_rss_mib": after_mib,
              "test_accuracy": accuracy}
    print(f"{args.rows:,} rows x {args.categories:,} one-hot columns ({X.nnz:,} stored values; "
          f"dense float32 would take {dense_gib:.1f} GiB)")
    print(f"fit (hidden (16,), population 32, strategy {model.strategy_}, "
          f"{model.n_iter_} generations, n_jobs={args.n_jobs}): {seconds:.1f} s, "
          f"{seconds / max(1, model.n_iter_) * 1000:.0f} ms per generation")
    print(f"peak resident memory: {before_mib:.0f} MiB before the fit, {after_mib:.0f} MiB "
          f"after it")
    print(f"held-out accuracy {accuracy:.3f} (labels 10 % noisy; 0.5 is chance)")
    print(f"target: peak well under 2 GB (here: under 1 GB): "
          f"{'met' if after_mib * 2**20 < 1e9 else 'MISSED'}")
    if args.dense:
        dense_model, dense_seconds = timed_fit(X.toarray(), y, args)
        gap = np.abs(dense_model.predict_proba(X_test.toarray()) - model.predict_proba(X_test))
        result.update(dense_fit_seconds=dense_seconds, dense_max_proba_difference=gap.max())
        print(f"the same fit on the dense matrix: {dense_seconds:.1f} s (sparse / dense time "
              f"{seconds / dense_seconds:.2f}); largest predict_proba difference {gap.max():.2e}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
