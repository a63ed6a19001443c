"""Checks for the exercises of notebook 08: the causal mask, scaled dot-product attention with a
mask, and the sinusoidal positional encoding.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`;
the reference answers are those of ``lmtutor.attention``, which the notebook uses (and which its
tests prove equal to Keras). A boolean answer counts as 0/1 numbers, and NaN equals NaN (as in
every array check), so a mask that blocks every key of a row (softmax of only −∞ is NaN) still
gets the hint for its mistake."""

from __future__ import annotations

from typing import Any, Callable

from lmtutor.checks._runner import CheckResult, _Mistake, _arrays_exercise, _cases, _run_arrays


def _np():
    import numpy as np

    return np


def _numeric(value: Any) -> Any:
    """Return ``value`` with a boolean array (or nested list of bools) as a float 0/1 array."""
    np = _np()
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple, np.ndarray)):
        try:
            value = np.asarray(value)
        except ValueError:  # ragged rows: leave it for the type message
            return value
    if isinstance(value, np.ndarray) and value.dtype == bool:
        return value.astype(np.float64)
    return value


def _run_numeric(exercise, student_fn: Any) -> CheckResult:
    """Return the CheckResult of ``student_fn``, a boolean answer counted as 0/1 numbers."""
    if not callable(student_fn):
        return _run_arrays(exercise, student_fn)  # the runner's "pass the function itself" message
    return _run_arrays(exercise, lambda *args: _numeric(student_fn(*args)))


# --------------------------------------------------------------------------------- causal mask
def _causal_exercise():
    np = _np()
    from lmtutor import attention

    ones = lambda t: np.ones((t, t))  # noqa: E731
    return _arrays_exercise(
        "causal_mask", ("time",), lambda t: attention.causal_mask(t).astype(np.float64),
        note="mask[i, j] = True exactly where key j <= query i (lower triangle with the diagonal)",
        cases=_cases([(4,)], [(1,), (2,), (5,), (7,)]),
        mistakes=(
            _Mistake("you built the upper triangle: row i is the query and column j the key, and query "
                     "i may look at keys j <= i, which lie on and below the diagonal (np.tril).",
                     lambda t: np.triu(ones(t))),
            _Mistake("you left out the diagonal: position i may attend to itself (it is the newest "
                     "token it has read), so mask[i, i] is True; use np.tril(..., k=0).",
                     lambda t: np.tril(ones(t), k=-1)),
            _Mistake("the polarity is reversed: True marks the keys a query MAY attend to (as in Keras "
                     "and lmtutor.attention), so the allowed past j <= i is True and the future False.",
                     lambda t: np.triu(ones(t), k=1)),
            _Mistake("you returned the additive mask M (0 where allowed, −∞ where blocked); this "
                     "exercise asks for the boolean mask itself, True where key j <= query i.",
                     lambda t: np.where(np.tril(ones(t)) > 0, 0.0, -np.inf)),
            _Mistake("you let each query see the next key too (np.tril(..., k=1)): query i may look "
                     "at keys j <= i only, np.tril(..., k=0).", lambda t: np.tril(ones(t), k=1)),
            _Mistake("every entry is True: that is no mask at all, and query i could read later "
                     "tokens. Keep only j <= i.", ones),
        ))


