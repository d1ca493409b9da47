"""Population-based training against scikit-learn's MLP: accuracy (R^2) and wall time.

Both models are ``Pipeline(StandardScaler(), model)`` fitted on the same
repeated 5-fold splits (stratified for classification): evonet's
``NeuroEvolutionClassifier(strategy="pbt")`` / ``NeuroEvolutionRegressor(
strategy="pbt")`` with their defaults, and ``MLPClassifier(max_iter=1000)`` /
``MLPRegressor(max_iter=2000)`` with theirs (every fit seeded by the split).
The two fits of a split run one after the other in this process, so their
times share the machine's load. Data: iris, wine, breast_cancer and digits
(accuracy), diabetes and make_friedman1 (1,000 rows, noise 1.0, as
``experiments/sklearn_benchmark.py``; R^2).

Targets: accuracy at least the MLP's on iris, wine, breast_cancer
and digits, and at least 0.3 points above it on digits; R^2 at least the
MLP's on diabetes and friedman1; on each data set, PBT's total fit time at
most 3x the MLP's.

Run from the repository root: ``python benchmarks/pbt_vs_mlp.py [--repeats 3]
[--datasets iris digits] [--json results.json]``; nothing is written unless
``--json`` is given.
"""

import argparse
import json
import math
import os
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _options import add_json_option, at_least  # noqa: E402  (benchmarks/ is on sys.path)

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor  # noqa: E402
from evonet.datasets import DATASETS, load_dataset, repeated_cv  # noqa: E402

MARGIN = {"digits": 0.003}
"""How far above the MLP PBT must score (accuracy 0.3 points on digits)."""


def models(task, seed, pbt_params):
    if task == "classification":
        return {"mlp": MLPClassifier(max_iter=1000, random_state=seed),
                "pbt": NeuroEvolutionClassifier(strategy="pbt", random_state=seed,
                                                **pbt_params)}
    return {"mlp": MLPRegressor(max_iter=2000, random_state=seed),
            "pbt": NeuroEvolutionRegressor(strategy="pbt", random_state=seed, **pbt_params)}


def summary(values):
    values = np.asarray(values, dtype=float)
    se = values.std(ddof=1) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return {"mean": float(values.mean()), "se": float(se), "values": values.tolist()}


def run_dataset(name, repeats, folds, seed, pbt_params):
    X, y, task, _ = load_dataset(name)
    splitter = repeated_cv(task, n_repeats=repeats, random_state=seed, n_splits=folds)
    scores = {"mlp": [], "pbt": []}
    seconds = {"mlp": [], "pbt": []}
    for index, (train, test) in enumerate(splitter.split(X, y)):
        for key, model in models(task, index, pbt_params).items():
            pipeline = make_pipeline(StandardScaler(), model)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                start = time.perf_counter()
                pipeline.fit(X[train], y[train])
                seconds[key].append(time.perf_counter() - start)
            scores[key].append(pipeline.score(X[test], y[test]))
    result = {key: {"score": summary(scores[key]), "seconds": float(np.sum(seconds[key]))}
              for key in scores}
    result["time_ratio"] = result["pbt"]["seconds"] / result["mlp"]["seconds"]
    result["score_difference"] = result["pbt"]["score"]["mean"] - result["mlp"]["score"]["mean"]
    result["met"] = bool(result["score_difference"] >= MARGIN.get(name, 0.0)
                         and result["time_ratio"] <= 3.0)
    return result


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS),
                        metavar="NAME",
                        help=f"data sets to compare on, among {', '.join(DATASETS)} "
                             f"(default: all)")
    parser.add_argument("--repeats", type=at_least(1), default=3,
                        help="repetitions of the k folds (default: %(default)s)")
    parser.add_argument("--folds", type=at_least(2), default=5,
                        help="folds k of each repetition, at least 2 (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the splits (default: %(default)s)")
    parser.add_argument("--pbt-params", type=json.loads, default={},
                        help='estimator parameters of PBT as JSON: \'{"population_size": 8}\' '
                             "(default: none, PBT's defaults)")
    add_json_option(parser)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    results = {}
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}"
          if os.path.exists("/proc/loadavg") else "")
    print(f"{'data set':14} {'MLP':>16} {'PBT':>16} {'MLP s':>8} {'PBT s':>8} {'ratio':>6}  met")
    for name in args.datasets:
        result = run_dataset(name, args.repeats, args.folds, args.seed, args.pbt_params)
        results[name] = result
        mlp, pbt = result["mlp"], result["pbt"]
        print(f"{name:14} {mlp['score']['mean']:.4f} +- {mlp['score']['se']:.4f} "
              f"{pbt['score']['mean']:.4f} +- {pbt['score']['se']:.4f} "
              f"{mlp['seconds']:8.2f} {pbt['seconds']:8.2f} {result['time_ratio']:6.2f}  "
              f"{result['met']}", flush=True)
    if os.path.exists("/proc/loadavg"):
        print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
