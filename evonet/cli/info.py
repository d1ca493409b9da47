"""``evonet info``: what a model file or a checkpoint holds, read and checked first."""

import json
import os

from evonet.cli.data import DataError
from evonet.io import read_checkpoint_metadata
from evonet.io.checkpoint import DOCUMENT as CHECKPOINT_DOCUMENT
from evonet.io.checkpoint import is_checkpoint
from evonet.io.model import open_model
from evonet.saving import load

__all__ = ["checkpoint_metadata", "describe_model", "info_command", "load_model",
           "looks_like_checkpoint", "loss_name"]


def loss_name(estimator):
    """What a fitted estimator's ``best_loss_`` is: PBT's is a validation loss.

    Examples
    --------
    >>> loss_name(type("E", (), {"strategy_": "pbt"})()), loss_name(type("E", (), {})())
    ('validation loss', 'training loss')
    """
    return "validation loss" if getattr(estimator, "strategy_", None) == "pbt" \
        else "training loss"


def looks_like_checkpoint(path):
    r"""Whether ``path`` is, or was before it was cut short, a checkpoint.

    A whole checkpoint is a zip archive holding ``checkpoint.json``; a
    truncated one has lost the archive's directory (at its end) but still
    starts with the local header of its first member, ``checkpoint.json``.
    A file too damaged for either is judged by its ``.ckpt`` extension.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "run.bin")
    >>> _ = open(path, "wb").write(b"PK\x03\x04" + bytes(22) + b"\x0f\x00\x00\x00"
    ...                            + b"checkpoint.json{...")
    >>> looks_like_checkpoint(path), looks_like_checkpoint(__file__)
    (True, False)
    """
    if is_checkpoint(path):
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return False
    if head[:4] == b"PK\x03\x04" and len(head) >= 30:
        size = int.from_bytes(head[26:28], "little")   # the first member name's length
        return head[30:30 + size] == CHECKPOINT_DOCUMENT.encode()
    return str(path).endswith(".ckpt")


def load_model(path):
    """The model file at ``path``; a checkpoint given in its place is named as one, and a
    file this user may not read is an input error (``DataError``), not a failure."""
    if looks_like_checkpoint(path):
        raise DataError(f"{path} is a checkpoint, not a model file: finish its run with "
                        f"'evonet resume {path}' (with --out MODEL to save the model)")
    try:
        return load(path)
    except PermissionError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None


def checkpoint_metadata(path):
    """The metadata of checkpoint ``path``; a file this user may not read is an input error."""
    try:
        return read_checkpoint_metadata(path)
    except PermissionError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None


def info_command(args):
    """``evonet info``: what a model file (or a checkpoint) holds."""
    if looks_like_checkpoint(args.model):
        meta = checkpoint_metadata(args.model)
        lines = [("file", f"{args.model} ({_size(args.model)}), evonet checkpoint written by "
                          f"evonet {meta['evonet_version']}"),
                 ("run", f"{meta.get('estimator', 'run')}, strategy {meta.get('strategy')}, "
                         f"generation {meta['generation']}, {meta['n_evaluations']:,} network "
                         f"evaluations")]
        command = meta.get("command")
        if isinstance(command, dict):
            lines.append(("resume", f"evonet resume {args.model}"))
    else:
        lines = describe_model(args.model)
    width = max(len(key) for key, _ in lines)
    for key, value in lines:
        print(f"{key:<{width}}  {value}")
    return 0


def _size(path):
    size = os.path.getsize(path)
    return f"{size / 1024:.1f} kB" if size < 2**20 else f"{size / 2**20:.1f} MB"


def describe_model(path):
    """``(label, text)`` lines describing a model file (loaded and checked first).

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from evonet import NeuroEvolutionClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "iris.evonet")
    >>> NeuroEvolutionClassifier((3,), max_generations=5, random_state=0).fit(X, y).save(path)
    >>> dict(describe_model(path))["network"]
    'MLP 4-3-3, tanh hidden units, softmax outputs, 27 parameters'
    """
    model = load_model(path)
    archive, fields, name = open_model(path)
    with archive:
        doc = archive.document
    lines = [("file", f"{path} ({_size(path)}), format {doc['format_version']}, written by "
                      f"evonet {doc['evonet_version']}")]
    if name == "EvolvedPolicy":
        lines.append(("model", f"EvolvedPolicy for {model.env_!r}"))
        genome = getattr(model.weights_, "connections", None)
        size = f"{model.weights_.size} parameters" if genome is None else (
            f"{model.weights_.n_hidden} hidden nodes, {model.weights_.n_enabled} of "
            f"{len(genome)} connections enabled")
        lines.append(("network", f"{model.network_!r}, {size}"))
        training = doc["training"]
        lines.append(("training", f"{training.get('n_generations')} generations, "
                                  f"{training.get('n_evaluations')} evaluations, best fitness "
                                  f"{training.get('best_fitness')}"))
        return lines
    estimator = model[-1] if hasattr(model, "steps") else model
    wrapper = " in a Pipeline(StandardScaler, ...)" if hasattr(model, "steps") else ""
    lines.append(("model", f"{name}{wrapper}"))
    lines.append(("network", _network_text(estimator)))
    if hasattr(estimator, "classes_"):
        classes = ", ".join(_label(c) for c in estimator.classes_[:20])
        more = f" (+{len(estimator.classes_) - 20} more)" if len(estimator.classes_) > 20 else ""
        lines.append(("classes", f"{len(estimator.classes_)}: {classes}{more}"))
    else:
        lines.append(("targets", f"{estimator.n_outputs_} (output scaling folded into the "
                                 f"last layer)"))
    lines.append(("training", f"strategy {estimator.strategy_}, {estimator.n_iter_} "
                              f"generations, {estimator.n_evaluations_:,} network evaluations"
                              + ("" if estimator.best_loss_ is None else
                                 f", best {loss_name(estimator)} {estimator.best_loss_:.6g}")
                              + ("" if estimator.best_validation_score_ is None else
                                 f", best validation score "
                                 f"{estimator.best_validation_score_:.4f}")))
    metadata = doc.get("metadata") or {}
    if metadata.get("source") is not None:
        lines.append(("data", f"{metadata['source']}" + (
            f", target {metadata['target']!r}" if metadata.get("target") else "")))
    names = metadata.get("feature_names")
    if isinstance(names, list):
        shown = ", ".join(_label(n) for n in names[:8]) + (", ..." if len(names) > 8 else "")
        lines.append(("features", f"{len(names)}: {shown}"))
    return lines


def _label(value):
    """A class label as ``info`` lists it: quoted (JSON) where a comma, a quote, a line
    break or spaces at its ends would make the list ambiguous."""
    text = str(value)
    plain = text == text.strip() and not any(c in text for c in ',"\n\r')
    return text if plain and text else json.dumps(text, ensure_ascii=False)


def _network_text(est):
    if est.strategy_ != "neat":
        sizes = [est.coefs_[0].shape[0]] + [W.shape[1] for W in est.coefs_]
        n_params = sum(W.size + b.size for W, b in zip(est.coefs_, est.intercepts_))
        return (f"MLP {'-'.join(str(n) for n in sizes)}, {est.activation} hidden units, "
                f"{est.out_activation_} outputs, {n_params:,} parameters")
    genome = est.genome_
    return (f"NEAT graph, {genome.n_inputs} inputs, {genome.n_outputs} outputs "
            f"({est.out_activation_}), {genome.n_hidden} hidden nodes, {genome.n_enabled} "
            f"enabled connections of {len(genome.connections)}")
