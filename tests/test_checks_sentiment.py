"""Tests for lmtutor.checks.sentiment (notebook 11): right answers pass, each typical wrong answer gets
its own hint, hard-coded answers fail, in-place changes get a message. The learner solutions below
are written independently of lmtutor.sentiment (plain Python and NumPy); the naive Bayes reference
is compared with sentiment.NaiveBayes, which tests/test_sentiment.py proves equal to scikit-learn."""

import math

import numpy as np
import pytest

from lmtutor import checks, sentiment
from check_harness import (assert_every_hint_is_reached, assert_hard_coded_fails, assert_passes,
                           assert_specific_hint)
from lmtutor.checks import sentiment as sentiment_checks

pytestmark = pytest.mark.filterwarnings("error")


# ------------------------------------------------------------------------------ right answers
def nb_log_odds(word, pos_counts, neg_counts, alpha):
    vocab = len(set(pos_counts) | set(neg_counts))
    p_pos = (pos_counts.get(word, 0) + alpha) / (sum(pos_counts.values()) + alpha * vocab)
    p_neg = (neg_counts.get(word, 0) + alpha) / (sum(neg_counts.values()) + alpha * vocab)
    return math.log(p_pos) - math.log(p_neg)


def nb_log_odds_numpy(word, pos_counts, neg_counts, alpha):
    words = sorted(set(pos_counts) | set(neg_counts) | {word})
    counts = np.array([[c.get(w, 0) for w in words] for c in (neg_counts, pos_counts)], dtype=float)
    vocab = len(set(pos_counts) | set(neg_counts))
    log_p = np.log(counts + alpha) - np.log(counts.sum(axis=1, keepdims=True) + alpha * vocab)
    i = words.index(word)
    return float(log_p[1, i] - log_p[0, i])


def lexicon_score(tokens, lexicon, negators, window):
    total = 0.0
    for i, token in enumerate(tokens):
        if token in lexicon:
            before = tokens[max(0, i - window):i]
            total += -lexicon[token] if any(t in negators for t in before) else lexicon[token]
    return total


def lexicon_score_flags(tokens, lexicon, negators, window):  # remembers the last negator's position
    total, last = 0.0, -10**9
    for i, token in enumerate(tokens):
        if token in lexicon:
            total += lexicon[token] * (-1 if i - last <= window else 1)
        if token in negators:
            last = i
    return float(total)


def occlusion_scores(score_fn, tokens):
    full = score_fn(tokens)
    return [full - score_fn(tokens[:i] + tokens[i + 1:]) for i in range(len(tokens))]


def occlusion_scores_numpy(score_fn, tokens):
    full = score_fn(tokens)
    return full - np.array([score_fn([t for j, t in enumerate(tokens) if j != i]) for i in range(len(tokens))])


CORRECT = [(checks.check_nb_log_odds, nb_log_odds), (checks.check_nb_log_odds, nb_log_odds_numpy),
           (checks.check_lexicon_score, lexicon_score), (checks.check_lexicon_score, lexicon_score_flags),
           (checks.check_occlusion_scores, occlusion_scores), (checks.check_occlusion_scores, occlusion_scores_numpy)]


@pytest.mark.parametrize(("check", "fn"), CORRECT)
def test_correct_solution_passes(check, fn):
    assert_passes(check, fn)


def test_nb_reference_equals_the_log_odds_of_sentiment_naive_bayes():
    docs = [["好", "好", "推荐"], ["不错", "好", "好", "好", "推荐", "推荐", "贵"], ["差", "贵"], ["差", "差", "失望", "好"],
            ["差", "贵", "贵", "失望", "差"]]
    labels = [1, 1, 0, 0, 0]
    pos = {w: sum(d.count(w) for d, y in zip(docs, labels) if y == 1) for d in docs for w in d}
    neg = {w: sum(d.count(w) for d, y in zip(docs, labels) if y == 0) for d in docs for w in d}
    pos, neg = {w: c for w, c in pos.items() if c}, {w: c for w, c in neg.items() if c}
    for alpha in (1.0, 0.5):
        model = sentiment.NaiveBayes(alpha).fit(docs, labels)
        for word, i in model.index.items():
            ours = model.log_likelihood[1, i] - model.log_likelihood[0, i]
            assert sentiment_checks._nb_log_odds(word, pos, neg, alpha) == pytest.approx(ours, rel=1e-12)


