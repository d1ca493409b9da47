"""Time one fold of experiments/sklearn_benchmark.py's digits run with evonet's defaults.

The first fold of the benchmark's repeated stratified 5-fold split (seed 0),
a Pipeline(StandardScaler, NeuroEvolutionClassifier(random_state=0)) as in
the benchmark: prints the fit time, the generations, the time per generation
and the held-out accuracy, with the machine's cores and load average (the
time per generation depends on both), to compare with the figure that
README.md's results table takes from experiments/results/sklearn_benchmark.json.

    python tools/time_digits_fold.py
"""

import os
import platform
import time

from sklearn.datasets import load_digits
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from evonet import NeuroEvolutionClassifier


def main():
    X, y = load_digits(return_X_y=True)
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=0)
    train, test = next(folds.split(X, y))
    load = os.getloadavg()[0]
    model = make_pipeline(StandardScaler(), NeuroEvolutionClassifier(random_state=0))
    start = time.perf_counter()
    model.fit(X[train], y[train])
    seconds = time.perf_counter() - start
    generations = model[-1].n_iter_
    print(f"digits, first fold: {seconds:.1f} s, {generations} generations, "
          f"{1000 * seconds / generations:.0f} ms per generation, held-out accuracy "
          f"{model.score(X[test], y[test]):.4f}; {os.cpu_count()} cores, load average "
          f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; {platform.platform()}")


if __name__ == "__main__":
    main()
