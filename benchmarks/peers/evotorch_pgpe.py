"""EvoTorch's PGPE on digits with a vectorised problem: milliseconds per generation.

One network shape per call: ``64-H-10`` (tanh hidden layer, softmax output,
float32 torch tensors on the CPU), population ``P``, fitness the mean
log-loss on all 1,437 rows given (standardised digits), every network of a
population scored by batched ``torch`` products (``Problem(...,
vectorized=True)``), searched by ``PGPE`` with an Adam centre step, as
EvoTorch's examples run it. Prints one JSON line: ``{"loop_ms": ...,
"cores": ..., "versions": {...}}`` (the median milliseconds of a
``searcher.step()`` after two warm-up steps; ``cores`` the CPU seconds over
the wall seconds of the timed steps). Needs ``pip install "evonet[bench]"``
(evotorch 0.6.x) and torch's CPU build (see ``benchmarks/peers/README.md``).

Usage: python benchmarks/peers/evotorch_pgpe.py --hidden 32 --population 100 --generations 40
"""

import json
import statistics
import time
from importlib.metadata import version

import numpy as np
import torch
from _digits import digits, parse_args
from evotorch import Problem
from evotorch.algorithms import PGPE


def fitness_fn(hidden, X, y):
    """Mean log-loss of every network of a population ``(P, n_params)``."""
    n_in, n_out = X.shape[1], 10
    bounds = np.cumsum([0, n_in * hidden, hidden, hidden * n_out, n_out]).tolist()

    def evaluate(population):
        P = population.shape[0]
        W1 = population[:, bounds[0]:bounds[1]].reshape(P, n_in, hidden)
        b1 = population[:, bounds[1]:bounds[2]].reshape(P, 1, hidden)
        W2 = population[:, bounds[2]:bounds[3]].reshape(P, hidden, n_out)
        b2 = population[:, bounds[3]:bounds[4]].reshape(P, 1, n_out)
        # the first layers of all networks as one product (rows x (P * hidden))
        first = (X @ W1.permute(1, 0, 2).reshape(n_in, P * hidden)).reshape(-1, P, hidden)
        logits = torch.tanh(first.permute(1, 0, 2) + b1) @ W2 + b2
        log_p = torch.log_softmax(logits, dim=2)
        return -log_p.gather(2, y.expand(P, -1, -1)).mean(dim=(1, 2))

    return evaluate, bounds[-1]


def main():
    args = parse_args(__doc__)
    X, y = digits()
    evaluate, n_params = fitness_fn(args.hidden, torch.from_numpy(X),
                                    torch.from_numpy(y).long().reshape(1, -1, 1))
    problem = Problem("min", evaluate, solution_length=n_params, initial_bounds=(-0.1, 0.1),
                      vectorized=True, dtype=torch.float32, seed=0)
    searcher = PGPE(problem, popsize=args.population, center_learning_rate=0.01,
                    stdev_learning_rate=0.1, stdev_init=0.05, optimizer="adam")
    searcher.step()
    searcher.step()
    times = []
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.generations):
        start = time.perf_counter()
        searcher.step()
        times.append(time.perf_counter() - start)
    cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
    print(json.dumps({"loop_ms": 1e3 * statistics.median(times), "cores": cores,
                      "n_params": n_params, "threads": torch.get_num_threads(),
                      "versions": {"evotorch": version("evotorch"),
                                   "torch": torch.__version__}}))


if __name__ == "__main__":
    main()
