"""The evonet command line when things go wrong: outputs checked before any work, exit code 1.

Exit code 1 is a failure of the run itself (a crash, a disk that fills up); 130
Ctrl-C (143 SIGTERM, tested with real signals in test_cli_signals.py); exit
code 2 an input the command can refuse before it starts. Either way stderr
gets one line, and a run that left a checkpoint says how to resume it.
"""

import errno
import os
import shutil
import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning

from evonet.callbacks import Callback
from evonet.cli import main
from evonet.io import read_checkpoint_metadata
from evonet.runs import fit_context

FIT = ["fit", "--dataset", "iris", "--hidden", "3", "--generations", "12", "--quiet"]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def last_line(err):
    """The error line of ``err``, after the run's warnings (the budget ran out: 'warning: ...')."""
    *warned, line = err.splitlines()
    assert all(w.startswith("warning: ") for w in warned), err
    return line


class RaiseAt(Callback):
    """Raise ``error`` after generation ``generation``, or call it there if it is a function."""

    def __init__(self, generation, error):
        self.generation, self.error = generation, error

    def on_generation(self, run):
        if run.generation == self.generation:
            if isinstance(self.error, BaseException):
                raise self.error
            self.error()
        return False


@pytest.fixture
def during_fit():
    """``during_fit(generation, error)``: from now on, fits raise (or do) ``error`` after
    ``generation``; ``during_fit(None, None)`` stops that."""
    raiser = RaiseAt(None, None)

    def install(generation, error):
        raiser.generation, raiser.error = generation, error

    with fit_context(callbacks=[raiser]):
        yield install


def test_unusable_output_folders_are_refused_before_any_work(tmp_path, capsys, monkeypatch):
    missing = tmp_path / "missing"
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    cases = [
        (FIT + ["--out", missing / "m.evonet"], f"--out {missing / 'm.evonet'}: the folder "
                                                f"{missing} does not exist"),
        (FIT + ["--checkpoint", missing / "c.ckpt"], f"--checkpoint {missing / 'c.ckpt'}: "
                                                     f"the folder {missing} does not exist"),
        (FIT + ["--out", tmp_path], f"--out {tmp_path} is a folder"),
        (FIT + ["--out", ""], "--out needs a file name"),
        (FIT + ["--out", f"{missing}{os.sep}"], f"--out {missing}{os.sep} needs a file name"),
        (FIT + ["--out", tmp_path / "notes.txt" / "m.evonet"],
         f"{tmp_path / 'notes.txt'} is a file, not a folder"),
        (["predict", "m.evonet", "data.csv", "--out", missing / "p.csv"],
         f"--out {missing / 'p.csv'}: the folder {missing} does not exist"),
    ]
    for argv, message in cases:
        code, out, err = run(argv, capsys)
        assert code == 2 and out == "", (argv, out)   # nothing ran: no data set was loaded
        assert err.startswith("evonet: error: ") and err.count("\n") == 1, (argv, err)
        assert message in err, (argv, err)

    writable = os.access   # running as root, a chmod cannot make a folder read-only
    monkeypatch.setattr(os, "access", lambda path, mode: writable(path, mode)
                        and os.fspath(path) != str(tmp_path / "locked"))
    (tmp_path / "locked").mkdir()
    code, out, err = run(FIT + ["--out", tmp_path / "locked" / "m.evonet"], capsys)
    assert code == 2 and out == ""
    assert err == (f"evonet: error: --out {tmp_path / 'locked' / 'm.evonet'}: the folder "
                   f"{tmp_path / 'locked'} is not writable\n")


