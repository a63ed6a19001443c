"""Recurrent networks in NumPy: a vanilla RNN with backpropagation through time, and an LSTM.

The weights use the names and layout of ``keras.layers.SimpleRNN`` / ``keras.layers.LSTM``
(kernel, recurrent_kernel, bias; LSTM gates in the order i, f, c, o), so ``layer.get_weights()``
can be passed in directly and the tests prove both give the same numbers::

    weights = init_rnn_weights(input_size=3, hidden_size=4, seed=0)
    outputs = rnn_forward(inputs, weights)                        # (batch, time, hidden)
    grads = rnn_backward(inputs, weights, outputs, grad_outputs)  # dict: kernel, ..., inputs

Notation (the notebooks'): x_t is the input at step t (batch, input_size), h_t the hidden state
(batch, hidden_size), W = kernel, U = recurrent_kernel, b = bias, σ the logistic sigmoid.
"""

from __future__ import annotations

import inspect
import numbers
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from lmtutor._validate import MAX_WIDTH, _show, check_array, check_callable, check_elements, check_float, check_int
from lmtutor.losses import _sigmoid

WEIGHT_NAMES = ("kernel", "recurrent_kernel", "bias")
MAX_STEPS_SGD, MAX_LENGTH_SGD, MAX_HIDDEN_SGD = 10_000, 1_000, 1_024  # train_recall_sgd's limits (NumPy BPTT)
MAX_PROBES = 100_000  # entries numerical_gradient moves one by one (two calls of loss_fn each)


# --------------------------------------------------------------------------------- checks
def _array(name: str, value: Any, ndim: int, layout: str) -> np.ndarray:
    """Return ``value`` as a float array of rank ``ndim``, raising a ValueError naming ``layout``."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of shape {layout}, got a str {_show(value)}")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of shape {layout}, got {_show(value)}") from None
    if array.dtype.kind not in "fiu" or array.dtype == bool:
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"{name} must have shape {layout} ({ndim}-D), got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got a NaN or infinite entry")
    return array if array.dtype.kind == "f" else array.astype(np.float64)


def _inputs(inputs: Any) -> np.ndarray:
    """Return the batch of input sequences, shape (batch, time, input_size), time >= 1."""
    array = _array("inputs", inputs, 3, "(batch, time, input_size)")
    if array.shape[1] == 0:
        raise ValueError(f"inputs must hold at least one time step, got shape {array.shape}")
    return array


def _weights(weights: Any, input_size: int, gates: int,
             source: str = "inputs") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (kernel, recurrent_kernel, bias) after checking their shapes against each other.

    ``weights`` is a dict with the keys of WEIGHT_NAMES or a sequence of three arrays in that order
    (what ``layer.get_weights()`` returns). ``gates`` is 1 for the RNN and 4 for the LSTM;
    ``input_size`` is the last dimension of the argument ``source`` (named when they disagree).
    """
    if isinstance(weights, Mapping):
        missing = [k for k in WEIGHT_NAMES if k not in weights]
        if missing:
            raise ValueError(f"weights needs the keys {WEIGHT_NAMES}, missing {missing}")
        weights = [weights[k] for k in WEIGHT_NAMES]
    elif isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence) or len(weights) != 3:
        raise TypeError(f"weights must be a dict with keys {WEIGHT_NAMES} or a list of 3 arrays "
                        f"(layer.get_weights()), got {_show(weights)}")
    g = "" if gates == 1 else f"{gates} * "
    recurrent = _array("recurrent_kernel", weights[1], 2, f"(hidden_size, {g}hidden_size)")
    hidden = recurrent.shape[0]
    expected = {"kernel": (input_size, gates * hidden), "recurrent_kernel": (hidden, gates * hidden),
                "bias": (gates * hidden,)}
    layouts = {"kernel": f"(input_size, {g}hidden_size)",
               "recurrent_kernel": f"(hidden_size, {g}hidden_size)", "bias": f"({g}hidden_size,)"}
    arrays = []
    for name, value in zip(WEIGHT_NAMES, weights):
        array = _array(name, value, len(expected[name]), layouts[name])
        if array.shape != expected[name]:
            where = (f" ({source} has {input_size} features)" if name == "kernel" and array.ndim == 2
                     and array.shape[1] == gates * hidden else "")
            raise ValueError(f"{name} must have shape {layouts[name]} = {expected[name]} for "
                             f"input_size={input_size}, hidden_size={hidden}; got {array.shape}{where}")
        arrays.append(array)
    return arrays[0], arrays[1], arrays[2]


