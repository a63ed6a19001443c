"""Tests of lmtutor.lm, the seam every language model goes through: document scoring equal to a
hand computation from the model's logits (whole documents and context windows), the training loop
(one line per epoch, its own seeded shuffling, time budget, patience and best-epoch weights),
seeded builders that leave every global RNG alone, and token ids checked before Keras sees them."""

import math
import os
import random

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lmtutor import lm, lstm_lm, memory, mlp_lm, transformer  # noqa: E402
from lmtutor.text import Vocab, lm_windows  # noqa: E402

VOCAB, CONTEXT = 11, 16


def _lstm(**options):
    return lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=VOCAB, **{"embedding_dim": 4, "hidden_size": 6,
                                                                            **options}))


def _transformer(seed=0):
    model = transformer.build_transformer_lm(transformer.TransformerConfig(
        vocab_size=VOCAB, context=CONTEXT, d_model=16, heads=4, layers=2, seed=seed))
    rng = np.random.default_rng(seed)  # random weights everywhere, so no part is trivially uniform
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") + (w.ndim == 1 and "norm" in layer.name)
                           for w in layer.get_weights()])
    return model


@pytest.fixture(scope="module")
def lstm():
    return _lstm()


@pytest.fixture(scope="module")
def gpt():
    return _transformer()


def _hand_log_softmax(row):
    row = np.asarray(row, dtype=np.float64)
    return row - row.max() - np.log(np.exp(row - row.max()).sum())


# --------------------------------------------------------------------------------------- scoring
def test_evaluate_documents_equals_a_hand_sum_over_the_models_logits(lstm):
    documents = [[4, 5, 6, 4], [5], [6, 6, 4, 5, 5, 4, 1], []]  # lengths differ: padding must not matter
    result = lm.evaluate_documents(lstm, documents, batch_size=2)
    total, count = 0.0, 0
    for doc in documents:
        ids = [Vocab.bos_id, *doc, Vocab.eos_id]
        logits = np.asarray(lstm.predict_on_batch(np.array([ids[:-1]], dtype=np.int32)))[0]
        total -= sum(_hand_log_softmax(logits[t])[ids[t + 1]] for t in range(len(ids) - 1))
        count += len(doc) + 1  # every token and the final <eos>, as the n-gram models count
    assert result["tokens"] == count == 16
    assert result["cross_entropy"] == pytest.approx(total / count, rel=1e-6)
    assert result["perplexity"] == pytest.approx(math.exp(total / count), rel=1e-6)
    assert result["bits_per_token"] == pytest.approx(total / count / math.log(2), rel=1e-6)


def test_windowed_scoring_equals_whole_documents_when_they_fit_and_a_hand_sum_when_not(gpt):
    assert lm.model_context(gpt) == CONTEXT and lm.model_context(_lstm()) is None
    short = [[4, 5, 6], [7], [8, 9, 10, 4, 5]]
    whole = lm.evaluate_documents(gpt, short, batch_size=2)
    total = 0.0
    for doc in short:  # read whole from <bos>, as a recurrent model would be
        ids = [2, *doc, 3]
        logits = np.asarray(gpt.predict_on_batch(np.array([ids[:-1]], dtype=np.int32)))[0]
        total -= sum(_hand_log_softmax(logits[t])[ids[t + 1]] for t in range(len(ids) - 1))
    assert whole["tokens"] == 12 and whole["cross_entropy"] == pytest.approx(total / 12, rel=1e-6)
    assert lm.evaluate_documents(gpt, short, context=CONTEXT, stride=1) == pytest.approx(whole, rel=1e-6)
    rng = np.random.default_rng(3)
    long = [rng.integers(4, VOCAB, size=n).tolist() for n in (30, 3, 21)]  # two longer than the context
    stepper = transformer.TransformerStepper(gpt)
    total, count = 0.0, 0
    for doc in long:  # stride 1: each target is predicted from the last <= CONTEXT tokens before it
        sequence = [2, *doc, 3]
        for p in range(len(sequence) - 1):
            history = sequence[max(0, p + 1 - CONTEXT): p + 1]
            total -= _hand_log_softmax(stepper.full_logits(history)[-1])[sequence[p + 1]]
            count += 1
    result = lm.evaluate_documents(gpt, long, stride=1, batch_size=7)
    assert result["tokens"] == count == 57
    assert result["cross_entropy"] == pytest.approx(total / count, rel=1e-5)
    default = lm.evaluate_documents(gpt, long)  # stride 8: less history, still every token once
    assert default["tokens"] == 57 and default["cross_entropy"] != pytest.approx(result["cross_entropy"], rel=1e-9)
    # an LSTM read in windows (context given) scores less well than read whole: it forgets the start
    doc = [[4, 5, 6, 7, 8, 9, 10] * 4]
    lstm = _lstm()
    assert lm.evaluate_documents(lstm, doc, context=5)["cross_entropy"] != pytest.approx(
        lm.evaluate_documents(lstm, doc)["cross_entropy"], rel=1e-9)


