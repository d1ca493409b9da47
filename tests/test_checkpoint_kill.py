"""Crash recovery: a fit killed with SIGKILL (mid-run or mid-write) resumes to the same model.

The kill is deterministic, as a crash, an out-of-memory kill or a pre-empted
node would be, but at a chosen moment: before the checkpoint of a chosen
generation, or halfway through writing it. The child process runs
:data:`KILL_WHILE_WRITING` first: for the former it adds, through
``evonet.runs.fit_context``, a callback that SIGKILLs the process once
generation ``K`` is over; for the latter it wraps the checkpoint writer so
that the process SIGKILLs itself once half of the checkpoint of generation
``K`` is on disk.
"""

import os
import signal
import subprocess
import sys
import warnings

import numpy as np
import pytest

import evonet
from evonet.cli import main
from evonet.io import read_checkpoint_metadata

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

KILL_WHILE_WRITING = """
import os, signal
import evonet.io.checkpoint

_GENERATION = int(os.environ.get("KILL_WHILE_WRITING") or -1)
_write_archive, _fdopen = evonet.io.checkpoint.write_archive, os.fdopen


class _KillingFile:
    # the file of an archive being written: SIGKILL once `limit` bytes are on disk
    def __init__(self, f, limit):
        self.f, self.limit, self.written = f, limit, 0

    def __getattr__(self, name):
        return getattr(self.f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()

    def write(self, data):
        n = self.f.write(data)
        self.written += n
        if self.written >= self.limit:
            self.f.flush()
            os.fsync(self.f.fileno())
            os.kill(os.getpid(), signal.SIGKILL)
        return n


def _write_checkpoint_archive(path, name, document, arrays):
    if document["generation"] == _GENERATION:
        half = os.path.getsize(path) // 2   # of the previous generation's checkpoint
        os.fdopen = lambda fd, *args, **kwargs: _KillingFile(_fdopen(fd, *args, **kwargs), half)
    _write_archive(path, name, document, arrays)


evonet.io.checkpoint.write_archive = _write_checkpoint_archive

from evonet.callbacks import Callback
from evonet.runs import fit_context


class _KillAfter(Callback):
    # SIGKILL once generation K is over, before its checkpoint is written
    def on_generation(self, run):
        if run.generation == int(os.environ.get("KILL_AFTER_GENERATION") or -1):
            os.kill(os.getpid(), signal.SIGKILL)


_CONTEXT = fit_context(callbacks=[_KillAfter()])   # held: closing it would end the block
_CONTEXT.__enter__()
"""
"""Run first in a child process: ``KILL_WHILE_WRITING=K`` in its environment kills it
(SIGKILL) halfway through writing the checkpoint of generation ``K``,
``KILL_AFTER_GENERATION=K`` once generation ``K`` is over."""


def evonet_command(args, env=None):
    environment = dict(os.environ, PYTHONPATH=os.getcwd(), **(env or {}))
    main = KILL_WHILE_WRITING + "import sys\nfrom evonet.cli import main\nsys.exit(main())\n"
    return subprocess.run([sys.executable, "-c", main, *map(str, args)],
                          capture_output=True, text=True, env=environment, timeout=300)


def assert_same_model(a, b):
    a, b = evonet.load(a)[-1], evonet.load(b)[-1]
    if a.strategy_ == "neat":
        assert np.array_equal(a.genome_.nodes, b.genome_.nodes)
        assert np.array_equal(a.genome_.connections, b.genome_.connections)
    else:
        for W, V in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
            assert np.array_equal(W, V)
    assert a.loss_curve_ == b.loss_curve_
    assert (a.n_iter_, a.n_evaluations_) == (b.n_iter_, b.n_evaluations_)


@pytest.mark.parametrize("stage, strategy", [("generation", "es"), ("write", "neat"),
                                             ("write", "cmaes")])
def test_sigkill_then_resume_gives_the_uninterrupted_model(tmp_path, capsys, stage, strategy):
    options = ["--dataset", "iris", "--strategy", strategy, "--hidden", "4", "--generations",
               "30", "--seed", "3", "--quiet"]
    checkpoint, killed, reference = (tmp_path / name for name in ("run.ckpt", "killed.evonet",
                                                                  "reference.evonet"))
    kill = {"KILL_WHILE_WRITING": "12"} if stage == "write" else {
        "KILL_AFTER_GENERATION": "12"}
    result = evonet_command(["fit", *options, "--checkpoint", checkpoint,
                             "--checkpoint-interval", "0", "--out", killed], env=kill)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert not killed.exists()
    # the checkpoint of generation 11 survived; a kill inside a write leaves a temporary file
    assert read_checkpoint_metadata(checkpoint)["generation"] == 11
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == (1 if stage == "write" else 0)
    if leftovers:   # half a checkpoint
        assert 0 < (tmp_path / leftovers[0]).stat().st_size < checkpoint.stat().st_size

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["resume", str(checkpoint), "--quiet"]) == 0
        assert main(["fit", *options, "--out", str(reference)]) == 0
    capsys.readouterr()
    assert_same_model(killed, reference)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["killed.evonet", "reference.evonet"]


def test_sigkill_of_an_estimator_fit_in_a_script(tmp_path):
    script = tmp_path / "fit.py"
    script.write_text(
        KILL_WHILE_WRITING +
        "import sys, warnings\n"
        "from sklearn.datasets import load_digits\n"
        "from evonet import NeuroEvolutionClassifier\n"
        "warnings.simplefilter('ignore')\n"
        "X, y = load_digits(return_X_y=True)\n"
        "X = X[:400] / 16\n"
        "clf = NeuroEvolutionClassifier((8,), strategy='es', population_size=20,\n"
        "    max_generations=25, batch_size=64, random_state=0, checkpoint=sys.argv[1],\n"
        "    checkpoint_interval=0).fit(X, y[:400])\n"
        "clf.save(sys.argv[2])\n")
    checkpoint = tmp_path / "digits.ckpt"
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    runs = []
    for kill, out in (("9", "killed.evonet"), ("", "killed.evonet"), ("", "reference.evonet")):
        target = checkpoint if out == "killed.evonet" else tmp_path / "other.ckpt"
        runs.append(subprocess.run([sys.executable, str(script), str(target),
                                    str(tmp_path / out)], capture_output=True, text=True,
                                   timeout=300, env=dict(env, KILL_WHILE_WRITING=kill)))
    assert [r.returncode for r in runs] == [-signal.SIGKILL, 0, 0], runs[-1].stderr
    a, b = evonet.load(tmp_path / "killed.evonet"), evonet.load(tmp_path / "reference.evonet")
    assert all(np.array_equal(W, V) for W, V in zip(a.coefs_, b.coefs_))
    assert a.loss_curve_ == b.loss_curve_ and a.n_iter_ == b.n_iter_ == 25
