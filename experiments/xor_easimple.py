"""XOR evolved with DEAP's own eaSimple on an evonet toolbox.

A 2-2-1 network (tanh hidden units, linear output) whose nine weights are
evolved by deap.algorithms.eaSimple; the toolbox's batched map scores
each generation in one forward pass. Prints DEAP's per-generation log (for a
single run) and the final mean squared error of the best network; with
--json, writes every run to the output folder (--out-dir,
experiments/results/ by default). Nothing else is written.

Usage: python experiments/xor_easimple.py [--runs 1] [--seed 0] [--generations 200]
           [--population 200] [--out-dir DIR] [--json [PATH]]
"""

import argparse
import json
import random
import time

import numpy as np
from _common import add_output_options, at_least, json_path, machine_conditions
from deap import algorithms, tools

from evonet import MLPLayout, forward, make_toolbox

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([0.0, 1.0, 1.0, 0.0])


def run(seed, generations, population_size, verbose):
    random.seed(seed)  # eaSimple itself draws from Python's random module
    layout = MLPLayout(2, (2,), 1, activation="tanh")
    toolbox = make_toolbox(layout, X, Y, loss="squared_error", random_state=seed,
                           mutation_sigma=1.0, mutation_indpb=0.2)
    stats = tools.Statistics(lambda ind: ind.fitness.values[0])
    stats.register("min", np.min)
    stats.register("mean", np.mean)
    hof = tools.HallOfFame(1, similar=np.array_equal)
    start = time.perf_counter()
    _, log = algorithms.eaSimple(toolbox.population(n=population_size), toolbox, cxpb=0.5,
                                 mutpb=0.5, ngen=generations, stats=stats, halloffame=hof,
                                 verbose=verbose)
    seconds = time.perf_counter() - start
    best = hof[0]
    outputs = forward(layout, best, X, dtype=np.float64).ravel()
    mse = float(np.mean((outputs - Y) ** 2))
    evaluations = sum(entry["nevals"] for entry in log)
    return mse, outputs, evaluations, seconds


def build_parser():
    """The argument parser of this experiment (its --help)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=at_least(1), default=1,
                        help="number of independent runs; a single run prints DEAP's log "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the first run; run i uses seed + i (default: %(default)s)")
    parser.add_argument("--generations", type=at_least(0), default=200,
                        help="generations of eaSimple per run (default: %(default)s)")
    parser.add_argument("--population", type=at_least(1), default=200,
                        help="population size (default: %(default)s)")
    add_output_options(parser, "folder for the JSON file, made if missing (default: "
                               "experiments/results/)",
                       "write every run's error, outputs, evaluations and time as JSON: to "
                       "PATH if given, else to xor_easimple.json in the output folder")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    machine = machine_conditions()
    solved = 0
    runs = []
    for r in range(args.runs):
        mse, outputs, evaluations, seconds = run(args.seed + r, args.generations,
                                                 args.population, verbose=args.runs == 1)
        solved += mse < 0.01
        runs.append({"seed": args.seed + r, "mse": mse, "outputs": outputs.tolist(),
                     "evaluations": evaluations, "wall_s": seconds})
        print(f"run {r} (seed {args.seed + r}): MSE {mse:.2e}, outputs "
              f"{np.array2string(outputs, precision=3)}, {evaluations} evaluations, "
              f"{seconds:.2f} s")
    print(f"{solved}/{args.runs} runs reached MSE < 0.01")
    if args.json is not None:
        args.json = json_path(args, "xor_easimple.json")
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "machine": machine, "solved": int(solved),
                       "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
