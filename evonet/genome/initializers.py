"""Where NEAT runs start: minimal genomes.

Every genome of a run begins with each input connected to each output and no
hidden node (Stanley & Miikkulainen 2002, Section 3.4); the connections get
the same innovation numbers in every genome, those that
:meth:`InnovationRegistry.minimal <evonet.genome.innovation.InnovationRegistry.minimal>`
gives a run's registry.
"""

import numbers

import numpy as np

from evonet.checks import check_int
from evonet.genome.neat import (
    ACTIVATION,
    BIAS,
    ENABLED,
    IN_NODE,
    INNOVATION,
    LEVEL,
    NODE_ID,
    OUT_NODE,
    WEIGHT,
    activation_code,
)
from evonet.genome.types import NeatIndividual

__all__ = ["MinimalInitializer", "minimal_genome", "minimal_population"]


def minimal_population(n, n_inputs, n_outputs, rng, weight_std=1.0, bias_std=0.0,
                       output_activation="identity", cls=None):
    """``n`` genomes with every input connected to every output and no hidden node.

    The paper's starting topology (Section 3.4). Connection ``i -> n_inputs + j``
    has innovation ``i * n_outputs + j`` in every genome, so the genomes of a
    population align. Weights are ``N(0, weight_std^2)``, output biases
    ``N(0, bias_std^2)``, all drawn at once.

    Parameters
    ----------
    n : int
        Number of genomes.
    n_inputs, n_outputs : int
    rng : numpy.random.Generator
    weight_std, bias_std : float, default=1.0, 0.0
    output_activation : str, default="identity"
        Activation gene of the outputs (a name of ``NODE_ACTIVATIONS``).
    cls : type, default=None
        Genome class; ``None`` gives :data:`evonet.genome.types.NeatIndividual`.

    Examples
    --------
    >>> import numpy as np
    >>> pop = minimal_population(3, 2, 1, np.random.default_rng(0))
    >>> len(pop), pop[0].connections[:, [INNOVATION, IN_NODE, OUT_NODE]].tolist()
    (3, [[0.0, 0.0, 2.0], [1.0, 1.0, 2.0]])
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}.")
    n_inputs = check_int(n_inputs, "n_inputs")
    n_outputs = check_int(n_outputs, "n_outputs")
    for value, name in ((weight_std, "weight_std"), (bias_std, "bias_std")):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}.")
    code = activation_code(output_activation)
    if cls is None:
        cls = NeatIndividual
    n_io = n_inputs + n_outputs
    m = n_inputs * n_outputs
    nodes = np.zeros((n, n_io, 4))
    nodes[:, :, NODE_ID] = np.arange(n_io)
    nodes[:, n_inputs:, ACTIVATION] = code
    nodes[:, n_inputs:, LEVEL] = 1.0
    if bias_std:
        nodes[:, n_inputs:, BIAS] = rng.normal(0.0, bias_std, (n, n_outputs))
    conns = np.empty((n, m, 5))
    conns[:, :, INNOVATION] = np.arange(m)
    conns[:, :, IN_NODE] = np.repeat(np.arange(n_inputs), n_outputs)
    conns[:, :, OUT_NODE] = np.tile(np.arange(n_inputs, n_io), n_inputs)
    conns[:, :, WEIGHT] = rng.normal(0.0, weight_std, (n, m))
    conns[:, :, ENABLED] = 1.0
    return [cls.from_genes(n_inputs, n_outputs, nodes[k], conns[k]) for k in range(n)]


def minimal_genome(n_inputs, n_outputs, rng, weight_std=1.0, bias_std=0.0,
                   output_activation="identity", cls=None):
    """One genome of :func:`minimal_population`.

    Examples
    --------
    >>> import numpy as np
    >>> minimal_genome(2, 1, np.random.default_rng(0))
    EvonetNeat(n_inputs=2, n_outputs=1, n_hidden=0, n_connections=2, n_enabled=2)
    """
    return minimal_population(1, n_inputs, n_outputs, rng, weight_std, bias_std,
                              output_activation, cls)[0]


class MinimalInitializer:
    """``initializer(n, rng)`` of a NEAT run: ``n`` minimal genomes (picklable).

    What :meth:`evonet.strategies.NEAT.init` and :class:`evonet.evolve.Run`
    take as ``initializer``.

    Parameters
    ----------
    n_inputs, n_outputs : int
    weight_std, bias_std : float, default=1.0, 0.0
    output_activation : str, default="identity"

    Examples
    --------
    >>> import numpy as np
    >>> init = MinimalInitializer(4, 3)
    >>> [g.n_enabled for g in init(2, np.random.default_rng(0))]
    [12, 12]
    """

    def __init__(self, n_inputs, n_outputs, weight_std=1.0, bias_std=0.0,
                 output_activation="identity"):
        self.n_inputs = check_int(n_inputs, "n_inputs")
        self.n_outputs = check_int(n_outputs, "n_outputs")
        self.weight_std = float(weight_std)
        self.bias_std = float(bias_std)
        activation_code(output_activation)
        self.output_activation = output_activation

    def __repr__(self):
        return f"MinimalInitializer({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    def __call__(self, n, rng):
        return minimal_population(n, self.n_inputs, self.n_outputs, rng, self.weight_std,
                                  self.bias_std, self.output_activation)
