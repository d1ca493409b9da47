"""One generation of evonet's OpenAI-ES against the floor of its work, and the cost of tanh.

Prints, from one run on this machine:

1. milliseconds per generation of evonet's ES (``OpenES`` + ``Evaluator``, defaults,
   float32 fitness, log loss) on digits (all 1,437 rows, standardised) for the two
   shapes 64-32-10 with P=100 and 64-256-10 with P=256, and where that time
   goes: ``ask``, the evaluation of the population, ``tell``, the check of the
   incumbent (one network on the full data) and the rest of the loop;
2. the floor in NumPy, BLAS on one thread (as evonet's fitness runs): one GEMM of the
   same FLOPs as the first layers of the population, ``numpy.tanh`` over all the hidden
   activations and the batched second layer, and the ratio of evonet to it;
3. ``numpy.tanh`` on 94 million float32 values (the hidden activations of one
   generation of the larger shape) against the float32 alternatives measured for
   evonet's activation: the best pure-NumPy formula found (``1 - 2 / (exp(2x) + 1)`` on
   ``|x|``, evaluated block by block in cache), and numba's compiled rational
   approximation (Eigen's and XLA's coefficients) when numba is importable, with its
   import and compilation times.

Usage: python benchmarks/generation_floor.py [--generations 60] [--big-generations 8]
           [--repeats 5] [--skip-tanh] [--json PATH]
"""

import argparse
import json
import time

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from evonet import Evaluator, MLPLayout, SupervisedProblem
from evonet.evolve import Run, evolve
from evonet.genome import init_population
from evonet.strategies import get_strategy

SHAPES = {"64-32-10 P=100": (32, 100), "64-256-10 P=256": (256, 256)}
TANH_VALUES = 94_000_000
BLOCK = 8192  # values per block of the pure-NumPy tanh (its temporaries stay in L1/L2)


def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[:1437]), y[:1437]


def make_run(hidden, population_size, X, y, seed=0):
    layout = MLPLayout(64, (hidden,), 10, activation="tanh", output_activation="softmax")
    problem = SupervisedProblem(layout, X, y, loss="log_loss")
    return Run(get_strategy("es", population_size=population_size), Evaluator(problem),
               np.random.default_rng(seed),
               initializer=lambda n, rng: init_population(layout, n, rng))


