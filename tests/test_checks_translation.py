"""Tests for lmtutor.checks.translation (notebook 09): right answers pass, each typical wrong answer
gets its own hint, hard-coded answers fail, in-place changes and crashes get a message.

The learner solutions below are written independently of lmtutor.translation_metrics (plain Python
and NumPy); sacrebleu is the oracle of the brevity penalty and of the clipped precision."""

import math
from collections import Counter

import numpy as np
import pytest
import sacrebleu

from lmtutor import checks
from check_harness import (assert_array_check_handles_broken_functions, assert_every_hint_is_reached,
                           assert_hard_coded_fails, assert_passes, assert_specific_hint, one_line)
from lmtutor.checks import translation

pytestmark = pytest.mark.filterwarnings("error")


# ------------------------------------------------------------------------------ right answers
def brevity_penalty(hyp_length, ref_length):
    if hyp_length == 0:
        return 0.0
    return 1.0 if hyp_length >= ref_length else math.exp(1 - ref_length / hyp_length)


def brevity_penalty_numpy(hyp_length, ref_length):
    return float(np.where(hyp_length >= ref_length, 1.0, np.exp(1 - ref_length / max(hyp_length, 1e-300))))


def ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def clipped_precision(hypothesis, reference, n):
    hyp, ref = ngrams(hypothesis, n), ngrams(reference, n)
    total = sum(hyp.values())
    return sum(min(count, ref[gram]) for gram, count in hyp.items()) / total if total else 0.0


def clipped_precision_loop(hypothesis, reference, n):  # pure Python, without Counter
    grams = [tuple(hypothesis[i:i + n]) for i in range(len(hypothesis) - n + 1)]
    left = [tuple(reference[i:i + n]) for i in range(len(reference) - n + 1)]  # a copy to cross off
    matches = 0
    for gram in grams:
        if gram in left:
            left.remove(gram)
            matches += 1
    return matches / len(grams) if grams else 0.0


def additive_attention(query, keys, W_query, W_keys, v):
    scores = np.tanh(query @ W_query + keys @ W_keys) @ v
    weights = np.exp(scores - scores.max())
    return weights / weights.sum()


def additive_attention_loop(query, keys, W_query, W_keys, v):
    scores = [float(v @ np.tanh(query @ W_query + key @ W_keys)) for key in keys]
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    return [e / sum(exps) for e in exps]


def beam_step(beam_scores, log_probs, beam_width):
    totals = beam_scores[:, None] + log_probs  # (beams, vocab)
    best = np.argsort(-totals, axis=None, kind="stable")[:beam_width]
    return [(int(i) // totals.shape[1], int(i) % totals.shape[1], float(totals.flat[i])) for i in best]


def beam_step_loop(beam_scores, log_probs, beam_width):  # pure Python: sort (−total, beam, token)
    candidates = sorted((-(float(s) + float(lp)), b, v) for b, (s, row) in enumerate(zip(beam_scores, log_probs))
                        for v, lp in enumerate(row))
    return [[b, v, -total] for total, b, v in candidates[:beam_width]]  # lists of 3 count as triples


CORRECT = [
    (checks.check_brevity_penalty, brevity_penalty),
    (checks.check_brevity_penalty, brevity_penalty_numpy),
    (checks.check_clipped_precision, clipped_precision),
    (checks.check_clipped_precision, clipped_precision_loop),
    (checks.check_additive_attention, additive_attention),
    (checks.check_additive_attention, additive_attention_loop),  # a list of floats counts as an array
    (translation.check_beam_step, beam_step),
    (translation.check_beam_step, beam_step_loop),
]


@pytest.mark.parametrize(("check", "fn"), CORRECT)
def test_correct_solution_passes(check, fn):
    assert_passes(check, fn)


# ------------------------------------------------------------------------------ wrong answers
def clipped_precision_in_place(hypothesis, reference, n):  # crosses matched tokens off the caller's list
    matches = 0
    for token in hypothesis:
        if token in reference:
            reference.remove(token)
            matches += 1
    return matches / len(hypothesis)


def unclipped(hypothesis, reference, n):
    hyp, ref = ngrams(hypothesis, n), ngrams(reference, n)
    return sum(c for g, c in hyp.items() if g in ref) / max(sum(hyp.values()), 1)


def distinct(hypothesis, reference, n):
    hyp, ref = set(ngrams(hypothesis, n)), set(ngrams(reference, n))
    return len(hyp & ref) / len(hyp) if hyp else 0.0


def recall(hypothesis, reference, n):
    hyp, ref = ngrams(hypothesis, n), ngrams(reference, n)
    return sum(min(c, ref[g]) for g, c in hyp.items()) / sum(ref.values())


def off_by_one(hypothesis, reference, n):
    hyp = Counter(tuple(hypothesis[i:i + n]) for i in range(len(hypothesis) - n))
    ref = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n))
    total = sum(hyp.values())
    return sum(min(c, ref[g]) for g, c in hyp.items()) / total if total else 0.0


