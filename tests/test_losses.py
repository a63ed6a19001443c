"""Tests of lmtutor.losses: every function against keras.losses / keras.ops (the oracle) on random
and extreme logits, gradients against TensorFlow's autodiff, properties, and the argument checks."""

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from lmtutor import losses  # noqa: E402

RNG = np.random.default_rng(0)
TOL = dict(rtol=1e-12, atol=1e-12)  # float64 on both sides: only rounding differs


def _cases():
    """Yield (name, logits (B, V), labels (B,)): random, large, extreme (±1e4) and tied logits."""
    labels = RNG.integers(0, 7, size=6)
    yield "random", RNG.normal(size=(6, 7)), labels
    yield "scale 100", 100 * RNG.normal(size=(6, 7)), labels
    yield "extreme ±1e4", RNG.choice([-1e4, 0.0, 1e4], size=(6, 7)), labels
    yield "all equal", np.full((6, 7), 3.0), labels


CASES = list(_cases())
IDS = [c[0] for c in CASES]


def _onehot(labels, vocab_size):
    return np.eye(vocab_size)[labels]


@pytest.mark.parametrize(("name", "logits", "labels"), CASES, ids=IDS)
def test_softmax_and_log_softmax_equal_keras_ops(name, logits, labels):
    np.testing.assert_allclose(losses.softmax(logits), keras.ops.softmax(logits).numpy(), **TOL)
    ours = losses.log_softmax(logits)
    assert np.all(np.isfinite(ours))
    np.testing.assert_allclose(ours, keras.ops.log_softmax(logits).numpy(), **TOL)


@pytest.mark.parametrize(("name", "logits", "labels"), CASES, ids=IDS)
def test_cross_entropy_from_logits_equals_keras(name, logits, labels):
    sparse = losses.sparse_cross_entropy(labels, logits)
    assert sparse.shape == labels.shape and np.all(np.isfinite(sparse))
    np.testing.assert_allclose(
        sparse, keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True).numpy(), **TOL)
    onehot = _onehot(labels, logits.shape[-1])
    np.testing.assert_allclose(
        losses.cross_entropy(onehot, logits),
        keras.losses.categorical_crossentropy(onehot, logits, from_logits=True).numpy(), **TOL)
    np.testing.assert_allclose(losses.cross_entropy(onehot, logits), sparse, **TOL)


@pytest.mark.parametrize(("name", "logits", "labels"), CASES, ids=IDS)
def test_cross_entropy_from_probs_equals_keras_including_its_clipping(name, logits, labels):
    probs = losses.softmax(logits)
    onehot = _onehot(labels, logits.shape[-1])
    keras_sparse = keras.losses.sparse_categorical_crossentropy(labels, probs, from_logits=False).numpy()
    keras_dense = keras.losses.categorical_crossentropy(onehot, probs, from_logits=False).numpy()
    np.testing.assert_allclose(losses.sparse_cross_entropy_from_probs(labels, probs), keras_sparse, rtol=1e-7)
    np.testing.assert_allclose(losses.cross_entropy_from_probs(onehot, probs), keras_dense, rtol=1e-7)
    # the clip at ε = 1e-7 caps a zero probability's loss near −ln(1e-7) ≈ 16.1 instead of inf
    assert losses.sparse_cross_entropy_from_probs(labels, probs).max() <= -math.log(1e-7 / (1 + 7e-7))


def test_from_probs_without_clipping_is_exact_and_can_be_infinite():
    probs = np.array([[0.5, 0.5, 0.0]])
    assert losses.sparse_cross_entropy_from_probs([0], probs, epsilon=0)[0] == pytest.approx(math.log(2))
    assert losses.sparse_cross_entropy_from_probs([2], probs, epsilon=0)[0] == math.inf


def test_naive_softmax_overflows_where_the_stable_one_does_not():
    logits = np.array([1e4, 0.0, -1e4])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(logits) / np.exp(logits).sum()
    assert np.isnan(naive[0])
    np.testing.assert_allclose(losses.softmax(logits), [1.0, 0.0, 0.0])
    assert losses.log_softmax(logits)[2] == pytest.approx(-2e4)


def test_softmax_outputs_fed_as_logits_give_a_different_loss():
    """The seed's mistake: Dense(softmax) + from_logits=True applies softmax twice."""
    logits = np.array([[4.0, 1.0, -2.0]])
    right = losses.sparse_cross_entropy([0], logits)[0]
    twice = losses.sparse_cross_entropy([0], losses.softmax(logits))[0]
    # a NumPy copy of the probabilities: Keras cannot see that they came from a softmax
    keras_twice = keras.losses.sparse_categorical_crossentropy(
        np.array([0]), np.array(keras.ops.softmax(logits)), from_logits=True).numpy()[0]
    assert twice == pytest.approx(keras_twice)
    assert right < 0.06 and twice > 0.5  # a confident right answer still gets a large loss


