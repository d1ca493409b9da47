"""Model files: ``save(model, path)`` and ``load(path)``, safe to load from a stranger.

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
                    | {"kind": "neat", "n_inputs", "n_outputs", "output_activation"}
                      arrays genome_nodes (n x 4) and genome_connections (m x 5),
                      the columns of evonet.genome.neat
    targets           {"kind": "classes", "label_type"} with array classes
                    | {"kind": "values", "ndim"} with arrays target_mean and
                      target_scale (the regressor's output scaling)
    training          {"strategy", "n_iter", "n_evaluations", "best_loss",
                       "best_validation_score", "logbook_columns"} with arrays
                      loss_curve, validation_scores (optional) and logbook
                      (one row per generation, NaN where a record lacks a column)
    preprocessing     null | {"kind": "standard_scaler"} with arrays scaler_mean and
                      scaler_scale: a Pipeline(StandardScaler, estimator)
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
"""

import numpy as np

from evonet.io._archive import Archive, write_archive
from evonet.io._estimator import (
    ESTIMATOR_KEYS,
    estimator_document,
    load_estimator,
    logbook_table,
    read_logbook,
)
from evonet.io._fields import Fields, jsonable
from evonet.version import __version__

__all__ = ["MODEL_VERSION", "load", "save"]

MODEL_FORMAT = "evonet.model"
MODEL_VERSION = (1, 0)
DOCUMENT = "model.json"
ESTIMATORS = ("NeuroEvolutionClassifier", "NeuroEvolutionRegressor")
COMMON_KEYS = ("format", "format_version", "evonet_version", "model")


def _split_pipeline(model):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if isinstance(model, Pipeline):
        steps = [step for _, step in model.steps if step != "passthrough"]
        if len(steps) == 2 and type(steps[0]) is StandardScaler:
            return steps[0], steps[1]
        if len(steps) == 1:
            return None, steps[0]
        raise ValueError("only a Pipeline of a StandardScaler and an evonet estimator can be "
                         "saved.")
    return None, model


def save(model, path, metadata=None):
    """Save a fitted model to ``path`` (atomically; an existing file is replaced).

    Parameters
    ----------
    model : NeuroEvolutionClassifier, NeuroEvolutionRegressor, EvolvedPolicy or Pipeline
        A fitted estimator, a ``Pipeline`` of a ``StandardScaler`` and one, or
        a policy from :func:`~evonet.control.evolve_policy`.
    path : str or os.PathLike
    metadata : dict, default=None
        JSON-ready values stored with the model.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from evonet import NeuroEvolutionClassifier, load, save
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = NeuroEvolutionClassifier((4,), max_generations=10, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.evonet")
    >>> save(clf, path)
    >>> bool((load(path).predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    scaler, est = _split_pipeline(model)
    arrays = {}
    document = {"format": MODEL_FORMAT,
                "format_version": f"{MODEL_VERSION[0]}.{MODEL_VERSION[1]}",
                "evonet_version": __version__, "model": type(est).__name__}
    if type(est).__name__ in ESTIMATORS:
        document.update(estimator_document(est, arrays))
        names = getattr(scaler if scaler is not None else est, "feature_names_in_", None)
        document["feature_names_in"] = None if names is None else [str(n) for n in names]
    elif type(est).__name__ == "EvolvedPolicy":
        document.update(_policy_document(est, arrays))
    else:
        raise ValueError(f"cannot save a {type(est).__name__}: save an evonet estimator, a "
                         f"Pipeline(StandardScaler, estimator) or an EvolvedPolicy.")
    if scaler is not None:
        if scaler.mean_ is None or scaler.scale_ is None:
            raise ValueError("only a StandardScaler with with_mean=True and with_std=True "
                             "can be saved.")
        document["preprocessing"] = {"kind": "standard_scaler"}
        arrays["scaler_mean"] = np.asarray(scaler.mean_, dtype=np.float64)
        arrays["scaler_scale"] = np.asarray(scaler.scale_, dtype=np.float64)
    else:
        document["preprocessing"] = None
    document["metadata"] = jsonable(metadata or {}, "metadata")
    write_archive(path, DOCUMENT, document, arrays)


def _policy_document(policy, arrays):
    config = dict(policy.get_config())
    if "genome" in config:
        genome = config.pop("genome")
        arrays["genome_nodes"] = np.asarray(genome["nodes"], dtype=np.float64).reshape(-1, 4)
        arrays["genome_connections"] = np.asarray(genome["connections"],
                                                  dtype=np.float64).reshape(-1, 5)
    else:
        arrays["weights"] = np.asarray(config.pop("weights"), dtype=np.float64)
    training = {"n_generations": getattr(policy, "n_generations_", None),
                "n_evaluations": getattr(policy, "n_evaluations_", None),
                "best_fitness": getattr(policy, "best_fitness_", None),
                "target_reached": getattr(policy, "target_reached_", None)}
    logbook = getattr(policy, "logbook_", None)
    if logbook is not None:
        training["logbook_columns"], arrays["logbook"] = logbook_table(logbook)
    return {"policy": jsonable(config, "policy"), "training": jsonable(training, "training")}


def open_model(path):
    """Open a model file and check its header: ``(archive, fields, model name)``.

    Examples
    --------
    >>> import os
    >>> open_model(os.devnull)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: /dev/null: is not a valid evonet model file (not a readable zip archive: ...).
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
        name = fields.string("model", ESTIMATORS + ("EvolvedPolicy",))
    except BaseException:
        archive.close()
        raise
    return archive, fields, name


