"""Encoder-decoder translation models of notebook 09, with and without attention, in Keras 3.

The encoder (an LSTM) reads the English ids; the decoder (an LSTM that starts from the encoder's
final state, Sutskever et al. 2014) is a conditional language model of the Chinese characters,
trained with teacher forcing by the course's one loop ``lm.train``; attention (Luong et al. 2015)
lets each decoder step look back at every encoder state::

    codec = TranslationCodec.build(task.train)                       # English words, Chinese characters
    model = build_seq2seq(Seq2SeqConfig(codec.source_size, codec.target_size, attention="multiplicative"))
    lm.train(model, codec.teacher_forcing(task.train), epochs=5)     # then translate.Translator(model, codec)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import keras
import numpy as np

from lmtutor import datasets, lm
from lmtutor._validate import (
    MAX_VOCAB, MAX_WIDTH, _show, check_bool, check_choice, check_elements, check_float, check_ids, check_int, check_texts, check_type,
)
from lmtutor.text import Vocab

MAX_PAD_WIDTH = 100_000  # the longest padded row pad makes
ATTENTION = (None, "multiplicative", "additive")  # the score functions of Seq2SeqConfig.attention
SOURCE_SCHEMES = ("word", "char")  # English as lowercased words or as characters


# ------------------------------------------------------------------------------ tokenisation
def _pairs(name: str, pairs) -> list:
    """Return ``pairs`` as a list of (english, chinese) string pairs (Pair or 2-tuples), checked."""
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, (list, tuple)):
        raise TypeError(f"{name} must be a non-empty list of (english, chinese) pairs, got {_show(pairs)}")
    if not pairs:
        raise ValueError(f"{name} must be a non-empty list of (english, chinese) pairs, got an empty one")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, tuple) or len(pair) < 2 or not all(isinstance(s, str) for s in pair[:2]):
            raise TypeError(f"{name}[{i}] must be an (english, chinese) pair of strings, got {_show(pair)}")
    return [(pair[0], pair[1]) for pair in pairs]


def _sentences(name: str, sentences) -> list[str]:
    """Return ``sentences`` as a non-empty list of non-empty strings."""
    return check_texts(name, sentences, items="sentences", purpose="translate")


def pad(sequences: Sequence[Sequence[int]], width: int | None = None) -> np.ndarray:
    """Return the id lists as one int32 array (batch, width), <pad> = 0 on the right (cut at ``width``)."""
    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, (list, tuple)):
        raise TypeError(f"sequences must be a list of id lists, got {type(sequences).__name__} {_show(sequences)}")
    if not sequences:
        raise ValueError("sequences must hold at least one id list, got an empty list")
    for i, seq in enumerate(sequences):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, (list, tuple, np.ndarray)):
            raise TypeError(f"sequences[{i}] must be a list of ids, got {type(seq).__name__} {_show(seq)}")
        if check_ids(f"sequences[{i}]", seq, MAX_VOCAB, allow_empty=True).ndim != 1:
            raise ValueError(f"sequences[{i}] must be one 1-D list of ids, got a nested one")
    if width is not None:
        width = check_int("width", width, minimum=1, maximum=MAX_PAD_WIDTH)
    width = max(len(s) for s in sequences) if width is None else width
    check_elements("sequences", (len(sequences), width))
    out = np.zeros((len(sequences), width), dtype=np.int32)
    for i, seq in enumerate(sequences):
        out[i, :len(seq)] = seq[:width]
    return out


@dataclass(frozen=True)
class SourceRecipe(datasets.TextRecipe):
    """A ``datasets.TextRecipe`` for English that can cut each run of digits into single digits."""

    split_digits: bool = True  # "1998" -> 1 9 9 8: a year becomes digits the decoder copies one by one

    def __post_init__(self):
        super().__post_init__()
        check_bool("split_digits", self.split_digits)

    def tokens(self, string: str) -> list[str]:
        """Return the tokens of ``string``: the recipe's, with every digit a token of its own."""
        tokens = super().tokens(string)
        return [piece for token in tokens
                for piece in (list(token) if self.split_digits and token.isdigit() else [token])]


