"""Tests of lmtutor.widgets: the token table against lmtutor.text, and the widget's live update."""

import re
from html.parser import HTMLParser

import pytest

from lmtutor.text import SCHEMES, Vocab, tokenize
from lmtutor.widgets import DEFAULT_SENTENCE, token_explorer, token_table_html

ENGLISH = "I have 2 apples."
CHINESE = "我有一个苹果。"


class TableReader(HTMLParser):
    """Collects, per table row (data-scheme), the texts of token and id chips and which are unknown."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, dict[str, list]] = {}
        self._scheme = None
        self._chip = None  # (kind, unknown) of the <span> being read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-scheme" in attrs:
            self._scheme = attrs["data-scheme"]
            self.rows[self._scheme] = {"tokens": [], "ids": [], "unknown_tokens": [], "unknown_ids": []}
        classes = (attrs.get("class") or "").split()
        if tag == "span" and self._scheme and {"lmtutor-token", "lmtutor-id"} & set(classes):
            self._chip = ("tokens" if "lmtutor-token" in classes else "ids", "lmtutor-unk" in classes)

    def handle_data(self, data):
        if self._chip is not None:
            kind, unknown = self._chip
            row = self.rows[self._scheme]
            row[kind].append(data)
            if unknown:
                row["unknown_" + kind].append(data)

    def handle_endtag(self, tag):
        if tag == "span":
            self._chip = None
        elif tag == "tr":
            self._scheme = None


def read_table(markup: str) -> dict[str, dict[str, list]]:
    """Return the rows of a token_table_html table, parsed back into tokens and ids."""
    reader = TableReader()
    reader.feed(markup)
    reader.close()
    return reader.rows


def test_table_has_one_row_per_scheme_with_exactly_its_tokens():
    text = CHINESE + ENGLISH
    rows = read_table(token_table_html(text))
    assert list(rows) == list(SCHEMES)
    for scheme in SCHEMES:
        assert rows[scheme]["tokens"] == tokenize(text, scheme)
        assert rows[scheme]["ids"] == []  # no vocab, no ids
    assert "苹果" in rows["zh_word"]["tokens"]
    assert ["苹", "果"] == [t for t in rows["char"]["tokens"] if t in "苹果"]
    assert {"i", "have", "2", "apples"} <= set(rows["word"]["tokens"])


def test_table_shows_token_counts():
    markup = token_table_html(CHINESE)
    for scheme in SCHEMES:
        count = len(tokenize(CHINESE, scheme))
        row = f'<tr data-scheme="{scheme}"><td><b>{scheme}</b></td><td class="lmtutor-count">{count}</td>'
        assert row in markup


def test_table_escapes_html():
    markup = token_table_html("<b>bold</b> & <script>alert(1)</script>")
    # As one "word" token (no vocab splits it) the whole tag would read &lt;b&gt;; here every
    # scheme cuts "<" "b" ">" apart, so check that no raw tag survives and the pieces are escaped.
    assert "<b>bold" not in markup
    assert "<script>" not in markup
    assert "&lt;" in markup and "&gt;" in markup and "&amp;" in markup
    # Parsed back, the characters come out as the tokenizer produced them.
    assert read_table(markup)["char"]["tokens"][:3] == ["<", "b", ">"]


def test_table_ids_equal_vocab_encode_and_unknown_tokens_are_marked():
    vocab = Vocab.build([tokenize("我有一个苹果。他有一个梨。", "zh_word")])
    text = "我有一个香蕉。"
    rows = read_table(token_table_html(text, {"zh_word": vocab}))
    tokens = tokenize(text, "zh_word")
    assert rows["zh_word"]["ids"] == [str(i) for i in vocab.encode(tokens)]
    assert rows["zh_word"]["unknown_tokens"] == ["香蕉"]
    assert rows["zh_word"]["unknown_ids"] == [str(vocab.unk_id)]
    assert rows["word"]["ids"] == [] and rows["char"]["ids"] == []  # only schemes given a vocab


def test_table_with_all_known_tokens_marks_nothing():
    vocab = Vocab.build([tokenize(CHINESE, "char")])
    markup = token_table_html(CHINESE, {"char": vocab})
    rows = read_table(markup)
    assert rows["char"]["ids"] == [str(i) for i in vocab.encode(tokenize(CHINESE, "char"))]
    assert rows["char"]["unknown_tokens"] == [] and rows["char"]["unknown_ids"] == []
    assert "not in the vocabulary" not in markup  # no legend either


def test_table_of_empty_text_has_zero_tokens():
    rows = read_table(token_table_html("   "))
    assert all(rows[scheme]["tokens"] == [] for scheme in SCHEMES)


def test_explorer_layout_and_classes():
    box = token_explorer()
    sentence, table = box.children
    assert sentence.value == DEFAULT_SENTENCE
    assert sentence.description == "Sentence" and sentence.placeholder == "Type a sentence"
    assert sentence.continuous_update is True
    assert "lmtutor-token-input" in sentence._dom_classes
    assert "lmtutor-token-output" in table._dom_classes
    assert table.value == token_table_html(DEFAULT_SENTENCE)


def test_explorer_updates_table_when_the_sentence_changes():
    vocab = Vocab.build([tokenize("人工智能是技术。", "zh_word")])
    box = token_explorer({"zh_word": vocab})
    before = read_table(box.children[1].value)
    assert "苹果" in before["zh_word"]["tokens"]

    box.children[0].value = "人工智能是一种重要的技术。"
    after = read_table(box.children[1].value)
    assert "人工智能" in after["zh_word"]["tokens"] and "技术" in after["zh_word"]["tokens"]
    assert "苹果" not in after["zh_word"]["tokens"] and "apples" not in after["word"]["tokens"]
    assert after["zh_word"]["unknown_tokens"] == ["一种", "重要", "的"]
    assert box.children[1].value == token_table_html("人工智能是一种重要的技术。", {"zh_word": vocab})


@pytest.mark.parametrize(
    "vocabs, error, words",
    [
        (["zh_word"], TypeError, "vocabs must be dict"),
        ({"bpe": Vocab.build([["a"]])}, ValueError, "vocabs key must be one of"),
        ({"word": ["a", "b"]}, TypeError, "vocabs['word'] must be Vocab"),
    ],
)
def test_bad_vocabs_are_rejected_by_both_functions(vocabs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        token_table_html("a", vocabs)
    with pytest.raises(error, match=re.escape(words)):
        token_explorer(vocabs)


def test_bad_text_is_rejected():
    with pytest.raises(TypeError, match="text must be str"):
        token_table_html(["我", "有"])
    with pytest.raises(TypeError, match="value must be str"):
        token_explorer(value=42)


# ------------------------------------------------------------------------------------- sampler
import matplotlib  # noqa: E402
import numpy as np  # noqa: E402

from lmtutor import decoding, generate, plots  # noqa: E402
from lmtutor import widgets as widgets_module  # noqa: E402
from lmtutor.widgets import next_token_figure, sample_html, sampler  # noqa: E402

ZH_WORDS = ["我", "有", "一个", "苹果", "。", "他", "是", "技术", "的", "两个"]


class BigramModel:
    """A table of logits[previous token] in NumPy: a generate.StepModel without TensorFlow."""

    def __init__(self, vocab_size, seed=0, context=None):
        self.logits = np.random.default_rng(seed).normal(0.0, 2.0, (vocab_size, vocab_size))
        self.vocab_size = vocab_size
        self.context = context  # like a Transformer's window: longer prompts are a ValueError

    def start(self, prompt_ids):
        if self.context is not None and len(prompt_ids) > self.context:
            raise ValueError(f"prompt_ids has {len(prompt_ids)} tokens, more than the context window {self.context}")
        return self.logits[prompt_ids[-1]].copy(), prompt_ids[-1]

    def step(self, state, token_id):
        return self.logits[token_id].copy(), token_id

    def full_logits(self, ids):
        return self.logits[list(ids)].copy()


@pytest.fixture()
def chinese_plots():
    with matplotlib.rc_context():
        plots.setup()  # Chinese glyphs on the axes, restored after the test
        yield


@pytest.fixture()
def zh(chinese_plots):
    vocab = Vocab(["<pad>", "<unk>", "<bos>", "<eos>", *ZH_WORDS])
    return BigramModel(len(vocab)), vocab


def config(**kwargs):
    return decoding.DecodingConfig(banned_ids=(0, 1, 2), **kwargs)


def expected_continuation(model, vocab, prompt, cfg, max_tokens, seed):
    ids = generate.text_to_ids(vocab, prompt, "zh_word")
    return generate.ids_to_text(vocab, generate.generate(model, ids, max_tokens=max_tokens, config=cfg, seed=seed),
                                "zh_word")


def continuation(markup):
    match = re.search(r'<p class="lmtutor-continuation"><b>(.*?)</b>(.*?)</p>', markup)
    return match.group(1), match.group(2)


def test_next_token_figure_draws_the_model_and_each_rule(zh, chinese_plots):
    model, vocab = zh
    logits = model.logits[vocab["我"]]
    rules = {"temperature 1": config(), "top-k 3": config(top_k=3), "top-p 0.6": config(top_p=0.6)}
    fig = next_token_figure(vocab, logits, rules, top=6)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    model_probs = np.exp(decoding.log_probabilities(logits))
    shown = np.argsort(-model_probs)[:6]
    for ax, (name, cfg) in zip(visible, rules.items()):
        widths = [patch.get_width() for patch in ax.patches]
        assert np.allclose(widths[:6], model_probs[shown])  # grey: the model's own softmax
        after = decoding.probabilities(logits, cfg)
        assert np.allclose(widths[6:], after[shown])  # colour: what the rule samples from
        assert ax.get_title() == f"{name}\nkeeps {int((after > 0).sum())} of {len(vocab)}"
        assert [t.get_text() for t in ax.get_yticklabels()] == [vocab.itos[i] for i in shown]
    assert visible[1].get_title().endswith("keeps 3 of 14")


def test_next_token_figure_draws_a_space_token_visibly(chinese_plots):
    vocab = Vocab(["<pad>", "<unk>", "<bos>", "<eos>", " ", "a"])
    fig = next_token_figure(vocab, [0.0, 0.0, 0.0, 0.0, 5.0, 1.0], {"rule": config()}, top=2)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["␣", "a"]


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(configs=[config()]), TypeError, "configs must be dict"),
    (dict(configs={}), ValueError, "configs must map at least one"),
    (dict(configs={"greedy": "greedy"}), TypeError, "configs['greedy'] must be DecodingConfig"),
    (dict(top=0), ValueError, "top must be >= 1"),
    (dict(logits=np.zeros(5)), ValueError, "logits has 5 entries but vocab has 14"),
])
def test_next_token_figure_names_bad_input(zh, kwargs, error, words):
    model, vocab = zh
    arguments = dict(vocab=vocab, logits=model.logits[4], configs={"rule": config()}, top=5) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        next_token_figure(**arguments)


def test_sample_html_shows_the_prompt_tokens_and_the_generated_text(zh):
    model, vocab = zh
    cfg = config(temperature=0.8, top_p=0.9)
    markup = sample_html(model, vocab, "zh_word", "我有一个苹果。", cfg, max_tokens=12, seed=3)
    assert continuation(markup) == ("我有一个苹果。", expected_continuation(model, vocab, "我有一个苹果。", cfg, 12, 3))
    assert read_table(f'<table><tr data-scheme="zh_word"><td>{markup}</td></tr></table>')["zh_word"]["tokens"] == \
        ["我", "有", "一个", "苹果", "。"]
    probs = decoding.probabilities(model.start(generate.text_to_ids(vocab, "我有一个苹果。", "zh_word"))[0], cfg)
    assert f"the rules keep {int((probs > 0).sum())} of 14 tokens" in markup
    assert f"with probability {probs.max():.3f}" in markup
    assert "not in the vocabulary" not in markup


def test_sample_html_marks_unknown_prompt_tokens_and_an_early_eos(zh):
    model, vocab = zh
    model.logits[:, Vocab.eos_id] = 50.0  # <eos> at once
    markup = sample_html(model, vocab, "zh_word", "人工智能是技术", config(), max_tokens=5)
    rows = read_table(f'<table><tr data-scheme="zh_word"><td>{markup}</td></tr></table>')["zh_word"]
    assert rows["unknown_tokens"] == ["人工智能"]
    assert "1 prompt token(s) not in the vocabulary, read as &lt;unk&gt;" in markup
    assert "the model chose &lt;eos&gt; after 0 token(s)" in markup
    assert continuation(markup)[1] == ""


def test_sample_html_normalises_and_lowercases_the_prompt():
    vocab = Vocab(["<pad>", "<unk>", "<bos>", "<eos>", " ", "a", "b", ","])
    model = BigramModel(len(vocab))
    markup = sample_html(model, vocab, "char", "Ab，  BA", config(), max_tokens=3, lowercase=True)
    rows = read_table(f'<table><tr data-scheme="char"><td>{markup}</td></tr></table>')["char"]
    assert rows["tokens"] == ["a", "b", ",", " ", "b", "a"]  # NFKC: the full-width comma is ","
    assert rows["unknown_tokens"] == []


def test_sampler_layout_and_first_drawing(zh):
    model, vocab = zh
    box = sampler(model, vocab, "zh_word", max_tokens=10)
    prompt, settings, text_panel, picture = box.children
    assert prompt.value == "我有一个苹果。" and prompt.continuous_update is False
    (temperature, top_k, top_p), (length, seed, button) = (column.children for column in settings.children)
    assert (temperature.value, top_k.value, top_p.value, length.value, seed.value) == (1.0, 0, 1.0, 10, 0)
    assert top_k.max == len(vocab)  # a small vocabulary caps the slider
    assert text_panel.value == sample_html(model, vocab, "zh_word", "我有一个苹果。", config(), max_tokens=10)
    assert bytes(picture.value).startswith(b"\x89PNG") and "lmtutor-sampler-figure" in picture._dom_classes


def test_sampler_redraws_text_and_figure_when_a_control_changes(zh):
    model, vocab = zh
    box = sampler(model, vocab, "zh_word", max_tokens=10)
    prompt, settings, text_panel, picture = box.children
    (temperature, top_k, top_p), (length, seed, button) = (column.children for column in settings.children)
    first_text, first_picture = text_panel.value, picture.value
    top_k.value = 2
    assert "the rules keep 2 of 14 tokens" in text_panel.value
    assert picture.value != first_picture and bytes(picture.value).startswith(b"\x89PNG")
    ids = generate.text_to_ids(vocab, "我有一个苹果。", "zh_word")
    drawn = next_token_figure(vocab, model.start(ids)[0], {"after the rules": config(top_k=2)},
                              title="next token after the prompt")
    assert bytes(picture.value) == widgets_module._png(drawn)  # the figure of exactly these settings
    temperature.value, top_p.value, length.value, seed.value = 0.5, 0.8, 25, 7
    cfg = config(temperature=0.5, top_k=2, top_p=0.8)
    assert continuation(text_panel.value)[1] == expected_continuation(model, vocab, "我有一个苹果。", cfg, 25, 7)
    assert text_panel.value == sample_html(model, vocab, "zh_word", "我有一个苹果。", cfg, max_tokens=25, seed=7)
    prompt.value = "他是"
    assert continuation(text_panel.value) == ("他是", expected_continuation(model, vocab, "他是", cfg, 25, 7))
    assert text_panel.value != first_text


def test_sampler_button_draws_a_new_sample_with_the_next_seed(zh):
    model, vocab = zh
    box = sampler(model, vocab, "zh_word", max_tokens=30, seed=4)
    (_, _, _), (_, seed, button) = (column.children for column in box.children[1].children)
    before = box.children[2].value
    button.click()
    assert seed.value == 5
    assert continuation(box.children[2].value)[1] == expected_continuation(model, vocab, "我有一个苹果。", config(), 30, 5)
    assert box.children[2].value != before


def test_sampler_shows_an_error_from_the_model_instead_of_raising(zh):
    _, vocab = zh
    model = BigramModel(len(vocab), context=4)  # "我有一个苹果。" is <bos> + 5 tokens
    box = sampler(model, vocab, "zh_word", prompt="我有")
    assert "lmtutor-continuation" in box.children[2].value
    box.children[0].value = "我有一个苹果。"
    assert "⚠ prompt_ids has 6 tokens, more than the context window 4" in box.children[2].value


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(stepper="model"), TypeError, "stepper must be a generate.StepModel"),
    (dict(vocab=Vocab(["<pad>", "<unk>", "<bos>", "<eos>", "我"])), ValueError, "vocab has 5 tokens but stepper predicts 14"),
    (dict(vocab=["我"]), TypeError, "vocab must be Vocab"),
    (dict(scheme="bpe"), ValueError, "scheme must be one of"),
    (dict(prompt=7), TypeError, "prompt must be str"),
    (dict(temperature=0.0), ValueError, "temperature must be > 0"),
    (dict(temperature=3.0), ValueError, "temperature must be <= 2"),
    (dict(top_k=-1), ValueError, "top_k must be >= 0"),
    (dict(top_k=15), ValueError, "top_k must be <= 14"),
    (dict(top_p=1.5), ValueError, "top_p must be <= 1"),
    (dict(top_p=0.01), ValueError, "top_p must be >= 0.05"),
    (dict(max_tokens=0), ValueError, "max_tokens must be >= 1"),
    (dict(seed=-1), ValueError, "seed must be >= 0"),
    (dict(banned_ids=(0, "x")), ValueError, "banned_ids[1] must be a token id"),
    (dict(lowercase="yes"), TypeError, "lowercase must be bool"),
])
def test_sampler_names_bad_input(zh, kwargs, error, words):
    model, vocab = zh
    arguments = dict(stepper=model, vocab=vocab, scheme="zh_word") | kwargs
    with pytest.raises(error, match=re.escape(words)):
        sampler(arguments.pop("stepper"), arguments.pop("vocab"), arguments.pop("scheme"), **arguments)


# -------------------------------------------------------------------------- attention explorer
from lmtutor.widgets import attention_explorer, attention_figure  # noqa: E402

CHARS = ["<pad>", "<unk>", "<bos>", "<eos>", " ", *"abcdehilmnorst"]
SENTENCES = ["the cat sat", "a mist", "hello there"]


@pytest.fixture(scope="module")
def tiny_transformer():
    """A 2-block, 2-head Transformer with its initial weights (distinct per head), and its vocabulary."""
    from lmtutor import transformer

    vocab = Vocab(CHARS)
    model = transformer.build_transformer_lm(transformer.TransformerConfig(
        vocab_size=len(vocab), context=12, d_model=8, heads=2, layers=2, seed=0))
    return model, transformer.numpy_weights(model), vocab


def attention_map(weights, vocab, text, block, head):
    """The oracle: transformer.forward's attention weights of that block and head on <bos> + characters."""
    from lmtutor import transformer

    ids = vocab.encode(list(text), add_bos=True)
    return transformer.forward(weights, [ids], return_attention=True)[1][block][0, head]


