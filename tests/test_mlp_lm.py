"""Tests of lmtutor.mlp_lm (notebook 06's MLP language model): context windows by hand, the Keras model's shapes and regularizers,
the train helper's curves and early stopping on a tiny task, and the argument checks."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")

from lmtutor import mlp_lm  # noqa: E402


def test_context_windows_pair_each_window_with_the_next_token():
    inputs, targets = mlp_lm.context_windows([5, 6, 7, 8, 9], context=2)
    np.testing.assert_array_equal(inputs, [[5, 6], [6, 7], [7, 8]])
    np.testing.assert_array_equal(targets, [7, 8, 9])


def test_model_shapes_and_regularizers():
    model = mlp_lm.mlp_language_model(50, context=3, embedding_dim=4, hidden_size=8, dropout_rate=0.5, l2=1e-3)
    assert model.output_shape == (None, 50)
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers) == 2
    logits = model(np.zeros((2, 3), dtype="int32"))
    assert logits.shape == (2, 50)
    assert len(model.losses) == 2  # one L2 penalty per Dense kernel


def test_train_learns_a_deterministic_sequence_and_early_stopping_restores_the_best():
    ids = np.tile(np.arange(10), 60)  # 0 1 2 ... 9 0 1 ...: the next token is determined
    data = mlp_lm.context_windows(ids, context=2)
    model = mlp_lm.mlp_language_model(10, context=2, embedding_dim=4, hidden_size=16)
    history = mlp_lm.train(model, data, data, epochs=15, batch_size=32,
                             optimizer=keras.optimizers.Adam(0.02), patience=2, log=False)
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert history["best_val_loss"] == min(history["val_loss"]) < 0.2
    assert mlp_lm.evaluate(model, data) == pytest.approx(history["best_val_loss"], abs=0.05)
    assert len(history["train_loss"]) == history["epochs_run"] <= 15


def _model():
    return mlp_lm.mlp_language_model(10, context=1, embedding_dim=2, hidden_size=2)


def test_early_stopping_line_and_the_same_seed_gives_the_same_run(capsys):
    ids = np.tile(np.arange(10), 30)
    data, noise = mlp_lm.context_windows(ids, context=2), mlp_lm.context_windows(ids[::-1].copy(), context=2)
    runs = [mlp_lm.train(mlp_lm.mlp_language_model(10, context=2, hidden_size=8, seed=3), data, noise, epochs=3,
                         optimizer=keras.optimizers.Adam(0.02)) for _ in range(2)]
    assert runs[0]["val_loss"] == runs[1]["val_loss"] and runs[0]["train_loss"] == runs[1]["train_loss"]
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 6 and lines[0].startswith("epoch 1/3  train ") and " valid " in lines[0]


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: mlp_lm.context_windows([1, 2], context=2), ValueError, "more than context"),
    (lambda: mlp_lm.context_windows([0.5, 1.5, 2.5], context=1), TypeError, "int token ids"),
    (lambda: mlp_lm.context_windows([1, 2, 3], context=0), ValueError, "context must be >= 1"),
    (lambda: mlp_lm.mlp_language_model(1), ValueError, "vocab_size must be >= 2"),
    (lambda: mlp_lm.mlp_language_model(10, dropout_rate=1.0), ValueError, "dropout_rate must be < 1"),
    (lambda: mlp_lm.mlp_language_model(10, l2=-1.0), ValueError, "l2 must be >= 0"),
    (lambda: mlp_lm.train(None, ([[1]], [1]), ([[1]], [1]), epochs=1), TypeError, "model must be Model"),
    (lambda: mlp_lm.train(_model(), ([[1]], [1, 2]), ([[1]], [1]), epochs=1), ValueError, "train_data: inputs"),
    (lambda: mlp_lm.train(_model(), ([[1]], [1]), ([[1]], [1]), epochs=0), ValueError, "epochs must be >= 1"),
    (lambda: mlp_lm.train(_model(), ([[1]], [10]), ([[1]], [1]), epochs=1), ValueError,
     r"train_data targets\[0\] = 10 is outside the vocabulary \[0, 10\)"),
    (lambda: mlp_lm.mlp_language_model(10, seed=-1), ValueError, "seed must be >= 0"),
])
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
