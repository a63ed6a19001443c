"""Tests for lmtutor.checks.dialogue (notebook 12): right answers pass, each typical wrong answer gets
its own hint, hard-coded answers fail, in-place changes and crashes get a message.

The learner solutions below are written independently of lmtutor.retrieval: NumPy, plain Python, and
scikit-learn's cosine_similarity as the oracle of the cosine ranking."""

import math

import numpy as np
import pytest
from sklearn.metrics.pairwise import cosine_similarity

from check_harness import (assert_array_check_handles_broken_functions, assert_every_hint_is_reached,
                           assert_hard_coded_fails, assert_passes, assert_specific_hint, one_line)
from lmtutor import checks
from lmtutor.checks import dialogue

pytestmark = pytest.mark.filterwarnings("error")


# ------------------------------------------------------------------------------ right answers
def cosine_ranking(query, documents):
    query, documents = np.asarray(query, dtype=float), np.asarray(documents, dtype=float)
    norms = np.linalg.norm(documents, axis=1) * np.linalg.norm(query)
    similarities = np.divide(documents @ query, norms, out=np.zeros(len(documents)), where=norms > 0)
    return [int(i) for i in np.argsort(-similarities, kind="stable")]


def cosine_ranking_sklearn(query, documents):  # scikit-learn's cosine gives 0 for a zero vector too
    similarities = cosine_similarity(np.asarray(query, dtype=float)[None, :], np.asarray(documents, dtype=float))[0]
    return sorted(range(len(similarities)), key=lambda i: (-round(similarities[i], 12), i))


def cosine_ranking_loop(query, documents):  # pure Python
    def norm(v):
        return math.sqrt(sum(x * x for x in v))
    sims = []
    for row in documents:
        denominator = norm(row) * norm(query)
        sims.append(sum(a * b for a, b in zip(row, query)) / denominator if denominator else 0.0)
    return np.array(sorted(range(len(sims)), key=lambda i: (-round(sims[i], 12), i)))


def mean_reciprocal_rank(scores, gold):
    scores = np.asarray(scores, dtype=float)
    return float(np.mean([1 / (1 + np.sum(row > row[g]) + np.sum(row[:g] == row[g])) for row, g in zip(scores, gold)]))


def mean_reciprocal_rank_sort(scores, gold):  # pure Python: a stable sort from the highest score
    total = 0.0
    for row, g in zip(scores, gold):
        order = sorted(range(len(row)), key=lambda j: -row[j])  # sorted() is stable
        total += 1 / (order.index(g) + 1)
    return total / len(gold)


def rejection_point(confidence, correct, in_scope, threshold):
    confidence = np.asarray(confidence, dtype=float)
    correct, in_scope = np.asarray(correct, dtype=bool), np.asarray(in_scope, dtype=bool)
    answered = confidence >= threshold
    precision = (answered & correct).sum() / answered.sum() if answered.any() else 1.0
    declined = (~answered[~in_scope]).mean() if (~in_scope).any() else 1.0
    return float(answered.mean()), float(precision), float(declined)


def rejection_point_loop(confidence, correct, in_scope, threshold):
    answered = [c >= threshold for c in confidence]
    right = sum(a and k for a, k in zip(answered, correct))
    outside = [a for a, s in zip(answered, in_scope) if not s]
    return [sum(answered) / len(answered), right / sum(answered) if any(answered) else 1.0,
            sum(not a for a in outside) / len(outside) if outside else 1.0]


CORRECT = [
    (checks.check_cosine_ranking, cosine_ranking),
    (checks.check_cosine_ranking, cosine_ranking_sklearn),
    (checks.check_cosine_ranking, cosine_ranking_loop),
    (checks.check_mean_reciprocal_rank, mean_reciprocal_rank),
    (checks.check_mean_reciprocal_rank, mean_reciprocal_rank_sort),
    (checks.check_rejection_point, rejection_point),
    (checks.check_rejection_point, rejection_point_loop),  # a list of floats counts as an array
]


@pytest.mark.parametrize(("check", "fn"), CORRECT)
def test_correct_solution_passes(check, fn):
    assert_passes(check, fn)


def test_the_notebook_examples():
    assert cosine_ranking([1, 0], [[0, 1], [2, 0], [1, 1]]) == [1, 2, 0]
    assert mean_reciprocal_rank([[0.1, 0.9], [0.5, 0.5]], [0, 1]) == 0.5
    assert rejection_point([0.9, 0.2, 0.6], [True, False, False], [True, True, False], 0.5) == pytest.approx((2 / 3, 0.5, 0.0))


