"""Checks for the exercises of notebooks 05 and 06: log-softmax, an Adam step, dropout, the L2 gradient.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`."""

from __future__ import annotations

from typing import Any, Callable

from lmtutor.checks._runner import CheckResult, _Mistake, _arrays_exercise, _cases, _run_arrays


def _log_softmax(logits):
    from lmtutor import losses

    return losses.log_softmax(logits, axis=-1)


def _log_softmax_exercise():
    import numpy as np

    def naive(z):
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            return np.log(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))

    def log_of_softmax(z):
        with np.errstate(divide="ignore"):
            return np.log(np.exp(_log_softmax(z)))

    def no_shift(z):
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))

    def whole_array(z):
        shifted = z - z.max()
        return shifted - np.log(np.exp(shifted).sum())

    rng = np.random.default_rng(5)
    return _arrays_exercise(
        "log_softmax", ("logits",), _log_softmax,
        note="log softmax(z) = (z − max z) − log Σ exp(z − max z), finite for any logits",
        cases=_cases([(np.array([2.0, 1.0, 0.1]),)],
                     [(np.array([0.0, -800.0, 3.0]),), (np.array([1000.0, 0.0, -5.0]),),
                      (rng.normal(size=(4, 6)),), (np.array([[1e4, -1e4, 0.0], [0.5, 0.5, 0.5]]),),
                      (np.array([-3.0, 7.0]),)]),
        mistakes=(
            _Mistake("exp(z) overflows to inf for large logits (nan follows) and underflows to 0 "
                     "for very negative ones (log 0 = -inf): subtract max(z) first and compute "
                     "(z - max) - log(sum(exp(z - max))) without taking the log of a probability.",
                     naive),
            _Mistake("you took the log of the (stable) softmax: a probability that underflows to 0 "
                     "gives log 0 = -inf. Compute (z - max) - log(sum(exp(z - max))) directly.",
                     log_of_softmax),
            _Mistake("z - log(sum(exp(z))) is right on paper, but exp(z) overflows to inf for large "
                     "logits: subtract m = max(z) inside, (z - m) - log(sum(exp(z - m))).", no_shift),
            _Mistake("subtract the same m = max(z) in both places: (z − m) − log Σ exp(z − m); with "
                     "log Σ exp(z) in the second term the result is off by m.",
                     lambda z: (z - z.max(axis=-1, keepdims=True)) - np.log(np.exp(z).sum(axis=-1, keepdims=True))),
            _Mistake("you returned the probabilities (softmax), not their logarithm.",
                     lambda z: np.exp(_log_softmax(z))),
            _Mistake("for a batch (2-D logits), take the max and the sum along the last axis "
                     "(axis=-1, keepdims=True): each row is its own distribution.", whole_array),
        ))


