"""Argument checks shared by every lmtutor module.

Each helper raises a ``TypeError`` or ``ValueError`` whose message names the argument, says what
was expected and shows what was given, so a learner sees the cause at the call they wrote::

    from lmtutor._validate import check_int
    n = check_int("n", n, minimum=1)     # ValueError: n must be >= 1, got 0
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable

import numpy as np


def _show(value: Any) -> str:
    """Return a short repr of ``value`` for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_type(name: str, value: Any, expected: type | tuple[type, ...]) -> Any:
    """Return ``value`` unchanged if it is an instance of ``expected``, else raise TypeError."""
    if not isinstance(value, expected):
        names = (
            " or ".join(t.__name__ for t in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        raise TypeError(f"{name} must be {names}, got {type(value).__name__} {_show(value)}")
    return value


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int after checking it is an integer (not bool) within the bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {_show(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
) -> float:
    """Return ``value`` as a finite float after checking its type and bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {_show(value)}")
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value < minimum or (not min_inclusive and value == minimum)):
        op = ">=" if min_inclusive else ">"
        raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    if maximum is not None and (value > maximum or (not max_inclusive and value == maximum)):
        op = "<=" if max_inclusive else "<"
        raise ValueError(f"{name} must be {op} {maximum}, got {value}")
    return value


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise ValueError listing them."""
    choices = list(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}; got {_show(value)}")
    return value


def check_str(name: str, value: Any, *, allow_empty: bool = True) -> str:
    """Return ``value`` if it is a str (non-empty unless ``allow_empty``), else raise."""
    check_type(name, value, str)
    if not allow_empty and not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {_show(value)}")
    return value


def check_token_list(name: str, value: Any, *, allow_empty: bool = True) -> list[str]:
    """Return ``value`` as a list of str tokens, raising if it is a bare string or holds non-strings."""
    if isinstance(value, str):
        raise TypeError(
            f"{name} must be a list of tokens, got a str {_show(value)}; tokenize it first"
        )
    try:
        tokens = list(value)
    except TypeError:
        raise TypeError(f"{name} must be a list of str tokens, got {type(value).__name__}") from None
    if not set(map(type, tokens)) <= {str}:  # fast path in C; find the culprit only on failure
        for i, token in enumerate(tokens):
            if not isinstance(token, str):
                raise TypeError(
                    f"{name}[{i}] must be a str token, got {type(token).__name__} {_show(token)}"
                )
    if not allow_empty and not tokens:
        raise ValueError(f"{name} must not be empty")
    return tokens


def check_sentences(name: str, value: Any, *, allow_empty: bool = False) -> list[list[str]]:
    """Return ``value`` as a list of token lists (a tokenized corpus), raising on any other shape."""
    if isinstance(value, str):
        raise TypeError(f"{name} must be a list of token lists, got a str {_show(value)}")
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{name} must be a list of token lists, got {type(value).__name__}") from None
    if not allow_empty and not items:
        raise ValueError(f"{name} is empty: it needs at least one sentence of tokens")
    return [check_token_list(f"{name}[{i}]", s) for i, s in enumerate(items)]


def check_array(name: str, value: Any, *, min_ndim: int = 0, copy: bool = False) -> np.ndarray:
    """Return ``value`` as a finite float64 array with at least ``min_ndim`` dimensions.

    ``copy=True`` always returns a new array (safe to modify in place).
    """
    if isinstance(value, str):
        raise TypeError(f"{name} must be an array of numbers, got a str {_show(value)}")
    try:
        array = np.array(value, dtype=np.float64) if copy else np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {_show(value)}") from None
    if array.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite, got a NaN or infinite entry")
    return array


def check_ids(name: str, ids: Any, vocab_size: int, *, allow_empty: bool = False,
              max_length: int | None = None) -> np.ndarray:
    """Return ``ids`` as an int64 array (any shape, at least 1-D) of token ids in [0, vocab_size).

    The one token-id check of lmtutor (generation, training, scoring): a str, a float, a bool or
    an id outside [0, vocab_size) raises an error that names ``name``, the entry and the range;
    ``max_length`` caps the last axis (a model's context window).
    """
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of int token ids, got a str {_show(ids)}; "
                        f"encode text first (corpus.encode(text) or checkpoint.encode(text))")
    if isinstance(ids, (list, tuple)):  # a flat list: name the entry as given (numpy would turn True into 1)
        for i, raw in enumerate(ids):
            if isinstance(raw, (list, tuple, np.ndarray)):
                break  # nested: checked as an array below
            if isinstance(raw, bool) or not isinstance(raw, numbers.Integral):
                raise TypeError(f"{name}[{i}] must be an int token id, got {type(raw).__name__} {_show(raw)}")
    try:
        array = np.asarray(ids if isinstance(ids, (np.ndarray, list, tuple, range)) else list(ids))
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of int token ids, got {_show(ids)}") from None
    if array.ndim == 0:
        raise TypeError(f"{name} must be a sequence of int token ids, got {_show(ids)}")
    if array.size and array.dtype.kind not in "iu":
        flat = array.reshape(-1).tolist()
        bad = next((i for i, v in enumerate(flat) if isinstance(v, bool) or not isinstance(v, numbers.Integral)), None)
        if bad is not None:
            where = ", ".join(map(str, np.unravel_index(bad, array.shape)))
            raise TypeError(f"{name}[{where}] must be an int token id, got {type(flat[bad]).__name__} "
                            f"{_show(flat[bad])}")
        array = np.array(flat, dtype=np.int64).reshape(array.shape)  # an object array of ints
    if array.shape[-1] == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty: start it with <bos> (id 2)")
    if max_length is not None and array.shape[-1] > max_length:
        raise ValueError(f"{name} has {array.shape[-1]} tokens, more than the model's context window "
                         f"of {max_length}: keep the last {max_length}")
    array = array.astype(np.int64, copy=False)
    if array.size:
        outside = (array < 0) | (array >= vocab_size)
        if outside.any():
            bad = int(np.flatnonzero(outside.reshape(-1))[0])
            where = ", ".join(map(str, np.unravel_index(bad, array.shape)))
            raise ValueError(f"{name}[{where}] = {array.reshape(-1)[bad]} is outside the vocabulary "
                             f"[0, {vocab_size})")
    return array
