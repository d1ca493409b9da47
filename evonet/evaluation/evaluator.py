"""The Evaluator: the one path by which a population is scored.

Strategies, estimators, the DEAP toolbox's ``map`` and the control tasks all
score populations through :class:`Evaluator`. It splits a population into
chunks whose sizes depend only on the problem and the population size, scores
each chunk with single-threaded BLAS, on threads of this process or in
joblib workers (any backend: ``loky``, ``threading``, ``multiprocessing``,
``dask``), and puts the losses back in order. Since neither the chunks nor the
BLAS threads depend on the threads, ``n_jobs`` or the backend, neither does
any result: parallel speed comes from running chunks at once, never from BLAS
threads.

How a chunk is scored is in :mod:`evonet.evaluation.chunks`, how the problem
reaches the workers in :mod:`evonet.evaluation.shipping`, and the parallel
policy (BLAS limits, jobs inside a joblib worker, serial or parallel,
retries) in :mod:`evonet.evaluation.parallel`. Problems (what is scored)
follow the contract of :mod:`evonet.problems.base`.
"""

import contextlib
import time

import joblib
import numpy as np
from joblib import Parallel, delayed, parallel_config

from evonet.checks import check_bool, check_n_jobs
from evonet.evaluation.chunks import _score_chunk, evaluate_chunk, population_chunks
from evonet.evaluation.parallel import (
    REPROBE_EVERY,
    ModeChooser,
    blas_single_thread,
    check_backend,
    collect_with_retry,
    effective_jobs,
    is_dask_backend,
    is_process_backend,
)
from evonet.evaluation.shipping import check_picklable, ship_problem
from evonet.evaluation.threads import (
    available_cores,
    busy_seconds,
    run_in_threads,
    thread_count,
)