def test_ctrl_c_exits_130_and_says_how_to_resume(tmp_path, capsys, during_fit, monkeypatch):
    checkpoint, model = tmp_path / "run.ckpt", tmp_path / "model.evonet"
    during_fit(5, KeyboardInterrupt())
    code, _, err = run(FIT + ["--checkpoint", checkpoint, "--checkpoint-interval", "0",
                              "--out", model], capsys)
    assert code == 130
    assert err == f"evonet: interrupted; continue with: evonet resume {checkpoint}\n"
    # Ctrl-C came after generation 5 was complete: the checkpoint saves it
    assert read_checkpoint_metadata(checkpoint)["generation"] == 5 and not model.exists()

    # a later mistake in the output folder is refused up front and leaves the checkpoint be
    saved = checkpoint.read_bytes()
    for argv in (FIT + ["--checkpoint", checkpoint, "--out", tmp_path / "no" / "m.evonet"],
                 ["resume", checkpoint, "--out", tmp_path / "no" / "m.evonet"]):
        code, _, err = run(argv, capsys)
        assert code == 2 and err.count("\n") == 1 and str(tmp_path / "no") in err
        assert checkpoint.read_bytes() == saved

    # Ctrl-C during the resumed run: the same hint; then the resume runs to the end
    during_fit(7, KeyboardInterrupt())
    code, _, err = run(["resume", checkpoint, "--quiet"], capsys)
    assert code == 130
    assert err == f"evonet: interrupted; continue with: evonet resume {checkpoint}\n"
    during_fit(None, None)   # no more Ctrl-C
    code, out, _ = run(["resume", checkpoint, "--quiet"], capsys)
    assert code == 0 and f"model saved to {model}" in out
    assert model.exists() and not checkpoint.exists()


def test_ctrl_c_without_a_checkpoint_and_a_quoted_resume_hint(tmp_path, capsys, during_fit):
    during_fit(3, KeyboardInterrupt())
    code, _, err = run(FIT, capsys)
    assert (code, err) == (130, "evonet: interrupted\n")
    checkpoint = tmp_path / "my run.ckpt"
    code, _, err = run(FIT + ["--checkpoint", checkpoint, "--checkpoint-interval", "0"],
                       capsys)
    assert (code, err) == (130, f"evonet: interrupted; continue with: evonet resume "
                              f"'{checkpoint}'\n")


def test_a_failing_run_exits_1_with_one_line(tmp_path, capsys, during_fit, monkeypatch):
    during_fit(3, RuntimeError("a worker died\nunexpectedly"))
    code, out, err = run(FIT, capsys)
    assert code == 1 and "Traceback" not in out + err
    assert err == ("evonet: failed: RuntimeError: a worker died unexpectedly (EVONET_DEBUG=1 "
                   "shows the traceback)\n")

    checkpoint = tmp_path / "run.ckpt"
    code, _, err = run(FIT + ["--checkpoint", checkpoint, "--checkpoint-interval", "0"],
                       capsys)
    assert code == 1 and err.count("\n") == 1
    assert f"a worker died unexpectedly; continue with: evonet resume {checkpoint} " in err

    monkeypatch.setenv("EVONET_DEBUG", "1")
    with pytest.raises(RuntimeError, match="a worker died"):
        main(FIT)


def test_the_model_folder_vanishing_during_the_run_names_the_model_file(tmp_path, capsys,
                                                                         during_fit):
    # the reported failure: 'no such file: .../.m.evonet.wss7tgzt.tmp', exit 2
    folder = tmp_path / "models"
    folder.mkdir()
    model = folder / "m.evonet"
    during_fit(3, lambda: shutil.rmtree(folder))
    code, _, err = run(FIT + ["--out", model], capsys)
    assert code == 1
    assert last_line(err) == f"evonet: failed: could not write {model}: No such file or directory"


