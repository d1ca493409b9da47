"""Forward pass of one network or of a whole population of networks at once.

The population path never loops over individuals in Python. All individuals
share the input ``X``, so their first layers are one matrix product of ``X``
with the stacked first-layer weights (the bias folded in as an extra input
column of ones). Activations are kept as ``(P, width, rows)``, contiguous per
individual, so that every later layer is one batched ``matmul``.

Rows are processed in chunks of :data:`ROW_CHUNK` rows whatever the number of
rows, networks or workers. The extra memory of a population pass is therefore
bounded by :func:`chunk_memory_bound`, and the floating-point results do not
depend on how the data or the population is split elsewhere.

One network alone (``weights`` of shape ``(n_params,)``: the prediction path
of fitted models) is computed without BLAS, by :func:`dense_in_order`: a
row's outputs are then the same whether it is evaluated alone or among any
number of other rows.

A sparse ``X`` (``scipy.sparse``) is never densified: the first layer is the
sparse-dense product of :mod:`evonet.nn.sparse` (for a population, with the
stacked first-layer weights of all its networks), and the later layers are
unchanged.
"""

import math
import threading

import numpy as np

from evonet.nn.activations import apply_activation
from evonet.nn.sparse import (
    check_sparse_input,
    is_sparse,
    prepare_sparse_first,
    sparse_first_layer,
)

__all__ = [
    "ROW_CHUNK",
    "Workspace",
    "augment_rows",
    "check_input",
    "chunk_memory_bound",
    "dense_in_order",
    "forward",
    "forward_population_chunk",
    "prepare_population",
    "thread_workspace",
]

ROW_CHUNK = 512
"""Rows per chunk of every forward pass (fixed, so memory and results do not depend on N)."""


def check_input(layout, X, name="X"):
    """Validate the input matrix of a network and return it as a float array.

    A sparse ``X`` is returned as canonical CSR
    (:func:`~evonet.nn.sparse.check_sparse_input`), not densified. Raises
    ``ValueError`` for a wrong number of dimensions, a wrong width or
    non-finite values.

    Examples
    --------
    >>> from evonet.nn import MLPLayout
    >>> check_input(MLPLayout(2, (), 1), [[0, 1]])
    array([[0., 1.]])
    """
    if is_sparse(X):
        return check_sparse_input(X, layout.n_inputs, name)
    try:
        X = np.asarray(X)
        if X.dtype.kind not in "fc":
            X = X.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array: {exc}") from None
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, {layout.n_inputs}), "
                         f"got an array of shape {X.shape}.")
    if X.shape[1] != layout.n_inputs:
        raise ValueError(f"{name} has {X.shape[1]} features but the network expects "
                         f"n_inputs={layout.n_inputs}.")
    if X.dtype.kind == "c":
        raise ValueError(f"{name} must be real-valued, got complex values.")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return X


def augment_rows(X, dtype=np.float32):
    """Return ``X`` as ``dtype`` with a trailing column of ones (the bias input).

    Examples
    --------
    >>> import numpy as np
    >>> augment_rows(np.array([[2.0, 3.0]]), np.float64)
    array([[2., 3., 1.]])
    """
    n, d = X.shape
    out = np.empty((n, d + 1), dtype=dtype)
    out[:, :d] = X
    out[:, d] = 1
    return out


def prepare_population(layout, population, dtype=np.float32, sparse_input=False):
    """Rearrange a ``(P, n_params)`` population for the batched forward pass.

    Returns a list with one entry per layer: for the first layer the stacked
    matrix of shape ``(P * fan_out, fan_in + 1)`` (bias as the last column),
    or with ``sparse_input=True`` the pair of
    :func:`~evonet.nn.sparse.prepare_sparse_first` (for rows of a sparse
    ``X``); for later layers a pair ``(W, b)`` of shapes
    ``(P, fan_in, fan_out)`` and ``(P, fan_out)``. All arrays are contiguous
    and of ``dtype``.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> layout = MLPLayout(2, (3,), 1)
    >>> [a.shape for a in prepare_population(layout, np.zeros((5, layout.n_params)))[:1]]
    [(15, 3)]
    """
    with np.errstate(over="ignore"):  # a weight beyond the dtype's range becomes inf
        return _prepare(layout, population, dtype, sparse_input)


