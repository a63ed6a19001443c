"""Tests of lmtutor.optim: each NumPy optimizer against the keras.optimizers class with the same
hyperparameters (100 steps, float64 variables), schedules against keras schedules, hand-computed
first steps, the surfaces' gradients against finite differences, and the argument checks."""

import math
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")

from lmtutor import losses, optim  # noqa: E402

# The oracle problem: softmax regression on fixed random data (convex, so no chaos amplifies
# rounding differences). Parameters are a weight matrix and a bias, to exercise lists of arrays.
_RNG = np.random.default_rng(0)
X = _RNG.normal(size=(32, 4))
Y = _RNG.integers(0, 3, size=32)
START = [_RNG.normal(size=(4, 3)), np.zeros(3)]
STEPS = 100
# Keras casts each hyperparameter to float32 before using it (0.9 becomes 0.89999998), so the
# exact test uses hyperparameters that float32 holds exactly (powers of two and sums of a few):
# tolerance 1e-10 absolute, only float64 rounding differs. With the usual values (0.9, 0.999,
# 1e-3) the float32 rounding of the hyperparameters shows: tolerance 1e-6 absolute.
EXACT_TOL, USUAL_TOL = 1e-10, 1e-6


def grads(params):
    weights, bias = params
    g = losses.cross_entropy_grad(Y, X @ weights + bias) / len(Y)
    return [X.T @ g, g.sum(axis=0)]


def run_numpy(optimizer):
    params = [p.copy() for p in START]
    for _ in range(STEPS):
        params = optimizer.step(params, grads(params))
    return params


def run_keras(optimizer):
    variables = [keras.Variable(p, dtype="float64") for p in START]
    for _ in range(STEPS):
        current = grads([np.asarray(v.numpy()) for v in variables])
        optimizer.apply([keras.ops.convert_to_tensor(g, dtype="float64") for g in current], variables)
    return [np.asarray(v.numpy()) for v in variables]


B2 = 1 - 2**-10  # 0.9990234375, exact in float32
OPTIMIZERS = {  # name -> (factory, tolerance)
    "SGD": (lambda: optim.SGD(0.5), EXACT_TOL),
    "momentum": (lambda: optim.SGD(0.125, momentum=0.875), EXACT_TOL),
    "Nesterov": (lambda: optim.SGD(0.125, momentum=0.875, nesterov=True), EXACT_TOL),
    "RMSProp": (lambda: optim.RMSProp(2**-6, rho=0.875, epsilon=2**-24), EXACT_TOL),
    "Adam": (lambda: optim.Adam(2**-5, beta_1=0.875, beta_2=B2, epsilon=2**-24), EXACT_TOL),
    "AdamW": (lambda: optim.AdamW(2**-5, weight_decay=0.25, beta_1=0.875, beta_2=B2, epsilon=2**-24), EXACT_TOL),
    "SGD + weight decay": (lambda: optim.SGD(0.25, momentum=0.5, weight_decay=0.125), EXACT_TOL),
    "momentum 0.9": (lambda: optim.SGD(0.1, momentum=0.9), USUAL_TOL),
    "Nesterov 0.9": (lambda: optim.SGD(0.1, momentum=0.9, nesterov=True), USUAL_TOL),
    "RMSProp defaults": (lambda: optim.RMSProp(0.01), USUAL_TOL),
    "Adam defaults": (lambda: optim.Adam(0.03), USUAL_TOL),
    "AdamW defaults": (lambda: optim.AdamW(0.03, weight_decay=0.1), USUAL_TOL),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_100_steps_equal_keras(name):
    make, tolerance = OPTIMIZERS[name]
    ours = run_numpy(make())
    theirs = run_keras(optim.to_keras(make()))
    moved = max(np.abs(a - b).max() for a, b in zip(ours, START))
    assert moved > 0.05  # the test is not vacuous: the parameters travelled
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=0, atol=tolerance)


SCHEDULES = {
    "exponential": optim.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5),
    "step": optim.ExponentialDecay(0.1, decay_steps=25, decay_rate=0.5, staircase=True),
    "piecewise": optim.PiecewiseConstant((20, 60), (0.1, 0.05, 0.01)),
    "warm-up + cosine": optim.WarmupCosine(0.0, 0.1, warmup_steps=10, decay_steps=80, alpha=0.1),
    "cosine, no warm-up": optim.WarmupCosine(0.1, 0.1, warmup_steps=0, decay_steps=50),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedule_equals_keras(name):
    schedule = SCHEDULES[name]
    steps = np.arange(0, 120)
    keras_schedule = schedule.to_keras()
    theirs = np.array([float(keras_schedule(int(s))) for s in steps])
    # Keras evaluates schedules in float32: relative tolerance 1e-6, absolute 1e-8 near zero
    np.testing.assert_allclose(schedule(steps), theirs, rtol=1e-6, atol=1e-8)


def test_warmup_cosine_shape():
    schedule = SCHEDULES["warm-up + cosine"]
    assert schedule(0) == 0.0 and schedule(5) == pytest.approx(0.05) and schedule(10) == pytest.approx(0.1)
    assert schedule(50) == pytest.approx(0.1 * (0.9 * 0.5 + 0.1))
    assert schedule(90) == pytest.approx(0.01) and schedule(500) == pytest.approx(0.01)


def test_optimizer_with_schedule_equals_keras():
    make = lambda: optim.Adam(optim.WarmupCosine(0.0, 2**-4, warmup_steps=10, decay_steps=90))
    ours, theirs = run_numpy(make()), run_keras(optim.to_keras(make()))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-5)  # float32 schedule values on the Keras side


