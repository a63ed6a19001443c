"""Time `make test` against the sum of the notebooks' own run times; print both and the goal.

The goal (issue 11): `make test` takes at most the sum of the notebooks' `make benchmark` times plus
3 minutes, because it executes each notebook in full once (nbval) and otherwise runs only Setup +
Exercises, Setup + the cells tagged "browser", the unit tests and the checkpoint re-scores. Both
numbers are measured in one session, with the machine's speed (benchmarks/notebooks.py's fixed
TensorFlow workload) and load average before, between and after, so they can be read together::

    python benchmarks/test_time.py                     # notebooks one by one, then `make test`
    python benchmarks/test_time.py --command "make unit" --skip-notebooks

The test command's own output goes to a log file (its path is printed), its last line is quoted.
The exit status is that of the test command (a time from a failing run is not a result), or 1 if a
notebook raised an error; a missed goal is reported, never an error.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebooks as notebook_benchmark  # noqa: E402  (benchmarks/notebooks.py)

REPO = notebook_benchmark.REPO
GOAL_MARGIN = 180  # s: make test may take the notebooks' sum plus this


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s ({int(seconds // 60)} min {seconds % 60:.0f} s)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--command", default="make test", help="the test command to time (default: make test)")
    parser.add_argument("--skip-notebooks", action="store_true", help="time the command only")
    args = parser.parse_args(argv)

    speeds = [("start", notebook_benchmark.speed_line())]
    print(speeds[-1][1], flush=True)
    notebook_seconds, failures = None, []
    if not args.skip_notebooks:
        notebook_seconds = 0.0
        for path in sorted(notebook_benchmark.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
            run = notebook_benchmark.run_notebook(path)
            notebook_seconds += run["seconds"]
            print(f"{path.name:40s} {run['seconds']:6.1f} s" + (f"  ERROR {run['error']}" if run["error"] else ""),
                  flush=True)
            if run["error"]:
                failures.append(path.name)
        speeds.append(("after the notebooks", notebook_benchmark.speed_line()))
        print(speeds[-1][1], flush=True)

    log = Path(tempfile.mkstemp(prefix="test_time_", suffix=".log")[1])
    print(f"running `{args.command}` (output in {log}) ...", flush=True)
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        status = subprocess.run(shlex.split(args.command), cwd=REPO, stdout=out, stderr=subprocess.STDOUT).returncode
    test_seconds = time.perf_counter() - start
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    speeds.append(("after the tests", notebook_benchmark.speed_line()))

    print()
    print("| measure | seconds |")
    print("|---|---:|")
    print(f"| `{args.command}` wall time (exit status {status}) | {_minutes(test_seconds)} |")
    if notebook_seconds is not None:
        print(f"| sum of the notebooks' run times (benchmarks/notebooks.py, one run each) | {_minutes(notebook_seconds)} |")
        goal = notebook_seconds + GOAL_MARGIN
        verdict = "met" if test_seconds <= goal else f"missed by {test_seconds - goal:.0f} s"
        print(f"| goal: the sum + {GOAL_MARGIN} s | {_minutes(goal)}: {verdict} |")
    print()
    print(f"last line of `{args.command}`: {lines[-1] if lines else '(no output)'}")
    for when, line in speeds:
        print(f"{when}: {line}")
    if failures:
        print(f"ERROR in {', '.join(failures)}", file=sys.stderr)
    return status or (1 if failures else 0)


if __name__ == "__main__":
    sys.exit(main())
