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

Section "size": accuracy against network size. For breast_cancer and digits,
on held-out folds (stratified k-fold, --folds, for each of --seeds; features
standardised on the training rows): scikit-learn's default MLPClassifier, the
same MLP magnitude-pruned to each size budget (its smallest weights and biases,
all layers together, set to zero; no retraining), and a
NeuroEvolutionClassifier(strategy="nsga2") whose front gives, for each budget,
its best network within the budget (chosen by training accuracy, ties by
training loss), with --learning its networks trained by back-propagation
before they are scored (their switched-off connections held at zero); and
NEAT's network (strategy="neat", --neat-generations), compared at its own
size. Budgets are fractions of the default MLP's weights and biases
(digits: 7,510; breast_cancer: 3,201). Each curve's hypervolume is the area it
dominates in the plane (size / MLP size, accuracy) up to the reference point
(size 1, accuracy 0). Target: the front (at least 3 networks) holds a network
of at most 10 % of the MLP's size, chosen by training accuracy, within 1 point
of the MLP's accuracy. One plot per data set (objectives_size_NAME.png in
--out-dir; not with --no-plot).

Each section prints its report; with --out-dir DIR it also writes it to
objectives_SECTION.md there, and with --json every figure too
(objectives_SECTION.json in the output folder, --out-dir or experiments/results/,
or all sections in PATH). Nothing else is written.

Usage: python experiments/objectives.py [--section costs size] [--seed 0] [--repeats 3]
           [--n-jobs 1] [--datasets breast_cancer digits] [--seeds 0] [--folds 5]
           [--max-folds N] [--generations 1000] [--population 100] [--patience 50]
           [--hidden H ...] [--learning MODE] [--neat-generations 100] [--budgets F ...]
           [--no-plot] [--out-dir DIR] [--json [PATH]]
"""

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
from _common import add_output_options, at_least, json_path, missing_extra
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import confusion_matrix, get_scorer, make_scorer
from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier
from evonet.datasets import load_dataset, repeated_cv
from evonet.strategies.nsga2 import hypervolume_2d


def mean_cost(y_true, y_pred, sample_weight=None):
    """Mean cost per row: a missed malignant tumour (0 predicted 1) 5, a false alarm 1."""
    matrix = confusion_matrix(y_true, y_pred, labels=[0, 1], sample_weight=sample_weight)
    return (5.0 * matrix[0, 1] + 1.0 * matrix[1, 0]) / matrix.sum()


COST = make_scorer(mean_cost, greater_is_better=False)  # minus the mean cost per row

EVONET = dict(hidden_layer_sizes=(16,), population_size=100, max_generations=1000,
              n_iter_no_change=30)
"""evonet's settings, the same for every task (loss_warmup at its default); population 100
(first 40) and no early stopping (first a validation split of 0.2) chosen by sweeps on the
folds of the first CV repetition (objectives_costs.md)."""


def imbalanced(seed):  # 5,000 rows, 20 features, classes 0.95 / 0.05
    return make_classification(n_samples=5000, n_features=20, n_informative=6,
                               weights=[0.95, 0.05], flip_y=0.01, random_state=seed)


TASKS = {
    "imbalanced": (imbalanced, {"balanced_accuracy": "balanced_accuracy", "f1": "f1"}),
    "breast_cancer": (lambda seed: load_dataset("breast_cancer")[:2], {"cost": COST}),
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
    folds = repeated_cv("classification", n_repeats=repeats, random_state=seed)
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


DATASETS = ("breast_cancer", "digits")  # of the size section, among evonet.datasets' ones
HIDDEN, BUDGETS = {"breast_cancer": (16,), "digits": (32,)}, (0.01, 0.02, 0.05, 0.1, 0.2)


def n_weights(coefs, intercepts):  # non-zero weights and biases
    return int(sum(np.count_nonzero(a) for a in list(coefs) + list(intercepts)))


def neat_n_weights(genome):
    """Non-zero weights of a NEAT genome's enabled connections, and non-zero node biases."""
    connections, nodes = np.asarray(genome.connections), np.asarray(genome.nodes)
    enabled = connections[:, 4] != 0 if len(connections) else np.zeros(0, dtype=bool)
    return int(np.count_nonzero(connections[enabled, 3]) + np.count_nonzero(nodes[:, 1]))


def neat_fold(X_train, y_train, X_test, y_test, seed, generations):
    """NEAT's network of one fold: its size, held-out accuracy and fit seconds."""
    start = time.perf_counter()
    neat = NeuroEvolutionClassifier(strategy="neat", max_generations=generations,
                                    random_state=seed).fit(X_train, y_train)
    return {"neat_n_weights": neat_n_weights(neat.genome_),
            "neat_accuracy": float(neat.score(X_test, y_test)),
            "neat_seconds": time.perf_counter() - start}


