"""Tests of lmtutor._validate.check_ids, the one token-id check of lmtutor (generation, training,
scoring): what it accepts and returns, and the message for each kind of bad input."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lmtutor._validate import check_ids


@given(st.lists(st.integers(0, 9), min_size=1, max_size=20))
def test_valid_ids_come_back_unchanged_as_int64(ids):
    for given_ids in (ids, tuple(ids), np.array(ids, dtype=np.int32), np.array(ids, dtype=object)):
        out = check_ids("ids", given_ids, 10)
        assert out.dtype == np.int64 and out.tolist() == ids


def test_shapes_lengths_and_empty_sequences():
    assert check_ids("ids", np.zeros((2, 3), dtype=np.uint8), 5).shape == (2, 3)
    assert check_ids("ids", [], 5, allow_empty=True).tolist() == []
    assert check_ids("ids", range(4), 5, max_length=4).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize("ids, kwargs, error, match", [
    ("abc", {}, TypeError, "ids must be a sequence of int token ids, got a str 'abc'"),
    (7, {}, TypeError, "ids must be a sequence of int token ids, got 7"),
    ([1, 2.5], {}, TypeError, r"ids\[1\] must be an int token id, got float 2.5"),
    ([1, True], {}, TypeError, r"ids\[1\] must be an int token id, got bool True"),
    (np.array([[1, 2], [3, 1.5]]), {}, TypeError, r"ids\[0, 0\] must be an int token id, got float"),
    ([3, 10], {}, ValueError, r"ids\[1\] = 10 is outside the vocabulary \[0, 10\)"),
    (np.array([[0, 0], [0, -1]]), {}, ValueError, r"ids\[1, 1\] = -1 is outside the vocabulary \[0, 10\)"),
    ([], {}, ValueError, "ids must not be empty: start it with <bos>"),
    ([1, 2, 3], {"max_length": 2}, ValueError, "ids has 3 tokens, more than the model's context window of 2"),
    ([[1, 2], [3]], {}, TypeError, "ids must be a sequence of int token ids"),
])
def test_bad_ids_are_named_with_the_entry_and_the_range(ids, kwargs, error, match):
    with pytest.raises(error, match=match):
        check_ids("ids", ids, 10, **kwargs)


# ------------------------------------------------------------ the other shared checks (issue 20)
from lmtutor._validate import (  # noqa: E402
    UnknownWordError, check_array, check_axis, check_bool, check_elements, check_path,
)


@pytest.mark.parametrize("value, error, match", [
    (np.array([1 + 2j, 3]), TypeError, "x must hold real numbers, got a complex array"),
    (np.array([True, False]), TypeError, "x must hold numbers, got a bool array"),
    ([1.0, True], TypeError, r"x must hold real numbers \(int or float\), got entries of type bool"),
    ([[1.0], [2.0, 3.0]], TypeError, "a ragged nested list is not one"),
    (["a", "b"], TypeError, "x must be an array of numbers, got dtype <U1"),
    (None, TypeError, "x must be an array of numbers, got NoneType"),
    ([1.0, np.nan], ValueError, "x must be finite"),
    ([1.0, -np.inf], ValueError, "x must be finite"),
])
def test_check_array_takes_finite_real_numbers_only(value, error, match):
    with pytest.raises(error, match=match):
        check_array("x", value)


def test_check_array_shapes_and_removed_logits():
    assert check_array("x", [1, 2]).dtype == np.float64
    with pytest.raises(ValueError, match="x must have 2 dimension"):
        check_array("x", [1.0, 2.0], ndim=2)
    with pytest.raises(ValueError, match="x must not be empty"):
        check_array("x", [], allow_empty=False)
    assert check_array("z", [0.0, -np.inf], allow_minus_inf=True)[1] == -np.inf
    with pytest.raises(ValueError, match=r"z must not hold NaN or \+inf"):
        check_array("z", [np.inf, 0.0], allow_minus_inf=True)


@pytest.mark.parametrize("value", ["False", "True", 0, 1, 1.0, None, [True]])
def test_a_flag_is_a_real_bool(value):
    with pytest.raises(TypeError, match="flag must be bool"):
        check_bool("flag", value)
    assert check_bool("flag", np.bool_(True)) is True and check_bool("flag", False) is False


def test_axis_path_size_and_unknown_word():
    assert check_axis("axis", -1, 3) == 2
    for bad, error in ((None, TypeError), (1.0, TypeError), (True, TypeError), (3, ValueError), (-4, ValueError)):
        with pytest.raises(error, match="axis"):
            check_axis("axis", bad, 3)
    assert str(check_path("path", "a/b.json")) == "a/b.json"
    for bad, error in ((None, TypeError), (3, TypeError), ("", ValueError)):
        with pytest.raises(error, match="path"):
            check_path("path", bad)
    with pytest.raises(ValueError, match=r"time asks for an array of shape \(100000, 100000\)"):
        check_elements("time", (100_000, 100_000))
    error = UnknownWordError("word 'qqq' is not in the vocabulary")
    assert isinstance(error, KeyError) and isinstance(error, ValueError) and str(error).startswith("word 'qqq'")


def test_check_texts_names_the_argument_and_what_a_blank_item_stops():
    from lmtutor._validate import check_texts

    assert check_texts("texts", ("a", "b")) == ["a", "b"]
    for bad, error, words in (("a", TypeError, "texts must be a list of texts, got a str"), (3, TypeError, "non-empty list"),
                              ([], ValueError, "empty one"), (["a", 3], TypeError, r"texts\[1\] must be a str"),
                              (["a", " "], ValueError, r"texts\[1\] is empty: there is nothing to translate")):
        with pytest.raises(error, match=words):
            check_texts("texts", bad, purpose="translate")
