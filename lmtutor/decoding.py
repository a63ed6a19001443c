"""Decoding rules: how a language model's logits vector becomes the next token.

Each rule is a pure function from a logits vector z (vocab_size,) to a new one; a token a rule
removes gets z_i = −inf, so softmax gives it probability 0. :class:`DecodingConfig` names a
combination and :func:`sample_next` applies it::

    config = DecodingConfig(temperature=0.8, top_p=0.9)
    probs = probabilities(logits, config)                  # what the next token is drawn from
    token = sample_next(logits, config, rng=np.random.default_rng(0))
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from lmtutor._validate import _show, check_array, check_bool, check_float, check_ids, check_int, check_type
from lmtutor.losses import log_softmax

TOP_P_TOLERANCE = 1e-12  # a cumulative mass within this of top_p counts as reaching it (rounding)


def _logits(logits: Any) -> np.ndarray:
    """Return a float64 copy of a logits vector: 1-D, no NaN or +inf, at least one finite entry."""
    if isinstance(logits, (str, bytes)) or logits is None:
        raise TypeError(f"logits must be a vector of numbers (vocab_size,), got {type(logits).__name__} {_show(logits)}")
    z = check_array("logits", logits, copy=True, allow_minus_inf=True)  # real numbers only: no bool, no complex
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"logits must be a non-empty vector of shape (vocab_size,), got shape {z.shape}")
    if not np.isfinite(z).any():
        raise ValueError("logits has no finite entry: every token was removed")
    return z


def _token_ids(name: str, ids: Any, vocab_size: int) -> np.ndarray:
    """Return ``ids`` as a 1-D int array of token ids in [0, vocab_size) (``_validate.check_ids``)."""
    array = check_ids(name, ids, vocab_size, allow_empty=True)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one sequence of ids (1-D), got shape {array.shape}")
    return array


def _scaled(z: np.ndarray, temperature: float) -> np.ndarray:
    """Return z / T, raising a ValueError naming temperature if a logit overflows to ±inf."""
    with np.errstate(over="ignore"):
        out = z / temperature
    if np.isposinf(out).any() or (np.isneginf(out) & np.isfinite(z)).any():
        raise ValueError(f"temperature {temperature:g} is too small: logits / temperature overflow to infinity")
    return out


def _top_k(z: np.ndarray, k: int) -> np.ndarray:
    keep = np.argsort(-z, kind="stable")[:k]  # largest first, ties by id
    out = np.full_like(z, -np.inf)
    out[keep] = z[keep]
    return out


def _top_p(z: np.ndarray, top_p: float) -> np.ndarray:
    if top_p == 1.0:
        return z
    order = np.argsort(-z, kind="stable")  # most likely first, ties by id
    cumulative = np.cumsum(np.exp(log_softmax(z, allow_removed=True))[order])
    size = int(np.searchsorted(cumulative, top_p - TOP_P_TOLERANCE, side="left")) + 1  # first reaching p
    keep = order[:min(size, int(np.isfinite(z).sum()))]
    out = np.full_like(z, -np.inf)
    out[keep] = z[keep]
    return out


def _penalty(z: np.ndarray, seen: np.ndarray, penalty: float) -> np.ndarray:
    z[seen] = np.where(z[seen] > 0, z[seen] / penalty, z[seen] * penalty)
    return z


def _log_probs(z: np.ndarray) -> np.ndarray:
    """Return ln softmax(z) of a checked float64 vector with a finite entry; −inf stays −inf (the kernel)."""
    shifted = z - z.max()
    return shifted - np.log(np.exp(shifted).sum())


def log_probabilities(logits: Any) -> np.ndarray:
    """Return ln softmax(z)_i = (z_i − max z) − ln Σ_j exp(z_j − max z); −inf entries stay −inf."""
    return log_softmax(_logits(logits), allow_removed=True)


def apply_temperature(logits: Any, temperature: float) -> np.ndarray:
    """Return z / T: softmax(z / T) is sharper for T < 1, flatter for T > 1, arg-max as T → 0."""
    temperature = check_float("temperature", temperature, minimum=0.0, min_inclusive=False)
    return _scaled(_logits(logits), temperature)


def filter_top_k(logits: Any, k: int) -> np.ndarray:
    """Return the logits with all but the k largest set to −inf (Fan et al. 2018's top-k).

    Exactly min(k, vocab_size) entries keep their value; among equal logits the lower id is kept.
    """
    return _top_k(_logits(logits), check_int("k", k, minimum=1))


def filter_top_p(logits: Any, top_p: float) -> np.ndarray:
    """Return the logits with −inf outside the nucleus (Holtzman et al. 2020's top-p).

    With p = softmax(z) sorted in decreasing order p_(1) ≥ p_(2) ≥ ..., the nucleus is the m most
    likely tokens, m the smallest with Σ_{i ≤ m} p_(i) ≥ top_p: the smallest set whose mass
    reaches top_p. top_p = 1 keeps every token.
    """
    return _top_p(_logits(logits), check_float("top_p", top_p, minimum=0.0, maximum=1.0, min_inclusive=False))


def apply_repetition_penalty(logits: Any, previous_ids: Sequence[int], penalty: float) -> np.ndarray:
    """Return the logits with every token of ``previous_ids`` made less likely by ``penalty`` θ.

    CTRL (Keskar et al. 2019) divides the logit of a token already in the text by θ (≈ 1.2).
    Dividing raises a negative logit, so as in common implementations a negative one is
    multiplied instead: z_i ← z_i / θ if z_i > 0, else z_i · θ. θ = 1 changes nothing; each
    token counts once, however often it occurred.
    """
    z = _logits(logits)
    penalty = check_float("penalty", penalty, minimum=0.0, min_inclusive=False)
    return _penalty(z, np.unique(_token_ids("previous_ids", previous_ids, z.size)), penalty)


@dataclass(frozen=True)
class DecodingConfig:
    """How :func:`sample_next` picks the next token; checked when created."""

    greedy: bool = False  # take the arg-max token; temperature, top_k and top_p then change nothing
    temperature: float = 1.0  # sample from softmax(logits / temperature); must be > 0
    top_k: int | None = None  # keep only the k most likely tokens (None: no limit)
    top_p: float | None = None  # keep the smallest set of tokens whose mass reaches top_p, in (0, 1]
    repetition_penalty: float = 1.0  # CTRL's θ for tokens already in prompt + output; 1.0 = off
    banned_ids: tuple[int, ...] = (0, 2)  # never produced: <pad> and <bos> are inputs, not outputs

    def __post_init__(self):
        check_bool("greedy", self.greedy)
        check_float("temperature", self.temperature, minimum=0.0, min_inclusive=False)
        if self.top_k is not None:
            check_int("top_k", self.top_k, minimum=1)
        if self.top_p is not None:
            check_float("top_p", self.top_p, minimum=0.0, maximum=1.0, min_inclusive=False)
        check_float("repetition_penalty", self.repetition_penalty, minimum=0.0, min_inclusive=False)
        if isinstance(self.banned_ids, (str, bytes)) or not isinstance(self.banned_ids, (tuple, list)):
            raise TypeError(f"banned_ids must be a tuple of int token ids, got {_show(self.banned_ids)}")
        for i, token in enumerate(self.banned_ids):
            if isinstance(token, bool) or not isinstance(token, numbers.Integral):
                raise TypeError(f"banned_ids[{i}] must be an int token id, got {type(token).__name__} {_show(token)}")
            if token < 0:
                raise ValueError(f"banned_ids[{i}] must be a token id >= 0, got {_show(token)}")
        object.__setattr__(self, "banned_ids", tuple(int(t) for t in self.banned_ids))


def processed_logits(logits: Any, config: DecodingConfig = DecodingConfig(),
                     previous_ids: Sequence[int] = ()) -> np.ndarray:
    """Return the logits after the rules of ``config``, in this order: banned ids → −inf,
    repetition penalty, then (unless greedy) temperature, top-k and top-p."""
    check_type("config", config, DecodingConfig)
    z = _logits(logits)
    banned = _token_ids("config.banned_ids", config.banned_ids, z.size)
    previous = _token_ids("previous_ids", previous_ids, z.size)
    return _processed(z, config, banned, previous)


def _processed(z: np.ndarray, config: DecodingConfig, banned: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Return processed_logits for checked arguments: ``z`` a float64 copy it may change, ids in range."""
    if banned.size:
        z[banned] = -np.inf
        if not np.isfinite(z).any():
            raise ValueError("logits has no finite entry once config.banned_ids are removed: every "
                             "token was removed")
    if config.repetition_penalty != 1.0:
        z = _penalty(z, np.unique(previous), config.repetition_penalty)
    if config.greedy:
        return z
    z = _scaled(z, config.temperature)
    if config.top_k is not None:
        z = _top_k(z, config.top_k)
    if config.top_p is not None:
        z = _top_p(z, config.top_p)
    return z


def probabilities(logits: Any, config: DecodingConfig = DecodingConfig(),
                  previous_ids: Sequence[int] = ()) -> np.ndarray:
    """Return the distribution (vocab_size,) the next token is drawn from: softmax(processed z).

    Under ``config.greedy`` it is one-hot at arg-max z (the lowest id among ties).
    """
    return _probabilities(processed_logits(logits, config, previous_ids), config)


def _probabilities(z: np.ndarray, config: DecodingConfig) -> np.ndarray:
    """Return the distribution of processed logits ``z`` (one-hot at the arg-max under greedy)."""
    if config.greedy:
        probs = np.zeros_like(z)
        probs[int(np.argmax(z))] = 1.0
        return probs
    return np.exp(log_softmax(z, allow_removed=True))


def sample_next(logits: Any, config: DecodingConfig = DecodingConfig(), *,
                rng: np.random.Generator | None = None, previous_ids: Sequence[int] = ()) -> int:
    """Return the next token id: arg-max z if ``config.greedy``, else a draw from :func:`probabilities`.

    ``previous_ids`` (prompt and output so far) matter only for the repetition penalty. Sampling
    needs ``rng`` (``np.random.default_rng(seed)``); greedy decoding draws nothing.
    """
    check_type("config", config, DecodingConfig)
    if not config.greedy and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)) to sample, got "
                        f"{type(rng).__name__}; only greedy=True works without one")
    probs = probabilities(logits, config, previous_ids)
    return _draw(probs, config, rng)


def _draw(probs: np.ndarray, config: DecodingConfig, rng: np.random.Generator | None) -> int:
    """Return the arg-max of ``probs`` under greedy, else a draw from it with ``rng``."""
    return int(np.argmax(probs)) if config.greedy else int(rng.choice(probs.size, p=probs))
