"""Translating with a trained ``seq2seq`` model: NumPy decoder steps, greedy and beam search, attention maps.

The Keras model trains on whole sentences (teacher forcing); translating is a loop in which each
new Chinese character is fed back. :class:`Translator` copies the weights once and runs that loop
in NumPy (``rnn.lstm_forward``, then the kernels of ``rnn.lstm_step`` and ``attention.scaled_dot_product_attention``);
beam search is the course's one, ``generate.beam_search``, over a :class:`Seq2SeqStepper`::

    translator = Translator(model, codec)                   # model: seq2seq.build_seq2seq, trained
    translator.translate(["I have three apples."])          # ['我有三个苹果。'] (greedy, batched)
    translator.beam("I have three apples.", beam_width=4)   # [(chinese, ln P), ...] best first
"""

from __future__ import annotations

from typing import Any, Sequence

import keras
import numpy as np

from lmtutor import attention, generate, rnn, seq2seq
from lmtutor._validate import MAX_STEPS, _show, check_array, check_float, check_ids, check_int, check_str, check_type
from lmtutor.decoding import DecodingConfig
from lmtutor.losses import log_softmax
from lmtutor.text import Vocab

BANNED = DecodingConfig.banned_ids  # <pad>, <bos>: never produced, by greedy and beam alike


