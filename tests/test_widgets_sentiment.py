"""Tests of lmtutor.widgets.sentiment (the sentiment explorer): the panel against lmtutor.explain and the
model's own probability, colours and escaping of highlight_html, bad input shown in the widget, and
the redraw when the learner types, driven from Python. The classifier is a small embedding bag."""

import os
import re

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lmtutor import datasets, explain, text  # noqa: E402
from lmtutor.widgets.sentiment import sentiment_explorer, sentiment_html  # noqa: E402
from lmtutor.widgets.sentiment import explain_text, highlight_html  # noqa: E402

REVIEWS = ["很好", "不错", "满意", "很差", "失望", "太贵"]


@pytest.fixture(scope="module")
def codec():
    recipe = datasets.TextRecipe("char")
    return datasets.TextCodec(recipe, text.Vocab.build([recipe.tokens(r) for r in REVIEWS]))


@pytest.fixture(scope="module")
def model(codec):
    ids = keras.Input((None,), dtype="int32", name="x")
    h = keras.layers.Embedding(len(codec.vocab), 4, mask_zero=True, name="x_embedding",
                               embeddings_initializer=keras.initializers.RandomNormal(0, 1.0, seed=3))(ids)
    out = keras.layers.Dense(2, kernel_initializer=keras.initializers.RandomNormal(0, 1.0, seed=4))(
        keras.layers.GlobalAveragePooling1D()(h))
    return keras.Model(ids, out)


def test_explain_text_uses_the_codec_and_explain(model, codec):
    shown = explain_text(model, codec, "很好吗")
    assert shown["tokens"] == ["很", "好", "吗"] and shown["unknown"] == [False, False, True]
    ids = codec.vocab.encode(["很", "好", "吗"])
    logits = np.asarray(model.predict_on_batch(np.array([ids])), dtype=np.float64)[0]
    assert shown["probability"] == pytest.approx(1 / (1 + np.exp(logits[0] - logits[1])), abs=1e-5)
    assert np.allclose(shown["scores"], explain.occlusion(model, ids), atol=1e-6)
    assert np.allclose(explain_text(model, codec, "很好吗", method="gradient")["scores"],
                       explain.gradient_x_input(model, ids), atol=1e-6)


def test_panel_shows_probability_tokens_and_unknowns(model, codec):
    markup = sentiment_html(model, codec, "很好吗")
    p = explain_text(model, codec, "很好吗")["probability"]
    assert f"P(positive) = {p:.3f}" in markup and ("positive" if p >= 0.5 else "negative") in markup
    assert re.findall(r'<span class="lmtutor-attribution"[^>]*>(.*?)</span>', markup) == ["很", "好", "吗"]
    assert "1 token(s) never seen in training, read as &lt;unk&gt;: &#x27;吗&#x27;" in markup


def test_an_all_unknown_review_gets_a_defined_prediction_and_says_so(model, codec):
    markup = sentiment_html(model, codec, "咖啡")
    assert "every token: the model sees only &lt;unk&gt;" in markup
    assert re.search(r"P\(positive\) = 0\.\d{3}|P\(positive\) = 1\.000", markup)


def test_learner_text_is_escaped(model, codec):
    markup = sentiment_html(model, codec, "<b>很好</b>")
    assert "<b>很" not in markup and "&lt;" in markup  # the tag's characters are shown, not applied


def test_highlight_colours_follow_the_sign_and_the_strongest_score():
    markup = highlight_html(["not", "<funny>", "film"], [-2.0, 1.0, 0.0], sep=" ")
    spans = re.findall(r'background:([^;]*);[^>]*title="([^"]*)">(.*?)</span>', markup)
    assert [(t, title) for _, title, t in spans] == [("not", "-2.000"), ("&lt;funny&gt;", "+1.000"), ("film", "+0.000")]
    assert spans[0][0] == "rgba(210, 40, 40, 0.80)" and spans[1][0] == "rgba(0, 150, 60, 0.44)"
    assert spans[2][0] == "transparent"
    with pytest.raises(ValueError, match="scores"):
        highlight_html(["a", "b"], [1.0])


def test_widget_redraws_when_the_learner_types_and_shows_errors(model, codec):
    box, choice, panel = sentiment_explorer(model, codec, "很好").children
    before = panel.value
    assert "lmtutor-attribution" in before
    box.value = "很差，失望"
    assert panel.value != before and "失" in panel.value
    choice.value = "integrated"
    assert "integrated gradients" in panel.value
    box.value = "   "
    assert "lmtutor-error" in panel.value and "no tokens" in panel.value


def test_bad_model_and_codec_are_refused(model, codec):
    with pytest.raises(TypeError, match="codec"):
        sentiment_html(model, "codec", "很好")
    with pytest.raises(ValueError, match="method"):
        sentiment_html(model, codec, "很好", method="lime")
    three = keras.Model(model.inputs, keras.layers.Dense(3)(model.layers[-2].output))
    with pytest.raises(ValueError, match="two-class"):
        sentiment_html(three, codec, "很好")


def test_top_lists_name_each_token_once_with_its_count(model, codec):
    markup = sentiment_html(model, codec, "很好很好很差", method="gradient")
    summary = re.search(r"towards positive: (.*?); towards negative: (.*?)</p>", markup).groups()
    for listing in summary:
        named = re.findall(r"(\S+) \(", listing)
        assert len(named) == len(set(named)), listing  # no token twice
    scores = explain_text(model, codec, "很好很好很差", method="gradient")["scores"]
    for token, count in (("很", 3), ("好", 2)):
        best = max(scores[i] for i, t in enumerate("很好很好很差") if t == token)
        side = summary[0] if best > 0 else summary[1]
        if best > 0:
            assert f"{token} ({best:+.2f}, ×{count})" in side, side


def test_the_box_says_press_enter_and_the_dropdown_shows_its_longest_label(model, codec):
    box, choice, _ = sentiment_explorer(model, codec, "很好").children
    assert not box.continuous_update and "press Enter" in box.placeholder
    assert choice.layout.width == "420px"
