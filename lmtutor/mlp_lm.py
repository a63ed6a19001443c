"""Notebook 06's MLP language model (Bengio et al. 2003): a fixed window of ids -> the next token.

The model embeds the last ``context`` token ids, concatenates them and maps them through one
hidden layer to logits for the next token; :func:`train` fits it through ``lm.train`` (the one
training loop of the course) with early stopping and returns the cross-entropy curves::

    X, y = mlp_lm.context_windows(ids, context=3)
    model = mlp_lm.mlp_language_model(vocab_size=len(vocab), context=3, dropout_rate=0.3, seed=0)
    history = mlp_lm.train(model, (X, y), (X_valid, y_valid), epochs=20, patience=3)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from lmtutor import lm, text
from lmtutor._validate import (
    MAX_STEPS, MAX_VOCAB, MAX_WIDTH, _show, check_bool, check_elements, check_float, check_ids, check_int, check_type,
)


MAX_CONTEXT = 1_024  # the longest window of ids the MLP reads (its input layer grows with it)


def context_windows(ids: Sequence[int], context: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs (N, context), targets (N,)) with inputs[i] = ids[i : i + context], targets[i] = ids[i + context].

    The windows of ``text.lm_windows(ids, context, stride=1)``, each paired with the token after it.
    """
    context = check_int("context", context, minimum=1, maximum=MAX_CONTEXT)
    if isinstance(ids, (list, tuple)) and any(isinstance(v, (bool, np.bool_)) for v in ids):
        raise TypeError("ids must be a 1-D sequence of int token ids, got a bool inside")  # numpy reads True as 1
    try:
        array = np.asarray(ids)
    except (TypeError, ValueError):
        raise TypeError(f"ids must be a 1-D sequence of int token ids, got {_show(ids)}") from None
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise TypeError(f"ids must be a 1-D sequence of int token ids, got shape {array.shape}, dtype {array.dtype}")
    check_ids("ids", array, MAX_VOCAB, allow_empty=True)  # >= 0 and small enough for the int32 windows
    if len(array) <= context:
        raise ValueError(f"ids must hold more than context = {context} tokens, got {len(array)}")
    inputs, targets = text.lm_windows(array, context, stride=1)
    return inputs.astype(np.int32), targets[:, -1].astype(np.int32)


@dataclass(frozen=True)
class LMConfig:
    """Sizes and regularization of :func:`mlp_language_model`."""

    vocab_size: int  # number of token ids, also the number of output logits
    context: int = 3  # tokens the model sees before the one it predicts
    embedding_dim: int = 32  # size of each token's vector
    hidden_size: int = 256  # units of the hidden Dense layer
    dropout_rate: float = 0.0  # dropout on the embeddings and the hidden layer (0 = none)
    l2: float = 0.0  # L2 penalty strength λ on the Dense kernels (λ Σ w²)
    seed: int = 0  # seeds every initializer and dropout mask (no global seed is set)

    def __post_init__(self):
        check_int("vocab_size", self.vocab_size, minimum=2, maximum=MAX_VOCAB)
        check_int("context", self.context, minimum=1, maximum=MAX_CONTEXT)
        check_int("embedding_dim", self.embedding_dim, minimum=1, maximum=MAX_WIDTH)
        check_int("hidden_size", self.hidden_size, minimum=1, maximum=MAX_WIDTH)
        check_elements("vocab_size", (self.vocab_size, max(self.embedding_dim, self.hidden_size)))
        check_elements("hidden_size", (self.context * self.embedding_dim, self.hidden_size))
        check_float("dropout_rate", self.dropout_rate, minimum=0.0, maximum=1.0, max_inclusive=False)
        check_float("l2", self.l2, minimum=0.0)
        check_int("seed", self.seed, minimum=0)


def mlp_language_model(vocab_size: int, **options: Any):
    """Return an uncompiled keras Model: ids (B, context) -> logits (B, vocab_size).

    Embedding -> Flatten -> Dropout -> Dense(hidden_size, tanh) -> Dropout -> Dense(vocab_size).
    ``options`` are the other fields of :class:`LMConfig`; ``seed`` fixes the initial weights.
    """
    import keras

    config = LMConfig(vocab_size, **options)
    seeds, init = lm.layer_seeds(config.seed), keras.initializers
    regularizer = keras.regularizers.L2(config.l2) if config.l2 else None
    ids = keras.Input((config.context,), dtype="int32")                      # (B, context)
    x = keras.layers.Embedding(config.vocab_size, config.embedding_dim,
                               embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=next(seeds)))(ids)
    x = keras.layers.Flatten()(x)                                             # (B, context * E)
    if config.dropout_rate:
        x = keras.layers.Dropout(config.dropout_rate, seed=next(seeds))(x)
    x = keras.layers.Dense(config.hidden_size, activation="tanh", kernel_regularizer=regularizer,
                           kernel_initializer=init.GlorotUniform(seed=next(seeds)))(x)  # (B, hidden_size)
    if config.dropout_rate:
        x = keras.layers.Dropout(config.dropout_rate, seed=next(seeds))(x)
    logits = keras.layers.Dense(config.vocab_size, kernel_regularizer=regularizer,
                                kernel_initializer=init.GlorotUniform(seed=next(seeds)))(x)  # (B, V)
    return keras.Model(ids, logits)


