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

from lmtutor._validate import _show, check_int, check_path, check_str

KERNEL_NAME = "lmtutor"
MAX_TIMEOUT = 86_400  # seconds per cell: a day
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "Python 3 (lmtutor)", "language": "python"}


def _nbformat():
    import nbformat

    return nbformat


def _check_notebook(nb):
    """Return ``nb`` after checking it is a notebook as nbformat.read returns it (cells and metadata)."""
    if not isinstance(nb, dict):
        raise TypeError(f"nb must be a notebook (nbformat.read(path, as_version=4)), got {type(nb).__name__} "
                        f"{_show(nb)}")
    missing = [key for key in ("cells", "metadata") if key not in nb]
    if missing:
        raise ValueError(f"nb must be a notebook with cells and metadata, got a dict without {missing}")
    if not isinstance(nb["cells"], list) or not isinstance(nb["metadata"], dict):
        raise TypeError(f"nb must be a notebook: cells a list and metadata a dict, got "
                        f"{type(nb['cells']).__name__} and {type(nb['metadata']).__name__}")
    if not isinstance(nb, _nbformat().NotebookNode):
        raise TypeError("nb must be a notebook read by nbformat (nbformat.read or nbformat.from_dict), got a plain dict")
    return nb


def _notebook_path(name: str, value, index: int | None = None) -> Path:
    """Return ``value`` as the Path of an existing .ipynb file, raising an error that names ``name``
    (and ``index``, its place in a list)."""
    where = "" if index is None else f" ({name}[{index}])"
    path = check_path(name if index is None else f"{name}[{index}]", value)
    if path.suffix != ".ipynb":
        raise ValueError(f"{name} must be .ipynb notebooks, got {str(path)!r}{where}")
    if not path.is_file():
        raise FileNotFoundError(f"{name}: the notebook {str(path)!r}{where} does not exist")
    return path


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_TEXT = "(a widget: run the notebook, Run All, to draw it here and use it)"


def clean_metadata(nb):
    """Return ``nb`` with widget state, execution timings and stray metadata removed (in place).

    Outputs stay (learners read them on GitHub); what changes on every run does not. A widget's
    output has no state to draw from once the notebook is saved, so its plain-text form, which
    JupyterLab and GitHub show instead, says how to get the widget rather than "VBox(children=...".
    """
    _check_notebook(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                output["data"]["text/plain"] = WIDGET_TEXT
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
    path = _notebook_path("path", path)
    if timeout is not None:
        timeout = check_int("timeout", timeout, minimum=1, maximum=MAX_TIMEOUT)
    if kernel_name is not None:
        check_str("kernel_name", kernel_name, allow_empty=False)
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
    nb = copy.deepcopy(_check_notebook(nb))
    resources: dict = {}
    nb, resources = ClearSolutions().preprocess(nb, resources)
    nb, resources = ClearOutput().preprocess(nb, resources)
    return clean_metadata(nb)


def write_student_versions(paths, out_dir: str | Path) -> list[Path]:
    """Return the paths written after saving the student version of each notebook in ``out_dir``."""
    nbformat = _nbformat()
    if isinstance(paths, (str, bytes)) or not isinstance(paths, (list, tuple)):
        raise TypeError(f"paths must be a list of notebook paths, got {type(paths).__name__} {_show(paths)}")
    if not paths:
        raise ValueError("paths must hold at least one notebook, got an empty list")
    paths = [_notebook_path("paths", p, i) for i, p in enumerate(paths)]
    out_dir = check_path("out_dir", out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"out_dir must be a folder, got the file {str(out_dir)!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        target = out_dir / path.name
        nbformat.write(student_version(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


def _check_argv(argv) -> None:
    """Raise TypeError unless ``argv`` is None or a list of str command-line arguments."""
    if argv is not None:
        if isinstance(argv, (str, bytes)) or not isinstance(argv, (list, tuple)):
            raise TypeError(f"argv must be a list of str arguments, e.g. ['student', 'nb.ipynb'], got "
                            f"{type(argv).__name__} {_show(argv)}")
        for i, arg in enumerate(argv):
            if not isinstance(arg, str):
                raise TypeError(f"argv[{i}] must be a str, got {type(arg).__name__} {_show(arg)}")


def main(argv: list[str] | None = None) -> int:
    """Run the command line (``execute`` or ``student``); return the exit code.

    ``argv`` is the list of arguments (None: ``sys.argv[1:]``); a wrong command or option ends with
    argparse's usage message and exit code 2, as on the command line.
    """
    _check_argv(argv)
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
