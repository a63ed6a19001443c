"""A map of words: their vectors projected to 2-D by PCA, each point labelled with its word.

Notebook 02 draws English and Chinese skip-gram vectors this way::

    plots.word_map(ours.embeddings, ["paris", "france", "berlin", "germany"], title="PCA")
    plots.word_map(zh.wv, ["北京", "上海", "经济"], title="人民日报 skip-gram, PCA")
"""

from __future__ import annotations

from typing import Any, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.transforms import Bbox

from lmtutor import pca
from lmtutor._validate import check_type
from lmtutor.embeddings import as_embeddings
from lmtutor.plots import _labels


def word_map(vectors: Any, words: Sequence[str], *, title: str | None = None):
    """Return a Figure with one labelled point per word at ``pca.project`` of the words' vectors
    (the two directions along which these vectors vary most; distances are only a rough picture).

    ``vectors`` is ``embeddings.Embeddings`` or a gensim KeyedVectors; every word must be in it.
    Each label sits next to its point, moved around it until it covers no other label (``_place_labels``).
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
    if title is not None:
        ax.set_title(check_type("title", title, str))
    background = dict(boxstyle="square,pad=0.05", facecolor="white", edgecolor="none", alpha=0.8)  # no grid line through 二
    labels = [ax.annotate(word, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=10, bbox=background)
              for (x, y), word in zip(points, names)]
    _place_labels(fig, ax, labels)
    return fig


# Where a label may sit around its point: offset (points) and alignment, nearest first. Each ring
# repeats the eight directions further away, for points in a crowd.
_DIRECTIONS = [(1, 1, "left", "bottom"), (1, -1, "left", "top"), (-1, 1, "right", "bottom"),
               (-1, -1, "right", "top"), (0, 1, "center", "bottom"), (0, -1, "center", "top"),
               (1, 0, "left", "center"), (-1, 0, "right", "center")]
_CANDIDATES = [(dx * ring, dy * ring, ha, va) for ring in (3, 8, 14, 20) for dx, dy, ha, va in _DIRECTIONS]


def _overlap(box, others) -> float:
    """Return the total area (pixels²) that the Bbox ``box`` shares with the Bboxes ``others``."""
    total = 0.0
    for other in others:
        width = min(box.x1, other.x1) - max(box.x0, other.x0)
        height = min(box.y1, other.y1) - max(box.y0, other.y0)
        total += max(width, 0.0) * max(height, 0.0)
    return total


def _padded(values: np.ndarray, pixels: float, room: float) -> tuple[float, float]:
    """Return axis limits around ``values`` that leave ``room`` pixels (of an axis ``pixels`` long)
    beyond the smallest and the largest value: pad / (span + 2 pad) = room / pixels."""
    low, high = float(values.min()), float(values.max())
    pad = max(high - low, 1e-9) * room / max(pixels - 2 * room, pixels / 4)
    return low - pad, high + pad


def _place_labels(fig, ax, labels) -> None:
    """Move each label to the first of ``_CANDIDATES`` around its point where it overlaps no label
    placed before it, no other point and stays inside the axes; if none is free, to the one with the
    least overlap, where covering another label or leaving the axes counts 10 times covering a dot.

    Greedy, in the order of the words, so the same words always get the same picture; measured with
    the figure's renderer, in pixels, at the size the figure is drawn.
    """
    get_renderer = getattr(fig.canvas, "get_renderer", None)  # Agg canvases (inline, png); else the figure's
    renderer = get_renderer() if get_renderer is not None else fig._get_renderer()
    fig.draw(renderer)  # fixes the axes size and the text sizes
    inside = ax.get_window_extent(renderer)
    # Room for a label on either side of the outermost points: the widest (tallest) label plus the first offset.
    gap = 3 * fig.dpi / 72
    widest = max(label.get_window_extent(renderer).width for label in labels) + gap
    tallest = max(label.get_window_extent(renderer).height for label in labels) + gap
    points = np.array([label.xy for label in labels])  # (N, 2) data units
    ax.set_xlim(*_padded(points[:, 0], inside.width, widest))
    ax.set_ylim(*_padded(points[:, 1], inside.height, tallest))
    dots = ax.transData.transform(points)  # (N, 2) pixels
    radius = 4.0 * fig.dpi / 72  # a little more than the dot of size 12 points²
    placed = []
    for i, label in enumerate(labels):
        best = None
        dot_boxes = [Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)
                     for j, (x, y) in enumerate(dots) if j != i]
        for dx, dy, ha, va in _CANDIDATES:
            label.set_position((dx, dy))
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            box = label.get_window_extent(renderer)
            outside = box.width * box.height - _overlap(box, [inside])
            cost = 10 * (_overlap(box, placed) + outside) + _overlap(box, dot_boxes)  # covering a dot is the lesser evil
            if best is None or cost < best[0]:
                best = (cost, (dx, dy), ha, va, box)
            if cost == 0:
                break
        _, offset, ha, va, box = best
        label.set_position(offset)
        label.set_horizontalalignment(ha)
        label.set_verticalalignment(va)
        placed.append(box)
