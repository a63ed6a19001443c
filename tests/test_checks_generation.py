"""Tests for lmtutor.checks.generation (notebook 07): right answers pass, each typical wrong answer
gets its own hint, hard-coded answers fail, and broken functions get a message instead of a crash.

The learner solutions below are written independently of lmtutor.decoding (plain NumPy)."""

import numpy as np
import pytest

from lmtutor import checks
from check_harness import (assert_array_check_handles_broken_functions, assert_every_hint_is_reached,
                           assert_hard_coded_fails, assert_passes, assert_specific_hint, one_line)
from lmtutor.checks import generation
from lmtutor.decoding import DecodingConfig, probabilities

# A check keeps the warnings of the learner's function (and of its references) from the caller:
# any warning that reaches a test is an error.
pytestmark = pytest.mark.filterwarnings("error")


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def top_k_filter(logits, k):
    keep = np.argsort(-logits, kind="stable")[:k]
    out = np.full(len(logits), -np.inf)
    out[keep] = logits[keep]
    return out


def top_k_filter_loop(logits, k):
    ranked = sorted(range(len(logits)), key=lambda i: (-logits[i], i))  # pure Python, ties by id
    return [float(logits[i]) if i in ranked[:k] else float("-inf") for i in range(len(logits))]


def top_p_filter(logits, top_p):
    order = np.argsort(-logits, kind="stable")
    probs = softmax(logits)[order]
    before = np.cumsum(probs) - probs  # mass of the more likely tokens
    keep = order[before < top_p]
    out = np.full(len(logits), -np.inf)
    out[keep] = logits[keep]
    return out


def top_p_filter_searchsorted(logits, top_p):
    order = np.argsort(-logits, kind="stable")
    size = np.searchsorted(np.cumsum(softmax(logits)[order]), top_p) + 1
    return np.where(np.isin(np.arange(len(logits)), order[:size]), logits, -np.inf)


def next_token_probs(logits, temperature, top_k, top_p):
    z = top_p_filter(top_k_filter(np.asarray(logits) / temperature, top_k), top_p)
    return softmax(z)


def keep_ids(logits, ids, fill=-np.inf):
    return np.where(np.isin(np.arange(len(logits)), ids), logits, fill)


CORRECT = [
    (checks.check_top_k_filter, top_k_filter),
    (checks.check_top_k_filter, top_k_filter_loop),  # a list of floats counts as an array
    (checks.check_top_k_filter, lambda z, k: top_k_filter(z, k).astype(np.float32)),
    (checks.check_top_p_filter, top_p_filter),
    (checks.check_top_p_filter, top_p_filter_searchsorted),
    (checks.check_next_token_probs, next_token_probs),
    (checks.check_next_token_probs,  # the library's own rules give the same distribution
     lambda z, t, k, p: probabilities(z, DecodingConfig(temperature=t, top_k=k, top_p=p, banned_ids=()))),
]


def nucleus_excluding_crossing(logits, top_p):
    order = np.argsort(-logits, kind="stable")
    return keep_ids(logits, order[np.cumsum(softmax(logits)[order]) < top_p])


def nucleus_ascending(logits, top_p):
    order = np.argsort(logits, kind="stable")
    return keep_ids(logits, order[:np.searchsorted(np.cumsum(softmax(logits)[order]), top_p) + 1])


def nucleus_unsorted(logits, top_p):
    return keep_ids(logits, np.arange(np.searchsorted(np.cumsum(softmax(logits)), top_p) + 1))


def nucleus_of_exp(logits, top_p):
    order = np.argsort(-logits, kind="stable")
    return keep_ids(logits, order[:np.searchsorted(np.cumsum(np.exp(logits)[order]), top_p) + 1])


def nucleus_one_more(logits, top_p):
    order = np.argsort(-logits, kind="stable")
    return keep_ids(logits, order[:np.searchsorted(np.cumsum(softmax(logits)[order]), top_p) + 2])


def top_k_in_place(logits, k):
    logits[np.argsort(-logits, kind="stable")[k:]] = -np.inf  # right values, but the caller's logits are gone
    return logits


