"""The API reference (docs/api/) lists every public name of evonet.

Every name in ``__all__`` of ``evonet`` and of each of its public subpackages and modules
must appear in an ``autosummary`` table of docs/api/, under the ``currentmodule`` of its
package; the Sphinx build then generates its page from the docstring. The check reads the
reST sources only, so it needs no Sphinx and takes well under a second.
"""

import ast
import importlib
import importlib.util
import pathlib
import pkgutil
import re

import pytest

import evonet

API = pathlib.Path(__file__).resolve().parents[1] / "docs" / "api"


def public_modules():
    """``evonet`` and its public subpackages and top-level modules, by name."""
    return ["evonet"] + sorted(f"evonet.{m.name}" for m in pkgutil.iter_modules(evonet.__path__)
                               if not m.name.startswith("_"))


def names_of(name):
    """``__all__`` of module ``name``; read from its source when it cannot be imported here
    (``evonet.plot`` without matplotlib, say)."""
    try:
        return list(importlib.import_module(name).__all__)
    except ImportError:
        spec = importlib.util.find_spec(name)
        tree = ast.parse(pathlib.Path(spec.origin).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                    getattr(target, "id", None) == "__all__" for target in node.targets):
                return list(ast.literal_eval(node.value))
        raise


def listed_names(text):
    """The qualified names the ``autosummary`` tables of reST ``text`` list.

    Only directives at the start of a line count (an indented one is inside a comment or
    another directive); entries are the indented lines after the directive's options.

    Examples
    --------
    >>> text = '''
    ... .. currentmodule:: evonet.nn
    ...
    ... .. autosummary::
    ...    :toctree: generated/
    ...
    ...    forward
    ...    ~MLPLayout
    ...
    ... ..
    ...    .. autosummary::
    ...
    ...       hidden
    ... '''
    >>> sorted(listed_names(text))
    ['evonet.nn.MLPLayout', 'evonet.nn.forward']
    """
    names, module, in_table = set(), None, False
    for line in text.splitlines():
        found = re.fullmatch(r"\.\. currentmodule:: (\S+)\s*", line)
        if found:
            module, in_table = found.group(1), False
        elif re.fullmatch(r"\.\. autosummary::\s*", line):
            in_table = True
        elif in_table and line.strip() and not line[0].isspace():
            in_table = False   # the table ended: text or a directive at the margin
        elif in_table and line.strip() and not line.strip().startswith(":"):
            entry = line.strip().lstrip("~")
            names.add(entry if entry.startswith("evonet") else f"{module}.{entry}")
    return names


def reference_names():
    return set().union(*(listed_names(path.read_text(encoding="utf-8"))
                         for path in sorted(API.glob("*.rst"))))


def test_every_public_name_appears_in_the_api_reference():
    listed = reference_names()
    missing = [f"{name}.{attr}" for name in public_modules() for attr in names_of(name)
               if f"{name}.{attr}" not in listed]
    assert not missing, (f"names of __all__ missing from docs/api/*.rst: {missing}; add "
                         "them to the autosummary table of their package's page "
                         "(docs/api/PACKAGE.rst, listed in docs/api/index.rst)")


def test_every_public_subpackage_has_its_page_in_the_index():
    index = (API / "index.rst").read_text(encoding="utf-8")
    entries = set(re.findall(r"^   (evonet(?:\.\w+)?)\s*$", index, flags=re.MULTILINE))
    for name in public_modules():
        assert (API / f"{name}.rst").is_file(), f"docs/api/{name}.rst is missing"
        assert name in entries, f"docs/api/index.rst does not list {name}"


def test_the_reference_lists_no_name_that_does_not_exist():
    # a stale entry (a name renamed or removed) would make the Sphinx build warn
    for qualified in sorted(reference_names()):
        module, _, attr = qualified.rpartition(".")
        assert module in public_modules(), f"{qualified}: no public module {module}"
        try:
            assert hasattr(importlib.import_module(module), attr), qualified
        except ImportError as exc:   # an optional dependency missing here
            pytest.skip(str(exc))
