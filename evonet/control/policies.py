"""Policy networks batched over individuals and carts: feed-forward and recurrent.

A control rollout steps ``n`` carts at once, each driven by its own network
(``P`` individuals times ``C`` starts). Every network sees its own
observations, so the shared-input matrix product of :mod:`evonet.nn` does not
apply; instead each layer is ``b + sum_k x_k W_k`` over its (few) inputs, with
every array laid out as ``(width, n)`` so that each term is one contiguous
elementwise operation over all carts. The sum runs input by input in a fixed
order, so a cart's output never depends on which other carts share the batch,
and :meth:`scalar_actor` repeats it with Python floats for the scalar path.
Wide layers (more than :data:`LOOP_FAN_IN` inputs) use ``matmul`` instead.

The parameters of one policy are a flat genome; :meth:`unpack` turns a
``(P, n_params)`` population into per-network arrays whose last axis runs over
networks, and :func:`select` picks networks (or repeats them per cart) along
that axis.
"""

import math

import numpy as np
from scipy.special import expit

from evonet.genome.weights import init_population as glorot_population
from evonet.nn import MLPLayout, apply_activation
from evonet.nn.activations import check_activation

__all__ = ["LOOP_FAN_IN", "MLPPolicy", "RecurrentPolicy", "make_policy", "select"]

LOOP_FAN_IN = 16
"""Layers with at most this many inputs sum input by input (exact order); wider ones use matmul."""

_SCALAR_ACTIVATIONS = {
    "identity": lambda z: z,
    "tanh": lambda z: float(np.tanh(z)),
    "relu": lambda z: float(np.maximum(z, 0.0)),
    "logistic": lambda z: float(expit(z)),
}


def select(params, index):
    """Index every array of unpacked parameters along its last (network) axis.

    Examples
    --------
    >>> import numpy as np
    >>> policy = MLPPolicy(2)
    >>> params = policy.unpack(np.arange(6.0).reshape(2, 3))
    >>> select(params, [1, 1, 0])[0][1].tolist()
    [[5.0, 5.0, 2.0]]
    """
    return [tuple(a[..., index] for a in layer) for layer in params]


def _affine(terms, bias):
    """``bias + sum_k x_k W_k`` for ``terms = [(X (fan_in, n), W (fan_in, fan_out, n)), ...]``."""
    out = bias.copy()
    for X, W in terms:
        if X.shape[0] > LOOP_FAN_IN:
            # (n, 1, fan_in) @ (n, fan_in, fan_out): batched over carts
            prod = np.matmul(X.T[:, None, :], W.transpose(2, 0, 1))[:, 0, :]
            out += prod.T
        else:
            for k in range(X.shape[0]):
                out += X[k] * W[k]
    return out


def _scalar_affine(terms, bias):
    if len(bias) == 1:  # one unit: the common case of a policy's output
        z = bias[0]
        for x, W in terms:
            for xk, row in zip(x, W):
                z += xk * row[0]
        return [z]
    out = list(bias)
    for x, W in terms:
        for xk, row in zip(x, W):
            for j, w in enumerate(row):
                out[j] += xk * w
    return out


