"""Evolution alone, learning alone, and the two together, by repeated cross-validation.

On iris, wine, breast_cancer and digits (accuracy) and diabetes and make_friedman1
(1,000 rows, noise 1.0; R^2), repeated 5-fold cross-validation (stratified for
classification) of Pipeline(StandardScaler, model) for:

- evolution (ga), evolution (cmaes): NeuroEvolutionClassifier / Regressor,
  evolution alone;
- baldwinian (ga), baldwinian (cmaes): the same with learning="baldwinian"
  (every network takes learning_steps Adam steps before its fitness is taken;
  the genome stays as it was born);
- lamarckian (ga), lamarckian (cmaes): learning="lamarckian" (the learned
  weights go back into the genome; CMA-ES takes them as injected solutions);
- MLP: MLPClassifier(max_iter=1000) / MLPRegressor(max_iter=2000), learning
  alone, with scikit-learn's defaults (hidden_layer_sizes=(100,));
- MLP (same network): the same with evonet's hidden_layer_sizes;
- pbt: strategy="pbt" (population-based training), when evonet has it.

Every evonet model has the same network (--hidden), budget (--max-generations)
and otherwise its defaults (learning_steps=10, learning_rate_init=1e-3).
CMA-ES keeps an n x n covariance matrix, so its rows are skipped for networks of
more than --cmaes-max-params weights (digits, by default). Prints a markdown
table (mean +- std of the score over the folds, mean fit time per fold) and
plots accuracy against fit time on digits. With --out-dir DIR the table
(evolution_and_learning.md) and the plot (evolution_and_learning_digits.png)
go there; with --json every score and time goes to PATH, or to
evolution_and_learning.json in the output folder (--out-dir,
experiments/results/ by default). Without them nothing is written. The plot
needs matplotlib (pip install "evonet[plot]"); --no-plot skips it.

Usage: python experiments/evolution_and_learning.py [--datasets iris digits ...]
           [--repeats 1] [--hidden 16] [--max-generations 50] [--seed 0]
           [--out-dir DIR] [--json [PATH]] [--no-plot]
"""

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
from _common import (
    add_cv_options,
    add_output_options,
    at_least,
    json_path,
    machine_conditions,
    missing_extra,
    output_dir,
)
from sklearn.model_selection import cross_validate
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.datasets import load_dataset, repeated_cv
from evonet.strategies import STRATEGIES


def n_params(n_features, hidden, n_outputs):
    sizes = [n_features, *hidden, n_outputs]
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def methods(task, seed, args, n_weights):
    """Name -> model; one line per method (a new one is a new line)."""
    Est = NeuroEvolutionClassifier if task == "classification" else NeuroEvolutionRegressor
    mlp = (MLPClassifier(max_iter=1000, random_state=seed) if task == "classification"
           else MLPRegressor(max_iter=2000, random_state=seed))
    evo = dict(hidden_layer_sizes=tuple(args.hidden), max_generations=args.max_generations,
               random_state=seed)
    rows = {}
    for strategy in ("ga", "cmaes"):
        if strategy == "cmaes" and n_weights > args.cmaes_max_params:
            continue
        rows[f"evolution ({strategy})"] = Est(strategy=strategy, **evo)
        rows[f"baldwinian ({strategy})"] = Est(strategy=strategy, learning="baldwinian", **evo)
        rows[f"lamarckian ({strategy})"] = Est(strategy=strategy, learning="lamarckian", **evo)
    rows["MLP"] = mlp
    rows["MLP (same network)"] = type(mlp)(**dict(mlp.get_params(),
                                                   hidden_layer_sizes=tuple(args.hidden)))
    if "pbt" in STRATEGIES:
        rows["pbt"] = Est(strategy="pbt", **evo)
    return rows


def evaluate(dataset, args):
    """Score and time of every method on ``dataset``: ``(task, rows)``."""
    X, y, task, _ = load_dataset(dataset)
    cv = repeated_cv(task, n_repeats=args.repeats, random_state=args.seed)
    scoring = "accuracy" if task == "classification" else "r2"
    n_outputs = len(np.unique(y)) if task == "classification" else 1
    n_outputs = 1 if n_outputs == 2 else n_outputs
    rows = {}
    for name, model in methods(task, args.seed, args,
                               n_params(X.shape[1], args.hidden, n_outputs)).items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = cross_validate(make_pipeline(StandardScaler(), model), X, y, cv=cv,
                                    scoring=scoring, return_estimator=True)
        scores = result["test_score"]
        fitted = [pipe[-1] for pipe in result["estimator"]]
        rows[name] = {"mean": float(scores.mean()), "std": float(scores.std()),
                      "fit_s": float(result["fit_time"].mean()),
                      "scores": [float(s) for s in scores],
                      "iterations": float(np.mean([m.n_iter_ for m in fitted])),
                      "load_average_1min": os.getloadavg()[0]}
        print(f"  {dataset:14s} {name:20s} {rows[name]['mean']:.4f} +- "
              f"{rows[name]['std']:.4f}  fit {rows[name]['fit_s']:.2f} s/fold", flush=True)
    return task, rows


