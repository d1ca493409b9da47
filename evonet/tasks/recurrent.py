"""Recurrent policy networks: one fully recurrent hidden layer carried between steps."""

import math

import numpy as np

from evonet.nn import MLPLayout, apply_activation
from evonet.nn.activations import check_activation
from evonet.tasks._layers import _SCALAR_ACTIVATIONS, _affine, _PolicyBase, _scalar_affine

__all__ = ["RecurrentPolicy"]


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
