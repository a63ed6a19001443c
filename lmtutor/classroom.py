"""Classroom tools: execute notebooks with clean outputs, and build the student version.

Instructors use it through make (``make notebooks``, ``make student``) or directly::

    python -m lmtutor.classroom execute notebooks/*.ipynb          # refresh committed outputs
    python -m lmtutor.classroom student --out notebooks/student notebooks/*.ipynb

The student version is made by nbgrader's own ``ClearSolutions`` preprocessor (every region
between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes ``raise NotImplementedError()``)
followed by ``ClearOutput``, so it also works with nbgrader's assign/collect/autograde workflow.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

KERNEL_NAME = "lmtutor"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "Python 3 (lmtutor)", "language": "python"}


def _nbformat():
    import nbformat

    return nbformat


def clean_metadata(nb):
    """Return ``nb`` with widget state, execution timings and stray metadata removed (in place).

    Outputs stay (learners read them on GitHub); what changes on every run does not.
    """
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
    return nb


def execute(path: str | Path, *, timeout: int = 600, kernel_name: str | None = None) -> Path:
    """Return ``path`` after executing the notebook in place in its own folder and cleaning it.

    ``kernel_name=None`` uses "python3", Jupyter's native kernel, which is the Python that runs
    this function (the course's .venv), whatever kernel the notebook names.
    """
    from nbclient import NotebookClient

    nbformat = _nbformat()
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name or "python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
        store_widget_state=True,  # False breaks Output widgets in nbclient; clean_metadata drops the state
        record_timing=False,
    )
    client.execute()
    nbformat.write(clean_metadata(nb), path)
    return path


def student_version(nb):
    """Return a copy of ``nb`` with solutions replaced by stubs and all outputs cleared."""
    try:
        from nbgrader.preprocessors import ClearOutput, ClearSolutions
    except ImportError as exc:
        raise ImportError(
            "building the student version needs nbgrader: pip install -r requirements-test.txt"
        ) from exc
    nb = copy.deepcopy(nb)
    resources: dict = {}
    nb, resources = ClearSolutions().preprocess(nb, resources)
    nb, resources = ClearOutput().preprocess(nb, resources)
    return clean_metadata(nb)


def write_student_versions(paths, out_dir: str | Path) -> list[Path]:
    """Return the paths written after saving the student version of each notebook in ``out_dir``."""
    nbformat = _nbformat()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in map(Path, paths):
        if path.suffix != ".ipynb":
            raise ValueError(f"paths must be .ipynb notebooks, got {str(path)!r}")
        target = out_dir / path.name
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Run the command line (``execute`` or ``student``); return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m lmtutor.classroom", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("execute", help="execute notebooks in place and strip volatile metadata")
    run.add_argument("paths", nargs="+")
    run.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    student = sub.add_parser("student", help="write student versions (solutions removed)")
    student.add_argument("paths", nargs="+")
    student.add_argument("--out", default="notebooks/student", help="output folder (default notebooks/student)")
    args = parser.parse_args(argv)
    if args.command == "execute":
        for path in args.paths:
            print(f"executing {path} ...", flush=True)
            execute(path, timeout=args.timeout)
    else:
        for target in write_student_versions(args.paths, args.out):
            print(f"wrote {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
