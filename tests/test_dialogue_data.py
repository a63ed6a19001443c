"""Tests for lmtutor.dialogue_data (notebook 12's data): the course FAQ in both languages, held-out
questions that are no training phrasing, chatterbot-corpus read with its checksums and deduplicated,
the data card table equal to the files."""

import json
from pathlib import Path

import pytest

from lmtutor import corpora, dialogue_data, retrieval

REPO = Path(__file__).resolve().parents[1]


def _same(text: str) -> str:
    """``text`` as a comparison of wordings sees it: lower case, no punctuation, single spaces."""
    kept = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text.lower())
    return " ".join(kept.split())


@pytest.fixture(scope="module")
def faq():
    return dialogue_data.load_faq()


def test_the_faq_and_its_held_out_questions(faq):
    assert len(faq.entries) == 27 and len(set(faq.ids)) == 27
    for entry in faq.entries:
        for lang in dialogue_data.LANGUAGES:
            assert entry.question[lang] and entry.answer[lang] and len(entry.phrasings[lang]) >= 8
        if entry.slot:
            assert "{notebook}" in entry.answer["en"] and "{notebook}" in entry.answer["zh"]
    trained = {_same(t) for t in faq.documents(answers=False)[0]}
    # valid: the first two per entry and language + the first two test sets, less 5 repeated word for word by the
    # third and 1 equal to a FAQ question
    for split, per_language, outside_per_language in (("valid", (5, 6), (42, 45)), ("test", (2, 2), (15, 15))):
        questions = dialogue_data.load_questions(split)
        held = [q for q in questions if q.entry is not None]
        assert {q.entry for q in held} == set(faq.ids)
        for entry in faq.ids:
            for lang in dialogue_data.LANGUAGES:
                assert per_language[0] <= sum(q.lang == lang for q in held if q.entry == entry) <= per_language[1]
        for lang in dialogue_data.LANGUAGES:
            assert outside_per_language[0] <= sum(q.entry is None and q.lang == lang for q in questions) <= outside_per_language[1]
        # punctuation and case ignored: "What is nucleus sampling?" is the phrasing "what is nucleus sampling"
        assert not [q.text for q in questions if _same(q.text) in trained], "a held-out question is a training phrasing"
        assert all(retrieval.language(q.text) == q.lang for q in questions)
    valid, test = (dialogue_data.load_questions(s) for s in ("valid", "test"))
    assert not {q.text for q in valid} & {q.text for q in test}
    assert sum(q.entry is not None for q in valid) == 27 * 2 * 6 - 3 and sum(q.entry is None for q in valid) == 90 - 3


def test_the_out_of_scope_training_questions_are_apart_from_the_held_out_ones(faq):
    outside = dialogue_data.load_questions("train")
    assert sorted(q.lang for q in outside) == ["en"] * 99 + ["zh"] * 99
    assert all(q.entry is None and retrieval.language(q.text) == q.lang for q in outside)
    held = dialogue_data.load_questions("valid") + dialogue_data.load_questions("test")
    trained = {_same(t) for t in faq.documents(answers=False)[0]}
    for q in outside:
        assert _same(q.text) not in trained | {_same(h.text) for h in held}
        mine = set(retrieval.features(q.text))
        for h in held:  # no near-copy: at most a third of the two questions' features shared
            theirs = set(retrieval.features(h.text))
            assert len(mine & theirs) <= len(mine | theirs) / 3, (q.text, h.text)


def test_chatterbot_files_are_read_with_their_checksums_and_deduplicated():
    assert set(dialogue_data.CORPORA) == {f"chatterbot_{lang}_{name}" for lang in ("en", "ch")
                                     for name in ("greetings", "conversations", "emotion")}
    for name, card in dialogue_data.CORPORA.items():
        path = dialogue_data.corpus_path(name)
        assert corpora._sha256(path) == card.sha256 and "BSD" in card.license
    english, every = dialogue_data.load_chitchat("en"), dialogue_data.load_chitchat("en", dedupe=False)
    assert (len(every), len(english)) == (338, 335) and len(set(english)) == len(english)
    assert set(english) == set(every) and english[0] == every[0]
    assert len(dialogue_data.load_chitchat("zh")) == 168
    assert ("Hi", "Hello") in english and ("嗨", "你好") in dialogue_data.load_chitchat("zh")


def test_a_chatterbot_file_that_changed_is_refused(monkeypatch):
    card = dialogue_data.CORPORA["chatterbot_en_greetings"]
    monkeypatch.setitem(dialogue_data.CORPORA, card.name, corpora.CorpusCard(
        card.name, card.package, card.path, card.license, "0" * 64, card.description))
    with pytest.raises(ValueError, match="sha256|SHA-256|checksum"):
        dialogue_data.corpus_path("chatterbot_en_greetings")
    assert dialogue_data.corpus_path("chatterbot_en_greetings", verify=False).is_file()


def test_data_files_are_the_ones_the_loaders_read(tmp_path):
    for name in ("faq.json", "heldout.json", "out_of_scope.json", "out_of_scope_train.json"):
        (tmp_path / name).write_text((REPO / "data" / "dialogue" / name).read_text(encoding="utf-8"), encoding="utf-8")
    assert dialogue_data.load_faq(tmp_path) == dialogue_data.load_faq()
    for split in ("train", "valid", "test"):
        assert dialogue_data.load_questions(split, tmp_path) == dialogue_data.load_questions(split)
    with pytest.raises(FileNotFoundError, match="data/dialogue"):
        dialogue_data.load_faq(tmp_path / "nowhere")


def test_with_phrasings_keeps_the_first_ones(faq):
    one = dialogue_data.with_phrasings(faq, 1)
    assert all(len(e.phrasings[lang]) == 1 and e.phrasings[lang][0] == f.phrasings[lang][0]
               for e, f in zip(one.entries, faq.entries) for lang in dialogue_data.LANGUAGES)
    assert dialogue_data.with_phrasings(faq, None) is faq and len(faq.entries[0].phrasings["en"]) > 1


def test_faq_json_is_plain_json_with_both_languages():
    raw = json.loads((REPO / "data" / "dialogue" / "faq.json").read_text(encoding="utf-8"))
    assert set(raw) == {"description", "entries", "topics", "notebooks", "run_times"}
    assert set(raw["topics"]) == {"en", "zh"} and all(len(t) == 3 for lang in raw["topics"].values() for t in lang)


def test_the_data_readme_table_matches_the_cards_and_the_files():
    rows = {}
    for line in (REPO / "data" / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        if line.startswith("| chatterbot_"):
            rows[cells[0]] = cells
    assert set(rows) == set(dialogue_data.CORPORA)
    for name, (_, package, path, size, digest) in rows.items():
        card = dialogue_data.CORPORA[name]
        assert (package, path, digest) == (card.package, card.path, card.sha256)
        assert int(size.replace(",", "")) == dialogue_data.corpus_path(name).stat().st_size


def test_notebook_12s_example_of_a_paraphrase_with_no_shared_feature_shares_none(faq):
    # the notebook says no bag of features can match it: true only while no FAQ text has one of its features
    example = "What gear must my PC have?"
    assert example in (REPO / "notebooks" / "12_dialogue.ipynb").read_text(encoding="utf-8")
    known = {f for text in faq.documents()[0] for f in retrieval.features(text)}
    assert retrieval.features(example) and not set(retrieval.features(example)) & known
    assert set(retrieval.features("Do I need CUDA?")) <= known  # the example it replaced: the FAQ learned it
