"""Threads of this process scoring the chunks of a generation at once.

Chunks are independent, and NumPy releases the GIL in ``matmul``, the
activations and the reductions, so a few threads of this process score them
at once with no shipping. Each chunk is scored with single-threaded BLAS
whichever thread scores it, so the losses are those of a serial run, by
construction. The number of threads comes from ``evonet.config``
(:func:`thread_count`); the pools are kept for the life of the process.
"""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from evonet.config import get_config
from evonet.evaluation.parallel import inner_job_limit

__all__ = ["available_cores", "busy_seconds", "in_pool_thread", "run_in_threads", "thread_count"]

_POOLS = {}  # threads -> ThreadPoolExecutor, in this process
_POOLS_LOCK = threading.Lock()
_IN_POOL = threading.local()


def _forget_pools():
    """A forked child has none of its parent's threads: it starts its own pools."""
    global _POOLS_LOCK
    _POOLS.clear()
    _POOLS_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)


def available_cores():
    """Cores this process may run on (``os.sched_getaffinity``, else ``os.cpu_count``).

    Examples
    --------
    >>> available_cores() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def in_pool_thread():
    """Whether the caller is one of evonet's scoring threads.

    Examples
    --------
    >>> in_pool_thread()
    False
    """
    return getattr(_IN_POOL, "active", False)


def thread_count():
    """Threads that score a generation's chunks here, from ``evonet.config``.

    ``n_threads=None`` (the default) gives the cores available, and inside a
    joblib worker no more than the share of the cores joblib gave it
    (:func:`~evonet.evaluation.parallel.inner_job_limit`). Inside one of
    evonet's scoring threads it is 1: a nested evaluation runs serially.

    Examples
    --------
    >>> import evonet
    >>> with evonet.config_context(n_threads=3):
    ...     thread_count()
    3
    """
    if in_pool_thread():
        return 1
    n_threads = get_config()["n_threads"]
    if n_threads is not None:
        return n_threads
    cores = available_cores()
    limit = inner_job_limit()
    return cores if limit is None else max(1, min(cores, limit))


def _pool(n_threads):
    with _POOLS_LOCK:
        pool = _POOLS.get(n_threads)
        if pool is None:
            pool = _POOLS[n_threads] = ThreadPoolExecutor(
                n_threads, thread_name_prefix="evonet-chunks", initializer=_mark_pool_thread)
        return pool


def _mark_pool_thread():
    _IN_POOL.active = True


def busy_seconds():
    """Seconds the calling thread has been on a CPU or waiting in the run queue for one.

    Linux's ``/proc/thread-self/schedstat``; elsewhere the thread's CPU time.
    Unlike wall time, it leaves out the time a thread waited for the GIL:
    what process workers could save. Unlike CPU time, it counts the time
    other programs held the cores: what they could not.

    Examples
    --------
    >>> busy_seconds() >= 0
    True
    """
    try:
        with open("/proc/thread-self/schedstat", "rb") as file:
            on_cpu, waiting = file.read().split()[:2]
        return (int(on_cpu) + int(waiting)) * 1e-9
    except (OSError, ValueError):
        return time.thread_time()


def _timed(task, item, clock):
    if clock is None:
        return task(item), 0.0
    start = clock()
    result = task(item)
    return result, clock() - start


def run_in_threads(task, items, n_threads, clock=None):
    """``[task(item) for item in items]`` on up to ``n_threads`` threads, and their busy time.

    Returns the results in the order of ``items`` and, with a ``clock`` (a
    per-thread one, :func:`busy_seconds`), the seconds the tasks took
    together by it (the time one thread alone would have needed, what the
    evaluator weighs process workers against; else ``None``). The first
    exception a task raises propagates, once every task has ended.

    Examples
    --------
    >>> results, busy = run_in_threads(lambda x: x * x, [1, 2, 3], 2, busy_seconds)
    >>> results, busy >= 0
    ([1, 4, 9], True)
    """
    items = list(items)
    if n_threads <= 1 or len(items) <= 1 or in_pool_thread():
        timed = [_timed(task, item, clock) for item in items]
    else:
        pool = _pool(n_threads)
        futures = [pool.submit(_timed, task, item, clock) for item in items]
        timed = [future.result() for future in _wait_all(futures)]
    busy = sum(seconds for _, seconds in timed) if clock is not None else None
    return [result for result, _ in timed], busy


def _wait_all(futures):
    """``futures``, once all have ended (no task left running when one raised)."""
    for future in futures:
        future.exception()
    return futures
