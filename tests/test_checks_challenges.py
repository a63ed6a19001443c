"""Tests for lmtutor.checks.challenges (notebook 14): right answers pass, each typical wrong answer gets
its own hint, hard-coded answers fail, in-place changes and crashes get a message.

The learner solutions below are written independently of lmtutor.bias (plain NumPy and Python loops);
the exposure reference is also held equal to lmtutor.memorisation.exposure."""

import math
import re

import numpy as np
import pytest

from check_harness import (assert_array_check_handles_broken_functions, assert_every_hint_is_reached,
                           assert_hard_coded_fails, assert_passes, assert_specific_hint, one_line)
from lmtutor.checks import challenges

pytestmark = pytest.mark.filterwarnings("error")


# ------------------------------------------------------------------------------ right answers
def weat_effect_size(X, Y, A, B):
    unit = lambda M: M / np.linalg.norm(M, axis=1, keepdims=True)  # noqa: E731
    s = lambda W: (unit(W) @ unit(A).T).mean(axis=1) - (unit(W) @ unit(B).T).mean(axis=1)  # noqa: E731
    s_x, s_y = s(X), s(Y)
    return float((s_x.mean() - s_y.mean()) / np.std(np.concatenate([s_x, s_y]), ddof=1))


def weat_effect_size_loops(X, Y, A, B):
    cos = lambda u, v: sum(a * b for a, b in zip(u, v)) / math.sqrt(sum(a * a for a in u) * sum(b * b for b in v))  # noqa: E731
    s = [sum(cos(w, a) for a in A) / len(A) - sum(cos(w, b) for b in B) / len(B) for w in [*X, *Y]]
    mean = sum(s) / len(s)
    std = math.sqrt(sum((v - mean) ** 2 for v in s) / (len(s) - 1))
    return (sum(s[:len(X)]) / len(X) - sum(s[len(X):]) / len(Y)) / std


def exposure(log_probs, index):
    rank = 1 + int(np.sum(log_probs > log_probs[index]))
    return float(np.log2(len(log_probs)) - np.log2(rank))


def exposure_by_sorting(log_probs, index):
    order = sorted(range(len(log_probs)), key=lambda i: -log_probs[i])
    rank = min(order.index(i) for i in range(len(log_probs)) if log_probs[i] == log_probs[index]) + 1
    return math.log2(len(log_probs) / rank)


def neutralize(vectors, direction):
    g = direction / np.linalg.norm(direction)
    w = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    out = w - np.outer(w @ g, g)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def neutralize_loops(vectors, direction):
    norm = math.sqrt(sum(x * x for x in direction))
    g = [x / norm for x in direction]
    rows = []
    for row in vectors:
        length = math.sqrt(sum(x * x for x in row))
        w = [x / length for x in row]
        along = sum(a * b for a, b in zip(w, g))
        rest = [a - along * b for a, b in zip(w, g)]
        size = math.sqrt(sum(x * x for x in rest))
        rows.append([x / size for x in rest])
    return rows  # a list of lists counts as an array


def heading_anchor(heading):
    return re.sub(r"[`*]", "", re.sub(r"^#+\s*", "", heading)).strip().replace(" ", "-")


CORRECT = [
    (challenges.check_heading_anchor, heading_anchor),
    (challenges.check_weat_effect_size, weat_effect_size),
    (challenges.check_weat_effect_size, weat_effect_size_loops),
    (challenges.check_exposure, exposure),
    (challenges.check_exposure, exposure_by_sorting),
    (challenges.check_neutralize, neutralize),
    (challenges.check_neutralize, lambda v, g: np.array(neutralize_loops(v, g))),
]


@pytest.mark.parametrize(("check", "fn"), CORRECT)
def test_correct_solution_passes(check, fn):
    assert_passes(check, fn)


# ------------------------------------------------------------------------------ wrong answers
def effect_dot(X, Y, A, B):
    s = lambda W: (W @ A.T).mean(axis=1) - (W @ B.T).mean(axis=1)  # noqa: E731
    s_x, s_y = s(X), s(Y)
    return float((s_x.mean() - s_y.mean()) / np.std(np.concatenate([s_x, s_y]), ddof=1))


