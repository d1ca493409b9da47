"""What each ``evonet`` command does (the parser is in :mod:`evonet.cli.parser`, the exit
codes and error handling in :mod:`evonet.cli.program`)."""

import argparse
import os
import sys
import time
import warnings

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from evonet.cli.data import (
    DataError,
    class_labels,
    csv_text,
    load_csv,
    load_dataset,
    read_csv_rows,
    read_table,
    table_digest,
)
from evonet.cli.info import checkpoint_metadata, load_model, loss_name
from evonet.cli.signals import StopAtGenerationEnd, raised_after
from evonet.control import EvolvedPolicy
from evonet.estimators import NeuroEvolutionClassifier, NeuroEvolutionRegressor
from evonet.io import atomic_write
from evonet.io.checkpoint import remove_checkpoint
from evonet.io.model import read_metadata
from evonet.runs import fit_context
from evonet.saving import save

__all__ = ["fit_command", "predict_command", "resume_command"]

RECORDED = {"data": (str, type(None)), "target": (str, type(None)),
            "dataset": (str, type(None)), "task": (str, type(None)), "strategy": (str,),
            "generations": (int, type(None)), "hidden": (list, type(None)),
            "test_size": (float,), "seed": (int,), "n_jobs": (int, type(None)),
            "out": (str, type(None)), "checkpoint_interval": (float, int)}
"""The options of ``evonet fit`` a checkpoint records, so ``evonet resume`` can rerun it."""


