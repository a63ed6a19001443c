"""The course assistant's FAQ (data/dialogue/faq.json) checked against the repository, so it cannot
drift from the course: every notebook an answer names exists (with the title the README's course map
gives it), every `make` target is in the Makefile, every path and module exists, every quoted figure
(a run time, a version, a duration) is in the README, and the run times the "how long does notebook
N take?" slot answers with are the README's."""

import importlib
import json
import re
from pathlib import Path

import pytest

from lmtutor import dialogue_data

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
MAKEFILE = (REPO / "Makefile").read_text(encoding="utf-8")
REQUIREMENTS = (REPO / "requirements.txt").read_text(encoding="utf-8")
FAQ = dialogue_data.load_faq()
ANSWERS = [(e.id, lang, e.answer[lang]) for e in FAQ.entries for lang in dialogue_data.LANGUAGES]
NOTEBOOK_NUMBER = re.compile(r"(?<![\d.])(\d\d)(?![\d.])(?!\s*(?:s\b|minutes|hours?|GFLOP))")
FIGURES = re.compile(r"\d+ hours? \d+ minutes|Python \d\.\d+|TensorFlow \d\.\d+|Keras \d|\d+ s\b")


def notebook_file(number: str) -> Path | None:
    found = sorted((REPO / "notebooks").glob(f"{number}_*.ipynb"))
    return found[0] if found else None


def course_map_row(number: str) -> str | None:
    return next((line for line in README.splitlines() if line.startswith(f"| {number} |")), None)


@pytest.mark.parametrize(("entry", "lang", "answer"), ANSWERS, ids=[f"{e}-{lang}" for e, lang, _ in ANSWERS])
def test_every_notebook_an_answer_names_exists(entry, lang, answer):
    if not re.search(r"[Nn]otebook|笔记本", answer):
        return
    for number in NOTEBOOK_NUMBER.findall(answer):
        assert notebook_file(number), f"{entry} ({lang}) names notebook {number}, which is not in notebooks/"
        assert number in FAQ.notebooks


@pytest.mark.parametrize(("entry", "lang", "answer"), ANSWERS, ids=[f"{e}-{lang}" for e, lang, _ in ANSWERS])
def test_every_command_path_module_and_figure_of_an_answer_is_real(entry, lang, answer):
    for target in re.findall(r"`make ([a-z-]+)", answer):
        assert re.search(rf"^{target}:", MAKEFILE, re.M), f"{entry}: make {target} is not a Makefile target"
    for number in re.findall(r"`make check NB=(\d\d)`", answer):
        assert notebook_file(number)
    for quoted in re.findall(r"`([^`]+)`", answer):
        if "/" in quoted and not quoted.startswith("make "):
            assert (REPO / quoted).exists() or quoted in README, f"{entry}: {quoted} is neither in the repository nor the README"
        elif re.fullmatch(r"lmtutor(\.\w+)+", quoted):
            importlib.import_module(quoted)
        elif quoted.endswith(".txt") or quoted.endswith(".md"):
            assert (REPO / quoted).is_file()
    for figure in FIGURES.findall(answer):
        assert figure in README or pinned(figure), f"{entry} ({lang}) quotes {figure!r}, which the README does not say"


def pinned(figure: str) -> bool:
    """Return True if ``figure`` is a package and version ("Keras 3") that requirements.txt pins."""
    package, _, version = figure.partition(" ")
    return bool(re.search(rf"^{package.lower()}(?:-cpu)?=={re.escape(version)}[.\s]", REQUIREMENTS, re.M))


def test_the_answers_name_the_commands_they_should():
    named = " ".join(answer for _, _, answer in ANSWERS)
    for target in ("lab", "test", "unit", "check", "student", "models"):
        assert f"`make {target}" in named


@pytest.mark.parametrize("number", sorted(FAQ.notebooks))
def test_notebook_titles_are_the_course_maps(number):
    path = notebook_file(number)
    assert path is not None, f"faq.json names notebook {number}, which does not exist"
    row = course_map_row(number)
    if row is not None:  # the README links each finished notebook under the title the FAQ uses
        assert f"[{FAQ.notebooks[number]['en']}](notebooks/{path.name})" in row
    else:
        heading = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"]).splitlines()[0]
        assert FAQ.notebooks[number]["en"].lower() in heading.lower(), heading


@pytest.mark.parametrize("number", sorted(FAQ.run_times))
def test_run_times_are_the_readmes(number):
    row = course_map_row(number)
    assert row is not None and row.rstrip().endswith(f"| {FAQ.run_times[number]} |"), (
        f"notebook {number}'s run time in faq.json ({FAQ.run_times[number]!r}) is not the README's: {row}")


def test_every_topic_points_at_a_notebook_that_exists():
    for lang, topics in FAQ.topics.items():
        for keyword, number, topic in topics:
            assert keyword == keyword.lower() and topic, (lang, keyword)
            assert number in FAQ.notebooks and notebook_file(number), (lang, keyword, number)


def test_the_course_map_answer_names_every_notebook_with_its_title():
    entry = next(e for e in FAQ.entries if e.id == "course_map")
    for lang in dialogue_data.LANGUAGES:
        answer = entry.answer[lang]
        named = [n for n in NOTEBOOK_NUMBER.findall(answer)]
        assert named == sorted(FAQ.notebooks), (lang, named)  # each once, in order
        for number, title in FAQ.notebooks.items():
            assert f"{number} {title[lang]}" in answer or number == "12", (lang, number)


def test_the_articles_chapter_9_questions_are_answered():
    intents = {e.id: e.intent for e in FAQ.entries}
    for entry in ("what_is_lm", "how_to_train", "challenges"):
        assert intents[entry] == "concept"


def test_the_checker_catches_a_wrong_fact():
    assert NOTEBOOK_NUMBER.findall("notebook 31 and TensorFlow 2.21, 1 hour 40 minutes, 59 s") == ["31"]
    assert not notebook_file("31")
    assert not re.search(r"^nosuchtarget:", MAKEFILE, re.M)
    assert "Python 3.99" not in README
    assert pinned("Keras 3") and pinned("TensorFlow 2.21") and not pinned("Keras 2") and not pinned("TensorFlow 2.2")
