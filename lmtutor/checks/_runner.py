"""The runner behind every exercise check: cases, typical mistakes, the result line.

An exercise is a reference solution, inputs (those the notebook shows first) and typical wrong
solutions; :func:`_run` calls the learner's function on a copy of each input (NumPy's floating-point
warnings silenced and Python warnings caught, so only the result shows), fails it if it changed
the copy (compared with the input afterwards), and diagnoses a wrong answer.
"""

from __future__ import annotations

import contextlib
import copy
import math
import numbers
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Callable

from lmtutor.checks._result import CheckFailed, CheckResult, _one_line, _result, _show, _Value, graded

CALL_SECONDS = 10  # a learner's function that runs longer on one input is stopped (an endless loop?)

_NOT_IMPLEMENTED = ("not implemented yet: replace `raise NotImplementedError()` in your function "
                    "with your own code, then run this cell again")
_ERROR_HINTS = {  # added to "your function raised ..." for errors with a usual cause
    ZeroDivisionError: "handle a divisor of 0 (the exercise says what to return then)",
    KeyError: "a key missing from a dict of counts has count 0: use counts.get(key, 0)"}


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
    note: str  # what a pass means, for the PASS line
    errors: tuple[tuple[type, str], ...] = ()  # (exception type, hint) for this exercise, before _ERROR_HINTS


def _matches(got: Any, expected: Any) -> bool:
    """Return True when ``got`` equals ``expected`` (floats within rel 1e-6 / abs 1e-9)."""
    try:
        if isinstance(expected, float):
            return (isinstance(got, numbers.Real) and not isinstance(got, bool)
                    and math.isclose(float(got), expected, rel_tol=1e-6, abs_tol=1e-9))
        return isinstance(got, type(expected)) and got == expected
    except (TypeError, ValueError, OverflowError):
        return False


def _same(after: Any, before: Any) -> bool:
    """Return True when an argument is unchanged by the call: equal type, shape and contents
    (NaN equals NaN), compared element by element for lists, tuples, dicts and arrays."""
    if type(after) is not type(before):
        return False
    if isinstance(before, (list, tuple)):
        return len(after) == len(before) and all(_same(a, b) for a, b in zip(after, before))
    if isinstance(before, dict):
        return after.keys() == before.keys() and all(_same(after[k], before[k]) for k in before)
    if hasattr(before, "shape") and hasattr(before, "dtype"):  # a NumPy array
        import numpy as np

        return (after.shape == before.shape and after.dtype == before.dtype
                and bool(np.array_equal(after, before, equal_nan=before.dtype.kind in "fc")))
    if isinstance(before, float) and math.isnan(before):
        return math.isnan(after)
    try:
        return bool(after == before)
    except Exception:  # an object without a usable ==: trust it
        return True


def _changed_argument(param: str, value: Any, after: Any) -> str:
    """Return the hint for a function that changed its argument ``param`` (``value`` before the call,
    ``after`` after it) in place."""
    if hasattr(value, "shape"):  # a NumPy array
        how = (f"`{param} -= ...`, `{param} *= ...` and `{param}[...] = ...` write into the caller's array; "
               f"write `{param} = {param} - ...` (a new array) or start from `{param}.copy()`")
    elif (isinstance(value, (list, tuple)) and any(hasattr(v, "shape") for v in value)
          and len(after) == len(value)):  # the arrays in the list changed, not the list
        how = ("an array in it was changed: `g *= factor` writes into the caller's array, "
               "`g * factor` makes a new one")
    elif isinstance(value, dict):
        how = (f"`{param}[key] = ...`, `{param}.setdefault(...)`, `.update()`, `.pop()` and `del` change the "
               f"caller's dict; read with `{param}.get(key, 0)` or work on a copy, `dict({param})`")
    else:
        kind = type(value).__name__
        how = (f"methods such as .sort(), .append(), .pop() or .clear() change the caller's {kind}; "
               f"build a new one (sorted({param}), {param}.copy(), ...)")
    return f"your function changed its argument `{param}` in place: {how}. Leave every argument as it was."