def test_scoring_hides_tensorflows_retracing_warning_and_nothing_else(lstm, caplog, monkeypatch):
    import logging

    tf_logger = logging.getLogger("tensorflow")
    filters_before = list(tf_logger.filters)  # e.g. distribute.mirrored's lasting filter, from an earlier test
    predict = lstm.predict_on_batch

    def predict_and_warn(ids):  # what TensorFlow logs when batches of new widths keep arriving
        tf_logger.warning("5 out of the last 11 calls to <function f> triggered tf.function retracing.")
        tf_logger.warning(f"another warning, width {ids.shape[1]}")
        return predict(ids)

    monkeypatch.setattr(lstm, "predict_on_batch", predict_and_warn)
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        lm.evaluate_documents(lstm, [[4], [4, 5, 6]], batch_size=1)
        tf_logger.warning("3 calls triggered tf.function retracing.")  # outside scoring: shown
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ["another warning, width 2", "another warning, width 4",
                        "3 calls triggered tf.function retracing."]
    assert tf_logger.filters == filters_before  # scoring's filter is removed when scoring ends


# -------------------------------------------------------------------------------------- training
def _periodic(length=12):
    return lm_windows(np.tile([2, 4, 5, 6, 3], 40), length)  # a periodic stream: easy to learn


def test_train_prints_one_line_per_epoch_and_lowers_the_loss(capsys):
    model = _lstm(hidden_size=8, learning_rate=0.05)
    data = _periodic()
    history = lm.train(model, data, valid_data=data, epochs=3, batch_size=5)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3  train ") and "valid" in lines[0]
    assert history["loss"][-1] < history["loss"][0] and len(history["val_loss"]) == 3
    assert [r["epoch"] for r in history["epochs"]] == [1, 2, 3] and history["stopped"] == "epochs"
    assert history["epochs"][1]["val_loss"] == history["val_loss"][1]
    assert history["best_epoch"] == 1 + int(np.argmin(history["val_loss"]))


