"""What a learner sees of a check: a PASS / NOT YET line in plain text and in HTML, values shown short.

The plain text (``repr``) is what a terminal prints and nbval compares; the HTML (``_repr_html_``)
is what JupyterLab shows: a coloured PASS or NOT YET badge that reads without an emoji font, the
exercise name, and the hint with its `code` spans and *emphasis* formatted. Shown values (inputs,
the learner's answers and errors) are escaped and never formatted, so no value can inject HTML::

    result = _result("demo", False, "use `np.log`, not *log10*: got ", _Value("[1.0, 2.0]"))
    repr(result)           # 'NOT YET demo: use `np.log`, not *log10*: got [1.0, 2.0]'
    result._repr_html_()   # '... NOT YET</span> <code>demo</code>: use <code>np.log</code>, not <em>log10</em> ...'
"""

from __future__ import annotations

import functools
import html
import math
import numbers
import re
import sys
from dataclasses import dataclass, field
from typing import Any

# The badge: (word, background). White text on these backgrounds has a WCAG contrast of 5.1 and 5.4
# (AA asks 4.5), and the badge brings its own background, so it reads the same in JupyterLab's light
# and dark themes; the rest of the line keeps the theme's text colour.
BADGES = {True: ("PASS", "#1a7f37"), False: ("NOT YET", "#b54708")}
_BADGE_STYLE = ("display: inline-block; padding: 0 .4em; border-radius: 3px; font-weight: bold; "
                "color: #ffffff; background-color: {colour}")
_escape = functools.partial(html.escape, quote=False)  # text, not attributes: quotes stay quotes
_CODE = re.compile(r"`([^`\n]+)`")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])")  # *word*, not k * V or x**2


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check; true when the learner's function passed."""

    name: str  # the exercise, e.g. "char_tokens"
    passed: bool  # True when every test input gave the expected answer
    message: str  # on success a short note, on failure the most specific hint found
    value_spans: tuple[tuple[int, int], ...] = field(default=(), repr=False, compare=False)
    # (start, end) of each shown value in message (inputs, answers, errors): escaped in the HTML, never formatted

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"{BADGES[self.passed][0]} {self.name}: {self.message}"

    def _repr_html_(self) -> str:
        """Return the same line as HTML: the word on a coloured badge, the hint formatted."""
        word, colour = BADGES[self.passed]
        return (f'<div class="lmtutor-check"><span style="{_BADGE_STYLE.format(colour=colour)}">{word}</span> '
                f"<code>{_escape(self.name)}</code>: {self._message_html()}</div>")

    def _message_html(self) -> str:
        pieces, end = [], 0
        for start, stop in sorted(self.value_spans):
            if start < end or stop > len(self.message):  # not spans of this message: format none of it
                return _escape(self.message)
            pieces += [_markup(self.message[end:start]), f"<code>{_escape(self.message[start:stop])}</code>"]
            end = stop
        return "".join(pieces) + _markup(self.message[end:])


GRADED_RUNS = ("autograde", "validate")  # values of NBGRADER_EXECUTION while nbgrader runs a notebook


def graded() -> bool:
    """Return True while nbgrader autogrades or validates the notebook (it sets NBGRADER_EXECUTION)."""
    import os

    return os.environ.get("NBGRADER_EXECUTION", "") in GRADED_RUNS


class CheckFailed(AssertionError):
    """Raised by a check that did not pass while nbgrader grades: the check cell fails, its points are 0.

    IPython shows only the result line (``_render_traceback_``), not a traceback into lmtutor, so the
    graded notebook's feedback reads as the learner saw it while working alone.
    """

    def __init__(self, result: CheckResult):
        super().__init__(repr(result))
        self.result = result

    def _render_traceback_(self) -> list[str]:
        return [f"CheckFailed: {self.result!r}"]


def _markup(text: str) -> str:
    """Return hint text as HTML: `code` spans in <code>, *emphasis* in <em>, everything else escaped."""
    parts = _CODE.split(text)  # odd positions hold the code spans
    return "".join(f"<code>{_escape(part)}</code>" if i % 2
                   else _EMPHASIS.sub(r"<em>\1</em>", _escape(part)) for i, part in enumerate(parts))


@dataclass(frozen=True)
class _Value:
    text: str  # a shown value: an input, an answer, an error message


def _result(name: str, passed: bool, *parts: str | _Value) -> CheckResult:
    """Return the CheckResult whose message joins ``parts``: hint text (str) and shown values (_Value)."""
    message, spans = "", []
    for part in parts:
        if isinstance(part, _Value):
            spans.append((len(message), len(message) + len(part.text)))
            part = part.text
        message += part
    return CheckResult(name, passed, message, tuple(spans))


