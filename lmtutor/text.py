"""Text cleaning, tokenizers, vocabularies and language-model windows.

Text becomes numbers in three steps: normalise the string, cut it into tokens (English words,
characters, or Chinese words from jieba), and map each token to an id with a :class:`Vocab`::

    tokens = tokenize("我有一个苹果。", "zh_word")      # ['我', '有', '一个', '苹果', '。']
    vocab = Vocab.build([tokens])
    vocab.encode(tokens, add_bos=True)                  # [2, 6, 7, 5, 8, 4]
"""

from __future__ import annotations

import functools
import json
import logging
import re
import unicodedata
import warnings
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from lmtutor._validate import (
    MAX_VOCAB, _show, check_bool, check_choice, check_ids, check_int, check_path, check_str, check_token_list,
    check_type,
)

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIALS = (PAD, UNK, BOS, EOS)
SCHEMES = ("word", "char", "zh_word")

_WHITESPACE = re.compile(r"\s+")
# A word is a run of letters/digits, optionally joined by apostrophes or hyphens (don't,
# forty-two); every other visible character is a token of its own (punctuation).
_WORD = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")


def normalize(text: str, *, lowercase: bool = False, form: str = "NFKC") -> str:
    """Return ``text`` Unicode-normalised, with whitespace runs collapsed to one space and trimmed.

    NFKC folds compatibility characters: full-width digits and Latin letters ("１９９８" -> "1998"),
    full-width punctuation ("，" -> ","), ligatures. Use ``form="NFC"`` to keep the full-width forms.
    """
    check_str("text", text)
    check_bool("lowercase", lowercase)
    check_choice("form", form, ("NFC", "NFKC", "NFD", "NFKD"))
    text = unicodedata.normalize(form, text)
    text = _WHITESPACE.sub(" ", text).strip()
    return text.lower() if lowercase else text


def tokenize_words(text: str, *, lowercase: bool = True) -> list[str]:
    """Return the words and punctuation marks of a space-separated language such as English.

    A run of letters is one word, so on Chinese, which has no spaces, a whole clause comes out as
    a single "word": use :func:`tokenize_chars` or :func:`tokenize_zh_words` there.
    """
    return _WORD.findall(normalize(text, lowercase=lowercase))


def tokenize_chars(text: str, *, keep_spaces: bool = False) -> list[str]:
    """Return the characters of ``text`` (after NFC normalisation), dropping whitespace by default."""
    text = normalize(text, form="NFC")
    check_bool("keep_spaces", keep_spaces)
    return [ch for ch in text if keep_spaces or not ch.isspace()]


@functools.lru_cache(maxsize=1)
def _jieba_tokenizer():
    """Return a private, initialised jieba tokenizer, built once, without jieba's log lines."""
    try:
        with warnings.catch_warnings():
            # jieba 0.42 imports pkg_resources, which setuptools >= 80 marks as deprecated with a
            # UserWarning that would sit in every notebook that segments Chinese; only that one is hidden.
            warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
            import jieba
    except ImportError as exc:  # pragma: no cover - exercised only without jieba
        raise ImportError(
            "Chinese word segmentation needs jieba: pip install jieba==0.42.1 "
            "(or pip install -r requirements.txt)"
        ) from exc
    tokenizer = jieba.Tokenizer()
    logger = jieba.default_logger
    old_level = logger.level
    logger.setLevel(logging.WARNING)  # silence "Building prefix dict ..." for this call only
    try:
        tokenizer.initialize()
    finally:
        logger.setLevel(old_level)
    return tokenizer


def tokenize_zh_words(text: str) -> list[str]:
    """Return the Chinese words of ``text`` as segmented by jieba (precise mode, offline)."""
    text = normalize(text, form="NFC")
    return [word for word in _jieba_tokenizer().cut(text, HMM=True) if not word.isspace()]


def tokenize(text: str, scheme: str = "word") -> list[str]:
    """Return the tokens of ``text`` under ``scheme``: "word" (English), "char" or "zh_word" (jieba)."""
    check_choice("scheme", scheme, SCHEMES)
    if scheme == "word":
        return tokenize_words(text)
    if scheme == "char":
        return tokenize_chars(text)
    return tokenize_zh_words(text)