def nucleus_with_all_ties(logits, top_p):  # a threshold on the probability keeps every tied token
    probs = softmax(logits)
    ranked = np.sort(probs)[::-1]
    cutoff = ranked[np.searchsorted(np.cumsum(ranked), top_p)]
    return np.where(probs >= cutoff, logits, -np.inf)


def nucleus_descending_probs(logits, top_p):
    probs = softmax(logits)
    order = np.argsort(probs)[::-1]
    size = np.searchsorted(np.cumsum(probs[order]), top_p) + 1
    return keep_ids(logits, order[:size])


def nucleus_mass_before_at_most(logits, top_p):
    order = np.argsort(-logits, kind="stable")
    probs = softmax(logits)[order]
    return keep_ids(logits, order[np.cumsum(probs) - probs <= top_p])


def nucleus_in_place(logits, top_p):
    kept = np.isfinite(top_p_filter(logits, top_p))
    logits[~kept] = -np.inf
    return logits


def next_token_probs_naive_softmax(logits, temperature, top_k, top_p):
    z = top_p_filter(top_k_filter(np.asarray(logits) / temperature, top_k), top_p)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(z) / np.exp(z).sum()


def top_k_default_sort(logits, k):
    return keep_ids(logits, np.argsort(-logits)[:k])


def top_k_partition(logits, k):
    return keep_ids(logits, np.argpartition(-logits, k - 1)[:k])


def probs_without_renormalising(logits, temperature, top_k, top_p):
    kept = np.isfinite(top_p_filter(top_k_filter(logits / temperature, top_k), top_p))
    return np.where(kept, softmax(logits / temperature), 0.0)


def nucleus_on_the_full_distribution(logits, temperature, top_k, top_p):
    z = logits / temperature
    kept = np.isfinite(top_k_filter(z, top_k)) & np.isfinite(top_p_filter(z, top_p))
    return softmax(np.where(kept, z, -np.inf))


def nucleus_before_temperature(logits, temperature, top_k, top_p):
    kept = np.isfinite(top_p_filter(top_k_filter(logits, top_k), top_p))
    return softmax(np.where(kept, logits / temperature, -np.inf))


# (check, wrong solution, a phrase only its specific hint contains)
WRONG = [
    (checks.check_top_k_filter, lambda z, k: z, "returned the logits unchanged"),
    (checks.check_top_p_filter, lambda z, p: z.copy(), "returned the logits unchanged"),
    (checks.check_top_k_filter, lambda z, k: keep_ids(z, np.argsort(z)[:k]), "the k *smallest*"),
    (checks.check_top_k_filter, lambda z, k: np.where(z >= np.sort(z)[-k], z, -np.inf), "ties give more than k"),
    (checks.check_top_k_filter, lambda z, k: keep_ids(z, np.argsort(z, kind="stable")[-k:]),
     "keeps the higher ones"),
    (checks.check_top_k_filter, lambda z, k: keep_ids(z, np.argsort(z)[::-1][:k]), "keeps the higher ones"),
    (checks.check_top_k_filter, lambda z, k: np.where(z > np.sort(z)[-k], z, -np.inf), "ties give fewer than k"),
    (checks.check_top_k_filter, top_k_in_place, "changed its argument `logits` in place"),
    (checks.check_top_p_filter, nucleus_with_all_ties, "ties give more tokens than the smallest set"),
    (checks.check_top_p_filter, nucleus_descending_probs, "np.argsort(probs)[::-1] puts the higher ids first"),
    (checks.check_top_p_filter, nucleus_mass_before_at_most, "not <= top_p"),
    (checks.check_top_p_filter, nucleus_in_place, "changed its argument `logits` in place"),
    (checks.check_next_token_probs, next_token_probs_naive_softmax, "exp overflowed"),
    (checks.check_top_k_filter, lambda z, k: softmax(top_k_filter(z, k)), "not probabilities"),
    (checks.check_top_k_filter, lambda z, k: np.where(np.isfinite(top_k_filter(z, k)), z, 0.0), "not 0"),
    (checks.check_top_k_filter, lambda z, k: np.sort(z)[::-1][:k], "not only the k values"),
    (checks.check_top_k_filter, lambda z, k: keep_ids(z, np.argsort(-z, kind="stable")[:k], np.nan), "not NaN"),
    (checks.check_top_k_filter, lambda z, k: keep_ids(z, np.argsort(-z, kind="stable")[:k], -1e9),
     "not a large negative"),
    (checks.check_top_k_filter, lambda z, k: np.r_[np.sort(z)[::-1][:k], [-np.inf] * (len(z) - k)],
     "keep each logit at its own index"),
    (checks.check_top_k_filter, lambda z, k: top_k_filter(z, k + 1), "one token too many"),
    (checks.check_top_k_filter, lambda z, k: top_k_filter(z, k - 1), "one token too few"),
    (checks.check_top_p_filter, nucleus_excluding_crossing, "you left out the token"),
    (checks.check_top_p_filter, nucleus_ascending, "not from the least likely"),
    (checks.check_top_p_filter, nucleus_unsorted, "running sum in id order"),
    (checks.check_top_p_filter, nucleus_of_exp, "divide exp(z) by Σ exp(z)"),
    (checks.check_top_p_filter, lambda z, p: softmax(top_p_filter(z, p)), "not probabilities"),
    (checks.check_top_p_filter, lambda z, p: np.where(np.isfinite(top_p_filter(z, p)), z, 0.0), "not 0"),
    (checks.check_top_p_filter, nucleus_one_more, "one token too many"),
    (checks.check_next_token_probs, probs_without_renormalising, "must sum to 1"),
    (checks.check_next_token_probs,
     lambda z, t, k, p: next_token_probs(np.asarray(z) * t * t, t, k, p), "multiplying by T"),
    (checks.check_next_token_probs, lambda z, t, k, p: next_token_probs(z, 1.0, k, p),
     "left out the temperature"),
    (checks.check_next_token_probs, nucleus_on_the_full_distribution, "top-p comes after top-k"),
    (checks.check_next_token_probs, nucleus_before_temperature, "apply the temperature first"),
    (checks.check_next_token_probs,
     lambda z, t, k, p: top_p_filter(top_k_filter(np.asarray(z) / t, k), p), "not the filtered logits"),
]

