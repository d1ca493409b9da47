"""Pole balancing: evaluations to solve the five benchmark tasks, against the published table.

Each run evolves a policy network on one task (as defined by Gomez,
Schmidhuber & Miikkulainen 2008, Appendix A; evonet.control.make_task)
until it meets the published success criterion:

- steps tasks (1-markov, 1-nonmarkov, 2-markov,
  2-nonmarkov): a network's fitness trial itself lasts up to 100,000
  steps; the run is solved by the first network that balances all of them;
- 2-damping: fitness is Gruau et al.'s damping fitness over 1,000 steps;
  each generation's champion is then tested for 100,000 steps from the
  standard start and on the 625 generalisation starts (at least 200 must
  balance 1,000 steps).

Evaluations to solve count every network evaluated up to and including the
first solving one: earlier generations in full; in the solving generation, up
to the solver's position (for damping, the champion's position). The success
and generalisation tests are not counted, as in the literature.

The networks and strategy settings are fixed per task in CONFIGS (in the
spirit of Igel 2003, whose CMA-ES used small networks):

- Markovian tasks: a linear policy, F = 10 tanh(w . o) over the scaled
  state (no bias: the task is symmetric), 4 or 6 weights; CMA-ES with
  restarts (ipop-cmaes, constant population), sigma = 1;
- non-Markovian tasks: an Elman network with two fully recurrent tanh
  hidden units and direct input-to-output weights, no biases (12 weights for
  one pole, 15 for two), which is memory enough to infer the velocities;
  ipop-cmaes with sigma = 0.25.

Every search starts from the zero network (a policy applying no force). These
settings were chosen on pilot runs with seeds 100-107, not the reported seeds.

--strategy neat evolves topologies instead (NeatPolicy:
recurrent NEAT networks from a minimal start, inputs connected to one
tanh output), with the paper's NEAT settings and population 150, and
add-connection allowed to make recurrent connections.

Runs are independent (each has its own generator, numpy.random.default_rng(
seed + i)) but are evaluated in lockstep: each round, the populations of all
runs still going are stacked and scored as one batch of carts. A cart's
trajectory does not depend on the other carts of its batch, so the figures are
those of running the runs one by one (--sequential does that); only the
wall time differs. The wall time of a run is its share of each round it took
part in.

With --out-dir DIR the champion of the first solved run is plotted there;
--json writes the summary and every run to PATH, or into the output folder
(--out-dir, experiments/results/ by default). Without them nothing is written.

Usage:

    python experiments/pole_balancing.py --task 2-markov [--strategy ipop-cmaes]
        [--runs 20] [--seed 0] [--out-dir DIR] [--json [PATH]] [--sequential] [--no-plot]
"""

import argparse
import copy
import json
import math
import os
import statistics
import sys
import time

import numpy as np
from _common import add_output_options, at_least, json_path, missing_extra, output_dir

from evonet.control import EvolvedPolicy, MLPPolicy, NeatPolicy, RecurrentPolicy, make_task
from evonet.evaluation import Evaluator
from evonet.problems.pole import PoleBalancingProblem, generalization_test, success_test
from evonet.strategies import get_strategy

PUBLISHED = {  # Gomez et al. 2008, Tables 1-4 (CMA-ES: Igel 2003; NEAT 2-markov: Stanley 2002)
    "SANE": {"1-markov": 302, "1-nonmarkov": 1212, "2-markov": 12600, "2-nonmarkov": 262700,
             "2-damping": 451612},
    "ESP": {"1-markov": 289, "1-nonmarkov": 589, "2-markov": 3800, "2-nonmarkov": 7374,
            "2-damping": 26342},
    "NEAT": {"1-markov": 743, "1-nonmarkov": 1523, "2-markov": 3600, "2-damping": 6929},
    "CMA-ES": {"1-markov": 283, "2-markov": 895, "2-nonmarkov": 3521, "2-damping": 6061},
    "CoSyNE": {"1-markov": 98, "1-nonmarkov": 127, "2-markov": 954, "2-nonmarkov": 1249,
               "2-damping": 3416},
}


def linear(task):
    return MLPPolicy(task.n_observations, (), bias=False)


