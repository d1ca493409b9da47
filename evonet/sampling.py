"""Which rows each generation is scored on: all of them, or shuffled minibatches."""

import numpy as np

__all__ = ["MinibatchSampler", "make_sampler", "rows_per_generation"]


def rows_per_generation(batch_size, n_samples):
    """The rows a generation is scored on: ``None`` for all of them, else a batch size.

    ``None``, or a batch of at least ``n_samples`` rows, means every row.

    Examples
    --------
    >>> rows_per_generation(None, 10), rows_per_generation(32, 10), rows_per_generation(4, 10)
    (None, None, 4)
    """
    if batch_size is None or batch_size >= n_samples:
        return None
    return int(batch_size)


class MinibatchSampler:
    """Rows for each generation's fitness: shuffled epochs cut into batches.

    Each epoch is a fresh permutation of the rows drawn from the run's
    generator; every generation takes the next ``batch_size`` rows of it (the
    same rows for every individual of that generation). ``batch_size=None``
    (or at least the number of rows) means the full data every generation.

    Examples
    --------
    >>> import numpy as np
    >>> sampler = MinibatchSampler(10, 4)
    >>> rng = np.random.default_rng(0)
    >>> [len(sampler.next(rng)) for _ in range(3)]
    [4, 4, 4]
    >>> MinibatchSampler(10, None).next(rng) is None
    True
    """

    def __init__(self, n_samples, batch_size):
        self.n_samples = int(n_samples)
        self.batch_size = rows_per_generation(batch_size, n_samples)
        self._order = None
        self._position = 0

    @property
    def full(self):
        """Whether every generation sees all rows."""
        return self.batch_size is None

    def next(self, rng):
        """Sorted row indices of the next batch, or ``None`` for all rows."""
        if self.batch_size is None:
            return None
        if self._order is None or self._position + self.batch_size > self.n_samples:
            self._order = rng.permutation(self.n_samples)
            self._position = 0
        rows = self._order[self._position:self._position + self.batch_size]
        self._position += self.batch_size
        return np.sort(rows)


def make_sampler(problem, batch_size):
    """The problem's own sampler (``problem.make_sampler(batch_size)``) if it has one,
    else a :class:`MinibatchSampler` over its ``n_samples`` rows.

    A sampler's ``next(rng)`` gives what a generation is scored on (passed to
    ``problem.evaluate(population, rows)``), or ``None`` for the problem's
    full, fixed data; the incumbent is always scored with ``rows=None``.

    Examples
    --------
    >>> class P:
    ...     n_samples = 5
    >>> make_sampler(P(), None).full
    True
    """
    if hasattr(problem, "make_sampler"):
        return problem.make_sampler(batch_size)
    return MinibatchSampler(problem.n_samples, batch_size)
