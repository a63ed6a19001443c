"""Tests of lmtutor.plots.embeddings: word_map puts each word at pca.project of its vector."""

import re

import numpy as np
import pytest

from lmtutor import pca, plots
from lmtutor.embeddings import Embeddings

WORDS = ("paris", "france", "berlin", "germany", "rome", "italy")


@pytest.fixture()
def vectors():
    return Embeddings(WORDS, np.random.default_rng(0).normal(size=(len(WORDS), 5)))


def drawn(fig):
    ax = fig.axes[0]
    return np.asarray(ax.collections[0].get_offsets()), {t.get_text(): t.xy for t in ax.texts}


def test_word_map_labels_each_word_at_its_projection(vectors):
    words = ["rome", "paris", "germany", "italy"]
    fig = plots.word_map(vectors, words, title="PCA")
    points, labels = drawn(fig)
    expected = pca.project(np.array([vectors[w] for w in words]))
    assert np.allclose(points, expected)
    assert list(labels) == words
    assert all(np.allclose(labels[w], p) for w, p in zip(words, expected))
    assert fig.axes[0].get_title() == "PCA"


def test_word_map_accepts_gensim_keyed_vectors(vectors):
    points, _ = drawn(plots.word_map(vectors.to_keyed_vectors(), list(WORDS[:3])))
    assert np.allclose(points, pca.project(vectors.vectors[:3]), atol=1e-5)  # float32 in gensim


def test_word_map_draws_chinese_words(vectors):
    chinese = Embeddings(("北京", "上海", "经济"), vectors.vectors[:3])
    _, labels = drawn(plots.word_map(chinese, ["北京", "上海", "经济"]))
    assert list(labels) == ["北京", "上海", "经济"]


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(vectors="paris"), TypeError, "vectors must be Embeddings or a gensim KeyedVectors"),
    (dict(words="paris"), TypeError, "words must be a list of labels"),
    (dict(words=["paris"]), ValueError, "words must hold at least 2 words"),
    (dict(words=["paris", "tokyo", "lima"]), ValueError, "not in it: ['tokyo', 'lima']"),
    (dict(title=1), TypeError, "title must be str"),
])
def test_bad_input_names_the_argument(vectors, kwargs, error, words):
    arguments = dict(vectors=vectors, words=list(WORDS)) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        plots.word_map(arguments.pop("vectors"), arguments.pop("words"), **arguments)
