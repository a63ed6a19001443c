"""Tests of lmtutor.widgets.translation (the translator widget): the text panel against
translate.Translator (greedy and generate.beam_search), the attention map against
Translator.attention, and the widget's redraw when a control changes, driven from Python as a
learner's typing would. The models are small and untrained: the widget shows whatever they say."""

import os
import re
import struct

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

pytest.importorskip("keras")

from lmtutor import seq2seq, translate  # noqa: E402
from lmtutor.widgets import translation_explorer, translation_figure, translation_html  # noqa: E402

PAIRS = [("I have 3 apples.", "我有三个苹果。"), ("Do you have two books?", "你有两本书吗？"),
         ("We saw twelve thousand cats.", "我们看见了一万二千只猫。")]


def translator(attention="multiplicative"):
    codec = seq2seq.TranslationCodec.build(PAIRS)
    model = seq2seq.build_seq2seq(seq2seq.Seq2SeqConfig(codec.source_size, codec.target_size, attention=attention,
                                                        embedding_dim=6, hidden_size=8, seed=0))
    return translate.Translator(model, codec)


@pytest.fixture(scope="module")
def with_attention():
    return translator()


@pytest.fixture(autouse=True)
def _chinese(chinese_plots):
    """Every test draws Chinese with the course's CJK font."""


@pytest.fixture(scope="module")
def without_attention():
    return translator(None)


def beam_rows(markup):
    return re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(-?[\d.]+)</td><td>([\d.]+)</td></tr>", markup)


def test_translation_html_shows_tokens_greedy_and_the_beam(with_attention):
    sentence = "We saw twelve thousand cats."
    markup = translation_html(with_attention, sentence, beam_width=3)
    assert re.findall(r'<span class="lmtutor-token">(.*?)</span>', markup) == \
        ["we", "saw", "twelve", "thousand", "cats", "."]
    greedy = re.search(r'<p class="lmtutor-greedy"><b>greedy</b> (.*?)</p>', markup).group(1)
    assert greedy == with_attention.translate([sentence])[0]
    expected = with_attention.beam(sentence, beam_width=3)
    rows = beam_rows(markup)
    assert [(int(r), c) for r, c, _, _ in rows] == [(i + 1, c) for i, (c, _) in enumerate(expected)]
    assert [float(lp) for _, _, lp, _ in rows] == pytest.approx([lp for _, lp in expected], abs=1e-3)
    assert "never seen in training" not in markup


def test_translation_html_marks_unknown_words(with_attention):
    markup = translation_html(with_attention, "I have 3 zebras.", beam_width=2)
    assert re.findall(r'lmtutor-unk"[^>]*>(.*?)</span>', markup) == ["zebras"]
    assert "1 word(s) never seen in training, read as &lt;unk&gt;: &#x27;zebras&#x27;" in markup


def test_translation_figure_is_the_attention_of_the_translation(with_attention):
    sentence = "I have 3 apples."
    weights, source, target = with_attention.attention(sentence, "我有三个")
    fig = translation_figure(with_attention, sentence, "我有三个")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == source == ["i", "have", "3", "apples", "."]
    assert [t.get_text() for t in ax.get_yticklabels()] == target == ["我", "有", "三", "个", "<eos>"]
    assert np.allclose(ax.images[0].get_array(), weights)
    assert np.allclose(weights.sum(axis=1), 1.0)
    assert ax.get_title().startswith("attention while writing 我有三个:")  # which translation the map is of


def test_translation_figure_needs_attention(without_attention):
    with pytest.raises(ValueError, match="no attention"):
        translation_figure(without_attention, "I have 3 apples.")


def test_explorer_layout_first_drawing_and_redraw(with_attention):
    box = translation_explorer(with_attention, "I have 3 apples.", beam_width=2)
    sentence, width, text_panel, picture = box.children
    assert sentence.value == "I have 3 apples." and sentence.continuous_update is False and width.value == 2
    assert text_panel.value == translation_html(with_attention, "I have 3 apples.", beam_width=2)
    assert bytes(picture.value).startswith(b"\x89PNG") and "lmtutor-translation-figure" in picture._dom_classes
    pixels, _ = struct.unpack(">II", bytes(picture.value)[16:24])
    assert picture.layout.width == f"{pixels // 2}px"
    first_picture = picture.value
    sentence.value = "We saw twelve thousand cats."  # as if typed and Enter pressed
    assert text_panel.value == translation_html(with_attention, "We saw twelve thousand cats.", beam_width=2)
    best = with_attention.beam("We saw twelve thousand cats.", beam_width=2)[0][0]
    assert picture.value != first_picture if best else bytes(picture.value) == b""
    width.value = 4
    assert len(beam_rows(text_panel.value)) == 4


def test_explorer_shows_an_error_instead_of_raising(with_attention):
    box = translation_explorer(with_attention)
    sentence, _, text_panel, _ = box.children
    sentence.value = "   "
    assert "lmtutor-error" in text_panel.value and "sentence must be a non-empty string" in text_panel.value


def test_explorer_without_attention_draws_no_map(without_attention):
    box = translation_explorer(without_attention, "I have 3 apples.")
    _, _, text_panel, picture = box.children
    assert "lmtutor-greedy" in text_panel.value and bytes(picture.value) == b""


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda t: translation_html("model", "I have 3 apples."), TypeError, "translator"),
    (lambda t: translation_html(t, ""), ValueError, "sentence"),
    (lambda t: translation_html(t, "I have 3 apples.", beam_width=0), ValueError, "beam_width"),
    (lambda t: translation_explorer(t, beam_width=99), ValueError, "beam_width"),
    (lambda t: translation_figure(t, 3), TypeError, "sentence"),
])
def test_bad_input_names_the_argument(with_attention, call, error, match):
    with pytest.raises(error, match=match):
        call(with_attention)
