"""Tests for lmtutor.checks.classification (notebook 10): right answers pass, each typical wrong answer
gets its own hint, hard-coded answers fail, in-place changes and crashes get a message.

The learner solutions below are written independently (plain Python and NumPy); scikit-learn's
f1_score is the oracle of macro-F1 and tagging.MostFrequentTag that of the baseline tagger."""

from collections import Counter, defaultdict

import numpy as np
import pytest
from sklearn.metrics import f1_score

from check_harness import (assert_every_hint_is_reached, assert_hard_coded_fails, assert_passes,
                           assert_specific_hint, one_line)
from lmtutor import checks
from lmtutor.checks import classification

pytestmark = pytest.mark.filterwarnings("error")


# ------------------------------------------------------------------------------ right answers
def macro_f1(matrix):
    m = np.asarray(matrix, dtype=float)
    rows, cols = m.sum(axis=1), m.sum(axis=0)
    present = rows + cols > 0
    return float((2 * np.diag(m)[present] / (rows + cols)[present]).mean())


def macro_f1_loop(matrix):  # precision and recall first, as the textbook writes it
    k = len(matrix)
    scores = []
    for c in range(k):
        true = sum(matrix[c])
        predicted = sum(row[c] for row in matrix)
        if true == 0 and predicted == 0:
            continue
        p = matrix[c][c] / predicted if predicted else 0.0
        r = matrix[c][c] / true if true else 0.0
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(scores) / len(scores)


def most_frequent_tags(train_lines, words):
    counts = defaultdict(Counter)
    for line in train_lines:
        for word, tag in line:
            counts[word][tag] += 1
    overall = sum(counts.values(), Counter())
    best = lambda c: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]  # noqa: E731
    return [best(counts[w]) if w in counts else best(overall) for w in words]


def zero_shot_label(text_vector, label_vectors):
    t, labels = np.asarray(text_vector, dtype=float), np.asarray(label_vectors, dtype=float)
    if not t.any():
        return -1
    return int(np.argmax(labels @ t / (np.linalg.norm(labels, axis=1) * np.linalg.norm(t))))


def zero_shot_label_loop(text_vector, label_vectors):
    norm = sum(x * x for x in text_vector) ** 0.5
    if norm == 0:
        return -1
    best, best_score = -1, -2.0
    for i, label in enumerate(label_vectors):
        score = sum(a * b for a, b in zip(text_vector, label)) / (norm * sum(x * x for x in label) ** 0.5)
        if score > best_score:
            best, best_score = i, score
    return best


CORRECT = [
    (checks.check_macro_f1, macro_f1), (checks.check_macro_f1, macro_f1_loop),
    (checks.check_most_frequent_tags, most_frequent_tags),
    (checks.check_zero_shot_label, zero_shot_label), (checks.check_zero_shot_label, zero_shot_label_loop),
]


@pytest.mark.parametrize(("check", "fn"), CORRECT)
def test_correct_solution_passes(check, fn):
    assert_passes(check, fn)


# ------------------------------------------------------------------------------ wrong answers
def first_tags(train_lines, words, last=False):
    table = {}
    for line in train_lines:
        for word, tag in line:
            if last or word not in table:
                table[word] = tag
    fallback = most_frequent_tags(train_lines, ["<never a word>"])[0]
    return [table.get(w, fallback) for w in words]


def most_common_ties(train_lines, words):
    counts = defaultdict(Counter)
    for line in train_lines:
        for word, tag in line:
            counts[word][tag] += 1
    overall = Counter(tag for line in train_lines for _, tag in line)  # ties: the tag seen first in the text
    return [counts[w].most_common(1)[0][0] if w in counts else overall.most_common(1)[0][0] for w in words]