@dataclass(frozen=True)
class TranslationCodec:
    """The two sides of a translation task: how English and Chinese strings become ids and back."""

    source: datasets.TextCodec  # English: lowercased words ("word", digits split) or characters ("char")
    target: datasets.TextCodec  # Chinese characters as written (no NFKC: "？" stays full-width)

    def __post_init__(self):
        check_type("source", self.source, datasets.TextCodec)
        check_type("target", self.target, datasets.TextCodec)

    @classmethod
    def build(cls, pairs, *, source_scheme: str = "word", split_digits: bool = True) -> "TranslationCodec":
        """Return the codec whose vocabularies hold every token of the training ``pairs``.

        English is lowercased and cut into words (``source_scheme="word"``, digits one by one if
        ``split_digits``) or characters ("char", spaces kept); Chinese into characters.
        """
        pairs = _pairs("pairs", pairs)
        check_bool("split_digits", split_digits)
        check_choice("source_scheme", source_scheme, SOURCE_SCHEMES)
        source = SourceRecipe(source_scheme, lowercase=True, keep_spaces=source_scheme == "char",
                              split_digits=split_digits)
        return cls.from_recipes(pairs, source, datasets.TextRecipe("char", normalize=False))

    @classmethod
    def from_recipes(cls, pairs, source: datasets.TextRecipe, target: datasets.TextRecipe) -> "TranslationCodec":
        """Return the codec that cuts each side of ``pairs`` (source, target) with its own recipe, its
        vocabularies holding every token of the training pairs: any language pair, any direction
        (notebook 09 reads Chinese characters and writes English characters with their spaces)."""
        pairs = _pairs("pairs", pairs)
        check_type("source", source, datasets.TextRecipe)
        check_type("target", target, datasets.TextRecipe)
        source_vocab = Vocab.build([source.tokens(text) for text, _ in pairs])
        target_vocab = Vocab.build([target.tokens(text) for _, text in pairs])
        return cls(datasets.TextCodec(source, source_vocab), datasets.TextCodec(target, target_vocab))

    @property
    def source_size(self) -> int:
        """Return the number of source ids (English vocabulary with the 4 special tokens)."""
        return len(self.source.vocab)

    @property
    def target_size(self) -> int:
        """Return the number of target ids (Chinese characters with the 4 special tokens)."""
        return len(self.target.vocab)

    def source_ids(self, sentences: Sequence[str]) -> list[list[int]]:
        """Return the ids of each English sentence, without <bos> or <eos>.

        Words the vocabulary lacks become <unk> (id 1), with a UserWarning naming them; an empty
        sentence or one with no tokens is a ValueError.
        """
        return [self.source.encode(s, add_bos=False) for s in _sentences("sentences", sentences)]

    def encode_source(self, sentences: Sequence[str]) -> np.ndarray:
        """Return the English ``sentences`` as padded ids (batch, S): :meth:`source_ids`, <pad> = 0 on the right."""
        return pad(self.source_ids(sentences))

    def teacher_forcing(self, pairs) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
        """Return ((source (B, S), decoder inputs (B, T)), targets (B, T)): ``lm.train``'s data.

        Teacher forcing: the decoder reads the reference shifted right, <bos> y_1 ... y_n, and is
        trained to predict y_1 ... y_n <eos> at the same positions; <pad> = 0 fills both on the right.
        """
        pairs = _pairs("pairs", pairs)
        source = self.encode_source([english for english, _ in pairs])
        chinese = [self.target.encode(zh, add_bos=False) for _, zh in pairs]
        inputs = pad([[Vocab.bos_id] + ids for ids in chinese])  # (B, T)
        targets = pad([ids + [Vocab.eos_id] for ids in chinese])  # (B, T)
        return (source, inputs), targets


# ------------------------------------------------------------------------------------ models
@dataclass(frozen=True)
class Seq2SeqConfig:
    """Sizes and training settings of :func:`build_seq2seq`; checked when created."""

    source_size: int  # number of source (English) ids, codec.source_size
    target_size: int  # number of target (Chinese) ids, codec.target_size: one logit per id
    attention: str | None = "multiplicative"  # None (Sutskever 2014), "multiplicative" or "additive"
    embedding_dim: int = 64  # length of each token's learned vector, on both sides
    hidden_size: int = 128  # LSTM units of the encoder and of the decoder
    learning_rate: float = 0.02  # Adam's step size (notebook 09 passes 0.03 for batches of 128: benchmarks/translation.py)
    clip_norm: float = 1.0  # gradients are clipped to this global norm before each update
    decay_steps: int = 0  # > 0: the step size falls along a cosine to 5% over this many updates
    seed: int = 0  # seeds every initializer of the model (no global seed is set)

    def __post_init__(self):
        check_int("source_size", self.source_size, minimum=5, maximum=MAX_VOCAB)
        check_int("target_size", self.target_size, minimum=5, maximum=MAX_VOCAB)
        check_choice("attention", self.attention, ATTENTION)
        check_int("embedding_dim", self.embedding_dim, minimum=1, maximum=MAX_WIDTH)
        check_int("hidden_size", self.hidden_size, minimum=1, maximum=MAX_WIDTH)
        check_elements("target_size", (max(self.source_size, self.target_size), max(self.embedding_dim, self.hidden_size)))
        check_float("learning_rate", self.learning_rate, minimum=0.0, min_inclusive=False)
        check_float("clip_norm", self.clip_norm, minimum=0.0, min_inclusive=False)
        check_int("decay_steps", self.decay_steps, minimum=0, maximum=10**9)
        check_int("seed", self.seed, minimum=0)


