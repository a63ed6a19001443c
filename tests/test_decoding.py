"""Tests of lmtutor.decoding: each rule against its definition computed another way (scipy's
softmax, sorting by hand, a loop over tokens), hypothesis properties for top-k, top-p,
temperature and the repetition penalty, a chi-square test of the sampler, and bad input."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import special, stats

from lmtutor import decoding
from lmtutor.decoding import DecodingConfig

RAW = DecodingConfig(banned_ids=())  # no banned tokens: the rules alone
LOGITS = arrays(np.float64, st.integers(2, 30), elements=st.floats(-20, 20, allow_nan=False))


# ------------------------------------------------------------------------------------- top-k
@settings(max_examples=150, deadline=None)
@given(LOGITS, st.integers(1, 35))
def test_top_k_keeps_exactly_k_tokens_the_largest_unchanged(logits, k):
    out = decoding.filter_top_k(logits, k)
    kept = np.isfinite(out)
    assert kept.sum() == min(k, logits.size)
    assert np.array_equal(out[kept], logits[kept])  # kept logits are not changed
    if not kept.all():
        assert logits[kept].min() >= logits[~kept].max()  # nothing removed beats anything kept
    assert np.all(out[~kept] == -np.inf)


def test_top_k_breaks_ties_by_the_lower_id():
    assert np.array_equal(np.isfinite(decoding.filter_top_k([1.0, 2.0, 2.0, 2.0], 2)), [0, 1, 1, 0])


# ------------------------------------------------------------------------------------- top-p
@settings(max_examples=200, deadline=None)
@given(LOGITS, st.floats(1e-6, 1.0))
def test_top_p_keeps_the_smallest_set_whose_mass_reaches_p(logits, top_p):
    probs = special.softmax(logits)  # the oracle's softmax, not ours
    kept = np.isfinite(decoding.filter_top_p(logits, top_p))
    mass = probs[kept].sum()
    assert mass >= top_p - 1e-9  # the set reaches p ...
    assert mass - probs[kept].min() < top_p + 1e-9  # ... and loses p without its least likely token
    if not kept.all():
        assert probs[kept].min() >= probs[~kept].max()  # it is made of the most likely tokens
    # so no set with fewer tokens reaches p: the best one, the top (m - 1), has mass - min < p


def test_top_p_on_a_known_distribution():
    logits = np.log([0.5, 0.3, 0.15, 0.05])
    assert np.isfinite(decoding.filter_top_p(logits, 0.5)).sum() == 1
    assert np.isfinite(decoding.filter_top_p(logits, 0.51)).sum() == 2
    assert np.isfinite(decoding.filter_top_p(logits, 0.8)).sum() == 2  # 0.5 + 0.3 reaches 0.8
    assert np.isfinite(decoding.filter_top_p(logits, 0.9)).sum() == 3
    assert np.isfinite(decoding.filter_top_p(logits, 1.0)).sum() == 4
    kept = decoding.probabilities(logits, DecodingConfig(top_p=0.9, banned_ids=()))
    assert np.allclose(kept, [0.5 / 0.95, 0.3 / 0.95, 0.15 / 0.95, 0.0])  # renormalised nucleus


# ------------------------------------------------------------------------------- temperature
@settings(max_examples=100, deadline=None)
@given(LOGITS, st.integers(0, 10_000))
def test_temperature_towards_zero_equals_greedy(logits, seed):
    top_two = np.sort(logits)[-2:]
    assume(top_two[1] - top_two[0] > 1e-2)  # a unique arg-max
    greedy = decoding.sample_next(logits, DecodingConfig(greedy=True, banned_ids=()))
    assert greedy == int(np.argmax(logits))
    cold = DecodingConfig(temperature=1e-4, banned_ids=())  # gap / T > 100: others get < e^-100
    assert decoding.probabilities(logits, cold)[greedy] > 1 - 1e-12
    assert decoding.sample_next(logits, cold, rng=np.random.default_rng(seed)) == greedy
    # and the arg-max's probability only grows as T falls
    p_max = [decoding.probabilities(logits, DecodingConfig(temperature=t, banned_ids=()))[greedy]
             for t in (4.0, 2.0, 1.0, 0.5, 0.1)]
    assert all(a <= b + 1e-15 for a, b in zip(p_max, p_max[1:]))


def test_temperature_divides_the_logits():
    logits = np.array([1.0, 2.0, -3.0])
    assert np.allclose(decoding.apply_temperature(logits, 0.5), [2.0, 4.0, -6.0])
    probs = decoding.probabilities(logits, DecodingConfig(temperature=2.0, banned_ids=()))
    assert np.allclose(probs, special.softmax(logits / 2.0), atol=1e-15)
    hot = decoding.probabilities(logits, DecodingConfig(temperature=1e6, banned_ids=()))
    assert np.allclose(hot, 1 / 3, atol=1e-5)  # T → ∞: uniform


# ----------------------------------------------------------------------- sampling frequencies
def test_sampling_frequencies_match_the_distribution_chi_square():
    logits = np.random.default_rng(7).normal(0, 1.5, size=10)
    config = DecodingConfig(temperature=0.7, top_k=6, top_p=0.97, banned_ids=(0,))
    probs = decoding.probabilities(logits, config)
    kept = probs > 0
    assert 3 <= kept.sum() <= 6 and probs[0] == 0
    rng, draws = np.random.default_rng(0), 20_000
    counts = np.bincount([decoding.sample_next(logits, config, rng=rng) for _ in range(draws)], minlength=10)
    assert counts[~kept].sum() == 0  # removed tokens are never drawn
    assert stats.chisquare(counts[kept], draws * probs[kept]).pvalue > 1e-3
    # the test has power: the same counts reject the distribution without the temperature
    wrong = special.softmax(np.where(kept, logits, -np.inf))
    assert stats.chisquare(counts[kept], draws * wrong[kept]).pvalue < 1e-6


# ------------------------------------------------------------------------ repetition penalty
@settings(max_examples=150, deadline=None)
@given(LOGITS, st.floats(1.0, 3.0), st.data())
def test_repetition_penalty_is_ctrls_rule_and_never_raises_a_repeat(logits, penalty, data):
    previous = data.draw(st.lists(st.integers(0, logits.size - 1), max_size=8))
    out = decoding.apply_repetition_penalty(logits, previous, penalty)
    expected = logits.copy()
    for i in set(previous):  # the rule, token by token
        expected[i] = logits[i] / penalty if logits[i] > 0 else logits[i] * penalty
    assert np.allclose(out, expected, rtol=0, atol=1e-12)
    before, after = special.softmax(logits), special.softmax(out)
    unseen = np.setdiff1d(np.arange(logits.size), previous)
    for i in set(previous):  # a repeated token loses odds against every unseen one
        assert np.all(after[i] / after[unseen] <= before[i] / before[unseen] * (1 + 1e-9))


def test_repetition_penalty_one_changes_nothing_and_counts_a_token_once():
    logits = np.array([2.0, -1.0, 0.5])
    assert np.array_equal(decoding.apply_repetition_penalty(logits, [0, 1], 1.0), logits)
    assert np.array_equal(decoding.apply_repetition_penalty(logits, [0, 0, 0, 1], 2.0), [1.0, -2.0, 0.5])
    config = DecodingConfig(repetition_penalty=2.0, banned_ids=())
    assert np.allclose(decoding.probabilities(logits, config, previous_ids=[0]),
                       special.softmax([1.0, -1.0, 0.5]))


# --------------------------------------------------------------------------- the whole chain
def test_banned_ids_and_greedy():
    logits = np.array([9.0, 0.0, 8.0, 1.0, 2.0])
    probs = decoding.probabilities(logits)  # default bans <pad> (0) and <bos> (2)
    assert probs[0] == probs[2] == 0 and probs.sum() == pytest.approx(1.0)
    greedy = DecodingConfig(greedy=True, temperature=5.0, top_k=3)
    assert np.array_equal(decoding.probabilities(logits, greedy), [0, 0, 0, 0, 1])
    assert decoding.sample_next(logits, greedy) == 4


def test_log_probabilities_equals_scipy_and_keeps_removed_tokens_removed():
    logits = np.array([1000.0, 999.0, -np.inf, 0.0])
    expected = special.log_softmax(np.array([1000.0, 999.0, 0.0]))
    out = decoding.log_probabilities(logits)
    assert np.allclose(out[[0, 1, 3]], expected, atol=1e-12) and out[2] == -np.inf


def test_rules_compose_on_already_removed_tokens():
    logits = decoding.filter_top_k(np.array([3.0, 1.0, 2.0, 0.0]), 3)
    assert np.isfinite(decoding.filter_top_k(logits, 4)).sum() == 3
    assert np.isfinite(decoding.filter_top_p(logits, 1.0)).sum() == 3


# --------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(("settings_", "message"), [
    ({"temperature": 0}, "temperature must be > 0.0, got 0.0"),
    ({"temperature": -1.0}, "temperature must be > 0.0"),
    ({"top_p": 0.0}, "top_p must be > 0.0"),
    ({"top_p": 1.5}, "top_p must be <= 1.0, got 1.5"),
    ({"top_k": 0}, "top_k must be >= 1, got 0"),
    ({"repetition_penalty": 0.0}, "repetition_penalty must be > 0.0"),
    ({"banned_ids": [-1]}, r"banned_ids\[0\] must be a token id >= 0"),
])
def test_bad_settings_are_named(settings_, message):
    with pytest.raises(ValueError, match=message):
        DecodingConfig(**settings_)


def test_bad_input_to_the_rules_is_named():
    logits = np.zeros(5)
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        decoding.filter_top_k(logits, 0)
    with pytest.raises(ValueError, match="top_p must be > 0.0"):
        decoding.filter_top_p(logits, 0)
    with pytest.raises(ValueError, match="temperature must be > 0.0"):
        decoding.apply_temperature(logits, 0)
    with pytest.raises(ValueError, match=r"logits must be a non-empty vector of shape \(vocab_size,\)"):
        decoding.probabilities(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="logits must not hold NaN"):
        decoding.probabilities([0.0, np.nan])
    with pytest.raises(TypeError, match="logits must be a vector of numbers"):
        decoding.probabilities("abc")
    with pytest.raises(ValueError, match="every token was removed"):
        decoding.probabilities([1.0, 2.0], DecodingConfig(banned_ids=(0, 1)))
    with pytest.raises(ValueError, match=r"previous_ids\[\d+\] = -?\d+ is outside the vocabulary \[0, 5\)"):
        decoding.apply_repetition_penalty(logits, [7], 1.2)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        decoding.sample_next(logits)
    with pytest.raises(TypeError, match="config must be DecodingConfig"):
        decoding.probabilities(logits, {"temperature": 1.0})
