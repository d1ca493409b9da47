"""gymnasium control with evolve_policy: CartPole-v1 solved, and Pendulum-v1 (continuous).

CartPole-v1 (discrete actions). Each run evolves a linear policy (the sign of
a weighted sum of the four observations, no bias: four weights) with CMA-ES,
fitness = mean return over --episodes (10) episodes whose seeds are drawn
from the run's generator each generation (every network of a generation plays
the same episodes). A run stops when a network of a generation reaches the
environment's threshold (475) on its episodes; the returned policy (the better
of the run's best-checked incumbent and best network, rescored on fixed
episodes) is then tested on 100 fresh episodes with seeds 1_000_000 + i,
as the neat-python peer run does (neat-python 0.92's CartPole-v1 set-up,
population 150, 3 episodes per evaluation); "solved" means a mean test
return >= 475. Evaluations count every network scored, checks included.

Pendulum-v1 (continuous torque in [-2, 2]). gymnasium registers no reward
threshold for it; the stated reference is the RL Zoo's pretrained agents
(stable-baselines3, huggingface.co/sb3): SAC -176.3 +- 101.6, TD3 -196.0 +-
119.0, PPO -230.4 +- 142.5 mean return. A small tanh network (3-8-1, 41
weights) is evolved with CMA-ES (sigma 0.5) for --pendulum-generations
(150) generations on --pendulum-episodes (10) episodes each, and tested on
100 fresh episodes.

Prints the figures of every run and a summary; with --json, writes every
run and the summary to the output folder (--out-dir,
experiments/results/ by default). Nothing else is written.

Usage:

    python experiments/cartpole_gym.py [--runs 10] [--seed 0] [--episodes 10]
        [--pendulum-runs 3] [--skip-pendulum] [--out-dir DIR] [--json [PATH]]
"""

import argparse
import json
import statistics
import sys
import time

import numpy as np
from _common import add_output_options, at_least, json_path, missing_extra

from evonet.control import MLPPolicy, evolve_policy

PEER_CARTPOLE = {"neat-python (pop 150, 3 episodes)": {"evaluations": 285, "seconds_per_run": 0.80}}
PENDULUM_REFERENCE = {"SAC (RL Zoo)": -176.33, "TD3 (RL Zoo)": -195.99, "PPO (RL Zoo)": -230.42}
TEST_SEED = 1_000_000


def stats(values):
    return {"mean": statistics.mean(values), "median": statistics.median(values),
            "min": min(values), "max": max(values)}


def cartpole(args):
    runs = []
    for i in range(args.runs):
        start = time.perf_counter()
        result = evolve_policy("CartPole-v1", policy=MLPPolicy(4, (), 1, bias=False),
                               strategy="cmaes", strategy_params=dict(sigma=1.0),
                               n_episodes=args.episodes, max_generations=200,
                               random_state=args.seed + i, vectorization=args.vectorization)
        evolve_s = time.perf_counter() - start
        start = time.perf_counter()
        test = result.rollout(n_episodes=100, seed=TEST_SEED)
        test_s = time.perf_counter() - start
        run = {"seed": args.seed + i, "target_reached": result.target_reached_,
               "evaluations": result.n_evaluations_, "generations": result.n_generations_,
               "episodes": result.n_evaluations_ * args.episodes,
               "test_mean_return": float(test.mean()), "test_min_return": float(test.min()),
               "solved_test": bool(test.mean() >= 475.0), "evolution_s": evolve_s,
               "test_s": test_s, "weights": result.weights_.tolist()}
        runs.append(run)
        print(f"CartPole run {i} seed {run['seed']}: {run['evaluations']} evaluations "
              f"({run['generations']} generations), test mean {run['test_mean_return']:.1f} "
              f"(min {run['test_min_return']:.0f}), solved={run['solved_test']}, "
              f"{evolve_s:.2f} s + test {test_s:.2f} s", flush=True)
    summary = {"runs": len(runs), "solved_test": sum(r["solved_test"] for r in runs),
               "evaluations": stats([r["evaluations"] for r in runs]),
               "evolution_s_per_run": stats([r["evolution_s"] for r in runs]),
               "test_mean_return": stats([r["test_mean_return"] for r in runs])}
    ev, wall = summary["evaluations"], summary["evolution_s_per_run"]
    print(f"\nCartPole-v1: {summary['solved_test']}/{summary['runs']} runs solved on 100 fresh "
          f"episodes; evaluations mean {ev['mean']:.1f}, median {ev['median']:.1f}; "
          f"wall per run {wall['mean']:.2f} s; test return mean "
          f"{summary['test_mean_return']['mean']:.1f}")
    for name, peer in PEER_CARTPOLE.items():
        print(f"  peer {name}: {peer['evaluations']} evaluations, "
              f"{peer['seconds_per_run']:.2f} s per run")
    return {"summary": summary, "runs": runs}


