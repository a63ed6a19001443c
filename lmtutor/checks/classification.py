"""Checks for the exercises of notebook 10: macro-F1 from a confusion matrix, the most-frequent-tag
baseline of a part-of-speech tagger, and the zero-shot label choice by cosine similarity.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`.
The references are written here (the classifiers of ``lmtutor.classify`` and ``lmtutor.tagging`` sit
in the Models layer, which checks do not import); tests/test_checks_classification.py proves them
equal to scikit-learn's ``f1_score`` and to ``tagging.MostFrequentTag``."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Callable

from lmtutor.checks._runner import CheckResult, _Exercise, _Mistake, _cases, _run


def _np():
    import numpy as np

    return np


# --------------------------------------------------------------------------- macro-F1 from counts
def _f1s(matrix, *, keep_absent=False, zero_safe=True):
    """Return the per-class F1 of the classes that occur (row or column non-zero), or of all classes."""
    np = _np()
    counts = np.asarray(matrix, dtype=float)
    rows, columns, right = counts.sum(axis=1), counts.sum(axis=0), np.diag(counts)
    present = (rows + columns) > 0
    if not zero_safe and ((rows == 0) | (columns == 0)).any():
        raise ZeroDivisionError("0 / 0")
    f1 = np.divide(2 * right, rows + columns, out=np.zeros(len(counts)), where=present)
    return f1 if keep_absent else f1[present]


def _macro_f1(matrix) -> float:
    return float(_f1s(matrix).mean())


def _weighted_f1(matrix) -> float:
    np = _np()
    counts = np.asarray(matrix, dtype=float)
    return float((_f1s(counts, keep_absent=True) * counts.sum(axis=1)).sum() / counts.sum())


def _f1_of_means(matrix) -> float:
    np = _np()
    counts = np.asarray(matrix, dtype=float)
    present = (counts.sum(axis=0) + counts.sum(axis=1)) > 0
    precision = np.divide(np.diag(counts), counts.sum(axis=0), out=np.zeros(len(counts)), where=counts.sum(axis=0) > 0)
    recall = np.divide(np.diag(counts), counts.sum(axis=1), out=np.zeros(len(counts)), where=counts.sum(axis=1) > 0)
    p, r = precision[present].mean(), recall[present].mean()
    return float(2 * p * r / (p + r)) if p + r else 0.0


def _mean_of(matrix, axis) -> float:
    np = _np()
    counts = np.asarray(matrix, dtype=float)
    present = (counts.sum(axis=0) + counts.sum(axis=1)) > 0
    share = np.divide(np.diag(counts), counts.sum(axis=axis), out=np.zeros(len(counts)), where=counts.sum(axis=axis) > 0)
    return float(share[present].mean())


_ZERO = ("a class that is never predicted has precision 0 / 0: count its F1 as 0 (2·TP / (row sum + column sum) "
         "never divides by 0 for a class that occurs)")
_MACRO = _Exercise(
    "macro_f1", ("matrix",), _macro_f1,
    note="macro-F1 = mean over the classes that occur of F1_k = 2 P_k R_k / (P_k + R_k)",
    cases=_cases([([[8, 2, 0], [1, 1, 0], [0, 3, 1]],)],
                 [([[9, 0], [1, 0]],),  # class 1 never predicted
                  ([[3, 0, 0], [0, 0, 0], [1, 0, 2]],),  # class 1 absent: left out of the mean
                  ([[7]],), ([[0, 4], [3, 0]],),  # nothing right
                  ([[50, 2, 1, 0], [10, 5, 0, 0], [0, 0, 1, 0], [3, 0, 0, 20]],),
                  ([[1, 2], [3, 4]],), ([[4, 3], [2, 1]],),  # the same numbers in another place
                  ([[1000, 1], [1, 1]],)]),
    errors=((ZeroDivisionError, _ZERO),),
    mistakes=(
        _Mistake("that is the accuracy (the diagonal over the total): macro-F1 averages one F1 per class, so a "
                 "rare class counts as much as a common one.",
                 lambda m: float(_np().trace(_np().asarray(m, dtype=float)) / _np().asarray(m, dtype=float).sum())),
        _Mistake("you weighted each class's F1 by its number of examples (sklearn's average='weighted'): macro-F1 "
                 "gives every class the same weight.", _weighted_f1),
        _Mistake("a class with no true and no predicted example (an all-zero row and column) is left out of the "
                 "mean, as sklearn does: it was never part of the test.",
                 lambda m: float(_f1s(m, keep_absent=True).mean())),
        _Mistake("you took the F1 of the mean precision and the mean recall: average the per-class F1 values "
                 "instead (F1 first, then the mean).", _f1_of_means),
        _Mistake("that is the mean recall (diagonal over row sums); F1 combines it with precision (diagonal "
                 "over column sums): F1_k = 2 P_k R_k / (P_k + R_k).", lambda m: _mean_of(m, 1)),
        _Mistake("that is the mean precision (diagonal over column sums); F1 combines it with recall (diagonal "
                 "over row sums): F1_k = 2 P_k R_k / (P_k + R_k).", lambda m: _mean_of(m, 0)),
    ))


def check_macro_f1(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(matrix)`` -> macro-F1 (a float) of a confusion matrix.

    ``matrix[i][j]`` counts the examples of true class i predicted as j (a list of lists of ints).
    P_k = matrix[k][k] / column sum k, R_k = matrix[k][k] / row sum k, F1_k = 2 P_k R_k / (P_k + R_k)
    (0 when P_k + R_k = 0); macro-F1 is the mean of F1_k over the classes whose row or column is not
    all zero. Notebook example: [[8, 2, 0], [1, 1, 0], [0, 3, 1]] gives (16/19 + 1/4 + 2/5) / 3 = 0.4974
    (its accuracy is 10/16 = 0.625).
    """
    return _run(_MACRO, fn)


