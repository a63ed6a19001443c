"""Grading a class with nbgrader: points on every check cell, release versions, autograde, a scores CSV.

Every exercise's check cell is an nbgrader grade cell worth :func:`exercise_points` points. While
nbgrader grades, a check that does not pass raises (``lmtutor.checks`` reads NBGRADER_EXECUTION), so
the cell fails and scores 0; a learner working alone sees the same PASS / NOT YET line without an
error. Instructors use make (``make assignments``, ``make grade``) or this module::

    python -m lmtutor.grading points notebooks/*.ipynb                      # course authors: mark the cells
    python -m lmtutor.grading release --course classroom notebooks/*.ipynb  # classroom/release/<NN_name>/
    python -m lmtutor.grading grade --course classroom                      # classroom/grades.csv
    python -m lmtutor.grading progress notebooks/student/*.ipynb            # a learner: where do I stand?

An nbgrader course directory holds one assignment per notebook (named after the notebook, e.g.
``01_text_and_tokens``): ``source/`` (the notebooks with solutions), ``release/`` (what learners
get), ``submitted/<student>/<assignment>/`` (what they hand in), ``autograded/``, ``feedback/`` and
``gradebook.db``. The nbgrader command line does the work, so its own documentation applies.
"""

from __future__ import annotations

import argparse
import copy
import csv
import os
import subprocess
import sys
from pathlib import Path

from lmtutor._validate import _show, check_int, check_path

DEFAULT_POINTS = 1  # every exercise
HARDER = {  # exercises with several steps of array algebra (a forward pass, a gradient, an optimizer step)
    "sgns_grad_center": 2, "lstm_step": 2, "adam_step": 2, "scaled_dot_product_attention": 2,
    "additive_attention": 2, "beam_step": 2,
}
CELL_TIMEOUT = 600  # seconds per cell while nbgrader executes a notebook (its own default, 30, stops training cells)
CONFIG = """\
# nbgrader configuration of an lmtutor course directory (written by lmtutor.grading).
c = get_config()
c.CourseDirectory.course_id = "lmtutor"
c.CourseDirectory.root = {root!r}
# Cells that train models take up to a minute on a laptop; a cell still running after this many
# seconds is interrupted (an endless loop at the top level of a learner's cell) and graded as failed.
c.Execute.timeout = {timeout}
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
"""


def exercise_points(grade_id: str) -> int:
    """Return the points of the exercise whose check cell has ``grade_id`` ("ex07_top_k_filter_check"):
    HARDER's value for its name, else DEFAULT_POINTS."""
    if not isinstance(grade_id, str):
        raise TypeError(f"grade_id must be a str such as 'ex07_top_k_filter_check', got {type(grade_id).__name__} "
                        f"{_show(grade_id)}")
    parts = grade_id.split("_", 1)
    if len(parts) != 2 or not parts[0].startswith("ex") or not parts[1].endswith("_check"):
        raise ValueError(f"grade_id must look like 'exNN_<exercise>_check', got {grade_id!r}")
    return HARDER.get(parts[1][: -len("_check")], DEFAULT_POINTS)


def check_cells(nb) -> list:
    """Return the exercise check cells of ``nb``: code cells whose nbgrader grade_id ends in "_check"."""
    from lmtutor.classroom import _check_notebook

    return [cell for cell in _check_notebook(nb)["cells"] if cell.get("cell_type") == "code"
            and str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")).endswith("_check")]


def with_points(nb):
    """Return a copy of ``nb`` whose check cells are locked nbgrader grade cells with their points."""
    nb = copy.deepcopy(nb)
    for cell in check_cells(nb):
        meta = cell["metadata"]["nbgrader"]
        meta.update(grade=True, solution=False, locked=True, schema_version=3,
                    points=exercise_points(meta["grade_id"]))
    return nb


def total_points(nb) -> int:
    """Return the points ``nb``'s check cells are worth together."""
    return sum(int(cell["metadata"]["nbgrader"].get("points", 0)) for cell in check_cells(nb))


def _notebooks(name: str, paths) -> list[Path]:
    from lmtutor.classroom import _notebook_path

    if isinstance(paths, (str, bytes)) or not isinstance(paths, (list, tuple)):
        raise TypeError(f"{name} must be a list of notebook paths, got {type(paths).__name__} {_show(paths)}")
    if not paths:
        raise ValueError(f"{name} must hold at least one notebook, got an empty list")
    return [_notebook_path(name, p, i) for i, p in enumerate(paths)]


def _course(course) -> Path:
    course = check_path("course", course).resolve()
    if course.exists() and not course.is_dir():
        raise ValueError(f"course must be a folder, got the file {str(course)!r}")
    return course


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the nbgrader command line in ``course``; raise RuntimeError with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONWARNINGS="ignore",  # nbgrader runs alembic, beside this Python
                                   PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")))
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}"
                           f"{done.stderr[-3000:]}")
    return done


