"""The model-file format: ``evonet.save(model, path)`` and ``evonet.load(path)`` write and read it.

A model file is a zip archive (see :mod:`evonet.io`) of ``model.json`` and
``arrays/*.npy``. The JSON document (format ``evonet.model``, version
:data:`MODEL_VERSION`) holds::

    format, format_version, evonet_version
    model             "NeuroEvolutionClassifier" | "NeuroEvolutionRegressor" | "EvolvedPolicy"
    params            the estimator's parameters (as JSON)
    n_features_in     number of input features
    feature_names_in  column names the model was fitted with, or null
    network           {"kind": "mlp", "layer_sizes", "activation", "output_activation"}
                      arrays coefs_K (fan_in x fan_out) and intercepts_K (fan_out)
                    | {"kind": "neat", "n_inputs", "n_outputs", "output_activation",
                       "float32" (optional, format 1.2: fitted on float32 data, so
                       float32 rows predict float32)}
                      arrays genome_nodes (n x 4) and genome_connections (m x 5),
                      the columns of evonet.genome.neat
    targets           {"kind": "classes", "label_type"} with array classes
                    | {"kind": "values", "ndim"} with arrays target_mean and
                      target_scale (the regressor's output scaling)
    training          {"strategy", "n_iter", "n_evaluations", "best_loss",
                       "best_validation_score", "logbook_columns"} with arrays
                      loss_curve, validation_scores (optional) and logbook
                      (one row per generation, NaN where a record lacks a column:
                      gen, nevals, the population's min, mean, std and max loss,
                      loss on checks, val_score, seconds; 1.0 files lack std and
                      max) and, for NEAT runs, logbook_species (int64 rows
                      record, species key, size; format 1.1)
    pareto            (strategy "nsga2" only) {"network_index"} with arrays pareto_params
                      (one evolved weight vector per front network, zeros where masked)
                      and pareto_objectives (loss, n_weights per network)
    preprocessing     null | {"kind": "standard_scaler", "with_mean" (optional, format
                      1.2: false for a scaler that only scales)} with arrays
                      scaler_mean and scaler_scale: a Pipeline(StandardScaler, estimator)
    metadata          free JSON object of the writer (the command line keeps its
                      data source and feature columns here)

An ``EvolvedPolicy`` file holds ``policy`` (the network's and the
environment's configuration), the array ``weights`` (for a ``NeatPolicy``
network, the genome's arrays ``genome_nodes`` and ``genome_connections``
instead) and ``training`` (``n_generations``, ``n_evaluations``,
``best_fitness``, ``target_reached``, and with the optional array
``logbook`` its ``logbook_columns``, as for estimators).

Loading checks every field and array (types, shapes, finite weights, known
activations, consistent sizes, a supported major version) and then that the
model predicts; any failure raises ``ValueError`` naming the field. Nothing
is unpickled and no name read from the file is imported.

Who writes what: this module writes and checks the header (``format`` to
``model``) and ``metadata``, and holds the logbook table; each model kind
describes itself (its ``to_model_document`` method) and rebuilds itself from
the checked fields (its ``from_model_document`` classmethod); the estimators
and ``EvolvedPolicy`` live above this package, and so does
:mod:`evonet.saving`, which knows the kinds and adds a ``Pipeline``'s scaler
(``preprocessing``).
"""

import numpy as np
from deap import tools

from evonet.io._archive import Archive, write_archive
from evonet.io._fields import Fields, jsonable
from evonet.version import __version__

__all__ = ["MODEL_VERSION", "logbook_arrays", "logbook_table", "open_model", "read_logbook",
           "read_metadata", "write_model"]

MODEL_FORMAT = "evonet.model"
MODEL_VERSION = (1, 2)
"""1.1 added the optional array ``logbook_species``, 1.2 the optional ``network.float32`` of
NEAT models and ``preprocessing.with_mean``; older files read the same."""
DOCUMENT = "model.json"
INT_COLUMNS = ("gen", "nevals")
"""Logbook columns that hold integers (stored as floats in the table)."""
SPECIES = "species:"
"""Logbook entries ``species:KEY`` (a NEAT species' size) are kept apart, in the array
``logbook_species`` of ``(record, KEY, size)`` rows: a run founds hundreds of species,
each alive for a few generations, and one table column each would be mostly NaN."""


def write_model(path, model, document, arrays, metadata=None):
    """Write a model file, atomically: the header, ``document``'s fields, ``metadata``.

    Parameters
    ----------
    path : str or os.PathLike
    model : str
        The model kind's name (field ``model``).
    document : dict
        The kind's JSON-ready fields, in order (a ``preprocessing`` field
        defaults to ``null``).
    arrays : dict of str to ndarray
    metadata : dict, default=None
        JSON-ready values stored with the model.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "m.evonet")
    >>> write_model(path, "Example", {"size": 3}, {}, metadata={"note": "hi"})
    >>> archive, fields, name = open_model(path)
    >>> with archive:
    ...     name, archive.document["size"], archive.document["preprocessing"]
    ('Example', 3, None)
    >>> read_metadata(path)
    {'note': 'hi'}
    """
    header = {"format": MODEL_FORMAT,
              "format_version": f"{MODEL_VERSION[0]}.{MODEL_VERSION[1]}",
              "evonet_version": __version__, "model": model}
    content = {**header, **document}
    content.setdefault("preprocessing", None)
    content["metadata"] = jsonable(metadata or {}, "metadata")
    write_archive(path, DOCUMENT, content, arrays)


