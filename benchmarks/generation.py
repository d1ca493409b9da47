"""Time per generation of evonet's GA against the tutorial DEAP loop, in one run.

Both evolve a 4-8-3 tanh network on iris (stratified 80/20 split, standardised,
as ``benchmarks/peers/deap_mlp.py`` does) with a population of 100 for the same
number of generations. evonet runs its ``"ga"`` strategy through the run loop
(ask, batched evaluation, tell, logbook, hall of fame); the peer is the
tutorial-style DEAP ``eaSimple`` loop with list individuals, evaluated one at a
time (``benchmarks/peers/deap_mlp.py --algo ga``), run as a subprocess of this
script. Target: evonet at least 10x less time per generation.

Usage: python benchmarks/generation.py [--generations 200] [--runs 3] [--peer PATH] [--json PATH]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from evonet import Evaluator, MLPLayout, SupervisedProblem
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.strategies import get_strategy

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PEER = os.path.join(HERE, "peers", "deap_mlp.py")


class _Initializer:
    def __init__(self, layout):
        self.layout = layout

    def __call__(self, n, rng):
        return init_population(self.layout, n, rng)


def evonet_ms_per_generation(generations, seed):
    X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y,
                                                        random_state=0)
    scaler = StandardScaler().fit(X_train)
    layout = MLPLayout(4, (8,), 3, activation="tanh", output_activation="softmax")
    problem = SupervisedProblem(layout, scaler.transform(X_train), y_train, loss="log_loss")
    strategy = get_strategy("ga", population_size=100)
    run = Run(strategy, Evaluator(problem), np.random.default_rng(seed),
              initializer=_Initializer(layout))
    start = time.perf_counter()
    evolve(run, max_generations=generations)
    seconds = time.perf_counter() - start
    from evonet.nn import forward

    predicted = forward(layout, np.asarray(run.best), scaler.transform(X_test),
                        dtype=np.float64).argmax(axis=1)
    return 1e3 * seconds / generations, float(np.mean(predicted == y_test))


def peer_ms_per_generation(peer, generations, runs, seed):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "peer.json")
        subprocess.run([sys.executable, peer, "--dataset", "iris", "--algo", "ga", "--pop", "100",
                        "--gens", str(generations), "--runs", str(runs), "--seed", str(seed),
                        "--json", out], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            summary = json.load(f)["summary"]
    return summary["ms_per_gen_mean"], summary["test_acc_mean"]


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generations", type=at_least(1), default=200,
                        help="generations of each run, on both sides (default: %(default)s)")
    parser.add_argument("--runs", type=at_least(1), default=3,
                        help="runs on each side; the median time counts (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the first run; run i uses seed + i (default: %(default)s)")
    parser.add_argument("--peer", default=DEFAULT_PEER, metavar="PATH",
                        help="the tutorial DEAP script to time against; if it is missing, only "
                             "evonet is timed (default: benchmarks/peers/deap_mlp.py)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()

    ours = [evonet_ms_per_generation(args.generations, args.seed + r) for r in range(args.runs)]
    ms = float(np.median([m for m, _ in ours]))
    accuracy = float(np.mean([a for _, a in ours]))
    print(f"evonet GA, iris, P=100: {ms:.3f} ms per generation (median of {args.runs} runs), "
          f"test accuracy {100 * accuracy:.1f}%")
    result = {"evonet_ms_per_generation": ms, "evonet_test_accuracy": accuracy}
    if os.path.exists(args.peer):
        peer_ms, peer_acc = peer_ms_per_generation(args.peer, args.generations, args.runs,
                                                   args.seed)
        ratio = peer_ms / ms
        print(f"tutorial DEAP loop ({os.path.relpath(args.peer)}): {peer_ms:.3f} ms per "
              f"generation, test accuracy {100 * peer_acc:.1f}%")
        print(f"evonet is {ratio:.1f}x faster per generation (target >= 10x): "
              f"{'met' if ratio >= 10 else 'MISSED'}")
        result.update(peer_ms_per_generation=peer_ms, peer_test_accuracy=peer_acc, ratio=ratio)
    else:
        print(f"peer script not found at {args.peer}; pass --peer PATH")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
