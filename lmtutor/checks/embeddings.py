"""Checks for the exercises of notebook 02: cosine similarity, the SGNS loss and gradient, 3CosAdd.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`."""

from __future__ import annotations

from typing import Any, Callable

from lmtutor.checks._runner import (CheckResult, _Exercise, _Mistake, _arrays_exercise, _cases, _run,
                                    _run_arrays, _sigmoid)


def _cosine(a, b):
    import numpy as np

    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def _vec_case(seed, size, scale=1.0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(0, scale, size), rng.normal(0, scale, size))


def _cosine_exercise():
    import numpy as np

    shown = (np.array([1.0, 2.0, 0.0]), np.array([2.0, 1.0, 1.0]))
    return _Exercise(
        "cosine_similarity", ("a", "b"), _cosine, note="cos(a, b) = a·b / (‖a‖ ‖b‖)",
        cases=_cases([shown], [_vec_case(1, 4), _vec_case(2, 10, 5.0), _vec_case(3, 2, 0.1),
                               (np.array([3.0, 0.0]), np.array([-1.0, 0.0])), _vec_case(4, 50)]),
        mistakes=(
            _Mistake("you returned the dot product a·b; divide it by both lengths ‖a‖ ‖b‖ so that "
                     "long vectors (frequent words) do not win.", lambda a, b: float(a @ b)),
            _Mistake("divide by both lengths, ‖a‖ times ‖b‖, not only by ‖a‖.",
                     lambda a, b: float(a @ b / np.linalg.norm(a))),
            _Mistake("you returned the cosine distance 1 − cos; the exercise asks for the "
                     "similarity cos(a, b).", lambda a, b: 1 - _cosine(a, b)),
            _Mistake("‖a‖ is the Euclidean length sqrt(a·a) (np.linalg.norm), not the sum of absolute "
                     "values.", lambda a, b: float(a @ b / (np.abs(a).sum() * np.abs(b).sum()))),
            _Mistake("that is the Euclidean distance ‖a − b‖, not the cosine.",
                     lambda a, b: float(np.linalg.norm(a - b))),
            _Mistake("the denominator is ‖a‖ ‖b‖ (square roots of a·a and b·b), not a·a times b·b.",
                     lambda a, b: float(a @ b / ((a @ a) * (b @ b)))),
        ))


