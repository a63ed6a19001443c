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

    def __init__(self, model: StepModel, *, timer: Callable[[], float] = time.perf_counter):
        if not isinstance(model, StepModel):
            raise TypeError("model must be a generate.StepModel (vocab_size, start, step, full_logits), "
                            f"e.g. lstm_lm.LSTMStepper(model), got {type(model).__name__}")
        if not callable(timer):
            raise TypeError(f"timer must be a function returning seconds, such as time.perf_counter, "
                            f"got {type(timer).__name__}")
        self.model, self.vocab_size, self.timer = model, model.vocab_size, timer
        self.times: list[float] = []  # timer() after each call of start, step or full_logits, in order

    def _note(self, result):
        self.times.append(self.timer())
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


def clock(decode: Callable[..., list[int]], stepper: StepModel, prompt_ids: Sequence[int], max_tokens: int,
          *, seed: int = 0, timer: Callable[[], float] = time.perf_counter) -> tuple[list[int], np.ndarray]:
    """Return (the new ids, seconds from the call until each model call returned) of one decoding run.

    ``decode`` is ``generate.generate`` or ``generate.generate_reencoding``, run with
    ``stop_id=None`` so that exactly ``max_tokens`` ids come back. Both call the model once per
    token (the first call reads the prompt), so seconds[t] is when the logits of token t were ready
    and ``np.diff(seconds, prepend=0.0)`` is the cost of each token.
    """
    if not callable(decode):
        raise TypeError(f"decode must be a decoding function such as generate.generate, got {type(decode).__name__}")
    timed = Timed(stepper, timer=timer)
    max_tokens = check_int("max_tokens", max_tokens, minimum=1)
    begin = timer()
    ids = decode(timed, prompt_ids, max_tokens=max_tokens, seed=check_int("seed", seed, minimum=0), stop_id=None)
    check_type("the ids decode returned", ids, list)
    return ids, np.array(timed.times) - begin
