"""Parallel evaluation: time per generation for n_jobs 1 and 2, loky and Dask, in one run.

(a) a Python-bound task: gymnasium's CartPole-v1 through evonet's gymnasium
    adapter, a population of 64 linear policies near a balancing solution
    (so episodes are long: >= 0.5 s per generation serially), 5 episodes each;
(b) a cheap task: iris (4-8-3 network, log loss), population 100, in 4 chunks of 25
    networks (a cheap problem is one chunk by default, which never leaves the process;
    4 chunks make the evaluator time both paths and choose, which is what is measured;
    the forced parallel path's time is printed too);
(c) the per-generation overhead of the parallel path on an empty fitness (2 chunks),
    with the in-process fallback switched off.

Each generation scores the whole population through one ``Evaluator`` kept
open across generations (workers and data set up once), as a fit does; steady
state means after the first generations (pool start-up and the evaluator's
timing of both paths excluded). Dask runs on a 2-worker ``LocalCluster``
(processes, 1 thread each, loopback) under ``joblib.parallel_config(backend="dask")``.

Targets: (a) n_jobs=2 >= 1.5x faster than n_jobs=1 with loky, >= 1.3x with
Dask; (b) n_jobs=2 at most 1.1x slower than n_jobs=1 in steady state;
(c) at most 15 ms per generation with loky.

Usage: python benchmarks/parallel.py [--generations 12] [--skip-dask] [--case a,b,c]
                                    [--json PATH]
"""

import argparse
import json
import time

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from joblib import parallel_config

from evonet import Evaluator, MLPLayout, SupervisedProblem
from evonet.genome import init_population


class EmptyProblem:
    """A fitness that does no work: what is left is the evaluator's own cost."""

    chunk_size = 32
    n_samples = 1

    def evaluate(self, population, rows=None):
        return np.zeros(len(population))


def cartpole():
    from evonet.control import MLPPolicy
    from evonet.problems.gym import GymProblem

    policy = MLPPolicy(4, (), 1, bias=False)
    problem = GymProblem("CartPole-v1", policy, n_episodes=5)
    rng = np.random.default_rng(0)
    population = np.array([0.0, 0.0, 1.0, 1.0]) + 0.3 * rng.standard_normal((64, 4))
    return problem, population, np.arange(5)


class ChunkedProblem(SupervisedProblem):
    """A supervised problem scored in chunks of 25 networks (4 chunks of a population of 100)."""

    def population_chunk(self, rows=None):
        return 25


def iris():
    from sklearn.datasets import load_iris
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    layout = MLPLayout(4, (8,), 3, output_activation="softmax")
    problem = ChunkedProblem(layout, StandardScaler().fit_transform(X), y, loss="log_loss")
    return problem, init_population(layout, 100, np.random.default_rng(0)), None


def per_generation(problem, population, rows, n_jobs, generations, warmup, adaptive=True):
    """Median seconds per generation after ``warmup`` generations, and the last losses."""
    evaluator = Evaluator(problem, n_jobs=n_jobs, adaptive=adaptive)
    times = []
    with evaluator:
        for g in range(warmup + generations):
            start = time.perf_counter()
            losses = evaluator.evaluate(population, rows, generation=g + 1)
            if g >= warmup:
                times.append(time.perf_counter() - start)
    return float(np.median(times)), losses, evaluator.mode


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generations", type=at_least(1), default=12,
                        help="timed generations of each task, after 6 warm-up ones (default: "
                             "%(default)s)")
    parser.add_argument("--skip-dask", action="store_true",
                        help="time loky only, not Dask (no distributed needed)")
    parser.add_argument("--case", default="a,b,c",
                        help="comma-separated cases to run (default: a,b,c)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    gens, warmup = args.generations, 6  # the evaluator times both paths in calls 1-4
    results = {}

    def measure(label, task, **kwargs):
        problem, population, rows = task
        seconds, losses, mode = per_generation(problem, population, rows,
                                               generations=gens, warmup=warmup, **kwargs)
        results[label] = {"seconds": seconds, "mode": mode}
        return seconds, losses

    backends = [("loky", lambda: parallel_config(backend="loky"))]
    cluster = client = None
    if not args.skip_dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1")
        client = Client(cluster)
        backends.append(("dask", lambda: parallel_config(backend="dask")))
    cases = set(args.case.split(","))
    tasks = [(name, make) for name, make, case in (("cartpole", cartpole, "a"), ("iris", iris, "b"))
             if case in cases]
    try:
        for name, make in tasks:
            task = make()
            label = "a" if name == "cartpole" else "b"
            serial, reference = measure(f"{name}/n_jobs=1", task, n_jobs=1)
            print(f"({label}) {name}: n_jobs=1 {1e3 * serial:.1f} ms per generation")
            for backend, config in backends:
                with config():
                    seconds, losses = measure(f"{name}/{backend}/n_jobs=2", task, n_jobs=2)
                    if name == "iris":
                        forced, _ = measure(f"{name}/{backend}/n_jobs=2/forced", task,
                                            n_jobs=2, adaptive=False)
                assert np.array_equal(losses, reference), "results differ from n_jobs=1"
                mode = results[f"{name}/{backend}/n_jobs=2"]["mode"]
                where = {"serial": "in-process", "parallel": "workers"}.get(mode, mode)
                print(f"    {backend:5s} n_jobs=2: {1e3 * seconds:.1f} ms per generation, "
                      f"{serial / seconds:.2f}x n_jobs=1 (evaluator chose: {where}); "
                      f"losses identical")
                if name == "iris":
                    print(f"          parallel path forced: {1e3 * forced:.1f} ms per "
                          f"generation")
        if "c" in cases:
            task = (EmptyProblem(), np.zeros((64, 3)), None)
            for backend, config in backends:
                with config():
                    seconds, _ = measure(f"empty/{backend}", task, n_jobs=2, adaptive=False)
                print(f"(c) empty fitness, parallel path forced, {backend}: "
                      f"{1e3 * seconds:.2f} ms per generation")
    finally:
        if client is not None:
            client.close()
            cluster.close()

    def ratio(task, backend):
        return results[f"{task}/n_jobs=1"]["seconds"] / results[f"{task}/{backend}/n_jobs=2"][
            "seconds"]

    print("\nTargets:")
    if "a" in cases:
        print(f"- (a) loky speed-up {ratio('cartpole', 'loky'):.2f}x (>= 1.5x)")
        if not args.skip_dask:
            print(f"- (a) Dask speed-up {ratio('cartpole', 'dask'):.2f}x (>= 1.3x)")
    if "b" in cases:
        print(f"- (b) loky n_jobs=2 is {1 / ratio('iris', 'loky'):.2f}x the time of n_jobs=1 "
              f"(<= 1.1x)")
    if "c" in cases:
        print(f"- (c) loky overhead {1e3 * results['empty/loky']['seconds']:.2f} ms (<= 15 ms)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
