"""``save(model, path)`` and ``load(path)``: model files of every kind, safe to load.

This module knows the kinds of model a file may hold (:data:`MODEL_KINDS`):
each writes and reads its own part of the file (``to_model_document`` and
``from_model_document``); this module adds the header and metadata (through
:func:`evonet.io.model.write_model`), a ``Pipeline(StandardScaler, model)``'s
scaler, and the final checks. The format is documented in
:mod:`evonet.io.model`.
"""

import warnings

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from evonet.control import EvolvedPolicy
from evonet.estimators import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.io import open_model, write_model

__all__ = ["MODEL_KINDS", "load", "save"]

ESTIMATORS = {"NeuroEvolutionClassifier": NeuroEvolutionClassifier,
              "NeuroEvolutionRegressor": NeuroEvolutionRegressor}
MODEL_KINDS = {**ESTIMATORS, "EvolvedPolicy": EvolvedPolicy}
"""The classes a model file may hold, by the name field ``model`` gives them."""

SCALER_ARRAYS = ("scaler_mean", "scaler_scale")


def _split_pipeline(model):
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
    name = type(est).__name__
    if MODEL_KINDS.get(name) is not type(est):
        raise ValueError(f"cannot save a {name}: save an evonet estimator, a "
                         f"Pipeline(StandardScaler, estimator) or an EvolvedPolicy.")
    document, arrays = est.to_model_document()
    if name in ESTIMATORS and scaler is not None:
        # a Pipeline's input columns are those of its first step
        names = getattr(scaler, "feature_names_in_", None)
        document["feature_names_in"] = None if names is None else [str(n) for n in names]
    if scaler is not None:
        if not scaler.with_std or scaler.scale_ is None:
            raise ValueError("only a StandardScaler with with_std=True can be saved.")
        document["preprocessing"] = {"kind": "standard_scaler"}
        centres = scaler.with_mean and scaler.mean_ is not None
        if not centres:  # it scales only (sparse rows, say): a reader that skips the
            document["preprocessing"]["with_mean"] = False   # field centres on zeros
        mean = scaler.mean_ if centres else np.zeros(len(scaler.scale_))
        arrays["scaler_mean"] = np.asarray(mean, dtype=np.float64)
        arrays["scaler_scale"] = np.asarray(scaler.scale_, dtype=np.float64)
    write_model(path, name, document, arrays, metadata)


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
    archive, fields, name = open_model(path, tuple(MODEL_KINDS))
    with archive:
        model = MODEL_KINDS[name].from_model_document(fields)
        fields.refuse_unread(expected=("preprocessing", "metadata"))
        metadata = fields.raw("metadata", optional=True)
        if metadata is not None and not isinstance(metadata, dict):
            raise fields.error("metadata", "must be a JSON object")
        estimator = name in ESTIMATORS
        n_features = model.n_features_in_ if estimator else model.network_.n_inputs
        scaler = _load_scaler(fields, n_features)
        fields.refuse_unread_arrays()
        if scaler is not None:
            if estimator and hasattr(model, "feature_names_in_"):
                # a Pipeline's input columns are those of its first step
                scaler.feature_names_in_ = model.feature_names_in_
                del model.feature_names_in_
            model = Pipeline([("scale", scaler), ("model", model)])
        if estimator:
            _check_predicts(fields, model, n_features)
        return model


def _load_scaler(fields, n_features):
    preprocessing = fields.raw("preprocessing", optional=True)
    if preprocessing is None:
        return None
    fields.object("preprocessing", ("kind",), optional_keys=("with_mean",))
    fields.string("preprocessing.kind", ("standard_scaler",))
    with_mean = fields.boolean("preprocessing.with_mean", optional=True)
    scaler = StandardScaler(with_mean=with_mean is not False)
    scaler.mean_ = fields.array("scaler_mean", shape=(n_features,))
    scaler.scale_ = fields.array("scaler_scale", shape=(n_features,))
    if (scaler.scale_ <= 0).any():
        raise fields.error("scaler_scale", "must be positive")
    scaler.var_ = scaler.scale_ ** 2
    scaler.n_features_in_ = n_features
    scaler.n_samples_seen_ = 0
    return scaler


def _check_predicts(fields, model, n_features):
    """The last check: the rebuilt model predicts finite values for a row of zeros."""
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
