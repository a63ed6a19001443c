"""Tests for lmtutor.embeddings: SGNS gradients against finite differences, training, Keras loader."""

import numpy as np
import pytest

from lmtutor import embeddings as E

ANIMALS = "cat dog horse cow sheep goat".split()
TOOLS = "hammer saw drill wrench chisel spanner".split()


def topic_corpus(seed=0, n=300, length=8):
    """Sentences drawn from one of two topics: words of a topic share their contexts."""
    rng = np.random.default_rng(seed)
    return [list(rng.choice(ANIMALS if i % 2 else TOOLS, size=length)) for i in range(n)]


def test_sgns_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    v_c, u_o, u_neg = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 2, 4))
    loss, g_v, g_o, g_n = E.sgns_loss_and_grads(v_c, u_o, u_neg)
    for array, grad in ((v_c, g_v), (u_o, g_o), (u_neg, g_n)):
        numeric = np.zeros_like(array)
        for idx in np.ndindex(array.shape):
            old = array[idx]
            array[idx] = old + 1e-6
            plus = E.sgns_loss_and_grads(v_c, u_o, u_neg)[0]
            array[idx] = old - 1e-6
            minus = E.sgns_loss_and_grads(v_c, u_o, u_neg)[0]
            array[idx] = old
            numeric[idx] = (plus - minus) / 2e-6
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_sgns_loss_is_the_formula_for_one_pair():
    v, u, n = np.array([[0.5, -1.0]]), np.array([[1.0, 2.0]]), np.array([[[0.3, 0.1], [-2.0, 1.0]]])
    sigma = lambda x: 1 / (1 + np.exp(-x))
    expected = -np.log(sigma(u[0] @ v[0])) - sum(np.log(sigma(-n[0, k] @ v[0])) for k in range(2))
    assert E.sgns_loss_and_grads(v, u, n)[0] == pytest.approx(expected, rel=1e-12)


def test_skipgram_pairs_stay_in_window_and_sentence():
    ids = np.arange(10)
    sids = np.array([0] * 6 + [1] * 4)
    centres, contexts = E._skipgram_pairs(ids, sids, 3, np.random.default_rng(0))
    assert len(centres) > 0
    assert np.all(np.abs(centres - contexts) <= 3) and np.all(centres != contexts)
    assert np.all(sids[centres] == sids[contexts])
    one = E._skipgram_pairs(ids, sids, 1, np.random.default_rng(0))
    assert sorted(zip(*one)) == sorted([(i, i + 1) for i in (0, 1, 2, 3, 4, 6, 7, 8)]
                                       + [(i + 1, i) for i in (0, 1, 2, 3, 4, 6, 7, 8)])


def test_keep_probabilities_drop_frequent_words_only():
    counts = np.array([10_000, 100, 1])
    keep = E.keep_probabilities(counts, 1e-3)
    assert keep[0] < 0.2 and keep[2] == 1.0 and np.all(np.diff(keep) >= 0)
    assert np.all(E.keep_probabilities(counts, 0.0) == 1.0)


def test_build_vocab_orders_by_count_and_drops_rare():
    words, counts = E.build_vocab([["b", "a", "a", "c"], ["a", "b", "d"]], min_count=2)
    assert words == ("a", "b") and counts.tolist() == [3, 2]


def test_sgns_learns_topics_and_loss_falls():
    config = E.SGNSConfig(vector_size=10, window=3, min_count=1, sample=0.0, epochs=5,
                          batch_size=64, alpha=0.05)
    result = E.train_sgns(topic_corpus(), config)
    assert result.losses[-1] < result.losses[0]
    unit = result.embeddings.vectors / np.linalg.norm(result.embeddings.vectors, axis=1, keepdims=True)
    emb = result.embeddings
    cos = lambda a, b: unit[emb.index[a]] @ unit[emb.index[b]]
    within = np.mean([cos(a, b) for group in (ANIMALS, TOOLS) for a in group for b in group if a != b])
    across = np.mean([cos(a, b) for a in ANIMALS for b in TOOLS])
    assert within > across + 0.5, (within, across)
    assert result.context_vectors.shape == emb.vectors.shape == (12, 10)