def test_lexicon_reference_is_sentiment_lexicon_score_and_the_notebook_example():
    case = sentiment_checks._LEXICON.cases[0].args
    assert sentiment_checks._lexicon_score(*case) == -1.0 == lexicon_score(*case)


# ------------------------------------------------------------------------------ wrong answers
def nb_reversed(word, p, n, a):
    return -nb_log_odds(word, p, n, a)


def nb_ratio(word, p, n, a):
    return math.exp(nb_log_odds(word, p, n, a))


def nb_unsmoothed_total(word, p, n, a):
    return math.log((p.get(word, 0) + a) / (sum(p.values()) + a)) - math.log((n.get(word, 0) + a) / (sum(n.values()) + a))


def nb_class_vocabulary(word, p, n, a):
    return math.log((p.get(word, 0) + a) / (sum(p.values()) + a * len(p))) - \
        math.log((n.get(word, 0) + a) / (sum(n.values()) + a * len(n)))


def nb_alpha_one(word, p, n, a):
    return nb_log_odds(word, p, n, 1.0)


def nb_key_error(word, p, n, a):  # right for words of both classes, a KeyError for the others
    vocab = len(set(p) | set(n))
    return math.log((p[word] + a) / (sum(p.values()) + a * vocab)) - math.log((n[word] + a) / (sum(n.values()) + a * vocab))


def nb_in_place(word, p, n, a):
    p.setdefault(word, 0)  # adds the word to the caller's dict
    return nb_log_odds(word, p, n, a)


def lexicon_no_negation(tokens, lexicon, negators, window):
    return float(sum(lexicon.get(t, 0) for t in tokens))


def lexicon_after(tokens, lexicon, negators, window):
    return float(sum(-lexicon[t] if any(x in negators for x in tokens[i + 1:i + 1 + window]) else lexicon[t]
                     for i, t in enumerate(tokens) if t in lexicon))


def lexicon_whole(tokens, lexicon, negators, window):
    total = float(sum(lexicon.get(t, 0) for t in tokens))
    return -total if any(t in negators for t in tokens) else total


def lexicon_parity(tokens, lexicon, negators, window):
    return float(sum(lexicon[t] * (-1) ** sum(x in negators for x in tokens[max(0, i - window):i])
                     for i, t in enumerate(tokens) if t in lexicon))


def lexicon_wrapped_slice(tokens, lexicon, negators, window):  # tokens[i - window:i] wraps round for i < window
    return float(sum(-lexicon[t] if any(x in negators for x in tokens[i - window:i]) else lexicon[t]
                     for i, t in enumerate(tokens) if t in lexicon))


def lexicon_wide(tokens, lexicon, negators, window):
    return lexicon_score(tokens, lexicon, negators, window + 1)


def lexicon_narrow(tokens, lexicon, negators, window):
    return lexicon_score(tokens, lexicon, negators, window - 1) if window else lexicon_score(tokens, lexicon, negators, 0)


def lexicon_sorts_tokens(tokens, lexicon, negators, window):
    tokens.sort()
    return lexicon_score(tokens, lexicon, negators, window)


def occlusion_reversed(score_fn, tokens):
    return [-s for s in occlusion_scores(score_fn, tokens)]


def occlusion_remaining(score_fn, tokens):
    return [score_fn(tokens[:i] + tokens[i + 1:]) for i in range(len(tokens))]


def occlusion_every_copy(score_fn, tokens):
    full = score_fn(tokens)
    return [full - score_fn([t for t in tokens if t != token]) for token in tokens]


def occlusion_next_token(score_fn, tokens):
    full = score_fn(tokens)
    return [full - score_fn(tokens[:min(i + 1, len(tokens) - 1)] + tokens[min(i + 1, len(tokens) - 1) + 1:])
            for i in range(len(tokens))]


def occlusion_blank(score_fn, tokens):
    full = score_fn(tokens)
    return [full - score_fn(tokens[:i] + [""] + tokens[i + 1:]) for i in range(len(tokens))]


