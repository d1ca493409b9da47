"""Gradient learning of a population of MLPs: losses with gradients, and training steps.

:func:`loss_and_grad` gives, for a ``(P, n_params)`` population and a
:class:`~evonet.problems.supervised.SupervisedProblem`, the losses that
``problem.evaluate`` returns (the same chunks, products and sums, so the same
numbers) and their gradients, by back-propagation
(:mod:`evonet.nn.backprop`) of the losses' output deltas
(:func:`~evonet.losses.loss_and_output_delta`).
:func:`population_loss_and_grad` does the same from ``X`` and ``y``, and
:func:`train_population` takes minibatch steps of a batched optimiser
(:mod:`evonet.nn.optim`) for all networks together.

The loss is the problem's: the weighted mean over rows of the per-row loss,
plus ``0.5 * alpha * ||W||^2 / N`` with ``N`` the problem's number of rows
(or the sum of its ``sample_weight``) even on a minibatch. Against
scikit-learn's MLPs, for the same weights and rows: with ``log_loss`` the
losses, gradients and ``alpha`` are the same; evonet's ``squared_error`` is
the mean over the ``K`` outputs of the squared error where scikit-learn's is
half of it, and scikit-learn's gradient is ``(y_hat - y)`` per output (``K``
times the gradient of its own loss when ``K > 1``), so evonet's gradient
equals ``2 / K`` times scikit-learn's when evonet's ``alpha`` is ``2 / K``
times scikit-learn's ``alpha``.
"""

from typing import NamedTuple

import numpy as np

from evonet.losses import loss_and_output_delta
from evonet.nn.backprop import backward_chunk, forward_trace, network_blocks
from evonet.nn.mlp import ROW_CHUNK, prepare_population
from evonet.nn.optim import Adam
from evonet.problems.supervised import SupervisedProblem, mean_row_loss
from evonet.sampling import MinibatchSampler

__all__ = ["TrainResult", "loss_and_grad", "population_loss_and_grad", "train_population"]


def _check_population(problem, population):
    population = problem.layout.check_weights(population, name="population")
    return population[None, :] if population.ndim == 1 else population


def _check_alpha(alpha, n_networks):
    a = np.asarray(alpha, dtype=np.float64)
    if a.ndim == 0:
        a = np.full(n_networks, float(a))
    if a.shape != (n_networks,) or not (np.isfinite(a).all() and (a >= 0).all()):
        raise ValueError(f"alpha must be a non-negative number or an array of shape "
                         f"({n_networks},) of them, got {alpha!r}.")
    return a


