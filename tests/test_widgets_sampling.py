"""Tests of lmtutor.widgets.sampling (the sampler): the text panel against generate.generate, and the widget's
redraw when a control changes (driven from Python, as a learner's click would)."""

import re
import struct

import pytest

from lmtutor import datasets, decoding, generate, plots
from lmtutor.text import Vocab
from lmtutor.widgets import next_token_figure, sample_html, sampler
from widget_fixtures import BigramModel, config, read_table


def expected_continuation(model, codec, prompt, cfg, max_tokens, seed):
    return codec.decode(generate.generate(model, codec.encode(prompt), max_tokens=max_tokens, config=cfg, seed=seed))


def continuation(markup):
    match = re.search(r'<p class="lmtutor-continuation"><b>(.*?)</b>(.*?)</p>', markup)
    return match.group(1), match.group(2)


def test_sample_html_shows_the_prompt_tokens_and_the_generated_text(zh):
    model, codec = zh
    cfg = config(temperature=0.8, top_p=0.9)
    markup = sample_html(model, codec, "我有一个苹果。", cfg, max_tokens=12, seed=3)
    assert continuation(markup) == ("我有一个苹果。", expected_continuation(model, codec, "我有一个苹果。", cfg, 12, 3))
    assert read_table(f'<table><tr data-scheme="zh_word"><td>{markup}</td></tr></table>')["zh_word"]["tokens"] == \
        ["我", "有", "一个", "苹果", "。"]
    probs = decoding.probabilities(model.start(codec.encode("我有一个苹果。"))[0], cfg)
    assert f"the rules keep {int((probs > 0).sum())} of 14 tokens" in markup
    assert f"with probability {probs.max():.3f}" in markup
    assert "not in the vocabulary" not in markup


def test_sample_html_marks_unknown_prompt_tokens_and_an_early_eos(zh):
    model, codec = zh
    model.logits[:, Vocab.eos_id] = 50.0  # <eos> at once
    markup = sample_html(model, codec, "人工智能是技术", config(), max_tokens=5)
    rows = read_table(f'<table><tr data-scheme="zh_word"><td>{markup}</td></tr></table>')["zh_word"]
    assert rows["unknown_tokens"] == ["人工智能"]
    assert "1 prompt token(s) not in the vocabulary, read as &lt;unk&gt;" in markup
    assert "the model chose &lt;eos&gt; after 0 token(s)" in markup
    assert continuation(markup)[1] == ""


def test_sample_html_cuts_the_prompt_by_the_corpus_recipe():
    vocab = Vocab(["<pad>", "<unk>", "<bos>", "<eos>", " ", "a", "b", ","])
    model = BigramModel(len(vocab))
    codec = datasets.TextCodec(datasets.TextRecipe("char", lowercase=True, keep_spaces=True), vocab)
    markup = sample_html(model, codec, "Ab，  BA", config(), max_tokens=3)
    rows = read_table(f'<table><tr data-scheme="char"><td>{markup}</td></tr></table>')["char"]
    assert rows["tokens"] == ["a", "b", ",", " ", "b", "a"]  # NFKC: the full-width comma is ","
    assert rows["unknown_tokens"] == []


def test_sampler_layout_and_first_drawing(zh):
    model, codec = zh
    box = sampler(model, codec, max_tokens=10)
    prompt, settings, text_panel, picture = box.children
    assert prompt.value == "我有一个苹果。" and prompt.continuous_update is False
    (temperature, top_k, top_p), (length, min_length, seed, button) = (column.children for column in settings.children)
    assert (temperature.value, top_k.value, top_p.value, length.value, min_length.value, seed.value) == \
        (1.0, 0, 1.0, 10, 10, 0)
    assert top_k.max == len(codec.vocab)  # a small vocabulary caps the slider
    assert text_panel.value == sample_html(model, codec, "我有一个苹果。", config(), max_tokens=10, min_tokens=10)
    assert bytes(picture.value).startswith(b"\x89PNG") and "lmtutor-sampler-figure" in picture._dom_classes
    assert button.layout.width == "auto"  # the whole label shows, however long
    width, height = struct.unpack(">II", bytes(picture.value)[16:24])  # the PNG header's size in pixels
    assert picture.layout.width == f"{width // 2}px" and picture.layout.max_width == "100%"  # 2 pixels per CSS pixel


