"""Optimise the metric you are judged on: evonet's scoring= against scikit-learn's MLP.

Section "costs": two tasks where accuracy is not what matters, each by
repeated stratified 5-fold cross-validation (--repeats repetitions), every
model a Pipeline(StandardScaler, model) fitted on the same folds and scored
on the held-out fold with the task's metric:

- imbalanced: make_classification, 5,000 rows, 20 features, class weights
  0.95 / 0.05; the metrics balanced_accuracy and f1 (the rare class);
- breast_cancer with a cost matrix: missing a malignant tumour (true class 0
  predicted 1) costs 5, a false alarm (true 1 predicted 0) costs 1; the
  metric is minus the mean cost per row (greater is better).

For each metric: evonet (NeuroEvolutionClassifier with scoring= that metric,
the settings in EVONET), MLPClassifier() (its defaults, trained on log-loss)
and TunedThresholdClassifierCV(MLPClassifier(), scoring= that metric),
scikit-learn's own answer: the MLP's decision threshold tuned for the metric
by inner cross-validation. Target: evonet's mean score at least that
of the tuned MLP, on every metric.

Prints a markdown table (mean +- std over the folds, mean fit seconds per
fold) and whether each target holds. The table (objectives.md) and, with
--json, every score go to the output folder (--out-dir, experiments/results/
by default). Other sections (--section) are added to SECTIONS.

Usage: python experiments/objectives.py [--section costs] [--seed 0] [--repeats 3]
           [--n-jobs 1] [--out-dir DIR] [--json [PATH]]
"""

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import confusion_matrix, get_scorer, make_scorer
from sklearn.model_selection import RepeatedStratifiedKFold, TunedThresholdClassifierCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
"""The default output folder, ``experiments/results/``."""


def mean_cost(y_true, y_pred, sample_weight=None):
    """Mean cost per row: a missed malignant tumour (0 predicted 1) 5, a false alarm 1."""
    matrix = confusion_matrix(y_true, y_pred, labels=[0, 1], sample_weight=sample_weight)
    return (5.0 * matrix[0, 1] + 1.0 * matrix[1, 0]) / matrix.sum()


COST = make_scorer(mean_cost, greater_is_better=False)
"""The cost-matrix scorer: minus the mean cost per row."""

EVONET = dict(hidden_layer_sizes=(16,), population_size=40, max_generations=1000,
              early_stopping=True, validation_fraction=0.2, n_iter_no_change=30)
"""evonet's settings, fixed in advance for every task (the metric aside)."""


def imbalanced(seed):
    """5,000 rows, 20 features, classes 0.95 / 0.05."""
    return make_classification(n_samples=5000, n_features=20, n_informative=6,
                               weights=[0.95, 0.05], flip_y=0.01, random_state=seed)


TASKS = {
    "imbalanced": (imbalanced, {"balanced_accuracy": "balanced_accuracy", "f1": "f1"}),
    "breast_cancer": (lambda seed: load_breast_cancer(return_X_y=True), {"cost": COST}),
}


def models(scoring, seed):
    """The three models of one metric, each in a StandardScaler pipeline."""
    mlp = dict(random_state=seed)  # MLPClassifier's defaults, as the issue names them
    return {
        "evonet": NeuroEvolutionClassifier(scoring=scoring, random_state=seed, **EVONET),
        "MLPClassifier": MLPClassifier(**mlp),
        "TunedThresholdClassifierCV(MLP)": TunedThresholdClassifierCV(
            MLPClassifier(**mlp), scoring=scoring, random_state=seed),
    }


def cross_validate_metric(X, y, scoring, seed, repeats, n_jobs):
    """Held-out scores and fit seconds of every model of one metric, on the same folds."""
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=seed)
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    rows = {}
    for name, model in models(scoring, seed).items():
        scores, seconds = [], []
        for train, test in folds.split(X, y):
            pipe = make_pipeline(StandardScaler(), model)
            if name == "evonet" and n_jobs != 1:
                pipe.set_params(neuroevolutionclassifier__n_jobs=n_jobs)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                pipe.fit(X[train], y[train])
            seconds.append(time.perf_counter() - start)
            scores.append(float(scorer(pipe, X[test], y[test])))
        rows[name] = {"mean": float(np.mean(scores)), "std": float(np.std(scores)),
                      "fit_s": float(np.mean(seconds)), "scores": scores}
        print(f"  {name:32s} {rows[name]['mean']:.4f} +- {rows[name]['std']:.4f}"
              f"  ({rows[name]['fit_s']:.1f} s per fit)", flush=True)
    return rows


def costs(args):
    """Section "costs": evonet's scoring= against the MLP and its tuned threshold."""
    results, lines = {}, ["| task | metric | model | held-out score | fit s |",
                          "|---|---|---|---|---|"]
    targets = {}
    for task, (load, metrics) in TASKS.items():
        X, y = load(args.seed)
        for metric, scoring in metrics.items():
            print(f"{task} / {metric}", flush=True)
            rows = cross_validate_metric(X, y, scoring, args.seed, args.repeats, args.n_jobs)
            results[f"{task}/{metric}"] = rows
            for name, row in rows.items():
                lines.append(f"| {task} | {metric} | {name} | {row['mean']:.4f} +- "
                             f"{row['std']:.4f} | {row['fit_s']:.1f} |")
            targets[f"{task}/{metric}"] = (rows["evonet"]["mean"]
                                           >= rows["TunedThresholdClassifierCV(MLP)"]["mean"])
    lines.append("")
    for key, held in targets.items():
        lines.append(f"- target (evonet >= tuned MLP) on {key}: {'met' if held else 'NOT met'}")
    return {"results": results, "targets": targets}, "\n".join(lines)


SECTIONS = {"costs": costs}
"""Section name -> ``f(args) -> (JSON-ready results, markdown)``."""


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--section", nargs="+", choices=list(SECTIONS), default=list(SECTIONS),
                        help="which sections to run (all by default)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data, the folds and every model")
    parser.add_argument("--repeats", type=int, default=3,
                        help="repetitions of the 5-fold cross-validation")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="evonet's n_jobs (results do not depend on it)")
    parser.add_argument("--out-dir", default=None, metavar="DIR",
                        help="folder of the outputs (default: experiments/results/)")
    parser.add_argument("--json", nargs="?", const="", default=None, metavar="PATH",
                        help="also write every score as JSON (default path: "
                             "objectives.json in the output folder)")
    return parser


def main(argv=None):
    """Run the chosen sections; write objectives.md (and the JSON); 0 if every target holds."""
    args = build_parser().parse_args(argv)
    out_dir = RESULTS if args.out_dir is None else args.out_dir
    with open("/proc/loadavg") if os.path.exists("/proc/loadavg") else open(os.devnull) as f:
        load = f.read().split()[:3]
    report, sections = [f"# objectives (seed {args.seed}, {args.repeats} x 5-fold CV; "
                        f"{platform.machine()}, load average {' '.join(load)} at start)", ""], {}
    for name in args.section:
        results, markdown = SECTIONS[name](args)
        sections[name] = results
        report += [f"## {name}", "", markdown, ""]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "objectives.md"), "w") as f:
        f.write("\n".join(report))
    print("\n".join(report))
    if args.json is not None:
        path = args.json or os.path.join(out_dir, "objectives.json")
        with open(path, "w") as f:
            json.dump({"args": vars(args), "sections": sections}, f, indent=1)
    held = all(all(s.get("targets", {}).values()) for s in sections.values())
    return 0 if held else 1


if __name__ == "__main__":
    raise SystemExit(main())
