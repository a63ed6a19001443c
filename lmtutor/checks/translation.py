"""Checks for the exercises of notebook 09: BLEU's brevity penalty, BLEU's clipped (modified) n-gram
precision, the weights of additive (Bahdanau) attention, and one step of beam search.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`;
the reference answers are those of ``lmtutor.translation_metrics`` (whose tests prove it equal to
sacrebleu) and of ``lmtutor.losses`` (the stable softmax); the beam step is written here with the
ranking of ``generate.beam_search`` (a Models module, which checks do not import)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Callable

from lmtutor.checks._runner import (
    CheckResult, _Exercise, _Mistake, _arrays_exercise, _cases, _run, _run_arrays,
)


def _np():
    import numpy as np

    return np


# ----------------------------------------------------------------------------- brevity penalty
def _brevity_penalty(hyp_length, ref_length):
    from lmtutor.translation_metrics import brevity_penalty

    return brevity_penalty(hyp_length, ref_length)


_EMPTY_HYPOTHESIS = "a corpus of 0 hypothesis tokens gets BP = 0 (return 0.0 when hyp_length is 0: r / c divides by 0)"
_BREVITY = _Exercise(
    "brevity_penalty", ("hyp_length", "ref_length"), _brevity_penalty,
    note="BP = 1 if c >= r else exp(1 − r / c), and 0 for c = 0",
    cases=_cases([(8, 10)], [(12, 10), (10, 10), (0, 5), (1, 40), (99, 100), (3, 7), (7, 3)]),
    errors=((ZeroDivisionError, _EMPTY_HYPOTHESIS),),
    mistakes=(
        _Mistake("the ratio is upside down: BP = exp(1 − r / c) with r the reference length and c the "
                 "hypothesis length, which is below 1 when the hypothesis is shorter.",
                 lambda c, r: 1.0 if c >= r else math.exp(1 - c / r)),
        _Mistake("a hypothesis at least as long as the reference is not penalised: BP = 1 when c >= r "
                 "(exp(1 − r / c) is above 1 there).",
                 lambda c, r: math.exp(1 - r / c) if c else 0.0),
        _Mistake("you left out the 1: BP = exp(1 − r / c), so that c = r gives exp(0) = 1.",
                 lambda c, r: 1.0 if c >= r else math.exp(-r / c) if c else 0.0),
        _Mistake("BP is an exponential, exp(1 − r / c), not the length ratio c / r itself.",
                 lambda c, r: min(1.0, c / r) if r else 1.0),
        _Mistake(_EMPTY_HYPOTHESIS, lambda c, r: 1.0 if c >= r else math.exp(1 - r / c) if c else 1.0),
    ))


def check_brevity_penalty(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(hyp_length, ref_length)`` -> BLEU's brevity penalty (a float).

    Formula: ``BP = 1 if c >= r else exp(1 − r / c)`` with c = ``hyp_length`` and r = ``ref_length``
    the token counts of the whole corpus; c = 0 gives 0.0. Notebook example: ``fn(8, 10)`` is
    exp(−0.25) = 0.7788.
    """
    return _run(_BREVITY, fn)


# ---------------------------------------------------------------------------- clipped precision
def _grams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _clipped_precision(hypothesis, reference, n):
    from lmtutor.translation_metrics import modified_precision

    matches, total = modified_precision(list(hypothesis), list(reference), n)
    return matches / total if total else 0.0


def _precision_variant(hypothesis, reference, n, *, clip=True, distinct=False, recall=False, off_by_one=False):
    """Return a typical wrong modified precision (or the right one with the defaults)."""
    cut = 1 if off_by_one else 0
    hyp = Counter(tuple(hypothesis[i:i + n]) for i in range(len(hypothesis) - n + 1 - cut))
    ref = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1 - cut))
    if distinct:
        hyp, ref = Counter(set(hyp)), Counter(set(ref))
    matches = sum(min(count, ref[g]) if clip else (count if ref[g] else 0) for g, count in hyp.items())
    total = sum((ref if recall else hyp).values())
    return matches / total if total else 0.0


