"""The Baldwin effect: Hinton & Nowlan (1987), "How learning can guide evolution".

A neural network has 20 potential connections, and only one setting of all
20 (every connection "on", allele 1) is of any use: a needle in a haystack.
Each organism's genome has 20 loci whose alleles are 1 (correct), 0
(incorrect) or ? (left to learning), drawn with probabilities 25, 25 and 50 %.
During its life an organism makes 1,000 learning trials; in each, every ?
connection is set at random (1 or 0, even odds) and the organism stops once
the whole network is right. Its fitness is 1 + 19 n / 1000, with n the
trials left after it found the right network (n = 1000 for an organism born
with all 20 alleles correct, 0 if it never finds it; an organism with a 0
allele can never find it and has fitness 1). 1,000 organisms a generation;
each child comes from two parents drawn with probability proportional to
fitness, by one-point crossover (a point drawn uniformly among the 19 gaps
between loci; the child takes the first parent's loci before it and the
second's after it); no mutation, as in the paper. The DEAP toolbox
(make_toolbox) registers the genome, the batched evaluation, the
fitness-proportional selection and the crossover; every draw comes from one
numpy Generator per run, seeded from --seed.

The learning trials are simulated one by one, vectorised: each trial of
each organism draws a random 20-bit setting, and a trial succeeds when the
setting has every ? bit on (the fixed alleles are what they are).

Without learning the organisms make no trial: a ? connection stays unset,
and only an organism born with 20 correct alleles has the right network
(fitness 20; every other organism 1). Both conditions of a seed start from
the same initial population.

Recorded per generation g = 0 (the initial population) to --generations:
the fractions of correct, incorrect and undecided alleles in the population
(before selection), averaged over the runs (mean, std, min and max), and
"found": the number of runs in which some organism of generation g or
earlier had the right network (was born with it or learned it within its
trials). Prints a table and the targets (with learning: incorrect alleles
below 1 % by generation 30, undecided alleles levelling off between 30 and
60 %; without learning: the right network found in no run). With --out-dir,
draws the fractions (mean and min-max band; matplotlib, the plot extra) as
baldwin.png there; with --json, writes the figures to PATH, or to
baldwin.json in the output folder. Nothing else is written.

The paper's figure 2 (a single run) shows the undecided alleles levelling
off near 46 %. The ReScience replication of Stojic (2017, "How learning can
guide evolution", 100 runs of the same description) finds them falling
steadily instead (correct alleles near 75 % by generation 50, undecided
9 % by generation 1,000): the fitness keeps rewarding fewer ? alleles, as
Hinton agreed in correspondence quoted there. This script follows the
description and reports what it measures against both.

Usage: python experiments/baldwin.py [--seeds 10] [--seed 0] [--generations 50]
           [--population 1000] [--trials 1000] [--out-dir DIR] [--json [PATH]] [--no-plot]
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from _common import (
    add_output_options,
    at_least,
    json_path,
    machine_conditions,
    missing_extra,
    output_dir,
)
from deap import base, creator, tools

LOCI = 20
CORRECT, INCORRECT, UNDECIDED = 1, 0, 2
"""The alleles: 1, 0 and ? (stored as 2)."""
PROPORTIONS = (0.25, 0.25, 0.5)
"""Probabilities of the alleles 1, 0 and ? in the initial population."""
POPULATION, TRIALS, GENERATIONS, SEEDS = 1000, 1000, 50, 10
REFERENCE = {
    "paper": "Hinton & Nowlan (1987), figure 2, one run: incorrect alleles vanish, undecided "
             "level off near 0.46",
    "replication": "Stojic (2017), ReScience, 100 runs of the same description: correct near "
                   "0.75 by generation 50, undecided falling steadily (0.09 by generation 1,000)",
}
"""What the measured curves are compared with (see the module docstring)."""
KINDS = {"correct": CORRECT, "incorrect": INCORRECT, "undecided": UNDECIDED}

# DEAP creator types, made once (creator.create writes module globals of deap.creator)
if not hasattr(creator, "HintonNowlanFitness"):
    creator.create("HintonNowlanFitness", base.Fitness, weights=(1.0,))
if not hasattr(creator, "HintonNowlanGenome"):
    creator.create("HintonNowlanGenome", np.ndarray, fitness=creator.HintonNowlanFitness)


def random_genome(rng, loci=LOCI, proportions=PROPORTIONS):
    """A genome of ``loci`` alleles 1, 0 and ? (2) drawn with ``proportions``."""
    return creator.HintonNowlanGenome(
        rng.choice(np.array([CORRECT, INCORRECT, UNDECIDED], dtype=np.int8), size=loci,
                   p=proportions))


def trials_left(genomes, trials, rng, chunk=256):
    """Trials left after finding the right network (-1: never found), by simulated learning.

    ``genomes`` is an int array (P, loci). Each trial sets every ? connection to
    a random bit; it succeeds when all of them come out 1. Genomes with a 0
    allele cannot succeed and make no draw; a genome with no ? and no 0 is
    right from birth and keeps all ``trials``.
    """
    genomes = np.asarray(genomes)
    left = np.full(len(genomes), -1, dtype=np.int64)
    viable = ~(genomes == INCORRECT).any(axis=1)
    undecided = genomes == UNDECIDED
    born_right = viable & ~undecided.any(axis=1)
    left[born_right] = trials
    learners = np.flatnonzero(viable & ~born_right)
    weights = np.uint64(1) << np.arange(genomes.shape[1], dtype=np.uint64)
    for start in range(0, len(learners), chunk):
        rows = learners[start:start + chunk]
        mask = (undecided[rows] * weights).sum(axis=1, dtype=np.uint64)[:, None]
        # one random bit per connection and trial (only the ? bits are looked at)
        settings = rng.integers(0, 1 << genomes.shape[1], size=(len(rows), trials),
                                dtype=np.uint64)
        success = (settings & mask) == mask
        found = success.any(axis=1)
        first = success.argmax(axis=1) + 1          # the trial (1-based) that found it
        left[rows[found]] = trials - first[found]
    return left


def fitness_from_trials_left(left, trials):
    """Hinton & Nowlan's fitness 1 + 19 n / trials (n = trials left; 1 when never found)."""
    left = np.asarray(left)
    return np.where(left >= 0, 1.0 + 19.0 * np.maximum(left, 0) / trials, 1.0)


