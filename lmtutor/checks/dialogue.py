"""Checks for the exercises of notebook 12: cosine retrieval, mean reciprocal rank, and what one
confidence threshold does (share answered, precision of the answers, out-of-scope questions declined).

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`; the
reference answers come from ``lmtutor.retrieval`` (cosine, ranks, rejection_curve), whose tests
compare them with scikit-learn and with plain-Python versions."""

from __future__ import annotations

from typing import Any, Callable

from lmtutor.checks._runner import CheckResult, _arrays_exercise, _cases, _Exercise, _Mistake, _run, _run_arrays


def _np():
    import numpy as np

    return np


_LISTS = ("the exercise's inputs may be plain lists, as in its example: convert them first "
          "(np.asarray(x, dtype=float))")


# ------------------------------------------------------------------------------- cosine ranking
def _cosine_ranking(query, documents):
    np = _np()
    from lmtutor.retrieval import cosine

    similarities = cosine(np.asarray(query, dtype=float)[None, :], np.asarray(documents, dtype=float))[0]
    return np.argsort(-similarities, kind="stable")


def _ranking_variant(query, documents, *, normalise_query=True, normalise_docs=True, ascending=False, stable=True,
                     euclidean=False):
    np = _np()
    q, d = np.asarray(query, dtype=float), np.asarray(documents, dtype=float)
    if euclidean:
        return np.argsort(np.linalg.norm(d - q, axis=1), kind="stable")
    dots = d @ q
    norms = (np.linalg.norm(d, axis=1) if normalise_docs else 1.0) * (np.linalg.norm(q) if normalise_query else 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        similarities = np.where(norms > 0, dots / np.where(norms > 0, norms, 1.0), 0.0)
    order = np.argsort(similarities if ascending else -similarities, kind="stable" if stable else "quicksort")
    return order


def _ranking_case(seed, n, dim):
    np = _np()
    rng = np.random.default_rng(seed)
    return rng.normal(size=dim), rng.normal(size=(n, dim)) * rng.uniform(0.1, 5.0, size=(n, 1))


def _tied_ranking_case():
    """Rows 0, 2 and 4 point the query's way (exact ties: axis-aligned), row 3 is zero, row 1 opposes it."""
    np = _np()
    return np.array([1.0, 0.0]), np.array([[2.0, 0.0], [-1.0, 0.0], [0.5, 0.0], [0.0, 0.0], [3.0, 0.0], [1.0, 1.0]])


def _many_ties_case():
    """40 axis-aligned rows, so the cosines are exactly 1, 0 or -1: a sort that is not stable reorders them."""
    np = _np()
    choices = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, 0.0], [0.0, -3.0], [5.0, 0.0]])
    return np.array([1.0, 0.0]), choices[np.random.default_rng(5).integers(0, len(choices), 40)]


def _cosine_exercise():
    variant = lambda **kw: (lambda q, d: _ranking_variant(q, d, **kw))  # noqa: E731
    return _arrays_exercise(
        "cosine_ranking", ("query", "documents"), _cosine_ranking,
        note="rows ranked by q·d / (|q| |d|), most similar first, ties by the lower index, zero vectors at 0",
        cases=_cases([([1, 0], [[0, 1], [2, 0], [1, 1]])],  # the example as the exercise writes it: lists
                     [(_np_list([1.0, 0.0]), _np_list([[0.0, 1.0], [2.0, 0.0], [1.0, 1.0]])),
                      _ranking_case(1, 6, 4), _ranking_case(2, 8, 3), _tied_ranking_case(), _many_ties_case(),
                      _ranking_case(3, 1, 5),
                      _ranking_case(4, 6, 4)]),  # the shapes of case 1, other values: every argument matters
        mistakes=(
            _Mistake("you ranked by the dot product q·d: divide by the lengths |q| |d|, or a long row wins "
                     "whatever its direction.", variant(normalise_docs=False, normalise_query=False)),
            _Mistake("most similar first: sort the similarities from the largest down (np.argsort(-similarities)).",
                     variant(ascending=True)),
            _Mistake("equal similarities keep the lower index first: np.argsort's default sort is not stable; "
                     "use np.argsort(-similarities, kind='stable').", variant(stable=False)),
            _Mistake("cosine similarity compares directions; you ranked by Euclidean distance, which also "
                     "depends on the lengths.", variant(euclidean=True)),
        ),
        errors=((TypeError, _LISTS),))


