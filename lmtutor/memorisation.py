"""Memorisation of a planted secret (notebook 14): canaries, their log-probability, exposure.

Carlini et al. 2019 ("The Secret Sharer") plant a *canary*, a made-up secret such as
"my pin is 4 8 1 5 9", in the training text, train, and ask how much more probable the model finds
the planted secret than the other secrets it could have been. Over the space R of all secrets
(here every string of ``length`` digits), rank 1 is the most probable and

    exposure(s) = log2 |R| − log2 rank(s)

bits: 0 for the least probable secret, log2 |R| for the most probable one, about log2 e = 1.44 on
average for a secret the model never saw (its rank is uniform)::

    docs = plant(documents, "my pin is 4 8 1 5 9", times=10, seed=0)        # train on docs
    scores = secret_log_probs(model, corpus.encode("my pin is "), digit_ids, 5, separator_id=space)
    exposure(scores, secret_index([4, 8, 1, 5, 9]))                           # bits
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import keras
import numpy as np

from lmtutor import losses, rnn
from lmtutor._validate import (
    _show, check_array, check_int, check_str, check_type,
)
from lmtutor.losses import _sigmoid
from lmtutor.lstm_lm import LSTMStepper, _one_sequence

MAX_SECRET_LENGTH = 6  # 10^6 secrets of 6 digits: the widest space secret_log_probs enumerates


def plant(documents: Sequence[str], canary: str, times: int, *, seed: int = 0) -> list[str]:
    """Return a new list: ``documents`` with ``times`` copies of ``canary`` inserted as documents
    of their own at random places (positions from ``np.random.default_rng(seed)``); the input is unchanged."""
    check_type("documents", documents, (list, tuple))
    for i, doc in enumerate(documents):
        check_str(f"documents[{i}]", doc)
    check_str("canary", canary, allow_empty=False)
    if not canary.strip():
        raise ValueError("canary must hold text, got only spaces")
    times = check_int("times", times, minimum=0, maximum=1_000_000)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    out = list(documents)
    for position in rng.integers(0, len(out) + np.arange(times) + 1):  # each a place in the growing list
        out.insert(int(position), canary)
    return out


def deduplicate(documents: Sequence[str]) -> list[str]:
    """Return ``documents`` with every repeat of an earlier document removed (first copies kept, in order)."""
    check_type("documents", documents, (list, tuple))
    for i, doc in enumerate(documents):
        check_str(f"documents[{i}]", doc)
    return list(dict.fromkeys(documents))


def rank(log_probs: Any, index: int) -> int:
    """Return the rank of candidate ``index``: 1 + the number of candidates with a higher log-probability.

    Ties share the best rank (a candidate is not ranked below one it ties with).
    """
    scores = check_array("log_probs", log_probs, ndim=1, allow_empty=False)
    index = check_int("index", index, minimum=0, maximum=len(scores) - 1)
    return 1 + int(np.count_nonzero(scores > scores[index]))


def exposure(log_probs: Any, index: int) -> float:
    """Return exposure = log2 |R| − log2 rank in bits of candidate ``index`` among all |R| = len(log_probs).

    ``log_probs`` holds ln P(secret | prefix) for every secret of the space R (Carlini et al. 2019).
    """
    scores = check_array("log_probs", log_probs, ndim=1, allow_empty=False)
    return math.log2(len(scores)) - math.log2(rank(scores, index))


def secret_index(digits: Sequence[int], base: int = 10) -> int:
    """Return the position of the secret ``digits`` (d_1 ... d_L, each in [0, base)) in the order of
    :func:`secret_log_probs`: Σ_i d_i base^(L − i), i.e. the secret read as a number."""
    base = check_int("base", base, minimum=2, maximum=100)
    if isinstance(digits, (str, bytes)) or not isinstance(digits, (list, tuple, np.ndarray)):
        raise TypeError(f"digits must be a list of ints such as [4, 8, 1, 5, 9], got {_show(digits)}")
    if len(digits) == 0:
        raise ValueError("digits must not be empty")
    value = 0
    for i, digit in enumerate(digits):
        value = value * base + check_int(f"digits[{i}]", digit, minimum=0, maximum=base - 1)
    return value


def secret_log_probs(model: keras.Model, prefix_ids: Sequence[int], digit_ids: Sequence[int], length: int, *,
                     separator_id: int | None = None) -> np.ndarray:
    """Return ln P(secret | prefix) for every secret of ``length`` symbols, shape (len(digit_ids) ** length,).

    ``model`` is a character LSTM of ``lstm_lm.build_lstm_lm``; the secret d_1 ... d_L is the token
    string digit_ids[d_1] (sep) digit_ids[d_2] (sep) ... digit_ids[d_L], with the token
    ``separator_id`` between symbols if given (its probability counts too), read after
    ``prefix_ids`` (start them with <bos>). Entry k is the secret whose symbols, read as a number in
    base len(digit_ids), equal k (:func:`secret_index`). All secrets are scored at once by walking
    the tree of shared prefixes with the NumPy LSTM of ``lstm_lm.LSTMStepper``: 1 + B + ... + B^(L−1)
    states instead of B^L full sequences, and the B children of a state share its recurrent product h U.
    """
    stepper = LSTMStepper(model)
    prefix = _one_sequence("prefix_ids", prefix_ids, stepper.vocab_size)
    symbols = _one_sequence("digit_ids", digit_ids, stepper.vocab_size)
    if len(set(symbols.tolist())) != len(symbols) or len(symbols) < 2:
        raise ValueError(f"digit_ids must be at least 2 distinct token ids, got {_show(list(digit_ids))}")
    length = check_int("length", length, minimum=1, maximum=MAX_SECRET_LENGTH)
    if len(symbols) ** length > 10**MAX_SECRET_LENGTH:
        raise ValueError(f"len(digit_ids) ** length must be at most {10**MAX_SECRET_LENGTH:,} secrets, "
                         f"got {len(symbols)} ** {length}")
    if separator_id is not None:
        separator_id = check_int("separator_id", separator_id, minimum=0, maximum=stepper.vocab_size - 1)
    kernel, recurrent, bias = stepper.weights
    hidden = stepper.hidden_size
    symbol_inputs = stepper.table[symbols] @ kernel + bias  # (B, 4 hidden): x W + b of each symbol, once
    logits, (h, c) = stepper.start(prefix)
    logits = logits[None]  # (states, vocab)
    totals = np.zeros(1)  # ln P of each partial secret so far
    for position in range(length):
        log_probs = losses.log_softmax(logits)  # (states, vocab)
        totals = (totals[:, None] + log_probs[:, symbols]).reshape(-1)  # (states * B,): state-major order
        if position == length - 1:
            break
        # the B children of a state share its h: h U once per state, plus each symbol's x W + b
        z = ((h @ recurrent)[:, None, :] + symbol_inputs[None]).reshape(-1, 4 * hidden)  # (states * B, 4 hidden)
        z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)  # the gates of rnn.lstm_step, Keras's order (i, f, c, o)
        c = _sigmoid(z_f) * np.repeat(c, len(symbols), axis=0) + _sigmoid(z_i) * np.tanh(z_c)
        h = _sigmoid(z_o) * np.tanh(c)
        if separator_id is not None:
            totals = totals + losses.log_softmax(h @ stepper.out_kernel + stepper.out_bias)[:, separator_id]
            h, c = rnn._lstm_cell(stepper.table[[separator_id]] @ kernel + bias, h, c, recurrent)
        logits = h @ stepper.out_kernel + stepper.out_bias
    return totals
