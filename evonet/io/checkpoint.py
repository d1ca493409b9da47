"""Checkpoint files: the whole state of a run, written atomically, loaded without pickle.

A checkpoint is a zip archive (see :mod:`evonet.io`) of ``checkpoint.json``
and ``arrays/*.npy``. The JSON document holds::

    format            "evonet.checkpoint"
    format_version    "MAJOR.MINOR" (this evonet writes CHECKPOINT_VERSION)
    evonet_version    the version that wrote it
    generation        generations run
    n_evaluations     networks evaluated
    metadata          JSON values of the writer: for an estimator its class,
                      parameters and data fingerprint, the generation its
                      ``fit`` started at and its validation split's seed; for
                      the command line, the command to run again
    state             the run (:meth:`evonet.evolve.Run.get_state`: strategy
                      state, generator, sampler, logbook, hall of fame, loss
                      curve...), the stopping callbacks' counters and the
                      writer's own state, in the encoding of :mod:`evonet.io._state`

Arrays keep their exact bits, so a run resumed from a checkpoint continues
exactly as the uninterrupted run would have.
"""

import numbers
import os
import warnings

import numpy as np

from evonet.evolve import Run
from evonet.io._archive import Archive, write_archive
from evonet.io._state import Decoder, Encoder
from evonet.io._writing import remove_temporaries
from evonet.io.fingerprint import describe_mismatch
from evonet.version import __version__

__all__ = ["CHECKPOINT_VERSION", "CheckpointData", "check_checkpoint_location",
           "check_checkpoint_settings", "is_checkpoint", "read_checkpoint",
           "read_checkpoint_metadata", "remove_checkpoint", "resume_run", "write_checkpoint"]

CHECKPOINT_FORMAT = "evonet.checkpoint"
CHECKPOINT_VERSION = (1, 0)
DOCUMENT = "checkpoint.json"


def _version_string(version):
    return f"{version[0]}.{version[1]}"


def write_checkpoint(path, run, callbacks=(), metadata=None, extra=None):
    """Write ``run`` (and the callbacks' counters) to the checkpoint file ``path``, atomically.

    Parameters
    ----------
    path : str or os.PathLike
    run : evonet.evolve.Run
    callbacks : sequence of Callback
        Their ``get_state()`` (``None`` for stateless ones) is saved, in order.
    metadata : dict, default=None
        JSON-ready values describing the run (fingerprints, command).
    extra : object, default=None
        Further state of the writer, in the serialiser's encoding.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from evonet.evaluation import Evaluator, SupervisedProblem
    >>> from evonet.nn import MLPLayout
    >>> from evonet.evolve import Run, evolve
    >>> from evonet.genome import init_population
    >>> from evonet.strategies import get_strategy
    >>> layout = MLPLayout(1, (), 1)
    >>> problem = SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0])
    >>> run = Run(get_strategy("cmaes"), Evaluator(problem), np.random.default_rng(0),
    ...           initializer=lambda n, rng: init_population(layout, n, rng))
    >>> run = evolve(run, max_generations=3)
    >>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt")
    >>> write_checkpoint(path, run, metadata={"note": "example"})
    >>> saved = read_checkpoint(path)
    >>> restored = saved.run_state["rng"]
    >>> saved.generation, saved.metadata["note"], restored.random() == run.rng.random()
    (3, 'example', True)
    """
    encoder = Encoder()
    states = []
    for callback in callbacks:
        state = callback.get_state()
        if state is not None:
            states.append([type(callback).__name__,
                           encoder.encode(state, f"callback {type(callback).__name__}")])
    document = {
        "format": CHECKPOINT_FORMAT,
        "format_version": _version_string(CHECKPOINT_VERSION),
        "evonet_version": __version__,
        "generation": int(run.generation),
        "n_evaluations": int(run.n_evaluations),
        "metadata": metadata or {},
        "state": {"run": encoder.encode(run.get_state(), "run"), "callbacks": states,
                  "extra": encoder.encode(extra, "extra")},
    }
    write_archive(path, DOCUMENT, document, encoder.arrays)


