"""Tests of lmtutor.grading: every check cell is a graded nbgrader cell with its points, and nbgrader
really grades. The end-to-end test makes an nbgrader course from notebook 01's Setup + Exercises,
releases it with ``nbgrader generate_assignment``, fabricates six submissions (all right, all stubs,
typical mistakes, one that raises, one whose function never returns, one whose cell never ends),
runs ``nbgrader autograde`` and ``nbgrader export`` and asserts every score per student and exercise."""

import copy
import os
from pathlib import Path

import nbformat
import pytest

from conftest import exercise_cells, setup_cell
from lmtutor import classroom, grading

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _cell(source, grade_id, *, solution):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "grade_id": grade_id, "locked": not solution,
                                 "schema_version": 3, "solution": solution}
    return cell


def test_points_follow_the_stated_scheme():
    assert grading.exercise_points("ex07_top_k_filter_check") == grading.DEFAULT_POINTS == 1
    assert grading.exercise_points("ex04_lstm_step_check") == 2
    assert set(grading.HARDER.values()) == {2}
    for bad in ("ex07_top_k_filter", "top_k_check", "07_x_check", ""):
        with pytest.raises(ValueError, match="grade_id"):
            grading.exercise_points(bad)
    with pytest.raises(TypeError, match="grade_id"):
        grading.exercise_points(7)


def test_with_points_marks_check_cells_only_and_leaves_its_input_alone():
    nb = nbformat.v4.new_notebook(cells=[
        _cell("def f():\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION", "ex04_lstm_step", solution=True),
        _cell("checks.check_lstm_step(f)", "ex04_lstm_step_check", solution=False),
        _cell("checks.check_rnn_step(g)", "ex03_rnn_step_check", solution=False),
        nbformat.v4.new_code_cell("print(1)")])
    before = copy.deepcopy(nb)
    marked = grading.with_points(nb)
    assert nb == before
    assert [c.metadata.nbgrader["points"] for c in grading.check_cells(marked)] == [2, 1]
    assert all(c.metadata.nbgrader["grade"] and c.metadata.nbgrader["locked"] and not c.metadata.nbgrader["solution"]
               for c in grading.check_cells(marked))
    assert marked.cells[0].metadata.nbgrader == nb.cells[0].metadata.nbgrader  # the solution cell is untouched
    assert grading.total_points(marked) == 3 and grading.total_points(nb) == 0


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_check_cell_is_graded_with_its_points_right_after_its_solution(path):
    nb = nbformat.read(path, as_version=4)
    cells = grading.check_cells(nb)
    assert cells, f"{path.name} has no exercise check cells"
    for cell in cells:
        meta = cell.metadata.nbgrader
        assert meta.get("grade") is True and meta.get("locked") is True and meta.get("solution") is False, (
            f"{path.name}: {meta['grade_id']} is not a locked grade cell: python -m lmtutor.grading points {path}")
        assert meta.get("points") == grading.exercise_points(meta["grade_id"]), meta
        index = nb.cells.index(cell)
        solution = nb.cells[index - 1].metadata.get("nbgrader", {})
        assert solution.get("solution") and solution["grade_id"] + "_check" == meta["grade_id"], (
            f"{path.name}: {meta['grade_id']} does not follow its solution cell")


# ------------------------------------------------------------------------------------ end to end
WRONG = {  # typical mistakes the checks know, one per exercise of notebook 01
    "ex01_oov_rate": "def oov_rate(tokens, vocab):\n    return len(set(tokens) - set(vocab)) / len(set(tokens))",
    "ex01_add_k": ("def add_k_bigram(bigram_counts, unigram_counts, prev, word, k, vocab_size):\n"
                   "    return (bigram_counts.get((prev, word), 0) + k) / (unigram_counts.get(prev, 0) + k)"),
    "ex01_perplexity": "def perplexity(probs):\n    return float(np.exp(-np.sum(np.log(probs))))",
}
ENDLESS_FUNCTION = "def perplexity(probs):\n    while True:\n        pass"
ENDLESS_CELL = "while True:\n    pass"


def _submission(release, solutions, replace):
    """Return the released notebook with each solution cell's source from ``replace`` or ``solutions``."""
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = replace.get(grade_id, solutions[grade_id])
    return nb


