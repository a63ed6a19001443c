"""Checks for the exercises of notebooks 14 and 15: WEAT's effect size, the exposure of a canary from
the log-probabilities of all candidate secrets, hard debiasing's neutralize step (14), and the anchor
JupyterLab gives a markdown heading (15, the rule its link check uses).

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`;
the reference answers are those of ``lmtutor.bias`` (whose tests compare it with a hand computation
and a plain-Python oracle); exposure, whose module ``lmtutor.memorisation`` is a Models module, is
written here from its formula and tested equal to it."""

from __future__ import annotations

import math
from typing import Any, Callable

from lmtutor.checks._runner import CheckResult, _arrays_exercise, _cases, _Exercise, _Mistake, _run, _run_arrays


def _np():
    import numpy as np

    return np


# ------------------------------------------------------------------------------ WEAT effect size
def _effect_size(X, Y, A, B):
    from lmtutor.bias import weat_effect_size

    return weat_effect_size(X, Y, A, B)


def _effect_variant(X, Y, A, B, *, cosine=True, ddof=1, spread="all", divide=True, reduce="mean"):
    """Return one typical wrong effect size (or the right one with the defaults)."""
    np = _np()
    unit = (lambda M: M / np.linalg.norm(M, axis=1, keepdims=True)) if cosine else (lambda M: M)  # noqa: E731
    pool = getattr(np, reduce)
    s = lambda W: pool(unit(W) @ unit(A).T, axis=1) - pool(unit(W) @ unit(B).T, axis=1)  # noqa: E731
    s_x, s_y = s(X), s(Y)
    difference = float(s_x.mean() - s_y.mean())
    if not divide:
        return difference
    std = np.std(s_x, ddof=ddof) if spread == "x" else np.std(np.concatenate([s_x, s_y]), ddof=ddof)
    return float(difference / std)


def _shown_weat_case():
    np = _np()
    return (np.array([[3.0, 0.0], [0.6, 0.8]]), np.array([[0.0, 2.0], [0.8, 0.6]]),
            np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))


def _weat_case(seed, sizes, dim=5):
    np = _np()
    rng = np.random.default_rng(seed)
    scales = rng.uniform(0.2, 5.0, size=(sum(sizes), 1))  # vectors of very different lengths: cosines, not dot products
    vectors = rng.normal(size=(sum(sizes), dim)) * scales
    return tuple(np.split(vectors, np.cumsum(sizes)[:-1]))


def _weat_exercise():
    variant = lambda **kw: (lambda X, Y, A, B: _effect_variant(X, Y, A, B, **kw))  # noqa: E731
    return _Exercise(
        "weat_effect_size", ("X", "Y", "A", "B"), _effect_size,
        note="d = (mean_x s(x) − mean_y s(y)) / std_{w in X ∪ Y} s(w) with s(w) = mean_a cos(w, a) − mean_b cos(w, b)",
        cases=_cases([_shown_weat_case()],
                     [_weat_case(1, (4, 4, 3, 3)), _weat_case(2, (5, 3, 2, 6)), _weat_case(3, (3, 3, 4, 1)),
                      _weat_case(4, (6, 6, 5, 5), dim=8), _weat_case(5, (4, 4, 3, 3))]),  # case 1's shapes again
        mistakes=(
            _Mistake("use cosines, not dot products: scale every vector to length 1 (or divide by both lengths) "
                     "before taking a·b; WEAT must not depend on how long a vector is.", variant(cosine=False)),
            _Mistake("use the sample standard deviation, np.std(s, ddof=1), as the formula of this notebook "
                     "states (np.std's default ddof=0 divides by n instead of n − 1).", variant(ddof=0)),
            _Mistake("the standard deviation is over the associations of *all* target words, X ∪ Y, not of X alone.",
                     variant(spread="x")),
            _Mistake("divide the difference of the means by the standard deviation of s over X ∪ Y: the effect "
                     "size is in standard deviations, not in cosine units.", variant(divide=False)),
            _Mistake("s(w, A, B) averages over A and over B (np.mean), it does not sum: with |A| ≠ |B| a sum "
                     "favours the larger set.", variant(reduce="sum")),
            _Mistake("the sign is flipped: d is positive when X is closer to A (and Y to B), mean over X minus "
                     "mean over Y, cos with A minus cos with B.", lambda X, Y, A, B: -_effect_size(X, Y, A, B)),
        ))


