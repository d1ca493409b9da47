"""The parallel policy: BLAS limits, jobs inside joblib workers, serial or parallel, retries.

Nothing here changes a result, only where and how fast chunks are scored:
BLAS is held to one thread while fitness runs (:func:`blas_single_thread`),
an evaluation inside a joblib worker keeps to that worker's share of the
cores (:func:`effective_jobs`), small generations are scored in-process when
timings say that is faster (:class:`ModeChooser`), and the chunks a dead
worker took with it can be scored again on fresh workers
(:func:`collect_with_retry`).
"""

import contextlib
import os
import sys
import threading

import joblib
from joblib import parallel_config
from threadpoolctl import ThreadpoolController

__all__ = ["REPROBE_EVERY", "THREAD_LIMIT_VARS", "ModeChooser", "blas_single_thread",
           "check_backend", "collect_with_retry", "effective_jobs", "inner_job_limit",
           "is_dask_backend", "is_process_backend"]

_THREADPOOLS = None
_LIMITER = None
_LIMIT_DEPTH = 0  # open blas_single_thread() contexts in this process, any thread
_LIMIT_LOCK = threading.Lock()


@contextlib.contextmanager
def blas_single_thread():
    """Context manager limiting BLAS to one thread in this process.

    BLAS thread counts are process-wide, so the limit is set when the first
    context opens (in any thread) and restored when the last one closes:
    nested uses, such as a run loop that already holds it evaluating a
    chunk, cost nothing. The controller is built once per process.

    Examples
    --------
    >>> with blas_single_thread():
    ...     pass
    """
    global _THREADPOOLS, _LIMITER, _LIMIT_DEPTH
    with _LIMIT_LOCK:
        if _LIMIT_DEPTH == 0:
            if _THREADPOOLS is None:
                _THREADPOOLS = ThreadpoolController()
            _LIMITER = _THREADPOOLS.limit(limits=1, user_api="blas")
        _LIMIT_DEPTH += 1
    try:
        yield
    finally:
        with _LIMIT_LOCK:
            _LIMIT_DEPTH -= 1
            if _LIMIT_DEPTH == 0:
                _LIMITER.restore_original_limits()
                _LIMITER = None


def is_process_backend(backend):
    """Whether a joblib backend runs tasks in local worker processes (loky, multiprocessing).

    Examples
    --------
    >>> from joblib.parallel import ThreadingBackend
    >>> is_process_backend(ThreadingBackend())
    False
    """
    name = type(backend).__name__
    return name in ("LokyBackend", "MultiprocessingBackend")


def is_dask_backend(backend):
    """Whether a joblib backend sends tasks to a Dask cluster.

    Examples
    --------
    >>> from joblib.parallel import ThreadingBackend
    >>> is_dask_backend(ThreadingBackend())
    False
    """
    return type(backend).__name__ == "DaskDistributedBackend"


def check_backend(backend):
    """``backend`` if it names a joblib backend (or is ``None``); else ``ValueError``.

    Examples
    --------
    >>> check_backend("threading")
    'threading'
    """
    if backend is None:
        return None
    known = set(joblib.parallel.BACKENDS) | set(joblib.parallel.EXTERNAL_BACKENDS)
    if not isinstance(backend, str) or backend not in known:
        raise ValueError(f"backend={backend!r} is not a joblib backend; choose one of "
                         f"{sorted(known)} (or None for joblib's default).")
    return backend


THREAD_LIMIT_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS",
                     "NUMEXPR_NUM_THREADS")
"""The variables in which joblib tells its process workers their share of the cores."""


def inner_job_limit():
    """Most jobs an evaluation may use here: ``None`` unless inside a joblib worker.

    A task of a joblib worker runs under a nested backend (``nesting_level``
    >= 1), which only happens when the outer ``Parallel`` runs at least two
    workers (a single job runs in-process, not nested). Such an evaluation
    keeps to at most ``cores // 2`` jobs, whatever the environment says, and
    to less when joblib gave the worker a smaller share: joblib sets each of
    :data:`THREAD_LIMIT_VARS` in a process worker to ``cores // outer jobs``
    (or to ``inner_max_num_threads``) unless the parent had set it, so the
    smallest of them bounds the share. So an estimator with ``n_jobs=-1``
    inside ``GridSearchCV(n_jobs=2)`` never starts cores x cores busy workers,
    even with ``OMP_NUM_THREADS`` set high. A Dask worker's nested calls go
    back to the cluster's scheduler, which has its own limits.

    Examples
    --------
    >>> inner_job_limit() is None   # not inside a joblib worker
    True
    """
    backend, _ = joblib.parallel.get_active_backend()
    if not getattr(backend, "nesting_level", 0) or is_dask_backend(backend):
        return None
    limit = joblib.cpu_count() // 2
    for name in THREAD_LIMIT_VARS:
        try:
            limit = min(limit, int(os.environ[name]))
        except (KeyError, ValueError):
            pass
    return max(1, limit)


