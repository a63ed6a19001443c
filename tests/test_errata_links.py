"""Notebook 15's errata and reading list point at notebook sections that exist.

Every link of notebook 15 is ``[text](NN_name.ipynb#cell-id=ID "heading")``: it must name a notebook of
notebooks/ and a markdown cell of it that starts with that heading (its text without #s, backticks and
asterisks). JupyterLab 4.6 scrolls to a cell named this way; links by heading anchor (``#3.-Skip-gram``)
opened the notebook at its top when tried in Chromium, so notebook 15 has none (tests/test_browser_lab.py
follows a link). Every row of the errata tables and of the reading list must carry a link; each
measured failure the notebook quotes must still be a line that the named notebook prints. Nothing is
executed: the committed notebooks are read."""

import json
import re
from pathlib import Path

import pytest

from lmtutor.checks import challenges

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
FIFTEEN = NOTEBOOKS / "15_further_reading.ipynb"
LINK = re.compile(r'\]\((\d\d_\w+\.ipynb)#cell-id=([\w-]+) "([^"]+)"\)')  # [text](notebook#cell-id=id "heading")
ANY_FRAGMENT = re.compile(r"\]\([^)\s]*#")  # any markdown link with a fragment


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def markdown(path):
    return "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "markdown")


def headings(path):
    return [line for line in markdown(path).splitlines() if re.match(r"#{1,6} ", line)]


def anchor(heading):
    """JupyterLab's anchor, written here independently of the exercise's reference."""
    text = re.sub(r"^#+", "", heading).strip()
    return re.sub(r"[`*]", "", text).replace(" ", "-")


def section(text, start, end):
    return text.split(start, 1)[1].split(end, 1)[0]


def table_rows(text):
    return [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| § |")
            and not line.startswith("| notebook") and not line.startswith("| the seed")]


def test_the_anchor_rule_equals_the_exercise_reference_on_every_heading():
    every = [h for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") for h in headings(path)]
    assert len(every) > 100
    assert all(challenges._heading_anchor(h) == anchor(h) for h in every)
    assert anchor("## 4. The source article's softmax + `from_logits=True`") == "4.-The-source-article's-softmax-+-from_logits=True"


def heading_text(heading):
    return re.sub(r"[`*]", "", re.sub(r"^#+", "", heading).strip())


def test_every_link_names_a_cell_that_starts_with_the_heading_in_its_title():
    links = LINK.findall(markdown(FIFTEEN))
    assert len(links) >= 40
    for name, cell_id, title in links:
        path = NOTEBOOKS / name
        assert path.exists(), f"notebook 15 links {name}, which is not in notebooks/"
        found = [c for c in cells(path) if c.get("id") == cell_id]
        assert found, f"{name} has no cell {cell_id}"
        first = "".join(found[0]["source"]).split("\n", 1)[0]
        assert found[0]["cell_type"] == "markdown" and re.match(r"#{1,6} ", first), \
            f"{name} cell {cell_id} does not start with a heading: {first[:60]!r}"
        assert heading_text(first) == title, f"{name} cell {cell_id} starts with {first!r}, the link says {title!r}"


def test_every_link_with_a_fragment_names_a_cell():
    text = markdown(FIFTEEN)
    assert len(ANY_FRAGMENT.findall(text)) == len(LINK.findall(text)), \
        "a link by heading anchor (#...) does not scroll in JupyterLab 4.6: link the cell (#cell-id=...)"


def test_the_link_pattern_reads_titles_with_parentheses():
    found = LINK.findall('see [02 §3](02_word_embeddings.ipynb#cell-id=nb02-07 "3. Skip-gram (跳字模型)").')
    assert found == [("02_word_embeddings.ipynb", "nb02-07", "3. Skip-gram (跳字模型)")]
    assert not LINK.findall("[02 §3](02_word_embeddings.ipynb#3.-Skip-gram-(跳字模型))")


def test_every_erratum_row_points_at_a_notebook_section():
    errata = section(markdown(FIFTEEN), "## 1. Errata", "## 2.")
    rows = table_rows(errata)
    assert len(rows) >= 18
    for row in rows:
        assert LINK.search(row), f"an erratum without a link to the section that fixes it: {row[:80]}"
    formulas = section(errata, "### Formulas", "### Architecture")
    for number in ("4.2.1", "4.2.2", "4.5.3", "4.6.1", "4.4.2", "2.3.1"):  # the seed's wrong formulas
        assert f"| §{number} |" in formulas, number


def test_every_reading_list_row_has_a_notebook_link_authors_venue_and_year():
    reading = section(markdown(FIFTEEN), "## 2. The papers", "### The seed's citations")
    rows = table_rows(reading)
    assert len(rows) >= 25
    for row in rows:
        notebook, paper, contribution = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert LINK.search(notebook), row[:80]
        assert re.search(r"\b(19|20)\d\d\b", paper) and ("*" in paper or "report" in paper), paper[:80]
        assert contribution


def test_the_seeds_wrong_citations_are_corrected():
    corrected = section(markdown(FIFTEEN), "### The seed's citations", "## 3.")
    for fact in ("Bengio, Ducharme, Vincent, Jauvin", "Sutskever, Vinyals, Le", "Raffel", "Brown", "Devlin", "NAACL"):
        assert fact in corrected, fact


def test_each_quoted_measurement_is_still_printed_by_its_notebook():
    source = next("".join(c["source"]) for c in cells(FIFTEEN) if c["cell_type"] == "code"
                  and "EVIDENCE = [" in "".join(c["source"]))
    evidence = re.findall(r'\("([^"]+)", "(\d\d_\w+)", "([^"]+)"\)', source)
    assert len(evidence) >= 10
    for erratum, name, start in evidence:
        printed = [line for c in cells(NOTEBOOKS / f"{name}.ipynb") if c["cell_type"] == "code"
                   for o in c.get("outputs", []) for line in "".join(o.get("text", "")).splitlines()]
        assert any(line.startswith(start) for line in printed), f"{erratum}: {name} no longer prints {start!r}"


@pytest.mark.parametrize("name", ["14_challenges.ipynb", "15_further_reading.ipynb"])
def test_headings_are_unique_within_the_notebook(name):
    anchors = [anchor(h) for h in headings(NOTEBOOKS / name)]
    assert len(anchors) == len(set(anchors))