def elman(task):
    return RecurrentPolicy(task.n_observations, 2, activation="tanh", bias=False,
                           shortcut=True)


CONFIGS = {
    "1-markov": dict(policy=linear, strategy="ipop-cmaes",
                     settings=dict(sigma=1.0, popsize_factor=1.0)),
    "1-nonmarkov": dict(policy=elman, strategy="ipop-cmaes",
                        settings=dict(sigma=0.25, popsize_factor=1.0)),
    "2-markov": dict(policy=linear, strategy="ipop-cmaes",
                     settings=dict(sigma=1.0, popsize_factor=1.0)),
    "2-nonmarkov": dict(policy=elman, strategy="ipop-cmaes",
                        settings=dict(sigma=0.25, popsize_factor=1.0)),
    "2-damping": dict(policy=elman, strategy="ipop-cmaes",
                      settings=dict(sigma=0.25, popsize_factor=1.0)),
}
"""Per task: the policy network and the strategy with its settings."""

OTHER_STRATEGIES = {
    "ga": dict(population_size=50, mutation_sigma=0.3, mutation_rate=0.5),
    "es": dict(population_size=50, sigma=0.2, learning_rate=0.1),
    "neat": dict(population_size=150, feed_forward=False),
}

INIT_SCALE = 0.5
"""Spread of the initial population of the population-based strategies (GA, ES)."""


class RunState:
    """One evolutionary run: its generator, strategy state and counters."""

    def __init__(self, index, seed, strategy, policy):
        self.index = index
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.strategy = strategy
        cma_like = strategy.name in ("cmaes", "ipop-cmaes")

        def initializer(n, rng):
            if isinstance(policy, NeatPolicy):
                return policy.init_population(n, rng)
            if cma_like:
                return np.zeros((n, policy.n_params))
            return rng.normal(0.0, INIT_SCALE, size=(n, policy.n_params))

        self.state = strategy.init(initializer, self.rng)
        self.evaluations = 0
        self.generations = 0
        self.solved = False
        self.solver = None
        self.wall = 0.0
        self.done = False


def run_round(runs, task, policy, evaluator, max_evaluations):
    """One generation of every active run; returns the runs that took part."""
    active = [r for r in runs if not r.done]
    populations = [r.strategy.ask(r.state, r.rng) for r in active]
    genomes = isinstance(policy, NeatPolicy)
    losses = evaluator.evaluate([g for p in populations for g in p] if genomes
                                else np.concatenate(populations))
    fitness = -losses
    bounds = np.cumsum([0] + [len(p) for p in populations])
    champions = []
    for r, pop, a, b in zip(active, populations, bounds[:-1], bounds[1:]):
        f = fitness[a:b]
        r.generations += 1
        if task.fitness == "steps":
            solvers = np.flatnonzero(f >= task.max_steps)
            if solvers.size:
                r.evaluations += int(solvers[0]) + 1
                r.solved, r.done, r.solver = True, True, copy.deepcopy(pop[solvers[0]])
                continue
        else:
            best = int(np.argmax(f))
            champions.append((r, pop[best], best, len(pop)))
        r.evaluations += len(pop)
    # damping: each champion takes the (uncounted) success and generalisation tests. Both
    # must pass, so their order changes only the time: first the champion's own trial
    # must have lasted all 1,000 steps (else the 100,000-step test fails on the same
    # trajectory), then the generalisation test (a network is dropped after 426 failed
    # starts), then the 100,000 steps
    if champions:
        weights = [c[1] for c in champions] if genomes else np.array([c[1] for c in champions])

        def kept(mask):
            return [w for w, k in zip(weights, mask) if k] if genomes else weights[mask]
        keep = success_test(task, policy, weights, max_steps=task.max_steps)
        for test in (lambda w: generalization_test(task, policy, w) >= 200,
                     lambda w: success_test(task, policy, w)):
            if keep.any():
                keep[keep] = test(kept(keep))
        for (r, w, position, size), ok in zip(champions, keep):
            if ok:
                # the solving generation counts up to the champion's position
                r.evaluations -= size - (position + 1)
                r.solved, r.done, r.solver = True, True, copy.deepcopy(w)
    for r, pop, a, b in zip(active, populations, bounds[:-1], bounds[1:]):
        if r.done:
            continue
        r.state = r.strategy.tell(r.state, pop, losses[a:b], r.rng)
        if r.evaluations >= max_evaluations:
            r.done = True
    return active


