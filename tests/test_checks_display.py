"""Tests for what a learner sees of a check: PASS / NOT YET in words (plain text) and on a coloured
badge (HTML), hints with `code` and *emphasis* formatted, shown values escaped and never formatted,
long arrays summarised between whole numbers, and no warning printed above the hint (issue 19)."""

import re
import warnings

import numpy as np
import pytest

from lmtutor import checks
from lmtutor.checks import _runner
from lmtutor.checks._result import BADGES, CheckResult, _markup, _result, _show, _Value
from check_harness import html_text, one_line
from test_checks_promises import EXERCISES, right

# A check keeps the warnings of the learner's function (and of its references) from the caller:
# any warning that reaches a test is an error.
pytestmark = pytest.mark.filterwarnings("error")

PASSED = checks.check_l2_grad(lambda w, lam: 2 * lam * w)
FAILED = checks.check_l2_grad(lambda w, lam: lam * w)


def naive_log_softmax(z):  # log 0 on the hidden logit -800, overflow on 1000 and 1e4
    return np.log(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))


def unshifted_log_softmax(z):  # right on paper; exp(1000) overflows to inf on a hidden input
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


# --- pass and fail differ in words, in text and in HTML -------------------------------------------


def test_pass_and_not_yet_are_words_in_the_text_and_on_the_badge():
    assert repr(PASSED).startswith("PASS l2_grad: ") and repr(FAILED).startswith("NOT YET l2_grad: ")
    assert ">PASS</span>" in PASSED._repr_html_() and ">NOT YET</span>" in FAILED._repr_html_()
    for result in (PASSED, FAILED):  # no emoji, which shows as an empty box without an emoji font
        assert all(ord(c) < 0x2600 for c in repr(result) + result._repr_html_()), repr(result)
        assert html_text(result).startswith(repr(result)[:repr(result).index(":")])


def contrast(foreground: str, background: str) -> float:
    """Return the WCAG contrast ratio of two #rrggbb colours."""
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("result", [PASSED, FAILED], ids=["pass", "not yet"])
def test_the_badge_brings_its_own_background_with_readable_contrast(result):
    # The badge's text and background are both set, so it reads the same on JupyterLab's light and dark
    # themes; the line's own text keeps the theme's colour (no colour set outside the badge).
    html = result._repr_html_()
    style = re.search(r'<span style="([^"]+)">(PASS|NOT YET)</span>', html).group(1)
    colours = dict(re.findall(r"(?:^|; )(color|background-color): (#[0-9a-f]{6})", style))
    assert contrast(colours["color"], colours["background-color"]) >= 4.5, colours
    assert html.count("color:") == 2  # the badge's two colours, nothing else coloured
    assert colours["background-color"] == BADGES[result.passed][1]
    assert BADGES[True][1] != BADGES[False][1]


# --- hints formatted, values escaped ------------------------------------------------------------


def test_code_and_emphasis_in_a_hint_become_formatting_and_arithmetic_stays():
    html = _markup("use `np.log(p)`, not *log10*: k * V and grad**2 and (1 - beta_1**t) stay <as typed> & all")
    assert "<code>np.log(p)</code>" in html and "<em>log10</em>" in html
    assert "k * V and grad**2 and (1 - beta_1**t) stay &lt;as typed&gt; &amp; all" in html
    assert "`" not in html


def authored_texts():
    """Return every hint, note and error hint the checks can show."""
    texts = {_runner._NOT_IMPLEMENTED, *_runner._ERROR_HINTS.values(), *_runner._NUMPY_EVENTS.values()}
    for exercise in EXERCISES.values():
        texts |= {exercise.note, *(m.hint for m in exercise.mistakes), *(h for _, h in exercise.errors)}
    return sorted(texts)


def test_every_authored_hint_formats_only_what_it_marks():
    emphasised, leftover = set(), []
    for text in authored_texts():
        html = _markup(text)
        emphasised |= set(re.findall("<em>(.*?)</em>", html))
        shown = re.sub(r"<[^>]+>", "", html)
        assert shown.count("*") == text.count("*") - 2 * html.count("<em>"), text  # every other * stays
        assert "`" not in shown, text  # backticks come in pairs
    assert emphasised == {"squared", "smallest", "smallest set whose mass is at least", "hypothesis",  # 00-09
                          "after", "all", "answered", "any", "at least", "global", "higher", "least", "lower",
                          "most", "tokens"}  # 10-15


