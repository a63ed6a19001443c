"""The instructor guide, written from the course itself so it cannot drift from it.

``docs/instructors.md`` is this module's output (a test compares them): per notebook its learning
goals (the notebook's own "Learning goals" list), prerequisites, measured run time (the README's
table), and its exercises with their points (:mod:`lmtutor.grading`) and the typical mistakes each
check recognises (the check's own hint table)::

    python -m lmtutor.guide > docs/instructors.md       # or: make guide
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from lmtutor._validate import check_path, check_str

REPO = Path(__file__).resolve().parents[1]
PREREQUISITES = {  # notebook number: the notebooks whose ideas it uses
    "00": (), "01": ("00",), "02": ("01",), "03": ("01", "02"), "04": ("03",), "05": ("04",), "06": ("05",),
    "07": ("04", "05"), "08": ("04", "07"), "09": ("07", "08"), "10": ("02", "04"), "11": ("10",),
    "12": ("02", "10"), "13": ("04", "08"), "14": ("02", "04", "11"), "15": (),
}
HOMEWORK = (  # (title, notebook numbers): suggested combinations, one a week
    ("Counting and tokens", ("00", "01")),
    ("Vectors for words", ("02",)),
    ("Recurrent networks, by hand and in Keras", ("03", "04")),
    ("Training well: losses, optimizers, regularization", ("05", "06")),
    ("Generating text and attention", ("07", "08")),
    ("Translation", ("09",)),
    ("Classification, tagging and sentiment", ("10", "11")),
    ("Assistants, scale and the limits of language models", ("12", "13", "14")),
)


def _markdown(cell) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def notebook_facts(path) -> dict:
    """Return {"number", "name", "title", "goals", "exercises"} of one course notebook, where each
    exercise is (grade_id, check name, points)."""
    import nbformat

    from lmtutor import grading

    from lmtutor.classroom import _notebook_path

    path = _notebook_path("path", path)
    nb = nbformat.read(path, as_version=4)
    first = _markdown(nb.cells[0]) if nb.cells else ""
    title = first.splitlines()[0].lstrip("# ").strip() if first else path.stem
    goals_text = first.split("**Learning goals**", 1)[1] if "**Learning goals**" in first else ""
    goals = [re.sub(r"\s+", " ", g).strip() for g in re.split(r"\n- ", "\n" + goals_text.strip())[1:]]
    exercises = []
    for cell in grading.check_cells(nb):
        meta = cell.metadata.nbgrader
        call = re.search(r"checks\.(check_\w+)\(", cell.source)
        exercises.append((meta["grade_id"][: -len("_check")], call.group(1) if call else "?",
                          int(meta.get("points", grading.exercise_points(meta["grade_id"])))))
    return {"number": path.name[:2], "name": path.stem, "title": title, "goals": goals, "exercises": exercises}


def run_times(readme_text: str) -> dict[str, str]:
    """Return {notebook stem: seconds} from the README's measured table ("| 04_lstm | 69.3 | ...")."""
    check_str("readme_text", readme_text)
    return dict(re.findall(r"^\s*\|\s*(\d\d_\w+)\s*\|\s*([\d.]+)\s*\|", readme_text, flags=re.MULTILINE))


def mistakes(check_name: str) -> list[str]:
    """Return the distinct hints of the typical mistakes the check ``check_name`` recognises, in its order."""
    from lmtutor import checks
    from lmtutor.checks._runner import exercise_of

    check_str("check_name", check_name, allow_empty=False)
    check = getattr(checks, check_name, None) if check_name.startswith("check_") else None
    if check is None:
        raise ValueError(f"check_name must name a check in lmtutor.checks, got {check_name!r}")
    return list(dict.fromkeys(m.hint for m in exercise_of(check).mistakes))


