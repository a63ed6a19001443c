"""Optimizers (SGD, momentum, Nesterov, RMSProp, Adam, AdamW), learning-rate schedules and test surfaces.

Each optimizer is a small NumPy class whose ``step(params, grads)`` returns the new parameters and
keeps its own state (moments, step count); each equals the ``keras.optimizers`` class of the same
name with the same hyperparameters (tests/test_optim.py runs both for 100 steps)::

    opt = optim.Adam(learning_rate=0.1)
    path = optim.trajectory(opt, optim.rosenbrock, start=[-1.5, 2.0], steps=200)   # (201, 2)
    keras_path = optim.keras_trajectory(optim.to_keras(optim.Adam(0.1)), optim.rosenbrock, [-1.5, 2.0], 200)
"""

from __future__ import annotations

import inspect
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from lmtutor._validate import MAX_STEPS, _show, check_array, check_bool, check_float, check_int, check_type

Surface = Callable[[np.ndarray], tuple[float, np.ndarray]]  # params -> (loss, gradient)
MAX_KERAS_STEPS = 10_000  # keras_trajectory's limit: a Keras update costs about a millisecond


def _as_list(name: str, value: Any) -> tuple[list[np.ndarray], bool]:
    """Return (list of float arrays, True if ``value`` was a single array) for params or grads."""
    single = not isinstance(value, (list, tuple))
    items = [value] if single else list(value)
    arrays = []
    for i, item in enumerate(items):
        arrays.append(check_array(name if single else f"{name}[{i}]", item, copy=True))
    return arrays, single


class Optimizer:
    """Base class: ``step(params, grads)`` returns params after one update; subclasses define ``_update``."""

    def __init__(self, learning_rate: float | Callable[[int], float], weight_decay: float | None = None):
        if callable(learning_rate):
            self.learning_rate = learning_rate  # a schedule: step index (0, 1, ...) -> rate
        else:
            self.learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, min_inclusive=False)
        self.weight_decay = None if weight_decay is None else check_float(
            "weight_decay", weight_decay, minimum=0.0)
        self.iterations = 0  # number of steps taken so far
        self._state: list[dict[str, np.ndarray]] | None = None

    def current_learning_rate(self) -> float:
        """Return the learning rate of the next step (a schedule is evaluated at ``iterations``)."""
        if callable(self.learning_rate):
            rate = self.learning_rate(self.iterations)
            if np.ndim(rate) != 0 or isinstance(rate, (bool, np.bool_)) or not isinstance(
                    rate, (numbers.Real, np.ndarray)):
                raise TypeError(f"learning_rate (a schedule) must return a number for step {self.iterations}, "
                                f"got {type(rate).__name__} {_show(rate)}")
            return check_float(f"learning_rate({self.iterations})", float(rate), minimum=0.0)
        return self.learning_rate

    def step(self, params: Any, grads: Any) -> Any:
        """Return the parameters after one update with ``grads`` (an array, or a list of arrays)."""
        theta, single = _as_list("params", params)
        g, single_g = _as_list("grads", grads)
        if single != single_g or len(theta) != len(g):
            raise ValueError(f"params and grads must match: got {len(theta)} parameter array(s) "
                             f"and {len(g)} gradient array(s)")
        for i, (p, q) in enumerate(zip(theta, g)):
            if p.shape != q.shape:
                where = "" if single else f"[{i}]"
                raise ValueError(f"params{where} has shape {p.shape} but grads{where} has shape "
                                 f"{q.shape}; they must match")
        if self._state is None:
            self._state = [{} for _ in theta]
        elif len(self._state) != len(theta) or any(
                s and next(iter(s.values())).shape != p.shape for s, p in zip(self._state, theta)):
            raise ValueError("params changed shape since the first step: use a new optimizer")
        lr = self.current_learning_rate()
        t = self.iterations + 1
        new = []
        for p, q, state in zip(theta, g, self._state):
            if self.weight_decay:  # decoupled: θ ← θ − α λ θ, separate from the gradient step
                p = p - lr * self.weight_decay * p
            new.append(p - self._update(q, state, lr, t))
        self.iterations = t
        return new[0] if single else new

    def _update(self, grad: np.ndarray, state: dict, lr: float, t: int) -> np.ndarray:
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent θ ← θ − α g; with momentum μ, velocity v ← μ v − α g and θ ← θ + v.

    Nesterov: θ ← θ + μ v − α g (the step looks ahead along the new velocity). As keras.optimizers.SGD.
    """

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float | None = None):
        super().__init__(learning_rate, weight_decay)
        self.momentum = check_float("momentum", momentum, minimum=0.0, maximum=1.0, max_inclusive=False)
        self.nesterov = check_bool("nesterov", nesterov)

    def _update(self, grad, state, lr, t):
        if not self.momentum:
            return lr * grad
        v = state["velocity"] = self.momentum * state.get("velocity", 0 * grad) - lr * grad
        return -(self.momentum * v - lr * grad) if self.nesterov else -v


def _beta(name: str, value: float) -> float:
    return check_float(name, value, minimum=0.0, maximum=1.0, max_inclusive=False)


def _epsilon(value: float) -> float:
    """Return ε after checking 0 <= ε <= 1 (ε = 0 shows Adam's scale invariance; then a zero gradient gives 0 / 0)."""
    return check_float("epsilon", value, minimum=0.0, maximum=1.0)


class RMSProp(Optimizer):
    """RMSProp: s ← ρ s + (1 − ρ) g², θ ← θ − α g / √(s + ε). As keras.optimizers.RMSprop."""

    def __init__(self, learning_rate=0.001, rho: float = 0.9, epsilon: float = 1e-7,
                 weight_decay: float | None = None):
        super().__init__(learning_rate, weight_decay)
        self.rho = _beta("rho", rho)
        self.epsilon = _epsilon(epsilon)

    def _update(self, grad, state, lr, t):
        s = state["velocity"] = self.rho * state.get("velocity", 0 * grad) + (1 - self.rho) * grad**2
        return lr * grad / np.sqrt(s + self.epsilon)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g²,
    m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t), θ ← θ − α m̂ / (√v̂ + ε̂).

    ε̂ = ε / √(1 − β2^t) puts ε where keras.optimizers.Adam (and the paper's "efficient version")
    puts it: α m̂ / (√v̂ + ε̂) = α_t m / (√v + ε) with α_t = α √(1 − β2^t) / (1 − β1^t).
    """

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay: float | None = None):
        super().__init__(learning_rate, weight_decay)
        self.beta_1 = _beta("beta_1", beta_1)
        self.beta_2 = _beta("beta_2", beta_2)
        self.epsilon = _epsilon(epsilon)

    def _update(self, grad, state, lr, t):
        m = state["m"] = self.beta_1 * state.get("m", 0 * grad) + (1 - self.beta_1) * grad
        v = state["v"] = self.beta_2 * state.get("v", 0 * grad) + (1 - self.beta_2) * grad**2
        m_hat = m / (1 - self.beta_1**t)
        v_hat = v / (1 - self.beta_2**t)
        epsilon_hat = self.epsilon / math.sqrt(1 - self.beta_2**t)
        return lr * m_hat / (np.sqrt(v_hat) + epsilon_hat)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): θ ← θ − α λ θ, then the Adam step.

    The decay does not pass through m and v, unlike an L2 penalty added to the loss. As keras.optimizers.AdamW.
    """

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7):
        check_float("weight_decay", weight_decay, minimum=0.0)  # required here: None is not AdamW
        super().__init__(learning_rate, beta_1, beta_2, epsilon, weight_decay=weight_decay)