def _state(name: str, state: Any, batch: int, hidden: int, dtype) -> np.ndarray:
    """Return an initial state of shape (batch, hidden); None means zeros."""
    if state is None:
        return np.zeros((batch, hidden), dtype=dtype)
    array = _array(name, state, 2, "(batch, hidden_size)")
    if array.shape != (batch, hidden):
        raise ValueError(f"{name} must have shape (batch, hidden_size) = {(batch, hidden)}, got {array.shape}")
    return array


def init_rnn_weights(input_size: int, hidden_size: int, *, scale: float = 1.0, gates: int = 1,
                     seed: int = 0) -> dict[str, np.ndarray]:
    """Return float64 weights {kernel, recurrent_kernel, bias} drawn from N(0, 1/fan_in).

    kernel ~ N(0, 1/input_size), recurrent_kernel ~ N(0, scale²/hidden_size), bias = 0. With
    gates=1 (RNN) the eigenvalues of U fill a disc of radius about ``scale``, which sets whether
    gradients shrink (scale < 1) or can grow (scale > 1) going back in time. gates=4: LSTM shapes.
    """
    input_size = check_int("input_size", input_size, minimum=1, maximum=MAX_WIDTH)
    hidden_size = check_int("hidden_size", hidden_size, minimum=1, maximum=MAX_WIDTH)
    scale = check_float("scale", scale, minimum=0.0)
    gates = check_int("gates", gates, minimum=1, maximum=4)
    check_elements("hidden_size", (max(input_size, hidden_size), gates * hidden_size))
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    return {"kernel": rng.normal(0, input_size ** -0.5, (input_size, gates * hidden_size)),
            "recurrent_kernel": rng.normal(0, scale * hidden_size ** -0.5,
                                           (hidden_size, gates * hidden_size)),
            "bias": np.zeros(gates * hidden_size)}


# ------------------------------------------------------------------------------ vanilla RNN
def rnn_step(x_t: np.ndarray, h_prev: np.ndarray, weights: Any) -> np.ndarray:
    """Return h_t = tanh(x_t W + h_{t-1} U + b), shape (batch, hidden_size), for one time step."""
    x_t = _array("x_t", x_t, 2, "(batch, input_size)")
    kernel, recurrent, bias = _weights(weights, x_t.shape[1], 1, "x_t")
    h_prev = _state("h_prev", h_prev, x_t.shape[0], recurrent.shape[0], x_t.dtype)
    return np.tanh(x_t @ kernel + h_prev @ recurrent + bias)


def rnn_forward(inputs: Any, weights: Any, initial_state: Any = None) -> np.ndarray:
    """Return the hidden states h_1 ... h_T, shape (batch, time, hidden_size).

    h_t = tanh(x_t W + h_{t-1} U + b) with h_0 = ``initial_state`` (zeros by default); the final
    state h_T is ``outputs[:, -1]``. Equal to ``keras.layers.SimpleRNN(return_sequences=True)``.
    """
    inputs = _inputs(inputs)  # (batch, time, input_size)
    kernel, recurrent, bias = _weights(weights, inputs.shape[2], 1, "inputs")
    batch, steps, _ = inputs.shape
    h = _state("initial_state", initial_state, batch, recurrent.shape[0], inputs.dtype)
    return _rnn_forward(inputs, kernel, recurrent, bias, h)