class Translator:
    """A :func:`seq2seq.build_seq2seq` model's weights as float64 NumPy arrays, with its codec.

    Make a new one after more training: the weights are copied when it is created.
    """

    def __init__(self, model: keras.Model, codec: seq2seq.TranslationCodec):
        check_type("model", model, keras.Model)
        check_type("codec", codec, seq2seq.TranslationCodec)
        names = [layer.name for layer in model.layers]
        if not {"source_embedding", "target_embedding", "encoder", "decoder", "logits"} <= set(names):
            raise ValueError(f"model must be built by seq2seq.build_seq2seq, got layers {names}")

        def weights(name):
            return [np.asarray(w, dtype=np.float64) for w in model.get_layer(name).get_weights()]

        self.model, self.codec = model, codec
        self.source_table = weights("source_embedding")[0]  # (source_size, E)
        self.target_table = weights("target_embedding")[0]  # (target_size, E)
        self.encoder, self.decoder = weights("encoder"), weights("decoder")  # LSTM W, U, b each
        self.logits_kernel, self.logits_bias = weights("logits")  # V (H', target_size), c
        self.kind = None if "attention" not in names else "additive" if "query" in names and \
            model.get_layer("query").weights else "multiplicative"
        if self.kind is not None:
            self.keys_kernel = weights("keys")[0]  # W (H, H): keys = h̄_s W
            self.combine_kernel, self.combine_bias = weights("combine")  # W_c (2H, H), b_c
        if self.kind == "additive":
            self.query_kernel = weights("query")[0]  # W₁ (H, H)
            self.score_vector = weights("attention")[0]  # v (H,)
        if (len(self.source_table), len(self.target_table)) != (codec.source_size, codec.target_size):
            raise ValueError(f"codec has vocabularies of {codec.source_size} and {codec.target_size} tokens, "
                             f"the model {len(self.source_table)} and {len(self.target_table)}")
        self.vocab_size = codec.target_size

    # ------------------------------------------------------------------------------ one step
    def encode(self, source_ids: Any) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Return (encoded (B, S, H), keys (B, S, H), decoder start state (h_S, c_S)) of unpadded ids (B, S)."""
        ids = check_ids("source_ids", source_ids, len(self.source_table))
        ids = ids[None] if ids.ndim == 1 else ids
        if ids.ndim != 2:
            raise ValueError(f"source_ids must be one sentence (S,) or a batch (B, S) of ids, got shape {ids.shape}")
        encoded, h, c = rnn.lstm_forward(self.source_table[ids], self.encoder)  # (B, S, H), (B, H), (B, H)
        keys = encoded @ self.keys_kernel if self.kind else encoded
        return encoded, keys, (h, c)

    def step(self, token_ids: np.ndarray, state: tuple[np.ndarray, np.ndarray], encoded: np.ndarray,
             keys: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray | None]:
        """Return (logits (B, target_size), new state (h_t, c_t), attention weights a_t (B, S) or None).

        One decoder step from y_{t-1} = ``token_ids`` (B,), as :func:`seq2seq.build_seq2seq` computes
        it; the source has no padding, so every position may be attended to.
        """
        tokens = check_ids("token_ids", token_ids, len(self.target_table))
        if not isinstance(token_ids, np.ndarray) or tokens.ndim != 1:
            raise (ValueError if isinstance(token_ids, np.ndarray) else TypeError)(
                f"token_ids must be a 1-D array (B,) of target ids, got {_show(token_ids)}")
        hidden = self.decoder[1].shape[0]
        encoded = check_array("encoded", encoded, ndim=3)
        keys = check_array("keys", keys, ndim=3)
        if encoded.shape[2] != self.encoder[1].shape[0]:
            raise ValueError(f"encoded must be (B, S, H) with H = {self.encoder[1].shape[0]} as encode returns it, "
                             f"got {encoded.shape}")
        if encoded.shape[0] != len(tokens):
            raise ValueError(f"token_ids holds {len(tokens)} ids but encoded a batch of {encoded.shape[0]}: one id per sentence")
        if keys.shape[:2] != encoded.shape[:2]:
            raise ValueError(f"keys must have the batch and source length of encoded {encoded.shape[:2]}, got {keys.shape}")
        self._check_state("state", state, len(tokens), hidden)
        return self._step(tokens, state, encoded, keys)

    @staticmethod
    def _check_state(name: str, state: Any, batch: int, hidden: int) -> None:
        """Raise unless ``state`` is a pair (h, c) of finite float arrays (batch, hidden)."""
        if not isinstance(state, tuple) or len(state) != 2:
            raise TypeError(f"{name} must be the pair (h, c) that encode or step returns, got {_show(state)}")
        for part, array in zip("hc", state):
            if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
                raise TypeError(f"{name} ({part}) must be a float array, got {_show(array)}")
            if array.shape != (batch, hidden):
                raise ValueError(f"{name} ({part}) must have shape (B, H) = {(batch, hidden)}, got {array.shape}")
            if not np.isfinite(array).all():
                raise ValueError(f"{name} ({part}) must be finite, got a NaN or infinite entry")

    def _step(self, token_ids, state, encoded, keys):
        """Return :meth:`step`'s result for checked arguments (the kernel the decoding loops run)."""
        kernel, recurrent, bias = self.decoder
        h, c = rnn._lstm_cell(self.target_table[token_ids] @ kernel + bias, state[0], state[1], recurrent)  # (B, H)
        weights = None
        if self.kind == "multiplicative":  # softmax(h_t · keys / √H)
            context, weights = attention._attend(h[:, None, :], keys, encoded, None)
            context, weights = context[:, 0], weights[:, 0]  # (B, H), (B, S)
        elif self.kind == "additive":  # softmax(vᵀ tanh(W₁ h_t + keys))
            scores = np.tanh((h @ self.query_kernel)[:, None, :] + keys) @ self.score_vector  # (B, S)
            weights = np.exp(log_softmax(scores))
            context = np.einsum("bs,bsh->bh", weights, encoded)
        top = h if self.kind is None else np.tanh(np.concatenate([context, h], 1) @ self.combine_kernel
                                                 + self.combine_bias)
        return top @ self.logits_kernel + self.logits_bias, (h, c), weights

    def stepper(self, sentence: str) -> "Seq2SeqStepper":
        """Return a ``generate.StepModel`` that decodes the Chinese of one English ``sentence``."""
        return Seq2SeqStepper(self, self.codec.encode_source([check_str("sentence", sentence, allow_empty=False)])[0])

    # ----------------------------------------------------------------------------- decoding
    def _max_length(self, source_length: int, max_length: int | None) -> int:
        return 2 * source_length + 5 if max_length is None else check_int("max_length", max_length, minimum=1,
                                                                           maximum=MAX_STEPS)

    def greedy_ids(self, source_ids: Any, max_length: int | None = None) -> list[list[int]]:
        """Return the greedy target ids (without <eos>) for a batch of equal-length source ids (B, S).

        y_t = argmax_y P(y | x, y_<t) over all but <pad> and <bos>, until <eos> or ``max_length``.
        """
        encoded, keys, state = self.encode(source_ids)
        limit = self._max_length(encoded.shape[1], max_length)
        tokens = np.full(len(encoded), Vocab.bos_id)
        out, live = [[] for _ in tokens], np.ones(len(tokens), dtype=bool)
        for _ in range(limit):
            logits, state, _ = self._step(tokens, state, encoded, keys)
            logits[:, list(BANNED)] = -np.inf
            tokens = logits.argmax(axis=1)
            for i in np.flatnonzero(live):
                if tokens[i] == Vocab.eos_id:
                    live[i] = False
                else:
                    out[i].append(int(tokens[i]))
            if not live.any():
                break
        return out

    def translate(self, sentences: Sequence[str], *, beam_width: int = 1, max_length: int | None = None) -> list[str]:
        """Return the Chinese translation of each English sentence: greedy (width 1) or beam search.

        Greedy runs sentences of the same length together; beam search runs one sentence at a time
        (``generate.beam_search``, length penalty 0). ``max_length`` (default 2 S + 5 for S source
        tokens) caps the characters.
        """
        ids = self.codec.source_ids(sentences)
        width = check_int("beam_width", beam_width, minimum=1)
        out: list[list[int]] = [[] for _ in ids]
        if width == 1:
            for length in sorted({len(i) for i in ids}):
                group = [k for k, i in enumerate(ids) if len(i) == length]
                for k, result in zip(group, self.greedy_ids(np.array([ids[k] for k in group]), max_length)):
                    out[k] = result
        else:
            for k, source in enumerate(ids):
                hypotheses = generate.beam_search(Seq2SeqStepper(self, source), [Vocab.bos_id], beam_width=width,
                                                  max_tokens=self._max_length(len(source), max_length))
                out[k] = list(hypotheses[0].ids)
        return [self.codec.target.decode(result) for result in out]

    def beam(self, sentence: str, *, beam_width: int = 4, max_length: int | None = None,
             length_penalty: float = 0.0) -> list[tuple[str, float]]:
        """Return the beam's hypotheses as (chinese, ln P(Y | x)), best first (``generate.beam_search``)."""
        stepper = self.stepper(sentence)
        check_float("length_penalty", length_penalty, minimum=0.0)
        hypotheses = generate.beam_search(stepper, [Vocab.bos_id], beam_width=beam_width,
                                          max_tokens=self._max_length(len(stepper.source_ids), max_length),
                                          length_penalty=length_penalty)
        return [(self.codec.target.decode(list(h.ids)), h.log_prob) for h in hypotheses]

    def attention(self, sentence: str, translation: str | None = None) -> tuple[np.ndarray, list[str], list[str]]:
        """Return (weights (T, S), source tokens, target tokens): a_ts while producing ``translation``.

        Row t is the attention of the step that predicts target token t (the last one: <eos>),
        computed with teacher forcing on ``translation`` (default: the greedy translation).
        """
        if self.kind is None:
            raise ValueError("the model has no attention: build it with Seq2SeqConfig(attention=...)")
        source = self.codec.encode_source([check_str("sentence", sentence, allow_empty=False)])[0]
        translation = self.translate([sentence])[0] if translation is None else translation
        if not isinstance(translation, str):
            raise TypeError(f"translation must be a str, got {type(translation).__name__} {_show(translation)}")
        target = self.codec.target.encode(translation, add_bos=False)
        encoded, keys, state = self.encode(source)
        rows = []
        for token in [Vocab.bos_id] + target:
            _, state, weights = self._step(np.array([token]), state, encoded, keys)
            rows.append(weights[0])
        return (np.array(rows), self.codec.source.vocab.decode(source.tolist()),
                self.codec.target.vocab.decode(target) + ["<eos>"])