def _classifier(vocab=50, classes=3):
    """Token ids (below ``vocab``) in, one of ``classes`` labels out: its input is bound by its embedding."""
    seeds = lm.layer_seeds(0)
    ids = keras.Input((None,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(vocab, 8, mask_zero=True, name="tokens_embedding",
                               embeddings_initializer=keras.initializers.RandomUniform(seed=next(seeds)))(ids)
    x = keras.layers.GlobalAveragePooling1D()(x)
    logits = keras.layers.Dense(classes, kernel_initializer=keras.initializers.GlorotUniform(next(seeds)))(x)
    model = keras.Model(ids, logits)
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_train_fits_a_classifier_whose_ids_outnumber_its_labels(capsys):
    model = _classifier()
    assert lm.input_sizes(model) == [50] and lm.vocab_size(model) == 3
    rng = np.random.default_rng(0)
    x = rng.integers(1, 50, size=(60, 7))
    y = x[:, 0] % 3  # the label is in the first token: learnable
    history = lm.train(model, (x, y), valid_data=(x, y), epochs=4, batch_size=10, verbose=False)
    assert history["loss"][-1] < history["loss"][0]
    with pytest.raises(ValueError, match="train_data inputs"):
        lm.train(model, (x + 50, y), verbose=False)  # ids beyond the embedding
    with pytest.raises(ValueError, match="train_data targets"):
        lm.train(model, (x, y + 3), verbose=False)  # labels beyond the logits


def test_train_scores_documents_each_epoch_and_stops_when_the_time_is_spent(capsys):
    model = _lstm(hidden_size=8, learning_rate=0.05)
    inputs, targets = _periodic()
    documents = [[4, 5, 6], [4, 5, 6, 4, 5, 6]]
    history = lm.train(model, (inputs, targets), valid_documents=documents, epochs=2, batch_size=5)
    assert len(history["valid_bits"]) == 2 and history["valid_bits"][1] < history["valid_bits"][0]
    assert history["valid_bits"][1] == pytest.approx(lm.evaluate_documents(model, documents)["bits_per_token"])
    assert "valid documents" in capsys.readouterr().out
    assert len(history["seconds"]) == 2 and history["seconds"][0] < history["seconds"][1]
    many = np.tile(inputs, (50, 1)), np.tile(targets, (50, 1))  # 1,600 windows: several seconds per epoch
    history = lm.train(model, many, epochs=50, batch_size=1, max_seconds=0.5)
    assert len(history["loss"]) == 1 and history["seconds"][0] < 10  # stopped inside the first epoch
    assert history["stopped"] == "time budget" and "time budget spent" in capsys.readouterr().out


def test_train_shuffles_by_its_own_seed_and_leaves_global_rngs_alone():
    data = _periodic()
    runs = []
    for seed in (0, 0, 1):
        model = _lstm(hidden_size=8, learning_rate=0.05)
        np.random.seed(123)  # a learner's global seeds must neither matter nor move
        state = np.random.get_state()[1].copy()
        lm.train(model, data, epochs=2, batch_size=7, seed=seed, verbose=False)
        assert np.array_equal(np.random.get_state()[1], state)
        runs.append(model.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(runs[0], runs[1]))  # the same seed: the same weights
    assert not all(np.array_equal(a, b) for a, b in zip(runs[0], runs[2]))  # another order


def test_patience_stops_and_restores_the_best_epoch(capsys):
    model = _lstm(hidden_size=8, learning_rate=0.05)
    inputs, targets = _periodic()
    noise = np.random.default_rng(0).integers(4, VOCAB, size=targets.shape)  # unlearnable validation
    calls = []
    original = model.get_weights

    def remember():
        calls.append(original())
        return calls[-1]

    model.get_weights = remember  # the loop copies the weights at every new best epoch
    history = lm.train(model, (inputs, targets), valid_data=(inputs, noise), epochs=30, batch_size=5, patience=2)
    best = history["best_epoch"]
    assert history["stopped"] == "patience" and len(history["loss"]) == best + 2
    assert history["val_loss"][best - 1] == min(history["val_loss"])
    assert all(np.array_equal(a, b) for a, b in zip(original(), calls[-1]))  # the best epoch's weights are back
    assert f"(best epoch {best}: stop)" in capsys.readouterr().out


def test_restore_best_puts_back_the_epoch_with_the_best_document_score():
    model = _lstm(hidden_size=8, learning_rate=0.2)  # a large step: the score moves up and down
    documents = [[4, 5, 6], [6, 5, 4, 4]]
    history = lm.train(model, _periodic(), valid_documents=documents, epochs=6, batch_size=5, restore_best=True,
                       verbose=False)
    best = history["best_epoch"]
    assert history["valid_bits"][best - 1] == min(history["valid_bits"]) and history["stopped"] == "epochs"
    assert lm.evaluate_documents(model, documents)["bits_per_token"] == pytest.approx(min(history["valid_bits"]))


def test_train_reports_a_compiled_metric_instead_of_the_loss():
    model = mlp_lm.mlp_language_model(VOCAB, context=2, embedding_dim=4, hidden_size=8, l2=0.1)
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalCrossentropy(name="ce", from_logits=True)])
    data = mlp_lm.context_windows(np.tile([2, 4, 5, 6, 3], 20), 2)
    history = lm.train(model, data, valid_data=data, epochs=2, report="ce", verbose=False)
    assert history["loss"][0] > history["ce"][0]  # the loss holds the L2 penalty, the metric does not
    assert "val_ce" in history and history["best_epoch"] in (1, 2)
    with pytest.raises(ValueError, match="report must name the loss or a compiled metric"):
        lm.train(model, data, report="accuracy", verbose=False)


# ----------------------------------------------------------------------------------------- seeds
def _global_state():
    tf = pytest.importorskip("tensorflow")
    return (random.getstate(), np.random.get_state()[1].tolist(),
            tf.random.get_global_generator().state.numpy().tolist())


@pytest.mark.parametrize("build", [
    lambda seed: _lstm(dropout=0.3, seed=seed),
    lambda seed: transformer.build_transformer_lm(transformer.TransformerConfig(
        vocab_size=VOCAB, context=8, d_model=8, heads=2, layers=2, dropout=0.1, tied_output=False, seed=seed)),
    lambda seed: mlp_lm.mlp_language_model(VOCAB, context=2, dropout_rate=0.2, seed=seed),
    lambda seed: memory.build_recall_model("lstm", init="chrono", seed=seed),
], ids=["lstm_lm", "transformer", "mlp_lm", "memory"])
def test_builders_are_seeded_and_leave_every_global_rng_alone(build):
    before = _global_state()
    first, again, other = build(0), build(0), build(1)
    assert _global_state() == before
    assert all(np.array_equal(a, b) for a, b in zip(first.get_weights(), again.get_weights()))
    random_weights = [i for i, w in enumerate(first.get_weights()) if len(np.unique(w)) > 2]  # not 0/1 biases
    assert random_weights and all(not np.array_equal(first.get_weights()[i], other.get_weights()[i])
                                  for i in random_weights)