def _rnn_forward(inputs, kernel, recurrent, bias, h) -> np.ndarray:
    """Return h_1 ... h_T for checked arrays (the kernel of rnn_forward; train_recall_sgd calls it)."""
    steps = inputs.shape[1]
    projected = inputs @ kernel + bias  # (batch, time, hidden): x_t W + b for every t at once
    outputs = np.empty(projected.shape, dtype=np.result_type(projected, h))
    for t in range(steps):
        h = np.tanh(projected[:, t] + h @ recurrent)  # (batch, hidden)
        outputs[:, t] = h
    return outputs


def rnn_backward(inputs: Any, weights: Any, outputs: Any, grad_outputs: Any,
                 initial_state: Any = None) -> dict[str, np.ndarray]:
    """Return the gradients of a loss L by backpropagation through time (BPTT).

    ``grad_outputs[:, t]`` = ∂L/∂h_t from the layers above (zeros where h_t is not used);
    ``outputs`` are the states from :func:`rnn_forward`. Going backwards from t = T, with
    δ_t = ∂L/∂h_t + (∂L/∂h_{t+1} through h_{t+1}) and a_t the pre-activation:
        ∂L/∂a_t = δ_t ⊙ (1 - h_t²),  ∂L/∂W += x_tᵀ ∂L/∂a_t,  ∂L/∂U += h_{t-1}ᵀ ∂L/∂a_t,
        ∂L/∂b += Σ_batch ∂L/∂a_t,    ∂L/∂x_t = ∂L/∂a_t Wᵀ,   δ_{t-1} gets ∂L/∂a_t Uᵀ.
    Keys: kernel, recurrent_kernel, bias, inputs (batch, time, input_size), initial_state.
    """
    inputs = _inputs(inputs)
    kernel, recurrent, _ = _weights(weights, inputs.shape[2], 1, "inputs")
    batch, steps, _ = inputs.shape
    hidden = recurrent.shape[0]
    outputs = _array("outputs", outputs, 3, "(batch, time, hidden_size)")
    grad_outputs = _array("grad_outputs", grad_outputs, 3, "(batch, time, hidden_size)")
    for name, array in (("outputs", outputs), ("grad_outputs", grad_outputs)):
        if array.shape != (batch, steps, hidden):
            raise ValueError(f"{name} must have shape (batch, time, hidden_size) = "
                             f"{(batch, steps, hidden)}, got {array.shape}")
    h0 = _state("initial_state", initial_state, batch, hidden, inputs.dtype)
    return _rnn_backward(inputs, kernel, recurrent, outputs, grad_outputs, h0)


def _rnn_backward(inputs, kernel, recurrent, outputs, grad_outputs, h0) -> dict[str, np.ndarray]:
    """Return BPTT's gradients for checked arrays (the kernel of rnn_backward; an overflowed run may hold inf)."""
    batch, steps, _ = inputs.shape
    hidden = recurrent.shape[0]
    grads = {"kernel": np.zeros_like(kernel), "recurrent_kernel": np.zeros_like(recurrent),
             "bias": np.zeros(hidden, dtype=kernel.dtype), "inputs": np.zeros_like(inputs)}
    delta = np.zeros((batch, hidden), dtype=outputs.dtype)  # ∂L/∂h_t arriving from step t+1
    for t in reversed(range(steps)):
        h_prev = outputs[:, t - 1] if t > 0 else h0
        grad_a = (grad_outputs[:, t] + delta) * (1.0 - outputs[:, t] ** 2)  # (batch, hidden)
        grads["kernel"] += inputs[:, t].T @ grad_a
        grads["recurrent_kernel"] += h_prev.T @ grad_a
        grads["bias"] += grad_a.sum(axis=0)
        grads["inputs"][:, t] = grad_a @ kernel.T
        delta = grad_a @ recurrent.T
    grads["initial_state"] = delta
    return grads