def check_cosine_similarity(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(a, b)``, the cosine similarity of two vectors (a float).

    Formula: ``cos(a, b) = a·b / (‖a‖ ‖b‖)``, between −1 and 1. Notebook example:
    a = [1, 2, 0], b = [2, 1, 1] gives 4 / (√5 √6) ≈ 0.7303.
    """
    return _run(_cosine_exercise(), fn)


def _log_sigmoid(x):
    import numpy as np

    return -np.logaddexp(0.0, -x)


def _sgns_loss(v_c, u_o, u_neg):
    import numpy as np

    return float(-_log_sigmoid(u_o @ v_c) - np.sum(_log_sigmoid(-(u_neg @ v_c))))


def _sgns_case(seed, dim, k, scale=0.5):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(0, scale, dim), rng.normal(0, scale, dim), rng.normal(0, scale, (k, dim)))


def _shown_sgns_case():
    import numpy as np

    return (np.array([0.5, -1.0]), np.array([1.0, 2.0]), np.array([[0.3, 0.1], [-2.0, 1.0]]))


_SGNS_CASES = (_shown_sgns_case(),)


def _sgns_loss_exercise():
    import numpy as np

    return _Exercise(
        "sgns_loss", ("v_c", "u_o", "u_neg"), _sgns_loss,
        note="L = −log σ(u_o·v_c) − Σ_k log σ(−u_{n_k}·v_c)",
        cases=_cases([_shown_sgns_case()], [_sgns_case(1, 2, 2), _sgns_case(2, 5, 5),
                                           _sgns_case(3, 4, 1, 2.0), _sgns_case(4, 8, 10, 0.1)]),
        mistakes=(
            _Mistake("a negative word's score enters with a minus sign: −log σ(−u_n·v_c), which is "
                     "small when u_n·v_c is very negative (the model rejects the noise word).",
                     lambda v, u, n: float(-np.log(_sigmoid(u @ v)) - np.sum(np.log(_sigmoid(n @ v))))),
            _Mistake("you returned the log-likelihood log σ(u_o·v_c) + Σ log σ(−u_n·v_c); the loss "
                     "is its negative, so that training minimises it.",
                     lambda v, u, n: -_sgns_loss(v, u, n)),
            _Mistake("you left out the negative words: add − Σ_k log σ(−u_{n_k}·v_c); without them "
                     "every vector could grow until σ = 1.",
                     lambda v, u, n: float(-np.log(_sigmoid(u @ v)))),
            _Mistake("take the logarithm of the sigmoids: L = −log σ(u_o·v_c) − Σ log σ(−u_n·v_c).",
                     lambda v, u, n: float(-_sigmoid(u @ v) - np.sum(_sigmoid(-(n @ v))))),
            _Mistake("the negatives are summed, not averaged: − Σ_k log σ(−u_{n_k}·v_c).",
                     lambda v, u, n: float(-np.log(_sigmoid(u @ v)) - np.mean(np.log(_sigmoid(-(n @ v)))))),
        ))


def check_sgns_loss(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(v_c, u_o, u_neg)``, the SGNS loss of one (centre, context) pair.

    Formula: ``L = −log σ(u_o·v_c) − Σ_k log σ(−u_{n_k}·v_c)`` with v_c the centre vector (D,),
    u_o the context vector (D,), u_neg the K negative context vectors (K, D). Notebook example:
    v_c = [0.5, −1], u_o = [1, 2], u_neg = [[0.3, 0.1], [−2, 1]].
    """
    return _run(_sgns_loss_exercise(), fn)


def _sgns_grad_center(v_c, u_o, u_neg):
    return (_sigmoid(u_o @ v_c) - 1) * u_o + _sigmoid(u_neg @ v_c) @ u_neg


def _sgns_grad_exercise():
    return _arrays_exercise(
        "sgns_grad_center", ("v_c", "u_o", "u_neg"), _sgns_grad_center,
        note="∂L/∂v_c = (σ(u_o·v_c) − 1) u_o + Σ_k σ(u_{n_k}·v_c) u_{n_k}",
        cases=_cases([_shown_sgns_case()], [_sgns_case(1, 2, 2), _sgns_case(2, 5, 5),
                                           _sgns_case(3, 4, 1, 2.0), _sgns_case(4, 8, 10, 0.1)]),
        mistakes=(
            _Mistake("the context word's coefficient is σ(u_o·v_c) − 1 (negative: the step pulls "
                     "v_c towards u_o), not σ(u_o·v_c).",
                     lambda v, u, n: _sigmoid(u @ v) * u + _sigmoid(n @ v) @ n),
            _Mistake("you returned the gradient of the log-likelihood (the sign is flipped); the "
                     "gradient of the loss L is its negative.",
                     lambda v, u, n: -_sgns_grad_center(v, u, n)),
            _Mistake("you left out the negative words' term + Σ_k σ(u_{n_k}·v_c) u_{n_k}.",
                     lambda v, u, n: (_sigmoid(u @ v) - 1) * u),
            _Mistake("that is the gradient for u_o, (σ(u_o·v_c) − 1) v_c; the exercise asks for the "
                     "gradient for the centre vector v_c, which has u_o and the u_n in it.",
                     lambda v, u, n: (_sigmoid(u @ v) - 1) * v),
            _Mistake("the negatives' terms are summed, not averaged: + Σ_k σ(u_{n_k}·v_c) u_{n_k}.",
                     lambda v, u, n: (_sigmoid(u @ v) - 1) * u + _sigmoid(n @ v) @ n / len(n)),
            _Mistake("a negative word's coefficient is σ(u_n·v_c), not σ(u_n·v_c) − 1.",
                     lambda v, u, n: (_sigmoid(u @ v) - 1) * u + (_sigmoid(n @ v) - 1) @ n),
        ))


def check_sgns_grad_center(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(v_c, u_o, u_neg)``, the gradient of the SGNS loss for v_c.

    Formula: ``∂L/∂v_c = (σ(u_o·v_c) − 1) u_o + Σ_k σ(u_{n_k}·v_c) u_{n_k}``, an array (D,).
    Notebook example: the pair of check_sgns_loss.
    """
    return _run_arrays(_sgns_grad_exercise(), fn)


def _three_cos_add(words, vectors, a, b, c):
    import numpy as np

    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    scores = unit @ (unit[index[b]] - unit[index[a]] + unit[index[c]])
    for w in (a, b, c):
        scores[index[w]] = -np.inf
    return words[int(np.argmax(scores))]


def _analogy_vocab(seed, size=30, dim=32):
    """Return (words, vectors) in which rows 0, 1, 2 -> 3 and 4, 5, 6 -> 7 are analogies a : b :: c : d,
    d at cosine ≈ 0.97 to t = b̂ − â + ĉ. Beside each, distractors that win under a typical mistake:
    a word along b̂ + ĉ (−a dropped), along b̂ − â (c dropped), along ĉ − â (b dropped), along b̂ with
    b six times longer than the other words (a, b, c not normalised), and a long word (raw dot products)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(size, dim)) / np.sqrt(dim)
    unit = lambda v: v / np.linalg.norm(v)  # noqa: E731
    for a, b, c, d, *distractors in ((0, 1, 2, 3, 8, 9, 10, 11, 12), (4, 5, 6, 7, 13, 14, 15, 16, 17)):
        vectors[b] *= 6.0
        ua, ub, uc = unit(vectors[a]), unit(vectors[b]), unit(vectors[c])
        target = unit(ub - ua + uc)
        for row, direction in zip([d, *distractors[:4]], [target, ub + uc, ub - ua, uc - ua, ub]):
            vectors[row] = unit(direction) + 0.25 * rng.normal(size=dim) / np.sqrt(dim)
        vectors[distractors[4]] = 40 * (0.45 * target + 0.9 * rng.normal(size=dim) / np.sqrt(dim))
    return [f"w{i}" for i in range(size)], vectors


def _analogy_cases():
    """Return the hidden inputs: two questions on each of two vocabularies of 30 words (the second's
    rows in another order), and one whose question words lie close together."""
    import numpy as np

    first = _analogy_vocab(1)
    words, vectors = _analogy_vocab(2)
    order = np.random.default_rng(2).permutation(len(words))
    second = ([words[i] for i in order], vectors[order])  # the rows in another order
    return [(*first, "w0", "w1", "w2"), (*first, "w4", "w5", "w6"), (*second, "w0", "w1", "w2"),
            (*second, "w4", "w5", "w6"), _close_question_words_case()]


def _close_question_words_case():
    """Return 20 random words in which a (v0) and b (v1) lie close to c (v2): b − a + c is then near
    all three, so each question word beats the answer v3 (cosine ≈ 0.9) unless it is excluded."""
    import numpy as np

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(20, 32)) / np.sqrt(32)
    unit = lambda v: v / np.linalg.norm(v)  # noqa: E731
    vectors[0] = unit(vectors[2]) + 0.15 * rng.normal(size=32) / np.sqrt(32)
    vectors[1] = unit(vectors[2]) + 0.15 * rng.normal(size=32) / np.sqrt(32)
    target = unit(unit(vectors[1]) - unit(vectors[0]) + unit(vectors[2]))
    vectors[3] = target + 0.6 * rng.normal(size=32) / np.sqrt(32)
    return [f"v{i}" for i in range(20)], vectors, "v0", "v1", "v2"


