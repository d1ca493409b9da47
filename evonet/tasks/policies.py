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

import numpy as np

from evonet.genome.weights import init_population as glorot_population
from evonet.nn import MLPLayout, apply_activation
from evonet.tasks._layers import (
    _SCALAR_ACTIVATIONS,
    LOOP_FAN_IN,
    _affine,
    _PolicyBase,
    _scalar_affine,
    select,
)
from evonet.tasks.neat_policy import NeatPolicy
from evonet.tasks.recurrent import RecurrentPolicy

__all__ = ["LOOP_FAN_IN", "MLPPolicy", "NeatPolicy", "RecurrentPolicy", "make_policy", "select"]


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
        """Per-layer ``(W (fan_in, fan_out, P), b (fan_out, P))`` arrays of a population.

        Examples
        --------
        >>> import numpy as np
        >>> [(W.shape, b.shape) for W, b in MLPPolicy(4, (3,)).unpack(np.zeros((7, 19)))]
        [((4, 3, 7), (3, 7)), ((3, 1, 7), (1, 7))]
        """
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

        Examples
        --------
        >>> import numpy as np
        >>> policy = MLPPolicy(2, (), bias=False)
        >>> params = policy.unpack([[1.0, -2.0]])
        >>> actor = policy.scalar_actor(params)
        >>> bool(actor([0.5, 0.1]) == policy.forward(params, np.array([[0.5], [0.1]]))[0][0, 0])
        True
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


_POLICY_TYPES = {"MLPPolicy": MLPPolicy, "RecurrentPolicy": RecurrentPolicy,
                 "NeatPolicy": NeatPolicy}


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