_NO_NGRAMS = "a hypothesis shorter than n has no n-grams: return 0.0 then (0 matches of 0)"
_CLIPPED = _Exercise(
    "clipped_precision", ("hypothesis", "reference", "n"), _clipped_precision,
    note="p_n = Σ_g min(count_hyp(g), count_ref(g)) / Σ_g count_hyp(g) over the hypothesis n-grams g",
    cases=_cases([("the the the the cat".split(), "the cat sat on the mat".split(), 1)],
                 [("the the the the cat".split(), "the cat sat on the mat".split(), 2),
                  (list("我有三百四十二个苹果。"), list("我有三百四十二个苹果。"), 4),
                  (list("一万二千二千三百"), list("一万二千三百"), 2),
                  (list("我们看见了两只鸟鸟鸟"), list("我们看见了两只鸟。"), 1),
                  (list("今天是年月日"), list("今天是1998年5月3日。"), 3),
                  (["a", "b"], ["a", "b", "c"], 3),
                  ("a b a b a b".split(), "a b a c a b".split(), 2)]),
    errors=((ZeroDivisionError, _NO_NGRAMS),),
    mistakes=(
        _Mistake("you did not clip: a hypothesis n-gram counts at most as often as it occurs in the "
                 "reference (min(count_hyp, count_ref)), so \"the the the the\" cannot match 4 times "
                 "against a reference with two \"the\".",
                 lambda h, r, n: _precision_variant(h, r, n, clip=False)),
        _Mistake("count every occurrence of an n-gram (a Counter of them), not the distinct n-grams "
                 "(a set): both the matches and the total count repeats.",
                 lambda h, r, n: _precision_variant(h, r, n, distinct=True)),
        _Mistake("divide by the number of n-grams in the *hypothesis*, not in the reference: BLEU's "
                 "p_n is a precision (the brevity penalty takes care of short hypotheses).",
                 lambda h, r, n: _precision_variant(h, r, n, recall=True)),
        _Mistake("you counted unigrams whatever n is: use the n-grams tuple(tokens[i:i + n]).",
                 lambda h, r, n: _precision_variant(h, r, 1)),
        _Mistake("you missed the last n-gram: a list of L tokens has L − n + 1 n-grams, "
                 "range(len(tokens) - n + 1).",
                 lambda h, r, n: _precision_variant(h, r, n, off_by_one=True)),
        _Mistake(_NO_NGRAMS, lambda h, r, n: _clipped_precision(h, r, n) if len(h) >= n else 1.0),
    ))