def build_seq2seq(config: Seq2SeqConfig) -> keras.Model:
    """Return a compiled model: (source (B, S), decoder inputs (B, T)) -> logits (B, T, target_size).

    Encoder: h̄_1 ... h̄_S, (h_S, c_S) = LSTM(E_src[x]); decoder: h_t = LSTM(E_tgt[y_<t]) started
    from (h_S, c_S). Without attention logits_t = h_t V + c. With attention (Luong 2015, computed
    after the decoder LSTM, so training runs it over all positions at once):
        multiplicative  score(h_t, h̄_s) = h_t · (W h̄_s) / √H
        additive        score(h_t, h̄_s) = vᵀ tanh(W₁ h_t + W₂ h̄_s)          (Bahdanau's score)
        a_t = softmax_s(score) over the real source positions, c_t = Σ_s a_ts h̄_s,
        h̃_t = tanh(W_c [c_t; h_t] + b_c), logits_t = h̃_t V + c.
    The loss is the cross-entropy averaged over the real (non-<pad>) targets.
    """
    check_type("config", config, Seq2SeqConfig)
    seeds, init, layers = lm.layer_seeds(config.seed), keras.initializers, keras.layers
    hidden = config.hidden_size

    def dense(units, name, **kwargs):
        return layers.Dense(units, name=name, kernel_initializer=init.GlorotUniform(seed=next(seeds)), **kwargs)

    def lstm(name, **kwargs):
        return layers.LSTM(hidden, return_sequences=True, name=name, **kwargs,
                           kernel_initializer=init.GlorotUniform(seed=next(seeds)),
                           recurrent_initializer=init.Orthogonal(seed=next(seeds)))

    source = keras.Input((None,), dtype="int32", name="source")  # (B, S)
    target = keras.Input((None,), dtype="int32", name="target")  # (B, T): <bos> y_1 ... y_{T-1}
    embedded = {name: layers.Embedding(size, config.embedding_dim, mask_zero=True, name=f"{name}_embedding",
                                       embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=next(seeds)))(x)
                for name, size, x in (("source", config.source_size, source), ("target", config.target_size, target))}
    encoded, h, c = lstm("encoder", return_state=True)(embedded["source"])  # (B, S, H), (B, H), (B, H)
    decoded = lstm("decoder")(embedded["target"], initial_state=[h, c])  # (B, T, H)
    if config.attention is not None:
        source_mask = keras.ops.not_equal(source, 0)  # (B, S): True at real source tokens
        if config.attention == "multiplicative":
            query = layers.Rescaling(1 / math.sqrt(hidden), name="query")(decoded)  # h_t / √H
            score = layers.Attention(name="attention")
        else:
            query = dense(hidden, "query", use_bias=False)(decoded)  # W₁ h_t
            score = layers.AdditiveAttention(name="attention")  # its scale vector is v
        keys = dense(hidden, "keys", use_bias=False)(encoded)  # (B, S, H): W h̄_s
        context, _ = score([query, encoded, keys], mask=[None, source_mask],  # (B, T, H): c_t
                           return_attention_scores=True)  # and a_ts (B, T, S): attention_weights
        decoded = dense(hidden, "combine", activation="tanh")(layers.Concatenate()([context, decoded]))
    logits = dense(config.target_size, "logits")(decoded)  # (B, T, target_size)
    model = keras.Model([source, target], logits, name="seq2seq" if config.attention is None else "seq2seq_attention")
    rate = config.learning_rate
    if config.decay_steps:
        rate = keras.optimizers.schedules.CosineDecay(rate, config.decay_steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(rate, global_clipnorm=config.clip_norm),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=Vocab.pad_id))
    return model


def attention_weights(model: keras.Model, source_ids, target_ids) -> np.ndarray:
    """Return the attention weights a_ts (B, T, S) of a :func:`build_seq2seq` model with attention.

    Row t is the distribution over source positions the decoder used to predict the token after
    target_ids[:, t] (teacher forcing: pass <bos> + the translation); <pad> positions get 0.
    """
    check_type("model", model, keras.Model)
    try:
        layer = model.get_layer("attention")
    except ValueError:
        raise ValueError("model has no attention layer: build it with Seq2SeqConfig(attention=...)") from None
    sizes = lm.input_sizes(model)
    source = check_ids("source_ids", source_ids, sizes[0])
    target = check_ids("target_ids", target_ids, sizes[1])
    if source.ndim != 2 or target.ndim != 2 or len(source) != len(target):
        raise ValueError(f"source_ids and target_ids must be (batch, S) and (batch, T) with the same batch, "
                         f"got shapes {source.shape} and {target.shape}")
    probe = keras.Model(model.inputs, layer.output[1])  # the same graph, stopped at the weights
    return np.asarray(probe.predict_on_batch([source.astype(np.int32), target.astype(np.int32)]), dtype=np.float64)