def effect_with(X, Y, A, B, *, ddof=1, spread_x=False, divide=True, total=False):
    unit = lambda M: M / np.linalg.norm(M, axis=1, keepdims=True)  # noqa: E731
    pool = np.sum if total else np.mean
    s = lambda W: pool(unit(W) @ unit(A).T, axis=1) - pool(unit(W) @ unit(B).T, axis=1)  # noqa: E731
    s_x, s_y = s(X), s(Y)
    if not divide:
        return float(s_x.mean() - s_y.mean())
    return float((s_x.mean() - s_y.mean()) / np.std(s_x if spread_x else np.concatenate([s_x, s_y]), ddof=ddof))


def effect_in_place(X, Y, A, B):
    X /= np.linalg.norm(X, axis=1, keepdims=True)  # writes the unit vectors into the caller's X
    return weat_effect_size(X, Y, A, B)


def exposure_zero_based(log_probs, index):
    rank = int(np.sum(log_probs > log_probs[index]))
    return float(np.log2(len(log_probs)) - np.log2(rank)) if rank else float("inf")


def exposure_sorted_in_place(log_probs, index):
    value = log_probs[index]
    log_probs.sort()  # sorts the caller's array
    rank = 1 + int(np.sum(log_probs > value))
    return float(np.log2(len(log_probs)) - np.log2(rank))


def neutralize_in_place(vectors, direction):
    direction /= np.linalg.norm(direction)
    return neutralize(vectors, direction)


WRONG = [
    (challenges.check_weat_effect_size, effect_dot, "use cosines, not dot products"),
    (challenges.check_weat_effect_size, lambda X, Y, A, B: effect_with(X, Y, A, B, ddof=0), "ddof=1"),
    (challenges.check_weat_effect_size, lambda X, Y, A, B: effect_with(X, Y, A, B, spread_x=True), "not of X alone"),
    (challenges.check_weat_effect_size, lambda X, Y, A, B: effect_with(X, Y, A, B, divide=False), "in standard deviations"),
    (challenges.check_weat_effect_size, lambda X, Y, A, B: effect_with(X, Y, A, B, total=True), "it does not sum"),
    (challenges.check_weat_effect_size, lambda X, Y, A, B: weat_effect_size(Y, X, A, B), "the sign is flipped"),
    (challenges.check_weat_effect_size, effect_in_place, "changed its argument `X` in place"),
    (challenges.check_exposure, exposure_zero_based, "rank starts at 1"),
    (challenges.check_exposure, lambda p, i: exposure(-p, i), "count the candidates with a higher"),
    (challenges.check_exposure, lambda p, i: exposure(p, i) * math.log(2), "use log2, not the natural log"),
    (challenges.check_exposure, lambda p, i: float(np.log2(len(p)) - np.log2(np.sum(p >= p[i]))), "(>, not >=)"),
    (challenges.check_exposure, exposure_sorted_in_place, "changed its argument `log_probs` in place"),
    (challenges.check_exposure, lambda p, i: math.log2(len(p)) - math.log2(i + 1), "not its rank"),  # the index as rank
    (challenges.check_neutralize, lambda v, g: neutralize(v, g / np.linalg.norm(g)) if np.isclose(np.linalg.norm(g), 1)
     else (lambda w: w / np.linalg.norm(w, axis=1, keepdims=True))(
        (v / np.linalg.norm(v, axis=1, keepdims=True)) - np.outer((v / np.linalg.norm(v, axis=1, keepdims=True)) @ g, g)),
     "scale the direction to length 1"),
    (challenges.check_neutralize, lambda v, g: (lambda w, u: w - np.outer(w @ u, u))(
        v / np.linalg.norm(v, axis=1, keepdims=True), g / np.linalg.norm(g)), "scale each result back"),
    (challenges.check_neutralize, lambda v, g: v - np.outer(v @ (g / np.linalg.norm(g)), g / np.linalg.norm(g)),
     "scale each row to length 1 before"),
    (challenges.check_neutralize, lambda v, g: (lambda w, u: (lambda a: a / np.linalg.norm(a, axis=1, keepdims=True))(
        np.outer(w @ u, u)))(v / np.linalg.norm(v, axis=1, keepdims=True), g / np.linalg.norm(g)), "kept the component along g"),
    (challenges.check_neutralize, lambda v, g: (lambda w, u: (lambda a: a / np.linalg.norm(a, axis=1, keepdims=True))(
        w + np.outer(w @ u, u)))(v / np.linalg.norm(v, axis=1, keepdims=True), g / np.linalg.norm(g)), "do not add it"),
    (challenges.check_neutralize, neutralize_in_place, "changed its argument `direction` in place"),
    (challenges.check_heading_anchor, lambda h: heading_anchor(h).lower(), "keep the case"),
    (challenges.check_heading_anchor, lambda h: re.sub(r"[^\w\- ]", "", h.lstrip("#").strip().lower()).replace(" ", "-"),
     "keep the punctuation"),
    (challenges.check_heading_anchor, lambda h: h.strip().replace("`", "").replace(" ", "-"), "drop the leading #s"),
    (challenges.check_heading_anchor, lambda h: h.lstrip("#").replace("`", "").replace("*", "").replace(" ", "-"),
     "does not start with '-'"),
    (challenges.check_heading_anchor, lambda h: h.lstrip("#").strip().replace(" ", "-"), "drop the markup characters"),
    (challenges.check_heading_anchor, lambda h: re.sub(r"[`*]", "", h.lstrip("#").strip()).replace(" ", "_"), "not by '_'"),
]