class _PolicyBase:
    """Shared checks and helpers of the policy networks."""

    recurrent = False
    n_params = 0
    n_inputs = 0
    n_outputs = 0

    def check_population(self, population, name="population"):
        """Validate a ``(P, n_params)`` (or one ``(n_params,)``) array of genomes."""
        try:
            w = np.asarray(population, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be an array of numbers: {exc}") from None
        if w.ndim not in (1, 2) or w.shape[-1] != self.n_params:
            raise ValueError(f"{name} must have shape (P, {self.n_params}) for {self!r}, "
                             f"got {w.shape}.")
        if not np.isfinite(w).all():
            raise ValueError(f"{name} contains NaN or infinite values.")
        return np.atleast_2d(w)

    @property
    def scalar_ok(self):
        """Whether :meth:`scalar_actor` reproduces the batched pass (all layers narrow)."""
        return max(self._fan_ins()) <= LOOP_FAN_IN

    def initial_memory(self, n):
        """Memory of ``n`` fresh carts (``None`` for feed-forward policies)."""
        return None

    def _check_inputs(self, observations):
        if observations.shape[0] != self.n_inputs:
            raise ValueError(f"the policy has n_inputs={self.n_inputs} but got "
                             f"{observations.shape[0]} observation values per cart.")


class MLPPolicy(_PolicyBase):
    """Feed-forward policy: an :class:`~evonet.nn.MLPLayout` network per cart.

    Parameters
    ----------
    n_inputs : int
    hidden_layer_sizes : tuple of int, default=()
        ``()`` gives a single layer (a linear policy squashed by the output).
    n_outputs : int, default=1
    activation : str, default="tanh"
        Hidden activation.
    output_activation : str, default="tanh"
        ``"tanh"`` for a force in ``[-1, 1]`` times the force magnitude.
    bias : bool, default=True
        Whether the genome holds biases; without, they are fixed at 0 (the
        pole-balancing tasks are symmetric, so a bias only adds a dimension).

    Examples
    --------
    >>> import numpy as np
    >>> policy = MLPPolicy(4, (), bias=False)
    >>> policy.n_params
    4
    >>> params = policy.unpack(np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]))
    >>> out, _ = policy.forward(params, np.array([[0.5, 0.5], [1, 1], [1, 1], [1, 1.0]]))
    >>> out.round(4).tolist()
    [[0.4621, 0.0]]
    """

    def __init__(self, n_inputs, hidden_layer_sizes=(), n_outputs=1, activation="tanh",
                 output_activation="tanh", bias=True):
        self.layout = MLPLayout(n_inputs, hidden_layer_sizes, n_outputs, activation=activation,
                                output_activation=output_activation)
        if self.layout.output_activation == "softmax":
            raise ValueError("output_activation='softmax' is not supported for policies; "
                             "a discrete action is the argmax of the outputs.")
        self.bias = bool(bias)
        self.n_inputs = self.layout.n_inputs
        self.n_outputs = self.layout.n_outputs
        keep = np.ones(self.layout.n_params, dtype=bool)
        if not self.bias:
            for _, w_end, b_end in self.layout.offsets:
                keep[w_end:b_end] = False
        self._genes = np.flatnonzero(keep)
        self.n_params = int(keep.sum())

    def __repr__(self):
        lay = self.layout
        return (f"MLPPolicy({lay.n_inputs}, {lay.hidden_layer_sizes}, {lay.n_outputs}, "
                f"activation={lay.activation!r}, output_activation={lay.output_activation!r}, "
                f"bias={self.bias})")

    def _fan_ins(self):
        return self.layout.layer_sizes[:-1]

    def get_config(self):
        """The constructor arguments, as plain values (see :func:`make_policy`).

        Examples
        --------
        >>> MLPPolicy(4, (3,)).get_config()["hidden_layer_sizes"]
        [3]
        """
        lay = self.layout
        return {"type": "MLPPolicy", "n_inputs": lay.n_inputs,
                "hidden_layer_sizes": list(lay.hidden_layer_sizes), "n_outputs": lay.n_outputs,
                "activation": lay.activation, "output_activation": lay.output_activation,
                "bias": self.bias}

    def expand(self, population):
        """Genomes -> full :class:`~evonet.nn.MLPLayout` weight vectors (zero biases if none).

        Examples
        --------
        >>> MLPPolicy(2, bias=False).expand([[3.0, 4.0]])
        array([[3., 4., 0.]])
        """
        w = self.check_population(population)
        full = np.zeros((w.shape[0], self.layout.n_params))
        full[:, self._genes] = w
        return full

    def init_population(self, n, rng):
        """``n`` Glorot-uniform genomes (:func:`evonet.genome.init_population`).

        Examples
        --------
        >>> import numpy as np
        >>> MLPPolicy(4, (3,)).init_population(5, np.random.default_rng(0)).shape
        (5, 19)
        """
        return glorot_population(self.layout, n, rng)[:, self._genes]

    def unpack(self, population):
        """Per-layer ``(W (fan_in, fan_out, P), b (fan_out, P))`` arrays of a population."""
        full = self.expand(population)
        return [(np.ascontiguousarray(W.transpose(1, 2, 0)), np.ascontiguousarray(b.T))
                for W, b in self.layout.unpack(full)]

    def forward(self, params, observations, memory=None):
        """Outputs ``(n_outputs, n)`` for observations ``(n_inputs, n)``, one network per column."""
        self._check_inputs(observations)
        H = observations
        for k, (W, b) in enumerate(params):
            H = apply_activation(self.layout.activation_of(k), _affine([(H, W)], b), axis=0)
        return H, None

    def scalar_actor(self, params, memory=None):
        """A function ``obs -> first output`` for one network (column 0 of ``params``).

        It computes with Python floats what :meth:`forward` computes for that
        column, in the same order.
        """
        layers = [([[float(v) for v in row] for row in W[..., 0]], [float(v) for v in b[..., 0]])
                  for W, b in params]
        acts = [_SCALAR_ACTIVATIONS[self.layout.activation_of(k)] for k in range(len(layers))]

        def act(obs):
            h = obs
            for (W, b), f in zip(layers, acts):
                h = [f(z) for z in _scalar_affine([(h, W)], b)]
            return h[0]
        return act


class RecurrentPolicy(_PolicyBase):
    """Policy with one fully recurrent hidden layer carried from step to step.

    ``h_t = act(W_in o_t + W_rec h_{t-1} + b_h)`` (every hidden unit sees every
    hidden unit's previous value), ``y_t = out(W_out h_t [+ W_skip o_t] + b_y)``
    (Elman 1990), with ``h_0 = 0`` at the start of each episode. With
    ``readout="previous"`` the output reads the hidden state before its update,
    ``y_t = out(W_out h_{t-1} + W_skip o_t + b_y)``: the hidden layer is then a
    memory of past inputs only, and with ``W_rec = 0`` the policy sees
    ``o_t`` and ``o_{t-1}`` (finite differences, i.e. velocities). The genome
    holds ``W_in``, ``W_rec``, ``b_h``, ``W_out``, ``W_skip``, ``b_y`` in that
    order (row-major), leaving out the biases with ``bias=False`` and
    ``W_skip`` without ``shortcut``.

    Parameters
    ----------
    n_inputs : int
    n_hidden : int
    n_outputs : int, default=1
    activation : str, default="tanh"
        Of the hidden units.
    output_activation : str, default="tanh"
    bias : bool, default=True
    shortcut : bool, default=False
        Direct input-to-output connections.
    readout : {"current", "previous"}, default="current"
        Whether the output reads the updated hidden state or the previous one.

    Examples
    --------
    >>> import numpy as np
    >>> policy = RecurrentPolicy(1, 1, activation="identity", output_activation="identity",
    ...                          bias=False)
    >>> policy.n_params                  # W_in, W_rec, W_out
    3
    >>> params = policy.unpack([[1.0, 0.5, 1.0]])
    >>> memory = policy.initial_memory(1)
    >>> for _ in range(3):
    ...     out, memory = policy.forward(params, np.array([[1.0]]), memory)
    >>> float(out[0, 0])                 # h = 1, 1.5, 1.75
    1.75
    """

    recurrent = True

    def __init__(self, n_inputs, n_hidden, n_outputs=1, activation="tanh",
                 output_activation="tanh", bias=True, shortcut=False, readout="current"):
        # MLPLayout validates the sizes and activations the same way as feed-forward nets
        layout = MLPLayout(n_inputs, (n_hidden,), n_outputs, activation=activation,
                           output_activation=output_activation)
        check_activation(output_activation, hidden=True, param="output_activation")
        self.n_inputs, self.n_hidden, self.n_outputs = layout.layer_sizes
        self.activation = layout.activation
        self.output_activation = layout.output_activation
        self.bias = bool(bias)
        self.shortcut = bool(shortcut)
        if readout not in ("current", "previous"):
            raise ValueError(f"readout={readout!r} is not supported; choose 'current' or "
                             f"'previous'.")
        self.readout = readout
        i, h, o = self.n_inputs, self.n_hidden, self.n_outputs
        blocks = [("W_in", (i, h)), ("W_rec", (h, h))]
        if self.bias:
            blocks.append(("b_h", (h,)))
        blocks.append(("W_out", (h, o)))
        if self.shortcut:
            blocks.append(("W_skip", (i, o)))
        if self.bias:
            blocks.append(("b_y", (o,)))
        self.blocks = []
        start = 0
        for name, shape in blocks:
            size = math.prod(shape)
            self.blocks.append((name, shape, start, start + size))
            start += size
        self.n_params = start

    def __repr__(self):
        return (f"RecurrentPolicy({self.n_inputs}, {self.n_hidden}, {self.n_outputs}, "
                f"activation={self.activation!r}, output_activation={self.output_activation!r}, "
                f"bias={self.bias}, shortcut={self.shortcut}, readout={self.readout!r})")

    def _fan_ins(self):
        return (self.n_inputs + self.n_hidden, self.n_hidden + self.n_inputs * self.shortcut)

    def get_config(self):
        """The constructor arguments, as plain values (see :func:`make_policy`).

        Examples
        --------
        >>> RecurrentPolicy(3, 1, shortcut=True).get_config()["shortcut"]
        True
        """
        return {"type": "RecurrentPolicy", "n_inputs": self.n_inputs, "n_hidden": self.n_hidden,
                "n_outputs": self.n_outputs, "activation": self.activation,
                "output_activation": self.output_activation, "bias": self.bias,
                "shortcut": self.shortcut, "readout": self.readout}

    def init_population(self, n, rng):
        """``n`` genomes, each block uniform in ``+-sqrt(6 / (fan_in + fan_out))`` (Glorot).

        Examples
        --------
        >>> import numpy as np
        >>> RecurrentPolicy(3, 2).init_population(4, np.random.default_rng(0)).shape
        (4, 15)
        """
        out = np.empty((n, self.n_params))
        fan = {"W_in": self.n_inputs + self.n_hidden, "W_rec": self.n_inputs + self.n_hidden,
               "b_h": self.n_inputs + self.n_hidden, "W_out": self.n_hidden + self.n_outputs,
               "W_skip": self.n_hidden + self.n_outputs, "b_y": self.n_hidden + self.n_outputs}
        for name, shape, a, b in self.blocks:
            bound = math.sqrt(6.0 / (fan[name] + (shape[-1] if len(shape) > 1 else 1)))
            out[:, a:b] = rng.uniform(-bound, bound, size=(n, b - a))
        return out

    def unpack(self, population):
        """``[(W_in, W_rec, b_h), (W_out, W_skip, b_y)]`` with networks on the last axis.

        Missing blocks (no bias, no shortcut) are zero arrays.
        """
        w = self.check_population(population)
        P = w.shape[0]
        i, h, o = self.n_inputs, self.n_hidden, self.n_outputs
        arrays = {"b_h": np.zeros((h, P)), "b_y": np.zeros((o, P)),
                  "W_skip": np.zeros((i, o, P))}
        for name, shape, a, b in self.blocks:
            arrays[name] = np.ascontiguousarray(np.moveaxis(w[:, a:b].reshape(P, *shape), 0, -1))
        return [(arrays["W_in"], arrays["W_rec"], arrays["b_h"]),
                (arrays["W_out"], arrays["W_skip"], arrays["b_y"])]

    def initial_memory(self, n):
        """Hidden state ``(n_hidden, n)`` of ``n`` fresh carts: zeros."""
        return np.zeros((self.n_hidden, n))

    def forward(self, params, observations, memory):
        """Outputs ``(n_outputs, n)`` and the new hidden state ``(n_hidden, n)``."""
        self._check_inputs(observations)
        (W_in, W_rec, b_h), (W_out, W_skip, b_y) = params
        hidden = _affine([(observations, W_in), (memory, W_rec)], b_h)
        apply_activation(self.activation, hidden, axis=0)
        read = hidden if self.readout == "current" else memory
        terms = [(read, W_out)] + ([(observations, W_skip)] if self.shortcut else [])
        out = apply_activation(self.output_activation, _affine(terms, b_y), axis=0)
        return out, hidden

    def scalar_actor(self, params, memory=None):
        """A function ``obs -> first output`` for network column 0, keeping its hidden state.

        Starts from ``memory[:, 0]`` if given, else from zeros.
        """
        (W_in, W_rec, b_h), (W_out, W_skip, b_y) = [
            tuple(a[..., 0].tolist() for a in layer) for layer in params]
        f_h = _SCALAR_ACTIVATIONS[self.activation]
        f_y = _SCALAR_ACTIVATIONS[self.output_activation]
        state = [list(memory[:, 0]) if memory is not None else [0.0] * self.n_hidden]
        shortcut, current = self.shortcut, self.readout == "current"

        def act(obs):
            previous = state[0]
            hidden = [f_h(z) for z in _scalar_affine([(obs, W_in), (previous, W_rec)], b_h)]
            state[0] = hidden
            terms = [(hidden if current else previous, W_out)] + (
                [(obs, W_skip)] if shortcut else [])
            return f_y(_scalar_affine(terms, b_y)[0])
        return act


_POLICY_TYPES = {"MLPPolicy": MLPPolicy, "RecurrentPolicy": RecurrentPolicy}


def make_policy(config):
    """A policy network from :meth:`get_config`'s dictionary (for saving and loading).

    Examples
    --------
    >>> policy = RecurrentPolicy(3, 2, bias=False)
    >>> make_policy(policy.get_config()).n_params == policy.n_params
    True
    """
    config = dict(config)
    kind = config.pop("type", None)
    if kind not in _POLICY_TYPES:
        raise ValueError(f"unknown policy type {kind!r}; expected one of {list(_POLICY_TYPES)}.")
    if kind == "MLPPolicy":
        config["hidden_layer_sizes"] = tuple(config.get("hidden_layer_sizes", ()))
    return _POLICY_TYPES[kind](**config)
