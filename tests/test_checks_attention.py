"""Tests for lmtutor.checks.attention (notebook 08): right answers pass, each typical wrong answer
gets its own hint, hard-coded answers fail, and broken functions get a message instead of a crash.

The learner solutions below are written independently of lmtutor.attention (plain NumPy and loops)."""

import math

import numpy as np
import pytest

from lmtutor import checks
from check_harness import (assert_array_check_handles_broken_functions, assert_every_hint_is_reached,
                           assert_hard_coded_fails, assert_passes, assert_specific_hint, one_line)
from lmtutor.checks import attention
from lmtutor.checks._runner import _ArrayAnswer

# A check keeps the warnings of the learner's function (and of its references) from the caller:
# any warning that reaches a test is an error.
pytestmark = pytest.mark.filterwarnings("error")


# --- learner solutions -----------------------------------------------------------------------
def causal_mask(time):
    return np.tril(np.ones((time, time), dtype=bool))


def causal_mask_loops(time):  # nested lists of bools count as a 0/1 array
    return [[j <= i for j in range(time)] for i in range(time)]


def softmax_rows(scores):
    shifted = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def sdpa(Q, K, V, mask):
    scores = Q @ K.T / math.sqrt(Q.shape[1])
    return softmax_rows(np.where(mask, scores, -np.inf)) @ V


def sdpa_loops(Q, K, V, mask):
    out = np.zeros((len(Q), V.shape[1]))
    for i, q in enumerate(Q):
        scores = [q @ k / math.sqrt(len(q)) for j, k in enumerate(K) if mask[i, j]]
        keys = [j for j in range(len(K)) if mask[i, j]]
        weights = np.exp(np.array(scores) - max(scores))
        out[i] = (weights / weights.sum()) @ V[keys]
    return out