def _flatten(corpus) -> list[str]:
    """Return the tokens of a corpus given as a token list or a list of token lists."""
    if isinstance(corpus, (str, bytes)):
        raise TypeError("corpus must be a list of tokens or of token lists, got a str; tokenize it first")
    try:
        items = list(corpus)
    except TypeError:
        raise TypeError(f"corpus must be a list of tokens or of token lists, got {type(corpus).__name__} "
                        f"{_show(corpus)}") from None
    if items and not isinstance(items[0], str):
        tokens: list[str] = []
        for i, sentence in enumerate(items):
            tokens.extend(check_token_list(f"corpus[{i}]", sentence))
        return tokens
    return check_token_list("corpus", items)


class Vocab:
    """A token <-> id mapping whose first ids are the special tokens <pad> <unk> <bos> <eos>."""

    def __init__(self, tokens: Sequence[str], counts: dict[str, int] | None = None):
        tokens = check_token_list("tokens", tokens)
        if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"tokens must start with the special tokens {SPECIALS}, got {tokens[:4]}")
        if len(set(tokens)) != len(tokens):
            dupes = sorted(t for t, c in Counter(tokens).items() if c > 1)
            raise ValueError(f"tokens must be unique; repeated: {dupes[:5]}")
        if counts is not None:
            check_type("counts", counts, dict)
            for token, count in counts.items():
                check_type("counts key", token, str)
                check_int(f"counts[{token!r}]", count, minimum=0)
        self.itos: list[str] = list(tokens)
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}
        self.counts: dict[str, int] = dict(counts or {})

    pad_id, unk_id, bos_id, eos_id = 0, 1, 2, 3

    @classmethod
    def build(cls, corpus: Iterable, *, min_freq: int = 1, max_size: int | None = None) -> "Vocab":
        """Return a vocabulary of the tokens seen at least ``min_freq`` times, most frequent first.

        ``corpus`` is a list of tokens or a list of token lists. ``max_size`` counts the special
        tokens too. Ties in frequency are broken alphabetically so the result is deterministic.
        """
        tokens = _flatten(corpus)
        if not tokens:
            raise ValueError("corpus is empty: a vocabulary needs at least one token")
        check_int("min_freq", min_freq, minimum=1)
        if max_size is not None:
            check_int("max_size", max_size, minimum=len(SPECIALS))
        counts = Counter(tokens)
        for special in SPECIALS:  # specials have fixed ids; they are never counted as words
            counts.pop(special, None)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        kept = [t for t, c in ranked if c >= min_freq]
        if max_size is not None:
            kept = kept[: max_size - len(SPECIALS)]
        return cls(list(SPECIALS) + kept, counts={t: counts[t] for t in kept})

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: object) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        """Return the id of ``token``, or the id of <unk> if the vocabulary lacks it."""
        check_type("token", token, str)
        return self.stoi.get(token, self.unk_id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos and self.counts == other.counts

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)}, first={self.itos[4:9]})"

    def lookup(self, token: str) -> int:
        """Return the id of ``token``; raise ValueError if the vocabulary lacks it."""
        check_type("token", token, str)
        if token not in self.stoi:
            raise ValueError(f"token {token!r} is not in the vocabulary (size {len(self)})")
        return self.stoi[token]

    def encode(
        self, tokens: Sequence[str], *, add_bos: bool = False, add_eos: bool = False, strict: bool = False
    ) -> list[int]:
        """Return the ids of ``tokens``; unknown tokens become <unk> (or raise if ``strict``)."""
        tokens = check_token_list("tokens", tokens)
        add_bos, add_eos = check_bool("add_bos", add_bos), check_bool("add_eos", add_eos)
        if check_bool("strict", strict):
            unknown = [t for t in tokens if t not in self.stoi]
            if unknown:
                raise ValueError(f"tokens contains {len(unknown)} unknown token(s), e.g. {unknown[:3]}")
        ids = [self.stoi.get(t, self.unk_id) for t in tokens]
        return ([self.bos_id] if add_bos else []) + ids + ([self.eos_id] if add_eos else [])

    def decode(self, ids: Iterable[int], *, skip_specials: bool = False) -> list[str]:
        """Return the tokens of ``ids``; ``skip_specials`` drops <pad>, <bos>, <eos> (not <unk>)."""
        if isinstance(ids, (str, bytes)):
            raise TypeError(f"ids must be a sequence of ints, got {type(ids).__name__}")
        array = check_ids("ids", ids, len(self), allow_empty=True)
        if array.ndim != 1:
            raise ValueError(f"ids must be one sequence of ids (1-D), got shape {array.shape}; decode each row")
        check_bool("skip_specials", skip_specials)
        out = []
        for raw in array.tolist():
            token = self.itos[raw]
            if skip_specials and token in (PAD, BOS, EOS):
                continue
            out.append(token)
        return out

    def oov_rate(self, tokens: Sequence[str]) -> float:
        """Return the fraction of token occurrences in ``tokens`` that the vocabulary lacks."""
        tokens = check_token_list("tokens", tokens, allow_empty=False)
        return sum(t not in self.stoi for t in tokens) / len(tokens)

    def to_dict(self) -> dict:
        """Return a JSON-ready dict of the vocabulary (tokens in id order and their counts)."""
        return {"format": "lmtutor.Vocab", "version": 1, "tokens": self.itos, "counts": self.counts}

    def save(self, path: str | Path) -> Path:
        """Return the path after writing the vocabulary to it as UTF-8 JSON."""
        path = check_path("path", path)
        if not path.parent.is_dir():
            raise FileNotFoundError(f"path {str(path)!r}: the folder {str(path.parent)!r} does not exist")
        if path.is_dir():
            raise ValueError(f"path {str(path)!r} is a folder: give a file name such as vocab.json")
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Vocab":
        """Return the vocabulary saved at ``path`` by :meth:`save`."""
        path = check_path("path", path)
        if not path.exists():
            raise FileNotFoundError(f"path {str(path)!r} does not exist")
        if not path.is_file():
            raise ValueError(f"path {str(path)!r} is not a file: give the file Vocab.save wrote")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = None
        if not isinstance(data, dict) or data.get("format") != "lmtutor.Vocab":
            raise ValueError(f"path {str(path)!r} does not hold a vocabulary saved by Vocab.save")
        return cls(data["tokens"], counts=data.get("counts"))


