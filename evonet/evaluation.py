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
supervised learning, :mod:`evonet.nn.graph_problem` for NEAT graphs and
:mod:`evonet.control` for control tasks.
"""

import contextlib
import math
import numbers
import os
import pickle
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

from evonet.problems import CHUNK_WORK, SupervisedProblem, _check_targets  # noqa: F401

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


_WORKER_PROBLEMS = {}  # token -> problem, in each worker process (a few recent ones)


def _cached_problem(token, problem):
    """The problem a worker already holds for ``token`` (else ``problem``, kept)."""
    cached = _WORKER_PROBLEMS.get(token)
    if cached is None:
        while len(_WORKER_PROBLEMS) >= 4:
            _WORKER_PROBLEMS.pop(next(iter(_WORKER_PROBLEMS)))
        cached = _WORKER_PROBLEMS[token] = problem
    return cached


class _Shipped:
    """A problem sent to process workers: each worker keeps the first copy it gets.

    Later tasks of the same evaluator find that copy (and whatever it built
    lazily, such as a pool of simulator environments) instead of a fresh one.
    """

    def __init__(self, token, problem):
        self.token = token
        self.problem = problem

    def __reduce__(self):
        return (_cached_problem, (self.token, self.problem))


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


def _inner_job_limit():
    """Most workers a nested evaluation may use inside a joblib worker, or None.

    joblib runs a task of its workers under a nested backend, and gives each
    process worker ``OMP_NUM_THREADS`` = cores // outer jobs. An evaluation
    running there keeps its own jobs within that share (one job in a thread
    worker), so an estimator with ``n_jobs=2`` inside ``GridSearchCV(n_jobs=2)``
    never puts cores x cores busy threads on the machine.
    """
    backend, _ = joblib.parallel.get_active_backend()
    if getattr(backend, "nesting_level", 0) == 0:
        return None
    try:
        return max(1, int(os.environ.get("OMP_NUM_THREADS", "1")))
    except ValueError:
        return 1


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
        the share of cores joblib gave that worker.
    backend : str, default=None
        A joblib backend (``"loky"``, ``"threading"``, ``"multiprocessing"``,
        ``"dask"``); ``None`` uses the active ``joblib.parallel_config``, loky
        by default.
    retry_failed : bool, default=False
        When a worker process dies while scoring a generation, start fresh
        workers and score that generation again (once) instead of raising.
    verbose : int, default=0
        At 1 or more, say when small generations are scored in-process.
    adaptive : bool, default=True
        Choose between in-process and parallel scoring from timings (see
        Notes); ``False`` always uses the workers when ``n_jobs > 1``.

    Notes
    -----
    The data is shipped to the workers once per ``with evaluator:`` block (a
    whole fit), not once per generation: for process backends the problem's
    arrays are written once to a memory-mapped file that workers map; for
    Dask the problem is scattered to every worker once. The workers persist
    for the whole block.

    Generations too small to gain from workers are scored in-process: the
    evaluator times the first generations both ways (after the workers'
    start-up) and keeps the faster, and checks again every
    ``REPROBE_EVERY`` generations. This changes speed only: chunks, and so
    results, are the same either way.

    A worker that dies gives a ``RuntimeError`` naming the generation (or a
    re-run with ``retry_failed``); a fitness that raises propagates its own
    exception, with the failing individual's index added.

    Attributes
    ----------
    n_evaluations : int
        Number of networks scored so far.
    mode : str or None
        ``"serial"`` or ``"parallel"`` once the evaluator has chosen.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> problem = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0]], [1.0, 3.0])
    >>> evaluator = Evaluator(problem)
    >>> evaluator.evaluate(np.array([[2.0, 1.0], [0.0, 0.0]]))
    array([0., 5.])
    >>> evaluator.n_evaluations
    2
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
        self.retry_failed = bool(retry_failed)
        self.verbose = verbose
        self.adaptive = bool(adaptive)
        self.n_evaluations = 0
        self.mode = None
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
        return min(n_jobs, limit) if limit is not None else n_jobs

    def __enter__(self):
        if self._stack is not None:
            return self
        self._stack = contextlib.ExitStack()
        self._jobs = self._effective_jobs()
        if self._jobs > 1:
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
            shipped = _Shipped(uuid.uuid4().hex, self._memory_map(stack, backend))
        elif _is_dask_backend(backend):
            # scattered once to every worker; tasks then refer to it by key
            stack.enter_context(parallel_config(backend="dask", scatter=[shipped]))
        self._shipped = shipped
        self._parallel = stack.enter_context(Parallel(n_jobs=self._jobs, pre_dispatch="all"))

    def _memory_map(self, stack, backend):
        """The problem with its arrays in a memory-mapped file, shipped by reference."""
        if type(backend).__name__ == "MultiprocessingBackend":
            dumps = pickle.dumps
        else:  # loky pickles functions defined in __main__ by value
            try:
                from cloudpickle import dumps
            except ImportError:  # joblib < 1.5 vendors it
                from joblib.externals.cloudpickle import dumps
        try:
            payload = dumps(self.problem, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            raise ValueError(
                f"the problem cannot be pickled for the {type(backend).__name__} ({exc}); "
                f"define its fitness function and classes at module level, or use "
                f"backend='threading'."
            ) from None
        if len(payload) < 1_000_000:
            return self.problem  # small: pickling it per task is cheaper than a file
        folder = tempfile.mkdtemp(prefix="evonet-")
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        path = os.path.join(folder, "problem.joblib")
        try:
            joblib.dump(self.problem, path)
        except Exception:
            return self.problem  # only cloudpickle can ship it: by value, per task
        return joblib.load(path, mmap_mode="r")

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

    def _in_parallel(self, population, chunks, rows, generation):
        tasks = (delayed(_evaluate_chunk)(self._shipped, population[c], rows, c.start,
                                          generation) for c in chunks)
        try:
            return self._parallel(tasks)
        except Exception as exc:
            if type(exc).__name__ != "TerminatedWorkerError":
                raise
            where = f"generation {generation}" if generation is not None else "a population"
            if not self.retry_failed:
                raise RuntimeError(
                    f"a worker process died while scoring {where} ({exc}); the run so far "
                    f"is kept. Pass retry_failed=True to score it again on fresh workers."
                ) from exc
            # fresh workers, same chunks: the re-run gives the same losses
            self._close()
            self.__enter__()
            return self._parallel(
                delayed(_evaluate_chunk)(self._shipped, population[c], rows, c.start,
                                         generation) for c in chunks)

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
                how = f"with {self._jobs} workers" if chosen == "parallel" else "in-process"
                print(f"evonet: scoring generations {how}: one took {1e3 * serial:.1f} ms "
                      f"in-process and {1e3 * parallel:.1f} ms with {self._jobs} workers",
                      file=sys.stderr)
            self.mode = chosen
        return self.mode
