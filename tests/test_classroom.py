"""Tests for lmtutor.classroom (the student version, metadata cleaning) and of every notebook's Exercises."""

import copy

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from conftest import NOTEBOOKS, exercise_cells, setup_cell, undefined_names
from lmtutor import classroom


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
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data={
        "text/plain": "VBox(children=(Text(value='我有'),))", classroom.WIDGET_VIEW: {"model_id": "abc"}})]
    cleaned = classroom.clean_metadata(nb)
    assert cleaned.cells[0].outputs[0].data["text/plain"] == classroom.WIDGET_TEXT  # not the widget's repr
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
    assert all(o.data["text/plain"] == classroom.WIDGET_TEXT for c in code for o in c.outputs
               if classroom.WIDGET_VIEW in o.get("data", {})), "widget outputs say how to draw them (make notebooks)"
    assert any("### BEGIN SOLUTION" in c.source for c in code), "every notebook ends with exercises"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_exercises_need_nothing_but_the_setup_cell(path):
    """No cell of Setup + Exercises reads a name that only a cell outside them defines (static, fast)."""
    nb = nbformat.read(path, as_version=4)
    missing = undefined_names(nb, [setup_cell(nb)] + exercise_cells(nb))
    assert not missing, (f"the Exercises of {path.name} need more than the Setup cell: "
                         + "; ".join(f"{name} ({where})" for name, where in missing.items()))


def _shown(cell) -> str:
    return "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.outputs)


def _check_cells(cells) -> list:
    return [c for c in cells if c.cell_type == "code" and "checks.check_" in c.source
            and c.metadata.get("nbgrader", {}).get("locked")]


def _errors(cells) -> list:
    return [o for c in cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_exercises_give_hints_and_solutions_pass_after_setup_alone(path, tmp_path):
    """Setup + Exercises of the student version, then the solution's exercise cells, in one fresh kernel.

    The rest of the notebook runs once, under nbval; here only its Setup cell and its Exercises
    section run, in a folder outside the repository (the notebook must not need relative files):

    1. the student version (nbgrader's stubs): no error cell, and every check prints the
       'not implemented yet' hint;
    2. then, in the same kernel, the solution's exercise cells: every check prints its pass line
       (PASS). This proves that the Exercises need nothing but Setup: the student cells before them
       bind only names the solution cells bind again, in the same order, before any check reads them
       (nbgrader replaces the solution region only), so a name from outside Setup + Exercises would
       be a NameError here.
    """
    work = tmp_path / "student"
    student = nbformat.read(classroom.write_student_versions([path], work)[0], as_version=4)
    assert not any("### BEGIN SOLUTION" in c.source for c in student.cells)
    solution = nbformat.read(path, as_version=4)
    student_part, solution_part = exercise_cells(student), copy.deepcopy(exercise_cells(solution))
    for cell in solution_part:  # the solution's cells carry the same ids as the student's: make them unique
        cell["id"] = "solution-" + cell.get("id", "")
    nb = classroom.clean_metadata(new_notebook(cells=[setup_cell(student)] + student_part + solution_part))
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,  # errors are asserted below
                   resources={"metadata": {"path": str(work)}}).execute()
    student_ran, solution_ran = nb.cells[1:1 + len(student_part)], nb.cells[1 + len(student_part):]

    errors = _errors(nb.cells[:1 + len(student_part)])
    assert not errors, f"the student version crashed: {errors[0].ename}: {errors[0].evalue}"
    student_checks = _check_cells(student_ran)
    assert student_checks, "no exercise check cells found"
    for cell in student_checks:
        shown = _shown(cell)
        assert shown.startswith("NOT YET "), f"a check passed or printed nothing in the student version: {shown!r}"
        assert "not implemented yet" in shown, shown

    errors = _errors(solution_ran)
    assert not errors, f"the solution's exercises failed after Setup alone: {errors[0].ename}: {errors[0].evalue}"
    solution_checks = _check_cells(solution_ran)
    assert len(solution_checks) == len(student_checks)
    for cell in solution_checks:
        shown = _shown(cell)
        assert shown.startswith("PASS "), f"after Setup alone the solution fails its check: {shown!r}"


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
