"""``evonet plot MODEL [--out FILE]``: the figure file, its format, errors and exit codes."""

import os
import subprocess
import sys
import warnings

import pytest

pytest.importorskip("matplotlib")

from evonet import NeuroEvolutionClassifier, evolve_policy, save  # noqa: E402
from evonet.cli import main  # noqa: E402
from evonet.control import EvolvedPolicy, MLPPolicy  # noqa: E402

MAGIC = {".png": b"\x89PNG", ".pdf": b"%PDF"}


@pytest.fixture(scope="module")
def models(iris, tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = NeuroEvolutionClassifier((3,), max_generations=10, random_state=0).fit(X, y)
        neat = NeuroEvolutionClassifier((3,), strategy="neat", max_generations=3,
                                        random_state=0).fit(X, y)
    policy = evolve_policy("1-markov", max_generations=3, random_state=0)
    hand_made = EvolvedPolicy(MLPPolicy(4, (), bias=False), [0.5, 1.0, 5.0, 1.0], "1-markov")
    paths = {}
    for name, model in [("mlp", mlp), ("neat", neat), ("policy", policy),
                        ("hand_made", hand_made)]:
        paths[name] = str(folder / f"{name}.evonet")
        save(model, paths[name])
    return paths


def test_plot_writes_the_model_name_with_png_by_default(models, capsys):
    assert main(["plot", models["mlp"]]) == 0
    path = models["mlp"][:-len(".evonet")] + ".png"
    with open(path, "rb") as f:
        assert f.read(4) == MAGIC[".png"]
    assert f"drawn in {path}" in capsys.readouterr().out


@pytest.mark.parametrize("extension", [".png", ".svg", ".pdf", ".SVG"])
@pytest.mark.parametrize("model", ["neat", "policy"])
def test_plot_writes_the_format_of_the_extension(models, tmp_path, capsys, model, extension):
    out = tmp_path / f"figure{extension}"
    assert main(["plot", models[model], "--out", str(out)]) == 0
    head = out.read_bytes()[:200]
    if extension.lower() == ".svg":
        assert b"<svg" in head
    else:
        assert head.startswith(MAGIC[extension])
    capsys.readouterr()


def test_an_unknown_extension_is_refused_naming_out_and_the_formats(models, tmp_path, capsys):
    for name in ("figure.jpg", "figure"):
        out = tmp_path / name
        assert main(["plot", models["mlp"], "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"evonet: error: --out {out}: unknown extension")
        assert ".png, .svg, .pdf" in err and not out.exists()


def test_bad_models_and_folders_are_input_errors(models, tmp_path, capsys):
    assert main(["plot", str(tmp_path / "none.evonet")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["plot", models["hand_made"], "--out", str(tmp_path / "h.png")]) == 2
    assert "has no logbook" in capsys.readouterr().err
    assert main(["plot", models["mlp"], "--out", str(tmp_path / "no" / "f.png")]) == 2
    assert "--out" in capsys.readouterr().err and not (tmp_path / "no").exists()
    assert main(["plot"]) == 2
    capsys.readouterr()


def test_the_figure_holds_the_network_and_the_evolution(models):
    from evonet import load
    from evonet.plot import model_figure

    figure = model_figure(load(models["neat"]))
    network, evolution = figure.axes[:2]
    assert len(network.collections) == 2   # the edges and the node markers
    assert evolution.get_xlabel() == "generation" and evolution.get_ylabel()


def python(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, MPLBACKEND="TkAgg"))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_imports_no_matplotlib_and_plot_opens_no_window(models, tmp_path):
    # with a GUI backend configured: still no pyplot, so no window and no display needed
    out = python(f"import sys\nfrom evonet.cli import main\n"
                 f"for argv in (['--help'], ['plot', '--help']):\n"
                 f"    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
                 f"print('matplotlib' in sys.modules)\n"
                 f"assert main(['plot', {models['mlp']!r}, '--out', "
                 f"{str(tmp_path / 'f.png')!r}]) == 0\n"
                 f"print('matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)")
    lines = out.strip().splitlines()
    assert lines[-3] == "False" and lines[-2].startswith("network and evolution of")
    assert lines[-1] == "True False"
    assert (tmp_path / "f.png").exists()
