"""Softmax, cross-entropy and the numbers derived from it, in NumPy, stable for extreme logits.

A language model outputs ``logits`` (one score per vocabulary entry); the loss is the mean
cross-entropy of the true next tokens, and perplexity and bits per token are the same number seen
two other ways::

    loss = losses.sparse_cross_entropy(labels, logits).mean()   # nats per token
    losses.perplexity(loss), losses.bits_per_token(loss)        # exp(loss), loss / ln 2

Every function matches ``keras.losses`` / ``keras.ops`` (tests/test_losses.py is the proof), also
for logits of ±1e4, where the textbook formula exp(z) / Σ exp(z) overflows.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lmtutor._validate import _kinds, _show, check_array, check_axis, check_bool, check_float

KERAS_EPSILON = 1e-7  # keras.config.epsilon(): Keras clips probabilities to [ε, 1 − ε]


def _array(name: str, value: Any, *, min_ndim: int = 1) -> np.ndarray:
    """Return ``value`` as a finite float64 array with at least ``min_ndim`` dimensions."""
    return check_array(name, value, min_ndim=min_ndim)


def _labels(labels: Any, outputs: np.ndarray, outputs_name: str) -> np.ndarray:
    """Return integer ``labels`` of shape outputs.shape[:-1] with every id in [0, vocabulary size).

    Floats that are whole numbers (1.0) count as ids, as in Keras; 1.5, NaN, booleans do not.
    """
    if isinstance(labels, (str, bytes)) or labels is None:
        raise TypeError(f"labels must be integer token ids, got {type(labels).__name__} {_show(labels)}")
    try:
        array = np.asarray(labels)
    except (TypeError, ValueError):
        raise TypeError(f"labels must be integer token ids (an array), got {_show(labels)}") from None
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array) & (array == np.round(array))):
            raise TypeError(f"labels must be integer token ids, got dtype {array.dtype} with a fractional or "
                            f"non-finite entry: {_show(labels)}")
        array = array.astype(np.int64)
    elif array.dtype.kind not in "iu":
        raise TypeError(f"labels must be integer token ids, got dtype {array.dtype}: {_show(labels)}")
    elif isinstance(labels, (list, tuple)) and any(issubclass(t, (bool, np.bool_)) for t in _kinds(labels)):
        raise TypeError(f"labels must be integer token ids, got a bool inside: {_show(labels)}")  # numpy reads True as 1
    if array.shape != outputs.shape[:-1]:
        raise ValueError(f"labels must have shape {outputs.shape[:-1]} ({outputs_name}.shape[:-1]), "
                         f"got {array.shape}")
    vocab_size = outputs.shape[-1]
    if array.size and (array.min() < 0 or array.max() >= vocab_size):
        bad = array[(array < 0) | (array >= vocab_size)].flat[0]
        raise ValueError(f"labels must be ids in [0, {vocab_size}) (the vocabulary size is "
                         f"{outputs_name}.shape[-1] = {vocab_size}), got {bad}")
    return array


def _targets(targets: Any, outputs: np.ndarray, outputs_name: str) -> np.ndarray:
    """Return ``targets`` as a float array with the shape of ``outputs``."""
    array = _array("targets", targets)
    if array.shape != outputs.shape:
        raise ValueError(f"targets must have the shape of {outputs_name} {outputs.shape}, got {array.shape}")
    return array


def softmax(logits: Any, axis: int = -1) -> np.ndarray:
    """Return the probabilities softmax(z)_i = exp(z_i − max z) / Σ_j exp(z_j − max z).

    Subtracting max z changes nothing mathematically (it cancels) but keeps every exponent ≤ 0,
    so no exp overflows; the largest term is exp(0) = 1, so the sum is ≥ 1 and never 0.
    """
    z = _array("logits", logits)
    axis = check_axis("axis", axis, z.ndim)
    if z.shape[axis] == 0:
        raise ValueError(f"logits must have at least one entry along axis {axis}, got shape {z.shape}")
    shifted = z - z.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(logits: Any, axis: int = -1, *, allow_removed: bool = False) -> np.ndarray:
    """Return log softmax(z)_i = (z_i − max z) − log Σ_j exp(z_j − max z) (the log-sum-exp trick).

    Finite for any finite logits: log(softmax(z)) would give log(0) = −inf where a probability
    underflows to 0. With ``allow_removed`` an entry may be −inf (a token removed by top-k, top-p
    or a ban, as in ``decoding``): it stays −inf; NaN, +inf and a row with no finite entry still
    raise.
    """
    if not check_bool("allow_removed", allow_removed):
        z = _array("logits", logits)
        axis = check_axis("axis", axis, z.ndim)
    else:
        z = check_array("logits", logits, min_ndim=1, allow_minus_inf=True)
        axis = check_axis("axis", axis, z.ndim)
        if not np.isfinite(z).any(axis=axis).all():
            raise ValueError("logits has a row with no finite entry: every token was removed")
    if z.shape[axis] == 0:
        raise ValueError(f"logits must have at least one entry along axis {axis}, got shape {z.shape}")
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def sigmoid(z: Any) -> np.ndarray:
    """Return σ(z) = 1 / (1 + e^−z), computed as (1 + tanh(z / 2)) / 2 so no exp overflows.

    The logistic function of the LSTM's gates (notebook 04) and of skip-gram's loss (notebook 02);
    the training loops call the unchecked kernel ``_sigmoid`` on arrays they made themselves.
    """
    return _sigmoid(check_array("z", z))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Return σ(z) for a float array ``z`` used as given (no copy, no check: training loops call it)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def sparse_cross_entropy(labels: Any, logits: Any) -> np.ndarray:
    """Return the per-example loss −log softmax(z)_y for integer ``labels`` y (shape logits.shape[:-1]).

    Equals ``keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)``.
    """
    z = _array("logits", logits)
    y = _labels(labels, z, "logits")
    return -np.take_along_axis(log_softmax(z), y[..., None], axis=-1)[..., 0]


def sparse_cross_entropy_from_probs(labels: Any, probs: Any, epsilon: float = KERAS_EPSILON) -> np.ndarray:
    """Return the per-example loss −log p_y, with p clipped to [ε, 1 − ε] and renormalised as Keras does.

    Equals ``keras.losses.sparse_categorical_crossentropy(labels, probs, from_logits=False)``:
    −log(clip(p)_y / Σ_i clip(p)_i). ``epsilon=0`` gives the exact −log p_y (inf where p_y = 0).
    """
    p = _probs(probs)
    y = _labels(labels, p, "probs")
    epsilon = _epsilon(epsilon)
    if epsilon:
        p = np.clip(p, epsilon, 1 - epsilon)
        p = p / p.sum(axis=-1, keepdims=True)
    p_y = np.take_along_axis(p, y[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore"):
        return -np.log(p_y)


def cross_entropy(targets: Any, logits: Any) -> np.ndarray:
    """Return the per-example loss −Σ_i t_i log softmax(z)_i for one-hot (or soft) ``targets`` t.

    Equals ``keras.losses.categorical_crossentropy(targets, logits, from_logits=True)``.
    """
    z = _array("logits", logits)
    t = _targets(targets, z, "logits")
    return -(t * log_softmax(z)).sum(axis=-1)


def cross_entropy_from_probs(targets: Any, probs: Any, epsilon: float = KERAS_EPSILON) -> np.ndarray:
    """Return the per-example loss −Σ_i t_i log p_i, with p clipped to [ε, 1 − ε] as Keras does.

    Equals ``keras.losses.categorical_crossentropy(targets, probs, from_logits=False)``.
    """
    p = _probs(probs)
    t = _targets(targets, p, "probs")
    epsilon = _epsilon(epsilon)
    with np.errstate(divide="ignore"):
        logs = np.log(np.clip(p, epsilon, 1 - epsilon) if epsilon else p)
    return -(t * np.where(t == 0, 0.0, logs)).sum(axis=-1)


def _epsilon(epsilon: Any) -> float:
    """Return the clipping ε after checking 0 <= ε < 0.5 (clip(p, ε, 1 − ε) needs ε < 1 − ε)."""
    return check_float("epsilon", epsilon, minimum=0.0, maximum=0.5, max_inclusive=False)


def _probs(probs: Any) -> np.ndarray:
    """Return ``probs`` as an array after checking it is a probability distribution on the last axis."""
    p = _array("probs", probs)
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError("probs must lie in [0, 1]: did you pass logits? Use the function without "
                         "_from_probs for logits")
    sums = p.sum(axis=-1)
    if not np.allclose(sums, 1.0, atol=1e-4):
        raise ValueError(f"probs must sum to 1 along the last axis, got sums like {sums.flat[0]:.6g}")
    return p


def mse(targets: Any, predictions: Any) -> np.ndarray:
    """Return the per-example mean squared error (1/K) Σ_i (t_i − ŷ_i)² over the last axis.

    Equals ``keras.losses.mean_squared_error(targets, predictions)``.
    """
    pred = _array("predictions", predictions)
    t = _targets(targets, pred, "predictions")
    return ((t - pred) ** 2).mean(axis=-1)


def cross_entropy_grad(labels: Any, logits: Any) -> np.ndarray:
    """Return ∂ CE / ∂ z = softmax(z) − onehot(y), the gradient of :func:`sparse_cross_entropy`."""
    z = _array("logits", logits)
    y = _labels(labels, z, "logits")
    grad = softmax(z)
    np.put_along_axis(grad, y[..., None], np.take_along_axis(grad, y[..., None], -1) - 1, axis=-1)
    return grad


def mse_on_probs_grad(labels: Any, logits: Any) -> np.ndarray:
    """Return ∂ MSE(onehot(y), softmax(z)) / ∂ z = J_softmaxᵀ · 2(p − t)/K, with J = diag(p) − p pᵀ.

    Per entry: ∂/∂z_j = (2/K) p_j ((p_j − t_j) − Σ_i p_i (p_i − t_i)). When the model is
    confidently wrong (p_y ≈ 0), every term carries a factor p that is ≈ 0: the gradient vanishes.
    """
    z = _array("logits", logits)
    y = _labels(labels, z, "logits")
    p = softmax(z)
    t = np.zeros_like(p)
    np.put_along_axis(t, y[..., None], 1.0, axis=-1)
    d = 2 * (p - t) / p.shape[-1]
    return p * (d - (p * d).sum(axis=-1, keepdims=True))


def perplexity(mean_loss: float) -> float:
    """Return the perplexity exp(L) of a mean cross-entropy L in nats per token."""
    loss = check_float("mean_loss", mean_loss, minimum=0.0)
    return math.exp(loss) if loss < 700 else math.inf


def bits_per_token(mean_loss: float) -> float:
    """Return L / ln 2, a mean cross-entropy L in nats converted to bits per token (= log2 perplexity)."""
    return check_float("mean_loss", mean_loss, minimum=0.0) / math.log(2)