def pruned_accuracy(mlp, budget, X, y):
    """Held-out accuracy of ``mlp`` with all but its ``budget`` largest weights set to zero."""
    arrays = list(mlp.coefs_) + list(mlp.intercepts_)
    magnitudes = np.sort(np.concatenate([np.abs(a).ravel() for a in arrays]))[::-1]
    threshold = magnitudes[budget - 1] if budget >= 1 else np.inf
    saved = [a.copy() for a in arrays]
    for a in arrays:
        a[np.abs(a) < threshold] = 0.0
    score = mlp.score(X, y)
    for a, b in zip(arrays, saved):
        a[...] = b
    return float(score)


def front_choice(est, budget, X, y):
    """The front network within ``budget`` weights with the best training accuracy."""
    best = None
    for entry in est.pareto_front_:
        if entry["n_weights"] > budget:
            continue
        network = est.select_network(entry["index"])
        key = (network.score(X, y), -entry["loss"])
        if best is None or key > best[0]:
            best = (key, network, entry)
    return best


def fold(name, X, y, train, test, seed, args):
    """Every figure of one fold."""
    scaler = StandardScaler().fit(X[train])
    X_train, X_test = scaler.transform(X[train]), scaler.transform(X[test])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(random_state=seed).fit(X_train, y[train])
        start = time.perf_counter()
        est = NeuroEvolutionClassifier(
            HIDDEN[name] if args.hidden is None else tuple(args.hidden), strategy="nsga2",
            population_size=args.population, max_generations=args.generations,
            n_iter_no_change=args.patience, learning=args.learning,
            random_state=seed).fit(X_train, y[train])
        seconds = time.perf_counter() - start
    size = n_weights(mlp.coefs_, mlp.intercepts_)
    row = {"mlp_size": size, "mlp_accuracy": float(mlp.score(X_test, y[test])),
           "front_size": len(est.pareto_front_), "fit_seconds": seconds,
           "generations": int(est.n_iter_), "stop_reason": est.stop_reason_,
           "front": [], "pruned": [], "front_n_weights": []}
    for fraction in args.budgets:
        budget = int(fraction * size)
        row["pruned"].append(pruned_accuracy(mlp, budget, X_test, y[test]))
        choice = front_choice(est, budget, X_train, y[train])
        row["front"].append(None if choice is None else float(choice[1].score(X_test, y[test])))
        row["front_n_weights"].append(None if choice is None else choice[2]["n_weights"])
    small = [float(est.select_network(e["index"]).score(X_test, y[test]))
             for e in est.pareto_front_ if e["n_weights"] <= 0.1 * size]
    row["best_within_10pct"] = max(small, default=None)   # chosen on the test fold: a bound
    choice = front_choice(est, int(0.1 * size), X_train, y[train])
    row["chosen_within_10pct"] = None if choice is None else float(
        choice[1].score(X_test, y[test]))
    row["target"] = bool(len(est.pareto_front_) >= 3 and choice is not None
                         and row["chosen_within_10pct"] >= row["mlp_accuracy"] - 0.01)
    if args.neat_generations:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            row.update(neat_fold(X_train, y[train], X_test, y[test], seed,
                                 args.neat_generations))
    return row


def curve_hypervolume(fractions, accuracies):
    """Area dominated by the points (size fraction, accuracy) up to (1, 0)."""
    points = [(f, -a) for f, a in zip(fractions, accuracies) if a is not None]
    return hypervolume_2d(np.array(points, dtype=np.float64).reshape(-1, 2), (1.0, 0.0))


