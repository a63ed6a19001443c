"""Data parallelism with tf.distribute for notebook 13: logical CPUs, one custom training step, workers.

The same model-building code runs on one device, on several (``MirroredStrategy``) and on several
processes (``MultiWorkerMirroredStrategy``): build and compile it inside ``strategy.scope()``.
``lm.train`` (Keras ``fit``) works under ``MirroredStrategy``; :func:`fit_distributed` is the
custom step that also works with several workers, where Keras 3's ``fit`` fails
(keras-team/keras#20585)::

    devices = logical_cpus(2)                      # before TensorFlow touches its devices
    strategy = mirrored(2)
    with strategy.scope():
        model = lstm_lm.build_lstm_lm(config)
    fit_distributed(model, (inputs, targets), strategy=strategy, epochs=2, global_batch_size=32)

:func:`run_workers` starts such workers as processes on this machine (each configured by its
``TF_CONFIG``), stops them all whatever happens, and raises :class:`WorkerFailed` if one dies.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Callable

import keras
import numpy as np

from lmtutor import lm, quiet_tensorflow
from lmtutor._validate import (
    MAX_ELEMENTS, MAX_STEPS, check_bool, check_callable, check_int, check_path, check_str, check_type,
)

MAX_DEVICES = 64  # logical devices one physical CPU is split into


def _tf():
    return quiet_tensorflow()


def logical_cpus(count: int) -> list[str]:
    """Return the names of ``count`` logical CPU devices, splitting the physical CPU into them.

    ``tf.config.set_logical_device_configuration`` works only before TensorFlow initialises its
    devices (the first tensor, model or strategy does that): call this first, in the Setup cell.
    Called again with the same count it returns the same names; with another count, once devices
    exist, it raises RuntimeError saying so (restart the kernel, or use a subprocess).
    """
    count = check_int("count", count, minimum=1, maximum=MAX_DEVICES)
    tf = _tf()
    cpu = tf.config.list_physical_devices("CPU")[0]
    configured = tf.config.get_logical_device_configuration(cpu)
    if configured is None or len(configured) != count:
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
        except RuntimeError:
            have = len(tf.config.list_logical_devices("CPU"))
            if have == count:  # started already, with this many devices
                return [device.name for device in tf.config.list_logical_devices("CPU")]
            raise RuntimeError(f"TensorFlow has initialised its devices already ({have} logical CPU(s)); "
                               f"logical_cpus({count}) must run before the first tensor, model or strategy: "
                               f"restart the kernel and call it first (or use a subprocess)") from None
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def mirrored(devices: int):
    """Return a MirroredStrategy over the first ``devices`` logical CPUs (see :func:`logical_cpus`).

    Gradients are summed with ``ReductionToOneDevice``: the default collective all-reduce refuses a
    second strategy with another device count in the same process. The strategy's INFO lines
    (its devices, "Reduce to ... then broadcast") are kept off the "tensorflow" logger's output.
    """
    devices = check_int("devices", devices, minimum=1, maximum=MAX_DEVICES)
    tf = _tf()
    _quiet_strategy_logs()
    names = [device.name for device in tf.config.list_logical_devices("CPU")]
    if devices > len(names):
        raise ValueError(f"devices must be at most the {len(names)} logical CPU(s) TensorFlow has, got {devices}; "
                         f"call logical_cpus({devices}) first, before TensorFlow initialises")
    return tf.distribute.MirroredStrategy(names[:devices],
                                          cross_device_ops=tf.distribute.ReductionToOneDevice())


class _StrategyChatter(logging.Filter):
    """Drops the INFO lines a MirroredStrategy logs at every trace ("Using MirroredStrategy with
    devices ...", "Reduce to ... then broadcast to ..."); every other record passes."""

    def filter(self, record):
        return not (record.levelno <= logging.INFO and record.getMessage().startswith(
            ("Using MirroredStrategy", "Reduce to ", "Collective ops is not configured")))


def _quiet_strategy_logs() -> None:
    """Install the :class:`_StrategyChatter` filter on the "tensorflow" logger once (done by :func:`mirrored`)."""
    logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _StrategyChatter) for f in logger.filters):
        logger.addFilter(_StrategyChatter())


