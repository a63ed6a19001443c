"""Tests of lmtutor.plots.tables: the Markdown table text, read back cell by cell."""

import re

import pytest

from lmtutor import plots
from lmtutor.plots.tables import markdown_text


def read_back(markdown):
    """Split a Markdown table into rows of cells (unescaping '\\|'), dropping the rule line."""
    lines = markdown.split("\n")
    assert re.fullmatch(r"\|(---\|)+", lines[1])
    return [[cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
            for line in [lines[0], *lines[2:]]]


def test_header_then_one_line_per_row_with_every_cell():
    rows = [["war", "army, battle", 0.5], ["北京", "上海、天津", 3]]
    text = markdown_text(["word", "neighbours", "score"], rows)
    assert read_back(text) == [["word", "neighbours", "score"], ["war", "army, battle", "0.5"],
                               ["北京", "上海、天津", "3"]]
    assert text.split("\n")[1] == "|---|---|---|"


def test_a_bar_inside_a_cell_is_escaped_so_the_columns_stay():
    assert read_back(markdown_text(["a", "b"], [["x | y", "z"]])) == [["a", "b"], ["x | y", "z"]]


def test_a_bar_inside_a_header_is_escaped_too():  # "|projection on g|" once broke notebook 14's table
    assert read_back(markdown_text(["word", "|x·g|"], [["he", "0.1"]])) == [["word", "|x·g|"], ["he", "0.1"]]


def test_jupyter_renders_markdown_table_as_markdown():
    from IPython.core.formatters import DisplayFormatter

    table = plots.markdown_table(["model", "ρ"], [["ours", "0.41"]])
    formats, _ = DisplayFormatter().format(table)  # what a notebook cell's result becomes
    assert formats["text/markdown"] == markdown_text(["model", "ρ"], [["ours", "0.41"]])
    assert formats["text/plain"] == repr(table) == table.text
    assert markdown_text(["model"], []) == "| model |\n|---|"  # no rows: the header alone


@pytest.mark.parametrize("header, rows, error, words", [
    ("word", [], TypeError, "header must be a list of labels"),
    ([], [], ValueError, "header must not be empty"),
    (["a"], "rows", TypeError, "rows must be a list of rows"),
    (["a"], ["x"], TypeError, "rows[0] must be a list of cells"),
    (["a", "b"], [["x", "y"], ["z"]], ValueError, "rows[1] has 1 cells but header has 2"),
])
def test_bad_input_names_the_argument(header, rows, error, words):
    with pytest.raises(error, match=re.escape(words)):
        markdown_text(header, rows)
