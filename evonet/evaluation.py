"""The Evaluator: the one path by which a population is scored.

Strategies, estimators, the DEAP toolbox's ``map`` and the control tasks all
score populations through :class:`Evaluator`. It splits a population into
chunks whose sizes depend only on the problem and the population size, scores
each chunk with single-threaded BLAS, serially or in joblib workers (any
backend: ``loky``, ``threading``, ``multiprocessing``, ``dask``), and puts the
losses back in order. Since neither the chunks nor the BLAS threads depend on
``n_jobs`` or the backend, neither does any result: parallel speed comes from
running chunks at once, never from BLAS threads.

Problems (what is scored) live with their data: :mod:`evonet.problems` for
supervised learning, :mod:`evonet.problems.graph` for NEAT graphs and
:mod:`evonet.control` for control tasks.
"""

import contextlib
import math
import numbers
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid

import joblib
import numpy as np
from joblib import Parallel, delayed, parallel_config
from threadpoolctl import ThreadpoolController

from evonet._shipping import Scattered, Shipped, check_picklable, write_problem
from evonet.problems.supervised import CHUNK_WORK, SupervisedProblem  # noqa: F401

__all__ = ["POPULATION_CHUNK", "Evaluator", "SupervisedProblem", "blas_single_thread",
           "population_chunks"]

POPULATION_CHUNK = 32
"""Default largest number of networks evaluated together in one chunk."""

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