def lm_windows(ids: Sequence[int], seq_len: int, *, stride: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (inputs, targets), each (num_windows, seq_len), with targets = inputs shifted by one.

    Window w starts at s = w * stride: inputs[w] = ids[s : s + seq_len] and
    targets[w] = ids[s + 1 : s + seq_len + 1], so targets[w, t] is the token that follows
    inputs[w, t]. ``stride`` defaults to ``seq_len`` (windows that do not overlap).
    """
    check_int("seq_len", seq_len, minimum=1)
    stride = seq_len if stride is None else check_int("stride", stride, minimum=1)
    if isinstance(ids, (str, bytes)):
        raise TypeError("ids must be a sequence of int token ids, got a str; encode the tokens first")
    if isinstance(ids, (list, tuple)):  # numpy would read True as 1
        bad = next((i for i, v in enumerate(ids) if isinstance(v, (bool, np.bool_))), None)
        if bad is not None:
            raise TypeError(f"ids[{bad}] must be an int token id, got bool {ids[bad]!r}")
    try:
        array = np.asarray(ids)
    except (TypeError, ValueError):
        raise TypeError(f"ids must be a 1-D sequence of ints, got {_show(ids)}") from None
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"ids must be a 1-D sequence of ints, got dtype {array.dtype} and shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= MAX_VOCAB):
        bad = int(np.flatnonzero((array < 0) | (array >= MAX_VOCAB))[0])
        raise ValueError(f"ids[{bad}] = {array[bad]} is not a token id (ids are >= 0 and below {MAX_VOCAB:,})")
    if array.size < seq_len + 1:
        raise ValueError(f"ids has {array.size} tokens; windows of seq_len={seq_len} need at least {seq_len + 1}")
    starts = np.arange(0, array.size - seq_len, stride)
    offsets = np.arange(seq_len)
    inputs = array[starts[:, None] + offsets]  # (num_windows, seq_len)
    targets = array[starts[:, None] + offsets + 1]  # (num_windows, seq_len)
    return inputs.astype(np.int64), targets.astype(np.int64)


def _spans(words: Sequence[str]) -> set[tuple[int, int]]:
    """Return the (start, end) character offsets of consecutive ``words``."""
    spans, start = set(), 0
    for word in words:
        spans.add((start, start + len(word)))
        start += len(word)
    return spans


def segmentation_f1(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Return word-level precision, recall and F1 of a segmentation against the gold one.

    A predicted word counts as correct when its character span (start, end) is also a gold word:
    precision = |correct| / |predicted|, recall = |correct| / |gold|, F1 = 2PR / (P + R).
    Both segmentations must cover the same characters.
    """
    gold = check_token_list("gold", gold, allow_empty=False)
    predicted = check_token_list("predicted", predicted, allow_empty=False)
    if "".join(gold) != "".join(predicted):
        raise ValueError("gold and predicted must segment the same text (their joined words differ)")
    correct = len(_spans(gold) & _spans(predicted))
    precision, recall = correct / len(predicted), correct / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if correct else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