def drawn_matrix(figure):
    return np.asarray(figure.axes[0].images[0].get_array())


def explorer_parts(box):
    bar, picture = box.children
    return dict(zip(("text", "block", "head"), bar.children)), picture


@pytest.mark.parametrize("block, head", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_attention_figure_draws_the_map_forward_returns(tiny_transformer, block, head):
    _, weights, vocab = tiny_transformer
    fig = attention_figure(weights, vocab, "the cat sat", block=block, head=head)
    expected = attention_map(weights, vocab, "the cat sat", block, head)
    assert np.allclose(drawn_matrix(fig), expected, atol=1e-12)
    assert np.allclose(np.triu(expected, 1), 0) and np.allclose(expected.sum(axis=1), 1)  # causal rows
    labels = ["<bos>", "t", "h", "e", "␣", "c", "a", "t", "␣", "s", "a", "t"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == labels
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == labels
    assert fig.axes[0].get_title() == f"block {block}, head {head} (row: query, column: key)"


def test_attention_heads_and_blocks_differ(tiny_transformer):
    _, weights, vocab = tiny_transformer
    maps = {(b, h): drawn_matrix(attention_figure(weights, vocab, "hello there", block=b, head=h))
            for b in (0, 1) for h in (0, 1)}
    for first, second in [((0, 0), (0, 1)), ((0, 0), (1, 0)), ((1, 0), (1, 1))]:
        assert not np.allclose(maps[first], maps[second]), (first, second)


def test_attention_figure_accepts_the_keras_model(tiny_transformer):
    model, weights, vocab = tiny_transformer
    assert np.array_equal(drawn_matrix(attention_figure(model, vocab, "a mist", block=1, head=1)),
                          drawn_matrix(attention_figure(weights, vocab, "a mist", block=1, head=1)))


def test_attention_explorer_layout_and_first_drawing(tiny_transformer):
    model, weights, vocab = tiny_transformer
    box = attention_explorer(weights, vocab, SENTENCES, head=1)
    controls, picture = explorer_parts(box)
    assert "lmtutor-attention-controls" in box.children[0]._dom_classes
    assert "lmtutor-attention-figure" in picture._dom_classes
    assert list(controls["text"].options) == SENTENCES and controls["text"].value == "the cat sat"
    assert list(controls["block"].options) == [0, 1] and list(controls["head"].options) == [0, 1]
    assert (controls["block"].value, controls["head"].value) == (0, 1)
    assert bytes(picture.value).startswith(b"\x89PNG")
    assert picture.value == widgets_module._png(attention_figure(weights, vocab, "the cat sat", block=0, head=1))
    assert attention_explorer(model, vocab, SENTENCES, head=1).children[1].value == picture.value


def test_attention_explorer_redraws_the_chosen_block_head_and_sentence(tiny_transformer):
    _, weights, vocab = tiny_transformer
    controls, picture = explorer_parts(attention_explorer(weights, vocab, SENTENCES))
    first = picture.value
    drawn = [first]
    for name, value in (("head", 1), ("block", 1), ("text", "hello there")):
        controls[name].value = value
        assert picture.value not in drawn, f"changing {name} must change the picture"
        drawn.append(picture.value)
    assert picture.value == widgets_module._png(attention_figure(weights, vocab, "hello there", block=1, head=1))
    controls["text"].value, controls["block"].value, controls["head"].value = "the cat sat", 0, 0
    assert picture.value == first


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(weights="model"), TypeError, "weights must be the dict of transformer.numpy_weights(model)"),
    (dict(weights={"blocks": []}), TypeError, "weights must be the dict of transformer.numpy_weights(model)"),
    (dict(vocab=["a"]), TypeError, "vocab must be Vocab"),
    (dict(vocab=Vocab(CHARS[:-1])), ValueError, "vocab has 18 tokens but weights embed 19"),
    (dict(sentences="the cat"), TypeError, "sentences must be a list of str, got str"),
    (dict(sentences=[]), ValueError, "sentences must hold at least one sentence"),
    (dict(sentences=["the cat", 7]), TypeError, "sentences[1] must be str"),
    (dict(sentences=["  "]), ValueError, "sentences[0] must be a non-empty string"),
    (dict(sentences=["a", "the cat sat on"]), ValueError,
     "sentences[1] has 15 tokens with <bos>, more than the model's context window of 12"),
    (dict(block=2), ValueError, "block must be <= 1"),
    (dict(head=-1), ValueError, "head must be >= 0"),
    (dict(head=1.0), TypeError, "head must be an int"),
    (dict(scheme="bpe"), ValueError, "scheme must be one of"),
    (dict(lowercase="yes"), TypeError, "lowercase must be bool"),
])
def test_attention_explorer_names_bad_input(tiny_transformer, kwargs, error, words):
    _, weights, vocab = tiny_transformer
    arguments = dict(weights=weights, vocab=vocab, sentences=SENTENCES) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        attention_explorer(arguments.pop("weights"), arguments.pop("vocab"), arguments.pop("sentences"), **arguments)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(text=["t", "h"]), TypeError, "text must be str"),
    (dict(text="the cat sat on"), ValueError, "text has 15 tokens with <bos>"),
    (dict(block=-1), ValueError, "block must be >= 0"),
    (dict(head=2), ValueError, "head must be <= 1"),
])
def test_attention_figure_names_bad_input(tiny_transformer, kwargs, error, words):
    _, weights, vocab = tiny_transformer
    arguments = dict(text="the cat", block=0, head=0) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        attention_figure(weights, vocab, arguments.pop("text"), **arguments)
