"""The experiment scripts: every option explained, and every artefact written to --out-dir only.

Each script runs in-process with its smallest settings (the slow parts of
sklearn_benchmark.py and cartpole_gym.py are replaced by canned results: what
is checked here is where the files go, not the figures).
"""

import contextlib
import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPERIMENTS = os.path.join(ROOT, "experiments")
# experiments/_common.py is what the scripts share, not a script
SCRIPTS = sorted(name[:-3] for name in os.listdir(EXPERIMENTS)
                 if name.endswith(".py") and not name.startswith("_"))


@contextlib.contextmanager
def experiments_on_path():
    """experiments/ first on ``sys.path``, as ``python experiments/NAME.py`` has it: the
    scripts import ``_common`` from there."""
    sys.path.insert(0, EXPERIMENTS)
    try:
        yield
    finally:
        sys.path.remove(EXPERIMENTS)


def load(name):
    """The script ``experiments/NAME.py`` as a module (its ``main`` is not run)."""
    spec = importlib.util.spec_from_file_location(f"experiment_{name}",
                                                  os.path.join(EXPERIMENTS, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    with experiments_on_path():
        spec.loader.exec_module(module)
    return module


def common():
    """experiments/_common.py: the module object the scripts import as ``_common``."""
    with experiments_on_path():
        return importlib.import_module("_common")


def repository_status():
    """``git status --porcelain`` of the checkout, or ``None`` outside a git checkout."""
    if shutil.which("git") is None:
        return None
    result = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else None


@pytest.fixture
def leaves_repository_alone():
    """Fail if the test changed any file of the repository (tracked or not ignored)."""
    before = repository_status()
    yield
    assert repository_status() == before


def test_every_script_is_checked():
    assert SCRIPTS == ["baldwin", "cartpole_gym", "evolution_and_learning", "objectives",
                       "pole_balancing", "seed_examples", "sklearn_benchmark", "xor",
                       "xor_easimple"]


@pytest.mark.parametrize("name", SCRIPTS)
def test_help_explains_every_option(name, capsys):
    parser = load(name).build_parser()
    for action in parser._actions:
        assert action.help and len(action.help.split()) >= 3, (name, action.option_strings)
    options = {option for action in parser._actions for option in action.option_strings}
    assert {"--out-dir", "--json"} <= options
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "--out-dir DIR" in text and "experiments/results/" in text
    assert "``" not in text and ":mod:" not in text and "../shared" not in text


def test_xor_writes_only_to_out_dir(tmp_path, capsys, leaves_repository_alone):
    xor = load("xor")
    out = tmp_path / "out"
    xor.main(["--runs", "1", "--quiet", "--out-dir", str(out), "--json"])
    assert sorted(os.listdir(out)) == ["xor_paper.json", "xor_solution_paper.png"]
    saved = json.loads((out / "xor_paper.json").read_text())
    assert saved["summary"]["runs"] == 1 and saved["args"]["json"] == str(out / "xor_paper.json")
    # an explicit --json PATH is written where it says; --no-plot draws nothing
    xor.main(["--runs", "1", "--quiet", "--no-plot", "--out-dir", str(tmp_path / "none"),
              "--json", str(tmp_path / "mine.json")])
    assert (tmp_path / "mine.json").exists() and not (tmp_path / "none").exists()
    capsys.readouterr()


def test_xor_easimple_and_pole_balancing_json_in_out_dir(tmp_path, capsys,
                                                         leaves_repository_alone):
    load("xor_easimple").main(["--generations", "2", "--population", "8", "--out-dir",
                               str(tmp_path), "--json"])
    # one generation, unsolved: a failure, the JSON file and no plot
    code = load("pole_balancing").main(["--task", "1-markov", "--runs", "1",
                                        "--max-evaluations", "1", "--strategy", "ga",
                                        "--out-dir", str(tmp_path), "--json"])
    assert code == 1
    assert sorted(os.listdir(tmp_path)) == ["pole_balancing_ga_1-markov.json",
                                            "xor_easimple.json"]
    capsys.readouterr()


def canned_benchmark(monkeypatch):
    """experiments/sklearn_benchmark.py with canned scores in place of its fits."""
    benchmark = load("sklearn_benchmark")
    row = {"mean": 0.9, "std": 0.01, "fit_s": 0.1, "wall_s": 0.5}
    evonet_row = dict(row, generations=10.0, evaluations=100.0, strategy="cmaes")
    monkeypatch.setattr(benchmark, "evaluate", lambda dataset, seed, repeats, n_jobs: (
        "classification", {"evonet": evonet_row, "evonet-fixed": evonet_row,
                           "MLPClassifier": row, "LogisticRegression": row},
        [{"gen": 1, "min": 1.0, "mean": 1.5, "std": 0.2, "max": 2.0, "loss": 1.0},
         {"gen": 2, "min": 0.5, "mean": 1.0, "std": 0.2, "max": 1.5, "loss": 0.5}]))
    return benchmark


def test_table_plot_and_json_of_the_slow_experiments(tmp_path, capsys, monkeypatch,
                                                     leaves_repository_alone):
    benchmark = canned_benchmark(monkeypatch)
    benchmark.main(["--datasets", "iris", "--out-dir", str(tmp_path / "bench"), "--json"])
    assert sorted(os.listdir(tmp_path / "bench")) == [
        "sklearn_benchmark.json", "sklearn_benchmark.md", "sklearn_benchmark_loss_curves.png"]
    assert "| iris | evonet | 90.0 +- 1.0 |" in (tmp_path / "bench" / "sklearn_benchmark.md") \
        .read_text()

    gym = load("cartpole_gym")
    monkeypatch.setattr(gym, "cartpole", lambda args: {"summary": {"solved_test": args.runs}})
    assert gym.main(["--runs", "1", "--skip-pendulum", "--out-dir", str(tmp_path / "gym"),
                     "--json"]) == 0
    assert os.listdir(tmp_path / "gym") == ["cartpole_gym.json"]
    capsys.readouterr()


def test_without_out_dir_or_json_nothing_is_written(tmp_path, capsys, monkeypatch,
                                                    leaves_repository_alone):
    # the table, the plots and the drawings go only to a folder the user names; run from an
    # empty working folder, so that a file written anywhere relative shows too
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(common(), "RESULTS", str(tmp_path / "results"))
    assert canned_benchmark(monkeypatch).main(["--datasets", "iris"]) == 0
    learning = load("evolution_and_learning")
    monkeypatch.setattr(learning, "evaluate", lambda dataset, args: (
        "classification", [{"method": "pbt", "mean": 0.9, "std": 0.01, "fit_s": 0.1,
                            "iterations": 5.0}]))
    monkeypatch.setattr(learning, "table", lambda results, args: ["| table |"])
    assert learning.main(["--datasets", "digits"]) == 0
    # a solved XOR run (its solution would be drawn with --out-dir)
    assert load("xor").main(["--runs", "1", "--quiet"]) == 0
    assert os.listdir(tmp_path) == []
    capsys.readouterr()


def test_default_out_dir_is_experiments_results():
    assert common().RESULTS == os.path.join(EXPERIMENTS, "results")
    for name in SCRIPTS:
        args = load(name).build_parser().parse_args(
            ["--task", "1-markov"] if name == "pole_balancing" else [])
        assert args.out_dir is None
        assert common().output_dir(args) == common().RESULTS


def test_scripts_use_the_shared_helpers_and_data_sets():
    # one copy of each helper (experiments/_common.py) and of the data sets (evonet.datasets)
    shared = common()
    for name in SCRIPTS:
        module = load(name)
        for helper in ("RESULTS", "add_cv_options", "add_output_options", "json_path",
                       "machine_conditions", "missing_extra", "output_dir"):
            assert getattr(module, helper, None) in (None, getattr(shared, helper)), \
                (name, helper)
        assert not hasattr(module, "load_iris"), name


NEEDS = {   # script: (arguments, module, extra) of an experiment run on a plain install
    "xor": ([], "matplotlib", "plot"),
    "baldwin": ([], "matplotlib", "plot"),
    "pole_balancing": (["--task", "1-markov"], "matplotlib", "plot"),
    "sklearn_benchmark": ([], "matplotlib", "plot"),
    "cartpole_gym": ([], "gymnasium", "control"),
    "evolution_and_learning": ([], "matplotlib", "plot"),
}


def test_an_experiment_without_its_extra_says_what_to_install(tmp_path):
    # each script in a fresh interpreter where the optional package cannot be imported,
    # as on a plain `pip install evonet`
    processes = {}
    for name, (argv, module, _) in NEEDS.items():
        code = (f"import runpy, sys; sys.modules[{module!r}] = None; "
                f"sys.path.insert(0, {EXPERIMENTS!r}); "
                f"sys.argv = [{name!r}] + {argv + ['--out-dir', str(tmp_path)]!r}; "
                f"runpy.run_path({os.path.join(EXPERIMENTS, name + '.py')!r}, "
                f"run_name='__main__')")
        processes[name] = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=dict(os.environ, PYTHONPATH=ROOT))
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        _, module, extra = NEEDS[name]
        assert (process.returncode, out) == (2, ""), (name, out, err)
        assert err.startswith(f"{name}.py: ") and err.count("\n") == 1, err
        assert err.endswith(f'needs {module}, which is not installed: pip install '
                            f'"evonet[{extra}]"\n'), err
    assert os.listdir(tmp_path) == []   # refused before any work


def test_no_plot_needs_no_matplotlib(tmp_path, capsys, monkeypatch, leaves_repository_alone):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert load("xor").main(["--runs", "1", "--quiet", "--no-plot", "--out-dir",
                             str(tmp_path)]) == 0
    assert os.listdir(tmp_path) == [] and capsys.readouterr().err == ""


def test_a_negative_neat_generations_is_refused_by_name(capsys):
    with pytest.raises(SystemExit) as exit_:
        load("objectives").build_parser().parse_args(["--neat-generations", "-1"])
    assert exit_.value.code == 2
    assert "--neat-generations: must be a whole number of at least 0, got '-1'" in \
        capsys.readouterr().err


def test_the_size_section_writes_only_to_out_dir(tmp_path, capsys, leaves_repository_alone):
    script = load("objectives")
    quick = ["--section", "size", "--datasets", "breast_cancer", "--folds", "2",
             "--max-folds", "1", "--generations", "3", "--population", "10", "--hidden", "3",
             "--neat-generations", "2"]
    assert script.main([*quick, "--learning", "lamarckian", "--out-dir", str(tmp_path),
                        "--json"]) == 0
    assert sorted(os.listdir(tmp_path)) == ["objectives_size.json", "objectives_size.md",
                                            "objectives_size_breast_cancer.png"]
    saved = json.loads((tmp_path / "objectives_size.json").read_text())
    summary = saved["size"]["summary"][0]
    assert summary["mlp_size"] == 3201 and 30 <= summary["neat_n_weights"] <= 3201
    assert len(saved["size"]["folds"]["breast_cancer"]) == 1
    assert saved["args"]["learning"] == "lamarckian"
    assert "hypervolume: front" in capsys.readouterr().out
    report = (tmp_path / "objectives_size.md").read_text()
    assert "hypervolume: front" in report and "NEAT: " in report
    # without --out-dir the report is printed and nothing is written (no plot either)
    assert script.main([*quick, "--neat-generations", "0"]) == 0
    out = capsys.readouterr().out
    assert "hypervolume: front" in out and "NEAT: " not in out
