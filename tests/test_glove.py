"""Tests for lmtutor.glove: co-occurrence counts by hand, J against the formula, AdaGrad lowers J."""

import math
import os

import numpy as np
import pytest

from lmtutor import glove as G
from lmtutor.embeddings import encode

ANIMALS = "cat dog horse cow sheep goat".split()
TOOLS = "hammer saw drill wrench chisel spanner".split()


def topic_corpus(seed=0, n=300, length=8):
    """Sentences drawn from one of two topics: words of a topic share their contexts."""
    rng = np.random.default_rng(seed)
    return [list(rng.choice(ANIMALS if i % 2 else TOOLS, size=length)) for i in range(n)]


def test_cooccurrence_weights_by_one_over_distance_within_sentences():
    ids, sids = np.array([0, 1, 2, 0, 1]), np.array([0, 0, 0, 1, 1])
    rows, cols, counts = G.cooccurrence(ids, sids, vocab_size=3, window=2)
    x = {(i, j): c for i, j, c in zip(rows.tolist(), cols.tolist(), counts.tolist())}
    # sentence 1: 0 1 2 -> (0,1) 1, (1,2) 1, (0,2) 1/2; sentence 2: 0 1 -> (0,1) 1; symmetric
    assert x == {(0, 1): 2.0, (1, 0): 2.0, (1, 2): 1.0, (2, 1): 1.0, (0, 2): 0.5, (2, 0): 0.5}


def test_weighting_function():
    f = G.weighting(np.array([0.5, 10.0, 100.0, 500.0]), x_max=100.0, alpha=0.75)
    np.testing.assert_allclose(f, [(0.005) ** 0.75, 0.1 ** 0.75, 1.0, 1.0])


def direct_j(w, w_t, b, b_t, x, x_max, alpha):
    """J written as the paper's sum, one nonzero X_ij at a time."""
    total = 0.0
    for (i, j), count in x.items():
        f = (count / x_max) ** alpha if count < x_max else 1.0
        total += f * (sum(w[i, d] * w_t[j, d] for d in range(w.shape[1])) + b[i] + b_t[j]
                      - math.log(count)) ** 2
    return total


def test_training_lowers_j_and_j_equals_the_formula():
    sentences = topic_corpus(n=60)
    result = G.train_glove(sentences, G.GloVeConfig(vector_size=4, window=3, min_count=1,
                                                    x_max=10.0, epochs=8, batch_size=32))
    assert all(later < earlier for earlier, later in zip(result.losses, result.losses[1:]))
    p = result.parameters
    x = dict(zip(zip(p["rows"].tolist(), p["cols"].tolist()), p["counts"].tolist()))
    assert result.losses[-1] == pytest.approx(
        direct_j(p["w"], p["w_tilde"], p["b"], p["b_tilde"], x, 10.0, 0.75), rel=1e-9)
    np.testing.assert_allclose(result.embeddings.vectors, p["w"] + p["w_tilde"])
    ids, sids = encode(sentences, result.embeddings.words)
    rows, cols, counts = G.cooccurrence(ids, sids, len(result.embeddings), 3)
    np.testing.assert_array_equal(counts, p["counts"])


def test_full_batch_steps_equal_keras_adagrad_on_j():
    """With one batch per epoch, each epoch is one AdaGrad step on J: Keras's Adagrad, with the
    gradient of J taken by TensorFlow, is the oracle (same start, float32 both)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    config = G.GloVeConfig(vector_size=4, window=3, min_count=1, x_max=10.0, learning_rate=0.25,
                           epochs=3, batch_size=10**6, seed=5)
    result = G.train_glove(topic_corpus(n=40), config)
    p = result.parameters
    size = len(result.embeddings)
    rng = np.random.default_rng(config.seed)  # train_glove's start: its first two draws
    start = [((rng.random((size, 4)) - 0.5) / 4).astype(np.float32) for _ in range(2)]
    variables = [keras.Variable(x) for x in start + [np.zeros(size, np.float32)] * 2]
    adagrad = keras.optimizers.Adagrad(learning_rate=0.25, initial_accumulator_value=1.0, epsilon=0.0)
    f = G.weighting(p["counts"], 10.0).astype(np.float32)
    log_x = np.log(p["counts"]).astype(np.float32)
    for _ in range(config.epochs):
        with tf.GradientTape() as tape:
            w, w_t, b, b_t = variables
            diff = (tf.reduce_sum(tf.gather(w, p["rows"]) * tf.gather(w_t, p["cols"]), axis=1)
                    + tf.gather(b, p["rows"]) + tf.gather(b_t, p["cols"]) - log_x)
            j = tf.reduce_sum(f * diff ** 2)
        adagrad.apply([tf.convert_to_tensor(g) for g in tape.gradient(j, variables)], variables)
    ours = [p["w"], p["w_tilde"], p["b"], p["b_tilde"]]
    assert np.abs(ours[0] - start[0]).max() > 0.1  # not vacuous: the vectors moved
    for mine, theirs in zip(ours, variables):
        np.testing.assert_allclose(mine, np.asarray(theirs.numpy()), atol=2e-5)


def test_glove_separates_topics():
    result = G.train_glove(topic_corpus(n=200), G.GloVeConfig(vector_size=8, window=3, min_count=1,
                                                              x_max=10.0, epochs=30, batch_size=64))
    emb = result.embeddings
    unit = emb.vectors / np.linalg.norm(emb.vectors, axis=1, keepdims=True)
    cosines = unit @ unit.T
    np.fill_diagonal(cosines, -np.inf)
    for word in ANIMALS + TOOLS:  # every word's nearest neighbour is from its own topic
        nearest = emb.words[int(np.argmax(cosines[emb.index[word]]))]
        assert (nearest in ANIMALS) == (word in ANIMALS), (word, nearest)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"window": 0}, "window must be >= 1, got 0"),
    ({"vector_size": 0}, "vector_size must be >= 1, got 0"),
    ({"x_max": 0.0}, "x_max must be > 0"),
    ({"learning_rate": -1.0}, "learning_rate must be > 0"),
])
def test_bad_config_names_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        G.GloVeConfig(**kwargs)


def test_bad_corpus_names_the_argument():
    with pytest.raises(ValueError, match="sentences is empty"):
        G.train_glove([])
    with pytest.raises(ValueError, match="no two in-vocabulary words"):
        G.train_glove([["a"], ["a"]], G.GloVeConfig(min_count=1))
