"""The estimator part of a model file: describe a fitted estimator, rebuild and check one."""

import numbers
import warnings

import numpy as np
from deap import tools
from sklearn.preprocessing import LabelBinarizer

from evonet.io._fields import jsonable

__all__ = ["estimator_document", "load_estimator", "make_label_binarizer"]

LABEL_TYPES = ("binary", "multiclass", "multilabel-indicator")
INT_COLUMNS = ("gen", "nevals")


def make_label_binarizer(classes, label_type):
    """A fitted ``LabelBinarizer`` for ``classes`` of ``label_type`` (as ``fit`` makes it).

    Examples
    --------
    >>> make_label_binarizer(np.array(["a", "b"]), "binary").transform(["b", "a"]).ravel()
    array([1, 0])
    """
    binarizer = LabelBinarizer()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)   # sklearn casting odd labels
        if label_type == "multilabel-indicator":
            binarizer.fit(np.eye(len(classes), dtype=np.int64))
        else:
            binarizer.fit(classes)
    if binarizer.y_type_ != label_type or not np.array_equal(binarizer.classes_, classes):
        raise ValueError(f"classes {classes.tolist()!r} do not make {label_type} targets")
    binarizer.classes_ = classes
    return binarizer


def _saved_params(est):
    params = est.get_params(deep=False)
    if not (params.get("random_state") is None or isinstance(params["random_state"],
                                                             numbers.Integral)):
        params["random_state"] = None   # a generator object has no file form
    if params.get("checkpoint") is not None:
        params["checkpoint"] = str(params["checkpoint"])
    return jsonable(params, "parameter")