def clip_by_global_norm(grads: Any, max_norm: float) -> tuple[Any, float]:
    """Return (clipped grads, global norm before clipping): g ← g · min(1, max_norm / ‖g‖).

    ‖g‖ = sqrt(Σ_i ‖g_i‖²) over every array of ``grads`` (a dict or list of arrays), so all
    gradients shrink by the same factor and keep their direction (as ``tf.clip_by_global_norm``).
    """
    max_norm = check_float("max_norm", max_norm, minimum=0.0, min_inclusive=False)
    if isinstance(grads, Mapping):
        names, arrays = list(grads), list(grads.values())
    elif isinstance(grads, (list, tuple)):
        names, arrays = None, list(grads)
    else:
        raise TypeError(f"grads must be a dict or list of arrays, got {type(grads).__name__}")
    if not arrays:
        raise ValueError("grads must hold at least one gradient array, got an empty "
                         f"{type(grads).__name__}")
    labels = [f"grads[{k!r}]" for k in names] if names is not None else [f"grads[{i}]" for i in range(len(arrays))]
    arrays = [check_array(label, g) for label, g in zip(labels, arrays)]  # finite real numbers: a NaN is refused
    return _clip(arrays, names, max_norm)


def _clip(arrays: list, names: list | None, max_norm: float) -> tuple[Any, float]:
    """Return clip_by_global_norm's result for checked float arrays (the kernel train_recall_sgd calls)."""
    norm = float(np.sqrt(sum(np.sum(np.square(g, dtype=np.float64)) for g in arrays)))
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    clipped = [g * factor for g in arrays]
    return (dict(zip(names, clipped)) if names is not None else clipped), norm