def epoch_order(examples: int, epoch: int, seed: int = 0) -> np.ndarray:
    """Return the example order of epoch ``epoch`` (0-based): the permutation lm.train draws then.

    ``lm.train`` draws one permutation per epoch from ``np.random.default_rng(seed)``; drawing the
    first ``epoch + 1`` here gives the same order, so a run resumed at any epoch reads the examples
    exactly as an uninterrupted one.
    """
    examples = check_int("examples", examples, minimum=1, maximum=MAX_ELEMENTS)
    epoch = check_int("epoch", epoch, minimum=0, maximum=MAX_STEPS)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    for _ in range(epoch):
        rng.permutation(examples)
    return rng.permutation(examples)


def _loss_check(model: keras.Model) -> None:
    loss = getattr(model, "loss", None)
    if not (isinstance(loss, keras.losses.SparseCategoricalCrossentropy) and loss.get_config().get("from_logits")):
        raise ValueError("model must be compiled with SparseCategoricalCrossentropy(from_logits=True), as the "
                         f"builders of lstm_lm and transformer do; got loss {loss!r}")


def make_step(model: keras.Model, strategy) -> Callable:
    """Return step(inputs, targets) -> the global mean loss of one update of ``model`` under ``strategy``.

    What ``fit`` does under the hood, written out: each replica computes the loss of its share of
    the global batch as Σ (its per-example losses) / (global batch size) (``tf.nn.compute_average_loss``;
    the global size is summed over replicas, so a short last batch still averages right) and its
    gradients; ``strategy.reduce(SUM)`` adds the replicas' gradients (the all-reduce): the gradient
    of the global mean, which the optimizer clips and applies once, as on one device.
    """
    check_type("model", model, keras.Model)
    _loss_check(model)
    tf = _tf()
    check_type("strategy", strategy, tf.distribute.Strategy)
    variables = model.trainable_variables
    sum_ = tf.distribute.ReduceOp.SUM

    def replica_step(inputs, targets):
        global_size = tf.distribute.get_replica_context().all_reduce(sum_, tf.shape(targets)[0])
        with tf.GradientTape() as tape:
            logits = model(inputs, training=True)  # (batch, time, vocab)
            per_token = keras.losses.sparse_categorical_crossentropy(targets, logits, from_logits=True)
            per_example = tf.reshape(per_token, (tf.shape(per_token)[0], -1))
            per_example = tf.reduce_mean(per_example, axis=1)  # (batch,): mean over positions
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_size)
        return loss, tape.gradient(loss, variables)

    @tf.function
    def step(inputs, targets):
        losses, gradients = strategy.run(replica_step, args=(inputs, targets))
        gradients = [strategy.reduce(sum_, g, axis=None) for g in gradients]  # the all-reduce
        model.optimizer.apply_gradients(zip(gradients, variables))  # cross-replica: clip once, update each copy
        return strategy.reduce(sum_, losses, axis=None)

    return step


