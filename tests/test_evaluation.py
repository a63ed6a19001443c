"""Tests for lmtutor.evaluation: our benchmark scores equal gensim's evaluate_* on the same vectors."""

import numpy as np
import pytest
from gensim.models import Word2Vec
from gensim.test.utils import datapath

from lmtutor import corpora, evaluation as ev, text
from lmtutor.embeddings import Embeddings, as_embeddings


@pytest.fixture(scope="module")
def lee_vectors():
    """gensim Word2Vec vectors of the Lee corpus: small, trained in about a second."""
    sentences = [text.tokenize_words(doc) for doc in corpora.load_lee()]
    model = Word2Vec(sentences, vector_size=20, min_count=2, epochs=3, seed=0, workers=1)
    return model.wv


@pytest.fixture(scope="module")
def benchmark_vectors():
    """Character-trigram vectors (float32 values) for every lowercased benchmark word plus some extra words."""
    words = {w.lower() for name in ("wordsim353", "simlex999")
             for a, b, _ in corpora.load_word_pairs(name) for w in (a, b)}
    words |= {w.lower() for qs in corpora.load_analogies().values() for q in qs for w in q}
    words = sorted(words)[::2]  # about half: some pairs and questions are out of vocabulary
    # sums of random character-trigram vectors: suffix analogies (walk:walking) come out right
    grams = sorted({f"<{w}>"[i:i + 3] for w in words for i in range(len(w))})
    gram_vectors = dict(zip(grams, np.random.default_rng(0).normal(size=(len(grams), 32))))
    table = np.array([sum(gram_vectors[f"<{w}>"[i:i + 3]] for i in range(len(w))) for w in words])
    return Embeddings(tuple(words), table.astype(np.float32).astype(float))


@pytest.mark.parametrize(("name", "file"), [("wordsim353", "wordsim353.tsv"),
                                            ("simlex999", "simlex999.txt")])
@pytest.mark.parametrize("which", ["lee", "random"])
def test_word_pairs_equal_gensim(name, file, which, lee_vectors, benchmark_vectors):
    vectors = lee_vectors if which == "lee" else benchmark_vectors
    ours = ev.evaluate_word_pairs(vectors, name)
    keyed = vectors if which == "lee" else vectors.to_keyed_vectors()
    _, spearman, oov_percent = keyed.evaluate_word_pairs(datapath(file))
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert 100 * ours.skipped / (ours.covered + ours.skipped) == pytest.approx(oov_percent)
    assert ours.covered + ours.skipped == len(corpora.load_word_pairs(name))
    assert 0 < ours.skipped < ours.covered + ours.skipped


@pytest.mark.parametrize("which", ["lee", "random"])
def test_analogies_equal_gensim_per_section(which, lee_vectors, benchmark_vectors):
    vectors = lee_vectors if which == "lee" else benchmark_vectors
    keyed = vectors if which == "lee" else vectors.to_keyed_vectors()
    ours = ev.evaluate_analogies(vectors)
    score, sections = keyed.evaluate_word_analogies(datapath("questions-words.txt"))
    theirs = {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"]))
              for s in sections if s["section"] != "Total accuracy"}
    assert ours.sections == theirs
    assert ours.accuracy == pytest.approx(score)
    assert ours.covered + ours.skipped == sum(len(q) for q in corpora.load_analogies().values())
    if which == "random":
        assert ours.correct > 50  # a non-trivial comparison, not 0 == 0


def test_analogy_on_planted_offsets():
    rng = np.random.default_rng(1)
    base = {w: rng.normal(size=8) for w in ["man", "woman", "king", "paris", "apple"]}
    base["queen"] = base["king"] - base["man"] + base["woman"] + 0.01 * rng.normal(size=8)
    emb = Embeddings(tuple(base), np.array(list(base.values())))
    assert ev.analogy_answers(emb, [("man", "woman", "king")]) == ["queen"]
    result = ev.evaluate_analogies(emb, {"royal": [("Man", "Woman", "King", "Queen"),
                                                   ("man", "woman", "king", "prince")]})
    assert (result.correct, result.covered, result.skipped) == (1, 1, 1)


def test_nearest_neighbours_and_cosine_match_gensim(lee_vectors):
    ours = ev.nearest_neighbours(lee_vectors, "government", topn=5)
    theirs = lee_vectors.most_similar("government", topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)
    emb = as_embeddings(lee_vectors)
    assert ev.cosine_similarity(emb["police"], emb["government"]) == pytest.approx(
        float(lee_vectors.similarity("police", "government")), abs=1e-6)
    assert ev.cosine_similarity([1.0, 0.0], [0.0, 0.0]) == 0.0


def test_no_covered_pairs_is_a_clear_error():
    emb = Embeddings(("zzz", "yyy"), np.eye(2))
    with pytest.raises(ValueError, match="pairs 'wordsim353': none of its 353 pairs"):
        ev.evaluate_word_pairs(emb, "wordsim353")
    with pytest.raises(ValueError, match="sections: none of the"):
        ev.evaluate_analogies(emb)
    with pytest.raises(ValueError, match="pairs must be 'wordsim353', 'simlex999' or a list"):  # names pairs
        ev.evaluate_word_pairs(emb, "men3000")
    with pytest.raises(KeyError, match="'qqq' is not in the vocabulary"):
        ev.nearest_neighbours(emb, "qqq")
    with pytest.raises(ValueError, match="topn must be >= 1"):
        ev.nearest_neighbours(emb, "zzz", topn=0)