def train(model, train_data: tuple, valid_data: tuple, *, epochs: int, batch_size: int = 64,
          optimizer: Any = None, patience: int | None = None, log: bool = True,
          jit_compile: bool = False, seed: int = 0) -> dict:
    """Return {"train_loss", "val_loss", "best_epoch", "best_val_loss", "epochs_run", "seconds"} after fitting.

    Compiles ``model`` (Adam(1e-3) unless ``optimizer``; loss and a cross-entropy metric "ce") and
    runs ``lm.train``. Losses are the mean cross-entropy in nats (the L2 penalty excluded; train
    loss measured on the training batches, with dropout on). ``patience`` stops after that many
    epochs without a better validation loss and restores the best weights. With ``log`` one line
    is printed per epoch; ``seed`` orders the examples of each epoch. best_epoch counts from 0.
    """
    import keras

    check_type("model", model, keras.Model)
    if len(model.inputs) != 1 or len(model.outputs[0].shape) != 2:
        raise ValueError(f"model must map a window of ids (batch, context) to logits (batch, vocab_size), as "
                         f"mlp_language_model builds it; got outputs of shape {tuple(model.outputs[0].shape)}")
    for name, data in (("train_data", train_data), ("valid_data", valid_data)):
        _check_data(name, data, model)
    check_int("epochs", epochs, minimum=1, maximum=MAX_STEPS)
    check_int("batch_size", batch_size, minimum=1)
    if optimizer is not None:
        check_type("optimizer", optimizer, keras.optimizers.Optimizer)
    if patience is not None:
        check_int("patience", patience, minimum=0)
    check_bool("log", log)
    check_bool("jit_compile", jit_compile)
    check_int("seed", seed, minimum=0)
    model.compile(optimizer=optimizer or keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalCrossentropy(name="ce", from_logits=True)],
                  jit_compile=jit_compile)
    history = lm.train(model, train_data, valid_data=valid_data, epochs=epochs, batch_size=batch_size,
                       patience=patience, verbose=log, seed=seed, report="ce")
    val = history["val_ce"]
    best = int(np.argmin(val))
    return {"train_loss": history["ce"], "val_loss": val, "best_epoch": best, "best_val_loss": val[best],
            "epochs_run": len(val), "seconds": history["seconds"][-1]}


def _check_data(name: str, data, model) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs (N, context), targets (N,)) of ``data``, ids below the model's vocabulary size."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (inputs, targets) as context_windows returns it, got {_show(data)}")
    size = int(model.outputs[0].shape[-1])
    inputs, targets = check_ids(f"{name} inputs", data[0], size), check_ids(f"{name} targets", data[1], size)
    if len(inputs) != len(targets) or inputs.size == 0:
        raise ValueError(f"{name}: inputs {inputs.shape} and targets {targets.shape} must be non-empty with the "
                         f"same number of examples")
    width = model.inputs[0].shape[1]
    if inputs.ndim != 2 or (width is not None and inputs.shape[1] != width):
        raise ValueError(f"{name} inputs must have shape (N, context) = (N, {width}), got {inputs.shape}")
    if targets.shape != inputs.shape[:1]:
        raise ValueError(f"{name} targets must hold one id per window: shape ({len(inputs)},), got {targets.shape}")
    return inputs.astype(np.int32), targets.astype(np.int32)


def evaluate(model, data: tuple, batch_size: int = 512) -> float:
    """Return the mean cross-entropy (nats per token) of ``model`` on ``data`` = (inputs, targets), inference mode."""
    import keras

    from lmtutor.losses import sparse_cross_entropy

    check_type("model", model, keras.Model)
    inputs, targets = _check_data("data", data, model)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    logits = model.predict(inputs, batch_size=batch_size, verbose=0)
    loss = float(sparse_cross_entropy(targets, logits).mean())
    return loss if math.isfinite(loss) else math.inf