class CheckpointData:
    """What a checkpoint file holds, decoded.

    Attributes
    ----------
    path : str
    generation, n_evaluations : int
    metadata : dict
    run_state : dict
        Fields for :meth:`evonet.evolve.Run.from_state`.
    callback_states : list of (str, dict)
        Callback class names and their saved state, in order.
    extra : object
        The writer's own state.
    evonet_version : str

    Examples
    --------
    See :func:`write_checkpoint`, whose example reads one back.
    """

    def __init__(self, path, document, run_state, callback_states, extra):
        self.path = path
        self.generation = document["generation"]
        self.n_evaluations = document["n_evaluations"]
        self.metadata = document["metadata"]
        self.evonet_version = document["evonet_version"]
        self.run_state = run_state
        self.callback_states = callback_states
        self.extra = extra

    def __repr__(self):
        return f"CheckpointData({self.path!r}, generation={self.generation})"

    def restore_callbacks(self, callbacks):
        """Give ``callbacks`` (stateful ones, in the order they were saved) their counters."""
        stateful = [c for c in callbacks if c.get_state() is not None]
        names = [type(c).__name__ for c in stateful]
        saved = [name for name, _ in self.callback_states]
        if names != saved:
            raise ValueError(f"{self.path}: the checkpoint holds the state of callbacks {saved}, "
                             f"this run has {names}.")
        for callback, (_, state) in zip(stateful, self.callback_states):
            callback.set_state(state)


def _open(path):
    archive = Archive(path, DOCUMENT, what="evonet checkpoint")
    doc = archive.document
    if doc.get("format") != CHECKPOINT_FORMAT:
        archive.close()
        raise archive.error(f"field 'format' is {doc.get('format')!r}, not "
                            f"{CHECKPOINT_FORMAT!r}: not an evonet checkpoint")
    version = doc.get("format_version")
    try:
        major = int(str(version).split(".")[0])
    except ValueError:
        major = None
    if major is None or major < 1:
        archive.close()
        raise archive.error(f"field 'format_version' is invalid: {version!r}")
    if major > CHECKPOINT_VERSION[0]:
        archive.close()
        raise archive.error(f"field 'format_version' is {version}, newer than this evonet "
                            f"reads ({CHECKPOINT_VERSION[0]}.x); upgrade evonet to resume it")
    for key, kind in (("generation", int), ("n_evaluations", int), ("metadata", dict),
                      ("state", dict), ("evonet_version", str)):
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool):
            archive.close()
            raise archive.error(f"field {key!r} is missing or invalid")
    return archive


def is_checkpoint(path):
    """Whether ``path`` is a zip archive with a checkpoint document (not validated further).

    Examples
    --------
    >>> is_checkpoint(__file__)
    False
    """
    try:
        with Archive(path, DOCUMENT, what="evonet checkpoint"):
            return True
    except (ValueError, OSError):
        return False


def read_checkpoint_metadata(path):
    """The ``metadata`` of a checkpoint, with ``generation`` and ``n_evaluations`` added.

    Examples
    --------
    >>> read_checkpoint_metadata("no-such-file.ckpt")
    Traceback (most recent call last):
    ...
    FileNotFoundError: [Errno 2] No such file or directory: 'no-such-file.ckpt'
    """
    with _open(path) as archive:
        doc = archive.document
        return dict(doc["metadata"], generation=doc["generation"],
                    n_evaluations=doc["n_evaluations"], evonet_version=doc["evonet_version"])


def read_checkpoint(path):
    """Read and decode a checkpoint file; ``ValueError`` naming the problem if it is damaged.

    Nothing is unpickled: arrays are read with ``allow_pickle=False`` and only
    the whitelisted classes of :mod:`evonet.io._state` are rebuilt.

    Returns
    -------
    CheckpointData

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.ckpt")
    >>> _ = open(path, "w").write("not a checkpoint")
    >>> read_checkpoint(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...notes.ckpt is not a valid evonet checkpoint (not a readable zip archive: ...).
    """
    with _open(path) as archive:
        doc = archive.document
        decoder = Decoder(lambda name: archive.array(str(name), f"state array {name}"))
        state = doc["state"]
        try:
            run_state = decoder.decode(state["run"], "run")
            callbacks = state["callbacks"]
            callback_states = [(str(name), decoder.decode(value, f"callback {name}"))
                               for name, value in callbacks]
            extra = decoder.decode(state.get("extra"), "extra")
        except ValueError as exc:
            if str(exc).startswith(archive.path):
                raise
            raise archive.error(f"damaged state: {str(exc).rstrip('.')}") from None
        except (KeyError, TypeError) as exc:
            raise archive.error(f"damaged state ({type(exc).__name__}: {exc})") from None
        if not isinstance(run_state, dict):
            raise archive.error("damaged state: the run is not a record")
        return CheckpointData(os.fspath(path), doc, run_state, callback_states, extra)