class PopulationFitness:
    """``toolbox.evaluate``: the fitness of every genome of a population, in one batch.

    Sets each genome's ``fitness.values`` and returns ``(fitness, found)``:
    the fitness array and whether each organism had the right network.
    """

    def __init__(self, rng, learning=True, trials=TRIALS):
        self.rng, self.learning, self.trials = rng, learning, trials

    def __call__(self, population):
        genomes = np.stack(population)
        if self.learning:
            left = trials_left(genomes, self.trials, self.rng)
        else:   # no trial: only a genome with every allele correct has the right network
            left = np.where((genomes == CORRECT).all(axis=1), self.trials, -1)
        fitness = fitness_from_trials_left(left, self.trials)
        for genome, value in zip(population, fitness):
            genome.fitness.values = (float(value),)
        return fitness, left >= 0


def sel_fitness_proportional(individuals, k, rng):
    """``k`` individuals drawn with replacement, with probability proportional to fitness."""
    fitness = np.array([ind.fitness.values[0] for ind in individuals])
    chosen = rng.choice(len(individuals), size=k, p=fitness / fitness.sum())
    return [individuals[i] for i in chosen]


def cx_one_point_child(parent1, parent2, rng):
    """The child of one-point crossover: ``parent1``'s loci before the point, ``parent2``'s
    after it (the point uniform among the gaps between loci); the parents are unchanged."""
    point = rng.integers(1, len(parent1))
    return creator.HintonNowlanGenome(np.concatenate((parent1[:point], parent2[point:])))


