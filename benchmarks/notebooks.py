"""Time every notebook and measure its kernel's peak memory; print a markdown table.

Each notebook runs top to bottom in a fresh kernel of this Python (nbclient, working directory
notebooks/, 600 s per cell); its outputs are not written back. "seconds" is the wall time from
starting the kernel to the end of the last cell. "peak MB" is the largest resident memory (RSS) of
the kernel process plus its children, *sampled* every 0.2 s by a thread: a spike shorter than
that can be missed, so read it as a lower bound. On Linux the kernel's own high-water mark
(VmHWM in /proc) is read at the end as well and the larger number is shown. The course's goal is
at most 60 s and 3 GB per notebook on a laptop CPU; a miss is reported, never an error::

    python benchmarks/notebooks.py                          # all notebooks/*.ipynb
    python benchmarks/notebooks.py notebooks/01_text_and_tokens.ipynb --repeat 3

With --repeat N each notebook runs N times (a fresh kernel each time) and the table shows the
median seconds with the range, and the largest peak. The exit status is 0 unless a notebook
raised an error, in which case the failing cell is printed and the status is 1.

Machines differ (the same kind of 2-core machine measured 83 and 450 GFLOP/s on different days), so
the table comes with the machine's speed, measured before and after the notebooks by a fixed
workload (:func:`machine_speed`: TensorFlow fp32 matrix products, about 2 s), and the load average:
read a time against them. ``--speed-only`` prints the speed alone.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
CELL_TIMEOUT = 600  # s per cell
SAMPLE_EVERY = 0.2  # s between memory samples
GOAL_SECONDS = 60
GOAL_MB = 3 * 1024  # MB here are MiB (2**20 bytes), as psutil and /proc count them
SLOW_CELL = 10  # s: a cell that runs longer must say so before it starts and show progress (listed below the table)
ANSI_COLOR = re.compile(r"\x1b\[[0-9;]*m")


class PeakMemory(threading.Thread):
    """Samples the RSS of a process and its children until stopped; ``peak_mb`` is the largest sum."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        import psutil

        self._psutil = psutil
        self.process = psutil.Process(pid)
        self.peak_mb = 0.0
        self._stop_event = threading.Event()

    def sample(self) -> None:
        psutil = self._psutil
        try:
            family = [self.process] + self.process.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        total = 0
        for proc in family:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:  # a child that ended between the listing and the read
                pass
        self.peak_mb = max(self.peak_mb, total / 2**20)

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(SAMPLE_EVERY)

    def high_water_mark_mb(self) -> float:
        """Return the kernel process's own peak RSS from /proc (Linux), or 0.0 where unavailable."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0.0
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        return int(match.group(1)) / 1024 if match else 0.0

    def stop(self) -> float:
        """Stop sampling (after one last sample) and return the peak in MB."""
        self._stop_event.set()
        self.join()
        self.sample()
        self.peak_mb = max(self.peak_mb, self.high_water_mark_mb())
        return self.peak_mb


SPEED_SIZE = 1024  # the reference workload multiplies two SPEED_SIZE x SPEED_SIZE fp32 matrices
SPEED_CODE = f"""
import os, statistics, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
n = {SPEED_SIZE}
a = tf.random.stateless_uniform((n, n), seed=(1, 2))
b = tf.random.stateless_uniform((n, n), seed=(3, 4))
for _ in range(3):  # warm-up: thread pools, oneDNN kernels
    tf.linalg.matmul(a, b).numpy()
rates = []
for _ in range(7):  # 7 rounds of at least 0.25 s of products each
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.25:
        c = tf.linalg.matmul(a, b)
        count += 1
    c.numpy()
    rates.append(2 * n ** 3 * count / (time.perf_counter() - start) / 1e9)
print(statistics.median(rates))
"""


def machine_speed() -> float:
    """Return the machine's TensorFlow fp32 matmul speed in GFLOP/s (median of 7 rounds of 0.25 s).

    The workload runs in a fresh Python, like a notebook's kernel, with TensorFlow's default threads
    (all cores); 2 n^3 floating-point operations per product of two n x n matrices, n = SPEED_SIZE.
    """
    result = subprocess.run([sys.executable, "-c", SPEED_CODE], capture_output=True, text=True, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def speed_line() -> str:
    """Return one line: the machine's speed now, its core count and load average (1 min)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine speed: {machine_speed():.0f} GFLOP/s (TensorFlow fp32 {SPEED_SIZE}x{SPEED_SIZE} matmul), "
            f"{os.cpu_count()} cores, load average {load:.2f}")


