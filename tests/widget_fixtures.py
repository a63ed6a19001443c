"""Shared test helpers of the widgets and their figures: an HTML token-table reader, a NumPy bigram
StepModel, and a tiny Transformer (tests/test_widgets*.py, tests/test_plots_*.py)."""

from html.parser import HTMLParser

import numpy as np

from lmtutor import decoding
from lmtutor.text import Vocab

ZH_WORDS = ["我", "有", "一个", "苹果", "。", "他", "是", "技术", "的", "两个"]
CHARS = ["<pad>", "<unk>", "<bos>", "<eos>", " ", *"abcdehilmnorst"]
SENTENCES = ["the cat sat", "a mist", "hello there"]


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


def zh_model():
    """Return (BigramModel, TextCodec) over the Chinese words ZH_WORDS after the four special tokens,
    prompts cut by jieba as the pd_jieba corpus is."""
    from lmtutor import datasets

    vocab = Vocab(["<pad>", "<unk>", "<bos>", "<eos>", *ZH_WORDS])
    return BigramModel(len(vocab)), datasets.TextCodec(datasets.TextRecipe("zh_word"), vocab)


def config(**kwargs):
    return decoding.DecodingConfig(banned_ids=(0, 1, 2), **kwargs)


def tiny_transformer():
    """A 2-block, 2-head Transformer with its initial weights (distinct per head), and the TextCodec
    of its characters (spaces kept, as in lee_chars)."""
    from lmtutor import datasets, transformer

    vocab = Vocab(CHARS)
    model = transformer.build_transformer_lm(transformer.TransformerConfig(
        vocab_size=len(vocab), context=12, d_model=8, heads=2, layers=2, seed=0))
    codec = datasets.TextCodec(datasets.TextRecipe("char", keep_spaces=True), vocab)
    return model, transformer.numpy_weights(model), codec


def attention_map(weights, codec, text, block, head):
    """The oracle: transformer.forward's attention weights of that block and head on <bos> + characters."""
    from lmtutor import transformer

    ids = codec.vocab.encode(list(text), add_bos=True)
    return transformer.forward(weights, [ids], return_attention=True)[1][block][0, head]


def drawn_matrix(figure):
    """Return the matrix a heat-map figure draws."""
    return np.asarray(figure.axes[0].images[0].get_array())
