"""Automatic checks for the notebook exercises: each returns a one-line ✅/❌ result with a hint.

The learner writes a function between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; the check
cell passes the function itself (not its result)::

    from lmtutor import checks
    checks.check_char_tokens(char_tokens)   # ✅ char_tokens: passed — ...

A check runs the function on the notebook's example and on inputs the notebook does not show (so a
hard-coded answer fails), compares with a reference solution (floats: math.isclose rel 1e-6, abs
1e-9; lists exactly) and names the typical mistake behind a wrong answer. An exception from the
learner's code becomes a failed result; only KeyboardInterrupt (interrupt the kernel) passes.
"""

from __future__ import annotations

import copy
import math
import numbers
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

_NOT_IMPLEMENTED = ("not implemented yet: replace `raise NotImplementedError()` in your function "
                    "with your own code, then run this cell again")
_MARKDOWN_SPECIALS = "\\`*_[]<>#|~"
_ERROR_HINTS = {  # added to "your function raised ..." for errors with a usual cause
    ZeroDivisionError: "handle a divisor of 0 (the exercise says what to return then)",
    KeyError: "a key missing from a dict of counts has count 0: use counts.get(key, 0)"}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check; true when the learner's function passed."""

    name: str  # the exercise, e.g. "char_tokens"
    passed: bool  # True when every test input gave the expected answer
    message: str  # on success a short note, on failure the most specific hint found

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        if self.passed:
            return f"✅ {self.name}: passed — {self.message}"
        return f"❌ {self.name}: {self.message}"

    def _repr_markdown_(self) -> str:
        """Return the same line for Jupyter, with Markdown characters escaped."""
        return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in repr(self))


# ---------------------------------------------------------------------------------------------
# The shared runner


@dataclass(frozen=True)
class _Case:
    args: tuple  # positional arguments for the learner's function
    shown: bool = False  # True when the notebook shows this input and its answer


@dataclass(frozen=True)
class _Mistake:
    hint: str  # what to tell the learner
    wrong: Callable[..., Any]  # a typical wrong solution: the same answers get this hint


@dataclass(frozen=True)
class _Exercise:
    name: str  # shown in the result line
    params: tuple[str, ...]  # argument names of the learner's function, for messages
    reference: Callable[..., Any]  # the correct solution
    cases: tuple[_Case, ...]  # shown cases first
    mistakes: tuple[_Mistake, ...]  # most specific first
    note: str  # what a pass means, for the ✅ line


