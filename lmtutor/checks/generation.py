"""Checks for the exercises of notebook 07: top-k filtering, nucleus (top-p) filtering, and the
distribution the next token is drawn from after temperature, top-k and top-p.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`;
the reference answers are those of ``lmtutor.decoding``, which the notebook uses."""

from __future__ import annotations

from typing import Any, Callable

from lmtutor.checks._runner import CheckResult, _Mistake, _arrays_exercise, _cases, _run_arrays


def _np():
    import numpy as np

    return np


def _softmax(z):
    np = _np()
    z = np.asarray(z, dtype=np.float64)
    shifted = np.exp(z - z.max())
    return shifted / shifted.sum()


def _keep(z, ids, fill=None):
    """Return z with every entry outside ``ids`` set to ``fill`` (−inf by default)."""
    np = _np()
    z = np.asarray(z, dtype=np.float64)
    out = np.full_like(z, -np.inf if fill is None else fill)
    out[np.asarray(ids, dtype=np.int64)] = z[np.asarray(ids, dtype=np.int64)]
    return out


_UNCHANGED = ("you returned the logits unchanged: set every logit outside the kept set to −inf "
              "(np.full_like(logits, -np.inf), then copy the kept entries).")


def _random_logits(seed, size, scale=2.0):
    return (_np().random.default_rng(seed).normal(0.0, scale, size),)


# ------------------------------------------------------------------------------------- top-k
def _top_k(logits, k):
    from lmtutor.decoding import filter_top_k

    return filter_top_k(logits, k)


def _tie_cases():
    """Return the top-k inputs with ties at the k-th largest logit, each in a different pattern."""
    np = _np()
    top = np.array([1.0, 2.0, 2.0, 0.0, 2.0, -1.0, 2.0])  # four tokens share the largest logit
    middle = np.array([5.0, 1.0, 3.0, 1.0, 1.0, 4.0, 1.0])  # the k-th largest is one of four 1.0s
    many = np.random.default_rng(10).integers(-2, 3, 100).astype(float)  # 100 logits, five values
    return [(top, 2), (middle, 4), (many, 30), (np.full(6, 0.5), 3)]


_UNSTABLE = ("among equal logits keep the lower ids: np.argsort's default sort and np.argpartition are "
             "not stable and may order equal logits any way; use np.argsort(-logits, kind='stable')[:k].")