# ------------------------------------------------------------------------ most-frequent tag
def _tag_table(train_lines, *, ties="alphabetical", default="tokens"):
    counts: dict[str, Counter] = defaultdict(Counter)
    order: list[str] = []
    for line in train_lines:
        for word, tag in line:
            counts[word][tag] += 1
            order.append(tag)
    pick = (lambda c: min(c, key=lambda t: (-c[t], t))) if ties == "alphabetical" else (lambda c: c.most_common(1)[0][0])
    overall = Counter(order) if default == "tokens" else Counter(pick(c) for c in counts.values())
    return {word: pick(c) for word, c in counts.items()}, pick(overall)


def _most_frequent_tags(train_lines, words, **variant):
    table, fallback = _tag_table(train_lines, **variant)
    return [table.get(word, fallback) for word in words]


def _first_tag(train_lines, words, last=False):
    table, fallback = {}, _tag_table(train_lines)[1]
    for line in train_lines:
        for word, tag in line:
            if last or word not in table:
                table[word] = tag
    return [table.get(word, fallback) for word in words]


_LINES = [[("我们", "r"), ("工作", "vn"), ("。", "w")], [("他", "r"), ("工作", "v"), ("，", "w"), ("工作", "v"), ("。", "w")]]
_TIES = [[("打", "v"), ("打", "q"), ("一", "m"), ("打", "q"), ("打", "v")], [("一", "m"), ("把", "p"), ("把", "q")]]
_PD = [[("中国", "ns"), ("发展", "vn"), ("很", "d"), ("快", "a"), ("。", "w")],
       [("经济", "n"), ("发展", "v"), ("，", "w"), ("人民", "n"), ("发展", "v"), ("经济", "n"), ("。", "w")],
       [("他", "r"), ("在", "p"), ("北京", "ns"), ("工作", "v"), ("。", "w")], [("在", "v"), ("在", "p"), ("和", "c")]]
_TAGS = _Exercise(
    "most_frequent_tags", ("train_lines", "words"), _most_frequent_tags,
    note="each word gets its most frequent training tag (ties: the alphabetically first), an unseen word the "
         "most frequent tag of all training tokens",
    cases=_cases([(_LINES, ["工作", "我们", "你们"])],
                 [(_TIES, ["打", "把", "一", "二"]), (_PD, ["发展", "在", "经济", "上海", "。", "在"]),
                  (_PD, []), ([[("好", "a")]], ["好", "不"]),
                  ([[("x", "b"), ("y", "a"), ("z", "a"), ("x", "b"), ("w", "b")]], ["q", "x", "y"]),
                  (_PD + _TIES, ["打", "在", "快", "慢"]),
                  ([[("他们", "r"), ("学习", "v"), ("。", "w")],  # the shape of the shown lines, other words
                    [("学习", "vn"), ("很", "d"), ("，", "w"), ("学习", "vn"), ("！", "w")]], ["学习", "他们", "工作"])]),
    mistakes=(
        _Mistake("you kept the first tag each word had in training, not its most frequent one: count the tags per "
                 "word (a Counter per word) and take the largest count.", _first_tag),
        _Mistake("you kept the last tag each word had in training, not its most frequent one: count the tags per "
                 "word (a Counter per word) and take the largest count.", lambda t, w: _first_tag(t, w, last=True)),
        _Mistake("break ties alphabetically (min over tags by (−count, tag)): Counter.most_common keeps the tag "
                 "seen first, which depends on the order of the lines.",
                 lambda t, w: _most_frequent_tags(t, w, ties="first")),
        _Mistake("an unseen word gets the most frequent tag of all training *tokens* (every occurrence counts), "
                 "not of word types.", lambda t, w: _most_frequent_tags(t, w, default="types")),
        _Mistake("an unseen word needs a tag too (the most frequent tag of all training tokens), not None.",
                 lambda t, w: [_tag_table(t)[0].get(word) for word in w]),
        _Mistake("every word got the same tag, the most frequent of all training tokens: that fallback is for words "
                 "never seen in training; a word seen there gets its own most frequent tag (a Counter per word).",
                 lambda t, w: [_tag_table(t)[1] for _ in w]),
    ))