def class_limit(n_rows):
    """The most distinct values a numeric target may have to be taken as classes.

    ``evonet fit`` infers classification when every target value is an integer
    and there are at most ``max(20, n_rows // 20)`` distinct values; a numeric
    target with more (or with fractions) is a regression target.

    Examples
    --------
    >>> class_limit(150), class_limit(1000)
    (20, 50)
    """
    return max(20, n_rows // 20)


def _infer_task(y):
    if y.dtype == object:
        return "classification"
    integral = np.all(y == np.round(y))
    return "classification" if integral and len(np.unique(y)) <= class_limit(len(y)) \
        else "regression"


def _load(args, text_labels=True):
    """``(X, y, task, feature names, labels, digest)``.

    ``labels``: where ``y`` holds class labels as numbers, the labels as the
    CSV file writes them (``02139`` stays ``02139``, not 2139.0; a run begun
    before labels were kept so, ``text_labels`` false, keeps the numbers),
    else ``None``. ``digest``: that of the CSV file's values when a checkpoint
    will record it (else ``None``).
    """
    if args.dataset is not None:
        X, y, task, names = load_dataset(args.dataset)
        return X, y, args.task or task, names, None, None
    if args.target is None:
        raise DataError("a CSV file needs --target COLUMN")
    table = read_table(args.data)   # once: the file may be a pipe
    X, y, names = load_csv(args.data, target=args.target, table=table)
    task = args.task or _infer_task(y)
    numbers = task == "classification" and y.dtype != object and text_labels
    return (X, y, task, names, class_labels(table, args.target, y) if numbers else None,
            table_digest(table) if args.checkpoint is not None else None)


def _record(args, digest=None, text_labels=True):
    """What a checkpoint records of the command: its options, the data's ``digest``, and
    whether the class labels were taken as text."""
    record = {name: getattr(args, name) for name in RECORDED}
    for name in ("data", "out"):
        if record[name] is not None:
            record[name] = os.path.abspath(record[name])
    # all the file's values (the held-out rows are no part of the fit's own check), and
    # how its class labels were taken (a resume takes them so again)
    extra = {} if digest is None else {"data_digest": digest}
    if args.data is not None:
        extra["labels"] = "text" if text_labels else "numbers"
    return dict(record, command="fit", **extra)


def _check_same_data(args, record, digest):
    """Refuse to resume on a data file that changed since the checkpoint was written."""
    recorded = record.get("data_digest")
    if digest is not None and recorded is not None and recorded != digest:
        raise DataError(f"{args.data} changed since {args.checkpoint} was written, so the run "
                        f"cannot go on with the same data; give another --checkpoint to "
                        f"start a new run")


def _split(args, X, y, classification, labels=None):
    """The training and held-out parts of ``X, y``, once the target is checked (``y``'s
    parts the ``labels``' where given: split as ``y`` is, so the rows are the same)."""
    if not classification and y.dtype == object:
        raise DataError(f"target column {args.target!r} holds non-numeric values; regression "
                        f"needs numbers (or use --task classification)")
    if classification and len(np.unique(y)) < 2:
        raise DataError("the target has a single class; classification needs at least two")
    if len(y) < 10:
        raise DataError(f"{len(y)} rows are too few to hold out a test set")
    if classification:
        _check_classes_fit_the_split(args, y)
    stratify = y if classification and np.min(np.unique(y, return_counts=True)[1]) >= 2 else None
    parts = train_test_split(X, y, *([] if labels is None else [labels]),
                             test_size=args.test_size, random_state=args.seed, stratify=stratify)
    return parts[:2] + parts[-2:]


def _check_classes_fit_the_split(args, y):
    """Refuse classes that the training or the held-out rows cannot each hold one of."""
    n_classes = len(np.unique(y))
    n_test = int(np.ceil(args.test_size * len(y)))
    smaller = min(n_test, len(y) - n_test)
    if n_classes <= smaller:
        return
    part = "held-out" if smaller == n_test else "training"
    what = f"the target of {args.dataset}" if args.dataset is not None \
        else f"target column {args.target!r}"
    problem = (f"{what} has {n_classes} distinct values, more than the {smaller} {part} rows "
               f"(--test-size {args.test_size}) can hold one of each")
    def holds_every_class(test_size):   # as above
        n_test = int(np.ceil(test_size * len(y)))
        return n_classes <= min(n_test, len(y) - n_test)

    if holds_every_class(0.25):   # the test size is at fault, not the target
        fitting = [t / 100 for t in range(1, 100) if holds_every_class(t / 100)]
        raise DataError(f"{problem}; choose a --test-size from {fitting[0]:g} to "
                        f"{fitting[-1]:g}")
    if y.dtype == object:
        raise DataError(f"{problem}; classification needs more rows per class")
    raise DataError(f"{problem}: it looks like a regression target; use --task regression")


def _estimator(args, classification):
    """The estimator ``evonet fit`` evolves, its parameters taken from the options."""
    options = dict(strategy=args.strategy, random_state=args.seed, n_jobs=args.n_jobs,
                   verbose=0 if args.quiet else 1)
    if args.hidden is not None:
        options["hidden_layer_sizes"] = tuple(args.hidden)
    if args.generations is not None:
        options["max_generations"] = args.generations
    if args.checkpoint is not None:
        options.update(checkpoint=args.checkpoint, checkpoint_interval=args.checkpoint_interval)
    Estimator = NeuroEvolutionClassifier if classification else NeuroEvolutionRegressor
    return Estimator(**options)


def _fit(args, model, X_train, y_train, stop, record):
    """Fit ``model``; its warnings go to stderr, after the progress display. Returns seconds.

    Its checkpoint records the command (``record``, for ``evonet resume``) and, with
    ``--out``, stays until the model file is safely written. Ctrl-C and
    SIGTERM stop the run at the end of a generation (``stop``), saved.
    """
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught, fit_context(
            callbacks=[stop], checkpoint_metadata={"command": record},
            keep_checkpoint=args.out is not None), stop.deferring():
        warnings.simplefilter("always")
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return seconds


def _compare(args, model, seconds, data, classification):
    """Report the fit beside scikit-learn's MLP trained on the same split ``data``."""
    X_train, X_test, y_train, y_test = data
    fitted = model[-1]
    Reference = MLPClassifier if classification else MLPRegressor
    reference = Pipeline([("scale", StandardScaler()),
                          ("model", Reference(max_iter=2000, random_state=args.seed))])
    ref_start = time.perf_counter()
    with warnings.catch_warnings(), raised_after():
        warnings.simplefilter("ignore")
        reference.fit(X_train, y_train)
    ref_seconds = time.perf_counter() - ref_start
    metric = "accuracy" if classification else "R^2"
    ours, theirs = model.score(X_test, y_test), reference.score(X_test, y_test)
    print(f"\nstrategy {fitted.strategy_}, {fitted.n_iter_} generations "
          f"({fitted.stop_reason_}), {fitted.n_evaluations_} network evaluations, "
          f"{seconds:.1f} s, {loss_name(fitted)} {fitted.best_loss_:.4g}")
    print(f"held-out {metric}: evonet {ours:.4f}  |  {Reference.__name__} {theirs:.4f} "
          f"({ref_seconds:.1f} s, same split)")


def fit_command(args):
    """``evonet fit``: evolve, report beside scikit-learn's MLP, save the model if asked."""
    saved = checkpoint_metadata(args.checkpoint) if args.checkpoint is not None \
        and os.path.isfile(args.checkpoint) else None
    record = (saved or {}).get("command") or {}
    # a run begun before class labels were kept as text goes on with the numbers
    text_labels = saved is None or record.get("labels") == "text"
    X, y, task, names, labels, digest = _load(args, text_labels=text_labels)
    if saved is not None:
        _check_same_data(args, record, digest)
    classification = task == "classification"
    data = _split(args, X, y, classification, labels)
    estimator = _estimator(args, classification)
    model = Pipeline([("scale", StandardScaler()), ("model", estimator)])
    source = args.dataset or args.data
    print(f"evonet {type(estimator).__name__} on {source}: {data[0].shape[0]} training rows, "
          f"{data[1].shape[0]} test rows, {X.shape[1]} features", flush=True)
    if saved is not None:
        print(f"resuming from {args.checkpoint} at generation {saved['generation']}",
              flush=True)
    stop = StopAtGenerationEnd()
    seconds = _fit(args, model, data[0], data[2], stop, _record(args, digest, text_labels))
    if args.out is not None:
        save(model, args.out, metadata={
            "source": str(source), "dataset": args.dataset, "target": args.target,
            "task": task, "feature_names": [str(n) for n in names],
            "test_size": args.test_size, "seed": args.seed})
        if args.checkpoint is not None:
            remove_checkpoint(os.fspath(args.checkpoint))
    stop.raise_pending()   # a signal in the last generation: the model is saved, then stop
    _compare(args, model, seconds, data, classification)
    if args.out is not None:
        print(f"model saved to {args.out} (evonet predict {args.out} DATA.csv; "
              f"evonet info {args.out})")
    return 0


def resume_command(args):
    """``evonet resume``: rerun the recorded ``evonet fit`` from its checkpoint."""
    record = checkpoint_metadata(args.checkpoint).get("command")
    if not isinstance(record, dict) or record.get("command") != "fit":
        raise DataError(f"{args.checkpoint} was not written by 'evonet fit'; resume it by "
                        f"calling fit again with the same parameters, data and checkpoint")
    for name, kinds in RECORDED.items():
        if not isinstance(record.get(name), kinds) or isinstance(record.get(name), bool):
            raise DataError(f"{args.checkpoint}: the recorded option {name!r} is invalid")
    options = {name: record[name] for name in RECORDED}
    options.update(checkpoint=args.checkpoint, quiet=args.quiet)
    if args.n_jobs is not None:
        options["n_jobs"] = args.n_jobs
    if args.out is not None:
        options["out"] = args.out
    return fit_command(argparse.Namespace(**options))


def _feature_matrix(path, model, metadata):
    names = metadata.get("feature_names")
    first = model[0] if hasattr(model, "steps") else model
    if names is None and hasattr(first, "feature_names_in_"):
        names = [str(n) for n in first.feature_names_in_]
    if names is not None:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names) \
                or len(set(names)) != len(names) or len(names) != first.n_features_in_:
            raise DataError(f"the model file's field 'metadata.feature_names' is invalid: it "
                            f"must list the model's {first.n_features_in_} input columns, each "
                            f"once, by name")
        return load_csv(path, feature_names=names)[0]
    header, _ = read_csv_rows(path)
    target = metadata.get("target")
    X, _, _ = load_csv(path, target=target if target in header else None)
    if X.shape[1] != first.n_features_in_:
        raise DataError(f"{path} has {X.shape[1]} feature columns, the model needs "
                        f"{first.n_features_in_}")
    return X


def predict_command(args):
    """``evonet predict``: predictions (and probabilities) of a saved model for a CSV file."""
    model = load_model(args.model)
    if isinstance(model, EvolvedPolicy):
        raise DataError(f"{args.model} holds a control policy; predict needs an estimator")
    estimator = model[-1] if hasattr(model, "steps") else model
    if args.proba and not hasattr(estimator, "predict_proba"):
        raise DataError("--proba needs a classifier; this model is a regressor")
    X = _feature_matrix(args.data, model, read_metadata(args.model))
    predictions = np.asarray(model.predict(X))
    columns = ["prediction"] if predictions.ndim == 1 else [
        f"prediction_{k}" for k in range(predictions.shape[1])]
    table = [predictions.reshape(len(X), -1)]
    if args.proba:
        columns += [f"proba_{c}" for c in estimator.classes_]
        table.append(model.predict_proba(X))
    text = csv_text(columns, zip(*[t.tolist() for t in table]))
    if args.out is None:
        sys.stdout.write(text)
    else:
        atomic_write(args.out, lambda f: f.write(text.encode()))
        print(f"{len(X)} predictions written to {args.out}", file=sys.stderr)
    return 0
