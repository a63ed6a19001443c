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

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from scipy import stats

from lmtutor import corpora
from lmtutor._validate import check_int, check_str
from lmtutor.embeddings import as_embeddings


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
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
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


def evaluate_word_pairs(vectors: Any, pairs: Any = "wordsim353") -> PairResult:
    """Return PairResult: Spearman ρ(human score, cos(w1, w2)) over in-vocabulary pairs.

    ``pairs`` is "wordsim353", "simlex999" or a list of (word1, word2, score). Pairs with an OOV
    word are skipped and counted; ValueError if no pair is left.
    """
    emb = as_embeddings(vectors)
    name = pairs if isinstance(pairs, str) else "custom"
    rows = corpora.load_word_pairs(pairs) if isinstance(pairs, str) else list(pairs)
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


def analogy_answers(vectors: Any, questions: Sequence[tuple[str, str, str]]) -> list[str]:
    """Return the 3CosAdd answer to each (a, b, c): argmax over x ∉ {a, b, c} of cos(x, b − a + c).

    With unit vectors, cos(x, b̂ − â + ĉ) ranks x like cos(x, b) − cos(x, a) + cos(x, c)
    (Mikolov et al. 2013; Levy & Goldberg 2014). Words must be in the vocabulary (KeyError).
    """
    emb = as_embeddings(vectors)
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
    sections = corpora.load_analogies() if sections is None else sections
    index = _case_index(emb.words)
    per_section, skipped, correct_total, covered_total = {}, 0, 0, 0
    for name, questions in sections.items():
        rows = [[index.get(w.upper()) for w in q] for q in questions]
        ok = [r for r in rows if None not in r]
        skipped += len(rows) - len(ok)
        answers = analogy_answers(emb, [tuple(emb.words[i] for i in r[:3]) for r in ok])
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
        raise KeyError(f"word {word!r} is not in the vocabulary ({len(emb)} words)")
    unit = _unit(emb.vectors)
    scores = unit @ unit[emb.index[word]]  # (V,)
    scores[emb.index[word]] = -np.inf
    best = np.argsort(-scores, kind="stable")[:topn]
    return [(emb.words[i], float(scores[i])) for i in best if np.isfinite(scores[i])]