def write_course(course, notebooks, *, timeout: int = CELL_TIMEOUT) -> list[str]:
    """Return the assignment names after writing an nbgrader course directory: nbgrader_config.py and
    source/<stem>/<notebook> (with points, :func:`with_points`) for each of ``notebooks``."""
    import nbformat

    course, paths = _course(course), _notebooks("notebooks", notebooks)
    timeout = check_int("timeout", timeout, minimum=1, maximum=86_400)
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(CONFIG.format(root=str(course), timeout=timeout), encoding="utf-8")
    names = []
    for path in paths:
        folder = course / "source" / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(with_points(nbformat.read(path, as_version=4)), folder / path.name)
        names.append(path.stem)
    return names


def release(course, notebooks, *, timeout: int = CELL_TIMEOUT) -> list[Path]:
    """Return the release folders after :func:`write_course` and ``nbgrader generate_assignment`` for each
    notebook: release/<stem>/<notebook>, solutions replaced by stubs, outputs cleared, cells checksummed."""
    course = _course(course)
    names = write_course(course, notebooks, timeout=timeout)
    for name in names:
        _nbgrader(course, "generate_assignment", name, "--force")
    return [course / "release" / name for name in names]


def grade(course) -> Path:
    """Return the path of grades.csv after ``nbgrader autograde`` of every submission in
    ``course``/submitted/<student>/<assignment>/ and ``nbgrader export``: one row per student and
    assignment, with score and max_score."""
    course = _course(course)
    if not (course / "nbgrader_config.py").is_file():
        raise ValueError(f"course must be a course folder made by release (nbgrader_config.py), got {str(course)!r}")
    submitted = course / "submitted"
    assignments = sorted({p.name for student in submitted.iterdir() if student.is_dir()
                          for p in student.iterdir() if p.is_dir()}) if submitted.is_dir() else []
    if not assignments:
        raise ValueError(f"nothing to grade: put submissions in {submitted}/<student>/<assignment>/<notebook>.ipynb")
    for name in assignments:
        _nbgrader(course, "autograde", name, "--create", "--force")
    _nbgrader(course, "export", "--to", str(course / "grades.csv"))
    return course / "grades.csv"


def exercise_scores(course) -> dict[tuple[str, str, str], float]:
    """Return {(student, assignment, grade_id): score} of every autograded check cell in ``course``'s gradebook."""
    course = _course(course)
    if not (course / "gradebook.db").is_file():
        raise ValueError(f"course has no gradebook.db yet: run grade first, got {str(course)!r}")
    from nbgrader.api import Gradebook

    path = os.environ.get("PATH", "")
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + path  # the Gradebook runs alembic
    try:
        scores = {}
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "lmtutor") as gradebook:
            for assignment in gradebook.assignments:
                for submission in gradebook.assignment_submissions(assignment.name):
                    for notebook in submission.notebooks:
                        for entry in notebook.grades:
                            scores[submission.student.id, assignment.name, entry.name] = float(entry.score)
        return scores
    finally:
        os.environ["PATH"] = path


def read_grades(path) -> dict[tuple[str, str], float]:
    """Return {(student, assignment): score} from an ``nbgrader export`` CSV."""
    path = check_path("path", path)
    with open(path, newline="", encoding="utf-8") as f:
        return {(row["student_id"], row["assignment"]): float(row["score"]) for row in csv.DictReader(f)}


# ------------------------------------------------------------------------------------ progress
def _heading_index(nb, heading: str) -> int:
    """Return the index of the first markdown cell with a line starting with ``heading``."""
    import re

    pattern = re.compile(rf"^{re.escape(heading)}\b", re.MULTILINE)
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") == "markdown" and pattern.search("".join(cell.get("source", ""))):
            return index
    raise ValueError(f"nb has no markdown cell with a line starting {heading!r}")


