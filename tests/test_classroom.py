"""Tests for lmtutor.classroom: the student version and the metadata cleaning of notebooks."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from lmtutor import classroom

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _solution_cell(source, grade_id="ex"):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False,
                                 "grade_id": grade_id, "schema_version": 3}
    return cell


def test_student_version_replaces_only_the_solution_region():
    nb = new_notebook(cells=[
        new_code_cell("x = 1"),
        _solution_cell("def f(a):\n    ### BEGIN SOLUTION\n    return a + 1\n    ### END SOLUTION"),
    ])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="hello")]
    student = classroom.student_version(nb)
    assert student.cells[0].source == "x = 1" and student.cells[0].outputs == []
    assert student.cells[1].source == "def f(a):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert "return a + 1" in nb.cells[1].source  # the original is untouched


def test_student_version_refuses_a_solution_outside_a_solution_cell():
    nb = new_notebook(cells=[new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")])
    with pytest.raises(RuntimeError, match="non-solution cell"):
        classroom.student_version(nb)


def test_clean_metadata_strips_widget_state_and_timing():
    nb = new_notebook(cells=[new_code_cell("1")])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026-11-28"}
    cleaned = classroom.clean_metadata(nb)
    assert "widgets" not in cleaned.metadata
    assert "execution" not in cleaned.cells[0].metadata
    assert cleaned.metadata["kernelspec"]["name"] == "lmtutor"


def test_write_student_versions_rejects_non_notebooks(tmp_path):
    with pytest.raises(ValueError, match="paths must be .ipynb"):
        classroom.write_student_versions([tmp_path / "notes.txt"], tmp_path / "out")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebook_is_executed_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert all(c.execution_count is not None for c in code), "commit the notebook executed (make notebooks)"
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert "widgets" not in nb.metadata
    assert any("### BEGIN SOLUTION" in c.source for c in code), "every notebook ends with exercises"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_version_runs_to_the_end_and_checks_give_hints(path, tmp_path):
    """The student notebook executes without an error cell, and every check reports 'not implemented'."""
    work = tmp_path / "student"  # outside the repository: the notebook must not need relative files
    out = classroom.write_student_versions([path], work)[0]
    nb = nbformat.read(out, as_version=4)
    assert not any("### BEGIN SOLUTION" in c.source for c in nb.cells)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(work)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, f"student notebook crashed: {errors[0].ename}: {errors[0].evalue}"
    check_cells = [c for c in nb.cells if c.cell_type == "code" and "checks.check_" in c.source
                   and c.metadata.get("nbgrader", {}).get("locked")]
    assert check_cells, "no exercise check cells found"
    for cell in check_cells:
        shown = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.outputs)
        assert shown.startswith("❌"), f"a check passed or printed nothing in the student version: {shown!r}"
        assert "not implemented yet" in shown, shown


def test_execute_handles_output_widgets_and_strips_their_state(tmp_path):
    source = ("import ipywidgets as w\nout = w.Output()\ndisplay(out)\nwith out:\n    print('inside')\n"
              "w.interactive(lambda x: print(2 * x), x=3)")
    path = tmp_path / "widgets.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), path)
    classroom.execute(path, timeout=120)
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata
    assert nb.cells[0].execution_count == 1
    assert not [o for o in nb.cells[0].outputs if o.output_type == "error"]
