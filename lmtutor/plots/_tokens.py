"""Token labels and prompt ids shared by the figures of plots and the widgets that redraw them."""

from __future__ import annotations


SPACE_LABEL = "␣"  # how a space token is drawn on a plot axis


def token_label(token: str) -> str:
    """Return ``token`` as drawn on an axis: a space becomes ␣, anything else is unchanged."""
    return SPACE_LABEL if token == " " else token


def prompt_ids(codec, prompt: str) -> tuple[list[str], list[int]]:
    """Return (tokens, ids with <bos> first) of ``prompt``, cut by the recipe of ``codec``'s corpus.

    ``codec`` is ``datasets.codec(...)`` of the model's corpus or checkpoint; unknown tokens become
    <unk> silently (the widgets mark them).
    """
    tokens = codec.recipe.tokens(prompt)
    return tokens, codec.vocab.encode(tokens, add_bos=True)