def positions(time, d_model):
    table = np.zeros((time, d_model))
    for t in range(time):
        for i in range(d_model // 2):
            angle = t / 10000 ** (2 * i / d_model)
            table[t, 2 * i], table[t, 2 * i + 1] = math.sin(angle), math.cos(angle)
    return table


CORRECT = [
    (checks.check_causal_mask, causal_mask),
    (checks.check_causal_mask, causal_mask_loops),
    (checks.check_causal_mask, lambda t: np.tril(np.ones((t, t), dtype=int))),  # 0/1 ints
    (checks.check_scaled_dot_product_attention, sdpa),
    (checks.check_scaled_dot_product_attention, sdpa_loops),
    (checks.check_scaled_dot_product_attention, lambda *a: sdpa(*a).astype(np.float32)),
    (checks.check_positional_encoding, positions),
    (checks.check_positional_encoding, lambda t, d: positions(t, d).tolist()),
]


# --- typical wrong solutions ---------------------------------------------------------------------
def sdpa_with(scale=None, axis=-1, mask_mode="before", stable=True, weights=False, value_scale=False):
    def attend(Q, K, V, mask):
        size = V.shape[1] if value_scale else Q.shape[1]
        scores = Q @ K.T / (math.sqrt(size) if scale is None else scale(size))
        if mask_mode == "before":
            scores = np.where(mask, scores, -np.inf)
        elif mask_mode == "reversed":
            scores = np.where(mask, -np.inf, scores)
        elif mask_mode == "multiply":
            scores = scores * mask
        with np.errstate(over="ignore", invalid="ignore"):
            if stable == "matrix":  # one maximum for the whole score matrix
                e = np.exp(scores - scores[np.isfinite(scores)].max())
            else:
                e = np.exp(scores - (scores.max(axis=axis, keepdims=True) if stable else 0))
            w = e / e.sum(axis=axis, keepdims=True)
        if mask_mode == "after":
            w = w * mask
        return w if weights else w @ V
    return attend


def positions_with(swap=False, power=None, concatenate=False, multiply=False, start=0):
    def table(time, d_model):
        t = np.arange(start, start + time)[:, None]
        j = np.arange(d_model)
        exponent = (2 * (j // 2) if power is None else power(j)) / d_model
        angles = t * 10000.0 ** exponent if multiply else t / 10000.0 ** exponent
        first, second = (np.cos, np.sin) if swap else (np.sin, np.cos)
        if concatenate:
            return np.hstack([first(angles[:, 0::2]), second(angles[:, 0::2])])
        return np.where(j % 2 == 0, first(angles), second(angles))
    return table


def sdpa_in_place_mask(Q, K, V, mask):
    Q /= math.sqrt(Q.shape[1])  # scales the caller's queries
    return softmax_rows(np.where(mask, Q @ K.T, -np.inf)) @ V


# (check, wrong solution, a phrase only its specific hint contains)
WRONG = [
    (checks.check_causal_mask, lambda t: np.triu(np.ones((t, t), dtype=bool)), "upper triangle"),
    (checks.check_causal_mask, lambda t: np.tril(np.ones((t, t), dtype=bool), k=-1), "left out the diagonal"),
    (checks.check_causal_mask, lambda t: ~causal_mask(t), "polarity is reversed"),
    (checks.check_causal_mask, lambda t: np.where(causal_mask(t), 0.0, -np.inf), "additive mask"),
    (checks.check_causal_mask, lambda t: np.ones((t, t), dtype=bool), "no mask at all"),
    (checks.check_causal_mask, lambda t: np.tril(np.ones((t, t), dtype=bool), k=1), "see the next key too"),
    (checks.check_scaled_dot_product_attention, sdpa_with(scale=None, value_scale=True), "the value size"),
    (checks.check_scaled_dot_product_attention, sdpa_with(scale=lambda d: 1.0), "forgot the scale"),
    (checks.check_scaled_dot_product_attention, sdpa_with(scale=lambda d: d), "not by d_k itself"),
    (checks.check_scaled_dot_product_attention, sdpa_with(axis=0), "wrong axis"),
    (checks.check_scaled_dot_product_attention, sdpa_with(mask_mode="after"), "after the softmax"),
    (checks.check_scaled_dot_product_attention, sdpa_with(mask_mode="reversed"), "wrong polarity"),
    (checks.check_scaled_dot_product_attention, sdpa_with(mask_mode="multiply"), "exp(0) = 1"),
    (checks.check_scaled_dot_product_attention, sdpa_with(mask_mode="ignore"), "ignored the mask"),
    (checks.check_scaled_dot_product_attention, sdpa_with(stable=False), "exp overflowed"),
    (checks.check_scaled_dot_product_attention, sdpa_with(stable="matrix"), "each row's own maximum"),
    (checks.check_scaled_dot_product_attention, sdpa_in_place_mask, "changed its argument `Q` in place"),
    (checks.check_scaled_dot_product_attention, sdpa_with(weights=True), "returned the attention weights"),
    (checks.check_positional_encoding, positions_with(swap=True), "swapped"),
    (checks.check_positional_encoding, positions_with(power=lambda j: j), "share one frequency"),
    (checks.check_positional_encoding, positions_with(power=lambda j: j // 2), "not i/d_model"),
    (checks.check_positional_encoding, positions_with(concatenate=True), "interleave"),
    (checks.check_positional_encoding, positions_with(multiply=True), "do not multiply"),
    (checks.check_positional_encoding, positions_with(start=1), "positions start at 0"),
]

# (check, a function that returns the answer the notebook shows, whatever its input)
HARD_CODED = [
    (checks.check_causal_mask, lambda t: causal_mask(4)),
    (checks.check_scaled_dot_product_attention,
     lambda *a: sdpa(*attention._shown_attention_case())),
    (checks.check_positional_encoding, lambda t, d: positions(2, 4)),
]

ALL_CHECKS = [(checks.check_causal_mask, 1), (checks.check_scaled_dot_product_attention, 4),
              (checks.check_positional_encoding, 2)]
WRONG_SHAPE = (9, 9)  # a wrong-shaped answer for the broken-function test



@pytest.mark.parametrize(("check", "fn"), CORRECT)
def test_correct_solution_passes(check, fn):
    assert_passes(check, fn)


@pytest.mark.parametrize(("check", "fn", "phrase"), WRONG)
def test_typical_wrong_answer_gets_its_specific_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


def test_every_hint_is_reached_by_a_wrong_solution():
    exercises = [attention._causal_exercise(), attention._attention_exercise(), attention._positions_exercise()]
    assert_every_hint_is_reached(exercises, WRONG)


def test_every_hidden_attention_row_may_attend_somewhere_and_one_input_overflows_a_naive_softmax():
    cases = attention._attention_exercise().cases
    assert all(case.args[3].any(axis=1).all() for case in cases)  # the right answer is never NaN
    assert any(np.abs(case.args[0] @ case.args[1].T).max() > 700 for case in cases if not case.shown)


def test_one_hidden_input_has_row_maxima_hundreds_apart():
    def row_maxima(Q, K, V, mask):
        return np.where(mask, Q @ K.T / math.sqrt(Q.shape[1]), -np.inf).max(axis=1)

    spreads = [np.ptp(row_maxima(*c.args)) for c in attention._attention_exercise().cases if not c.shown]
    assert max(spreads) > 745  # exp(-745) is 0 in float64: one maximum for all rows underflows a row
    assert np.isfinite(sdpa(*attention._uneven_rows_case())).all()


@pytest.mark.parametrize(("check", "fn"), HARD_CODED)
def test_hard_coded_notebook_answer_fails(check, fn):
    assert_hard_coded_fails(check, fn)


@pytest.mark.parametrize(("check", "arity"), ALL_CHECKS)
def test_not_implemented_none_non_callable_and_wrong_shape(check, arity):
    assert_array_check_handles_broken_functions(check, WRONG_SHAPE)


@pytest.mark.parametrize(("check", "arity"), ALL_CHECKS)
def test_an_exception_is_reported_with_its_type_and_input(check, arity):
    def student(*args):
        assert len(args) == arity  # the learner's function gets exactly the documented arguments
        return np.linalg.inv(np.zeros((2, 2)))

    result = check(student)
    assert not result.passed
    assert "your function raised LinAlgError: Singular matrix on input" in one_line(result)


def test_nan_counts_as_equal_only_to_nan_in_the_same_places():
    assert _ArrayAnswer(np.array([np.nan, 1.0])) == _ArrayAnswer(np.array([np.nan, 1.0]))
    assert _ArrayAnswer(np.array([np.nan, 1.0])) != _ArrayAnswer(np.array([1.0, np.nan]))
    assert _ArrayAnswer(np.array([np.nan, 1.0])) != _ArrayAnswer(np.array([0.0, 1.0]))
