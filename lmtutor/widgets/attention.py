"""The attention explorer: the attention weights of one head of a trained Transformer on a sentence.

Drop-downs pick the sentence, the block and the head; the heat map is ``plots.attention_figure``::

    from lmtutor import transformer
    from lmtutor.widgets import attention_explorer
    attention_explorer(transformer.numpy_weights(model), corpus, ["the prime minister said"])
"""

from __future__ import annotations

from lmtutor import datasets, plots
from lmtutor._validate import _show, check_int
from lmtutor.plots.attention import attention_figure, attention_ids, check_transformer_weights, layers_and_heads
from lmtutor.widgets._html import show_figure


def attention_explorer(weights, codec, sentences, *, block: int = 0, head: int = 0):
    """Return a VBox: drop-downs for a sentence, a block and a head, and the heat map of that head's
    attention weights on that sentence (:func:`attention_figure`), redrawn whenever one changes.

    ``weights`` is ``transformer.numpy_weights(model)`` (or the Keras model); ``sentences`` are
    tokenized by ``codec`` (the corpus or checkpoint the model was trained on, ``datasets.codec``)
    as its corpus was, and must fit the model's context window with <bos>.
    """
    import ipywidgets as widgets

    codec = datasets.codec(codec)
    weights = check_transformer_weights(weights, codec.vocab)
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)):
        raise TypeError(f"sentences must be a list of str, got {type(sentences).__name__} {_show(sentences)}")
    if not sentences:
        raise ValueError("sentences must hold at least one sentence, got an empty list")
    for i, sentence in enumerate(sentences):
        attention_ids(weights, codec, sentence, f"sentences[{i}]")
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
        show_figure(picture, attention_figure(weights, codec, **values))

    for control in controls.values():
        control.observe(update, names="value")
    update()
    bar = widgets.HBox(list(controls.values()))
    bar.add_class("lmtutor-attention-controls")
    return widgets.VBox([bar, picture])
