"""Evaluating word vectors the standard way: word-pair similarity, analogies, nearest neighbours.

Scores follow gensim's ``KeyedVectors.evaluate_word_pairs`` / ``evaluate_word_analogies`` (the tests
prove they are equal) but report what was skipped as out-of-vocabulary (OOV)::

    result = evaluate_word_pairs(vectors, "wordsim353")   # Spearman ρ, pairs covered / skipped
    analogy = evaluate_analogies(vectors)                  # 3CosAdd accuracy per section
    nearest_neighbours(vectors, "king", topn=5)            # [(word, cosine), ...]

``vectors`` is ``lmtutor.embeddings.Embeddings`` or a gensim ``KeyedVectors``. Words are matched
case-insensitively (the benchmark files say "Athens", the corpora "athens"); if a vocabulary
holds several cases of a word, the first (most frequent) is used, as in gensim.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from scipy import stats

from lmtutor import corpora
from lmtutor._validate import UnknownWordError, _show, check_array, check_float, check_int, check_str, check_type
from lmtutor.embeddings import as_embeddings


def _rows(name: str, rows: Any, fields: tuple[str, ...], *, allow_empty: bool = False) -> list[tuple]:
    """Return ``rows`` as a list of tuples of words (str), the last field a finite score if it is "score"."""
    if isinstance(rows, (str, bytes)) or not isinstance(rows, (list, tuple)):
        raise TypeError(f"{name} must be a list of ({', '.join(fields)}) tuples, got {type(rows).__name__} {_show(rows)}")
    if not rows and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    out = []
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, (list, tuple)):
            raise TypeError(f"{name}[{i}] must be a tuple ({', '.join(fields)}), got {type(row).__name__} {_show(row)}")
        if len(row) != len(fields):
            raise ValueError(f"{name}[{i}] must hold {len(fields)} items ({', '.join(fields)}), got {len(row)}: {_show(row)}")
        for field, value in zip(fields, row):
            if field == "score":
                if isinstance(value, bool) or not isinstance(value, numbers.Real):
                    raise TypeError(f"{name}[{i}] must have a number as its score, got {type(value).__name__} {_show(value)}")
                check_float(f"{name}[{i}] score", value)
            elif not isinstance(value, str):
                raise TypeError(f"{name}[{i}] must hold words (str) as {field}, got {type(value).__name__} {_show(value)}")
        out.append(tuple(row))
    return out


def _unit(table: np.ndarray) -> np.ndarray:
    """Return the rows of ``table`` scaled to length 1 (zero rows stay zero). (V, D)."""
    norms = np.linalg.norm(table, axis=1, keepdims=True)
    return table / np.where(norms == 0, 1.0, norms)


def _case_index(words: Sequence[str]) -> dict[str, int]:
    """Return UPPERCASED word -> row, the first (most frequent) row winning, as gensim does."""
    index: dict[str, int] = {}
    for i, word in enumerate(words):
        index.setdefault(word.upper(), i)
    return index


def cosine_similarity(a: Any, b: Any) -> float:
    """Return cos(a, b) = a·b / (‖a‖ ‖b‖) of two vectors (0.0 if either is zero)."""
    a = check_array("a", a, ndim=1, allow_empty=False)
    b = check_array("b", b, ndim=1, allow_empty=False)
    if a.shape != b.shape:
        raise ValueError(f"a and b must be vectors of the same length, got shapes {a.shape}, {b.shape}")
    norm = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / norm) if norm else 0.0


@dataclass(frozen=True)
class PairResult:
    """Spearman correlation of model cosines with human scores, and the coverage behind it."""

    benchmark: str  # "wordsim353", "simlex999" or "custom"
    spearman: float  # Spearman ρ between human scores and cosines of the covered pairs
    covered: int  # pairs with both words in the vocabulary
    skipped: int  # pairs with a word out of vocabulary (OOV), left out of ρ

    def __post_init__(self):
        check_str("benchmark", self.benchmark, allow_empty=False)
        if not (isinstance(self.spearman, float) and math.isnan(self.spearman)):  # NaN: scores without spread
            check_float("spearman", self.spearman, minimum=-1.0, maximum=1.0)
        check_int("covered", self.covered, minimum=1)
        check_int("skipped", self.skipped, minimum=0)


def evaluate_word_pairs(vectors: Any, pairs: Any = "wordsim353") -> PairResult:
    """Return PairResult: Spearman ρ(human score, cos(w1, w2)) over in-vocabulary pairs.

    ``pairs`` is "wordsim353", "simlex999" or a list of (word1, word2, score). Pairs with an OOV
    word are skipped and counted; ValueError if no pair is left.
    """
    emb = as_embeddings(vectors)
    name = pairs if isinstance(pairs, str) else "custom"
    if isinstance(pairs, str):
        if pairs not in ("wordsim353", "simlex999"):
            raise ValueError(f"pairs must be 'wordsim353', 'simlex999' or a list of (word1, word2, score), "
                             f"got {pairs!r}")
        rows = corpora.load_word_pairs(pairs)
    else:
        rows = _rows("pairs", pairs, ("word1", "word2", "score"))
    index, unit = _case_index(emb.words), _unit(emb.vectors)
    gold, model, skipped = [], [], 0
    for word1, word2, score in rows:
        i, j = index.get(word1.upper()), index.get(word2.upper())
        if i is None or j is None:
            skipped += 1
            continue
        gold.append(float(score))
        model.append(float(unit[i] @ unit[j]))
    if not gold:
        raise ValueError(f"pairs {name!r}: none of its {len(rows)} pairs has both words in the "
                         f"vocabulary of {len(emb)} words, so there is nothing to correlate")
    return PairResult(name, float(stats.spearmanr(gold, model).statistic), len(gold), skipped)


@dataclass(frozen=True)
class AnalogyResult:
    """3CosAdd accuracy on analogy questions a:b :: c:d, overall and per section."""

    accuracy: float  # correct / covered over all sections (0.0 if nothing covered)
    correct: int  # questions whose best answer is d
    covered: int  # questions with all four words in the vocabulary
    skipped: int  # questions with an OOV word, left out
    sections: dict[str, tuple[int, int]]  # section -> (correct, covered), in file order

    def __post_init__(self):
        check_float("accuracy", self.accuracy, minimum=0.0, maximum=1.0)
        check_int("correct", self.correct, minimum=0)
        check_int("covered", self.covered, minimum=0)
        check_int("skipped", self.skipped, minimum=0)
        check_type("sections", self.sections, dict)
        for section, counts in self.sections.items():
            if not isinstance(counts, tuple) or len(counts) != 2:
                raise TypeError(f"sections[{section!r}] must be a pair (correct, covered), got {_show(counts)}")
            correct = check_int(f"sections[{section!r}] correct", counts[0], minimum=0)
            if correct > check_int(f"sections[{section!r}] covered", counts[1], minimum=0):
                raise ValueError(f"sections[{section!r}] has more correct answers than covered questions: {counts}")


def analogy_answers(vectors: Any, questions: Sequence[tuple[str, str, str]]) -> list[str]:
    """Return the 3CosAdd answer to each (a, b, c): argmax over x ∉ {a, b, c} of cos(x, b − a + c).

    With unit vectors, cos(x, b̂ − â + ĉ) ranks x like cos(x, b) − cos(x, a) + cos(x, c)
    (Mikolov et al. 2013; Levy & Goldberg 2014). Words must be in the vocabulary: a missing one
    raises ``UnknownWordError`` (a ValueError that ``except KeyError`` also catches).
    """
    emb = as_embeddings(vectors)
    questions = _rows("questions", questions, ("a", "b", "c"), allow_empty=True)
    for i, question in enumerate(questions):
        missing = [w for w in question if w not in emb.index]
        if missing:
            raise UnknownWordError(f"questions[{i}] has words not in the vocabulary of vectors: {missing}")
    unit = _unit(emb.vectors)  # (V, D)
    ids = np.array([[emb.index[w] for w in q] for q in questions], dtype=np.int64).reshape(-1, 3)
    answers: list[str] = []
    for start in range(0, len(ids), 512):  # (512, V) scores at a time keeps memory small
        block = ids[start:start + 512]  # (N, 3): a, b, c
        target = unit[block[:, 1]] - unit[block[:, 0]] + unit[block[:, 2]]  # (N, D)
        scores = _unit(target) @ unit.T  # (N, V)
        np.put_along_axis(scores, block, -np.inf, axis=1)  # never answer a, b or c
        answers += [emb.words[k] for k in scores.argmax(axis=1)]
    return answers


def evaluate_analogies(vectors: Any, sections: dict[str, list] | None = None) -> AnalogyResult:
    """Return AnalogyResult: 3CosAdd accuracy on in-vocabulary questions, per section.

    ``sections`` maps a section name to (a, b, c, d) questions; default: the Google analogy set
    (``corpora.load_analogies()``). Matching is case-insensitive; a question with an OOV word is
    skipped. ValueError if no question is covered.
    """
    emb = as_embeddings(vectors)
    if sections is None:
        sections = corpora.load_analogies()
    else:
        check_type("sections", sections, dict)
        if not sections:
            raise ValueError("sections must map at least one section name to questions, got {}")
        sections = {check_str("sections key", name): _rows(f"sections[{name!r}]", questions, ("a", "b", "c", "d"))
                    for name, questions in sections.items()}
    index = _case_index(emb.words)
    per_section, skipped, correct_total, covered_total = {}, 0, 0, 0
    for name, questions in sections.items():
        rows = [[index.get(w.upper()) for w in q] for q in questions]
        ok = [r for r in rows if None not in r]
        skipped += len(rows) - len(ok)
        answers = analogy_answers(emb, [tuple(emb.words[i] for i in r[:3]) for r in ok]) if ok else []
        correct = sum(emb.index[a] == r[3] for a, r in zip(answers, ok))
        per_section[name] = (correct, len(ok))
        correct_total, covered_total = correct_total + correct, covered_total + len(ok)
    if not covered_total:
        raise ValueError(f"sections: none of the {skipped} analogy questions has all four words "
                         f"in the vocabulary of {len(emb)} words")
    return AnalogyResult(correct_total / covered_total, correct_total, covered_total, skipped,
                         per_section)


def nearest_neighbours(vectors: Any, word: str, topn: int = 10) -> list[tuple[str, float]]:
    """Return the ``topn`` words with the highest cosine to ``word`` (itself excluded), best first."""
    emb = as_embeddings(vectors)
    check_str("word", word, allow_empty=False)
    topn = check_int("topn", topn, minimum=1)
    if word not in emb:
        raise UnknownWordError(f"word {word!r} is not in the vocabulary ({len(emb)} words)")
    unit = _unit(emb.vectors)
    scores = unit @ unit[emb.index[word]]  # (V,)
    scores[emb.index[word]] = -np.inf
    best = np.argsort(-scores, kind="stable")[:topn]
    return [(emb.words[i], float(scores[i])) for i in best if np.isfinite(scores[i])]