def _prepare(layout, population, dtype, sparse_input):
    P = population.shape[0]
    prepared = []
    for k, ((start, w_end, b_end), ((fan_in, fan_out), _)) in enumerate(
        zip(layout.offsets, layout.shapes)
    ):
        W = population[:, start:w_end].reshape(P, fan_in, fan_out)
        if k == 0 and sparse_input:
            prepared.append(prepare_sparse_first(W, population[:, w_end:b_end], dtype))
        elif k == 0:
            first = np.empty((P, fan_out, fan_in + 1), dtype=dtype)
            first[:, :, :fan_in] = W.transpose(0, 2, 1)
            first[:, :, fan_in] = population[:, w_end:b_end]
            prepared.append(first.reshape(P * fan_out, fan_in + 1))
        else:
            prepared.append((W.astype(dtype), population[:, w_end:b_end].astype(dtype)))
    return prepared


_THREAD_STATE = threading.local()


def thread_workspace():
    """The :class:`Workspace` of the calling thread, kept between calls.

    Reusing one set of buffers per thread means a forward pass allocates no
    activation memory once the thread has seen its largest chunk; what it
    keeps is bounded by :func:`chunk_memory_bound` of that chunk.

    Examples
    --------
    >>> thread_workspace() is thread_workspace()
    True
    """
    workspace = getattr(_THREAD_STATE, "workspace", None)
    if workspace is None:
        workspace = _THREAD_STATE.workspace = Workspace()
    return workspace


class Workspace:
    """Scratch buffers reused from one chunk of rows to the next.

    Allocating the activation buffers once, rather than once per chunk, keeps
    the allocator (and the kernel's page faults) out of the inner loop.

    Examples
    --------
    >>> import numpy as np
    >>> ws = Workspace()
    >>> a = ws.array("h", (2, 3), np.float32)
    >>> b = ws.array("h", (1, 3), np.float32)
    >>> np.shares_memory(a, b)
    True
    """

    def __init__(self):
        self._buffers = {}

    def array(self, key, shape, dtype):
        """A C-contiguous array of ``shape`` backed by the buffer called ``key``."""
        size = math.prod(shape)
        buffer = self._buffers.get(key)
        if buffer is None or buffer.size < size or buffer.dtype != dtype:
            buffer = np.empty(size, dtype=dtype)
            self._buffers[key] = buffer
        return buffer[:size].reshape(shape)