def test_sgns_is_deterministic_for_a_seed():
    config = E.SGNSConfig(vector_size=5, min_count=1, epochs=1, seed=3)
    first, second = E.train_sgns(topic_corpus(n=40), config), E.train_sgns(topic_corpus(n=40), config)
    np.testing.assert_array_equal(first.embeddings.vectors, second.embeddings.vectors)
    other = E.train_sgns(topic_corpus(n=40), E.SGNSConfig(vector_size=5, min_count=1, epochs=1, seed=4))
    assert not np.array_equal(first.embeddings.vectors, other.embeddings.vectors)


def test_text_order_trains_on_the_same_pairs_as_shuffled():
    corpus = topic_corpus(n=60)
    shuffled = E.train_sgns(corpus, E.SGNSConfig(vector_size=6, min_count=1, epochs=2, seed=1))
    ordered = E.train_sgns(corpus, E.SGNSConfig(vector_size=6, min_count=1, epochs=2, seed=1,
                                                shuffle=False))
    assert not np.allclose(shuffled.embeddings.vectors, ordered.embeddings.vectors)
    assert ordered.losses[-1] < ordered.losses[0]
    assert ordered.losses[0] == pytest.approx(shuffled.losses[0], rel=0.05)  # same pairs, other order


def test_scatter_add_equals_np_add_at():
    rng = np.random.default_rng(1)
    rows, updates = rng.integers(0, 5, 40), rng.normal(size=(40, 3))
    a, b = np.zeros((5, 3)), np.zeros((5, 3))
    np.add.at(a, rows, updates)
    E._scatter_add(b, rows, updates)
    np.testing.assert_allclose(a, b, atol=1e-12)


