"""Bad input across the whole lmtutor API (issue 20): every public callable is tried with bad
arguments, and each must be refused with a TypeError or ValueError whose message names the argument.

This file holds the machinery and the coverage test; the cases, written from each signature, sit in
tests/test_bad_input_<layer>.py (data, math, models, show). A case is a :class:`Spec`: how to call
one public callable with valid arguments, and per argument the bad values to put in its place, one
at a time. Each bad value must raise the expected exception type with the argument's name in the
message; returning (a silent answer), another exception (a crash deep in NumPy or TensorFlow) and
running longer than :data:`HANG_SECONDS` (a hang) fail the test, which lists every bad value that
misbehaved. The valid call of each spec must run, so that a bad value is refused for itself.

:func:`test_every_public_callable_has_bad_input_coverage` walks every module of lmtutor (subpackages
included), lists each public function, class and method defined there, and fails for one that no
spec covers: a new module or function cannot skip this. ``python tests/test_bad_input.py`` prints
how many bad inputs the specs try.
"""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil
import re
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

HANG_SECONDS = 20  # a bad input that takes longer than this counts as a hang
LAYERS = ("data", "math", "models", "show")  # tests/test_bad_input_<layer>.py


# ----------------------------------------------------------------------------------- the cases
class Lazy:
    """A value built from the test module's context when the case runs (a model, a vocabulary)."""

    def __init__(self, build: Callable[[Any], Any]):
        self.build = build

    def __call__(self, ctx):
        return self.build(ctx)


def resolve(value, ctx):
    return value(ctx) if isinstance(value, Lazy) else value


@dataclass
class Bad:
    """One bad value for an argument, the exception it must raise, and a label for the report."""

    value: Any  # the bad value, or a Lazy that builds it
    error: type  # TypeError or ValueError
    label: str  # what is wrong with it, e.g. "None", "NaN", "a str"
    name: str | None = None  # the name the message must hold, if not the argument's own


@dataclass
class Arg:
    """An argument: a valid value and the bad ones tried in its place."""

    valid: Any  # a Lazy, or a value; ``OMIT`` leaves the argument out of the valid call
    bads: list[Bad]


OMIT = object()  # an optional argument left out of the valid call


@dataclass
class Spec:
    """How to call one public callable, and the bad values of each of its arguments."""

    target: str  # "module.function" or "module.Class.method", relative to lmtutor
    call: Callable[[Any], Callable]  # ctx -> the callable (a bound method, a class)
    args: dict[str, Arg] = field(default_factory=dict)
    check_valid: bool = True  # run the all-valid call once (False: too slow, done by its own tests)
    covers: tuple[str, ...] = ()  # other targets this spec covers (a base-class method, an alias)
    result: Callable[[Any], bool] | None = None  # for the exercise checks: bad input gives this result

    def __repr__(self) -> str:
        return f"Spec({self.target})"


def spec(target, call, /, check_valid=True, covers=(), result=None, **args):
    return Spec(target, call, args, check_valid, tuple(covers), result)


# --------------------------------------------------------------------------- kinds of argument
NAN, INF = float("nan"), float("inf")
HUGE = 10**12  # a size no call can allocate or loop over


def flag(valid=True):
    """A yes/no flag: only True and False (a NumPy bool too) are accepted."""
    return Arg(valid, [Bad(None, TypeError, "None"), Bad("False", TypeError, "the str 'False'"),
                       Bad("True", TypeError, "the str 'True'"), Bad(0, TypeError, "the int 0"),
                       Bad(1, TypeError, "the int 1"), Bad(1.0, TypeError, "a float"),
                       Bad([True], TypeError, "a list")])


