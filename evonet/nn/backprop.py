"""Back-propagation through the batched forward pass of a population of MLPs.

The gradient of ``P`` networks is computed in one pass, through the same
chunks of :data:`~evonet.nn.ROW_CHUNK` rows and the same batched ``matmul``
per layer as :func:`~evonet.nn.mlp.forward_population_chunk`:

* :func:`forward_trace` runs the forward pass of one chunk of rows and keeps
  every layer's activations ``(P, width, rows)`` (the output layer left
  linear: logits), computed with the same operations as the forward pass, so
  losses taken from it equal the problem's losses;
* :func:`backward_chunk` takes ``dLoss/dlogits`` of that chunk and adds the
  gradient of every network to a ``(P, n_params)`` float64 array laid out
  like the population (the flat layout of :class:`~evonet.nn.MLPLayout`),
  a block of networks at a time (:data:`BLOCK_VALUES`);
* :func:`population_backward` does both over all rows of ``X``, given the
  gradient of a loss with respect to the (activated or linear) outputs.

Each weight layer costs two batched products on the way back (one for the
weights' gradient, one for the delta passed down), the first layer one
product for all networks together (``delta @ X``; ``X.T @ delta`` for a
sparse ``X``). Derivatives are taken from the activated values, as
scikit-learn's ``DERIVATIVES`` do. The losses' own output deltas live in
:mod:`evonet.losses` and the loss-and-gradient of a supervised problem in
:mod:`evonet.problems.learning`.
"""

import numpy as np

from evonet.nn.activations import apply_activation
from evonet.nn.mlp import ROW_CHUNK, augment_rows, check_input, prepare_population
from evonet.nn.sparse import is_sparse, sparse_first_layer

__all__ = ["BLOCK_VALUES", "activation_backward", "backward_chunk", "forward_trace",
           "network_blocks", "population_backward", "weight_mask"]

BLOCK_VALUES = 65_536
"""Values (units x rows) of the widest layer per block of networks, forward and backward,
so that a block's activations and deltas stay in cache from its forward products to its
weights' gradients (a network's gradient is the same, to rounding, whatever the blocks)."""


