"""Tests of lmtutor.seq2seq: the translation codec (teacher forcing), the Keras encoder-decoders
with and without attention (shapes, seeds, masks, attention weights), training through lm.train,
and bad input. Decoding (NumPy steps, greedy, beam): tests/test_translate.py."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lmtutor import datasets, lm, seq2seq, translation_data  # noqa: E402
from lmtutor.text import Vocab  # noqa: E402

PAIRS = [("I have 3 apples.", "我有三个苹果。"), ("Do you have two books?", "你有两本书吗？"),
         ("Today is 3 May 1998.", "今天是1998年5月3日。"), ("We saw twelve cats.", "我们看见了十二只猫。")]
KINDS = [None, "multiplicative", "additive"]


@pytest.fixture(scope="module")
def codec():
    return seq2seq.TranslationCodec.build(PAIRS)


def small(codec, attention="multiplicative", seed=0):
    return seq2seq.build_seq2seq(seq2seq.Seq2SeqConfig(codec.source_size, codec.target_size, attention=attention,
                                                       embedding_dim=6, hidden_size=8, seed=seed))


# ------------------------------------------------------------------------------------ codec
def test_english_is_lowercased_words_with_digits_split_and_chinese_is_characters(codec):
    assert codec.source.tokens("Today is 3 May 1998.") == ["today", "is", "3", "may", "1", "9", "9", "8", "."]
    assert codec.target.tokens("你有两本书吗？") == list("你有两本书吗？")  # full-width ？ kept (no NFKC)
    assert codec.target.decode(codec.target.encode("我有三个苹果。")) == "我有三个苹果。"
    whole = seq2seq.TranslationCodec.build(PAIRS, split_digits=False)
    assert "1998" in whole.source.vocab and "1998" not in codec.source.vocab
    chars = seq2seq.TranslationCodec.build(PAIRS, source_scheme="char")
    assert chars.source.tokens("I 3.") == ["i", " ", "3", "."]


def test_teacher_forcing_shifts_the_target_right_behind_bos(codec):
    (source, inputs), targets = codec.teacher_forcing(PAIRS)
    assert source.shape == (4, 9) and inputs.shape == targets.shape == (4, 14)
    for row, (english, chinese) in enumerate(PAIRS):
        ids = codec.target.encode(chinese, add_bos=False)
        n = len(ids)
        assert inputs[row, 0] == Vocab.bos_id and inputs[row, 1:n + 1].tolist() == ids
        assert targets[row, :n].tolist() == ids and targets[row, n] == Vocab.eos_id
        assert not inputs[row, n + 1:].any() and not targets[row, n + 1:].any()  # <pad> = 0 after
        assert inputs[row, 1:n + 1].tolist() == targets[row, :n].tolist()  # input t+1 = target t
        assert source[row].tolist()[:len(codec.source.tokens(english))] == codec.source.encode(english, add_bos=False)


def test_unknown_words_become_unk_with_a_warning(codec):
    with pytest.warns(UserWarning, match="zebras"):
        ids = codec.encode_source(["I have 3 zebras."])
    assert Vocab.unk_id in ids[0].tolist()


@pytest.mark.filterwarnings("ignore:text has")  # 200 training pairs may miss a word of the test pairs
def test_the_task_pairs_build_a_codec():
    task = translation_data.number_task(train_size=200, valid_size=10, test_size=10, longer_size=10)
    codec = seq2seq.TranslationCodec.build(task.train)
    (source, _), targets = codec.teacher_forcing(task.test)
    assert len(source) == len(targets) == 10 and set("0123456789") <= set(codec.source.vocab.itos)


def test_codecs_from_recipes_go_either_way_and_keep_what_their_recipes_keep():
    pairs = [("我有两个苹果。", "I have two apples."), ("你好！", "Hello!")]
    english = datasets.TextRecipe("char", normalize=False, keep_spaces=True)
    codec = seq2seq.TranslationCodec.from_recipes(pairs, datasets.TextRecipe("char"), english)
    (source, _), targets = codec.teacher_forcing(pairs[:1])
    assert codec.source.vocab.itos[source[0, 0]] == "我" and " " in codec.target.vocab.itos
    assert "".join(codec.target.vocab.itos[i] for i in targets[0][:-1]) == "I have two apples."
    assert codec.target.vocab.itos[targets[0][-1]] == "<eos>"
    plain = seq2seq.TranslationCodec.from_recipes(pairs, datasets.TextRecipe("char"), datasets.TextRecipe("char"))
    assert " " not in plain.target.vocab.itos  # the default character recipe drops spaces


# ------------------------------------------------------------------------------------ models
@pytest.mark.parametrize("attention", KINDS)
def test_the_model_maps_source_and_shifted_target_to_logits(codec, attention):
    model = small(codec, attention)
    (source, inputs), targets = codec.teacher_forcing(PAIRS)
    logits = np.asarray(model.predict_on_batch([source, inputs]))
    assert logits.shape == (4, 14, codec.target_size)
    names = [layer.name for layer in model.layers]
    assert {"source_embedding", "target_embedding", "encoder", "decoder", "logits"} <= set(names)
    assert ("attention" in names) == (attention is not None)
    assert lm.input_sizes(model) == [codec.source_size, codec.target_size]


def test_the_same_seed_builds_the_same_model_and_another_seed_another(codec):
    first, again, other = small(codec, seed=3), small(codec, seed=3), small(codec, seed=4)
    for a, b, c in zip(first.get_weights(), again.get_weights(), other.get_weights()):
        assert np.array_equal(a, b)
    assert not all(np.array_equal(a, c) for a, c in zip(first.get_weights(), other.get_weights()) if a.size > 1)


def test_padding_changes_neither_the_logits_nor_the_loss(codec):
    model = small(codec, "additive")
    (source, inputs), targets = codec.teacher_forcing(PAIRS[:1])
    wide = [np.pad(a, ((0, 0), (0, 5))) for a in (source, inputs, targets)]
    narrow_logits = np.asarray(model.predict_on_batch([source, inputs]))
    wide_logits = np.asarray(model.predict_on_batch(wide[:2]))
    assert np.allclose(narrow_logits, wide_logits[:, :inputs.shape[1]], atol=1e-5)
    assert model.evaluate([source, inputs], targets, verbose=0) == pytest.approx(
        model.evaluate(wide[:2], wide[2], verbose=0), rel=1e-5)


@pytest.mark.parametrize("attention", KINDS[1:])
def test_attention_weights_sum_to_one_over_the_real_source_positions(codec, attention):
    model = small(codec, attention)
    (source, inputs), _ = codec.teacher_forcing(PAIRS)
    weights = seq2seq.attention_weights(model, source, inputs)  # (B, T, S)
    assert weights.shape == inputs.shape + (source.shape[1],)
    assert np.allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
    assert np.all(weights[source[:, None, :].repeat(inputs.shape[1], 1) == 0] < 1e-6)  # <pad> gets nothing
    alone = seq2seq.attention_weights(model, source[:1, :int((source[0] > 0).sum())], inputs[:1])
    assert np.allclose(alone[0], weights[0, :, :alone.shape[2]], atol=1e-5)


def test_training_through_lm_train_lowers_the_loss(codec):
    model = small(codec)
    history = lm.train(model, codec.teacher_forcing(PAIRS), epochs=5, batch_size=2, verbose=False)
    assert history["loss"][-1] < history["loss"][0]


@pytest.mark.slow
def test_the_attention_model_learns_a_slice_of_the_task_in_seconds():
    from lmtutor import translate, translation_metrics

    task = translation_data.number_task(train_size=3000, test_size=100, max_digits=3, date_fraction=0.0, seed=1)
    codec = seq2seq.TranslationCodec.build(task.train)
    model = seq2seq.build_seq2seq(seq2seq.Seq2SeqConfig(codec.source_size, codec.target_size, hidden_size=64,
                                                        embedding_dim=32, learning_rate=0.01))
    lm.train(model, codec.teacher_forcing(task.train), epochs=16, batch_size=64, verbose=False)  # ~750 updates
    hypotheses = translate.Translator(model, codec).translate([pair.english for pair in task.test])
    assert translation_metrics.exact_match(hypotheses, [pair.chinese for pair in task.test]) >= 0.9


# --------------------------------------------------------------------------------- bad input
def test_bad_input_names_the_argument(codec):
    with pytest.raises(TypeError, match="pairs"):
        seq2seq.TranslationCodec.build("I have 3 apples.")
    with pytest.raises(TypeError, match=r"pairs\[1\]"):
        seq2seq.TranslationCodec.build([PAIRS[0], ("only english",)])
    with pytest.raises(ValueError, match="source_scheme"):
        seq2seq.TranslationCodec.build(PAIRS, source_scheme="zh_word")
    with pytest.raises(TypeError, match="sentences"):
        codec.encode_source("I have 3 apples.")
    with pytest.raises(ValueError, match=r"sentences\[1\] is empty"):
        codec.encode_source(["I have 3 apples.", "  "])
    with pytest.raises(ValueError, match="attention"):
        seq2seq.Seq2SeqConfig(10, 10, attention="dot")
    with pytest.raises(ValueError, match="hidden_size"):
        seq2seq.Seq2SeqConfig(10, 10, hidden_size=0)
    with pytest.raises(ValueError, match="decay_steps"):
        seq2seq.Seq2SeqConfig(10, 10, decay_steps=-1)
    with pytest.raises(TypeError, match="config"):
        seq2seq.build_seq2seq({"source_size": 10})
    model = small(codec)
    (source, inputs), targets = codec.teacher_forcing(PAIRS)
    with pytest.raises(TypeError, match="train_data inputs must be a tuple of 2"):
        lm.train(model, (source, targets), verbose=False)
    with pytest.raises(ValueError, match=r"train_data inputs\[0\]"):
        lm.train(model, ((source + codec.source_size, inputs), targets), verbose=False)
    with pytest.raises(ValueError, match="no attention layer"):
        seq2seq.attention_weights(small(codec, None), source, inputs)
    with pytest.raises(ValueError, match="same batch"):
        seq2seq.attention_weights(model, source, inputs[:2])