def median_ms(fn, repeats):
    """Median milliseconds of ``repeats`` calls of ``fn`` after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def interleaved_ms(hidden, population_size, generations, rounds, X, y):
    """Median ms of an evonet generation, of the floor and of the floor in evonet's chunks.

    The three are timed in turns, ``rounds`` times (``generations / rounds``
    generations of ``evolve`` a turn, the logbook's own timing), so that a busy
    machine slows them alike.
    """
    run = evolve(make_run(hidden, population_size, X, y), 2)
    chunk = run.evaluator.problem.population_chunk()
    whole, parts = floor_work(hidden, population_size, X.shape[0])
    in_chunks = chunked_floor_work(hidden, population_size, chunk, X.shape[0])
    whole(), in_chunks()
    floors, chunked = [], []
    per_round = max(1, generations // rounds)
    with threadpool_limits(1, user_api="blas"):
        for _ in range(rounds):
            evolve(run, per_round)
            floors.append(median_ms(whole, 1))
            chunked.append(median_ms(in_chunks, 1))
        parts_ms = {name: median_ms(f, rounds) for name, f in parts.items()}
    seconds = run.logbook.select("seconds")[2:]
    return (1e3 * float(np.median(seconds)), float(np.median(floors)),
            float(np.median(chunked)), parts_ms, chunk)


def phases_ms(hidden, population_size, generations, X, y):
    """Median milliseconds of each phase of a generation, the loop run by hand."""
    run = evolve(make_run(hidden, population_size, X, y), 2)
    strategy, evaluator, rng, state = run.strategy, run.evaluator, run.rng, run.state
    times = {name: [] for name in ("ask", "evaluate", "tell", "check")}
    with threadpool_limits(1, user_api="blas"), evaluator:
        for _ in range(generations):
            t0 = time.perf_counter()
            population = strategy.ask(state, rng)
            t1 = time.perf_counter()
            losses = evaluator.evaluate(population)
            t2 = time.perf_counter()
            state = strategy.tell(state, population, losses, rng)
            t3 = time.perf_counter()
            evaluator.evaluate(strategy.incumbent(state)[0][None, :])
            t4 = time.perf_counter()
            for name, seconds in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
                times[name].append(seconds)
    return {name: 1e3 * float(np.median(ts)) for name, ts in times.items()}


def floor_work(hidden, population_size, n_rows):
    """The floor as one call (GEMM of the population's first layers + tanh + batched second
    layer on all rows), and its three parts as separate calls."""
    rng = np.random.default_rng(0)
    W1 = rng.normal(size=(population_size * hidden, 65)).astype(np.float32)
    X = rng.normal(size=(65, n_rows)).astype(np.float32)
    W2 = rng.normal(size=(population_size, 10, hidden)).astype(np.float32)
    b2 = rng.normal(size=(population_size, 10, 1)).astype(np.float32)
    H = np.empty((population_size * hidden, n_rows), np.float32)
    Z = np.empty((population_size, 10, n_rows), np.float32)
    H3 = H.reshape(population_size, hidden, n_rows)

    def work():
        np.matmul(W1, X, out=H)
        np.tanh(H, out=H)
        np.matmul(W2, H3, out=Z)
        np.add(Z, b2, out=Z)

    parts = {"GEMM": lambda: np.matmul(W1, X, out=H), "tanh": lambda: np.tanh(H, out=H),
             "second layer": lambda: (np.matmul(W2, H3, out=Z), np.add(Z, b2, out=Z))}
    return work, parts


def chunked_floor_work(hidden, population_size, chunk, n_rows, row_chunk=512):
    """The floor's work done as evonet does it: ``chunk`` networks by 512 rows at a time."""
    rng = np.random.default_rng(0)
    W1 = rng.normal(size=(population_size * hidden, 65)).astype(np.float32)
    X = rng.normal(size=(65, n_rows)).astype(np.float32)
    W2 = rng.normal(size=(population_size, 10, hidden)).astype(np.float32)
    b2 = rng.normal(size=(population_size, 10, 1)).astype(np.float32)
    H = np.empty((chunk * hidden, row_chunk), np.float32)
    Z = np.empty((chunk, 10, row_chunk), np.float32)

    def work():
        for p0 in range(0, population_size, chunk):
            p1 = min(p0 + chunk, population_size)
            for r0 in range(0, n_rows, row_chunk):
                r = min(row_chunk, n_rows - r0)
                h = H[:(p1 - p0) * hidden, :r]
                np.matmul(W1[p0 * hidden:p1 * hidden], X[:, r0:r0 + r], out=h)
                np.tanh(h, out=h)
                z = Z[:p1 - p0, :, :r]
                np.matmul(W2[p0:p1], h.reshape(p1 - p0, hidden, r), out=z)
                np.add(z, b2[p0:p1], out=z)

    return work


def tanh_exp_blocks(z):
    """float32 tanh in pure NumPy: ``sign(x) (1 - e) / (1 + e)``, ``e = exp(-2|x|)``, in place."""
    flat = z.reshape(-1)
    a = np.empty(min(flat.size, BLOCK), z.dtype)
    b = np.empty_like(a)
    for s in range(0, flat.size, BLOCK):
        x = flat[s:s + BLOCK]
        e, d = a[:x.size], b[:x.size]
        np.abs(x, out=e)
        e *= -2
        np.exp(e, out=e)
        np.subtract(1, e, out=d)
        e += 1
        d /= e
        np.copysign(d, x, out=x)
    return z


def numba_tanh():
    """numba's compiled rational tanh (Eigen's coefficients), with import and compile seconds."""
    t0 = time.perf_counter()
    try:
        import numba
    except ImportError:
        return None, None, None
    t1 = time.perf_counter()
    f32 = np.float32
    a = [f32(c) for c in (4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05,
                          5.12229709037114e-08, -8.60467152213735e-11, 2.00018790482477e-13,
                          -2.76076847742355e-16)]
    b = [f32(c) for c in (4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04,
                          1.19825839466702e-06)]
    a0, a1, a2, a3, a4, a5, a6 = a
    b0, b1, b2, b3 = b
    clamp = f32(7.90531110763549805)

    @numba.njit(fastmath=True, error_model="numpy")
    def kernel(z):
        flat = z.reshape(-1)
        for i in range(flat.size):
            x = min(max(flat[i], -clamp), clamp)
            x2 = x * x
            p = ((((((a6 * x2 + a5) * x2 + a4) * x2 + a3) * x2 + a2) * x2 + a1) * x2 + a0) * x
            flat[i] = p / (((b3 * x2 + b2) * x2 + b1) * x2 + b0)
        return z

    kernel(np.zeros(4, np.float32))
    return kernel, t1 - t0, time.perf_counter() - t1


def max_error(f):
    """Largest absolute error of a float32 tanh against float64 tanh on a dense grid."""
    grid = np.concatenate([np.linspace(-12, 12, 2_000_001), np.logspace(-30, 1.5, 100_001)])
    grid = np.concatenate([grid, -grid]).astype(np.float32)
    return float(np.abs(f(grid.copy()).astype(np.float64) - np.tanh(grid.astype(np.float64))).max())


def tanh_table(repeats):
    values = (np.random.default_rng(0).normal(size=TANH_VALUES) * 3).astype(np.float32)
    work = np.empty_like(values)
    rows = {}
    candidates = [("numpy.tanh", lambda z: np.tanh(z, out=z)),
                  ("pure NumPy exp formula", tanh_exp_blocks)]
    kernel, import_s, compile_s = numba_tanh()
    if kernel is not None:
        candidates.append(("numba rational", kernel))
    for name, f in candidates:
        def run(f=f):
            np.copyto(work, values)
            f(work)
        copy_ms = median_ms(lambda: np.copyto(work, values), repeats)
        rows[name] = dict(ms=median_ms(run, repeats) - copy_ms,
                          max_abs_error=max_error(f))
    print(f"\ntanh on {TANH_VALUES:,} float32 values (one core, median of runs; "
          "copying the input in subtracted):")
    base = rows["numpy.tanh"]["ms"]
    for name, row in rows.items():
        print(f"  {name:24s} {row['ms']:8.1f} ms  {row['ms'] / base:5.2f}x numpy.tanh's time  "
              f"max abs error {row['max_abs_error']:.1e}")
    if kernel is None:
        print("  numba rational: numba is not installed (not measured)")
    else:
        print(f"  numba: import {import_s:.2f} s, first compilation {compile_s:.2f} s")
        rows["numba rational"].update(import_s=import_s, compile_s=compile_s)
    return rows


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generations", type=at_least(1), default=60,
                        help="timed generations of the 64-32-10 shape (default: %(default)s)")
    parser.add_argument("--big-generations", type=at_least(1), default=8,
                        help="timed generations of the 64-256-10 shape (default: %(default)s)")
    parser.add_argument("--repeats", type=at_least(1), default=5,
                        help="rounds of the interleaved timings, runs of each tanh (default: "
                             "%(default)s)")
    parser.add_argument("--skip-tanh", action="store_true",
                        help="skip the comparison of tanh implementations (part 3)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()
    X, y = digits()
    result = {}
    for (label, (hidden, P)), gens in zip(SHAPES.items(),
                                           (args.generations, args.big_generations)):
        ms, floor, chunked, floor_parts, chunk = interleaved_ms(hidden, P, gens, args.repeats,
                                                                X, y)
        phases = phases_ms(hidden, P, gens, X, y)
        print(f"digits {label}, 1,437 rows, float32, 1 thread (medians): evonet ES "
              f"{ms:.1f} ms per generation; floor (GEMM + tanh + second layer) {floor:.1f} ms "
              f"-> {ms / floor:.2f}x the floor; the floor's work in evonet's chunks ({chunk} "
              f"networks x 512 rows) {chunked:.1f} ms -> {ms / chunked:.2f}x")
        print("  a generation by hand: " + ", ".join(f"{k} {v:.1f}" for k, v in phases.items())
              + f" ms (the rest of the loop: {ms - sum(phases.values()):.1f} ms)")
        print("  the floor's parts: " + ", ".join(f"{k} {v:.1f}" for k, v in floor_parts.items())
              + f" ms (tanh {100 * floor_parts['tanh'] / floor:.0f}% of the floor)")
        result[label] = dict(evonet_ms=ms, floor_ms=floor, chunked_floor_ms=chunked,
                             ratio=ms / floor, phases_ms=phases, floor_parts_ms=floor_parts)
    if not args.skip_tanh:
        result["tanh"] = tanh_table(args.repeats)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
