"""The evonet command line: every command, its help, its exit codes and its input errors."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest

import evonet
from evonet.callbacks import ProgressPrinter
from evonet.cli import main
from evonet.cli.data import load_csv


@pytest.fixture
def csv_files(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    labels = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    rows = [f"{a:.6f},{b:.6f},{c:.6f},{lab}" for (a, b, c), lab in zip(X, labels)]
    classes = tmp_path / "classes.csv"
    classes.write_text("a,b,c,label\n" + "\n".join(rows) + "\n")
    values = tmp_path / "values.csv"
    values.write_text("a,b,c,out\n" + "\n".join(
        f"{a:.6f},{b:.6f},{c:.6f},{2 * a - c + 0.5:.6f}" for a, b, c in X) + "\n")
    return {"classes": classes, "values": values, "X": X, "labels": labels}


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", [[], ["fit"], ["resume"], ["predict"], ["info"], ["plot"]])
def test_help_on_every_command(capsys, command):
    code, out, _ = run(command + ["--help"], capsys)
    assert code == 0 and "usage: evonet" in out
    if command == ["fit"]:
        for option in ("--target", "--dataset", "--task", "--strategy", "--generations",
                       "--checkpoint", "--out", "--n-jobs", "--seed"):
            assert option in out


def test_help_answers_without_the_estimators():
    """``evonet --help`` and usage errors import neither the commands nor scikit-learn's MLP."""
    code = ("import sys\nfrom evonet.cli import main\n"
            "codes = [main(['--help']), main(['fit', '--help']), main(['fit'])]\n"
            "heavy = [m for m in ('evonet.cli.commands', 'sklearn.neural_network', "
            "'evonet.saving') if m in sys.modules]\n"
            "print(codes, heavy, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stderr.strip().splitlines()[-1] == "[0, 0, 2] []"


@pytest.mark.parametrize("argv, message", [
    ([], "required"),
    (["fit"], "give either a CSV file or --dataset NAME"),
    (["fit", "x.csv", "--dataset", "iris"], "give either"),
    (["fit", "--dataset", "iris", "--generations", "0"], "not a positive integer"),
    (["fit", "--dataset", "iris", "--strategy", "magic"], "invalid choice"),
    (["fit", "--dataset", "iris", "--test-size", "2"], "not in (0, 1)"),
    (["fly"], "invalid choice"),
    (["predict", "model.evonet"], "required"),
    (["fit", "--dataset", "iris", "--n-jobs", "0"],
     "argument --n-jobs: 0 is not a number of jobs: a positive integer, or -1 for every core"),
    (["resume", "run.ckpt", "--n-jobs", "0"], "0 is not a number of jobs"),
])
def test_usage_errors_exit_2(capsys, argv, message):
    code, out, err = run(argv, capsys)
    assert code == 2 and message in err and "Traceback" not in err
    assert out == ""   # refused before any output


def test_csv_problems_give_one_line_and_exit_2(tmp_path, capsys, csv_files):
    files = {
        "empty.csv": "",
        "header.csv": "a,b,label\n",
        "ragged.csv": "a,b,label\n1,2,x\n3,4\n",
        "text.csv": "a,b,label\n1,2,x\n3,oops,y\n",
        "blank.csv": "a,b,label\n1,2,x\n3,,y\n",
        "nan.csv": "a,b,label\n1,2,x\n3,nan,y\n",
        "twice.csv": "a,a,label\n1,2,x\n",
    }
    expected = {
        "empty.csv": "is empty", "header.csv": "no data rows",
        "ragged.csv": "line 3: 2 fields, the header has 3",
        "text.csv": "line 3: column 'b' holds a non-numeric value 'oops'",
        "blank.csv": "line 3: column 'b' is empty",
        "nan.csv": "line 3: column 'b' holds a missing or infinite value 'nan'",
        "twice.csv": "repeats the column name 'a'",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        code, _, err = run(["fit", tmp_path / name, "--target", "label"], capsys)
        assert code == 2, name
        assert err.count("\n") == 1 and expected[name] in err, err
    cases = [
        (["fit", csv_files["classes"], "--target", "nope"], "target column 'nope' is not in"),
        (["fit", csv_files["classes"]], "a CSV file needs --target COLUMN"),
        (["fit", tmp_path / "missing.csv", "--target", "y"], "no such file"),
        (["fit", tmp_path, "--target", "y"], "is a folder"),
        (["fit", "--dataset", "mnist"], "unknown dataset 'mnist'"),
        (["fit", csv_files["classes"], "--target", "label", "--task", "regression"],
         "regression needs numbers"),
    ]
    for argv, message in cases:
        code, _, err = run(argv, capsys)
        assert code == 2 and err.count("\n") == 1 and message in err, err
        assert "Traceback" not in err


def test_fit_predict_info_on_a_csv_file(tmp_path, capsys, csv_files):
    model = tmp_path / "model.evonet"
    code, out, _ = run(["fit", csv_files["classes"], "--target", "label", "--hidden", "3",
                        "--generations", "30", "--out", model, "--seed", "1"], capsys)
    assert code == 0
    assert "held-out accuracy: evonet" in out and "MLPClassifier" in out
    assert "generation" in out and "left" in out   # progress lines with time left
    assert model.exists()

    code, out, _ = run(["info", model], capsys)
    assert code == 0
    assert "MLP 3-3-1" in out and "classes   2: no, yes" in out
    assert "features  3: a, b, c" in out and "strategy cmaes" in out

    code, out, _ = run(["predict", model, csv_files["classes"]], capsys)
    assert code == 0
    lines = out.splitlines()
    loaded = evonet.load(model)
    X = load_csv(csv_files["classes"], target="label")[0]   # the values as written
    assert lines[0] == "prediction" and lines[1:] == list(loaded.predict(X))

    predictions = tmp_path / "pred.csv"
    code, _, err = run(["predict", model, csv_files["classes"], "--proba", "--out",
                        predictions], capsys)
    assert code == 0 and "80 predictions written" in err
    rows = predictions.read_text().splitlines()
    assert rows[0] == "prediction,proba_no,proba_yes"
    proba = np.array([[float(v) for v in row.split(",")[1:]] for row in rows[1:]])
    assert np.array_equal(proba, loaded.predict_proba(X))


def test_regression_and_predict_errors(tmp_path, capsys, csv_files):
    model = tmp_path / "reg.evonet"
    code, out, _ = run(["fit", csv_files["values"], "--target", "out", "--hidden", "2",
                        "--generations", "20", "--out", model, "--quiet"], capsys)
    assert code == 0 and "held-out R^2: evonet" in out and "generation " not in out
    code, out, _ = run(["predict", model, csv_files["values"]], capsys)
    assert code == 0 and out.splitlines()[0] == "prediction"
    (tmp_path / "other.csv").write_text("x,y\n1,2\n")
    (tmp_path / "broken.evonet").write_bytes(model.read_bytes()[:200])
    # a checkpoint cut short (a full disk, a copy stopped half way), whatever its name
    from test_checkpoint import crash_fit

    X, y, _ = load_csv(csv_files["values"], target="out")
    crash_fit(evonet.NeuroEvolutionRegressor((2,), max_generations=8, random_state=0,
                                             checkpoint=tmp_path / "run.ckpt",
                                             checkpoint_interval=0), X, y, 4)
    (tmp_path / "cut.bin").write_bytes((tmp_path / "run.ckpt").read_bytes()[:300])
    for argv, message in [
        (["predict", model, csv_files["values"], "--proba"], "--proba needs a classifier"),
        (["predict", model, tmp_path / "other.csv"], "lacks the column(s) a, b, c"),
        (["predict", tmp_path / "none.evonet", csv_files["values"]], "no such file"),
        (["predict", tmp_path / "broken.evonet", csv_files["values"]], "broken.evonet"),
        (["info", tmp_path / "broken.evonet"], "broken.evonet"),
        (["info", tmp_path / "cut.bin"], "cut.bin is not a valid evonet checkpoint"),
        (["info", csv_files["values"]], "not a valid evonet model file"),
        (["resume", tmp_path / "none.ckpt"], "no such file"),
        (["resume", model], "not a valid evonet checkpoint"),
    ]:
        code, _, err = run(argv, capsys)
        assert code == 2 and err.count("\n") == 1 and message in err, (argv, err)


def test_main_command_and_resume_of_a_finished_checkpoint(tmp_path, capsys):
    checkpoint = tmp_path / "iris.ckpt"
    code, out, _ = run(["fit", "--dataset", "iris", "--hidden", "3", "--generations", "15",
                        "--checkpoint", checkpoint, "--checkpoint-interval", "0"], capsys)
    assert code == 0 and "held-out accuracy" in out
    assert not checkpoint.exists()   # removed once the fit ended


def test_friedman1_is_a_built_in_regression_data_set(tmp_path, capsys):
    model = tmp_path / "friedman1.evonet"
    code, out, _ = run(["fit", "--dataset", "friedman1", "--hidden", "2", "--generations", "5",
                        "--out", model, "--quiet"], capsys)
    assert code == 0, out
    assert "NeuroEvolutionRegressor on friedman1: 750 training rows, 250 test rows, " \
           "10 features" in out
    assert "held-out R^2: evonet" in out and "MLPRegressor" in out
    # the model's features are named x0 to x9: a CSV file with those columns predicts
    rows = "\n".join(",".join(str(v) for v in row) for row in np.eye(3, 10))
    (tmp_path / "new.csv").write_text(",".join(f"x{i}" for i in range(10)) + "\n" + rows)
    code, out, _ = run(["predict", model, tmp_path / "new.csv"], capsys)
    assert code == 0 and out.splitlines()[0] == "prediction" and len(out.splitlines()) == 4
    code, out, _ = run(["fit", "--help"], capsys)
    assert "digits, diabetes or friedman1" in " ".join(out.split())   # whatever the width


def test_resume_refuses_checkpoints_not_written_by_fit(tmp_path, capsys):
    from sklearn.datasets import load_iris
    from test_checkpoint import crash_fit

    X, y = load_iris(return_X_y=True)
    checkpoint = tmp_path / "est.ckpt"
    crash_fit(evonet.NeuroEvolutionClassifier((2,), checkpoint=checkpoint,
                                              checkpoint_interval=0, max_generations=10),
              X, y, 3)
    code, _, err = run(["resume", checkpoint], capsys)
    assert code == 2 and "was not written by 'evonet fit'" in err
    code, out, _ = run(["info", checkpoint], capsys)
    assert code == 0 and "generation 2" in out


def test_progress_bar_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    printer = ProgressPrinter(stream=stream, total=5)
    from evonet import Evaluator, MLPLayout, SupervisedProblem
    from evonet.evolve import Run, evolve
    from evonet.genome import init_population
    from evonet.strategies import get_strategy

    layout = MLPLayout(1, (), 1)
    problem = SupervisedProblem(layout, [[0.0], [1.0]], [1.0, 3.0])
    run_ = Run(get_strategy("cmaes"), Evaluator(problem), np.random.default_rng(0),
               initializer=lambda n, rng: init_population(layout, n, rng))
    evolve(run_, 5, callbacks=[printer])
    text = stream.getvalue()
    assert text.startswith("\r[") and "5/5" in text and "evals/s" in text and "left" in text
    assert "best" in text and "mean" in text
    assert text.endswith("\n")


def test_command_line_in_a_subprocess(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    result = subprocess.run([sys.executable, "-m", "evonet.cli", "fit", "--dataset", "wine",
                             "--hidden", "2", "--generations", "10", "--quiet", "--out",
                             str(tmp_path / "wine.evonet")], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "held-out accuracy" in result.stdout
    result = subprocess.run([sys.executable, "-m", "evonet.cli", "info", "missing.evonet"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2 and result.stderr.startswith("evonet: error: no such file")


def test_info_on_an_early_stopping_model_names_its_validation_score(tmp_path, capsys):
    from sklearn.datasets import load_iris

    from evonet import NeuroEvolutionClassifier

    X, y = load_iris(return_X_y=True)
    clf = NeuroEvolutionClassifier((3,), early_stopping=True, n_iter_no_change=3,
                                   random_state=0).fit(X, y)
    assert clf.best_loss_ is None
    path = tmp_path / "early.evonet"
    clf.save(path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"best validation score {clf.best_validation_score_:.4f}" in out
    assert "best training loss" not in out
