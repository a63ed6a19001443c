"""The tokenized corpora every language model of the course is trained and scored on.

Notebook 01 cuts the Lee news corpus and the People's Daily into train / validation / test (80 /
10 / 10, contiguous blocks) and tokenizes them; its Kneser-Ney scores are the baselines. The neural
models of notebooks 04, 07 and 08 must see exactly the same tokens, so the recipes live here, and
each corpus encodes new text (a prompt) exactly as it cut its own (:class:`TextRecipe`)::

    data = datasets.lm_corpus("lee_chars")        # .train / .valid / .test: lists of token lists
    ids = data.ids("valid")                        # the same documents as ids of data.vocab
    inputs, targets = data.windows(seq_len=100)    # training windows over <bos> doc <eos> ...
    data.encode("The cat"), data.decode(ids[0])    # text -> <bos> + ids, ids -> text
"""

from __future__ import annotations

import functools
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lmtutor import corpora, text
from lmtutor._validate import _show, check_bool, check_choice, check_int, check_sentences, check_type


@dataclass(frozen=True)
class TextRecipe:
    """How a corpus turns a string into tokens: the normalisation, case folding and tokenizer it was built with."""

    scheme: str | None  # text.SCHEMES: "char", "word" or "zh_word" (jieba); None: segmented by hand
    lowercase: bool = False  # lowercase the text first (the Lee corpora)
    normalize: bool = True  # NFKC-normalise first (full-width digits and punctuation -> ASCII)
    keep_spaces: bool = False  # "char" only: a space is a token (English characters)

    def __post_init__(self):
        if self.scheme is not None:
            check_choice("scheme", self.scheme, text.SCHEMES)
        for name in ("lowercase", "normalize", "keep_spaces"):
            check_bool(name, getattr(self, name))
        if self.keep_spaces and self.scheme != "char":
            raise ValueError(f"keep_spaces applies to the 'char' scheme only (words never keep spaces), "
                             f"got scheme={self.scheme!r}")
        if not self.normalize and self.scheme == "word":
            raise ValueError("normalize=False cannot be kept with scheme 'word': text.tokenize_words always "
                             "NFKC-normalises")

    def tokens(self, string: str) -> list[str]:
        """Return the tokens of ``string`` cut as the corpus's documents were."""
        check_type("string", string, str)
        if self.scheme is None:
            raise ValueError("this corpus was segmented by hand (People's Daily's gold words): no tokenizer "
                             "reproduces it; use pd_jieba (jieba words) or encode a token list with vocab.encode")
        source = text.normalize(string) if self.normalize else string
        source = source.lower() if self.lowercase else source
        if self.scheme == "char":
            return text.tokenize_chars(source, keep_spaces=self.keep_spaces)
        if self.scheme == "word":
            return text.tokenize_words(source, lowercase=self.lowercase)
        return text.tokenize_zh_words(source)

    def encode(self, vocab: text.Vocab, string: str, *, add_bos: bool = True) -> list[int]:
        """Return the ids of ``string`` under ``vocab``, <bos> first: a prompt for ``generate``.

        Tokens the vocabulary lacks become <unk> (id 1) with a UserWarning naming them.
        """
        check_type("vocab", vocab, text.Vocab)
        check_bool("add_bos", add_bos)
        tokens = self.tokens(string)
        unknown = Counter(t for t in tokens if t not in vocab)
        if unknown:
            warnings.warn(f"text has {sum(unknown.values())} token(s) not in the vocabulary, read as "
                          f"<unk>: {sorted(unknown)[:10]}", UserWarning, stacklevel=3)
        ids = vocab.encode(tokens, add_bos=add_bos)
        if not ids:
            raise ValueError(f"string {_show(string)} has no tokens under scheme {self.scheme!r} and add_bos is False")
        return ids

    def decode(self, vocab: text.Vocab, ids: Sequence[int]) -> str:
        """Return the text of ``ids``: tokens joined by " " (English words) or "" (characters, Chinese words).

        <pad>, <bos> and <eos> are dropped; <unk> stays visible.
        """
        check_type("vocab", vocab, text.Vocab)
        tokens = vocab.decode(ids, skip_specials=True)
        return (" " if self.scheme == "word" else "").join(tokens)


