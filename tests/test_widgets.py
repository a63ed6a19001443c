"""Tests of lmtutor.widgets: the package's names, and the token explorer (widgets.tokens) against
lmtutor.text with its live update. The sampler and the attention explorer have their own files."""

import re

import pytest

from lmtutor import plots, widgets
from lmtutor.text import SCHEMES, Vocab, tokenize
from lmtutor.widgets import DEFAULT_SENTENCE, token_explorer, token_table_html
from widget_fixtures import read_table

ENGLISH = "I have 2 apples."
CHINESE = "我有一个苹果。"


def test_the_package_re_exports_each_widget_and_the_figures_from_plots():
    from lmtutor.widgets import attention, sampling, tokens

    assert widgets.token_explorer is tokens.token_explorer and widgets.token_table_html is tokens.token_table_html
    assert widgets.sampler is sampling.sampler and widgets.sample_html is sampling.sample_html
    assert widgets.attention_explorer is attention.attention_explorer
    assert widgets.next_token_figure is plots.next_token_figure  # notebook 07 calls it through widgets
    assert widgets.attention_figure is plots.attention_figure
    assert all(hasattr(widgets, name) for name in widgets.__all__)


def test_importing_widgets_loads_no_widget_library():
    import subprocess
    import sys

    code = "import sys; from lmtutor import widgets; print('ipywidgets' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


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
