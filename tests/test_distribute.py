"""Tests for lmtutor.distribute: the custom distributed step equals lm.train (Keras fit) on one
device, MirroredStrategy over logical CPUs equals one device (in a subprocess: logical devices must
be set before TensorFlow starts), and the multi-worker launcher: two workers equal one process, a
worker that fails to start, a port in use, a worker killed mid-run (the rerun resumes from its
checkpoint), Keras 3's fit under MultiWorkerMirroredStrategy (keras-team/keras#20585), and no
process left behind after any of them."""

import json
import socket
import subprocess
import sys
import textwrap

import numpy as np
import psutil
import pytest

from lmtutor import distribute, lm, lstm_lm, quiet_tensorflow

CONFIG = dict(hidden_size=16, embedding_dim=8)
SPEC = dict(corpus="lee_chars", seq_len=16, windows=192, config=CONFIG, epochs=3, global_batch_size=32)


def _windows(count=96, length=12, vocab=11, seed=0):
    x = np.random.default_rng(seed).integers(0, vocab, (count, length))
    return x, np.roll(x, -1, axis=1)


def _children():
    """Return the pids of this process's live children (zombies waiting to be reaped do not run)."""
    alive = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.fixture(autouse=True)
def no_new_process():
    """Every test leaves behind no process it started (children that ran before it may stay)."""
    before = _children()
    yield
    assert _children() <= before, "a process started by this test still runs"


@pytest.fixture(scope="module")
def single_process():
    """lm.train on the first SPEC windows in this process: what every distributed run must equal."""
    from lmtutor import datasets

    corpus = datasets.lm_corpus("lee_chars")
    x, y = (a[:SPEC["windows"]] for a in corpus.windows(SPEC["seq_len"]))
    model = lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=len(corpus.vocab), **CONFIG))
    history = lm.train(model, (x, y), epochs=SPEC["epochs"], batch_size=SPEC["global_batch_size"], verbose=False)
    return history["loss"], model.get_weights()


def _same_weights(a, b, atol=1e-5):
    return len(a) == len(b) and all(np.allclose(x, y, atol=atol) for x, y in zip(a, b))


def test_epoch_order_is_the_permutation_lm_train_draws_that_epoch():
    rng = np.random.default_rng(7)
    draws = [rng.permutation(50) for _ in range(4)]
    for epoch in range(4):
        assert np.array_equal(distribute.epoch_order(50, epoch, seed=7), draws[epoch])


def test_the_custom_step_on_one_device_equals_lm_train_including_a_short_last_batch():
    x, y = _windows(count=100)  # 100 = 3 batches of 32 and one of 4
    config = lstm_lm.LSTMLMConfig(vocab_size=11, hidden_size=8, clip_norm=0.05)  # clipping active: clip once, globally
    fitted, custom = lstm_lm.build_lstm_lm(config), lstm_lm.build_lstm_lm(config)
    history = lm.train(fitted, (x, y), epochs=2, batch_size=32, verbose=False, seed=3)
    result = distribute.fit_distributed(custom, (x, y), epochs=2, global_batch_size=32, seed=3)
    assert np.allclose(result["loss"], history["loss"], rtol=1e-6)
    assert _same_weights(custom.get_weights(), fitted.get_weights(), atol=1e-6)


def test_a_checkpointed_run_resumes_after_its_last_finished_epoch(tmp_path):
    x, y = _windows()
    config = lstm_lm.LSTMLMConfig(vocab_size=11, hidden_size=8)
    whole = lstm_lm.build_lstm_lm(config)
    expected = distribute.fit_distributed(whole, (x, y), epochs=3, global_batch_size=32)
    first = distribute.fit_distributed(lstm_lm.build_lstm_lm(config), (x, y), epochs=2, global_batch_size=32,
                                       checkpoint_dir=tmp_path)
    resumed_model = lstm_lm.build_lstm_lm(config)
    seen = []
    resumed = distribute.fit_distributed(resumed_model, (x, y), epochs=3, global_batch_size=32,
                                         checkpoint_dir=tmp_path, on_epoch=lambda e, loss: seen.append(e))
    assert first["resumed_at"] == 0 and resumed["resumed_at"] == 2 and seen == [3]
    assert np.allclose(resumed["loss"], expected["loss"], rtol=1e-6)
    assert _same_weights(resumed_model.get_weights(), whole.get_weights(), atol=1e-6)


def test_logical_cpus_refuses_another_count_once_tensorflow_has_started():
    tf = quiet_tensorflow()
    tf.constant(1.0)  # TensorFlow's devices exist from here on
    have = len(tf.config.list_logical_devices("CPU"))
    assert len(distribute.logical_cpus(have)) == have  # the same count: returned as is
    with pytest.raises(RuntimeError, match="restart the kernel"):
        distribute.logical_cpus(have + 1)
    with pytest.raises(ValueError, match="devices"):
        distribute.mirrored(have + 1)


