"""Threads by default, and process workers only where they pay: fit times in one run.

Times, each in a fresh Python process (so every fit is the first of its
process: thread pools and workers start inside the timed fit), of
``Pipeline(StandardScaler(), NeuroEvolutionClassifier(random_state=0))`` on
a 75% training split:

* digits with the defaults (threads over the cores available), inside
  ``evonet.config_context(n_threads=1)``, and with ``n_jobs=2`` (loky);
* iris with the defaults and with ``n_jobs=2``.

Each configuration is run ``--repeats`` times, interleaved, and the script
prints the minimum and median seconds, the ratios of medians (and of minima)
against the default, and whether every fit gave the same model (a hash of its
weights). Targets: ``n_threads=1`` at least 1.7x the default's
time on 2 cores; ``n_jobs=2`` at most 1.05x the default's.

Run from the repository root: ``python benchmarks/threads.py [--repeats 3]``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs

CONFIGS = [("digits", "default"), ("digits", "n_threads=1"), ("digits", "n_jobs=2"),
           ("iris", "default"), ("iris", "n_jobs=2")]

ONE_FIT = r"""
import hashlib, json, sys, time
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import evonet
from evonet import NeuroEvolutionClassifier

name, how = sys.argv[1], sys.argv[2]
X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
n_jobs = 2 if how == "n_jobs=2" else None
model = make_pipeline(StandardScaler(), NeuroEvolutionClassifier(random_state=0, n_jobs=n_jobs))
threads = 1 if how == "n_threads=1" else None
with evonet.config_context(n_threads=threads):
    start = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
clf = model[-1]
digest = hashlib.sha256(b"".join(np.ascontiguousarray(w).tobytes()
                                 for w in clf.coefs_ + clf.intercepts_)).hexdigest()[:16]
print(json.dumps({"seconds": seconds, "hash": digest, "generations": clf.n_iter_,
                  "accuracy": model.score(X_test, y_test)}))
"""


def one_fit(name, how):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.getcwd(), *filter(None, [os.environ.get("PYTHONPATH")])]))
    out = subprocess.run([sys.executable, "-c", ONE_FIT, name, how], capture_output=True,
                         text=True, check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=at_least(1), default=3,
                        help="fits of each configuration, interleaved (default: %(default)s)")
    add_json_option(parser)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    runs = {config: [] for config in CONFIGS}
    for repeat in range(args.repeats):
        for config in CONFIGS:
            runs[config].append(one_fit(*config))
            r = runs[config][-1]
            print(f"repeat {repeat + 1}: {config[0]:6s} {config[1]:11s} {r['seconds']:7.2f} s "
                  f"({r['generations']} generations, test accuracy {r['accuracy']:.3f}, "
                  f"model {r['hash']})", flush=True)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"\n{cores} cores available; seconds per fit over {args.repeats} runs")
    summary = {}
    for (name, how), results in runs.items():
        seconds = [r["seconds"] for r in results]
        summary[f"{name}/{how}"] = {"min": min(seconds), "median": statistics.median(seconds),
                                    "models": sorted({r["hash"] for r in results})}
        print(f"  {name:6s} {how:11s} min {min(seconds):7.2f}  median "
              f"{statistics.median(seconds):7.2f}")
    targets = [("digits", "n_threads=1", ">= 1.7"), ("digits", "n_jobs=2", "<= 1.05"),
               ("iris", "n_jobs=2", "<= 1.05")]
    for name, how, target in targets:
        base, other = summary[f"{name}/default"], summary[f"{name}/{how}"]
        print(f"  {name} {how} / default: {other['median'] / base['median']:.2f}x (medians), "
              f"{other['min'] / base['min']:.2f}x (minima); target {target}")
    for name in ("digits", "iris"):
        models = {h for key, s in summary.items() if key.startswith(name) for h in s["models"]}
        print(f"  {name}: {'the same model in every fit' if len(models) == 1 else 'MODELS DIFFER'}"
              f" ({', '.join(sorted(models))})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
