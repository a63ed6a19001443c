"""Tests of lmtutor.rnn against independent oracles: Keras's SimpleRNN and LSTM layers with the
same weights (forward), tf.GradientTape and finite differences (BPTT), tf.clip_by_global_norm.

Tolerances: float64 Keras layers agree with the NumPy code to 1e-10 (the same arithmetic in a
different order); float32 layers to 1e-5 (float32 rounding over 12 steps)."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmtutor import rnn

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

BATCH, STEPS, INPUT, HIDDEN = 3, 12, 5, 4
EXACT, FLOAT32 = 1e-10, 1e-5  # max abs difference: float64 layers, float32 layers


def _inputs(seed=0, dtype="float64"):
    return np.random.default_rng(seed).normal(size=(BATCH, STEPS, INPUT)).astype(dtype)


def _keras_layer(kind, dtype, seed=1):
    """Return a built Keras layer with random (non-default) weights, including a non-zero bias."""
    keras.utils.set_random_seed(seed)
    layer_cls = keras.layers.SimpleRNN if kind == "rnn" else keras.layers.LSTM
    layer = layer_cls(HIDDEN, return_sequences=True, return_state=True, dtype=dtype)
    layer.build((None, STEPS, INPUT))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype(dtype) for w in layer.get_weights()])
    return layer


# ---------------------------------------------------------------------------- forward = Keras
@pytest.mark.parametrize(("dtype", "tol"), [("float64", EXACT), ("float32", FLOAT32)])
def test_rnn_forward_equals_keras_simple_rnn(dtype, tol):
    layer = _keras_layer("rnn", dtype)
    x = _inputs(dtype=dtype)
    keras_outputs, keras_state = (np.asarray(t) for t in layer(x))
    outputs = rnn.rnn_forward(x.astype(np.float64), [w.astype(np.float64) for w in layer.get_weights()])
    assert outputs.shape == (BATCH, STEPS, HIDDEN)
    assert np.max(np.abs(outputs - keras_outputs)) < tol
    assert np.max(np.abs(outputs[:, -1] - keras_state)) < tol


@pytest.mark.parametrize(("dtype", "tol"), [("float64", EXACT), ("float32", FLOAT32)])
def test_lstm_forward_equals_keras_lstm(dtype, tol):
    layer = _keras_layer("lstm", dtype)
    x = _inputs(dtype=dtype)
    keras_outputs, keras_h, keras_c = (np.asarray(t) for t in layer(x))
    weights = dict(zip(rnn.WEIGHT_NAMES, (w.astype(np.float64) for w in layer.get_weights())))
    outputs, h, c = rnn.lstm_forward(x.astype(np.float64), weights)
    assert np.max(np.abs(outputs - keras_outputs)) < tol
    assert np.max(np.abs(h - keras_h)) < tol and np.max(np.abs(c - keras_c)) < tol


def test_initial_states_are_used_as_keras_uses_them():
    x = _inputs()
    rng = np.random.default_rng(3)
    h0, c0 = rng.normal(size=(BATCH, HIDDEN)), rng.normal(size=(BATCH, HIDDEN))
    layer = _keras_layer("rnn", "float64")
    expected = np.asarray(layer(x, initial_state=[h0])[0])
    assert np.max(np.abs(rnn.rnn_forward(x, layer.get_weights(), h0) - expected)) < EXACT
    layer = _keras_layer("lstm", "float64")
    expected = [np.asarray(t) for t in layer(x, initial_state=[h0, c0])]
    got = rnn.lstm_forward(x, layer.get_weights(), (h0, c0))
    assert all(np.max(np.abs(a - b)) < EXACT for a, b in zip(got, expected))


def test_steps_compose_to_the_forward_pass():
    x = _inputs()
    weights = rnn.init_rnn_weights(INPUT, HIDDEN, seed=2)
    h = np.zeros((BATCH, HIDDEN))
    for t in range(STEPS):
        h = rnn.rnn_step(x[:, t], h, weights)
    assert np.allclose(h, rnn.rnn_forward(x, weights)[:, -1], atol=1e-14)
    lstm_weights = rnn.init_rnn_weights(INPUT, HIDDEN, gates=4, seed=2)
    h, c = np.zeros((BATCH, HIDDEN)), np.zeros((BATCH, HIDDEN))
    for t in range(STEPS):
        h, c = rnn.lstm_step(x[:, t], h, c, lstm_weights)
    _, h_final, c_final = rnn.lstm_forward(x, lstm_weights)
    assert np.allclose(h, h_final, atol=1e-14) and np.allclose(c, c_final, atol=1e-14)


def test_lstm_gate_order_is_i_f_c_o():
    # Only the forget gate's bias block is huge and only the input gate's block very negative:
    # then c_t = c_{t-1}, so the state keeps c_0 whatever the input. Any other order breaks this.
    weights = rnn.init_rnn_weights(INPUT, HIDDEN, gates=4, seed=0)
    weights["bias"] = np.concatenate([np.full(HIDDEN, -50.0), np.full(HIDDEN, 50.0),
                                      np.zeros(HIDDEN), np.zeros(HIDDEN)])
    c0 = np.random.default_rng(1).normal(size=(BATCH, HIDDEN))
    _, _, c = rnn.lstm_forward(_inputs(), weights, (np.zeros((BATCH, HIDDEN)), c0))
    assert np.allclose(c, c0, atol=1e-12)


# -------------------------------------------------------------------------- BPTT = GradientTape
def _bptt_case(seed=0):
    x = _inputs(seed)
    layer = _keras_layer("rnn", "float64", seed=seed + 1)
    weights = dict(zip(rnn.WEIGHT_NAMES, layer.get_weights()))
    grad_outputs = np.random.default_rng(seed + 2).normal(size=(BATCH, STEPS, HIDDEN))
    return x, layer, weights, grad_outputs


def test_rnn_backward_equals_gradient_tape():
    x, layer, weights, grad_outputs = _bptt_case()
    x_var = tf.Variable(x)
    with tf.GradientTape() as tape:
        outputs = layer(x_var)[0]
        loss = tf.reduce_sum(outputs * grad_outputs)  # so ∂loss/∂h_t = grad_outputs[:, t]
    tape_grads = tape.gradient(loss, [w.value for w in layer.weights] + [x_var])
    ours = rnn.rnn_backward(x, weights, rnn.rnn_forward(x, weights), grad_outputs)
    for name, expected in zip(rnn.WEIGHT_NAMES + ("inputs",), tape_grads):
        assert np.max(np.abs(ours[name] - np.asarray(expected))) < EXACT, name


def test_rnn_backward_passes_the_finite_difference_check():
    x, _, weights, grad_outputs = _bptt_case(seed=5)
    x, h0 = x[:, :6].copy(), np.random.default_rng(9).normal(size=(BATCH, HIDDEN))
    grad_outputs = grad_outputs[:, :6]
    params = {**{k: v.copy() for k, v in weights.items()}, "inputs": x, "initial_state": h0}

    def loss():
        return float(np.sum(rnn.rnn_forward(params["inputs"], params, params["initial_state"]) * grad_outputs))

    grads = rnn.rnn_backward(x, params, rnn.rnn_forward(x, params, h0), grad_outputs, h0)
    errors = rnn.gradient_check(loss, params, grads)
    assert set(errors) == {"kernel", "recurrent_kernel", "bias", "inputs", "initial_state"}
    assert max(errors.values()) < 1e-7, errors
    # a wrong gradient is caught: 1% off
    wrong = dict(grads, recurrent_kernel=grads["recurrent_kernel"] * 1.01)
    assert rnn.gradient_check(loss, params, wrong)["recurrent_kernel"] > 1e-3


def test_numerical_gradient_of_a_known_function():
    theta = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = rnn.numerical_gradient(lambda: float(np.sum(theta ** 3)), theta)
    assert np.allclose(grad, 3 * theta ** 2, rtol=1e-8)
    assert np.array_equal(theta, [[1.0, -2.0], [0.5, 3.0]])  # restored after probing
    assert rnn.relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert rnn.relative_error([1.0], [3.0]) == pytest.approx(0.5)
    assert rnn.relative_error([3.0, 0.0], [0.0, 4.0]) == pytest.approx(5 / 7)


# ------------------------------------------------------------------------------------ clipping
@settings(max_examples=30, deadline=None)
@given(st.floats(0.01, 100.0), st.integers(0, 1000))
def test_clip_by_global_norm_equals_tensorflow(max_norm, seed):
    rng = np.random.default_rng(seed)
    grads = [rng.normal(size=(3, 4)) * 5, rng.normal(size=(4,))]
    clipped, norm = rnn.clip_by_global_norm(grads, max_norm)
    tf_clipped, tf_norm = tf.clip_by_global_norm([tf.constant(g) for g in grads], max_norm)
    assert norm == pytest.approx(float(tf_norm), rel=1e-12)
    for ours, theirs in zip(clipped, tf_clipped):
        assert np.allclose(ours, np.asarray(theirs), rtol=1e-12, atol=1e-15)
    new_norm = np.sqrt(sum(np.sum(g ** 2) for g in clipped))
    assert new_norm <= max_norm * (1 + 1e-12)  # never above the threshold
    assert np.allclose(clipped[0] * norm, grads[0] * new_norm)  # direction kept


def test_clip_keeps_small_gradients_and_dict_keys():
    grads = {"kernel": np.array([0.3, 0.4])}
    clipped, norm = rnn.clip_by_global_norm(grads, 1.0)
    assert norm == pytest.approx(0.5) and np.array_equal(clipped["kernel"], grads["kernel"])


def test_exploding_gradients_grow_with_the_recurrent_scale():
    # ‖∂h_T/∂x_{T-k}‖ shrinks with k for scale 0.5 and grows for scale 3 (before tanh saturates)
    x = 0.01 * _inputs()
    norms = {}
    for scale in (0.5, 3.0):
        weights = rnn.init_rnn_weights(INPUT, 32, scale=scale, seed=0)
        outputs = rnn.rnn_forward(x, weights)
        grad_outputs = np.zeros_like(outputs)
        grad_outputs[:, -1] = 1.0
        grads = rnn.rnn_backward(x, weights, outputs, grad_outputs)["inputs"]
        norms[scale] = np.linalg.norm(grads, axis=(0, 2))  # (time,)
    assert norms[0.5][0] < 1e-2 * norms[0.5][-1]
    assert norms[3.0][0] > norms[3.0][-1]


# --------------------------------------------------------------------------------- bad input
def test_bad_input_names_the_expected_shape_or_range():
    weights = rnn.init_rnn_weights(INPUT, HIDDEN)
    with pytest.raises(ValueError, match=r"inputs must have shape \(batch, time, input_size\).*got shape \(12, 5\)"):
        rnn.rnn_forward(np.zeros((STEPS, INPUT)), weights)
    with pytest.raises(ValueError, match=r"kernel must have shape \(input_size, hidden_size\) = \(7, 4\)"):
        rnn.rnn_forward(np.zeros((BATCH, STEPS, 7)), weights)
    with pytest.raises(ValueError, match=r"kernel must have shape \(input_size, 4 \* hidden_size\)"):
        rnn.lstm_forward(_inputs(), weights)  # RNN weights given to the LSTM
    with pytest.raises(ValueError, match=r"bias must have shape \(hidden_size,\)"):
        rnn.rnn_forward(_inputs(), dict(weights, bias=np.zeros(HIDDEN + 1)))
    with pytest.raises(ValueError, match="missing \\['bias'\\]"):
        rnn.rnn_forward(_inputs(), {"kernel": weights["kernel"], "recurrent_kernel": weights["recurrent_kernel"]})
    with pytest.raises(TypeError, match="list of 3 arrays"):
        rnn.rnn_forward(_inputs(), [weights["kernel"]])
    with pytest.raises(ValueError, match=r"initial_state must have shape \(batch, hidden_size\) = \(3, 4\)"):
        rnn.rnn_forward(_inputs(), weights, np.zeros((2, HIDDEN)))
    with pytest.raises(TypeError, match="inputs must hold numbers"):
        rnn.rnn_forward(np.full((1, 2, INPUT), "a"), weights)
    with pytest.raises(ValueError, match="at least one time step"):
        rnn.rnn_forward(np.zeros((1, 0, INPUT)), weights)
    for bad in (0, -1.0):
        with pytest.raises(ValueError, match="max_norm must be > 0.0"):
            rnn.clip_by_global_norm([np.ones(2)], bad)
    with pytest.raises(TypeError, match="float64"):
        rnn.numerical_gradient(lambda: 0.0, np.zeros(3, dtype=np.float32))
    with pytest.raises(ValueError, match=r"grad_outputs must have shape .* = \(3, 12, 4\)"):
        rnn.rnn_backward(_inputs(), weights, np.zeros((BATCH, STEPS, HIDDEN)), np.zeros((BATCH, 2, HIDDEN)))
    with pytest.raises(TypeError, match=r"pair \(h_0, c_0\)"):
        rnn.lstm_forward(_inputs(), rnn.init_rnn_weights(INPUT, HIDDEN, gates=4), np.zeros((BATCH, HIDDEN)))


def test_train_recall_sgd_explodes_without_clipping_and_learns_with_it():
    with np.errstate(all="ignore"):
        plain, _ = rnn.train_recall_sgd(None, steps=150)
    clipped, norms = rnn.train_recall_sgd(1.0, steps=150)
    assert not np.all(np.isfinite(plain)) or np.nanmax(plain) > 1e3
    assert np.all(np.isfinite(clipped)) and clipped[-20:].mean() < 0.6 * clipped[0]
    assert norms.max() > 1.0  # the raw norm exceeded the threshold, so clipping acted


def test_train_recall_sgd_first_step_has_the_bptt_loss_and_gradient_norm():
    # One step by hand with the same weights and data equals the function's first loss and update.
    losses, norms = rnn.train_recall_sgd(None, steps=1, hidden_size=3, length=4, seed=5)
    weights = rnn.init_rnn_weights(1, 3, scale=2.0, seed=5)
    readout = np.random.default_rng(6).normal(0, 3 ** -0.5, 3)
    x = np.random.default_rng(5).normal(size=(64, 4, 1))
    states = rnn.rnn_forward(x, weights)
    error = states[:, -1] @ readout - x[:, 0, 0]
    grad_states = np.zeros_like(states)
    grad_states[:, -1] = np.outer(2 * error / 64, readout)
    grads = rnn.rnn_backward(x, weights, states, grad_states)
    norm = np.sqrt(sum(np.sum(grads[k] ** 2) for k in rnn.WEIGHT_NAMES) + np.sum((states[:, -1].T @ (2 * error / 64)) ** 2))
    assert losses[0] == pytest.approx(np.mean(error ** 2)) and norms[0] == pytest.approx(norm)
    with pytest.raises(ValueError, match="clip_norm must be > 0.0"):
        rnn.train_recall_sgd(0.0)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        rnn.train_recall_sgd(1.0, steps=0)


def test_a_nan_or_infinite_gradient_fails_the_check_loudly():
    """relative_error used to return 0.0 for NaN, so gradient_check reported a perfect match (issue 20)."""
    with pytest.raises(ValueError, match="analytic must be finite"):
        rnn.relative_error(np.array([np.nan, 1.0]), np.array([1.0, 1.0]))
    param = np.ones(3)
    with pytest.raises(ValueError, match=r"grads\['p'\] must be finite"):
        rnn.gradient_check(lambda: float(np.sum(param ** 2)), {"p": param}, {"p": np.array([2.0, np.nan, 2.0])})
    with pytest.raises(ValueError, match="loss_fn returned nan"):
        rnn.gradient_check(lambda: float("nan"), {"p": param}, {"p": 2 * param})
    with pytest.raises(ValueError, match=r"grads\[0\] must be finite"):
        rnn.clip_by_global_norm([np.array([1.0, np.inf])], 1.0)
    with pytest.raises(ValueError, match="h_prev must be finite"):
        rnn.rnn_step(np.ones((1, 2)), np.full((1, 3), np.nan), rnn.init_rnn_weights(2, 3))
    assert np.all(param == 1.0)  # probing restored every entry