@pytest.mark.parametrize(("name", "logits", "labels"), CASES[:2], ids=IDS[:2])
def test_mse_equals_keras(name, logits, labels):
    targets = _onehot(labels, logits.shape[-1])
    probs = losses.softmax(logits)
    np.testing.assert_allclose(losses.mse(targets, probs),
                               keras.losses.mean_squared_error(targets, probs).numpy(), **TOL)


@pytest.mark.parametrize(("name", "logits", "labels"), CASES[:3], ids=IDS[:3])
def test_gradients_equal_tensorflow_autodiff(name, logits, labels):
    z = tf.Variable(logits)
    onehot = tf.constant(_onehot(labels, logits.shape[-1]))
    with tf.GradientTape(persistent=True) as tape:
        ce = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, z))
        mse = tf.reduce_sum(tf.reduce_mean((tf.nn.softmax(z) - onehot) ** 2, axis=-1))
    np.testing.assert_allclose(losses.cross_entropy_grad(labels, logits), tape.gradient(ce, z).numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(losses.mse_on_probs_grad(labels, logits), tape.gradient(mse, z).numpy(),
                               atol=1e-12)


def test_mse_gradient_vanishes_when_confidently_wrong_but_cross_entropy_does_not():
    logits = np.array([[10.0, 0.0, 0.0]])  # p(label 1) ≈ 4.5e-5
    assert np.abs(losses.cross_entropy_grad([1], logits)).max() > 0.99
    assert np.abs(losses.mse_on_probs_grad([1], logits)).max() < 1e-3


def test_perplexity_and_bits_are_views_of_the_mean_loss():
    assert losses.perplexity(math.log(4)) == pytest.approx(4.0)
    assert losses.bits_per_token(math.log(4)) == pytest.approx(2.0)
    assert losses.perplexity(0.0) == 1.0
    assert losses.perplexity(800.0) == math.inf


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 9)),
              elements=st.floats(-1e4, 1e4, allow_nan=False)))
def test_softmax_is_a_finite_distribution_for_any_logits(logits):
    probs = losses.softmax(logits)
    assert np.all(np.isfinite(probs)) and np.all(probs >= 0)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-12)
    log_probs = losses.log_softmax(logits)
    assert np.all(np.isfinite(log_probs)) and np.all(log_probs <= 1e-12)
    # shifting every logit by the same constant changes nothing
    np.testing.assert_allclose(losses.softmax(logits + 123.0), probs, atol=1e-12)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: losses.sparse_cross_entropy([0, 3], np.zeros((2, 3))), ValueError, r"labels must be ids in \[0, 3\).*got 3"),
    (lambda: losses.sparse_cross_entropy([-1, 0], np.zeros((2, 3))), ValueError, "labels must be ids"),
    (lambda: losses.sparse_cross_entropy([0], np.zeros((2, 3))), ValueError, r"labels must have shape \(2,\)"),
    (lambda: losses.sparse_cross_entropy([0.5, 1], np.zeros((2, 3))), TypeError, "labels must be integer"),
    (lambda: losses.sparse_cross_entropy([0, 1], "logits"), TypeError, "logits must be an array"),
    (lambda: losses.softmax([1.0, np.nan]), ValueError, "logits must be finite"),
    (lambda: losses.softmax(3.0), ValueError, "logits must have at least 1"),
    (lambda: losses.sparse_cross_entropy_from_probs([0], [[2.0, -1.0]]), ValueError, "did you pass logits"),
    (lambda: losses.cross_entropy_from_probs([[1, 0]], [[0.3, 0.3]]), ValueError, "sum to 1"),
    (lambda: losses.cross_entropy([[1, 0, 0]], [[0.0, 1.0]]), ValueError, "targets must have the shape"),
    (lambda: losses.mse([1.0], [1.0, 2.0]), ValueError, "targets must have the shape"),
    (lambda: losses.perplexity(-1.0), ValueError, "mean_loss must be >= 0"),
    (lambda: losses.bits_per_token("2"), TypeError, "mean_loss must be a number"),
])
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_sigmoid_equals_the_textbook_formula_and_never_overflows():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(losses.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-15)
    with np.errstate(all="raise"):  # the textbook formula overflows in exp(1000)
        assert losses.sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]


def test_log_softmax_keeps_removed_tokens_at_minus_infinity_only_when_allowed():
    z = np.array([[1.0, -np.inf, 3.0], [0.0, 0.0, -np.inf]])
    out = losses.log_softmax(z, allow_removed=True)
    assert np.isneginf(out[:, [1, 2]].diagonal()).all()
    np.testing.assert_allclose(np.exp(out).sum(axis=1), 1.0)
    np.testing.assert_allclose(out[0, [0, 2]], losses.log_softmax([1.0, 3.0]))
    with pytest.raises(ValueError, match="logits must be finite"):
        losses.log_softmax(z)
    with pytest.raises(ValueError, match="no finite entry"):
        losses.log_softmax([[-np.inf, -np.inf]], allow_removed=True)
    with pytest.raises(ValueError, match=r"NaN or \+inf"):
        losses.log_softmax([np.nan, 1.0], allow_removed=True)
