"""Part-of-speech tagging (词性标注) of notebook 10 on the People's Daily, January 1998.

Each word of a segmented paragraph gets one of the corpus's tags (n noun, v verb, w punctuation,
...). Two taggers: the most-frequent-tag baseline, and a BiLSTM that reads every word as its id
plus the ids of its first and last characters, so a word it never saw still has a representation
(most Chinese words of two characters or more reveal their class in a character: 化, 性, 者, 们)::

    data = tagging.load_tagging()                          # .train / .valid / .test: lists of [(word, tag), ...]
    codec = tagging.TaggerCodec.build(data.train)          # word, character and tag vocabularies
    model = tagging.build_tagger(tagging.TaggerConfig.for_codec(codec))
    lm.train(model, codec.encode(data.train), epochs=1)     # inputs "x", "first", "last"; one tag per word
    tagging.tag_accuracy(data.test, tagging.predict_tags(model, codec, data.test), data.train)

Three tags of the raw file occur once each and are annotation slips (data/README.md): 面试/vvn is
tagged vn (a verb used as a noun) here, 镇国寺/na n, and 耳/Yg y (a sentence-final particle);
:data:`TAG_FIXES` holds the mapping, so the tag set has 41 tags, each seen many times.

``TaggerConfig(encoder="conv")`` puts residual convolutions over the words in place of the BiLSTM:
matrix products instead of a BiLSTM's many small steps, so an epoch costs less CPU time
(benchmarks/README.md, notebook 10).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Sequence

import keras
import numpy as np

from lmtutor import corpora, lm, quiet_retracing
from lmtutor._validate import (
    MAX_VOCAB, MAX_WIDTH, _show, check_bool, check_choice, check_elements, check_float, check_int, check_str,
    check_type,
)
from lmtutor.text import Vocab

TAG_FIXES = {"vvn": "vn", "na": "n", "Yg": "y"}  # the three one-off annotation slips -> the tag meant
WINDOW = 40  # paragraphs are cut into pieces of at most this many words for training (mean paragraph: 58)
MAX_WINDOW = 1_000  # the longest piece encode makes
ENCODERS = ("bilstm", "conv")  # TaggerConfig.encoder: what reads the word vectors in context
MAX_CONV_LAYERS = 32
MAX_CONV_WIDTH = 31


def _lines(name: str, lines: Any, *, tags: bool = True) -> list[list[tuple[str, str]]]:
    """Return ``lines`` as a non-empty list of non-empty lists of (word, tag) pairs of str (or words if not ``tags``)."""
    if isinstance(lines, (str, bytes)) or not isinstance(lines, (list, tuple)):
        raise TypeError(f"{name} must be a list of lines, each a list of (word, tag) pairs, got {_show(lines)}")
    if not lines:
        raise ValueError(f"{name} must hold at least one line, got none")
    out = []
    for i, line in enumerate(lines):
        if isinstance(line, (str, bytes)) or not isinstance(line, (list, tuple)):
            raise TypeError(f"{name}[{i}] must be a list of (word, tag) pairs, got {_show(line)}")
        if not line:
            raise ValueError(f"{name}[{i}] is empty: a line needs at least one word")
        for j, pair in enumerate(line):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2 or not all(type(s) is str and s for s in pair):
                raise TypeError(f"{name}[{i}][{j}] must be a (word, tag) pair of non-empty str, got {_show(pair)}")
        out.append([tuple(pair) for pair in line])
    return out


def _sentences(name: str, sentences: Any) -> list[list[str]]:
    """Return ``sentences`` as a non-empty list of non-empty word lists; (word, tag) pairs give their words."""
    if isinstance(sentences, (str, bytes)) or not isinstance(sentences, (list, tuple)):
        raise TypeError(f"{name} must be a list of word lists, got {_show(sentences)}")
    if not sentences:
        raise ValueError(f"{name} must hold at least one sentence, got none")
    out = []
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, (str, bytes)) or not isinstance(sentence, (list, tuple)):
            raise TypeError(f"{name}[{i}] must be a list of words, got {_show(sentence)}")
        if not sentence:
            raise ValueError(f"{name}[{i}] is empty: a sentence needs at least one word")
        row = [item[0] if isinstance(item, tuple) and len(item) == 2 else item for item in sentence]
        if not all(type(w) is str and w for w in row):
            raise TypeError(f"{name}[{i}] must hold words (non-empty str) or (word, tag) pairs, got {_show(sentence)}")
        out.append(row)
    return out


def fix_tags(lines: Sequence[Sequence[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """Return ``lines`` with the three annotation slips of :data:`TAG_FIXES` replaced by the tags meant."""
    return [[(word, TAG_FIXES.get(tag, tag)) for word, tag in line] for line in _lines("lines", lines)]


def cut(lines: Sequence[Sequence[tuple[str, str]]], size: int = WINDOW, *,
        pack: bool = False) -> list[list[tuple[str, str]]]:
    """Return the lines cut into consecutive pieces of at most ``size`` words (every word kept once, in order).

    With ``pack`` the lines run on into each other first, so every piece but the last holds ``size``
    words: a piece may end one paragraph and begin the next, and almost nothing is padded (each
    line cut alone leaves a short last piece: 31,475 pieces of the training lines instead of 22,671).
    """
    lines, size = _lines("lines", lines), check_int("size", size, minimum=1, maximum=MAX_WINDOW)
    if check_bool("pack", pack):
        lines = [[pair for line in lines for pair in line]]
    return [line[i:i + size] for line in lines for i in range(0, len(line), size)]


def load_tagging(*, fix: bool = True) -> corpora.Split:
    """Return People's Daily (deduplicated; tags fixed if ``fix``) split 80/10/10 in contiguous blocks:
    15,203 / 1,901 / 1,900 lines, as ``corpora.split_sequential`` cuts it for the language models."""
    check_bool("fix", fix)
    lines = corpora.load_peoples_daily()
    return corpora.split_sequential(fix_tags(lines) if fix else lines)


# ------------------------------------------------------------------------------- the baseline
class MostFrequentTag:
    """The baseline tagger: each word gets the tag it had most often in training; an unseen word the commonest tag."""

    def __init__(self, lines: Sequence[Sequence[tuple[str, str]]]):
        counts: dict[str, Counter] = defaultdict(Counter)
        for line in _lines("lines", lines):
            for word, tag in line:
                counts[word][tag] += 1
        overall = Counter()
        for word_counts in counts.values():
            overall.update(word_counts)
        self.default = min(overall, key=lambda tag: (-overall[tag], tag))  # ties: alphabetical
        self.table = {word: min(c, key=lambda tag: (-c[tag], tag)) for word, c in counts.items()}

    def tag(self, words: Sequence[str]) -> list[str]:
        """Return one tag per word of ``words``: the training table's, or ``default`` for an unseen word."""
        if isinstance(words, str) or not isinstance(words, (list, tuple)):
            raise TypeError(f"words must be a list of words (str), got {_show(words)}")
        for i, word in enumerate(words):
            if type(word) is not str or not word:
                raise TypeError(f"words[{i}] must be a non-empty str, got {_show(word)}")
        return [self.table.get(word, self.default) for word in words]