def train_recall_sgd(clip_norm: float | None, *, steps: int = 300, learning_rate: float = 0.3,
                     length: int = 10, hidden_size: int = 32, scale: float = 2.0,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return (losses, gradient norms) per step of plain SGD on "output the first of ``length`` inputs".

    Each step draws 64 sequences of N(0, 1) numbers; the RNN (``init_rnn_weights(scale=scale)``)
    reads them and a linear readout v of h_T must return the first number, with the squared error
    L = mean((h_T v - x_1)²) (answering 0 scores 1.0). The gradients of BPTT are clipped to the
    global norm ``clip_norm`` (None: plain SGD) and applied with ``learning_rate``; the norms are
    those before clipping. Overflow is possible without clipping: that is the point.
    """
    if clip_norm is not None:
        clip_norm = check_float("clip_norm", clip_norm, minimum=0.0, min_inclusive=False)
    steps = check_int("steps", steps, minimum=1, maximum=MAX_STEPS_SGD)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, min_inclusive=False)
    length = check_int("length", length, minimum=1, maximum=MAX_LENGTH_SGD)
    check_int("hidden_size", hidden_size, minimum=1, maximum=MAX_HIDDEN_SGD)
    weights = init_rnn_weights(1, hidden_size, scale=scale, seed=seed)
    weights["readout"] = np.random.default_rng(seed + 1).normal(0, hidden_size ** -0.5, hidden_size)
    data, losses, norms = np.random.default_rng(seed), [], []
    h0 = np.zeros((64, hidden_size))
    for _ in range(steps):  # the kernels, unchecked: without clipping the weights may overflow, as shown
        x = data.normal(size=(64, length, 1))  # (batch, time, 1)
        states = _rnn_forward(x, weights["kernel"], weights["recurrent_kernel"], weights["bias"], h0)  # (64, length, hidden)
        error = states[:, -1] @ weights["readout"] - x[:, 0, 0]  # (64,)
        grad_states = np.zeros_like(states)
        grad_states[:, -1] = np.outer(2 * error / 64, weights["readout"])
        grads = {k: v for k, v in _rnn_backward(x, weights["kernel"], weights["recurrent_kernel"], states,
                                                grad_states, h0).items() if k in weights}
        grads["readout"] = states[:, -1].T @ (2 * error / 64)
        norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
        if clip_norm is not None:
            grads, norm = _clip(list(grads.values()), list(grads), clip_norm)
        for name in weights:
            weights[name] -= learning_rate * grads[name]
        losses.append(np.mean(error ** 2))
        norms.append(norm)
    return np.array(losses), np.array(norms)


# -------------------------------------------------------------------------- gradient check
def numerical_gradient(loss_fn: Callable[[], float], array: np.ndarray, *,
                       eps: float = 1e-6) -> np.ndarray:
    """Return the central finite-difference gradient of ``loss_fn()`` with respect to ``array``.

    ∂L/∂θ_j ≈ (L(θ + ε e_j) - L(θ - ε e_j)) / (2ε) for every entry j; ``array`` is changed in
    place while probing and restored. Float64 only: in float32 the rounding error of L, about
    1e-7·|L|, divided by 2ε swamps the difference.
    """
    _check_loss_fn(loss_fn)
    _check_param("array", array)
    eps = check_float("eps", eps, minimum=0.0, maximum=MAX_EPS, min_inclusive=False)
    return _numerical_gradient(loss_fn, array, eps)


MAX_EPS = 0.1  # a larger finite-difference step measures the slope of a chord, not a gradient


def _check_loss_fn(loss_fn: Any) -> float:
    """Return loss_fn() after checking loss_fn is a function of no arguments returning a finite number."""
    check_callable("loss_fn", loss_fn, "a function of no arguments returning the loss")
    try:
        inspect.signature(loss_fn).bind()
    except TypeError as error:
        raise TypeError(f"loss_fn must be callable with no arguments: {error}") from None
    except ValueError:  # a builtin without a signature: call it and see
        pass
    return _loss(loss_fn, "")


def _loss(loss_fn: Callable[[], float], where: str) -> float:
    """Return loss_fn() as a float, raising an error naming loss_fn if it is not a finite number."""
    value = loss_fn()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)) or np.ndim(value) != 0:
        raise TypeError(f"loss_fn must return a number (the loss){where}, got {type(value).__name__} {_show(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"loss_fn returned {value}{where}: the loss must be finite to take its gradient")
    return value


def _check_param(name: str, array: Any) -> None:
    """Raise unless ``array`` is a finite float64 NumPy array small enough to probe entry by entry."""
    if not isinstance(array, np.ndarray) or array.dtype != np.float64:
        got = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
        raise TypeError(f"{name} must be a float64 NumPy array (changed in place), got {got}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got a NaN or infinite entry")
    if array.size > MAX_PROBES:
        raise ValueError(f"{name} has {array.size:,} entries, more than the {MAX_PROBES:,} a finite-difference "
                         f"check probes (two loss_fn calls each): check a slice of a smaller model")


def _numerical_gradient(loss_fn: Callable[[], float], array: np.ndarray, eps: float) -> np.ndarray:
    grad = np.zeros_like(array)
    flat, flat_grad = array.reshape(-1), grad.reshape(-1)  # views: writes reach ``array``
    for j in range(flat.size):
        saved = flat[j]
        try:
            flat[j] = saved + eps
            plus = _loss(loss_fn, f" with entry {j} moved by +eps")
            flat[j] = saved - eps
            minus = _loss(loss_fn, f" with entry {j} moved by -eps")
        finally:
            flat[j] = saved
        flat_grad[j] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic: Any, numeric: Any) -> float:
    """Return ‖a - n‖ / (‖a‖ + ‖n‖) (Euclidean norms; 0 if both are 0): below ~1e-7 means they agree.

    A norm ratio, not a per-entry one: an entry whose gradient is nearly 0 would otherwise report
    a large relative error from finite-difference noise alone.
    """
    a, n = check_array("analytic", analytic), check_array("numeric", numeric)  # NaN fails loudly, never 0.0
    if a.shape != n.shape:
        raise ValueError(f"analytic has shape {a.shape} but numeric has {n.shape}; they must match")
    scale = np.linalg.norm(a) + np.linalg.norm(n)
    return float(np.linalg.norm(a - n) / scale) if scale > 0 else 0.0


def gradient_check(loss_fn: Callable[[], float], params: Mapping[str, np.ndarray],
                   grads: Mapping[str, Any], *, eps: float = 1e-6) -> dict[str, float]:
    """Return {name: relative error} between ``grads[name]`` and the finite-difference gradient.

    ``params`` maps names to the float64 arrays ``loss_fn()`` reads (probed in place). A NaN or
    infinite gradient or loss is an error, never a match.
    """
    for name, value in (("params", params), ("grads", grads)):
        if not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a dict name -> array, got {type(value).__name__} {_show(value)}")
    if not params:
        raise ValueError("params must name at least one array to check, got an empty dict")
    missing = [name for name in params if name not in grads]
    if missing:
        raise ValueError(f"grads has no entry for {missing}: give an analytic gradient for every param")
    analytic = {}
    for name, array in params.items():
        _check_param(f"params[{name!r}]", array)
        analytic[name] = check_array(f"grads[{name!r}]", grads[name])
        if analytic[name].shape != array.shape:
            raise ValueError(f"grads[{name!r}] has shape {analytic[name].shape} but params[{name!r}] has "
                             f"{array.shape}; they must match")
    _check_loss_fn(loss_fn)
    eps = check_float("eps", eps, minimum=0.0, maximum=MAX_EPS, min_inclusive=False)
    return {name: relative_error(analytic[name], _numerical_gradient(loss_fn, array, eps))
            for name, array in params.items()}


# ------------------------------------------------------------------------------------ LSTM
def lstm_step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
              weights: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return (h_t, c_t), each (batch, hidden_size), after one LSTM step.

    z = x_t W + h_{t-1} U + b is cut into four blocks in Keras's order i, f, c, o:
        i_t = σ(z_i)   f_t = σ(z_f)   c̃_t = tanh(z_c)   o_t = σ(z_o)
        c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t        h_t = o_t ⊙ tanh(c_t)
    """
    x_t = _array("x_t", x_t, 2, "(batch, input_size)")
    kernel, recurrent, bias = _weights(weights, x_t.shape[1], 4, "x_t")
    batch, hidden = x_t.shape[0], recurrent.shape[0]
    h_prev = _state("h_prev", h_prev, batch, hidden, x_t.dtype)
    c_prev = _state("c_prev", c_prev, batch, hidden, x_t.dtype)
    return _lstm_cell(x_t @ kernel + bias, h_prev, c_prev, recurrent)


def _lstm_cell(projected_t, h_prev, c_prev, recurrent):
    """Return (h_t, c_t) from x_t W + b (batch, 4 * hidden) and the previous state."""
    z = projected_t + h_prev @ recurrent  # (batch, 4 * hidden)
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)  # each (batch, hidden)
    c = _sigmoid(z_f) * c_prev + _sigmoid(z_i) * np.tanh(z_c)
    return _sigmoid(z_o) * np.tanh(c), c