def _top_k_exercise():
    np = _np()
    order = lambda z: np.argsort(-np.asarray(z), kind="stable")  # noqa: E731  most likely first, ties by id
    return _arrays_exercise(
        "top_k_filter", ("logits", "k"), _top_k,
        note="the k largest logits kept, every other one set to −inf",
        cases=_cases([(np.array([2.0, 1.0, 0.5, 3.0, -1.0]), 2)],
                     [*_tie_cases(), (np.array([0.3, -0.2, 1.7]), 1), (np.array([0.3, -0.2, 1.7]), 3)]),
        mistakes=(
            _Mistake(_UNCHANGED, lambda z, k: np.asarray(z, dtype=np.float64)),
            _Mistake("you kept the k *smallest* logits: sort from the largest down, e.g. "
                     "np.argsort(-logits)[:k].", lambda z, k: _keep(z, np.argsort(z, kind="stable")[:k])),
            _Mistake("you kept every token whose logit equals the k-th largest, so ties give more "
                     "than k tokens: keep exactly k (among equal logits the lower ids, as "
                     "np.argsort(-logits, kind='stable')[:k] gives).",
                     lambda z, k: np.where(z >= np.sort(z)[::-1][k - 1], z, -np.inf)),
            _Mistake("you kept only the logits strictly above the k-th largest, so ties give fewer "
                     "than k tokens: keep exactly k (among equal logits the lower ids).",
                     lambda z, k: np.where(z > np.sort(z)[::-1][k - 1], z, -np.inf)),
            _Mistake("among equal logits keep the lower ids: np.argsort(logits)[-k:] (or "
                     "np.argsort(logits)[::-1][:k]) keeps the higher ones; use "
                     "np.argsort(-logits, kind='stable')[:k].",
                     lambda z, k: _keep(z, np.argsort(z, kind="stable")[-k:])),
            _Mistake(_UNSTABLE, lambda z, k: _keep(z, np.argsort(-z)[:k])),
            _Mistake(_UNSTABLE, lambda z, k: _keep(z, np.argpartition(-z, k - 1)[:k])),
            _Mistake("return the filtered logits, not probabilities: the caller applies softmax "
                     "(and the temperature) afterwards.", lambda z, k: _softmax(_top_k(z, k))),
            _Mistake("removed tokens must get −inf, not 0: a logit of 0 still has probability "
                     "e^0 / Σ e^z > 0 after softmax. Use np.full_like(logits, -np.inf).",
                     lambda z, k: _keep(z, order(z)[:k], fill=0.0)),
            _Mistake("removed tokens get −inf (np.full_like(logits, -np.inf)), not NaN: softmax of a "
                     "vector with NaN is NaN everywhere.", lambda z, k: _keep(z, order(z)[:k], fill=np.nan)),
            _Mistake("removed tokens get −inf (np.full_like(logits, -np.inf)), not a large negative "
                     "number: with logits / T, −1e9 can come back into range, −inf cannot.",
                     lambda z, k: _keep(z, order(z)[:k], fill=-1e9)),
            _Mistake("keep each logit at its own index (the token id): the answer has the order of "
                     "logits, not sorted, with −inf where a token was removed.",
                     lambda z, k: np.concatenate([np.sort(z)[::-1][:k], np.full(len(z) - k, -np.inf)])),
            _Mistake("return the whole vector (vocab_size,), with −inf for the removed tokens, not "
                     "only the k values you kept.", lambda z, k: np.sort(z)[::-1][:k]),
            _Mistake("you kept one token too many: exactly k tokens keep their logit.",
                     lambda z, k: _keep(z, order(z)[:k + 1])),
            _Mistake("you kept one token too few: exactly k tokens keep their logit.",
                     lambda z, k: _keep(z, order(z)[:k - 1])),
        ))


