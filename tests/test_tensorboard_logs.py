"""Tests for lmtutor.tensorboard_logs: lm.train's TensorBoard logs read back equal the history it
returns (more than the 10 tensor events EventAccumulator keeps by default), summaries written with
tf.summary read back exactly, and the TensorBoard server starts, answers and leaves no process."""

import json
import urllib.request

import numpy as np
import psutil
import pytest

from lmtutor import lm, lstm_lm, quiet_tensorflow, tensorboard_logs


def _data():
    x = np.random.default_rng(0).integers(0, 10, (48, 8))
    return x, np.roll(x, -1, axis=1)


def test_lm_train_logs_every_epoch_and_the_logs_read_back_equal_its_history(tmp_path):
    model = lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=10, hidden_size=8))
    x, y = _data()
    history = lm.train(model, (x, y), valid_data=(x[:16], y[:16]), epochs=12, batch_size=16, verbose=False,
                       log_dir=tmp_path)
    curves = tensorboard_logs.read_scalars(tmp_path)
    steps, values = curves["train/epoch_loss"]
    assert steps.tolist() == list(range(12))  # all 12, not the 10 EventAccumulator keeps by default
    assert np.allclose(values, history["loss"], rtol=1e-6)
    assert np.allclose(curves["validation/epoch_loss"][1], history["val_loss"], rtol=1e-6)
    assert "train/keras" not in curves  # the model's graph is not a number


def test_tf_summary_scalars_read_back_exactly_with_runs_named_by_folder(tmp_path):
    tf = quiet_tensorflow()
    for run, offset in (("a", 0.0), ("b/deep", 10.0)):
        writer = tf.summary.create_file_writer(str(tmp_path / run))
        with writer.as_default():
            for step in (5, 1, 3):  # written out of order: returned sorted by step
                tf.summary.scalar("loss", offset + step / 2, step=step)
        writer.close()
    curves = tensorboard_logs.read_scalars(tmp_path)
    assert set(curves) == {"a/loss", "b/deep/loss"}
    assert curves["a/loss"][0].tolist() == [1, 3, 5]
    assert curves["b/deep/loss"][1].tolist() == [10.5, 11.5, 12.5]


def test_read_scalars_refuses_a_missing_folder_and_a_folder_without_logs(tmp_path):
    with pytest.raises(ValueError, match="log_dir"):
        tensorboard_logs.read_scalars(tmp_path / "missing")
    with pytest.raises(ValueError, match="no TensorBoard event files"):
        tensorboard_logs.read_scalars(tmp_path)
    with pytest.raises(TypeError, match="log_dir"):
        tensorboard_logs.read_scalars(3)


@pytest.mark.slow
def test_the_server_answers_then_stops_and_leaves_no_process(tmp_path):
    tf = quiet_tensorflow()
    with tf.summary.create_file_writer(str(tmp_path / "train")).as_default():
        tf.summary.scalar("loss", 1.0, step=0)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with tensorboard_logs.TensorBoardServer(tmp_path) as board:
        assert board.running
        pid = board.process.pid
        with urllib.request.urlopen(board.url + "data/runs", timeout=10) as response:
            assert json.loads(response.read()) == ["train"]
    assert not board.running
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before
    board.stop()  # a second stop is harmless


@pytest.mark.slow
def test_a_server_that_cannot_start_raises_and_leaves_no_process(tmp_path):
    import socket

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        board = tensorboard_logs.TensorBoardServer(tmp_path, port=busy.getsockname()[1], timeout=60)
        with pytest.raises(RuntimeError, match="TensorBoard"):
            board.start()
    assert not board.running and board.process is None
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before
