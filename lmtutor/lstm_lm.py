"""The LSTM language model of notebook 04: Keras builder and step-by-step generation.

A language model here is embedding -> LSTM -> logits over the vocabulary, trained on windows of
token ids (``text.lm_windows``) by ``lm.train`` and scored per document by ``lm.evaluate_documents``,
as the n-gram models of notebook 01 are::

    model = build_lstm_lm(LSTMLMConfig(vocab_size=len(vocab), hidden_size=128))
    lm.train(model, corpus.windows(100), epochs=3)          # one compact line per epoch
    lm.evaluate_documents(model, corpus.ids("valid"))["bits_per_token"]

The weights keep Keras's layout, so :func:`generate` runs the trained model step by step with the
NumPy LSTM of ``lmtutor.rnn`` (one step per token: O(n) for n tokens, no re-encoding of the prefix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import keras
import numpy as np

from lmtutor import lm, rnn
from lmtutor import generate as generation
from lmtutor.decoding import DecodingConfig
from lmtutor._validate import (
    MAX_VOCAB, MAX_WIDTH, _show, check_elements, check_float, check_ids, check_int, check_token_list, check_type,
)
from lmtutor.text import Vocab


@dataclass(frozen=True)
class LSTMLMConfig:
    """Size and training settings of :func:`build_lstm_lm`; checked when created."""

    vocab_size: int  # number of token ids, len(vocab): one output logit per id
    embedding_dim: int = 32  # length of each token's learned vector
    hidden_size: int = 128  # LSTM units: the size of h_t and c_t
    learning_rate: float = 0.01  # Adam's step size
    clip_norm: float = 1.0  # gradients are clipped to this global norm before each update
    dropout: float = 0.0  # share of the LSTM's inputs and outputs zeroed in training (inverted dropout)
    decay_steps: int = 0  # > 0: the step size falls along a cosine to 5% over this many updates
    seed: int = 0  # seeds every initializer and dropout mask of the model (no global seed is set)

    def __post_init__(self):
        check_int("vocab_size", self.vocab_size, minimum=5, maximum=MAX_VOCAB)
        check_int("embedding_dim", self.embedding_dim, minimum=1, maximum=MAX_WIDTH)
        check_int("hidden_size", self.hidden_size, minimum=1, maximum=MAX_WIDTH)
        check_elements("vocab_size", (self.vocab_size, max(self.embedding_dim, self.hidden_size)))
        check_elements("hidden_size", (max(self.embedding_dim, self.hidden_size), 4 * self.hidden_size))
        check_float("learning_rate", self.learning_rate, minimum=0.0, min_inclusive=False)
        check_float("clip_norm", self.clip_norm, minimum=0.0, min_inclusive=False)
        check_float("dropout", self.dropout, minimum=0.0, maximum=1.0, max_inclusive=False)
        check_int("decay_steps", self.decay_steps, minimum=0, maximum=10**9)
        check_int("seed", self.seed, minimum=0)


def build_lstm_lm(config: LSTMLMConfig) -> keras.Model:
    """Return a compiled model: ids (batch, time) -> logits (batch, time, vocab_size).

    logits_t = h_t V + c with h_t from an LSTM over the embedded ids; the loss is
    -ln softmax(logits_t)[target_t] averaged over positions (from_logits=True: no softmax layer).
    With ``config.dropout`` > 0 a Dropout layer sits after the LSTM and the LSTM drops its inputs;
    both act in training only, so stepping and scoring use the weights as they are.
    """
    check_type("config", config, LSTMLMConfig)
    seeds, init = lm.layer_seeds(config.seed), keras.initializers
    layers = [keras.Input((None,), dtype="int32"),
              keras.layers.Embedding(config.vocab_size, config.embedding_dim, name="embedding",
                                     embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=next(seeds))),
              keras.layers.LSTM(config.hidden_size, return_sequences=True, dropout=config.dropout, name="lstm",
                                kernel_initializer=init.GlorotUniform(seed=next(seeds)),
                                recurrent_initializer=init.Orthogonal(seed=next(seeds)), seed=next(seeds))]
    if config.dropout:
        layers.append(keras.layers.Dropout(config.dropout, name="dropout", seed=next(seeds)))
    output = keras.layers.Dense(config.vocab_size, name="logits",
                                kernel_initializer=init.GlorotUniform(seed=next(seeds)))
    model = keras.Sequential(layers + [output], name="lstm_lm")
    rate = config.learning_rate
    if config.decay_steps:
        rate = keras.optimizers.schedules.CosineDecay(rate, config.decay_steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(rate, global_clipnorm=config.clip_norm),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _one_sequence(name: str, ids, vocab_size: int) -> np.ndarray:
    """Return ``ids`` as a 1-D int array of ids below ``vocab_size``, raising an error naming ``name``."""
    array = check_ids(name, ids, vocab_size)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one sequence of ids (1-D), got shape {array.shape}")
    return array


class LSTMStepper:
    """A :func:`build_lstm_lm` model run one token at a time in NumPy: a ``generate.StepModel``.

    The weights are copied once, as float64 (make a new stepper after more training). A step is
    (h_t, c_t) = ``rnn.lstm_step``(E[y_t], h_{t-1}, c_{t-1}) and logits_t = h_t V + c, so each new
    token costs one step; ``full_logits`` runs the Keras model itself (float32) on the whole
    sequence and is the oracle: both agree to about 1e-5.
    """

    def __init__(self, model: keras.Model):
        check_type("model", model, keras.Model)
        try:
            table = model.get_layer("embedding").embeddings
            lstm_weights = model.get_layer("lstm").get_weights()
            out_kernel, out_bias = model.get_layer("logits").get_weights()
        except ValueError:
            raise ValueError(f"model must be built by build_lstm_lm (layers embedding, lstm, logits), "
                             f"got layers {[layer.name for layer in model.layers]}") from None
        self.model = model
        self.table = np.asarray(table, dtype=np.float64)  # E: (vocab_size, embedding_dim)
        self.weights = [np.asarray(w, dtype=np.float64) for w in lstm_weights]  # W, U, b (i, f, c, o)
        self.out_kernel = np.asarray(out_kernel, dtype=np.float64)  # V: (hidden_size, vocab_size)
        self.out_bias = np.asarray(out_bias, dtype=np.float64)  # c: (vocab_size,)
        self.vocab_size = int(self.out_bias.shape[0])
        self.hidden_size = int(self.weights[1].shape[0])

    def _logits(self, h: np.ndarray) -> np.ndarray:
        return (h @ self.out_kernel + self.out_bias)[0]  # (vocab_size,)

    def start(self, prompt_ids: Sequence[int]) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Return (logits for the token after the prompt, state (h, c)), the prompt read once from zeros."""
        ids = _one_sequence("prompt_ids", prompt_ids, self.vocab_size)
        _, h, c = rnn.lstm_forward(self.table[ids][None], self.weights)  # h, c: (1, hidden_size)
        return self._logits(h), (h, c)

    def step(self, state: tuple[np.ndarray, np.ndarray],
             token_id: int) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Return (logits for the token after ``token_id``, new state (h, c)); ``state`` is not changed."""
        if not isinstance(state, tuple) or len(state) != 2:
            raise TypeError(f"state must be the (h, c) pair returned by start or step, got {_show(state)}")
        for name, array in zip(("state[0] (h)", "state[1] (c)"), state):  # O(hidden): no per-token re-check of weights
            if not isinstance(array, np.ndarray) or array.shape != (1, self.hidden_size) or array.dtype.kind != "f":
                raise TypeError(f"{name} must be a float array of shape (1, {self.hidden_size}) as start or step "
                                f"return it, got {_show(array)}")
            if not np.isfinite(array).all():
                raise ValueError(f"{name} must be finite, got a NaN or infinite entry")
        token_id = check_int("token_id", token_id, minimum=0, maximum=self.vocab_size - 1)
        kernel, recurrent, bias = self.weights
        h, c = rnn._lstm_cell(self.table[[token_id]] @ kernel + bias, state[0], state[1], recurrent)
        return self._logits(h), (h, c)

    def full_logits(self, ids: Sequence[int]) -> np.ndarray:
        """Return the Keras model's logits (len(ids), vocab_size), float64, for ``ids`` read from zeros."""
        ids = _one_sequence("ids", ids, self.vocab_size)
        logits = self.model.predict_on_batch(np.array([ids], dtype=np.int32))  # (1, len(ids), vocab_size)
        return np.asarray(logits, dtype=np.float64)[0]


def generate(model: keras.Model, vocab: Vocab, prompt: Sequence[str] = (), *, max_tokens: int = 100,
             temperature: float = 1.0, seed: int = 0) -> list[str]:
    """Return tokens sampled one at a time from softmax(logits / temperature) after ``prompt``.

    <bos> + ``prompt`` is read once by an :class:`LSTMStepper`; ``generate.generate`` then takes one
    NumPy LSTM step per new token, carrying (h_t, c_t). Stops after <eos> (not returned) or
    ``max_tokens`` tokens; <pad> and <bos> are never produced.
    """
    check_type("vocab", vocab, Vocab)
    prompt = check_token_list("prompt", prompt)  # a str would be split into characters
    config = DecodingConfig(temperature=temperature)
    stepper = LSTMStepper(model)
    if len(vocab) != stepper.vocab_size:
        raise ValueError(f"vocab has {len(vocab)} tokens but the model predicts {stepper.vocab_size}")
    ids = generation.generate(stepper, vocab.encode(prompt, add_bos=True), max_tokens=max_tokens,
                              config=config, seed=seed)
    return vocab.decode(ids)