@pytest.mark.parametrize(("check", "fn", "phrase"), WRONG)
def test_typical_wrong_answer_gets_its_specific_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


def test_every_hint_is_reached_by_a_wrong_solution():
    exercises = [challenges._weat_exercise(), challenges._exposure_exercise(), challenges._neutralize_exercise(),
                 challenges._ANCHOR]
    assert_every_hint_is_reached(exercises, WRONG)


HARD_CODED = [
    (challenges.check_weat_effect_size, lambda *args: 0.8 / math.sqrt(2.08 / 3)),
    (challenges.check_exposure, lambda *args: 3 - math.log2(3)),
    (challenges.check_neutralize, lambda *args: np.array([[0.0, 1.0]] * 3)),
    (challenges.check_heading_anchor, lambda *args: "3.-Skip-gram-with-negative-sampling-(跳字模型与负采样)"),
]


@pytest.mark.parametrize(("check", "fn"), HARD_CODED)
def test_hard_coded_notebook_answer_fails(check, fn):
    assert_hard_coded_fails(check, fn)


def test_ignored_arguments_fail():
    X, Y, A, B = challenges._shown_weat_case()
    assert not challenges.check_weat_effect_size(lambda x, y, a, b: weat_effect_size(x, y, a, B)).passed  # B ignored
    assert not challenges.check_exposure(lambda p, i: exposure(p, 0)).passed  # index ignored
    assert not challenges.check_neutralize(lambda v, g: neutralize(v, np.array([1.0] + [0.0] * (len(g) - 1)))).passed


def test_broken_functions_get_a_message():
    assert_array_check_handles_broken_functions(challenges.check_neutralize, (2,))
    for check in (challenges.check_weat_effect_size, challenges.check_exposure):
        def student(*args):
            raise NotImplementedError()

        assert check(student).message.startswith("not implemented yet")
        assert "forget the return statement" in check(lambda *a: None).message
        assert "pass the function itself" in one_line(check(0.5))
        assert "return a number (a float)" in check(lambda *a: "0.96").message
    assert "return a float, not an int" in challenges.check_exposure(lambda p, i: 1 + int(np.sum(p > p[i]))).message


# ------------------------------------------------------------------------------ the cases themselves
def test_the_notebook_examples_are_what_the_docstrings_say():
    assert challenges._effect_size(*challenges._shown_weat_case()) == pytest.approx(0.9608, abs=1e-4)
    shown = challenges._exposure_exercise().cases[0].args
    assert challenges._exposure(*shown) == pytest.approx(3 - math.log2(3))
    out = challenges._neutralize(*challenges._neutralize_exercise().cases[0].args)
    np.testing.assert_allclose(out, [[0.0, 1.0]] * 3, atol=1e-12)


def test_exposure_reference_equals_memorisation_exposure():
    from lmtutor import memorisation

    for case in challenges._exposure_exercise().cases:
        assert challenges._exposure(*case.args) == pytest.approx(memorisation.exposure(*case.args), abs=1e-12)


def test_hidden_cases_need_every_part_of_the_formula():
    # |A| ≠ |B| in some case (sums differ from means), and vector lengths differ (dot products differ from cosines)
    cases = challenges._weat_exercise().cases
    assert any(len(c.args[2]) != len(c.args[3]) for c in cases)
    assert any(len(c.args[0]) != len(c.args[1]) for c in cases)
    ties = [c for c in challenges._exposure_exercise().cases if len(set(c.args[0].tolist())) < len(c.args[0])]
    assert ties
