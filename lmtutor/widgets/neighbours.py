"""The neighbours explorer: type a word for its nearest neighbours, or three for an analogy.

One word gives the words with the highest cosine (``evaluation.nearest_neighbours``); three words
``a b c`` give the 3CosAdd answer to a : b :: c : ? (``evaluation.analogy_answers``), with the
vectors picked in a drop-down::

    from lmtutor.widgets import neighbours_explorer
    neighbours_explorer({"ours": ours.embeddings, "gensim": w2v.wv}, value="war")
"""

from __future__ import annotations

from typing import Any

from lmtutor import evaluation
from lmtutor._validate import check_int, check_str, check_type
from lmtutor.embeddings import _as_embeddings, as_embeddings


def has_chinese(text: str) -> bool:
    """Return True if ``text`` holds a CJK unified ideograph (U+4E00 to U+9FFF)."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in check_str("text", text))


def neighbours_answer(vectors: Any, query: str, *, topn: int = 8) -> str:
    """Return the explorer's answer line for ``query``: "w₁ cos₁, w₂ cos₂, ..." for the ``topn``
    nearest neighbours of one word, "a : b :: c : d" for three words, or what is wrong (another
    number of words, words missing from the vocabulary)."""
    table = as_embeddings(vectors)
    words = check_str("query", query).split()
    topn = check_int("topn", topn, minimum=1)
    if len(words) not in (1, 3):
        return f"type one word (its neighbours) or three (an analogy a : b :: c : ?), not {len(words)}"
    missing = [w for w in words if w not in table]
    if missing:
        return f"not in the vocabulary: {missing}"
    if len(words) == 3:
        return f"{words[0]} : {words[1]} :: {words[2]} : " + evaluation.analogy_answers(table, [tuple(words)])[0]
    return ", ".join(f"{w} {s:.2f}" for w, s in evaluation.nearest_neighbours(table, words[0], topn))


def neighbours_explorer(choices: dict, *, value: str = "war", vectors: str | None = None,
                        chinese: str | None = None, topn: int = 8):
    """Return a VBox: a text box, a drop-down of the vectors in ``choices`` (name -> Embeddings or
    gensim KeyedVectors) and :func:`neighbours_answer`, updated whenever the text or the choice changes.

    ``vectors`` names the choice shown first (default: the first); a query with Chinese characters
    uses the choice named ``chinese`` whatever the drop-down says, when one is given.
    """
    import ipywidgets as widgets  # imported here so `import lmtutor.widgets` stays light

    check_type("choices", choices, dict)
    if not choices:
        raise ValueError("choices must map at least one name to word vectors, got {}")
    for name in choices:
        check_type("choices key", name, str)
    tables = {name: _as_embeddings(f"choices[{name!r}]", table) for name, table in choices.items()}
    vectors = next(iter(tables)) if vectors is None else vectors
    for argument, name in (("vectors", vectors), ("chinese", chinese)):
        if name is not None and name not in tables:
            raise ValueError(f"{argument} must be one of the names in choices {list(tables)}, got {name!r}")
    check_str("value", value)
    topn = check_int("topn", topn, minimum=1)
    box = widgets.Text(value=value, description="word(s)")
    picker = widgets.Dropdown(options=list(tables), value=vectors, description="vectors")
    answer = widgets.Label()
    answer.add_class("lmtutor-neighbours-answer")

    def update(change=None):
        name = chinese if chinese is not None and has_chinese(box.value) else picker.value
        answer.value = neighbours_answer(tables[name], box.value, topn=topn)

    box.observe(update, names="value")
    picker.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([box, picker]), answer])
