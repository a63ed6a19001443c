"""Tests of lmtutor.plots.decoding: next_token_figure draws decoding.probabilities, panel by panel."""

import re

import numpy as np
import pytest

from lmtutor import decoding
from lmtutor.plots import next_token_figure
from lmtutor.text import Vocab
from widget_fixtures import config


def test_next_token_figure_draws_the_model_and_each_rule(zh, chinese_plots):
    model, codec = zh
    vocab = codec.vocab
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
    model, codec = zh
    vocab = codec.vocab
    arguments = dict(vocab=vocab, logits=model.logits[4], configs={"rule": config()}, top=5) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        next_token_figure(**arguments)