def forward_population_chunk(layout, prepared, X_aug, output_activation=True,
                             outputs_last=False, workspace=None):
    """Outputs of every network of a prepared population on one chunk of rows.

    ``X_aug`` is a chunk of rows from :func:`augment_rows`, or a chunk of
    sparse rows (CSR of ``dtype``, no column of ones) for a population
    prepared with ``sparse_input=True``. Returns an array
    of shape ``(P, n_outputs, rows)``, or ``(P, rows, n_outputs)`` with
    ``outputs_last=True``; with ``output_activation=False`` the output layer
    is left linear (logits, for losses computed stably). The result lives in
    ``workspace`` when one is given, and is overwritten by the next chunk.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> layout = MLPLayout(1, (), 1)
    >>> pop = np.array([[2.0, 1.0], [-1.0, 0.0]])
    >>> X_aug = augment_rows(np.array([[1.0], [3.0]]), np.float64)
    >>> forward_population_chunk(layout, prepare_population(layout, pop, np.float64), X_aug)
    array([[[ 3.,  7.]],
    <BLANKLINE>
           [[-1., -3.]]])
    """
    ws = workspace if workspace is not None else Workspace()
    rows = X_aug.shape[0]
    sparse_input = is_sparse(X_aug)
    first = prepared[0][1] if sparse_input else prepared[0]
    dtype = first.dtype
    sizes = layout.layer_sizes
    last = layout.n_layers - 1
    P = first.shape[0] // sizes[1]
    # hidden activations as (P, width, rows): contiguous per individual
    H = ws.array(0, (P * sizes[1], rows), dtype)
    if sparse_input:
        sparse_first_layer(X_aug, *prepared[0], out=H, transpose=True)
    else:
        np.matmul(prepared[0], X_aug.T, out=H)
    H = H.reshape(P, sizes[1], rows)
    if last == 0:
        if output_activation:
            apply_activation(layout.activation_of(0), H, axis=1)
        return H.transpose(0, 2, 1) if outputs_last else H
    apply_activation(layout.activation_of(0), H, axis=1)
    for k in range(1, last):
        W, b = prepared[k]
        Z = ws.array(k, (P, sizes[k + 1], rows), dtype)
        np.matmul(W.transpose(0, 2, 1), H, out=Z)
        Z += b[:, :, None]
        H = apply_activation(layout.activation_of(k), Z, axis=1)
    W, b = prepared[last]
    if outputs_last:
        Z = ws.array(last, (P, rows, sizes[-1]), dtype)
        np.matmul(H.transpose(0, 2, 1), W, out=Z)
        Z += b[:, None, :]
        axis = 2
    else:
        Z = ws.array(last, (P, sizes[-1], rows), dtype)
        np.matmul(W.transpose(0, 2, 1), H, out=Z)
        Z += b[:, :, None]
        axis = 1
    if output_activation:
        apply_activation(layout.activation_of(last), Z, axis=axis)
    return Z


def dense_in_order(A, W, b, out, scratch):
    """``A @ W + b`` into ``out``, each row summed input by input, in order.

    The rounding of a BLAS product depends on the shape of the whole matrix
    (kernel, blocking, threads), so a row can come out differently alone and
    in a batch. Here every output is ``((a_0 w_0 + a_1 w_1) + ...) + b``:
    elementwise IEEE multiplications and additions in a fixed order, so a
    row's result depends on that row alone, by construction. ``scratch`` has
    the shape of ``out``.

    Examples
    --------
    >>> import numpy as np
    >>> A, W, b = np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]), np.array([0.5])
    >>> dense_in_order(A, W, b, np.empty((1, 1)), np.empty((1, 1)))
    array([[11.5]])
    """
    np.multiply(A[:, :1], W[0], out=out)
    for j in range(1, W.shape[0]):
        np.multiply(A[:, j:j + 1], W[j], out=scratch)
        out += scratch
    out += b
    return out


def _forward_single(layout, weights, X, dtype):
    # one network (the prediction path): row-independent, unlike a BLAS product
    layers = [(W.astype(dtype), b.astype(dtype)) for W, b in layout.unpack(weights)]
    out = np.empty((X.shape[0], layout.n_outputs), dtype=dtype)
    chunk = min(ROW_CHUNK, X.shape[0])
    buffers = [(np.empty((chunk, W.shape[1]), dtype), np.empty((chunk, W.shape[1]), dtype))
               for W, _ in layers]
    sparse_input = is_sparse(X)
    for r0 in range(0, X.shape[0], ROW_CHUNK):
        H = X[r0:r0 + ROW_CHUNK].astype(dtype, copy=False)
        rows = H.shape[0]
        for k, ((W, b), (result, scratch)) in enumerate(zip(layers, buffers)):
            if k == 0 and sparse_input:
                H = sparse_first_layer(H, W, b, result[:rows])
            else:
                H = dense_in_order(H, W, b, result[:rows], scratch[:rows])
            apply_activation(layout.activation_of(k), H, axis=-1)
        out[r0:r0 + rows] = H
    return out


