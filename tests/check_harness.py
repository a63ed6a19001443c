"""Assertions shared by the tests of lmtutor.checks (tests/test_checks*.py), one per promise a check
makes to the learner: a right answer passes, a typical wrong one gets its own hint, a hard-coded
answer fails, every hint is reachable, and a broken function gets a message, not a crash."""

import html
import re

import numpy as np


def html_text(result) -> str:
    """Return the text a reader sees in result._repr_html_(): tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", result._repr_html_()))


def one_line(result) -> str:
    """Return repr(result) after asserting it is one line without a memory address, and that the HTML
    says the same: the same words, less the backticks and emphasis asterisks it turns into formatting."""
    text = repr(result)
    assert "\n" not in text and "0x" not in text, text
    shown = html_text(result)
    assert "\n" not in shown, shown
    assert re.sub(r"[`*]", "", shown) == re.sub(r"[`*]", "", text), (shown, text)
    return text


def assert_passes(check, fn):
    result = check(fn)
    assert result.passed and bool(result), result
    assert one_line(result).startswith(f"PASS {result.name}: ")
    assert "not shown in the notebook" in result.message


def assert_specific_hint(check, fn, phrase):
    result = check(fn)
    assert not result.passed and not bool(result)
    assert phrase in result.message, result.message
    assert ("expected" in result.message and "got" in result.message) or "after the call" in result.message
    assert one_line(result).startswith(f"NOT YET {result.name}: ")


def assert_hard_coded_fails(check, fn):
    result = check(fn)
    assert not result.passed
    assert "notebook example's answer for a different input" in result.message, result.message
    assert "(not shown in the notebook)" in result.message


def assert_every_hint_is_reached(exercises, wrong, unless=()):
    """Each mistake of each exercise is the diagnosis of at least one (check, fn, phrase) of ``wrong``
    (a hint that starts with one of ``unless`` is left out: one that this machine cannot reach)."""
    messages = [check(fn).message for check, fn, _ in wrong]
    for exercise in exercises:
        for mistake in exercise.mistakes:
            if mistake.hint.startswith(tuple(unless)):
                continue
            assert any(m.startswith(mistake.hint) for m in messages), mistake.hint


def assert_array_check_handles_broken_functions(check, wrong_shape, *, single_array=True):
    """Not implemented, None, not a function and a wrong shape each get their message; so does a
    dict where the answer is one array (``single_array``; not for pairs, floats or words)."""
    def student(*args):
        raise NotImplementedError()

    assert check(student).message.startswith("not implemented yet: replace `raise NotImplementedError()`")
    assert "forget the return statement" in check(lambda *a: None).message
    assert "pass the function itself, not its result" in one_line(check(np.zeros(3)))
    assert not check(lambda *a: np.zeros(wrong_shape)).passed
    if single_array:
        assert "return a NumPy array, not a dict" in check(lambda *a: {"answer": a[0]}).message
