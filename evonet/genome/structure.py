"""What a genome's graph does: the hidden nodes on a path from the inputs to the outputs."""

import numpy as np

from evonet.genome.neat import ENABLED, IN_NODE, OUT_NODE

__all__ = ["active_hidden_nodes"]


def active_hidden_nodes(genome):
    """Ids of the hidden nodes on an enabled path from an input to an output.

    These are the hidden nodes that matter (the paper's count of a solution's
    hidden nodes); others hang off the network without effect on its outputs
    except through a constant.

    Examples
    --------
    >>> from evonet.genome.neat import NeatGenome
    >>> g = NeatGenome(1, 1, nodes=[(0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0)],
    ...                connections=[(0, 0, 2, 1.0, True), (1, 2, 1, 1.0, True),
    ...                             (2, 0, 3, 1.0, True)])
    >>> active_hidden_nodes(g)
    [2]
    """
    enabled = genome.connections[genome.connections[:, ENABLED] > 0]
    forward, backward = {}, {}
    for a, b in enabled[:, IN_NODE:OUT_NODE + 1].astype(np.int64).tolist():
        forward.setdefault(a, []).append(b)
        backward.setdefault(b, []).append(a)

    def reach(starts, edges):
        seen, stack = set(starts), list(starts)
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    n_io = genome.n_inputs + genome.n_outputs
    from_inputs = reach(range(genome.n_inputs), forward)
    to_outputs = reach(range(genome.n_inputs, n_io), backward)
    return sorted(n for n in from_inputs & to_outputs if n >= n_io)