def tag_accuracy(gold: Sequence[Sequence[tuple[str, str]]], predicted: Sequence[Sequence[str]],
                 train: Sequence[Sequence[tuple[str, str]]]) -> dict[str, float]:
    """Return token accuracy "all", on words seen in ``train`` ("seen") and not seen ("unseen"), and "unseen_share".

    accuracy = (words whose predicted tag equals the gold tag) / words; an empty group scores NaN.
    """
    gold = _lines("gold", gold)
    if isinstance(predicted, (str, bytes)) or not isinstance(predicted, (list, tuple)):
        raise TypeError(f"predicted must be a list of tag lists, one per gold line, got {_show(predicted)}")
    for i, tags in enumerate(predicted):
        if isinstance(tags, str) or not isinstance(tags, (list, tuple)) or not all(type(t) is str for t in tags):
            raise TypeError(f"predicted[{i}] must be a list of tags (str), got {_show(tags)}")
    if len(predicted) != len(gold):
        raise ValueError(f"predicted must hold one tag list per gold line ({len(gold)}), got {len(predicted)}")
    known = {word for line in _lines("train", train) for word, _ in line}
    right, unseen = [], []
    for i, (line, tags) in enumerate(zip(gold, predicted)):
        if len(tags) != len(line):
            raise ValueError(f"predicted[{i}] must hold one tag per word ({len(line)}), got {len(tags)}")
        right += [tag == gold_tag for (_, gold_tag), tag in zip(line, tags)]
        unseen += [word not in known for word, _ in line]
    right, unseen = np.array(right), np.array(unseen)
    mean = lambda a: float(a.mean()) if a.size else float("nan")  # noqa: E731
    return {"all": mean(right), "seen": mean(right[~unseen]), "unseen": mean(right[unseen]),
            "unseen_share": float(unseen.mean())}