def loss_and_grad(problem, population, rows=None, alpha=None):
    """Losses and gradients of every network of a population, in one pass.

    Parameters
    ----------
    problem : SupervisedProblem
        The data, loss (``squared_error`` or ``log_loss``), ``alpha``,
        ``sample_weight`` and precision (``problem.dtype``).
    population : array-like of shape (P, n_params)
    rows : ndarray of int, default=None
        Row indices (a minibatch); ``None`` for all rows.
    alpha : float or ndarray of shape (P,), default=None
        The L2 term's ``alpha``, one for all networks or one per network,
        in place of ``problem.alpha`` (``None``: the problem's).

    Returns
    -------
    losses : ndarray of shape (P,), float64
        What ``problem.evaluate(population, rows)`` returns (``inf`` for a
        network whose loss is not finite); with ``alpha`` given, the same
        with that L2 term.
    grads : ndarray of shape (P, n_params), float64
        The gradients of those losses, in the flat layout of the population
        (computed in ``problem.dtype``, summed over chunks in float64);
        non-finite where the loss is.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> problem = SupervisedProblem(MLPLayout(1, (), 1), [[0.0], [1.0]], [1.0, 3.0],
    ...                             dtype=np.float64)
    >>> loss_and_grad(problem, np.array([[2.0, 1.0], [0.0, 0.0]]))
    (array([0., 5.]), array([[ 0.,  0.],
           [-3., -4.]]))
    """
    layout = problem.layout
    population = _check_population(problem, population)
    given = alpha is not None
    alpha = _check_alpha(alpha, population.shape[0]) if given \
        else np.full(population.shape[0], problem.alpha)
    prepared = prepare_population(layout, population, problem.dtype, sparse_input=problem.sparse)
    grad = np.zeros(population.shape)
    sw = problem.sample_weight
    n = problem.n_samples if rows is None else len(rows)
    batch_weight = float(n if sw is None else (sw if rows is None else sw[rows]).sum())
    scale = 1.0 / batch_weight if batch_weight > 0 else 0.0
    dtype = problem.dtype

    def row_chunks():
        for r0 in range(0, n, ROW_CHUNK):
            sl = slice(r0, r0 + ROW_CHUNK) if rows is None else rows[r0:r0 + ROW_CHUNK]
            X_aug, targets = problem.X_aug[sl], problem.targets[..., sl]
            w = None if sw is None else sw[sl]
            factor = dtype.type(scale) if w is None else (scale * w).astype(dtype)
            per_row = None
            # network by network block: a block's values stay in cache from its first
            # product to its weights' gradient
            for p0, p1, part in network_blocks(layout, prepared, X_aug.shape[0]):
                trace = forward_trace(layout, part, X_aug)
                block_loss, delta = loss_and_output_delta(problem.loss, trace[-1], targets,
                                                          layout, factor)
                if per_row is None:
                    per_row = np.empty((grad.shape[0],) + block_loss.shape[1:],
                                       dtype=block_loss.dtype)
                per_row[p0:p1] = block_loss
                backward_chunk(layout, part, X_aug, trace, delta, grad[p0:p1])
            yield per_row, w

    with np.errstate(over="ignore", invalid="ignore"):
        losses = mean_row_loss(row_chunks(), population.shape[0])
    if alpha.any():
        # the problem's own term (with ``alpha`` given, one per network): with its own
        # alpha, the same losses as evaluate; each layer's weights are a slice (no copy)
        losses += problem.penalty(population, alpha if given else None)
        for start, w_end, _ in layout.offsets:
            grad[:, start:w_end] += alpha[:, None] * population[:, start:w_end] \
                / problem.total_weight
    losses[np.isnan(losses)] = np.inf
    return losses, grad


def population_loss_and_grad(layout, population, X, y, loss, alpha=0.0, sample_weight=None,
                             rows=None, dtype=np.float32):
    """Losses and gradients of a population on ``(X, y)``: :func:`loss_and_grad` of a new problem.

    Parameters
    ----------
    layout : MLPLayout
    population : array-like of shape (P, n_params)
    X : array-like or sparse matrix of shape (N, n_inputs)
    y : array-like
        Targets as :class:`~evonet.problems.supervised.SupervisedProblem`
        takes them (integer labels for a softmax output with ``log_loss``).
    loss : {"squared_error", "log_loss"}
    alpha : float, default=0.0
        L2 term ``0.5 * alpha * ||W||^2 / N``.
    sample_weight : array-like of shape (N,), default=None
    rows : ndarray of int, default=None
        A minibatch of row indices; ``None`` for all rows.
    dtype : numpy dtype, default=numpy.float32
        Precision of the passes (float64 for checks).

    Returns
    -------
    losses : ndarray of shape (P,), float64
    grads : ndarray of shape (P, n_params), float64

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> layout = MLPLayout(2, (3,), 2, output_activation="softmax")
    >>> pop = np.random.default_rng(0).normal(size=(4, layout.n_params))
    >>> losses, grads = population_loss_and_grad(layout, pop, [[0, 1], [1, 0]], [0, 1],
    ...                                          "log_loss", dtype=np.float64)
    >>> losses.shape, grads.shape
    ((4,), (4, 17))
    """
    problem = SupervisedProblem(layout, X, y, loss=loss, sample_weight=sample_weight,
                                alpha=alpha, dtype=dtype)
    return loss_and_grad(problem, population, rows)


class TrainResult(NamedTuple):
    """What :func:`train_population` returns.

    Attributes
    ----------
    population : ndarray of shape (P, n_params)
        The learned weights; a stopped network keeps its last finite ones.
    state : AdamState or SGDState
        The optimiser's state after the steps (continue with it).
    losses : ndarray of shape (P,)
        Each network's minibatch loss at its last step (before that step's
        update); ``inf`` for a network that stopped.
    stopped : ndarray of bool of shape (P,)
        Networks whose loss or gradient stopped being finite (or that were
        stopped when the call began).
    """

    population: np.ndarray
    state: object
    losses: np.ndarray
    stopped: np.ndarray


