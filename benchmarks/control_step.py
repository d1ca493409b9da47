"""Speed of the pole-balancing simulator: vectorised carts against one-cart-at-a-time loops.

Prints, from one run on this machine:

1. one control step (two RK4 steps) of 1,000 double-pole carts with
   ``PoleBalancing.step`` (vectorised over carts, validation included),
   against stepping the same carts one at a time with the ``math`` module,
   twice: with evonet's scalar path (``make_scalar_step``: closures, tuples,
   the operations of the vectorised step in the same order) and with a
   textbook loop (the equations written out per cart, lists for the RK4
   stages). The target: per cart, at least 30x faster than a plain loop with
   the ``math`` module (the textbook loop). The scalar path is a harder
   baseline: it needs the same 32 sines and cosines per cart as the
   vectorised step, which NumPy computes with the same libm routines, so the
   script also prints the ratio's ceiling, scalar path / (time of those 16
   ``sin``/``cos`` calls on all carts);
2. the same for single-pole carts (for information);
3. the time of the 100,000-step success test of one double-pole network on
   the scalar path (the issue asks for seconds, not minutes), and of a
   population rollout of 1,000 networks (1,000 steps at most).

Both sides of a ratio are measured in the same run, best of ``--repeats``.

Usage: python benchmarks/control_step.py [--carts 1000] [--repeats 7] [--json PATH]
"""

import argparse
import json
import math
import time

import numpy as np
from _options import add_json_option, at_least  # benchmarks/ is on sys.path when a script runs
from _timing import best_time

from evonet.control import MLPPolicy, PoleBalancing, make_scalar_step, rollout, success_test

# a linear double-pole controller found by evolve_policy("2-markov", strategy="ipop-cmaes")
DOUBLE_POLE_SOLUTION = np.array([-3.118137362577161, -1.741504853583641, -3.876023232397316,
                                 -4.947475147547217, 2.098183394223859, 1.084747131563586])


def textbook_step(state, F, n_poles):
    """One control step of one cart, the equations written out plainly with ``math``."""
    g, M, mu_c, mu_p = -9.8, 1.0, 0.0005, 0.000002
    masses, halves = (0.1, 0.01)[:n_poles], (0.5, 0.05)[:n_poles]

    def derivative(s):
        xd = s[1]
        ft_sum = mt_sum = 0.0
        terms = []
        for i in range(n_poles):
            th, thd = s[2 + 2 * i], s[3 + 2 * i]
            m, half = masses[i], halves[i]
            sin, cos = math.sin(th), math.cos(th)
            friction = mu_p * thd / (m * half)
            ft_sum += m * half * thd * thd * sin + 0.75 * m * cos * (friction + g * sin)
            mt_sum += m * (1 - 0.75 * cos * cos)
            terms.append((cos, g * sin + friction, half))
        sgn = 1.0 if xd > 0 else (-1.0 if xd < 0 else 0.0)
        xdd = (F - mu_c * sgn + ft_sum) / (M + mt_sum)
        out = [xd, xdd]
        for i, (cos, rest, half) in enumerate(terms):
            out += [s[3 + 2 * i], -0.75 / half * (xdd * cos + rest)]
        return out

    h = 0.01
    s = list(state)
    for _ in range(2):
        k1 = derivative(s)
        k2 = derivative([a + h / 2 * b for a, b in zip(s, k1)])
        k3 = derivative([a + h / 2 * b for a, b in zip(s, k2)])
        k4 = derivative([a + h * b for a, b in zip(s, k3)])
        s = [a + h / 6 * (b + 2 * c + 2 * d + e) for a, b, c, d, e in zip(s, k1, k2, k3, k4)]
    return s