def check_log_softmax(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(logits)``, the stable log-softmax along the last axis.

    Formula: ``log softmax(z)_i = (z_i − max z) − log Σ_j exp(z_j − max z)``; logits may be 1-D or
    2-D (a batch of rows) and reach ±1e4. Notebook example: ``fn(np.array([2.0, 1.0, 0.1]))`` ≈
    [-0.417, -1.417, -2.317].
    """
    return _run_arrays(_log_softmax_exercise(), fn)


def _adam_step(theta, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    """Return Adam's step as the exercise (and Kingma & Ba's Algorithm 1) writes it, ε added to √v̂.

    lmtutor.optim.Adam puts ε where Keras does, ε̂ = ε / √(1 − β2^t); tests/test_checks_promises.py
    proves this function equal to optim.Adam with ε = 0 for many steps, and with ε converted."""
    import numpy as np

    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad ** 2
    m_hat, v_hat = m / (1 - beta_1 ** t), v / (1 - beta_2 ** t)
    return theta - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _adam_case(seed, size, t, lr=0.01, b1=0.9, b2=0.999, eps=1e-8, scale=1.0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(size=size), scale * rng.normal(size=size), 0.1 * scale * rng.normal(size=size),
            (0.1 * scale * rng.normal(size=size)) ** 2, t, lr, b1, b2, eps)


def _adam_exercise():
    import numpy as np

    def variant(m_corr=True, v_corr=True, use_v=True, square=True, sqrt=True, keep_v=False):
        def step(theta, grad, m, v, t, lr, b1, b2, eps):
            v_old = v
            m = b1 * m + (1 - b1) * grad
            v = b2 * v + (1 - b2) * (grad ** 2 if square else grad)
            m_hat = m / (1 - b1 ** t) if m_corr else m
            v_hat = v / (1 - b2 ** t) if v_corr else v
            if not use_v:
                return theta - lr * m_hat, m, v_old if keep_v else v
            with np.errstate(invalid="ignore"):
                return theta - lr * m_hat / ((np.sqrt(v_hat) if sqrt else v_hat) + eps), m, v
        return step

    def keras_epsilon(theta, grad, m, v, t, lr, b1, b2, eps):  # α_t m / (√v + ε), Keras's form
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad ** 2
        return theta - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps), m, v

    def epsilon_inside(theta, grad, m, v, t, lr, b1, b2, eps):
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad ** 2
        return theta - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t) + eps), m, v

    seed_hint = ("the source article's Adam: no second moment. Keep v = beta_2 v + (1 - beta_2) "
                 "grad**2 and divide m̂ by √v̂ + ε; without v the step grows with the size of the "
                 "gradient (no scale invariance).")

    shown = (np.array([1.0, -2.0]), np.array([0.5, -0.1]), np.zeros(2), np.zeros(2), 1, 0.1, 0.9, 0.999, 1e-8)
    return _arrays_exercise(
        "adam_step", ("theta", "grad", "m", "v", "t", "learning_rate", "beta_1", "beta_2", "epsilon"),
        _adam_step, note="m, v updated; θ − α m̂ / (√v̂ + ε) with m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t)",
        cases=_cases([shown], [_adam_case(1, 2, 3, eps=1e-3, scale=0.01), _adam_case(2, 3, 5),
                               _adam_case(3, (2, 2), 50, 0.001),
                               _adam_case(4, 4, 2, 0.1, 0.8, 0.99, 1e-6, scale=100.0),
                               _adam_case(5, 3, 1000, scale=0.01)]),
        mistakes=(
            _Mistake(seed_hint, variant(use_v=False)),
            _Mistake(seed_hint, variant(use_v=False, keep_v=True)),
            _Mistake("you skipped the bias correction: early on m and v are biased towards their "
                     "zero start; use m̂ = m / (1 - beta_1**t) and v̂ = v / (1 - beta_2**t).",
                     variant(m_corr=False, v_corr=False)),
            _Mistake("you corrected m but not v: v̂ = v / (1 - beta_2**t) too.", variant(v_corr=False)),
            _Mistake("v averages the *squared* gradient: v = beta_2 v + (1 - beta_2) grad**2.",
                     variant(square=False)),
            _Mistake("divide by the square root of v̂: sqrt(v̂) + epsilon.", variant(sqrt=False)),
            _Mistake("return the moments m and v themselves, not the bias-corrected m̂ and v̂: the next "
                     "step averages into m and v and corrects them again.",
                     lambda *a: (lambda th, m, v: (th, m / (1 - a[6] ** a[4]), v / (1 - a[7] ** a[4])))(*_adam_step(*a))),
            _Mistake("return the updated moments m_new and v_new with θ_new: the next step needs them, "
                     "not the m and v it was given.", lambda *a: (_adam_step(*a)[0], a[2], a[3])),
            _Mistake("subtract the step, θ − α m̂ / (√v̂ + ε): Adam moves against the gradient.",
                     lambda *a: (lambda th, m, v: (2 * a[0] - th, m, v))(*_adam_step(*a))),
            _Mistake("use the epsilon argument: one input passes epsilon = 1e-3 with gradients near "
                     "0.01, where ε changes the step by about a tenth; a constant such as 1e-8 "
                     "or 1e-7 gives another answer.",
                     lambda *a: _adam_step(*a[:8], 1e-8)),
            _Mistake("use the epsilon argument: one input passes epsilon = 1e-3 with gradients near "
                     "0.01, where ε changes the step by about a tenth; a constant such as 1e-8 "
                     "or 1e-7 gives another answer.",
                     lambda *a: _adam_step(*a[:8], 1e-7)),
            _Mistake("ε is added after the square root, √v̂ + ε, not inside it (√(v̂ + ε)).", epsilon_inside),
            _Mistake("that is Keras's form, α √(1 − β2^t) / (1 − β1^t) · m / (√v + ε), which puts ε "
                     "elsewhere (it equals ε / √(1 − β2^t) added to √v̂); the exercise asks for "
                     "θ − α m̂ / (√v̂ + ε) with ε added to √v̂ itself.", keras_epsilon),
        ))


def check_adam_step(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(theta, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon)``.

    The function returns ``(theta_new, m_new, v_new)`` for Adam step t (1 for the first step):
    ``m = β1 m + (1 − β1) g; v = β2 v + (1 − β2) g²; m̂ = m / (1 − β1^t); v̂ = v / (1 − β2^t);
    θ_new = θ − α m̂ / (√v̂ + ε)``. Notebook example: θ = [1, −2], g = [0.5, −0.1], m = v = 0,
    t = 1, α = 0.1 moves each parameter by 0.1 against the sign of its gradient.

    ε is added to √v̂ as in Kingma & Ba's Algorithm 1. ``lmtutor.optim.Adam`` (like Keras) adds
    ε / √(1 − β2^t) instead, so it takes this step when given ε · √(1 − β2^t); with ε itself it
    fails on the input whose ε = 1e-3 changes the step (tests/test_checks_promises.py).
    """
    return _run_arrays(_adam_exercise(), fn)