def test_a_learners_values_and_errors_are_escaped_and_never_formatted():
    result = checks.check_char_tokens(lambda text: ["<script>alert(1)</script>", "*x*", "`y`"])
    html = result._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<em>" not in html and "*x*" in html and "`y`" in html
    one_line(result)

    def raises(text):
        raise ValueError("<img src=x onerror=alert(1)> *bold* `code`")

    html = checks.check_char_tokens(raises)._repr_html_()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt; *bold* `code`" in html
    assert "<b>" not in checks.check_char_tokens("<b>not a function</b>")._repr_html_()


def test_a_result_built_by_hand_is_formatted_and_escaped_all_the_same():
    html = CheckResult("demo<", False, "try `x <= 1`, *then* <b>")._repr_html_()
    assert "<code>demo&lt;</code>" in html and "<code>x &lt;= 1</code>" in html and "<em>then</em> &lt;b&gt;" in html


def test_values_sit_between_the_hint_text_and_keep_their_place():
    result = _result("demo", False, "use *this*: got ", _Value("*that*"), ", see `doc`.")
    assert result.message == "use *this*: got *that*, see `doc`."
    assert result._repr_html_().endswith(": use <em>this</em>: got <code>*that*</code>, see <code>doc</code>.</div>")
    one_line(result)


@pytest.mark.parametrize("check", list(EXERCISES), ids=[e.name for e in EXERCISES.values()])
def test_text_and_html_say_the_same_for_pass_and_for_a_hint(check):
    exercise = EXERCISES[check]
    assert one_line(check(right(exercise)))
    assert one_line(check(lambda *args: None))  # "did you forget the return statement?" with the input shown


# --- long values: summarised between whole numbers ---------------------------------------------------


def numbers_and_gaps(text: str) -> list[str]:
    """Return the comma-separated items inside the outer brackets of an array or list text."""
    inner = text[text.index("[") + 1: text.rindex("]")]
    return [item.strip("[] ") for item in inner.split(",")]


@pytest.mark.parametrize("array", [np.arange(2000) / 7, np.random.default_rng(0).normal(size=(50, 50)),
                                   np.random.default_rng(1).normal(size=(4, 6)) * 1e3],
                         ids=["2000", "50x50", "4x6 large"])
def test_a_long_array_shows_whole_numbers_around_an_ellipsis_and_its_shape(array):
    text = _show(array)
    assert len(text) <= 90, text
    assert "..." in text and text.endswith(f", shape={array.shape})"), text
    for item in numbers_and_gaps(text[: text.rindex(", shape=")]):
        assert item == "..." or float(item) == pytest.approx(float(item)), (item, text)  # a whole number
    assert not re.search(r"\d\.\.\.|\.\.\.\d", text), text  # no number cut against the ellipsis


def test_a_long_list_shows_whole_items_and_its_length():
    probs = [0.05 * (i % 9 + 1) for i in range(2000)]
    text = _show(probs)
    assert text.startswith("[0.05, 0.1, ") and text.endswith("] (2000 items)") and len(text) <= 90, text
    assert all(item == "..." or float(item) for item in numbers_and_gaps(text)), text
    assert _show({"a": 1, "b": 2}) == "{'a': 1, 'b': 2}"
    assert _show(tuple(range(100))).endswith(") (100 items)")


def test_rounding_keeps_small_values_and_the_digits_where_answers_differ():
    assert _show(np.array([0.00025, 1e-05, -803.04861, 0.6, np.inf, np.nan])) == \
        "array([0.00025, 1e-05, -803.0486, 0.6, inf, nan])"
    close = checks.check_l2_grad(lambda w, lam: 2 * lam * w + 1e-7)  # equal to 4 digits, not to 1e-9
    expected, got = re.search(r"expected (array\(.*?\)), got (array\(.*?\))\.", close.message).groups()
    assert expected != got, close.message