# ------------------------------------------------------------------------------ wrong answers
def ranking_by_dot(query, documents):
    return np.argsort(-(np.asarray(documents) @ np.asarray(query)), kind="stable")


def ranking_by_dot_over_query(query, documents):
    q = np.asarray(query, dtype=float)
    return np.argsort(-(np.asarray(documents) @ q) / max(np.linalg.norm(q), 1e-300), kind="stable")


def ranking_ascending(query, documents):
    return cosine_ranking(query, documents)[::-1]


def ranking_unstable(query, documents):
    query, documents = np.asarray(query, dtype=float), np.asarray(documents, dtype=float)
    norms = np.linalg.norm(documents, axis=1) * np.linalg.norm(query)
    sims = np.divide(documents @ query, norms, out=np.zeros(len(documents)), where=norms > 0)
    return np.argsort(-sims, kind="quicksort")


def ranking_by_distance(query, documents):
    return np.argsort(np.linalg.norm(np.asarray(documents) - np.asarray(query), axis=1), kind="stable")


def ranking_in_place(query, documents):
    documents /= np.maximum(np.linalg.norm(documents, axis=1, keepdims=True), 1e-300)  # the caller's rows
    return cosine_ranking(query, documents)


def mrr_top1(scores, gold):
    return float(np.mean([float(np.argmax(row) == g) for row, g in zip(np.asarray(scores), gold)]))


def mrr_no_ties(scores, gold):
    scores = np.asarray(scores, dtype=float)
    return float(np.mean([1 / (1 + np.sum(row > row[g])) for row, g in zip(scores, gold)]))


def mrr_all_ties(scores, gold):
    scores = np.asarray(scores, dtype=float)
    return float(np.mean([1 / (np.sum(row > row[g]) + np.sum(row == row[g])) for row, g in zip(scores, gold)]))


def mrr_zero_based(scores, gold):
    return float(np.mean([1 / (1 / r + 1) for r in [mean_reciprocal_rank([row], [g]) for row, g in zip(scores, gold)]]))


def mrr_sum(scores, gold):
    return mean_reciprocal_rank(scores, gold) * len(gold)


def mrr_in_place(scores, gold):
    gold.sort()  # the caller's list
    return mean_reciprocal_rank(scores, gold)


def point_strict(confidence, correct, in_scope, threshold):
    return rejection_point(confidence, correct, in_scope, np.nextafter(threshold, np.inf))


def point_zero_precision(confidence, correct, in_scope, threshold):
    answered, precision, declined = rejection_point(confidence, correct, in_scope, threshold)
    return answered, (precision if answered else 0.0), declined


def point_zero_declined(confidence, correct, in_scope, threshold):
    answered, precision, declined = rejection_point(confidence, correct, in_scope, threshold)
    return answered, precision, (declined if not all(in_scope) else 0.0)


def point_over_all(confidence, correct, in_scope, threshold):
    answered, precision, declined = rejection_point(confidence, correct, in_scope, threshold)
    return answered, precision * answered if answered else 1.0, declined


def point_declined_all(confidence, correct, in_scope, threshold):
    answered, precision, _ = rejection_point(confidence, correct, in_scope, threshold)
    return answered, precision, 1.0 - answered


def point_in_place(confidence, correct, in_scope, threshold):
    confidence = np.asarray(confidence, dtype=float)  # a list is copied; a float array is the caller's own
    confidence[confidence < threshold] = 0.0
    return rejection_point(confidence, correct, in_scope, threshold)


WRONG = [
    (checks.check_cosine_ranking, ranking_by_dot, "you ranked by the dot product"),
    (checks.check_cosine_ranking, ranking_by_dot_over_query, "you ranked by the dot product"),  # |q| changes no order
    (checks.check_cosine_ranking, ranking_ascending, "most similar first"),
    (checks.check_cosine_ranking, ranking_unstable, "lower index first"),
    (checks.check_cosine_ranking, ranking_by_distance, "Euclidean distance"),
    (checks.check_mean_reciprocal_rank, mrr_top1, "only the top-1 hits"),
    (checks.check_mean_reciprocal_rank, mrr_no_ties, "a tie with a lower-numbered entry"),
    (checks.check_mean_reciprocal_rank, mrr_all_ties, "only ties with a *lower* index"),
    (checks.check_mean_reciprocal_rank, mrr_zero_based, "ranks start at 1"),
    (checks.check_mean_reciprocal_rank, mrr_sum, "average the reciprocal ranks"),
    (checks.check_rejection_point, point_strict, "*at least* the threshold"),
    (checks.check_rejection_point, point_zero_precision, "the precision is 1.0"),
    (checks.check_rejection_point, point_zero_declined, "the declined share is 1.0"),
    (checks.check_rejection_point, point_over_all, "not by all questions"),
    (checks.check_rejection_point, point_declined_all, "the out-of-scope questions only"),
]