def integer(valid, minimum=None, maximum=None, *, none=False, huge=False):
    """An int in [minimum, maximum]; ``none``: None is allowed; ``huge``: a stated size limit exists."""
    bads = [Bad("3", TypeError, "a str"), Bad(2.5, TypeError, "a float"), Bad(True, TypeError, "a bool"),
            Bad(NAN, TypeError, "NaN"), Bad(np.float64(3.0), TypeError, "a NumPy float"),
            Bad(1 + 0j, TypeError, "a complex"), Bad([3], TypeError, "a list")]
    if not none:
        bads.insert(0, Bad(None, TypeError, "None"))
    if minimum is not None:
        bads += [Bad(minimum - 1, ValueError, f"{minimum - 1} (below {minimum})"),
                 Bad(minimum - 10**6, ValueError, "far below the minimum")]
    if maximum is not None:
        bads.append(Bad(maximum + 1, ValueError, f"{maximum + 1} (above {maximum})"))
    if huge or maximum is not None:
        bads.append(Bad(HUGE, ValueError, "a huge size"))
    return Arg(valid, bads)


def number(valid, minimum=None, maximum=None, *, open_min=False, open_max=False, none=False,
           outside=()):
    """A finite real number in the range; ``outside`` lists more values that must be refused."""
    bads = [Bad("0.5", TypeError, "a str"), Bad(True, TypeError, "a bool"), Bad(1j, TypeError, "a complex"),
            Bad([0.5], TypeError, "a list"), Bad(NAN, ValueError, "NaN"), Bad(INF, ValueError, "inf"),
            Bad(-INF, ValueError, "-inf")]
    if not none:
        bads.insert(0, Bad(None, TypeError, "None"))
    if minimum is not None:
        bads.append(Bad(minimum - 1.0, ValueError, "below the minimum"))
        if open_min:
            bads.append(Bad(minimum, ValueError, "the excluded minimum"))
    if maximum is not None:
        bads.append(Bad(maximum + 1.0, ValueError, "above the maximum"))
        if open_max:
            bads.append(Bad(maximum, ValueError, "the excluded maximum"))
    bads += [Bad(v, ValueError, f"{v!r}") for v in outside]
    return Arg(valid, bads)


def choice(valid, *, none=False):
    """One of a fixed set of strings."""
    bads = [Bad(3, (TypeError, ValueError), "an int"), Bad("no such choice", ValueError, "an unknown name"),
            Bad(b"bytes", (TypeError, ValueError), "bytes"), Bad(["a"], (TypeError, ValueError), "a list")]
    if not none:
        bads.insert(0, Bad(None, (TypeError, ValueError), "None"))
    return Arg(valid, bads)


def string(valid, *, empty=True, none=False):
    """A str (``empty``: "" is allowed)."""
    bads = [Bad(3, TypeError, "an int"), Bad(b"bytes", TypeError, "bytes"), Bad(["a"], TypeError, "a list")]
    if not none:
        bads.insert(0, Bad(None, TypeError, "None"))
    if not empty:
        bads += [Bad("", ValueError, "an empty str"), Bad("   ", ValueError, "only spaces")]
    return Arg(valid, bads)


def array(valid, *, shape_bads=(), empty=True, none=False, finite=True, like=None):
    """A numeric array: ints and floats only, finite; ``shape_bads`` add values of a wrong shape.

    The bad arrays are made from ``valid`` (or from ``like`` when valid is None).
    """
    valid_or_like = valid if like is None else like
    bads = [Bad("abc", TypeError, "a str"), Bad([[1.0, 2.0], [3.0]], TypeError, "a ragged list"),
            Bad(Lazy(lambda c, v=valid_or_like: _like(resolve(v, c), np.complex128) + 1j), TypeError, "complex numbers"),
            Bad(Lazy(lambda c, v=valid_or_like: _like(resolve(v, c), bool)), TypeError, "booleans"),
            Bad(Lazy(lambda c, v=valid_or_like: _like(resolve(v, c), object, "x")), TypeError, "strings inside"),
            Bad(Lazy(lambda c, v=valid_or_like: _put(resolve(v, c), NAN)), ValueError, "a NaN inside"),
            Bad(Lazy(lambda c, v=valid_or_like: _put(resolve(v, c), INF)), ValueError, "an inf inside")]
    if not finite:
        bads = bads[:5]
    if not none:
        bads.insert(0, Bad(None, TypeError, "None"))
    if not empty:
        bads.append(Bad(Lazy(lambda c, v=valid_or_like: np.zeros((0,) * np.ndim(resolve(v, c)))), ValueError, "empty"))
    bads += [b if isinstance(b, Bad) else Bad(b[0], ValueError, b[1]) for b in shape_bads]
    return Arg(valid, bads)


