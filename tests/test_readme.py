"""Every Python block of README.md runs as written.

Each ```python block runs in a fresh interpreter, in a temporary working
directory (the files a snippet writes go there), with a timeout. A block
whose fence follows the line ``<!-- readme-test: outside-service -->`` needs
a service the test machine does not have (a Dask scheduler at its address)
and is only compiled; one after ``<!-- readme-test: slow -->`` runs with the
``slow`` marker, which the README's test command deselects (``.ci/run`` runs
the slow tests after the main suite while its time allows).
"""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
MARKERS = {"outside-service", "slow"}
TIMEOUT = 600   # seconds for one block; a block that hangs fails rather than stalls the suite


def python_blocks(text):
    """``(line, marker, code)`` of every ```python block of ``text``.

    ``marker`` is the word of a ``<!-- readme-test: WORD -->`` line right before
    the fence (blank lines between allowed), or ``None``.

    Examples
    --------
    >>> python_blocks("<!-- readme-test: slow -->\\n```python\\nx = 1\\n```\\n```bash\\nls\\n```")
    [(2, 'slow', 'x = 1\\n')]
    """
    lines = text.splitlines()
    blocks, k = [], 0
    while k < len(lines):
        if lines[k].strip() != "```python":
            k += 1
            continue
        before = [line for line in lines[:k] if line.strip()]
        found = re.fullmatch(r"<!-- readme-test: (\S+) -->", before[-1].strip()) \
            if before else None
        end = lines.index("```", k + 1)
        blocks.append((k + 1, found.group(1) if found else None,
                       "\n".join(lines[k + 1:end]) + "\n"))
        k = end + 1
    return blocks


with open(README, encoding="utf-8") as _f:
    BLOCKS = python_blocks(_f.read())


def _params():
    for line, marker, code in BLOCKS:
        marks = [pytest.mark.slow] if marker == "slow" else []
        yield pytest.param(line, marker, code, id=f"line{line}", marks=marks)


def test_the_readme_has_its_blocks_and_known_markers():
    assert len(BLOCKS) >= 7
    assert {marker for _, marker, _ in BLOCKS} <= MARKERS | {None}
    assert any(marker == "outside-service" for _, marker, _ in BLOCKS)
    # every other block runs: only what truly needs an outside service is exempt
    for _, marker, code in BLOCKS:
        if marker == "outside-service":
            assert "tcp://" in code


@pytest.mark.parametrize("line, marker, code", list(_params()))
def test_python_block_runs_as_written(line, marker, code, tmp_path):
    if marker == "outside-service":
        compile(code, f"README.md, line {line}", "exec")   # a syntax check only
        return
    script = tmp_path / "snippet.py"   # a file, as a user's script (Dask workers import it)
    script.write_text(code)
    env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 0, f"README.md, line {line}:\n{result.stderr[-3000:]}"


def _readme_results():
    """tools/readme_results.py as a module."""
    import importlib.util

    path = os.path.join(ROOT, "tools", "readme_results.py")
    spec = importlib.util.spec_from_file_location("readme_results", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_results_table_is_the_one_the_results_files_give(tmp_path):
    tool = _readme_results()
    with open(README, encoding="utf-8") as f:
        text = f.read()
    assert tool.readme_table(text) == tool.results_table(), (
        "README.md's results table and experiments/results/ disagree: run "
        "python tools/readme_results.py --write")
    # a figure changed in a results file changes the table, and the check sees it
    import json
    import shutil

    shutil.copytree(tool.RESULTS, tmp_path / "results",
                    ignore=shutil.ignore_patterns("*.png", "*.log"))
    path = tmp_path / "results" / "xor_paper.json"
    saved = json.loads(path.read_text())
    saved["summary"]["evaluations"]["mean"] += 1000
    path.write_text(json.dumps(saved))
    changed = tool.results_table(str(tmp_path / "results"))
    assert changed != tool.readme_table(text) and "3,552 mean evaluations" in changed
    assert tool.readme_table(tool.with_table(text, changed)) == changed