class AdamWithoutSecondMoment(Adam):
    """The seed's (wrong) Adam: θ ← θ − α m / (1 − β1^t), no v. For comparison only.

    Its step is proportional to the gradient, so multiplying the loss by c multiplies the step by c;
    Adam's m̂ / √v̂ cancels c.
    """

    def _update(self, grad, state, lr, t):
        m = state["m"] = self.beta_1 * state.get("m", 0 * grad) + (1 - self.beta_1) * grad
        return lr * m / (1 - self.beta_1**t)


def to_keras(optimizer: Optimizer):
    """Return the keras.optimizers instance with the same hyperparameters as ``optimizer``."""
    import keras

    check_type("optimizer", optimizer, Optimizer)
    lr = optimizer.learning_rate
    if callable(lr) and not isinstance(lr, keras.optimizers.schedules.LearningRateSchedule):
        lr = lr.to_keras() if hasattr(lr, "to_keras") else None
        if lr is None:
            raise ValueError("optimizer.learning_rate is a plain function: Keras needs a schedule "
                             "from lmtutor.optim (ExponentialDecay, PiecewiseConstant, WarmupCosine)")
    common = dict(learning_rate=lr, weight_decay=optimizer.weight_decay)
    if isinstance(optimizer, AdamWithoutSecondMoment):
        raise ValueError("optimizer is AdamWithoutSecondMoment: Keras has no Adam without second moment, "
                         "it is the seed's mistake")
    if isinstance(optimizer, AdamW):
        return keras.optimizers.AdamW(**common, beta_1=optimizer.beta_1, beta_2=optimizer.beta_2,
                                      epsilon=optimizer.epsilon)
    if isinstance(optimizer, Adam):
        return keras.optimizers.Adam(**common, beta_1=optimizer.beta_1, beta_2=optimizer.beta_2,
                                     epsilon=optimizer.epsilon)
    if isinstance(optimizer, RMSProp):
        return keras.optimizers.RMSprop(**common, rho=optimizer.rho, epsilon=optimizer.epsilon)
    if isinstance(optimizer, SGD):
        return keras.optimizers.SGD(**common, momentum=optimizer.momentum, nesterov=optimizer.nesterov)
    raise TypeError(f"optimizer must be one of SGD, RMSProp, Adam, AdamW, got {type(optimizer).__name__}")


