"""Sphinx configuration of evonet's documentation.

Build it with ``sphinx-build -W --keep-going -b html docs docs/_build/html`` after
``pip install -e ".[docs]"``. Nothing is fetched from the network (no intersphinx).
"""

import os
import sys
import warnings

import matplotlib

matplotlib.use("Agg")   # the gallery draws without a display

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)   # the evonet of this checkout, installed or not

import evonet  # noqa: E402

project = "evonet"
author = "the evonet developers"
copyright = "the evonet developers"   # noqa: A001
release = evonet.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.json", "auto_examples/*.md5"]
default_role = "literal"   # `name` in the docs is code, as in the README

# API reference: one page per public name, from the docstrings
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": False}
autodoc_typehints = "none"   # the numpydoc Parameters sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True


def _documented_modules():
    """evonet and its public modules and subpackages: what the API reference covers."""
    import importlib
    import pkgutil

    names = ["evonet"] + [f"evonet.{m.name}" for m in pkgutil.iter_modules(evonet.__path__)
                          if not m.name.startswith("_")]
    return {name: importlib.import_module(name) for name in names}


def _reexported_classes():
    """``{name: primary}`` for each class listed in two places of the API reference.

    A class has one description (its canonical name is where it is defined): the one under
    ``evonet`` if the package exports it, else the one in the package that defines it.
    The others are described with ``:no-index:`` and point to it.
    """
    places = {}
    for name, module in _documented_modules().items():
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if isinstance(obj, type):
                places.setdefault(id(obj), []).append((name, attr, obj))
    found = {}
    for entries in places.values():
        if len(entries) < 2:
            continue
        defined_in = entries[0][2].__module__
        primary = min(entries, key=lambda entry: (
            entry[0] != "evonet", not defined_in.startswith(entry[0] + "."), -len(entry[0])))
        for module, attr, _ in entries:
            if (module, attr) != primary[:2]:
                found[f"{module}.{attr}"] = f"{primary[0]}.{primary[1]}"
    return found


def _constants():
    """``{name: (value, note)}`` of the constants the API reference lists (no docstrings of
    their own): the value when it is short, the keys of a registry."""
    import inspect

    found = {}
    for name, module in _documented_modules().items():
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if inspect.isclass(obj) or callable(obj) or inspect.ismodule(obj):
                continue
            if isinstance(obj, dict):
                keys = ", ".join(f"``{key!r}``" for key in obj)
                found[f"{name}.{attr}"] = ("", f"A registry (``dict``) with the keys {keys}.")
            else:
                found[f"{name}.{attr}"] = (repr(obj), "")
    return found


def _skip_request_methods(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_*_request`` methods (metadata routing,
    documented by scikit-learn; their docstrings refer to its glossary)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_request_methods)


autosummary_context = {"reexported": _reexported_classes(), "constants": _constants()}

# the gallery: examples/*.py run at build time; their figures go on the pages
sphinx_gallery_conf = {
    "examples_dirs": os.path.join(ROOT, "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
}

html_theme = "pydata_sphinx_theme"
html_title = f"evonet {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"getting_started": [], "index": []}
html_show_sourcelink = False

# the examples print progress; their warnings about convergence are expected in short runs
warnings.filterwarnings("ignore", category=UserWarning, message="Matplotlib is currently using agg")