def load(path):
    """Load a model saved by :func:`save` (or ``model.save``, or ``evonet fit --out``).

    Nothing in the file is unpickled or imported; every field is checked, and
    a damaged, truncated or hand-edited file raises ``ValueError`` naming the
    field (a missing file raises ``FileNotFoundError``). The result predicts
    exactly as the saved model did.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    NeuroEvolutionClassifier, NeuroEvolutionRegressor, Pipeline or EvolvedPolicy
        A ``Pipeline(StandardScaler, estimator)`` when the file holds one.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from evonet import NeuroEvolutionRegressor, load
    >>> X = np.linspace(-1, 1, 40)[:, None]
    >>> reg = NeuroEvolutionRegressor((3,), max_generations=20, random_state=0).fit(X, X[:, 0])
    >>> path = os.path.join(tempfile.mkdtemp(), "line.evonet")
    >>> reg.save(path)
    >>> np.array_equal(load(path).predict(X), reg.predict(X))
    True
    >>> _ = open(path, "r+b").write(b"garbage")
    >>> load(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...line.evonet: member model.json is corrupted (BadZipFile: ...).
    """
    archive, fields, name = open_model(path)
    with archive:
        if name == "EvolvedPolicy":
            model, names = _load_policy(fields)
            keys = ("policy", "training")
        else:
            model, names = load_estimator(fields, name)
            keys = ESTIMATOR_KEYS + ("feature_names_in",)
        unknown = sorted(set(archive.document) - set(COMMON_KEYS + keys)
                         - {"preprocessing", "metadata"})
        if unknown and not fields.newer_minor:
            raise fields.error(unknown[0], "is not a known field")
        metadata = fields.raw("metadata", optional=True)
        if metadata is not None and not isinstance(metadata, dict):
            raise fields.error("metadata", "must be a JSON object")
        n_features = model.network_.n_inputs if name == "EvolvedPolicy" else model.n_features_in_
        scaler, scaler_names = _load_scaler(fields, n_features)
        names += scaler_names
        if name != "EvolvedPolicy":
            _set_feature_names(fields, model if scaler is None else scaler, n_features)
        extra = sorted(set(archive.array_names()) - set(names))
        if extra and not fields.newer_minor:
            raise fields.error(f"arrays/{extra[0]}.npy", "is not a known array")
        if scaler is not None:
            from sklearn.pipeline import Pipeline

            model = Pipeline([("scale", scaler), ("model", model)])
        if name != "EvolvedPolicy":
            _check_predicts(fields, model, n_features)
        return model