# --- learning-rate schedules: step index (0 for the first update) -> learning rate -------------


@dataclass(frozen=True)
class ExponentialDecay:
    """Return α0 · r^(step / decay_steps) (floor of the exponent when staircase: a step schedule)."""

    initial_learning_rate: float  # α0, the rate at step 0
    decay_steps: int  # steps over which the rate is multiplied by decay_rate once
    decay_rate: float  # r, the factor per decay_steps
    staircase: bool = False  # True: change the rate only every decay_steps (step decay)

    def __post_init__(self):
        check_float("initial_learning_rate", self.initial_learning_rate, minimum=0.0, min_inclusive=False)
        check_int("decay_steps", self.decay_steps, minimum=1)
        check_float("decay_rate", self.decay_rate, minimum=0.0, min_inclusive=False)
        check_bool("staircase", self.staircase)

    def __call__(self, step):
        exponent = np.asarray(step, dtype=np.float64) / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (np.floor(exponent) if self.staircase else exponent)

    def to_keras(self):
        import keras
        return keras.optimizers.schedules.ExponentialDecay(
            self.initial_learning_rate, self.decay_steps, self.decay_rate, staircase=self.staircase)


@dataclass(frozen=True)
class PiecewiseConstant:
    """Return values[i] for boundaries[i−1] < step ≤ boundaries[i] (values[0] up to boundaries[0])."""

    boundaries: tuple[int, ...]  # increasing step indices where the rate changes
    values: tuple[float, ...]  # one more rate than boundaries

    def __post_init__(self):
        for name in ("boundaries", "values"):
            if not isinstance(getattr(self, name), (tuple, list)):
                raise TypeError(f"{name} must be a tuple, got {type(getattr(self, name)).__name__} "
                                f"{_show(getattr(self, name))}")
        for i, step in enumerate(self.boundaries):
            check_int(f"boundaries[{i}]", step, minimum=0)
        if any(b >= a for b, a in zip(self.boundaries[:-1], self.boundaries[1:])):
            raise ValueError(f"boundaries must increase, got {tuple(self.boundaries)}")
        if len(self.values) != len(self.boundaries) + 1:
            raise ValueError(f"values must have len(boundaries) + 1 = {len(self.boundaries) + 1} "
                             f"entries, got {len(self.values)}")
        for i, value in enumerate(self.values):
            check_float(f"values[{i}]", value, minimum=0.0, min_inclusive=False)

    def __call__(self, step):
        index = np.searchsorted(np.asarray(self.boundaries), np.asarray(step), side="left")
        return np.asarray(self.values, dtype=np.float64)[index]

    def to_keras(self):
        import keras
        return keras.optimizers.schedules.PiecewiseConstantDecay(list(self.boundaries), list(self.values))


@dataclass(frozen=True)
class WarmupCosine:
    """Return a linear warm-up from α0 to the peak over warmup_steps, then a cosine decay to α_min:
    peak · ((1 − a) · ½(1 + cos(π s / decay_steps)) + a), s = min(step − warmup_steps, decay_steps).

    As keras.optimizers.schedules.CosineDecay(α0, decay_steps, alpha=a, warmup_target=peak, warmup_steps).
    """

    initial_learning_rate: float  # α0, the rate at step 0 (often 0)
    peak_learning_rate: float  # the rate reached at the end of the warm-up
    warmup_steps: int  # length of the linear warm-up
    decay_steps: int  # length of the cosine decay after the warm-up
    alpha: float = 0.0  # final rate as a fraction of the peak

    def __post_init__(self):
        check_float("initial_learning_rate", self.initial_learning_rate, minimum=0.0)
        check_float("peak_learning_rate", self.peak_learning_rate, minimum=0.0, min_inclusive=False)
        check_int("warmup_steps", self.warmup_steps, minimum=0)
        check_int("decay_steps", self.decay_steps, minimum=1)
        check_float("alpha", self.alpha, minimum=0.0, maximum=1.0)

    def __call__(self, step):
        step = np.minimum(np.asarray(step, dtype=np.float64), self.warmup_steps + self.decay_steps)
        warm = self.initial_learning_rate + (self.peak_learning_rate - self.initial_learning_rate) * (
            step / max(self.warmup_steps, 1))
        s = step - self.warmup_steps
        cosine = 0.5 * (1 + np.cos(np.pi * s / self.decay_steps))
        decayed = self.peak_learning_rate * ((1 - self.alpha) * cosine + self.alpha)
        return np.where(step < self.warmup_steps, warm, decayed)

    def to_keras(self):
        import keras
        return keras.optimizers.schedules.CosineDecay(
            self.initial_learning_rate, self.decay_steps, alpha=self.alpha,
            warmup_target=self.peak_learning_rate, warmup_steps=self.warmup_steps)


