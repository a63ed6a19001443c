"""Scores for machine translation: corpus BLEU, chrF and exact match, equal to sacrebleu 2.6.0.

BLEU counts matching word n-grams (Papineni et al. 2002), chrF matching character n-grams
(Popović 2015). Chinese has no spaces, so BLEU needs the ``"zh"`` tokenizer, which makes each
Chinese character a token; the default ``"13a"`` sees a whole Chinese sentence as one word::

    corpus_bleu(hypotheses, references, tokenize="zh").score   # = sacrebleu.corpus_bleu(hyps, [refs], tokenize="zh")
    corpus_chrf(hypotheses, references)                        # = sacrebleu.corpus_chrf(hyps, [refs]).score
    exact_match(hypotheses, references)                        # fraction of identical strings

One reference per hypothesis (the course's data has one). Scores are 0-100 like sacrebleu's; the
tests compare every function here with sacrebleu on random and hand-made corpora.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Hashable, Sequence

import numpy as np

from lmtutor._validate import _show, check_choice, check_float, check_int, check_token_list, check_type

TOKENIZERS = ("13a", "zh")
MAX_ORDER = 4  # BLEU's n-grams run from 1 to 4 words
MAX_CHAR_ORDER = 100  # the longest character n-grams corpus_chrf counts (sacrebleu's default is 6)

# mteval-v13a's language-dependent rules, as sacrebleu's TokenizerRegexp applies them in order.
_13A_RULES = (
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),  # ASCII punctuation and symbols
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),  # period and comma, unless after a digit
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),  # ... or unless before a digit
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),  # a dash after a digit
)
# Code points sacrebleu 2.6.0's "zh" tokenizer splits off as single tokens. Its table compares
# characters with strings such as "\u20000" (meant as U+20000, read by Python as U+2000 + "0"),
# so in effect it covers U+2001-U+2A6D (general punctuation such as “ ” — …, arrows, maths
# symbols) and U+2F81-U+2FA1, and not the CJK Extension B ideographs; we copy that behaviour.
_ZH_RANGES = (
    (0x3400, 0x4DB5), (0x4E00, 0x9FA5), (0x9FA6, 0x9FBB), (0xF900, 0xFA2D), (0xFA30, 0xFA6A),
    (0xFA70, 0xFAD9), (0x2001, 0x2A6D), (0x2F81, 0x2FA1), (0xFF00, 0xFFEF), (0x2E80, 0x2EFF),
    (0x3000, 0x303F), (0x31C0, 0x31EF), (0x2F00, 0x2FDF), (0x2FF0, 0x2FFF), (0x3100, 0x312F),
    (0x31A0, 0x31BF), (0xFE10, 0xFE1F), (0xFE30, 0xFE4F), (0x2600, 0x26FF), (0x2700, 0x27BF),
    (0x3200, 0x32FF), (0x3300, 0x33FF))


def _regexp(line: str) -> list[str]:
    """Return the tokens of ``line`` after the four mteval-v13a rules."""
    for pattern, replacement in _13A_RULES:
        line = pattern.sub(replacement, line)
    return line.split()


def is_chinese_char(char: str) -> bool:
    """Return True if sacrebleu's "zh" tokenizer makes ``char`` a token of its own."""
    if not isinstance(char, str) or len(char) != 1:
        raise TypeError(f"char must be a str of length 1, got {char!r:.40}")
    return _is_zh(char)


@functools.lru_cache(maxsize=2**16)
def _is_zh(char: str) -> bool:
    """Return True if ``char`` falls in one of _ZH_RANGES (cached: the same characters recur)."""
    return any(low <= ord(char) <= high for low, high in _ZH_RANGES)


