"""Tests of lmtutor.widgets.attention: the explorer draws plots.attention_figure of the chosen
sentence, block and head, and redraws when a drop-down changes."""

import re

import pytest

from lmtutor import datasets, plots
from lmtutor.plots import attention_figure
from lmtutor.text import Vocab
from lmtutor.widgets import attention_explorer
from widget_fixtures import CHARS, SENTENCES, tiny_transformer


@pytest.fixture(scope="module")
def tiny():
    """A 2-block, 2-head Transformer with its initial weights, and the codec of its characters."""
    return tiny_transformer()


def explorer_parts(box):
    bar, picture = box.children
    return dict(zip(("text", "block", "head"), bar.children)), picture


def test_attention_explorer_layout_and_first_drawing(tiny):
    model, weights, vocab = tiny
    box = attention_explorer(weights, vocab, SENTENCES, head=1)
    controls, picture = explorer_parts(box)
    assert "lmtutor-attention-controls" in box.children[0]._dom_classes
    assert "lmtutor-attention-figure" in picture._dom_classes
    assert list(controls["text"].options) == SENTENCES and controls["text"].value == "the cat sat"
    assert list(controls["block"].options) == [0, 1] and list(controls["head"].options) == [0, 1]
    assert (controls["block"].value, controls["head"].value) == (0, 1)
    assert bytes(picture.value).startswith(b"\x89PNG")
    assert picture.value == plots.png(attention_figure(weights, vocab, "the cat sat", block=0, head=1))
    assert attention_explorer(model, vocab, SENTENCES, head=1).children[1].value == picture.value


def test_attention_explorer_redraws_the_chosen_block_head_and_sentence(tiny):
    _, weights, vocab = tiny
    controls, picture = explorer_parts(attention_explorer(weights, vocab, SENTENCES))
    first = picture.value
    drawn = [first]
    for name, value in (("head", 1), ("block", 1), ("text", "hello there")):
        controls[name].value = value
        assert picture.value not in drawn, f"changing {name} must change the picture"
        drawn.append(picture.value)
    assert picture.value == plots.png(attention_figure(weights, vocab, "hello there", block=1, head=1))
    controls["text"].value, controls["block"].value, controls["head"].value = "the cat sat", 0, 0
    assert picture.value == first


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(weights="model"), TypeError, "weights must be the dict of transformer.numpy_weights(model)"),
    (dict(weights={"blocks": []}), TypeError, "weights must be the dict of transformer.numpy_weights(model)"),
    (dict(codec=Vocab(CHARS)), TypeError, "codec must be an LMCorpus"),
    (dict(codec=datasets.TextCodec(datasets.TextRecipe("char", keep_spaces=True), Vocab(CHARS[:-1]))), ValueError,
     "vocab has 18 tokens but weights embed 19"),
    (dict(sentences="the cat"), TypeError, "sentences must be a list of str, got str"),
    (dict(sentences=[]), ValueError, "sentences must hold at least one sentence"),
    (dict(sentences=["the cat", 7]), TypeError, "sentences[1] must be str"),
    (dict(sentences=["  "]), ValueError, "sentences[0] must be a non-empty string"),
    (dict(sentences=["a", "the cat sat on"]), ValueError,
     "sentences[1] has 15 tokens with <bos>, more than the model's context window of 12"),
    (dict(block=2), ValueError, "block must be <= 1"),
    (dict(head=-1), ValueError, "head must be >= 0"),
    (dict(head=1.0), TypeError, "head must be an int"),
])
def test_attention_explorer_names_bad_input(tiny, kwargs, error, words):
    _, weights, codec = tiny
    arguments = dict(weights=weights, codec=codec, sentences=SENTENCES) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        attention_explorer(arguments.pop("weights"), arguments.pop("codec"), arguments.pop("sentences"), **arguments)
