"""Tests of lmtutor.plots.attention: attention_figure draws the map transformer.forward returns."""

import re

import numpy as np
import pytest

from lmtutor.plots import attention_figure
from widget_fixtures import attention_map, drawn_matrix, tiny_transformer


@pytest.fixture(scope="module")
def tiny():
    """A 2-block, 2-head Transformer with its initial weights, and the codec of its characters."""
    return tiny_transformer()


@pytest.mark.parametrize("block, head", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_attention_figure_draws_the_map_forward_returns(tiny, block, head):
    _, weights, vocab = tiny
    fig = attention_figure(weights, vocab, "the cat sat", block=block, head=head)
    expected = attention_map(weights, vocab, "the cat sat", block, head)
    assert np.allclose(drawn_matrix(fig), expected, atol=1e-12)
    assert np.allclose(np.triu(expected, 1), 0) and np.allclose(expected.sum(axis=1), 1)  # causal rows
    labels = ["<bos>", "t", "h", "e", "␣", "c", "a", "t", "␣", "s", "a", "t"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == labels
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == labels
    assert fig.axes[0].get_title() == f"block {block}, head {head} (row: query, column: key)"


def test_attention_heads_and_blocks_differ(tiny):
    _, weights, vocab = tiny
    maps = {(b, h): drawn_matrix(attention_figure(weights, vocab, "hello there", block=b, head=h))
            for b in (0, 1) for h in (0, 1)}
    for first, second in [((0, 0), (0, 1)), ((0, 0), (1, 0)), ((1, 0), (1, 1))]:
        assert not np.allclose(maps[first], maps[second]), (first, second)


def test_attention_figure_accepts_the_keras_model(tiny):
    model, weights, vocab = tiny
    assert np.array_equal(drawn_matrix(attention_figure(model, vocab, "a mist", block=1, head=1)),
                          drawn_matrix(attention_figure(weights, vocab, "a mist", block=1, head=1)))


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(text=["t", "h"]), TypeError, "text must be str"),
    (dict(text="the cat sat on"), ValueError, "text has 15 tokens with <bos>"),
    (dict(block=-1), ValueError, "block must be >= 0"),
    (dict(head=2), ValueError, "head must be <= 1"),
])
def test_attention_figure_names_bad_input(tiny, kwargs, error, words):
    _, weights, vocab = tiny
    arguments = dict(text="the cat", block=0, head=0) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        attention_figure(weights, vocab, arguments.pop("text"), **arguments)
