"""Supervised problems: the loss of fixed-topology networks on a labelled data set.

:class:`SupervisedProblem` follows the :class:`~evonet.problems.base.Problem`
protocol: it turns a ``(P, n_params)`` population into ``P`` losses to
minimise (``evaluate(population, rows=None)``, ``rows`` a minibatch of row
indices), and says how many networks the
:class:`~evonet.evaluation.Evaluator` should score per chunk
(``population_chunk``). The target and row-weight checks and the weighted mean
over rows are shared with :mod:`evonet.problems.graph`.
"""

import math
import numbers

import numpy as np

from evonet.losses import LOSSES, check_loss
from evonet.nn.mlp import (
    ROW_CHUNK,
    augment_rows,
    check_input,
    forward_population_chunk,
    prepare_population,
    thread_workspace,
)
from evonet.nn.sparse import is_sparse, mean_row_nonzeros

__all__ = ["CHUNK_WORK", "SupervisedProblem", "check_row_weights", "check_targets",
           "mean_row_loss"]

CHUNK_WORK = 50_000_000
"""Multiply-adds per population chunk of a ``SupervisedProblem`` (see ``population_chunk``)."""


def check_targets(layout, loss, y, n_rows, dtype):
    """Targets laid out for the losses: labels ``(N,)`` or a matrix ``(n_outputs, N)``.

    Shared by the supervised problems of fixed-topology and graph networks.

    Parameters
    ----------
    layout : object
        What the loss reads of the network: ``n_outputs`` and
        ``output_activation`` (an :class:`~evonet.nn.MLPLayout`, say).
    loss : str
        A checked loss name (:func:`~evonet.losses.check_loss`).
    y : array-like
        The targets, one per row.
    n_rows : int
        Rows of ``X``.
    dtype : numpy dtype
        Precision of a target matrix.

    Returns
    -------
    ndarray
        ``intp`` labels ``(N,)`` for a softmax output with a classification
        loss, else a ``dtype`` matrix ``(n_outputs, N)``.

    Raises
    ------
    ValueError
        Naming what is wrong with ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> check_targets(MLPLayout(1, (), 1), "squared_error", [1.0, 2.0], 2, np.float64)
    array([[1., 2.]])
    """
    y = np.asarray(y)
    if y.shape[0] != n_rows:
        raise ValueError(f"y has {y.shape[0]} rows but X has {n_rows}.")
    if y.ndim > 2:
        raise ValueError(f"y must be 1-D or 2-D, got shape {y.shape}.")
    if loss != "squared_error" and layout.output_activation == "softmax":
        if y.ndim != 1:
            raise ValueError(f"a softmax output needs 1-D labels, got y of shape {y.shape}.")
        labels = np.asarray(y)
        if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
            labels = labels.astype(np.int64)
        if labels.dtype.kind not in "iu":
            raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}.")
        if labels.size and (labels.min() < 0 or labels.max() >= layout.n_outputs):
            raise ValueError(f"labels must lie in [0, {layout.n_outputs}), "
                             f"got [{labels.min()}, {labels.max()}].")
        return labels.astype(np.intp)
    try:
        Y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"y must be numeric, got dtype {y.dtype}.") from None
    Y = Y.reshape(n_rows, -1)
    if Y.shape[1] != layout.n_outputs:
        raise ValueError(f"y has {Y.shape[1]} columns but the network has "
                         f"n_outputs={layout.n_outputs}.")
    if not np.isfinite(Y).all():
        raise ValueError("y contains NaN or infinite values.")
    if loss != "squared_error" and not np.isin(Y, (0.0, 1.0)).all():
        raise ValueError(f"loss={loss!r} with logistic outputs needs 0/1 targets.")
    return np.ascontiguousarray(Y.T, dtype=dtype)


def check_row_weights(sample_weight, n_samples):
    """``sample_weight`` as a float64 array of ``n_samples`` non-negative weights, or None.

    Examples
    --------
    >>> check_row_weights([1, 0, 2], 3)
    array([1., 0., 2.])
    """
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n_samples,):
        raise ValueError(f"sample_weight must have shape ({n_samples},), got {w.shape}.")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("sample_weight must be finite and non-negative.")
    if w.sum() <= 0:
        raise ValueError("sample_weight sums to zero.")
    return w


