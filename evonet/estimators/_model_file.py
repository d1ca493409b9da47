"""The estimators' part of a model file: describe a fitted estimator, rebuild and check one.

The fields are documented with the format, in :mod:`evonet.io.model`.
"""

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from evonet.estimators._architecture import MLPArchitecture, NEATArchitecture
from evonet.estimators._params import check_params
from evonet.estimators._scoring import check_storable
from evonet.genome.types import NeatIndividual
from evonet.io import jsonable, logbook_arrays, read_logbook
from evonet.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from evonet.strategies import STRATEGIES, get_strategy

__all__ = ["ModelFileMixin"]

LABEL_TYPES = ("binary", "multiclass", "multilabel-indicator")


class ModelFileMixin:
    """The model-file document of a fitted estimator (``to_model_document``) and back.

    Examples
    --------
    >>> from evonet import NeuroEvolutionRegressor
    >>> issubclass(NeuroEvolutionRegressor, ModelFileMixin)
    True
    """

    def get_target_state(self):
        """How the fitted model encodes its targets, as plain values and arrays.

        The classifier's class labels and label type, the regressor's target
        scaling: what :meth:`set_target_state` needs to decode outputs again.
        Checkpoints and model files both store it.

        Returns
        -------
        dict
        """
        raise NotImplementedError

    def set_target_state(self, state):
        """Restore the target encoding :meth:`get_target_state` returned."""
        raise NotImplementedError

    def to_model_document(self):
        """The fitted estimator as the fields and arrays of a model file.

        Returns
        -------
        document : dict
            JSON-ready fields: ``params``, ``n_features_in``, ``network``,
            ``targets``, ``training`` and ``feature_names_in`` (see
            :mod:`evonet.io.model`).
        arrays : dict of str to ndarray

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from evonet import NeuroEvolutionClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = NeuroEvolutionClassifier((3,), max_generations=5, random_state=0).fit(X, y)
        >>> document, arrays = clf.to_model_document()
        >>> document["network"]["layer_sizes"], sorted(arrays)[:3]
        ([4, 3, 3], ['classes', 'coefs_0', 'coefs_1'])
        """
        check_is_fitted(self)
        arrays = {}
        document = {"params": _saved_params(self), "n_features_in": int(self.n_features_in_)}
        architecture = self._architecture
        if architecture.kind == "mlp":
            layout = architecture.layout
            document["network"] = {"kind": "mlp",
                                   "layer_sizes": [int(n) for n in layout.layer_sizes],
                                   "activation": layout.activation,
                                   "output_activation": layout.output_activation}
            for k, (W, b) in enumerate(zip(self.coefs_, self.intercepts_)):
                # float32 weights (a fit on float32 data) are saved and loaded as float32
                dtype = np.float32 if W.dtype == np.float32 else np.float64
                arrays[f"coefs_{k}"] = np.asarray(W, dtype=dtype)
                arrays[f"intercepts_{k}"] = np.asarray(b, dtype=dtype)
        else:
            document["network"] = {"kind": "neat", "n_inputs": int(architecture.n_inputs),
                                   "n_outputs": int(architecture.n_outputs),
                                   "output_activation": architecture.output_activation}
            if self.__dict__.get("_float32", False):
                document["network"]["float32"] = True
            arrays["genome_nodes"] = np.asarray(self.genome_.nodes, dtype=np.float64)
            arrays["genome_connections"] = np.asarray(self.genome_.connections,
                                                      dtype=np.float64)
        document["targets"] = _targets_document(self.get_target_state(), arrays)
        document["training"] = _training_document(self, arrays)
        self._front_document(document, arrays)
        names = getattr(self, "feature_names_in_", None)
        document["feature_names_in"] = None if names is None else [str(n) for n in names]
        return document, arrays

    @classmethod
    def from_model_document(cls, fields):
        """The fitted estimator a model file describes, every field checked.

        Parameters
        ----------
        fields : evonet.io.Fields
            The model file's fields, its header already checked.

        Returns
        -------
        estimator
            Predicting exactly as the saved one; fitting it again starts anew.

        Raises
        ------
        ValueError
            Naming the first field that is missing, invalid or inconsistent.

        Examples
        --------
        >>> import os, tempfile
        >>> from sklearn.datasets import load_iris
        >>> from evonet import NeuroEvolutionClassifier
        >>> from evonet.io import open_model
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = NeuroEvolutionClassifier((3,), max_generations=5, random_state=0).fit(X, y)
        >>> path = os.path.join(tempfile.mkdtemp(), "iris.evonet")
        >>> clf.save(path)
        >>> archive, fields, name = open_model(path)
        >>> with archive:
        ...     loaded = NeuroEvolutionClassifier.from_model_document(fields)
        >>> bool((loaded.predict(X) == clf.predict(X)).all())
        True
        """
        est = cls(**_read_params(fields, cls))
        n_features = fields.integer("n_features_in", 1, 10**8)
        kind = fields.string("network.kind", ("mlp", "neat"))
        read = _read_mlp if kind == "mlp" else _read_neat
        architecture, n_outputs, output, fitted = read(fields, n_features)
        for name, value in fitted.items():
            setattr(est, name, value)
        _set_targets(fields, est, n_outputs, output)
        for name, value in _read_training(fields, kind).items():
            setattr(est, name, value)
        if kind == "mlp":
            hidden = est.get_params()["hidden_layer_sizes"]
            hidden = (hidden,) if isinstance(hidden, numbers.Integral) else tuple(hidden)
            if hidden != architecture.layout.hidden_layer_sizes \
                    or est.activation != architecture.layout.activation:
                raise fields.error("params", "describe another network than field 'network'")
        _check_refit_params(fields, est)
        est._architecture = architecture
        est.n_features_in_ = n_features
        est.n_outputs_ = n_outputs
        est.out_activation_ = output
        est._read_front(fields)
        names = fields.strings("feature_names_in", length=n_features, optional=True)
        if names is not None:
            est.feature_names_in_ = np.array(names, dtype=object)
        return est


