"""TensorBoard logs for notebook 13: read the event files back into arrays, and run TensorBoard itself.

``lm.train(..., log_dir=folder)`` writes the epoch metrics with Keras's TensorBoard callback. Keras 3
writes them as *tensor* summaries, not the old scalar ones, and TensorBoard's ``EventAccumulator``
keeps only 10 tensor events per tag unless told ``size_guidance={"tensors": 0}`` (keep all)::

    curves = read_scalars(folder)                 # {"train/epoch_loss": (steps, values), ...}
    with TensorBoardServer(folder) as board:      # python -m tensorboard.main on 127.0.0.1, a free port
        board.url                                 # open it in a browser tab; stopped when the block ends
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from lmtutor._validate import check_float, check_path


def _event_folders(root: Path) -> list[Path]:
    """Return ``root`` and every folder under it that holds an event file, sorted."""
    return sorted({path.parent for path in root.rglob("events.out.tfevents.*")})


def read_scalars(log_dir: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return {"<run>/<tag>": (steps, values)} for every one-number summary under ``log_dir``.

    A run is the folder of an event file relative to ``log_dir`` ("train", "validation"; "." for
    ``log_dir`` itself); steps are int64 and sorted, values float64. Keras 3's tensor summaries and
    old-style scalar summaries are both read, every event of them (``size_guidance`` 0 = keep all);
    summaries that are not a single number (the model's graph, text) are left out.
    """
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util

    root = check_path("log_dir", log_dir)
    if not root.is_dir():
        raise ValueError(f"log_dir must be an existing folder of TensorBoard logs, got {str(root)!r}")
    folders = _event_folders(root)
    if not folders:
        raise ValueError(f"log_dir {str(root)!r} holds no TensorBoard event files (events.out.tfevents.*)")
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for folder in folders:
        run = folder.relative_to(root).as_posix()
        accumulator = EventAccumulator(str(folder), size_guidance={"tensors": 0, "scalars": 0})
        accumulator.Reload()
        tags = accumulator.Tags()
        for tag in tags.get("tensors", []):
            points = []
            for event in accumulator.Tensors(tag):
                value = tensor_util.make_ndarray(event.tensor_proto)
                if value.dtype.kind not in "fiu" or value.size != 1:
                    break  # not a number: a graph or text summary
                points.append((event.step, float(value.reshape(-1)[0])))
            else:
                if points:
                    curves[f"{run}/{tag}"] = _sorted(points)
        for tag in tags.get("scalars", []):
            curves[f"{run}/{tag}"] = _sorted([(e.step, e.value) for e in accumulator.Scalars(tag)])
    return curves


def _sorted(points: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    points = sorted(points)
    return (np.array([p[0] for p in points], dtype=np.int64), np.array([p[1] for p in points], dtype=np.float64))


class TensorBoardServer:
    """TensorBoard serving ``log_dir`` on 127.0.0.1 in a child process, stopped by :meth:`stop`.

    Unlike the ``%tensorboard`` magic, which leaves its server running after the notebook, this one
    stops when :meth:`stop` is called, when a ``with`` block ends, or when the Python process
    exits. :meth:`start` waits until the server answers (or raises RuntimeError with its output).
    """

    def __init__(self, log_dir: Any, *, port: int | None = None, timeout: float = 60.0):
        from lmtutor.distribute import free_ports

        self.log_dir = check_path("log_dir", log_dir)
        if not self.log_dir.is_dir():
            raise ValueError(f"log_dir must be an existing folder, got {str(self.log_dir)!r}")
        if port is not None:
            from lmtutor._validate import check_int

            port = check_int("port", port, minimum=1024, maximum=65535)
        self.port = port if port is not None else free_ports(1)[0]
        self.timeout = check_float("timeout", timeout, minimum=0.0, min_inclusive=False)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """Return the server's address, http://127.0.0.1:<port>/."""
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> "TensorBoardServer":
        """Start the server and return self once it answers HTTP requests."""
        import atexit
        import http.client

        if self.process is not None and self.process.poll() is None:
            return self
        command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(self.log_dir), "--host", "127.0.0.1",
                   "--port", str(self.port), "--reload_interval", "1"]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        atexit.register(self.stop)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")[-2000:]
                self.process = None
                raise RuntimeError(f"TensorBoard exited at start (port {self.port}):\n{output}")
            # ask the server just started for its page: a direct connection to 127.0.0.1 (http.client
            # reads no proxy settings), so nothing leaves the machine
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                connection.request("GET", "/")
                if connection.getresponse().status == 200:
                    return self
            except (OSError, http.client.HTTPException):  # not listening, or not answering, yet
                time.sleep(0.25)
            finally:
                connection.close()
        self.stop()
        raise RuntimeError(f"TensorBoard did not answer at {self.url} within {self.timeout} s")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s) and wait for it; nothing stays running."""
        import signal

        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait()
        if process.stdout is not None:
            process.stdout.close()

    @property
    def running(self) -> bool:
        """Return True while the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> "TensorBoardServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
