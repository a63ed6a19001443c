"""A map of words: their vectors projected to 2-D by PCA, each point labelled with its word.

Notebook 02 draws English and Chinese skip-gram vectors this way::

    plots.word_map(ours.embeddings, ["paris", "france", "berlin", "germany"], title="PCA")
    plots.word_map(zh.wv, ["北京", "上海", "经济"], title="人民日报 skip-gram, PCA")
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np

from lmtutor import pca
from lmtutor._validate import check_type
from lmtutor.embeddings import as_embeddings
from lmtutor.plots import _labels


def word_map(vectors: Any, words: Sequence[str], *, title: str | None = None):
    """Return a Figure with one labelled point per word at ``pca.project`` of the words' vectors
    (the two directions along which these vectors vary most; distances are only a rough picture).

    ``vectors`` is ``embeddings.Embeddings`` or a gensim KeyedVectors; every word must be in it.
    """
    table = as_embeddings(vectors)
    names = _labels("words", words)
    if len(names) < 2:
        raise ValueError(f"words must hold at least 2 words to project, got {names}")
    missing = [w for w in names if w not in table]
    if missing:
        raise ValueError(f"words must be in the vocabulary of vectors ({len(table):,} words); "
                         f"not in it: {missing}")
    points = pca.project(np.array([table[w] for w in names]), components=2)  # (N, 2)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    plt.close(fig)  # shown by the cell that returns it, once
    ax.scatter(points[:, 0], points[:, 1], s=12)
    for (x, y), word in zip(points, names):
        ax.annotate(word, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=10)
    if title is not None:
        ax.set_title(check_type("title", title, str))
    return fig
