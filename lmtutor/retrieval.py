"""Retrieval by similarity, and knowing when not to answer: the NumPy side of notebook 12.

A question is cut into features (English words, Chinese characters and character pairs), weighted
by TF-IDF or averaged word vectors, and compared with every stored phrasing by cosine similarity;
an entry's score is its similarity to the centroid of its phrasings. MRR and top-1 score a ranking; a rejection curve shows what
a confidence threshold trades, and ``choose_threshold`` picks one on validation data::

    tfidf = Tfidf.fit([features(q) for q in phrasings])
    scores = cosine(tfidf.transform([features("what is perplexity")]), tfidf.transform(...))
    mrr(entry_scores, gold), choose_threshold(confidence, correct, in_scope)

``Tfidf`` computes what scikit-learn's ``TfidfVectorizer`` (smooth idf, l2 norm) does; a test
proves it on the course FAQ.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lmtutor._validate import (_show, check_array, check_bool, check_float, check_sentences, check_str,
                               check_type)

MAX_CHARS = 2_000  # a question longer than this is cut here before its features are taken
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECES = re.compile(rf"[{_CJK}]+|[^\W_]+(?:[-'][^\W_]+)*")  # runs of Chinese characters, or words


def language(text: str) -> str:
    """Return "zh" if ``text`` has at least as many Chinese characters as Latin words, else "en".

    Mixed text ("LSTM 是什么") counts by that rule: one Latin word against three characters is
    Chinese. Text with neither (digits, punctuation, nothing) is "en".
    """
    check_str("text", text)
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    chinese = sum(1 for c in text if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")
    words = len(re.findall(r"[A-Za-z]+", text))
    return "zh" if chinese and chinese >= words else "en"


# Function words that every question shares ("how do I ...", "什么是 ..."): they match questions to the
# wrong entries and out-of-scope questions to any entry, so features() leaves them out.
STOPWORDS = frozenset(
    "a an the is are was were be been do does did i you me my your we our it its this that these those what "
    "which who whom how why when where can could should would will shall may might must of to in on for with "
    "at by from about as into and or but if so not no there here any some one all just very please tell "
    "explain give show get gets got have has had am".split()
    + list("的了是吗呢吧啊么什怎我你他她它们这那个有在和与就都也还要会能可以一不没请问给说讲样为到把被让对得着过呀啦"))


def features(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Return the retrieval features of ``text``: lowercased English words (and numbers), and for
    each run of Chinese characters its characters and its adjacent pairs ("语言模型" -> 语 言 模 型
    语言 言模 模型).

    NFKC first (full-width letters and digits become ASCII); text past ``MAX_CHARS`` characters is
    ignored; punctuation and spaces are not features, so "???" has none. With ``drop_stopwords``
    the words and characters of ``STOPWORDS`` are left out, and so is a pair of two such characters (什么).
    """
    check_str("text", text)
    check_bool("drop_stopwords", drop_stopwords)
    stop = STOPWORDS if drop_stopwords else frozenset()
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).lower()
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if re.match(f"[{_CJK}]", piece):
            out.extend(c for c in piece if c not in stop)
            out.extend(piece[i:i + 2] for i in range(len(piece) - 1) if not (piece[i] in stop and piece[i + 1] in stop))
        elif piece not in stop:
            out.append(piece)
    return out


def _documents(name: str, documents: Any) -> list[list[str]]:
    return check_sentences(name, documents, allow_empty=False)


@dataclass(frozen=True)
class Tfidf:
    """TF-IDF weights of a fitted vocabulary: ``idf[j]`` belongs to ``terms[j]`` (sorted).

    tfidf(t, d) = count(t, d) · idf(t), idf(t) = ln((1 + n) / (1 + df(t))) + 1 with n documents and
    df(t) the number that hold t; each row is then divided by its Euclidean length. These are
    scikit-learn's defaults (smooth_idf=True, sublinear_tf=False, norm="l2").
    """

    terms: tuple[str, ...]  # the vocabulary, sorted
    idf: np.ndarray  # (V,) one weight per term
    index: dict[str, int] = field(init=False, repr=False, compare=False)  # term -> column

    def __post_init__(self):
        terms = tuple(_check_terms(self.terms))
        idf = check_array("idf", self.idf, ndim=1)
        if len(idf) != len(terms):
            raise ValueError(f"idf must have one weight per term ({len(terms)}), got {len(idf)}")
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "idf", idf)
        object.__setattr__(self, "index", {t: i for i, t in enumerate(terms)})

    @classmethod
    def fit(cls, documents: Sequence[Sequence[str]]) -> "Tfidf":
        """Return the Tfidf of ``documents`` (lists of features): its terms and their idf."""
        documents = _documents("documents", documents)
        df = Counter(t for doc in documents for t in set(doc))
        if not df:
            raise ValueError("documents have no features at all: TF-IDF needs at least one term")
        terms = tuple(sorted(df))
        n = len(documents)
        idf = np.log((1 + n) / (1 + np.array([df[t] for t in terms], dtype=np.float64))) + 1.0
        return cls(terms, idf)

    def transform(self, documents: Sequence[Sequence[str]]) -> np.ndarray:
        """Return the (N, V) l2-normalised TF-IDF rows of ``documents``; terms not fitted are ignored,
        and a document with none of them is a row of zeros."""
        documents = _documents("documents", documents)
        rows = np.zeros((len(documents), len(self.terms)))
        for i, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                j = self.index.get(term)
                if j is not None:
                    rows[i, j] = count * self.idf[j]
        return _unit_rows(rows)


