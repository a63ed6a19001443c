"""Tests of lmtutor.regularization: dropout's expectation and its match with keras.layers.Dropout,
the L2 penalty against keras.regularizers.L2 and autodiff, weight decay vs L2 under SGD and Adam,
early stopping against the Keras callback's rule, and the argument checks."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from lmtutor import optim, regularization  # noqa: E402

H = np.random.default_rng(0).uniform(0.5, 2.0, size=(4, 50))


def test_dropout_zeroes_a_share_p_and_scales_survivors_by_1_over_1_minus_p():
    out = regularization.dropout(H, 0.25, training=True, seed=1)
    kept = out != 0
    np.testing.assert_allclose(out[kept], H[kept] / 0.75)
    assert abs((~kept).mean() - 0.25) < 0.07


def test_dropout_is_the_identity_at_inference_and_for_rate_0():
    np.testing.assert_array_equal(regularization.dropout(H, 0.5, training=False), H)
    np.testing.assert_array_equal(regularization.dropout(H, 0.0, training=True), H)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_preserves_the_expected_activation(rate):
    rng = np.random.default_rng(2)
    mean = np.mean([regularization.dropout(H, rate, training=True, seed=rng) for _ in range(4000)], axis=0)
    # standard error of the mean of 4000 draws is at most 2 · sqrt(p / (1 − p)) / sqrt(4000) ≈ 0.064
    np.testing.assert_allclose(mean, H, atol=0.3)
    assert abs(mean.mean() - H.mean()) < 0.01  # averaged over 200 units as well


@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_scaling_matches_keras_layer(rate):
    layer = keras.layers.Dropout(rate, seed=0)
    theirs = np.asarray(layer(H.astype("float32"), training=True))
    kept = theirs != 0
    np.testing.assert_allclose(theirs[kept], H[kept] / (1 - rate), rtol=1e-6)  # Keras: same 1/(1 − p)
    ours = regularization.dropout(H, rate, training=True, seed=0)
    np.testing.assert_allclose(np.unique(np.round(ours[ours != 0] / H[ours != 0], 6)), [round(1 / (1 - rate), 6)])
    np.testing.assert_array_equal(np.asarray(layer(H, training=False)), H.astype("float32"))


def test_the_seeds_dropout_changes_the_expected_value():
    # θ / (1 − p) applied to everything, without a mask, multiplies the mean by 1/(1 − p)
    seed_version = H / (1 - 0.5)
    assert seed_version.mean() == pytest.approx(2 * H.mean())


def test_l2_penalty_and_gradient_match_keras_and_autodiff():
    weights = np.random.default_rng(3).normal(size=(5, 3))
    assert regularization.l2_penalty(weights, 0.01) == pytest.approx(
        float(keras.regularizers.L2(0.01)(weights)), rel=1e-6)  # Keras holds λ in float32
    variable = tf.Variable(weights)
    with tf.GradientTape() as tape:
        penalty = keras.regularizers.L2(0.01)(variable)
    np.testing.assert_allclose(regularization.l2_grad(weights, 0.01), tape.gradient(penalty, variable).numpy(),
                               rtol=1e-6)
    assert regularization.l2_penalty([weights, weights], 0.01) == pytest.approx(
        2 * regularization.l2_penalty(weights, 0.01))


def test_weight_decay_equals_l2_for_sgd_but_not_for_adam():
    theta, grad = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.1, -0.2])
    lam, lr = 0.05, 0.1
    # SGD: θ − α(g + 2λθ) equals decaying by α·(2λ) and then stepping by α g
    via_l2 = optim.SGD(lr).step(theta, grad + regularization.l2_grad(theta, lam))
    via_decay = regularization.decoupled_weight_decay(theta, lr, 2 * lam) - lr * grad
    np.testing.assert_allclose(via_l2, via_decay)
    np.testing.assert_allclose(optim.SGD(lr, weight_decay=2 * lam).step(theta, grad), via_decay)
    # Adam: the L2 gradient is normalised by √v̂ with the data gradient; decoupled decay is not
    adam_l2 = optim.Adam(lr).step(theta, grad + regularization.l2_grad(theta, lam))
    adamw = optim.AdamW(lr, weight_decay=2 * lam).step(theta, grad)
    assert np.abs(adam_l2 - adamw).max() > 1e-3


def test_early_stopping_follows_the_keras_rule():
    val_losses = [3.0, 2.5, 2.4, 2.45, 2.41, 2.6, 2.2, 2.3, 2.3, 2.3, 2.3]
    stopper = regularization.EarlyStopping(patience=3)
    stop = next(epoch for epoch, v in enumerate(val_losses) if stopper.update(v))
    assert stop == 5 and stopper.best_epoch == 2 and stopper.best_loss == 2.4
    assert regularization.EarlyStopping(patience=3).stop_epoch(val_losses) == 5
    assert regularization.EarlyStopping(patience=10).stop_epoch(val_losses) == 10
    assert regularization.EarlyStopping(patience=1, min_delta=0.2).stop_epoch(val_losses) == 2

    # the same stopping epoch as keras.callbacks.EarlyStopping on a model whose val_loss we script
    class Scripted(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = val_losses[epoch]

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(np.zeros((4, 1)), np.zeros((4, 1)), epochs=len(val_losses), verbose=0,
                        callbacks=[Scripted(), keras.callbacks.EarlyStopping(patience=3)])
    assert len(history.history["loss"]) - 1 == regularization.EarlyStopping(patience=3).stop_epoch(val_losses)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: regularization.dropout(H, 1.0, training=True), ValueError, "rate must be < 1"),
    (lambda: regularization.dropout(H, -0.1, training=True), ValueError, "rate must be >= 0"),
    (lambda: regularization.dropout(H, 0.5, training="yes"), TypeError, "training must be bool"),
    (lambda: regularization.dropout("h", 0.5, training=True), TypeError, "activations must be an array"),
    (lambda: regularization.dropout_mask((3,), 0.5, seed=-1), ValueError, "seed must be >= 0"),
    (lambda: regularization.l2_penalty(H, -1.0), ValueError, "strength must be >= 0"),
    (lambda: regularization.l2_grad([1.0, np.inf], 0.1), ValueError, "params must be finite"),
    (lambda: regularization.decoupled_weight_decay(H, 0.0, 0.1), ValueError, "learning_rate must be > 0"),
    (lambda: regularization.decoupled_weight_decay(H, 0.1, -0.1), ValueError, "weight_decay must be >= 0"),
    (lambda: regularization.EarlyStopping(patience=-1), ValueError, "patience must be >= 0"),
    (lambda: regularization.EarlyStopping().update(float("nan")), ValueError, "loss must be finite"),
    (lambda: regularization.EarlyStopping().stop_epoch([]), ValueError, "losses must not be empty"),
])
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
