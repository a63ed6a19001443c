"""Tests for lmtutor.memorisation: planting, deduplication, rank and exposure against a brute-force
sort, and the tree walk of secret_log_probs against the Keras model scoring every secret in full."""

import itertools
import math

import numpy as np
import pytest

import lmtutor

lmtutor.quiet_tensorflow()

from lmtutor import losses, lstm_lm, memorisation as mem  # noqa: E402


def test_plant_inserts_copies_and_keeps_the_rest_in_order():
    docs = [f"doc {i}" for i in range(10)]
    before = list(docs)
    planted = mem.plant(docs, "my pin is 1 2 3", 7, seed=3)
    assert docs == before  # a new list
    assert planted.count("my pin is 1 2 3") == 7 and len(planted) == 17
    assert [d for d in planted if d.startswith("doc")] == docs
    assert planted == mem.plant(docs, "my pin is 1 2 3", 7, seed=3)  # seeded
    assert planted != mem.plant(docs, "my pin is 1 2 3", 7, seed=4)
    assert mem.plant(docs, "x", 0) == docs
    assert mem.plant([], "x", 2) == ["x", "x"]


def test_deduplicate_keeps_first_copies():
    assert mem.deduplicate(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]


def brute_force_rank(scores, index):
    order = sorted(range(len(scores)), key=lambda i: -scores[i])  # best first
    return 1 + order.index(index)


@pytest.mark.parametrize("seed", range(5))
def test_rank_and_exposure_equal_a_brute_force_sort(seed):
    scores = np.random.default_rng(seed).normal(size=1000)
    for index in (0, 17, int(np.argmax(scores)), int(np.argmin(scores))):
        rank = brute_force_rank(scores.tolist(), index)
        assert mem.rank(scores, index) == rank
        assert mem.exposure(scores, index) == pytest.approx(math.log2(1000) - math.log2(rank))
    assert mem.exposure(scores, int(np.argmax(scores))) == pytest.approx(math.log2(1000))
    assert mem.exposure(scores, int(np.argmin(scores))) == 0.0


def test_mean_exposure_of_all_candidates_is_near_log2_e():
    scores = np.random.default_rng(0).normal(size=10_000)
    mean = np.mean([mem.exposure(scores, i) for i in range(0, 10_000, 7)])
    assert abs(mean - 1 / math.log(2)) < 0.05  # rank uniform: E[log2 R − log2 rank] → log2 e


def test_ties_share_the_best_rank():
    assert mem.rank([0.0, 1.0, 1.0, -1.0], 2) == 1
    assert mem.rank([0.0, 1.0, 1.0, -1.0], 1) == 1
    assert mem.rank([0.0, 1.0, 1.0, -1.0], 0) == 3


def test_secret_index_reads_digits_as_a_number():
    assert mem.secret_index([4, 8, 1, 5, 9]) == 48159
    assert mem.secret_index([1, 0, 1], base=2) == 5
    with pytest.raises(ValueError, match="digits\\[1\\]"):
        mem.secret_index([1, 10])


@pytest.fixture(scope="module")
def model():
    lm_model = lstm_lm.build_lstm_lm(lstm_lm.LSTMLMConfig(vocab_size=12, embedding_dim=6, hidden_size=8, seed=1))
    # larger weights than the initializers give, so the secrets' probabilities differ clearly
    lm_model.set_weights([w * 3 for w in lm_model.get_weights()])
    return lm_model


@pytest.mark.parametrize("separator", [None, 11])
def test_secret_log_probs_equal_the_keras_model_on_every_secret(model, separator):
    prefix, symbols, length = [2, 5, 6], [7, 8, 9], 3
    scores = mem.secret_log_probs(model, prefix, symbols, length, separator_id=separator)
    assert scores.shape == (27,)
    for digits in itertools.product(range(3), repeat=length):
        secret = []
        for i, d in enumerate(digits):
            secret += [symbols[d]] + ([separator] if separator is not None and i < length - 1 else [])
        ids = np.array([prefix + secret], dtype=np.int32)
        log_probs = losses.log_softmax(np.asarray(model.predict_on_batch(ids), dtype=np.float64)[0])
        expected = sum(log_probs[len(prefix) - 1 + t, token] for t, token in enumerate(secret))
        assert scores[mem.secret_index(list(digits), base=3)] == pytest.approx(expected, abs=1e-4)
    assert np.exp(mem.secret_log_probs(model, prefix, list(range(12)), 2)).sum() == pytest.approx(1.0, abs=1e-9)


def test_secret_log_probs_refuses_bad_symbols(model):
    with pytest.raises(ValueError, match="digit_ids"):
        mem.secret_log_probs(model, [2], [7, 7], 2)
    with pytest.raises(ValueError, match="length"):
        mem.secret_log_probs(model, [2], [7, 8], 7)
    with pytest.raises(ValueError, match="separator_id"):
        mem.secret_log_probs(model, [2], [7, 8], 2, separator_id=12)
