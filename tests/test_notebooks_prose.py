"""Prose equal to outputs: a number a notebook's text states is a number the notebook printed.

Every decimal (0.473), percentage (8.52%), ratio (155x, 3×) and time (4.4 s, 2 minutes) in a
markdown cell must appear in an output of the same notebook, rounded as the text rounds it (8.52%
matches a printed 0.0852 or 8.52; "1.1 M tokens" matches 1,104,343), or in its code (a setting the
learner sees, such as ``lr = 0.025``). The convention for everything else, kept light:

- numbers inside ``code`` or ``$math$`` are inputs, settings and formulas, not results: not checked
  (a worked example writes its values there: ``softmax([2, 1]) = [0.731, 0.269]``);
- a sentence that cites a paper, "(Kingma and Ba 2015)" or "et al. 2014", may quote its figures;
- a sentence that names a file of the course (``data/README.md``, ``benchmarks/README.md``, a model
  card) may quote a figure from it, and the test checks the figure is in that file;
- section numbers in headings and "§4.7" references are not figures.

Plain integers are not checked: they are counts, sizes and years far more often than results.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
SCALE = {"k": 1e3, "thousand": 1e3, "M": 1e6, "million": 1e6, "billion": 1e9, "B": 1e9}
PATTERNS = (  # (kind, regex with the number as group 1 and an optional scale word as group 2)
    ("percent", re.compile(rf"(?<![\w.])({NUMBER})\s?(%)")),
    ("ratio", re.compile(rf"(?<![\w.])({NUMBER})\s?([x×])(?!\w)")),
    ("time", re.compile(rf"(?<![\w.])({NUMBER})\s?(ms|s|seconds?|min|minutes?|h|hours?)\b")),
    ("decimal", re.compile(rf"(?<![\w.§])(\d+\.\d+)(?:\s?(k|M|B|thousand|million|billion)\b)?(?![\w.]*\d)")),
)
CITATION = re.compile(r"et al\.?,? \(?(?:19|20)\d\d|\b[A-Z][A-Za-z-]+(?:,? (?:and|&) [A-Z][A-Za-z-]+)?,? \(?(?:19|20)\d\d[a-z]?\b")
COURSE_FILE = re.compile(r"\b((?:data|benchmarks|notebooks|lmtutor)/[\w./-]+\.(?:md|json|txt)|README\.md)\b")


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def printed_numbers(cells: list[dict]) -> set[float]:
    """Return every number in the code and outputs (text, plain, HTML, Markdown) of the code cells."""
    found: set[float] = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        texts = [_text(cell["source"])]
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            texts += [_text(output.get("text")), _text(data.get("text/plain")), _text(data.get("text/html")),
                      _text(data.get("text/markdown"))]
        for text in texts:
            found |= numbers_in(text)
    return found


def numbers_in(text: str) -> set[float]:
    """Return the numbers written in ``text`` (1,234.5 and 1.2e-05 included, minus signs dropped)."""
    out = set()
    for match in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?", text):
        try:
            out.add(float(match.group().replace(",", "")))
        except ValueError:
            pass
    return out


def prose(markdown: str) -> str:
    """Return the markdown without code (a course file's name stays), math, link targets and heading numbers."""
    markdown = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    markdown = re.sub(r"`[^`]*`", lambda m: m.group()[1:-1] if COURSE_FILE.fullmatch(m.group()[1:-1]) else " ", markdown)
    markdown = re.sub(r"\$\$.*?\$\$", " ", markdown, flags=re.S)
    markdown = re.sub(r"\$[^$\n]*\$", " ", markdown)
    markdown = re.sub(r"\]\([^)]*\)", "]", markdown)
    markdown = re.sub(r"^#+\s*[\d.]+", "#", markdown, flags=re.M)
    return re.sub(r"§\s?[\d.]+(?:\s?-\s?[\d.]+)?", "§", markdown)


def _matches(value: float, decimals: int, scale: float, percent: bool, pool: set[float]) -> bool:
    targets = [(value * scale, decimals, scale)]
    if percent:
        targets.append((value / 100, decimals + 2, 1.0))
    for target, places, unit in targets:
        for number in pool:
            if abs(round(number / unit, places) - target / unit) < 10 ** -(places + 3):
                return True
    return False


def unbacked_figures(path: Path) -> list[str]:
    """Return each figure of the markdown that no output backs, as 'cell N: "figure" in ...sentence...'."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    pool = printed_numbers(cells)
    problems = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        for sentence in re.split(r"(?<=[.!?。])(?<!\bal\.)(?<!e\.g\.)(?<!i\.e\.)\s+|\n\s*\n|\n\s*[-*|] ", prose(_text(cell["source"]))):
            if CITATION.search(sentence):
                continue
            files = [REPO / f for f in COURSE_FILE.findall(sentence) if (REPO / f).is_file()]
            cited = set().union(*(numbers_in(f.read_text(encoding="utf-8")) for f in files)) if files else set()
            seen: set[int] = set()
            for kind, pattern in PATTERNS:
                for match in pattern.finditer(sentence):
                    if match.start(1) in seen:
                        continue
                    seen.add(match.start(1))
                    written = match.group(1)
                    value = float(written.replace(",", ""))
                    decimals = len(written.split(".")[1]) if "." in written else 0
                    scale = SCALE.get(match.group(2) or "", 1.0) if kind == "decimal" else 1.0
                    if _matches(value, decimals, scale, kind == "percent", pool | cited):
                        continue
                    start = max(0, match.start() - 50)
                    context = " ".join(sentence[start:match.end() + 30].split())
                    problems.append(f"cell {index}: {written!r} ({kind}) in ...{context}...")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_every_figure_in_the_prose_is_printed_cited_or_in_code(path):
    assert unbacked_figures(path) == []


# ------------------------------------------------------------------ the checker finds what it should
def _notebook(tmp_path, markdown: str, printed: str = "", code: str = "") -> Path:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": markdown},
             {"cell_type": "code", "metadata": {}, "source": code, "execution_count": 1,
              "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}]}]
    path = tmp_path / "99_test.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


@pytest.mark.parametrize("markdown, printed", [
    ("The new words are 7% of the validation words.", "OOV rate: 8.52%"),
    ("The new words are 8.6% of the validation words.", "OOV rate: 0.0852"),  # 8.52% rounds to 8.5%
    ("It becomes 1.62 after the update.", "c_t = 1.5821"),
    ("Training takes about 15 seconds.", "4.4 s and 3.8 s"),
    ("The cache is 155x faster.", "speed-up: 32.1x"),
    ("It reads 1.2 M tokens.", "tokens: 1,104,343"),
    ("A ρ of 0.473 for ours.", ""),
])
def test_the_checker_finds_a_figure_no_output_backs(tmp_path, markdown, printed):
    assert len(unbacked_figures(_notebook(tmp_path, markdown, printed))) == 1


@pytest.mark.parametrize("markdown, printed, code", [
    ("The new words are 8.52% of the validation words.", "OOV rate: 0.0852", ""),
    ("The new words are 8.5% of the validation words.", "OOV rate: 8.49%", ""),
    ("It becomes 1.58 after the update.", "c_t = 1.5821", ""),
    ("Training takes 4.4 s.", "took 4.43 s", ""),
    ("The cache is 32x faster.", "speed-up 32.1", ""),
    ("It reads 1.1 M tokens.", "tokens: 1,104,343", ""),
    ("The learning rate 0.025 is word2vec's.", "", "lr = 0.025"),
    ("A worked example: `softmax([2, 1]) = [0.731, 0.269]`.", "", ""),
    ("With $f = \\sigma(1) = 0.73$ the cell fades.", "", ""),
    ("Adam (Kingma and Ba 2015) reached 0.93 on their task.", "", ""),
    ("Dropout improved the error to 1.25% (Srivastava et al. 2014).", "", ""),
    ("### 3.2 Tokens to ids\n\nAs §4.7 shows.", "", ""),
])
def test_the_checker_accepts_printed_coded_and_cited_figures(tmp_path, markdown, printed, code):
    assert unbacked_figures(_notebook(tmp_path, markdown, printed, code)) == []


def test_a_figure_cited_from_a_course_file_must_be_in_that_file(tmp_path):
    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    present = next(m.group() for m in re.finditer(r"\d+\.\d+", readme))
    assert unbacked_figures(_notebook(tmp_path, f"It measured {present} (see data/README.md).")) == []
    absent = "987.654"
    assert absent not in readme
    assert len(unbacked_figures(_notebook(tmp_path, f"It measured {absent} (see data/README.md)."))) == 1
    assert unbacked_figures(_notebook(tmp_path, f"It measured {present} (see `data/README.md`).")) == []
