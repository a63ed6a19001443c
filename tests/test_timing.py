"""Tests of lmtutor.timing: Timed changes nothing the model returns, and clock times every call."""

import re
import time

import numpy as np
import pytest

from lmtutor import generate
from lmtutor.timing import Timed, clock
from widget_fixtures import BigramModel


class Ticks:
    """A fake clock: each call returns the next whole second (0, 1, 2, ...)."""

    def __init__(self):
        self.now = -1.0

    def __call__(self):
        self.now += 1.0
        return self.now


def test_timed_passes_every_call_on_unchanged():
    model = BigramModel(12, seed=1)
    timed = Timed(model, timer=Ticks())
    assert timed.vocab_size == 12
    for name, args in (("start", ([2, 5],)), ("step", (5, 7)), ("full_logits", ([2, 5, 7],))):
        ours, theirs = getattr(timed, name)(*args), getattr(model, name)(*args)
        assert all(np.array_equal(a, b) for a, b in zip(ours, theirs)), name
    assert timed.times == [0.0, 1.0, 2.0]  # one note per call, in order
    assert isinstance(timed, generate.StepModel)


@pytest.mark.parametrize("decode", [generate.generate, generate.generate_reencoding])
def test_clock_returns_the_ids_of_the_decoder_and_one_time_per_token(decode):
    model = BigramModel(12, seed=2)
    ids, seconds = clock(decode, model, [2, 4], 25, seed=3, timer=Ticks())
    assert ids == decode(model, [2, 4], max_tokens=25, seed=3, stop_id=None)  # the same tokens, no stop
    assert len(ids) == 25
    assert np.array_equal(seconds, np.arange(1.0, 26.0))  # the clock read once at the call, once per token
    assert np.array_equal(np.diff(seconds, prepend=0.0), np.ones(25))


def test_clock_measures_real_time_with_perf_counter():
    class Slow(BigramModel):
        def step(self, state, token_id):
            time.sleep(0.01)
            return super().step(state, token_id)

    ids, seconds = clock(generate.generate, Slow(8), [2], 5)
    assert len(seconds) == 5 and np.all(np.diff(seconds) >= 0.009)  # every step slept 10 ms
    assert seconds[0] >= 0 and seconds[1] - seconds[0] >= 0.009  # the prompt first, then a 10 ms step


@pytest.mark.parametrize("call, error, words", [
    (lambda: Timed("model"), TypeError, "model must be a generate.StepModel"),
    (lambda: Timed(BigramModel(5), timer=3.0), TypeError, "timer must be a function"),
    (lambda: clock("generate", BigramModel(5), [2], 3), TypeError, "decode must be a decoding function"),
    (lambda: clock(generate.generate, BigramModel(5), [2], 0), ValueError, "max_tokens must be >= 1"),
    (lambda: clock(generate.generate, BigramModel(5), [2], 3, seed=-1), ValueError, "seed must be >= 0"),
    (lambda: clock(generate.generate, BigramModel(5), [9], 3), ValueError, "prompt_ids"),
])
def test_bad_input_names_the_argument(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_clock_reports_progress_on_one_line_when_asked(capsys):
    ids, seconds = clock(generate.generate, BigramModel(12, seed=2), [2, 4], 40, timer=Ticks(), progress="stateful")
    out = capsys.readouterr().out
    assert len(ids) == 40 and len(seconds) == 40
    assert out.count("\n") == 1 and out.endswith("stateful: 40 / 40 tokens, 40.0 s\n")  # one line, rewritten
    assert out.count("\r") == 20  # every 2 tokens (5% of 40)
    clock(generate.generate, BigramModel(12, seed=2), [2, 4], 40, timer=Ticks())
    assert capsys.readouterr().out == ""  # silent unless asked
    with pytest.raises(TypeError, match="progress"):
        clock(generate.generate, BigramModel(12, seed=2), [2, 4], 5, progress=1)
