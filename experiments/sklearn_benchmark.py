"""evonet's estimators against scikit-learn's MLP and linear models, by repeated CV.

Classification: repeated stratified 5-fold cross-validation (3 repetitions) on
iris, wine, breast_cancer and digits, accuracy. Regression: repeated 5-fold
cross-validation (3 repetitions) on diabetes and make_friedman1 (1,000 rows,
noise 1.0), R^2. Every model is a Pipeline(StandardScaler, model) fitted on
the same folds:

- evonet: NeuroEvolutionClassifier() / NeuroEvolutionRegressor() with
  their defaults;
- evonet-fixed: one configuration per data set, fixed in this file in advance
  (chosen by cross-validation on other splits, random_state=100, never on
  these folds), in FIXED;
- MLPClassifier / MLPRegressor (max_iter=2000) and
  LogisticRegression (max_iter=2000) / Ridge.

Prints a markdown table (mean +- std over the 15 folds, mean fit time per fold),
checks the targets (defaults within 2 points of the MLP, fixed configurations
within 1 point, digits fit <= 30 s per fold, regressors within 0.03 R^2 of the
MLP) and plots the evolution of evonet's first fold per data set (the
population's best, mean and spread per generation, and the full-data checks). With
--out-dir DIR the table (sklearn_benchmark.md) and the plot
(sklearn_benchmark_loss_curves.png) go there; with --json every score goes to
PATH, or to sklearn_benchmark.json in the output folder (--out-dir,
experiments/results/ by default). Without them nothing is written. The plot
needs matplotlib (pip install "evonet[plot]"); --no-plot skips it.

Usage: python experiments/sklearn_benchmark.py [--datasets iris digits ...] [--seed 0]
           [--repeats 3] [--n-jobs 1] [--out-dir DIR] [--json [PATH]] [--no-plot]
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
    json_path,
    machine_conditions,
    missing_extra,
    output_dir,
)
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import cross_validate
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.datasets import load_dataset, repeated_cv

# One configuration per data set, fixed in advance (tuned on random_state=100 splits).
FIXED = {
    "iris": dict(hidden_layer_sizes=(8,), strategy="cmaes"),
    "wine": dict(alpha=3.0),
    "breast_cancer": dict(alpha=3.0),
    "digits": dict(activation="relu", batch_size=None),
    "diabetes": dict(alpha=10.0),
    "friedman1": dict(hidden_layer_sizes=(32,), alpha=1.0, strategy="es"),
}


def models(task, dataset, seed):
    if task == "classification":
        return {
            "evonet": NeuroEvolutionClassifier(random_state=seed),
            "evonet-fixed": NeuroEvolutionClassifier(random_state=seed, **FIXED[dataset]),
            "MLPClassifier": MLPClassifier(max_iter=2000, random_state=seed),
            "LogisticRegression": LogisticRegression(max_iter=2000),
        }
    return {
        "evonet": NeuroEvolutionRegressor(random_state=seed),
        "evonet-fixed": NeuroEvolutionRegressor(random_state=seed, **FIXED[dataset]),
        "MLPRegressor": MLPRegressor(max_iter=2000, random_state=seed),
        "Ridge": Ridge(),
    }


def evaluate(dataset, seed, repeats, n_jobs):
    X, y, task, _ = load_dataset(dataset)
    cv = repeated_cv(task, n_repeats=repeats, random_state=seed)
    scoring = "accuracy" if task == "classification" else "r2"
    rows = {}
    curves = None
    for name, model in models(task, dataset, seed).items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = cross_validate(make_pipeline(StandardScaler(), model), X, y, cv=cv,
                                    scoring=scoring, n_jobs=n_jobs,
                                    return_estimator=name.startswith("evonet"))
        scores = result["test_score"]
        row = {"mean": float(scores.mean()), "std": float(scores.std()),
               "fit_s": float(result["fit_time"].mean()),
               "wall_s": time.perf_counter() - start}
        if name.startswith("evonet"):
            fitted = [pipe[-1] for pipe in result["estimator"]]
            row["generations"] = float(np.mean([m.n_iter_ for m in fitted]))
            row["evaluations"] = float(np.mean([m.n_evaluations_ for m in fitted]))
            row["strategy"] = fitted[0].strategy_
            if name == "evonet":
                curves = list(fitted[0].logbook_)
        rows[name] = row
        print(f"  {dataset:14s} {name:18s} {row['mean']:.4f} +- {row['std']:.4f}  "
              f"fit {row['fit_s']:.2f} s/fold", flush=True)
    return task, rows, curves


def check_targets(results):
    lines = []
    for dataset, (task, rows) in results.items():
        ref_name = "MLPClassifier" if task == "classification" else "MLPRegressor"
        ref = rows[ref_name]["mean"]
        if task == "classification":
            for name, points in (("evonet", 2.0), ("evonet-fixed", 1.0)):
                gap = 100 * (ref - rows[name]["mean"])
                lines.append(f"- {dataset} {name}: {100 * rows[name]['mean']:.1f}% vs "
                             f"{ref_name} {100 * ref:.1f}% (gap {gap:+.1f} points, target "
                             f"<= {points:g}): {'met' if gap <= points else 'MISSED'}")
            if dataset == "digits":
                fit = rows["evonet"]["fit_s"]
                lines.append(f"- digits evonet fit time {fit:.1f} s per fold (target <= 30 s): "
                             f"{'met' if fit <= 30 else 'MISSED'}")
        else:
            for name in ("evonet", "evonet-fixed"):
                gap = ref - rows[name]["mean"]
                lines.append(f"- {dataset} {name}: R^2 {rows[name]['mean']:.3f} vs {ref_name} "
                             f"{ref:.3f} (gap {gap:+.3f}, target <= 0.03): "
                             f"{'met' if gap <= 0.03 else 'MISSED'}")
    return lines


def table(results, seed, repeats):
    lines = [f"Repeated {5}-fold CV ({repeats} repetitions, random_state={seed}); "
             "StandardScaler in a Pipeline; accuracy (classification) or R^2 (regression), "
             "mean +- std over folds; fit time per fold.", "",
             "| data set | model | score | fit s/fold | generations | strategy |",
             "|---|---|---|---|---|---|"]
    for dataset, (task, rows) in results.items():
        scale = 100 if task == "classification" else 1
        fmt = "{:.1f} +- {:.1f}" if task == "classification" else "{:.3f} +- {:.3f}"
        for name, row in rows.items():
            score = fmt.format(scale * row["mean"], scale * row["std"])
            gens = f"{row['generations']:.0f}" if "generations" in row else ""
            lines.append(f"| {dataset} | {name} | {score} | {row['fit_s']:.2f} | {gens} | "
                         f"{row.get('strategy', '')} |")
    return lines


def plot(logbooks, path):
    """The evolution of evonet's first fold per data set, by evonet.plot's EvolutionDisplay."""
    from matplotlib.figure import Figure  # no pyplot: no window, whatever the backend

    from evonet.plot import EvolutionDisplay

    n = len(logbooks)
    columns = min(n, 3)
    rows = -(-n // columns)
    figure = Figure(figsize=(4.5 * columns, 3.4 * rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for ax, (dataset, logbook) in zip(axes, logbooks.items()):
        EvolutionDisplay.from_logbook(logbook, loss_name="training loss (with L2 term)",
                                      ax=ax, log_scale=True)
        ax.set_title(dataset, fontsize=9)
    for ax in axes[n:]:
        ax.set_axis_off()
    figure.suptitle("evonet defaults: the population's loss per generation, first fold")
    figure.savefig(path, dpi=120)


def build_parser():
    """The argument parser of this experiment (its --help)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_cv_options(parser, repeats=3)
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="folds fitted in parallel (default: %(default)s)")
    add_output_options(parser, "write the table and the plot to this folder, made if missing; "
                               "also the JSON file's folder (default: experiments/results/)",
                       "also write every model's scores and times as JSON: to PATH if given, "
                       "else to sklearn_benchmark.json in the output folder")
    parser.add_argument("--no-plot", action="store_true",
                        help="do not plot the loss curves (no matplotlib needed)")
    return parser


