"""Chunks of a population: how it is cut, and how one chunk is scored.

A population is cut into chunks whose sizes depend only on the problem and the
population size (:func:`population_chunks`), never on ``n_jobs`` or the
backend, and each chunk is scored with single-threaded BLAS, in-process or in
a worker (:func:`evaluate_chunk`), so every result is the same whichever path
scored it.
"""

import math

from evonet.evaluation.parallel import blas_single_thread
from evonet.evaluation.shipping import Scattered, Shipped

__all__ = ["POPULATION_CHUNK", "annotate_failure", "evaluate_chunk", "population_chunks"]

POPULATION_CHUNK = 32
"""Default largest number of networks evaluated together in one chunk."""


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


def annotate_failure(exc, note):
    """Add ``note`` to an exception, keeping its type (Python 3.10: into its message).

    What evonet says about where a failure happened (the individual that
    raised, the generation saved in a checkpoint) goes through here.

    Examples
    --------
    >>> exc = annotate_failure(ValueError("bad"), "evonet: while scoring individual 3")
    >>> isinstance(exc, ValueError)
    True
    """
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    elif exc.args and isinstance(exc.args[0], str):
        exc.args = (f"{exc.args[0]} ({note})",) + exc.args[1:]
    return exc


def evaluate_chunk(problem, chunk, rows, start, generation):
    """Losses of one chunk (in a worker or in-process), with single-threaded BLAS.

    A fitness that raises is re-run one individual at a time to find the
    culprit, and its exception propagates with the individual's index
    (``start`` + its place in the chunk) added.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> from evonet.problems import SupervisedProblem
    >>> problem = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0]], [1.0, 3.0])
    >>> evaluate_chunk(problem, np.array([[2.0, 1.0]]), None, 0, None)
    array([0.])
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
                    raise annotate_failure(exc, f"evonet: raised while scoring individual "
                                                f"{start + i}{where}") from None
            raise


def _score_chunk(problem, chunk, rows, start, generation):
    """A worker's task: ``(start, losses)`` of one chunk (results may come back in any order)."""
    if isinstance(problem, (Shipped, Scattered)):
        problem = problem.problem
    return start, evaluate_chunk(problem, chunk, rows, start, generation)
