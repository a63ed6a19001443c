"""The attention explorer: the attention weights of one head of a trained Transformer on a sentence.

Drop-downs pick the sentence, the block and the head; the heat map is ``plots.attention_figure``::

    from lmtutor import transformer
    from lmtutor.widgets import attention_explorer
    attention_explorer(transformer.numpy_weights(model), vocab, ["the prime minister said"])
"""

from __future__ import annotations

from lmtutor import plots
from lmtutor._validate import _show, check_choice, check_int, check_type
from lmtutor.plots.attention import attention_figure, attention_ids, check_transformer_weights, layers_and_heads
from lmtutor.text import SCHEMES, Vocab


def attention_explorer(weights, vocab: Vocab, sentences, *, block: int = 0, head: int = 0,
                       scheme: str = "char", lowercase: bool = False):
    """Return a VBox: drop-downs for a sentence, a block and a head, and the heat map of that head's
    attention weights on that sentence (:func:`attention_figure`), redrawn whenever one changes.

    ``weights`` is ``transformer.numpy_weights(model)`` (or the Keras model); ``sentences`` are
    tokenized by ``scheme`` (NFKC-normalised, lowercased with ``lowercase``) and must fit the
    model's context window with <bos>.
    """
    import ipywidgets as widgets

    weights = check_transformer_weights(weights, vocab)
    check_choice("scheme", scheme, SCHEMES)
    check_type("lowercase", lowercase, bool)
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)):
        raise TypeError(f"sentences must be a list of str, got {type(sentences).__name__} {_show(sentences)}")
    if not sentences:
        raise ValueError("sentences must hold at least one sentence, got an empty list")
    for i, sentence in enumerate(sentences):
        attention_ids(weights, vocab, scheme, sentence, lowercase, f"sentences[{i}]")
    layers, heads = layers_and_heads(weights)
    controls = {
        "text": widgets.Dropdown(options=list(sentences), description="sentence",
                                 layout=widgets.Layout(width="420px")),
        "block": widgets.Dropdown(options=range(layers), value=check_int("block", block, minimum=0, maximum=layers - 1),
                                  description="block"),
        "head": widgets.Dropdown(options=range(heads), value=check_int("head", head, minimum=0, maximum=heads - 1),
                                 description="head"),
    }
    picture = widgets.Image(format="png")
    picture.add_class("lmtutor-attention-figure")

    def update(change=None):
        values = {name: control.value for name, control in controls.items()}
        picture.value = plots.png(attention_figure(weights, vocab, scheme=scheme, lowercase=lowercase, **values))

    for control in controls.values():
        control.observe(update, names="value")
    update()
    bar = widgets.HBox(list(controls.values()))
    bar.add_class("lmtutor-attention-controls")
    return widgets.VBox([bar, picture])
