"""Text generation: the step-model protocol, decoding loops, beam search and diversity metrics.

A language model that reads its prompt once and then advances one token at a time from a
carried state (:class:`StepModel`: the LSTM's ``lstm_lm.LSTMStepper``, the Transformer's KV
cache) is decoded by the rules of ``lmtutor.decoding``; n new tokens cost n steps::

    stepper = lstm_lm.LSTMStepper(checkpoint.model)
    ids = generate(stepper, checkpoint.encode("the cat"), config=DecodingConfig(top_p=0.9))
    checkpoint.decode(ids)       # text in and out: the corpus's recipe (datasets.TextRecipe)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np

from lmtutor import decoding as _decoding
from lmtutor import text as _text
from lmtutor._validate import MAX_STEPS, MAX_VOCAB, _show, check_bool, check_float, check_int, check_str, check_type
from lmtutor._validate import check_ids as _check_ids
from lmtutor.decoding import DecodingConfig

EOS_ID = _text.Vocab.eos_id
MAX_BEAM_WIDTH = 1_000  # beams kept per step: each costs a model step per new token


@runtime_checkable
class StepModel(Protocol):
    """A language model decoded one token at a time from a carried state."""

    vocab_size: int

    def start(self, prompt_ids: Sequence[int]) -> tuple[np.ndarray, Any]:
        """Read the whole prompt once; return (logits (vocab_size,) float64 for the next
        token, state). An empty prompt is a ValueError (the caller prepends <bos>)."""

    def step(self, state: Any, token_id: int) -> tuple[np.ndarray, Any]:
        """Feed one token; return (logits (vocab_size,) for the token after it, new state).
        Must not modify `state` in place (beam search keeps several states alive)."""

    def full_logits(self, ids: Sequence[int]) -> np.ndarray:
        """Re-encode `ids` from scratch with the Keras model; return logits (len(ids),
        vocab_size): row t predicts the token after ids[t]. The quadratic baseline and the
        test oracle for start/step."""


def check_ids(name: str, ids: Any, vocab_size: int, *, allow_empty: bool = False) -> list[int]:
    """Return ``ids`` as a list of ints in [0, vocab_size): ``_validate.check_ids`` for one sequence."""
    check_str("name", name, allow_empty=False)
    vocab_size = check_int("vocab_size", vocab_size, minimum=1, maximum=MAX_VOCAB)
    check_bool("allow_empty", allow_empty)
    array = _check_ids(name, ids, vocab_size, allow_empty=allow_empty)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one sequence of ids (1-D), got shape {array.shape}")
    return array.tolist()


def _model(model: Any) -> StepModel:
    if not isinstance(model, StepModel):
        raise TypeError(f"model must implement StepModel (vocab_size, start, step, full_logits), "
                        f"got {type(model).__name__}")
    return model


def _settings(model, prompt_ids, max_tokens, config, seed, stop_id):
    """Return the checked (model, prompt, max_tokens, config, rng, stop_id) of a decoding loop."""
    model = _model(model)
    prompt = check_ids("prompt_ids", prompt_ids, model.vocab_size)
    max_tokens = check_int("max_tokens", max_tokens, minimum=1, maximum=MAX_STEPS)
    check_type("config", config, DecodingConfig)
    _decoding._token_ids("config.banned_ids", config.banned_ids, model.vocab_size)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    if stop_id is not None:
        stop_id = check_int("stop_id", stop_id, minimum=0, maximum=model.vocab_size - 1)
    return model, prompt, max_tokens, config, rng, stop_id


def _min_tokens(min_tokens: Any, max_tokens: int) -> int:
    return check_int("min_tokens", min_tokens, minimum=0, maximum=max_tokens)


def _loop(logits, advance, prompt, max_tokens, config, rng, stop_id, min_tokens=0) -> list[int]:
    """Return new ids: pick a token from ``logits``, stop or append it, ``advance`` to the next logits.

    While fewer than ``min_tokens`` ids are out, ``stop_id`` is banned (the rest renormalised)."""
    new: list[int] = []
    penalised = config.repetition_penalty != 1.0
    early = config if stop_id is None or not min_tokens else replace(config, banned_ids=config.banned_ids + (stop_id,))
    z = _decoding._logits(logits)  # the model's first logits are checked once; the loop runs the kernels
    banned_early, banned_late = (np.asarray(c.banned_ids, dtype=np.int64) for c in (early, config))
    no_ids = np.zeros(0, dtype=np.int64)
    while True:
        rules, banned = (early, banned_early) if len(new) < min_tokens else (config, banned_late)
        previous = np.asarray(prompt + new, dtype=np.int64) if penalised else no_ids
        z = _decoding._processed(z, rules, banned, previous)
        token = _decoding._draw(_decoding._probabilities(z, rules), rules, rng)
        if token == stop_id:
            return new
        new.append(token)
        if len(new) == max_tokens:
            return new
        z = np.array(advance(token, new), dtype=np.float64)


def generate(model: StepModel, prompt_ids: Sequence[int], *, max_tokens: int = 100,
             config: DecodingConfig = DecodingConfig(), seed: int = 0,
             stop_id: int | None = EOS_ID, min_tokens: int = 0) -> list[int]:
    """Return up to ``max_tokens`` new ids after ``prompt_ids``, each chosen by ``config``.

    The prompt is read once (``model.start``); then y_t ~ P(· | prompt, y_<t) costs one
    ``model.step`` that carries the state forward, so n tokens cost n steps: O(n). Stops before
    ``stop_id`` (<eos>; not returned; None: never), which may not come before ``min_tokens`` new
    ids (a minimum length: until then ``stop_id`` is banned, a decoding rule). The same seed gives
    the same ids.
    """
    model, prompt, max_tokens, config, rng, stop_id = _settings(model, prompt_ids, max_tokens, config, seed, stop_id)
    min_tokens = _min_tokens(min_tokens, max_tokens)  # checked before the model reads the prompt
    logits, state = model.start(prompt)

    def advance(token, new):
        nonlocal state
        next_logits, state = model.step(state, token)
        return next_logits

    return _loop(logits, advance, prompt, max_tokens, config, rng, stop_id, min_tokens)


def generate_reencoding(model: StepModel, prompt_ids: Sequence[int], *, max_tokens: int = 100,
                        config: DecodingConfig = DecodingConfig(), seed: int = 0,
                        stop_id: int | None = EOS_ID, use_keras: bool = False,
                        min_tokens: int = 0) -> list[int]:
    """Return what :func:`generate` returns, re-encoding the whole prefix for every new token.

    Token t reads ``prompt + y_<t`` again from the start and keeps only the last logits: it costs
    O(P + t) steps, so n tokens cost nP + n(n-1)/2 steps where the stateful path costs P + n. By
    default the prefix is read by ``model.start`` (the same NumPy arithmetic as ``model.step``, so
    a comparison of the two measures the algorithm alone); ``use_keras=True`` reads it with
    ``model.full_logits`` (the framework's own forward pass: an independent check of the stepper,
    with the framework's per-call overhead on top).
    """
    model, prompt, max_tokens, config, rng, stop_id = _settings(model, prompt_ids, max_tokens, config, seed, stop_id)
    check_bool("use_keras", use_keras)
    min_tokens = _min_tokens(min_tokens, max_tokens)
    if use_keras:
        read = lambda ids: model.full_logits(ids)[-1]
    else:
        read = lambda ids: model.start(ids)[0]
    return _loop(read(prompt), lambda token, new: read(prompt + new), prompt, max_tokens, config, rng, stop_id,
                 min_tokens)


# ---------------------------------------------------------------------------------- beam search
@dataclass(frozen=True)
class Hypothesis:
    """One sequence kept by :func:`beam_search`, with its log-probability and score."""

    ids: tuple[int, ...]  # the new tokens after the prompt, without the stop token
    log_prob: float  # ln P(Y | prompt), the stop token's probability included when finished
    score: float  # log_prob / lp(|Y|): what hypotheses are ranked by
    finished: bool  # True: ended with the stop token; False: cut off at max_tokens

    def __post_init__(self):
        if not isinstance(self.ids, tuple) or not all(type(t) is int and t >= 0 for t in self.ids):
            check_type("ids", self.ids, tuple)
            for i, token in enumerate(self.ids):
                check_int(f"ids[{i}]", token, minimum=0)
        check_float("log_prob", self.log_prob, maximum=0.0)
        check_float("score", self.score, maximum=0.0)
        check_bool("finished", self.finished)


def length_normalized_score(log_prob: float, length: int, length_penalty: float) -> float:
    """Return ln P(Y) / lp(Y) with lp(Y) = ((5 + |Y|) / 6)^α (Wu et al. 2016), α = length_penalty.

    α = 0 gives ln P(Y) itself, which favours short outputs (every token adds a negative term);
    α = 1 makes long outputs score about 6 × their mean log-probability per token.
    """
    log_prob = check_float("log_prob", log_prob, maximum=0.0)  # a log-probability: ln P <= 0
    check_int("length", length, minimum=0)
    return log_prob / ((5 + length) / 6) ** check_float("length_penalty", length_penalty, minimum=0.0)


def beam_search(model: StepModel, prompt_ids: Sequence[int], *, beam_width: int = 4,
                max_tokens: int = 20, length_penalty: float = 0.0, stop_id: int | None = EOS_ID,
                banned_ids: Sequence[int] = DecodingConfig.banned_ids, early_stop: bool = True) -> list[Hypothesis]:
    """Return the ``beam_width`` best hypotheses found, best first, by ln P(Y) / ((5 + |Y|) / 6)^α.

    At each step every live beam is extended by every token, and the extensions are ranked by
    ln P(Y) = Σ_t ln P(y_t | prompt, y_<t), the softmax renormalised without ``banned_ids``. An
    extension by ``stop_id`` among the ``beam_width`` best is set aside as finished; the best
    ``beam_width`` other extensions stay live. After ``max_tokens`` steps the live beams are cut
    off. All are ranked by the score of :func:`length_normalized_score` (α = ``length_penalty``,
    |Y| counts the stop token). Width 1 is greedy decoding.

    With ``early_stop`` the search ends as soon as no live beam can still enter the best
    ``beam_width``: a continuation has ln P at most its beam's (every token adds ln p <= 0) and
    length at most ``max_tokens``, so its score is at most ln P / ((5 + max_tokens) / 6)^α. When the
    ``beam_width``-th best finished score reaches that bound for every live beam, the remaining steps
    could not change the result; ``early_stop=False`` runs them anyway (the same hypotheses, more
    model steps).
    """
    model = _model(model)
    prompt = check_ids("prompt_ids", prompt_ids, model.vocab_size)
    width = check_int("beam_width", beam_width, minimum=1, maximum=MAX_BEAM_WIDTH)
    max_tokens = check_int("max_tokens", max_tokens, minimum=1, maximum=MAX_STEPS)
    alpha = check_float("length_penalty", length_penalty, minimum=0.0)
    banned = check_ids("banned_ids", banned_ids, model.vocab_size, allow_empty=True)
    if len(set(banned)) >= model.vocab_size:
        raise ValueError(f"banned_ids bans all {model.vocab_size} tokens: nothing is left to choose")
    if stop_id is not None:
        stop_id = check_int("stop_id", stop_id, minimum=0, maximum=model.vocab_size - 1)
    early_stop = check_bool("early_stop", early_stop)
    longest = ((5 + max_tokens) / 6) ** alpha  # lp of the longest hypothesis the search can return
    logits, state = model.start(prompt)
    logits = _decoding._logits(logits)  # checked once: the loop below runs the kernel _log_probs
    live = [((), 0.0, logits, state)]  # (ids, ln P, logits for the next token, state)
    done: list[Hypothesis] = []

    def keep(ids, log_prob, finished):
        length = len(ids) + finished
        done.append(Hypothesis(ids, log_prob, length_normalized_score(log_prob, length, alpha), finished))

    for step in range(max_tokens):
        log_probs = []
        for _, _, beam_logits, _ in live:
            masked = np.array(beam_logits, dtype=np.float64)
            masked[banned] = -np.inf
            log_probs.append(_decoding._log_probs(masked))
        totals = np.array([b[1] for b in live])[:, None] + np.stack(log_probs)  # (beams, vocab)
        chosen = []
        for rank, flat in enumerate(np.argsort(-totals, axis=None, kind="stable")):
            beam, token = divmod(int(flat), model.vocab_size)
            total = float(totals[beam, token])
            if len(chosen) == width or total == -math.inf:
                break
            if token == stop_id:
                if rank < width:
                    keep(live[beam][0], total, True)
            else:
                chosen.append((beam, token, total))
        if early_stop and len(done) >= width and chosen:
            kth = sorted((h.score for h in done), reverse=True)[width - 1]
            if kth >= max(total for _, _, total in chosen) / longest:
                break  # no live beam can beat the width-th finished one (a tie would sort after it)
        if step == max_tokens - 1:
            for beam, token, total in chosen:
                keep(live[beam][0] + (token,), total, False)
            break
        live = [(live[beam][0] + (token,), total, *model.step(live[beam][3], token))
                for beam, token, total in chosen]
        if not live:
            break
    return sorted(done, key=lambda h: -h.score)[:width]


# ------------------------------------------------------------------------------------- metrics
def _sequences(sequences: Any, n: Any) -> tuple[list[tuple], int]:
    """Return the checked sequences as tuples and n."""
    n = check_int("n", n, minimum=1)
    if isinstance(sequences, (str, bytes)):
        raise TypeError("sequences must be a list of token sequences, got a str; wrap it: [list(text)]")
    if not isinstance(sequences, (list, tuple)):
        raise TypeError(f"sequences must be a list of token sequences, got {type(sequences).__name__} {_show(sequences)}")
    items = list(sequences)
    out = []
    for i, seq in enumerate(items):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, (list, tuple, np.ndarray)):
            raise TypeError(f"sequences[{i}] must be a list of tokens or ids, got {type(seq).__name__} "
                            f"{_show(seq)}; for characters use list(text)")
        out.append(tuple(np.asarray(seq).tolist()) if isinstance(seq, np.ndarray) else tuple(seq))
        try:
            hash(out[-1])
        except TypeError:
            raise TypeError(f"sequences[{i}] must hold tokens (str) or ids (int), got a nested "
                            f"{type(seq).__name__} {_show(seq)}") from None
    if not any(len(seq) >= n for seq in out):
        raise ValueError(f"sequences has no sequence of at least n={n} tokens, so no {n}-grams")
    return out, n


def _ngrams(seq: tuple, n: int) -> list[tuple]:
    return [seq[i:i + n] for i in range(len(seq) - n + 1)]


def distinct_n(sequences: Sequence[Sequence], n: int) -> float:
    """Return distinct-n = |distinct n-grams| / |n-grams|, pooled over all ``sequences``.

    Li et al. 2016: 1 when no n-gram repeats anywhere, near 0 when the samples say the same thing.
    """
    sequences, n = _sequences(sequences, n)
    grams = [g for seq in sequences for g in _ngrams(seq, n)]
    return len(set(grams)) / len(grams)


def repetition_rate(sequences: Sequence[Sequence], n: int = 4) -> float:
    """Return the mean over sequences s of 1 − |distinct n-grams of s| / |n-grams of s|.

    The share of n-grams that repeat an earlier one in the same sequence (seq-rep-n of Welleck
    et al. 2019): 0 for text that never loops, near 1 for "the the the ...". Sequences shorter than
    n are skipped.
    """
    sequences, n = _sequences(sequences, n)
    rates = [1 - len(set(g)) / len(g) for g in (_ngrams(s, n) for s in sequences) if g]
    return float(np.mean(rates))


def token_log_probs(model: StepModel, prompt_ids: Sequence[int], ids: Sequence[int]) -> np.ndarray:
    """Return ln P(y_t | prompt, y_<t) for each token y_t of ``ids`` (float64, shape (len(ids),)).

    Under the model's own softmax: no temperature, truncation or banned tokens.
    """
    model = _model(model)
    prompt = check_ids("prompt_ids", prompt_ids, model.vocab_size)
    ids = check_ids("ids", ids, model.vocab_size)
    logits, state = model.start(prompt)
    logits = _decoding._logits(logits)  # checked once; the loop runs the kernel _log_probs
    out = np.empty(len(ids))
    for t, token in enumerate(ids):
        out[t] = _decoding._log_probs(np.asarray(logits, dtype=np.float64))[token]
        if t + 1 < len(ids):
            logits, state = model.step(state, token)
    return out


def continuation_perplexity(model: StepModel, prompt_ids: Sequence[int], ids: Sequence[int]) -> float:
    """Return exp(−(1/T) Σ_t ln P(y_t | prompt, y_<t)) of the continuation ``ids`` = y_1 ... y_T.

    Append <eos> to ``ids`` to score the decision to stop too. Low values are not better text:
    greedy and beam outputs score lower than human text (Holtzman et al. 2020).
    """
    return math.exp(-float(np.mean(token_log_probs(model, prompt_ids, ids))))
