"""A small Keras language model and a train helper with early stopping, for the regularization notebook.

The model reads a fixed window of ``context`` token ids and outputs logits for the next token
(Bengio et al. 2003's neural language model); ``train`` runs ``model.fit`` with a compact line per
epoch and returns the cross-entropy curves::

    X, y = training.context_windows(ids, context=3)
    model = training.mlp_language_model(vocab_size=len(vocab), context=3, dropout_rate=0.3)
    history = training.train(model, (X, y), (X_valid, y_valid), epochs=20, patience=3)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from lmtutor._validate import check_float, check_int, check_type


def context_windows(ids: Sequence[int], context: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs (N, context), targets (N,)) with inputs[i] = ids[i : i + context], targets[i] = ids[i + context]."""
    context = check_int("context", context, minimum=1)
    array = np.asarray(ids)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise TypeError(f"ids must be a 1-D sequence of int token ids, got shape {array.shape}, dtype {array.dtype}")
    if len(array) <= context:
        raise ValueError(f"ids must hold more than context = {context} tokens, got {len(array)}")
    windows = np.lib.stride_tricks.sliding_window_view(array, context + 1)
    return windows[:, :-1].astype(np.int32), windows[:, -1].astype(np.int32)


@dataclass(frozen=True)
class LMConfig:
    """Sizes and regularization of :func:`mlp_language_model`."""

    vocab_size: int  # number of token ids, also the number of output logits
    context: int = 3  # tokens the model sees before the one it predicts
    embedding_dim: int = 32  # size of each token's vector
    hidden_size: int = 256  # units of the hidden Dense layer
    dropout_rate: float = 0.0  # dropout on the embeddings and the hidden layer (0 = none)
    l2: float = 0.0  # L2 penalty strength λ on the Dense kernels (λ Σ w²)

    def __post_init__(self):
        check_int("vocab_size", self.vocab_size, minimum=2)
        check_int("context", self.context, minimum=1)
        check_int("embedding_dim", self.embedding_dim, minimum=1)
        check_int("hidden_size", self.hidden_size, minimum=1)
        check_float("dropout_rate", self.dropout_rate, minimum=0.0, maximum=1.0, max_inclusive=False)
        check_float("l2", self.l2, minimum=0.0)


def mlp_language_model(vocab_size: int, **options: Any):
    """Return an uncompiled keras Model: ids (B, context) -> logits (B, vocab_size).

    Embedding -> Flatten -> Dropout -> Dense(hidden_size, tanh) -> Dropout -> Dense(vocab_size).
    ``options`` are the other fields of :class:`LMConfig`.
    """
    import keras

    config = LMConfig(vocab_size, **options)
    regularizer = keras.regularizers.L2(config.l2) if config.l2 else None
    ids = keras.Input((config.context,), dtype="int32")                      # (B, context)
    x = keras.layers.Embedding(config.vocab_size, config.embedding_dim)(ids)  # (B, context, E)
    x = keras.layers.Flatten()(x)                                             # (B, context * E)
    if config.dropout_rate:
        x = keras.layers.Dropout(config.dropout_rate)(x)
    x = keras.layers.Dense(config.hidden_size, activation="tanh", kernel_regularizer=regularizer)(x)
    if config.dropout_rate:
        x = keras.layers.Dropout(config.dropout_rate)(x)
    logits = keras.layers.Dense(config.vocab_size, kernel_regularizer=regularizer)(x)  # (B, V)
    return keras.Model(ids, logits)


def train(model, train_data: tuple, valid_data: tuple, *, epochs: int, batch_size: int = 64,
          optimizer: Any = None, patience: int | None = None, log: bool = True,
          jit_compile: bool = False) -> dict:
    """Return {"train_loss", "val_loss", "best_epoch", "best_val_loss", "epochs_run", "seconds"} after fitting.

    Losses are the mean cross-entropy in nats (the L2 penalty excluded; train loss measured on the
    training batches, with dropout on). ``patience`` wires in keras.callbacks.EarlyStopping on
    val_loss, restoring the best weights. ``optimizer`` defaults to Adam(1e-3). With ``log`` one
    line is printed per epoch.
    """
    import keras

    check_int("epochs", epochs, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    check_type("log", log, bool)
    for name, data in (("train_data", train_data), ("valid_data", valid_data)):
        if not isinstance(data, tuple) or len(data) != 2 or len(data[0]) != len(data[1]):
            raise ValueError(f"{name} must be a tuple (inputs, targets) of equal length")
    model.compile(optimizer=optimizer or keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalCrossentropy(name="ce", from_logits=True)],
                  jit_compile=jit_compile)
    callbacks = []
    if patience is not None:
        callbacks.append(keras.callbacks.EarlyStopping(
            monitor="val_ce", patience=check_int("patience", patience, minimum=0), restore_best_weights=True))
    if log:
        callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(
            f"epoch {epoch + 1:2d}: train {logs['ce']:.3f}  valid {logs['val_ce']:.3f}")))
    start = time.perf_counter()
    history = model.fit(*train_data, validation_data=valid_data, epochs=epochs, batch_size=batch_size,
                        callbacks=callbacks, verbose=0, shuffle=True)
    val = [float(v) for v in history.history["val_ce"]]
    best = int(np.argmin(val))
    return {"train_loss": [float(v) for v in history.history["ce"]], "val_loss": val,
            "best_epoch": best, "best_val_loss": val[best], "epochs_run": len(val),
            "seconds": time.perf_counter() - start}


def evaluate(model, data: tuple, batch_size: int = 512) -> float:
    """Return the mean cross-entropy (nats per token) of ``model`` on ``data`` = (inputs, targets), inference mode."""
    logits = model.predict(data[0], batch_size=batch_size, verbose=0)
    from lmtutor.losses import sparse_cross_entropy
    loss = float(sparse_cross_entropy(data[1], logits).mean())
    return loss if math.isfinite(loss) else math.inf