class Seq2SeqStepper:
    """A :class:`Translator` bound to one source sentence: a ``generate.StepModel`` of its Chinese."""

    def __init__(self, translator: Translator, source_ids: Any):
        check_type("translator", translator, Translator)
        self.translator, self.vocab_size = translator, translator.vocab_size
        self.source_ids = check_ids("source_ids", source_ids, len(translator.source_table))
        if self.source_ids.ndim != 1:
            raise ValueError(f"source_ids must be one sentence (1-D), got shape {self.source_ids.shape}")
        self.encoded, self.keys, self.initial = translator.encode(self.source_ids)

    def start(self, prompt_ids: Sequence[int]) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Return (logits for the token after the prompt, state (h, c)); the prompt starts with <bos>."""
        prompt = generate.check_ids("prompt_ids", prompt_ids, self.vocab_size)
        logits, state = None, self.initial
        for token in prompt:
            logits, state = self.step(state, token)
        return logits, state

    def step(self, state: tuple[np.ndarray, np.ndarray], token_id: int) -> tuple[np.ndarray, tuple]:
        """Return (logits (target_size,) for the token after ``token_id``, new state); ``state`` unchanged."""
        token_id = check_int("token_id", token_id, minimum=0, maximum=self.vocab_size - 1)
        self.translator._check_state("state", state, 1, self.translator.decoder[1].shape[0])  # O(H) per token
        logits, state, _ = self.translator._step(np.array([token_id]), state, self.encoded, self.keys)
        return logits[0], state

    def full_logits(self, ids: Sequence[int]) -> np.ndarray:
        """Return the Keras model's logits (len(ids), target_size), float64: the oracle of start/step."""
        ids = generate.check_ids("ids", ids, self.vocab_size)
        logits = self.translator.model.predict_on_batch([self.source_ids[None].astype(np.int32),
                                                         np.array([ids], dtype=np.int32)])
        return np.asarray(logits, dtype=np.float64)[0]
