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