def _like(value, dtype, fill=None):
    out = np.asarray(value).astype(dtype)
    if fill is not None:
        out.reshape(-1)[:1] = fill
    return out


def _put(value, entry):
    out = np.array(value, dtype=np.float64)
    out.reshape(-1)[-1] = entry
    return out


def ids(valid, vocab_size, *, empty=False, none=False, one_d=True):
    """Token ids of a vocabulary of ``vocab_size`` (a number or a Lazy of one)."""
    size = (lambda c: resolve(vocab_size, c))
    bads = [Bad("abc", TypeError, "a str"), Bad(3, TypeError, "an int, not a sequence"),
            Bad([1.5, 2.0], TypeError, "floats"), Bad([True, 2], TypeError, "a bool inside"),
            Bad(np.array([1.0, 2.0]), TypeError, "a float array"),
            Bad([-1, 2], ValueError, "a negative id"), Bad(Lazy(lambda c: [2, size(c)]), ValueError, "an id = vocab_size"),
            Bad(Lazy(lambda c: [2, 10**9 + size(c)]), ValueError, "a huge id"),
            Bad([[2, 4], [5]], TypeError, "a ragged nested list"), Bad(["a", "b"], TypeError, "strings")]
    if not none:
        bads.insert(0, Bad(None, TypeError, "None"))
    if not empty:
        bads.append(Bad([], ValueError, "empty"))
    if one_d:
        bads.append(Bad([[2, 4], [5, 6]], ValueError, "a nested (2-D) list"))
    return Arg(valid, bads)


def tokens(valid, *, empty=True, none=False):
    """A list of str tokens."""
    bads = [Bad("the cat", TypeError, "a str (not a token list)"), Bad([1, 2], TypeError, "ints"),
            Bad([["a"]], TypeError, "a nested list"), Bad(["a", None], TypeError, "a None inside"), Bad(3, TypeError, "an int")]
    if not none:
        bads.insert(0, Bad(None, TypeError, "None"))
    if not empty:
        bads.append(Bad([], ValueError, "empty"))
    return Arg(valid, bads)


def sentences(valid, *, empty=False):
    """A list of token lists."""
    bads = [Bad(None, TypeError, "None"), Bad("the cat", TypeError, "a str"), Bad(["the", "cat"], TypeError, "a flat token list"),
            Bad([[1, 2]], TypeError, "ints"), Bad([["a"], "b c"], TypeError, "a str among the lists"), Bad(3, TypeError, "an int")]
    if not empty:
        bads.append(Bad([], ValueError, "empty"))
    return Arg(valid, bads)


def strings(valid, *, empty=False):
    """A list of str (sentences, labels)."""
    bads = [Bad(None, TypeError, "None"), Bad("a sentence", TypeError, "a bare str"), Bad([1, 2], TypeError, "ints"),
            Bad(["a", None], TypeError, "a None inside"), Bad(3, TypeError, "an int")]
    if not empty:
        bads.append(Bad([], ValueError, "empty"))
    return Arg(valid, bads)


def function(valid, *, none=False):
    """Something callable."""
    bads = [Bad(3, TypeError, "an int"), Bad("f", TypeError, "a str"), Bad([len], TypeError, "a list")]
    if not none:
        bads.insert(0, Bad(None, TypeError, "None"))
    return Arg(valid, bads)


def instance(valid, *, none=False, more=()):
    """An object of one lmtutor (or Keras) type; ``more`` adds Bad values of a similar but wrong kind."""
    bads = [Bad("x", TypeError, "a str"), Bad(3, TypeError, "an int"), Bad(object(), TypeError, "an object"),
            Bad({}, TypeError, "a dict")]
    if not none:
        bads.insert(0, Bad(None, TypeError, "None"))
    return Arg(valid, bads + list(more))


