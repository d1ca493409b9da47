"""NEAT policies: recurrent graph networks from NEAT genomes, batched over carts.

A population of genomes with different topologies is padded to one size, as
TensorNEAT does on accelerators: genome ``p`` becomes a dense recurrent
weight matrix ``W[:, :, p]`` over ``N`` node slots (inputs first, then
outputs, then hidden nodes in id order; slots a genome lacks stay zero), a
bias per slot and the slot's activation. Every control step is then one
synchronous activation of all nodes of all networks, as
:class:`~evonet.nn.recurrent.RecurrentPopulation` steps them and as the NEAT
paper activates recurrent networks (Stanley & Miikkulainen 2002): each node
reads the previous step's values of its sources, the inputs read the current
observation, so a direct input-to-output connection acts at once and a path
through ``k`` hidden nodes after ``k`` steps.

The weighted sums run source slot by source slot in a fixed order, a slot
without a connection (weight 0) adding nothing even when its value has
diverged, so a cart's output never depends on the other carts of its batch,
and
:meth:`NeatPolicy.scalar_actor` repeats them with Python floats for the
scalar path of long rollouts.
"""

import numpy as np
from scipy.special import expit

from evonet.genome.initializers import MinimalInitializer
from evonet.genome.neat import NODE_ACTIVATIONS, NeatGenome
from evonet.nn.graph_genes import NODE_FUNCTIONS, GraphGenes
from evonet.tasks._layers import _PolicyBase

__all__ = ["NeatPolicy"]

_SCALAR = {
    "identity": lambda z: z,
    "neat_sigmoid": lambda z: float(expit(z * 4.9)),
    "logistic": lambda z: float(expit(z)),
    "tanh": lambda z: float(np.tanh(z)),
    "relu": lambda z: float(np.maximum(z, 0.0)),
}
_SCALAR_BY_CODE = tuple(_SCALAR[name] for name in NODE_ACTIVATIONS)