def forward(layout, weights, X, dtype=np.float32):
    """Evaluate one network or a population of networks on the rows of ``X``.

    Parameters
    ----------
    layout : MLPLayout
        Shapes and activations of the networks.
    weights : array-like of shape (n_params,) or (P, n_params)
        One flat weight vector, or one per row for a population of ``P`` networks.
    X : array-like or sparse matrix of shape (N, n_inputs)
        Input rows; a ``scipy.sparse`` matrix is not densified (its first
        layer is a sparse-dense product, see :mod:`evonet.nn.sparse`).
    dtype : numpy dtype, default=numpy.float32
        Precision of the computation. float32 is for fitness evaluation;
        predictions of fitted models use float64.

    Returns
    -------
    ndarray of shape (N, n_outputs) or (P, N, n_outputs)
        Activated outputs.

    Notes
    -----
    Rows are processed :data:`ROW_CHUNK` at a time; the memory used on top of
    the inputs and the result stays below :func:`chunk_memory_bound`.
    For one network each row's result depends on that row alone (the sums
    run in a fixed order, see :func:`dense_in_order`), so a row gives the
    same outputs alone or in a batch; a population pass uses BLAS products
    and gives per-individual results to rounding (1e-12 in float64).

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout, forward
    >>> layout = MLPLayout(2, (2,), 1)
    >>> X = np.array([[0.0, 1.0], [1.0, 1.0]])
    >>> pop = np.random.default_rng(0).normal(size=(5, layout.n_params))
    >>> forward(layout, pop, X).shape
    (5, 2, 1)
    >>> np.allclose(forward(layout, pop, X)[3], forward(layout, pop[3], X), atol=1e-5)
    True
    """
    weights = layout.check_weights(weights)
    X = check_input(layout, X)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating dtype, got {dtype}.")
    if weights.ndim == 1:
        return _forward_single(layout, weights, X, dtype)
    n_rows = X.shape[0]
    sparse_input = is_sparse(X)
    prepared = prepare_population(layout, weights, dtype, sparse_input=sparse_input)
    out = np.empty((weights.shape[0], n_rows, layout.n_outputs), dtype=dtype)
    workspace = thread_workspace()
    for r0 in range(0, n_rows, ROW_CHUNK):
        X_aug = X[r0:r0 + ROW_CHUNK].astype(dtype) if sparse_input \
            else augment_rows(X[r0:r0 + ROW_CHUNK], dtype)
        out[:, r0:r0 + ROW_CHUNK, :] = forward_population_chunk(
            layout, prepared, X_aug, outputs_last=True, workspace=workspace
        )
    return out


def chunk_memory_bound(layout, population_size, dtype=np.float32):
    """Upper bound in bytes of the scratch memory of one population forward pass.

    Covers the prepared weights, one augmented chunk of rows, the two largest
    consecutive activation buffers of a chunk and the scratch of a loss over
    the outputs of a chunk; it does not depend on the number of rows. The
    inputs (with one copy of ``X`` in ``dtype``) and the returned outputs are
    not included.

    Examples
    --------
    >>> from evonet.nn import MLPLayout
    >>> chunk_memory_bound(MLPLayout(64, (64,), 1), 200) // 2**20
    31
    """
    item = np.dtype(dtype).itemsize
    widths = layout.layer_sizes[1:]
    # a layer's input and output activations are alive together, never more
    widest_pair = max(a + b for a, b in zip(widths, widths[1:] + (0,)))
    weights = (layout.n_params + widths[0]) * population_size * item
    rows = ROW_CHUNK * (layout.n_inputs + 1) * item
    activations = ROW_CHUNK * population_size * widest_pair * item
    # a loss over the outputs keeps up to three float64 arrays of the output's size
    loss_scratch = 3 * ROW_CHUNK * population_size * layout.n_outputs * 8
    return weights + rows + activations + loss_scratch
