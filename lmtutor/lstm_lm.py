"""The LSTM language model of notebook 04: Keras builder, training, per-document scoring, stepping.

A language model here is embedding -> LSTM -> logits over the vocabulary, trained on windows of
token ids (``text.lm_windows``) and scored per document, as the n-gram models of notebook 01 are::

    model = build_lstm_lm(LSTMLMConfig(vocab_size=len(vocab), hidden_size=128))
    train(model, (inputs, targets), epochs=3)              # one compact line per epoch
    evaluate_documents(model, [vocab.encode(doc) for doc in valid_docs])["bits_per_token"]

The weights keep Keras's layout, so :func:`generate` runs the trained model step by step with the
NumPy LSTM of ``lmtutor.rnn`` (one step per token: O(n) for n tokens, no re-encoding of the prefix).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Sequence

import keras
import numpy as np

from lmtutor import quiet_retracing, rnn
from lmtutor import generate as generation
from lmtutor.decoding import DecodingConfig
from lmtutor._validate import _show, check_float, check_int, check_type
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
    seed: int = 0  # seeds the weight initialisation (keras.utils.set_random_seed)

    def __post_init__(self):
        check_int("vocab_size", self.vocab_size, minimum=5)
        check_int("embedding_dim", self.embedding_dim, minimum=1)
        check_int("hidden_size", self.hidden_size, minimum=1)
        check_float("learning_rate", self.learning_rate, minimum=0.0, min_inclusive=False)
        check_float("clip_norm", self.clip_norm, minimum=0.0, min_inclusive=False)
        check_float("dropout", self.dropout, minimum=0.0, maximum=1.0, max_inclusive=False)
        check_int("decay_steps", self.decay_steps, minimum=0)
        check_int("seed", self.seed, minimum=0)


def build_lstm_lm(config: LSTMLMConfig) -> keras.Model:
    """Return a compiled model: ids (batch, time) -> logits (batch, time, vocab_size).

    logits_t = h_t V + c with h_t from an LSTM over the embedded ids; the loss is
    -ln softmax(logits_t)[target_t] averaged over positions (from_logits=True: no softmax layer).
    With ``config.dropout`` > 0 a Dropout layer sits after the LSTM and the LSTM drops its inputs;
    both act in training only, so stepping and scoring use the weights as they are.
    """
    check_type("config", config, LSTMLMConfig)
    keras.utils.set_random_seed(config.seed)
    layers = [keras.Input((None,), dtype="int32"),
              keras.layers.Embedding(config.vocab_size, config.embedding_dim, name="embedding"),
              keras.layers.LSTM(config.hidden_size, return_sequences=True, dropout=config.dropout, name="lstm")]
    if config.dropout:
        layers.append(keras.layers.Dropout(config.dropout, name="dropout"))
    model = keras.Sequential(layers + [keras.layers.Dense(config.vocab_size, name="logits")], name="lstm_lm")
    rate = config.learning_rate
    if config.decay_steps:
        rate = keras.optimizers.schedules.CosineDecay(rate, config.decay_steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(rate, global_clipnorm=config.clip_norm),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _pair(name: str, data: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs, targets) as int arrays of the same shape (examples, ...)."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (inputs, targets), got {_show(data)}")
    inputs, targets = (np.asarray(a) for a in data)
    if inputs.shape != targets.shape[: inputs.ndim] or inputs.size == 0:
        raise ValueError(f"{name}: inputs {inputs.shape} and targets {targets.shape} must be non-empty "
                         f"with the same number of examples")
    return inputs, targets


class _Progress(keras.callbacks.Callback):
    """Scores whole documents after each epoch, stops when the time budget is spent, prints a line."""

    def __init__(self, epochs: int, documents, max_seconds: float | None, verbose: bool):
        super().__init__()
        self.epochs, self.documents, self.max_seconds, self.verbose = epochs, documents, max_seconds, verbose
        self.begin = self.epoch_start = 0.0
        self.history: dict[str, list[float]] = {"seconds": [], "valid_bits": []}

    def on_train_begin(self, logs=None):
        self.begin = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if self.max_seconds is not None and time.perf_counter() - self.begin >= self.max_seconds:
            self.model.stop_training = True  # Keras ends the epoch after this batch

    def on_epoch_end(self, epoch, logs=None):
        logs, seconds = logs or {}, time.perf_counter() - self.epoch_start
        parts = [f"epoch {epoch + 1}/{self.epochs}"]
        for key, label in (("loss", "train"), ("val_loss", "valid")):
            if key in logs:
                parts.append(f"{label} {logs[key]:.3f} nats = {logs[key] / math.log(2):.3f} bits")
        if self.documents is not None:
            self.history["valid_bits"].append(evaluate_documents(self.model, self.documents)["bits_per_token"])
            parts.append(f"valid documents {self.history['valid_bits'][-1]:.3f} bits/token")
        self.history["seconds"].append(time.perf_counter() - self.begin)
        if self.verbose:
            stopped = " (time budget spent)" if self.model.stop_training and epoch + 1 < self.epochs else ""
            print("  ".join(parts) + f"  ({seconds:.1f} s){stopped}", flush=True)


def train(model: keras.Model, train_data: Any, *, valid_data: Any = None, valid_documents: Any = None,
          epochs: int = 1, batch_size: int = 64, max_seconds: float | None = None,
          verbose: bool = True) -> dict[str, list[float]]:
    """Return the history of ``model.fit``: "loss" (and "val_loss") in mean nats per target, and
    "seconds" since the start at the end of each epoch (and "valid_bits").

    ``train_data`` and ``valid_data`` are pairs (inputs, targets); examples are shuffled each epoch.
    ``valid_documents`` (id lists) are scored after every epoch by :func:`evaluate_documents`
    ("valid_bits", comparable with the n-gram models). ``max_seconds`` ends training after the batch
    that spends the budget (the last epoch is then partial). With ``verbose`` one line per epoch is
    printed instead of Keras's progress bar.
    """
    check_type("model", model, keras.Model)
    inputs, targets = _pair("train_data", train_data)
    valid = _pair("valid_data", valid_data) if valid_data is not None else None
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if max_seconds is not None:
        max_seconds = check_float("max_seconds", max_seconds, minimum=0.0, min_inclusive=False)
    check_type("verbose", verbose, bool)
    if valid_documents is not None and (isinstance(valid_documents, (str, bytes)) or not valid_documents):
        raise ValueError("valid_documents must be a non-empty list of id lists (vocab.encode(tokens))")
    progress = _Progress(epochs, valid_documents, max_seconds, verbose)
    fitted = model.fit(inputs, targets, validation_data=valid, epochs=epochs, batch_size=batch_size,
                       shuffle=True, verbose=0, callbacks=[progress])
    history = {key: [float(v) for v in values] for key, values in fitted.history.items()}
    history["seconds"] = progress.history["seconds"]
    if valid_documents is not None:
        history["valid_bits"] = progress.history["valid_bits"]
    return history


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    """Return ln softmax(logits) along the last axis, computed stably in float64."""
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def evaluate_documents(model: keras.Model, documents: Sequence[Sequence[int]], *,
                       batch_size: int = 16) -> dict[str, float]:
    """Return cross_entropy (nats), perplexity, bits_per_token and tokens over whole documents.

    Each document w_1 ... w_T is read as <bos> w_1 ... w_T from a zero state and scored on
    predicting w_1 ... w_T <eos>, the tokens an n-gram model of notebook 01 predicts:
    H = -(1/N) Σ ln P(w_t | w_<t), perplexity = exp(H), bits = H / ln 2, N = Σ (T + 1).
    """
    check_type("model", model, keras.Model)
    if isinstance(documents, (str, bytes)) or not documents:
        raise ValueError("documents must be a non-empty list of id lists (vocab.encode(tokens))")
    sequences = [[Vocab.bos_id, *map(int, doc), Vocab.eos_id] for doc in documents]
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))  # less padding
    total, count = 0.0, 0
    for start in range(0, len(order), check_int("batch_size", batch_size, minimum=1)):
        batch = [sequences[i] for i in order[start:start + batch_size]]
        width = max(map(len, batch)) - 1
        ids = np.zeros((len(batch), width + 1), dtype=np.int32)  # <pad> = 0 on the right
        for row, seq in enumerate(batch):
            ids[row, :len(seq)] = seq
        # causal: padding to the right of a position cannot change its logits
        with quiet_retracing():  # a new width per batch, by design
            logits = model.predict_on_batch(ids[:, :-1])
        log_probs = _log_softmax(np.asarray(logits))  # (batch, width, vocab)
        picked = np.take_along_axis(log_probs, ids[:, 1:, None], axis=2)[..., 0]  # (batch, width)
        mask = np.arange(width)[None, :] < np.array([len(s) - 1 for s in batch])[:, None]
        total -= float(picked[mask].sum())
        count += int(mask.sum())
    cross_entropy = total / count
    return {"cross_entropy": cross_entropy, "perplexity": math.exp(cross_entropy),
            "bits_per_token": cross_entropy / math.log(2), "tokens": count}


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
        ids = generation.check_ids("prompt_ids", prompt_ids, self.vocab_size)
        _, h, c = rnn.lstm_forward(self.table[ids][None], self.weights)  # h, c: (1, hidden_size)
        return self._logits(h), (h, c)

    def step(self, state: tuple[np.ndarray, np.ndarray],
             token_id: int) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Return (logits for the token after ``token_id``, new state (h, c)); ``state`` is not changed."""
        if not isinstance(state, tuple) or len(state) != 2:
            raise TypeError(f"state must be the (h, c) pair returned by start or step, got {_show(state)}")
        token_id = check_int("token_id", token_id, minimum=0, maximum=self.vocab_size - 1)
        h, c = rnn.lstm_step(self.table[[token_id]], state[0], state[1], self.weights)
        return self._logits(h), (h, c)

    def full_logits(self, ids: Sequence[int]) -> np.ndarray:
        """Return the Keras model's logits (len(ids), vocab_size), float64, for ``ids`` read from zeros."""
        ids = generation.check_ids("ids", ids, self.vocab_size)
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
    config = DecodingConfig(temperature=temperature)
    stepper = LSTMStepper(model)
    if len(vocab) != stepper.vocab_size:
        raise ValueError(f"vocab has {len(vocab)} tokens but the model predicts {stepper.vocab_size}")
    ids = generation.generate(stepper, vocab.encode(list(prompt), add_bos=True), max_tokens=max_tokens,
                              config=config, seed=seed)
    return vocab.decode(ids)