def estimator_document(est, arrays):
    """The JSON fields describing fitted ``est``; its arrays are added to ``arrays``."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est)
    architecture = est._architecture
    doc = {"params": _saved_params(est), "n_features_in": int(est.n_features_in_)}
    if architecture.kind == "mlp":
        layout = architecture.layout
        doc["network"] = {"kind": "mlp", "layer_sizes": [int(n) for n in layout.layer_sizes],
                          "activation": layout.activation,
                          "output_activation": layout.output_activation}
        for k, (W, b) in enumerate(zip(est.coefs_, est.intercepts_)):
            arrays[f"coefs_{k}"] = np.asarray(W, dtype=np.float64)
            arrays[f"intercepts_{k}"] = np.asarray(b, dtype=np.float64)
    else:
        doc["network"] = {"kind": "neat", "n_inputs": int(architecture.n_inputs),
                          "n_outputs": int(architecture.n_outputs),
                          "output_activation": architecture.output_activation}
        arrays["genome_nodes"] = np.asarray(est.genome_.nodes, dtype=np.float64)
        arrays["genome_connections"] = np.asarray(est.genome_.connections, dtype=np.float64)
    if hasattr(est, "classes_"):
        classes = np.asarray(est.classes_)
        if classes.dtype.hasobject:
            classes = np.asarray(classes.tolist())
        doc["targets"] = {"kind": "classes", "label_type": est._label_binarizer.y_type_}
        arrays["classes"] = classes
    else:
        doc["targets"] = {"kind": "values", "ndim": int(est._y_ndim)}
        arrays["target_mean"] = np.asarray(est._y_mean, dtype=np.float64)
        arrays["target_scale"] = np.asarray(est._y_scale, dtype=np.float64)
    columns, table = logbook_table(est.logbook_)
    best = float(est.best_loss_)
    doc["training"] = {
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
    arrays["logbook"] = table
    return doc


def logbook_table(logbook):
    """A logbook as ``(columns, table)``: its keys, and one float row per record (NaN if absent).

    Examples
    --------
    >>> logbook_table([{"gen": 0, "min": 1.5}, {"gen": 1}])
    (['gen', 'min'], array([[0. , 1.5],
           [1. , nan]]))
    """
    columns = []
    for record in logbook:
        columns += [k for k in record if k not in columns]
    table = np.array([[record.get(k, np.nan) for k in columns] for record in logbook],
                     dtype=np.float64).reshape(len(logbook), len(columns))
    return columns, table


def read_logbook(fields, columns_field="training.logbook_columns"):
    """The ``deap.tools.Logbook`` of the ``logbook`` array and its column names field."""
    columns = fields.strings(columns_field)
    if len(set(columns)) != len(columns):
        raise fields.error(columns_field, "repeats a column")
    table = fields.array("logbook", shape=(None, len(columns)), values="any")
    logbook = tools.Logbook()
    logbook.header = columns
    for row in table.tolist():
        logbook.append({c: (int(v) if c in INT_COLUMNS and np.isfinite(v) else v)
                        for c, v in zip(columns, row) if not np.isnan(v)})
    return logbook


ESTIMATOR_KEYS = ("params", "n_features_in", "network", "targets", "training")


def _estimator_class(name):
    from evonet.estimators import NeuroEvolutionClassifier, NeuroEvolutionRegressor

    return {"NeuroEvolutionClassifier": NeuroEvolutionClassifier,
            "NeuroEvolutionRegressor": NeuroEvolutionRegressor}[name]


def _load_params(fields, cls):
    from evonet.estimators._params import check_params

    params = fields.raw("params")
    defaults = cls().get_params(deep=False)
    if not isinstance(params, dict):
        raise fields.error("params", "must be a JSON object")
    unknown = sorted(set(params) - set(defaults))
    if unknown:
        raise fields.error(f"params.{unknown[0]}", f"is not a parameter of {cls.__name__}")
    params = dict(params)
    if isinstance(params.get("hidden_layer_sizes"), list):
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    est = cls(**params)
    try:
        check_params(est)
    except (ValueError, TypeError) as exc:
        raise fields.error("params", f"is invalid: {str(exc).rstrip('.')}") from None
    return est


def _load_network(fields, est, n_features):
    from evonet.estimators._architecture import MLPArchitecture, NEATArchitecture
    from evonet.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS

    kind = fields.string("network.kind", ("mlp", "neat"))
    if kind == "mlp":
        fields.object("network", ("kind", "layer_sizes", "activation", "output_activation"))
        sizes = fields.sizes("network.layer_sizes", minimum_length=2)
        activation = fields.string("network.activation", HIDDEN_ACTIVATIONS)
        output = fields.string("network.output_activation", tuple(ACTIVATIONS))
        if sizes[0] != n_features:
            raise fields.error("network.layer_sizes", f"starts with {sizes[0]} inputs but "
                                                      f"n_features_in is {n_features}")
        architecture = MLPArchitecture(sizes[0], tuple(sizes[1:-1]), sizes[-1], activation,
                                       output)
        coefs, intercepts = [], []
        for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            coefs.append(fields.array(f"coefs_{k}", shape=(fan_in, fan_out)))
            intercepts.append(fields.array(f"intercepts_{k}", shape=(fan_out,)))
        est.coefs_, est.intercepts_ = coefs, intercepts
        est.n_layers_ = len(sizes)
        return architecture, sizes[-1], output, [f"coefs_{k}" for k in range(len(coefs))] + [
            f"intercepts_{k}" for k in range(len(coefs))]
    from evonet.genome.types import NeatIndividual

    fields.object("network", ("kind", "n_inputs", "n_outputs", "output_activation"))
    n_inputs = fields.integer("network.n_inputs", 1, 10**7)
    n_outputs = fields.integer("network.n_outputs", 1, 10**7)
    output = fields.string("network.output_activation", tuple(ACTIVATIONS))
    if n_inputs != n_features:
        raise fields.error("network.n_inputs", f"is {n_inputs} but n_features_in is "
                                               f"{n_features}")
    nodes = fields.array("genome_nodes", shape=(None, 4))
    connections = fields.array("genome_connections", shape=(None, 5))
    try:
        est.genome_ = NeatIndividual(n_inputs, n_outputs, nodes, connections)
    except ValueError as exc:
        raise fields.error("genome_nodes", f"and genome_connections do not make a valid "
                                           f"genome: {exc}") from None
    return (NEATArchitecture(n_inputs, n_outputs, output), n_outputs, output,
            ["genome_nodes", "genome_connections"])


def _load_targets(fields, est, n_outputs, output):
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
            est._label_binarizer = make_label_binarizer(classes, label_type)
        except ValueError as exc:
            raise fields.error("classes", f"are invalid: {exc}") from None
        est.classes_ = classes
        return ["classes"]
    fields.object("targets", ("kind", "ndim"))
    ndim = fields.integer("targets.ndim", 1, 2)
    if output != "identity" or (ndim == 1 and n_outputs != 1):
        raise fields.error("targets.ndim", f"= {ndim} does not match a network of {n_outputs} "
                                           f"{output} outputs")
    est._y_ndim = ndim
    est._y_mean = fields.array("target_mean", shape=(n_outputs,))
    est._y_scale = fields.array("target_scale", shape=(n_outputs,))
    if (est._y_scale <= 0).any():
        raise fields.error("target_scale", "must be positive")
    return ["target_mean", "target_scale"]


def _load_training(fields, est, kind):
    from evonet.strategies import STRATEGIES

    fields.object("training", ("strategy", "n_iter", "n_evaluations", "best_loss",
                               "best_validation_score", "logbook_columns"))
    strategy = fields.string("training.strategy", tuple(STRATEGIES))
    if (strategy == "neat") != (kind == "neat"):
        raise fields.error("training.strategy", f"is {strategy!r}, which does not make "
                                                f"{kind} networks")
    est.strategy_ = strategy
    est.n_iter_ = fields.integer("training.n_iter")
    est.n_evaluations_ = fields.integer("training.n_evaluations")
    best = fields.number("training.best_loss", optional=True)
    est.best_loss_ = float(np.inf) if best is None else best
    est.best_validation_score_ = fields.number("training.best_validation_score", optional=True)
    est.loss_curve_ = fields.array("loss_curve", ndim=1, values="no-nan").tolist()
    names = ["loss_curve", "logbook"]
    if fields.archive.has_array("validation_scores"):
        est.validation_scores_ = fields.array("validation_scores", ndim=1).tolist()
        names.append("validation_scores")
    else:
        est.validation_scores_ = None
    est.logbook_ = read_logbook(fields)
    return names


def _check_refit_params(fields, est):
    """The parameters only a new ``fit`` uses: a random_state and working strategy settings."""
    from evonet.strategies import get_strategy

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


def load_estimator(fields, name):
    """The fitted estimator ``name`` the model file describes, every field checked."""
    cls = _estimator_class(name)
    est = _load_params(fields, cls)
    n_features = fields.integer("n_features_in", 1, 10**8)
    kind = fields.string("network.kind", ("mlp", "neat"))
    architecture, n_outputs, output, names = _load_network(fields, est, n_features)
    names += _load_targets(fields, est, n_outputs, output)
    names += _load_training(fields, est, kind)
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
    return est, names