def _saved_params(est):
    params = est.get_params(deep=False)
    check_storable(params.get("scoring"))
    if not (params.get("random_state") is None or isinstance(params["random_state"],
                                                             numbers.Integral)):
        params["random_state"] = None   # a generator object has no file form
    if params.get("checkpoint") is not None:
        params["checkpoint"] = str(params["checkpoint"])
    if params.get("n_iter_no_change") == np.inf:
        params["n_iter_no_change"] = "inf"   # JSON has no infinity
    return jsonable(params, "parameter")


def _targets_document(state, arrays):
    """Field ``targets`` of a target state (:meth:`ModelFileMixin.get_target_state`)."""
    if "classes" in state:
        classes = np.asarray(state["classes"])
        if classes.dtype.hasobject:
            classes = np.asarray(classes.tolist())
        arrays["classes"] = classes
        return {"kind": "classes", "label_type": state["label_type"]}
    arrays["target_mean"] = np.asarray(state["mean"], dtype=np.float64)
    arrays["target_scale"] = np.asarray(state["scale"], dtype=np.float64)
    if state.get("count") is not None:  # the running statistics partial_fit continues
        arrays["target_count"] = np.array([state["count"]], dtype=np.float64)
        arrays["target_m2"] = np.asarray(state["m2"], dtype=np.float64)
    return {"kind": "values", "ndim": int(state["ndim"])}


def _training_document(est, arrays):
    columns, logbook = logbook_arrays(est.logbook_)
    best = float(np.inf if est.best_loss_ is None else est.best_loss_)
    training = {
        "strategy": est.strategy_, "n_iter": int(est.n_iter_),
        "n_evaluations": int(est.n_evaluations_),
        "best_loss": best if np.isfinite(best) else None,
        "best_validation_score": (None if est.best_validation_score_ is None
                                  else float(est.best_validation_score_)),
        "logbook_columns": columns,
    }
    arrays["loss_curve"] = np.asarray(est.loss_curve_, dtype=np.float64)
    if est.validation_scores_ is not None:
        arrays["validation_scores"] = np.asarray(est.validation_scores_, dtype=np.float64)
    arrays.update(logbook)
    return training


def _read_params(fields, cls):
    params = fields.raw("params")
    defaults = cls().get_params(deep=False)
    if not isinstance(params, dict):
        raise fields.error("params", "must be a JSON object")
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise fields.error(f"params.{unknown[0]}", f"is not a parameter of {cls.__name__}")
    params = dict(params)
    if params.get("n_iter_no_change") == "inf":
        params["n_iter_no_change"] = np.inf
    if isinstance(params.get("hidden_layer_sizes"), list):
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    try:
        check_params(cls(**params))
    except (ValueError, TypeError) as exc:
        raise fields.error("params", f"is invalid: {str(exc).rstrip('.')}") from None
    return params


def _read_mlp(fields, n_features):
    """Field ``network`` of an MLP: architecture, outputs, output activation, weights."""
    fields.object("network", ("kind", "layer_sizes", "activation", "output_activation"))
    sizes = fields.sizes("network.layer_sizes", minimum_length=2)
    activation = fields.string("network.activation", HIDDEN_ACTIVATIONS)
    output = fields.string("network.output_activation", tuple(ACTIVATIONS))
    if sizes[0] != n_features:
        raise fields.error("network.layer_sizes", f"starts with {sizes[0]} inputs but "
                                                  f"n_features_in is {n_features}")
    architecture = MLPArchitecture(sizes[0], tuple(sizes[1:-1]), sizes[-1], activation, output)
    coefs, intercepts = [], []
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        coefs.append(fields.array(f"coefs_{k}", shape=(fan_in, fan_out), keep_float32=True))
        intercepts.append(fields.array(f"intercepts_{k}", shape=(fan_out,), keep_float32=True))
    return architecture, sizes[-1], output, {"coefs_": coefs, "intercepts_": intercepts,
                                             "n_layers_": len(sizes)}


