"""Token labels and prompt ids shared by the figures of plots and the widgets that redraw them."""

from __future__ import annotations

from lmtutor.text import Vocab, normalize, tokenize, tokenize_chars

SPACE_LABEL = "␣"  # how a space token is drawn on a plot axis


def token_label(token: str) -> str:
    """Return ``token`` as drawn on an axis: a space becomes ␣, anything else is unchanged."""
    return SPACE_LABEL if token == " " else token


def prompt_ids(vocab: Vocab, scheme: str, prompt: str, lowercase: bool) -> tuple[list[str], list[int]]:
    """Return (tokens, ids with <bos> first) of ``prompt``, NFKC-normalised as the corpora are."""
    source = normalize(prompt, lowercase=lowercase)
    if scheme == "char":
        tokens = tokenize_chars(source, keep_spaces=" " in vocab)
    else:
        tokens = tokenize(source, scheme)
    return tokens, vocab.encode(tokens, add_bos=True)