def train_population(problem, population, *, steps, rng, optimizer=None, state=None,
                     batch_size=None, stopped=None, alpha=None, frozen=None):
    """Train every network of a population for ``steps`` minibatch steps together.

    Each step draws the next minibatch of rows (shuffled epochs,
    :class:`~evonet.sampling.MinibatchSampler`, from ``rng`` only; the same
    rows for every network), takes :func:`loss_and_grad` on it and one
    ``optimizer`` step. A network whose loss or gradient is not finite stops:
    it keeps its last finite weights and state for the rest of the call.

    Parameters
    ----------
    problem : SupervisedProblem
        Data, loss, ``alpha``, ``sample_weight`` and precision.
    population : array-like of shape (P, n_params)
    steps : int
        Minibatch steps (>= 0).
    rng : numpy.random.Generator
        Draws the minibatches.
    optimizer : Adam or SGD, default=None
        ``Adam()`` (scikit-learn's defaults) when ``None``.
    state : AdamState or SGDState, default=None
        The optimiser's state to continue from; a zero state when ``None``.
    batch_size : int, default=None
        Rows per step; ``None`` (or at least ``problem.n_samples``): all rows.
    stopped : ndarray of bool of shape (P,), default=None
        Networks that do not learn in this call.
    alpha : float or ndarray of shape (P,), default=None
        The L2 term's ``alpha`` per network, in place of ``problem.alpha``
        (see :func:`loss_and_grad`).
    frozen : ndarray of bool of shape (P, n_params), default=None
        Weights that do not learn and keep their values (connections a mask
        switched off, held at zero).

    Returns
    -------
    TrainResult
        ``(population, state, losses, stopped)``.

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.nn import MLPLayout
    >>> from evonet.nn.optim import Adam
    >>> X = np.linspace(-1, 1, 20)[:, None]
    >>> problem = SupervisedProblem(MLPLayout(1, (), 1), X, 3 * X[:, 0] + 1)
    >>> rng = np.random.default_rng(0)
    >>> result = train_population(problem, np.zeros((2, 2)), steps=200, rng=rng,
    ...                           optimizer=Adam(learning_rate=[0.1, 0.001]))
    >>> bool(result.losses[0] < 0.1 < result.losses[1]), result.stopped.tolist()
    (True, [False, False])
    """
    params = _check_population(problem, population).copy()
    P = params.shape[0]
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}.")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {rng!r}.")
    optimizer = Adam() if optimizer is None else optimizer
    state = optimizer.init(params) if state is None else state
    stopped = np.zeros(P, dtype=bool) if stopped is None else np.array(stopped, dtype=bool)
    if stopped.shape != (P,):
        raise ValueError(f"stopped must have shape ({P},), got {stopped.shape}.")
    alpha = None if alpha is None else _check_alpha(alpha, P)
    if frozen is not None:
        frozen = np.asarray(frozen, dtype=bool)
        if frozen.shape != params.shape:
            raise ValueError(f"frozen must have shape {params.shape}, got {frozen.shape}.")
    sampler = MinibatchSampler(problem.n_samples, batch_size)
    losses = np.full(P, np.inf)
    for _ in range(int(steps)):
        params, state, losses = _step(problem, optimizer, params, state, stopped,
                                      sampler.next(rng), alpha, frozen)
    return TrainResult(params, state, losses, stopped)


def _step(problem, optimizer, params, state, stopped, rows, alpha, frozen=None):
    """One minibatch step of the networks not ``stopped`` (a mask it updates in place)."""
    with np.errstate(over="ignore", invalid="ignore"):
        step_losses, grads = loss_and_grad(problem, params, rows, alpha)
        stopped |= ~(np.isfinite(step_losses) & np.isfinite(grads).all(axis=1))
        losses = np.where(stopped, np.inf, step_losses)
        grads[stopped] = 0.0
        if frozen is not None:
            grads[frozen] = 0.0
        new_params, new_state = optimizer.step(params, grads, state, active=~stopped)
        bad = ~np.isfinite(new_params).all(axis=1)
        if bad.any():  # an update that overflowed: keep the last finite weights
            stopped |= bad
            losses[bad] = np.inf
            new_params, new_state = optimizer.step(params, grads, state, active=~stopped)
    if frozen is not None:
        new_params = np.where(frozen, params, new_params)
    return new_params, new_state, losses