def _read_neat(fields, n_features):
    """The architecture and the fitted attributes (genome) of field ``network`` of NEAT."""
    fields.object("network", ("kind", "n_inputs", "n_outputs", "output_activation"),
                  optional_keys=("float32",))
    n_inputs = fields.integer("network.n_inputs", 1, 10**7)
    n_outputs = fields.integer("network.n_outputs", 1, 10**7)
    output = fields.string("network.output_activation", tuple(ACTIVATIONS))
    if n_inputs != n_features:
        raise fields.error("network.n_inputs", f"is {n_inputs} but n_features_in is "
                                               f"{n_features}")
    nodes = fields.array("genome_nodes", shape=(None, 4))
    connections = fields.array("genome_connections", shape=(None, 5))
    try:
        genome = NeatIndividual(n_inputs, n_outputs, nodes, connections)
    except ValueError as exc:
        raise fields.error("genome_nodes", f"and genome_connections do not make a valid "
                                           f"genome: {exc}") from None
    float32 = bool(fields.boolean("network.float32", optional=True))
    return (NEATArchitecture(n_inputs, n_outputs, output), n_outputs, output,
            {"genome_": genome, "_float32": float32})


def _set_targets(fields, est, n_outputs, output):
    """Check field ``targets`` against the network and give ``est`` its target state."""
    kind = fields.string("targets.kind", ("classes", "values"))
    if hasattr(est, "predict_proba") != (kind == "classes"):
        raise fields.error("targets.kind", f"is {kind!r}, wrong for a "
                                           f"{type(est).__name__}")
    if kind == "classes":
        fields.object("targets", ("kind", "label_type"))
        label_type = fields.string("targets.label_type", LABEL_TYPES)
        classes = fields.array("classes", ndim=1, kinds="iufbU")
        n = classes.shape[0]
        expected = {"binary": (1, "logistic"), "multiclass": (n, "softmax"),
                    "multilabel-indicator": (n, "logistic")}[label_type]
        if n < 2 or (label_type == "binary") != (n == 2) or (n_outputs, output) != expected:
            raise fields.error("classes", f"({n} {label_type} classes) do not match a network "
                                          f"of {n_outputs} {output} outputs")
        try:
            est.set_target_state({"classes": classes, "label_type": label_type})
        except ValueError as exc:
            raise fields.error("classes", f"are invalid: {exc}") from None
        return
    fields.object("targets", ("kind", "ndim"))
    ndim = fields.integer("targets.ndim", 1, 2)
    if output != "identity" or (ndim == 1 and n_outputs != 1):
        raise fields.error("targets.ndim", f"= {ndim} does not match a network of {n_outputs} "
                                           f"{output} outputs")
    mean = fields.array("target_mean", shape=(n_outputs,))
    scale = fields.array("target_scale", shape=(n_outputs,))
    if (scale <= 0).any():
        raise fields.error("target_scale", "must be positive")
    state = {"mean": mean, "scale": scale, "ndim": ndim}
    if fields.archive.has_array("target_count"):  # older files lack them
        state["count"] = float(fields.array("target_count", shape=(1,))[0])
        state["m2"] = fields.array("target_m2", shape=(n_outputs,))
    est.set_target_state(state)


def _read_training(fields, kind):
    """The fitted attributes of field ``training`` (``n_iter_``, ``loss_curve_``...)."""
    fields.object("training", ("strategy", "n_iter", "n_evaluations", "best_loss",
                               "best_validation_score", "logbook_columns"))
    strategy = fields.string("training.strategy", tuple(STRATEGIES))
    if (strategy == "neat") != (kind == "neat"):
        raise fields.error("training.strategy", f"is {strategy!r}, which does not make "
                                                f"{kind} networks")
    best = fields.number("training.best_loss", optional=True)
    training = {
        "strategy_": strategy,
        "n_iter_": fields.integer("training.n_iter"),
        "n_evaluations_": fields.integer("training.n_evaluations"),
        "best_loss_": float(np.inf) if best is None else best,
        "best_validation_score_": fields.number("training.best_validation_score",
                                                optional=True),
        "loss_curve_": fields.array("loss_curve", ndim=1, values="no-nan").tolist(),
        "validation_scores_": None,
    }
    training["loss_"] = training["loss_curve_"][-1] if training["loss_curve_"] else None
    if fields.archive.has_array("validation_scores"):
        training["validation_scores_"] = fields.array("validation_scores", ndim=1).tolist()
        training["best_loss_"] = None  # early stopping: as MLPClassifier, no best loss
    training["logbook_"] = read_logbook(fields)
    return training


def _check_refit_params(fields, est):
    """The parameters only a new ``fit`` uses: a random_state and working strategy settings."""
    seed = est.random_state
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise fields.error("params.random_state", f"must be null or an integer >= 0, got "
                                                  f"{seed!r}")
    settings = dict(est.strategy_params or {})
    if est.population_size is not None:
        settings["population_size"] = est.population_size
    if est.strategy_ == "neat":
        settings.setdefault("activation", est.activation)
    try:
        get_strategy(est.strategy_, **settings)
    except (ValueError, TypeError) as exc:
        raise fields.error("params.strategy_params", f"do not make a {est.strategy_!r} "
                                                     f"strategy: {exc}") from None