def test_a_model_that_cannot_be_saved_keeps_the_checkpoint(tmp_path, capsys, during_fit,
                                                            monkeypatch):
    folder = tmp_path / "models"
    folder.mkdir()
    checkpoint = tmp_path / "run.ckpt"
    during_fit(3, lambda: shutil.rmtree(folder))
    argv = FIT + ["--checkpoint", checkpoint, "--checkpoint-interval", "0",
                  "--out", folder / "m.evonet"]
    code, _, _ = run(argv, capsys)
    assert code == 1
    assert checkpoint.exists()
    # with the folder back, the same command finishes the run, saves, then drops the checkpoint
    folder.mkdir()
    monkeypatch.undo()
    code, out, _ = run(argv, capsys)
    assert code == 0 and "resuming from" in out
    assert (folder / "m.evonet").exists() and not checkpoint.exists()


def full_disk(*args):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_at_the_end_keeps_the_old_file_and_names_it(tmp_path, capsys,
                                                                  monkeypatch):
    model = tmp_path / "m.evonet"
    code, _, _ = run(FIT + ["--out", model], capsys)
    assert code == 0
    previous = model.read_bytes()
    data = tmp_path / "rows.csv"
    data.write_text("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n"
                    "5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
    predictions = tmp_path / "pred.csv"
    predictions.write_text("earlier predictions\n")

    monkeypatch.setattr(os, "fsync", full_disk)   # every write fails at its flush to disk
    code, _, err = run(FIT + ["--out", model, "--seed", "1"], capsys)
    assert code == 1
    assert last_line(err) == f"evonet: failed: could not write {model}: No space left on device"
    code, _, err = run(["predict", model, data, "--out", predictions], capsys)
    assert code == 1
    assert err == f"evonet: failed: could not write {predictions}: No space left on device\n"
    # the files from before are whole, and no temporary file is left beside them
    assert model.read_bytes() == previous
    assert predictions.read_text() == "earlier predictions\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.evonet", "pred.csv", "rows.csv"]


@pytest.mark.parametrize("names", [["a", "a", "b", "c"], ["a", "b"], "abcd"])
def test_hand_edited_feature_names_are_refused_by_field(tmp_path, capsys, names):
    # a repeated name fed one column twice and ignored another; too few ended in
    # scikit-learn's feature-count error, naming no field
    import numpy as np
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from evonet import NeuroEvolutionClassifier, save

    X = np.random.default_rng(0).normal(size=(20, 4))
    model = make_pipeline(StandardScaler(), NeuroEvolutionClassifier(
        (2,), max_generations=2, random_state=0)).fit(X, (X[:, 0] > 0).astype(int))
    save(model, tmp_path / "m.evonet", metadata={"feature_names": names})
    data = tmp_path / "rows.csv"
    data.write_text("a,b,c,d\n" + "\n".join(",".join(f"{v:.3f}" for v in row) for row in X))
    code, out, err = run(["predict", tmp_path / "m.evonet", data], capsys)
    assert code == 2 and out == ""
    assert "'metadata.feature_names' is invalid" in last_line(err)


@pytest.mark.parametrize("seed", ["-1", str(2**32)])
def test_a_seed_out_of_range_is_refused_by_option(capsys, seed):
    # it reached scikit-learn, whose message named train_test_split's random_state
    code, out, err = run(["fit", "--dataset", "iris", "--seed", seed], capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].endswith(f"argument --seed: {seed} is not a seed: an integer "
                                         f"from 0 to 2**32 - 1")


def test_an_unreadable_model_file_is_an_input_error(tmp_path, capsys, monkeypatch):
    # it was a failure of the run (exit code 1, "failed: PermissionError ...")
    path = tmp_path / "m.evonet"
    path.write_bytes(b"x")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("evonet.cli.info.load", refuse)
    for command in (["info", path], ["predict", path, path]):
        code, out, err = run(command, capsys)
        assert (code, out) == (2, "")
        assert err == f"evonet: error: cannot read {path}: Permission denied\n"