def write_outputs(args, report, curves, results, machine=None):
    """The table and the loss-curve plot (with ``--out-dir``), the JSON file (with ``--json``)."""
    if args.out_dir is not None:
        out_dir = output_dir(args, make=True)
        with open(os.path.join(out_dir, "sklearn_benchmark.md"), "w") as f:
            f.write("\n".join(report) + "\n")
        if curves and not args.no_plot:
            plot(curves, os.path.join(out_dir, "sklearn_benchmark_loss_curves.png"))
    if args.json is not None:
        args.json = json_path(args, "sklearn_benchmark.json")
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "machine": machine,
                       "results": {k: {"task": t, "models": r}
                                                       for k, (t, r) in results.items()}},
                      f, indent=1)


def main(argv=None):
    args = build_parser().parse_args(argv)
    problem = None if args.no_plot or args.out_dir is None else missing_extra(
        __file__, "matplotlib", "plot", "the loss-curve plot (skip it with --no-plot)")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    results, curves = {}, {}
    machine = machine_conditions()   # the fit times depend on the machine and its load
    for dataset in args.datasets:
        task, rows, curve = evaluate(dataset, args.seed, args.repeats, args.n_jobs)
        results[dataset] = (task, rows)
        if curve:
            curves[dataset] = curve
    report = table(results, args.seed, args.repeats) + ["", "Targets:"] + check_targets(results)
    print("\n" + "\n".join(report))
    write_outputs(args, report, curves, results, machine)
    return 0


if __name__ == "__main__":
    sys.exit(main())