def network_blocks(layout, prepared, rows):
    """Split a prepared population into blocks of networks for a chunk of ``rows`` rows.

    Yields ``(p0, p1, part)``: networks ``p0`` to ``p1 - 1`` and their
    layers in the layout of :func:`~evonet.nn.mlp.prepare_population`
    (views, no copies), each block holding at most :data:`BLOCK_VALUES`
    values of its widest layer (at least one network). A population
    prepared for sparse rows is one block.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> from evonet.nn.mlp import prepare_population
    >>> layout = MLPLayout(64, (32,), 10)
    >>> prepared = prepare_population(layout, np.zeros((10, layout.n_params)))
    >>> [(p0, p1) for p0, p1, _ in network_blocks(layout, prepared, 512)]
    [(0, 4), (4, 8), (8, 10)]
    """
    sparse_input = isinstance(prepared[0], tuple)
    first_out = layout.layer_sizes[1]
    P = (prepared[0][1] if sparse_input else prepared[0]).shape[0] // first_out
    block = P if sparse_input else \
        max(1, BLOCK_VALUES // (max(layout.layer_sizes[1:]) * max(1, rows)))
    for p0 in range(0, P, block):
        p1 = min(P, p0 + block)
        if block >= P:
            yield p0, p1, prepared
            continue
        yield p0, p1, [prepared[0][p0 * first_out:p1 * first_out]] + \
            [(W[p0:p1], b[p0:p1]) for W, b in prepared[1:]]


def activation_backward(name, A, G, axis=1):
    """Turn ``G = dLoss/dA`` into ``dLoss/dz`` in place, for ``A = act(z)``.

    Parameters
    ----------
    name : str
        An activation of :data:`~evonet.nn.ACTIVATIONS`.
    A : ndarray
        The activated values.
    G : ndarray of the shape of ``A``
        The gradient with respect to ``A``; overwritten with the gradient
        with respect to ``z`` and returned.
    axis : int, default=1
        The units' axis (softmax normalises along it).

    Returns
    -------
    ndarray
        ``G``, multiplied by the derivative (for softmax, the product with
        its Jacobian ``A * (G - sum(G * A))``).

    Examples
    --------
    >>> import numpy as np
    >>> activation_backward("tanh", np.array([0.0, 0.5]), np.array([1.0, 1.0]))
    array([1.  , 0.75])
    """
    if name == "tanh":
        derivative = np.multiply(A, A)
        np.subtract(1, derivative, out=derivative)
        G *= derivative
    elif name == "logistic":
        derivative = np.subtract(1, A)
        derivative *= A
        G *= derivative
    elif name == "relu":
        G *= A > 0
    elif name == "softmax":
        G -= (G * A).sum(axis=axis, keepdims=True)
        G *= A
    elif name != "identity":
        raise ValueError(f"activation {name!r} has no derivative here.")
    return G


def forward_trace(layout, prepared, X_aug):
    """Every layer's values for one chunk of rows: ``[H_1, ..., H_(L-1), Z_L]``.

    ``prepared`` and ``X_aug`` are as for
    :func:`~evonet.nn.mlp.forward_population_chunk` (an augmented dense
    chunk, or sparse CSR rows for a population prepared with
    ``sparse_input=True``). Hidden values are activated, each of shape
    ``(P, width, rows)``; the last entry is the output layer's linear
    values (logits) ``(P, n_outputs, rows)``, computed by the same products
    as the forward pass.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> from evonet.nn.mlp import augment_rows, prepare_population
    >>> layout = MLPLayout(2, (3,), 1)
    >>> prepared = prepare_population(layout, np.ones((4, layout.n_params)), np.float64)
    >>> [a.shape for a in forward_trace(layout, prepared, augment_rows(np.ones((5, 2))))]
    [(4, 3, 5), (4, 1, 5)]
    """
    sparse_input = is_sparse(X_aug)
    first = prepared[0][1] if sparse_input else prepared[0]
    sizes = layout.layer_sizes
    rows = X_aug.shape[0]
    P = first.shape[0] // sizes[1]
    H = np.empty((P * sizes[1], rows), dtype=first.dtype)
    if sparse_input:
        sparse_first_layer(X_aug, *prepared[0], out=H, transpose=True)
    else:
        np.matmul(prepared[0], X_aug.T, out=H)
    trace = [H.reshape(P, sizes[1], rows)]
    for k in range(1, layout.n_layers):
        apply_activation(layout.activation_of(k - 1), trace[-1], axis=1)
        W, b = prepared[k]
        Z = np.matmul(W.transpose(0, 2, 1), trace[-1])
        Z += b[:, :, None]
        trace.append(Z)
    return trace


def backward_chunk(layout, prepared, X_aug, trace, delta, grad):
    """Add the gradient of one chunk of rows to ``grad`` ``(P, n_params)``.

    Parameters
    ----------
    layout : MLPLayout
    prepared : list
        The population from :func:`~evonet.nn.mlp.prepare_population`.
    X_aug : ndarray or sparse matrix
        The chunk of rows the trace was computed on.
    trace : list of ndarray
        :func:`forward_trace` of that chunk (its values are not changed).
    delta : ndarray of shape (P, n_outputs, rows)
        ``dLoss/dlogits`` of every network and row, already weighted as the
        loss weighs the rows; overwritten.
    grad : ndarray of shape (P, n_params)
        Accumulator (float64) in the flat layout of the population.

    Returns
    -------
    ndarray
        ``grad``.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> from evonet.nn.mlp import augment_rows, prepare_population
    >>> layout = MLPLayout(1, (), 1)
    >>> pop = np.array([[2.0, 1.0]])
    >>> X_aug = augment_rows(np.array([[3.0]]), np.float64)
    >>> prepared = prepare_population(layout, pop, np.float64)
    >>> trace = forward_trace(layout, prepared, X_aug)
    >>> backward_chunk(layout, prepared, X_aug, trace, np.ones((1, 1, 1)), np.zeros((1, 2)))
    array([[3., 1.]])
    """
    for p0, p1, part in network_blocks(layout, prepared, delta.shape[2]):
        _backward_block(layout, [None] + [W for W, _ in part[1:]], X_aug,
                        [a[p0:p1] for a in trace], delta[p0:p1], grad[p0:p1])
    return grad


def _backward_block(layout, weights, X_aug, trace, delta, grad):
    """:func:`backward_chunk` for a block of networks (``weights[k]``: layer ``k``'s ``W``)."""
    P = grad.shape[0]
    for k in range(layout.n_layers - 1, 0, -1):
        start, w_end, b_end = layout.offsets[k]
        A = trace[k - 1]
        grad[:, start:w_end] += np.matmul(A, delta.transpose(0, 2, 1)).reshape(P, -1)
        grad[:, w_end:b_end] += delta.sum(axis=2)
        delta = np.matmul(weights[k], delta)
        activation_backward(layout.activation_of(k - 1), A, delta, axis=1)
    start, w_end, b_end = layout.offsets[0]
    n_in, width = layout.layer_sizes[0], layout.layer_sizes[1]
    flat = delta.reshape(P * width, -1)
    if is_sparse(X_aug):
        g = np.asarray(X_aug.T @ flat.T)  # (n_in, P * width): sparse times dense
        grad[:, start:w_end] += g.reshape(n_in, P, width).transpose(1, 0, 2).reshape(P, -1)
        grad[:, w_end:b_end] += flat.sum(axis=1).reshape(P, width)
    else:
        g = np.matmul(flat, X_aug).reshape(P, width, n_in + 1)
        grad[:, start:w_end] += g[:, :, :n_in].transpose(0, 2, 1).reshape(P, -1)
        grad[:, w_end:b_end] += g[:, :, n_in]


def weight_mask(layout):
    """Boolean mask ``(n_params,)`` of the weights (not the biases) in the flat layout.

    The entries the L2 term ``alpha`` applies to.

    Examples
    --------
    >>> from evonet.nn import MLPLayout
    >>> weight_mask(MLPLayout(1, (), 2))
    array([ True,  True, False, False])
    """
    mask = np.zeros(layout.n_params, dtype=bool)
    for start, w_end, _ in layout.offsets:
        mask[start:w_end] = True
    return mask


def population_backward(layout, population, X, output_grad, of="outputs", dtype=np.float32):
    """Gradient of a loss with respect to every weight, given its gradient at the outputs.

    Parameters
    ----------
    layout : MLPLayout
    population : array-like of shape (P, n_params)
        The networks, in the flat layout of :func:`~evonet.nn.forward`.
    X : array-like or sparse matrix of shape (N, n_inputs)
    output_grad : array-like of shape (P, N, n_outputs)
        ``dLoss/dOutput`` of every network and row (the layout of
        :func:`~evonet.nn.forward`'s result).
    of : {"outputs", "logits"}, default="outputs"
        Whether ``output_grad`` is taken with respect to the activated
        outputs (as :func:`~evonet.nn.forward` returns them) or the output
        layer's linear values (an output delta).
    dtype : numpy dtype, default=numpy.float32
        Precision of the passes; float64 for checks.

    Returns
    -------
    ndarray of shape (P, n_params), float64
        The gradients, summed over the chunks of rows in float64.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> layout = MLPLayout(1, (), 1)
    >>> population_backward(layout, np.array([[2.0, 1.0]]), [[3.0], [1.0]],
    ...                     np.ones((1, 2, 1)), dtype=np.float64)
    array([[4., 2.]])
    """
    population = layout.check_weights(population, name="population")
    if population.ndim != 2:
        raise ValueError(f"population must have shape (P, n_params), got {population.shape}.")
    if of not in ("outputs", "logits"):
        raise ValueError(f"of={of!r} is not supported; choose 'outputs' or 'logits'.")
    X = check_input(layout, X)
    P, n_rows = population.shape[0], X.shape[0]
    output_grad = np.asarray(output_grad)
    if output_grad.shape != (P, n_rows, layout.n_outputs):
        raise ValueError(f"output_grad must have shape {(P, n_rows, layout.n_outputs)}, "
                         f"got {output_grad.shape}.")
    sparse_input = is_sparse(X)
    prepared = prepare_population(layout, population, dtype, sparse_input=sparse_input)
    grad = np.zeros(population.shape)
    for r0 in range(0, n_rows, ROW_CHUNK):
        X_aug = X[r0:r0 + ROW_CHUNK].astype(dtype) if sparse_input \
            else augment_rows(X[r0:r0 + ROW_CHUNK], dtype)
        for p0, p1, part in network_blocks(layout, prepared, X_aug.shape[0]):
            trace = forward_trace(layout, part, X_aug)
            delta = output_grad[p0:p1, r0:r0 + ROW_CHUNK].transpose(0, 2, 1).astype(dtype)
            if of == "outputs":
                out = apply_activation(layout.output_activation, trace[-1].copy(), axis=1)
                activation_backward(layout.output_activation, out, delta, axis=1)
            backward_chunk(layout, part, X_aug, trace, delta, grad[p0:p1])
    return grad