def make_toolbox(rng, learning=True, trials=TRIALS, loci=LOCI):
    """The DEAP toolbox of one run: every registered operator draws from ``rng``."""
    toolbox = base.Toolbox()
    toolbox.register("individual", random_genome, rng, loci)
    toolbox.register("population", tools.initRepeat, list, toolbox.individual)
    toolbox.register("evaluate", PopulationFitness(rng, learning, trials))
    toolbox.register("select", sel_fitness_proportional, rng=rng)
    toolbox.register("mate", cx_one_point_child, rng=rng)
    return toolbox


def allele_fractions(population):
    """Fractions of correct, incorrect and undecided alleles over the whole population."""
    genomes = np.stack(population)
    return {kind: float(np.mean(genomes == allele)) for kind, allele in KINDS.items()}


def one_run(seed, learning, generations=GENERATIONS, population_size=POPULATION,
            trials=TRIALS, loci=LOCI):
    """One seeded run: per generation the allele fractions and whether the right network
    was had by some organism of that generation."""
    toolbox = make_toolbox(np.random.default_rng(seed), learning, trials, loci)
    population = toolbox.population(n=population_size)
    history = {kind: [] for kind in KINDS}
    history["found"] = []
    for generation in range(generations + 1):
        for kind, value in allele_fractions(population).items():
            history[kind].append(value)
        _, found = toolbox.evaluate(population)
        history["found"].append(bool(found.any()))
        if generation == generations:
            break
        parents = toolbox.select(population, 2 * population_size)
        population = [toolbox.mate(a, b) for a, b in zip(parents[::2], parents[1::2])]
    return history


def summarize(runs):
    """Means over the runs per generation, their band, and "found" (runs found by then)."""
    summary = {}
    for kind in KINDS:
        values = np.array([run[kind] for run in runs])
        summary[kind] = values.mean(axis=0).tolist()
        summary[f"{kind}_std"] = values.std(axis=0).tolist()
        summary[f"{kind}_min"] = values.min(axis=0).tolist()
        summary[f"{kind}_max"] = values.max(axis=0).tolist()
    ever = np.maximum.accumulate(np.array([run["found"] for run in runs]), axis=1)
    summary["found"] = ever.sum(axis=0).astype(int).tolist()
    summary["first_found_generation"] = [int(np.argmax(row)) if row.any() else None
                                         for row in ever]
    return summary


def check_targets(with_learning, without_learning, runs):
    """The issue's targets, measured: each with its figure and whether it is met."""
    incorrect_30 = with_learning["incorrect"][30] if len(with_learning["incorrect"]) > 30 \
        else None
    late = with_learning["undecided"][30:]
    return {
        "incorrect_at_generation_30": {"value": incorrect_30, "target": "< 0.01",
                                       "met": incorrect_30 is not None and incorrect_30 < 0.01},
        "undecided_generations_30_to_end": {
            "min": min(late) if late else None, "max": max(late) if late else None,
            "target": "between 0.30 and 0.60",
            "met": bool(late) and 0.30 <= min(late) and max(late) <= 0.60},
        "found_without_learning": {"value": without_learning["found"][-1], "runs": runs,
                                   "target": 0, "met": without_learning["found"][-1] == 0},
    }


def report(name, summary, step=5):
    """A table of the mean fractions every ``step`` generations."""
    print(f"{name}: mean over runs (min-max), runs that found the right network")
    print(f"{'generation':>10} {'correct':>18} {'incorrect':>18} {'undecided':>18} {'found':>6}")
    last = len(summary["found"]) - 1
    for g in sorted(set(range(0, last + 1, step)) | {last}):
        cells = [f"{summary[k][g]:.3f} ({summary[k + '_min'][g]:.2f}-{summary[k + '_max'][g]:.2f})"
                 for k in KINDS]
        print(f"{g:>10} " + " ".join(f"{c:>18}" for c in cells) + f" {summary['found'][g]:>6}")


