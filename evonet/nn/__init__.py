"""NumPy networks: layer layouts, activations and the batched forward pass."""

from evonet.nn.activations import ACTIVATIONS, apply_activation
from evonet.nn.layout import MLPLayout
from evonet.nn.mlp import ROW_CHUNK, chunk_memory_bound, forward

__all__ = ["ACTIVATIONS", "MLPLayout", "ROW_CHUNK", "apply_activation", "chunk_memory_bound",
           "forward"]
