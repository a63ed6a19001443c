"""Tests for lmtutor.text: tokenizers, Vocab and language-model windows."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lmtutor import text
from lmtutor.text import SPECIALS, Vocab, lm_windows, normalize, tokenize

SEED_EXAMPLE = "我有一个苹果。我有两个苹果。"

token_st = st.text(alphabet=st.characters(categories=("L", "N", "P")), min_size=1, max_size=6)


# --- normalisation and tokenizers -------------------------------------------------------------

def test_normalize_folds_full_width_and_whitespace():
    assert normalize("  １９９８年\t\n ＡＢＣ  ") == "1998年 ABC"
    assert normalize("Hello  World", lowercase=True) == "hello world"
    assert normalize("１９９８", form="NFC") == "１９９８"


def test_word_tokenizer_keeps_contractions_and_splits_punctuation():
    assert text.tokenize_words("Don't stop, O'Brien! Forty-two.") == [
        "don't", "stop", ",", "o'brien", "!", "forty-two", ".",
    ]
    assert text.tokenize_words("The Cat", lowercase=False) == ["The", "Cat"]


def test_split_fails_on_chinese_but_chars_and_jieba_do_not():
    # The seed tokenized Chinese with str.split(): a whole sentence is one "word".
    assert SEED_EXAMPLE.split() == [SEED_EXAMPLE]
    assert tokenize(SEED_EXAMPLE, "char") == list("我有一个苹果。我有两个苹果。")
    words = tokenize(SEED_EXAMPLE, "zh_word")
    assert "苹果" in words and "".join(words) == SEED_EXAMPLE
    assert tokenize("人工智能是一种重要的技术。", "zh_word")[:2] == ["人工智能", "是"]


def test_jieba_is_quiet(capfd):
    text._jieba_tokenizer.cache_clear()
    tokenize("我们在学习语言模型", "zh_word")
    captured = capfd.readouterr()
    assert "Building prefix dict" not in captured.err + captured.out


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_char_tokens_rebuild_the_text_without_whitespace(sample):
    chars = text.tokenize_chars(sample)
    assert all(len(c) == 1 and not c.isspace() for c in chars)
    assert "".join(chars) == "".join(normalize(sample, form="NFC").split())


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_word_tokens_have_no_whitespace_and_cover_visible_text(sample):
    tokens = text.tokenize_words(sample, lowercase=False)
    assert all(t and not any(c.isspace() for c in t) for t in tokens)
    assert "".join(tokens) == "".join(normalize(sample).split())


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["a"]])
def test_tokenizers_reject_non_strings(bad):
    with pytest.raises(TypeError, match="text must be str"):
        tokenize(bad, "char")


def test_unknown_scheme_names_the_argument():
    with pytest.raises(ValueError, match="scheme must be one of"):
        tokenize("abc", "bpe")


# --- Vocab ------------------------------------------------------------------------------------

def test_vocab_specials_come_first_and_order_is_by_frequency_then_alphabet():
    vocab = Vocab.build([["b", "a", "c", "a"], ["b", "a"]])
    assert vocab.itos[:4] == list(SPECIALS)
    assert (vocab.pad_id, vocab.unk_id, vocab.bos_id, vocab.eos_id) == (0, 1, 2, 3)
    assert vocab.itos[4:] == ["a", "b", "c"]  # a:3, b:2, c:1
    assert vocab.counts == {"a": 3, "b": 2, "c": 1}


def test_vocab_min_freq_and_max_size():
    corpus = list("aaaabbbccd")
    assert Vocab.build(corpus, min_freq=2).itos[4:] == ["a", "b", "c"]
    assert Vocab.build(corpus, max_size=6).itos[4:] == ["a", "b"]
    assert len(Vocab.build(corpus, max_size=4)) == 4


def test_encode_maps_unknowns_to_unk_and_strict_raises():
    vocab = Vocab.build(["我", "有", "苹果"])
    ids = vocab.encode(["我", "有", "香蕉"], add_bos=True, add_eos=True)
    assert ids == [vocab.bos_id, vocab["我"], vocab["有"], vocab.unk_id, vocab.eos_id]
    with pytest.raises(ValueError, match="tokens contains 1 unknown"):
        vocab.encode(["香蕉"], strict=True)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.lookup("香蕉")


@given(st.lists(st.lists(token_st, min_size=1, max_size=8), min_size=1, max_size=6))
@settings(max_examples=150, deadline=None)
def test_encode_decode_round_trip(corpus):
    vocab = Vocab.build(corpus)
    for sentence in corpus:
        ids = vocab.encode(sentence, add_bos=True, add_eos=True)
        assert vocab.decode(ids, skip_specials=True) == sentence
        assert vocab.decode(ids)[0] == "<bos>" and vocab.decode(ids)[-1] == "<eos>"


def test_decode_accepts_numpy_and_rejects_out_of_range():
    vocab = Vocab.build(["a", "b"])
    assert vocab.decode(np.array([4, 5])) == ["a", "b"]
    with pytest.raises(ValueError, match=r"ids\[1\] = 99 is outside"):
        vocab.decode([4, 99])
    with pytest.raises(TypeError, match=r"ids\[0\] must be an int"):
        vocab.decode([1.5])
    with pytest.raises(TypeError, match="ids must be a sequence of ints"):
        vocab.decode("ab")


def test_save_load_round_trip(tmp_path):
    vocab = Vocab.build([tokenize(SEED_EXAMPLE, "zh_word")], min_freq=1)
    path = vocab.save(tmp_path / "vocab.json")
    assert "苹果" in path.read_text(encoding="utf-8")  # readable UTF-8, not \\u escapes
    assert Vocab.load(path) == vocab
    (tmp_path / "other.json").write_text(json.dumps({"tokens": []}))
    with pytest.raises(ValueError, match="does not hold a vocabulary"):
        Vocab.load(tmp_path / "other.json")


def test_oov_rate_counts_occurrences():
    vocab = Vocab.build(["a", "b"])
    assert vocab.oov_rate(["a", "x", "x", "b"]) == 0.5
    with pytest.raises(ValueError, match="tokens must not be empty"):
        vocab.oov_rate([])


@pytest.mark.parametrize(
    "corpus, kwargs, error, pattern",
    [
        ([], {}, ValueError, "corpus is empty"),
        ("a b c", {}, TypeError, "got a str"),
        ([["a", 1]], {}, TypeError, r"corpus\[0\]\[1\] must be a str"),
        (["a"], {"min_freq": 0}, ValueError, "min_freq must be >= 1"),
        (["a"], {"max_size": 2}, ValueError, "max_size must be >= 4"),
        (["a"], {"min_freq": 1.5}, TypeError, "min_freq must be an int"),
    ],
)
def test_vocab_build_bad_input(corpus, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        Vocab.build(corpus, **kwargs)


def test_vocab_constructor_rejects_missing_specials_and_duplicates():
    with pytest.raises(ValueError, match="must start with the special tokens"):
        Vocab(["a", "b"])
    with pytest.raises(ValueError, match="repeated"):
        Vocab(list(SPECIALS) + ["a", "a"])


# --- language-model windows -------------------------------------------------------------------

def test_lm_windows_targets_are_the_next_token():
    inputs, targets = lm_windows(list(range(10)), 4)
    assert inputs.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert targets.tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]
    inputs, targets = lm_windows(np.arange(6), 2, stride=1)
    assert inputs.shape == targets.shape == (4, 2)


@given(st.lists(st.integers(0, 50), min_size=2, max_size=60), st.integers(1, 10), st.integers(1, 5))
@settings(max_examples=200, deadline=None)
def test_lm_windows_shift_by_one_property(ids, seq_len, stride):
    if len(ids) < seq_len + 1:
        with pytest.raises(ValueError, match="need at least"):
            lm_windows(ids, seq_len, stride=stride)
        return
    inputs, targets = lm_windows(ids, seq_len, stride=stride)
    assert inputs.shape == targets.shape == (len(range(0, len(ids) - seq_len, stride)), seq_len)
    np.testing.assert_array_equal(inputs[:, 1:], targets[:, :-1])
    for w, start in enumerate(range(0, len(ids) - seq_len, stride)):
        assert targets[w, -1] == ids[start + seq_len]


@pytest.mark.parametrize(
    "ids, seq_len, kwargs, error, pattern",
    [
        ([1, 2, 3], 0, {}, ValueError, "seq_len must be >= 1"),
        ([1, 2, 3], 3, {}, ValueError, "ids has 3 tokens"),
        ([1, 2, 3], 1, {"stride": 0}, ValueError, "stride must be >= 1"),
        ("abc", 1, {}, TypeError, "encode the tokens first"),
        ([[1, 2], [3, 4]], 1, {}, TypeError, "1-D sequence of ints"),
        ([0.5, 1.5, 2.5], 1, {}, TypeError, "1-D sequence of ints"),
    ],
)
def test_lm_windows_bad_input(ids, seq_len, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        lm_windows(ids, seq_len, **kwargs)


# --- segmentation scores ----------------------------------------------------------------------

def test_segmentation_f1_by_hand():
    gold = ["我", "有", "一个", "苹果", "。"]
    assert text.segmentation_f1(gold, gold) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    # predicted 我有|一|个|苹果|。 : correct spans 苹果 and 。 -> P = 2/5, R = 2/5
    scores = text.segmentation_f1(gold, ["我有", "一", "个", "苹果", "。"])
    assert scores["precision"] == pytest.approx(2 / 5) and scores["recall"] == pytest.approx(2 / 5)
    assert scores["f1"] == pytest.approx(2 / 5)
    # one long word: no span matches
    assert text.segmentation_f1(gold, ["我有一个苹果。"])["f1"] == 0.0


def test_segmentation_f1_rejects_different_texts():
    with pytest.raises(ValueError, match="same text"):
        text.segmentation_f1(["我", "有"], ["我", "没"])
    with pytest.raises(ValueError, match="gold must not be empty"):
        text.segmentation_f1([], ["我"])


def test_segmenting_chinese_prints_no_pkg_resources_warning():
    """jieba imports pkg_resources; with a new setuptools that warns, and the warning must not reach notebooks."""
    import subprocess
    import sys

    code = "import warnings; warnings.simplefilter('default'); from lmtutor import text; print(text.tokenize('我有一个苹果', 'zh_word'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "苹果" in out.stdout
    assert "pkg_resources" not in out.stderr