def summarise(name, rows, budgets):
    """Means over the folds, hypervolumes and the target of one data set."""
    mean = lambda values: (float(np.mean([v for v in values if v is not None]))  # noqa: E731
                           if any(v is not None for v in values) else None)
    front = [mean([r["front"][k] for r in rows]) for k in range(len(budgets))]
    pruned = [mean([r["pruned"][k] for r in rows]) for k in range(len(budgets))]
    sizes = [mean([r["front_n_weights"][k] for r in rows]) for k in range(len(budgets))]
    mlp_size = rows[0]["mlp_size"]
    return {
        "dataset": name, "folds": len(rows), "mlp_size": mlp_size,
        "mlp_accuracy": mean([r["mlp_accuracy"] for r in rows]), "budgets": list(budgets),
        "front_accuracy": front, "pruned_accuracy": pruned, "front_n_weights": sizes,
        "hypervolume_front": float(np.mean([curve_hypervolume(
            [s / mlp_size if s is not None else 1 for s in r["front_n_weights"]], r["front"])
            for r in rows])),
        "hypervolume_pruned": float(np.mean([curve_hypervolume(budgets, r["pruned"])
                                             for r in rows])),
        "front_at_least_pruned": int(sum(f is not None and p is not None and f >= p
                                         for f, p in zip(front, pruned))),
        "best_within_10pct": mean([r["best_within_10pct"] for r in rows]),
        "chosen_within_10pct": mean([r["chosen_within_10pct"] for r in rows]),
        "target_folds": int(sum(r["target"] for r in rows)),
        "front_size": mean([r["front_size"] for r in rows]),
        "fit_seconds": mean([r["fit_seconds"] for r in rows]),
        "generations": mean([r["generations"] for r in rows]),
        "neat_n_weights": mean([r.get("neat_n_weights") for r in rows]),
        "neat_accuracy": mean([r.get("neat_accuracy") for r in rows]),
        "neat_seconds": mean([r.get("neat_seconds") for r in rows]),
    }


def report(summary):
    """The markdown lines of one data set's summary."""
    lines = []
    out = lines.append
    out(f"\n{summary['dataset']}: MLP {summary['mlp_size']} weights, held-out accuracy "
        f"{100 * summary['mlp_accuracy']:.2f} % ({summary['folds']} folds)")
    out("budget   size limit   front (n_weights)      pruned MLP")
    for k, fraction in enumerate(summary["budgets"]):
        front, pruned = summary["front_accuracy"][k], summary["pruned_accuracy"][k]
        size = summary["front_n_weights"][k]
        front_text = "   -   " if front is None else f"{100 * front:6.2f} ({size:6.1f})"
        out(f"{100 * fraction:5.0f} %  {int(fraction * summary['mlp_size']):10d}   "
            f"{front_text:20s}  {100 * pruned:6.2f}")
    best, chosen = summary["best_within_10pct"], summary["chosen_within_10pct"]
    out(f"hypervolume: front {summary['hypervolume_front']:.4f}, pruned "
        f"{summary['hypervolume_pruned']:.4f}; front >= pruned at "
        f"{summary['front_at_least_pruned']} of {len(summary['budgets'])} budgets")
    out(f"target (front >= 3, its network <= 10 % chosen by training accuracy within 1 "
        f"point): {summary['target_folds']} of {summary['folds']} folds; that network: "
        f"{'-' if chosen is None else f'{100 * chosen:.2f} %'}, the best on the test "
        f"folds: {'-' if best is None else f'{100 * best:.2f} %'}; front "
        f"{summary['front_size']:.1f} networks, {summary['generations']:.0f} generations, "
        f"{summary['fit_seconds']:.1f} s per fit")
    if summary["neat_accuracy"] is not None:
        out(f"NEAT: {summary['neat_n_weights']:.1f} weights "
            f"({100 * summary['neat_n_weights'] / summary['mlp_size']:.1f} % of the MLP's), "
            f"held-out accuracy {100 * summary['neat_accuracy']:.2f} %, "
            f"{summary['neat_seconds']:.1f} s per fit")
    return lines


