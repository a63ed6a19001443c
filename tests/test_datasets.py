"""Tests of lmtutor.datasets: the splits and token counts notebook 01 prints, ids and windows that
round-trip, the Kneser-Ney baseline it reports, and bad input."""

import numpy as np
import pytest

from lmtutor import datasets, ngram, text

# Printed by notebooks/01_text_and_tokens.ipynb (checked by nbval there): documents per split and
# tokens, and the vocabulary size of its best Kneser-Ney model (min_freq=2, special tokens included).
NOTEBOOK_01 = {
    "lee_chars": ((234, 30, 29), (279_565, 40_811, 31_408), 57),
    "lee_words": ((234, 30, 29), (51_870, 7_488, 5_855), 3_502),
    "pd_chars": ((15_203, 1_901, 1_900), (1_492_478, 176_892, 170_804), 3_996),
}


@pytest.mark.parametrize("name", sorted(NOTEBOOK_01))
def test_corpus_matches_notebook_01(name):
    documents, tokens, vocab_size = NOTEBOOK_01[name]
    data = datasets.lm_corpus(name)
    assert tuple(len(data.split(s)) for s in datasets.SPLITS) == documents
    assert tuple(sum(map(len, data.split(s))) for s in datasets.SPLITS) == tokens
    assert len(data.vocab) == vocab_size
    assert data.vocab == text.Vocab.build(data.train, min_freq=2)


def test_pd_words_are_the_gold_segmentation():
    data = datasets.lm_corpus("pd_words")
    assert len(data.train) == 15_203
    assert sum(map(len, data.train)) == 906_818  # "PD words" training tokens in notebook 01
    assert data.valid[0][:6] == ["事业", "发展", "的", "核心", "是", "人才"]  # as notebook 01 prints it


def test_pd_jieba_segments_with_jieba_and_caps_the_vocabulary():
    data = datasets.lm_corpus("pd_jieba")
    assert len(data.vocab) == 8_004 and len(data.train) == 15_203  # 苹果 (11 times) is word 7,188
    assert text.tokenize(text.normalize("我有一个苹果。"), "zh_word") == ["我", "有", "一个", "苹果", "。"]
    assert all(token in data.vocab for token in ["我", "有", "一个", "苹果", "。"])
    kn = ngram.kn_baseline("pd_jieba", n=2)
    assert kn.vocab == data.vocab and ngram.kn_baseline("pd_jieba").n == 3


def test_lee_chars_keep_spaces_and_lowercase():
    doc = datasets.lm_corpus("lee_chars").train[0]
    assert " " in doc and not any(ch.isupper() for ch in doc)
    assert "".join(doc).startswith("hundreds of people have been forced")


def test_ids_stream_and_windows_round_trip():
    data = datasets.lm_corpus("lee_chars")
    ids = data.ids("valid")
    assert [data.vocab.decode(doc) for doc in ids[:3]] == [
        [t if t in data.vocab else "<unk>" for t in doc] for doc in data.valid[:3]]
    stream = data.stream("valid")
    assert stream.dtype == np.int32 and stream[0] == text.Vocab.bos_id
    assert len(stream) == sum(len(doc) + 2 for doc in ids)
    inputs, targets = data.windows(50, "valid")
    assert inputs.shape == targets.shape and inputs.shape[1] == 50 and inputs.dtype == np.int32
    assert np.array_equal(inputs[0, 1:], targets[0, :-1]) and np.array_equal(inputs.ravel()[:500], stream[:500])


def test_corpus_is_built_once():
    assert datasets.lm_corpus("lee_words") is datasets.lm_corpus("lee_words")


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="name must be one of"):
        datasets.lm_corpus("wiki")
    with pytest.raises(ValueError, match="split must be one of"):
        datasets.lm_corpus("lee_chars").ids("dev")
    with pytest.raises(ValueError, match="seq_len must be >= 1"):
        datasets.lm_corpus("lee_chars").windows(0)
