"""Tests of lmtutor.transformer: the NumPy forward pass equals the Keras model's logits, the KV-cache
stepper equals the full forward pass at every position, the Keras model is causal, its parameter
count matches the formula, it learns a repetitive corpus, its builder is seeded, and bad input is
named (windowed scoring: tests/test_lm.py).

Tolerances (max abs difference of logits): NumPy float64 vs the float32 Keras model 1e-5 (float32
rounding through two blocks); KV-cache stepper vs NumPy full forward 1e-12 (both float64, the
same arithmetic in another order)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lmtutor import lm, lstm_lm, transformer  # noqa: E402
from lmtutor.text import lm_windows  # noqa: E402

FLOAT32, EXACT = 1e-5, 1e-12
VOCAB, CONTEXT = 11, 16


def _model(seed=0, **options):
    """Return a small model whose every weight (biases, LayerNorm γ and β too) is random, so no
    part of the computation is trivially zero or uniform."""
    config = transformer.TransformerConfig(**{"vocab_size": VOCAB, "context": CONTEXT, "d_model": 16, "heads": 4,
                                              "layers": 2, "seed": seed, **options})
    model = transformer.build_transformer_lm(config)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if layer.name == "positions" and not config.learned_positions:
            continue  # the sinusoidal table is fixed
        layer.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") + (w.ndim == 1 and "norm" in layer.name)
                           for w in layer.get_weights()])
    return model


@pytest.fixture(scope="module")
def model():
    return _model()


@pytest.fixture(scope="module")
def ids():
    return np.random.default_rng(1).integers(0, VOCAB, size=(3, CONTEXT)).astype(np.int32)


def test_parameter_count_follows_the_formula():
    for tied in (True, False):
        model = transformer.build_transformer_lm(transformer.TransformerConfig(
            vocab_size=VOCAB, context=CONTEXT, d_model=16, heads=4, layers=3, mlp_ratio=2, tied_output=tied))
        d, m, layers = 16, 2 * 16, 3
        block = (4 * d * d + 4 * d) + 2 * (2 * d) + (d * m + m) + (m * d + d)  # attention, 2 norms, MLP
        expected = VOCAB * d + CONTEXT * d + layers * block + 2 * d + (0 if tied else d * VOCAB)
        assert model.count_params() == expected


@pytest.mark.parametrize(("tied", "learned"), [(True, True), (False, True), (True, False)])
def test_numpy_forward_equals_the_keras_model(tied, learned, ids):
    model = _model(tied_output=tied, learned_positions=learned)
    keras_logits = np.asarray(model.predict_on_batch(ids))
    logits, maps = transformer.forward(transformer.numpy_weights(model), ids, return_attention=True)
    assert logits.shape == keras_logits.shape == (3, CONTEXT, VOCAB)
    assert np.max(np.abs(logits - keras_logits)) < FLOAT32
    assert np.std(keras_logits) > 0.5  # the random weights make the logits far from uniform
    assert len(maps) == 2 and maps[0].shape == (3, 4, CONTEXT, CONTEXT)
    assert np.allclose(maps[1].sum(axis=-1), 1.0) and np.all(np.triu(maps[1], 1) == 0)
    if not learned:
        table = model.get_layer("positions").table.numpy()
        assert np.max(np.abs(table - transformer.attention.sinusoidal_positions(CONTEXT, 16))) < 1e-7


def test_layer_norm_equals_keras():
    x = np.random.default_rng(2).normal(3, 2, size=(4, 7))
    layer = keras.layers.LayerNormalization(epsilon=transformer.EPSILON, dtype="float64")
    layer.build(x.shape)
    gamma, beta = np.linspace(0.5, 2, 7), np.linspace(-1, 1, 7)
    layer.set_weights([gamma, beta])
    assert np.max(np.abs(transformer.layer_norm(x, gamma, beta) - np.asarray(layer(x)))) < EXACT


def test_kv_cache_logits_equal_the_full_forward_pass_at_every_position(model, ids):
    stepper = transformer.TransformerStepper(model)
    assert stepper.vocab_size == VOCAB and stepper.context == CONTEXT
    sequence = ids[0].tolist()
    full_keras = stepper.full_logits(sequence)  # (time, vocab): row t predicts the token after ids[t]
    full_numpy = transformer.forward(stepper.weights, [sequence])[0]
    for prompt_length in (1, 5):
        logits, state = stepper.start(sequence[:prompt_length])
        rows = [logits]
        for token in sequence[prompt_length:]:
            logits, state = stepper.step(state, token)
            rows.append(logits)
        rows = np.array(rows)  # predictions after positions prompt_length - 1 ... time - 1
        assert state.length == CONTEXT and state.keys[0].shape == (4, CONTEXT, 4)
        assert np.max(np.abs(rows - full_numpy[prompt_length - 1:])) < EXACT
        assert np.max(np.abs(rows - full_keras[prompt_length - 1:])) < FLOAT32


def test_step_leaves_its_state_unchanged_for_beam_search(model):
    stepper = transformer.TransformerStepper(model)
    _, state = stepper.start([2, 5, 6])
    keys_before = [k.copy() for k in state.keys]
    first, _ = stepper.step(state, 4)
    second, branch = stepper.step(state, 7)  # a second branch from the same state
    assert np.max(np.abs(first - stepper.start([2, 5, 6, 4])[0])) < EXACT
    assert np.max(np.abs(second - stepper.start([2, 5, 6, 7])[0])) < EXACT
    assert np.max(np.abs(first - second)) > 1e-3  # the two branches differ
    assert all(np.array_equal(a, b) for a, b in zip(keys_before, state.keys)) and state.length == 3
    assert branch.length == 4 and not state.keys[0].flags.writeable


def test_the_keras_model_is_causal(model, ids):
    changed = ids.copy()
    changed[:, 9] = (changed[:, 9] + 1) % VOCAB  # change the token at position 9 only
    before, after = (np.asarray(model.predict_on_batch(x)) for x in (ids, changed))
    assert np.max(np.abs(before[:, :9] - after[:, :9])) < 1e-6  # earlier predictions never see it
    assert np.min(np.max(np.abs(before[:, 9:] - after[:, 9:]), axis=(0, 2))) > 1e-3  # later ones do


def test_a_short_training_run_learns_a_repetitive_corpus():
    model = transformer.build_transformer_lm(transformer.TransformerConfig(
        vocab_size=VOCAB, context=CONTEXT, d_model=16, heads=2, layers=1, learning_rate=2e-2))
    stream = np.tile([2, 4, 5, 6, 7, 5, 4, 8, 3], 60)  # period 9: after 2 tokens the next is certain
    inputs, targets = lm_windows(stream, CONTEXT, stride=3)
    history = lm.train(model, (inputs, targets), epochs=3, batch_size=16, verbose=False)
    assert history["loss"][0] > 1.0 and history["loss"][-1] < 0.25 * history["loss"][0]


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # inside Keras's saving code
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")  # the optimizer never ran
def test_save_and_load_keeps_the_logits(model, ids, tmp_path):
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert np.array_equal(np.asarray(loaded.predict_on_batch(ids)), np.asarray(model.predict_on_batch(ids)))


def test_generate_runs_on_the_stepper(model):
    generate = pytest.importorskip("lmtutor.generate")
    stepper = transformer.TransformerStepper(model)
    assert isinstance(stepper, generate.StepModel)
    new = generate.generate(stepper, [2, 5], max_tokens=10, seed=4, stop_id=None)
    assert len(new) == 10 and all(0 <= t < VOCAB for t in new)
    assert new == generate.generate_reencoding(stepper, [2, 5], max_tokens=10, seed=4, stop_id=None)
    assert new == generate.generate_reencoding(stepper, [2, 5], max_tokens=10, seed=4, stop_id=None, use_keras=True)


def test_bad_input_is_named(model):
    with pytest.raises(ValueError, match="d_model must be divisible by heads .* d_model=30, heads=4"):
        transformer.TransformerConfig(vocab_size=VOCAB, d_model=30, heads=4)
    with pytest.raises(ValueError, match="dropout must be < 1.0"):
        transformer.TransformerConfig(vocab_size=VOCAB, dropout=1.0)
    with pytest.raises(TypeError, match="config must be TransformerConfig"):
        transformer.build_transformer_lm({"vocab_size": VOCAB})
    too_long = np.zeros((1, CONTEXT + 1), dtype=np.int32)
    tf = pytest.importorskip("tensorflow")
    # predict_on_batch may trace with the time axis known (the Python check, which names the length)
    # or unknown (the graph assertion, which cannot): either way the message names ids and context
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError),
                       match=f"ids has ({CONTEXT + 1}, )?more positions than context = {CONTEXT}"):
        model.predict_on_batch(too_long)
    relaxed = _model(seed=6)
    for width in (3, 5, 7, 9, 11):  # after a few widths TensorFlow traces with the time axis unknown
        relaxed.predict_on_batch(np.zeros((1, width), dtype=np.int32))
    for _ in range(20):  # the assertion runs before the addition, which would fail with a shape error
        with pytest.raises(tf.errors.InvalidArgumentError, match=f"ids has more positions than context = {CONTEXT}"):
            relaxed.predict_on_batch(too_long)
    fresh = _model(seed=5)
    with pytest.raises(ValueError, match=f"train_data inputs has {CONTEXT + 1} tokens, more than the model's "
                       f"context window of {CONTEXT}"):
        lm.train(fresh, (too_long, too_long), verbose=False)  # checked before Keras sees it
    with pytest.raises(ValueError, match=f"ids has {CONTEXT + 1} tokens, more than the model's context window"):
        transformer.forward(model, too_long)
    stepper = transformer.TransformerStepper(model)
    with pytest.raises(ValueError, match=f"prompt_ids has {CONTEXT + 1} tokens, more than the model's context"):
        stepper.start([2] * (CONTEXT + 1))
    with pytest.raises(ValueError, match="prompt_ids must not be empty"):
        stepper.start([])
    with pytest.raises(TypeError, match="prompt_ids must be a sequence of int token ids"):
        stepper.start("ab")
    with pytest.raises(TypeError, match=r"ids\[0\] must be an int token id, got float"):
        stepper.full_logits([2.0, 4.5])
    with pytest.raises(ValueError, match=r"prompt_ids\[1\] = 11 is outside the vocabulary \[0, 11\)"):
        stepper.start([2, 11])
    _, full = stepper.start([2] * CONTEXT)
    with pytest.raises(ValueError, match=f"state already holds {CONTEXT} positions"):
        stepper.step(full, 4)
    with pytest.raises(TypeError, match="state must be KVCache"):
        stepper.step((1, 2), 4)
    with pytest.raises(ValueError, match="token_id must be >= 0, got -1"):
        stepper.step(full, -1)
    with pytest.raises(TypeError, match="model must be built by build_transformer_lm"):
        transformer.TransformerStepper(lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=VOCAB, hidden_size=2)))