def test_sampler_redraws_text_and_figure_when_a_control_changes(zh):
    model, codec = zh
    box = sampler(model, codec, max_tokens=10)
    prompt, settings, text_panel, picture = box.children
    (temperature, top_k, top_p), (length, min_length, seed, button) = (column.children for column in settings.children)
    min_length.value = 0  # <eos> allowed from the first token, as in generate's default
    first_text, first_picture = text_panel.value, picture.value
    top_k.value = 2
    assert "the rules keep 2 of 14 tokens" in text_panel.value
    assert picture.value != first_picture and bytes(picture.value).startswith(b"\x89PNG")
    ids = codec.encode("我有一个苹果。")
    drawn = next_token_figure(codec.vocab, model.start(ids)[0], {"after the rules": config(top_k=2)},
                              title="next token after the prompt")
    assert bytes(picture.value) == plots.png(drawn)  # the figure of exactly these settings
    temperature.value, top_p.value, length.value, seed.value = 0.5, 0.8, 25, 7
    cfg = config(temperature=0.5, top_k=2, top_p=0.8)
    assert continuation(text_panel.value)[1] == expected_continuation(model, codec, "我有一个苹果。", cfg, 25, 7)
    assert text_panel.value == sample_html(model, codec, "我有一个苹果。", cfg, max_tokens=25, seed=7)
    prompt.value = "他是"
    assert continuation(text_panel.value) == ("他是", expected_continuation(model, codec, "他是", cfg, 25, 7))
    assert text_panel.value != first_text


def test_sampler_button_draws_a_new_sample_with_the_next_seed(zh):
    model, codec = zh
    box = sampler(model, codec, max_tokens=30, seed=4)
    (_, _, _), (_, min_length, seed, button) = (column.children for column in box.children[1].children)
    min_length.value = 0
    before = box.children[2].value
    button.click()
    assert seed.value == 5
    assert continuation(box.children[2].value)[1] == expected_continuation(model, codec, "我有一个苹果。", config(), 30, 5)
    assert box.children[2].value != before


def test_sampler_writes_text_on_its_defaults_even_where_the_model_expects_eos(zh):
    model, codec = zh
    model.logits[:, Vocab.eos_id] = 3.0  # after every token <eos> is the likeliest choice, as after a full sentence
    assert all(len(generate.generate(model, codec.encode("我有一个苹果。"), max_tokens=40, seed=s)) < 10
               for s in range(5))  # without a minimum length the text ends almost at once
    for seed in range(5):
        box = sampler(model, codec, seed=seed)
        text = box.children[2].value
        new = generate.generate(model, codec.encode("我有一个苹果。"), max_tokens=40, config=config(), seed=seed,
                                min_tokens=10)
        assert len(new) >= 10 and continuation(text)[1] == codec.decode(new)
        assert "may not end the text before 10 new token(s)" in text


def test_sampler_shows_an_error_from_the_model_instead_of_raising(zh):
    _, codec = zh
    model = BigramModel(len(codec.vocab), context=4)  # "我有一个苹果。" is <bos> + 5 tokens
    box = sampler(model, codec, prompt="我有")
    assert "lmtutor-continuation" in box.children[2].value
    box.children[0].value = "我有一个苹果。"
    assert "⚠ prompt_ids has 6 tokens, more than the context window 4" in box.children[2].value


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(stepper="model"), TypeError, "stepper must be a generate.StepModel"),
    (dict(codec=datasets.TextCodec(datasets.TextRecipe("zh_word"), Vocab(["<pad>", "<unk>", "<bos>", "<eos>", "我"]))),
     ValueError, "vocab has 5 tokens but stepper predicts 14"),
    (dict(codec=Vocab(["<pad>", "<unk>", "<bos>", "<eos>", "我"])), TypeError, "codec must be an LMCorpus"),
    (dict(prompt=7), TypeError, "prompt must be str"),
    (dict(temperature=0.0), ValueError, "temperature must be > 0"),
    (dict(temperature=3.0), ValueError, "temperature must be <= 2"),
    (dict(top_k=-1), ValueError, "top_k must be >= 0"),
    (dict(top_k=15), ValueError, "top_k must be <= 14"),
    (dict(top_p=1.5), ValueError, "top_p must be <= 1"),
    (dict(top_p=0.01), ValueError, "top_p must be >= 0.05"),
    (dict(max_tokens=0), ValueError, "max_tokens must be >= 1"),
    (dict(seed=-1), ValueError, "seed must be >= 0"),
    (dict(banned_ids=(0, "x")), TypeError, "banned_ids[1] must be an int token id"),
])
def test_sampler_names_bad_input(zh, kwargs, error, words):
    model, codec = zh
    arguments = dict(stepper=model, codec=codec) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        sampler(arguments.pop("stepper"), arguments.pop("codec"), **arguments)