def fit_distributed(model: keras.Model, train_data: Any, *, strategy=None, epochs: int = 1,
                    global_batch_size: int = 64, seed: int = 0, checkpoint_dir: Any = None,
                    is_chief: bool = True, on_epoch: Callable | None = None) -> dict[str, Any]:
    """Return {"loss": mean training loss per epoch, "resumed_at": epochs restored from a checkpoint}.

    Trains ``model`` (built and compiled inside ``strategy.scope()``; default: the default strategy,
    one device) with :func:`make_step` on batches of ``global_batch_size`` windows, split over the
    replicas by ``strategy.experimental_distribute_dataset``, in the order of :func:`epoch_order`:
    the updates of ``lm.train`` with the same batch size and seed. An epoch's loss is the mean
    over its examples (batches weighted by size), as Keras reports it.

    With ``checkpoint_dir`` a ``tf.train.Checkpoint`` of the model, its optimizer and the epoch
    count is saved after every epoch (by ``tf.train.CheckpointManager``; a worker that is not the
    chief writes to a scratch folder inside it, as every worker must save), with the losses so far
    in losses.json; a run started again restores the latest one and goes on with the next epoch.
    ``on_epoch(epoch, loss)`` is called after each epoch (1-based) is saved.
    """
    check_type("model", model, keras.Model)
    _loss_check(model)
    tf = _tf()
    strategy = tf.distribute.get_strategy() if strategy is None else strategy
    check_type("strategy", strategy, tf.distribute.Strategy)
    inputs, targets = lm._pair("train_data", train_data, lm.vocab_size(model), lm.model_context(model),
                               lm.input_sizes(model))
    epochs = check_int("epochs", epochs, minimum=1, maximum=MAX_STEPS)
    global_batch_size = check_int("global_batch_size", global_batch_size, minimum=1)
    if global_batch_size < strategy.num_replicas_in_sync:
        raise ValueError(f"global_batch_size must be at least the {strategy.num_replicas_in_sync} replicas "
                         f"(each gets global_batch_size / replicas examples), got {global_batch_size}")
    seed = check_int("seed", seed, minimum=0)
    check_bool("is_chief", is_chief)
    if on_epoch is not None:
        check_callable("on_epoch", on_epoch)
    if not model.optimizer.built:
        with strategy.scope():  # its slots (Adam's moments) mirror the model's variables
            model.optimizer.build(model.trainable_variables)
    step = make_step(model, strategy)
    done = tf.Variable(0, dtype=tf.int64, trainable=False, name="epochs_done")
    losses: list[float] = []
    manager = None
    if checkpoint_dir is not None:
        folder = check_path("checkpoint_dir", checkpoint_dir)
        checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer, epochs_done=done)
        latest = tf.train.latest_checkpoint(str(folder))
        if latest:
            checkpoint.restore(latest).assert_existing_objects_matched()
            losses = json.loads((folder / "losses.json").read_text())[:int(done.numpy())]
        write_to = folder if is_chief else folder / f"scratch_{os.getpid()}"
        manager = tf.train.CheckpointManager(checkpoint, str(write_to), max_to_keep=1)
    resumed_at = int(done.numpy())
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    for epoch in range(resumed_at, epochs):
        order = epoch_order(len(targets), epoch, seed)
        data = tf.data.Dataset.from_tensor_slices((inputs[order], targets[order])).batch(global_batch_size)
        total = 0.0
        for first, batch in zip(range(0, len(targets), global_batch_size),
                                strategy.experimental_distribute_dataset(data.with_options(options))):
            size = min(global_batch_size, len(targets) - first)
            total += float(step(*batch)) * size
        losses.append(total / len(targets))
        done.assign(epoch + 1)
        if manager is not None:
            manager.save()
            if is_chief:
                (folder / "losses.json").write_text(json.dumps(losses))
        if on_epoch is not None:
            on_epoch(epoch + 1, losses[-1])
    if manager is not None and not is_chief:
        _remove_tree(write_to)
    return {"loss": losses, "resumed_at": resumed_at}


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------------- workers on this machine
class WorkerFailed(RuntimeError):
    """A worker process exited with an error, was killed, or ran past the timeout. The launcher has
    stopped every other worker before raising it; ``log`` holds the last lines of the worker's log."""

    def __init__(self, worker: int, workers: int, how: str, log: str):
        self.worker = check_int("worker", worker, minimum=0)
        self.workers = check_int("workers", workers, minimum=1)
        self.how, self.log = check_str("how", how, allow_empty=False), check_str("log", log)
        super().__init__(f"worker {worker} of {workers} {how}; every worker was stopped. "
                         f"Last lines of its log:\n{log}")


