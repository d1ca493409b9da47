"""Default fits that stop when they are done: fit times and check_estimator's, in one run.

Each fit runs in a fresh Python process and is timed from after ``import evonet``,
so that it is the first fit of its process (whatever starts lazily starts inside
the timed fit): ``Pipeline(StandardScaler(), NeuroEvolutionClassifier(random_state=0))``
on all rows of iris, wine and breast_cancer. Every data set is fitted ``--repeats``
times, interleaved; the script prints each fit (seconds, generations, why it
stopped, training accuracy), the minimum and median seconds per data set and the
targets: at most 1 s on iris and wine, at most 3 s on breast_cancer.

With ``--checks`` it also times scikit-learn's ``check_estimator`` on both
estimators with their default parameters (each in its own process; target:
under 60 s together). The load average is printed beside the figures, and the
CPU seconds of each process beside its wall time: on a shared machine, read the
wall times against the load.

Run from the repository root: ``python benchmarks/fit_times.py [--repeats 3] [--checks]``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs

TARGETS = {"iris": 1.0, "wine": 1.0, "breast_cancer": 3.0}
"""Seconds a default fit may take."""

ONE_FIT = r"""
import json, sys, time
from sklearn import datasets
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import evonet

X, y = getattr(datasets, f"load_{sys.argv[1]}")(return_X_y=True)
model = make_pipeline(StandardScaler(), evonet.NeuroEvolutionClassifier(random_state=0))
start, cpu = time.perf_counter(), time.process_time()
model.fit(X, y)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
clf = model[-1]
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "generations": clf.n_iter_,
                  "checks": len(clf.loss_curve_), "stop_reason": clf.stop_reason_,
                  "accuracy": model.score(X, y)}))
"""

ONE_CHECK = r"""
import json, sys, time, warnings
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import check_estimator
import evonet

estimator = getattr(evonet, sys.argv[1])()
start, cpu = time.perf_counter(), time.process_time()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    check_estimator(estimator)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu}))
"""


def in_process(code, *args):
    """Run ``code`` in a fresh interpreter (this checkout first on the path); its JSON line."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.getcwd(), *filter(None, [os.environ.get("PYTHONPATH")])]))
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def load():
    """The 1-minute load average, or ``None`` where the system does not tell."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=at_least(1), default=3,
                        help="fits of each data set, interleaved (default: %(default)s)")
    parser.add_argument("--checks", action="store_true",
                        help="also time check_estimator on both estimators (defaults)")
    add_json_option(parser)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    runs = {name: [] for name in TARGETS}
    for repeat in range(args.repeats):
        for name in TARGETS:
            r = in_process(ONE_FIT, name)
            runs[name].append(r)
            print(f"repeat {repeat + 1}: {name:13s} {r['seconds']:6.2f} s, CPU "
                  f"{r['cpu_seconds']:6.2f} s ({r['generations']} "
                  f"generations, {r['checks']} checks, {r['stop_reason']}, training accuracy "
                  f"{r['accuracy']:.3f}; load {load():.2f})", flush=True)
    summary = {}
    print(f"\nseconds per default fit over {args.repeats} runs (load average {load():.2f})")
    for name, results in runs.items():
        seconds = [r["seconds"] for r in results]
        summary[name] = {"min": min(seconds), "median": statistics.median(seconds),
                         "generations": results[0]["generations"]}
        met = "met" if summary[name]["median"] <= TARGETS[name] else "NOT met"
        print(f"  {name:13s} min {min(seconds):6.2f}  median {statistics.median(seconds):6.2f}"
              f"  (target <= {TARGETS[name]:g} s: {met} by the median)")
    if args.checks:
        checks = {name: in_process(ONE_CHECK, name)
                  for name in ("NeuroEvolutionClassifier", "NeuroEvolutionRegressor")}
        total = sum(c["seconds"] for c in checks.values())
        summary["check_estimator"] = checks
        print(f"\ncheck_estimator with default parameters (load average {load():.2f}): "
              + ", ".join(f"{name} {c['seconds']:.1f} s (CPU {c['cpu_seconds']:.1f} s)"
                          for name, c in checks.items())
              + f"; together {total:.1f} s (target < 60 s: {'met' if total < 60 else 'NOT met'})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)


if __name__ == "__main__":
    main()
