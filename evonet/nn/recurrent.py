"""Recurrent graph networks from NEAT genomes, a whole population stepped together.

For control tasks, where the loop over time steps is natural: every call to
:meth:`RecurrentPopulation.step` advances all networks (and all their
episodes) by one synchronous activation step, as the paper's NEAT activates
recurrent networks once per time step (Stanley & Miikkulainen 2002).
"""

import numpy as np

from evonet.nn.graph_genes import NODE_FUNCTIONS, GraphGenes, activation_groups, segment_starts

__all__ = ["RecurrentNetwork", "RecurrentPopulation"]


class RecurrentPopulation:
    """A population of recurrent graph networks stepped together through time.

    Any connection is allowed (cycles, self-loops, out of outputs), except into
    inputs. Each :meth:`step` is one synchronous activation of every node from
    the values of the previous step; the values are the carried state
    (zeros after :meth:`reset`).

    Parameters
    ----------
    genomes : sequence of NeatGenome
    dtype : numpy dtype, default=numpy.float64

    Examples
    --------
    >>> import numpy as np
    >>> from evonet.genome.neat import NeatGenome
    >>> # output 1 sums input 0 and its own previous value: a running total
    >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 1.0, True), (1, 1, 1, 1.0, True)])
    >>> nets = RecurrentPopulation([g, g])
    >>> [float(nets.step(np.ones((2, 1)))[0, 0]) for _ in range(3)]
    [1.0, 2.0, 3.0]
    """

    def __init__(self, genomes, dtype=np.float64):
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating dtype, got {self.dtype}.")
        g = GraphGenes(genomes, feed_forward=False)
        self.n_genomes, self.n_inputs, self.n_outputs = g.n_genomes, g.n_inputs, g.n_outputs
        self.n_nodes = g.n_nodes
        order = np.argsort(g.dst, kind="stable")
        self._src = g.src[order]
        self._starts, self._targets = segment_starts(g.dst[order])
        self._weight = g.weight[order].astype(self.dtype)
        self._bias = g.bias.astype(self.dtype)
        inputs = np.zeros(g.n_nodes, dtype=bool)
        inputs[g.inputs.ravel()] = True
        rows = np.flatnonzero(~inputs)
        self._act_groups = [(c, rows if idx is None else rows[idx])
                            for c, idx in activation_groups(g.codes[rows])]
        self._inputs = g.inputs
        self._outputs = g.outputs
        self.values = None

    def reset(self, batch_shape=()):
        """Zero the state; ``batch_shape`` adds trailing axes (several episodes per network)."""
        self.values = np.zeros((self.n_nodes, *batch_shape), dtype=self.dtype)

    def step(self, inputs):
        """One activation step; returns the activated outputs ``(P, n_outputs, *batch)``.

        Parameters
        ----------
        inputs : array-like of shape (P, n_inputs, *batch)
            This time step's observation of every network.
        """
        inputs = np.asarray(inputs, dtype=self.dtype)
        if inputs.shape[:2] != (self.n_genomes, self.n_inputs):
            raise ValueError(f"inputs must have shape ({self.n_genomes}, {self.n_inputs}, ...), "
                             f"got {inputs.shape}.")
        batch = inputs.shape[2:]
        if self.values is None or self.values.shape[1:] != batch:
            self.reset(batch)
        values = self.values
        values[self._inputs] = inputs
        new = np.empty_like(values)
        new[:] = self._bias.reshape(-1, *([1] * len(batch)))
        if self._src.size:
            z = values[self._src]
            z *= self._weight.reshape(-1, *([1] * len(batch)))
            new[self._targets] += np.add.reduceat(z, self._starts, axis=0)
        for code, rows in self._act_groups:
            new[rows] = NODE_FUNCTIONS[code](new[rows])
        new[self._inputs] = inputs
        self.values = new
        return new[self._outputs]


class RecurrentNetwork:
    """One genome as a recurrent network stepped one observation at a time (float64).

    Examples
    --------
    >>> from evonet.genome.neat import NeatGenome
    >>> g = NeatGenome(1, 1, connections=[(0, 0, 1, 0.5, True), (1, 1, 1, 1.0, True)])
    >>> net = RecurrentNetwork(g)
    >>> [float(net.step([2.0])[0]) for _ in range(3)]
    [1.0, 2.0, 3.0]
    >>> net.reset()
    >>> float(net.step([2.0])[0])
    1.0
    """

    def __init__(self, genome):
        self.genome = genome
        self._population = RecurrentPopulation([genome], np.float64)

    def reset(self):
        """Zero the state."""
        self._population.reset()

    def step(self, inputs):
        """Outputs ``(n_outputs,)`` after one activation step on ``inputs`` ``(n_inputs,)``."""
        inputs = np.asarray(inputs, dtype=np.float64).reshape(1, -1)
        return self._population.step(inputs)[0]
