"""Speed of scikit-learn's metrics for a whole population at once (``evonet.metrics``).

Prints, from one run on this machine, for ``P`` networks (default 100) with
random weights (evonet's own initialisation, 64-32-10 on digits, 30-16-1 on
breast_cancer, StandardScaler inputs):

1. ``balanced_accuracy`` and ``f1_macro`` of the predicted labels on digits'
   1,437 training rows (of a 80/20 split);
2. ``roc_auc`` of the positive class's probability on breast_cancer's 455
   training rows;

each as one batched call of :mod:`evonet.metrics` against ``P`` calls of
scikit-learn's function, the two timed alternately (best of ``--repeats``),
with the largest absolute difference between the two results. The networks'
outputs are computed once beforehand: only the metric is timed.
Target: >= 20x faster, equal to 1e-12.

Usage: python benchmarks/population_metrics.py [--population 100] [--repeats 7] [--json PATH]
"""

import argparse
import json

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from _timing import best_time
from sklearn import metrics as skm
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from evonet import metrics
from evonet.genome.weights import init_population
from evonet.nn import MLPLayout, forward
from evonet.randomness import make_generator


def _outputs(load, hidden, output_activation, n_outputs, population, seed=0):
    X, y = load(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=seed,
                                              stratify=y)
    X_train = StandardScaler().fit_transform(X_train)
    layout = MLPLayout(X.shape[1], hidden, n_outputs, "tanh", output_activation)
    weights = init_population(layout, population, make_generator(seed))
    return y_train, forward(layout, np.asarray(weights), X_train, dtype=np.float64)


def _case(name, batched, per_network, repeats):
    ours, theirs = batched(), np.array(per_network())
    t_batched = t_loop = np.inf
    for _ in range(repeats):  # alternate the two sides so that load affects both
        t_batched = min(t_batched, best_time(batched, 1))
        t_loop = min(t_loop, best_time(per_network, 1))
    row = {"case": name, "batched_ms": 1e3 * t_batched, "sklearn_ms": 1e3 * t_loop,
           "speedup": t_loop / t_batched, "max_abs_diff": float(np.max(np.abs(ours - theirs)))}
    print(f"{name:32s} batched {row['batched_ms']:8.3f} ms  sklearn {row['sklearn_ms']:9.2f} ms"
          f"  {row['speedup']:6.1f}x  max |diff| {row['max_abs_diff']:.1e}")
    return row


def main(population=100, repeats=7):
    """Run the three cases; return their rows."""
    y, out = _outputs(load_digits, (32,), "softmax", 10, population)
    pred = out.argmax(axis=2)
    rows = [
        _case("digits balanced_accuracy", lambda: metrics.balanced_accuracy(y, pred, 10),
              lambda: [skm.balanced_accuracy_score(y, p) for p in pred], repeats),
        _case("digits f1_macro", lambda: metrics.f1(y, pred, 10, average="macro"),
              lambda: [skm.f1_score(y, p, average="macro") for p in pred], repeats),
    ]
    y, out = _outputs(load_breast_cancer, (16,), "logistic", 1, population)
    score = out[:, :, 0]
    rows.append(_case("breast_cancer roc_auc", lambda: metrics.roc_auc(y, score),
                      lambda: [skm.roc_auc_score(y, s) for s in score], repeats))
    return rows


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=at_least(1), default=100,
                        help="networks P scored by each call (default: %(default)s)")
    parser.add_argument("--repeats", type=at_least(1), default=7,
                        help="timed batches of each side; the best one counts (default: "
                             "%(default)s)")
    add_json_option(parser)
    return parser


if __name__ == "__main__":
    args = build_parser().parse_args()
    with open("/proc/loadavg") as f:
        print("load average:", f.read().split()[:3])
    results = main(args.population, args.repeats)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
