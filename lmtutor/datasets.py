"""The tokenized corpora every language model of the course is trained and scored on.

Notebook 01 cuts the Lee news corpus and the People's Daily into train / validation / test (80 /
10 / 10, contiguous blocks) and tokenizes them; its Kneser-Ney scores are the baselines. The neural
models of notebooks 04, 07 and 08 must see exactly the same tokens, so the recipes live here::

    data = datasets.lm_corpus("lee_chars")        # .train / .valid / .test: lists of token lists
    ids = data.ids("valid")                        # the same documents as ids of data.vocab
    inputs, targets = data.windows(seq_len=100)    # training windows over <bos> doc <eos> ...
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lmtutor import corpora, text
from lmtutor._validate import check_choice, check_int

# name -> (what the tokens are, the Kneser-Ney order with the best validation perplexity (notebook 01
# for Lee and pd_chars; for pd_jieba n = 2, 3, 4 give 7.38, 7.23, 7.28 bits), the largest vocabulary)
CORPORA = {
    "lee_chars": ("Lee news, lowercased characters, spaces kept as tokens", 5, None),
    "lee_words": ("Lee news, lowercased English words and punctuation", 5, None),
    "pd_chars": ("People's Daily, NFKC-normalised Chinese characters (no spaces)", 4, None),
    "pd_words": ("People's Daily, its own gold segmentation into words, NFKC-normalised", None, None),
    "pd_jieba": ("People's Daily, NFKC-normalised and segmented by jieba; the 8,000 most frequent words",
                 3, 8_004),
}
SPLITS = ("train", "valid", "test")
MIN_FREQ = 2  # tokens seen once in training become <unk>, as in notebook 01


@dataclass(frozen=True)
class LMCorpus:
    """A tokenized corpus cut into train / valid / test, with the vocabulary of its training part."""

    name: str  # a key of CORPORA
    train: list  # token lists, one per document (Lee) or paragraph (People's Daily)
    valid: list  # the next 10% of documents, for choosing models
    test: list  # the last 10%, used once at the end
    vocab: text.Vocab  # tokens seen at least MIN_FREQ times in train (at most CORPORA[name][2]), after the specials

    def split(self, split: str) -> list:
        """Return the token lists of ``split`` ("train", "valid" or "test")."""
        return getattr(self, check_choice("split", split, SPLITS))

    def ids(self, split: str) -> list[list[int]]:
        """Return each document of ``split`` as ids of ``vocab`` (unknown tokens as <unk>)."""
        return [self.vocab.encode(doc) for doc in self.split(split)]

    def stream(self, split: str = "train") -> np.ndarray:
        """Return the documents of ``split`` as one id stream: <bos> doc_1 <eos> <bos> doc_2 <eos> ..."""
        bos, eos = text.Vocab.bos_id, text.Vocab.eos_id
        return np.array([i for doc in self.ids(split) for i in (bos, *doc, eos)], dtype=np.int32)

    def windows(self, seq_len: int, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
        """Return (inputs, targets) (windows, seq_len) int32 cut from :meth:`stream` by text.lm_windows."""
        inputs, targets = text.lm_windows(self.stream(split), check_int("seq_len", seq_len, minimum=1))
        return inputs.astype(np.int32), targets.astype(np.int32)


def _pd_text(line) -> str:
    return text.normalize("".join(word for word, _ in line))


@functools.lru_cache(maxsize=None)
def _documents(name: str) -> corpora.Split:
    if name.startswith("lee"):
        parts = corpora.split_sequential(corpora.load_lee(), (0.8, 0.1, 0.1))
        if name == "lee_chars":
            return corpora.Split(*([text.tokenize_chars(doc.lower(), keep_spaces=True) for doc in part]
                                   for part in parts))
        return corpora.Split(*([text.tokenize(doc, "word") for doc in part] for part in parts))
    parts = corpora.split_sequential(corpora.load_peoples_daily(), (0.8, 0.1, 0.1))
    if name in ("pd_chars", "pd_jieba"):
        scheme = "char" if name == "pd_chars" else "zh_word"
        return corpora.Split(*([text.tokenize(_pd_text(line), scheme) for line in part] for part in parts))
    return corpora.Split(*([[text.normalize(word) for word, _ in line] for line in part] for part in parts))


@functools.lru_cache(maxsize=None)
def _corpus(name: str) -> LMCorpus:
    parts = _documents(name)
    vocab = text.Vocab.build(parts.train, min_freq=MIN_FREQ, max_size=CORPORA[name][2])
    return LMCorpus(name, parts.train, parts.valid, parts.test, vocab)


def lm_corpus(name: str) -> LMCorpus:
    """Return corpus ``name`` (a key of CORPORA) tokenized and split as in notebook 01.

    Built once per process (People's Daily takes a few seconds, 20 s with jieba) and shared: do not
    modify it. Text for a model of "pd_jieba" is segmented by ``text.tokenize(normalize(s), "zh_word")``.
    """
    return _corpus(check_choice("name", name, CORPORA))