def path(valid, *, none=False):
    """A file system path: a str or pathlib.Path."""
    bads = [Bad(3, TypeError, "an int"), Bad(["a"], TypeError, "a list"), Bad("", ValueError, "an empty str")]
    if not none:
        bads.insert(0, Bad(None, TypeError, "None"))
    return Arg(valid, bads)


def seed(valid=0, *, generator=False):
    """A seed: an int >= 0 (``generator``: or a numpy Generator)."""
    arg = integer(valid, 0)
    if generator:
        arg.bads = [b for b in arg.bads if b.label != "None"] + [Bad(None, TypeError, "None")]
    return arg


def only(*bads):
    """An argument with hand-picked bad values: pairs (value, error, label)."""
    return [Bad(*b) for b in bads]


# ------------------------------------------------------------------------------------ running
def module(name: str):
    """Return lmtutor.``name`` (a dotted name reaches a subpackage's module)."""
    return __import__(f"lmtutor.{name}", fromlist=["x"])


def fn(module_name: str, name: str):
    """Return a spec's ``call``: the callable ``name`` of lmtutor.``module_name`` (a dotted name reaches a
    class attribute)."""
    def get(c):
        obj = module(module_name)
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj
    return get


def L(build):
    """Return a value a spec builds from the test's context when it runs (:class:`Lazy`)."""
    return Lazy(build)


def B(value, error, label, name=None):
    """Return one bad value (:class:`Bad`)."""
    return Bad(value, error, label, name)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"still running after {HANG_SECONDS} s")


def call_with(spec: Spec, ctx, overrides: dict) -> Any:
    kwargs = {}
    for name, arg in spec.args.items():
        value = overrides[name] if name in overrides else arg.valid
        if value is OMIT:
            continue
        kwargs[name] = resolve(value, ctx)
    target = spec.call(ctx)
    if not hasattr(signal, "SIGALRM"):  # Windows: no alarm, no hang guard
        return target(**kwargs)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        return target(**kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def names_argument(message: str, name: str) -> bool:
    """Return True if ``message`` holds ``name`` as a word ("ids[3]" names ids, "prompt_ids" does not)."""
    message = re.sub(r"\x1b\[[0-9;]*m", "", message)  # Keras colours the names in its messages
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message) is not None


def outcome(spec: Spec, ctx, name: str, bad: Bad) -> str | None:
    """Return None if the bad value was refused as promised, else what went wrong."""
    import warnings

    value = resolve(bad.value, ctx)
    expected = bad.error if isinstance(bad.error, tuple) else (bad.error,)
    want = bad.name or name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a UserWarning about <unk> tokens is not the point here
            result = call_with(spec, ctx, {name: value})
    except Hang as error:
        return f"{bad.label}: hangs ({error})"
    except expected as error:
        if not names_argument(str(error), want):
            return f"{bad.label}: {type(error).__name__} does not name {want!r}: {str(error)[:200]}"
        return None
    except Exception as error:  # noqa: BLE001 - the point: any other exception is a crash
        return f"{bad.label}: expected {'/'.join(e.__name__ for e in expected)}, got {type(error).__name__}: {str(error)[:200]}"
    if spec.result is not None:
        return None if spec.result(result) else f"{bad.label}: the result does not report the bad input: {result!r:.200}"
    return f"{bad.label}: returned {type(result).__name__} {_short(result)} instead of raising"


def _short(value) -> str:
    try:
        text = repr(value).replace("\n", " ")
    except Exception as error:  # noqa: BLE001 - a broken repr is itself a sign of a bad object
        text = f"<{type(value).__name__} whose repr fails: {error}>"
    return text if len(text) < 120 else text[:117] + "..."


def run_argument(spec: Spec, ctx, name: str) -> None:
    """Try every bad value of argument ``name``; fail listing those that were not refused as promised."""
    problems = [p for bad in spec.args[name].bads if (p := outcome(spec, ctx, name, bad)) is not None]
    assert not problems, f"{spec.target}({name}=...):\n  " + "\n  ".join(problems)