def bleu_tokens(line: str, tokenize: str = "13a") -> list[str]:
    """Return the BLEU tokens of ``line``: "13a" (mteval-v13a, for English) or "zh".

    "13a" unescapes &quot; &amp; &lt; &gt;, then splits ASCII punctuation off words (a period or
    comma only when not between digits). "zh" puts spaces around every Chinese character (and
    CJK punctuation such as 。，) and applies the same rules to the rest: "我有3个apple." ->
    ['我', '有', '3', '个', 'apple', '.'].
    """
    if not isinstance(line, str):
        raise TypeError(f"line must be a str, got {type(line).__name__}")
    check_choice("tokenize", tokenize, TOKENIZERS)
    line = line.rstrip()  # sacrebleu strips trailing whitespace before tokenizing
    if tokenize == "zh":
        return _regexp("".join(f" {c} " if _is_zh(c) else c for c in line.strip()))
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    for escaped, char in (("&quot;", '"'), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")):
        line = line.replace(escaped, char)
    return _regexp(f" {line} ")


def ngram_counts(tokens: Sequence[str], order: int) -> Counter:
    """Return a Counter of the n-grams (tuples) of ``tokens`` for n = ``order``."""
    tokens = check_token_list("tokens", tokens)
    order = check_int("order", order, minimum=1)
    return Counter(tuple(tokens[i:i + order]) for i in range(len(tokens) - order + 1))


def modified_precision(hypothesis: Sequence[str], reference: Sequence[str], order: int) -> tuple[int, int]:
    """Return (matches, total): clipped n-gram matches of one tokenized sentence, and its n-grams.

    matches = Σ_g min(count_hyp(g), count_ref(g)) over the hypothesis n-grams g; p_n = matches / total.
    Clipping stops "the the the the" from scoring 4/4 against "the cat".
    """
    hypothesis = check_token_list("hypothesis", hypothesis)
    reference = check_token_list("reference", reference)
    hyp, ref = ngram_counts(hypothesis, order), ngram_counts(reference, order)
    return sum(min(count, ref[gram]) for gram, count in hyp.items()), sum(hyp.values())


def brevity_penalty(hyp_length: int, ref_length: int) -> float:
    """Return BP = 1 if c >= r else exp(1 - r / c) (0 if c = 0); c, r the corpus token counts."""
    c = check_int("hyp_length", hyp_length, minimum=0)
    r = check_int("ref_length", ref_length, minimum=0)
    return 1.0 if c >= r else (math.exp(1 - r / c) if c > 0 else 0.0)


@dataclass(frozen=True)
class BleuScore:
    """Corpus BLEU with the statistics behind it, as sacrebleu's BLEUScore reports them."""

    score: float  # BLEU in 0-100
    precisions: tuple[float, ...]  # p_1..p_4 in percent, smoothed where there was no match
    bp: float  # brevity penalty
    hyp_length: int  # c: hypothesis tokens in the corpus
    ref_length: int  # r: reference tokens in the corpus
    matches: tuple[int, ...]  # clipped n-gram matches per order
    totals: tuple[int, ...]  # hypothesis n-grams per order
    tokenize: str  # "13a" or "zh"

    def __post_init__(self):
        check_float("score", self.score, minimum=0.0, maximum=100.0 + 1e-9)  # rounding may pass 100
        check_float("bp", self.bp, minimum=0.0, maximum=1.0)
        check_int("hyp_length", self.hyp_length, minimum=0)
        check_int("ref_length", self.ref_length, minimum=0)
        for name in ("precisions", "matches", "totals"):
            values = check_type(name, getattr(self, name), tuple)
            if len(values) != MAX_ORDER:
                raise ValueError(f"{name} must hold {MAX_ORDER} values, one per n-gram order, got {len(values)}")
            for i, value in enumerate(values):
                if name == "precisions":
                    check_float(f"{name}[{i}]", value, minimum=0.0, maximum=100.0 + 1e-9)
                else:
                    check_int(f"{name}[{i}]", value, minimum=0)
        check_choice("tokenize", self.tokenize, TOKENIZERS)


def _check_corpus(hypotheses: Any, references: Any) -> tuple[list[str], list[str]]:
    """Return both as lists of str after checking they are string lists of the same length."""
    lists = []
    for name, value in (("hypotheses", hypotheses), ("references", references)):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise TypeError(f"{name} must be a list of str sentences, got {type(value).__name__}")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise TypeError(f"{name}[{i}] must be a str sentence, got {type(item).__name__} "
                                f"(one reference per hypothesis: pass refs, not [refs])")
        lists.append(list(value))
    if len(lists[0]) != len(lists[1]):
        raise ValueError(f"hypotheses and references must have the same length, got "
                         f"{len(lists[0])} and {len(lists[1])}")
    if not lists[0]:
        raise ValueError("hypotheses must not be empty: there is nothing to score")
    return lists[0], lists[1]


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str], *, tokenize: str = "13a") -> BleuScore:
    """Return BleuScore: BLEU = BP · exp((1/4) Σ_{n=1..4} log p_n), in 0-100, over the corpus.

    p_n = Σ_sentences matches_n / Σ_sentences total_n (clipped counts, see modified_precision);
    BP = brevity_penalty(c, r) with c, r the total hypothesis and reference token counts.
    Smoothing as sacrebleu's default "exp" (NIST): the k-th order with no match gets
    p_n = 1 / (2^k · total_n). No match at any order, or no n-grams of some order: BLEU = 0.
    """
    hypotheses, references = _check_corpus(hypotheses, references)
    check_choice("tokenize", tokenize, TOKENIZERS)
    stats = np.zeros((len(hypotheses), 2 + 2 * MAX_ORDER), dtype=np.int64)  # (N, c r m1..m4 t1..t4)
    for row, (hyp, ref) in zip(stats, zip(hypotheses, references)):
        hyp_tokens, ref_tokens = bleu_tokens(hyp, tokenize), bleu_tokens(ref, tokenize)
        row[:2] = len(hyp_tokens), len(ref_tokens)
        for n in range(1, MAX_ORDER + 1):
            row[1 + n], row[1 + MAX_ORDER + n] = modified_precision(hyp_tokens, ref_tokens, n)
    c, r, *counts = (int(x) for x in stats.sum(axis=0))
    matches, totals = counts[:MAX_ORDER], counts[MAX_ORDER:]
    bp = brevity_penalty(c, r)
    precisions = [0.0] * MAX_ORDER
    if any(matches):
        halvings = 1.0
        for n in range(MAX_ORDER):
            if totals[n] == 0:
                break  # no n-grams of this order at all: p_n stays 0 and BLEU is 0
            if matches[n] == 0:
                halvings *= 2
                precisions[n] = 100.0 / (halvings * totals[n])
            else:
                precisions[n] = 100.0 * matches[n] / totals[n]
    if all(precisions):
        score = bp * math.exp(sum(math.log(p) for p in precisions) / MAX_ORDER)
    else:
        score = 0.0  # sacrebleu's log(0) = -9999999999 makes exp(...) = 0.0
    return BleuScore(score, tuple(precisions), bp, c, r, tuple(matches), tuple(totals), tokenize)