@dataclass(frozen=True)
class TextCodec:
    """A recipe with its vocabulary: what ``LMCorpus`` and a loaded checkpoint encode and decode with."""

    recipe: TextRecipe  # how strings become tokens
    vocab: text.Vocab  # tokens <-> ids

    def __post_init__(self):
        check_type("recipe", self.recipe, TextRecipe)
        check_type("vocab", self.vocab, text.Vocab)

    def encode(self, string: str, *, add_bos: bool = True) -> list[int]:
        """Return <bos> + the ids of ``string`` (:meth:`TextRecipe.encode`)."""
        return self.recipe.encode(self.vocab, string, add_bos=add_bos)

    def decode(self, ids: Sequence[int]) -> str:
        """Return the text of ``ids`` (:meth:`TextRecipe.decode`)."""
        return self.recipe.decode(self.vocab, ids)

    def tokens(self, string: str) -> list[str]:
        """Return the tokens of ``string`` (:meth:`TextRecipe.tokens`)."""
        return self.recipe.tokens(string)

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
def codec(codec) -> TextCodec:
    """Return the :class:`TextCodec` of ``codec``: an ``LMCorpus``, a loaded checkpoint or a TextCodec.

    What the widgets and figures take (their argument ``codec``) to turn a prompt into ids the way
    the model's corpus did.
    """
    if isinstance(codec, TextCodec):
        return codec
    recipe, vocab = getattr(codec, "recipe", None), getattr(codec, "vocab", None)
    if not isinstance(recipe, TextRecipe) or not isinstance(vocab, text.Vocab):
        raise TypeError(f"codec must be an LMCorpus (datasets.lm_corpus(name)), a loaded checkpoint or a "
                        f"datasets.TextCodec(recipe, vocab): something with .recipe and .vocab, got "
                        f"{type(codec).__name__} {_show(codec)}")
    return TextCodec(recipe, vocab)


# name -> how text becomes its tokens (exactly what _documents does to the corpus's own text)
RECIPES = {
    "lee_chars": TextRecipe("char", lowercase=True, normalize=False, keep_spaces=True),
    "lee_words": TextRecipe("word", lowercase=True),
    "pd_chars": TextRecipe("char"),
    "pd_words": TextRecipe(None),
    "pd_jieba": TextRecipe("zh_word"),
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

    def __post_init__(self):
        check_choice("name", self.name, CORPORA)
        for split in SPLITS:  # each a list of token lists (checked in full: built once per corpus)
            check_type(split, getattr(self, split), list)
            check_sentences(split, getattr(self, split), allow_empty=split != "train")
        check_type("vocab", self.vocab, text.Vocab)

    @property
    def recipe(self) -> TextRecipe:
        """Return how this corpus turns text into tokens (RECIPES[name])."""
        return RECIPES[self.name]

    def encode(self, string: str, *, add_bos: bool = True) -> list[int]:
        """Return <bos> + the ids of ``string`` tokenized as this corpus was (unknown -> <unk>, with a warning)."""
        return self.recipe.encode(self.vocab, string, add_bos=add_bos)

    def decode(self, ids: Sequence[int]) -> str:
        """Return ``ids`` as text, joined as this corpus's tokens are (" " between words, "" between characters)."""
        return self.recipe.decode(self.vocab, ids)

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
    recipe = RECIPES[name]
    if name.startswith("lee"):
        parts = corpora.split_sequential(corpora.load_lee(), (0.8, 0.1, 0.1))
        return corpora.Split(*([recipe.tokens(doc) for doc in part] for part in parts))
    parts = corpora.split_sequential(corpora.load_peoples_daily(), (0.8, 0.1, 0.1))
    if recipe.scheme is None:  # the gold words, each NFKC-normalised
        return corpora.Split(*([[text.normalize(word) for word, _ in line] for line in part] for part in parts))
    return corpora.Split(*([recipe.tokens(_pd_text(line)) for line in part] for part in parts))


@functools.lru_cache(maxsize=None)
def _corpus(name: str) -> LMCorpus:
    parts = _documents(name)
    vocab = text.Vocab.build(parts.train, min_freq=MIN_FREQ, max_size=CORPORA[name][2])
    return LMCorpus(name, parts.train, parts.valid, parts.test, vocab)


def lm_corpus(name: str) -> LMCorpus:
    """Return corpus ``name`` (a key of CORPORA) tokenized and split as in notebook 01.

    Built once per process (People's Daily takes a few seconds, 20 s with jieba) and shared: do not
    modify it. ``lm_corpus(name).encode(s)`` turns new text into ids as the corpus's own text was
    (its :class:`TextRecipe`, ``RECIPES[name]``).
    """
    return _corpus(check_choice("name", name, CORPORA))
