"""Timing a decoding loop token by token: a StepModel wrapper that notes when each call returns.

Notebook 07 measures what a token costs when the state is carried (``generate.generate``, O(n))
and when the whole prefix is re-encoded (``generate.generate_reencoding``, O(n²))::

    from lmtutor import generate, timing
    ids, seconds = timing.clock(generate.generate, stepper, prompt_ids, max_tokens=500)
    per_token = np.diff(seconds, prepend=0.0)      # seconds[t]: when token t's logits were ready
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import numpy as np

from lmtutor._validate import check_int, check_type
from lmtutor.generate import StepModel


class Timed:
    """A generate.StepModel that passes every call on to ``model`` and notes when each returns."""

    def __init__(self, model: StepModel, *, timer: Callable[[], float] = time.perf_counter,
                 on_call: Callable[[list[float]], None] | None = None):
        if not isinstance(model, StepModel):
            raise TypeError("model must be a generate.StepModel (vocab_size, start, step, full_logits), "
                            f"e.g. lstm_lm.LSTMStepper(model), got {type(model).__name__}")
        if not callable(timer):
            raise TypeError(f"timer must be a function returning seconds, such as time.perf_counter, "
                            f"got {type(timer).__name__}")
        if on_call is not None and not callable(on_call):
            raise TypeError(f"on_call must be a function of the list of times, or None, got {type(on_call).__name__}")
        self.model, self.vocab_size, self.timer, self.on_call = model, model.vocab_size, timer, on_call
        self.times: list[float] = []  # timer() after each call of start, step or full_logits, in order

    def _note(self, result):
        self.times.append(self.timer())
        if self.on_call is not None:
            self.on_call(self.times)
        return result

    def start(self, prompt_ids: Sequence[int]):
        """Return ``model.start(prompt_ids)``, noting the time it returned."""
        return self._note(self.model.start(prompt_ids))

    def step(self, state: Any, token_id: int):
        """Return ``model.step(state, token_id)``, noting the time it returned."""
        return self._note(self.model.step(state, token_id))

    def full_logits(self, ids: Sequence[int]):
        """Return ``model.full_logits(ids)``, noting the time it returned."""
        return self._note(self.model.full_logits(ids))


def _progress(label: str, times: list[float], begin: float, max_tokens: int) -> None:
    """Rewrite one line 'label: t / max_tokens tokens, s s' about every 5% of the run, and end it at the last."""
    done = len(times)
    if done == max_tokens or done % max(1, max_tokens // 20) == 0:
        print(f"\r{label}: {done:,} / {max_tokens:,} tokens, {times[-1] - begin:.1f} s",
              end="\n" if done == max_tokens else "", flush=True)


def clock(decode: Callable[..., list[int]], stepper: StepModel, prompt_ids: Sequence[int], max_tokens: int,
          *, seed: int = 0, timer: Callable[[], float] = time.perf_counter,
          progress: str | None = None) -> tuple[list[int], np.ndarray]:
    """Return (the new ids, seconds from the call until each model call returned) of one decoding run.

    ``decode`` is ``generate.generate`` or ``generate.generate_reencoding``, run with
    ``stop_id=None`` so that exactly ``max_tokens`` ids come back. Both call the model once per
    token (the first call reads the prompt), so seconds[t] is when the logits of token t were ready
    and ``np.diff(seconds, prepend=0.0)`` is the cost of each token. With ``progress`` (a label such
    as "re-encoding") one line shows how many tokens are done so far, for runs that take a while.
    """
    if not callable(decode):
        raise TypeError(f"decode must be a decoding function such as generate.generate, got {type(decode).__name__}")
    if progress is not None:
        check_type("progress", progress, str)
    if not isinstance(stepper, StepModel):
        raise TypeError("stepper must be a generate.StepModel (vocab_size, start, step, full_logits), "
                        f"e.g. lstm_lm.LSTMStepper(model), got {type(stepper).__name__}")
    max_tokens = check_int("max_tokens", max_tokens, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    report = None if progress is None else lambda times: _progress(progress, times, begin, max_tokens)
    timed = Timed(stepper, timer=timer, on_call=report)
    begin = timer()
    ids = decode(timed, prompt_ids, max_tokens=max_tokens, seed=seed, stop_id=None)
    check_type("the ids decode returned", ids, list)
    return ids, np.array(timed.times) - begin
