"""Regularization in NumPy: inverted dropout, the L2 penalty, decoupled weight decay, early stopping.

Dropout acts on activations (not parameters), during training only, and rescales the survivors so
the expected activation is unchanged; an L2 penalty adds to the loss, weight decay shrinks the
parameters directly; early stopping watches the validation loss::

    h_train = regularization.dropout(h, rate=0.5, training=True, seed=0)   # zeros, survivors × 2
    loss = data_loss + regularization.l2_penalty(weights, strength=1e-4)
    stopper = regularization.EarlyStopping(patience=3)                  # stopper.update(val_loss)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from lmtutor._validate import _show, check_array, check_bool, check_elements, check_float, check_int


def _array(name: str, value: Any) -> np.ndarray:
    """Return ``value`` as a new finite float64 array, raising TypeError/ValueError naming ``name``."""
    return check_array(name, value, copy=True)


def _rate(rate: Any) -> float:
    return check_float("rate", rate, minimum=0.0, maximum=1.0, max_inclusive=False)


def dropout_mask(shape: Any, rate: float, seed: int | np.random.Generator = 0) -> np.ndarray:
    """Return a 0/1 float mask of ``shape`` with m_i ~ Bernoulli(1 − rate): each unit kept with probability 1 − p."""
    shape = _shape(shape)
    p = _rate(rate)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(
        check_int("seed", seed, minimum=0))
    return (rng.random(shape) >= p).astype(np.float64)


def _shape(shape: Any) -> tuple[int, ...]:
    """Return ``shape`` (an int or a sequence of ints >= 0) as a tuple, within lmtutor's size limit."""
    if isinstance(shape, (numbers.Integral, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be an int or a tuple of ints, got {type(shape).__name__} {_show(shape)}")
    dims = tuple(check_int(f"shape[{i}]", n, minimum=0) for i, n in enumerate(shape))
    check_elements("shape", dims)
    return dims


def dropout(activations: Any, rate: float, *, training: bool, seed: int | np.random.Generator = 0) -> np.ndarray:
    """Return inverted dropout of the activations h: training h̃ = m ⊙ h / (1 − p), inference h̃ = h.

    m_i ~ Bernoulli(1 − p), so E[h̃_i] = (1 − p) · h_i / (1 − p) = h_i: the expected activation is
    unchanged, and nothing needs rescaling at inference. As keras.layers.Dropout(rate).
    """
    h = _array("activations", activations)
    p = _rate(rate)
    if not check_bool("training", training) or p == 0.0:
        return h
    return dropout_mask(h.shape, p, seed) * h / (1 - p)


def l2_penalty(params: Any, strength: float) -> float:
    """Return the L2 penalty λ Σ θ² over ``params`` (an array or a list of arrays), as keras.regularizers.L2(λ)."""
    lam = check_float("strength", strength, minimum=0.0)
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("params must hold at least one array, got an empty list")
        arrays = [check_array(f"params[{i}]", a) for i, a in enumerate(params)]
    else:
        arrays = [check_array("params", params)]
    return lam * float(sum(np.sum(a ** 2) for a in arrays))


def l2_grad(params: Any, strength: float) -> np.ndarray:
    """Return ∂/∂θ of λ Σ θ², which is 2 λ θ: a pull towards 0 added to the data gradient."""
    lam = check_float("strength", strength, minimum=0.0)
    return 2 * lam * _array("params", params)


def decoupled_weight_decay(params: Any, learning_rate: float, weight_decay: float) -> np.ndarray:
    """Return θ − α λ θ: weight decay applied to the parameters directly, outside the optimizer's moments.

    With plain SGD this equals an L2 penalty of strength λ/2; with Adam it does not, because Adam
    divides the penalty's gradient 2 λ θ by √v̂ (Loshchilov & Hutter 2019). As Keras's ``weight_decay``.
    """
    lr = check_float("learning_rate", learning_rate, minimum=0.0, min_inclusive=False)
    wd = check_float("weight_decay", weight_decay, minimum=0.0)
    theta = _array("params", params)
    return theta - lr * wd * theta


class EarlyStopping:
    """Tracks validation losses; ``update(loss)`` returns True when training should stop.

    Stops after ``patience`` epochs in a row without improving the best loss by more than
    ``min_delta``; ``best_epoch`` (0-based) and ``best_loss`` say which epoch's weights to keep.
    The same rule as keras.callbacks.EarlyStopping(monitor="val_loss", patience, min_delta).
    """

    def __init__(self, patience: int = 3, min_delta: float = 0.0):
        self.patience = check_int("patience", patience, minimum=0)
        self.min_delta = check_float("min_delta", min_delta, minimum=0.0)
        self.best_loss = math.inf
        self.best_epoch = -1
        self.epoch = -1  # the epoch of the last update
        self.wait = 0  # epochs since the last improvement

    def update(self, loss: float) -> bool:
        """Return True when the run should stop, after recording this epoch's validation ``loss``."""
        loss = check_float("loss", loss)
        self.epoch += 1
        if loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.wait = loss, self.epoch, 0
            return False
        self.wait += 1
        return self.wait >= self.patience

    def stop_epoch(self, losses: Any) -> int:
        """Return the 0-based epoch at which a fresh run over ``losses`` would stop (the last one if never)."""
        if isinstance(losses, (str, bytes)) or not isinstance(losses, (list, tuple, np.ndarray)):
            raise TypeError(f"losses must be a list of validation losses, got {type(losses).__name__} {_show(losses)}")
        values = check_array("losses", losses, ndim=1, allow_empty=False).tolist()
        fresh = EarlyStopping(self.patience, self.min_delta)
        for epoch, loss in enumerate(values):
            if fresh.update(loss):
                return epoch
        return len(values) - 1