def free_ports(count: int) -> list[int]:
    """Return ``count`` distinct TCP ports on 127.0.0.1 that were free a moment ago (the OS picks them)."""
    import socket

    count = check_int("count", count, minimum=1, maximum=MAX_DEVICES)
    sockets = []
    try:
        for _ in range(count):  # all open at once, so the OS cannot hand out one port twice
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _port_in_use(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def tf_config(ports: list[int], index: int) -> dict:
    """Return the TF_CONFIG of worker ``index`` in a cluster of workers at localhost:``ports``.

    On a real cluster the addresses are the hosts' names or IPs ("host1:2222", ...); every worker
    gets the same "cluster" and its own "task" index (0 is the chief, which writes the checkpoints).
    """
    if not isinstance(ports, (list, tuple)) or not ports:
        raise TypeError(f"ports must be a non-empty list of port numbers, got {ports!r}")
    ports = [check_int(f"ports[{i}]", port, minimum=1, maximum=65535) for i, port in enumerate(ports)]
    index = check_int("index", index, minimum=0, maximum=len(ports) - 1)
    return {"cluster": {"worker": [f"localhost:{port}" for port in ports]}, "task": {"type": "worker", "index": index}}


def _tail(path: Path, lines: int = 12) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    keep = [line for line in text if not line.startswith(("WARNING: All log messages", "I0000", "W0000"))]
    return "\n".join(keep[-lines:]) or "(empty log)"


def _stop(processes: list) -> None:
    """Stop every process that still runs: SIGTERM to its process group, SIGKILL after 5 s."""
    import signal
    import subprocess

    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()


def run_workers(spec: dict, workers: int = 2, *, ports: Any = None, timeout: float = 300.0,
                kill: Any = None) -> dict[str, Any]:
    """Return the chief's result of training ``spec`` with ``workers`` processes on this machine.

    Each worker is ``python -m lmtutor._worker`` with its own ``TF_CONFIG`` (:func:`tf_config`) and
    runs ``MultiWorkerMirroredStrategy`` with :func:`fit_distributed`; ``spec`` says what to train
    (lmtutor._worker.check_spec: corpus, windows, LSTM config, epochs, global batch, seed,
    checkpoint_dir). ``ports`` (one per worker) default to :func:`free_ports`; a port in use is a
    ValueError. ``kill=(index, epoch)`` kills worker ``index`` with SIGKILL once the chief has
    finished ``epoch`` epochs: a machine lost mid-run. If any worker exits with an error or is
    killed, or ``timeout`` seconds pass, every worker is stopped and :class:`WorkerFailed` is raised
    with the last lines of the failed worker's log. Whatever happens, no worker outlives the call.

    The result: "loss" per epoch, "resumed_at" (epochs restored from the checkpoint), "replicas",
    "weights" (the chief's final weights, a list of arrays), "seconds" (wall time of the launch).
    """
    import signal
    import subprocess
    import sys
    import tempfile
    import time

    from lmtutor import _worker

    spec = _worker.check_spec(spec)
    workers = check_int("workers", workers, minimum=1, maximum=MAX_DEVICES)
    if ports is None:
        ports = free_ports(workers)
    else:
        if not isinstance(ports, (list, tuple)) or len(ports) != workers:
            raise TypeError(f"ports must be a list of {workers} port numbers (one per worker), got {ports!r}")
        ports = [check_int(f"ports[{i}]", port, minimum=1024, maximum=65535) for i, port in enumerate(ports)]
        if len(set(ports)) != len(ports):
            raise ValueError(f"ports must be distinct, got {ports}")
        for i, port in enumerate(ports):
            if _port_in_use(port):
                raise ValueError(f"ports[{i}] = {port} is in use on 127.0.0.1: pick another (or ports=None)")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 86_400:
        raise ValueError(f"timeout must be a number of seconds in (0, 86400], got {timeout!r}")
    if kill is not None:
        if not isinstance(kill, (tuple, list)) or len(kill) != 2:
            raise TypeError(f"kill must be a pair (worker index, epoch), got {kill!r}")
        check_int("kill[0]", kill[0], minimum=0, maximum=workers - 1)
        check_int("kill[1]", kill[1], minimum=1, maximum=spec["epochs"] - 1)
    begin = time.perf_counter()
    package_parent = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory(prefix="lmtutor-workers-") as run_dir:
        run = Path(run_dir)
        (run / "spec.json").write_text(json.dumps({**spec, "result": str(run / "result.json"),
                                                   "progress": str(run / "progress.json")}))
        processes, logs = [], []
        try:
            for index in range(workers):
                env = {**os.environ, "TF_CONFIG": json.dumps(tf_config(ports, index)), "TF_CPP_MIN_LOG_LEVEL": "3",
                       "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))}
                logs.append(run / f"worker{index}.log")
                with open(logs[-1], "wb") as log:
                    processes.append(subprocess.Popen(
                        [sys.executable, "-m", "lmtutor._worker", str(run / "spec.json")], env=env,
                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True))
            killed = False
            while any(p.poll() is None for p in processes):
                failed = next((i for i, p in enumerate(processes) if p.poll() not in (None, 0)), None)
                if failed is not None:
                    code = processes[failed].returncode
                    how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
                    raise WorkerFailed(failed, workers, how, _tail(logs[failed]))
                if time.perf_counter() - begin > timeout:
                    raise WorkerFailed(0, workers, f"was still running after timeout={timeout} s", _tail(logs[0]))
                if kill is not None and not killed and (run / "progress.json").exists():
                    finished = json.loads((run / "progress.json").read_text() or "0")
                    if finished >= kill[1]:
                        os.killpg(processes[kill[0]].pid, signal.SIGKILL)
                        killed = True
                time.sleep(0.1)
            failed = next((i for i, p in enumerate(processes) if p.returncode != 0), None)
            if failed is not None:
                raise WorkerFailed(failed, workers, f"exited with code {processes[failed].returncode}",
                                   _tail(logs[failed]))
        finally:
            _stop(processes)
        result = json.loads((run / "result.json").read_text())
        with np.load(run / "weights.npz") as saved:
            result["weights"] = [saved[f"w{i}"] for i in range(len(saved.files))]
    result["seconds"] = time.perf_counter() - begin
    return result