@pytest.mark.slow
def test_nbgrader_gives_right_answers_full_points_and_wrong_ones_none(tmp_path):
    source = nbformat.read(REPO / "notebooks" / "01_text_and_tokens.ipynb", as_version=4)
    mini = classroom.clean_metadata(nbformat.v4.new_notebook(cells=[setup_cell(source)] + exercise_cells(source),
                                                             metadata=source.metadata))
    nbformat.write(mini, tmp_path / "ex01.ipynb")
    course = tmp_path / "course"
    # Cells end within 45 s here, or nbgrader interrupts them (a loop at the top level of a cell).
    (folder,) = grading.release(course, [tmp_path / "ex01.ipynb"], timeout=45)
    release = nbformat.read(folder / "ex01.ipynb", as_version=4)
    assert not any("### BEGIN SOLUTION" in c.source for c in release.cells)
    solutions = {c.metadata.nbgrader.grade_id: c.source for c in mini.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    assert set(solutions) == set(WRONG)
    students = {
        "right": {}, "stubs": None, "mistakes": WRONG,
        "raises": {"ex01_add_k": "def add_k_bigram(*args):\n    return 1 / 0"},
        "endless_function": {"ex01_perplexity": ENDLESS_FUNCTION},
        "endless_cell": {"ex01_oov_rate": ENDLESS_CELL + "\n" + solutions["ex01_oov_rate"]},
    }
    for student, replace in students.items():
        folder = course / "submitted" / student / "ex01"
        folder.mkdir(parents=True)
        nb = release if replace is None else _submission(release, solutions, replace)
        nbformat.write(nb, folder / "ex01.ipynb")

    grades = grading.read_grades(grading.grade(course))
    scores = grading.exercise_scores(course)
    expected = {  # points per exercise: oov_rate, add_k, perplexity (1 each)
        "right": (1, 1, 1), "stubs": (0, 0, 0), "mistakes": (0, 0, 0),
        "raises": (1, 0, 1), "endless_function": (1, 1, 0), "endless_cell": (0, 1, 1),
    }
    for student, points in expected.items():
        got = tuple(scores[student, "ex01", f"{name}_check"] for name in ("ex01_oov_rate", "ex01_add_k", "ex01_perplexity"))
        assert got == points, f"{student}: {got} != {points}"
        assert grades[student, "ex01"] == sum(points)
    feedback = (course / "autograded" / "mistakes" / "ex01" / "ex01.ipynb").read_text(encoding="utf-8")
    assert "CheckFailed: NOT YET" in feedback and "Traceback" not in feedback  # the learner's one line, no traceback
    assert os.environ.get("NBGRADER_EXECUTION") is None  # grading set it in the kernels only


# ------------------------------------------------------------------------------------ progress
def _tiny_course_notebook():
    md = nbformat.v4.new_markdown_cell
    solution = lambda src, gid: _cell(src, gid, solution=True)  # noqa: E731
    check = lambda src, gid: _cell(src, gid, solution=False)  # noqa: E731
    return grading.with_points(nbformat.v4.new_notebook(cells=[
        md("# 99 · Tiny"), md("## Setup"), nbformat.v4.new_code_cell("from lmtutor import checks"),
        nbformat.v4.new_code_cell("raise RuntimeError('not part of Setup + Exercises')"),
        md("## Exercises"),
        solution("def char_tokens(text):\n    return [c for c in text if not c.isspace()]", "ex99_char_tokens"),
        check("checks.check_char_tokens(char_tokens)", "ex99_char_tokens_check"),
        solution("def perplexity(probs):\n    raise NotImplementedError()", "ex99_perplexity"),
        check("checks.check_perplexity(perplexity)", "ex99_perplexity_check"),
        solution("pass", "ex99_oov_rate"),
        check("checks.check_oov_rate(oov_rate)", "ex99_oov_rate_check"),
    ]))


@pytest.mark.slow
def test_progress_runs_setup_and_exercises_only_and_reports_each_check(tmp_path):
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(_tiny_course_notebook(), path)
    rows = grading.progress([path])
    assert [(r[0], r[1], r[2]) for r in rows] == [("99_tiny", "char_tokens", "PASS"), ("99_tiny", "perplexity", "NOT YET"),
                                                  ("99_tiny", "oov_rate", "ERROR")]
    assert "not implemented yet" in rows[1][3] and rows[2][3].startswith("NameError")
    table = grading.progress_table(rows)
    assert table.splitlines()[-1] == "1 of 3 exercises pass" and "99 char_tokens" in table


def test_progress_table_lines_up_and_counts():
    table = grading.progress_table([("01_text", "oov_rate", "PASS", ""), ("07_gen", "top_k_filter", "NOT YET", "x" * 200)])
    lines = table.splitlines()
    assert lines[0].index("status") == lines[2].index("PASS") == lines[3].index("NOT YET")
    assert len(lines[3]) < 150 and lines[-1] == "1 of 2 exercises pass"
