"""Layer layout of a fixed-topology network stored as one flat weight vector."""

import numbers

import numpy as np

from evonet.checks import check_int
from evonet.nn.activations import check_activation

__all__ = ["MLPLayout"]


def _check_size(value, name):
    return check_int(value, name)
    return int(value)


class MLPLayout:
    """Shapes of a multi-layer perceptron whose weights live in one flat vector.

    The flat vector holds, layer after layer, the weight matrix ``W`` of shape
    ``(fan_in, fan_out)`` in row-major order followed by the bias ``b`` of
    shape ``(fan_out,)``: the same ``(coefs_, intercepts_)`` convention as
    scikit-learn's :class:`~sklearn.neural_network.MLPClassifier`.

    Parameters
    ----------
    n_inputs : int
        Number of input features.
    hidden_layer_sizes : tuple of int
        Width of each hidden layer; ``()`` for a network without hidden layers.
    n_outputs : int
        Number of output units.
    activation : {"identity", "tanh", "relu", "logistic"}, default="tanh"
        Activation of the hidden layers.
    output_activation : {"identity", "tanh", "relu", "logistic", "softmax"}, default="identity"
        Activation of the output layer.

    Attributes
    ----------
    layer_sizes : tuple of int
        ``(n_inputs, *hidden_layer_sizes, n_outputs)``.
    n_params : int
        Length of the flat weight vector.
    n_layers : int
        Number of weight layers (hidden layers + 1).

    Examples
    --------
    >>> import numpy as np
    >>> layout = MLPLayout(2, (3,), 1)
    >>> layout.n_params
    13
    >>> [(W.shape, b.shape) for W, b in layout.unpack(np.arange(13.0))]
    [((2, 3), (3,)), ((3, 1), (1,))]
    """

    def __init__(
        self,
        n_inputs,
        hidden_layer_sizes=(),
        n_outputs=1,
        activation="tanh",
        output_activation="identity",
    ):
        n_inputs = _check_size(n_inputs, "n_inputs")
        n_outputs = _check_size(n_outputs, "n_outputs")
        if isinstance(hidden_layer_sizes, numbers.Integral):
            hidden_layer_sizes = (hidden_layer_sizes,)
        try:
            hidden = tuple(hidden_layer_sizes)
        except TypeError:
            raise ValueError(
                f"hidden_layer_sizes must be a tuple of positive integers, "
                f"got {hidden_layer_sizes!r}."
            ) from None
        hidden = tuple(_check_size(h, "each hidden layer size") for h in hidden)
        self.activation = check_activation(activation, hidden=True)
        self.output_activation = check_activation(output_activation, param="output_activation")
        self.n_inputs = n_inputs
        self.hidden_layer_sizes = hidden
        self.n_outputs = n_outputs
        self.layer_sizes = (n_inputs, *hidden, n_outputs)
        self.n_layers = len(self.layer_sizes) - 1
        # (weight start, weight end, bias end) offsets of each layer in the flat vector
        offsets = []
        start = 0
        for fan_in, fan_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            w_end = start + fan_in * fan_out
            offsets.append((start, w_end, w_end + fan_out))
            start = w_end + fan_out
        self.offsets = tuple(offsets)
        self.n_params = start

    def __repr__(self):
        return (
            f"MLPLayout(n_inputs={self.n_inputs}, hidden_layer_sizes={self.hidden_layer_sizes}, "
            f"n_outputs={self.n_outputs}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )

    def __eq__(self, other):
        return isinstance(other, MLPLayout) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def _key(self):
        return (self.layer_sizes, self.activation, self.output_activation)

    @property
    def shapes(self):
        """List of ``((fan_in, fan_out), (fan_out,))`` per layer.

        Examples
        --------
        >>> MLPLayout(4, (8,), 3).shapes
        [((4, 8), (8,)), ((8, 3), (3,))]
        """
        return [((i, o), (o,)) for i, o in zip(self.layer_sizes[:-1], self.layer_sizes[1:])]

    def activation_of(self, layer):
        """Name of the activation applied after weight layer ``layer`` (0-based).

        Examples
        --------
        >>> MLPLayout(4, (8,), 3, output_activation="softmax").activation_of(1)
        'softmax'
        """
        return self.output_activation if layer == self.n_layers - 1 else self.activation

    def check_weights(self, weights, name="weights"):
        """Validate a weight vector ``(n_params,)`` or population ``(P, n_params)``.

        Returns the weights as a float64 array; raises ``ValueError`` naming the
        problem for a wrong length, a wrong number of dimensions or non-finite
        values.

        Examples
        --------
        >>> MLPLayout(1, (), 1).check_weights([0.5, 0.0])
        array([0.5, 0. ])
        """
        try:
            w = np.asarray(weights, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be an array of numbers: {exc}") from None
        if w.ndim not in (1, 2):
            raise ValueError(
                f"{name} must have shape (n_params,) or (population, n_params), got {w.shape}."
            )
        if w.shape[-1] != self.n_params:
            raise ValueError(
                f"{name} has {w.shape[-1]} values per network but the layout "
                f"{self.layer_sizes} needs n_params={self.n_params}."
            )
        if not np.isfinite(w).all():
            raise ValueError(f"{name} contains NaN or infinite values.")
        return w

    def unpack(self, weights):
        """Split a flat weight vector into a list of ``(W, b)`` per layer.

        The arrays are views into ``weights`` (no copy). A population of shape
        ``(P, n_params)`` gives arrays with a leading axis of length ``P``.

        Examples
        --------
        >>> import numpy as np
        >>> (W, b), = MLPLayout(2, (), 1).unpack(np.array([1.0, 2.0, 3.0]))
        >>> W, b
        (array([[1.],
               [2.]]), array([3.]))
        """
        w = self.check_weights(weights)
        lead = w.shape[:-1]
        layers = []
        for (start, w_end, b_end), ((fan_in, fan_out), _) in zip(self.offsets, self.shapes):
            layers.append(
                (w[..., start:w_end].reshape(*lead, fan_in, fan_out), w[..., w_end:b_end])
            )
        return layers

    def pack(self, layers):
        """Concatenate a list of ``(W, b)`` per layer into one flat vector.

        Inverse of :meth:`unpack`.

        Examples
        --------
        >>> import numpy as np
        >>> layout = MLPLayout(2, (2,), 1)
        >>> w = np.arange(layout.n_params, dtype=float)
        >>> np.array_equal(layout.pack(layout.unpack(w)), w)
        True
        """
        layers = list(layers)
        if len(layers) != self.n_layers:
            raise ValueError(f"layers has {len(layers)} entries, the layout has {self.n_layers}.")
        parts = []
        for k, ((W, b), (w_shape, b_shape)) in enumerate(zip(layers, self.shapes)):
            W = np.asarray(W, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64)
            if W.shape != w_shape or b.shape != b_shape:
                raise ValueError(
                    f"layer {k}: expected W of shape {w_shape} and b of shape {b_shape}, "
                    f"got {W.shape} and {b.shape}."
                )
            parts.append(W.ravel())
            parts.append(b)
        return self.check_weights(np.concatenate(parts), name="packed weights")