def _char_ngrams(line: str, order: int) -> Counter:
    """Return a Counter of the character n-grams of ``line`` with all whitespace removed."""
    line = "".join(line.split())
    return Counter(line[i:i + order] for i in range(len(line) - order + 1))


def corpus_chrf(hypotheses: Sequence[str], references: Sequence[str], *, char_order: int = 6,
                beta: float = 2.0) -> float:
    """Return corpus chrF in 0-100: F_β of the character n-gram precision and recall, n = 1..6.

    Per order n, summed over sentences (spaces removed): P_n = matches_n / hyp_n,
    R_n = matches_n / ref_n (hyp_n counted only where the reference has n-grams). P and R are the
    averages of P_n and R_n over the orders with hyp_n > 0 and ref_n > 0; then
    chrF = 100 · (1 + β²) P R / (β² P + R). β = 2 weighs recall more (sacrebleu's nc=6, nw=0).
    """
    hypotheses, references = _check_corpus(hypotheses, references)
    char_order = check_int("char_order", char_order, minimum=1, maximum=MAX_CHAR_ORDER)
    beta = check_float("beta", beta, minimum=0.0, min_inclusive=False)
    stats = np.zeros((char_order, 3), dtype=np.int64)  # (orders, hyp ref match)
    for hyp, ref in zip(hypotheses, references):
        for n in range(1, char_order + 1):
            hyp_grams, ref_grams = _char_ngrams(hyp, n), _char_ngrams(ref, n)
            matches = sum(min(count, ref_grams[gram]) for gram, count in hyp_grams.items())
            stats[n - 1] += (sum(hyp_grams.values()) if ref_grams else 0, sum(ref_grams.values()), matches)
    used = (stats[:, 0] > 0) & (stats[:, 1] > 0)  # the effective orders
    if not used.any():
        return 0.0
    hyp_n, ref_n, match_n = (stats[used, k].tolist() for k in range(3))
    precision = sum(m / h for m, h in zip(match_n, hyp_n)) / len(hyp_n)  # summed in order, as sacrebleu
    recall = sum(m / r for m, r in zip(match_n, ref_n)) / len(ref_n)
    factor = beta ** 2
    if precision + recall == 0:
        return 0.0
    score = (1 + factor) * precision * recall / (factor * precision + recall)
    return 100 * score  # the same order of operations as sacrebleu, so the floats are equal


def exact_match(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Return the fraction of hypotheses identical to their reference (after stripping spaces at the ends)."""
    hypotheses, references = _check_corpus(hypotheses, references)
    return sum(h.strip() == r.strip() for h, r in zip(hypotheses, references)) / len(hypotheses)


def exact_match_by_bucket(hypotheses: Sequence[str], references: Sequence[str],
                          buckets: Sequence[Hashable]) -> dict[Hashable, tuple[float, int]]:
    """Return bucket -> (exact match, count) for a bucket label per pair, buckets sorted if they compare.

    For length buckets pass e.g. the number of digits of each source number, or len(reference).
    """
    hypotheses, references = _check_corpus(hypotheses, references)
    if isinstance(buckets, (str, bytes)) or not isinstance(buckets, Sequence):
        raise TypeError(f"buckets must be a list with one label per hypothesis ({len(hypotheses)}), "
                        f"got {type(buckets).__name__} {_show(buckets)}")
    if len(buckets) != len(hypotheses):
        raise ValueError(f"buckets must be a list with one label per hypothesis ({len(hypotheses)}), "
                         f"got {type(buckets).__name__} of length {len(buckets)}")
    for i, bucket in enumerate(buckets):
        if not isinstance(bucket, Hashable):
            raise TypeError(f"buckets[{i}] must be a label that can be a dict key (a number, a str, a tuple), "
                            f"got {type(bucket).__name__} {_show(bucket)}")
    groups: dict[Hashable, list[bool]] = {}
    for hyp, ref, bucket in zip(hypotheses, references, buckets):
        groups.setdefault(bucket, []).append(hyp.strip() == ref.strip())
    try:
        order = sorted(groups)
    except TypeError:  # labels that do not compare (3 and "long"): first-seen order
        order = list(groups)
    return {bucket: (sum(groups[bucket]) / len(groups[bucket]), len(groups[bucket])) for bucket in order}