def _agrees(mistake: _Mistake, case: _Case, got: Any) -> bool:
    """Return True when ``got`` is what ``mistake`` produces on ``case``."""
    try:
        with warnings.catch_warnings():  # a typical mistake's overflow or 0 / 0 is not the learner's to see
            warnings.simplefilter("ignore")
            return _matches(got, mistake.wrong(*copy.deepcopy(case.args)))
    except Exception:  # a wrong solution may itself fail on an input, e.g. divide by zero
        return False


_NUMPY_EVENTS = {  # what NumPy's floating-point warnings mean, for a hint
    "overflow": "overflow (a result too large for a float became inf, e.g. exp of a large number)",
    "divide by zero": "divide by zero (log 0 or x / 0 gave inf)",
    "invalid value": "invalid value (nan, from inf − inf, 0 / 0 or the like)"}


def _a(word: str) -> str:
    """Return ``word`` after its article: 'an int', 'a float'."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


@contextlib.contextmanager
def _silenced():
    """Keep warnings from the learner's screen while a check runs: NumPy's floating-point warnings
    off, Python's ignored (the learner's own calls record theirs, see :func:`_call`)."""
    numpy = sys.modules.get("numpy")
    with warnings.catch_warnings(), (numpy.errstate(all="ignore") if numpy else contextlib.nullcontext()):
        warnings.simplefilter("ignore")
        yield


class _TooSlow(BaseException):
    """Raised inside the learner's function after CALL_SECONDS; a BaseException, so that an
    ``except Exception`` in a learner's loop cannot swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise _TooSlow in the block after ``seconds`` (POSIX, main thread: where a kernel runs cells);
    elsewhere the block runs without a limit."""
    import signal
    import threading

    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise _TooSlow()

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _call(fn: Callable[..., Any], args: tuple, notes: list) -> Any:
    """Return ``fn(*args)`` with NumPy's floating-point warnings silenced and Python warnings caught;
    ``notes`` gets the parts of a sentence on what they reported (empty when nothing was). A call
    that runs longer than CALL_SECONDS raises _TooSlow."""
    events: list[str] = []
    numpy = sys.modules.get("numpy")
    quiet = (numpy.errstate(over="call", divide="call", invalid="call", under="ignore",
                            call=lambda kind, flag: events.append(kind)) if numpy else contextlib.nullcontext())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with quiet, _time_limit(CALL_SECONDS):
                return fn(*args)
        finally:
            kinds = [_NUMPY_EVENTS.get(kind, kind) for kind in dict.fromkeys(events)]
            notes[:] = [f" On this input NumPy warned of {'; '.join(kinds)} inside your function."] if kinds else []
            if caught:
                first = caught[0]
                notes += [" Your function warned: ", _Value(_one_line(f"{first.category.__name__}: {first.message}", 150)),
                          "." if len(caught) == 1 else f" ({len(caught)} warnings)."]


def _inputs(exercise: _Exercise, case: _Case) -> list:
    """Return the message parts that show ``case``'s arguments: name=value, ... (values as _Value)."""
    parts: list = []
    for i, (param, value) in enumerate(zip(exercise.params, case.args)):
        parts += [", " if i else "", f"{param}=", _Value(_show(value))]
    return parts + ["" if case.shown else " (not shown in the notebook)"]


def _run(exercise: _Exercise, student_fn: Any) -> CheckResult:
    """Return the CheckResult of ``student_fn`` on every case of ``exercise``; nothing is printed.

    While nbgrader grades the notebook (:func:`graded`), a result that did not pass is raised as
    CheckFailed instead, so the check cell fails and scores 0; a learner working alone gets it back.
    """
    with _silenced():
        result = _run_silenced(exercise, student_fn)
    if not result.passed and graded():
        raise CheckFailed(result)
    return result


class _Found(BaseException):
    """Carries the exercise a probe found out of a check (see :func:`exercise_of`)."""


