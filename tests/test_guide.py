"""Tests of lmtutor.guide: docs/instructors.md is exactly what the course says now (notebooks, checks,
README), and its parts are read correctly (learning goals, run times, the checks' mistake hints)."""

from pathlib import Path

import nbformat
import pytest

from lmtutor import checks, grading, guide
from lmtutor.checks._runner import exercise_of

REPO = Path(__file__).resolve().parents[1]


def test_the_committed_guide_is_the_course_as_it_is():
    committed = (REPO / "docs" / "instructors.md").read_text(encoding="utf-8")
    assert committed == guide.render(REPO), "docs/instructors.md is out of date: run make guide and commit it"


def test_every_notebook_and_exercise_is_in_the_guide_with_its_points():
    text = guide.render(REPO)
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert f"`notebooks/{path.name}`" in text
        for cell in grading.check_cells(nb):
            grade_id = cell.metadata.nbgrader.grade_id
            assert f"| `{grade_id[:-len('_check')]}` |" in text and f" | {cell.metadata.nbgrader.points} |" in text


def test_learning_goals_come_from_the_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 42 · A title (标题)\n\nSome text.\n\n**Learning goals**\n- First goal,\n  on two lines.\n- Second goal.")])
    path = tmp_path / "42_title.ipynb"
    nbformat.write(nb, path)
    facts = guide.notebook_facts(path)
    assert facts == {"number": "42", "name": "42_title", "title": "42 · A title (标题)",
                     "goals": ["First goal, on two lines.", "Second goal."], "exercises": []}


def test_run_times_are_read_from_the_readme_table():
    assert guide.run_times("  | 04_lstm | 69.3 | 2622 | no |\n| 00_welcome | 4.6 | 631 | met |\n| x | 1 |") == {
        "04_lstm": "69.3", "00_welcome": "4.6"}


@pytest.mark.parametrize("name", [n for n in checks.__all__ if n.startswith("check_")])
def test_mistakes_are_the_checks_own_hints(name):
    hints = guide.mistakes(name)
    assert hints == list(dict.fromkeys(m.hint for m in exercise_of(getattr(checks, name)).mistakes))
    assert len(hints) == len(set(hints))
    with pytest.raises(ValueError, match="check_name"):
        guide.mistakes("check_nothing")