def test_first_adam_step_by_hand():
    # t = 1: m̂ = g, v̂ = g², so the step is α g / (|g| + ε̂) ≈ α sign(g) whatever the scale of g
    opt = optim.Adam(0.1, epsilon=0.0)
    new = opt.step(np.array([1.0, 1.0]), np.array([1e-3, -1e3]))
    np.testing.assert_allclose(new, [0.9, 1.1])
    assert opt.iterations == 1


def test_adam_is_scale_invariant_and_the_seed_version_is_not():
    def path(optimizer, scale):
        return optim.trajectory(optimizer, lambda p: (0, scale * optim.rosenbrock(p)[1]), [-1.0, 1.5], 20)

    np.testing.assert_allclose(path(optim.Adam(0.01, epsilon=0), 1), path(optim.Adam(0.01, epsilon=0), 1000),
                               atol=1e-12)
    step_1 = np.abs(np.diff(path(optim.AdamWithoutSecondMoment(0.001), 1), axis=0))[0]
    step_1000 = np.abs(np.diff(path(optim.AdamWithoutSecondMoment(0.001), 1000), axis=0))[0]
    np.testing.assert_allclose(step_1000, 1000 * step_1)


def test_momentum_first_steps_by_hand():
    opt = optim.SGD(0.1, momentum=0.5)
    p = opt.step(np.array(0.0), np.array(1.0))  # v = −0.1
    p = opt.step(p, np.array(1.0))  # v = 0.5·(−0.1) − 0.1 = −0.15
    assert float(p) == pytest.approx(-0.25)


def test_decoupled_weight_decay_shrinks_without_gradient():
    opt = optim.AdamW(0.1, weight_decay=0.5)
    assert opt.step(np.array([2.0]), np.array([0.0]))[0] == pytest.approx(2.0 * (1 - 0.05))


@pytest.mark.parametrize("surface", [optim.rosenbrock, optim.ill_conditioned_quadratic])
def test_surface_gradients_match_finite_differences(surface):
    for point in np.random.default_rng(1).uniform(-2, 2, size=(10, 2)):
        value, grad = surface(point)
        h = 1e-6
        numeric = [(surface(point + h * e)[0] - surface(point - h * e)[0]) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6)
    assert optim.rosenbrock([1.0, 1.0])[0] == 0.0


def test_optimizers_reach_the_rosenbrock_minimum():
    end = optim.trajectory(optim.Adam(0.02), optim.rosenbrock, [-1.5, 2.0], 3000)[-1]
    np.testing.assert_allclose(end, [1.0, 1.0], atol=0.01)


def test_trajectory_shape_and_divergence_guard():
    path = optim.trajectory(optim.SGD(0.01), optim.rosenbrock, [-1.5, 2.0], 30)
    assert path.shape == (31, 2)
    assert np.all(np.isfinite(path))  # diverged (learning rate too large) but stopped cleanly


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: optim.SGD(0.0), ValueError, "learning_rate must be > 0"),
    (lambda: optim.Adam(-1e-3), ValueError, "learning_rate must be > 0"),
    (lambda: optim.Adam(1e-3, beta_1=1.0), ValueError, "beta_1 must be < 1"),
    (lambda: optim.Adam(1e-3, beta_2=-0.1), ValueError, "beta_2 must be >= 0"),
    (lambda: optim.RMSProp(1e-3, rho=1.5), ValueError, "rho must be < 1"),
    (lambda: optim.SGD(0.1, momentum=1.0), ValueError, "momentum must be < 1"),
    (lambda: optim.SGD("0.1"), TypeError, "learning_rate must be a number"),
    (lambda: optim.SGD(0.1, nesterov=1), TypeError, "nesterov must be bool"),
    (lambda: optim.AdamW(0.1, weight_decay=-1), ValueError, "weight_decay must be >= 0"),
    (lambda: optim.SGD(0.1).step(np.zeros(3), np.zeros(2)), ValueError,
     r"params has shape \(3,\) but grads has shape \(2,\)"),
    (lambda: optim.SGD(0.1).step([np.zeros(3)], [np.zeros(3), np.zeros(1)]), ValueError, "params and grads must match"),
    (lambda: optim.SGD(0.1).step(np.zeros(2), np.array([1.0, np.nan])), ValueError, "grads must be finite"),
    (lambda: optim.ExponentialDecay(0.1, 0, 0.5), ValueError, "decay_steps must be >= 1"),
    (lambda: optim.PiecewiseConstant((10,), (0.1,)), ValueError, "values must have"),
    (lambda: optim.WarmupCosine(0.0, 0.1, 10, 100, alpha=2.0), ValueError, "alpha must be <= 1"),
    (lambda: optim.rosenbrock([1.0, 2.0, 3.0]), ValueError, r"params must be a point"),
    (lambda: optim.trajectory(optim.SGD(0.1), "rosenbrock", [0, 0], 5), TypeError, "surface must be a function"),
    (lambda: optim.to_keras(optim.AdamWithoutSecondMoment(0.1)), ValueError, "seed's mistake"),
])
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_changed_parameter_shape_is_refused():
    opt = optim.Adam(0.1)
    opt.step(np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match="changed shape"):
        opt.step(np.zeros(3), np.ones(3))


def test_importing_optim_does_not_import_keras():
    import subprocess
    import sys
    code = "import sys, lmtutor.optim, lmtutor.losses, lmtutor.regularization; print('keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert math.isfinite(optim.Adam(0.1).current_learning_rate())