def run_task(task_name, strategy_name, n_runs, seed, max_evaluations, sequential=False,
             settings=None, verbose=False):
    task = make_task(task_name)
    config = CONFIGS[task_name]
    if strategy_name is None:
        strategy_name = config["strategy"]
    policy = NeatPolicy(task.n_observations) if strategy_name == "neat" else \
        config["policy"](task)
    if settings is None:
        settings = config["settings"] if strategy_name == config["strategy"] else \
            OTHER_STRATEGIES.get(strategy_name, {})
    problem = PoleBalancingProblem(task, policy, chunk_size=4096)
    evaluator = Evaluator(problem)
    runs = [RunState(i, seed + i, get_strategy(strategy_name, **settings), policy)
            for i in range(n_runs)]
    groups = [[r] for r in runs] if sequential else [runs]
    start = time.perf_counter()
    for group in groups:
        while not all(r.done for r in group):
            t0 = time.perf_counter()
            active = run_round(group, task, policy, evaluator, max_evaluations)
            seconds = time.perf_counter() - t0
            for r in active:
                r.wall += seconds / len(active)
            if verbose:
                print(f"  round: {len(active)} runs, {seconds:.2f} s, evaluations "
                      f"{min(r.evaluations for r in active)}-"
                      f"{max(r.evaluations for r in active)}, "
                      f"{sum(r.solved for r in group)} solved", flush=True)
        for r in group:
            print(f"run {r.index:2d} seed {r.seed}: {'solved' if r.solved else 'FAILED'} "
                  f"after {r.evaluations} evaluations, {r.generations} generations, "
                  f"restarts {getattr(r.state, 'restarts', 0)}, {r.wall:.2f} s", flush=True)
    total = time.perf_counter() - start
    return task, policy, strategy_name, settings, runs, total


def summarize(task_name, strategy_name, runs, total):
    solved = [r for r in runs if r.solved]
    evals = [r.evaluations for r in solved]
    walls = [r.wall for r in runs]

    def stats(values):
        if not values:
            return None
        return {"mean": statistics.mean(values), "median": statistics.median(values),
                "min": min(values), "max": max(values)}
    sizes = {}
    if solved and hasattr(solved[0].solver, "connections"):
        sizes = {"solution_hidden_nodes": stats([r.solver.n_hidden for r in solved]),
                 "solution_enabled_connections": stats([r.solver.n_enabled for r in solved])}
    return {**sizes, "task": task_name, "strategy": strategy_name, "runs": len(runs),
            "solved": len(solved), "failures": len(runs) - len(solved),
            "evaluations": stats(evals), "generations": stats([r.generations for r in solved]),
            "wall_s_per_run": stats(walls), "total_wall_s": total,
            "published": {k: v.get(task_name) for k, v in PUBLISHED.items()}}


def report(summary):
    ev = summary["evaluations"]
    print(f"\n{summary['task']}: {summary['solved']}/{summary['runs']} runs solved "
          f"({summary['failures']} failures), strategy {summary['strategy']}")
    if ev:
        print(f"evaluations to solve: mean {ev['mean']:.1f}, median {ev['median']:.1f}, "
              f"min {ev['min']}, max {ev['max']}")
    if "solution_hidden_nodes" in summary:
        print(f"solutions: mean {summary['solution_hidden_nodes']['mean']:.2f} hidden nodes, "
              f"{summary['solution_enabled_connections']['mean']:.2f} enabled connections")
    w = summary["wall_s_per_run"]
    print(f"wall time: {summary['total_wall_s']:.1f} s in all, per run mean {w['mean']:.2f} s, "
          f"max {w['max']:.2f} s")
    print(f"{'method':<10}{'mean evaluations':>18}")
    mean = f"{ev['mean']:.0f}" if ev else "-"
    print(f"{'evonet':<10}{mean:>18}")
    for method, value in summary["published"].items():
        print(f"{method:<10}{('-' if value is None else f'{value:,}'):>18}")