def population_chunks(n, chunk_size=POPULATION_CHUNK):
    """Split ``range(n)`` into ``ceil(n / chunk_size)`` near-equal slices.

    The split depends only on ``n`` and ``chunk_size``, never on the number of
    workers, so results computed chunk by chunk are reproducible.

    Examples
    --------
    >>> population_chunks(100, 32)
    [slice(0, 25, None), slice(25, 50, None), slice(50, 75, None), slice(75, 100, None)]
    """
    n_chunks = max(1, math.ceil(n / chunk_size))
    bounds = [n * i // n_chunks for i in range(n_chunks + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def _annotate(exc, note):
    """Add ``note`` to an exception, keeping its type (Python 3.10: into its message)."""
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    elif exc.args and isinstance(exc.args[0], str):
        exc.args = (f"{exc.args[0]} ({note})",) + exc.args[1:]
    return exc


def _evaluate_chunk(problem, chunk, rows, start, generation):
    """Score one chunk in a worker (or in-process) with single-threaded BLAS.

    A fitness that raises is re-run one individual at a time to find the
    culprit, and its exception propagates with the individual's index added.
    """
    with blas_single_thread():
        try:
            return problem.evaluate(chunk, rows)
        except Exception as exc:
            where = f" of generation {generation}" if generation is not None else ""
            for i in range(len(chunk)):
                try:
                    problem.evaluate(chunk[i:i + 1], rows)
                except Exception:
                    raise _annotate(exc, f"evonet: raised while scoring individual "
                                         f"{start + i}{where}") from None
            raise


def _score_chunk(problem, chunk, rows, start, generation):
    """A worker's task: ``(start, losses)`` of one chunk (results may come back in any order)."""
    if isinstance(problem, (Shipped, Scattered)):
        problem = problem.problem
    return start, _evaluate_chunk(problem, chunk, rows, start, generation)


def _is_process_backend(backend):
    name = type(backend).__name__
    return name in ("LokyBackend", "MultiprocessingBackend")


def _is_dask_backend(backend):
    return type(backend).__name__ == "DaskDistributedBackend"


def _check_backend(backend):
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


def _inner_job_limit():
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
    """
    backend, _ = joblib.parallel.get_active_backend()
    if not getattr(backend, "nesting_level", 0) or _is_dask_backend(backend):
        return None
    limit = joblib.cpu_count() // 2
    for name in THREAD_LIMIT_VARS:
        try:
            limit = min(limit, int(os.environ[name]))
        except (KeyError, ValueError):
            pass
    return max(1, limit)


class Evaluator:
    """Score populations of a problem in fixed chunks, serially or with joblib.

    Parameters
    ----------
    problem : object
        Has ``evaluate(population, rows=None)`` returning losses, and either a
        ``population_chunk(rows)`` method or a ``chunk_size`` attribute giving
        the largest population chunk.
    n_jobs : int, default=None
        scikit-learn's meaning: ``None`` is 1 unless inside a
        ``joblib.parallel_config(n_jobs=...)``; ``-1`` uses all cores. Inside a
        joblib worker (a grid search's, say) the number of jobs is kept within
        that worker's share of the cores (see Notes).
    backend : str, default=None
        A joblib backend (``"loky"``, ``"threading"``, ``"multiprocessing"``,
        ``"dask"``); ``None`` uses the active ``joblib.parallel_config``, loky
        by default.
    retry_failed : bool, default=False
        When a worker process dies while scoring a generation, start fresh
        workers and score again (once) the chunks of that generation whose
        losses were lost, instead of raising. The losses are the same as
        without the failure.
    verbose : int, default=0
        At 1 or more, say when small generations are scored in-process, and
        when a nested evaluation uses fewer jobs than asked.
    adaptive : bool, default=True
        Choose between in-process and parallel scoring from timings (see
        Notes); ``False`` always uses the workers when ``n_jobs > 1``.

    Notes
    -----
    The data is shipped to the workers once per ``with evaluator:`` block (a
    whole fit), not once per generation or task. For process backends
    (loky, multiprocessing) the problem is written once to a temporary
    folder, its large arrays as ``.npy`` files; a task carries only the
    folder's name, and each worker process reads the problem once (its
    arrays memory-mapped, so workers share their pages) and keeps it for
    the later tasks. For Dask the problem is scattered to every worker once
    (``client.scatter(..., broadcast=True)`` through joblib's ``scatter``).
    The workers persist for the whole block. A problem that cannot be
    pickled for a process backend or Dask raises ``ValueError`` saying what
    to change.

    Generations too small to gain from workers are scored in-process: the
    evaluator times the first generations of several chunks both ways (after
    the workers' start-up) and keeps the faster, and checks again every
    ``REPROBE_EVERY`` such generations. This changes speed only: chunks, and
    so results, are the same either way. A generation of one chunk is
    always scored in-process.

    Inside a joblib worker (an estimator in ``GridSearchCV(n_jobs=2)``, say)
    at most ``cores // 2`` jobs are used, and no more than the share of the
    cores joblib gave the worker (see :data:`THREAD_LIMIT_VARS`), whatever
    ``OMP_NUM_THREADS`` says: no cores x cores busy workers.

    A worker that dies gives a ``RuntimeError`` naming the generation (or,
    with ``retry_failed``, a re-run of the lost chunks); a fitness that
    raises propagates its own exception, with the failing individual's
    index added.

    Attributes
    ----------
    n_evaluations : int
        Number of networks scored so far.
    mode : str or None
        ``"serial"`` or ``"parallel"`` once the evaluator has chosen.
    effective_n_jobs : int or None
        Jobs the evaluator uses, once started (``n_jobs`` resolved and kept
        within a nested worker's share).
    n_retried_chunks : int
        Chunks scored again after a worker died (``retry_failed``).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> problem = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0]], [1.0, 3.0])
    >>> evaluator = Evaluator(problem)
    >>> evaluator.evaluate(np.array([[2.0, 1.0], [0.0, 0.0]]))
    array([0., 5.])
    >>> evaluator.n_evaluations, evaluator.effective_n_jobs
    (2, 1)
    """

    REPROBE_EVERY = 200
    """Generations between two timings of the serial and the parallel path."""

    def __init__(self, problem, n_jobs=None, backend=None, retry_failed=False, verbose=0,
                 adaptive=True):
        if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(
                n_jobs, numbers.Integral) or n_jobs == 0):
            raise ValueError(f"n_jobs must be a non-zero integer or None, got {n_jobs!r}.")
        self.problem = problem
        self.n_jobs = n_jobs
        self.backend = _check_backend(backend)
        if not isinstance(retry_failed, (bool, np.bool_)):
            raise ValueError(f"retry_failed must be True or False, got {retry_failed!r}.")
        self.retry_failed = bool(retry_failed)
        self.verbose = verbose
        self.adaptive = bool(adaptive)
        self.n_evaluations = 0
        self.mode = None
        self.effective_n_jobs = None
        self.n_retried_chunks = 0
        self._parallel = None
        self._stack = None
        self._shipped = None
        self._timings = {"serial": [], "parallel": []}
        self._calls = 0

    # -- the workers' lifetime ------------------------------------------------
    def _effective_jobs(self):
        with parallel_config(backend=self.backend) if self.backend else contextlib.nullcontext():
            n_jobs = joblib.effective_n_jobs(self.n_jobs)
        limit = _inner_job_limit()
        if limit is None or n_jobs <= limit:
            return n_jobs
        if self.verbose:
            print(f"evonet: inside a joblib worker: scoring with {limit} job"
                  f"{'s' if limit > 1 else ''} instead of {n_jobs} (this worker's share of "
                  f"the {joblib.cpu_count()} cores)", file=sys.stderr)
        return limit

    def __enter__(self):
        if self._stack is not None:
            return self
        self._stack = contextlib.ExitStack()
        self.effective_n_jobs = self._effective_jobs()
        if self.effective_n_jobs > 1:
            try:
                self._open_workers()
            except BaseException:
                self._close()
                raise
        return self

    def __exit__(self, *exc):
        self._close()
        return False

    def __del__(self):
        try:
            self._close()
        except Exception:
            pass

    def close(self):
        """Stop the workers and remove shipped data (a ``with`` block does it on exit)."""
        self._close()

    def __getstate__(self):
        state = self.__dict__.copy()
        state.update(_parallel=None, _stack=None, _shipped=None)
        return state

    def _close(self):
        stack, self._stack = self._stack, None
        self._parallel = None
        self._shipped = None
        if stack is not None:
            stack.close()

    def _open_workers(self):
        stack = self._stack
        if self.backend is not None:
            stack.enter_context(parallel_config(backend=self.backend))
        backend, _ = joblib.parallel.get_active_backend()
        shipped = self.problem
        if _is_process_backend(backend):
            shipped = self._write_once(stack, type(backend).__name__)
        elif _is_dask_backend(backend):
            # scattered once to every worker; tasks then refer to it by key
            shipped = Scattered(uuid.uuid4().hex, self.problem)
            try:
                stack.enter_context(parallel_config(backend="dask", scatter=[shipped]))
            except Exception:
                check_picklable(self.problem, "Dask backend")
                raise
        self._shipped = shipped
        # results come back as chunks finish, so those finished before a worker died
        # are kept (retry_failed); multiprocessing's pool can only return a list
        ordered = "generator_unordered" if getattr(backend, "supports_return_generator",
                                                   False) else "list"
        self._parallel = stack.enter_context(Parallel(
            n_jobs=self.effective_n_jobs, pre_dispatch="all", return_as=ordered))

    def _write_once(self, stack, where):
        """The problem written to a temporary folder, shipped to workers by its name."""
        folder = tempfile.mkdtemp(prefix="evonet-", dir=os.environ.get("JOBLIB_TEMP_FOLDER"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        try:
            write_problem(self.problem, folder)
        except Exception:
            check_picklable(self.problem, where)  # says what to change
            raise  # it pickles, so the folder is the trouble (a full disk...)
        return Shipped(uuid.uuid4().hex, folder, self.problem)

    # -- scoring ----------------------------------------------------------------
    def evaluate(self, population, rows=None, generation=None):
        """Losses of every row of ``population``, in order.

        Parameters
        ----------
        population : ndarray of shape (P, n_params), or a list of genomes
            Arrays for weight problems; a list for problems whose individuals
            are objects (topology genomes).
        rows : object, default=None
            What this generation is scored on, from the problem's sampler: row
            indices of a minibatch for supervised problems; ``None`` for the
            full data.
        generation : int, default=None
            The generation being scored, named in error messages.

        Returns
        -------
        ndarray of shape (P,)
        """
        if isinstance(population, np.ndarray) or not hasattr(population, "__len__"):
            population = np.asarray(population, dtype=np.float64)
            if population.ndim != 2:
                raise ValueError(f"population must be 2-D (P, n_params), got shape "
                                 f"{population.shape}.")
        size = len(population)
        chunker = getattr(self.problem, "population_chunk", None)
        chunk_size = chunker(rows) if chunker is not None else self.problem.chunk_size
        chunks = population_chunks(size, chunk_size)
        if self._stack is None:
            self.__enter__()  # workers stay up until close(), the end of a with block or del
        parts = self._run(population, chunks, rows, generation)
        self.n_evaluations += size
        return np.concatenate(parts) if parts else np.zeros(0)

    def _serial(self, population, chunks, rows, generation):
        return [_evaluate_chunk(self.problem, population[c], rows, c.start, generation)
                for c in chunks]

    def _collect(self, population, chunks, rows, generation, losses):
        """Score ``chunks`` in the workers, filling ``losses`` (start -> losses) as they end."""
        tasks = (delayed(_score_chunk)(self._shipped, population[c], rows, c.start, generation)
                 for c in chunks)
        for start, part in self._parallel(tasks):
            losses[start] = part

    def _in_parallel(self, population, chunks, rows, generation):
        losses = {}
        try:
            self._collect(population, chunks, rows, generation, losses)
        except Exception as exc:
            if type(exc).__name__ != "TerminatedWorkerError":
                raise
            where = f"generation {generation}" if generation is not None else "a population"
            if not self.retry_failed:
                raise RuntimeError(
                    f"a worker process died while scoring {where} ({exc}); the run so far "
                    f"is kept. Pass retry_failed=True to score it again on fresh workers."
                ) from exc
            # fresh workers score the chunks whose losses were lost: the same losses
            lost = [c for c in chunks if c.start not in losses]
            self.n_retried_chunks += len(lost)
            self._close()
            self.__enter__()
            try:
                self._collect(population, lost, rows, generation, losses)
            except Exception as again:
                if type(again).__name__ != "TerminatedWorkerError":
                    raise
                raise RuntimeError(f"a worker process died again while scoring {where} on "
                                   f"fresh workers ({again}).") from again
        return [losses[c.start] for c in chunks]

    def _run(self, population, chunks, rows, generation):
        if self._parallel is None or len(chunks) == 1:
            return self._serial(population, chunks, rows, generation)
        mode = self._choose_mode() if self.adaptive else "parallel"
        start = time.perf_counter()
        if mode == "parallel":
            parts = self._in_parallel(population, chunks, rows, generation)
        else:
            parts = self._serial(population, chunks, rows, generation)
        self._timings[mode].append(time.perf_counter() - start)
        self._calls += 1
        return parts

    def _choose_mode(self):
        """Serial or parallel for the next multi-chunk call, from measured timings.

        Calls alternate serial, parallel, serial, parallel (the first parallel
        one pays the workers' start-up and is not counted); then the faster
        path is kept, and both are timed again every ``REPROBE_EVERY`` calls.
        """
        phase = self._calls % self.REPROBE_EVERY
        if phase == 0:
            self._timings = {"serial": [], "parallel": []}
        if phase < 4:
            return "serial" if phase % 2 == 0 else "parallel"
        if phase == 4:
            serial = min(self._timings["serial"])
            parallel = self._timings["parallel"][-1]
            chosen = "parallel" if parallel < 0.95 * serial else "serial"
            if chosen != self.mode and self.verbose:
                how = f"with {self.effective_n_jobs} workers" if chosen == "parallel" \
                    else "in-process"
                print(f"evonet: scoring generations {how}: one took {1e3 * serial:.1f} ms "
                      f"in-process and {1e3 * parallel:.1f} ms with {self.effective_n_jobs} "
                      f"workers", file=sys.stderr)
            self.mode = chosen
        return self.mode