def test_a_model_compiled_with_another_loss_is_refused():
    model = lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=11, hidden_size=4))
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="SparseCategoricalCrossentropy"):
        distribute.fit_distributed(model, _windows(), epochs=1)


def test_free_ports_are_distinct_and_free_and_tf_config_names_every_worker():
    ports = distribute.free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # raises if it were taken
    config = distribute.tf_config(ports, 2)
    assert config["cluster"]["worker"] == [f"localhost:{p}" for p in ports]
    assert config["task"] == {"type": "worker", "index": 2}


def test_a_port_in_use_is_refused_before_any_worker_starts():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ValueError, match=rf"ports\[1\] = {port} is in use"):
            distribute.run_workers(SPEC, 2, ports=[distribute.free_ports(1)[0], port])


@pytest.mark.slow
def test_mirrored_strategy_over_logical_cpus_equals_one_device_in_a_fresh_process():
    script = textwrap.dedent("""
        import json, numpy as np
        from lmtutor import distribute, lm, lstm_lm
        distribute.logical_cpus(4)
        x = np.random.default_rng(0).integers(0, 11, (64, 12)); y = np.roll(x, -1, axis=1)
        config = lstm_lm.LSTMLMConfig(vocab_size=11, hidden_size=8)
        runs = {}
        for devices in (1, 2, 4):
            strategy = distribute.mirrored(devices)
            with strategy.scope():
                model = lstm_lm.build_lstm_lm(config)
            runs[devices] = {"fit": lm.train(model, (x, y), epochs=2, batch_size=16, verbose=False)["loss"],
                             "weights": float(sum(np.abs(w).sum() for w in model.get_weights()))}
            with strategy.scope():
                model = lstm_lm.build_lstm_lm(config)
            runs[devices]["custom"] = distribute.fit_distributed(model, (x, y), strategy=strategy, epochs=2,
                                                                 global_batch_size=16)["loss"]
        print(json.dumps(runs))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    runs = json.loads(out.stdout.strip().splitlines()[-1])
    for devices in ("2", "4"):
        assert np.allclose(runs[devices]["fit"], runs["1"]["fit"], rtol=1e-5)
        assert np.allclose(runs[devices]["custom"], runs["1"]["fit"], rtol=1e-5)
        assert runs[devices]["weights"] == pytest.approx(runs["1"]["weights"], rel=1e-5)


@pytest.mark.slow
def test_two_workers_equal_one_process_and_leave_no_process(single_process):
    losses, weights = single_process
    result = distribute.run_workers(SPEC, 2)
    assert result["replicas"] == 2 and result["resumed_at"] == 0
    assert np.allclose(result["loss"], losses, atol=1e-6)  # the same per-epoch loss to 6 decimals
    assert _same_weights(result["weights"], weights)


@pytest.mark.slow
def test_a_worker_that_fails_to_start_raises_with_its_error_and_stops_the_others():
    with pytest.raises(distribute.WorkerFailed, match="corpus|name") as caught:
        distribute.run_workers({**SPEC, "corpus": "no_such_corpus"}, 2)
    assert "exited with code 1" in str(caught.value)
    assert "ValueError" in caught.value.log


@pytest.mark.slow
def test_a_worker_killed_mid_run_fails_loudly_and_the_rerun_resumes_from_the_checkpoint(tmp_path, single_process):
    losses, weights = single_process
    spec = {**SPEC, "checkpoint_dir": str(tmp_path)}
    with pytest.raises(distribute.WorkerFailed, match="killed by signal 9") as caught:
        distribute.run_workers(spec, 2, kill=(1, 1))
    assert caught.value.worker == 1
    finished = len(json.loads((tmp_path / "losses.json").read_text()))
    assert 1 <= finished < SPEC["epochs"]
    result = distribute.run_workers(spec, 2)
    assert result["resumed_at"] == finished  # no finished epoch is trained again
    assert np.allclose(result["loss"], losses, atol=1e-6)
    assert _same_weights(result["weights"], weights)


@pytest.mark.slow
def test_keras_fit_under_multi_worker_mirrored_strategy_still_fails_keras_20585():
    """If this starts passing, Keras fixed keras-team/keras#20585: notebook 13 should say so."""
    with pytest.raises(distribute.WorkerFailed, match="PerReplica"):
        distribute.run_workers({**SPEC, "use_fit": True, "epochs": 1}, 2)


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="kill"):
        distribute.run_workers(SPEC, 2, kill=(2, 1))
    with pytest.raises(ValueError, match="unknown keys"):
        distribute.run_workers({**SPEC, "epoch": 3}, 2)
    with pytest.raises(TypeError, match="ports"):
        distribute.run_workers(SPEC, 2, ports=[5000])
    with pytest.raises(ValueError, match="global_batch_size"):
        distribute.fit_distributed(lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=11, hidden_size=4)),
                                   _windows(), global_batch_size=0)