def mean_row_loss(row_chunks, n_networks):
    """Weighted mean over rows of per-row losses given chunk by chunk.

    ``row_chunks`` yields ``(per_row, weights)``: losses of shape
    ``(n_networks, rows)`` and the chunk's row weights (``None`` for equal
    weights). Sums are taken in float64.

    Examples
    --------
    >>> import numpy as np
    >>> chunks = [(np.array([[1.0, 3.0]]), None), (np.array([[5.0]]), None)]
    >>> mean_row_loss(chunks, 1)
    array([3.])
    """
    total = np.zeros(n_networks)
    weight_sum = 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for per_row, weights in row_chunks:
            if weights is None:
                total += per_row.sum(axis=1, dtype=np.float64)
                weight_sum += per_row.shape[1]
            else:
                total += per_row.astype(np.float64) @ weights
                weight_sum += weights.sum()
        return total / weight_sum if weight_sum > 0 else total


class SupervisedProblem:
    """Loss of fixed-topology networks on a labelled data set.

    Parameters
    ----------
    layout : MLPLayout
    X : array-like or sparse matrix of shape (N, n_inputs)
        A ``scipy.sparse`` ``X`` is kept sparse (CSR of ``dtype``, converted
        once): the first layer is a sparse-dense product and minibatches are
        sparse row slices (see :mod:`evonet.nn.sparse`).
    y : array-like
        Regression targets ``(N,)`` or ``(N, n_outputs)``; integer labels ``(N,)``
        for a softmax output; 0/1 targets ``(N,)`` or ``(N, n_outputs)`` for
        logistic outputs.
    loss : {"squared_error", "log_loss", "error_rate"}, default="squared_error"
        ``squared_error`` is the mean over outputs of the squared error;
        ``log_loss`` the cross-entropy (softmax on labels, or the sum over
        logistic units); ``error_rate`` is 1 - accuracy.
    sample_weight : array-like of shape (N,), default=None
        Non-negative row weights; the loss is their weighted mean.
    alpha : float, default=0.0
        L2 penalty ``0.5 * alpha * ||W||^2 / N`` on the weights (not the biases);
        ``N`` is the number of rows, or the sum of ``sample_weight``.
    dtype : numpy dtype, default=numpy.float32
        Precision of the forward pass.

    Notes
    -----
    Rows are processed :data:`~evonet.nn.ROW_CHUNK` at a time, so memory beyond
    one ``dtype`` copy of ``X`` stays within
    :func:`~evonet.nn.chunk_memory_bound` of a chunk of the population. The
    copy of a sparse ``X`` holds its stored values only.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> layout = MLPLayout(1, (), 1)
    >>> problem = SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0])
    >>> problem.evaluate(np.array([[2.0, 1.0], [0.0, 0.0]]))
    array([0., 5.])
    """

    def __init__(self, layout, X, y, loss="squared_error", sample_weight=None, alpha=0.0,
                 dtype=np.float32):
        self.layout = layout
        self.loss = check_loss(loss, layout)
        X = check_input(layout, X)
        self.dtype = np.dtype(dtype)
        self.n_samples = X.shape[0]
        if self.n_samples == 0:
            raise ValueError("X has no rows.")
        self.sparse = is_sparse(X)
        # the rows as the first layer reads them: sparse, or with a column of ones
        self.X_aug = X.astype(self.dtype) if self.sparse else augment_rows(X, self.dtype)
        self.targets = check_targets(layout, self.loss, y, self.n_samples, self.dtype)
        self.sample_weight = check_row_weights(sample_weight, self.n_samples)
        self._total_weight = float(self.n_samples if self.sample_weight is None
                                   else self.sample_weight.sum())
        if not isinstance(alpha, numbers.Real) or not alpha >= 0 or not math.isfinite(alpha):
            raise ValueError(f"alpha must be a non-negative number, got {alpha!r}.")
        self.alpha = float(alpha)
        # each layer's weights, a contiguous slice of a genome (no copy of the population)
        self._weight_slices = [slice(start, w_end) for start, w_end, _ in layout.offsets]

    @property
    def n_params(self):
        """Length of a genome of this problem."""
        return self.layout.n_params

    def population_chunk(self, rows=None):
        """Networks per chunk when scoring on ``rows`` (``None``: all rows).

        About :data:`CHUNK_WORK` multiply-adds per chunk, between 4 and 256
        networks: small problems are scored in one chunk, large ones in chunks
        big enough to keep the overhead per chunk small and numerous enough for
        parallel workers. It depends on the problem and the number of rows
        only, never on ``n_jobs`` or the backend.

        Examples
        --------
        >>> import numpy as np
        >>> from evonet.nn import MLPLayout
        >>> p = SupervisedProblem(MLPLayout(64, (100,), 10), np.zeros((1437, 64)),
        ...                       np.zeros((1437, 10)))
        >>> p.population_chunk(), p.population_chunk(np.arange(256))
        (5, 27)

        For a sparse ``X`` the first layer's work per row is its stored values
        (on average) times its units, not its inputs times its units, plus
        once per network the copy of its weights for the sparse product.
        """
        n_rows = self.n_samples if rows is None else len(rows)
        work = max(1, n_rows * self.layout.n_params)
        if self.sparse:
            fan_out = self.layout.layer_sizes[1]
            first = (self.layout.n_inputs - mean_row_nonzeros(self.X_aug)) * fan_out
            work = max(1, math.ceil(self.layout.n_params + n_rows
                                    * (self.layout.n_params - first)))
        return int(min(256, max(4, math.ceil(CHUNK_WORK / work))))

    def _rows(self, rows, r0, r1):
        if rows is None:
            sl = slice(r0, r1)
            return self.X_aug[sl], self.targets[..., sl], (
                None if self.sample_weight is None else self.sample_weight[sl])
        idx = rows[r0:r1]
        return self.X_aug[idx], self.targets[..., idx], (
            None if self.sample_weight is None else self.sample_weight[idx])

    @property
    def total_weight(self):
        """What the L2 term divides by: the rows, or the sum of ``sample_weight``."""
        return self._total_weight

    def penalty(self, population, alpha=None):
        """The L2 term of each individual, ``0.5 * alpha * ||W||^2 / N``.

        ``alpha``: the problem's (``None``), or one value per individual
        (an array of shape ``(P,)``). Each layer's weights are summed from
        its slice of the genomes (no copy of the population).

        Examples
        --------
        >>> import numpy as np
        >>> from evonet.nn import MLPLayout
        >>> p = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0]], [0.0, 0.0], alpha=2.0)
        >>> p.penalty(np.array([[3.0, 5.0]]))
        array([4.5])
        >>> p.penalty(np.array([[3.0, 5.0], [1.0, 0.0]]), alpha=np.array([0.0, 4.0]))
        array([0., 1.])
        """
        alpha = self.alpha if alpha is None else alpha
        if np.all(alpha == 0.0):
            return np.zeros(population.shape[0])
        squares = np.zeros(population.shape[0])
        for layer in self._weight_slices:
            w = population[:, layer]
            squares += np.einsum("ij,ij->i", w, w)
        return 0.5 * alpha * squares / self._total_weight

    def outputs(self, population, rows=None):
        """Activated outputs ``(P, rows, n_outputs)``, float64, of a population.

        What a score computed from the networks' predictions needs
        (:class:`~evonet.problems.scored.ScoredProblem`); ``rows`` as in
        :meth:`evaluate`.

        Examples
        --------
        >>> import numpy as np
        >>> from evonet.nn import MLPLayout
        >>> p = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0]], [1.0, 3.0])
        >>> p.outputs(np.array([[2.0, 1.0]]))[0, :, 0]
        array([1., 3.])
        """
        population = self.layout.check_weights(population, name="population")
        if population.ndim == 1:
            population = population[None, :]
        prepared = prepare_population(self.layout, population, self.dtype,
                                      sparse_input=self.sparse)
        workspace = thread_workspace()
        n = self.n_samples if rows is None else len(rows)
        out = np.empty((population.shape[0], n, self.layout.n_outputs))
        for r0 in range(0, n, ROW_CHUNK):
            X_aug = self._rows(rows, r0, r0 + ROW_CHUNK)[0]
            out[:, r0:r0 + X_aug.shape[0]] = forward_population_chunk(
                self.layout, prepared, X_aug, outputs_last=True, workspace=workspace)
        return out

    def evaluate(self, population, rows=None):
        """Losses of a ``(P, n_params)`` population, optionally on a subset of rows.

        Parameters
        ----------
        population : ndarray of shape (P, n_params)
        rows : ndarray of int, default=None
            Row indices (a minibatch); ``None`` for all rows.

        Returns
        -------
        ndarray of shape (P,), float64
            Losses (plus the L2 term); a network whose output overflows gets ``inf``.
        """
        population = self.layout.check_weights(population, name="population")
        if population.ndim == 1:
            population = population[None, :]
        prepared = prepare_population(self.layout, population, self.dtype,
                                      sparse_input=self.sparse)
        loss_fn = LOSSES[self.loss]
        workspace = thread_workspace()
        n = self.n_samples if rows is None else len(rows)
        def row_chunks():
            for r0 in range(0, n, ROW_CHUNK):
                X_aug, targets, w = self._rows(rows, r0, r0 + ROW_CHUNK)
                Z = forward_population_chunk(self.layout, prepared, X_aug, output_activation=False,
                                             workspace=workspace)
                yield loss_fn(Z, targets, self.layout), w

        losses = mean_row_loss(row_chunks(), population.shape[0])
        losses += self.penalty(population)
        losses[np.isnan(losses)] = np.inf
        return losses
