"""The same OpenAI-style ES generation in evonet, evosax and EvoTorch, on this machine's CPU.

For digits (all 1,437 rows, standardised, float32), a 64-H-10 network (tanh
hidden layer, softmax log-loss) and a population of P, in one run, each
measurement in its own subprocess and one at a time:

- ``evonet``: its ``OpenES`` and ``Evaluator`` with their defaults (threads over
  the fixed chunks), the median milliseconds per generation of the logbook;
- ``evosax loop`` / ``evosax scan``: evosax 0.3's ``Open_ES`` as a Python loop of
  jitted steps, and the whole run as one ``jax.lax.scan``
  (``benchmarks/peers/evosax_es.py``);
- ``EvoTorch``: EvoTorch 0.6's PGPE on a vectorised problem
  (``benchmarks/peers/evotorch_pgpe.py``);
- ``floor``: the unavoidable work in NumPy (one GEMM of the population's first
  layers, ``tanh``, the batched second layer) with BLAS on 1 and on 2 threads.

"cores" is each process's CPU seconds over its wall seconds while timed. The
peers need ``pip install "evonet[bench]"`` in the interpreter given by
``--peer-python`` (this one by default); a peer that cannot be imported there is
skipped with the reason. Targets: evonet at least 1.5x faster than evosax's
loop, and at least as fast as its scan, on both shapes.

Usage: python benchmarks/peers_cpu.py [--peer-python PATH] [--json PATH]
"""

import argparse
import json
import os
import subprocess
import sys

from _options import add_json_option  # benchmarks/ is on sys.path when a script runs

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = {"64-32-10 P=100": (32, 100, 40), "64-256-10 P=256": (256, 256, 10)}
"""Shape name: (hidden units, population, timed generations)."""


def worker_evonet(hidden, population, generations):
    import time

    import numpy as np

    sys.path.insert(0, HERE)
    from generation_floor import digits, make_run

    from evonet.evolve import evolve

    X, y = digits()
    run = evolve(make_run(hidden, population, X, y), 2)
    wall, cpu = time.perf_counter(), time.process_time()
    evolve(run, generations)
    cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
    seconds = run.logbook.select("seconds")[2:]
    return {"loop_ms": 1e3 * float(np.median(seconds)), "cores": cores}


def worker_floor(hidden, population, generations):
    from threadpoolctl import threadpool_limits

    sys.path.insert(0, HERE)
    from generation_floor import floor_work, median_ms

    work, _ = floor_work(hidden, population, 1437)
    result = {}
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            result[f"{threads}_thread_ms"] = median_ms(work, generations)
    return result


def measure(command):
    """Run ``command``; its last JSON line, or ``{"skipped": reason}``."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"skipped": last}
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_parser():
    """The command line (every option explained; --worker and --shape are its own)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-python", default=sys.executable, metavar="PATH",
                        help="interpreter with evosax and evotorch installed (default: this one)")
    add_json_option(parser)
    # how the script runs one timing in a fresh process of its own: not for users
    parser.add_argument("--worker", choices=["evonet", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--shape", choices=list(SHAPES), help=argparse.SUPPRESS)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.worker:
        work = worker_evonet if args.worker == "evonet" else worker_floor
        print(json.dumps(work(*SHAPES[args.shape])))
        return
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    results = {}
    for shape, (hidden, population, generations) in SHAPES.items():
        sizes = ["--hidden", str(hidden), "--population", str(population),
                 "--generations", str(generations)]
        own = [sys.executable, os.path.abspath(__file__), "--shape", shape, "--worker"]
        row = {"evonet": measure(own + ["evonet"]), "floor": measure(own + ["floor"]),
               "evosax": measure([args.peer_python, os.path.join(HERE, "peers", "evosax_es.py"),
                                  *sizes]),
               "evotorch": measure([args.peer_python,
                                    os.path.join(HERE, "peers", "evotorch_pgpe.py"), *sizes])}
        results[shape] = row
        print_shape(shape, row)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


def print_shape(shape, row):
    print(f"\n{shape}: ms per generation (cores used)")
    lines = [("evonet (OpenES + Evaluator, defaults)", row["evonet"], "loop_ms"),
             ("evosax, Python loop of jitted steps", row["evosax"], "loop_ms"),
             ("evosax, whole run as one lax.scan", row["evosax"], "scan_ms"),
             ("EvoTorch PGPE, vectorised problem", row["evotorch"], "loop_ms")]
    for label, figures, key in lines:
        if "skipped" in figures:
            print(f"  {label:40s} skipped: {figures['skipped']}")
        else:
            cores = f" ({figures['cores']:.1f})" if key == "loop_ms" else ""
            print(f"  {label:40s} {figures[key]:8.1f}{cores}")
    floor = row["floor"]
    if "skipped" not in floor:
        print(f"  {'NumPy floor, 1 / 2 BLAS threads':40s} {floor['1_thread_ms']:8.1f} / "
              f"{floor['2_thread_ms']:.1f}")
    ours, theirs = row["evonet"], row["evosax"]
    if "skipped" not in ours and "skipped" not in theirs:
        print(f"  evonet vs evosax loop: {theirs['loop_ms'] / ours['loop_ms']:.2f}x faster "
              f"(target 1.5x); vs scan: {theirs['scan_ms'] / ours['loop_ms']:.2f}x (target 1x)")


if __name__ == "__main__":
    main()