def plot(results, path):
    """Both conditions side by side: mean fractions and their min-max band over the runs."""
    import matplotlib  # lazy: an optional dependency, needed only for the plot

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"correct": "tab:green", "incorrect": "tab:red", "undecided": "tab:blue"}
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, (condition, title) in zip(axes, [("with_learning", "with learning"),
                                             ("without_learning", "without learning")]):
        summary = results[condition]
        generations = np.arange(len(summary["correct"]))
        for kind, color in colors.items():
            ax.plot(generations, summary[kind], color=color, label=f"{kind} alleles")
            ax.fill_between(generations, summary[f"{kind}_min"], summary[f"{kind}_max"],
                            color=color, alpha=0.2, lw=0)
        ax.set_title(f"{title} (right network found in {summary['found'][-1]} of "
                     f"{results['runs']} runs)", fontsize=9)
        ax.set_xlabel("generation")
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("relative frequency of the alleles")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Hinton & Nowlan (1987): mean and min-max band over {results['runs']} runs",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def build_parser():
    """The argument parser of this experiment (its --help)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=at_least(1), default=SEEDS,
                        help="number of runs per condition (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the first run; run i uses seed + i, in both conditions "
                             "(default: %(default)s)")
    parser.add_argument("--generations", type=at_least(0), default=GENERATIONS,
                        help="generations after the initial one (default: %(default)s)")
    parser.add_argument("--population", type=at_least(2), default=POPULATION,
                        help="organisms per generation (default: %(default)s)")
    parser.add_argument("--trials", type=at_least(1), default=TRIALS,
                        help="learning trials per organism (default: %(default)s)")
    add_output_options(parser, "folder for the plot baldwin.png and the JSON file, made if "
                               "missing; the plot is drawn only when it is given (default for "
                               "the JSON file: experiments/results/)",
                       "write the settings, the machine and the per-generation figures as "
                       "JSON: to PATH if given, else to baldwin.json in the output folder")
    parser.add_argument("--no-plot", action="store_true",
                        help="do not draw the plot (needs no matplotlib)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    drawing = args.out_dir is not None and not args.no_plot
    problem = missing_extra(__file__, "matplotlib", "plot",
                            "the plot (skip it with --no-plot)") if drawing else None
    if problem:
        print(problem, file=sys.stderr)
        return 2
    results = {"args": vars(args), "machine": dict(machine_conditions(), numpy=np.__version__),
               "runs": args.seeds,
               "reference": REFERENCE,
               "settings": {"loci": LOCI, "proportions_1_0_undecided": PROPORTIONS,
                            "population": args.population, "trials": args.trials,
                            "generations": args.generations}}
    seeds = range(args.seed, args.seed + args.seeds)
    for condition, learning in [("with_learning", True), ("without_learning", False)]:
        start = time.perf_counter()
        runs = [one_run(seed, learning, args.generations, args.population, args.trials)
                for seed in seeds]
        results[condition] = summarize(runs)
        results[condition]["wall_s"] = time.perf_counter() - start
        report(condition.replace("_", " "), results[condition])
        load = machine_conditions()["load_average_1min"]
        print(f"{results[condition]['wall_s']:.1f} s for {args.seeds} runs"
              + ("" if load is None else f" (load average {load:.1f})") + "\n")
    results["targets"] = check_targets(results["with_learning"], results["without_learning"],
                                       args.seeds)
    for name, target in results["targets"].items():
        figures = {k: v for k, v in target.items() if k not in ("target", "met")}
        print(f"target {name}: {figures}, wanted {target['target']}: "
              f"{'met' if target['met'] else 'MISSED'}")
    if drawing:
        plot(results, os.path.join(output_dir(args, make=True), "baldwin.png"))
    if args.json is not None:
        args.json = json_path(args, "baldwin.json")
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