class NeatPolicy(_PolicyBase):
    """Policy whose individuals are NEAT genomes, run as recurrent networks.

    Evolve it with the ``"neat"`` strategy (``feed_forward=False`` lets
    add-connection make recurrent connections, which the non-Markovian tasks
    need). Genomes start minimal: every input connected to every output, no
    hidden node. Node biases are genes of the nodes; each node applies its
    own activation gene (the outputs ``output_activation``, hidden nodes the
    strategy's ``activation``).

    Parameters
    ----------
    n_inputs : int
    n_outputs : int, default=1
    output_activation : str, default="tanh"
        Activation gene of the output nodes of new genomes (``"tanh"`` gives a
        force in ``[-1, 1]`` times the force magnitude).
    weight_std : float, default=1.0
        Spread of the initial connection weights.

    Examples
    --------
    >>> import numpy as np
    >>> policy = NeatPolicy(2)
    >>> genomes = policy.init_population(3, np.random.default_rng(0))
    >>> out, memory = policy.forward(policy.unpack(genomes), np.zeros((2, 3)))
    >>> out.shape, memory.shape
    ((1, 3), (3, 3))
    """

    recurrent = True
    n_params = None  # a genome has no fixed length

    def __init__(self, n_inputs, n_outputs=1, output_activation="tanh", weight_std=1.0):
        self._initializer = MinimalInitializer(n_inputs, n_outputs, weight_std=weight_std,
                                               output_activation=output_activation)
        self.n_inputs = self._initializer.n_inputs
        self.n_outputs = self._initializer.n_outputs
        self.output_activation = output_activation
        self.weight_std = float(weight_std)

    def __repr__(self):
        return (f"NeatPolicy({self.n_inputs}, {self.n_outputs}, "
                f"output_activation={self.output_activation!r})")

    def get_config(self):
        """The constructor arguments, as plain values (see :func:`~evonet.tasks.make_policy`).

        Examples
        --------
        >>> NeatPolicy(3).get_config()["type"]
        'NeatPolicy'
        """
        return {"type": "NeatPolicy", "n_inputs": self.n_inputs, "n_outputs": self.n_outputs,
                "output_activation": self.output_activation, "weight_std": self.weight_std}

    def is_one(self, weights):
        """Whether ``weights`` is one individual (a genome) rather than a population."""
        return isinstance(weights, NeatGenome)

    def check_population(self, population, name="population"):
        """A list of genomes from one genome or a sequence of them, checked for size.

        Examples
        --------
        >>> import numpy as np
        >>> len(NeatPolicy(2).check_population(NeatPolicy(2).init_population(
        ...     1, np.random.default_rng(0))[0]))
        1
        """
        genomes = [population] if isinstance(population, NeatGenome) else population
        try:
            genomes = list(genomes)
        except TypeError:
            raise ValueError(f"{name} must be a NEAT genome or a sequence of them for "
                             f"{self!r}, got {type(population).__name__}.") from None
        for k, g in enumerate(genomes):
            if not isinstance(g, NeatGenome):
                raise ValueError(f"{name}[{k}] is a {type(g).__name__}, not a NEAT genome; "
                                 f"{self!r} evolves with strategy='neat'.")
            if (g.n_inputs, g.n_outputs) != (self.n_inputs, self.n_outputs):
                raise ValueError(f"{name}[{k}] has {g.n_inputs} inputs and {g.n_outputs} "
                                 f"outputs, the policy {self.n_inputs} and {self.n_outputs}.")
        return genomes

    def init_population(self, n, rng):
        """``n`` minimal genomes (:class:`~evonet.genome.innovation.MinimalInitializer`).

        Examples
        --------
        >>> import numpy as np
        >>> [g.n_enabled for g in NeatPolicy(4).init_population(2, np.random.default_rng(0))]
        [4, 4]
        """
        return self._initializer(n, rng)

    def unpack(self, population):
        """Padded arrays of a population: ``[(W (N, N, P), b (N, P), masks (A, N, P))]``.

        ``W[i, j, p]`` is the weight of genome ``p``'s enabled connection from
        node slot ``i`` to slot ``j``; ``masks[a]`` marks the slots whose
        activation code is ``a``. The last axis runs over networks, so
        :func:`~evonet.tasks.select` picks networks as for the other policies.

        Raises
        ------
        ValueError
            For a connection to a missing node, duplicate connections or
            genomes of another size.

        Examples
        --------
        >>> import numpy as np
        >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 0.5, True), (1, 1, 1, 2.0, True)])
        >>> W, b, masks = NeatPolicy(1, output_activation="identity").unpack([g])[0]
        >>> W[:, :, 0].tolist()
        [[0.0, 0.5], [0.0, 2.0]]
        """
        genomes = self.check_population(population)
        g = GraphGenes(genomes, feed_forward=False)
        P = g.n_genomes
        starts = np.searchsorted(g.node_owner, np.arange(P))
        local = np.arange(g.n_nodes) - starts[g.node_owner]
        N = g.max_nodes
        W = np.zeros((N, N, P))
        W[local[g.src], local[g.dst], g.owner] = g.weight
        b = np.zeros((N, P))
        b[local, g.node_owner] = g.bias
        masks = np.zeros((len(NODE_ACTIVATIONS), N, P), dtype=bool)
        masks[g.codes, local, g.node_owner] = True
        masks[:, :self.n_inputs] = False
        b[:self.n_inputs] = 0.0
        return [(W, b, masks)]

    def initial_memory(self, n):
        """``None``: the first :meth:`forward` starts every network from zero node values."""
        return None

    @property
    def scalar_ok(self):
        """Always: the batched sums run slot by slot, which the scalar actor repeats."""
        return True

    def forward(self, params, observations, memory=None):
        """One activation step: outputs ``(n_outputs, n)`` and node values ``(N, n)``.

        Parameters
        ----------
        params : list
            From :meth:`unpack` (after :func:`~evonet.tasks.select`).
        observations : ndarray of shape (n_inputs, n)
        memory : ndarray of shape (N, n), default=None
            The previous step's node values (zeros if ``None``).
        """
        self._check_inputs(observations)
        W, b, masks = params[0]
        values = np.zeros(b.shape) if memory is None else memory.copy()
        values[:self.n_inputs] = observations
        z = b.copy()
        if np.isfinite(values).all():
            for k in range(W.shape[0]):
                z += values[k] * W[k]
        else:
            # a diverged node (inf) must not reach the nodes it has no connection to:
            # slots without a connection (weight 0) add nothing, as in the scalar actor
            for k in range(W.shape[0]):
                z += np.where(W[k] != 0.0, values[k] * W[k], 0.0)
        for code in range(1, len(NODE_ACTIVATIONS)):
            mask = masks[code]
            if mask.any():
                z[mask] = NODE_FUNCTIONS[code](z[mask])
        z[:self.n_inputs] = observations
        return z[self.n_inputs:self.n_inputs + self.n_outputs], z

    def scalar_actor(self, params, memory=None):
        """A function ``obs -> first output`` for one network (column 0), with Python floats.

        It carries the node values from call to call and computes what
        :meth:`forward` computes for that column, in the same order.

        Examples
        --------
        >>> import numpy as np
        >>> policy = NeatPolicy(2)
        >>> params = policy.unpack(policy.init_population(1, np.random.default_rng(0)))
        >>> actor = policy.scalar_actor(params)
        >>> out, _ = policy.forward(params, np.array([[0.3], [-0.2]]))
        >>> actor([0.3, -0.2]) == float(out[0, 0])
        True
        """
        W, b, masks = params[0]
        N = b.shape[0]
        weights = W[:, :, 0]
        bias = b[:, 0].tolist()
        codes = np.zeros(N, dtype=np.intp)
        for code in range(1, len(NODE_ACTIVATIONS)):
            codes[masks[code, :, 0]] = code
        acts = [_SCALAR_BY_CODE[c] for c in codes.tolist()]
        # sources feeding each node, in slot order (zero weights add nothing)
        incoming = [[(k, float(weights[k, j])) for k in range(N) if weights[k, j] != 0.0]
                    for j in range(N)]
        values = [0.0] * N if memory is None else [float(v) for v in memory[:, 0]]
        n_in, first = self.n_inputs, self.n_inputs

        def act(obs):
            values[:n_in] = [float(v) for v in obs]
            new = [0.0] * N
            for j in range(n_in, N):
                z = bias[j]
                for k, w in incoming[j]:
                    z += values[k] * w
                new[j] = acts[j](z)
            new[:n_in] = values[:n_in]
            values[:] = new
            return new[first]
        return act