def bench_step(n_poles, carts, repeats):
    task = PoleBalancing(n_poles=n_poles)
    rng = np.random.default_rng(0)
    states = task.initial_state(carts) + rng.uniform(-0.05, 0.05, size=(carts, task.state_size))
    forces = rng.uniform(-10, 10, size=carts)
    scalar_step = make_scalar_step(task)
    rows = [tuple(s) for s in states.tolist()]
    force_list = forces.tolist()
    vectorised = best_time(lambda: task.step(states, forces), repeats)
    angles = task.to_columns(states)[1:, 0]
    trig = 8 * best_time(lambda: (np.sin(angles), np.cos(angles)), repeats)
    scalar = best_time(lambda: [scalar_step(s, f) for s, f in zip(rows, force_list)], repeats)
    textbook = best_time(lambda: [textbook_step(s, f, n_poles) for s, f in zip(rows, force_list)],
                         max(1, repeats // 2))
    # the three agree (the scalar path to the bit)
    after = task.step(states, forces)
    assert np.array_equal(after, np.array([scalar_step(s, f) for s, f in zip(rows, force_list)]))
    np.testing.assert_allclose(after, np.array([textbook_step(s, f, n_poles)
                                                for s, f in zip(rows, force_list)]),
                               rtol=1e-10, atol=1e-13)
    return {"n_poles": n_poles, "carts": carts,
            "vectorised_us_per_cart": 1e6 * vectorised / carts,
            "scalar_path_us_per_cart": 1e6 * scalar / carts,
            "textbook_loop_us_per_cart": 1e6 * textbook / carts,
            "trig_floor_us_per_cart": 1e6 * trig / carts,
            "speedup_vs_scalar_path": scalar / vectorised,
            "speedup_vs_textbook_loop": textbook / vectorised,
            "ceiling_vs_scalar_path": scalar / trig}


def bench_long_runs():
    task = PoleBalancing(n_poles=2)
    policy = MLPPolicy(6, (), bias=False)
    start = time.perf_counter()
    passed = success_test(task, policy, DOUBLE_POLE_SOLUTION)
    success_s = time.perf_counter() - start
    population = DOUBLE_POLE_SOLUTION + np.random.default_rng(1).normal(0, 1.0, size=(1000, 6))
    start = time.perf_counter()
    steps = rollout(task, policy, population, max_steps=1000).steps
    rollout_s = time.perf_counter() - start
    return {"success_test_passed": bool(passed), "success_test_s": success_s,
            "rollout_1000_networks_s": rollout_s,
            "rollout_cart_steps": int(steps.sum()),
            "rollout_us_per_cart_step": 1e6 * rollout_s / max(1, int(steps.sum()))}


def build_parser():
    """The command line (every option explained)."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--carts", type=at_least(1), default=1000,
                        help="carts stepped together in one control step (default: "
                             "%(default)s)")
    parser.add_argument("--repeats", type=at_least(1), default=7,
                        help="timed batches of each step; the best one counts (default: "
                             "%(default)s)")
    add_json_option(parser)
    return parser


def main():
    args = build_parser().parse_args()

    results = {"steps": [bench_step(n, args.carts, args.repeats) for n in (2, 1)]}
    for r in results["steps"]:
        print(f"{r['n_poles']} pole(s), {r['carts']} carts, one control step: vectorised "
              f"{r['vectorised_us_per_cart']:.3f} us/cart; math loops: scalar path "
              f"{r['scalar_path_us_per_cart']:.2f} us/cart ({r['speedup_vs_scalar_path']:.1f}x), "
              f"textbook {r['textbook_loop_us_per_cart']:.2f} us/cart "
              f"({r['speedup_vs_textbook_loop']:.1f}x)")
    double = results["steps"][0]
    ratio = double["speedup_vs_textbook_loop"]
    print(f"target: >= 30x per double-pole cart against a plain math-module loop: "
          f"{ratio:.1f}x ({'met' if ratio >= 30 else 'MISSED'})")
    print(f"against evonet's tuned scalar path: {double['speedup_vs_scalar_path']:.1f}x; the "
          f"libm sines and cosines alone take {double['trig_floor_us_per_cart']:.3f} us/cart "
          f"vectorised, a ceiling of {double['ceiling_vs_scalar_path']:.1f}x")
    long_runs = bench_long_runs()
    results["long_runs"] = long_runs
    print(f"100,000-step success test of one double-pole network (scalar path): "
          f"{long_runs['success_test_s']:.2f} s (passed: {long_runs['success_test_passed']})")
    print(f"rollout of 1,000 double-pole networks (up to 1,000 steps): "
          f"{long_runs['rollout_1000_networks_s']:.2f} s for {long_runs['rollout_cart_steps']:,} "
          f"cart-steps ({long_runs['rollout_us_per_cart_step']:.2f} us per cart-step)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
