"""Persistence: model files and checkpoints, versioned, written atomically, loaded without pickle.

Both kinds of file are one zip archive holding a JSON document and ``.npy``
arrays (``arrays/NAME.npy``):

* model files (:func:`evonet.save`, :func:`evonet.load`, ``model.save(path)``):
  the network's architecture and weights, class labels or output scaling, the
  standardisation of a saved ``Pipeline``, and a training summary; the
  layout is documented in :mod:`evonet.io.model`;
* checkpoints (the ``checkpoint`` parameter of the estimators, the
  :class:`~evonet.callbacks.Checkpoint` callback): the whole state of a
  run, so that it resumes bit for bit; see :mod:`evonet.io.checkpoint`.

Every write goes to a temporary file in the same folder that is flushed,
``fsync``-ed and moved into place with ``os.replace`` (:func:`atomic_write`).
Every read checks each field and array header before use and refuses pickled
data: a damaged or hand-edited file raises ``ValueError`` naming the problem.

This package is the lowest layer of persistence: it knows the file formats,
not the models. Each model kind writes and reads its own part of a model file
(``to_model_document`` / ``from_model_document``), and :mod:`evonet.saving`,
above the estimators and the policies, knows the kinds.

Examples
--------
>>> from evonet.io import MODEL_VERSION, CHECKPOINT_VERSION
>>> MODEL_VERSION, CHECKPOINT_VERSION
((1, 2), (1, 0))
"""

from evonet.io._archive import Archive, write_archive
from evonet.io._fields import Fields, jsonable
from evonet.io._writing import WriteError, atomic_write, write_problem
from evonet.io.checkpoint import (
    CHECKPOINT_VERSION,
    read_checkpoint,
    read_checkpoint_metadata,
    write_checkpoint,
)
from evonet.io.model import (
    MODEL_VERSION,
    logbook_arrays,
    logbook_table,
    open_model,
    read_logbook,
    read_metadata,
    write_model,
)

__all__ = ["CHECKPOINT_VERSION", "MODEL_VERSION", "Archive", "Fields", "WriteError",
           "atomic_write", "jsonable", "logbook_arrays", "logbook_table", "open_model",
           "read_checkpoint", "read_checkpoint_metadata", "read_logbook", "read_metadata",
           "write_archive", "write_checkpoint", "write_model", "write_problem"]