def plot(summary, path):
    """Accuracy against the size budget: the front and the pruned MLP."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.5))
    budgets = 100 * np.array(summary["budgets"])
    front = [np.nan if a is None else a for a in summary["front_accuracy"]]
    ax.plot(budgets, front, "o-", label="evonet NSGA-II front")
    ax.plot(budgets, summary["pruned_accuracy"], "s--", label="magnitude-pruned MLP")
    if summary["neat_accuracy"] is not None:
        ax.plot(100 * summary["neat_n_weights"] / summary["mlp_size"], summary["neat_accuracy"],
                "^", label="NEAT (its size)")
    ax.axhline(summary["mlp_accuracy"], color="grey", lw=0.8, label="MLP (100 %)")
    ax.set(xscale="log", xlabel="size budget (% of the MLP's weights)",
           ylabel="held-out accuracy", title=summary["dataset"])
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def size(args):
    """Section "size": accuracy against size, the NSGA-II front against a pruned MLP."""
    drawn = args.out_dir is not None and not args.no_plot
    problem = missing_extra(__file__, "matplotlib", "plot", "plotting") if drawn else None
    if problem:
        raise SystemExit(f"{problem} (or pass --no-plot)")
    summaries, folds, lines = [], {}, []
    for name in args.datasets:
        X, y, _, _ = load_dataset(name)
        rows = []
        for seed in args.seeds:
            splits = StratifiedKFold(args.folds, shuffle=True, random_state=seed).split(X, y)
            for k, (train, test) in enumerate(splits):
                if args.max_folds is not None and k >= args.max_folds:
                    break
                rows.append(dict(fold(name, X, y, train, test, seed, args), seed=seed, fold=k))
        summary = summarise(name, rows, args.budgets)
        lines += report(summary)
        summaries.append(summary)
        folds[name] = rows
        if drawn:
            plot(summary, os.path.join(args.out_dir, f"objectives_size_{name}.png"))
    return {"summary": summaries, "folds": folds}, "\n".join(["```", *lines, "```"])


SECTIONS = {"costs": costs, "size": size}  # name -> f(args) -> (JSON-ready results, markdown)


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--section", nargs="+", choices=list(SECTIONS), default=list(SECTIONS),
                        help="which sections to run (all by default)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data, the folds and every model (default: "
                             "%(default)s)")
    parser.add_argument("--repeats", type=at_least(1), default=3,
                        help="repetitions of the 5-fold cross-validation (default: "
                             "%(default)s)")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="evonet's n_jobs; results do not depend on it (default: "
                             "%(default)s)")
    size = parser.add_argument_group("section size")
    size.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS,
                      help="data sets to run (default: both)")
    size.add_argument("--seeds", nargs="+", type=int, default=[0],
                      help="seeds: each gives its own folds and fits (default: 0; the "
                           "issue asks for 5)")
    size.add_argument("--folds", type=at_least(2), default=5,
                      help="folds of the stratified k-fold, at least 2 (default: %(default)s)")
    size.add_argument("--max-folds", type=at_least(1), default=None,
                      help="run only this many first folds of each seed, for a quick check "
                           "(default: all)")
    size.add_argument("--generations", type=at_least(1), default=1000,
                      help="max_generations of each evonet fit (default: %(default)s)")
    size.add_argument("--population", type=at_least(2), default=100,
                      help="population_size of each evonet fit, at least 2 (default: "
                           "%(default)s)")
    size.add_argument("--patience", type=at_least(1), default=50,
                      help="n_iter_no_change: checks without hypervolume growth that stop a fit "
                           "(default: %(default)s)")
    size.add_argument("--hidden", nargs="+", type=at_least(1), default=None,
                      help="evonet's hidden layer sizes (default: 16 for breast_cancer, "
                           "32 for digits)")
    size.add_argument("--learning", default=None, choices=["baldwinian", "lamarckian"],
                      help="lifetime learning of the NSGA-II networks (default: none); "
                           "learning keeps their switched-off connections at zero")
    size.add_argument("--neat-generations", type=at_least(0), default=100,
                      help="max_generations of the NEAT fit of each fold, whose network is "
                           "compared at its own size (default: %(default)s; 0: no NEAT)")
    size.add_argument("--budgets", nargs="+", type=float, default=list(BUDGETS),
                      help="size budgets as fractions of the MLP's weights and biases "
                           "(default: %(default)s)")
    size.add_argument("--no-plot", action="store_true", help="draw no plot at all")
    add_output_options(parser, "folder of the outputs (default: experiments/results/)",
                       "also write every figure as JSON (default: objectives_SECTION.json in "
                       "the output folder)")
    return parser


def main(argv=None):
    """Run the chosen sections; write their reports where asked; 0 if every target holds."""
    args = build_parser().parse_args(argv)
    with open("/proc/loadavg") if os.path.exists("/proc/loadavg") else open(os.devnull) as f:
        load = f.read().split()[:3]
    sections = {}
    if args.out_dir is not None:
        os.makedirs(args.out_dir, exist_ok=True)
    for name in args.section:
        results, markdown = SECTIONS[name](args)
        sections[name] = results
        settings = (f"seed {args.seed}, {args.repeats} x 5-fold CV" if name == "costs"
                    else f"seeds {args.seeds}, {args.folds} folds")
        report = (f"# objectives, section {name} ({settings}; {platform.machine()}, "
                  f"load average {' '.join(load)} at start)\n\n{markdown}\n")
        if args.out_dir is not None:
            with open(os.path.join(args.out_dir, f"objectives_{name}.md"), "w") as f:
                f.write(report)
        print(report, flush=True)
        if args.json == "":
            with open(json_path(args, f"objectives_{name}.json"), "w") as f:
                json.dump({"args": vars(args), name: results}, f, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "sections": sections}, f, indent=1)
    held = all(all(s.get("targets", {}).values()) for s in sections.values())
    return 0 if held else 1


if __name__ == "__main__":
    raise SystemExit(main())