def check_weat_effect_size(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(X, Y, A, B)`` -> WEAT's effect size d (a float).

    X, Y (targets) and A, B (attributes) are arrays (n, D), one word vector per row.
    s(w) = mean_a cos(w, a) − mean_b cos(w, b); d = (mean_x s(x) − mean_y s(y)) / std_{w in X ∪ Y} s(w),
    the sample standard deviation (ddof = 1). Notebook example: X = [[3, 0], [0.6, 0.8]],
    Y = [[0, 2], [0.8, 0.6]], A = [[1, 0]], B = [[0, 1]] gives 0.8 / √(2.08 / 3) = 0.9608.
    """
    return _run(_weat_exercise(), fn)


# ------------------------------------------------------------------------------------- exposure
def _exposure(log_probs, index):
    np = _np()
    scores = np.asarray(log_probs, dtype=np.float64)
    rank = 1 + int(np.count_nonzero(scores > scores[index]))
    return math.log2(len(scores)) - math.log2(rank)


def _exposure_variant(log_probs, index, *, zero_based=False, ascending=False, base=2.0, ties_below=False):
    np = _np()
    scores = np.asarray(log_probs, dtype=np.float64)
    if ascending:
        scores = -scores
    better = np.count_nonzero(scores >= scores[index]) - 1 if ties_below else np.count_nonzero(scores > scores[index])
    rank = better + (0 if zero_based else 1)
    with np.errstate(divide="ignore"):
        return float(np.log(len(scores)) / np.log(base) - np.log(rank) / np.log(base))


def _exposure_case(seed, size, index):
    np = _np()
    return np.random.default_rng(seed).normal(-20.0, 3.0, size), index


def _exposure_exercise():
    np = _np()
    shown = (np.array([-9.2, -4.1, -6.3, -12.0, -7.5, -5.0, -8.8, -10.4]), 2)  # rank 3 of 8: 3 − log2 3
    ties = (np.array([-3.0, -1.0, -2.0, -1.0, -2.0, -5.0]), 3)  # index 3 ties with index 1 for the best rank
    ties_low = (np.array([-3.0, -1.0, -2.0, -1.0, -2.0, -5.0]), 4)
    variant = lambda **kw: (lambda p, i: _exposure_variant(p, i, **kw))  # noqa: E731
    return _Exercise(
        "exposure", ("log_probs", "index"), _exposure,
        note="exposure = log2 |R| − log2 rank, rank = 1 + the number of candidates with a higher log-probability",
        cases=_cases([shown], [_exposure_case(1, 1000, 17), _exposure_case(2, 64, 5), ties, ties_low,
                               _exposure_case(3, 10, 0), (np.array([-2.0, -0.5, -3.0]), 1),
                               _exposure_case(4, 8, 4)]),  # the shown case's shape, other values
        errors=((ZeroDivisionError, "rank starts at 1 (the most probable candidate), so log2 rank is 0 there, never log2 0"),),
        mistakes=(
            _Mistake("rank starts at 1 for the most probable candidate: rank = 1 + the number of candidates with a "
                     "*higher* log-probability (counting from 0 gives log2 0 = −inf for the best one).",
                     variant(zero_based=True)),
            _Mistake("rank 1 is the *most* probable candidate: count the candidates with a higher log-probability, "
                     "not a lower one.", variant(ascending=True)),
            _Mistake("index is where the canary sits in the list of candidates, not its rank: the rank comes from "
                     "comparing log_probs[index] with every candidate's log-probability.",
                     lambda p, i: math.log2(len(p)) - math.log2(i + 1)),
            _Mistake("exposure is in bits: use log2, not the natural log (np.log2 or math.log2).", variant(base=math.e)),
            _Mistake("a candidate that ties with the canary is not ranked above it: count only strictly higher "
                     "log-probabilities (>, not >=).", variant(ties_below=True)),
        ))


def check_exposure(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(log_probs, index)`` -> the exposure in bits (a float).

    ``log_probs`` (|R|,) holds ln P(secret | prefix) of every candidate secret; the canary is entry
    ``index``. rank = 1 + the number of candidates with a strictly higher log-probability, and
    exposure = log2 |R| − log2 rank (Carlini et al. 2019). Notebook example: 8 candidates, the canary
    third most probable: 3 − log2 3 = 1.415.
    """
    return _run(_exposure_exercise(), fn)


# ------------------------------------------------------------------------------------- neutralize
def _neutralize(vectors, direction):
    from lmtutor.bias import neutralize

    return neutralize(vectors, direction)


def _neutralize_variant(vectors, direction, *, unit_direction=True, renormalise=True, keep="rest", unit_rows=True):
    np = _np()
    g = direction / np.linalg.norm(direction) if unit_direction else direction
    rows = vectors / np.linalg.norm(vectors, axis=1, keepdims=True) if unit_rows else vectors
    along = np.outer(rows @ g, g)
    out = {"rest": rows - along, "along": along, "plus": rows + along}[keep]
    return out / np.linalg.norm(out, axis=1, keepdims=True) if renormalise else out


def _neutralize_case(seed, rows, dim, scale=1.0):
    np = _np()
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, dim)) * rng.uniform(0.5, 3.0, size=(rows, 1)), rng.normal(size=dim) * scale


