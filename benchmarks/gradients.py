"""Speed of the batched back-propagation of a population against a per-network loop.

Prints, from one run on this machine, the time of the loss and gradient of
``P=32`` networks by one call of :func:`evonet.problems.loss_and_grad` against
32 calls of a plain per-network NumPy back-propagation (as a user would write
it: forward, softmax log-loss, backward, weights already unpacked, no
validation), float32, for a 4-8-3 tanh network on iris's 150 rows and a
64-32-10 one on digits' 1,437 rows. The two sides are timed alternately in
each repeat and the medians compared; the two gradients are checked to agree.

For digits it also prints the floor both sides share: the two products of
the first layer (forward ``X @ W1`` and the weights' gradient ``X.T @ delta``)
for all 32 networks as two single GEMMs over all rows, plus ``tanh`` over the
hidden values, timed in the same run.

BLAS runs single-threaded throughout, as it does during fitness evaluation.
Targets: >= 5x (iris), >= 1.5x (digits).

Usage: python benchmarks/gradients.py [--repeats 15] [--json PATH]
"""

import argparse
import json
import os
import statistics
import time

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from sklearn.datasets import load_digits, load_iris
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from evonet.nn import MLPLayout
from evonet.problems import SupervisedProblem, loss_and_grad

SHAPES = {"iris": (load_iris, (8,), 150), "digits": (load_digits, (32,), 1437)}
TARGETS = {"iris": 5.0, "digits": 1.5}
P = 32


def reference_gradient(W1, b1, W2, b2, X, Y):
    """Loss and gradient of one 1-hidden-layer tanh / softmax network, plain NumPy."""
    n = X.shape[0]
    H = np.tanh(X @ W1 + b1)
    Z = H @ W2 + b2
    Z -= Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    prob = E / E.sum(axis=1, keepdims=True)
    loss = -np.log(prob[Y.astype(bool)]).mean()
    delta = (prob - Y) / n
    gW2 = H.T @ delta
    gb2 = delta.sum(axis=0)
    dH = (delta @ W2.T) * (1 - H * H)
    gW1 = X.T @ dH
    gb1 = dH.sum(axis=0)
    return loss, (gW1, gb1, gW2, gb2)


def reference_loop(networks, X, Y):
    return [reference_gradient(*net, X, Y) for net in networks]


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench(name, repeats):
    load, hidden, n_rows = SHAPES[name]
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:n_rows]
    y = y[:n_rows]
    n_classes = int(y.max()) + 1
    layout = MLPLayout(X.shape[1], hidden, n_classes, activation="tanh",
                       output_activation="softmax")
    pop = np.random.default_rng(0).normal(scale=0.3, size=(P, layout.n_params))
    problem = SupervisedProblem(layout, X, y, loss="log_loss", dtype=np.float32)
    X32, Y32 = X.astype(np.float32), np.eye(n_classes, dtype=np.float32)[y]
    networks = [tuple(a.astype(np.float32) for layer in layout.unpack(w) for a in layer)
                for w in pop]
    _, batched = loss_and_grad(problem, pop)
    ref = np.stack([np.concatenate([g.ravel() for g in grads])
                    for _, grads in reference_loop(networks, X32, Y32)])
    agreement = float(np.abs(batched - ref).max() / np.abs(ref).max())
    t_batched, t_loop = [], []
    for _ in range(repeats):
        t_batched.append(timed(lambda: loss_and_grad(problem, pop)))
        t_loop.append(timed(lambda: reference_loop(networks, X32, Y32)))
    b, loop = statistics.median(t_batched), statistics.median(t_loop)
    row = {"data": name, "shape": "-".join(map(str, layout.layer_sizes)), "P": P,
           "N": n_rows, "batched_s": b, "loop_s": loop, "speedup": loop / b,
           "target": TARGETS[name], "max_relative_difference": agreement}
    if name == "digits":
        row["floor_s"] = first_layer_floor(X32, P * hidden[0], repeats)
    return row


def first_layer_floor(X32, width, repeats):
    """Median time of ``X @ W`` and ``X.T @ D`` for ``width`` units, plus ``tanh``."""
    rng = np.random.default_rng(1)
    X_aug = np.hstack([X32, np.ones((X32.shape[0], 1), np.float32)])
    W = rng.normal(size=(X_aug.shape[1], width)).astype(np.float32)
    D = rng.normal(size=(X32.shape[0], width)).astype(np.float32)

    def floor():
        H = X_aug @ W
        np.tanh(H, out=H)
        return X_aug.T @ D

    return statistics.median(timed(floor) for _ in range(repeats))


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=at_least(1), default=15,
                        help="alternate timings of the two sides; the medians are compared "
                             "(default: %(default)s)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    results = {"rows": [], "loadavg_before": os.getloadavg()}
    with threadpool_limits(1, user_api="blas"):
        print("| data | shape | P | N | one call (ms) | 32 calls (ms) | speedup | target |")
        print("|---|---|---|---|---|---|---|---|")
        for name in SHAPES:
            row = bench(name, args.repeats)
            results["rows"].append(row)
            print(f"| {name} | {row['shape']} | {P} | {row['N']} | {row['batched_s'] * 1e3:.2f} "
                  f"| {row['loop_s'] * 1e3:.2f} | {row['speedup']:.2f}x | >= {row['target']}x |")
    results["loadavg_after"] = os.getloadavg()
    digits = results["rows"][-1]
    print(f"\ndigits: first-layer GEMMs + tanh of all 32 networks {digits['floor_s'] * 1e3:.2f} "
          f"ms; one call is {digits['batched_s'] / digits['floor_s']:.2f}x that floor, "
          f"the 32 calls {digits['loop_s'] / digits['floor_s']:.2f}x")
    print(f"\ngradients agree to {max(r['max_relative_difference'] for r in results['rows']):.1e}"
          f" (largest difference over largest entry); load average "
          f"{results['loadavg_before'][0]:.2f} before, {results['loadavg_after'][0]:.2f} after")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