def run_valid(spec: Spec, ctx) -> None:
    """The all-valid call must run: so that each bad value is refused for itself."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call_with(spec, ctx, {})


def cases(specs: list[Spec]) -> list:
    """Return pytest params (spec, argument name or None for the valid call), with readable ids."""
    params = []
    for s in specs:
        if s.check_valid:
            params.append(pytest.param(s, None, id=f"{s.target}-valid"))
        params += [pytest.param(s, name, id=f"{s.target}-{name}") for name in s.args]
    return params


def run(spec: Spec, name: str | None, ctx) -> None:
    if name is None:
        run_valid(spec, ctx)
    else:
        run_argument(spec, ctx, name)


# ---------------------------------------------------------------------------------- discovery
ROOT = Path(__file__).resolve().parents[1]


def public_callables() -> set[str]:
    """Return "module.name" and "module.Class.method" of every public callable defined in lmtutor.

    Public: no leading underscore in the module path or the name, and defined in that module (not
    imported into it). Methods are those a class defines itself, properties left out (they take no
    argument); a class counts itself (its constructor).
    """
    import lmtutor

    found = {"quiet_tensorflow", "quiet_retracing"}  # lmtutor/__init__.py
    modules = [info.name for info in pkgutil.walk_packages(lmtutor.__path__, "lmtutor.")
               if not any(part.startswith("_") for part in info.name.split(".")[1:])]
    for module_name in modules:
        module = importlib.import_module(module_name)
        short = module_name.removeprefix("lmtutor.")
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            if inspect.isfunction(obj):
                found.add(f"{short}.{name}")
            elif inspect.isclass(obj):
                found.add(f"{short}.{name}")
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or isinstance(member, property):
                        continue
                    function = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                    if inspect.isfunction(function):
                        found.add(f"{short}.{name}.{attr}")
    return found


def all_specs() -> list[Spec]:
    specs = []
    for layer in LAYERS:
        specs += importlib.import_module(f"test_bad_input_{layer}").SPECS
    return specs


def bad_input_count(specs: list[Spec] | None = None) -> int:
    """Return the number of bad inputs the specs try (one per bad value per argument)."""
    return sum(len(arg.bads) for s in (specs or all_specs()) for arg in s.args.values())


def test_every_public_callable_has_bad_input_coverage():
    covered: set[str] = set()
    for s in all_specs():
        assert s.args or s.target in NO_ARGUMENTS, f"{s.target}: a spec without arguments tries no bad input"
        covered.add(s.target)
        covered.update(s.covers)
    public = public_callables()
    missing = sorted(public - covered)
    assert not missing, ("public callables without bad-input cases (add a spec to "
                         f"tests/test_bad_input_<layer>.py): {missing}")
    stale = sorted(covered - public)
    assert not stale, f"specs for callables that are not public any more: {stale}"


# Callables that take no argument: nothing can be bad; their spec only proves that they run.
NO_ARGUMENTS = {"quiet_tensorflow", "quiet_retracing", "checkpoints.models_dir", "checkpoints.available",
                "corpora.load_analogies", "corpora.load_pang_lee", "corpora.load_reviews", "corpora.load_rotten_tomatoes", "parallel.load_cedict",
                "plots.cjk_font_path", "plots.cjk_font_name", "plots.setup", "embeddings.Embeddings.to_keyed_vectors",
                "text.Vocab.to_dict", "optim.Optimizer.current_learning_rate", "optim.ExponentialDecay.to_keras",
                "optim.PiecewiseConstant.to_keras", "optim.WarmupCosine.to_keras", "transformer.Positions.get_config",
                "tensorboard_logs.TensorBoardServer.start", "tensorboard_logs.TensorBoardServer.stop"}


def test_the_specs_try_thousands_of_bad_inputs():
    specs = all_specs()
    print(f"{len(specs)} specs, {sum(len(s.args) for s in specs)} arguments, {bad_input_count(specs)} bad inputs")
    assert bad_input_count(specs) >= 6000
    assert len({s.target for s in specs}) == len(specs), "two specs for one target: merge them"


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).parent))
    specs = all_specs()
    print(f"{len(specs)} specs, {sum(len(s.args) for s in specs)} arguments, {bad_input_count(specs)} bad inputs")