def _shown_analogy_case():
    import numpy as np

    words = ["man", "woman", "king", "queen", "apple"]
    vectors = np.array([[1.0, 0.0, 0.2], [1.0, 1.0, 0.1], [3.0, 0.1, 1.0], [3.0, 1.0, 1.0],
                        [0.0, 0.2, -1.0]])
    return (words, vectors, "man", "woman", "king")


def _three_cos_add_exercise():
    import numpy as np

    def raw_dot(words, vectors, a, b, c):
        index = {w: i for i, w in enumerate(words)}
        scores = vectors @ (vectors[index[b]] - vectors[index[a]] + vectors[index[c]])
        for w in (a, b, c):
            scores[index[w]] = -np.inf
        return words[int(np.argmax(scores))]

    def offset(words, vectors, a, b, c, *, drop="", unit_abc=True):
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        terms = unit if unit_abc else vectors
        index = {w: i for i, w in enumerate(words)}
        target = sum(sign * terms[index[w]] for w, sign in ((a, -1), (b, 1), (c, 1)) if w != drop)
        scores = unit @ target
        for w in (a, b, c):
            scores[index[w]] = -np.inf
        return words[int(np.argmax(scores))]

    def no_exclusion(words, vectors, a, b, c, excluded=()):
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        index = {w: i for i, w in enumerate(words)}
        scores = unit @ (unit[index[b]] - unit[index[a]] + unit[index[c]])
        scores[[index[w] for w in excluded]] = -np.inf
        return words[int(np.argmax(scores))]

    partly = ("exclude all three question words, a as well as b and c: in one input a and b lie "
              "close to c, so b − a + c is near all three and the one you kept wins.")

    return _Exercise(
        "three_cos_add", ("words", "vectors", "a", "b", "c"), _three_cos_add,
        note="d = argmax over x ∉ {a, b, c} of cos(x, b − a + c) on unit vectors",
        cases=_cases([_shown_analogy_case()],
                     _analogy_cases()),
        mistakes=(
            _Mistake("exclude the question words a, b and c from the answers: b − a + c is usually "
                     "closest to b or c itself.", no_exclusion),
            _Mistake(partly, lambda words, vectors, a, b, c: no_exclusion(words, vectors, a, b, c, (b, c))),
            _Mistake(partly, lambda words, vectors, a, b, c: no_exclusion(words, vectors, a, b, c, (a, c))),
            _Mistake(partly, lambda words, vectors, a, b, c: no_exclusion(words, vectors, a, b, c, (a, b))),
            _Mistake("normalise the vectors to length 1 first (3CosAdd uses cosines); with raw dot "
                     "products a long vector wins whatever its direction.", raw_dot),
            _Mistake("normalise a, b and c too before forming b − a + c: otherwise the longest of the "
                     "three dominates the offset and a word next to it wins.",
                     lambda *q: offset(*q, unit_abc=False)),
            _Mistake("you dropped − a: b + c finds a word close to both b and c; the offset is "
                     "b − a + c (woman − man + king).", lambda *q: offset(*q, drop=q[2])),
            _Mistake("you dropped + c: b − a is only the relation (woman − man); add c to carry it "
                     "over to the third word: b − a + c.", lambda *q: offset(*q, drop=q[4])),
            _Mistake("you dropped b: the offset is b − a + c (woman − man + king), with b.",
                     lambda *q: offset(*q, drop=q[3])),
            _Mistake("the offset is b − a + c (woman − man + king), not a − b + c.",
                     lambda words, vectors, a, b, c: _three_cos_add(words, vectors, b, a, c)),
        ))


def check_three_cos_add(fn: Callable[..., Any]) -> CheckResult:
    """Return the CheckResult of ``fn(words, vectors, a, b, c)``, the 3CosAdd answer to a:b :: c:?.

    Formula: with unit vectors x̂, ``d = argmax_{x ∉ {a, b, c}} x̂ · (b̂ − â + ĉ)``; words is a list
    of V words, vectors a (V, D) array (row i for words[i]); return the word. Notebook example:
    man : woman :: king : ? on five words gives "queen".
    """
    return _run(_three_cos_add_exercise(), fn)
