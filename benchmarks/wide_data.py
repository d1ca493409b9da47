"""Wide data (many more features than rows): the default classifier against MLPClassifier.

For each data seed, 50 rows of 1,000 standard normal features, the label being
the sign of the first feature alone. Prints, from one run on this machine, the
training accuracy, fit seconds and iterations of
``NeuroEvolutionClassifier(random_state=0)`` and
``MLPClassifier(random_state=0, max_iter=1000)``, both with their defaults
otherwise; with ``--cv R`` also their accuracy over R repetitions of stratified
5-fold cross-validation (every fold a full default fit; 10 rows per test fold,
so a fold's accuracy moves in steps of 0.1), and with ``--fresh N`` their
accuracy on N fresh rows of the same distribution (drawn from seed 1000 + the
data seed), a steadier estimate of the same thing.

Targets: training accuracy 1.0 on every seed, and cross-validated accuracy
within 5 points of the MLP's. Nothing is written unless ``--json PATH`` is given.

Usage: python benchmarks/wide_data.py [--seeds 0 1 2 3 4] [--cv 0] [--fresh 0] [--json PATH]
"""

import argparse
import json
import os
import time
import warnings

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RepeatedStratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier

from evonet import NeuroEvolutionClassifier


def wide(seed, n_rows=50, n_features=1000):
    """The data set of one seed: labels from the first feature only."""
    X = np.random.default_rng(seed).normal(size=(n_rows, n_features))
    return X, (X[:, 0] > 0).astype(int)


def models():
    return {"evonet": NeuroEvolutionClassifier(random_state=0),
            "MLPClassifier": MLPClassifier(random_state=0, max_iter=1000)}


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4],
                        help="data seeds, one data set each (default: 0 1 2 3 4)")
    parser.add_argument("--cv", type=at_least(0), default=0,
                        help="repetitions of stratified 5-fold CV per seed (default: 0, none)")
    parser.add_argument("--fresh", type=at_least(0), default=0,
                        help="fresh rows to measure held-out accuracy on (default: 0, none)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    rows = []
    for seed in args.seeds:
        X, y = wide(seed)
        for name, model in models().items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(X, y)
                row = {"seed": seed, "model": name, "train_accuracy": model.score(X, y),
                       "fit_s": time.perf_counter() - start, "n_iter": int(model.n_iter_),
                       "load": os.getloadavg()[0]}
                if args.fresh:
                    X_new, y_new = wide(1000 + seed, n_rows=args.fresh)
                    row["fresh_accuracy"] = float(model.score(X_new, y_new))
                if args.cv:
                    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=args.cv,
                                                    random_state=seed)
                    row["cv_accuracy"] = float(cross_val_score(model, X, y, cv=folds).mean())
            rows.append(row)
            cv = f", CV accuracy {row['cv_accuracy']:.3f}" if args.cv else ""
            if args.fresh:
                cv += f", accuracy on {args.fresh} fresh rows {row['fresh_accuracy']:.3f}"
            print(f"seed {seed} {name:13s} training accuracy {row['train_accuracy']:.2f} in "
                  f"{row['fit_s']:.1f} s ({row['n_iter']} iterations{cv}; load "
                  f"{row['load']:.2f})", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
