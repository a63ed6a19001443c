"""Checks for the exercises of notebooks 00 and 01: tokens, bigram counts, OOV rate, add-k, perplexity.

Each ``check_<name>(fn)`` runs the learner's function ``fn`` and returns a :class:`CheckResult`."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Callable

from lmtutor.checks._runner import CheckResult, _Exercise, _Mistake, _cases, _run


_SEED = ["我", "有", "一", "个", "苹", "果", "。", "我", "有", "两", "个", "苹", "果", "。"]
_CATS = "the cat sat . the cat saw a cat and a cat . the".split()
_WORDS = "the cat saw the cats in theory the cat".split()  # "the cat" is inside "the cats", "the" in "theory"



def _char_tokens(text):
    return [c for c in text if not c.isspace()]


_LISTED = " \t\n\u3000"  # the whitespace the exercise names
_MORE_SPACES = "你好\u3000世界\r\n深度\u00a0学习\u2003很\x0b有趣"  # also \r, no-break space, em space, \v
_CHAR_TOKENS = _Exercise(
    "char_tokens", ("text",), _char_tokens, note="one token per character, whitespace dropped",
    cases=_cases([("我有一个苹果",)], [("I have an apple",), ("深度 学习\n很 有趣",),
                                      ("\tGPT-4 写诗。 ",), (_MORE_SPACES,), ("",)]),
    mistakes=(
        _Mistake("text.split() splits on whitespace, giving one token per space-separated chunk; "
                 "Chinese has no spaces, so a whole sentence becomes one token. Make one token "
                 "per character instead.", wrong=str.split),
        _Mistake("your tokens include whitespace: drop spaces, tabs and newlines "
                 "(c.isspace() is True for them).", wrong=list),
        _Mistake("you dropped only the space ' ': also drop tabs, newlines and the full-width "
                 "space U+3000 (test c.isspace()).", wrong=lambda text: [c for c in text if c != " "]),
        _Mistake("there is more whitespace than spaces, tabs, newlines and U+3000: the carriage "
                 "return \\r of Windows line ends, the no-break space U+00A0, the em space U+2003, "
                 "the vertical tab... Test c.isspace() instead of listing characters.",
                 wrong=lambda text: [c for c in text if c not in _LISTED]),
        _Mistake("there is more whitespace than spaces, tabs, newlines and U+3000: the carriage "
                 "return \\r of Windows line ends, the no-break space U+00A0, the em space U+2003, "
                 "the vertical tab... Test c.isspace() instead of listing characters.",
                 wrong=lambda text: [c for c in text if c not in " \t\n"]),
    ))


def check_char_tokens(fn: Callable[[str], list[str]]) -> CheckResult:
    """Return the CheckResult of ``fn(text)``, which must return the characters of text, no whitespace.

    Formula: ``tokens = [c for c in text if not c.isspace()]``: every Chinese character, Latin
    letter, digit and punctuation mark is one token; spaces, tabs, newlines and the full-width
    space U+3000 are dropped. Notebook example: ``fn("我有一个苹果") == ["我", "有", "一", "个", "苹", "果"]``.
    """
    return _run(_CHAR_TOKENS, fn)


def _pairs(tokens, prev, word):
    return sum(1 for a, b in zip(tokens, tokens[1:]) if a == prev and b == word)


def _bigram_probability(tokens, prev, word):
    contexts = tokens[:-1].count(prev)  # the last token has no successor: it is not a context
    return _pairs(tokens, prev, word) / contexts if contexts else 0.0


_JOINT = ("you divided by the number of bigrams (or tokens): that is the joint probability "
          "P(prev, word). The conditional P(word | prev) divides by how often prev is a context.")
_REVERSED = ("you divided by the count of word: that is P(prev | word), the conditioning "
             "reversed. Divide c(prev, word) by the count of prev.")
_SUBSTRINGS = ("you counted substrings of the joined text, but tokens can be words: \"the cat\" is also "
               "inside \"the cats\", and \"the\" inside \"theory\". Compare whole tokens: count the "
               "pairs in zip(tokens, tokens[1:]) and prev in tokens[:-1].")
_BIGRAM_PROBABILITY = _Exercise(
    "bigram_probability", ("tokens", "prev", "word"), _bigram_probability,
    note="P(word | prev) = c(prev, word) / c(prev as a context)",
    cases=_cases([(_SEED, "有", "一"), (_SEED, "个", "苹")],
                 [(_CATS, "the", "cat"), (_WORDS, "the", "cat"), (_SEED, "。", "我"),
                  (["a", "b", "a", "c", "a"], "a", "b"), (_SEED, "我", "两"), (_SEED, "猫", "我"),
                  (["你", "好"], "好", "你")]),
    mistakes=(
        _Mistake(_JOINT, wrong=lambda t, p, w: _pairs(t, p, w) / (len(t) - 1)),
        _Mistake(_JOINT, wrong=lambda t, p, w: _pairs(t, p, w) / len(t)),
        _Mistake(_REVERSED, wrong=lambda t, p, w: _pairs(t, p, w) / t.count(w)),
        _Mistake(_REVERSED, wrong=lambda t, p, w: _pairs(t, p, w) / t[1:].count(w)),
        _Mistake("you returned the raw count c(prev, word): divide it by the number of times prev "
                 "is a context to get a probability.", wrong=lambda t, p, w: float(_pairs(t, p, w))),
        _Mistake(_SUBSTRINGS, wrong=lambda t, p, w: " ".join(t).count(f"{p} {w}") / " ".join(t[:-1]).count(p)),
        _Mistake(_SUBSTRINGS, wrong=lambda t, p, w: "".join(t).count(p + w) / "".join(t[:-1]).count(p)),
        _Mistake("you counted prev at every position, including the last token; the final token "
                 "has no successor, so it is not a context: count prev in tokens[:-1].",
                 wrong=lambda t, p, w: _pairs(t, p, w) / t.count(p)),
    ))


def check_bigram_probability(fn: Callable[[list[str], str, str], float]) -> CheckResult:
    """Return the CheckResult of ``fn(tokens, prev, word)``, the maximum-likelihood P(word | prev).

    Formula: ``P(word | prev) = c(prev, word) / c(prev)``, where c(prev, word) counts adjacent
    pairs and c(prev) counts prev as the first element of a pair, i.e. in ``tokens[:-1]``.
    Return 0.0 when prev is never a context. Notebook example, with tokens 我 有 一 个 苹 果 。
    我 有 两 个 苹 果 。: P(一 | 有) = 0.5 and P(苹 | 个) = 1.0.
    """
    return _run(_BIGRAM_PROBABILITY, fn)


def _oov_rate(tokens, vocab):
    return sum(token not in vocab for token in tokens) / len(tokens) if tokens else 0.0


_TYPES = ("you counted unique tokens (types); the OOV rate counts occurrences: a token missing "
          "3 times counts 3 times.")
_OOV_RATE = _Exercise(
    "oov_rate", ("tokens", "vocab"), _oov_rate,
    note="OOV rate = share of token occurrences not in vocab",
    cases=_cases([(["the", "cat", "sat", "on", "the", "mat"], {"the", "cat", "on"})],
                 [(list("我有两个苹果，我爱苹果"), {"我", "有", "个", "苹", "果"}),
                  (["zyx", "zyx", "zyx", "the"], {"the"}),
                  (["深度", "学习", "很", "有趣"], {"深度": 0, "学习": 1, "很": 2, "有趣": 3}),
                  (["a", "b"], ["c"]), ([], {"the"})]),
    mistakes=(
        _Mistake(_TYPES, wrong=lambda t, v: len({x for x in t if x not in v}) / len(set(t))),
        _Mistake(_TYPES, wrong=lambda t, v: len({x for x in t if x not in v}) / len(t)),
        _Mistake("return a fraction between 0 and 1, not a percentage.",
                 wrong=lambda t, v: 100 * _oov_rate(t, v)),
        _Mistake("you returned the share of tokens that ARE in vocab (the coverage); the OOV rate "
                 "is the share that is not: 1 - coverage.", wrong=lambda t, v: 1 - _oov_rate(t, v)),
    ))


def check_oov_rate(fn: Callable[[list[str], Any], float]) -> CheckResult:
    """Return the CheckResult of ``fn(tokens, vocab)``, the out-of-vocabulary rate of tokens.

    Formula: ``OOV rate = (number of token occurrences not in vocab) / len(tokens)``, counting
    occurrences, not unique types; 0.0 for an empty token list. vocab is any collection that
    supports ``in`` (a set, a list, or a dict token -> id). Notebook example:
    ``fn(["the", "cat", "sat", "on", "the", "mat"], {"the", "cat", "on"}) == 2 / 6``.
    """
    return _run(_OOV_RATE, fn)


def _add_k_bigram(bigram_counts, unigram_counts, prev, word, k, vocab_size):
    return ((bigram_counts.get((prev, word), 0) + k)
            / (unigram_counts.get(prev, 0) + k * vocab_size))


_SEED_COUNTS = (dict(Counter(zip(_SEED, _SEED[1:]))), dict(Counter(_SEED[:-1])))  # V = 8 types
_CAT_COUNTS = ({("the", "cat"): 3, ("the", "dog"): 1, ("cat", "sat"): 2}, {"the": 4, "cat": 2})
_ADD_K_BIGRAM = _Exercise(
    "add_k_bigram", ("bigram_counts", "unigram_counts", "prev", "word", "k", "vocab_size"),
    _add_k_bigram, note="P(word | prev) = (c(prev, word) + k) / (c(prev) + k * V)",
    cases=_cases([(*_SEED_COUNTS, "有", "一", 1.0, 8)],
                 [(*_SEED_COUNTS, "有", "两", 0.5, 8), (*_SEED_COUNTS, "我", "果", 1, 8),
                  (*_CAT_COUNTS, "the", "cat", 0.1, 5), (*_CAT_COUNTS, "the", "cat", 0.0, 5),
                  (*_SEED_COUNTS, "猫", "我", 1.0, 8)]),
    mistakes=(
        _Mistake("your denominator lacks k * vocab_size: k is added to every one of the "
                 "vocab_size possible next words, so without it the probabilities over the "
                 "vocabulary would sum to more than 1.",
                 wrong=lambda b, u, p, w, k, v: (b.get((p, w), 0) + k) / u.get(p, 0)),
        _Mistake("add k once per word of the vocabulary: the denominator is c(prev) + k * "
                 "vocab_size, not c(prev) + k.",
                 wrong=lambda b, u, p, w, k, v: (b.get((p, w), 0) + k) / (u.get(p, 0) + k)),
        _Mistake("add k to the numerator too, (c(prev, word) + k); without it an unseen bigram "
                 "still gets probability 0.",
                 wrong=lambda b, u, p, w, k, v: b.get((p, w), 0) / (u.get(p, 0) + k * v)),
    ))


def check_add_k_bigram(fn: Callable[..., float]) -> CheckResult:
    """Return the CheckResult of ``fn(bigram_counts, unigram_counts, prev, word, k, vocab_size)``.

    The function returns the add-k smoothed probability ``P(word | prev) = (c(prev, word) + k) /
    (c(prev) + k * V)`` with c(prev, word) = ``bigram_counts[(prev, word)]``, c(prev) =
    ``unigram_counts[prev]`` (prev's count as a context), V = ``vocab_size``; a missing key
    counts 0. Notebook example, with the counts of 我 有 一 个 苹 果 。 我 有 两 个 苹 果 。 (V = 8):
    P(一 | 有) with k = 1 is (1 + 1) / (2 + 8) = 0.2.
    """
    return _run(_ADD_K_BIGRAM, fn)


def _mean_log(probs):
    return sum(math.log(p) for p in probs) / len(probs)


def _perplexity(probs):
    from lmtutor import losses

    return losses.perplexity(-_mean_log(probs))


def _product_root(probs):
    import numpy as np

    with np.errstate(divide="ignore", under="ignore"):
        return float(np.prod(probs) ** (-1 / len(probs)))  # inf once the product underflows


_LONG_TEXT = [(i % 9 + 1) / 20 for i in range(2000)]  # 2,000 tokens: their product is 0.0 in float64
_UNDERFLOW = ("the product of the probabilities of a long text underflows to 0.0 (one input has "
              "2,000 tokens, whose product is about 1e-1367): average the logarithms, "
              "exp(-mean(log p)), instead of taking a root of the product.")
_BASES = ("you mixed logarithm bases: the power must undo the log you used, e.g. "
          "exp(-mean(ln p)) or 2 ** (-mean(log2 p)).")
_PERPLEXITY = _Exercise(
    "perplexity", ("probs",), _perplexity, note="perplexity = exp(-mean(log p))",
    cases=_cases([([0.5, 0.25, 0.125],)], [([0.1] * 10,), ([0.9, 0.05, 0.6, 0.3, 0.01],),
                                          ([1.0],), ([0.2],), (_LONG_TEXT,)]),
    errors=((ZeroDivisionError, _UNDERFLOW),),
    mistakes=(
        _Mistake("you forgot the minus sign: exp(mean(log p)) is below 1 (it is 1 / perplexity); "
                 "perplexity = exp(-mean(log p)) is at least 1.",
                 wrong=lambda probs: math.exp(_mean_log(probs))),
        _Mistake("you used the sum of the log-probabilities, not their mean: perplexity must not "
                 "grow with the length of the text, so divide by N.",
                 wrong=lambda probs: math.exp(-_mean_log(probs) * len(probs))),
        _Mistake(_BASES, wrong=lambda probs: 2 ** -_mean_log(probs)),
        _Mistake(_BASES, wrong=lambda probs: 10 ** -_mean_log(probs)),
        _Mistake(_BASES, wrong=lambda probs: math.exp(-_mean_log(probs) / math.log(2))),
        _Mistake(_UNDERFLOW, wrong=_product_root),
        _Mistake("that is the cross-entropy -mean(log p); perplexity is exp of it.",
                 wrong=lambda probs: -_mean_log(probs)),
    ))


def check_perplexity(fn: Callable[[list[float]], float]) -> CheckResult:
    """Return the CheckResult of ``fn(probs)``, the perplexity of per-token probabilities.

    Formula: ``perplexity = exp(-(1/N) * sum(log p_i))``; probs is a non-empty list of the
    probabilities the model gave to each of the N tokens. On paper it equals ``prod(p_i) ** (-1/N)``,
    but for a long text the product underflows to 0.0, so that form fails the 2,000-token input.
    Notebook example: ``fn([0.5, 0.25, 0.125]) == 4.0``.
    """
    return _run(_PERPLEXITY, fn)