def _kernel_manager_class():
    """Return a KernelManager class that runs ``sys.executable``, whatever kernel the notebook names."""
    from jupyter_client.manager import KernelManager

    class CurrentPythonKernelManager(KernelManager):
        def format_kernel_cmd(self, extra_arguments=None):
            return [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file]

    return CurrentPythonKernelManager


def run_notebook(path: Path) -> dict:
    """Return {"seconds", "peak_mb", "error", "cells"} for one run of the notebook at ``path`` in a fresh
    kernel; "cells" lists (index, seconds, first source line, first output line) of each code cell.

    ``error`` is None, or a message naming the failing cell (index, first line, exception).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",  # always resolvable with ipykernel; the command is replaced below
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        store_widget_state=False,
        record_timing=False,
    )
    client.kernel_manager_class = _kernel_manager_class()
    error, monitor, index, cells = None, None, -1, []
    start = time.perf_counter()
    with client.setup_kernel():
        monitor = PeakMemory(client.km.provisioner.pid)
        monitor.start()
        try:
            for index, cell in enumerate(nb.cells):
                began = time.perf_counter()
                client.execute_cell(cell, index)
                if cell.cell_type == "code":
                    cells.append((index, time.perf_counter() - began, _first_line(cell.source),
                                  _first_line(_output_text(cell))))
        except (CellExecutionError, CellTimeoutError) as exc:
            first_line = (nb.cells[index].source.strip().splitlines() or [""])[0]
            message = ANSI_COLOR.sub("", str(exc)).strip().splitlines()
            error = (
                f"cell {index + 1} of {len(nb.cells)} ({first_line!r}): "
                f"{message[-1] if message else type(exc).__name__}"
            )
        finally:
            seconds = time.perf_counter() - start
            peak_mb = monitor.stop()
    return {"seconds": seconds, "peak_mb": peak_mb, "error": error, "cells": cells}


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.replace("\r", "\n").splitlines() if line.strip()]
    return lines[0][:90] if lines else ""


def _output_text(cell) -> str:
    """Return the text a code cell printed (streams and plain-text results), in order."""
    parts = []
    for output in cell.get("outputs", []):
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts)


def _row(path: Path, runs: list[dict]) -> str:
    """Return the markdown table row of one notebook's runs."""
    seconds = [run["seconds"] for run in runs]
    peak = max(run["peak_mb"] for run in runs)
    median = statistics.median(seconds)
    shown = f"{median:.1f}" if len(runs) == 1 else f"{median:.1f} ({min(seconds):.1f}–{max(seconds):.1f})"
    errors = [run["error"] for run in runs if run["error"]]
    if errors:
        met = f"no: error in {errors[0].split(' (')[0]}"
    else:
        met = "yes" if median <= GOAL_SECONDS and peak <= GOAL_MB else "no"
    return f"| {path.name} | {shown} | {peak:.0f} | {met} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="runs per notebook (default 1)")
    parser.add_argument("--speed-only", action="store_true", help="print the machine's speed and stop")
    args = parser.parse_args(argv)
    if args.speed_only:
        print(speed_line())
        return 0
    if args.repeat < 1:
        parser.error(f"--repeat must be >= 1, got {args.repeat}")
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    if not paths:
        parser.error(f"no notebooks in {NOTEBOOKS}")

    speed_before = speed_line()
    rows, failures, slow = [], [], []
    total = 0.0
    for path in paths:
        runs = []
        for attempt in range(1, args.repeat + 1):
            print(f"running {path.name} ({attempt}/{args.repeat}) ...", file=sys.stderr, flush=True)
            run = run_notebook(path.resolve())
            runs.append(run)
            if run["error"]:
                failures.append(f"{path}: {run['error']}")
                break  # the next runs would fail the same way
        rows.append(_row(path, runs))
        slow += [(path.name, *cell) for cell in runs[-1]["cells"] if cell[1] > SLOW_CELL]
        total += statistics.median(run["seconds"] for run in runs)

    goal = f"goal met (≤ {GOAL_SECONDS} s and ≤ {GOAL_MB // 1024} GB)"
    print(f"| notebook | seconds | peak MB | {goal} |")
    print("|---|---:|---:|---|")
    print("\n".join(rows))
    print(f"\nsum of the notebooks' seconds (medians): {total:.1f}")
    print(f"\ncells over {SLOW_CELL} s (each should say so before it starts: see its first output line):")
    for name, index, seconds, source, output in slow:
        print(f"- {name} cell {index}, {seconds:.1f} s: `{source}` -> first output: {output!r}")
    print(f"before: {speed_before}")
    print(f"after:  {speed_line()}")
    for failure in failures:
        print(f"ERROR {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