# ---------------------------------------------------------------------------------------------
# Values shown short: one line, about `limit` characters, long arrays and lists summarised with
# "..." between whole numbers (never cut inside one), floats rounded for reading.


def _one_line(text: str, limit: int) -> str:
    """Return ``text`` on one line, without memory addresses, cut to ``limit`` characters."""
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", " ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(x: float, digits: int = 4) -> str:
    """Return ``x`` rounded for reading: ``digits`` decimals, at least ``digits`` significant digits
    below 1, scientific notation outside 1e-4 .. 1e6 (0.7398, -803.0486, 0.00025, 1e-05, 1.235e+20)."""
    x = float(x)
    if not math.isfinite(x) or x == 0:
        return repr(x)  # inf, -inf, nan, 0.0
    if 1e-4 <= abs(x) < 1e6:
        return repr(round(x, max(digits, digits - 1 - math.floor(math.log10(abs(x))))))
    return repr(float(f"{x:.{digits - 1}e}"))


def _array_text(array: Any, limit: int, digits: int) -> str:
    """Return a NumPy array on one line, its floats rounded, summarised (with its shape) when long."""
    import numpy as np

    options = dict(separator=", ", max_line_width=sys.maxsize,
                   formatter={"float_kind": lambda x: _number(x, digits)})
    text = ""
    whole_fits = array.size * 3 <= limit  # each number takes at least 3 characters with its ", "
    for edge in (None, 3, 2, 1) if whole_fits else (3, 2, 1):  # whole, then fewer items at each end of every axis
        body = (np.array2string(array, threshold=sys.maxsize, **options) if edge is None
                else np.array2string(array, threshold=0, edgeitems=edge, **options))
        body = re.sub(r"\[ +", "[", " ".join(body.split()))
        text = f"array({body}, shape={array.shape})" if "..." in body else f"array({body})"
        if len(text) <= limit:
            break
    return text


def _items_text(items: list, show, opening: str, closing: str, limit: int) -> str:
    """Return ``items`` shown between ``opening`` and ``closing``; when too long, whole items from
    both ends around "..." and the item count."""
    if len(items) <= 2 or 3 * len(items) <= limit:  # each item takes at least 3 characters with its ", "
        whole = opening + ", ".join(map(show, items)) + closing
        if len(whole) <= limit or len(items) <= 2:
            return whole
    text = f"{opening}{show(items[0])}, ..., {show(items[-1])}{closing} ({len(items)} items)"
    for keep in range(3, len(items)):  # grow while it fits
        head, tail = items[:(keep + 1) // 2], items[len(items) - keep // 2:]
        longer = f"{opening}{', '.join(map(show, head))}, ..., {', '.join(map(show, tail))}{closing} ({len(items)} items)"
        if len(longer) > limit:
            break
        text = longer
    return text


def _show(value: Any, limit: int = 70, digits: int = 4, _inside: frozenset = frozenset()) -> str:
    """Return a short, deterministic one-line repr: sets sorted, floats to 10 significant digits,
    arrays rounded to ``digits``, long arrays, lists and dicts summarised between whole items."""
    array = getattr(value, "array", value)  # an _ArrayAnswer shows as its array
    if "numpy" in sys.modules and isinstance(array, sys.modules["numpy"].ndarray):
        return _array_text(array, limit, digits)
    if isinstance(value, (list, dict)) and id(value) in _inside:  # a list that contains itself, as repr shows it
        return "[...]" if isinstance(value, list) else "{...}"
    show = lambda v: _show(v, limit, digits, _inside | {id(value)})  # noqa: E731
    if isinstance(value, (set, frozenset)):
        return _items_text(sorted(map(show, value)), str, "{", "}", limit) if value else "set()"
    if isinstance(value, list):
        return _items_text(value, show, "[", "]", limit)
    if isinstance(value, tuple) and type(value) is tuple:
        return _items_text(value, show, "(", ",)" if len(value) == 1 else ")", limit)
    if isinstance(value, dict):
        opening, closing = ("{", "}") if type(value) is dict else (type(value).__name__ + "({", "})")
        # a small dict in full (up to 10 items, 200 characters): a lexicon or a count table the learner
        # must see whole to work out the expected answer by hand
        whole = limit if len(value) > 10 else max(limit, 200)
        return _items_text(list(value.items()), lambda kv: f"{show(kv[0])}: {show(kv[1])}", opening, closing, whole)
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return repr(float(format(float(value), ".10g")))  # 1.0 stays 1.0, 1/3 -> 0.3333333333
    try:
        text = repr(value)
    except Exception:  # a learner's object whose repr fails
        text = f"<a {type(value).__name__}>"
    return _one_line(text, limit)