def lstm_forward(inputs: Any, weights: Any,
                 initial_state: tuple[Any, Any] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (outputs, h_T, c_T): h_1 ... h_T (batch, time, hidden) and the final states.

    Each step is :func:`lstm_step`; h_0 = c_0 = 0 unless ``initial_state`` = (h_0, c_0). Equal to
    ``keras.layers.LSTM(return_sequences=True, return_state=True)`` with the same weights.
    """
    inputs = _inputs(inputs)  # (batch, time, input_size)
    kernel, recurrent, bias = _weights(weights, inputs.shape[2], 4, "inputs")
    batch, steps, _ = inputs.shape
    hidden = recurrent.shape[0]
    if initial_state is not None and (not isinstance(initial_state, (tuple, list)) or len(initial_state) != 2):
        raise TypeError(f"initial_state must be a pair (h_0, c_0), got {_show(initial_state)}")
    h0, c0 = initial_state if initial_state is not None else (None, None)
    h = _state("initial_state[0] (h_0)", h0, batch, hidden, inputs.dtype)
    c = _state("initial_state[1] (c_0)", c0, batch, hidden, inputs.dtype)
    projected = inputs @ kernel + bias  # (batch, time, 4 * hidden)
    outputs = np.empty((batch, steps, hidden), dtype=np.result_type(projected, h))
    for t in range(steps):
        h, c = _lstm_cell(projected[:, t], h, c, recurrent)
        outputs[:, t] = h
    return outputs, h, c
