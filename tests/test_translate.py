"""Tests of lmtutor.translate: the NumPy decoder equal to the Keras model (logits and attention),
greedy decoding equal to beam search of width 1 (the course's one beam search, generate.beam_search),
hypotheses ranked by log-probability, and bad input."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lmtutor import generate, seq2seq, translate  # noqa: E402
from lmtutor.text import Vocab  # noqa: E402

from test_seq2seq import KINDS, PAIRS, codec  # noqa: E402,F401  (the same pairs, kinds and codec fixture)


@pytest.fixture(scope="module", params=KINDS)
def translator(request, codec):
    config = seq2seq.Seq2SeqConfig(codec.source_size, codec.target_size, attention=request.param,
                                   embedding_dim=6, hidden_size=8, seed=1)
    model = seq2seq.build_seq2seq(config)
    # random weights of a larger scale than the initializers' so the outputs differ between tokens
    rng = np.random.default_rng(0)
    model.set_weights([w + rng.normal(0, 0.5, w.shape).astype(w.dtype) for w in model.get_weights()])
    return translate.Translator(model, codec)


def test_numpy_steps_give_the_keras_models_logits(translator):
    stepper = translator.stepper("Today is 3 May 1998.")
    assert isinstance(stepper, generate.StepModel)
    ids = [Vocab.bos_id] + translator.codec.target.encode("今天是1998年", add_bos=False)
    expected = stepper.full_logits(ids)  # (T, target_size), Keras
    logits, state = stepper.start(ids[:1])
    rows = [logits]
    for token in ids[1:]:
        logits, state = stepper.step(state, token)
        rows.append(logits)
    assert np.max(np.abs(np.array(rows) - expected)) < 1e-4


def test_numpy_attention_weights_equal_the_keras_layers(translator):
    if translator.kind is None:
        pytest.skip("no attention")
    weights, source_tokens, target_tokens = translator.attention("Today is 3 May 1998.", "今天是1998年5月3日。")
    assert weights.shape == (len(target_tokens), len(source_tokens)) == (14, 9)
    assert target_tokens[-1] == "<eos>" and source_tokens[-1] == "."
    assert np.allclose(weights.sum(axis=1), 1.0)
    codec = translator.codec
    (source, inputs), _ = codec.teacher_forcing([("Today is 3 May 1998.", "今天是1998年5月3日。")])
    keras_weights = seq2seq.attention_weights(translator.model, source, inputs)[0]
    assert np.max(np.abs(weights - keras_weights)) < 1e-4


def test_greedy_translation_equals_beam_search_of_width_one(translator):
    sentences = [english for english, _ in PAIRS]
    greedy = translator.translate(sentences, max_length=12)
    assert greedy == translator.translate(sentences, beam_width=1, max_length=12)  # same call, batched
    for sentence, chinese in zip(sentences, greedy):
        stepper = translator.stepper(sentence)
        best = generate.beam_search(stepper, [Vocab.bos_id], beam_width=1, max_tokens=12)[0]
        assert translator.codec.target.decode(list(best.ids)) == chinese
        assert len(translator.codec.target.tokens(chinese)) <= 12


def test_beam_hypotheses_come_best_first_with_their_log_probability(translator):
    sentence = "We saw twelve cats."
    hypotheses = translator.beam(sentence, beam_width=3, max_length=6)
    assert 1 <= len(hypotheses) <= 3
    log_probs = [log_prob for _, log_prob in hypotheses]
    assert log_probs == sorted(log_probs, reverse=True)
    assert translator.translate([sentence], beam_width=3, max_length=6) == [hypotheses[0][0]]
    stepper = translator.stepper(sentence)
    found = generate.beam_search(stepper, [Vocab.bos_id], beam_width=3, max_tokens=6)
    assert [(translator.codec.target.decode(list(h.ids)), h.log_prob) for h in found] == hypotheses
    best = found[0]  # ln P(Y | x) by hand: Σ_t log-softmax over all but <pad> and <bos>
    ids = list(best.ids) + ([Vocab.eos_id] if best.finished else [])
    logits, state, total = *stepper.start([Vocab.bos_id]), 0.0
    for token in ids:
        logits = np.array(logits)
        logits[list(translate.BANNED)] = -np.inf
        total += logits[token] - np.log(np.exp(logits - logits.max()).sum()) - logits.max()
        logits, state = stepper.step(state, token)
    assert total == pytest.approx(best.log_prob, abs=1e-9)


def test_unknown_words_and_long_numbers_translate_through_an_explicit_unk(translator):
    with pytest.warns(UserWarning, match="zebras"):
        out = translator.translate(["I have 3 zebras.", "I have 13981398139813 apples."], max_length=8)
    assert len(out) == 2 and all(isinstance(chinese, str) and len(chinese) <= 8 for chinese in out)
    if translator.kind is not None:
        with pytest.warns(UserWarning, match="zebras"):
            weights, source_tokens, _ = translator.attention("I have 3 zebras.", "我有")
        assert "<unk>" in source_tokens and weights.shape == (3, len(source_tokens))


def test_bad_input_names_the_argument(translator, codec):
    with pytest.raises(TypeError, match="sentences"):
        translator.translate("I have 3 apples.")
    with pytest.raises(ValueError, match=r"sentences\[0\] is empty"):
        translator.translate([""])
    with pytest.raises(ValueError, match="beam_width"):
        translator.translate(["I have 3 apples."], beam_width=0)
    with pytest.raises(ValueError, match="max_length"):
        translator.translate(["I have 3 apples."], max_length=0)
    with pytest.raises(TypeError, match="codec"):
        translate.Translator(translator.model, codec.source)
    other = seq2seq.TranslationCodec.build(PAIRS[:2])
    with pytest.raises(ValueError, match="codec has vocabularies"):
        translate.Translator(translator.model, other)
    with pytest.raises(ValueError, match="build_seq2seq"):
        translate.Translator(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]), codec)
    if translator.kind is None:
        with pytest.raises(ValueError, match="no attention"):
            translator.attention("I have 3 apples.")
    else:
        with pytest.raises(TypeError, match="translation"):
            translator.attention("I have 3 apples.", ["我"])