def test_a_run_does_not_resume_on_a_data_file_that_changed(tmp_path, capsys, during_fit):
    # the fit's own check covers its training rows only: a changed held-out row resumed
    # and reported an accuracy on data the run never split
    import numpy as np

    rows = np.random.default_rng(0).normal(size=(40, 3))
    data, checkpoint = tmp_path / "d.csv", tmp_path / "run.ckpt"

    def write(values):
        data.write_text("a,b,c,y\n" + "\n".join(
            f"{a:.4f},{b:.4f},{c:.4f},{int(a > 0)}" for a, b, c in values))

    write(rows)
    fit = ["fit", data, "--target", "y", "--hidden", "2", "--generations", "12", "--quiet",
           "--checkpoint", checkpoint, "--checkpoint-interval", "0"]
    during_fit(3, KeyboardInterrupt())
    assert run(fit, capsys)[0] == 130
    during_fit(None, None)
    rows[-1, 1] += 1.0   # one value of one row, wherever the split put it
    write(rows)
    for argv in (["resume", checkpoint], fit):
        code, out, err = run(argv, capsys)
        assert code == 2 and "resuming" not in out
        assert err == (f"evonet: error: {data} changed since {checkpoint} was written, so the "
                       f"run cannot go on with the same data; give another --checkpoint to "
                       f"start a new run\n")
    rows[-1, 1] -= 1.0   # the run's data again, byte for byte: it resumes
    write(rows)
    assert run(["resume", checkpoint], capsys)[0] == 0


@pytest.mark.parametrize("command", ["predict", "plot"])
def test_a_checkpoint_given_for_a_model_file_is_named_as_one(tmp_path, capsys, during_fit,
                                                             command):
    # it said the file "has no model.json member"
    checkpoint = tmp_path / "run.ckpt"
    during_fit(3, KeyboardInterrupt())
    assert run(FIT + ["--checkpoint", checkpoint, "--checkpoint-interval", "0"], capsys)[0] == 130
    data = tmp_path / "rows.csv"
    data.write_text("a,b,c,d\n1,2,3,4\n")
    argv = [command, checkpoint] + ([data] if command == "predict" else
                                    ["--out", tmp_path / "f.png"])
    code, out, err = run(argv, capsys)
    assert (code, out) == (2, "")
    assert err == (f"evonet: error: {checkpoint} is a checkpoint, not a model file: finish its "
                   f"run with 'evonet resume {checkpoint}' (with --out MODEL to save the "
                   f"model)\n")


def test_a_read_only_output_file_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    # the write refused it at the end of the fit, and the trained model was lost
    model = tmp_path / "ro.evonet"
    model.write_bytes(b"keep")
    real_access = os.access
    monkeypatch.setattr("evonet.io._writing.os.access",
                        lambda p, mode: False if os.fspath(p) == str(model) else
                        real_access(p, mode))
    code, out, err = run(FIT + ["--out", model], capsys)
    assert (code, out) == (2, "")
    assert err == f"evonet: error: --out {model}: it is read-only\n"
    assert model.read_bytes() == b"keep"


def test_predictions_go_to_a_pipe_through_dev_stdout(tmp_path, capsys):
    # the path was resolved to /proc/PID/fd/pipe:[N], which does not exist
    import subprocess
    import sys

    model, data = tmp_path / "m.evonet", tmp_path / "rows.csv"
    assert run(FIT + ["--out", model], capsys)[0] == 0
    data.write_text("sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n"
                    "5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-m", "evonet.cli", "predict", str(model),
                           str(data), "--out", "/dev/stdout"], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=root), check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "prediction" and len(done.stdout.splitlines()) == 3


def test_an_unreadable_checkpoint_is_an_input_error(tmp_path, capsys, monkeypatch):
    # it was a failure (exit code 1), with a resume hint pointing back at the same file
    path = tmp_path / "run.ckpt"
    path.write_bytes(b"x")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("evonet.cli.info.read_checkpoint_metadata", refuse)
    code, out, err = run(["resume", path], capsys)
    assert (code, out) == (2, "")
    assert err == f"evonet: error: cannot read {path}: Permission denied\n"