def _check_terms(terms: Any, name: str = "terms") -> list[str]:
    """Return ``terms`` as a list of distinct str (a vocabulary), raising with ``name`` otherwise."""
    if isinstance(terms, str) or not isinstance(terms, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of str, got {type(terms).__name__} {_show(terms)}")
    for i, term in enumerate(terms):
        check_type(f"{name}[{i}]", term, str)
    if len(set(terms)) != len(terms):
        raise ValueError(f"{name} must not repeat an item")
    return list(terms)


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)


def average_vectors(documents: Sequence[Sequence[str]], words: Sequence[str], vectors: Any) -> np.ndarray:
    """Return (N, D): the mean of the vectors of each document's known features, l2-normalised.

    ``vectors`` (V, D) has row i for ``words[i]``; features not in ``words`` are skipped, and a
    document with no known feature is a row of zeros (it matches nothing).
    """
    documents = _documents("documents", documents)
    table = check_array("vectors", vectors, ndim=2)
    words = _check_terms(words, "words")
    if len(words) != table.shape[0]:
        raise ValueError(f"words and vectors must match, one row of vectors per word: {len(words)} words, "
                         f"{table.shape[0]} rows")
    index = {w: i for i, w in enumerate(words)}
    out = np.zeros((len(documents), table.shape[1]))
    for i, doc in enumerate(documents):
        rows = [index[t] for t in doc if t in index]
        if rows:
            out[i] = table[rows].mean(axis=0)
    return _unit_rows(out)


def cosine(queries: Any, documents: Any) -> np.ndarray:
    """Return (Q, N) cosine similarities q·d / (|q| |d|); a zero row has similarity 0 with everything."""
    q = check_array("queries", queries, ndim=2)
    d = check_array("documents", documents, ndim=2)
    if q.shape[1] != d.shape[1]:
        raise ValueError(f"queries and documents must have the same width, got {q.shape[1]} and {d.shape[1]}")
    return _unit_rows(q) @ _unit_rows(d).T


def _labels(name: str, labels: Any, n_labels: int) -> np.ndarray:
    if isinstance(labels, (str, bytes)) or labels is None:
        raise TypeError(f"{name} must be a sequence of int labels, got {type(labels).__name__} {_show(labels)}")
    items = list(labels) if not isinstance(labels, np.ndarray) else labels.tolist()
    for i, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)):
            raise TypeError(f"{name}[{i}] must be an int label, got {type(item).__name__} {_show(item)}")
        if not 0 <= item < n_labels:
            raise ValueError(f"{name}[{i}] must be in [0, {n_labels}), got {item}")
    return np.asarray(items, dtype=np.int64)


def ranks(scores: Any, gold: Sequence[int]) -> np.ndarray:
    """Return (Q,) the rank (1 = best) of each query's gold label in its row of ``scores`` (Q, L).

    Equal scores rank by label order, as a stable sort from the highest score puts them: a gold
    label tied with a lower-numbered label ranks after it.
    """
    scores = check_array("scores", scores, ndim=2, allow_minus_inf=True)
    gold = _labels("gold", gold, scores.shape[1])
    if len(gold) != scores.shape[0]:
        raise ValueError(f"gold must have one label per row of scores ({scores.shape[0]}), got {len(gold)}")
    rows = np.arange(len(gold))
    target = scores[rows, gold][:, None]
    columns = np.arange(scores.shape[1])[None, :]
    return 1 + (scores > target).sum(axis=1) + ((scores == target) & (columns < gold[:, None])).sum(axis=1)


def mrr(scores: Any, gold: Sequence[int]) -> float:
    """Return the mean reciprocal rank of the gold labels: (1/Q) Σ_q 1 / rank_q."""
    return float(np.mean(1.0 / ranks(scores, gold)))


def top1(scores: Any, gold: Sequence[int]) -> float:
    """Return the share of queries whose gold label ranks first (ties broken as in :func:`ranks`)."""
    return float(np.mean(ranks(scores, gold) == 1))


