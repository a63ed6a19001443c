"""Tables as Markdown, which JupyterLab and GitHub both render (a notebook's result tables)::

    from lmtutor import plots
    plots.markdown_table(["word", "neighbours"], [["war", "army, battle"], ["king", "queen, prince"]])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from lmtutor._validate import check_str
from lmtutor.plots import _labels


def markdown_text(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> str:
    """Return the Markdown source of a table: the ``header`` row, a rule, then one line per row.

    Each cell and header name is ``str(value)`` with "|" escaped; every row must have as many cells as the header.
    """
    names = _labels("header", header)
    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
        raise TypeError(f"rows must be a list of rows (lists of cells), got {type(rows).__name__}")
    lines = ["| " + " | ".join(name.replace("|", "\\|") for name in names) + " |", "|" + "---|" * len(names)]
    for index, row in enumerate(rows):
        if isinstance(row, str) or not hasattr(row, "__iter__"):
            raise TypeError(f"rows[{index}] must be a list of cells, got {type(row).__name__}")
        cells = [str(value).replace("|", "\\|") for value in row]
        if len(cells) != len(names):
            raise ValueError(f"rows[{index}] has {len(cells)} cells but header has {len(names)}; they must match")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


@dataclass(frozen=True)
class MarkdownTable:
    """A table that Jupyter renders from its Markdown source (``_repr_markdown_``); repr shows the source."""

    text: str  # the Markdown source, as markdown_text returns it

    def __post_init__(self):
        check_str("text", self.text)

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def markdown_table(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> MarkdownTable:
    """Return a MarkdownTable of :func:`markdown_text` (leave it last in a cell to show it rendered)."""
    return MarkdownTable(markdown_text(header, rows))
