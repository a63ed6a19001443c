"""The parts of a notebook that tests run instead of the whole: Setup + Exercises, Setup + browser cells.

`make test` runs every notebook once, under nbval. The other notebook tests run only the cells they
need, in a fresh kernel on a copy outside the repository:

- the student-version test: the Setup cell (the first code cell after the "## Setup" heading) and
  the Exercises section (from the markdown cell containing "## Exercises" to the end);
- the browser tests: the Setup cell and the cells tagged ``browser`` (the widget cell and the cells
  whose variables it uses). Tag a cell in JupyterLab (property inspector, "Cell Tags").

:func:`undefined_names` checks statically that such a part needs nothing from the cells left out.
Test modules import these helpers (``from conftest import ...``), as they import check_harness.
"""

from __future__ import annotations

import ast
import builtins
import copy
import uuid
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BROWSER_TAG = "browser"
IPYTHON_NAMES = {"display", "get_ipython", "In", "Out"}  # defined in every IPython kernel


from lmtutor.grading import exercise_cells, setup_cell  # noqa: E402  (the same parts make progress runs)


def browser_cells(nb) -> list:
    """Return the Setup cell and the cells tagged ``browser``, in notebook order."""
    setup = setup_cell(nb)
    return [setup] + [c for c in nb.cells
                      if c is not setup and BROWSER_TAG in c.get("metadata", {}).get("tags", [])]


def with_cells(nb, cells: list):
    """Return a copy of ``nb`` (metadata, kernelspec) holding copies of ``cells`` only."""
    part = copy.deepcopy(nb)
    part.cells = copy.deepcopy(cells)
    seen = set()
    for cell in part.cells:  # a cell may come twice (student and solution versions): ids must stay unique
        while cell.get("id") is None or cell["id"] in seen:
            cell["id"] = uuid.uuid4().hex[:8]
        seen.add(cell["id"])
    return part


def read(path: Path):
    return nbformat.read(path, as_version=4)


def _code(cell) -> str:
    """Return the cell's source without IPython magics and shell lines (they are not Python)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())


def _bound_and_used(source: str) -> tuple[set[str], set[str]]:
    """Return (names the code binds anywhere, names it reads), ignoring scopes."""
    tree = ast.parse(source)
    bound, used = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (used if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
    return bound, used


def undefined_names(nb, cells: list) -> dict[str, str]:
    """Return {name: where the full notebook defines it} for names ``cells`` read but never bind.

    Scope-blind on purpose (a name bound anywhere in ``cells`` counts as defined): it catches a cell
    that reads a variable only a left-out cell defines, which is what running ``cells`` alone breaks.
    """
    bound, used = set(), set()
    for cell in cells:
        if cell.cell_type == "code":
            cell_bound, cell_used = _bound_and_used(_code(cell))
            bound |= cell_bound
            used |= cell_used
    missing = used - bound - set(dir(builtins)) - IPYTHON_NAMES
    where = {}
    for name in sorted(missing):
        definers = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and name in _bound_and_used(_code(c))[0]]
        where[name] = (f"defined in cell {definers[0]} ({nb.cells[definers[0]].source.strip().splitlines()[0]!r})"
                       if definers else "defined nowhere in the notebook")
    return where


# Tests of modules other engineers own that are too slow for `make unit` (which deselects the slow
# marker; `make test` runs them). A test that can carry ``@pytest.mark.slow`` itself should, then
# leave this list.
SLOW = {
    "tests/test_checkpoints.py::test_shipped_checkpoint_beats_kneser_ney_on_validation":
        "scores every validation document with the shipped LSTM: 10-120 s per model on 2 cores",
    "tests/test_checkpoints.py::test_data_readme_quotes_each_model_card":
        "builds each corpus and fits its Kneser-Ney baseline to check the quoted score: 2-17 s per model",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("[")[0] in SLOW:
            item.add_marker(pytest.mark.slow)


@pytest.fixture()
def chinese_plots():
    """Chinese glyphs on matplotlib's axes (plots.setup()), restored after the test."""
    import matplotlib

    from lmtutor import plots

    with matplotlib.rc_context():
        plots.setup()
        yield


@pytest.fixture()
def zh(chinese_plots):
    """The NumPy bigram StepModel on Chinese words and its codec (widget_fixtures.zh_model)."""
    from widget_fixtures import zh_model

    return zh_model()
