"""A classifier trained on a stream by ``partial_fit``, against scikit-learn's MLPClassifier.

Prints, from one run on this machine, the held-out accuracy of
``NeuroEvolutionClassifier()`` and ``MLPClassifier()``, both with their
defaults and the same ``random_state``, each trained by ``partial_fit`` on the
same stream: a stratified 75 % training split of digits, breast_cancer or wine
(standardised on it), cut into 10 batches, passed in order 30 times (300
calls), the rows in their drawn order or sorted by label (``--order sorted``:
each batch then holds one or two classes). Accuracy is taken on the other
25 %. Beside them: the same evonet classifier with ``strategy="es"``, what
``strategy="auto"`` used for ``partial_fit`` before it chose population-based
training. Seconds are the wall time of the 300 calls.

Nothing is written unless ``--json PATH`` is given.

Usage: python benchmarks/stream_accuracy.py [--datasets digits breast_cancer wine]
           [--order shuffled] [--seeds 2] [--json PATH]
"""

import argparse
import json
import os
import time
import warnings

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier

BATCHES, EPOCHS = 10, 30


def stream_accuracy(model, name, order, seed):
    """Held-out accuracy and seconds of ``model`` after ``EPOCHS`` passes of ``partial_fit``."""
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    rows = np.argsort(y_train, kind="stable") if order == "sorted" else np.arange(len(y_train))
    classes = np.unique(y)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(EPOCHS):
            for batch in np.array_split(rows, BATCHES):
                model.partial_fit(X_train[batch], y_train[batch], classes=classes)
    seconds = time.perf_counter() - start
    return float(model.score(X_test, y_test)), seconds


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["digits", "breast_cancer", "wine"],
                        choices=["digits", "breast_cancer", "wine", "iris"],
                        help="the data sets to stream (default: digits breast_cancer wine)")
    parser.add_argument("--order", default="shuffled", choices=["shuffled", "sorted"],
                        help="rows in their drawn order, or sorted by label (default: "
                             "%(default)s)")
    parser.add_argument("--seeds", type=at_least(1), default=2,
                        help="split seeds (and random_state of the models) 0 to SEEDS-1 "
                             "(default: %(default)s)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    rows = []
    print("| data set | order | seed | MLPClassifier | evonet | evonet, es | seconds: MLP, "
          "evonet, es |")
    print("|---|---|---|---|---|---|---|")
    for name in args.datasets:
        for seed in range(args.seeds):
            model = NeuroEvolutionClassifier(random_state=seed)
            runs = [stream_accuracy(MLPClassifier(random_state=seed), name, args.order, seed),
                    stream_accuracy(model, name, args.order, seed),
                    stream_accuracy(NeuroEvolutionClassifier(strategy="es", random_state=seed),
                                    name, args.order, seed)]
            (mlp, t_mlp), (evo, t_evo), (es, t_es) = runs
            rows.append({"dataset": name, "order": args.order, "seed": seed, "mlp": mlp,
                         "evonet": evo, "evonet_es": es, "strategy": model.strategy_,
                         "seconds": {"mlp": t_mlp, "evonet": t_evo, "evonet_es": t_es}})
            print(f"| {name} | {args.order} | {seed} | {mlp:.3f} | {evo:.3f} | {es:.3f} | "
                  f"{t_mlp:.1f}, {t_evo:.1f}, {t_es:.1f} |", flush=True)
    print(f"\nevonet's strategy: {sorted({r['strategy'] for r in rows})}; "
          f"load average {os.getloadavg()[0]:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"rows": rows, "loadavg": os.getloadavg()}, f, indent=1)


if __name__ == "__main__":
    main()
