"""Persistence: model files and checkpoints, versioned, written atomically, loaded without pickle.

Both kinds of file are one zip archive holding a JSON document and ``.npy``
arrays (``arrays/NAME.npy``):

* model files (:func:`save`, :func:`load`, ``model.save(path)``): the
  network's architecture and weights, class labels or output scaling, the
  standardisation of a saved ``Pipeline``, and a training summary; the
  layout is documented in :mod:`evonet.io.model`;
* checkpoints (the ``checkpoint`` parameter of the estimators, the
  :class:`~evonet.callbacks.Checkpoint` callback): the whole state of a
  run, so that it resumes bit for bit; see :mod:`evonet.io.checkpoint`.

Every write goes to a temporary file in the same folder that is flushed,
``fsync``-ed and moved into place with ``os.replace``. Every read checks each
field and array header before use and refuses pickled data: a damaged or
hand-edited file raises ``ValueError`` naming the problem.

Examples
--------
>>> from evonet.io import MODEL_VERSION, CHECKPOINT_VERSION
>>> MODEL_VERSION, CHECKPOINT_VERSION
((1, 0), (1, 0))
"""

from evonet.io._archive import WriteError, atomic_write
from evonet.io.checkpoint import (
    CHECKPOINT_VERSION,
    read_checkpoint,
    read_checkpoint_metadata,
    write_checkpoint,
)
from evonet.io.model import MODEL_VERSION, load, save

__all__ = ["CHECKPOINT_VERSION", "MODEL_VERSION", "WriteError", "atomic_write", "load",
           "read_checkpoint", "read_checkpoint_metadata", "save", "write_checkpoint"]