def _np_list(values):
    """Return ``values`` as a NumPy float array (the notebook's example, written as lists)."""
    return _np().asarray(values, dtype=float)


def check_cosine_ranking(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(query, documents)`` -> row indices by cosine similarity, best first.

    ``query`` (D,), ``documents`` (N, D); similarity q·d / (|q| |d|), 0 for a zero vector; equal
    similarities keep the lower index first (``np.argsort(-similarities, kind="stable")``). Notebook
    example: ``fn([1, 0], [[0, 1], [2, 0], [1, 1]])`` is ``[1, 2, 0]``.
    """
    return _run_arrays(_cosine_exercise(), fn)


# ------------------------------------------------------------------------- mean reciprocal rank
def _mrr(scores, gold):
    from lmtutor.retrieval import mrr

    return mrr(scores, list(gold))


def _mrr_variant(scores, gold, *, ties="lower", top1=False, mean=True, zero_based=False):
    np = _np()
    scores = np.asarray(scores, dtype=float)
    values = []
    for row, right in zip(scores, gold):
        higher = np.sum(row > row[right])
        tied = {"lower": np.sum(row[:right] == row[right]), "none": 0,
                "all": np.sum(row == row[right]) - 1}[ties]
        rank = 1 + higher + tied
        values.append(float(rank == 1) if top1 else 1.0 / (rank + 1 if zero_based else rank))
    return float(np.mean(values)) if mean else float(np.sum(values))


def _mrr_case(seed, questions, entries):
    np = _np()
    rng = np.random.default_rng(seed)
    return rng.random((questions, entries)), [int(g) for g in rng.integers(0, entries, size=questions)]


def _tied_mrr_case():
    """Scores rounded to quarters, so the right entry often ties with others below and above it."""
    np = _np()
    rng = np.random.default_rng(11)
    return np.round(rng.random((8, 5)) * 4) / 4, [0, 4, 2, 1, 3, 2, 4, 0]


def _mrr_exercise():
    variant = lambda **kw: (lambda s, g: _mrr_variant(s, g, **kw))  # noqa: E731
    return _Exercise(
        "mean_reciprocal_rank", ("scores", "gold"), _mrr,
        note="MRR = mean of 1 / rank of the right entry, ties going to the lower index",
        cases=_cases([([[0.1, 0.9], [0.5, 0.5]], [0, 1])],  # the example as the exercise writes it: lists
                     [(_np_list([[0.1, 0.9], [0.5, 0.5]]), [0, 1]),
                      _mrr_case(1, 6, 4), _mrr_case(2, 10, 7), _tied_mrr_case(), _mrr_case(3, 1, 3),
                      _mrr_case(4, 6, 4)]),  # the shapes of case 1, other values: every argument matters
        mistakes=(
            _Mistake("you counted only the top-1 hits: MRR gives a right entry in second place 1/2, in third 1/3, ...",
                     variant(top1=True)),
            _Mistake("a tie with a lower-numbered entry puts the right entry after it: add the entries with "
                     "the same score and a lower index to the rank.", variant(ties="none")),
            _Mistake("only ties with a *lower* index count against the right entry (a stable sort from the "
                     "highest score), not every tie.", variant(ties="all")),
            _Mistake("ranks start at 1 (the best entry has rank 1 and earns 1/1), not at 0.", variant(zero_based=True)),
            _Mistake("average the reciprocal ranks over the questions (divide the sum by their number).",
                     variant(mean=False)),
        ),
        errors=((TypeError, _LISTS),))


def check_mean_reciprocal_rank(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(scores, gold)`` -> mean reciprocal rank (a float).

    ``scores`` (Q, L), ``gold`` the right entry per question; rank = 1 + entries scoring higher +
    entries scoring the same with a lower index. Notebook example: ``fn([[0.1, 0.9], [0.5, 0.5]],
    [0, 1])`` is 0.5.
    """
    return _run(_mrr_exercise(), fn)


# ------------------------------------------------------------------------------ rejection point
def _rejection_point(confidence, correct, in_scope, threshold):
    np = _np()
    from lmtutor.retrieval import rejection_at

    return np.array(rejection_at(confidence, [bool(c) for c in correct], [bool(s) for s in in_scope], threshold))


def _point_variant(confidence, correct, in_scope, threshold, *, strict=False, empty_precision=1.0,
                   empty_declined=1.0, over_all=False, declined_all=False):
    np = _np()
    confidence = np.asarray(confidence, dtype=float)
    correct, in_scope = np.asarray(correct, dtype=bool), np.asarray(in_scope, dtype=bool)
    answered = confidence > threshold if strict else confidence >= threshold
    right = (answered & correct).sum()
    precision = right / (len(confidence) if over_all else answered.sum()) if answered.any() else empty_precision
    pool = np.ones(len(confidence), bool) if declined_all else ~in_scope
    declined = (~answered[pool]).mean() if pool.any() else empty_declined
    return np.array([answered.mean(), precision, declined], dtype=float)


def _point_case(seed, n, threshold):
    np = _np()
    rng = np.random.default_rng(seed)
    in_scope = rng.random(n) < 0.7
    correct = in_scope & (rng.random(n) < 0.8)
    confidence = np.round(np.where(correct, rng.uniform(0.3, 1.0, n), rng.uniform(0.0, 0.7, n)), 2)
    return confidence, [bool(c) for c in correct], [bool(s) for s in in_scope], threshold


def _point_exercise():
    variant = lambda **kw: (lambda c, k, s, t: _point_variant(c, k, s, t, **kw))  # noqa: E731
    np = _np()
    return _arrays_exercise(
        "rejection_point", ("confidence", "correct", "in_scope", "threshold"), _rejection_point,
        note="(share answered, precision of the answers, share of out-of-scope questions declined) at one threshold",
        cases=_cases([([0.9, 0.2, 0.6], [True, False, False], [True, True, False], 0.5)],  # as the exercise writes it
                     [(_np_list([0.9, 0.2, 0.6]), [True, False, False], [True, True, False], 0.5),
                      _point_case(1, 12, 0.5), _point_case(2, 20, 0.35),
                      (_np_list([0.4, 0.5, 0.5, 0.7]), [False, True, False, False], [True, True, False, False], 0.5),
                      _point_case(3, 8, 2.0),  # nothing answered
                      (_np_list([0.2, 0.9, 0.6]), [False, True, True], [True, True, True], 0.5),  # nothing out of scope
                      (np.zeros(3), [False, False, False], [False, False, False], 0.0),
                      _point_case(4, 12, 0.45)]),  # the shapes of case 1, other values: every argument matters
        mistakes=(
            _Mistake("a question is answered when its confidence is *at least* the threshold (>=), not above it.",
                     variant(strict=True)),
            _Mistake("with no question answered there is no wrong answer: the precision is 1.0, not 0.",
                     variant(empty_precision=0.0)),
            _Mistake("with no out-of-scope question, none was wrongly answered: the declined share is 1.0.",
                     variant(empty_declined=0.0)),
            _Mistake("precision divides the right answers by the number of *answered* questions, not by all questions.",
                     variant(over_all=True)),
            _Mistake("the declined share counts the out-of-scope questions only (in_scope False), not all questions.",
                     variant(declined_all=True)),
        ),
        errors=((TypeError, _LISTS),))


def check_rejection_point(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(confidence, correct, in_scope, threshold)`` -> (answered share,
    precision, out-of-scope declined share).

    A question is answered when confidence >= threshold; precision = right answers / answered (1.0
    if none is answered); declined = out-of-scope questions not answered / out-of-scope questions
    (1.0 if there are none). Notebook example: ``fn([0.9, 0.2, 0.6], [True, False, False],
    [True, True, False], 0.5)`` is (2/3, 0.5, 0.0).
    """
    return _run_arrays(_point_exercise(), fn)
