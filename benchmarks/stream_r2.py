"""A regressor trained on a stream by ``partial_fit``, against scikit-learn's MLPRegressor.

Prints, from one run on this machine, the held-out R^2 of
``NeuroEvolutionRegressor((100,))`` and ``MLPRegressor(hidden_layer_sizes=(100,))``,
both with their other defaults and the same ``random_state``, each trained by
``partial_fit`` on the same stream: 500 training rows cut into 10 batches of 50,
passed in order 60 times (600 calls), the rows sorted by target (each batch then
covers a narrow slice of the targets, so the first batch is unrepresentative) or
in their drawn order (``--order shuffled``). R^2 is taken on 2,000 fresh rows of
the same distribution. Beside them: the same evonet regressor with
``strategy="es"`` (what ``strategy="auto"`` used for ``partial_fit`` before it
chose population-based training), and ``MLPRegressor(activation="tanh")``, the
MLP with evonet's default activation (``MLPRegressor``'s default is ``relu``),
which tells a gap of the activation from one of the training. Streams:

- ``function``: two uniform features, ``y = 10 + 5 (x0 - sin(2 x1))``;
- ``friedman1``: ``make_friedman1`` (10 features, noise 1.0) with the targets
  standardised by their known mean and spread (``(y - 14) / 5``), the regime in
  which the MLP, which does not scale its targets, learns well.

Target: on every stream, evonet's R^2 within 0.05 of the MLP's (or above it).
Nothing is written unless ``--json PATH`` is given.

Usage: python benchmarks/stream_r2.py [--streams function friedman1] [--order sorted]
           [--seeds 3] [--json PATH]
"""

import argparse
import json
import os
import warnings

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor

from evonet import NeuroEvolutionRegressor

N_TRAIN, N_TEST, BATCHES, EPOCHS = 500, 2000, 10, 60


def draw(stream, n, seed):
    """``n`` rows of ``stream`` drawn with ``seed``."""
    if stream == "function":
        rng = np.random.default_rng(seed)
        X = rng.uniform(-1, 1, size=(n, 2))
        return X, 10 + 5 * (X[:, 0] - np.sin(2 * X[:, 1]))
    X, y = make_friedman1(n_samples=n, noise=1.0, random_state=seed)
    return X, (y - 14) / 5


def stream_r2(model, stream, order, seed):
    """Held-out R^2 of ``model`` after ``EPOCHS`` passes of ``partial_fit`` over the stream."""
    X, y = draw(stream, N_TRAIN, seed)
    X_test, y_test = draw(stream, N_TEST, seed + 100)
    rows = np.argsort(y, kind="stable") if order == "sorted" else np.arange(N_TRAIN)
    batches = np.array_split(rows, BATCHES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(EPOCHS):
            for batch in batches:
                model.partial_fit(X[batch], y[batch])
    return float(r2_score(y_test, model.predict(X_test)))


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", nargs="+", default=["function", "friedman1"],
                        choices=["function", "friedman1"],
                        help="the streams to train on (default: function friedman1)")
    parser.add_argument("--order", default="sorted", choices=["sorted", "shuffled"],
                        help="rows sorted by target, or in the order they were drawn (default: "
                             "%(default)s)")
    parser.add_argument("--seeds", type=at_least(1), default=3,
                        help="data seeds (and random_state of both models) 0 to SEEDS-1 "
                             "(default: %(default)s)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    rows = []
    print("| stream | order | seed | MLPRegressor | evonet | gap | within 0.05 | "
          "MLP, tanh | evonet, es |")
    print("|---|---|---|---|---|---|---|---|---|")
    for stream in args.streams:
        for seed in range(args.seeds):
            mlp = stream_r2(MLPRegressor(hidden_layer_sizes=(100,), random_state=seed),
                            stream, args.order, seed)
            model = NeuroEvolutionRegressor((100,), random_state=seed)
            evo = stream_r2(model, stream, args.order, seed)
            tanh = stream_r2(MLPRegressor(hidden_layer_sizes=(100,), activation="tanh",
                                          random_state=seed), stream, args.order, seed)
            es = stream_r2(NeuroEvolutionRegressor((100,), strategy="es", random_state=seed),
                           stream, args.order, seed)
            rows.append({"stream": stream, "order": args.order, "seed": seed, "mlp": mlp,
                         "evonet": evo, "gap": mlp - evo, "strategy": model.strategy_,
                         "mlp_tanh": tanh, "evonet_es": es})
            print(f"| {stream} | {args.order} | {seed} | {mlp:.3f} | {evo:.3f} | "
                  f"{mlp - evo:+.3f} | {'yes' if mlp - evo <= 0.05 else 'no'} | {tanh:.3f} | "
                  f"{es:.3f} |", flush=True)
    print(f"\nevonet's strategy: {sorted({r['strategy'] for r in rows})}")
    print(f"\nload average {os.getloadavg()[0]:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"rows": rows, "loadavg": os.getloadavg()}, f, indent=1)


if __name__ == "__main__":
    main()