@pytest.mark.parametrize(("check", "fn", "phrase"), WRONG, ids=[f.__name__ for _, f, _ in WRONG])
def test_wrong_answer_gets_its_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


def test_every_hint_is_reached():
    assert_every_hint_is_reached([dialogue._cosine_exercise(), dialogue._mrr_exercise(), dialogue._point_exercise()], WRONG)


@pytest.mark.parametrize(("check", "fn", "argument"), [
    (checks.check_cosine_ranking, ranking_in_place, "documents"),
    (checks.check_mean_reciprocal_rank, mrr_in_place, "gold"),
    (checks.check_rejection_point, point_in_place, "confidence")])
def test_an_answer_that_changes_its_argument_fails_and_names_it(check, fn, argument):
    result = check(fn)
    assert not result.passed and f"changed its argument `{argument}` in place" in result.message


@pytest.mark.parametrize("check, fn", [(checks.check_cosine_ranking, cosine_ranking),
                                       (checks.check_mean_reciprocal_rank, mean_reciprocal_rank),
                                       (checks.check_rejection_point, rejection_point)])
def test_hard_coded_answers_fail(check, fn):
    examples = {checks.check_cosine_ranking: ([1.0, 0.0], [[0.0, 1.0], [2.0, 0.0], [1.0, 1.0]]),
                checks.check_mean_reciprocal_rank: ([[0.1, 0.9], [0.5, 0.5]], [0, 1]),
                checks.check_rejection_point: ([0.9, 0.2, 0.6], [True, False, False], [True, True, False], 0.5)}
    answer = fn(*examples[check])
    assert_hard_coded_fails(check, lambda *args: answer)


def test_ties_extremes_and_ignored_arguments_are_caught():
    # ties among equal directions and a zero row: the reference keeps the lower index first
    q, d = dialogue._tied_ranking_case()
    assert list(dialogue._cosine_ranking(q, d)) == [0, 2, 4, 5, 3, 1]
    assert list(dialogue._cosine_ranking(*dialogue._many_ties_case())) == cosine_ranking_loop(*dialogue._many_ties_case()).tolist()
    assert not checks.check_cosine_ranking(lambda query, documents: cosine_ranking([1.0, 0.0], documents)).passed
    assert not checks.check_mean_reciprocal_rank(lambda scores, gold: mean_reciprocal_rank(scores, [0] * len(gold))).passed
    assert not checks.check_rejection_point(lambda c, k, s, t: rejection_point(c, k, s, 0.5)).passed
    assert not checks.check_rejection_point(lambda c, k, s, t: rejection_point(c, k, [True] * len(s), t)).passed


def test_the_examples_are_checked_as_the_exercises_write_them_with_lists():
    def ranking_arrays_only(query, documents):  # right for arrays, TypeError for the exercise's lists
        similarities = documents @ query / np.maximum(np.linalg.norm(documents, axis=1) * np.linalg.norm(query), 1e-300)
        return list(np.argsort(-similarities, kind="stable"))

    result = checks.check_cosine_ranking(ranking_arrays_only)
    assert not result.passed and "raised TypeError" in result.message and "[[0, 1], [2, 0], [1, 1]]" in result.message
    assert "inputs may be plain lists" in result.message and "np.asarray" in result.message
    assert checks.check_cosine_ranking(cosine_ranking).passed  # np.asarray first: lists and arrays alike


def test_broken_functions_get_messages():
    assert_array_check_handles_broken_functions(checks.check_cosine_ranking, (2, 2))
    assert_array_check_handles_broken_functions(checks.check_rejection_point, (4,))

    def student(*args):
        raise NotImplementedError()

    assert checks.check_mean_reciprocal_rank(student).message.startswith("not implemented yet")
    assert "return a number (a float), not a str" in checks.check_mean_reciprocal_rank(lambda s, g: "0.5").message
    assert "raised ZeroDivisionError" in one_line(checks.check_mean_reciprocal_rank(lambda s, g: 1 / 0))
