"""Tests for lmtutor.translation_metrics: BLEU, chrF and tokenizers equal to sacrebleu 2.6.0."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmtutor import translation_metrics as tm
from lmtutor.translation_data import number_task

sacrebleu = pytest.importorskip("sacrebleu")
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a  # noqa: E402
from sacrebleu.tokenizers.tokenizer_zh import TokenizerZh  # noqa: E402


def oracle_bleu(hypotheses, references, tokenize):
    return sacrebleu.corpus_bleu(hypotheses, [references], tokenize=tokenize)


def assert_bleu_equal(hypotheses, references, tokenize):
    ours, theirs = tm.corpus_bleu(hypotheses, references, tokenize=tokenize), oracle_bleu(hypotheses, references, tokenize)
    assert ours.score == pytest.approx(theirs.score, abs=1e-9)
    assert list(ours.precisions) == pytest.approx(theirs.precisions, abs=1e-9)
    assert ours.bp == pytest.approx(theirs.bp, abs=1e-12)
    assert (ours.hyp_length, ours.ref_length) == (theirs.sys_len, theirs.ref_len)
    assert list(ours.matches) == list(theirs.counts) and list(ours.totals) == list(theirs.totals)


@pytest.fixture(scope="module")
def numbers_test():
    task = number_task(train_size=0, valid_size=0, test_size=400, longer_size=0, seed=0)
    return [p.english for p in task.test], [p.chinese for p in task.test]


def one_character_wrong(sentences, seed=0):
    """Return each sentence with one character replaced (a near-perfect translation)."""
    rng, out = random.Random(seed), []
    for sentence in sentences:
        i = rng.randrange(len(sentence) - 1)  # keep the final 。
        out.append(sentence[:i] + ("五" if sentence[i] != "五" else "六") + sentence[i + 1:])
    return out


# --- tokenizers ---------------------------------------------------------------------------------

def test_zh_character_classes_equal_sacrebleu_over_the_basic_plane():
    zh = TokenizerZh()
    wrong = [c for c in range(0x10000) if not 0xD800 <= c < 0xE000
             and tm.is_chinese_char(chr(c)) != zh._is_chinese_char(chr(c))]
    assert wrong == []
    assert tm.is_chinese_char("我") and tm.is_chinese_char("。") and tm.is_chinese_char("—")  # sacrebleu's quirk
    assert not tm.is_chinese_char("\U00020000") and not tm.is_chinese_char("a")


@pytest.mark.parametrize("line", [
    "我有3个apple.", "Hello, world! (It's 3.14 - or 3,000.)", "他说：“你好！”", "a&amp;b &quot;c&quot; <skipped>",
    "  我有三百四十二个苹果。  ", "1998-05-03: 会议", "", "naïve café — 'quoted'",
])
def test_tokens_equal_sacrebleu(line):
    assert " ".join(tm.bleu_tokens(line, "zh")) == TokenizerZh()(line.rstrip())
    assert " ".join(tm.bleu_tokens(line, "13a")) == Tokenizer13a()(line.rstrip())


def test_zh_tokens_split_every_chinese_character():
    assert tm.bleu_tokens("我有3个apple.", "zh") == ["我", "有", "3", "个", "apple", "."]
    assert tm.bleu_tokens("我有三百四十二个苹果。", "13a") == ["我有三百四十二个苹果。"]  # one "word"


# --- BLEU and chrF against sacrebleu ------------------------------------------------------------

def test_numbers_task_near_perfect_hypotheses(numbers_test):
    english, chinese = numbers_test
    hypotheses = one_character_wrong(chinese)
    for tokenize in ("zh", "13a"):
        assert_bleu_equal(hypotheses, chinese, tokenize)
    assert tm.corpus_chrf(hypotheses, chinese) == pytest.approx(sacrebleu.corpus_chrf(hypotheses, [chinese]).score, abs=1e-9)


def test_13a_on_unsegmented_chinese_scores_a_near_perfect_translation_zero(numbers_test):
    """Why Chinese needs tokenize="zh": with 13a a sentence is one token, so one wrong character
    makes the whole sentence a miss, and no sentence has a second token for 2-grams."""
    _, chinese = numbers_test
    hypotheses = one_character_wrong(chinese)
    zh, a13 = tm.corpus_bleu(hypotheses, chinese, tokenize="zh"), tm.corpus_bleu(hypotheses, chinese, tokenize="13a")
    assert zh.score > 70  # every sentence is right but for one character
    assert a13.score == 0.0 and a13.totals[1] == 0  # no 2-grams at all: BLEU is 0
    assert oracle_bleu(hypotheses, chinese, "13a").score == 0.0
    assert tm.corpus_chrf(hypotheses, chinese) > 70  # chrF needs no tokenizer


def test_english_word_order_shuffled(numbers_test):
    english, _ = numbers_test
    rng = random.Random(1)
    hypotheses = [" ".join(rng.sample(s.split(), len(s.split()))) for s in english]
    assert_bleu_equal(hypotheses, english, "13a")
    assert tm.corpus_chrf(hypotheses, english) == pytest.approx(sacrebleu.corpus_chrf(hypotheses, [english]).score, abs=1e-9)


@pytest.mark.parametrize("hypotheses, references", [
    (["the cat sat on the mat"], ["the cat sat on the mat"]),  # perfect: 100
    (["the the the the the the the"], ["the cat is on the mat"]),  # clipping
    (["the cat"], ["the cat sat on the mat"]),  # short: brevity penalty, no 3- or 4-grams
    (["a b c d e"], ["f g h i j"]),  # no match at all
    (["", "the cat sat"], ["the cat sat on the mat", "the cat sat"]),  # an empty hypothesis
    (["a b x y z w", "p q r s t u"], ["a b c d e f", "p q r s t u"]),  # exp smoothing of zero orders
    (["a b c x e f g"], ["a b c d e f g"]),  # 4-gram: no match, smoothed
    (["我 有 三 个 苹果。"], ["我有三个苹果。"]),  # spaces inside Chinese
])
def test_hand_cases_equal_sacrebleu(hypotheses, references):
    for tokenize in ("13a", "zh"):
        assert_bleu_equal(hypotheses, references, tokenize)
    assert tm.corpus_chrf(hypotheses, references) == pytest.approx(
        sacrebleu.corpus_chrf(hypotheses, [references]).score, abs=1e-9)


def test_perfect_and_empty_scores():
    assert tm.corpus_bleu(["the cat sat on the mat"], ["the cat sat on the mat"]).score == pytest.approx(100.0)
    assert tm.corpus_chrf(["我有三个苹果。"], ["我有三个苹果。"]) == pytest.approx(100.0)
    assert tm.corpus_bleu([""], ["the cat"]).score == 0.0 and tm.corpus_chrf([""], ["the cat"]) == 0.0


ALPHABET = list("我有三个苹果一二十百千万零。，？ ") + list("abcab ,.!-0123")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(ALPHABET, max_size=20), st.text(ALPHABET, max_size=20)), min_size=1, max_size=8))
def test_random_corpora_equal_sacrebleu(pairs):
    hypotheses, references = [h for h, _ in pairs], [r for _, r in pairs]
    for tokenize in ("13a", "zh"):
        assert_bleu_equal(hypotheses, references, tokenize)
    assert tm.corpus_chrf(hypotheses, references) == pytest.approx(
        sacrebleu.corpus_chrf(hypotheses, [references]).score, abs=1e-9)


def test_bleu_formula_pieces():
    assert tm.modified_precision("the the the the".split(), "the cat".split(), 1) == (1, 4)
    assert tm.modified_precision("the cat".split(), "the cat sat".split(), 2) == (1, 1)
    assert tm.brevity_penalty(5, 10) == pytest.approx(2.718281828459045 ** (1 - 2))
    assert tm.brevity_penalty(10, 5) == 1.0 and tm.brevity_penalty(0, 5) == 0.0
    assert tm.ngram_counts(["a", "b", "a", "b"], 2) == {("a", "b"): 2, ("b", "a"): 1}


def test_chrf_orders_and_beta_change_the_score():
    hyp, ref = ["我有三个苹果"], ["我有四个苹果"]
    assert tm.corpus_chrf(hyp, ref, char_order=1) == pytest.approx(100 * 5 / 6)
    assert tm.corpus_chrf(["我有"], ["我有三个苹果"], beta=1.0) > tm.corpus_chrf(["我有"], ["我有三个苹果"])  # recall weighs more at β=2
    chrf = sacrebleu.metrics.CHRF(char_order=3, beta=1)
    assert tm.corpus_chrf(hyp, ref, char_order=3, beta=1) == pytest.approx(chrf.corpus_score(hyp, [ref]).score, abs=1e-9)


# --- exact match ---------------------------------------------------------------------------------

def test_exact_match_and_buckets():
    hyps, refs = ["一", "二十", "三百", "四千 "], ["一", "二十", "三千", "四千"]
    assert tm.exact_match(hyps, refs) == 0.75
    assert tm.exact_match_by_bucket(hyps, refs, [1, 2, 3, 4]) == {1: (1.0, 1), 2: (1.0, 1), 3: (0.0, 1), 4: (1.0, 1)}
    assert tm.exact_match_by_bucket(hyps, refs, ["short", "short", "long", "long"]) == {"long": (0.5, 2), "short": (1.0, 2)}
    assert list(tm.exact_match_by_bucket(hyps, refs, ["short", "short", "long", "long"])) == ["long", "short"]
    assert list(tm.exact_match_by_bucket(hyps, refs, [5, 5, "x", 1])) == [5, "x", 1]  # mixed labels: first seen


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda: tm.corpus_bleu("abc", ["abc"]), TypeError, r"hypotheses must be a list of str sentences, got str"),
    (lambda: tm.corpus_bleu(["abc"], [["abc"]]), TypeError, r"references\[0\] must be a str sentence, got list .*pass refs, not \[refs\]"),
    (lambda: tm.corpus_bleu(["a", "b"], ["a"]), ValueError, r"same length, got 2 and 1"),
    (lambda: tm.corpus_bleu([], []), ValueError, r"hypotheses must not be empty"),
    (lambda: tm.corpus_bleu(["a"], ["a"], tokenize="intl"), ValueError, r"tokenize must be one of '13a', 'zh'"),
    (lambda: tm.corpus_chrf(["a"], ["a"], beta=0), ValueError, r"beta must be > 0.0"),
    (lambda: tm.corpus_chrf(["a"], ["a"], char_order=0), ValueError, r"char_order must be >= 1"),
    (lambda: tm.bleu_tokens(3), TypeError, r"line must be a str, got int"),
    (lambda: tm.is_chinese_char("我们"), TypeError, r"char must be a str of length 1"),
    (lambda: tm.brevity_penalty(-1, 3), ValueError, r"hyp_length must be >= 0"),
    (lambda: tm.ngram_counts("abc", 1), TypeError, r"tokens must be a list of tokens, got a str"),
    (lambda: tm.exact_match_by_bucket(["a"], ["a"], [1, 2]), ValueError, r"buckets must be a list with one label per hypothesis \(1\)"),
])
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