def check_most_frequent_tags(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(train_lines, words)`` -> one tag (str) per word, a list.

    ``train_lines`` is a list of lines, each a list of (word, tag) pairs. A word seen in training gets
    the tag it had most often there (a tie goes to the alphabetically first tag); an unseen word gets
    the tag most frequent over all training tokens (ties alike). Notebook example: 工作 was tagged
    vn once and v twice, so it gets v; 我们 gets r; 你们 is unseen and gets w (3 of the 8 tokens).
    """
    return _run(_TAGS, fn)


# --------------------------------------------------------------------------- zero-shot label
def _cosine_choice(text_vector, label_vectors, *, measure="cosine", pick="max"):
    np = _np()
    text = np.asarray(text_vector, dtype=float)
    labels = np.asarray(label_vectors, dtype=float)
    if not np.any(text):
        return -1
    if measure == "dot":
        scores = labels @ text
    elif measure == "distance":
        scores = -np.linalg.norm(labels - text, axis=1)
    else:
        norms = np.linalg.norm(labels, axis=1) * np.linalg.norm(text)
        scores = np.divide(labels @ text, norms, out=np.full(len(labels), -np.inf), where=norms > 0)
    return int(np.argmax(scores) if pick == "max" else np.argmin(scores))


def _zero_case(seed, labels, dim):
    np = _np()
    rng = np.random.default_rng(seed)
    label_vectors = rng.normal(size=(labels, dim)) * rng.uniform(0.2, 5.0, size=(labels, 1))  # unequal lengths
    return rng.normal(size=dim).tolist(), label_vectors.tolist()


_ZERO_TEXT = "a text with no known word has the zero vector: no direction, no cosine: return -1 then"
_ZERO_SHOT = _Exercise(
    "zero_shot_label", ("text_vector", "label_vectors"), _cosine_choice,
    note="the label whose vector has the largest cosine with the text vector (first on a tie; -1 for a zero text)",
    cases=_cases([([1.0, 1.0], [[3.0, 0.0], [0.5, 0.6], [0.0, -2.0]])],
                 [_zero_case(1, 4, 3), _zero_case(2, 6, 5), _zero_case(3, 2, 8), _zero_case(4, 19, 16),
                  ([1.0, 0.0], [[2.0, 2.0], [1.0, 1.0], [0.0, 1.0]]),  # a tie: the first
                  ([0.0, 0.0, 0.0], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
                  ([-1.0, -1.0], [[10.0, 10.0], [-0.1, -0.3], [-0.2, 0.0]])]),
    errors=((ZeroDivisionError, _ZERO_TEXT),),
    mistakes=(
        _Mistake("you ranked by the dot product: a long label vector wins whatever its direction. Divide by both "
                 "lengths: cos = u·v / (|u| |v|).", lambda t, l: _cosine_choice(t, l, measure="dot")),
        _Mistake("you took the nearest label vector by Euclidean distance: it depends on the vectors' lengths; "
                 "rank by cosine, the angle between them.", lambda t, l: _cosine_choice(t, l, measure="distance")),
        _Mistake("you picked the *least* similar label: take the largest cosine (np.argmax).",
                 lambda t, l: _cosine_choice(t, l, pick="min")),
        _Mistake(_ZERO_TEXT, lambda t, l: 0 if not _np().any(t) else _cosine_choice(t, l)),
    ))


def check_zero_shot_label(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(text_vector, label_vectors)`` -> the index (int) of the best label.

    The best label has the largest cos(text, label) = text·label / (|text| |label|); on a tie the
    first; a zero ``text_vector`` (no known word) gives -1. ``label_vectors`` is a list of vectors,
    one per label. Notebook example: [1, 1] against [[3, 0], [0.5, 0.6], [0, -2]] gives 1.
    """
    return _run(_ZERO_SHOT, fn)
