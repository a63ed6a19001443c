"""Tests of lmtutor.training: context windows by hand, the Keras model's shapes and regularizers,
the train helper's curves and early stopping on a tiny task, and the argument checks."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")

from lmtutor import training  # noqa: E402


def test_context_windows_pair_each_window_with_the_next_token():
    inputs, targets = training.context_windows([5, 6, 7, 8, 9], context=2)
    np.testing.assert_array_equal(inputs, [[5, 6], [6, 7], [7, 8]])
    np.testing.assert_array_equal(targets, [7, 8, 9])


def test_model_shapes_and_regularizers():
    model = training.mlp_language_model(50, context=3, embedding_dim=4, hidden_size=8, dropout_rate=0.5, l2=1e-3)
    assert model.output_shape == (None, 50)
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers) == 2
    logits = model(np.zeros((2, 3), dtype="int32"))
    assert logits.shape == (2, 50)
    assert len(model.losses) == 2  # one L2 penalty per Dense kernel


def test_train_learns_a_deterministic_sequence_and_early_stopping_restores_the_best():
    keras.utils.set_random_seed(0)
    ids = np.tile(np.arange(10), 60)  # 0 1 2 ... 9 0 1 ...: the next token is determined
    data = training.context_windows(ids, context=2)
    model = training.mlp_language_model(10, context=2, embedding_dim=4, hidden_size=16)
    history = training.train(model, data, data, epochs=15, batch_size=32,
                             optimizer=keras.optimizers.Adam(0.02), patience=2, log=False)
    assert history["val_loss"][-1] < history["val_loss"][0]
    assert history["best_val_loss"] == min(history["val_loss"]) < 0.2
    assert training.evaluate(model, data) == pytest.approx(history["best_val_loss"], abs=0.05)
    assert len(history["train_loss"]) == history["epochs_run"] <= 15


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: training.context_windows([1, 2], context=2), ValueError, "more than context"),
    (lambda: training.context_windows([0.5, 1.5, 2.5], context=1), TypeError, "int token ids"),
    (lambda: training.context_windows([1, 2, 3], context=0), ValueError, "context must be >= 1"),
    (lambda: training.mlp_language_model(1), ValueError, "vocab_size must be >= 2"),
    (lambda: training.mlp_language_model(10, dropout_rate=1.0), ValueError, "dropout_rate must be < 1"),
    (lambda: training.mlp_language_model(10, l2=-1.0), ValueError, "l2 must be >= 0"),
    (lambda: training.train(None, ([1], [1, 2]), ([1], [1]), epochs=1), ValueError, "train_data must be"),
    (lambda: training.train(None, ([1], [1]), ([1], [1]), epochs=0), ValueError, "epochs must be >= 1"),
])
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
