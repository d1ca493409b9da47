"""Shipping a problem to the workers once per fit.

For process backends, :func:`ship_problem` writes the problem to a temporary
folder once (:func:`write_problem`: large arrays as ``.npy`` files that
workers memory-map, the rest by cloudpickle, which also ships functions and
classes defined in ``__main__`` or a notebook); each task then pickles to the
folder's name only (:class:`Shipped`), and each worker process loads the
problem on its first task and keeps it (:func:`load_problem`). For a Dask
cluster the problem is scattered instead, named by a fresh token
(:class:`Scattered`).
"""

import os
import pickle
import shutil
import tempfile
import threading
import uuid

import numpy as np
from joblib import parallel_config

from evonet.evaluation.parallel import is_dask_backend, is_process_backend

__all__ = ["SHIP_INLINE_BYTES", "Scattered", "Shipped", "check_picklable", "load_problem",
           "ship_problem", "write_problem"]

SHIP_INLINE_BYTES = 1 << 16
"""Arrays of a shipped problem at least this large are memory-mapped from their own file."""

_WORKER_PROBLEMS = {}  # token -> (problem, folder), in each worker process (a few recent ones)
_WORKER_LOCK = threading.Lock()


def _pickler_class():
    try:
        from cloudpickle import Pickler
    except ImportError:  # joblib < 1.5 vendors it
        from joblib.externals.cloudpickle import Pickler
    return Pickler


class _Discard:
    """A file that forgets what is written to it (to check that an object pickles)."""

    def write(self, data):
        return len(data)


def check_picklable(problem, where, large_arrays=True):
    """Raise ``ValueError`` saying what to change if ``problem`` cannot go to ``where``.

    With ``large_arrays=False`` the plain NumPy arrays of at least
    :data:`SHIP_INLINE_BYTES` are taken as they are (they always pickle), so
    the check costs little whatever the size of the data.
    """
    class Checker(_pickler_class()):
        def persistent_id(self, obj):
            if not large_arrays and type(obj) in (np.ndarray, np.memmap) \
                    and not obj.dtype.hasobject and obj.nbytes >= SHIP_INLINE_BYTES:
                return id(obj)
            return None

    try:
        Checker(_Discard(), protocol=pickle.HIGHEST_PROTOCOL).dump(problem)
    except Exception as exc:
        raise ValueError(
            f"the problem cannot be pickled for the {where} ({type(exc).__name__}: {exc}); "
            f"define its fitness function and classes at module level, or use "
            f"backend='threading'."
        ) from None


def write_problem(problem, folder):
    """Pickle ``problem`` into ``folder``: large arrays as ``.npy`` files, the rest by cloudpickle.

    cloudpickle ships functions and classes defined in ``__main__`` or in a
    notebook by value, which a worker process could not import.
    """
    saved = {}

    class ProblemPickler(_pickler_class()):
        def persistent_id(self, obj):
            if type(obj) not in (np.ndarray, np.memmap) or obj.dtype.hasobject \
                    or obj.nbytes < SHIP_INLINE_BYTES:
                return None
            name = saved.get(id(obj))
            if name is None:
                name = saved[id(obj)] = f"array{len(saved)}.npy"
                np.save(os.path.join(folder, name), obj, allow_pickle=False)
            return name

    with open(os.path.join(folder, "problem.pkl"), "wb") as file:
        ProblemPickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(problem)


class _ProblemUnpickler(pickle.Unpickler):
    """Reads what :func:`write_problem` wrote, memory-mapping the large arrays."""

    def __init__(self, file, folder):
        super().__init__(file)
        self.folder = folder
        self.arrays = {}

    def persistent_load(self, name):
        if name not in self.arrays:
            # copy-on-write: shared pages, and a problem that writes into its arrays
            # changes its own copy, as one sent by value would
            self.arrays[name] = np.load(os.path.join(self.folder, os.path.basename(name)),
                                        mmap_mode="c", allow_pickle=False)
        return self.arrays[name]


def load_problem(token, folder):
    """The problem shipped as ``token``: loaded from ``folder`` once per worker process."""
    with _WORKER_LOCK:
        entry = _WORKER_PROBLEMS.get(token)
        if entry is None:
            # problems of fits that have ended (their folder is gone) are let go
            for old in [t for t, (_, f) in _WORKER_PROBLEMS.items() if not os.path.isdir(f)]:
                del _WORKER_PROBLEMS[old]
            with open(os.path.join(folder, "problem.pkl"), "rb") as file:
                problem = _ProblemUnpickler(file, folder).load()
            while len(_WORKER_PROBLEMS) >= 4:
                _WORKER_PROBLEMS.pop(next(iter(_WORKER_PROBLEMS)))
            entry = _WORKER_PROBLEMS[token] = (problem, folder)
        return entry[0]


class Shipped:
    """A problem sent to process workers by reference to the file it was written to.

    A task pickles to the file's name only; each worker process reads the
    file once (its first task of the fit) and keeps the problem, with
    whatever it builds lazily (a pool of simulator environments, say), for
    the later tasks.
    """

    def __init__(self, token, folder, problem):
        self.token = token
        self.folder = folder
        self.problem = problem

    def __reduce__(self):
        return (load_problem, (self.token, self.folder))


class Scattered:
    """A problem scattered to a Dask cluster, named by a fresh token.

    Dask would otherwise name it by hashing its pickled bytes (pickling and
    unpickling the whole data set in this process, for every fit).
    """

    def __init__(self, token, problem):
        self.token = token
        self.problem = problem

    def __dask_tokenize__(self):
        return self.token


def ship_problem(problem, backend, stack):
    """What the tasks of a fit carry for ``problem`` on a joblib ``backend``.

    For process backends (loky, multiprocessing) the problem is written once
    to a temporary folder and shipped by its name (:class:`Shipped`); for
    Dask it is scattered once to every worker (:class:`Scattered`, through
    joblib's ``scatter``); threads share the problem itself. The folder is
    removed, and the scatter context left, when ``stack`` (a
    ``contextlib.ExitStack``) closes. A problem that cannot be pickled for
    the backend raises ``ValueError`` saying what to change.

    Examples
    --------
    >>> import contextlib
    >>> from joblib.parallel import ThreadingBackend
    >>> with contextlib.ExitStack() as stack:
    ...     ship_problem("the problem", ThreadingBackend(), stack)
    'the problem'
    """
    if is_process_backend(backend):
        folder = tempfile.mkdtemp(prefix="evonet-", dir=os.environ.get("JOBLIB_TEMP_FOLDER"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        try:
            write_problem(problem, folder)
        except Exception:
            check_picklable(problem, type(backend).__name__)  # says what to change
            raise  # it pickles, so the folder is the trouble (a full disk...)
        return Shipped(uuid.uuid4().hex, folder, problem)
    if is_dask_backend(backend):
        # scattered once to every worker; tasks then refer to it by key
        shipped = Scattered(uuid.uuid4().hex, problem)
        try:
            stack.enter_context(parallel_config(backend="dask", scatter=[shipped]))
        except Exception:
            check_picklable(problem, "Dask backend")
            raise
        return shipped
    return problem