def check_top_k_filter(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(logits, k)`` -> logits with all but the k largest set to −inf.

    Exactly k entries keep their value (among equal logits the lower id, the order of
    ``np.argsort(-logits, kind="stable")``); the result has the shape of ``logits``. Notebook
    example: logits [2, 1, 0.5, 3, −1], k = 2 gives [2, −inf, −inf, 3, −inf].
    """
    return _run_arrays(_top_k_exercise(), fn)


# ------------------------------------------------------------------------------------- top-p
def _top_p(logits, top_p):
    from lmtutor.decoding import filter_top_p

    return filter_top_p(logits, top_p)


def _nucleus_size(sorted_mass, top_p):
    """Return how many sorted tokens a running sum needs to reach top_p (at least 1)."""
    np = _np()
    return min(int(np.searchsorted(np.cumsum(sorted_mass), top_p)) + 1, len(sorted_mass))


def _top_p_exercise():
    np = _np()
    order = lambda z: np.argsort(-np.asarray(z), kind="stable")  # noqa: E731

    def by_mass(z, p, mass, ranking):
        ranked = ranking(z)
        return _keep(z, ranked[:_nucleus_size(mass(z)[ranked], p)])

    def crossing_left_out(z, p):
        ranked = order(z)
        return _keep(z, ranked[np.cumsum(_softmax(z)[ranked]) < p])

    def mass_before_at_most(z, p):  # keeps a token while the mass before it is <= top_p
        ranked = order(z)
        probs = _softmax(z)[ranked]
        return _keep(z, ranked[np.cumsum(probs) - probs <= p])

    def ties_kept(z, p):  # every token as likely as the one that reaches top_p
        nucleus = np.isfinite(_top_p(z, p))
        return np.where(z >= np.min(np.asarray(z)[nucleus]), z, -np.inf)

    return _arrays_exercise(
        "top_p_filter", ("logits", "top_p"), _top_p,
        note="the smallest set of most likely tokens whose probability reaches top_p kept, the rest −inf",
        cases=_cases([(np.array([0.0, 2.0, -1.0, 1.0]), 0.9)],
                     [_random_logits(4, 40, 3.0) + (0.95,),
                      (np.array([5.0, 0.0, 0.0, 1.0]), 0.8), (np.array([2.0, 1.0, 1.0, 1.0, 0.0]), 0.7),
                      (np.array([1.0, 3.0, 3.0, 0.0, 3.0]), 0.5), (np.zeros(4), 0.5)]),
        mistakes=(
            _Mistake(_UNCHANGED, lambda z, p: np.asarray(z, dtype=np.float64)),
            _Mistake("you left out the token whose probability makes the running sum reach top_p: "
                     "the nucleus is the *smallest set whose mass is at least* top_p, so it includes "
                     "that token (and always at least one token).", crossing_left_out),
            _Mistake("the nucleus is the *smallest* set whose mass reaches top_p: once the tokens "
                     "kept so far have mass equal to top_p, stop (keep a token while the mass before "
                     "it is < top_p, not <= top_p).", mass_before_at_most),
            _Mistake("you kept every token as likely as the one that reaches top_p, so ties give more "
                     "tokens than the smallest set: among equal probabilities take the lower ids first "
                     "(np.argsort(-logits, kind='stable')) and stop as soon as the mass reaches top_p.",
                     ties_kept),
            _Mistake("among equal probabilities take the lower ids first: np.argsort(probs)[::-1] puts "
                     "the higher ids first; use np.argsort(-logits, kind='stable').",
                     lambda z, p: by_mass(z, p, _softmax, lambda v: np.argsort(v, kind="stable")[::-1])),
            _Mistake("add up the probabilities from the most likely token down (sort by decreasing "
                     "logit), not from the least likely.",
                     lambda z, p: by_mass(z, p, _softmax, lambda v: np.argsort(v, kind="stable"))),
            _Mistake("sort the tokens by probability before adding them up: a running sum in id order "
                     "does not find the most likely tokens.",
                     lambda z, p: _keep(z, np.arange(len(z))[:_nucleus_size(_softmax(z), p)])),
            _Mistake("turn the logits into probabilities with softmax (divide exp(z) by Σ exp(z)) "
                     "before adding them up: top_p is a share of the total probability.",
                     lambda z, p: by_mass(z, p, lambda v: np.exp(v), order)),
            _Mistake("return the filtered logits, not probabilities: the caller applies softmax "
                     "afterwards.", lambda z, p: _softmax(_top_p(z, p))),
            _Mistake("removed tokens must get −inf, not 0: a logit of 0 still has probability "
                     "e^0 / Σ e^z > 0 after softmax.",
                     lambda z, p: np.where(np.isfinite(_top_p(z, p)), z, 0.0)),
            _Mistake("you kept one token too many: stop at the first token where the running sum "
                     "reaches top_p.",
                     lambda z, p: _keep(z, order(z)[:_nucleus_size(_softmax(z)[order(z)], p) + 1])),
        ))


def check_top_p_filter(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(logits, top_p)`` -> logits with −inf outside the nucleus.

    With p = softmax(logits) sorted from the most likely down, the nucleus is the m most likely
    tokens, m the smallest with p_(1) + ... + p_(m) ≥ top_p (Holtzman et al. 2020); among equal
    probabilities the lower id comes first (``np.argsort(-logits, kind="stable")``). Notebook
    example: logits [0, 2, −1, 1], top_p = 0.9 (probabilities 0.087, 0.644, 0.032, 0.237) gives
    [0, 2, −inf, 1].
    """
    return _run_arrays(_top_p_exercise(), fn)


# -------------------------------------------------------------------- the sampling distribution
def _next_token_probs(logits, temperature, top_k, top_p):
    from lmtutor.decoding import DecodingConfig, probabilities

    config = DecodingConfig(temperature=temperature, top_k=top_k, top_p=top_p, banned_ids=())
    return probabilities(logits, config)


def _large_logits_case():
    """Return logits near 1,000 with temperature 0.02 (z / T ≈ 50,000: np.exp overflows), top-k 4, top-p off."""
    np = _np()
    return (1000.0 + np.array([0.1, 0.05, 0.0, 0.12, -0.2, 0.11]), 0.02, 4, 1.0)


def _next_token_exercise():
    np = _np()

    def filtered(z, t, k, p):
        return _top_p(_top_k(np.asarray(z) / t, k), p)

    def unnormalised(z, t, k, p):
        return np.where(np.isfinite(filtered(z, t, k, p)), _softmax(np.asarray(z) / t), 0.0)

    def nucleus_of_everything(z, t, k, p):
        scaled = np.asarray(z) / t
        keep = np.isfinite(_top_k(scaled, k)) & np.isfinite(_top_p(scaled, p))
        return _softmax(np.where(keep, scaled, -np.inf))

    def nucleus_before_temperature(z, t, k, p):
        keep = np.isfinite(_top_p(_top_k(np.asarray(z), k), p))
        return _softmax(np.where(keep, np.asarray(z) / t, -np.inf))

    def overflowing(z, t, k, p):  # softmax as exp(z) / Σ exp(z), without subtracting max z
        kept = np.isfinite(filtered(z, t, k, p))
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.where(kept, np.exp(np.asarray(z) / t), 0.0)
            return e / e.sum()

    shown = (np.array([2.0, 1.0, 0.0, -1.0, 0.5]), 0.5, 3, 0.9)
    return _arrays_exercise(
        "next_token_probs", ("logits", "temperature", "top_k", "top_p"), _next_token_probs,
        note="softmax of logits / T after top-k, then top-p on the renormalised distribution",
        cases=_cases([shown],
                     [_random_logits(6, 10) + (1.5, 6, 0.8), _random_logits(7, 20, 3.0) + (0.7, 10, 0.9),
                      (np.array([1.0, 3.0, 2.5, 0.0, 2.9, -2.0]), 2.0, 4, 0.7),
                      _random_logits(8, 15, 1.0) + (1.0, 15, 0.5), _large_logits_case()]),
        mistakes=(
            _Mistake("exp overflowed: logits / T reach 50,000 in one input and np.exp gives inf "
                     "(inf / inf is NaN). Subtract the largest kept logit before np.exp, as the "
                     "stable softmax of notebook 05 does; the result is the same.", overflowing),
            _Mistake("the kept probabilities must sum to 1: after removing tokens, apply softmax to "
                     "the filtered logits (the same as dividing the kept probabilities by their sum).",
                     unnormalised),
            _Mistake("divide the logits by the temperature, softmax(z / T); multiplying by T makes "
                     "T < 1 flatter instead of sharper.",
                     lambda z, t, k, p: _softmax(_top_p(_top_k(np.asarray(z) * t, k), p))),
            _Mistake("you left out the temperature: the distribution is softmax(z / T).",
                     lambda z, t, k, p: _softmax(_top_p(_top_k(np.asarray(z), k), p))),
            _Mistake("top-p comes after top-k: compute the nucleus on the distribution that top-k "
                     "leaves, renormalised, not on the full distribution.", nucleus_of_everything),
            _Mistake("apply the temperature first: top-k and top-p read the distribution "
                     "softmax(z / T), so the nucleus depends on T.", nucleus_before_temperature),
            _Mistake("return probabilities (softmax of the filtered logits), not the filtered logits.",
                     filtered),
        ))


def check_next_token_probs(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(logits, temperature, top_k, top_p)`` -> the next-token distribution.

    In the order of ``lmtutor.decoding``: z ← logits / temperature, then top-k on z, then top-p on
    softmax of what top-k kept, then softmax; removed tokens get probability 0 and the rest sum to 1.
    ``top_k = len(logits)`` and ``top_p = 1.0`` switch a filter off. Notebook example: logits
    [2, 1, 0, −1, 0.5], T = 0.5, top_k = 3, top_p = 0.9 gives [0.881, 0.119, 0, 0, 0] (top-k keeps
    ids 0, 1, 4 with probabilities 0.844, 0.114, 0.042; the nucleus needs only the first two).
    """
    return _run_arrays(_next_token_exercise(), fn)