# (check, a function that returns the answer the notebook shows, whatever its input)
HARD_CODED = [
    (checks.check_top_k_filter, lambda z, k: np.array([2.0, -np.inf, -np.inf, 3.0, -np.inf])),
    (checks.check_top_p_filter, lambda z, p: np.array([0.0, 2.0, -np.inf, 1.0])),
    (checks.check_next_token_probs,
     lambda *args: next_token_probs(np.array([2.0, 1.0, 0.0, -1.0, 0.5]), 0.5, 3, 0.9)),
]

ALL_CHECKS = [(checks.check_top_k_filter, 2), (checks.check_top_p_filter, 2), (checks.check_next_token_probs, 4)]
WRONG_SHAPE = (3,)  # a wrong-shaped answer for the broken-function test



@pytest.mark.parametrize(("check", "fn"), CORRECT)
def test_correct_solution_passes(check, fn):
    assert_passes(check, fn)


@pytest.mark.parametrize(("check", "fn", "phrase"), WRONG)
def test_typical_wrong_answer_gets_its_specific_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


def test_every_hint_is_reached_by_a_wrong_solution():
    exercises = [generation._top_k_exercise(), generation._top_p_exercise(), generation._next_token_exercise()]
    machine_dependent = [(checks.check_top_k_filter, top_k_default_sort, "not stable"),
                         (checks.check_top_k_filter, top_k_partition, "not stable")]
    unless = [generation._UNSTABLE] * all(checks.check_top_k_filter(fn).passed  # NumPy kept equal logits in id order
                                          for fn in (top_k_default_sort, top_k_partition))
    assert_every_hint_is_reached(exercises, WRONG + machine_dependent, unless=unless)


@pytest.mark.parametrize(("check", "fn"), HARD_CODED)
def test_hard_coded_notebook_answer_fails(check, fn):
    assert_hard_coded_fails(check, fn)


@pytest.mark.parametrize(("check", "arity"), ALL_CHECKS)
def test_not_implemented_none_non_callable_and_wrong_shape(check, arity):
    assert_array_check_handles_broken_functions(check, WRONG_SHAPE)