def check_clipped_precision(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(hypothesis, reference, n)`` -> BLEU's modified precision p_n.

    ``hypothesis`` and ``reference`` are lists of tokens; p_n = Σ_g min(count_hyp(g), count_ref(g))
    / Σ_g count_hyp(g) over the n-grams g of the hypothesis, 0.0 if it has none. Notebook example:
    "the the the the cat" against "the cat sat on the mat" with n = 1 gives 3 / 5 = 0.6.
    """
    return _run(_CLIPPED, fn)


# ---------------------------------------------------------------------------- additive attention
def _softmax(scores, stable=True):
    np = _np()
    with np.errstate(over="ignore", invalid="ignore"):
        exp = np.exp(scores - (np.max(scores) if stable else 0.0))
        return exp / exp.sum()


def _additive_variant(query, keys, W_query, W_keys, v, *, squash="tanh", swap=False, use_v=True, normalise=True,
                      stable=True):
    """Return softmax_s(v · tanh(query W_query + keys_s W_keys)) (S,), or a typical wrong version."""
    np = _np()
    if swap:
        W_query, W_keys = W_keys, W_query
    hidden = query @ W_query + keys @ W_keys  # (S, A): the query's projection is added to every key's
    hidden = {"tanh": np.tanh, "none": lambda x: x, "sigmoid": lambda x: 1 / (1 + np.exp(-x))}[squash](hidden)
    scores = hidden @ v if use_v else hidden.sum(axis=1)  # (S,)
    return _softmax(scores, stable) if normalise else scores


def _additive_reference(query, keys, W_query, W_keys, v):
    np = _np()
    from lmtutor.losses import log_softmax

    scores = np.tanh(np.asarray(query) @ W_query + np.asarray(keys) @ W_keys) @ v
    return np.exp(log_softmax(scores))


def _additive_case(seed, source, hidden, size):
    np = _np()
    rng = np.random.default_rng(seed)
    return (rng.normal(size=hidden), rng.normal(size=(source, hidden)), rng.normal(0, 0.5, (hidden, size)),
            rng.normal(0, 0.5, (hidden, size)), rng.normal(size=size))


def _shown_additive_case():
    np = _np()
    query = np.array([1.0, 0.0])
    keys = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W_query = np.array([[1.0, 0.0], [0.0, 1.0]])
    W_keys = np.array([[0.5, 0.0], [0.0, -1.0]])
    return query, keys, W_query, W_keys, np.array([1.0, 1.0])


def _large_scores_case():
    """Return an input whose largest score is above 1,000: np.exp of the raw scores overflows."""
    np = _np()
    query, keys, W_query, _, _ = _additive_case(4, 5, 4, 4)
    keys[2] = 5.0  # with W_keys = I, key 2 pushes every tanh unit close to +1: a score near 1,200
    return query, keys, W_query, np.eye(4), np.full(4, 300.0)


def _tied_case():
    """Return an input whose three keys are equal, so the weights are exactly uniform."""
    np = _np()
    query, _, W_query, W_keys, v = _additive_case(7, 3, 3, 2)
    return query, np.tile([0.3, -0.2, 0.5], (3, 1)), W_query, W_keys, v


def _additive_exercise():
    variant = lambda **kw: (lambda q, k, wq, wk, v: _additive_variant(q, k, wq, wk, v, **kw))  # noqa: E731
    return _arrays_exercise(
        "additive_attention", ("query", "keys", "W_query", "W_keys", "v"), _additive_reference,
        note="a = softmax_s(v · tanh(query W_query + keys_s W_keys)), one weight per source position",
        cases=_cases([_shown_additive_case()],
                     [_additive_case(1, 4, 3, 5), _additive_case(2, 6, 4, 2), _additive_case(3, 1, 2, 3),
                      _tied_case(), _large_scores_case(),
                      _additive_case(5, 4, 3, 5)]),  # the shapes of case 1, other values: every argument matters
        mistakes=(
            _Mistake("you left out the tanh: the score is v · tanh(query W_query + key W_keys); without "
                     "it the score is linear and the query cannot change which key wins.", variant(squash="none")),
            _Mistake("Bahdanau's score squashes with tanh, not the logistic sigmoid.", variant(squash="sigmoid")),
            _Mistake("you returned the scores: apply a softmax over the source positions so the weights "
                     "are positive and sum to 1.", variant(normalise=False)),
            _Mistake("W_query projects the query and W_keys the keys: you swapped them.", variant(swap=True)),
            _Mistake("you summed the tanh vector instead of taking its dot product with v: the score is "
                     "v · tanh(...), (S, A) @ v.", variant(use_v=False)),
            _Mistake("exp overflowed for large scores (inf / inf is NaN): subtract the largest score "
                     "before np.exp, as the stable softmax of notebook 05 does.", variant(stable=False)),
        ))


def check_additive_attention(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(query, keys, W_query, W_keys, v)`` -> attention weights (S,).

    Bahdanau's additive score e_s = v · tanh(query W_query + keys_s W_keys) for each source position
    s, then a = softmax(e) over s. Shapes: query (H,), keys (S, H), W_query and W_keys (H, A), v (A,).
    One hidden input has scores above 1,000, so the softmax must subtract the largest score.
    """
    return _run_arrays(_additive_exercise(), fn)


# ----------------------------------------------------------------------------- one beam step
def _beam_step(beam_scores, log_probs, beam_width):
    """Return the beam_width best (beam, token, total) of totals[b, v] = beam_scores[b] + log_probs[b, v],
    best first, ties in the order of np.argsort(-totals, axis=None, kind="stable") (as generate.beam_search)."""
    np = _np()
    totals = np.asarray(beam_scores, dtype=np.float64)[:, None] + np.asarray(log_probs, dtype=np.float64)
    vocab = totals.shape[1]
    best = np.argsort(-totals, axis=None, kind="stable")[:beam_width]
    return [(int(flat) // vocab, int(flat) % vocab, float(totals.flat[flat])) for flat in best]


def _as_triples(value):
    """Return a learner's answer as a list of (int, int, float) triples when it has that shape."""
    np = _np()
    if isinstance(value, (list, tuple, np.ndarray)) and len(value) and all(
            isinstance(item, (list, tuple, np.ndarray)) and len(item) == 3 for item in value):
        try:
            return [(int(b), int(v), float(s)) for b, v, s in value]
        except (TypeError, ValueError, OverflowError):
            return value
    return value


def _beam_variant(beam_scores, log_probs, beam_width, *, add=True, multiply=False, per_beam=False, ascending=False,
                  unstable=False, reverse=False):
    """Return one typical wrong beam step (or the right one with the defaults), totals as it computes them."""
    np = _np()
    scores, lp = np.asarray(beam_scores, dtype=np.float64), np.asarray(log_probs, dtype=np.float64)
    totals = scores[:, None] * lp if multiply else (scores[:, None] + lp if add else lp + 0 * scores[:, None])
    beams, vocab = totals.shape
    if per_beam:  # each beam's best token only, then the best of those
        tokens = totals.argmax(axis=1)
        order = np.argsort(-totals[np.arange(beams), tokens], kind="stable")[:beam_width]
        return [(int(b), int(tokens[b]), float(totals[b, tokens[b]])) for b in order]
    flat = np.argsort(totals if ascending else -totals, axis=None, kind="quicksort" if unstable else "stable")
    out = []
    for index in flat[:beam_width]:
        b, v = divmod(int(index), vocab)
        out.append((b, v, float(totals[b, v])))
    return out[::-1] if reverse else out


def _beam_case(seed, beams, vocab, width):
    np = _np()
    rng = np.random.default_rng(seed)
    log_probs = np.log(rng.dirichlet(np.ones(vocab), size=beams))
    return -np.sort(rng.exponential(2.0, beams)), log_probs, width


def _shown_beam_case():
    np = _np()
    log_probs = np.log(np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]]))
    return np.array([-1.0, -1.5]), log_probs, 2