def check_causal_mask(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(time)`` -> the (time, time) causal mask.

    ``mask[i, j]`` is True (or 1) where key j <= query i and False (0) after it: lower triangular
    with the diagonal. Notebook example: ``fn(4)`` gives rows [1 0 0 0], [1 1 0 0], [1 1 1 0],
    [1 1 1 1].
    """
    return _run_numeric(_causal_exercise(), fn)


# ------------------------------------------------------------------ scaled dot-product attention
def _softmax(scores, axis=-1, stable=True):
    np = _np()
    with np.errstate(over="ignore", invalid="ignore"):
        top = (np.max(scores, axis=axis, keepdims=True) if stable is True
               else np.max(scores[np.isfinite(scores)]) if stable == "global" else 0.0)
        exp = np.exp(scores - top)
        return exp / exp.sum(axis=axis, keepdims=True)


def _attention_variant(Q, K, V, mask, *, scale="sqrt", axis=-1, how="before", stable=True, weights=False):
    """Return softmax(Q Kᵀ / scale + M) V, or one of its typical wrong versions."""
    np = _np()
    scores = Q @ K.T
    scores = scores / (np.sqrt(scale[1]) if isinstance(scale, tuple)
                       else {"sqrt": np.sqrt(Q.shape[-1]), "d": Q.shape[-1], "none": 1.0}[scale])
    if how == "before":
        scores = np.where(mask, scores, -np.inf)
    elif how == "reversed":
        scores = np.where(mask, -np.inf, scores)
    elif how == "multiply":
        scores = scores * mask
    w = _softmax(scores, axis, stable)
    if how == "after":
        w = w * mask
    with np.errstate(invalid="ignore"):
        return w if weights else w @ V


def _attention_case(seed, time, source, d_k, d_v, mask="causal", size=1.0):
    np = _np()
    rng = np.random.default_rng(seed)
    Q, K, V = rng.normal(0, size, (time, d_k)), rng.normal(0, size, (source, d_k)), rng.normal(size=(source, d_v))
    if mask == "causal":
        allowed = np.tri(time, source, dtype=bool)
    elif mask == "all":
        allowed = np.ones((time, source), dtype=bool)
    else:  # random, each row with at least one allowed and one blocked key
        allowed = rng.random((time, source)) < 0.5
        allowed[:, 0], allowed[:, -1] = True, False
    return Q, K, V, allowed


def _uneven_rows_case():
    """Return an input whose score rows have maxima about 1,130, 5 and −99: a naive softmax
    overflows in row 0, and subtracting the one largest score of the whole matrix (not each row's)
    underflows every exp of rows 1 and 2 to 0 (0 / 0 is NaN)."""
    np = _np()
    Q = np.array([[40.0, 40.0], [0.5, -0.3], [-4.0, -6.0]])
    K = np.array([[20.0, 10.0], [15.0, 25.0], [1.0, 0.5], [10.0, 30.0]])
    V = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, -1.0], [0.5, 0.5]])
    allowed = np.array([[True, True, True, False], [True, False, True, True], [True, True, False, True]])
    return Q, K, V, allowed


def _shown_attention_case():
    np = _np()
    Q = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    K = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    V = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    return Q, K, V, np.tri(3, dtype=bool)


def _attention_exercise():
    from lmtutor import attention

    variant = lambda **kw: (lambda Q, K, V, m: _attention_variant(Q, K, V, m, **kw))  # noqa: E731
    return _arrays_exercise(
        "scaled_dot_product_attention", ("Q", "K", "V", "mask"),
        lambda Q, K, V, m: attention.scaled_dot_product_attention(Q, K, V, m)[0],
        note="softmax(Q Kᵀ / √d_k + M) V with M = −∞ where the mask is False",
        cases=_cases([_shown_attention_case()],
                     [_attention_case(1, 3, 3, 2, 2, mask="random"), _attention_case(2, 2, 5, 4, 3, mask="random"),
                      _attention_case(3, 5, 5, 8, 4, mask="all"), _attention_case(4, 3, 6, 16, 2, mask="random"),
                      _uneven_rows_case()]),
        mistakes=(
            _Mistake("you forgot the scale: divide the scores Q Kᵀ by √d_k (d_k = Q.shape[-1]), or "
                     "large d_k makes the softmax nearly one-hot.", variant(scale="none")),
            _Mistake("divide the scores by √d_k, the square root of the key size, not by d_k itself.",
                     variant(scale="d")),
            _Mistake("d_k is the size of the queries and keys, Q.shape[-1]; you divided by the square root "
                     "of the value size V.shape[-1].",
                     lambda Q, K, V, m: _attention_variant(Q, K, V, m, scale=("value", V.shape[-1]))),
            _Mistake("the softmax runs over the wrong axis: each query (a row of the scores) needs "
                     "weights over the keys that sum to 1, so normalise along the last axis (axis=-1).",
                     variant(axis=0)),
            _Mistake("you applied the mask after the softmax: the remaining weights of a row no longer "
                     "sum to 1. Set the blocked scores to −∞ before the softmax.", variant(how="after")),
            _Mistake("the mask has the wrong polarity: True marks the keys a query MAY attend to (as in "
                     "Keras), so block the False entries: np.where(mask, scores, -np.inf).",
                     variant(how="reversed")),
            _Mistake("multiplying the scores by the mask sets blocked scores to 0, and exp(0) = 1 still "
                     "gives those keys weight: use np.where(mask, scores, -np.inf) before the softmax.",
                     variant(how="multiply")),
            _Mistake("you ignored the mask: blocked keys (False) must get weight 0.", variant(how="none")),
            _Mistake("exp overflowed for large scores (inf / inf is NaN): subtract each row's maximum "
                     "before np.exp, as the stable softmax of notebook 05 does.", variant(stable=False)),
            _Mistake("subtract each row's own maximum (np.max(scores, axis=-1, keepdims=True)), not "
                     "the largest score of the whole matrix: a row whose scores lie hundreds below it "
                     "underflows to exp = 0 everywhere, and 0 / 0 is NaN.", variant(stable="global")),
            _Mistake("you returned the attention weights; return the output, weights @ V.",
                     variant(weights=True)),
        ))


def check_scaled_dot_product_attention(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(Q, K, V, mask)`` -> the attention output (T, d_v).

    Formula: ``softmax(Q Kᵀ / √d_k + M) V`` with the softmax over the keys (last axis) and
    M = 0 where the boolean mask (T, S) is True, −∞ where it is False; Q is (T, d_k), K (S, d_k),
    V (S, d_v). In one hidden input the rows' largest scores are about 1,130, 5 and −99, so the
    softmax must subtract each row's own maximum. Notebook example: Q = [[1, 0], [0, 1], [1, 1]], K = [[1, 0], [1, 1], [0, 2]],
    V = [[1, 0], [0, 1], [2, 2]] with the causal mask of 3 positions.
    """
    return _run_numeric(_attention_exercise(), fn)


# --------------------------------------------------------------------------- positional encoding
def _positions_variant(time, d_model, *, swap=False, exponent="pairs", layout="interleave", invert=False,
                       first=0):
    """Return the sinusoidal table PE (time, d_model), or one of its typical wrong versions."""
    np = _np()
    t = np.arange(first, first + time)[:, None]
    columns = np.arange(d_model)
    power = {"pairs": 2 * (columns // 2), "index": columns, "half": columns // 2}[exponent] / d_model
    angles = t * 10000.0 ** (power if invert else -power)
    even = np.cos if swap else np.sin
    odd = np.sin if swap else np.cos
    if layout == "concatenate":
        half = angles[:, 0::2]
        return np.concatenate([even(half), odd(half)], axis=1)
    return np.where(columns % 2 == 0, even(angles), odd(angles))


def _positions_exercise():
    from lmtutor import attention

    variant = lambda **kw: (lambda time, d: _positions_variant(time, d, **kw))  # noqa: E731
    return _arrays_exercise(
        "positional_encoding", ("time", "d_model"),
        lambda time, d: attention.sinusoidal_positions(time, d),
        note="PE[t, 2i] = sin(t / 10000^(2i/d_model)), PE[t, 2i+1] = cos(t / 10000^(2i/d_model))",
        cases=_cases([(2, 4)], [(10, 8), (50, 16), (3, 2), (7, 6)]),
        mistakes=(
            _Mistake("sin and cos are swapped: the even columns 2i hold the sine and the odd columns "
                     "2i+1 the cosine (so PE[0] = [0, 1, 0, 1, ...]).", variant(swap=True)),
            _Mistake("columns 2i and 2i+1 share one frequency: the exponent is 2i/d_model with i the "
                     "pair's number (use 2 * (j // 2) for column j, not j itself).", variant(exponent="index")),
            _Mistake("the exponent is 2i/d_model, not i/d_model: with i the pair's number, the "
                     "wavelengths then run from 2π up to 10000·2π.", variant(exponent="half")),
            _Mistake("interleave the two functions: column 2i is a sine and column 2i+1 the cosine of "
                     "the same angle (PE[:, 0::2] = sin, PE[:, 1::2] = cos), not all sines and then all "
                     "cosines.", variant(layout="concatenate")),
            _Mistake("divide the position by 10000^(2i/d_model) (the frequency is ω_i = "
                     "10000^(−2i/d_model)), do not multiply it.", variant(invert=True)),
            _Mistake("positions start at 0: the first row is PE[0] = [0, 1, 0, 1, ...].", variant(first=1)),
        ))


def check_positional_encoding(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(time, d_model)`` -> the sinusoidal table PE (time, d_model).

    Formula (Vaswani et al. 2017), for positions t = 0 ... time − 1 and pairs i = 0 ... d_model/2 − 1:
    ``PE[t, 2i] = sin(t / 10000^(2i/d_model))``, ``PE[t, 2i+1] = cos(t / 10000^(2i/d_model))``.
    Notebook example: ``fn(2, 4)`` gives [[0, 1, 0, 1], [sin 1, cos 1, sin 0.01, cos 0.01]].
    """
    return _run_numeric(_positions_exercise(), fn)