def default_over_types(train_lines, words):
    table = dict(zip(*[[w for line in train_lines for w, _ in line]] * 1, most_frequent_tags(
        train_lines, [w for line in train_lines for w, _ in line])))
    fallback = sorted(Counter(table.values()).items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return [table.get(w, fallback) for w in words]


def tags_in_place(train_lines, words):
    words.sort()  # sorts the caller's list
    return most_frequent_tags(train_lines, words)


def f1_all_classes(matrix):
    m = np.asarray(matrix, dtype=float)
    both = m.sum(axis=1) + m.sum(axis=0)
    return float(np.divide(2 * np.diag(m), both, out=np.zeros(len(m)), where=both > 0).mean())


def f1_weighted(matrix):
    m = np.asarray(matrix, dtype=float)
    both = m.sum(axis=1) + m.sum(axis=0)
    f1 = np.divide(2 * np.diag(m), both, out=np.zeros(len(m)), where=both > 0)
    return float((f1 * m.sum(axis=1)).sum() / m.sum())


def f1_of_means(matrix):
    m = np.asarray(matrix, dtype=float)
    present = m.sum(axis=1) + m.sum(axis=0) > 0
    p = np.divide(np.diag(m), m.sum(axis=0), out=np.zeros(len(m)), where=m.sum(axis=0) > 0)[present].mean()
    r = np.divide(np.diag(m), m.sum(axis=1), out=np.zeros(len(m)), where=m.sum(axis=1) > 0)[present].mean()
    return float(2 * p * r / (p + r)) if p + r else 0.0


def mean_share(matrix, axis):
    m = np.asarray(matrix, dtype=float)
    present = m.sum(axis=1) + m.sum(axis=0) > 0
    return float(np.divide(np.diag(m), m.sum(axis=axis), out=np.zeros(len(m)), where=m.sum(axis=axis) > 0)[present].mean())


def f1_divides_by_zero(matrix):
    m = np.asarray(matrix, dtype=float)
    p, r = np.diag(m) / m.sum(axis=0), np.diag(m) / m.sum(axis=1)
    return float(np.mean(2 * p * r / (p + r)))


def macro_f1_python_divides(matrix):
    scores = []
    for c in range(len(matrix)):
        p = matrix[c][c] / sum(row[c] for row in matrix)
        r = matrix[c][c] / sum(matrix[c])
        scores.append(2 * p * r / (p + r))
    return sum(scores) / len(scores)


def macro_in_place(matrix):
    matrix[0][0] = 0  # overwrites the caller's matrix
    return macro_f1(matrix)


def zero_shot_dot(t, labels):
    return int(np.argmax(np.asarray(labels) @ np.asarray(t))) if np.any(t) else -1


def zero_shot_distance(t, labels):
    return int(np.argmin(np.linalg.norm(np.asarray(labels) - np.asarray(t), axis=1))) if np.any(t) else -1


def zero_shot_worst(t, labels):
    labels = np.asarray(labels, dtype=float)
    return int(np.argmin(labels @ t / (np.linalg.norm(labels, axis=1) * np.linalg.norm(t)))) if np.any(t) else -1


def zero_shot_no_zero_case(t, labels):
    labels, t = np.asarray(labels, dtype=float), np.asarray(t, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return int(np.nanargmax(np.nan_to_num(labels @ t / (np.linalg.norm(labels, axis=1) * np.linalg.norm(t)), nan=-2)))


def zero_shot_divides(t, labels):
    norm = sum(x * x for x in t) ** 0.5
    scores = [sum(a * b for a, b in zip(t, label)) / (norm * sum(x * x for x in label) ** 0.5) for label in labels]
    return scores.index(max(scores))


def zero_shot_in_place(t, labels):
    t[0] = abs(t[0])  # the caller's text vector changes
    return zero_shot_label(t, labels)


WRONG = [
    (checks.check_macro_f1, lambda m: float(np.trace(np.asarray(m)) / np.sum(m)), "that is the accuracy"),
    (checks.check_macro_f1, f1_weighted, "weighted each class's F1"),
    (checks.check_macro_f1, f1_all_classes, "left out of the mean"),
    (checks.check_macro_f1, f1_of_means, "F1 of the mean precision"),
    (checks.check_macro_f1, lambda m: mean_share(m, 1), "mean recall"),
    (checks.check_macro_f1, lambda m: mean_share(m, 0), "mean precision"),
    (checks.check_macro_f1, macro_in_place, "changed its argument `matrix` in place"),
    (checks.check_most_frequent_tags, first_tags, "the first tag each word had"),
    (checks.check_most_frequent_tags, lambda t, w: first_tags(t, w, last=True), "the last tag each word had"),
    (checks.check_most_frequent_tags, most_common_ties, "break ties alphabetically"),
    (checks.check_most_frequent_tags, default_over_types, "not of word types"),
    (checks.check_most_frequent_tags, lambda t, w: [most_frequent_tags(t, [x])[0] if any(x == v for line in t for v, _ in line)
                                                    else None for x in w], "not None"),
    (checks.check_most_frequent_tags, tags_in_place, "changed its argument `words` in place"),
    (checks.check_most_frequent_tags, lambda t, w: [Counter(tag for line in t for _, tag in line).most_common(1)[0][0]
                                                    for _ in w], "every word got the same tag"),
    (checks.check_zero_shot_label, zero_shot_dot, "dot product"),
    (checks.check_zero_shot_label, zero_shot_distance, "Euclidean distance"),
    (checks.check_zero_shot_label, zero_shot_worst, "*least* similar"),
    (checks.check_zero_shot_label, zero_shot_no_zero_case, "return -1 then"),
    (checks.check_zero_shot_label, zero_shot_in_place, "changed its argument `text_vector` in place"),
]


@pytest.mark.parametrize(("check", "fn", "phrase"), WRONG)
def test_typical_wrong_answer_gets_its_specific_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


def test_every_hint_is_reached_by_a_wrong_solution():
    assert_every_hint_is_reached([classification._MACRO, classification._TAGS, classification._ZERO_SHOT],
                                 WRONG + [(checks.check_zero_shot_label, zero_shot_divides, "")])


def test_division_by_zero_gets_the_hint_of_its_case():
    with np.errstate(divide="ignore", invalid="ignore"):
        result = checks.check_macro_f1(f1_divides_by_zero)  # NumPy: nan, and the runner names NumPy's warning
    assert not result.passed and "got nan" in result.message and "invalid value" in result.message
    result = checks.check_macro_f1(macro_f1_python_divides)  # plain Python: ZeroDivisionError and its hint
    assert "ZeroDivisionError" in result.message and "never predicted" in result.message
    result = checks.check_zero_shot_label(zero_shot_divides)
    assert "ZeroDivisionError" in result.message and "return -1 then" in result.message
    one_line(result)


HARD_CODED = [
    (checks.check_macro_f1, lambda m: (16 / 19 + 1 / 4 + 2 / 5) / 3),
    (checks.check_most_frequent_tags, lambda t, w: ["v", "r", "w"]),
    (checks.check_zero_shot_label, lambda t, labels: 1),
]


@pytest.mark.parametrize(("check", "fn"), HARD_CODED)
def test_hard_coded_notebook_answer_fails(check, fn):
    assert_hard_coded_fails(check, fn)


def test_ignored_arguments_fail():
    assert not checks.check_most_frequent_tags(lambda t, w: most_frequent_tags(classification._LINES, w)).passed
    assert not checks.check_zero_shot_label(lambda t, labels: zero_shot_label([1.0] * len(t), labels)).passed
    assert not checks.check_macro_f1(lambda m: macro_f1([[8, 2, 0], [1, 1, 0], [0, 3, 1]])).passed


def test_broken_functions_get_a_message():
    for check in (checks.check_macro_f1, checks.check_most_frequent_tags, checks.check_zero_shot_label):
        def student(*args):
            raise NotImplementedError()

        assert check(student).message.startswith("not implemented yet")
        assert "forget the return statement" in check(lambda *a: None).message
        assert "pass the function itself" in one_line(check(0.5))
    assert "return a number (a float)" in checks.check_macro_f1(lambda m: "0.75").message
    assert "return an int, not an int64" in checks.check_zero_shot_label(lambda t, labels: np.int64(1)).message


# ------------------------------------------------------------------------------ the references themselves
def test_macro_f1_reference_equals_sklearn():
    for case in classification._MACRO.cases:
        (matrix,) = case.args
        y_true = [i for i, row in enumerate(matrix) for j, n in enumerate(row) for _ in range(n)]
        y_pred = [j for i, row in enumerate(matrix) for j, n in enumerate(row) for _ in range(n)]
        assert classification._MACRO.reference(matrix) == pytest.approx(
            f1_score(y_true, y_pred, average="macro", zero_division=0))


def test_most_frequent_tags_reference_equals_the_tagging_baseline():
    from lmtutor import tagging

    for case in classification._TAGS.cases:
        lines, words = case.args
        assert classification._TAGS.reference(lines, words) == tagging.MostFrequentTag(lines).tag(words)


def test_zero_shot_reference_ties_and_zero_text():
    assert classification._ZERO_SHOT.reference([1.0, 0.0], [[2.0, 2.0], [1.0, 1.0]]) == 0
    assert classification._ZERO_SHOT.reference([0.0, 0.0], [[1.0, 0.0]]) == -1
    assert classification._ZERO_SHOT.reference([1.0, 1.0], [[3.0, 0.0], [0.5, 0.6], [0.0, -2.0]]) == 1