def _one_line(text: str, limit: int) -> str:
    """Return ``text`` on one line, without memory addresses, cut to ``limit`` characters."""
    text = re.sub(r" at 0x[0-9a-fA-F]+", "", " ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: Any, limit: int = 70) -> str:
    """Return a short, deterministic repr (sets sorted, floats to 10 digits)."""
    if isinstance(value, (set, frozenset)):
        text = "{" + ", ".join(sorted(map(_show, value))) + "}" if value else "set()"
    elif isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        text = repr(float(format(float(value), ".10g")))  # 1.0 stays 1.0, 1/3 -> 0.3333333333
    else:
        text = repr(value)
    return _one_line(text, limit)


def _matches(got: Any, expected: Any) -> bool:
    """Return True when ``got`` equals ``expected`` (floats within rel 1e-6 / abs 1e-9)."""
    try:
        if isinstance(expected, float):
            return (isinstance(got, numbers.Real) and not isinstance(got, bool)
                    and math.isclose(float(got), expected, rel_tol=1e-6, abs_tol=1e-9))
        return isinstance(got, type(expected)) and got == expected
    except (TypeError, ValueError, OverflowError):
        return False


def _agrees(mistake: _Mistake, case: _Case, got: Any) -> bool:
    """Return True when ``got`` is what ``mistake`` produces on ``case``."""
    try:
        return _matches(got, mistake.wrong(*copy.deepcopy(case.args)))
    except Exception:  # a wrong solution may itself fail on an input, e.g. divide by zero
        return False


def _run(exercise: _Exercise, student_fn: Any) -> CheckResult:
    """Return the CheckResult of ``student_fn`` on every case of ``exercise``."""
    name = exercise.name
    if not callable(student_fn):
        return CheckResult(name, False, f"got a {type(student_fn).__name__} ({_show(student_fn)}), "
                           f"not a function: pass the function itself, not its result, e.g. "
                           f"check_{name}(my_function) without parentheses after my_function.")
    answers: list[tuple[_Case, Any]] = []  # (case, returned value) for cases that returned
    failure: tuple[_Case, Any, Any, str] | None = None  # first wrong (case, got, expected, inputs)
    for case in exercise.cases:
        inputs = ", ".join(f"{p}={_show(a)}" for p, a in zip(exercise.params, case.args))
        try:
            got = student_fn(*copy.deepcopy(case.args))
        except NotImplementedError:
            return CheckResult(name, False, _NOT_IMPLEMENTED)
        except (Exception, SystemExit) as error:  # KeyboardInterrupt is left to the kernel
            if failure is None:
                detail = _one_line(f"{type(error).__name__}: {error}".rstrip(": "), 150)
                hint = next((f"; {h}" for t, h in _ERROR_HINTS.items() if isinstance(error, t)), "")
                return CheckResult(name, False, f"your function raised {detail} on input {inputs}{hint}")
            continue  # an earlier wrong answer is reported; its diagnosis skips this case
        answers.append((case, got))
        expected = exercise.reference(*copy.deepcopy(case.args))
        if failure is None and not _matches(got, expected):
            failure = (case, got, expected, inputs)
    if failure is None:
        hidden = sum(not case.shown for case in exercise.cases)
        return CheckResult(name, True, f"{exercise.note} ({len(exercise.cases)} inputs match, "
                           f"{hidden} of them not shown in the notebook)")
    case, got, expected, inputs = failure
    return CheckResult(name, False, f"{_diagnose(exercise, answers, case, got)} "
                       f"Input {inputs}{'' if case.shown else ' (not shown in the notebook)'}: "
                       f"expected {_show(expected)}, got {_show(got)}.")


def _diagnose(exercise: _Exercise, answers: list[tuple[_Case, Any]], case: _Case, got: Any) -> str:
    """Return the most specific hint for the wrong answer ``got`` on ``case``: a mistake that
    explains every answer, a wrong type, a hard-coded answer, a mistake that explains this one."""
    for mistake in exercise.mistakes:
        if all(_agrees(mistake, c, g) for c, g in answers):
            return mistake.hint
    expected = exercise.reference(*copy.deepcopy(case.args))
    if got is None:
        return "your function returned None: did you forget the return statement?"
    if isinstance(expected, float) and (isinstance(got, bool) or not isinstance(got, numbers.Real)):
        return f"return a number (a float), not a {type(got).__name__}."
    if not isinstance(got, type(expected)):
        return f"return a {type(expected).__name__}, not a {type(got).__name__}."
    expected_shown = [exercise.reference(*copy.deepcopy(c.args)) for c in exercise.cases if c.shown]
    if not case.shown and any(_matches(got, e) for e in expected_shown):
        return ("your function gives the notebook example's answer for a different input: compute "
                "the answer from the arguments instead of writing it in.")
    for mistake in exercise.mistakes:
        if _agrees(mistake, case, got):
            return mistake.hint
    return "wrong answer."


# ---------------------------------------------------------------------------------------------
# The exercises: reference solution, inputs (shown in the notebook, then hidden), typical mistakes

_SEED = ["我", "有", "一", "个", "苹", "果", "。", "我", "有", "两", "个", "苹", "果", "。"]
_CATS = "the cat sat . the cat saw a cat and a cat . the".split()


def _cases(shown: list[tuple], hidden: list[tuple]) -> tuple[_Case, ...]:
    return tuple(_Case(args, shown=True) for args in shown) + tuple(_Case(args) for args in hidden)


def _char_tokens(text):
    return [c for c in text if not c.isspace()]


_CHAR_TOKENS = _Exercise(
    "char_tokens", ("text",), _char_tokens, note="one token per character, whitespace dropped",
    cases=_cases([("我有一个苹果",)], [("I have an apple",), ("深度 学习\n很 有趣",),
                                      ("\tGPT-4 写诗。 ",), ("你好\u3000世界",), ("",)]),
    mistakes=(
        _Mistake("text.split() splits on whitespace, giving one token per space-separated chunk; "
                 "Chinese has no spaces, so a whole sentence becomes one token. Make one token "
                 "per character instead.", wrong=str.split),
        _Mistake("your tokens include whitespace: drop spaces, tabs and newlines "
                 "(c.isspace() is True for them).", wrong=list),
        _Mistake("you dropped only the space ' ': also drop tabs, newlines and the full-width "
                 "space U+3000 (test c.isspace()).", wrong=lambda text: [c for c in text if c != " "]),
    ))


def check_char_tokens(fn: Callable[[str], list[str]]) -> CheckResult:
    """Return the CheckResult of ``fn(text)``, which must return the characters of text, no whitespace.

    Formula: ``tokens = [c for c in text if not c.isspace()]``: every Chinese character, Latin
    letter, digit and punctuation mark is one token; spaces, tabs, newlines and the full-width
    space U+3000 are dropped. Notebook example: ``fn("我有一个苹果") == ["我", "有", "一", "个", "苹", "果"]``.
    """
    return _run(_CHAR_TOKENS, fn)


def _pairs(tokens, prev, word):
    return sum(1 for a, b in zip(tokens, tokens[1:]) if a == prev and b == word)


def _bigram_probability(tokens, prev, word):
    contexts = tokens[:-1].count(prev)  # the last token has no successor: it is not a context
    return _pairs(tokens, prev, word) / contexts if contexts else 0.0


_JOINT = ("you divided by the number of bigrams (or tokens): that is the joint probability "
          "P(prev, word). The conditional P(word | prev) divides by how often prev is a context.")
_REVERSED = ("you divided by the count of word: that is P(prev | word), the conditioning "
             "reversed. Divide c(prev, word) by the count of prev.")
_BIGRAM_PROBABILITY = _Exercise(
    "bigram_probability", ("tokens", "prev", "word"), _bigram_probability,
    note="P(word | prev) = c(prev, word) / c(prev as a context)",
    cases=_cases([(_SEED, "有", "一"), (_SEED, "个", "苹")],
                 [(_CATS, "the", "cat"), (_CATS, "cat", "sat"), (_SEED, "。", "我"),
                  (["a", "b", "a", "c", "a"], "a", "b"), (_SEED, "我", "两"), (_SEED, "猫", "我"),
                  (["你", "好"], "好", "你")]),
    mistakes=(
        _Mistake(_JOINT, wrong=lambda t, p, w: _pairs(t, p, w) / (len(t) - 1)),
        _Mistake(_JOINT, wrong=lambda t, p, w: _pairs(t, p, w) / len(t)),
        _Mistake(_REVERSED, wrong=lambda t, p, w: _pairs(t, p, w) / t.count(w)),
        _Mistake(_REVERSED, wrong=lambda t, p, w: _pairs(t, p, w) / t[1:].count(w)),
        _Mistake("you returned the raw count c(prev, word): divide it by the number of times prev "
                 "is a context to get a probability.", wrong=lambda t, p, w: float(_pairs(t, p, w))),
        _Mistake("you counted prev at every position, including the last token; the final token "
                 "has no successor, so it is not a context: count prev in tokens[:-1].",
                 wrong=lambda t, p, w: _pairs(t, p, w) / t.count(p)),
    ))


def check_bigram_probability(fn: Callable[[list[str], str, str], float]) -> CheckResult:
    """Return the CheckResult of ``fn(tokens, prev, word)``, the maximum-likelihood P(word | prev).

    Formula: ``P(word | prev) = c(prev, word) / c(prev)``, where c(prev, word) counts adjacent
    pairs and c(prev) counts prev as the first element of a pair, i.e. in ``tokens[:-1]``.
    Return 0.0 when prev is never a context. Notebook example, with tokens 我 有 一 个 苹 果 。
    我 有 两 个 苹 果 。: P(一 | 有) = 0.5 and P(苹 | 个) = 1.0.
    """
    return _run(_BIGRAM_PROBABILITY, fn)


def _oov_rate(tokens, vocab):
    return sum(token not in vocab for token in tokens) / len(tokens) if tokens else 0.0


_TYPES = ("you counted unique tokens (types); the OOV rate counts occurrences: a token missing "
          "3 times counts 3 times.")
_OOV_RATE = _Exercise(
    "oov_rate", ("tokens", "vocab"), _oov_rate,
    note="OOV rate = share of token occurrences not in vocab",
    cases=_cases([(["the", "cat", "sat", "on", "the", "mat"], {"the", "cat", "on"})],
                 [(list("我有两个苹果，我爱苹果"), {"我", "有", "个", "苹", "果"}),
                  (["zyx", "zyx", "zyx", "the"], {"the"}),
                  (["深度", "学习", "很", "有趣"], {"深度": 0, "学习": 1, "很": 2, "有趣": 3}),
                  (["a", "b"], ["c"]), ([], {"the"})]),
    mistakes=(
        _Mistake(_TYPES, wrong=lambda t, v: len({x for x in t if x not in v}) / len(set(t))),
        _Mistake(_TYPES, wrong=lambda t, v: len({x for x in t if x not in v}) / len(t)),
        _Mistake("return a fraction between 0 and 1, not a percentage.",
                 wrong=lambda t, v: 100 * _oov_rate(t, v)),
        _Mistake("you returned the share of tokens that ARE in vocab (the coverage); the OOV rate "
                 "is the share that is not: 1 - coverage.", wrong=lambda t, v: 1 - _oov_rate(t, v)),
    ))


def check_oov_rate(fn: Callable[[list[str], Any], float]) -> CheckResult:
    """Return the CheckResult of ``fn(tokens, vocab)``, the out-of-vocabulary rate of tokens.

    Formula: ``OOV rate = (number of token occurrences not in vocab) / len(tokens)``, counting
    occurrences, not unique types; 0.0 for an empty token list. vocab is any collection that
    supports ``in`` (a set, a list, or a dict token -> id). Notebook example:
    ``fn(["the", "cat", "sat", "on", "the", "mat"], {"the", "cat", "on"}) == 2 / 6``.
    """
    return _run(_OOV_RATE, fn)


def _add_k_bigram(bigram_counts, unigram_counts, prev, word, k, vocab_size):
    return ((bigram_counts.get((prev, word), 0) + k)
            / (unigram_counts.get(prev, 0) + k * vocab_size))


_SEED_COUNTS = (dict(Counter(zip(_SEED, _SEED[1:]))), dict(Counter(_SEED[:-1])))  # V = 8 types
_CAT_COUNTS = ({("the", "cat"): 3, ("the", "dog"): 1, ("cat", "sat"): 2}, {"the": 4, "cat": 2})
_ADD_K_BIGRAM = _Exercise(
    "add_k_bigram", ("bigram_counts", "unigram_counts", "prev", "word", "k", "vocab_size"),
    _add_k_bigram, note="P(word | prev) = (c(prev, word) + k) / (c(prev) + k * V)",
    cases=_cases([(*_SEED_COUNTS, "有", "一", 1.0, 8)],
                 [(*_SEED_COUNTS, "有", "两", 0.5, 8), (*_SEED_COUNTS, "我", "果", 1, 8),
                  (*_CAT_COUNTS, "the", "cat", 0.1, 5), (*_CAT_COUNTS, "the", "cat", 0.0, 5),
                  (*_SEED_COUNTS, "猫", "我", 1.0, 8)]),
    mistakes=(
        _Mistake("your denominator lacks k * vocab_size: k is added to every one of the "
                 "vocab_size possible next words, so without it the probabilities over the "
                 "vocabulary would sum to more than 1.",
                 wrong=lambda b, u, p, w, k, v: (b.get((p, w), 0) + k) / u.get(p, 0)),
        _Mistake("add k once per word of the vocabulary: the denominator is c(prev) + k * "
                 "vocab_size, not c(prev) + k.",
                 wrong=lambda b, u, p, w, k, v: (b.get((p, w), 0) + k) / (u.get(p, 0) + k)),
        _Mistake("add k to the numerator too, (c(prev, word) + k); without it an unseen bigram "
                 "still gets probability 0.",
                 wrong=lambda b, u, p, w, k, v: b.get((p, w), 0) / (u.get(p, 0) + k * v)),
    ))


def check_add_k_bigram(fn: Callable[..., float]) -> CheckResult:
    """Return the CheckResult of ``fn(bigram_counts, unigram_counts, prev, word, k, vocab_size)``.

    The function returns the add-k smoothed probability ``P(word | prev) = (c(prev, word) + k) /
    (c(prev) + k * V)`` with c(prev, word) = ``bigram_counts[(prev, word)]``, c(prev) =
    ``unigram_counts[prev]`` (prev's count as a context), V = ``vocab_size``; a missing key
    counts 0. Notebook example, with the counts of 我 有 一 个 苹 果 。 我 有 两 个 苹 果 。 (V = 8):
    P(一 | 有) with k = 1 is (1 + 1) / (2 + 8) = 0.2.
    """
    return _run(_ADD_K_BIGRAM, fn)


def _mean_log(probs):
    return sum(math.log(p) for p in probs) / len(probs)


def _perplexity(probs):
    return math.exp(-_mean_log(probs))


_BASES = ("you mixed logarithm bases: the power must undo the log you used, e.g. "
          "exp(-mean(ln p)) or 2 ** (-mean(log2 p)).")
_PERPLEXITY = _Exercise(
    "perplexity", ("probs",), _perplexity, note="perplexity = exp(-mean(log p))",
    cases=_cases([([0.5, 0.25, 0.125],)], [([0.1] * 10,), ([0.9, 0.05, 0.6, 0.3, 0.01],),
                                          ([1.0],), ([0.2],), ([(i % 7 + 1) / 10 for i in range(50)],)]),
    mistakes=(
        _Mistake("you forgot the minus sign: exp(mean(log p)) is below 1 (it is 1 / perplexity); "
                 "perplexity = exp(-mean(log p)) is at least 1.",
                 wrong=lambda probs: math.exp(_mean_log(probs))),
        _Mistake("you used the sum of the log-probabilities, not their mean: perplexity must not "
                 "grow with the length of the text, so divide by N.",
                 wrong=lambda probs: math.exp(-_mean_log(probs) * len(probs))),
        _Mistake(_BASES, wrong=lambda probs: 2 ** -_mean_log(probs)),
        _Mistake(_BASES, wrong=lambda probs: 10 ** -_mean_log(probs)),
        _Mistake(_BASES, wrong=lambda probs: math.exp(-_mean_log(probs) / math.log(2))),
        _Mistake("that is the cross-entropy -mean(log p); perplexity is exp of it.",
                 wrong=lambda probs: -_mean_log(probs)),
    ))


def check_perplexity(fn: Callable[[list[float]], float]) -> CheckResult:
    """Return the CheckResult of ``fn(probs)``, the perplexity of per-token probabilities.

    Formula: ``perplexity = exp(-(1/N) * sum(log p_i))``, which equals ``prod(p_i) ** (-1/N)``;
    probs is a non-empty list of the probabilities the model gave to each of the N tokens.
    Notebook example: ``fn([0.5, 0.25, 0.125]) == 4.0``.
    """
    return _run(_PERPLEXITY, fn)


# ---------------------------------------------------------------------------------------------
# Notebooks 03 and 04: recurrent networks. The learner's functions return NumPy arrays, which
# `==` cannot compare, so each answer is wrapped in an _ArrayAnswer that compares with
# np.allclose (rel 1e-6, abs 1e-9); a pair or list of arrays becomes a tuple of them.


class _ArrayAnswer:
    """A NumPy array answer that compares with tolerance and shows itself rounded."""

    def __init__(self, array):
        self.array = array

    @staticmethod
    def of(value: Any) -> Any:
        """Return ``value`` with arrays wrapped (lists/tuples of them as a tuple); other values as is."""
        import numpy as np

        if isinstance(value, (list, tuple)):
            return tuple(_ArrayAnswer.of(v) for v in value)
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
            return _ArrayAnswer(np.asarray(value, dtype=np.float64))
        return value

    def __eq__(self, other: object) -> bool:
        import numpy as np

        return (isinstance(other, _ArrayAnswer) and self.array.shape == other.array.shape
                and bool(np.allclose(self.array, other.array, rtol=1e-6, atol=1e-9)))

    __hash__ = None  # mutable contents: not hashable

    def __repr__(self) -> str:
        import numpy as np

        return "array(" + np.array2string(self.array, precision=4, separator=", ",
                                          suppress_small=True) + ")"


def _run_arrays(exercise: _Exercise, student_fn: Any) -> CheckResult:
    """Return the CheckResult of ``student_fn``, comparing its array answers with tolerance."""
    if not callable(student_fn):
        return _run(exercise, student_fn)  # the runner's "pass the function itself" message
    return _run(exercise, lambda *args: _ArrayAnswer.of(student_fn(*args)))


def _arrays_exercise(name, params, reference, cases, mistakes, note):
    """Return an _Exercise whose reference and mistakes return wrapped arrays."""
    wrap = lambda fn: (lambda *args: _ArrayAnswer.of(fn(*args)))  # noqa: E731
    return _Exercise(name, params, wrap(reference), cases,
                     tuple(_Mistake(m.hint, wrap(m.wrong)) for m in mistakes), note)


def _rnn_case(seed, batch, input_size, hidden, scale=1.0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(size=(batch, input_size)), rng.normal(size=(batch, hidden)),
            rng.normal(0, scale, (input_size, hidden)), rng.normal(0, scale, (hidden, hidden)),
            rng.normal(size=hidden))


def _rnn_step(x_t, h_prev, W, U, b):
    import numpy as np

    return np.tanh(x_t @ W + h_prev @ U + b)


def _shown_rnn_case():
    import numpy as np

    return (np.array([[1.0, 2.0]]), np.array([[0.5, -0.5]]), np.array([[0.1, 0.2], [0.3, -0.1]]),
            np.array([[0.5, 0.0], [0.0, 0.5]]), np.array([0.0, 0.1]))


def _rnn_step_exercise():
    import numpy as np

    return _arrays_exercise(
        "rnn_step", ("x_t", "h_prev", "W", "U", "b"), _rnn_step,
        note="h_t = tanh(x_t W + h_prev U + b)",
        cases=_cases([_shown_rnn_case()],
                     [_rnn_case(1, 3, 4, 5), _rnn_case(2, 1, 3, 3), _rnn_case(3, 4, 2, 6, 0.3),
                      _rnn_case(4, 2, 5, 5, 2.0)]),
        mistakes=(
            _Mistake("you forgot the tanh: h_t = tanh(x_t W + h_prev U + b); without it the state "
                     "is not squashed into (-1, 1).", lambda x, h, W, U, b: x @ W + h @ U + b),
            _Mistake("the RNN state uses tanh, not the sigmoid (the sigmoid is for LSTM gates).",
                     lambda x, h, W, U, b: 1 / (1 + np.exp(-(x @ W + h @ U + b)))),
            _Mistake("you left out the bias b.", lambda x, h, W, U, b: np.tanh(x @ W + h @ U)),
            _Mistake("you left out the previous state: the term h_prev U is what makes the network "
                     "recurrent.", lambda x, h, W, U, b: np.tanh(x @ W + b)),
            _Mistake("you multiplied by U transposed: with row vectors (batch, hidden) the product "
                     "is h_prev @ U, as Keras stores recurrent_kernel.",
                     lambda x, h, W, U, b: np.tanh(x @ W + h @ U.T + b)),
        ))


def check_rnn_step(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(x_t, h_prev, W, U, b)``, one step of a vanilla RNN.

    Formula: ``h_t = tanh(x_t W + h_prev U + b)`` with x_t (batch, input_size), h_prev (batch,
    hidden), W (input_size, hidden), U (hidden, hidden), b (hidden,); returns (batch, hidden).
    Arrays are compared with rel 1e-6 / abs 1e-9. Notebook example: x_t = [[1, 2]],
    h_prev = [[0.5, -0.5]], W = [[0.1, 0.2], [0.3, -0.1]], U = 0.5 I, b = [0, 0.1] gives
    tanh([[0.95, -0.15]]).
    """
    return _run_arrays(_rnn_step_exercise(), fn)


def _clip(grads, max_norm):
    import numpy as np

    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * min(1.0, max_norm / norm) if norm > 0 else g for g in grads]


def _grads_case(seed, shapes, size, max_norm):
    import numpy as np

    rng = np.random.default_rng(seed)
    return ([rng.normal(0, size, shape) for shape in shapes], max_norm)


def _clip_exercise():
    import numpy as np

    return _arrays_exercise(
        "clip_by_global_norm", ("grads", "max_norm"), _clip,
        note="g ← g · min(1, max_norm / ‖g‖) with one global norm over all arrays",
        cases=_cases([([np.array([3.0, 0.0]), np.array([[0.0, 4.0]])], 1.0)],
                     [_grads_case(1, [(3, 4), (4,)], 10.0, 5.0), _grads_case(2, [(2, 2), (2,)], 0.1, 5.0),
                      _grads_case(3, [(5,), (2, 3), (3,)], 1.0, 2.0), ([np.array([0.3, 0.4])], 0.5),
                      ([np.array([6.0, 8.0]), np.array([-1.0])], 2.0)]),
        mistakes=(
            _Mistake("you clipped each array by its own norm: global-norm clipping computes one "
                     "norm over all arrays, sqrt(sum of every squared entry), so all gradients "
                     "shrink by the same factor and the update keeps its direction.",
                     lambda gs, c: [g * min(1.0, c / np.linalg.norm(g)) for g in gs]),
            _Mistake("you rescaled gradients that were already small: only scale when the norm "
                     "exceeds max_norm, i.e. multiply by min(1, max_norm / norm).",
                     lambda gs, c: [g * c / np.sqrt(sum(np.sum(x ** 2) for x in gs)) for g in gs]),
            _Mistake("you clipped each entry to [-max_norm, max_norm] (np.clip): that changes the "
                     "direction of the update; scale all arrays by one factor instead.",
                     lambda gs, c: [np.clip(g, -c, c) for g in gs]),
            _Mistake("the global norm is sqrt(sum of all squared entries), not the sum of the "
                     "arrays' norms.",
                     lambda gs, c: [g * min(1.0, c / sum(np.linalg.norm(x) for x in gs)) for g in gs]),
            _Mistake("you forgot the square root: the global norm is sqrt(sum of squares).",
                     lambda gs, c: [g * min(1.0, c / sum(np.sum(x ** 2) for x in gs)) for g in gs]),
        ))


def check_clip_by_global_norm(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(grads, max_norm)``: grads (a list of arrays) clipped together.

    Formula: ``norm = sqrt(sum over all arrays of sum(g ** 2))``; every g becomes
    ``g * min(1, max_norm / norm)``. Returns a list of arrays of the same shapes. Notebook
    example: ``fn([array([3., 0.]), array([[0., 4.]])], 1.0)`` gives ``[array([0.6, 0.]),
    array([[0., 0.8]])]`` (the global norm is 5).
    """
    return _run_arrays(_clip_exercise(), fn)


def _sigmoid(z):
    import numpy as np

    return 1 / (1 + np.exp(-z))


def _lstm_step(x_t, h_prev, c_prev, W, U, b, order="ifco", cell_tanh=True, gate=None):
    import numpy as np

    gate = gate or _sigmoid
    z = x_t @ W + h_prev @ U + b
    blocks = dict(zip(order, np.split(z, 4, axis=1)))
    c = gate(blocks["f"]) * c_prev + gate(blocks["i"]) * np.tanh(blocks["c"])
    return gate(blocks["o"]) * (np.tanh(c) if cell_tanh else c), c


def _lstm_case(seed, batch, input_size, hidden):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(size=(batch, input_size)), rng.normal(size=(batch, hidden)),
            rng.normal(size=(batch, hidden)), rng.normal(size=(input_size, 4 * hidden)),
            rng.normal(size=(hidden, 4 * hidden)), rng.normal(size=4 * hidden))


def _lstm_exercise():
    import numpy as np

    return _arrays_exercise(
        "lstm_step", ("x_t", "h_prev", "c_prev", "W", "U", "b"), _lstm_step,
        note="gates i, f, c̃, o from z = x_t W + h_prev U + b; c_t = f c + i c̃; h_t = o tanh(c_t)",
        cases=_cases([_lstm_case(0, 1, 2, 2)],
                     [_lstm_case(1, 3, 4, 5), _lstm_case(2, 2, 3, 1), _lstm_case(3, 4, 6, 3)]),
        mistakes=(
            _Mistake("the gates are in the wrong order: Keras stores the blocks of z as i, f, c, o "
                     "(input gate, forget gate, candidate, output gate).",
                     lambda *a: _lstm_step(*a, order="ifoc")),
            _Mistake("the gates are in the wrong order: Keras stores the blocks of z as i, f, c, o "
                     "(input gate, forget gate, candidate, output gate).",
                     lambda *a: _lstm_step(*a, order="fico")),
            _Mistake("h_t = o_t ⊙ tanh(c_t): you forgot the tanh on the cell state.",
                     lambda *a: _lstm_step(*a, cell_tanh=False)),
            _Mistake("the gates i, f, o use the sigmoid (values in 0..1, how much to let through); "
                     "only the candidate c̃ uses tanh.", lambda *a: _lstm_step(*a, gate=np.tanh)),
            _Mistake("return the pair (h_t, c_t) in that order: hidden state first, cell state second.",
                     lambda *a: _lstm_step(*a)[::-1]),
        ))


def check_lstm_step(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(x_t, h_prev, c_prev, W, U, b)`` -> (h_t, c_t), one LSTM step.

    Formula, with z = x_t W + h_prev U + b cut into four blocks in Keras's order i, f, c, o:
    ``i = σ(z_i), f = σ(z_f), c̃ = tanh(z_c), o = σ(z_o); c_t = f ⊙ c_prev + i ⊙ c̃;
    h_t = o ⊙ tanh(c_t)``. W is (input_size, 4 hidden), U (hidden, 4 hidden), b (4 hidden,).
    """
    return _run_arrays(_lstm_exercise(), fn)


# ---------------------------------------------------------------------------------------------
# Notebooks 05 and 06: losses, optimizers, regularization (answers are NumPy arrays, compared
# with _ArrayAnswer's tolerance). -inf compares equal to -inf, so a log-probability that
# underflowed is recognised as the mistake that produced it.


def _log_softmax(logits):
    import numpy as np

    z = np.asarray(logits, dtype=np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _log_softmax_exercise():
    import numpy as np

    def naive(z):
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            return np.log(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True))

    def log_of_softmax(z):
        with np.errstate(divide="ignore"):
            return np.log(np.exp(_log_softmax(z)))

    def no_shift(z):
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))

    def whole_array(z):
        shifted = z - z.max()
        return shifted - np.log(np.exp(shifted).sum())

    rng = np.random.default_rng(5)
    return _arrays_exercise(
        "log_softmax", ("logits",), _log_softmax,
        note="log softmax(z) = (z − max z) − log Σ exp(z − max z), finite for any logits",
        cases=_cases([(np.array([2.0, 1.0, 0.1]),)],
                     [(np.array([0.0, -800.0, 3.0]),), (np.array([1000.0, 0.0, -5.0]),),
                      (rng.normal(size=(4, 6)),), (np.array([[1e4, -1e4, 0.0], [0.5, 0.5, 0.5]]),),
                      (np.array([-3.0, 7.0]),)]),
        mistakes=(
            _Mistake("exp(z) overflows to inf for large logits (nan follows) and underflows to 0 "
                     "for very negative ones (log 0 = -inf): subtract max(z) first and compute "
                     "(z - max) - log(sum(exp(z - max))) without taking the log of a probability.",
                     naive),
            _Mistake("you took the log of the (stable) softmax: a probability that underflows to 0 "
                     "gives log 0 = -inf. Compute (z - max) - log(sum(exp(z - max))) directly.",
                     log_of_softmax),
            _Mistake("z - log(sum(exp(z))) is right on paper, but exp(z) overflows to inf for large "
                     "logits: subtract m = max(z) inside, (z - m) - log(sum(exp(z - m))).", no_shift),
            _Mistake("you returned the probabilities (softmax), not their logarithm.",
                     lambda z: np.exp(_log_softmax(z))),
            _Mistake("for a batch (2-D logits), take the max and the sum along the last axis "
                     "(axis=-1, keepdims=True): each row is its own distribution.", whole_array),
        ))


def check_log_softmax(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(logits)``, the stable log-softmax along the last axis.

    Formula: ``log softmax(z)_i = (z_i − max z) − log Σ_j exp(z_j − max z)``; logits may be 1-D or
    2-D (a batch of rows) and reach ±1e4. Notebook example: ``fn(np.array([2.0, 1.0, 0.1]))`` ≈
    [-0.417, -1.417, -2.317].
    """
    return _run_arrays(_log_softmax_exercise(), fn)


def _adam_step(theta, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    import numpy as np

    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad ** 2
    m_hat, v_hat = m / (1 - beta_1 ** t), v / (1 - beta_2 ** t)
    return theta - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _adam_case(seed, size, t, lr=0.01, b1=0.9, b2=0.999, eps=1e-8, scale=1.0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(size=size), scale * rng.normal(size=size), 0.1 * scale * rng.normal(size=size),
            (0.1 * scale * rng.normal(size=size)) ** 2, t, lr, b1, b2, eps)


def _adam_exercise():
    import numpy as np

    def variant(m_corr=True, v_corr=True, use_v=True, square=True, sqrt=True, keep_v=False):
        def step(theta, grad, m, v, t, lr, b1, b2, eps):
            v_old = v
            m = b1 * m + (1 - b1) * grad
            v = b2 * v + (1 - b2) * (grad ** 2 if square else grad)
            m_hat = m / (1 - b1 ** t) if m_corr else m
            v_hat = v / (1 - b2 ** t) if v_corr else v
            if not use_v:
                return theta - lr * m_hat, m, v_old if keep_v else v
            with np.errstate(invalid="ignore"):
                return theta - lr * m_hat / ((np.sqrt(v_hat) if sqrt else v_hat) + eps), m, v
        return step

    seed_hint = ("the source article's Adam: no second moment. Keep v = beta_2 v + (1 - beta_2) "
                 "grad**2 and divide m̂ by √v̂ + ε; without v the step grows with the size of the "
                 "gradient (no scale invariance).")

    shown = (np.array([1.0, -2.0]), np.array([0.5, -0.1]), np.zeros(2), np.zeros(2), 1, 0.1, 0.9, 0.999, 1e-8)
    return _arrays_exercise(
        "adam_step", ("theta", "grad", "m", "v", "t", "learning_rate", "beta_1", "beta_2", "epsilon"),
        _adam_step, note="m, v updated; θ − α m̂ / (√v̂ + ε) with m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t)",
        cases=_cases([shown], [_adam_case(1, 2, 1), _adam_case(2, 3, 5), _adam_case(3, (2, 2), 50, 0.001),
                               _adam_case(4, 4, 2, 0.1, 0.8, 0.99, 1e-6, scale=100.0),
                               _adam_case(5, 3, 1000, scale=0.01)]),
        mistakes=(
            _Mistake(seed_hint, variant(use_v=False)),
            _Mistake(seed_hint, variant(use_v=False, keep_v=True)),
            _Mistake("you skipped the bias correction: early on m and v are biased towards their "
                     "zero start; use m̂ = m / (1 - beta_1**t) and v̂ = v / (1 - beta_2**t).",
                     variant(m_corr=False, v_corr=False)),
            _Mistake("you corrected m but not v: v̂ = v / (1 - beta_2**t) too.", variant(v_corr=False)),
            _Mistake("v averages the *squared* gradient: v = beta_2 v + (1 - beta_2) grad**2.",
                     variant(square=False)),
            _Mistake("divide by the square root of v̂: sqrt(v̂) + epsilon.", variant(sqrt=False)),
        ))


def check_adam_step(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(theta, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon)``.

    The function returns ``(theta_new, m_new, v_new)`` for Adam step t (1 for the first step):
    ``m = β1 m + (1 − β1) g; v = β2 v + (1 − β2) g²; m̂ = m / (1 − β1^t); v̂ = v / (1 − β2^t);
    θ_new = θ − α m̂ / (√v̂ + ε)``. Notebook example: θ = [1, −2], g = [0.5, −0.1], m = v = 0,
    t = 1, α = 0.1 moves each parameter by 0.1 against the sign of its gradient.
    """
    return _run_arrays(_adam_exercise(), fn)


def _dropout_forward(h, mask, rate, training):
    return h * mask / (1 - rate) if training else h


def _dropout_case(seed, shape, rate, training):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.uniform(-2, 2, size=shape), (rng.random(shape) >= rate).astype(float), rate, training)


def _dropout_exercise():
    import numpy as np

    shown = (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 1.0, 1.0]), 0.5, True)
    return _arrays_exercise(
        "dropout_forward", ("h", "mask", "rate", "training"), _dropout_forward,
        note="training: h ⊙ mask / (1 − rate); inference: h unchanged",
        cases=_cases([shown], [_dropout_case(1, 4, 0.5, True), _dropout_case(2, (3, 5), 0.2, True),
                               _dropout_case(3, (2, 3), 0.3, False), _dropout_case(4, 6, 0.75, True),
                               _dropout_case(5, 4, 0.5, False)]),
        mistakes=(
            _Mistake("the source article's θ / (1 - p): you rescaled without the mask. Dropout "
                     "multiplies by the random 0/1 mask and then divides by 1 - rate.",
                     lambda h, mask, p, tr: h / (1 - p) if tr else h),
            _Mistake("you forgot to rescale the survivors: divide by 1 - rate so that the expected "
                     "activation stays h (inverted dropout).",
                     lambda h, mask, p, tr: h * mask if tr else h),
            _Mistake("divide by the keep probability 1 - rate, do not multiply by it (that is the "
                     "old, non-inverted dropout, which rescales at inference instead).",
                     lambda h, mask, p, tr: h * mask * (1 - p) if tr else h),
            _Mistake("at inference (training=False) dropout does nothing: return h unchanged.",
                     lambda h, mask, p, tr: h * mask / (1 - p)),
            _Mistake("at inference (training=False) return h unchanged: inverted dropout already "
                     "rescaled during training, so nothing is scaled at inference.",
                     lambda h, mask, p, tr: h * mask / (1 - p) if tr else h * (1 - p)),
        ))


def check_dropout_forward(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(h, mask, rate, training)``, inverted dropout with a given mask.

    Formula: training ``h̃ = mask ⊙ h / (1 − rate)`` (mask holds 0/1 draws, 1 with probability
    1 − rate); inference ``h̃ = h``. Notebook example: h = [1, 2, 3, 4], mask = [1, 0, 1, 1],
    rate = 0.5, training=True gives [2, 0, 6, 8].
    """
    return _run_arrays(_dropout_exercise(), fn)


def _l2_exercise():
    import numpy as np

    rng = np.random.default_rng(6)
    shown = (np.array([[1.0, -2.0], [0.5, 0.0]]), 0.1)
    return _arrays_exercise(
        "l2_grad", ("weights", "strength"), lambda w, lam: 2 * lam * w,
        note="∂(λ Σ w²)/∂w = 2 λ w",
        cases=_cases([shown], [(rng.normal(size=(2, 2)), 0.01), (rng.normal(size=5), 0.5),
                               (rng.normal(size=(3, 4)), 1e-4), (np.zeros(3), 0.3)]),
        mistakes=(
            _Mistake("you dropped the factor 2: the derivative of λ w² is 2 λ w (λ w is the "
                     "gradient of (λ/2) Σ w², a different convention from Keras's L2(λ)).",
                     lambda w, lam: lam * w),
            _Mistake("you returned the penalty λ Σ w² itself; the exercise asks for its gradient, "
                     "an array with the shape of weights.", lambda w, lam: lam * float(np.sum(w ** 2))),
            _Mistake("wrong sign: the gradient of the penalty points away from 0 (2 λ w); the "
                     "optimizer subtracts it, which pulls the weights towards 0.",
                     lambda w, lam: -2 * lam * w),
            _Mistake("that is the L1 gradient λ sign(w); L2's gradient is proportional to w: 2 λ w.",
                     lambda w, lam: lam * np.sign(w)),
        ))


def check_l2_grad(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(weights, strength)``, the gradient of the L2 penalty.

    Formula: penalty ``λ Σ w²`` (as keras.regularizers.L2(λ)), gradient ``2 λ w``, an array shaped
    like weights. Notebook example: w = [[1, −2], [0.5, 0]], λ = 0.1 gives [[0.2, −0.4], [0.1, 0]].
    """
    return _run_arrays(_l2_exercise(), fn)


# ---------------------------------------------------------------------------------------------
# Notebook 02: word embeddings. cosine_similarity returns a float; sgns_loss a float and
# sgns_grad_center an array (compared with tolerance); three_cos_add a word.


def _cosine(a, b):
    import numpy as np

    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def _vec_case(seed, size, scale=1.0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(0, scale, size), rng.normal(0, scale, size))


def _cosine_exercise():
    import numpy as np

    shown = (np.array([1.0, 2.0, 0.0]), np.array([2.0, 1.0, 1.0]))
    return _Exercise(
        "cosine_similarity", ("a", "b"), _cosine, note="cos(a, b) = a·b / (‖a‖ ‖b‖)",
        cases=_cases([shown], [_vec_case(1, 4), _vec_case(2, 10, 5.0), _vec_case(3, 2, 0.1),
                               (np.array([3.0, 0.0]), np.array([-1.0, 0.0])), _vec_case(4, 50)]),
        mistakes=(
            _Mistake("you returned the dot product a·b; divide it by both lengths ‖a‖ ‖b‖ so that "
                     "long vectors (frequent words) do not win.", lambda a, b: float(a @ b)),
            _Mistake("divide by both lengths, ‖a‖ times ‖b‖, not only by ‖a‖.",
                     lambda a, b: float(a @ b / np.linalg.norm(a))),
            _Mistake("you returned the cosine distance 1 − cos; the exercise asks for the "
                     "similarity cos(a, b).", lambda a, b: 1 - _cosine(a, b)),
            _Mistake("that is the Euclidean distance ‖a − b‖, not the cosine.",
                     lambda a, b: float(np.linalg.norm(a - b))),
            _Mistake("the denominator is ‖a‖ ‖b‖ (square roots of a·a and b·b), not a·a times b·b.",
                     lambda a, b: float(a @ b / ((a @ a) * (b @ b)))),
        ))


def check_cosine_similarity(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(a, b)``, the cosine similarity of two vectors (a float).

    Formula: ``cos(a, b) = a·b / (‖a‖ ‖b‖)``, between −1 and 1. Notebook example:
    a = [1, 2, 0], b = [2, 1, 1] gives 4 / (√5 √6) ≈ 0.7303.
    """
    return _run(_cosine_exercise(), fn)


def _log_sigmoid(x):
    import numpy as np

    return -np.logaddexp(0.0, -x)


def _sgns_loss(v_c, u_o, u_neg):
    import numpy as np

    return float(-_log_sigmoid(u_o @ v_c) - np.sum(_log_sigmoid(-(u_neg @ v_c))))


def _sgns_case(seed, dim, k, scale=0.5):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(0, scale, dim), rng.normal(0, scale, dim), rng.normal(0, scale, (k, dim)))


def _shown_sgns_case():
    import numpy as np

    return (np.array([0.5, -1.0]), np.array([1.0, 2.0]), np.array([[0.3, 0.1], [-2.0, 1.0]]))


_SGNS_CASES = (_shown_sgns_case(),)


def _sgns_loss_exercise():
    import numpy as np

    return _Exercise(
        "sgns_loss", ("v_c", "u_o", "u_neg"), _sgns_loss,
        note="L = −log σ(u_o·v_c) − Σ_k log σ(−u_{n_k}·v_c)",
        cases=_cases([_shown_sgns_case()], [_sgns_case(1, 3, 2), _sgns_case(2, 5, 5),
                                           _sgns_case(3, 4, 1, 2.0), _sgns_case(4, 8, 10, 0.1)]),
        mistakes=(
            _Mistake("a negative word's score enters with a minus sign: −log σ(−u_n·v_c), which is "
                     "small when u_n·v_c is very negative (the model rejects the noise word).",
                     lambda v, u, n: float(-np.log(_sigmoid(u @ v)) - np.sum(np.log(_sigmoid(n @ v))))),
            _Mistake("you returned the log-likelihood log σ(u_o·v_c) + Σ log σ(−u_n·v_c); the loss "
                     "is its negative, so that training minimises it.",
                     lambda v, u, n: -_sgns_loss(v, u, n)),
            _Mistake("you left out the negative words: add − Σ_k log σ(−u_{n_k}·v_c); without them "
                     "every vector could grow until σ = 1.",
                     lambda v, u, n: float(-np.log(_sigmoid(u @ v)))),
            _Mistake("take the logarithm of the sigmoids: L = −log σ(u_o·v_c) − Σ log σ(−u_n·v_c).",
                     lambda v, u, n: float(-_sigmoid(u @ v) - np.sum(_sigmoid(-(n @ v))))),
            _Mistake("the negatives are summed, not averaged: − Σ_k log σ(−u_{n_k}·v_c).",
                     lambda v, u, n: float(-np.log(_sigmoid(u @ v)) - np.mean(np.log(_sigmoid(-(n @ v)))))),
        ))


def check_sgns_loss(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(v_c, u_o, u_neg)``, the SGNS loss of one (centre, context) pair.

    Formula: ``L = −log σ(u_o·v_c) − Σ_k log σ(−u_{n_k}·v_c)`` with v_c the centre vector (D,),
    u_o the context vector (D,), u_neg the K negative context vectors (K, D). Notebook example:
    v_c = [0.5, −1], u_o = [1, 2], u_neg = [[0.3, 0.1], [−2, 1]].
    """
    return _run(_sgns_loss_exercise(), fn)


def _sgns_grad_center(v_c, u_o, u_neg):
    return (_sigmoid(u_o @ v_c) - 1) * u_o + _sigmoid(u_neg @ v_c) @ u_neg


def _sgns_grad_exercise():
    return _arrays_exercise(
        "sgns_grad_center", ("v_c", "u_o", "u_neg"), _sgns_grad_center,
        note="∂L/∂v_c = (σ(u_o·v_c) − 1) u_o + Σ_k σ(u_{n_k}·v_c) u_{n_k}",
        cases=_cases([_shown_sgns_case()], [_sgns_case(1, 3, 2), _sgns_case(2, 5, 5),
                                           _sgns_case(3, 4, 1, 2.0), _sgns_case(4, 8, 10, 0.1)]),
        mistakes=(
            _Mistake("the context word's coefficient is σ(u_o·v_c) − 1 (negative: the step pulls "
                     "v_c towards u_o), not σ(u_o·v_c).",
                     lambda v, u, n: _sigmoid(u @ v) * u + _sigmoid(n @ v) @ n),
            _Mistake("you returned the gradient of the log-likelihood (the sign is flipped); the "
                     "gradient of the loss L is its negative.",
                     lambda v, u, n: -_sgns_grad_center(v, u, n)),
            _Mistake("you left out the negative words' term + Σ_k σ(u_{n_k}·v_c) u_{n_k}.",
                     lambda v, u, n: (_sigmoid(u @ v) - 1) * u),
            _Mistake("a negative word's coefficient is σ(u_n·v_c), not σ(u_n·v_c) − 1.",
                     lambda v, u, n: (_sigmoid(u @ v) - 1) * u + (_sigmoid(n @ v) - 1) @ n),
        ))


def check_sgns_grad_center(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(v_c, u_o, u_neg)``, the gradient of the SGNS loss for v_c.

    Formula: ``∂L/∂v_c = (σ(u_o·v_c) − 1) u_o + Σ_k σ(u_{n_k}·v_c) u_{n_k}``, an array (D,).
    Notebook example: the pair of check_sgns_loss.
    """
    return _run_arrays(_sgns_grad_exercise(), fn)


def _three_cos_add(words, vectors, a, b, c):
    import numpy as np

    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    scores = unit @ (unit[index[b]] - unit[index[a]] + unit[index[c]])
    for w in (a, b, c):
        scores[index[w]] = -np.inf
    return words[int(np.argmax(scores))]


def _analogy_case(seed, size, dim, d_noise=0.3, long_word=None):
    """Random words w0..; w3 is the answer to w0 : w1 :: w2 : ?, at cosine ≈ 1/√(1 + d_noise²)
    to b̂ − â + ĉ; ``long_word`` is a long vector at cosine ≈ 0.4 (raw dot products pick it)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(size)]
    vectors = rng.normal(size=(size, dim)) / np.sqrt(dim)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    target = unit[1] - unit[0] + unit[2]
    target /= np.linalg.norm(target)
    vectors[3] = target + d_noise * rng.normal(size=dim) / np.sqrt(dim)
    if long_word is not None:
        vectors[long_word] = 40 * (0.4 * target + 0.9 * rng.normal(size=dim) / np.sqrt(dim))
    return (words, vectors, "w0", "w1", "w2")


def _shown_analogy_case():
    import numpy as np

    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.array([[1.0, 0.0, 0.2], [1.0, 1.0, 0.1], [3.0, 0.1, 1.0], [3.0, 1.0, 1.0],
                        [0.0, 0.2, -1.0]])
    return (words, vectors, "man", "woman", "king")


def _three_cos_add_exercise():
    import numpy as np

    def raw_dot(words, vectors, a, b, c):
        index = {w: i for i, w in enumerate(words)}
        scores = vectors @ (vectors[index[b]] - vectors[index[a]] + vectors[index[c]])
        for w in (a, b, c):
            scores[index[w]] = -np.inf
        return words[int(np.argmax(scores))]

    def no_exclusion(words, vectors, a, b, c):
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        index = {w: i for i, w in enumerate(words)}
        return words[int(np.argmax(unit @ (unit[index[b]] - unit[index[a]] + unit[index[c]])))]

    return _Exercise(
        "three_cos_add", ("words", "vectors", "a", "b", "c"), _three_cos_add,
        note="d = argmax over x ∉ {a, b, c} of cos(x, b − a + c) on unit vectors",
        cases=_cases([_shown_analogy_case()],
                     [_analogy_case(1, 30, 32, long_word=5), _analogy_case(2, 50, 64, 1.5),
                      _analogy_case(3, 20, 48, 1.5, long_word=7), _analogy_case(4, 40, 64),
                      _analogy_case(5, 60, 100, 1.2, long_word=9)]),
        mistakes=(
            _Mistake("exclude the question words a, b and c from the answers: b − a + c is usually "
                     "closest to b or c itself.", no_exclusion),
            _Mistake("normalise the vectors to length 1 first (3CosAdd uses cosines); with raw dot "
                     "products a long vector wins whatever its direction.", raw_dot),
            _Mistake("the offset is b − a + c (woman − man + king), not a − b + c.",
                     lambda words, vectors, a, b, c: _three_cos_add(words, vectors, b, a, c)),
        ))


def check_three_cos_add(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(words, vectors, a, b, c)``, the 3CosAdd answer to a:b :: c:?.

    Formula: with unit vectors x̂, ``d = argmax_{x ∉ {a, b, c}} x̂ · (b̂ − â + ĉ)``; words is a list
    of V words, vectors a (V, D) array (row i for words[i]); return the word. Notebook example:
    man : woman :: king : ? on five words gives "queen".
    """
    return _run(_three_cos_add_exercise(), fn)