def attention_naive_softmax(query, keys, W_query, W_keys, v):
    scores = np.tanh(query @ W_query + keys @ W_keys) @ v
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(scores) / np.exp(scores).sum()


def attention_in_place(query, keys, W_query, W_keys, v):
    keys @= W_keys  # writes the projection into the caller's keys
    scores = np.tanh(query @ W_query + keys) @ v
    return np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()


def softmax(scores):
    e = np.exp(scores - scores.max())
    return e / e.sum()


def beam_by_token_only(beam_scores, log_probs, beam_width):
    return beam_step(np.zeros_like(beam_scores), log_probs, beam_width)


def beam_product(beam_scores, log_probs, beam_width):
    totals = beam_scores[:, None] * log_probs
    best = np.argsort(-totals, axis=None, kind="stable")[:beam_width]
    return [(int(i) // totals.shape[1], int(i) % totals.shape[1], float(totals.flat[i])) for i in best]


def beam_best_token_per_beam(beam_scores, log_probs, beam_width):
    tokens = log_probs.argmax(axis=1)
    totals = beam_scores + log_probs.max(axis=1)
    return [(int(b), int(tokens[b]), float(totals[b])) for b in np.argsort(-totals, kind="stable")[:beam_width]]


def beam_worst_first(beam_scores, log_probs, beam_width):
    totals = beam_scores[:, None] + log_probs
    best = np.argsort(totals, axis=None, kind="stable")[-beam_width:]  # the best, but ascending
    return [(int(i) // totals.shape[1], int(i) % totals.shape[1], float(totals.flat[i])) for i in best]


def beam_worst(beam_scores, log_probs, beam_width):
    totals = beam_scores[:, None] + log_probs
    worst = np.argsort(totals, axis=None, kind="stable")[:beam_width]
    return [(int(i) // totals.shape[1], int(i) % totals.shape[1], float(totals.flat[i])) for i in worst]


def beam_divmod_by_beams(beam_scores, log_probs, beam_width):
    totals = beam_scores[:, None] + log_probs
    out = []
    for index in np.argsort(-totals, axis=None, kind="stable")[:beam_width]:
        beam, token = divmod(int(index), len(beam_scores))
        out.append((beam, token, float(totals[beam, token])))
    return out


def beam_unstable(beam_scores, log_probs, beam_width):
    totals = beam_scores[:, None] + log_probs
    best = np.argsort(-totals, axis=None, kind="quicksort")[:beam_width]
    return [(int(i) // totals.shape[1], int(i) % totals.shape[1], float(totals.flat[i])) for i in best]


def beam_in_place(beam_scores, log_probs, beam_width):
    log_probs += beam_scores[:, None]  # the caller's log_probs now hold totals
    best = np.argsort(-log_probs, axis=None, kind="stable")[:beam_width]
    return [(int(i) // log_probs.shape[1], int(i) % log_probs.shape[1], float(log_probs.flat[i])) for i in best]


WRONG = [
    (checks.check_brevity_penalty, lambda c, r: 1.0 if c >= r else math.exp(1 - c / r), "upside down"),
    (checks.check_brevity_penalty, lambda c, r: math.exp(1 - r / c) if c else 0.0, "is not penalised"),
    (checks.check_brevity_penalty, lambda c, r: 1.0 if c >= r else (math.exp(-r / c) if c else 0.0),
     "you left out the 1"),
    (checks.check_brevity_penalty, lambda c, r: min(1.0, c / r), "not the length ratio"),
    (checks.check_brevity_penalty, lambda c, r: 1.0 if c >= r else (math.exp(1 - r / c) if c else 1.0),
     "gets BP = 0"),
    (checks.check_clipped_precision, unclipped, "you did not clip"),
    (checks.check_clipped_precision, distinct, "not the distinct n-grams"),
    (checks.check_clipped_precision, recall, "not in the reference"),
    (checks.check_clipped_precision, lambda h, r, n: clipped_precision(h, r, 1), "unigrams whatever n is"),
    (checks.check_clipped_precision, off_by_one, "you missed the last n-gram"),
    (checks.check_clipped_precision, lambda h, r, n: clipped_precision(h, r, n) if len(h) >= n else 1.0,
     "has no n-grams"),
    (checks.check_clipped_precision, clipped_precision_in_place, "changed its argument `reference` in place"),
    (checks.check_additive_attention, lambda q, k, wq, wk, v: softmax((q @ wq + k @ wk) @ v), "left out the tanh"),
    (checks.check_additive_attention, lambda q, k, wq, wk, v: softmax((1 / (1 + np.exp(-(q @ wq + k @ wk)))) @ v),
     "not the logistic sigmoid"),
    (checks.check_additive_attention, lambda q, k, wq, wk, v: np.tanh(q @ wq + k @ wk) @ v, "you returned the scores"),
    (checks.check_additive_attention, lambda q, k, wq, wk, v: additive_attention(q, k, wk, wq, v), "you swapped them"),
    (checks.check_additive_attention, lambda q, k, wq, wk, v: softmax(np.tanh(q @ wq + k @ wk).sum(axis=1)),
     "instead of taking its dot product with v"),
    (checks.check_additive_attention, attention_naive_softmax, "exp overflowed"),
    (checks.check_additive_attention, attention_in_place, "changed its argument `keys` in place"),
    (translation.check_beam_step, beam_by_token_only, "log-probability alone"),
    (translation.check_beam_step, beam_product, "log-probabilities add"),
    (translation.check_beam_step, beam_best_token_per_beam, "each beam's best token only"),
    (translation.check_beam_step, beam_worst, "sort the totals from the largest"),
    (translation.check_beam_step, beam_worst_first, "right extensions in the wrong order"),
    (translation.check_beam_step, lambda s, lp, k: beam_step(s, lp, k)[:k - 1], "no fewer"),
    (translation.check_beam_step, lambda s, lp, k: beam_step(s, lp, k + 1), "no more"),
    (translation.check_beam_step, beam_in_place, "changed its argument `log_probs` in place"),
]


@pytest.mark.parametrize(("check", "fn", "phrase"), WRONG)
def test_typical_wrong_answer_gets_its_specific_hint(check, fn, phrase):
    assert_specific_hint(check, fn, phrase)


def test_every_hint_is_reached_by_a_wrong_solution():
    exercises = [translation._BREVITY, translation._CLIPPED, translation._additive_exercise(),
                 translation._beam_exercise()]
    machine_dependent = [(translation.check_beam_step, beam_unstable, "not stable")]
    unless = ["among equal totals"] * translation.check_beam_step(beam_unstable).passed  # quicksort kept the ties in order
    assert_every_hint_is_reached(exercises, WRONG + machine_dependent, unless=unless)


def test_unstable_tie_order_fails_where_it_differs_from_the_stable_one():
    cases = translation._beam_exercise().cases
    differs = any(beam_unstable(*c.args) != beam_step(*c.args) for c in cases)
    result = translation.check_beam_step(beam_unstable)
    assert ("np.argsort's default sort is not stable" in result.message) if differs else result.passed


def test_a_wrong_flat_index_gets_the_divmod_hint():
    result = translation.check_beam_step(beam_divmod_by_beams)
    assert "IndexError" in result.message and "divmod(index, log_probs.shape[1])" in result.message
    one_line(result)


def test_beam_step_ranks_as_generate_beam_search():
    from lmtutor import generate
    from widget_fixtures import BigramModel

    model = BigramModel(6, seed=3)  # logits[previous token], a generate.StepModel

    def log_probs(token):
        z = model.logits[token]
        return z - z.max() - np.log(np.exp(z - z.max()).sum())

    hypotheses = generate.beam_search(model, [0], beam_width=3, max_tokens=2, stop_id=None, banned_ids=())
    first = beam_step(np.zeros(1), log_probs(0)[None], 3)  # one beam after the prompt
    second = beam_step(np.array([t for _, _, t in first]), np.stack([log_probs(v) for _, v, _ in first]), 3)
    assert [h.log_prob for h in hypotheses] == pytest.approx([t for _, _, t in second])
    assert [list(h.ids) for h in hypotheses] == [[first[b][1], v] for b, v, _ in second]


def test_division_by_zero_gets_the_hint_of_the_empty_case():
    result = checks.check_brevity_penalty(lambda c, r: 1.0 if c >= r else math.exp(1 - r / c))
    assert "ZeroDivisionError" in result.message and "gets BP = 0" in result.message
    result = checks.check_clipped_precision(
        lambda h, r, n: sum(min(c, ngrams(r, n)[g]) for g, c in ngrams(h, n).items()) / sum(ngrams(h, n).values()))
    assert "ZeroDivisionError" in result.message and "has no n-grams" in result.message
    one_line(result)


HARD_CODED = [
    (checks.check_brevity_penalty, lambda c, r: math.exp(-0.25)),
    (checks.check_clipped_precision, lambda h, r, n: 0.6),
    (checks.check_additive_attention, lambda *args: additive_attention(*translation._shown_additive_case())),
    (translation.check_beam_step, lambda *args: beam_step(*translation._shown_beam_case())),
]


@pytest.mark.parametrize(("check", "fn"), HARD_CODED)
def test_hard_coded_notebook_answer_fails(check, fn):
    assert_hard_coded_fails(check, fn)


def test_ignored_arguments_fail():
    assert not checks.check_brevity_penalty(lambda c, r: 1.0 if c >= 10 else math.exp(1 - 10 / c)).passed  # r ignored
    assert not checks.check_clipped_precision(lambda h, r, n: clipped_precision(h, h, n)).passed  # reference ignored
    assert not checks.check_additive_attention(lambda q, k, wq, wk, v: additive_attention(0 * q, k, wq, wk, v)).passed
    assert not translation.check_beam_step(lambda s, lp, k: beam_step(s, lp, 2)).passed  # beam_width ignored


def test_broken_functions_get_a_message():
    assert_array_check_handles_broken_functions(checks.check_additive_attention, (2,))
    for check in (checks.check_brevity_penalty, checks.check_clipped_precision):
        def student(*args):
            raise NotImplementedError()

        assert check(student).message.startswith("not implemented yet")
        assert "forget the return statement" in check(lambda *a: None).message
        assert "pass the function itself" in one_line(check(0.5))
        assert "return a number (a float)" in check(lambda *a: "0.6").message


# ------------------------------------------------------------------------------ the cases themselves
def test_brevity_penalty_reference_equals_sacrebleu():
    for case in translation._BREVITY.cases:
        c, r = case.args
        assert translation._BREVITY.reference(c, r) == pytest.approx(
            sacrebleu.BLEU.compute_bleu([1] * 4, [1] * 4, c, r).bp)


def test_clipped_precision_reference_equals_sacrebleu_counts():
    for case in translation._CLIPPED.cases:
        hyp, ref, n = case.args
        stats = sacrebleu.BLEU(tokenize="none", max_ngram_order=4).corpus_score([" ".join(hyp)], [[" ".join(ref)]])
        if n <= 4 and stats.totals[n - 1]:
            assert translation._CLIPPED.reference(hyp, ref, n) == pytest.approx(stats.counts[n - 1] / stats.totals[n - 1])


def test_beam_step_broken_functions_get_a_message():
    assert "forget the return statement" in translation.check_beam_step(lambda *a: None).message
    assert "pass the function itself" in one_line(translation.check_beam_step([(0, 0, -1.0)]))


def test_shown_answers_are_those_the_notebook_states():
    assert brevity_penalty(8, 10) == pytest.approx(0.7788, abs=1e-4)
    assert clipped_precision("the the the the cat".split(), "the cat sat on the mat".split(), 1) == 0.6
    assert np.allclose(additive_attention(*translation._shown_additive_case()), [0.5344, 0.2161, 0.2495], atol=1e-4)
    (b0, v0, t0), (b1, v1, t1) = beam_step(*translation._shown_beam_case())
    assert (b0, v0, b1, v1) == (0, 0, 1, 1) and (t0, t1) == pytest.approx((-1.6931, -2.0108), abs=1e-4)


def test_a_hidden_case_has_ties_and_one_has_scores_that_overflow_exp():
    tied = translation._tied_case()
    assert np.allclose(additive_attention(*tied), 1 / 3)
    query, keys, W_query, W_keys, v = translation._large_scores_case()
    assert np.max(np.tanh(query @ W_query + keys @ W_keys) @ v) > 709  # np.exp overflows
    assert any(np.array_equal(c.args[1], keys) for c in translation._additive_exercise().cases if not c.shown)