def exercise_of(check: Callable[..., Any]) -> _Exercise:
    """Return the _Exercise that ``check`` (e.g. checks.check_top_k_filter) runs: its name, parameters,
    cases and typical mistakes, for the instructor guide. It calls the check with a probe function
    that reads the exercise from the runner's frame and stops the check at once."""
    import inspect

    def probe(*args):
        frame = inspect.currentframe()
        while frame is not None and frame.f_code is not _run_silenced.__code__:
            frame = frame.f_back
        if frame is None:
            raise RuntimeError("the probe was not called by the check runner")
        raise _Found(frame.f_locals["exercise"])

    if not callable(check):
        raise TypeError(f"check must be a check function such as checks.check_top_k_filter, got {_show(check)}")
    try:
        check(probe)
    except _Found as found:
        return found.args[0]
    raise ValueError(f"check {getattr(check, '__name__', check)!r} never called the function it checks")


def _run_silenced(exercise: _Exercise, student_fn: Any) -> CheckResult:
    name = exercise.name
    if not callable(student_fn):
        return _result(name, False, f"got {_a(type(student_fn).__name__)} (", _Value(_show(student_fn)),
                       f"), not a function: pass the function itself, not its result, e.g. "
                       f"check_{name}(my_function) without parentheses after my_function.")
    answers: list[tuple[_Case, Any]] = []  # (case, returned value) for cases that returned
    failure: tuple[_Case, Any, Any, list] | None = None  # first wrong (case, got, expected, warning notes)
    for case in exercise.cases:
        args = copy.deepcopy(case.args)  # the learner's own copy: the case stays as it was
        notes: list = []
        try:
            got = _call(student_fn, args, notes)
        except NotImplementedError:
            return _result(name, False, _NOT_IMPLEMENTED)
        except _TooSlow:
            return _result(name, False, f"your function did not return within {CALL_SECONDS} s on input ",
                           *_inputs(exercise, case)[:-1], ": stopped. Is there an endless loop (a `while` whose "
                           "condition never changes)? The check inputs are small: a right answer takes milliseconds.")
        except (Exception, SystemExit) as error:  # KeyboardInterrupt is left to the kernel
            if failure is None:
                detail = _one_line(f"{type(error).__name__}: {error}".rstrip(": "), 150)
                hint = next((f"; {h}" for t, h in (*exercise.errors, *_ERROR_HINTS.items())
                             if isinstance(error, t)), "")
                inputs = _inputs(exercise, case)[:-1]  # the error message names no hidden-input flag
                return _result(name, False, "your function raised ", _Value(detail), " on input ", *inputs,
                               hint, *notes)
            continue  # an earlier wrong answer is reported; its diagnosis skips this case
        changed = next((i for i, (a, kept) in enumerate(zip(args, case.args)) if not _same(a, kept)), None)
        if changed is not None and failure is None:
            param = exercise.params[changed]
            return _result(name, False, _changed_argument(param, case.args[changed], args[changed]), " Input ",
                           *_inputs(exercise, case), f": after the call {param} was ", _Value(_show(args[changed])), ".")
        answers.append((case, got))
        expected = exercise.reference(*copy.deepcopy(case.args))
        if failure is None and not _matches(got, expected):
            failure = (case, got, expected, notes)
    if failure is None:
        hidden = sum(not case.shown for case in exercise.cases)
        return _result(name, True, f"{exercise.note} ({len(exercise.cases)} inputs match, "
                       f"{hidden} of them not shown in the notebook)")
    case, got, expected, notes = failure
    shown = _show(expected), _show(got)
    if shown[0] == shown[1]:  # equal when rounded to 4 digits: show the digits where they differ
        shown = _show(expected, digits=10), _show(got, digits=10)
    return _result(name, False, _diagnose(exercise, answers, case, got), " Input ", *_inputs(exercise, case),
                   ": expected ", _Value(shown[0]), ", got ", _Value(shown[1]), ".", *notes)


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
        return f"return a number (a float), not {_a(type(got).__name__)}."
    if not isinstance(got, type(expected)):
        wanted = "a NumPy array" if isinstance(expected, _ArrayAnswer) else _a(type(expected).__name__)
        wrong_type = f"return {wanted}, not {_a(type(got).__name__)}."
        if isinstance(expected, int) and isinstance(got, numbers.Integral) and not isinstance(got, bool):
            if int(got) == expected:  # the right number as a NumPy integer: only the type is wrong
                return f"{wrong_type} Convert it with int(...)."
            same_value = lambda wrong: (isinstance(wrong, numbers.Integral)  # noqa: E731
                                        and not isinstance(wrong, bool) and int(wrong) == int(got))
            for mistake in exercise.mistakes:  # the value is wrong too: name its mistake first
                try:
                    if same_value(mistake.wrong(*copy.deepcopy(case.args))):
                        return f"{mistake.hint} Also {wrong_type[0].lower()}{wrong_type[1:]}"
                except Exception:
                    continue
            return f"{wrong_type} The number is wrong as well: compare expected and got below."
        return wrong_type
    expected_shown = [exercise.reference(*copy.deepcopy(c.args)) for c in exercise.cases if c.shown]
    if not case.shown and any(_matches(got, e) for e in expected_shown):
        return ("your function gives the notebook example's answer for a different input: compute "
                "the answer from the arguments instead of writing it in.")
    for mistake in exercise.mistakes:
        if _agrees(mistake, case, got):
            return mistake.hint
    return "wrong answer."