def _set_feature_names(fields, step, n_features):
    names = fields.strings("feature_names_in", length=n_features, optional=True)
    if names is not None:
        step.feature_names_in_ = np.array(names, dtype=object)


def _load_scaler(fields, n_features):
    preprocessing = fields.raw("preprocessing", optional=True)
    if preprocessing is None:
        return None, []
    from sklearn.preprocessing import StandardScaler

    fields.object("preprocessing", ("kind",))
    fields.string("preprocessing.kind", ("standard_scaler",))
    scaler = StandardScaler()
    scaler.mean_ = fields.array("scaler_mean", shape=(n_features,))
    scaler.scale_ = fields.array("scaler_scale", shape=(n_features,))
    if (scaler.scale_ <= 0).any():
        raise fields.error("scaler_scale", "must be positive")
    scaler.var_ = scaler.scale_ ** 2
    scaler.n_features_in_ = n_features
    scaler.n_samples_seen_ = 0
    return scaler, ["scaler_mean", "scaler_scale"]


def _check_predicts(fields, model, n_features):
    """The last check: the rebuilt model predicts finite values for a row of zeros."""
    import warnings

    X = np.zeros((1, n_features))
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")   # feature names: a plain array is fine here
            output = model.predict_proba(X) if hasattr(model, "predict_proba") \
                else model.predict(X)
    except Exception as exc:  # a rebuilt model that cannot predict is a damaged file
        raise fields.error("network", f"does not make a working model ({type(exc).__name__}: "
                                      f"{exc})") from None
    if np.asarray(output).dtype.kind == "f" and not np.isfinite(output).all():
        raise fields.error("network", "weights give non-finite outputs")


def _load_policy(fields):
    from evonet.control import EvolvedPolicy

    config = fields.object("policy", ("network", "env"))
    network = config["network"]
    if isinstance(network, dict) and network.get("type") == "NeatPolicy":
        names = ["genome_nodes", "genome_connections"]
        config = dict(config, genome={
            "nodes": fields.array("genome_nodes", shape=(None, 4)),
            "connections": fields.array("genome_connections", shape=(None, 5))})
    else:
        names = ["weights"]
        config = dict(config, weights=fields.array("weights", ndim=1))
    fields.object("training", ("n_generations", "n_evaluations", "best_fitness",
                               "target_reached"), optional_keys=("logbook_columns",))
    try:
        policy = EvolvedPolicy.from_config(config)
    except Exception as exc:  # from_config rebuilds the network and environment
        raise fields.error("policy", f"does not make a policy ({type(exc).__name__}: "
                                     f"{exc})") from None
    training = {"n_generations_": fields.integer("training.n_generations", optional=True),
                "n_evaluations_": fields.integer("training.n_evaluations", optional=True),
                "best_fitness_": fields.number("training.best_fitness", optional=True),
                "target_reached_": fields.boolean("training.target_reached", optional=True)}
    for key, value in training.items():
        if value is not None:
            setattr(policy, key, value)
    if fields.archive.has_array("logbook") or "logbook_columns" in fields.raw("training"):
        policy.logbook_ = read_logbook(fields)
        names.append("logbook")
    return policy, names


def read_metadata(path):
    """The ``metadata`` object of a model file (after checking its header).

    Examples
    --------
    >>> import os
    >>> read_metadata(os.devnull)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: /dev/null: is not a valid evonet model file (not a readable zip archive: ...).
    """
    archive, fields, _ = open_model(path)
    with archive:
        metadata = fields.raw("metadata", optional=True)
        if not isinstance(metadata, dict):
            raise fields.error("metadata", "must be a JSON object")
        return metadata