def test_layers_of_one_shape_start_different():
    model = transformer.build_transformer_lm(transformer.TransformerConfig(vocab_size=VOCAB, context=8, d_model=8,
                                                                           heads=2, layers=1))
    kernels = model.get_layer("block0_attention").get_weights()[0:6:2]  # query, key, value kernels
    assert not np.array_equal(kernels[0], kernels[1]) and not np.array_equal(kernels[1], kernels[2])
    seeds = lm.layer_seeds(0)
    assert len({next(seeds) for _ in range(100)}) == 100


# ------------------------------------------------------------------------------------- bad input
def test_bad_input_is_named(lstm, gpt):
    zeros = np.zeros((2, 3), dtype=np.int32)
    with pytest.raises(TypeError, match=r"train_data must be a pair \(inputs, targets\)"):
        lm.train(lstm, zeros)
    with pytest.raises(ValueError, match="same number of examples"):
        lm.train(lstm, (zeros, np.zeros((3, 3), dtype=np.int32)))
    with pytest.raises(ValueError, match="max_seconds must be > 0.0"):
        lm.train(lstm, (zeros, zeros), max_seconds=0)
    with pytest.raises(ValueError, match="valid_documents must be a non-empty list"):
        lm.train(lstm, (zeros, zeros), valid_documents=[])
    with pytest.raises(ValueError, match="patience and restore_best need a validation score"):
        lm.train(lstm, (zeros, zeros), patience=2)
    with pytest.raises(ValueError, match=r"train_data targets\[1, 2\] = 11 is outside the vocabulary \[0, 11\)"):
        lm.train(lstm, (zeros, np.array([[0, 0, 0], [0, 0, 11]])))
    with pytest.raises(ValueError, match=r"train_data inputs\[0, 0\] = -1 is outside the vocabulary"):
        lm.train(lstm, (zeros - 1, zeros))
    with pytest.raises(TypeError, match=r"train_data inputs\[0, 0\] must be an int token id, got float"):
        lm.train(lstm, (zeros + 0.5, zeros))
    with pytest.raises(ValueError, match=r"valid_documents\[1\]\[0\] = 12 is outside the vocabulary"):
        lm.train(lstm, (zeros, zeros), valid_documents=[[4], [12]])
    with pytest.raises(ValueError, match="non-empty list of id lists"):
        lm.evaluate_documents(lstm, [])
    with pytest.raises(ValueError, match=r"documents\[0\]\[1\] = 99 is outside the vocabulary \[0, 11\)"):
        lm.evaluate_documents(lstm, [[4, 99]])
    with pytest.raises(TypeError, match="documents\\[0\\] must be a sequence of int token ids, got a str"):
        lm.evaluate_documents(lstm, ["abc"])
    with pytest.raises(ValueError, match="stride must be <= 16"):
        lm.evaluate_documents(gpt, [[4, 5]], stride=17)
    with pytest.raises(ValueError, match="stride applies to a model with a finite context"):
        lm.evaluate_documents(lstm, [[4, 5]], stride=2)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        next(lm.layer_seeds(-1))


def test_log_dir_writes_one_tensorboard_point_per_epoch_equal_to_the_history(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.util import tensor_util

    model = lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=9, hidden_size=8))
    x = np.random.default_rng(3).integers(0, 9, (32, 6))
    history = lm.train(model, (x, np.roll(x, -1, axis=1)), epochs=3, batch_size=16, verbose=False,
                       log_dir=tmp_path / "logs")
    events = EventAccumulator(str(tmp_path / "logs" / "train"), size_guidance={"tensors": 0})
    events.Reload()
    points = sorted((e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in events.Tensors("epoch_loss"))
    assert [step for step, _ in points] == [0, 1, 2]  # one step per epoch, not epoch 0 three times
    assert np.allclose([value for _, value in points], history["loss"], rtol=1e-6)
    with pytest.raises(TypeError, match="log_dir"):
        lm.train(model, (x, np.roll(x, -1, axis=1)), verbose=False, log_dir=5)
