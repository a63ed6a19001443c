"""Argument checks shared by every lmtutor module.

Each helper raises a ``TypeError`` or ``ValueError`` whose message names the argument, says what
was expected and shows what was given, so a learner sees the cause at the call they wrote::

    from lmtutor._validate import check_int
    n = check_int("n", n, minimum=1)     # ValueError: n must be >= 1, got 0
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path
from typing import Any, Iterable

import numpy as np

# Limits on sizes (ints that set how much memory or time a call takes): beyond them a call would
# exhaust memory, overflow int32 ids or run for hours, so it is refused with a message instead.
MAX_ELEMENTS = 50_000_000  # entries of one array a function allocates (400 MB of float64)
MAX_STEPS = 100_000  # optimizer steps, epochs, tokens to generate: what a notebook cell can wait for
MAX_VOCAB = 10_000_000  # vocabulary sizes and token ids (far below int32's 2,147,483,647)
MAX_WIDTH = 65_536  # widths of a layer or vector: hidden_size, embedding_dim, d_model, vector_size


class UnknownWordError(KeyError, ValueError):
    """A word that is not in the vocabulary: a ValueError (bad input) that ``except KeyError`` also catches."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


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


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` as a bool after checking it is True or False (a NumPy bool too).

    A yes/no flag takes a real bool only: the string "False" is truthy, so accepting it would turn a
    flag on; 0 and 1 are refused as well, so that a number passed by mistake is not read as a flag.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    hint = " (write True or False without quotes)" if isinstance(value, str) else " (True or False)"
    raise TypeError(f"{name} must be bool, got {type(value).__name__} {_show(value)}{hint}")


def check_axis(name: str, axis: Any, ndim: int) -> int:
    """Return ``axis`` as an int in [0, ndim) after checking it is an int within [-ndim, ndim)."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{name} must be an int axis, got {type(axis).__name__} {_show(axis)}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name} must be an axis of an array with {ndim} dimension(s), in "
                         f"[{-ndim}, {ndim}), got {axis}")
    return int(axis) % ndim


def check_callable(name: str, value: Any, what: str = "a function") -> Any:
    """Return ``value`` if it can be called, else raise TypeError saying what was expected."""
    if not callable(value):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__} {_show(value)}")
    return value


def check_path(name: str, value: Any) -> Path:
    """Return ``value`` as a Path after checking it is a non-empty str or an os.PathLike."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError(f"{name} must be a non-empty path, got {value!r}")
        return Path(value)
    if isinstance(value, os.PathLike):
        return Path(value)
    raise TypeError(f"{name} must be a path (a str or pathlib.Path), got {type(value).__name__} {_show(value)}")


def check_elements(name: str, shape: tuple[int, ...], limit: int | None = None) -> None:
    """Raise ValueError if an array of ``shape`` (that ``name`` asks for) has more than ``limit`` entries."""
    limit = MAX_ELEMENTS if limit is None else limit
    count = math.prod(int(n) for n in shape)
    if count > limit:
        raise ValueError(f"{name} asks for an array of shape {tuple(int(n) for n in shape)}, {count:,} entries, "
                         f"more than lmtutor's limit of {limit:,}: use smaller sizes")


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


def check_texts(name: str, value: Any, *, items: str = "texts", purpose: str = "process") -> list[str]:
    """Return ``value`` as a non-empty list of non-blank strings (``items`` names them in messages: a
    "list of sentences"; ``purpose`` says what a blank one stops: "there is nothing to translate")."""
    if isinstance(value, str):
        raise TypeError(f"{name} must be a list of {items}, got a str; wrap it: [{value!r:.40}]")
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a non-empty list of {items}, got {_show(value)}")
    if not value:
        raise ValueError(f"{name} must be a non-empty list of {items}, got an empty one")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] must be a str, got {type(item).__name__} {_show(item)}")
        if not item.strip():
            raise ValueError(f"{name}[{i}] is empty: there is nothing to {purpose}")
    return list(value)


def _kinds(value: Any, depth: int = 0) -> set[type]:
    """Return the Python types of the scalars inside a (nested) list or tuple (arrays: their dtype)."""
    kinds: set[type] = set()
    for item in value:
        if isinstance(item, (list, tuple)) and depth < 32:
            kinds |= _kinds(item, depth + 1)
        elif isinstance(item, np.ndarray):
            kinds.add(item.dtype.type)
        else:
            kinds.add(type(item))
    return kinds


def check_array(name: str, value: Any, *, min_ndim: int = 0, ndim: int | None = None, copy: bool = False,
                allow_empty: bool = True, allow_minus_inf: bool = False) -> np.ndarray:
    """Return ``value`` as a finite float64 array with at least ``min_ndim`` (or exactly ``ndim``) dimensions.

    The one numeric-array check of lmtutor: real numbers only (ints and floats). A str, None, a
    ragged nested list, booleans (True is not the number 1 here) and complex numbers (the imaginary
    part would be dropped) raise TypeError; NaN, ±inf, a wrong number of dimensions and (with
    ``allow_empty=False``) an empty array raise ValueError. ``copy=True`` always returns a new array;
    ``allow_minus_inf`` lets −inf through (a logit removed by a decoding rule).
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__} {_show(value)}")
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an array of numbers, got the bool {value!r}")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers (a ragged nested list is not one), "
                        f"got {_show(value)}") from None
    kind = raw.dtype.kind
    if kind == "O" or (isinstance(value, (list, tuple)) and kind in "fiu"):
        # numpy reads [1.0, True] as [1.0, 1.0]: look at what the list holds
        bad = {t for t in (_kinds(value) if isinstance(value, (list, tuple)) else set(map(type, raw.reshape(-1))))
               if issubclass(t, (bool, np.bool_, complex, np.complexfloating))
               or not issubclass(t, (numbers.Real, np.number))}
        if bad:
            names = ", ".join(sorted(t.__name__ for t in bad))
            raise TypeError(f"{name} must hold real numbers (int or float), got entries of type {names}")
    elif kind == "b":
        raise TypeError(f"{name} must hold numbers, got a bool array (True/False are not numbers here; "
                        f"use .astype(float) if you mean 0/1)")
    elif kind == "c":
        raise TypeError(f"{name} must hold real numbers, got a complex array (dtype {raw.dtype})")
    elif kind not in "fiu":
        raise TypeError(f"{name} must be an array of numbers, got dtype {raw.dtype}: {_show(value)}")
    try:
        array = np.array(raw, dtype=np.float64) if copy else np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(f"{name} must be an array of numbers, got {_show(value)}") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {array.shape}")
    if array.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got shape {array.shape}")
    if not allow_empty and array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    if allow_minus_inf:
        if np.isnan(array).any() or np.isposinf(array).any():
            raise ValueError(f"{name} must not hold NaN or +inf (−inf marks a removed token)")
    elif not np.isfinite(array).all():
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
