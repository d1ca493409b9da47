"""Sparse input rows (``scipy.sparse``): checks and the first layer as a sparse-dense product.

A sparse ``X`` (a one-hot encoding, a text vectoriser's output) is never
densified. It is kept as CSR, in canonical form (sorted column indices, no
duplicates), and only the first layer of a network reads it: ``X @ W`` for
the first-layer weights ``W`` (of one network, or of a whole population
stacked side by side), which costs a multiply-add per stored value and
output unit. The later layers see dense activations as they always do.

Each output of ``X @ W`` is summed over the row's stored values in column
order, starting from zero, and depends on that row alone. A dense row's
first layer sums the same products (and exact zeros) in some order, so the
two agree to rounding, and exactly when a row holds at most one value (a
one-hot row): both are then ``w_j * x_j + b`` rounded once.
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["check_sparse_input", "is_sparse", "mean_row_nonzeros", "prepare_sparse_first",
           "sparse_first_layer"]


def is_sparse(X):
    """Whether ``X`` is a ``scipy.sparse`` matrix or array.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> is_sparse(sp.csr_matrix(np.eye(2))), is_sparse(np.eye(2))
    (True, False)
    """
    return sp.issparse(X)


def check_sparse_input(X, n_inputs, name="X"):
    """A sparse ``X`` as canonical CSR of floats, checked like a dense input.

    Any sparse format is accepted and turned into CSR (a copy of the stored
    values only, never a dense matrix); integer values become float64, float
    values keep their precision. Duplicate entries are summed and column
    indices sorted (on a copy: the caller's matrix is not changed), so each
    row's products are summed in column order.

    Raises ``ValueError`` for a wrong width, complex or non-finite values.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = check_sparse_input(sp.coo_matrix(([1, 2], ([0, 0], [1, 1])), shape=(1, 3)), 3)
    >>> X.format, X.dtype, X.toarray()
    ('csr', dtype('float64'), array([[0., 3., 0.]]))
    """
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, {n_inputs}), got a sparse "
                         f"array of shape {X.shape}.")
    X = X.tocsr()
    if X.dtype.kind == "c":
        raise ValueError(f"{name} must be real-valued, got complex values.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if X.shape[1] != n_inputs:
        raise ValueError(f"{name} has {X.shape[1]} features but the network expects "
                         f"n_inputs={n_inputs}.")
    if not np.isfinite(X.data).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def mean_row_nonzeros(X):
    """Stored values per row of a sparse ``X``, on average (0 for no rows).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> mean_row_nonzeros(sp.csr_matrix(np.array([[1.0, 0.0], [2.0, 3.0]])))
    1.5
    """
    return X.nnz / X.shape[0] if X.shape[0] else 0.0


def prepare_sparse_first(W, b, dtype):
    """First-layer weights of a population laid out for ``X @ W``.

    ``W`` of shape ``(P, fan_in, fan_out)`` and ``b`` of shape
    ``(P, fan_out)`` become a pair: the matrix ``(fan_in, P * fan_out)``
    (individual ``p``'s units in columns ``p * fan_out`` onwards), C-contiguous
    so that each stored value of a row adds one contiguous row of it, and the
    biases ``(P * fan_out,)``.

    Examples
    --------
    >>> import numpy as np
    >>> W, b = prepare_sparse_first(np.arange(12.0).reshape(2, 3, 2), np.zeros((2, 2)),
    ...                             np.float64)
    >>> W
    array([[ 0.,  1.,  6.,  7.],
           [ 2.,  3.,  8.,  9.],
           [ 4.,  5., 10., 11.]])
    """
    P, fan_in, fan_out = W.shape
    stacked = np.empty((fan_in, P, fan_out), dtype=dtype)
    stacked[...] = W.transpose(1, 0, 2)
    return stacked.reshape(fan_in, P * fan_out), np.ascontiguousarray(b, dtype=dtype).ravel()


def sparse_first_layer(X, W, b, out, transpose=False):
    """``X @ W + b`` for sparse rows ``X``, written to ``out`` (linear, not activated).

    ``X`` is CSR of the dtype of ``W``; ``out`` has shape
    ``(rows, fan_out)``, or ``(fan_out, rows)`` with ``transpose=True`` (the
    layout of the population pass). Each output is the sum over the row's
    stored values in column order, then plus the bias: it depends on that row
    alone, so a row gives the same result alone or among others.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[0.0, 2.0], [0.0, 0.0]]))
    >>> sparse_first_layer(X, np.array([[1.0], [3.0]]), np.array([0.5]), np.empty((2, 1)))
    array([[6.5],
           [0.5]])
    """
    product = X @ W
    if transpose:
        product = product.T
        b = b[:, None]
    return np.add(product, b, out=out)