def open_model(path, models=None):
    """Open a model file and check its header: ``(archive, fields, model name)``.

    Parameters
    ----------
    path : str or os.PathLike
    models : sequence of str, default=None
        The model names accepted; ``None`` accepts any.

    Examples
    --------
    >>> import os
    >>> open_model(os.devnull)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: /dev/null is not a valid evonet model file (not a readable zip archive: ...).
    """
    archive = Archive(path, DOCUMENT, what="evonet model file")
    fields = Fields(archive)
    try:
        if fields.raw("format", optional=True) != MODEL_FORMAT:
            raise fields.error("format", f"is {fields.raw('format', optional=True)!r}, not "
                                         f"{MODEL_FORMAT!r}: not an evonet model file")
        version = fields.string("format_version")
        parts = version.split(".")
        if len(parts) != 2 or not all(p.isdigit() and len(p) < 6 for p in parts):
            raise fields.error("format_version", f"must look like '1.0', got {version!r}")
        major, minor = int(parts[0]), int(parts[1])
        if major > MODEL_VERSION[0]:
            raise fields.error("format_version", f"is {version}, newer than this evonet reads "
                                                 f"({MODEL_VERSION[0]}.x): upgrade evonet")
        if major < 1:
            raise fields.error("format_version", f"is {version}, which no evonet wrote")
        fields.newer_minor = minor > MODEL_VERSION[1]
        fields.string("evonet_version")
        name = fields.string("model", None if models is None else tuple(models))
    except BaseException:
        archive.close()
        raise
    return archive, fields, name


def read_metadata(path):
    """The ``metadata`` object of a model file (after checking its header).

    Examples
    --------
    >>> import os
    >>> read_metadata(os.devnull)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: /dev/null is not a valid evonet model file (not a readable zip archive: ...).
    """
    archive, fields, _ = open_model(path)
    with archive:
        metadata = fields.raw("metadata", optional=True)
        if not isinstance(metadata, dict):
            raise fields.error("metadata", "must be a JSON object")
        return metadata


def logbook_table(logbook):
    """A logbook as ``(columns, table)``: its keys, and one float row per record (NaN if absent).

    Examples
    --------
    >>> logbook_table([{"gen": 0, "min": 1.5}, {"gen": 1}])
    (['gen', 'min'], array([[0. , 1.5],
           [1. , nan]]))
    """
    columns = {}   # a dict keeps the order and finds a key at once (NEAT adds many)
    for record in logbook:
        columns.update(dict.fromkeys(record))
    columns = list(columns)
    table = np.array([[record.get(k, np.nan) for k in columns] for record in logbook],
                     dtype=np.float64).reshape(len(logbook), len(columns))
    return columns, table


def logbook_arrays(logbook):
    """A logbook as ``(columns, arrays)``: the table and, for NEAT, ``logbook_species``.

    Examples
    --------
    >>> columns, arrays = logbook_arrays([{"gen": 1, "species:0": 9},
    ...                                   {"gen": 2, "species:0": 5, "species:3": 4}])
    >>> columns, arrays["logbook"].tolist(), arrays["logbook_species"].tolist()
    (['gen'], [[1.0], [2.0]], [[0, 0, 9], [1, 0, 5], [1, 3, 4]])
    """
    species = [(row, int(key[len(SPECIES):]), int(size)) for row, record in enumerate(logbook)
               for key, size in record.items() if key.startswith(SPECIES)]
    columns, table = logbook_table([{k: v for k, v in r.items() if not k.startswith(SPECIES)}
                                    for r in logbook])
    arrays = {"logbook": table}
    if species:
        arrays["logbook_species"] = np.array(species, dtype=np.int64)
    return columns, arrays


def _add_species(fields, records):
    """Put the ``logbook_species`` rows back into ``records`` as ``species:KEY`` entries."""
    rows = fields.array("logbook_species", shape=(None, 3), kinds="i")
    if rows.size and (rows.min() < 0 or rows[:, 0].max() >= len(records)):
        raise fields.error("logbook_species", "names a record or species that does not exist")
    for row, key, size in rows.tolist():
        records[row][f"{SPECIES}{key}"] = size


def read_logbook(fields, columns_field="training.logbook_columns"):
    """The ``deap.tools.Logbook`` of the ``logbook`` array and its column names field.

    Examples
    --------
    >>> import os, tempfile
    >>> columns, table = logbook_table([{"gen": 0, "min": 1.5}, {"gen": 1}])
    >>> path = os.path.join(tempfile.mkdtemp(), "m.evonet")
    >>> write_model(path, "Example", {"training": {"logbook_columns": columns}},
    ...             {"logbook": table})
    >>> archive, fields, _ = open_model(path)
    >>> with archive:
    ...     list(read_logbook(fields))
    [{'gen': 0, 'min': 1.5}, {'gen': 1}]
    """
    columns = fields.strings(columns_field)
    if len(set(columns)) != len(columns):
        raise fields.error(columns_field, "repeats a column")
    table = fields.array("logbook", shape=(None, len(columns)), values="any")
    logbook = tools.Logbook()
    logbook.header = columns
    for row in table.tolist():
        logbook.append({c: (int(v) if c in INT_COLUMNS and np.isfinite(v) else v)
                        for c, v in zip(columns, row) if not np.isnan(v)})
    if fields.archive.has_array("logbook_species"):
        _add_species(fields, logbook)
    return logbook
