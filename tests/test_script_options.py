"""The command lines of the benchmark and experiment scripts: every option explained, and what
a script cannot use refused as the options are read, before any work.

Every script has a ``build_parser``; the parsers are checked in this process. A few scripts
also run as subprocesses (all at once, to keep this quick), to show that ``--help`` lists
every option and that a bad value ends the script at once with argparse's usage error
(exit status 2, the option named), not minutes later with a traceback.
"""

import argparse
import functools
import importlib.util
import inspect
import os
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDERS = ("benchmarks", "experiments")
SCRIPTS = [(folder, name[:-3]) for folder in FOLDERS
           for name in sorted(os.listdir(os.path.join(ROOT, folder)))
           if name.endswith(".py") and not name.startswith("_")]
REQUIRED = {"pole_balancing": ["--task", "1-markov"]}   # script: the options it cannot go without
# options that take any whole number or any number: seeds, joblib's n_jobs (-1: all cores)
# and real-valued settings; every other number is a count with a minimum (``at_least``)
UNCHECKED = {"seed", "seeds", "n_jobs", "budgets", "pendulum_sigma"}


@functools.cache
def load(folder, name):
    """The script ``FOLDER/NAME.py`` as a module (its ``main`` is not run), its folder first
    on ``sys.path`` while it loads, as ``python FOLDER/NAME.py`` has it."""
    spec = importlib.util.spec_from_file_location(f"script_{folder}_{name}",
                                                  os.path.join(ROOT, folder, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    sys.path.insert(0, os.path.join(ROOT, folder))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


def options(parser):
    """The parser's options a user sees: all but ``--help`` and the hidden ones."""
    return [action for action in parser._actions
            if action.option_strings and action.help != argparse.SUPPRESS
            and action.dest != "help"]


def is_count(action):
    """Whether ``action`` reads a number through ``_common.at_least``."""
    return getattr(action.type, "__qualname__", "").startswith("at_least.")


def refusal(parser, argv, capsys):
    """What argparse says when it refuses ``argv``: its error line after ``PROG: error: ``
    (the exit status, 2, and the line's start checked)."""
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args(argv)
    assert exit_.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith(f"{parser.prog}: error: "), line
    return line.removeprefix(f"{parser.prog}: error: ")


def test_every_script_is_checked():
    assert [folder for folder, _ in SCRIPTS].count("benchmarks") == 19
    assert [folder for folder, _ in SCRIPTS].count("experiments") == 9
    for folder, name in SCRIPTS:
        assert callable(getattr(load(folder, name), "build_parser", None)), (folder, name)


@pytest.mark.parametrize("folder, name", SCRIPTS)
def test_help_explains_every_option(folder, name):
    parser = load(folder, name).build_parser()
    text = parser.format_help()
    for action in options(parser):
        assert action.help and len(action.help.split()) >= 3, \
            (name, action.option_strings, action.help)
        assert all(option in text for option in action.option_strings), (name, action.dest)
        if action.type in (int, float):
            assert action.dest in UNCHECKED, f"{name}: {action.option_strings} has no minimum"


@pytest.mark.parametrize("folder, name", SCRIPTS)
def test_a_count_below_zero_is_refused_by_name(folder, name, capsys):
    parser = load(folder, name).build_parser()
    counts = [action for action in options(parser) if is_count(action)]
    assert counts or name in ("large_data", "peers_cpu"), name
    for action in counts:
        option = action.option_strings[0]
        line = refusal(parser, [*REQUIRED.get(name, []), option, "-1"], capsys)
        assert line.startswith(f"argument {option}: must be ") and \
            line.endswith(" got '-1'"), line


@pytest.mark.parametrize("folder, name, argv, message", [
    ("benchmarks", "gradients", ["--repeats", "0"], "--repeats: must be a whole number of "
                                                    "at least 1, got '0'"),
    ("benchmarks", "checkpoint", ["--long", "-0.5"], "--long: must be a number of at least 0, "
                                                     "got '-0.5'"),
    ("benchmarks", "pbt_vs_mlp", ["--folds", "1"], "--folds: must be a whole number of at "
                                                   "least 2, got '1'"),
    ("benchmarks", "control_step", ["--carts", "many"], "--carts: must be a whole number of "
                                                        "at least 1, got 'many'"),
    ("experiments", "xor_easimple", ["--runs", "0"], "--runs: must be a whole number of at "
                                                     "least 1, got '0'"),
    ("experiments", "objectives", ["--population", "1"], "--population: must be a whole "
                                                         "number of at least 2, got '1'"),
    ("experiments", "sklearn_benchmark", ["--repeats", "0"], "--repeats: must be a whole "
                                                             "number of at least 1, got '0'"),
])
def test_a_count_below_its_minimum_is_refused(folder, name, argv, message, capsys):
    line = refusal(load(folder, name).build_parser(), argv, capsys)
    assert line == f"argument {message}"


@pytest.mark.parametrize("folder, name, argv", [
    ("benchmarks", "wide_data", ["--cv", "0", "--fresh", "0"]),
    ("benchmarks", "checkpoint", ["--long", "0", "--fuzz", "0"]),
    ("experiments", "baldwin", ["--generations", "0"]),
    ("experiments", "objectives", ["--neat-generations", "0"]),
])
def test_zero_is_accepted_where_it_means_none(folder, name, argv):
    args = load(folder, name).build_parser().parse_args(argv)
    for option in argv[::2]:
        assert getattr(args, option[2:].replace("-", "_")) == 0, option


@pytest.mark.parametrize("folder, name", SCRIPTS)
def test_a_json_file_that_cannot_be_written_is_refused(folder, name, tmp_path, capsys):
    parser = load(folder, name).build_parser()
    required = REQUIRED.get(name, [])
    (tmp_path / "notes.txt").write_text("")
    cases = {str(tmp_path / "missing" / "r.json"): f"the folder {tmp_path / 'missing'} does "
                                                   f"not exist",
             str(tmp_path): "it is a folder, not a file",
             str(tmp_path / "notes.txt" / "r.json"): f"{tmp_path / 'notes.txt'} is a file, not "
                                                     f"a folder"}
    for path, problem in cases.items():
        line = refusal(parser, [*required, "--json", path], capsys)
        assert line == f"argument --json: cannot write {path}: {problem}"
    # a file that can be written passes, and nothing is written while the options are read
    assert parser.parse_args([*required, "--json", str(tmp_path / "r.json")]).json == \
        str(tmp_path / "r.json")
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


@pytest.mark.parametrize("name", [name for folder, name in SCRIPTS if folder == "experiments"])
def test_an_out_dir_that_cannot_be_made_is_refused(name, tmp_path, capsys):
    parser = load("experiments", name).build_parser()
    required = REQUIRED.get(name, [])
    notes = tmp_path / "notes.txt"
    notes.write_text("")
    line = refusal(parser, [*required, "--out-dir", str(notes)], capsys)
    assert line == (f"argument --out-dir: cannot use {notes} as the output folder: it is a "
                    f"file, not a folder")
    line = refusal(parser, [*required, "--out-dir", str(notes / "sub")], capsys)
    assert line.endswith(f"cannot use {notes / 'sub'} as the output folder: {notes} is a file, "
                         f"not a folder")
    # a folder still to be made passes, and is made only when there is something to write
    args = parser.parse_args([*required, "--out-dir", str(tmp_path / "a" / "b"), "--json"])
    assert (args.out_dir, args.json) == (str(tmp_path / "a" / "b"), "")
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]


def test_benchmarks_and_experiments_share_one_copy_of_the_checks():
    shared = load("benchmarks", "_options")
    common = os.path.join(ROOT, "experiments", "_common.py")
    for check in (shared.at_least, shared.output_file):
        assert inspect.getsourcefile(check) == common


# A few scripts run for real: argv, the option refused, and the problem. Each would work for
# minutes (large_fit.py fits 1,000,000 rows) were the value not refused before any work.
RUNS = {
    "gradients": (["--repeats", "0"], "--repeats", "must be a whole number of at least 1"),
    "large_fit": (["--json", "{tmp}/missing/r.json"], "--json", "does not exist"),
    "population_metrics": (["--json", "{tmp}"], "--json", "it is a folder, not a file"),
    "sklearn_benchmark": (["--out-dir", "{tmp}/notes.txt"], "--out-dir",
                          "is a file, not a folder"),
}
HELPS = [("experiments", "xor_easimple")]


def folder_of(name):
    return next(folder for folder, script in SCRIPTS if script == name)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every run of :data:`RUNS` and ``--help`` of :data:`HELPS`, started together: name ->
    (exit status, stdout, stderr, seconds), and the temporary folder they were given."""
    tmp = tmp_path_factory.mktemp("runs")
    (tmp / "notes.txt").write_text("")
    commands = {name: [os.path.join(folder_of(name), f"{name}.py"),
                       *(arg.format(tmp=tmp) for arg in argv)]
                for name, (argv, _, _) in RUNS.items()}
    commands.update({f"{name} --help": [os.path.join(folder, f"{name}.py"), "--help"]
                     for folder, name in HELPS})
    started = {key: (time.perf_counter(), subprocess.Popen(
        [sys.executable, *command], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)) for key, command in commands.items()}
    done = {}
    for key, (start, process) in started.items():
        out, err = process.communicate(timeout=120)
        done[key] = (process.returncode, out, err, time.perf_counter() - start)
    return done, tmp


@pytest.mark.parametrize("name", RUNS)
def test_a_bad_value_ends_a_script_before_any_work(name, runs):
    done, tmp = runs
    code, out, err, seconds = done[name]
    _, option, problem = RUNS[name]
    assert (code, out) == (2, ""), (name, err)
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"{name}.py: error: argument {option}: ") and problem in last, err
    assert "Traceback" not in err
    assert seconds < 60   # the start of Python and the imports, not the benchmark
    assert sorted(os.listdir(tmp)) == ["notes.txt"]   # nothing written, no folder made


@pytest.mark.parametrize("folder, name", HELPS)
def test_help_lists_every_option_with_its_help(folder, name, runs):
    code, out, err, _ = runs[0][f"{name} --help"]
    assert (code, err) == (0, "")
    text = " ".join(out.split())   # argparse wraps the help: compare with spaces normalised
    parser = load(folder, name).build_parser()
    for action in options(parser):
        assert all(option in out for option in action.option_strings), action.dest
        help_text = parser._get_formatter()._expand_help(action)   # with its default filled in
        assert " ".join(help_text.split()) in text, action.dest
