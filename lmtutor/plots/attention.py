"""The attention heat map of one head of one block of a trained Transformer on a sentence.

Used by notebook 08 and by ``widgets.attention_explorer``, which redraws it for the chosen
sentence, block and head::

    from lmtutor import plots, transformer
    plots.attention_figure(transformer.numpy_weights(model), corpus, "the prime minister", block=1, head=0)
"""

from __future__ import annotations

from lmtutor import datasets
from lmtutor._validate import _show, check_int, check_str, check_type
from lmtutor.plots import heatmap
from lmtutor.plots._tokens import prompt_ids, token_label
from lmtutor.text import Vocab


def check_transformer_weights(weights, vocab: Vocab) -> dict:
    """Return the ``transformer.numpy_weights`` dict of ``weights`` (that dict or the Keras model),
    raising unless it is one and predicts ``vocab``."""
    from lmtutor import transformer  # imported here so `import lmtutor.plots` loads no Keras

    if not isinstance(weights, dict):
        import keras

        if not isinstance(weights, keras.Model):
            raise TypeError(f"weights must be the dict of transformer.numpy_weights(model) or the Keras model, "
                            f"got {type(weights).__name__}")
        weights = transformer.numpy_weights(weights)
    if not weights.get("blocks") or "token_embedding" not in weights or "positions" not in weights:
        raise TypeError("weights must be the dict of transformer.numpy_weights(model) (with 'blocks', "
                        f"'token_embedding' and 'positions'), got a dict with keys {sorted(weights)}")
    check_type("vocab", vocab, Vocab)
    if len(vocab) != len(weights["token_embedding"]):
        raise ValueError(f"vocab has {len(vocab)} tokens but weights embed {len(weights['token_embedding'])}: "
                         f"use the vocabulary the model was trained with")
    return weights


def attention_ids(weights: dict, codec: datasets.TextCodec, text: str, name: str):
    """Return (tokens, ids with <bos> first) of ``text``, raising if it is empty or longer than the window.

    ``name`` is how errors call ``text`` (the argument it came from, such as "sentences[0]").
    """
    check_str("name", name, allow_empty=False)
    _check_blocks(weights)
    codec = datasets.codec(codec)
    check_str(name, text, allow_empty=False)
    tokens, ids = prompt_ids(codec, text)
    context = len(weights["positions"])
    if len(ids) > context:
        raise ValueError(f"{name} has {len(ids)} tokens with <bos>, more than the model's context window "
                         f"of {context}: shorten it")
    return tokens, ids


def layers_and_heads(weights: dict) -> tuple[int, int]:
    """Return (blocks, heads) of a Transformer's weights: query_kernel is (d_model, heads, head_dim)."""
    _check_blocks(weights)
    return len(weights["blocks"]), weights["blocks"][0]["attention"]["query_kernel"].shape[1]


def _check_blocks(weights) -> None:
    """Raise unless ``weights`` looks like transformer.numpy_weights's dict (blocks, positions, embedding)."""
    if not isinstance(weights, dict) or not weights.get("blocks") or "positions" not in weights:
        raise TypeError(f"weights must be the dict of transformer.numpy_weights(model), got "
                        f"{type(weights).__name__} {_show(weights)}")


def attention_figure(weights, codec, text: str, *, block: int = 0, head: int = 0):
    """Return a Figure of the attention weights softmax(QKᵀ/√d_k + M) of one head of one block on
    ``text`` (<bos> first): row i, what position i read; column j, the position read.

    The weights are those ``transformer.forward(weights, [ids], return_attention=True)`` returns for
    that block and head; ``weights`` is ``transformer.numpy_weights(model)`` or the Keras model.
    ``codec`` (the corpus or checkpoint the model was trained on) tokenizes ``text`` as its corpus was.
    """
    from lmtutor import transformer

    codec = datasets.codec(codec)
    vocab = codec.vocab
    weights = check_transformer_weights(weights, vocab)
    tokens, ids = attention_ids(weights, codec, text, "text")
    layers, heads = layers_and_heads(weights)
    block = check_int("block", block, minimum=0, maximum=layers - 1)
    head = check_int("head", head, minimum=0, maximum=heads - 1)
    _, maps = transformer.forward(weights, [ids], return_attention=True)  # per block (batch, heads, query, key)
    labels = [vocab.itos[vocab.bos_id]] + [token_label(t) for t in tokens]
    return heatmap(maps[block][0, head], labels, labels,
                   title=f"block {block}, head {head} (row: query, column: key)")