def pendulum(args):
    runs = []
    for i in range(args.pendulum_runs):
        start = time.perf_counter()
        result = evolve_policy("Pendulum-v1", policy=MLPPolicy(3, (8,), 1),
                               strategy="cmaes", strategy_params=dict(sigma=args.pendulum_sigma),
                               population_size=args.pendulum_population,
                               n_episodes=args.pendulum_episodes,
                               max_generations=args.pendulum_generations,
                               random_state=args.seed + i)
        evolve_s = time.perf_counter() - start
        test = result.rollout(n_episodes=100, seed=TEST_SEED)
        run = {"seed": args.seed + i, "evaluations": result.n_evaluations_,
               "generations": result.n_generations_, "train_return": result.best_fitness_,
               "test_mean_return": float(test.mean()), "test_std_return": float(test.std()),
               "evolution_s": evolve_s, "weights": result.weights_.tolist()}
        runs.append(run)
        print(f"Pendulum run {i} seed {run['seed']}: {run['evaluations']} evaluations, "
              f"test mean {run['test_mean_return']:.1f} +- {run['test_std_return']:.1f} over 100 "
              f"fresh episodes, {evolve_s:.1f} s", flush=True)
    summary = {"runs": len(runs), "test_mean_return": stats([r["test_mean_return"]
                                                             for r in runs]),
               "evolution_s_per_run": stats([r["evolution_s"] for r in runs])}
    best = max(r["test_mean_return"] for r in runs)
    print(f"\nPendulum-v1: test mean return over runs {summary['test_mean_return']['mean']:.1f} "
          f"(best run {best:.1f}); reference (no registered threshold):")
    for name, value in PENDULUM_REFERENCE.items():
        print(f"  {name}: {value:.1f}")
    return {"summary": summary, "runs": runs}


def build_parser():
    """The argument parser of this experiment (its --help)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=at_least(1), default=10,
                        help="CartPole-v1 runs (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the first run of each task; run i uses seed + i "
                             "(default: %(default)s)")
    parser.add_argument("--episodes", type=at_least(1), default=10,
                        help="CartPole episodes per network evaluation (default: %(default)s)")
    parser.add_argument("--vectorization", choices=["sync", "vector"], default="sync",
                        help="how CartPole episodes are stepped: 'sync' (one environment per "
                             "episode and network, the same episodes for every network) or "
                             "'vector' (gymnasium's NumPy-vectorised CartPole, different "
                             "seeded episodes per network) (default: %(default)s)")
    parser.add_argument("--pendulum-runs", type=at_least(1), default=3,
                        help="Pendulum-v1 runs (default: %(default)s)")
    parser.add_argument("--pendulum-generations", type=at_least(1), default=150,
                        help="generations of each Pendulum run (default: %(default)s)")
    parser.add_argument("--pendulum-episodes", type=at_least(1), default=10,
                        help="Pendulum episodes per network evaluation (default: %(default)s)")
    parser.add_argument("--pendulum-population", type=at_least(2), default=None,
                        help="CMA-ES population of the Pendulum runs, at least 2 (default: "
                             "CMA-ES's own)")
    parser.add_argument("--pendulum-sigma", type=float, default=0.5,
                        help="initial CMA-ES step size of the Pendulum runs (default: "
                             "%(default)s)")
    parser.add_argument("--skip-pendulum", action="store_true",
                        help="run CartPole only")
    add_output_options(parser, "folder for the JSON file, made if missing (default: "
                               "experiments/results/)",
                       "write every run and the summary as JSON: to PATH if given, else to "
                       "cartpole_gym.json in the output folder")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    problem = missing_extra(__file__, "gymnasium", "control", "CartPole-v1 and Pendulum-v1")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    out = {"args": vars(args), "cartpole": cartpole(args)}
    if not args.skip_pendulum:
        out["pendulum"] = pendulum(args)
    if args.json is not None:
        args.json = json_path(args, "cartpole_gym.json")
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    solved = out["cartpole"]["summary"]["solved_test"] == args.runs
    return 0 if solved else 1


if __name__ == "__main__":
    np.seterr(over="ignore")
    sys.exit(main())
