"""Long-range memory in recurrent networks: a recall task, gate initialisation, gradient flow.

Notebook 04 asks how far back an RNN and an LSTM can carry information. The task: read a symbol,
then ``gap`` distractors, and name the symbol at the end. Whether an LSTM learns it in seconds
depends on where its gates start (Keras's default forget bias of 1, or the chrono initialisation
of Tallec & Ollivier 2018), which :func:`input_gradient_norms` shows before any training::

    inputs, targets = recall_data(4096, gap=100)
    model = build_recall_model("lstm", init="chrono", max_gap=200)
    model.fit(inputs, targets, epochs=2)
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from lmtutor import lm
from lmtutor._validate import (
    MAX_STEPS, MAX_WIDTH, check_array, check_choice, check_elements, check_float, check_int, check_type,
)

MAX_SYMBOLS = 100_000  # symbols of the recall task (ids up to 2 * MAX_SYMBOLS fit int32 many times over)
MAX_GAP = 100_000  # distractors between the symbol and the answer
VARIANTS = {"rnn": ("rnn", "default"), "lstm": ("lstm", "default"), "lstm chrono": ("lstm", "chrono")}


def recall_data(num_examples: int, gap: int, *, num_symbols: int = 8,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs (examples, gap + 1), targets (examples,)) for "recall the first token".

    inputs[:, 0] is a symbol in 1..num_symbols, followed by ``gap`` distractor ids drawn from
    num_symbols+1 .. 2*num_symbols; the target is the first symbol minus 1 (a class in
    0..num_symbols-1), seen ``gap`` steps before the end. Chance accuracy is 1 / num_symbols.
    """
    num_examples = check_int("num_examples", num_examples, minimum=1)
    gap = check_int("gap", gap, minimum=1, maximum=MAX_GAP)
    num_symbols = check_int("num_symbols", num_symbols, minimum=2, maximum=MAX_SYMBOLS)
    check_elements("num_examples", (num_examples, gap + 1))
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    first = rng.integers(1, num_symbols + 1, size=num_examples)
    noise = rng.integers(num_symbols + 1, 2 * num_symbols + 1, size=(num_examples, gap))
    return np.concatenate([first[:, None], noise], axis=1).astype(np.int32), first - 1


def chrono_bias(hidden_size: int, max_gap: int, *, seed: int = 0) -> np.ndarray:
    """Return an LSTM bias (4 * hidden_size,) in Keras's gate order i, f, c, o, chrono-initialised.

    b_f = ln u with u ~ Uniform(1, max_gap - 1) per unit, b_i = -b_f, b_c = b_o = 0 (Tallec &
    Ollivier 2018). With a constant input a unit then forgets with time constant about
    1 / (1 - σ(b_f)) = 1 + u steps, so the units cover memories of 1 to max_gap steps; Keras's default
    (b_f = 1, σ(1) = 0.73) keeps 0.73^k of the cell after k steps.
    """
    hidden_size = check_int("hidden_size", hidden_size, minimum=1, maximum=MAX_WIDTH)
    max_gap = check_int("max_gap", max_gap, minimum=3, maximum=MAX_GAP)
    forget = np.log(np.random.default_rng(check_int("seed", seed, minimum=0)).uniform(1, max_gap - 1, hidden_size))
    zeros = np.zeros(hidden_size)
    return np.concatenate([-forget, forget, zeros, zeros])