def _tied_beam_case():
    """Return a step whose best totals tie across beams and tokens (exact in binary: halves and quarters)."""
    np = _np()
    with np.errstate(divide="ignore"):  # token 3 is banned everywhere: ln 0 = −inf
        log_probs = np.log(np.array([[0.25, 0.25, 0.5, 0.0], [0.5, 0.25, 0.25, 0.0], [0.25, 0.5, 0.25, 0.0]]))
    return np.zeros(3), log_probs, 4


_FLAT_INDEX = ("in the flattened (beams, vocab) array, index // vocab_size is the beam and index % vocab_size "
               "the token: divmod(index, log_probs.shape[1]), not divmod(index, len(beam_scores))")


def _beam_exercise():
    variant = lambda **kw: (lambda s, lp, k: _beam_variant(s, lp, k, **kw))  # noqa: E731
    return _Exercise(
        "beam_step", ("beam_scores", "log_probs", "beam_width"), _beam_step,
        note="the beam_width best of beam_scores[b] + log_probs[b, v] over all beams and tokens, best first",
        cases=_cases([_shown_beam_case()],
                     [_beam_case(1, 3, 5, 3), _beam_case(2, 4, 6, 4), _beam_case(3, 1, 8, 3), _beam_case(4, 5, 4, 2),
                      _tied_beam_case(), _beam_case(5, 3, 5, 3)]),  # the shapes of case 1: every argument matters
        errors=((IndexError, _FLAT_INDEX),),
        mistakes=(
            _Mistake("you ranked the extensions by the next token's log-probability alone: a hypothesis's "
                     "score is ln P of the whole prefix, so add beam_scores[b] to row b of log_probs.",
                     variant(add=False)),
            _Mistake("log-probabilities add (ln(P·Q) = ln P + ln Q): the total is beam_scores[b] + "
                     "log_probs[b, v], not their product.", variant(multiply=True)),
            _Mistake("you kept each beam's best token only: compare all beams × tokens extensions together "
                     "(two extensions of one strong beam may both beat every extension of a weak one).",
                     variant(per_beam=True)),
            _Mistake("best first: sort the totals from the largest (the most probable) down.", variant(ascending=True)),
            _Mistake("you have the right extensions in the wrong order: best first, the largest total at "
                     "index 0 (np.argsort(-totals, ...), not np.argsort(totals)[-beam_width:]).", variant(reverse=True)),
            _Mistake("among equal totals keep the lower beam, then the lower token, first: np.argsort's "
                     "default sort is not stable; use np.argsort(-totals, axis=None, kind='stable').",
                     variant(unstable=True)),
            _Mistake("return exactly beam_width extensions, no fewer.",
                     lambda s, lp, k: _beam_step(s, lp, k)[:k - 1]),
            _Mistake("return exactly beam_width extensions, no more.",
                     lambda s, lp, k: _beam_step(s, lp, k + 1)),
        ))


def check_beam_step(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(beam_scores, log_probs, beam_width)`` -> one step of beam search.

    ``beam_scores`` (B,) holds ln P of each live hypothesis, ``log_probs`` (B, V) ln P of each next
    token after it. The answer is a list of ``beam_width`` triples (beam b, token v, total) with
    total = beam_scores[b] + log_probs[b, v], the largest totals over all B × V extensions, best
    first; equal totals in the order of ``np.argsort(-totals, axis=None, kind="stable")`` (lower
    beam, then lower token first), as ``generate.beam_search`` ranks them.
    """
    if not callable(fn):
        return _run(_beam_exercise(), fn)
    return _run(_beam_exercise(), lambda *args: _as_triples(fn(*args)))