def resume_run(path, strategy, evaluator, fingerprint, callbacks=(), stats=None):
    """The run saved in checkpoint ``path``, ready to continue, or ``None`` if there is none.

    For run loops outside the estimators (``evolve_policy``, a script) that
    give the ``fingerprint`` (a JSON-ready dict) as ``metadata`` to their
    :class:`~evonet.callbacks.Checkpoint` callback: another fingerprint raises
    ``ValueError`` saying what differs; ``callbacks`` get their counters back.

    Parameters
    ----------
    path : str or os.PathLike
    strategy : Strategy
        Made with the same settings as the saved run's.
    evaluator : Evaluator
        On the same problem.
    fingerprint : dict or None
        ``None`` for a checkpoint saved without metadata.
    callbacks : sequence of Callback
        The stateful callbacks saved with the run, in the same order.
    stats : deap.tools.Statistics, default=None
        The run's statistics (as given to :class:`~evonet.evolve.Run`): they are
        functions, so the checkpoint does not hold them, and without them the
        resumed run's records lack their columns.

    Returns
    -------
    Run or None

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from evonet.callbacks import Checkpoint
    >>> from evonet.evaluation import Evaluator, SupervisedProblem
    >>> from evonet.evolve import Run, evolve
    >>> from evonet.genome import init_population
    >>> from evonet.nn import MLPLayout
    >>> from evonet.strategies import get_strategy
    >>> layout = MLPLayout(1, (), 1)
    >>> evaluator = Evaluator(SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0]))
    >>> path = os.path.join(tempfile.mkdtemp(), "run.ckpt")
    >>> fingerprint = {"params": {"sigma": 0.5}}
    >>> resume_run(path, get_strategy("cmaes"), evaluator, fingerprint) is None
    True
    >>> run = Run(get_strategy("cmaes"), evaluator, np.random.default_rng(0),
    ...           initializer=lambda n, rng: init_population(layout, n, rng))
    >>> run = evolve(run, 4, callbacks=[Checkpoint(path, 0, metadata=fingerprint)])
    >>> resume_run(path, get_strategy("cmaes"), evaluator, fingerprint).generation
    4
    >>> resume_run(path, get_strategy("cmaes"), evaluator, {"params": {"sigma": 1.0}})
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ...run.ckpt: the checkpoint does not match this run: parameter sigma is 0.5 in the checkpoint but 1.0 now.
    """  # noqa: E501
    if not os.path.exists(path):
        return None
    saved = read_checkpoint(path)
    # a Checkpoint callback without metadata saved none: an empty fingerprint
    differences = describe_mismatch(saved.metadata or {}, fingerprint or {})
    if differences:
        raise ValueError(f"{saved.path}: the checkpoint does not match this run: "
                         f"{'; '.join(differences)}.")
    saved.restore_callbacks(callbacks)
    remove_temporaries(path)
    return Run.from_state(strategy, evaluator, saved.run_state, stats=stats)


def check_checkpoint_settings(checkpoint, interval):
    """Raise ``ValueError`` unless ``checkpoint`` is ``None`` or a path and ``interval`` >= 0.

    The ``checkpoint`` and ``checkpoint_interval`` parameters of the estimators
    and of ``evolve_policy``; nothing on disk is looked at.

    Examples
    --------
    >>> check_checkpoint_settings("run.ckpt", 60)
    >>> check_checkpoint_settings("run.ckpt", -1)
    Traceback (most recent call last):
    ...
    ValueError: checkpoint_interval must be a number of seconds >= 0, got -1.
    """
    if checkpoint is not None and not isinstance(checkpoint, (str, os.PathLike)):
        raise ValueError(f"checkpoint must be a file path or None, got {checkpoint!r}.")
    if isinstance(interval, bool) or not isinstance(interval, numbers.Real) or \
            not np.isfinite(interval) or interval < 0:
        raise ValueError(f"checkpoint_interval must be a number of seconds >= 0, got "
                         f"{interval!r}.")


def check_checkpoint_location(path):
    """Raise ``ValueError`` unless ``path`` can be a checkpoint file: a file name in a folder.

    Examples
    --------
    >>> import tempfile
    >>> check_checkpoint_location(tempfile.gettempdir())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: checkpoint='...' is a folder; give a file path.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"checkpoint: the folder {folder} does not exist "
                         f"(checkpoint={path!r}).")
    if os.path.isdir(path):
        raise ValueError(f"checkpoint={path!r} is a folder; give a file path.")


def remove_checkpoint(path):
    """Delete a finished run's checkpoint and any temporary file a crash left beside it.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "done.ckpt")
    >>> remove_checkpoint(path)   # nothing there: nothing to do
    >>> os.path.exists(path)
    False
    """
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:   # the run is done; a file left behind is only a nuisance
        warnings.warn(f"the finished run's checkpoint {path} could not be removed ({exc}).",
                      UserWarning, stacklevel=2)
    remove_temporaries(path)