def _dropout_forward(h, mask, rate, training):
    """Return inverted dropout with a given mask: lmtutor.regularization.dropout draws its own mask
    (regularization.dropout_mask); tests/test_checks_promises.py proves the two equal."""
    return h * mask / (1 - rate) if training else h


def _dropout_case(seed, shape, rate, training):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.uniform(-2, 2, size=shape), (rng.random(shape) >= rate).astype(float), rate, training)


def _dropout_exercise():
    import numpy as np

    shown = (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 1.0, 1.0]), 0.5, True)
    return _arrays_exercise(
        "dropout_forward", ("h", "mask", "rate", "training"), _dropout_forward,
        note="training: h ⊙ mask / (1 − rate); inference: h unchanged",
        cases=_cases([shown], [_dropout_case(1, 4, 0.5, True), _dropout_case(2, (3, 5), 0.2, True),
                               _dropout_case(3, (2, 3), 0.3, False), _dropout_case(4, 6, 0.75, True),
                               _dropout_case(5, 4, 0.5, False)]),
        mistakes=(
            _Mistake("a mask entry of 1 means keep: multiply by mask (not by 1 − mask), so the units "
                     "where mask is 0 are the ones dropped.",
                     lambda h, mask, p, tr: h * (1 - mask) / (1 - p) if tr else h),
            _Mistake("divide by the keep probability 1 − rate, not by rate: a unit survives with "
                     "probability 1 − rate.", lambda h, mask, p, tr: h * mask / p if tr else h),
            _Mistake("the source article's θ / (1 - p): you rescaled without the mask. Dropout "
                     "multiplies by the random 0/1 mask and then divides by 1 - rate.",
                     lambda h, mask, p, tr: h / (1 - p) if tr else h),
            _Mistake("you forgot to rescale the survivors: divide by 1 - rate so that the expected "
                     "activation stays h (inverted dropout).",
                     lambda h, mask, p, tr: h * mask if tr else h),
            _Mistake("divide by the keep probability 1 - rate, do not multiply by it (that is the "
                     "old, non-inverted dropout, which rescales at inference instead).",
                     lambda h, mask, p, tr: h * mask * (1 - p) if tr else h),
            _Mistake("at inference (training=False) dropout does nothing: return h unchanged.",
                     lambda h, mask, p, tr: h * mask / (1 - p)),
            _Mistake("at inference (training=False) return h unchanged: inverted dropout already "
                     "rescaled during training, so nothing is scaled at inference.",
                     lambda h, mask, p, tr: h * mask / (1 - p) if tr else h * (1 - p)),
        ))


def check_dropout_forward(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(h, mask, rate, training)``, inverted dropout with a given mask.

    Formula: training ``h̃ = mask ⊙ h / (1 − rate)`` (mask holds 0/1 draws, 1 with probability
    1 − rate); inference ``h̃ = h``. Notebook example: h = [1, 2, 3, 4], mask = [1, 0, 1, 1],
    rate = 0.5, training=True gives [2, 0, 6, 8].
    """
    return _run_arrays(_dropout_exercise(), fn)


def _l2_grad(weights, strength):
    from lmtutor import regularization

    return regularization.l2_grad(weights, strength)


def _l2_exercise():
    import numpy as np

    rng = np.random.default_rng(6)
    shown = (np.array([[1.0, -2.0], [0.5, 0.0]]), 0.1)
    return _arrays_exercise(
        "l2_grad", ("weights", "strength"), _l2_grad,
        note="∂(λ Σ w²)/∂w = 2 λ w",
        cases=_cases([shown], [(rng.normal(size=(2, 2)), 0.01), (rng.normal(size=5), 0.5),
                               (rng.normal(size=(3, 4)), 1e-4), (np.zeros(3), 0.3)]),
        mistakes=(
            _Mistake("you dropped the factor 2: the derivative of λ w² is 2 λ w (λ w is the "
                     "gradient of (λ/2) Σ w², a different convention from Keras's L2(λ)).",
                     lambda w, lam: lam * w),
            _Mistake("you returned the penalty λ Σ w² itself; the exercise asks for its gradient, "
                     "an array with the shape of weights.", lambda w, lam: lam * float(np.sum(w ** 2))),
            _Mistake("wrong sign: the gradient of the penalty points away from 0 (2 λ w); the "
                     "optimizer subtracts it, which pulls the weights towards 0.",
                     lambda w, lam: -2 * lam * w),
            _Mistake("that is the L1 gradient λ sign(w); L2's gradient is proportional to w: 2 λ w.",
                     lambda w, lam: lam * np.sign(w)),
        ))


def check_l2_grad(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(weights, strength)``, the gradient of the L2 penalty.

    Formula: penalty ``λ Σ w²`` (as keras.regularizers.L2(λ)), gradient ``2 λ w``, an array shaped
    like weights. Notebook example: w = [[1, −2], [0.5, 0]], λ = 0.1 gives [[0.2, −0.4], [0.1, 0]].
    """
    return _run_arrays(_l2_exercise(), fn)