def _neutralize_exercise():
    np = _np()
    shown = (np.array([[3.0, 4.0], [1.0, 1.0], [0.0, 2.0]]), np.array([2.0, 0.0]))
    variant = lambda **kw: (lambda v, g: _neutralize_variant(v, g, **kw))  # noqa: E731
    return _arrays_exercise(
        "neutralize", ("vectors", "direction"), _neutralize,
        note="w' = (w − (w·g) g) / ‖w − (w·g) g‖ with w each row scaled to length 1 and g the unit direction",
        cases=_cases([shown], [_neutralize_case(1, 4, 3, 3.0), _neutralize_case(2, 6, 5, 0.4), _neutralize_case(3, 2, 8, 2.0),
                               _neutralize_case(4, 3, 2, 0.7)]),  # the shown case's shapes, other values
        mistakes=(
            _Mistake("scale the direction to length 1 first, g / ‖g‖: (w·g) g is the projection on g only when ‖g‖ = 1.",
                     variant(unit_direction=False)),
            _Mistake("scale each result back to length 1: removing a component shortens the vector.",
                     variant(renormalise=False)),
            _Mistake("scale each row to length 1 before removing the component (and the result after): the "
                     "exercise's w is the unit vector of the word.", variant(unit_rows=False, renormalise=False)),
            _Mistake("you kept the component along g, (w·g) g; neutralizing keeps the rest, w − (w·g) g.",
                     variant(keep="along")),
            _Mistake("subtract the projection, w − (w·g) g, do not add it.", variant(keep="plus")),
        ))


def check_neutralize(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(vectors, direction)`` -> the neutralized vectors (n, D).

    Each row w of ``vectors`` is scaled to length 1; with g = direction / ‖direction‖ the answer row
    is (w − (w·g) g) / ‖w − (w·g) g‖ (Bolukbasi et al. 2016). Notebook example: rows [3, 4], [1, 1],
    [0, 2] and direction [2, 0] give [0, 1] for every row.
    """
    return _run_arrays(_neutralize_exercise(), fn)


# ------------------------------------------------------------------------ heading anchor (notebook 15)
def _heading_anchor(heading):
    """Return JupyterLab's anchor of a markdown heading line: the text without the leading #s and the
    markup characters ` and *, every space replaced by '-'."""
    text = heading.lstrip("#").strip()
    return text.replace("`", "").replace("*", "").replace(" ", "-")


def _anchor_variant(heading, *, lower=False, keep_hashes=False, keep_markup=False, joiner="-", strip=True,
                    github=False):
    import re

    text = heading if keep_hashes else heading.lstrip("#")
    text = text.strip() if strip else text
    if not keep_markup:
        text = text.replace("`", "").replace("*", "")
    if github:
        text = re.sub(r"[^\w\- ]", "", text.lower())
    text = text.lower() if lower else text
    return text.replace(" ", joiner)


_ANCHOR = _Exercise(
    "heading_anchor", ("heading",), _heading_anchor,
    note="the heading's text without #s, backticks and asterisks, each space replaced by '-'",
    cases=_cases([("## 3. Skip-gram with negative sampling (跳字模型与负采样)",)],
                 [("# 15 · Further reading and errata (扩展阅读与勘误)",), ("### Adam needs its second moment",),
                  ("## 4. The source article's softmax + `from_logits=True`",), ("#### A **bold** claim",),
                  ("## 1. The article's generator, repaired (§4.7, §5.2, §6.1)",), ("## Summary",),
                  ("### 1.1 Tokens and training pairs",)]),
    mistakes=(
        _Mistake("keep the case: JupyterLab's anchor is the heading's text as written (lower case is GitHub's rule).",
                 lambda h: _anchor_variant(h, lower=True)),
        _Mistake("keep the punctuation: only the #s, backticks and asterisks go, and spaces become '-' "
                 "(dropping punctuation is GitHub's rule, not JupyterLab's).", lambda h: _anchor_variant(h, github=True)),
        _Mistake("drop the leading #s: they mark the heading's level, they are not part of its text.",
                 lambda h: _anchor_variant(h, keep_hashes=True)),
        _Mistake("drop the spaces between the #s and the text before replacing spaces: the anchor does not start with '-'.",
                 lambda h: _anchor_variant(h, strip=False)),
        _Mistake("drop the markup characters (backticks and asterisks): the anchor is made of the text the reader sees.",
                 lambda h: _anchor_variant(h, keep_markup=True)),
        _Mistake("replace each space by '-', not by '_'.", lambda h: _anchor_variant(h, joiner="_")),
    ))


def check_heading_anchor(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(heading)`` -> the anchor JupyterLab gives a markdown heading line (a str).

    The leading #s and the spaces after them are dropped, so are the markup characters ` and *, and
    each remaining space becomes '-'; case and other punctuation stay. Notebook example:
    "## 3. Skip-gram with negative sampling (跳字模型与负采样)" -> "3.-Skip-gram-with-negative-sampling-(跳字模型与负采样)".
    """
    return _run(_ANCHOR, fn)
