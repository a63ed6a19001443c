"""Tests of lmtutor.datasets: the splits and token counts notebook 01 prints, ids and windows that
round-trip, each corpus encoding new text exactly as it cut its own (and a checkpoint as its corpus),
and bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# ---------------------------------------------------------------------- the text recipe of a corpus
WORDS = text.Vocab.build([["the", "cat", "sat", "on", "mat", "."]])
CHARS = text.Vocab.build([list("the cat sat.")])
WORD_CODEC = datasets.TextCodec(datasets.TextRecipe("word", lowercase=True), WORDS)
CHAR_CODEC = datasets.TextCodec(datasets.TextRecipe("char", lowercase=True, normalize=False, keep_spaces=True), CHARS)


@pytest.mark.parametrize("name", ["lee_chars", "lee_words", "pd_chars"])
def test_encode_cuts_raw_text_exactly_as_the_corpus_cut_its_own(name):
    from lmtutor import corpora

    data = datasets.lm_corpus(name)
    if name.startswith("lee"):
        raw = corpora.split_sequential(corpora.load_lee(), (0.8, 0.1, 0.1)).valid[:5]
    else:  # People's Daily paragraphs with full-width digits: NFKC must apply, as it did to the corpus
        raw = ["".join(w for w, _ in line) for line in
               corpora.split_sequential(corpora.load_peoples_daily(), (0.8, 0.1, 0.1)).valid[:5]]
    for document, ids in zip(raw, data.ids("valid")[:5]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # validation words unseen in training: <unk>
            assert data.encode(document, add_bos=False) == ids
            assert data.encode(document) == [text.Vocab.bos_id, *ids]
    assert data.decode(data.ids("valid")[0]) == ("" if name != "lee_words" else " ").join(
        t for t in data.vocab.decode(data.ids("valid")[0]))
    assert datasets.lm_corpus("pd_chars").encode("１９９８年") == datasets.lm_corpus("pd_chars").encode("1998年")


def test_a_checkpoints_encoder_is_its_corpus_recipe():
    from lmtutor import checkpoints

    checkpoint = checkpoints.load("lee_chars_lstm")
    corpus = datasets.lm_corpus("lee_chars")
    prompt = "The Prime Minister, John Howard"
    assert checkpoint.recipe == corpus.recipe == datasets.RECIPES["lee_chars"]
    assert checkpoint.encode(prompt) == corpus.encode(prompt)
    assert checkpoint.decode(checkpoint.encode("the cat")) == "the cat"
    assert datasets.codec(checkpoint) == datasets.TextCodec(corpus.recipe, checkpoint.vocab)


def test_a_codec_encodes_text_to_ids_and_decodes_them_back():
    ids = WORD_CODEC.encode("The cat sat.")
    assert ids == [2, WORDS["the"], WORDS["cat"], WORDS["sat"], WORDS["."]]
    assert WORD_CODEC.decode(ids + [text.Vocab.eos_id]) == "the cat sat ."
    chars = CHAR_CODEC.encode("the cat", add_bos=False)
    assert CHARS[" "] in chars and len(chars) == 7  # keep_spaces: " " is a token
    assert CHAR_CODEC.decode(chars) == "the cat"
    no_space = datasets.TextCodec(datasets.TextRecipe("char"), text.Vocab.build([list("猫坐")]))
    assert no_space.decode(no_space.encode("猫 坐")) == "猫坐"


def test_unknown_tokens_become_unk_with_a_warning_naming_them():
    with pytest.warns(UserWarning, match=r"2 token\(s\) not in the vocabulary.*\['dog'\]"):
        ids = WORD_CODEC.encode("the dog sat dog")
    assert ids == [2, WORDS["the"], text.Vocab.unk_id, WORDS["sat"], text.Vocab.unk_id]
    with pytest.warns(UserWarning, match=r"\['z'\]"):
        ids = CHAR_CODEC.encode("The zat")  # lowercased first: "T" is known as "t"
    assert ids.count(text.Vocab.unk_id) == 1
    assert CHAR_CODEC.decode(ids) == "the <unk>at"


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="the cat.", max_size=30))
def test_characters_round_trip(string):
    assert CHAR_CODEC.decode(CHAR_CODEC.encode(string)) == text.normalize(string, form="NFC")


def test_recipe_bad_input_is_named():
    with pytest.raises(ValueError, match="scheme must be one of"):
        datasets.TextRecipe("words")
    with pytest.raises(TypeError, match="string must be str"):  # the argument's name, not "text"
        WORD_CODEC.encode(["the"])
    with pytest.raises(ValueError, match="has no tokens under scheme 'word' and add_bos is False"):
        WORD_CODEC.encode("  ", add_bos=False)
    with pytest.raises(ValueError, match="segmented by hand"):
        datasets.lm_corpus("pd_words").encode("我有一个苹果")
    with pytest.raises(ValueError, match=r"ids\[0\] = 99 is outside the vocabulary"):
        WORD_CODEC.decode([99])
    with pytest.raises(TypeError, match="codec must be an LMCorpus"):
        datasets.codec(WORDS)
    with pytest.raises(ValueError, match="keep_spaces applies to the 'char' scheme only"):
        datasets.TextRecipe("zh_word", keep_spaces=True)
    with pytest.raises(ValueError, match="normalize=False cannot be kept with scheme 'word'"):
        datasets.TextRecipe("word", normalize=False)
    with pytest.raises(TypeError, match="lowercase must be bool"):
        datasets.TextRecipe("char", lowercase="False")
