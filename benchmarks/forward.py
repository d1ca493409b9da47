"""Speed and memory of the population forward pass.

Prints, from one run on this machine:

1. network evaluations per second of ``evonet.forward`` on a whole population
   against a minimal per-individual NumPy loop (weights already unpacked,
   ``act(X @ W + b)`` per layer, no validation), float32, for XOR (2-2-1,
   N=4, P=150), iris (4-8-3, N=120, P=100) and digits (64-32-10, N=1437, P=100);
2. for digits, ``forward``'s time over the unavoidable work measured in the
   same run: one GEMM of the same FLOPs plus ``numpy.tanh`` over the hidden
   activations;
3. the peak memory of a squared-error loss over 1,000,000 x 64 rows for
   P=200 networks of 64-64-1, against the documented chunk bound.

BLAS runs single-threaded throughout, as it does during fitness evaluation.
Targets: >= 20x (XOR), >= 3x (iris), >= 1.1x (digits); digits within 1.5x of
GEMM + tanh; peak memory within the chunk bound plus the data.

Usage: python benchmarks/forward.py [--repeats 7] [--skip-memory] [--json PATH]
"""

import argparse
import json
import time
import tracemalloc

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from _timing import best_time
from threadpoolctl import threadpool_limits

from evonet.evaluation import SupervisedProblem
from evonet.nn import MLPLayout, chunk_memory_bound, forward
from evonet.nn.activations import apply_activation

SHAPES = {
    "xor": (2, (2,), 1, 4, 150),
    "iris": (4, (8,), 3, 120, 100),
    "digits": (64, (32,), 10, 1437, 100),
}


def minimal_loop(layers, activations, X):
    outputs = []
    for individual in layers:
        H = X
        for (W, b), act in zip(individual, activations):
            H = H @ W + b
            apply_activation(act, H)
        outputs.append(H)
    return outputs


def bench_shape(name, repeats):
    n_in, hidden, n_out, n_rows, P = SHAPES[name]
    rng = np.random.default_rng(0)
    layout = MLPLayout(n_in, hidden, n_out, activation="tanh")
    pop = rng.normal(size=(P, layout.n_params))
    X = rng.normal(size=(n_rows, n_in))
    X32 = X.astype(np.float32)
    unpacked = [[(W.astype(np.float32), b.astype(np.float32)) for W, b in layout.unpack(w)]
                for w in pop]
    activations = [layout.activation_of(k) for k in range(layout.n_layers)]
    t_forward = best_time(lambda: forward(layout, pop, X), repeats)
    t_loop = best_time(lambda: minimal_loop(unpacked, activations, X32), repeats)
    row = {"shape": name, "P": P, "N": n_rows, "forward_s": t_forward, "loop_s": t_loop,
           "forward_evals_per_s": P / t_forward, "loop_evals_per_s": P / t_loop,
           "speedup": t_loop / t_forward}
    if name == "digits":
        macs = n_rows * P * sum(a * b for a, b in zip(layout.layer_sizes[:-1],
                                                       layout.layer_sizes[1:]))
        # one GEMM with the same multiply-adds: (n_rows, n_in) @ (n_in, macs / (n_rows n_in))
        cols = macs // (n_rows * n_in)
        A = rng.normal(size=(n_rows, n_in)).astype(np.float32)
        B = rng.normal(size=(n_in, cols)).astype(np.float32)
        hidden_act = rng.normal(size=(P * hidden[0], n_rows)).astype(np.float32)
        t_gemm = best_time(lambda: A @ B, repeats)
        t_tanh = best_time(lambda: np.tanh(hidden_act, out=hidden_act), repeats)
        row.update(gemm_s=t_gemm, tanh_s=t_tanh, floor_s=t_gemm + t_tanh,
                   ratio_to_floor=t_forward / (t_gemm + t_tanh))
    return row


def bench_memory():
    rng = np.random.default_rng(0)
    n_rows, P = 1_000_000, 200
    layout = MLPLayout(64, (64,), 1)
    X = rng.standard_normal((n_rows, 64), dtype=np.float32)
    y = rng.standard_normal(n_rows, dtype=np.float32)
    pop = rng.normal(size=(P, layout.n_params)) * 0.1
    tracemalloc.start()
    start = time.perf_counter()
    problem = SupervisedProblem(layout, X, y)
    data_copy = problem.X_aug.nbytes + problem.targets.nbytes
    losses = problem.evaluate(pop)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    bound = chunk_memory_bound(layout, P)
    return {"rows": n_rows, "P": P, "peak_bytes": peak, "data_copy_bytes": data_copy,
            "peak_beyond_data_bytes": peak - data_copy, "bound_bytes": bound,
            "within_bound": peak - data_copy <= bound, "seconds": seconds,
            "finite_losses": bool(np.isfinite(losses).all())}


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=at_least(1), default=7,
                        help="timed batches of each side; the best one counts (default: "
                             "%(default)s)")
    parser.add_argument("--skip-memory", action="store_true",
                        help="skip the peak-memory measurement on 1,000,000 rows (part 3)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    results = {"shapes": [], "targets": {"xor": 20.0, "iris": 3.0, "digits": 1.1,
                                         "digits_ratio_to_floor": 1.5}}
    with threadpool_limits(1, user_api="blas"):
        print("| shape | P | N | forward evals/s | loop evals/s | speedup | target |")
        print("|---|---|---|---|---|---|---|")
        for name in SHAPES:
            row = bench_shape(name, args.repeats)
            results["shapes"].append(row)
            print(f"| {name} | {row['P']} | {row['N']} | {row['forward_evals_per_s']:,.0f} | "
                  f"{row['loop_evals_per_s']:,.0f} | {row['speedup']:.1f}x | "
                  f">= {results['targets'][name]}x |")
        digits = results["shapes"][-1]
        print(f"\ndigits: forward {digits['forward_s'] * 1e3:.2f} ms, GEMM of the same FLOPs "
              f"{digits['gemm_s'] * 1e3:.2f} ms + tanh {digits['tanh_s'] * 1e3:.2f} ms = "
              f"{digits['floor_s'] * 1e3:.2f} ms; ratio {digits['ratio_to_floor']:.2f} "
              f"(target <= 1.5)")
        if not args.skip_memory:
            mem = bench_memory()
            results["memory"] = mem
            print(f"\n1,000,000 x 64 rows, P=200, 64-64-1 squared error: {mem['seconds']:.1f} s, "
                  f"peak {mem['peak_bytes'] / 2**20:.0f} MiB = data copy "
                  f"{mem['data_copy_bytes'] / 2**20:.0f} MiB + "
                  f"{mem['peak_beyond_data_bytes'] / 2**20:.1f} MiB; chunk bound "
                  f"{mem['bound_bytes'] / 2**20:.1f} MiB; within bound: {mem['within_bound']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