# --------------------------------------------------------------------------------- the tagger
@dataclass(frozen=True)
class TaggerCodec:
    """The vocabularies of a tagger: words, characters (first and last of each word) and tags."""

    words: Vocab  # word ids; words seen fewer than min_freq times in training read as <unk>
    chars: Vocab  # character ids of the first and last character of each word
    tags: tuple[str, ...]  # tag names in id order: the model's logits

    def __post_init__(self):
        check_type("words", self.words, Vocab)
        check_type("chars", self.chars, Vocab)
        check_type("tags", self.tags, tuple)
        if len(self.tags) < 2 or not all(type(t) is str and t for t in self.tags) or len(set(self.tags)) != len(self.tags):
            raise ValueError(f"tags must be two or more distinct non-empty str, got {_show(self.tags)}")

    @classmethod
    def build(cls, lines: Sequence[Sequence[tuple[str, str]]], *, min_freq: int = 2) -> "TaggerCodec":
        """Return the codec of training ``lines``: words seen ``min_freq`` times, every character, every tag."""
        lines = _lines("lines", lines)
        check_int("min_freq", min_freq, minimum=1)
        words = Vocab.build([[w for w, _ in line] for line in lines], min_freq=min_freq)
        chars = Vocab.build([[ch for w, _ in line for ch in (w[0], w[-1])] for line in lines])
        return cls(words, chars, tuple(sorted({t for line in lines for _, t in line})))

    def encode(self, lines: Sequence[Sequence[tuple[str, str]]], *, size: int = WINDOW,
               char_features: bool = True, pack: bool = False) -> tuple[Any, np.ndarray]:
        """Return ((word ids, first-char ids, last-char ids), tag ids) for ``lines`` cut into pieces of ``size``:
        the pair ``lm.train`` takes (without ``char_features``: (word ids, tag ids)).

        Each array is (pieces, size), padded with 0 (masked; the padded tag 0 is never scored).
        With ``pack`` the lines are cut as one run of words (:func:`cut`): fewer pieces, almost no
        padding, so an epoch costs less. A tag the codec lacks raises ValueError.
        """
        check_bool("char_features", char_features)
        pieces = cut(lines, size, pack=pack)
        index = {tag: i for i, tag in enumerate(self.tags)}
        targets = np.zeros((len(pieces), size), dtype=np.int32)
        for i, piece in enumerate(pieces):
            for j, (word, tag) in enumerate(piece):
                if tag not in index:
                    raise ValueError(f"lines: tag {tag!r} of word {word!r} is not one of the codec's {len(self.tags)} tags")
                targets[i, j] = index[tag]
        inputs = self.inputs([[w for w, _ in piece] for piece in pieces], size)
        return (inputs if char_features else inputs[0]), targets

    def inputs(self, sentences: Sequence[Sequence[str]], size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (word ids, first-char ids, last-char ids), each (len(sentences), size), 0-padded on the right."""
        sentences = _sentences("sentences", sentences)
        check_int("size", size, minimum=1, maximum=MAX_WINDOW)
        check_elements("sentences", (len(sentences), size))
        arrays = tuple(np.zeros((len(sentences), size), dtype=np.int32) for _ in range(3))
        for i, words in enumerate(sentences):
            for j, word in enumerate(words[:size]):
                arrays[0][i, j] = self.words[word]
                arrays[1][i, j], arrays[2][i, j] = self.chars[word[0]], self.chars[word[-1]]
        return arrays


@dataclass(frozen=True)
class TaggerConfig:
    """Size and training settings of :func:`build_tagger`; checked when created."""

    word_vocab_size: int  # len(codec.words)
    char_vocab_size: int  # len(codec.chars)
    num_tags: int  # len(codec.tags): one logit per tag
    word_dim: int = 64  # length of each word's vector
    char_dim: int = 32  # length of the first- and the last-character vectors
    hidden_size: int = 64  # LSTM units per direction; the channels of each convolution with encoder "conv"
    char_features: bool = True  # False: the word ids only (an unseen word is a bare <unk>)
    dropout: float = 0.3  # share of the input and output vectors zeroed in training (inverted dropout)
    learning_rate: float = 0.01  # Adam's step size
    decay_steps: int = 0  # > 0: the step size falls along a cosine to 5% over this many updates
    seed: int = 0  # seeds every initializer and dropout mask (no global seed is set)
    encoder: str = "bilstm"  # "conv": residual convolutions over the words instead of a BiLSTM
    conv_layers: int = 3  # encoder "conv": how many convolutions, one after another
    conv_width: int = 3  # encoder "conv": words each convolution reads (odd: as many left as right)

    def __post_init__(self):
        check_int("word_vocab_size", self.word_vocab_size, minimum=5, maximum=MAX_VOCAB)
        check_int("char_vocab_size", self.char_vocab_size, minimum=5, maximum=MAX_VOCAB)
        check_int("num_tags", self.num_tags, minimum=2, maximum=MAX_WIDTH)
        for name in ("word_dim", "char_dim", "hidden_size"):
            check_int(name, getattr(self, name), minimum=1, maximum=MAX_WIDTH)
        check_elements("word_vocab_size", (self.word_vocab_size, self.word_dim))
        check_elements("char_vocab_size", (self.char_vocab_size, self.char_dim))
        check_bool("char_features", self.char_features)
        check_float("dropout", self.dropout, minimum=0.0, maximum=1.0, max_inclusive=False)
        check_float("learning_rate", self.learning_rate, minimum=0.0, min_inclusive=False)
        check_int("decay_steps", self.decay_steps, minimum=0, maximum=10**9)
        check_int("seed", self.seed, minimum=0)
        check_choice("encoder", check_str("encoder", self.encoder), ENCODERS)
        check_int("conv_layers", self.conv_layers, minimum=1, maximum=MAX_CONV_LAYERS)
        if check_int("conv_width", self.conv_width, minimum=1, maximum=MAX_CONV_WIDTH) % 2 == 0:
            raise ValueError(f"conv_width must be odd (as many words read left as right), got {self.conv_width}")
        check_elements("conv_width", (self.conv_width, self.hidden_size, self.hidden_size))

    @classmethod
    def for_codec(cls, codec: TaggerCodec, **settings) -> "TaggerConfig":
        """Return a config sized for ``codec`` (its three vocabularies), with ``settings`` for the other fields."""
        check_type("codec", codec, TaggerCodec)
        return cls(len(codec.words), len(codec.chars), len(codec.tags), **settings)


@keras.saving.register_keras_serializable(package="lmtutor")
class _MaskedResidualConv(keras.layers.Layer):
    """u_t + m_t relu(sum_k (m u)_{t+k} W_k + b), k = -(width-1)/2 .. (width-1)/2: a residual 1-D convolution
    over time that neither reads nor writes padding (m_t = the Keras mask: 1 at a real word, 0 at padding).

    Conv1D does not consume masks: here padded positions enter as zeros (as the zero padding past a
    piece's ends does) and get no update, so padding a piece wider leaves its words' outputs unchanged.
    """

    def __init__(self, filters: int, width: int, seed: int | None = None, **kwargs):
        check_int("filters", filters, minimum=1, maximum=MAX_WIDTH)
        if check_int("width", width, minimum=1, maximum=MAX_CONV_WIDTH) % 2 == 0:
            raise ValueError(f"width must be odd (as many steps read left as right), got {width}")
        if seed is not None:
            check_int("seed", seed, minimum=0)
        super().__init__(**kwargs)
        self.supports_masking = True  # the mask passes through unchanged
        self.filters, self.width, self.seed = filters, width, seed
        self.conv = keras.layers.Conv1D(filters, width, padding="same", activation="relu", name="conv",
                                        kernel_initializer=keras.initializers.HeUniform(seed=seed))

    def build(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3 or input_shape[-1] != self.filters:
            raise ValueError(f"input_shape must be (batch, time, {self.filters}): the residual adds the "
                             f"convolution to its input, got {_show(input_shape)}")
        self.conv.build(input_shape)

    def call(self, u, mask=None):
        m = 1.0 if mask is None else keras.ops.expand_dims(keras.ops.cast(mask, u.dtype), -1)
        return u + self.conv(u * m) * m

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "width": self.width, "seed": self.seed}


def build_tagger(config: TaggerConfig) -> keras.Model:
    """Return a compiled tagger: (word ids, first-char ids, last-char ids) (batch, time) -> logits (batch, time, num_tags).

    v_t = [E_word[x_t]; E_char[first_t]; E_char'[last_t]] (the word part alone without char_features);
    encoder "bilstm": h_t = [forward LSTM state; backward LSTM state] at t;
    encoder "conv": u⁰_t = v_t P + c (hidden_size channels), uˡ = _MaskedResidualConv(uˡ⁻¹) for l = 1..conv_layers
    (each reads conv_width words around t, padding read as zeros: a word's tag reads
    conv_layers (conv_width - 1) / 2 words either side), h_t = u^L_t;
    logits_t = h_t W + b; loss −ln softmax(logits_t)[tag_t] averaged over real words (mask_zero=True on
    every embedding: padding is neither read nor scored). Inputs "x", "first", "last" are read by
    Embeddings "x_embedding", "first_embedding", "last_embedding".
    """
    check_type("config", config, TaggerConfig)
    seeds, init = lm.layer_seeds(config.seed), keras.initializers
    names = ("x", "first", "last") if config.char_features else ("x",)
    inputs = [keras.Input((None,), dtype="int32", name=name) for name in names]
    sizes = {"x": (config.word_vocab_size, config.word_dim), "first": (config.char_vocab_size, config.char_dim),
             "last": (config.char_vocab_size, config.char_dim)}
    vectors = [keras.layers.Embedding(*sizes[name], mask_zero=True, name=f"{name}_embedding",
                                      embeddings_initializer=init.RandomUniform(-0.05, 0.05, seed=next(seeds)))(tensor)
               for name, tensor in zip(names, inputs)]
    h = keras.layers.Concatenate(name="word_vector")(vectors) if len(vectors) > 1 else vectors[0]
    if config.dropout:
        h = keras.layers.Dropout(config.dropout, name="input_dropout", seed=next(seeds))(h)
    if config.encoder == "conv":
        h = keras.layers.Dense(config.hidden_size, name="projection",
                               kernel_initializer=init.GlorotUniform(seed=next(seeds)))(h)
        for layer in range(config.conv_layers):
            h = _MaskedResidualConv(config.hidden_size, config.conv_width, seed=next(seeds), name=f"conv_{layer + 1}")(h)
    else:
        lstm = keras.layers.LSTM(config.hidden_size, return_sequences=True, name="lstm",
                                 kernel_initializer=init.GlorotUniform(seed=next(seeds)),
                                 recurrent_initializer=init.Orthogonal(seed=next(seeds)))
        h = keras.layers.Bidirectional(lstm, name="bilstm")(h)
    if config.dropout:
        h = keras.layers.Dropout(config.dropout, name="output_dropout", seed=next(seeds))(h)
    logits = keras.layers.Dense(config.num_tags, name="logits", kernel_initializer=init.GlorotUniform(seed=next(seeds)))(h)
    model = keras.Model(inputs, logits, name="tagger")
    rate = config.learning_rate
    if config.decay_steps:
        rate = keras.optimizers.schedules.CosineDecay(rate, config.decay_steps, alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    return model


def predict_tags(model: keras.Model, codec: TaggerCodec, sentences: Sequence, *, size: int | None = WINDOW,
                 batch_size: int = 256, lexicon: MostFrequentTag | None = None) -> list[list[str]]:
    """Return one predicted tag per word of each sentence (a list of words, or of (word, tag) pairs whose tags are ignored).

    Long sentences are cut into pieces of ``size`` words, tagged, and joined again; ``size=None``
    tags each sentence in one piece (padded to the longest sentence of the call; a sentence longer
    than :data:`MAX_WINDOW` words is still cut), so no word loses the context across a cut. A word the
    codec never saw reads as <unk> plus its first and last characters (<unk> too if unseen).

    ``lexicon``, a :class:`MostFrequentTag` fitted on the training lines, overrides the model for
    one kind of word: a word the codec reads as <unk> (seen fewer than ``min_freq`` times in
    training) that the lexicon saw gets the lexicon's most frequent tag. Words in the codec's
    vocabulary and words the lexicon never saw keep the model's tag. Its tags must be the codec's.
    """
    check_type("model", model, keras.Model)
    check_type("codec", codec, TaggerCodec)
    logits = [layer for layer in model.layers if layer.name == "logits"]
    if not logits or getattr(logits[0], "units", None) != len(codec.tags) or len(model.outputs[0].shape) != 3:
        raise ValueError(f"model must be a tagger with {len(codec.tags)} tag logits (build_tagger for this codec)")
    words = _sentences("sentences", sentences)
    if size is not None:
        size = check_int("size", size, minimum=1, maximum=MAX_WINDOW)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if lexicon is not None:
        check_type("lexicon", lexicon, MostFrequentTag)
        foreign = sorted(set(lexicon.table.values()) - set(codec.tags))
        if foreign:
            raise ValueError(f"lexicon must be fitted on the codec's training lines; its tags {_show(foreign)} are not the codec's")
    if size is None:
        size = min(max(len(row) for row in words), MAX_WINDOW)
    pieces = [(i, row[k:k + size]) for i, row in enumerate(words) for k in range(0, len(row), size)]
    arrays = codec.inputs([piece for _, piece in pieces], size)
    feed = {name: array for name, array in zip(("x", "first", "last"), arrays)
            if name in [t.name.split(":")[0] for t in model.inputs]}
    with quiet_retracing():  # each call's piece count is a new input shape: Keras traces again, as designed
        ids = np.argmax(model.predict(feed, batch_size=batch_size, verbose=0), axis=-1)
    out: list[list[str]] = [[] for _ in words]
    for (i, piece), row in zip(pieces, ids):
        out[i] += [codec.tags[t] for t in row[:len(piece)]]
    if lexicon is not None:
        unk = codec.words.unk_id
        for row, tags in zip(words, out):
            for j, word in enumerate(row):
                if codec.words[word] == unk and word in lexicon.table:
                    tags[j] = lexicon.table[word]
    return out
