"""The rules the layout keeps, beyond what import-linter checks (see ARCHITECTURE.md).

import-linter (``lint-imports``, run by CI) checks the layers and private modules; these
tests check what it cannot: private *names* stay inside their package, and modules and
functions stay small enough to read.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "evonet"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LONG_FUNCTION_NOTE = "Why this function is long:"


def modules():
    return sorted(PACKAGE.rglob("*.py"))


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(name):
    """``evonet.X`` for any module inside ``evonet.X`` (a top-level module is its own)."""
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else name


def is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(text, here, is_package=False):
    """``(line, imported)`` for each private name module ``here`` imports from another
    package."""
    tree = ast.parse(text)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = here.split(".") if is_package else here.split(".")[:-1]
            base = base[:len(base) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        if not source.startswith("evonet") or package_of(source) == package_of(here):
            continue
        for alias in node.names:
            if is_private(alias.name):
                found.append((node.lineno, f"{source}.{alias.name}"))
    return found


def test_no_private_name_is_imported_across_packages():
    offences = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
                for path in modules()
                for line, name in private_imports(path.read_text(), module_name(path),
                                                  path.name == "__init__.py")]
    assert offences == []


def test_the_private_name_check_can_fail():
    text = "from evonet.problems import _check_targets\nfrom . import _helper\n"
    assert private_imports(text, "evonet.nn.graph") == [(1, "evonet.problems._check_targets")]
    assert private_imports(text, "evonet.problems.graph") == []
    assert private_imports("from ..io import _fields\n", "evonet.estimators.base") == [
        (1, "evonet.io._fields")]


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_modules_and_functions_stay_small(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_MODULE_LINES, "split the module"
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        docstring = ast.get_docstring(node) or ""
        first = node.body[0]
        has_docstring = isinstance(first, ast.Expr) and isinstance(
            getattr(first, "value", None), ast.Constant) and isinstance(first.value.value, str)
        start = first.end_lineno + 1 if has_docstring and len(node.body) > 1 else first.lineno
        length = node.end_lineno - start + 1
        assert length <= MAX_FUNCTION_LINES or LONG_FUNCTION_NOTE in docstring, (
            f"{node.name} has {length} lines of code: split it, or say in its docstring "
            f"('{LONG_FUNCTION_NOTE} ...') why it is one piece")