# --- test surfaces: params (2,) -> (loss, gradient) ---------------------------------------------


def _point(params: Any, name: str = "params") -> np.ndarray:
    point = check_array(name, params)
    if point.shape != (2,):
        raise ValueError(f"{name} must be a point (x, y) of shape (2,), got shape {point.shape}")
    return point


def ill_conditioned_quadratic(params: Any, condition: float = 20.0) -> tuple[float, np.ndarray]:
    """Return (f, ∇f) for f(x, y) = ½(x² + κ y²), a valley κ times steeper across than along.

    ∇f = (x, κ y). Gradient descent needs α < 2/κ to be stable across the valley, and then crawls
    along it: the condition number κ sets how slow plain GD is.
    """
    x, y = _point(params)
    kappa = check_float("condition", condition, minimum=1.0)
    return 0.5 * (x**2 + kappa * y**2), np.array([x, kappa * y])


def rosenbrock(params: Any) -> tuple[float, np.ndarray]:
    """Return (f, ∇f) for Rosenbrock's f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1).

    ∇f = (−2(1 − x) − 400 x (y − x²), 200 (y − x²)): a curved, narrow valley.
    """
    x, y = _point(params)
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2, np.array([-2 * (1 - x) - 400 * x * (y - x**2),
                                                           200 * (y - x**2)])


def _check_run(surface: Any, start: Any, steps: Any, max_steps: int) -> np.ndarray:
    """Return the start point after checking surface (its signature), start and steps."""
    if not callable(surface):
        raise TypeError(f"surface must be a function params -> (loss, gradient), got {_show(surface)}")
    point = _point(start, "start")
    check_int("steps", steps, minimum=0, maximum=max_steps)
    try:
        inspect.signature(surface).bind(point)
    except TypeError as error:
        raise TypeError(f"surface must be a function of one argument, params (2,): {error}") from None
    except ValueError:  # no signature (a builtin): the first call tells
        pass
    return point


def _first_gradient(surface: Surface, point: np.ndarray) -> np.ndarray:
    """Return surface(point)'s gradient after checking the result: the first call of a run only (a
    surface may draw noise, so it is not called an extra time to check it)."""
    result = surface(point)
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError(f"surface must return a pair (loss, gradient), got {_show(result)} for params {point}")
    gradient = check_array("surface gradient", result[1])
    if gradient.shape != (2,):
        raise ValueError(f"surface must return a gradient of shape (2,), got shape {gradient.shape}")
    return result[1]


def trajectory(optimizer: Optimizer, surface: Surface, start: Sequence[float], steps: int) -> np.ndarray:
    """Return the (steps + 1, 2) array of points visited by ``optimizer`` from ``start`` on ``surface``.

    Stops early (repeating the last point) if the parameters leave ±1e6, i.e. diverge.
    """
    check_type("optimizer", optimizer, Optimizer)
    point = _check_run(surface, start, steps, MAX_STEPS)
    path = [point]
    for step in range(steps):
        if np.any(np.abs(point) > 1e6):
            path.append(point)
            continue
        point = optimizer.step(point, _first_gradient(surface, point) if step == 0 else surface(point)[1])
        path.append(point)
    return np.array(path)


def keras_trajectory(keras_optimizer: Any, surface: Surface, start: Sequence[float], steps: int) -> np.ndarray:
    """Return the (steps + 1, 2) points visited by a keras optimizer (float64 variable, same gradients)."""
    import keras

    check_type("keras_optimizer", keras_optimizer, keras.optimizers.Optimizer)
    point = _check_run(surface, start, steps, MAX_KERAS_STEPS)
    variable = keras.Variable(point, dtype="float64")
    path = [point]
    for step in range(steps):
        if np.any(np.abs(path[-1]) > 1e6):  # diverged: stop, as trajectory() does
            path.append(path[-1])
            continue
        grad = (_first_gradient if step == 0 else lambda f, p: f(p)[1])(surface, np.asarray(variable.numpy()))
        keras_optimizer.apply([keras.ops.convert_to_tensor(grad, dtype="float64")], [variable])
        path.append(np.array(variable.numpy()))
    return np.array(path)