def _cases(shown: list[tuple], hidden: list[tuple]) -> tuple[_Case, ...]:
    return tuple(_Case(args, shown=True) for args in shown) + tuple(_Case(args) for args in hidden)



# ---------------------------------------------------------------------------------------------
# Array answers (notebooks 02-08): NumPy arrays compare with np.allclose (rel 1e-6, abs 1e-9, NaN equal
# to NaN in the same places: no reference answer holds NaN, so only a wrong answer and the typical
# mistake it repeats can match on NaN); a pair or list of arrays becomes a tuple of them.


class _ArrayAnswer:
    """A NumPy array answer that compares with tolerance and shows itself rounded."""

    def __init__(self, array):
        self.array = array

    @staticmethod
    def of(value: Any) -> Any:
        """Return ``value`` with arrays wrapped (lists/tuples of them as a tuple); other values as is.

        A flat list of numbers counts as a 1-D array (``[0.5, 1.0]`` answers like ``np.array([0.5, 1.0])``).
        """
        import numpy as np

        if (isinstance(value, (list, tuple)) and value
                and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value)):
            whole = all(isinstance(v, numbers.Integral) for v in value)  # indices stay ints when shown
            fits = whole and all(-2**63 <= v < 2**63 for v in value)  # else float64, as any other number
            return _ArrayAnswer(np.asarray(value, dtype=np.int64 if fits else np.float64))
        if isinstance(value, (list, tuple)):
            return tuple(_ArrayAnswer.of(v) for v in value)
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":  # ints keep their dtype: no wrap-around
            return _ArrayAnswer(np.array(value, dtype=None if value.dtype.kind in "iu" else np.float64))
        return value

    def __eq__(self, other: object) -> bool:
        import numpy as np

        return (isinstance(other, _ArrayAnswer) and self.array.shape == other.array.shape
                and bool(np.allclose(self.array, other.array, rtol=1e-6, atol=1e-9, equal_nan=True)))

    __hash__ = None  # mutable contents: not hashable

    def __repr__(self) -> str:
        return _show(self)


def _run_arrays(exercise: _Exercise, student_fn: Any) -> CheckResult:
    """Return the CheckResult of ``student_fn``, comparing its array answers with tolerance."""
    if not callable(student_fn):
        return _run(exercise, student_fn)  # the runner's "pass the function itself" message
    return _run(exercise, lambda *args: _ArrayAnswer.of(student_fn(*args)))


def _arrays_exercise(name, params, reference, cases, mistakes, note, errors=()):
    """Return an _Exercise whose reference and mistakes return wrapped arrays."""
    wrap = lambda fn: (lambda *args: _ArrayAnswer.of(fn(*args)))  # noqa: E731
    return _Exercise(name, params, wrap(reference), cases,
                     tuple(_Mistake(m.hint, wrap(m.wrong)) for m in mistakes), note, errors)



def _sigmoid(z):
    """Return σ(z) for the references and typical mistakes: the course's one sigmoid, losses.sigmoid."""
    from lmtutor.losses import sigmoid

    return sigmoid(z)