def table(results, args):
    lines = [f"Repeated 5-fold CV ({args.repeats} repetition(s), random_state={args.seed}); "
             f"StandardScaler in a Pipeline; evonet: hidden_layer_sizes={tuple(args.hidden)}, "
             f"max_generations={args.max_generations}, learning_steps=10, "
             f"learning_rate_init=1e-3; accuracy (classification) or R^2 (regression), "
             f"mean +- std over folds; fit time per fold (s); iterations: generations or "
             f"epochs per fit.", "",
             "| data set | method | score | fit s/fold | iterations |", "|---|---|---|---|---|"]
    for dataset, (task, rows) in results.items():
        scale, fmt = (100, "{:.1f} +- {:.1f}") if task == "classification" \
            else (1, "{:.3f} +- {:.3f}")
        for name, row in rows.items():
            score = fmt.format(scale * row["mean"], scale * row["std"])
            lines.append(f"| {dataset} | {name} | {score} | {row['fit_s']:.2f} | "
                         f"{row['iterations']:.0f} |")
    return lines


def plot(rows, path):
    import matplotlib  # lazy: an optional dependency, needed only for the plot

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, row in rows.items():
        ax.errorbar(row["fit_s"], 100 * row["mean"], yerr=100 * row["std"], fmt="o",
                    capsize=3, label=name)
    ax.set_xscale("log")
    ax.set_xlabel("fit time per fold (s, log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("digits: accuracy against wall time")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def build_parser():
    """The argument parser of this experiment (its --help)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_cv_options(parser, repeats=1)
    parser.add_argument("--hidden", type=at_least(1), nargs="+", default=[16], metavar="UNITS",
                        help="hidden layer sizes of every evonet network (default: 16)")
    parser.add_argument("--max-generations", type=at_least(1), default=50,
                        help="generations per evonet fit (default: %(default)s)")
    parser.add_argument("--cmaes-max-params", type=at_least(0), default=1000,
                        help="skip the CMA-ES rows for networks with more weights than "
                             "this (default: %(default)s)")
    add_output_options(parser, "write the table and the plot to this folder, made if missing; "
                               "also the JSON file's folder (default: experiments/results/)",
                       "also write every score and time as JSON: to PATH if given, else to "
                       "evolution_and_learning.json in the output folder")
    parser.add_argument("--no-plot", action="store_true",
                        help="do not plot accuracy against time on digits (no matplotlib "
                             "needed)")
    return parser


def write_outputs(args, report, results, machine):
    """The table and the digits plot (with ``--out-dir``), the JSON file (with ``--json``)."""
    if args.out_dir is not None:
        out_dir = output_dir(args, make=True)
        with open(os.path.join(out_dir, "evolution_and_learning.md"), "w") as f:
            f.write("\n".join(report) + "\n")
        if "digits" in results and not args.no_plot:
            plot(results["digits"][1],
                 os.path.join(out_dir, "evolution_and_learning_digits.png"))
    if args.json is not None:
        args.json = json_path(args, "evolution_and_learning.json")
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "machine": machine,
                       "results": {k: {"task": t, "methods": r}
                                   for k, (t, r) in results.items()}}, f, indent=1)


def main(argv=None):
    args = build_parser().parse_args(argv)
    problem = None if args.no_plot or args.out_dir is None else missing_extra(
        __file__, "matplotlib", "plot", "the digits plot (skip it with --no-plot)")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    machine = machine_conditions(load_key="load_average_1min_at_start")
    results = {}
    start = time.perf_counter()
    for dataset in args.datasets:
        results[dataset] = evaluate(dataset, args)
    machine["wall_s"] = time.perf_counter() - start
    report = table(results, args)
    print("\n" + "\n".join(report))
    write_outputs(args, report, results, machine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