def occlusion_pops(score_fn, tokens):
    full, out = score_fn(tokens), []
    for i in range(len(tokens)):
        token = tokens.pop(i)
        out.append(full - score_fn(tokens))
        tokens.insert(i, token)
    tokens.append("!")  # and leaves something behind
    return out


WRONG = [
    (checks.check_nb_log_odds, nb_reversed, "the sign is reversed"),
    (checks.check_nb_log_odds, nb_ratio, "return the logarithm of the ratio"),
    (checks.check_nb_log_odds, nb_unsmoothed_total, "smooth the total too"),
    (checks.check_nb_log_odds, nb_class_vocabulary, "V is the vocabulary of both classes"),
    (checks.check_nb_log_odds, nb_alpha_one, "use the smoothing constant alpha"),
    (checks.check_nb_log_odds, nb_in_place, "changed its argument `pos_counts` in place"),
    (checks.check_lexicon_score, lexicon_no_negation, "you left out negation"),
    (checks.check_lexicon_score, lexicon_after, "negate the words *after* a negator"),
    (checks.check_lexicon_score, lexicon_whole, "not the sign of the whole text"),
    (checks.check_lexicon_score, lexicon_parity, "two negators in the window do not cancel"),
    (checks.check_lexicon_score, lexicon_wrapped_slice, "a negative start counts from the end of the list"),
    (checks.check_lexicon_score, lexicon_wide, "the window is off by one"),
    (checks.check_lexicon_score, lexicon_narrow, "the window is off by one"),
    (checks.check_lexicon_score, lexicon_sorts_tokens, "changed its argument `tokens` in place"),
    (checks.check_occlusion_scores, occlusion_reversed, "the sign is reversed"),
    (checks.check_occlusion_scores, occlusion_remaining, "subtract it from the score of the whole text"),
    (checks.check_occlusion_scores, occlusion_every_copy, "not every copy of its word"),
    (checks.check_occlusion_scores, occlusion_next_token, "you removed the token after position i"),
    (checks.check_occlusion_scores, occlusion_blank, "replacing it by an empty string"),
    (checks.check_occlusion_scores, occlusion_pops, "changed its argument `tokens` in place"),
]


@pytest.mark.parametrize(("check", "fn", "phrase"), WRONG)
def test_wrong_answer_gets_its_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


def test_every_hint_is_reached():
    assert_every_hint_is_reached([sentiment_checks._NB_LOG_ODDS, sentiment_checks._LEXICON,
                                  sentiment_checks._occlusion_exercise()], WRONG)


def test_a_missing_word_gets_the_count_hint():
    result = checks.check_nb_log_odds(nb_key_error)
    assert not result.passed and "counts.get(word, 0)" in result.message


@pytest.mark.parametrize("check", [checks.check_nb_log_odds, checks.check_lexicon_score, checks.check_occlusion_scores])
def test_the_notebook_example_hard_coded_fails(check):
    exercise = {checks.check_nb_log_odds: sentiment_checks._NB_LOG_ODDS, checks.check_lexicon_score: sentiment_checks._LEXICON,
                checks.check_occlusion_scores: sentiment_checks._occlusion_exercise()}[check]
    answer = exercise.reference(*exercise.cases[0].args)
    answer = [a.array.tolist() for a in [answer]][0] if hasattr(answer, "array") else answer
    assert_hard_coded_fails(check, lambda *args: answer)


def test_the_occlusion_message_says_what_the_scorer_computes():
    message = checks.check_occlusion_scores(occlusion_every_copy).message
    assert "score_fn=<mean over all tokens of good +1, other tokens 0>" in message, message
    for case in sentiment_checks._occlusion_exercise().cases:  # each description fits the message whole
        assert len(repr(case.args[0])) <= 70 and "..." not in repr(case.args[0])


def test_occlusion_answers_may_be_lists_or_arrays_but_not_a_number():
    assert checks.check_occlusion_scores(lambda f, t: np.array(occlusion_scores(f, t))).passed
    assert not checks.check_occlusion_scores(lambda f, t: sum(occlusion_scores(f, t))).passed