def build_recall_model(cell: str, *, init: str = "default", max_gap: int = 200, num_symbols: int = 8,
                       hidden_size: int = 32, learning_rate: float = 0.01, seed: int = 0) -> keras.Model:
    """Return a compiled classifier ids -> Embedding -> SimpleRNN or LSTM -> logits (num_symbols).

    Only the final state h_T is read: to answer, the network must carry the first symbol through
    every step of the gap. ``init="chrono"`` (LSTM only) replaces Keras's default gate biases with
    :func:`chrono_bias` for ``max_gap``. Adam with the global gradient norm clipped at 1.
    """
    check_choice("cell", cell, ("rnn", "lstm"))
    check_choice("init", init, ("default", "chrono"))
    if init == "chrono" and cell != "lstm":
        raise ValueError("init='chrono' sets LSTM gate biases: use it with cell='lstm', got cell='rnn'")
    max_gap = check_int("max_gap", max_gap, minimum=3, maximum=MAX_GAP)
    num_symbols = check_int("num_symbols", num_symbols, minimum=2, maximum=MAX_SYMBOLS)
    hidden_size = check_int("hidden_size", hidden_size, minimum=1, maximum=MAX_WIDTH)
    rate = check_float("learning_rate", learning_rate, minimum=0.0, min_inclusive=False)
    seeds, initializers = lm.layer_seeds(check_int("seed", seed, minimum=0)), keras.initializers
    layer = (keras.layers.SimpleRNN if cell == "rnn" else keras.layers.LSTM)(
        hidden_size, name="recurrent", kernel_initializer=initializers.GlorotUniform(seed=next(seeds)),
        recurrent_initializer=initializers.Orthogonal(seed=next(seeds)), seed=next(seeds))
    model = keras.Sequential([
        keras.Input((None,), dtype="int32"),
        keras.layers.Embedding(2 * num_symbols + 1, 16, name="embedding",
                               embeddings_initializer=initializers.RandomUniform(-0.05, 0.05, seed=next(seeds))),
        layer,
        keras.layers.Dense(num_symbols, name="logits", kernel_initializer=initializers.GlorotUniform(seed=next(seeds))),
    ], name=f"recall_{cell}_{init}")
    if init == "chrono":
        kernel, recurrent, _ = layer.get_weights()
        layer.set_weights([kernel, recurrent, chrono_bias(hidden_size, max_gap, seed=seed)])
    model.compile(optimizer=keras.optimizers.Adam(rate, global_clipnorm=1.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def recall_accuracy(variant: str, gap: int, *, epochs: int = 2, num_examples: int = 4096,
                    batch_size: int = 64, seed: int = 0, **options: Any) -> list[float]:
    """Return the validation accuracy after each epoch of training ``variant`` on gap ``gap``.

    ``variant`` is a key of VARIANTS ("rnn", "lstm", "lstm chrono"); training and validation
    sets (1,024 examples) are drawn with different seeds; ``options`` go to build_recall_model.
    """
    check_choice("variant", variant, VARIANTS)
    epochs = check_int("epochs", epochs, minimum=1, maximum=MAX_STEPS)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    for name in ("cell", "init"):
        if name in options:
            raise TypeError(f"options must not set {name}: variant {variant!r} sets it (one of {list(VARIANTS)})")
    cell, init = VARIANTS[variant]
    inputs, targets = recall_data(num_examples, gap, seed=seed)
    valid_inputs, valid_targets = recall_data(1024, gap, seed=seed + 1)
    model = build_recall_model(cell, init=init, seed=seed, **options)
    accuracies, rng = [], np.random.default_rng(seed)  # the loop orders the examples itself: no global seed
    for _ in range(epochs):
        order = rng.permutation(len(inputs))
        model.fit(inputs[order], targets[order], batch_size=batch_size,
                  epochs=1, shuffle=False, verbose=0)
        predicted = np.asarray(model(valid_inputs, training=False)).argmax(axis=1)  # no retracing per gap
        accuracies.append(float(np.mean(predicted == valid_targets)))
    return accuracies


def input_gradient_norms(layer: Any, inputs: Any) -> np.ndarray:
    """Return ‖∂L/∂x_{T-k}‖ for k = 0 .. T-1 (mean over the batch), where L reads only h_T.

    L = h_T · r with r a fixed unit-length vector (1/√hidden in every unit), as in notebook 03, and
    the gradient is taken by ``tf.GradientTape`` through the Keras recurrent ``layer`` (SimpleRNN or
    LSTM, built on inputs of this width). Index k counts steps back from the last input.
    """
    import tensorflow as tf

    check_type("layer", layer, keras.layers.Layer)
    if not isinstance(layer, (keras.layers.SimpleRNN, keras.layers.LSTM, keras.layers.GRU, keras.layers.RNN)):
        raise TypeError(f"layer must be a Keras recurrent layer (SimpleRNN or LSTM), got {type(layer).__name__}")
    x = check_array("inputs", inputs).astype(np.float32)
    if x.ndim != 3 or x.shape[1] < 1:
        raise ValueError(f"inputs must have shape (batch, time, input_size) with time >= 1, got {x.shape}")
    x = tf.Variable(x)
    with tf.GradientTape() as tape:
        final = layer(x)  # (batch, hidden): return_sequences=False gives h_T only
        if isinstance(final, (list, tuple)):  # return_state=True: the output comes first
            final = final[0]
        if len(final.shape) != 2:
            raise ValueError("layer must return only the final state (return_sequences=False), "
                             f"got an output of shape {tuple(final.shape)}")
        loss = tf.reduce_sum(final) / np.sqrt(final.shape[-1])
    grads = np.asarray(tape.gradient(loss, x))  # (batch, time, input_size)
    return np.linalg.norm(grads, axis=2).mean(axis=0)[::-1].astype(np.float64)