def setup_cell(nb):
    """Return the Setup cell of a course notebook: the first code cell after the "## Setup" heading."""
    from lmtutor.classroom import _check_notebook

    cells = _check_notebook(nb)["cells"]
    start = _heading_index(nb, "## Setup")
    return next(c for c in cells[start + 1:] if c.get("cell_type") == "code")


def exercise_cells(nb) -> list:
    """Return the cells of the Exercises section: from the markdown cell with "## Exercises" to the end."""
    from lmtutor.classroom import _check_notebook

    return list(_check_notebook(nb)["cells"][_heading_index(nb, "## Exercises"):])


def progress(paths, *, timeout: int = 120) -> list[tuple[str, str, str, str]]:
    """Return one row (notebook, exercise, "PASS" / "NOT YET" / "ERROR", hint) per check of each
    notebook in ``paths``, from its Setup cell and Exercises section run in a fresh kernel (the rest
    of the notebook does not run: the exercises need only Setup)."""
    import nbformat
    from nbclient import NotebookClient

    from lmtutor.classroom import clean_metadata

    paths = _notebooks("paths", paths)
    timeout = check_int("timeout", timeout, minimum=1, maximum=86_400)
    rows = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        part = clean_metadata(nbformat.v4.new_notebook(cells=[copy.deepcopy(setup_cell(nb))]
                                                       + copy.deepcopy(exercise_cells(nb)), metadata=nb.metadata))
        NotebookClient(part, timeout=timeout, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent.resolve())}}).execute()
        for cell in check_cells(part):
            name = cell.metadata.nbgrader.grade_id.split("_", 1)[1][: -len("_check")]  # ex07_top_k_check -> top_k
            shown = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.outputs).strip()
            error = next((o for o in cell.outputs if o.output_type == "error"), None)
            if shown.startswith(("PASS ", "NOT YET ")):
                status, hint = ("PASS", "") if shown.startswith("PASS ") else ("NOT YET", shown.split(": ", 1)[-1])
            else:
                status = "ERROR"
                hint = f"{error.ename}: {error.evalue}" if error else "the check cell printed nothing: run it again"
            rows.append((path.stem, name, status, hint))
    return rows


def progress_table(rows) -> str:
    """Return :func:`progress`'s rows as a plain-text table with a total line."""
    if not isinstance(rows, list) or any(not isinstance(r, tuple) or len(r) != 4 for r in rows):
        raise TypeError(f"rows must be progress()'s list of (notebook, exercise, status, hint), got {_show(rows)}")
    width = max([len("exercise")] + [len(f"{r[0][:2]} {r[1]}") for r in rows])
    lines = [f"{'exercise':{width}s}  {'status':7s}  hint", f"{'-' * width}  {'-' * 7}  {'-' * 4}"]
    for notebook, name, status, hint in rows:
        lines.append(f"{notebook[:2] + ' ' + name:{width}s}  {status:7s}  {hint[:110]}")
    done = sum(r[2] == "PASS" for r in rows)
    lines.append(f"{done} of {len(rows)} exercises pass")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the command line (``points``, ``release`` or ``grade``); return the exit code."""
    import nbformat

    from lmtutor.classroom import _check_argv

    _check_argv(argv)
    parser = argparse.ArgumentParser(prog="python -m lmtutor.grading", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    points = sub.add_parser("points", help="mark every check cell as an nbgrader grade cell with its points")
    points.add_argument("paths", nargs="+")
    out = sub.add_parser("release", help="write the course folder and the release version of each notebook")
    out.add_argument("paths", nargs="+")
    out.add_argument("--course", default="classroom", help="course folder (default classroom)")
    out.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell when grading")
    marks = sub.add_parser("grade", help="autograde every submission of the course folder; write grades.csv")
    marks.add_argument("--course", default="classroom", help="course folder (default classroom)")
    mine = sub.add_parser("progress", help="run the checks of your notebooks and print where you stand")
    mine.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "points":
        for path in _notebooks("paths", args.paths):
            nb = nbformat.read(path, as_version=4)
            nbformat.write(with_points(nb), path)
            print(f"{path}: {len(check_cells(nb))} exercises, {total_points(with_points(nb))} points")
    elif args.command == "release":
        for folder in release(args.course, args.paths, timeout=args.timeout):
            print(f"wrote {folder}")
    elif args.command == "grade":
        print(f"wrote {grade(args.course)}")
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # the kernels' TensorFlow start-up lines say nothing here
        print(progress_table(progress(args.paths)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
