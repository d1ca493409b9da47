"""Larger data: the estimators' defaults, the minibatch ES and scikit-learn's MLP.

Six data sets of 5,000 to 20,000 rows, one 80/20 split each (seeded by the
data set's seed), every model in ``Pipeline(StandardScaler(), model)`` and
seeded the same:

- ``default``: ``NeuroEvolutionClassifier()`` / ``NeuroEvolutionRegressor()``,
  whose ``strategy="auto"`` trains these by population-based training;
- ``es``: ``strategy="es"``, scored on 256-row minibatches, cutting its step
  at a stall (``adaptive_steps=3``, its default on minibatches);
- ``es-no-cuts``: the same with ``strategy_params={"adaptive_steps": 0}``;
- ``mlp``: ``MLPClassifier(max_iter=1000)`` / ``MLPRegressor(max_iter=2000)``.

Prints held-out accuracy (R^2 for make_friedman1) and fit seconds of each, one
fit after the other in this process. Nothing is written unless ``--json PATH``
is given.

Usage: python benchmarks/large_data.py [--models default es es-no-cuts mlp]
           [--sets clf20k ...] [--json PATH]
"""

import argparse
import json
import os
import time
import warnings

from _options import add_json_option  # benchmarks/ is on sys.path when a script runs
from sklearn.datasets import make_classification, make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor

SETS = {
    "clf20k": ("make_classification, 20,000 x 20, 3 classes", 0),
    "clf20k-seed1": ("the same, another seed", 1),
    "clf10k": ("make_classification, 10,000 x 30, 2 classes", 0),
    "friedman10k": ("make_friedman1, 10,000 rows (R^2)", 0),
    "friedman10k-seed1": ("the same, another seed", 1),
    "imbalanced5k": ("make_classification, 5,000 x 20, classes 0.95 / 0.05", 0),
}
MODELS = ("default", "es", "es-no-cuts", "mlp")


def load(name):
    """``(X, y, is_classification)`` of set ``name``."""
    seed = SETS[name][1]
    if name.startswith("clf20k"):
        X, y = make_classification(20_000, 20, n_informative=10, n_classes=3, random_state=seed)
    elif name == "clf10k":
        X, y = make_classification(10_000, 30, n_informative=15, random_state=seed)
    elif name == "imbalanced5k":
        X, y = make_classification(5_000, 20, weights=[0.95, 0.05], random_state=seed)
    else:
        X, y = make_friedman1(10_000, noise=1.0, random_state=seed)
        return X, y, False
    return X, y, True


def model(kind, classification, seed):
    if kind == "mlp":
        return MLPClassifier(max_iter=1000, random_state=seed) if classification \
            else MLPRegressor(max_iter=2000, random_state=seed)
    params = {"default": {}, "es": {"strategy": "es"},
              "es-no-cuts": {"strategy": "es", "strategy_params": {"adaptive_steps": 0}}}[kind]
    cls = NeuroEvolutionClassifier if classification else NeuroEvolutionRegressor
    return cls(random_state=seed, **params)


def run(name, kinds):
    X, y, classification = load(name)
    seed = SETS[name][1]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=seed, stratify=y if classification else None)
    result = {}
    for kind in kinds:
        pipeline = make_pipeline(StandardScaler(), model(kind, classification, seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            pipeline.fit(X_train, y_train)
            seconds = time.perf_counter() - start
        fitted = pipeline[-1]
        result[kind] = {"score": float(pipeline.score(X_test, y_test)), "seconds": seconds,
                        "strategy": getattr(fitted, "strategy_", None)}
    return result


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS),
                        help="data sets to run (all by default)")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS),
                        help="models to fit on each (all by default)")
    add_json_option(parser)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if os.path.exists("/proc/loadavg"):
        print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
    results = {}
    for name in args.sets:
        results[name] = run(name, args.models)
        cells = "  ".join(f"{kind} {r['score']:.4f} ({r['seconds']:.1f} s)"
                          for kind, r in results[name].items())
        print(f"{name:18} {cells}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "sets": {k: v[0] for k, v in SETS.items()},
                       "results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