__all__ = ["Evaluator"]


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
        Choose between in-process threads and the workers from timings (see
        Notes); ``False`` always uses the workers when ``n_jobs > 1``.

    Notes
    -----
    The data is shipped to the workers once per ``with evaluator:`` block (a
    whole fit), not once per generation or task, when they first score a
    generation (whether it can be shipped is checked on entering the block). For process backends
    (loky, multiprocessing) the problem is written once to a temporary
    folder, its large arrays as ``.npy`` files; a task carries only the
    folder's name, and each worker process reads the problem once (its
    arrays memory-mapped, so workers share their pages) and keeps it for
    the later tasks. For Dask the problem is scattered to every worker once
    (``client.scatter(..., broadcast=True)`` through joblib's ``scatter``).
    The workers persist for the whole block. A problem that cannot be
    pickled for a process backend or Dask raises ``ValueError`` saying what
    to change.

    In this process the chunks of a generation are scored at once on
    threads (:mod:`evonet.evaluation.threads`; how many: ``n_threads`` of
    :func:`evonet.set_config`, by default the cores available), each with
    single-threaded BLAS, so the losses are those of a serial run. Workers
    are started only when they could pay (:class:`~evonet.evaluation.parallel.ModeChooser`):
    the in-process timings say how much CPU a generation needs and so what
    the workers could save at best; they are tried once that is at least
    :data:`~evonet.evaluation.parallel.PROBE_GAIN` of a generation and the
    time not saved so far covers their start-up and shipping (as measured
    in this process); then both paths are timed and the faster is kept,
    and timed again every ``REPROBE_EVERY`` generations. This changes
    speed only: chunks, and so results, are the same either way. A
    generation of one chunk is always scored in-process.

    Inside a joblib worker (an estimator in ``GridSearchCV(n_jobs=2)``, say)
    at most ``cores // 2`` jobs are used, and no more than the share of the
    cores joblib gave the worker (see
    :data:`~evonet.evaluation.parallel.THREAD_LIMIT_VARS`), whatever
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
        ``"serial"`` (in-process, on this process's threads) or ``"parallel"``
        (the workers) once the evaluator has chosen.
    effective_n_jobs : int or None
        Jobs the evaluator uses, once started (``n_jobs`` resolved and kept
        within a nested worker's share).
    n_retried_chunks : int
        Chunks scored again after a worker died (``retry_failed``).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> from evonet.problems import SupervisedProblem
    >>> problem = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0]], [1.0, 3.0])
    >>> evaluator = Evaluator(problem)
    >>> evaluator.evaluate(np.array([[2.0, 1.0], [0.0, 0.0]]))
    array([0., 5.])
    >>> evaluator.n_evaluations, evaluator.effective_n_jobs
    (2, 1)
    """

    REPROBE_EVERY = REPROBE_EVERY
    """Generations between two timings of the serial and the parallel path."""

    def __init__(self, problem, n_jobs=None, backend=None, retry_failed=False, verbose=0,
                 adaptive=True):
        check_n_jobs(n_jobs)
        self.problem = problem
        self.n_jobs = n_jobs
        self.backend = check_backend(backend)
        self.retry_failed = check_bool(retry_failed, "retry_failed")
        self.verbose = verbose
        self.adaptive = bool(adaptive)
        self.n_evaluations = 0
        self.effective_n_jobs = None
        self.n_retried_chunks = 0
        self._parallel = None
        self._stack = None
        self._shipped = None
        self._backend = None
        self._chooser = ModeChooser(verbose)

    @property
    def mode(self):
        """``"serial"`` or ``"parallel"`` once the evaluator has chosen (else ``None``)."""
        return self._chooser.mode

    # -- the workers' lifetime ------------------------------------------------
    def __enter__(self):
        if self._stack is not None:
            return self
        self._stack = contextlib.ExitStack()
        try:
            self.effective_n_jobs = effective_jobs(self.n_jobs, self.backend, self.verbose)
            if self.effective_n_jobs > 1:
                self._choose_backend()
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
        state.update(_parallel=None, _stack=None, _shipped=None, _backend=None)
        return state

    def _close(self):
        stack, self._stack = self._stack, None
        self._parallel = None
        self._shipped = None
        if stack is not None:
            stack.close()

    def _choose_backend(self):
        """Enter the backend for the block, and check now that the problem can go to it.

        The workers themselves start when a generation first goes to them.
        """
        if self.backend is not None:
            self._stack.enter_context(parallel_config(backend=self.backend))
        backend, _ = joblib.parallel.get_active_backend()
        self._backend = backend
        self._chooser.backend = type(backend).__name__
        if is_process_backend(backend):
            check_picklable(self.problem, type(backend).__name__, large_arrays=False)
        elif is_dask_backend(backend):
            check_picklable(self.problem, "Dask backend", large_arrays=False)

    def _open_workers(self):
        backend = self._backend
        self._shipped = ship_problem(self.problem, backend, self._stack)
        # results come back as chunks finish, so those finished before a worker died
        # are kept (retry_failed); multiprocessing's pool can only return a list
        ordered = "generator_unordered" if getattr(backend, "supports_return_generator",
                                                   False) else "list"
        self._parallel = self._stack.enter_context(Parallel(
            n_jobs=self.effective_n_jobs, pre_dispatch="all", return_as=ordered))

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
        if size == 0:   # an empty list or array: nothing to score (a list has no width)
            return np.zeros(0)
        chunker = getattr(self.problem, "population_chunk", None)
        chunk_size = chunker(rows) if chunker is not None else self.problem.chunk_size
        chunks = population_chunks(size, chunk_size)
        if self._stack is None:
            self.__enter__()  # workers stay up until close(), the end of a with block or del
        parts = self._run(population, chunks, rows, generation)
        self.n_evaluations += size
        return np.concatenate(parts) if parts else np.zeros(0)

    def _in_process(self, population, chunks, rows, generation, clock=None):
        """Losses of ``chunks`` on this process's threads, and their busy seconds by ``clock``."""
        def score(c):
            return evaluate_chunk(self.problem, population[c], rows, c.start, generation)

        with blas_single_thread():
            return run_in_threads(score, chunks, thread_count(), clock)

    def _collect(self, population, chunks, rows, generation, losses):
        """Score ``chunks`` in the workers, filling ``losses`` (start -> losses) as they end."""
        tasks = (delayed(_score_chunk)(self._shipped, population[c], rows, c.start, generation)
                 for c in chunks)
        for start, part in self._parallel(tasks):
            losses[start] = part

    def _in_parallel(self, population, chunks, rows, generation):
        losses = {}
        where = f"generation {generation}" if generation is not None else "a population"
        collect_with_retry(lambda todo: self._collect(population, todo, rows, generation, losses),
                           chunks, losses, where,
                           restart=self._restart if self.retry_failed else None)
        return [losses[c.start] for c in chunks]

    def _restart(self, lost):
        """Fresh workers, to score the ``lost`` chunks of a dead one again."""
        self.n_retried_chunks += len(lost)
        self._close()
        self.__enter__()
        self._open_workers()

    def _run(self, population, chunks, rows, generation):
        if self.effective_n_jobs <= 1 or len(chunks) == 1:
            return self._in_process(population, chunks, rows, generation)[0]
        mode = self._choose_mode() if self.adaptive else "parallel"
        start = time.perf_counter()
        cpu = None
        if mode == "parallel":
            if self._parallel is None:
                self._open_workers()   # counted in this generation's time: the start-up
            parts = self._in_parallel(population, chunks, rows, generation)
        else:
            parts, cpu = self._in_process(population, chunks, rows, generation, busy_seconds)
        self._chooser.record(mode, time.perf_counter() - start, cpu, len(chunks))
        return parts

    def _choose_mode(self):
        """In-process or workers for the next multi-chunk call (see :class:`ModeChooser`)."""
        capacity = self.effective_n_jobs
        if not is_dask_backend(self._backend):
            capacity = min(capacity, available_cores())
        return self._chooser.choose(self.effective_n_jobs, self.REPROBE_EVERY, capacity)
