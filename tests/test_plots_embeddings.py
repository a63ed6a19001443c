"""Tests of lmtutor.plots.embeddings: word_map puts each word at pca.project of its vector."""

import re

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

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


def test_word_map_draws_chinese_words(vectors, chinese_plots):  # the labels are measured: glyphs needed
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


def label_boxes(fig):
    """Return the pixel Bbox of every word label, measured by the renderer after drawing the figure."""
    renderer = FigureCanvasAgg(fig).get_renderer()  # the canvas a notebook and plots.png draw with
    fig.draw(renderer)
    return [text.get_window_extent(renderer) for text in fig.axes[0].texts]


def overlapping_pairs(boxes):
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]


@pytest.mark.parametrize("seed", range(5))
def test_word_map_labels_do_not_overlap_in_a_crowd(seed):
    # 12 words in 3 tight clusters: every label at the default offset (3, 3) would cover its neighbours'
    rng = np.random.default_rng(seed)
    words = [f"word{i:02d}" for i in range(12)]
    centres = np.repeat(rng.normal(scale=5.0, size=(3, 4)), 4, axis=0)
    crowd = Embeddings(words, centres + rng.normal(scale=0.05, size=(12, 4)))
    fig = plots.word_map(crowd, words)
    boxes = label_boxes(fig)
    assert len(boxes) == 12 and not overlapping_pairs(boxes)
    inside = fig.axes[0].get_window_extent(fig.canvas.get_renderer())
    assert all(inside.x0 - 1 <= b.x0 and b.x1 <= inside.x1 + 1 and inside.y0 - 1 <= b.y0 and b.y1 <= inside.y1 + 1
               for b in boxes)


def test_word_map_keeps_each_label_next_to_its_point():
    # the repel step moves a label by an offset of at most 20 points, never to another place on the map
    words = ["queen", "berlin", "king", "paris", "germany", "italy"]
    close = np.array([[0.0, 0.0], [0.08, 0.0], [0.0, 0.08], [0.08, 0.08], [2.0, 1.0], [-2.0, -1.0]])
    fig = plots.word_map(Embeddings(words, close), words)
    ax = fig.axes[0]
    boxes = label_boxes(fig)
    assert not overlapping_pairs(boxes)
    reach = 20 * fig.dpi / 72 + 1  # the farthest candidate offset, in pixels
    for text, box in zip(ax.texts, boxes):
        x, y = ax.transData.transform(text.xy)
        assert box.x0 - reach <= x <= box.x1 + reach and box.y0 - reach <= y <= box.y1 + reach


def test_word_map_is_the_same_picture_every_time(vectors):
    offsets = [[t.get_position() for t in plots.word_map(vectors, list(WORDS)).axes[0].texts] for _ in range(2)]
    assert offsets[0] == offsets[1]
