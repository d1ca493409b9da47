"""Shared helpers of the NEAT tests: random genomes and a plain per-genome evaluator."""

import math

import numpy as np

from evonet.genome.initializers import minimal_population
from evonet.genome.innovation import InnovationRegistry
from evonet.genome.neat import (
    ACTIVATION,
    BIAS,
    ENABLED,
    IN_NODE,
    NODE_ACTIVATIONS,
    NODE_ID,
    OUT_NODE,
    WEIGHT,
)
from evonet.operators.neat import add_connection, add_node, mutate_biases, toggle_connection

REFERENCE_ACTIVATIONS = {
    "identity": lambda z: z,
    "neat_sigmoid": lambda z: 1.0 / (1.0 + math.exp(-4.9 * z)) if z > -100 else 0.0,
    "logistic": lambda z: 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0,
    "tanh": math.tanh,
    "relu": lambda z: max(z, 0.0),
}


def random_genomes(n, n_inputs, n_outputs, seed, steps=12, feed_forward=True,
                   mixed_activations=True):
    """``n`` genomes grown from minimal ones by random structural mutations."""
    rng = np.random.default_rng(seed)
    registry = InnovationRegistry.minimal(n_inputs, n_outputs)
    genomes = minimal_population(n, n_inputs, n_outputs, rng, bias_std=1.0)
    for g in genomes:
        for _ in range(int(rng.integers(0, steps + 1))):
            r = rng.random()
            if r < 0.35:
                add_node(g, registry, rng, "tanh")
            elif r < 0.8:
                add_connection(g, registry, rng, feed_forward)
            else:
                toggle_connection(g, rng)
        mutate_biases(g, rng, power=1.0, replace_rate=0.0, init_std=1.0, limit=None,
                      distribution="gaussian")
        if mixed_activations:
            hidden = g.nodes[:, NODE_ID] >= n_inputs + n_outputs
            g.nodes[hidden, ACTIVATION] = rng.integers(0, len(NODE_ACTIVATIONS), hidden.sum())
    return genomes, registry


def reference_forward(genome, x, activate_outputs):
    """Outputs of one genome on one input row, by plain recursion over its graph."""
    ids = genome.nodes[:, NODE_ID].astype(int).tolist()
    bias = dict(zip(ids, genome.nodes[:, BIAS].tolist()))
    act = dict(zip(ids, [NODE_ACTIVATIONS[int(c)] for c in genome.nodes[:, ACTIVATION]]))
    incoming = {}
    for a, b, w, e in genome.connections[:, [IN_NODE, OUT_NODE, WEIGHT, ENABLED]].tolist():
        if e:
            incoming.setdefault(int(b), []).append((int(a), w))
    n_in, n_io = genome.n_inputs, genome.n_inputs + genome.n_outputs
    memo = {i: float(x[i]) for i in range(n_in)}

    def value(node, raw=False):
        if node in memo and not raw:
            return memo[node]
        s = bias[node] + sum(w * value(a) for a, w in incoming.get(node, []))
        if raw:
            return s
        memo[node] = REFERENCE_ACTIVATIONS[act[node]](s)
        return memo[node]

    return [value(o, raw=not activate_outputs) for o in range(n_in, n_io)]


def reference_step(genome, state, x):
    """One synchronous recurrent step of one genome; ``state`` maps node id -> value."""
    ids = genome.nodes[:, NODE_ID].astype(int).tolist()
    values = {i: state.get(i, 0.0) for i in ids}
    for i in range(genome.n_inputs):
        values[i] = float(x[i])
    new = {}
    for k, i in enumerate(ids):
        if i < genome.n_inputs:
            new[i] = float(x[i])
            continue
        s = genome.nodes[k, BIAS]
        for a, b, w, e in genome.connections[:, [IN_NODE, OUT_NODE, WEIGHT, ENABLED]].tolist():
            if e and int(b) == i:
                s += w * values[int(a)]
        new[i] = REFERENCE_ACTIVATIONS[NODE_ACTIVATIONS[int(genome.nodes[k, ACTIVATION])]](s)
    return new