def _decisions(confidence: Any, correct: Any, in_scope: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    confidence = check_array("confidence", confidence, ndim=1, allow_empty=False)
    out = []
    for name, value in (("correct", correct), ("in_scope", in_scope)):
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError(f"{name} must be a sequence of bools, got {type(value).__name__} {_show(value)}")
        items = value.tolist() if isinstance(value, np.ndarray) else list(value)
        if any(not isinstance(item, (bool, np.bool_)) for item in items):
            raise TypeError(f"{name} must hold only True / False, got {_show(items)}")
        if len(items) != len(confidence):
            raise ValueError(f"{name} must have one entry per confidence ({len(confidence)}), got {len(items)}")
        out.append(np.asarray(items, dtype=bool))
    correct, in_scope = out
    if (correct & ~in_scope).any():
        raise ValueError("correct must be False where in_scope is False (an out-of-scope question has no right entry)")
    return confidence, correct, in_scope


def _candidate_thresholds(confidence: Any) -> np.ndarray:
    """Return the thresholds worth trying: the lowest confidence (answer all), the midpoints between
    neighbouring distinct confidences, and one above the highest (answer none)."""
    confidence = np.unique(check_array("confidence", confidence, ndim=1, allow_empty=False))
    return np.concatenate([confidence[:1], (confidence[1:] + confidence[:-1]) / 2, confidence[-1:] + 1.0])


@dataclass(frozen=True)
class RejectionCurve:
    """What each threshold does: answer a question when its confidence >= threshold."""

    thresholds: np.ndarray  # (T,) increasing
    answered: np.ndarray  # (T,) share of all questions answered
    precision: np.ndarray  # (T,) share of answered questions answered right (1.0 when none is answered)
    rejected_out_of_scope: np.ndarray  # (T,) share of out-of-scope questions declined
    accuracy: np.ndarray  # (T,) share of right decisions: a right answer, or a declined out-of-scope question

    def __post_init__(self):
        names = ("thresholds", "answered", "precision", "rejected_out_of_scope", "accuracy")
        arrays = [check_array(name, getattr(self, name), ndim=1, allow_empty=False) for name in names]
        if len({len(a) for a in arrays}) != 1:
            raise ValueError(f"thresholds, answered, precision, rejected_out_of_scope and accuracy must have one "
                             f"entry per threshold, got lengths {[len(a) for a in arrays]}")
        for name, array in zip(names, arrays):
            object.__setattr__(self, name, array)


def rejection_curve(confidence: Any, correct: Any, in_scope: Any) -> RejectionCurve:
    """Return the :class:`RejectionCurve` of questions with these confidences over candidate thresholds.

    ``correct[i]``: the best entry for question i is its right one (False for out-of-scope
    questions); ``in_scope[i]``: question i has a right entry. A question is answered when
    confidence >= threshold; an answered out-of-scope question is a wrong answer.
    """
    confidence, correct, in_scope = _decisions(confidence, correct, in_scope)
    thresholds = _candidate_thresholds(confidence)
    answer = confidence[None, :] >= thresholds[:, None]  # (T, Q)
    n_answered = answer.sum(axis=1)
    right = (answer & correct[None, :]).sum(axis=1)
    precision = np.divide(right, n_answered, out=np.ones(len(thresholds)), where=n_answered > 0)
    oos = ~in_scope
    declined = (~answer & oos[None, :]).sum(axis=1)
    rejected = declined / oos.sum() if oos.any() else np.ones(len(thresholds))
    return RejectionCurve(thresholds, n_answered / len(confidence), precision, rejected,
                          (right + declined) / len(confidence))


def rejection_at(confidence: Any, correct: Any, in_scope: Any, threshold: float) -> tuple[float, float, float]:
    """Return (share answered, precision of the answers, share of out-of-scope questions declined)
    when questions with confidence >= ``threshold`` are answered; precision is 1.0 when nothing is
    answered and the declined share 1.0 when there is no out-of-scope question."""
    confidence, correct, in_scope = _decisions(confidence, correct, in_scope)
    threshold = check_float("threshold", threshold)
    answer = confidence >= threshold
    precision = float((answer & correct).sum() / answer.sum()) if answer.any() else 1.0
    declined = float((~answer[~in_scope]).mean()) if (~in_scope).any() else 1.0
    return float(answer.mean()), precision, declined


def choose_threshold(confidence: Any, correct: Any, in_scope: Any) -> float:
    """Return the threshold with the highest decision accuracy on these (validation) questions:
    right answers plus declined out-of-scope questions, over all questions; ties go to the lowest
    threshold (the one that answers most)."""
    curve = rejection_curve(confidence, correct, in_scope)
    return float(curve.thresholds[int(np.argmax(curve.accuracy))])
