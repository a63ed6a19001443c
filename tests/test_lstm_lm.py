"""Tests of lmtutor.lstm_lm: model shapes (training and scoring: tests/test_lm.py), O(n)
NumPy generation equal to the Keras model's own predictions, and bad input."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lmtutor import datasets, lstm_lm, memory, rnn  # noqa: E402
from lmtutor import generate as gen  # noqa: E402
from lmtutor.decoding import DecodingConfig  # noqa: E402
from lmtutor.text import Vocab, lm_windows  # noqa: E402

VOCAB = Vocab(["<pad>", "<unk>", "<bos>", "<eos>", "a", "b", "c"])


@pytest.fixture(scope="module")
def model():
    return lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=len(VOCAB), embedding_dim=4, hidden_size=6))


def test_model_maps_ids_to_logits_over_the_vocabulary(model):
    logits = np.asarray(model.predict_on_batch(np.array([[2, 4, 5], [2, 6, 6]], dtype=np.int32)))
    assert logits.shape == (2, 3, len(VOCAB))
    assert [layer.name for layer in model.layers] == ["embedding", "lstm", "logits"]


def test_numpy_lstm_with_the_trained_weights_gives_the_models_logits(model):
    ids = np.array([[2, 4, 6, 5, 5, 4]], dtype=np.int32)
    keras_logits = np.asarray(model.predict_on_batch(ids))[0]
    table = np.asarray(model.get_layer("embedding").embeddings, dtype=np.float64)
    weights = model.get_layer("lstm").get_weights()
    outputs, _, _ = rnn.lstm_forward(table[ids], [w.astype(np.float64) for w in weights])
    kernel, bias = model.get_layer("logits").get_weights()
    assert np.max(np.abs(outputs[0] @ kernel + bias - keras_logits)) < 1e-5


def test_generate_is_deterministic_and_stops_at_eos(model):
    first = lstm_lm.generate(model, VOCAB, ["a", "b"], max_tokens=20, seed=3)
    assert first == lstm_lm.generate(model, VOCAB, ["a", "b"], max_tokens=20, seed=3)
    assert len(first) <= 20 and set(first) <= set(VOCAB.itos) - {"<pad>", "<bos>", "<eos>"}
    lengths = {len(lstm_lm.generate(model, VOCAB, max_tokens=200, seed=s)) for s in range(5)}
    assert min(lengths) < 200  # <eos> (probability ~1/5 per step untrained) ends some samples early


def test_dropout_acts_in_training_only_and_the_step_size_decays():
    config = lstm_lm.LSTMLMConfig(vocab_size=len(VOCAB), hidden_size=8, dropout=0.5, decay_steps=10)
    model = lstm_lm.build_lstm_lm(config)
    assert [layer.name for layer in model.layers] == ["embedding", "lstm", "dropout", "logits"]
    ids = np.array([[2, 4, 5, 6, 4]], dtype=np.int32)
    assert np.array_equal(model(ids, training=False), model(ids, training=False))
    assert not np.allclose(model(ids, training=True), model(ids, training=False))
    stepper = lstm_lm.LSTMStepper(model)  # the stepper reads the weights: dropout does not enter
    assert np.max(np.abs(stepper.full_logits(list(ids[0])) - np.asarray(model(ids, training=False))[0])) < 1e-6
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01)
    inputs, targets = lm_windows(np.tile([2, 4, 5, 6, 3], 20), 9)  # 11 windows: 11 updates of 1
    model.fit(inputs, targets, batch_size=1, epochs=1, verbose=0)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01 * 0.05)  # the cosine's floor after 10


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="hidden_size must be >= 1"):
        lstm_lm.LSTMLMConfig(vocab_size=10, hidden_size=0)
    with pytest.raises(ValueError, match="clip_norm must be > 0.0"):
        lstm_lm.LSTMLMConfig(vocab_size=10, clip_norm=0)
    with pytest.raises(ValueError, match="dropout must be < 1.0"):
        lstm_lm.LSTMLMConfig(vocab_size=10, dropout=1.0)
    with pytest.raises(ValueError, match="decay_steps must be >= 0"):
        lstm_lm.LSTMLMConfig(vocab_size=10, decay_steps=-1)
    with pytest.raises(TypeError, match="config must be LSTMLMConfig"):
        lstm_lm.build_lstm_lm({"vocab_size": 10})
    model = lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=len(VOCAB), hidden_size=2))
    with pytest.raises(ValueError, match="temperature must be > 0.0"):
        lstm_lm.generate(model, VOCAB, temperature=0)


# ------------------------------------------------------------ stateful generation: LSTMStepper
STEP_TOLERANCE = 1e-5  # float64 NumPy steps vs the float32 Keras model over up to 20 steps


@settings(max_examples=6, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=12), st.integers(1, 4))
def test_stepper_logits_equal_re_encoding_the_full_prefix_at_every_step(model, tokens, prompt_length):
    stepper = lstm_lm.LSTMStepper(model)
    ids = [Vocab.bos_id, *tokens]
    prompt_length = min(prompt_length, len(ids))
    logits, state = stepper.start(ids[:prompt_length])
    assert logits.shape == (len(VOCAB),) and logits.dtype == np.float64
    assert np.max(np.abs(logits - stepper.full_logits(ids[:prompt_length])[-1])) < STEP_TOLERANCE
    for t in range(prompt_length, len(ids)):
        logits, state = stepper.step(state, ids[t])
        assert np.max(np.abs(logits - stepper.full_logits(ids[:t + 1])[-1])) < STEP_TOLERANCE


def test_stepper_reads_a_prompt_as_its_steps_and_never_changes_a_state(model):
    stepper = lstm_lm.LSTMStepper(model)
    ids = [2, 4, 6, 5, 5, 4, 6]
    logits, state = stepper.start(ids[:1])
    for token in ids[1:]:
        logits, state = stepper.step(state, token)
    whole_logits, whole_state = stepper.start(ids)
    assert np.max(np.abs(logits - whole_logits)) < 1e-12  # same float64 arithmetic
    assert all(np.max(np.abs(a - b)) < 1e-12 for a, b in zip(state, whole_state))
    saved = [a.copy() for a in state]
    first, _ = stepper.step(state, 4)
    other, _ = stepper.step(state, 5)  # beam search steps one state with several tokens
    again, _ = stepper.step(state, 4)
    assert all(np.array_equal(a, b) for a, b in zip(state, saved))
    assert np.array_equal(first, again) and not np.allclose(first, other)


def test_stateful_generation_equals_re_encoding_on_the_lstm(model):
    stepper = lstm_lm.LSTMStepper(model)
    for config in (DecodingConfig(greedy=True), DecodingConfig(temperature=0.8, top_k=4)):
        fast = gen.generate(stepper, [2, 4, 5], max_tokens=25, config=config, seed=1, stop_id=None)
        for use_keras in (False, True):  # the stepper's own NumPy pass, and Keras's model as the oracle
            assert fast == gen.generate_reencoding(stepper, [2, 4, 5], max_tokens=25, config=config, seed=1,
                                                   stop_id=None, use_keras=use_keras)
        assert len(fast) == 25


def test_beam_search_on_the_lstm_scores_its_beams_as_the_keras_model_does(model):
    stepper = lstm_lm.LSTMStepper(model)
    beams = gen.beam_search(stepper, [2, 4], beam_width=3, max_tokens=6, length_penalty=0.6)
    assert len(beams) == 3 and beams[0].score >= beams[1].score >= beams[2].score
    for beam in beams:
        ids = [2, 4, *beam.ids] + ([Vocab.eos_id] if beam.finished else [])
        logits = stepper.full_logits(ids[:-1])[1:]  # rows predicting the new tokens
        logits[:, [Vocab.pad_id, Vocab.bos_id]] = -np.inf  # banned, as in beam_search
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        assert beam.log_prob == pytest.approx(log_probs[np.arange(len(ids) - 2), ids[2:]].sum(), abs=1e-5)
    greedy = gen.generate(stepper, [2, 4], max_tokens=6, config=DecodingConfig(greedy=True))
    assert list(gen.beam_search(stepper, [2, 4], beam_width=1, max_tokens=6)[0].ids) == greedy


def test_lstm_lm_generate_is_generate_over_the_stepper(model):
    tokens = lstm_lm.generate(model, VOCAB, ["a", "b"], max_tokens=30, temperature=0.8, seed=3)
    ids = gen.generate(lstm_lm.LSTMStepper(model), [2, 4, 5], max_tokens=30,
                       config=DecodingConfig(temperature=0.8), seed=3)
    assert tokens == VOCAB.decode(ids)


def test_unknown_characters_become_unk_and_generation_goes_on(model):
    codec = datasets.TextCodec(datasets.TextRecipe("char"), VOCAB)
    with pytest.warns(UserWarning, match=r"not in the vocabulary, read as <unk>: \['z'\]"):
        prompt = codec.encode("abz")
    assert prompt == [2, 4, 5, Vocab.unk_id]
    new = gen.generate(lstm_lm.LSTMStepper(model), prompt, max_tokens=10, seed=0)
    assert isinstance(codec.decode(prompt + new), str)


def test_stepper_bad_input_is_named(model):
    stepper = lstm_lm.LSTMStepper(model)
    with pytest.raises(TypeError, match="model must be Model"):
        lstm_lm.LSTMStepper("model.keras")
    with pytest.raises(ValueError, match="model must be built by build_lstm_lm"):
        lstm_lm.LSTMStepper(memory.build_recall_model("lstm", hidden_size=2))
    with pytest.raises(ValueError, match="prompt_ids must not be empty"):
        stepper.start([])
    with pytest.raises(ValueError, match=r"ids\[0\] = 7 is outside the vocabulary \[0, 7\)"):
        stepper.full_logits([7])
    _, state = stepper.start([2])
    with pytest.raises(TypeError, match=r"state must be the \(h, c\) pair"):
        stepper.step("state", 4)
    with pytest.raises(ValueError, match="token_id must be <= 6, got 7"):
        stepper.step(state, 7)
    with pytest.raises(ValueError, match="vocab has 8 tokens but the model predicts 7"):
        lstm_lm.generate(model, Vocab([*VOCAB.itos, "d"]))
