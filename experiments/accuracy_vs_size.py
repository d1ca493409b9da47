"""Accuracy against network size: evonet's NSGA-II front against a magnitude-pruned MLP.

For breast_cancer and digits, on held-out folds (stratified k-fold, features
standardised on the training rows): scikit-learn's default MLPClassifier, the
same MLP magnitude-pruned to each size budget (its smallest weights and biases,
all layers together, set to zero; no retraining), and a
NeuroEvolutionClassifier(strategy="nsga2") whose front gives, for each budget,
its best network within the budget (chosen by training accuracy, ties by
training loss). Budgets are fractions of the default MLP's weights and biases
(digits: 7,510; breast_cancer: 3,201). Each curve's hypervolume is the area it
dominates in the plane (size / MLP size, accuracy) up to the reference point
(size 1, accuracy 0). The target checked: the front (at least 3 networks) holds a
network of at most 10 % of the MLP's size within 1 point of its accuracy, the
network being the one chosen by training accuracy within that budget.

Prints per data set and budget the mean held-out accuracy of each method, the
hypervolumes, the target and the time per evonet fit; writes one plot per data
set into the output folder (--out-dir, experiments/results/ by default) and,
with --json, every fold's figures there too. Nothing else is written.

Usage: python experiments/accuracy_vs_size.py [--datasets breast_cancer digits]
           [--seeds 0] [--folds 5] [--generations 1000] [--population 100]
           [--out-dir DIR] [--json [PATH]] [--no-plot]
"""

import argparse
import importlib.util
import json
import os
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier
from evonet.strategies.nsga2 import hypervolume_2d

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
"""The default output folder, ``experiments/results/``."""

DATASETS = {"breast_cancer": load_breast_cancer, "digits": load_digits}
HIDDEN = {"breast_cancer": (16,), "digits": (32,)}
"""evonet's hidden layers per data set (the front then spans sizes up to this network's)."""
BUDGETS = (0.01, 0.02, 0.05, 0.1, 0.2)


def n_weights(coefs, intercepts):
    return int(sum(np.count_nonzero(a) for a in list(coefs) + list(intercepts)))


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
            n_iter_no_change=args.patience, random_state=seed).fit(X_train, y[train])
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
    return row


def curve_hypervolume(fractions, accuracies):
    """Area dominated by the points (size fraction, accuracy) up to (1, 0)."""
    points = [(f, -a) for f, a in zip(fractions, accuracies) if a is not None]
    return hypervolume_2d(np.array(points, dtype=np.float64).reshape(-1, 2), (1.0, 0.0))


def summarise(name, rows, budgets):
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
    }


def report(summary):
    print(f"\n{summary['dataset']}: MLP {summary['mlp_size']} weights, held-out accuracy "
          f"{100 * summary['mlp_accuracy']:.2f} % ({summary['folds']} folds)")
    print("budget   size limit   front (n_weights)      pruned MLP")
    for k, fraction in enumerate(summary["budgets"]):
        front, pruned = summary["front_accuracy"][k], summary["pruned_accuracy"][k]
        size = summary["front_n_weights"][k]
        front_text = "   -   " if front is None else f"{100 * front:6.2f} ({size:6.1f})"
        print(f"{100 * fraction:5.0f} %  {int(fraction * summary['mlp_size']):10d}   "
              f"{front_text:20s}  {100 * pruned:6.2f}")
    best, chosen = summary["best_within_10pct"], summary["chosen_within_10pct"]
    print(f"hypervolume: front {summary['hypervolume_front']:.4f}, pruned "
          f"{summary['hypervolume_pruned']:.4f}; front >= pruned at "
          f"{summary['front_at_least_pruned']} of {len(summary['budgets'])} budgets")
    print(f"target (front >= 3, its network <= 10 % chosen by training accuracy within 1 "
          f"point): {summary['target_folds']} of {summary['folds']} folds; that network: "
          f"{'-' if chosen is None else f'{100 * chosen:.2f} %'}, the best on the test "
          f"folds: {'-' if best is None else f'{100 * best:.2f} %'}; front "
          f"{summary['front_size']:.1f} networks, {summary['generations']:.0f} generations, "
          f"{summary['fit_seconds']:.1f} s per fit")


def plot(summary, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.5))
    budgets = 100 * np.array(summary["budgets"])
    front = [np.nan if a is None else a for a in summary["front_accuracy"]]
    ax.plot(budgets, front, "o-", label="evonet NSGA-II front")
    ax.plot(budgets, summary["pruned_accuracy"], "s--", label="magnitude-pruned MLP")
    ax.axhline(summary["mlp_accuracy"], color="grey", lw=0.8, label="MLP (100 %)")
    ax.set(xscale="log", xlabel="size budget (% of the MLP's weights)",
           ylabel="held-out accuracy", title=summary["dataset"])
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS,
                        help="data sets to run (default: both)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0],
                        help="seeds: each gives its own folds and fits (the issue asks for 5)")
    parser.add_argument("--folds", type=int, default=5, help="folds of the stratified k-fold")
    parser.add_argument("--max-folds", type=int, default=None,
                        help="run only the first folds of each seed (for a quick check)")
    parser.add_argument("--generations", type=int, default=1000,
                        help="max_generations of each evonet fit")
    parser.add_argument("--population", type=int, default=100,
                        help="population_size of each evonet fit")
    parser.add_argument("--patience", type=int, default=50,
                        help="n_iter_no_change: checks without hypervolume growth that stop a fit")
    parser.add_argument("--hidden", nargs="+", type=int, default=None,
                        help="evonet's hidden layer sizes (default: 16 for breast_cancer, "
                             "32 for digits)")
    parser.add_argument("--budgets", nargs="+", type=float, default=list(BUDGETS),
                        help="size budgets as fractions of the MLP's weights and biases")
    parser.add_argument("--out-dir", metavar="DIR", default=None,
                        help="folder of the plots and JSON (default: experiments/results/)")
    parser.add_argument("--json", nargs="?", const=True, default=None, metavar="PATH",
                        help="also write the figures as JSON (default path: "
                             "OUT_DIR/accuracy_vs_size.json)")
    parser.add_argument("--no-plot", action="store_true", help="draw no plot at all")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if not args.no_plot and importlib.util.find_spec("matplotlib") is None:
        print('accuracy_vs_size.py: plotting needs matplotlib, which is not installed: pip '
              'install "evonet[plot]"', file=sys.stderr)
        return 2
    out_dir = RESULTS if args.out_dir is None else args.out_dir
    summaries, folds = [], {}
    for name in args.datasets:
        X, y = DATASETS[name](return_X_y=True)
        rows = []
        for seed in args.seeds:
            splits = StratifiedKFold(args.folds, shuffle=True, random_state=seed).split(X, y)
            for k, (train, test) in enumerate(splits):
                if args.max_folds is not None and k >= args.max_folds:
                    break
                rows.append(dict(fold(name, X, y, train, test, seed, args), seed=seed, fold=k))
        summary = summarise(name, rows, args.budgets)
        report(summary)
        summaries.append(summary)
        folds[name] = rows
        if not args.no_plot:
            os.makedirs(out_dir, exist_ok=True)
            plot(summary, os.path.join(out_dir, f"accuracy_vs_size_{name}.png"))
    if args.json is not None:
        path = os.path.join(out_dir, "accuracy_vs_size.json") if args.json is True \
            else args.json
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            json.dump({"args": vars(args), "summary": summaries, "folds": folds}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
