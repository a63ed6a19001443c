"""The token explorer: one sentence cut three ways ("word", "char", "zh_word") side by side.

Each row shows the tokens and the ids a vocabulary gives them; the table updates on every keystroke::

    from lmtutor.text import Vocab, tokenize
    from lmtutor.widgets import token_explorer
    token_explorer({"zh_word": Vocab.build([tokenize("我有一个苹果。", "zh_word")])})
"""

from __future__ import annotations

import html

from lmtutor._validate import check_choice, check_str, check_type
from lmtutor.text import SCHEMES, UNK, Vocab, tokenize
from lmtutor.widgets._html import STYLE, chips

DEFAULT_SENTENCE = "我有一个苹果。I have 2 apples."


def _check_vocabs(vocabs) -> dict[str, Vocab]:
    """Return ``vocabs`` as a dict of scheme -> Vocab (empty for None), raising on anything else."""
    if vocabs is None:
        return {}
    check_type("vocabs", vocabs, dict)
    for scheme, vocab in vocabs.items():
        check_choice("vocabs key", scheme, SCHEMES)
        check_type(f"vocabs[{scheme!r}]", vocab, Vocab)
    return dict(vocabs)


def token_table_html(text: str, vocabs: dict[str, Vocab] | None = None) -> str:
    """Return an HTML table with one row per scheme: its name, token count, tokens and ids.

    Ids are shown for the schemes that have a Vocab in ``vocabs``; a token the vocabulary lacks
    gets the id of <unk> and is drawn with a dashed red border in both columns.
    """
    check_str("text", text)
    vocabs = _check_vocabs(vocabs)
    rows = []
    any_unknown = False
    for scheme in SCHEMES:
        tokens = tokenize(text, scheme)
        vocab = vocabs.get(scheme)
        unknown = [vocab is not None and token not in vocab for token in tokens]
        any_unknown |= any(unknown)
        token_cells = chips(tokens, unknown, "lmtutor-token")
        id_cells = "<i>no vocab</i>" if vocab is None else chips(vocab.encode(tokens), unknown, "lmtutor-id")
        rows.append(
            f'<tr data-scheme="{scheme}"><td><b>{scheme}</b></td><td class="lmtutor-count">{len(tokens)}</td>'
            f"<td>{token_cells}</td><td>{id_cells}</td></tr>"
        )
    header = "".join(f"<th>{name}</th>" for name in ("scheme", "count", "tokens", "ids"))
    legend = (
        f'<p><span class="lmtutor-token lmtutor-unk">dashed red</span> not in the vocabulary: '
        f"its id is that of {html.escape(UNK)}</p>"
        if any_unknown
        else ""
    )
    table = f'<table class="lmtutor-token-table"><tr>{header}</tr>{"".join(rows)}</table>'
    return STYLE + table + legend


def token_explorer(vocabs: dict[str, Vocab] | None = None, *, value: str = DEFAULT_SENTENCE):
    """Return a VBox of a text box and the :func:`token_table_html` of its text, kept in sync."""
    import ipywidgets as widgets  # imported here so `import lmtutor.widgets` stays light

    vocabs = _check_vocabs(vocabs)
    check_str("value", value)
    sentence = widgets.Text(
        value=value,
        description="Sentence",
        placeholder="Type a sentence",
        continuous_update=True,
        layout=widgets.Layout(width="95%"),
    )
    sentence.add_class("lmtutor-token-input")
    table = widgets.HTML(value=token_table_html(value, vocabs))
    table.add_class("lmtutor-token-output")

    def update(change):
        table.value = token_table_html(change["new"], vocabs)

    sentence.observe(update, names="value")
    return widgets.VBox([sentence, table])