def render(repo=REPO) -> str:
    """Return the guide's Markdown for the course in ``repo`` (its notebooks and README)."""
    from lmtutor import grading

    repo = check_path("repo", repo)
    if not (repo / "README.md").is_file() or not (repo / "notebooks").is_dir():
        raise ValueError(f"repo must be the course's folder (README.md and notebooks/), got {str(repo)!r}")
    notebooks = sorted((repo / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    facts = [notebook_facts(p) for p in notebooks]
    times = run_times((repo / "README.md").read_text(encoding="utf-8"))
    by_number = {f["number"]: f for f in facts}
    total = sum(points for f in facts for _, _, points in f["exercises"])
    out = [
        "# Instructor guide",
        "",
        "<!-- Written by `python -m lmtutor.guide` (make guide) from the notebooks, the checks and the README;",
        "     tests/test_guide.py fails when this file and the course differ. Edit lmtutor/guide.py, not this file. -->",
        "",
        f"The course has {len(facts)} notebooks and {sum(len(f['exercises']) for f in facts)} exercises worth "
        f"{total} points. Each notebook is one nbgrader assignment named after it.",
        "",
        "## Running the course for a class",
        "",
        "1. `make assignments` writes an nbgrader course folder, `classroom/`: `source/<notebook>/` (with",
        "   solutions and points) and `release/<notebook>/`, the versions to hand out (solutions replaced by",
        "   `raise NotImplementedError()`, outputs cleared, check cells locked and checksummed).",
        "2. Collect each learner's notebook into `classroom/submitted/<student>/<notebook>/<notebook>.ipynb`",
        "   (by hand, your LMS export, or nbgrader's exchange).",
        "3. `make grade` runs `nbgrader autograde` on every submission (each notebook runs top to bottom;",
        "   a cell still running after 600 s is interrupted) and `nbgrader export`: `classroom/grades.csv`,",
        "   one row per learner and notebook. The feedback notebooks are in `classroom/autograded/`.",
        "",
        "The nbgrader command line works on `classroom/` as on any nbgrader course (`cd classroom &&",
        "nbgrader --help`); `make instructor-lab` opens JupyterLab with nbgrader's formgrader.",
        "",
        "## How grading works",
        "",
        "- Each exercise is a solution cell (between `### BEGIN SOLUTION` and `### END SOLUTION`) and the",
        "  locked check cell after it, an nbgrader grade cell. Points: 1 per exercise, 2 for the exercises",
        "  with several steps of array algebra (" + ", ".join(
            f"`{name}`" for name in sorted(grading.HARDER)) + ").",
        "- While nbgrader grades (it sets `NBGRADER_EXECUTION`), a check that does not pass raises",
        "  `CheckFailed` and the cell scores 0; the feedback shows the same one-line hint the learner sees",
        "  while working alone, where the check only prints PASS or NOT YET and never stops Run All.",
        "- A learner's function that runs longer than 10 s on one check input is stopped (an endless",
        "  loop) and the check fails with a hint; a cell that never ends is interrupted by nbgrader.",
        "- Hidden tests: every check already runs inputs the notebook does not show (its PASS line says how",
        "  many), so an answer fitted to the notebook's example or hard-coded fails, and autograde restores",
        "  the locked check cells from the source, so a learner cannot weaken them. The course adds no",
        "  `### BEGIN HIDDEN TESTS` blocks: the hidden inputs live in the `lmtutor` source, which stops",
        "  accidental overfitting, not a learner set on reading the package. To grade on inputs learners",
        "  cannot see, add your own asserts between `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS` in",
        "  a check cell of `classroom/source/`: nbgrader removes them from the release and runs them when",
        "  it grades.",
        "- A learner working alone sees the same checks; `make progress` prints a table of every exercise",
        "  of their notebooks (passed or the hint).",
        "",
        "## Offline classrooms",
        "",
        "`make wheelhouse` downloads every pinned package once into `wheelhouse/` (707 MB in 173 files on",
        "2026-12-02, TensorFlow 274 MB of it). Copy the repository with that folder to each machine; there",
        "`make OFFLINE=1 lab` (or `make OFFLINE=1 test`) installs from it with pip's `--no-index`, no network",
        "needed. `benchmarks/offline_install.sh` proves it: a fresh clone installs with every proxy pointing",
        "at a closed port (12 min 58 s on a loaded 2-core machine, then `pip check` and every import pass).",
        "The corpora come inside the packages and nothing downloads at run time.",
        "",
        "## Suggested homework",
        "",
        "| week | notebooks | exercises | points |",
        "|---|---|---:|---:|",
    ]
    for week, (title, numbers) in enumerate(HOMEWORK, 1):
        present = [by_number[n] for n in numbers if n in by_number]
        if not present:
            continue
        out.append(f"| {week}. {title} | {', '.join(f['name'] for f in present)} | "
                   f"{sum(len(f['exercises']) for f in present)} | "
                   f"{sum(p for f in present for _, _, p in f['exercises'])} |")
    out += ["", "## Notebook by notebook", ""]
    for f in facts:
        needs = [by_number[n]["name"] for n in PREREQUISITES.get(f["number"], ()) if n in by_number]
        out += [f"### {f['title']}", "", f"`notebooks/{f['name']}.ipynb` · prerequisites: "
                f"{', '.join(needs) if needs else 'none'} · run time: "
                f"{times[f['name']] + ' s (README table, with the machine speed)' if f['name'] in times else 'not measured yet'}",
                "", "Learning goals:", ""]
        out += [f"- {goal}" for goal in f["goals"]] or ["- (the notebook lists none)"]
        out += ["", "| exercise | check | points |", "|---|---|---:|"]
        out += [f"| `{grade_id}` | `checks.{check}` | {points} |" for grade_id, check, points in f["exercises"]]
        for grade_id, check, _ in f["exercises"]:
            hints = mistakes(check) if check != "?" else []
            out += ["", f"Typical mistakes `{check}` recognises:", ""]
            out += [f"- {' '.join(hint.split())}" for hint in hints] or ["- (none beyond a wrong answer)"]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the guide (``python -m lmtutor.guide``); return the exit code."""
    from lmtutor.classroom import _check_argv

    _check_argv(argv)
    if argv:
        print("usage: python -m lmtutor.guide > docs/instructors.md", file=sys.stderr)
        return 2
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