def plot_champion(task, policy, weights, path, n_steps=1500):
    """The champion's trajectory, drawn by evonet.plot's RolloutDisplay."""
    from matplotlib.figure import Figure  # no pyplot: no window, whatever the backend

    from evonet.plot import RolloutDisplay

    figure = Figure(figsize=(8, 7), layout="constrained")
    RolloutDisplay.from_policy(EvolvedPolicy(policy, weights, task), max_steps=n_steps,
                               ax=figure.subplots(3, 1, sharex=True))
    figure.savefig(path, dpi=100)


def _solver_json(solver):
    if solver is None:
        return None
    if hasattr(solver, "connections"):  # a NEAT genome: its gene arrays
        return {"nodes": solver.nodes.tolist(), "connections": solver.connections.tolist(),
                "hidden": int(solver.n_hidden), "enabled": int(solver.n_enabled)}
    return solver.tolist()


def build_parser():
    """The argument parser of this experiment (its --help)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", required=True, choices=list(CONFIGS),
                        help="the pole-balancing task to solve (required)")
    parser.add_argument("--strategy", default=None,
                        help="strategy name, e.g. neat, ga, es or cmaes (default: the task's "
                             "configured one, ipop-cmaes)")
    parser.add_argument("--runs", type=at_least(1), default=20,
                        help="number of independent runs (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the first run; run i uses seed + i (default: %(default)s)")
    parser.add_argument("--max-evaluations", type=at_least(1), default=200_000,
                        help="a run that has not solved after this many network evaluations "
                             "counts as a failure (default: %(default)s)")
    parser.add_argument("--sequential", action="store_true",
                        help="run one run at a time instead of in lockstep (same figures, "
                             "different wall time)")
    add_output_options(parser, "plot the champion into this folder, made if missing; also the "
                               "JSON file's folder (default: experiments/results/)",
                       "also write the settings, the summary and every run as JSON: to PATH "
                       "if given, else to pole_balancing_TASK.json (or "
                       "pole_balancing_STRATEGY_TASK.json for a strategy other than the "
                       "task's) in the output folder")
    parser.add_argument("--no-plot", action="store_true",
                        help="do not plot the trajectory of the first solved run's champion")
    parser.add_argument("--verbose", action="store_true", help="print every round")
    return parser


def write_outputs(args, task, policy, strategy_name, settings, runs, summary):
    """The champion's plot and the JSON file, in the output folder."""
    suffix = "" if strategy_name == CONFIGS[args.task]["strategy"] else f"_{strategy_name}"
    solved = [r for r in runs if r.solved]
    if solved and args.out_dir is not None and not args.no_plot:
        path = os.path.join(output_dir(args, make=True),
                            f"pole_balancing_{args.task}{suffix}.png")
        plot_champion(task, policy, solved[0].solver, path)
        print(f"champion of run {solved[0].index}: trajectory plotted to {path}")
    if args.json is not None:
        name = f"pole_balancing{suffix and '_' + strategy_name}_{args.task}.json"
        args.json = json_path(args, name)
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "policy": repr(policy), "settings": settings,
                       "summary": summary,
                       "runs": [{"seed": r.seed, "solved": r.solved,
                                 "evaluations": r.evaluations, "generations": r.generations,
                                 "restarts": getattr(r.state, "restarts", 0),
                                 "wall_s": r.wall,
                                 "solver": _solver_json(r.solver)}
                                for r in runs]}, f, indent=1)


def main(argv=None):
    args = build_parser().parse_args(argv)
    problem = None if args.no_plot or args.out_dir is None else missing_extra(
        __file__, "matplotlib", "plot", "the trajectory plot (skip it with --no-plot)")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    task, policy, strategy_name, settings, runs, total = run_task(
        args.task, args.strategy, args.runs, args.seed, args.max_evaluations, args.sequential,
        verbose=args.verbose)
    size = "topology evolved" if isinstance(policy, NeatPolicy) else f"{policy.n_params} weights"
    print(f"policy {policy!r} ({size}); strategy {strategy_name} {settings}")
    summary = summarize(args.task, strategy_name, runs, total)
    report(summary)
    write_outputs(args, task, policy, strategy_name, settings, runs, summary)
    return 0 if summary["failures"] == 0 and math.isfinite(total) else 1


if __name__ == "__main__":
    sys.exit(main())