@pytest.mark.parametrize(("check", "arity"), ALL_CHECKS)
def test_exception_is_reported_with_its_type_and_input(check, arity):
    def student(*args):
        assert len(args) == arity  # the learner's function gets exactly the documented arguments
        return np.asarray(args[0])[len(args[0]) + 5]  # IndexError

    result = check(student)
    assert not result.passed
    assert "your function raised IndexError" in result.message and "on input logits=" in result.message
    one_line(result)


def test_shown_answers_are_those_the_docstrings_state():
    z = np.array([2.0, 1.0, 0.5, 3.0, -1.0])
    assert np.array_equal(top_k_filter(z, 2), [2.0, -np.inf, -np.inf, 3.0, -np.inf])
    assert np.array_equal(top_p_filter(np.array([0.0, 2.0, -1.0, 1.0]), 0.9), [0.0, 2.0, -np.inf, 1.0])
    assert np.allclose(next_token_probs(np.array([2.0, 1.0, 0.0, -1.0, 0.5]), 0.5, 3, 0.9),
                       [0.8808, 0.1192, 0, 0, 0], atol=1e-4)


def _exact(mass):
    return np.array_equal(mass * 1024, np.round(mass * 1024))  # multiples of 1/1024: no rounding


def test_no_case_sits_on_a_rounding_boundary_of_top_p():
    # A running sum within 1e-9 of top_p would make correct solutions disagree by rounding, unless
    # every probability is a binary fraction (the sums are then exact and equal top_p exactly).
    for exercise, scale in ((generation._top_p_exercise(), None), (generation._next_token_exercise(), True)):
        for case in exercise.cases:
            z = np.asarray(case.args[0], dtype=np.float64)
            top_p = case.args[-1]
            if scale:
                z = top_k_filter(z / case.args[1], case.args[2])
            mass = np.cumsum(np.sort(softmax(z))[::-1])
            assert top_p == 1.0 or _exact(mass) or np.min(np.abs(mass - top_p)) > 1e-6, case


def test_top_p_has_a_hidden_case_whose_running_sum_equals_top_p_exactly_among_ties():
    boundary = [c for c in generation._top_p_exercise().cases if not c.shown
                and _exact(np.cumsum(softmax(c.args[0]))) and top_p_filter(*c.args).tolist().count(-np.inf)]
    assert boundary, "a hidden case must end the smallest set exactly at top_p, inside a tie"


@pytest.mark.parametrize("pattern", ["top", "middle", "many", "all equal"])  # "many": 100 logits
def test_ties_straddle_the_k_boundary_in_several_hidden_patterns(pattern):
    logits, k = dict(zip(["top", "middle", "many", "all equal"], generation._tie_cases()))[pattern]
    kth = np.sort(logits)[::-1][k - 1]
    assert np.sum(logits == kth) > 1 and np.sum(logits >= kth) > k  # the tie crosses the threshold
    assert any(np.array_equal(c.args[0], logits) and c.args[1] == k for c in generation._top_k_exercise().cases if not c.shown)
    wrong = checks.check_top_k_filter(lambda z, k: np.where(z >= np.sort(z)[-k], z, -np.inf))
    assert "ties give more than k" in wrong.message


@pytest.mark.parametrize(("fn", "phrase"), [(top_k_default_sort, "np.argsort's default sort and np.argpartition"),
                                            (top_k_partition, "np.argsort's default sort and np.argpartition")])
def test_unstable_orders_among_ties_fail_where_they_differ_from_the_stable_one(fn, phrase):
    # np.argsort's default sort and np.argpartition may order equal logits differently on other
    # CPUs; where they differ from the stable order on a hidden case, the check names the cause.
    unstable = any(not np.array_equal(fn(*c.args), top_k_filter(*c.args)) for c in generation._top_k_exercise().cases)
    result = checks.check_top_k_filter(fn)
    if unstable:
        assert phrase in result.message, result.message
    else:
        assert result.passed


def test_large_logits_over_a_small_temperature_pass_only_a_stable_softmax():
    case = generation._large_logits_case()
    assert np.max(case[0] / case[1]) > 709  # np.exp overflows
    assert np.isfinite(next_token_probs(*case)).all()
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(next_token_probs_naive_softmax(*case)).any()
