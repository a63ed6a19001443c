"""Tests of lmtutor.generate on a small NumPy trigram "model" that implements StepModel: stateful
generation equal to re-encoding, beam search against exhaustive search over every sequence,
width 1 against greedy, the metrics against hand counts, text in and out, and bad input.

The LSTM's own StepModel (lstm_lm.LSTMStepper) is tested in tests/test_lstm_lm.py."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from lmtutor import generate as gen
from lmtutor.decoding import DecodingConfig
from lmtutor.text import Vocab

EOS = Vocab.eos_id


class TrigramModel:
    """A table of logits[previous-but-one, previous] (vocab, vocab, vocab): a StepModel in NumPy."""

    def __init__(self, logits):
        self.logits = np.asarray(logits, dtype=np.float64)
        self.vocab_size = self.logits.shape[-1]
        self.calls = {"start": 0, "step": 0, "full_logits": 0}

    def _context(self, ids):
        return (Vocab.bos_id, *ids)[-2:]

    def start(self, prompt_ids):
        if not prompt_ids:
            raise ValueError("prompt_ids must not be empty")
        self.calls["start"] += 1
        state = self._context(list(prompt_ids))
        return self.logits[state].copy(), state

    def step(self, state, token_id):
        self.calls["step"] += 1
        new_state = (state[1], token_id)  # a new tuple: the old state is untouched
        return self.logits[new_state].copy(), new_state

    def full_logits(self, ids):
        self.calls["full_logits"] += 1
        return np.stack([self.logits[self._context(list(ids[:t + 1]))] for t in range(len(ids))])


def random_model(seed, vocab_size=6, scale=2.0):
    return TrigramModel(np.random.default_rng(seed).normal(0, scale, size=(vocab_size,) * 3))


def test_the_test_model_is_a_step_model():
    model = random_model(0)
    assert isinstance(model, gen.StepModel)
    ids = [2, 4, 5, 4, 3, 5]
    logits, state = model.start(ids[:1])
    rows = [logits]
    for token in ids[1:]:
        logits, state = model.step(state, token)
        rows.append(logits)
    assert np.array_equal(np.stack(rows), model.full_logits(ids))


# ----------------------------------------------------------------------- stateful generation
@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000), st.sampled_from([
    DecodingConfig(), DecodingConfig(greedy=True), DecodingConfig(temperature=0.5, top_k=3),
    DecodingConfig(top_p=0.8, repetition_penalty=1.3)]))
def test_stateful_generation_equals_re_encoding_the_prefix(model_seed, seed, config):
    model = random_model(model_seed)
    fast = gen.generate(model, [2, 4], max_tokens=15, config=config, seed=seed)
    slow = gen.generate_reencoding(model, [2, 4], max_tokens=15, config=config, seed=seed)
    assert fast == slow and len(fast) <= 15 and EOS not in fast
    assert not {0, 2} & set(fast)  # <pad> and <bos> are never produced


def test_generation_costs_one_step_per_token_and_re_encoding_one_full_pass():
    model = random_model(3)
    new = gen.generate(model, [2, 5, 4], max_tokens=50, seed=1, stop_id=None)
    assert len(new) == 50  # stop_id=None: never stops early
    assert model.calls == {"start": 1, "step": 49, "full_logits": 0}
    model.calls.update(start=0, step=0)
    assert gen.generate_reencoding(model, [2, 5, 4], max_tokens=50, seed=1, stop_id=None) == new
    assert model.calls == {"start": 50, "step": 0, "full_logits": 0}  # the prefix read by the stepper itself
    model.calls.update(start=0)
    assert gen.generate_reencoding(model, [2, 5, 4], max_tokens=50, seed=1, stop_id=None, use_keras=True) == new
    assert model.calls == {"start": 0, "step": 0, "full_logits": 50}  # the prefix read by the framework


@pytest.mark.parametrize("flag", ["False", 0, None, 1.0])
def test_re_encoding_takes_a_real_bool_for_use_keras(flag):
    with pytest.raises(TypeError, match="use_keras"):
        gen.generate_reencoding(random_model(0), [2, 4], max_tokens=3, use_keras=flag)


def test_generation_stops_before_eos_and_is_reproducible():
    logits = np.zeros((6, 6, 6))
    logits[..., EOS] = 1.5  # <eos> likely at every step
    model = TrigramModel(logits)
    outputs = [gen.generate(model, [2], max_tokens=40, seed=s) for s in range(20)]
    assert all(EOS not in out and len(out) < 40 for out in outputs)
    assert outputs[4] == gen.generate(model, [2], max_tokens=40, seed=4)
    assert len({tuple(out) for out in outputs}) > 5


# ----------------------------------------------------------------------------- beam search
ALLOWED = [1, 3, 4, 5]  # <unk>, <eos>, two words: <pad> (0) and <bos> (2) are banned


def exhaustive_search(model, prompt, max_tokens, alpha):
    """Return every possible output, best first: [(score, ids, log_prob, finished)]."""
    def log_p(prefix, token):
        logits = model.full_logits(prompt + list(prefix))[-1].copy()
        logits[[0, 2]] = -np.inf
        return special.log_softmax(logits)[token]

    results = []
    for length in range(1, max_tokens + 1):
        for ids in itertools.product(ALLOWED, repeat=length):
            if EOS in ids[:-1]:
                continue
            total = sum(log_p(ids[:t], ids[t]) for t in range(length))
            finished = ids[-1] == EOS
            body = ids[:-1] if finished else ids
            if finished or length == max_tokens:
                results.append((total / ((5 + length) / 6) ** alpha, body, total, finished))
    return sorted(results, key=lambda r: -r[0])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([0.0, 0.6, 1.0, 2.0]))
def test_wide_beam_search_equals_exhaustive_search(seed, alpha):
    model = random_model(seed)
    expected = exhaustive_search(model, [2, 4], 3, alpha)
    assert len(expected) == 1 + 3 + 9 + 27  # <eos> after 0, 1, 2 tokens, or 3 tokens cut off
    found = gen.beam_search(model, [2, 4], beam_width=64, max_tokens=3, length_penalty=alpha)
    assert len(found) == len(expected)
    for hyp, (score, ids, total, finished) in zip(found, expected):
        assert hyp.ids == ids and hyp.finished == finished
        assert hyp.log_prob == pytest.approx(total, abs=1e-12) and hyp.score == pytest.approx(score, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 12))
def test_beam_width_one_is_greedy(seed, max_tokens):
    model = random_model(seed, scale=1.0)
    greedy = gen.generate(model, [2], max_tokens=max_tokens, config=DecodingConfig(greedy=True))
    (best,) = gen.beam_search(model, [2], beam_width=1, max_tokens=max_tokens)
    assert list(best.ids) == greedy
    assert best.finished == (len(greedy) < max_tokens)


def eos_heavy_model(seed, eos_logit):
    """A random model whose <eos> logit is raised by ``eos_logit``: beams finish early and often."""
    model = random_model(seed)
    model.logits[..., EOS] += eos_logit
    return model


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.sampled_from([0.0, 0.6, 1.0, 2.0]), st.integers(1, 12),
       st.sampled_from([0.0, 1.0, 3.0]))
def test_early_stop_returns_what_the_full_search_returns(seed, width, alpha, max_tokens, eos_logit):
    full_model, early_model = eos_heavy_model(seed, eos_logit), eos_heavy_model(seed, eos_logit)
    full = gen.beam_search(full_model, [2], beam_width=width, max_tokens=max_tokens, length_penalty=alpha,
                           early_stop=False)
    early = gen.beam_search(early_model, [2], beam_width=width, max_tokens=max_tokens, length_penalty=alpha)
    assert [(h.ids, h.finished) for h in early] == [(h.ids, h.finished) for h in full]
    assert [h.score for h in early] == [h.score for h in full] and [h.log_prob for h in early] == [h.log_prob for h in full]
    assert early_model.calls["step"] <= full_model.calls["step"]


def test_early_stop_ends_the_search_once_the_finished_beams_cannot_be_beaten():
    model = eos_heavy_model(0, 6.0)  # <eos> near certain after every token
    results = {}
    for early_stop in (False, True):
        model.calls["step"] = 0
        found = gen.beam_search(model, [2], beam_width=3, max_tokens=30, early_stop=early_stop)
        results[early_stop] = ([(h.ids, h.finished, h.score) for h in found], model.calls["step"])
    assert results[True][0] == results[False][0] and all(finished for _, finished, _ in results[True][0])
    assert results[False][1] == 29 * 3  # every step after the first extends three live beams
    assert results[True][1] <= 3 * 3  # the three best finished by the third step


def test_a_wider_beam_finds_what_greedy_misses():
    # after <bos>: "a" 0.5, "b" 0.4, <eos> 0.1; after "a" four tokens near 0.25; after "b" <eos> 0.9
    probs = np.full((6, 6, 6), 1e-9)
    probs[:, 2, [4, 5, 3]] = [0.5, 0.4, 0.1]
    probs[:, 4, [4, 5, 3, 1]] = [0.3, 0.25, 0.25, 0.2]
    probs[:, 5, [3, 4]] = [0.9, 0.1]
    model = TrigramModel(np.log(probs))
    (greedy,) = gen.beam_search(model, [2], beam_width=1, max_tokens=2)
    best = gen.beam_search(model, [2], beam_width=2, max_tokens=2)[0]
    assert greedy.ids == (4, 4) and greedy.log_prob == pytest.approx(math.log(0.5 * 0.3), abs=1e-6)
    assert best.ids == (5,) and best.finished and best.log_prob == pytest.approx(math.log(0.4 * 0.9), abs=1e-6)


def test_length_penalty_is_wu_et_al():
    assert gen.length_normalized_score(-6.0, 7, 0.0) == -6.0
    assert gen.length_normalized_score(-6.0, 7, 1.0) == pytest.approx(-6.0 / 2.0)
    assert gen.length_normalized_score(-6.0, 1, 0.5) == pytest.approx(-6.0)  # ((5 + 1) / 6)^α = 1


# -------------------------------------------------------------------------------- metrics
def test_distinct_n_and_repetition_rate_by_hand():
    assert gen.distinct_n([["a", "b", "a", "b"]], 1) == 2 / 4
    assert gen.distinct_n([["a", "b", "a", "b"]], 2) == 2 / 3  # ab, ba, ab
    assert gen.distinct_n([["a", "b"], ["a", "b"], ["b"]], 2) == 1 / 2  # pooled; "b" has no bigram
    assert gen.repetition_rate([["the"] * 4], n=1) == 3 / 4
    assert gen.repetition_rate([list("abcabcabc"), list("abcd")], n=3) == pytest.approx((1 - 3 / 7 + 0) / 2)
    assert gen.repetition_rate([[1, 2, 3, 4, 5]], n=2) == 0.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 4), max_size=12), min_size=1, max_size=4), st.integers(1, 3))
def test_metric_properties(sequences, n):
    if not any(len(s) >= n for s in sequences):
        with pytest.raises(ValueError, match="no sequence of at least n="):
            gen.distinct_n(sequences, n)
        return
    value = gen.distinct_n(sequences, n)
    grams = [tuple(s[i:i + n]) for s in sequences for i in range(len(s) - n + 1)]
    assert 0 < value <= 1 and (value == 1) == (len(set(grams)) == len(grams))
    relabelled = [[(7 * t + 3) % 11 for t in s] for s in sequences]  # a one-to-one renaming
    assert gen.distinct_n(relabelled, n) == value
    long = [s for s in sequences if len(s) >= n]
    assert gen.repetition_rate(sequences, n) == pytest.approx(np.mean([1 - gen.distinct_n([s], n) for s in long]))


def test_greedy_loops_more_than_sampling():
    # each token's most likely successor is a fixed cycle 4 -> 5 -> 1 -> 4: greedy repeats it
    logits = np.random.default_rng(0).normal(0, 0.3, size=(20, 20, 20))
    for token, successor in ((2, 4), (4, 5), (5, 1), (1, 4)):
        logits[:, token, successor] += 2.0  # the successor: ~28% of the mass, ~7x a typical other
    model = TrigramModel(logits)
    greedy = [gen.generate(model, [2], max_tokens=60, config=DecodingConfig(greedy=True), stop_id=None)]
    sampled = [gen.generate(model, [2], max_tokens=60, seed=s, stop_id=None) for s in range(5)]
    assert greedy[0][:6] == [4, 5, 1, 4, 5, 1]
    assert gen.repetition_rate(greedy, 4) > 0.9 and gen.repetition_rate(sampled, 4) < 0.2
    assert gen.distinct_n(sampled, 2) > 5 * gen.distinct_n(greedy, 2)
    # greedy text is also the one the model finds least surprising
    assert (gen.continuation_perplexity(model, [2], greedy[0])
            < min(gen.continuation_perplexity(model, [2], s) for s in sampled))


def test_token_log_probs_and_perplexity_equal_the_full_pass():
    model = random_model(5)
    prompt, ids = [2, 4, 5], [5, 1, 4, 3]
    rows = model.full_logits(prompt + ids)[len(prompt) - 1:-1]  # row t predicts ids[t]
    expected = special.log_softmax(rows, axis=1)[np.arange(len(ids)), ids]
    assert np.allclose(gen.token_log_probs(model, prompt, ids), expected, atol=1e-12)
    assert gen.continuation_perplexity(model, prompt, ids) == pytest.approx(math.exp(-expected.mean()))
    uniform = TrigramModel(np.zeros((6, 6, 6)))
    assert gen.continuation_perplexity(uniform, [2], [4, 5, 4]) == pytest.approx(6.0)


# -------------------------------------------------------------------------------- bad input
def test_bad_input_is_named():
    model = random_model(0)
    with pytest.raises(ValueError, match="prompt_ids must not be empty: start it with <bos>"):
        gen.generate(model, [])
    with pytest.raises(TypeError, match="prompt_ids must be a sequence of int token ids, got a str"):
        gen.generate(model, "the cat")
    with pytest.raises(ValueError, match=r"prompt_ids\[1\] = 9 is outside the vocabulary \[0, 6\)"):
        gen.generate(model, [2, 9])
    with pytest.raises(TypeError, match=r"prompt_ids\[0\] must be an int token id, got float"):
        gen.beam_search(model, [2.5])
    with pytest.raises(ValueError, match="max_tokens must be >= 1, got 0"):
        gen.generate(model, [2], max_tokens=0)
    with pytest.raises(TypeError, match="model must implement StepModel"):
        gen.generate(object(), [2])
    with pytest.raises(TypeError, match="config must be DecodingConfig"):
        gen.generate(model, [2], config={"temperature": 0.5})
    with pytest.raises(ValueError, match="temperature must be > 0.0"):
        gen.generate(model, [2], config=DecodingConfig(temperature=0))
    with pytest.raises(ValueError, match="beam_width must be >= 1"):
        gen.beam_search(model, [2], beam_width=0)
    with pytest.raises(ValueError, match="length_penalty must be >= 0.0"):
        gen.beam_search(model, [2], length_penalty=-1)
    with pytest.raises(ValueError, match="stop_id must be <= 5"):
        gen.generate(model, [2], stop_id=6)
    with pytest.raises(ValueError, match="n must be >= 1"):
        gen.distinct_n([[1, 2]], 0)
    with pytest.raises(TypeError, match=r"sequences\[0\] must be a list of tokens or ids, got str"):
        gen.distinct_n(["the cat"], 1)
    with pytest.raises(TypeError, match="ids must be a sequence of int token ids"):
        gen.token_log_probs(model, [2], "ab")



def test_min_tokens_bans_the_stop_id_until_that_many_ids_are_out():
    logits = np.zeros((6, 6, 6))
    logits[..., EOS] = 4.0  # <eos> is by far the likeliest token at every step
    model = TrigramModel(logits)
    free = [gen.generate(model, [2], max_tokens=30, seed=s) for s in range(20)]
    assert min(map(len, free)) == 0  # without a minimum most texts end at once
    for min_tokens in (1, 5, 12):
        outputs = [gen.generate(model, [2], max_tokens=30, seed=s, min_tokens=min_tokens) for s in range(20)]
        assert min(map(len, outputs)) == min_tokens  # never shorter, and <eos> comes as soon as it may
        assert all(EOS not in out for out in outputs)
        assert outputs == [gen.generate_reencoding(model, [2], max_tokens=30, seed=s, min_tokens=min_tokens)
                           for s in range(20)]
    assert gen.generate(model, [2], max_tokens=7, seed=0, min_tokens=7, stop_id=None) == \
        gen.generate(model, [2], max_tokens=7, seed=0, stop_id=None)  # nothing to ban without a stop id


@pytest.mark.parametrize("min_tokens, error", [(-1, ValueError), (31, ValueError), (2.0, TypeError), ("3", TypeError),
                                               (None, TypeError), (True, TypeError)])
def test_min_tokens_is_a_count_up_to_max_tokens(min_tokens, error):
    with pytest.raises(error, match="min_tokens"):
        gen.generate(random_model(0), [2, 4], max_tokens=30, min_tokens=min_tokens)


@pytest.mark.parametrize("decode", [gen.generate, gen.generate_reencoding])
def test_min_tokens_is_checked_before_the_model_reads_the_prompt(decode):
    model = random_model(0)
    with pytest.raises(ValueError, match="min_tokens"):
        decode(model, [2, 4], max_tokens=5, min_tokens=6)
    assert model.calls == {"start": 0, "step": 0, "full_logits": 0}