def test_indices_are_shown_as_ints_and_still_equal_floats():
    wrong = checks.check_cosine_ranking(lambda query, documents: [0, 1, 2])  # the example's indices, unsorted
    assert not wrong.passed and "expected array([1, 2, 0]), got array([0, 1, 2])" in wrong.message, wrong.message
    as_floats = checks.check_cosine_ranking(lambda q, d: [float(i) for i in np.argsort(
        -(np.asarray(d, float) @ np.asarray(q, float)) / np.maximum(np.linalg.norm(d, axis=1) * np.linalg.norm(q), 1e-300),
        kind="stable")])
    assert as_floats.passed, as_floats.message  # 1.0 answers 1: only the display keeps ints
    huge = checks.check_cosine_ranking(lambda q, d: [2**70, 0, 1])  # no int64 overflow error, no wrap-around
    assert not huge.passed and "got array([1.181e+21, 0.0, 1.0])" in huge.message, huge.message
    unsigned = checks.check_cosine_ranking(lambda q, d: np.array([2**64 - 1, 2, 0], dtype=np.uint64))
    assert not unsigned.passed and "got array([18446744073709551615, 2, 0])" in unsigned.message, unsigned.message


def test_no_number_in_any_hint_is_cut():
    messages = [checks.check_lstm_step(lambda *a: (a[1], a[2])).message,
                checks.check_log_softmax(lambda z: z).message,
                checks.check_perplexity(lambda probs: 1.0).message]
    for message in messages:
        assert not re.search(r"\d\.\.\.|[\d.]\.\.\.[\]),]", message), message


# --- warnings: none above the hint --------------------------------------------------------------------


@pytest.mark.parametrize(("fn", "hint", "event"), [
    (unshifted_log_softmax, "z - log(sum(exp(z))) is right on paper, but exp(z) overflows", "overflow"),
    (naive_log_softmax, "exp(z) overflows to inf for large logits", "divide by zero")])
def test_an_overflowing_wrong_answer_prints_no_warning_and_the_hint_names_it(fn, hint, event, recwarn, capsys):
    before = np.geterr()
    result = checks.check_log_softmax(fn)
    assert len(recwarn) == 0, [str(w.message) for w in recwarn]
    assert capsys.readouterr().err == ""
    assert np.geterr() == before  # the caller's NumPy settings are back
    assert not result.passed and result.message.startswith(hint), result.message
    assert f"On this input NumPy warned of {event} (" in result.message, result.message
    one_line(result)


def test_warnings_turned_into_errors_by_the_caller_do_not_stop_the_check():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):  # not even NumPy's "raise" reaches the learner's function
            result = checks.check_log_softmax(naive_log_softmax)
    assert "raised" not in result.message and "overflows to inf" in result.message


def test_a_python_warning_from_the_learners_function_is_named_only_when_the_answer_is_wrong(recwarn):
    def warns(w, lam):
        warnings.warn("this formula is deprecated", DeprecationWarning)
        return lam * w

    assert "Your function warned: DeprecationWarning: this formula is deprecated." in checks.check_l2_grad(warns).message
    assert "dropped the factor 2" in checks.check_l2_grad(warns).message

    def warns_but_right(w, lam):
        warnings.warn("just saying")
        return 2 * lam * w

    result = checks.check_l2_grad(warns_but_right)
    assert result.passed and "warned" not in result.message
    assert len(recwarn) == 0


def test_odd_answers_still_get_a_short_line():
    looped = []
    looped.append(looped)
    assert _show(looped) == "[[...]]"
    assert len(_show(np.zeros(10 ** 6))) <= 70  # summarised without printing a million numbers first
    assert _show(list(range(10 ** 5))).endswith("] (100000 items)")
    assert one_line(checks.check_char_tokens(lambda text: looped)).endswith("got [[...]].")


@pytest.mark.slow
def test_in_a_kernel_a_result_is_html_and_text_and_an_overflow_prints_nothing_else():
    """What JupyterLab receives from a check cell: one result with text/html and text/plain, and no
    stderr stream (the red box of RuntimeWarnings the learner saw above the hint)."""
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell(
        "import numpy as np\nfrom lmtutor import checks\n"
        "checks.check_log_softmax(lambda z: z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True)))")])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
    assert set(outputs[0].data) == {"text/plain", "text/html"}
    assert outputs[0].data["text/plain"].startswith("NOT YET log_softmax: z - log(sum(exp(z))) is right on paper")
    assert ">NOT YET</span>" in outputs[0].data["text/html"]
    nbformat.validate(nb)
