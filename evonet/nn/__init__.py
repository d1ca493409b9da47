"""NumPy networks: layer layouts, activations, the batched forward pass, back-propagation
and batched optimisers."""

from evonet.nn.activations import ACTIVATIONS, apply_activation
from evonet.nn.backprop import population_backward
from evonet.nn.graph_backprop import GraphGradients
from evonet.nn.layout import MLPLayout
from evonet.nn.mlp import ROW_CHUNK, chunk_memory_bound, forward
from evonet.nn.optim import SGD, Adam, AdamState, SGDState, take_rows

__all__ = ["ACTIVATIONS", "SGD", "Adam", "AdamState", "GraphGradients", "MLPLayout",
           "ROW_CHUNK", "SGDState", "apply_activation", "chunk_memory_bound", "forward",
           "population_backward", "take_rows"]
