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
from lmtutor._validate import check_float, check_int, check_type


def context_windows(ids: Sequence[int], context: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs (N, context), targets (N,)) with inputs[i] = ids[i : i + context], targets[i] = ids[i + context].

    The windows of ``text.lm_windows(ids, context, stride=1)``, each paired with the token after it.
    """
    context = check_int("context", context, minimum=1)
    array = np.asarray(ids)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise TypeError(f"ids must be a 1-D sequence of int token ids, got shape {array.shape}, dtype {array.dtype}")
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
        check_int("vocab_size", self.vocab_size, minimum=2)
        check_int("context", self.context, minimum=1)
        check_int("embedding_dim", self.embedding_dim, minimum=1)
        check_int("hidden_size", self.hidden_size, minimum=1)
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
    check_type("log", log, bool)
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


def evaluate(model, data: tuple, batch_size: int = 512) -> float:
    """Return the mean cross-entropy (nats per token) of ``model`` on ``data`` = (inputs, targets), inference mode."""
    from lmtutor.losses import sparse_cross_entropy

    logits = model.predict(data[0], batch_size=batch_size, verbose=0)
    loss = float(sparse_cross_entropy(data[1], logits).mean())
    return loss if math.isfinite(loss) else math.inf