def test_summing_matrix_with_weights_equals_np_add_at():
    rng = np.random.default_rng(2)
    rows, weights, x = rng.integers(0, 7, (30, 4)), rng.normal(size=(30, 4)), rng.normal(size=(30, 3))
    unique, matrix = E._summing_matrix(rows, 7, weights)
    expected = np.zeros((7, 3))
    np.add.at(expected, rows.ravel(), (weights[:, :, None] * x[:, None, :]).reshape(-1, 3))
    assert unique.tolist() == sorted(set(rows.ravel().tolist()))
    np.testing.assert_allclose(matrix @ x, expected[unique], atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sgns_step_equals_the_gradients_applied_by_np_add_at(dtype):
    rng = np.random.default_rng(4)
    v, u = rng.normal(size=(6, 3)).astype(dtype), rng.normal(size=(6, 3)).astype(dtype)
    centres = np.array([0, 2, 2, 5, 0])  # repeated centres and targets must add up
    targets = np.array([[1, 2, 3], [0, 1, 1], [4, 4, 0], [2, 3, 5], [1, 0, 2]])  # o, n_1, n_2
    loss, g_v, g_o, g_n = E.sgns_loss_and_grads(v[centres], u[targets[:, 0]], u[targets[:, 1:]])
    v_expected, u_expected = v.astype(float), u.astype(float)
    np.add.at(v_expected, centres, -0.1 * g_v)
    np.add.at(u_expected, targets[:, 0], -0.1 * g_o)
    np.add.at(u_expected, targets[:, 1:].ravel(), -0.1 * g_n.reshape(-1, 3))
    step_loss = E._sgns_step(v, u, centres, targets, dtype(0.1))
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    assert step_loss == pytest.approx(loss, rel=tolerance)
    np.testing.assert_allclose(v, v_expected, atol=tolerance)
    np.testing.assert_allclose(u, u_expected, atol=tolerance)


def test_sgns_step_with_one_table_applies_both_gradients_to_it():
    rng = np.random.default_rng(6)
    table = rng.normal(size=(5, 3))
    centres, targets = np.array([0, 3, 3]), np.array([[1, 3, 0], [2, 2, 4], [0, 1, 3]])
    loss, g_v, g_o, g_n = E.sgns_loss_and_grads(table[centres], table[targets[:, 0]], table[targets[:, 1:]])
    expected = table.copy()
    np.add.at(expected, centres, -0.1 * g_v)
    np.add.at(expected, targets[:, 0], -0.1 * g_o)
    np.add.at(expected, targets[:, 1:].ravel(), -0.1 * g_n.reshape(-1, 3))
    assert E._sgns_step(table, table, centres, targets, 0.1) == pytest.approx(loss, rel=1e-12)
    np.testing.assert_allclose(table, expected, atol=1e-12)


def test_one_table_shares_the_vectors():
    result = E.train_sgns(topic_corpus(n=60), E.SGNSConfig(vector_size=6, min_count=1, epochs=2,
                                                          one_table=True))
    np.testing.assert_allclose(result.context_vectors, result.embeddings.vectors, atol=1e-7)
    with pytest.raises(TypeError, match="one_table must be bool"):
        E.SGNSConfig(one_table=1)


def test_noise_table_gives_exactly_the_probabilities():
    probs = np.array([0.5, 0.25, 0.125, 0.0625, 0.0625])
    accept, alias = E._noise_table(probs * 8)  # any positive weights; normalised inside
    mass = accept.copy()  # column w gives w accept[w] / V and alias[w] (1 - accept[w]) / V
    np.add.at(mass, alias, 1.0 - accept)
    np.testing.assert_allclose(mass / len(probs), probs, atol=1e-12)


def test_draw_noise_follows_unigram_to_the_three_quarters():
    counts = np.array([1000.0, 100.0, 10.0, 1.0])
    probs = counts ** 0.75 / np.sum(counts ** 0.75)
    accept, alias = E._noise_table(counts ** 0.75)
    draws = E._draw_noise(np.random.default_rng(0), accept, alias, (200_000, 5))
    assert draws.dtype == np.int64 and draws.min() >= 0 and draws.max() <= 3
    frequencies = np.bincount(draws.ravel(), minlength=4) / draws.size
    np.testing.assert_allclose(frequencies, probs, rtol=0.02)


def test_embeddings_round_trip_through_gensim():
    emb = E.Embeddings(("a", "b"), np.array([[1.0, 0.0], [0.5, 0.5]]))
    keyed = emb.to_keyed_vectors()
    assert keyed.index_to_key == ["a", "b"]
    back = E.as_embeddings(keyed)
    np.testing.assert_allclose(back.vectors, emb.vectors)
    assert "a" in emb and emb["b"].tolist() == [0.5, 0.5] and len(emb) == 2
    with pytest.raises(KeyError, match="'z' is not in the vocabulary"):
        emb["z"]
    with pytest.raises(ValueError, match="vectors must have shape"):
        E.Embeddings(("a",), np.zeros((2, 3)))
    with pytest.raises(TypeError, match="vectors must be Embeddings"):
        E.as_embeddings([[1.0]])


@pytest.mark.parametrize("trainable", [False, True])
def test_keras_embedding_returns_the_vectors(trainable):
    emb = E.Embeddings(("a", "b", "c"), np.arange(6.0).reshape(3, 2))
    layer = E.keras_embedding(emb, trainable=trainable)
    out = np.asarray(layer(np.array([[2, 0, 1]])))
    np.testing.assert_allclose(out[0], emb.vectors[[2, 0, 1]])
    assert layer.trainable is trainable
    assert len(layer.trainable_weights) == (1 if trainable else 0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"window": 0}, "window must be >= 1, got 0"),
    ({"vector_size": 0}, "vector_size must be >= 1, got 0"),
    ({"negative": 0}, "negative must be >= 1, got 0"),
    ({"epochs": 0}, "epochs must be >= 1"),
    ({"alpha": 0.0}, "alpha must be > 0"),
])
def test_bad_config_names_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        E.SGNSConfig(**kwargs)


def test_shuffle_must_be_a_bool():
    with pytest.raises(TypeError, match="shuffle must be bool, got str 'no'"):
        E.SGNSConfig(shuffle="no")


def test_bad_corpus_names_the_argument():
    with pytest.raises(ValueError, match="sentences is empty"):
        E.train_sgns([])
    with pytest.raises(ValueError, match="min_count=5"):
        E.train_sgns([["too", "few"]])
    with pytest.raises(TypeError, match="sentences must be a list of token lists, got a str"):
        E.train_sgns("the cat sat")
    with pytest.raises(TypeError, match="config must be SGNSConfig"):
        E.train_sgns([["a"]], config={"window": 2})