def effective_jobs(n_jobs, backend=None, verbose=0):
    """Jobs an evaluation uses: ``n_jobs`` resolved by joblib, within :func:`inner_job_limit`.

    With ``verbose``, says so on stderr when a nested evaluation gets fewer
    jobs than asked.

    Examples
    --------
    >>> effective_jobs(None)
    1
    """
    with parallel_config(backend=backend) if backend else contextlib.nullcontext():
        n_jobs = joblib.effective_n_jobs(n_jobs)
    limit = inner_job_limit()
    if limit is None or n_jobs <= limit:
        return n_jobs
    if verbose:
        print(f"evonet: inside a joblib worker: scoring with {limit} job"
              f"{'s' if limit > 1 else ''} instead of {n_jobs} (this worker's share of "
              f"the {joblib.cpu_count()} cores)", file=sys.stderr)
    return limit


REPROBE_EVERY = 200
"""Generations between two timings of the in-process and the worker path."""

PROBE_GAIN = 0.10
"""Least share of a generation's time that workers could save for them to be tried."""

STARTUP_GUESS = 1.0
"""Seconds assumed for the workers' start-up and shipping until one has been measured."""

_STARTUP = {}  # backend name -> the last start-up measured in this process, in seconds


class ModeChooser:
    """In-process threads or workers, for each multi-chunk generation, from measured timings.

    Generations are scored in-process (on this process's threads) until the
    workers could pay: the in-process timings give the time a generation's
    chunks were busy (on a CPU or waiting for one, not for the GIL:
    :func:`~evonet.evaluation.threads.busy_seconds`), so what ``capacity``
    workers could save at best is known before any is started. They are
    tried once that saving is at least :data:`PROBE_GAIN` of a generation's
    time and the time it has already
    failed to save is at least what the workers' start-up and shipping cost
    (the last measured in this process, else :data:`STARTUP_GUESS`); so a
    fit whose threads use the cores well never starts workers. Once tried,
    calls alternate in-process, workers, in-process, workers (the first
    workers' call pays the start-up: measured, not counted), then the faster
    path is kept (workers only when at least 5% faster), and both are timed
    again every ``reprobe_every`` calls. This changes speed only: the chunks,
    and so the results, are the same either way.

    Parameters
    ----------
    verbose : int, default=0
        At 1 or more, say on stderr which path is kept when it changes.
    backend : str, default=""
        The workers' backend, whose measured start-up is kept for later fits.

    Attributes
    ----------
    mode : str or None
        ``"serial"`` (in-process, on this process's threads) or
        ``"parallel"`` (the workers) once chosen.

    Examples
    --------
    >>> chooser = ModeChooser()
    >>> chooser.record(chooser.choose(n_jobs=2), 1.0, cpu=1.0, n_chunks=4)  # one thread
    >>> chooser.choose(n_jobs=2)   # 2 workers could save 0.5 s: less than a start-up
    'serial'
    >>> chooser.record("serial", 1.0, cpu=1.0, n_chunks=4)
    >>> chooser.choose(n_jobs=2)   # 1 s not saved: the workers are worth trying
    'parallel'
    """

    def __init__(self, verbose=0, backend=""):
        self.verbose = verbose
        self.backend = backend
        self.mode = None
        self.timings = {"serial": [], "parallel": []}
        self.calls = 0
        self.capacity = None
        self.in_process = []   # (seconds, busy seconds, chunks) of recent in-process calls
        self.foregone = 0.0    # seconds workers could have saved before they were tried
        self._waiting = False

    def worth_probing(self):
        """Whether the workers may pay: a large saving, already worth their start-up."""
        gains = [max(0.0, wall - cpu / min(self.capacity, k)) / wall
                 for wall, cpu, k in self.in_process[-5:] if wall > 0]
        if not gains or sorted(gains)[len(gains) // 2] < PROBE_GAIN:
            return False
        return self.foregone >= _STARTUP.get(self.backend, STARTUP_GUESS)

    def choose(self, n_jobs, reprobe_every=REPROBE_EVERY, capacity=None):
        """The path of the next multi-chunk call.

        ``n_jobs``: the workers (for messages); ``capacity``: the cores they
        could use at once (``n_jobs`` by default).
        """
        self.capacity = max(1, capacity or n_jobs)
        phase = self.calls % reprobe_every
        if phase == 0:
            self.timings = {"serial": [], "parallel": []}
        # until the workers are first tried, wait in phase 1 for them to be worth it
        self._waiting = phase == 1 and self.mode is None and not self.worth_probing()
        if self._waiting or phase < 4:
            return "serial" if self._waiting or phase % 2 == 0 else "parallel"
        if phase == 4:
            self._decide(n_jobs)
        return self.mode

    def _decide(self, n_jobs):
        serial = min(self.timings["serial"])
        parallel = self.timings["parallel"][-1]
        if self.mode is None:   # the workers' first call: their start-up and shipping
            _STARTUP[self.backend] = max(0.0, self.timings["parallel"][0] - parallel)
        chosen = "parallel" if parallel < 0.95 * serial else "serial"
        if chosen != self.mode and self.verbose:
            how = f"with {n_jobs} workers" if chosen == "parallel" else "in-process"
            print(f"evonet: scoring generations {how}: one took {1e3 * serial:.1f} ms "
                  f"in-process and {1e3 * parallel:.1f} ms with {n_jobs} "
                  f"workers", file=sys.stderr)
        self.mode = chosen

    def record(self, mode, seconds, cpu=None, n_chunks=None):
        """Count a call made on ``mode`` that took ``seconds`` (in-process: its chunks,
        ``n_chunks`` of them, were busy ``cpu`` seconds together)."""
        if mode == "serial" and cpu is not None:
            self.in_process = (self.in_process + [(seconds, cpu, n_chunks or 1)])[-5:]
            if self.mode is None and self.capacity:
                self.foregone += max(0.0, seconds - cpu / min(self.capacity, n_chunks or 1))
        self.timings[mode] = (self.timings[mode] + [seconds])[-4:]
        if not self._waiting:
            self.calls += 1


def _worker_died(exc):
    return type(exc).__name__ == "TerminatedWorkerError"


def collect_with_retry(collect, chunks, done, where, restart=None):
    """``collect(chunks)``; if a worker process dies, score the lost chunks again once.

    Parameters
    ----------
    collect : callable
        ``collect(chunks)`` scores chunks in the workers, filling ``done``
        (chunk start -> losses) as each ends.
    chunks : list of slice
    done : dict
        The losses collected so far, by chunk start.
    where : str
        What is being scored ("generation 7"), for the error message.
    restart : callable, default=None
        ``restart(lost)`` starts fresh workers for the ``lost`` chunks;
        ``None`` (no retries) raises ``RuntimeError`` when a worker dies.

    Raises
    ------
    RuntimeError
        When a worker dies and there is no ``restart``, or a worker dies
        again on the fresh workers. Other exceptions propagate unchanged.

    Examples
    --------
    >>> done = {}
    >>> collect_with_retry(lambda chunks: done.update({c.start: c.stop for c in chunks}),
    ...                    [slice(0, 2), slice(2, 4)], done, "a population")
    >>> done
    {0: 2, 2: 4}
    """
    try:
        collect(chunks)
    except Exception as exc:
        if not _worker_died(exc):
            raise
        if restart is None:
            raise RuntimeError(
                f"a worker process died while scoring {where} ({exc}); the run so far "
                f"is kept. Pass retry_failed=True to score it again on fresh workers."
            ) from exc
        # fresh workers score the chunks whose losses were lost: the same losses
        lost = [c for c in chunks if c.start not in done]
        restart(lost)
        try:
            collect(lost)
        except Exception as again:
            if not _worker_died(again):
                raise
            raise RuntimeError(f"a worker process died again while scoring {where} on "
                               f"fresh workers ({again}).") from again
