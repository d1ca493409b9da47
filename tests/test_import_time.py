"""``import evonet`` stays light: the heavy dependencies load when a public name is first used."""

import subprocess
import sys

import pytest

import evonet

HEAVY = ("sklearn", "scipy", "deap", "dask", "distributed", "gymnasium", "matplotlib", "PIL",
         "pandas", "joblib")


def modules_after(code):
    script = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def test_import_evonet_loads_none_of_the_heavy_dependencies():
    loaded = modules_after("import evonet")
    assert not {name for name in HEAVY if name in loaded}, sorted(HEAVY)
    assert "evonet.config" in loaded and "evonet.estimators" not in loaded


def test_a_public_name_imports_what_it_needs_on_first_use():
    loaded = modules_after("import evonet\nevonet.NeuroEvolutionClassifier")
    assert {"sklearn", "evonet.estimators"} <= loaded


@pytest.mark.parametrize("name", evonet.__all__)
def test_every_public_name_resolves(name):
    assert getattr(evonet, name) is not None
    assert name in dir(evonet)


def test_subpackages_resolve_and_unknown_names_raise_attribute_error():
    assert evonet.estimators.NeuroEvolutionClassifier is evonet.NeuroEvolutionClassifier
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        evonet.no_such_name  # noqa: B018
