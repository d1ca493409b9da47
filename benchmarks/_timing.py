"""Timing shared by the benchmark scripts."""

import time


def best_time(fn, repeats, min_seconds=0.2):
    """Smallest mean time of one call of ``fn`` over ``repeats`` timed batches.

    Each batch repeats the call often enough to last about ``min_seconds / 5``,
    so that timer resolution and per-call noise do not dominate.
    """
    fn()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - start > min_seconds / 5:
            break
        calls *= 2
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls)
    return min(times)
