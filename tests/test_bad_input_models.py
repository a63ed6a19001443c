"""Bad input to the Models layer: lm (the seam), lstm_lm, mlp_lm, memory, transformer, generate,
timing, checkpoints, seq2seq, translate (machinery: tests/test_bad_input.py). The tiny Keras models
are built once for the module; no case trains one (a bad input is refused before Keras runs)."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from test_bad_input import (  # noqa: I001
    B, L, fn, module as _mod,
    Arg, HUGE, INF, NAN, OMIT, array, cases, choice, flag, function, ids, instance, integer, number,
    only, path, run, seed, sentences, spec, string, strings, tokens,
)

keras = pytest.importorskip("keras")

V = 12  # the vocabulary of every tiny model: 4 special tokens and the letters a-h
WORDS = ["a", "b", "c", "d", "e", "f", "g", "h"]
PAIRS = [("I have two apples.", "我有两个苹果。"), ("I have 3 books.", "我有三本书。"), ("She has a cat.", "她有一只猫。")]




class Context:
    """Tiny models (untrained), their steppers and data, built on first use."""

    @functools.cached_property
    def vocab(self):
        return _mod("text").Vocab(["<pad>", "<unk>", "<bos>", "<eos>", *WORDS])

    @functools.cached_property
    def lstm_config(self):
        return _mod("lstm_lm").LSTMLMConfig(vocab_size=V, embedding_dim=4, hidden_size=6)

    @functools.cached_property
    def lstm(self):
        return _mod("lstm_lm").build_lstm_lm(self.lstm_config)

    @functools.cached_property
    def stepper(self):
        return _mod("lstm_lm").LSTMStepper(self.lstm)

    @functools.cached_property
    def state(self):
        return self.stepper.start([2, 4])[1]

    @functools.cached_property
    def gpt(self):
        return _mod("transformer").build_transformer_lm(_mod("transformer").TransformerConfig(
            vocab_size=V, context=8, d_model=8, heads=2, layers=1))

    @functools.cached_property
    def gpt_weights(self):
        return _mod("transformer").numpy_weights(self.gpt)

    @functools.cached_property
    def gpt_stepper(self):
        return _mod("transformer").TransformerStepper(self.gpt)

    @functools.cached_property
    def cache(self):
        return self.gpt_stepper.start([2, 4])[1]

    @functools.cached_property
    def mlp(self):
        return _mod("mlp_lm").mlp_language_model(V, context=3, embedding_dim=4, hidden_size=8)

    @functools.cached_property
    def recall(self):
        return _mod("memory").build_recall_model("lstm", hidden_size=4)

    @functools.cached_property
    def recurrent(self):
        layer = keras.layers.SimpleRNN(4)
        layer(np.zeros((1, 3, 2), dtype=np.float32))
        return layer

    @functools.cached_property
    def windows(self):
        stream = np.array([2, 4, 5, 6, 7, 3, 2, 8, 9, 10, 11, 3] * 2)
        return _mod("text").lm_windows(stream, 5)

    @functools.cached_property
    def mlp_data(self):
        return _mod("mlp_lm").context_windows(np.array([2, 4, 5, 6, 7, 3, 2, 8, 9, 10, 11, 3]), 3)

    @functools.cached_property
    def folder(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="lmtutor-bad-models-"))

    @functools.cached_property
    def checkpoint_dir(self) -> Path:
        return _mod("checkpoints").save(self.folder / "tiny", self.lstm, self.vocab, self.lstm_config,
                                       {"corpus": "lee_chars"})

    @functools.cached_property
    def checkpoint(self):
        return _mod("checkpoints").load(self.checkpoint_dir)

    @functools.cached_property
    def codec(self):
        return _mod("seq2seq").TranslationCodec.build(PAIRS)

    @functools.cached_property
    def seq2seq(self):
        codec = self.codec
        return _mod("seq2seq").build_seq2seq(_mod("seq2seq").Seq2SeqConfig(
            codec.source_size, codec.target_size, embedding_dim=4, hidden_size=6))

    @functools.cached_property
    def translator(self):
        return _mod("translate").Translator(self.seq2seq, self.codec)

    @functools.cached_property
    def source_ids(self):
        return np.array(self.codec.source_ids(["I have two apples."])[0])

    @functools.cached_property
    def s2s_stepper(self):
        return _mod("translate").Seq2SeqStepper(self.translator, self.source_ids)

    @functools.cached_property
    def encoded(self):
        return self.translator.encode(self.source_ids)


@pytest.fixture(scope="module")
def ctx():
    return Context()


LSTM, GPT, MLP, STEPPER = L(lambda c: c.lstm), L(lambda c: c.gpt), L(lambda c: c.mlp), L(lambda c: c.stepper)
NOT_A_MODEL = [B(L(lambda c: c.vocab), TypeError, "a Vocab"), B(L(lambda c: c.stepper), TypeError, "a stepper")]


def model_arg(valid, more=()):
    return instance(valid, more=NOT_A_MODEL + list(more))


def pair_arg(valid, vocab=V, *, none=False):
    """A pair (inputs, targets) of id arrays."""
    bads = only(("abc", TypeError, "a str"), ((np.ones((2, 3), dtype=int),), TypeError, "one array"),
                ([np.ones((2, 3), dtype=int)] * 3, TypeError, "three arrays"),
                ((np.ones((2, 3)), np.ones((2, 3), dtype=int)), TypeError, "float inputs"),
                ((np.ones((2, 3), dtype=int), np.full((2, 3), vocab)), ValueError, "a target id = vocab_size"),
                ((np.full((2, 3), -1), np.ones((2, 3), dtype=int)), ValueError, "negative inputs"),
                ((np.ones((2, 3), dtype=bool), np.ones((2, 3), dtype=int)), TypeError, "bool inputs"),
                ((np.ones((2, 3), dtype=int), np.ones((3, 3), dtype=int)), ValueError, "another number of examples"),
                ((np.zeros((0, 3), dtype=int), np.zeros((0, 3), dtype=int)), ValueError, "no example"))
    if not none:
        bads.insert(0, B(None, TypeError, "None"))
    return Arg(valid, bads)


def prompt_arg(valid=(2, 4), size=V, **kwargs):
    return ids(list(valid), size, **kwargs)


CONFIG = L(lambda c: _mod("decoding").DecodingConfig())
SPECS = [  # lmtutor/__init__.py: no argument, so nothing can be bad; they must run
    spec("quiet_tensorflow", lambda c: __import__("lmtutor").quiet_tensorflow),
    spec("quiet_retracing", lambda c: __import__("lmtutor").quiet_retracing),
]

# --------------------------------------------------------------------------------------------- lm
DOCS = [[4, 5, 6], [7, 8]]
SPECS += [
    spec("lm.layer_seeds", fn("lm", "layer_seeds"), seed=seed()),
    spec("lm.model_context", fn("lm", "model_context"), model=model_arg(GPT)),
    spec("lm.vocab_size", fn("lm", "vocab_size"), model=model_arg(LSTM)),
    spec("lm.input_sizes", fn("lm", "input_sizes"), model=model_arg(LSTM)),
    spec("lm.train", fn("lm", "train"), check_valid=False,
         model=model_arg(LSTM, more=[B(L(lambda c: c.recurrent), TypeError, "a layer"),
                                     B(L(lambda c: _mod("mlp_lm").mlp_language_model(V)), ValueError, "an uncompiled model")]),
         train_data=Arg(L(lambda c: c.windows), pair_arg(None).bads + only(
             (L(lambda c: c.mlp_data), ValueError, "an MLP's windows for a sequence model"))),
         valid_data=Arg(L(lambda c: c.windows), pair_arg(None, none=True).bads),
         valid_documents=Arg(DOCS, only(("abc", TypeError, "a str"), ([], ValueError, "empty"), ([[4, 99]], ValueError, "an id = 99"),
                                        ([[4, 5.5]], TypeError, "a float id"), ([[[4, 5], [6, 7]]], ValueError, "a 2-D document"),
                                        (4, TypeError, "an int"))),
         epochs=integer(1, 1, 100_000), batch_size=integer(4, 1), max_seconds=number(None, 0.0, open_min=True, none=True),
         verbose=flag(False), seed=seed(), patience=integer(None, 0, none=True), restore_best=flag(False),
         report=Arg("loss", only((None, TypeError, "None"), (3, TypeError, "an int"))),
         valid_batch_size=integer(16, 1), log_dir=path(None, none=True)),
    spec("lm.evaluate_documents", fn("lm", "evaluate_documents"), model=model_arg(LSTM),
         documents=Arg(DOCS, only((None, TypeError, "None"), ("abc", TypeError, "a str"), ([], ValueError, "empty"),
                                  ([[4, 12]], ValueError, "an id = vocab_size"), ([[4, -1]], ValueError, "a negative id"),
                                  ([[4, True]], TypeError, "a bool id"), ([[[4, 5]]], ValueError, "a 2-D document"),
                                  (np.array([4, 5]), TypeError, "a flat array of ids"), ([4, 5], TypeError, "a flat list of ids"))),
         context=integer(None, 1, none=True), stride=Arg(None, only(("2", TypeError, "a str"), (2.5, TypeError, "a float"),
                                                                    (0, ValueError, "0"), (1, ValueError, "without a context"))),
         batch_size=integer(16, 1)),
]

# ---------------------------------------------------------------------------------------- lstm_lm
SPECS += [
    spec("lstm_lm.LSTMLMConfig", fn("lstm_lm", "LSTMLMConfig"), vocab_size=integer(V, 5, 10_000_000),
         embedding_dim=integer(4, 1, 65_536), hidden_size=integer(6, 1, 65_536), learning_rate=number(0.01, 0.0, open_min=True),
         clip_norm=number(1.0, 0.0, open_min=True), dropout=number(0.0, 0.0, 1.0, open_max=True),
         decay_steps=integer(0, 0, 10**9), seed=seed()),
    spec("lstm_lm.build_lstm_lm", fn("lstm_lm", "build_lstm_lm"), check_valid=False,
         config=instance(L(lambda c: c.lstm_config), more=[B({"vocab_size": V}, TypeError, "a dict")])),
    spec("lstm_lm.LSTMStepper", fn("lstm_lm", "LSTMStepper"), model=model_arg(LSTM, more=[B(GPT, ValueError, "a Transformer")]),
         covers=["generate.StepModel"]),
    spec("lstm_lm.LSTMStepper.start", lambda c: c.stepper.start, prompt_ids=prompt_arg(), covers=["generate.StepModel.start"]),
    spec("lstm_lm.LSTMStepper.step", lambda c: c.stepper.step,
         state=Arg(L(lambda c: c.state), only((None, TypeError, "None"), ("h", TypeError, "a str"), ((np.zeros((1, 6)),), TypeError, "one array"),
                                            ((np.zeros((1, 6)), np.full((1, 6), NAN)), ValueError, "a NaN c"),
                                            ((np.zeros((1, 5)), np.zeros((1, 6))), TypeError, "another hidden size"),
                                            ([np.zeros((1, 6)), np.zeros((1, 6))], TypeError, "a list"),
                                            ((np.zeros((1, 6), dtype=complex), np.zeros((1, 6))), TypeError, "complex"))),
         token_id=integer(4, 0, V - 1), covers=["generate.StepModel.step"]),
    spec("lstm_lm.LSTMStepper.full_logits", lambda c: c.stepper.full_logits, ids=prompt_arg(),
         covers=["generate.StepModel.full_logits"]),
    spec("lstm_lm.generate", fn("lstm_lm", "generate"), model=model_arg(LSTM),
         vocab=instance(L(lambda c: c.vocab), more=[B(L(lambda c: _mod("text").Vocab.build([["a", "b"]])), ValueError,
                                                     "a vocab of another size")]),
         prompt=Arg(["a", "b"], only((None, TypeError, "None"), ("ab", TypeError, "a str (would be split into characters)"),
                                     ([1, 2], TypeError, "ids"), ([["a"]], TypeError, "nested"))),
         max_tokens=integer(3, 1, 100_000), temperature=number(1.0, 0.0, open_min=True), seed=seed()),
]

# ----------------------------------------------------------------------------------------- mlp_lm
MLP_DATA = L(lambda c: c.mlp_data)
MLP_PAIR_BADS = pair_arg(None).bads + [B(L(lambda c: c.windows), ValueError, "sequence windows for an MLP")]
SPECS += [
    spec("mlp_lm.context_windows", fn("mlp_lm", "context_windows"),
         ids=Arg(np.array([2, 4, 5, 6, 7]), only((None, TypeError, "None"), ("abc", TypeError, "a str"), ([2, 4.5, 5, 6], TypeError, "a float"),
                                                ([2, True, 5, 6], TypeError, "a bool"), ([2, -1, 5, 6], ValueError, "a negative id"),
                                                ([2, 2**40, 5, 6], ValueError, "an id past int32"), ([[2, 4], [5, 6]], TypeError, "2-D"),
                                                ([2, 4], ValueError, "too short"))),
         context=integer(3, 1, 1_024)),
    spec("mlp_lm.LMConfig", fn("mlp_lm", "LMConfig"), vocab_size=integer(V, 2, 10_000_000), context=integer(3, 1, 1_024),
         embedding_dim=integer(4, 1, 65_536), hidden_size=integer(8, 1, 65_536), dropout_rate=number(0.0, 0.0, 1.0, open_max=True),
         l2=number(0.0, 0.0), seed=seed()),
    spec("mlp_lm.mlp_language_model", fn("mlp_lm", "mlp_language_model"), check_valid=False,
         vocab_size=integer(V, 2, 10_000_000),
         context=Arg(3, only(("3", TypeError, "a str"), (0, ValueError, "0"))),
         bogus_option=Arg(OMIT, only((1, TypeError, "an unknown option")))),
    spec("mlp_lm.train", fn("mlp_lm", "train"), check_valid=False, model=model_arg(MLP, more=[B(LSTM, ValueError, "an LSTM")]),
         train_data=Arg(MLP_DATA, MLP_PAIR_BADS), valid_data=Arg(MLP_DATA, MLP_PAIR_BADS),
         epochs=integer(1, 1, 100_000), batch_size=integer(4, 1),
         optimizer=Arg(None, only(("adam", TypeError, "a str"), (L(lambda c: _mod("optim").Adam(0.1)), TypeError, "an lmtutor optimizer"))),
         patience=integer(None, 0, none=True), log=flag(False), jit_compile=flag(False), seed=seed()),
    spec("mlp_lm.evaluate", fn("mlp_lm", "evaluate"), model=model_arg(MLP), data=Arg(MLP_DATA, MLP_PAIR_BADS),
         batch_size=integer(512, 1)),
]

# ----------------------------------------------------------------------------------------- memory
SPECS += [
    spec("memory.recall_data", fn("memory", "recall_data"), num_examples=integer(4, 1, huge=True), gap=integer(3, 1, 100_000),
         num_symbols=integer(8, 2, 100_000), seed=seed()),
    spec("memory.chrono_bias", fn("memory", "chrono_bias"), hidden_size=integer(4, 1, 65_536), max_gap=integer(10, 3, 100_000),
         seed=seed()),
    spec("memory.build_recall_model", fn("memory", "build_recall_model"), check_valid=False, cell=choice("lstm"),
         init=choice("default"), max_gap=integer(200, 3, 100_000), num_symbols=integer(8, 2, 100_000),
         hidden_size=integer(4, 1, 65_536), learning_rate=number(0.01, 0.0, open_min=True), seed=seed()),
    spec("memory.recall_accuracy", fn("memory", "recall_accuracy"), check_valid=False, variant=choice("lstm"),
         gap=integer(3, 1, 100_000), epochs=integer(1, 1, 100_000), num_examples=integer(8, 1, huge=True),
         batch_size=integer(4, 1), seed=seed(),
         init=Arg(OMIT, only(("chrono", TypeError, "an option the variant sets"))),
         hidden_size=Arg(OMIT, only((0, ValueError, "0 units"), ("4", TypeError, "a str")))),
    spec("memory.input_gradient_norms", fn("memory", "input_gradient_norms"),
         layer=instance(L(lambda c: c.recurrent), more=[B(L(lambda c: keras.layers.Dense(3)), TypeError, "a Dense layer")]),
         inputs=array(np.ones((1, 3, 2)), shape_bads=[(np.ones((3, 2)), "2-D"), (np.ones((1, 0, 2)), "no time step")])),
]

# ------------------------------------------------------------------------------------ transformer
WEIGHTS = L(lambda c: c.gpt_weights)


def _weights_with(change):
    def build(c):
        w = {**c.gpt_weights, "blocks": [dict(b, attention=dict(b["attention"])) for b in c.gpt_weights["blocks"]]}
        change(w)
        return w
    return L(build)


SPECS += [
    spec("transformer.TransformerConfig", fn("transformer", "TransformerConfig"), vocab_size=integer(V, 5, 10_000_000),
         context=integer(8, 1, 4096), d_model=Arg(8, integer(None, 2, 65_536).bads + only((9, ValueError, "not divisible by heads"))),
         heads=integer(2, 1, 8), layers=integer(1, 1, 1_000), mlp_ratio=integer(4, 1, 64),
         dropout=number(0.0, 0.0, 1.0, open_max=True), tied_output=flag(True), learned_positions=flag(True),
         learning_rate=number(3e-3, 0.0, open_min=True), clip_norm=number(1.0, 0.0, open_min=True), seed=seed()),
    spec("transformer.Positions", fn("transformer", "Positions"), context=integer(8, 1, 4096), learned=flag(True),
         seed=integer(None, 0, none=True)),
    spec("transformer.Positions.build", lambda c: _mod("transformer").Positions(8).build,
         input_shape=Arg((None, 4, 8), only((None, ValueError, "None"), ((None, 8), ValueError, "2-D"), ((None, 4, 0), ValueError, "no features"),
                                           ((None, 4, 8.5), TypeError, "a float width"), (8, ValueError, "an int")))),
    spec("transformer.Positions.call", lambda c: c.gpt.get_layer("positions"),
         x=Arg(np.zeros((1, 4, 8), dtype=np.float32), only((np.zeros((1, 9, 8), dtype=np.float32), ValueError, "more positions than context", "ids")))),
    spec("transformer.Positions.get_config", lambda c: _mod("transformer").Positions(8).get_config),
    spec("transformer.build_transformer_lm", fn("transformer", "build_transformer_lm"), check_valid=False,
         config=instance(L(lambda c: _mod("transformer").TransformerConfig(V)), more=[B(L(lambda c: c.lstm_config), TypeError, "an LSTM config")])),
    spec("transformer.numpy_weights", fn("transformer", "numpy_weights"), model=model_arg(GPT, more=[B(LSTM, TypeError, "an LSTM")])),
    spec("transformer.layer_norm", fn("transformer", "layer_norm"),
         x=array(np.ones((2, 4)), empty=False, shape_bads=[(np.ones((2, 5)), "another width")]),
         gamma=array(np.ones(4), shape_bads=[(np.ones(3), "another width"), (np.ones((1, 4)), "2-D")]),
         beta=array(np.zeros(4), shape_bads=[(np.zeros(5), "another width")]),
         epsilon=number(1e-5, 0.0, 1.0, open_min=True)),
    spec("transformer.forward", fn("transformer", "forward"),
         weights=Arg(WEIGHTS, only((None, TypeError, "None"), ("model", TypeError, "a str"), ({}, TypeError, "an empty dict"),
                                   (_weights_with(lambda w: w.update(output=np.full(w["output"].shape, NAN))), ValueError, "a NaN output matrix"),
                                   (_weights_with(lambda w: w["blocks"][0]["attention"].update(query_bias=np.ones((3, 3)))), ValueError,
                                    "a query bias of another shape"),
                                   (_weights_with(lambda w: w.update(blocks=[])), TypeError, "no block"),
                                   (_weights_with(lambda w: w.update(epsilon=-1.0)), ValueError, "a negative epsilon"),
                                   (LSTM, TypeError, "an LSTM model"))),
         ids=Arg([[2, 4, 5]], [b for b in prompt_arg().bads if b.label != "a nested (2-D) list"] + only(([[2] * 9], ValueError, "more positions than context"),
                                                     ([2, 4, 5], ValueError, "1-D"))),
         return_attention=flag(False)),
    spec("transformer.KVCache", fn("transformer", "KVCache"), length=integer(2, 1),
         keys=Arg(L(lambda c: c.cache.keys), only((None, TypeError, "None"), ([], TypeError, "a list"), ((), TypeError, "no block"),
                                                 ((np.zeros((2, 3, 4)),), TypeError, "another length"))),
         values=Arg(L(lambda c: c.cache.values), only((None, TypeError, "None"), ((np.zeros(3),), TypeError, "1-D"),
                                                     (L(lambda c: c.cache.values * 2), ValueError, "two blocks for one")))),
    spec("transformer.TransformerStepper", fn("transformer", "TransformerStepper"),
         model=model_arg(GPT, more=[B(LSTM, TypeError, "an LSTM")])),
    spec("transformer.TransformerStepper.start", lambda c: c.gpt_stepper.start,
         prompt_ids=Arg([2, 4], prompt_arg().bads + only(([2] * 9, ValueError, "longer than the context")))),
    spec("transformer.TransformerStepper.step", lambda c: c.gpt_stepper.step,
         state=Arg(L(lambda c: c.cache), only((None, TypeError, "None"), ("cache", TypeError, "a str"),
                                             (L(lambda c: c.state), TypeError, "an LSTM state"),
                                             (L(lambda c: c.gpt_stepper.start([2] * 8)[1]), ValueError, "a full context window"))),
         token_id=integer(4, 0, V - 1)),
    spec("transformer.TransformerStepper.full_logits", lambda c: c.gpt_stepper.full_logits,
         ids=Arg([2, 4], prompt_arg().bads + only(([2] * 9, ValueError, "longer than the context")))),
]

# --------------------------------------------------------------------------------------- generate
MODEL_BADS = [B(None, TypeError, "None"), B(L(lambda c: c.lstm), TypeError, "a Keras model, not a stepper"),
              B("model", TypeError, "a str")]
SPECS += [
    spec("generate.check_ids", fn("generate", "check_ids"), name=string("ids", empty=False), ids=prompt_arg(),
         vocab_size=integer(V, 1, 10_000_000), allow_empty=flag(False)),
    spec("generate.generate", fn("generate", "generate"), model=Arg(STEPPER, MODEL_BADS), prompt_ids=prompt_arg(),
         max_tokens=integer(3, 1, 100_000), config=instance(CONFIG, more=[B(L(lambda c: _mod("decoding").DecodingConfig(banned_ids=(99,))),
                                                                          ValueError, "a banned id outside the vocabulary")]),
         seed=seed(), stop_id=integer(3, 0, V - 1, none=True), min_tokens=integer(0, 0, 3)),
    spec("generate.generate_reencoding", fn("generate", "generate_reencoding"), model=Arg(STEPPER, MODEL_BADS),
         prompt_ids=prompt_arg(), max_tokens=integer(3, 1, 100_000), config=instance(CONFIG), seed=seed(),
         stop_id=integer(3, 0, V - 1, none=True), use_keras=flag(False), min_tokens=integer(0, 0, 3)),
    spec("generate.Hypothesis", fn("generate", "Hypothesis"),
         ids=Arg((4, 5), only((None, TypeError, "None"), ([4, 5], TypeError, "a list"), ((4, -1), ValueError, "a negative id"),
                              ((4, 5.0), TypeError, "a float id"))),
         log_prob=number(-1.5, None, 0.0), score=number(-1.0, None, 0.0), finished=flag(True)),
    spec("generate.length_normalized_score", fn("generate", "length_normalized_score"), log_prob=number(-3.0, None, 0.0),
         length=integer(4, 0), length_penalty=number(1.0, 0.0)),
    spec("generate.beam_search", fn("generate", "beam_search"), model=Arg(STEPPER, MODEL_BADS), prompt_ids=prompt_arg(),
         beam_width=integer(2, 1, 1_000), max_tokens=integer(3, 1, 100_000), length_penalty=number(0.0, 0.0),
         stop_id=integer(3, 0, V - 1, none=True),
         banned_ids=Arg((0, 2), prompt_arg().bads[1:-2] + only(([[0], [2]], ValueError, "nested"), (list(range(V)), ValueError, "every id"))),
         early_stop=flag(True)),
    spec("generate.distinct_n", fn("generate", "distinct_n"),
         sequences=Arg([["a", "b", "a", "b"]], only((None, TypeError, "None"), ("abab", TypeError, "a str"), (["abab"], TypeError, "a list of str"),
                                                    ([[["a"], ["b"]]], TypeError, "unhashable tokens"), ([["a"]], ValueError, "too short for n"),
                                                    (3, TypeError, "an int"), ([], ValueError, "empty"))),
         n=integer(2, 1)),
    spec("generate.repetition_rate", fn("generate", "repetition_rate"),
         sequences=Arg([[1, 2, 1, 2, 1]], only((None, TypeError, "None"), ("abab", TypeError, "a str"), ([[[1], [2]]], TypeError, "unhashable"),
                                               ([], ValueError, "empty"))),
         n=integer(2, 1)),
    spec("generate.token_log_probs", fn("generate", "token_log_probs"), model=Arg(STEPPER, MODEL_BADS), prompt_ids=prompt_arg(),
         ids=prompt_arg((4, 5))),
    spec("generate.continuation_perplexity", fn("generate", "continuation_perplexity"), model=Arg(STEPPER, MODEL_BADS),
         prompt_ids=prompt_arg(), ids=prompt_arg((4, 5))),
]

# ----------------------------------------------------------------------------------------- timing
TIMED = L(lambda c: _mod("timing").Timed(c.stepper))
SPECS += [
    spec("timing.Timed", fn("timing", "Timed"), model=Arg(STEPPER, MODEL_BADS), timer=Arg(OMIT, function(None).bads),
         on_call=Arg(None, function(None, none=True).bads)),
    spec("timing.Timed.start", lambda c: _mod("timing").Timed(c.stepper).start, prompt_ids=prompt_arg()),
    spec("timing.Timed.step", lambda c: _mod("timing").Timed(c.stepper).step, state=Arg(L(lambda c: c.state), only((None, TypeError, "None"))),
         token_id=integer(4, 0, V - 1)),
    spec("timing.Timed.full_logits", lambda c: _mod("timing").Timed(c.stepper).full_logits, ids=prompt_arg()),
    spec("timing.clock", fn("timing", "clock"), decode=function(L(lambda c: _mod("generate").generate)),
         stepper=Arg(STEPPER, MODEL_BADS), prompt_ids=prompt_arg(), max_tokens=integer(3, 1, 100_000), seed=seed(),
         timer=Arg(OMIT, function(None).bads), progress=string(None, none=True)),
]

# ------------------------------------------------------------------------------------ checkpoints
CHECKPOINT = L(lambda c: c.checkpoint)
SPECS += [
    spec("checkpoints.Checkpoint", fn("checkpoints", "Checkpoint"), name=string("tiny", empty=False), model=model_arg(LSTM),
         vocab=instance(L(lambda c: c.vocab), more=[B(L(lambda c: _mod("text").Vocab.build([["a"]])), ValueError, "another size")]),
         config=instance(L(lambda c: c.lstm_config)), info=Arg({"corpus": "lee_chars"}, only((None, TypeError, "None"), ([], TypeError, "a list")))),
    spec("checkpoints.Checkpoint.encode", lambda c: c.checkpoint.encode,
         text=Arg("abc", string(None).bads + only(("", ValueError, "no tokens and add_bos=False"))), add_bos=Arg(False, flag().bads)),
    spec("checkpoints.Checkpoint.decode", lambda c: c.checkpoint.decode, ids=prompt_arg(empty=True)),
    spec("checkpoints.models_dir", fn("checkpoints", "models_dir")),
    spec("checkpoints.available", fn("checkpoints", "available")),
    spec("checkpoints.save", fn("checkpoints", "save"),
         directory=Arg(L(lambda c: c.folder / "saved"), path(None).bads + only((L(lambda c: c.checkpoint_dir / "model.json"), ValueError,
                                                                                  "a file"))),
         model=model_arg(LSTM, more=[B(GPT, ValueError, "a Transformer")]),
         vocab=instance(L(lambda c: c.vocab)), config=instance(L(lambda c: c.lstm_config)),
         info=Arg({"corpus": "lee_chars"}, only((None, TypeError, "None"), ({"f": print}, TypeError, "a function inside")))),
    spec("checkpoints.load", fn("checkpoints", "load"),
         name=Arg(L(lambda c: c.checkpoint_dir), only((None, TypeError, "None"), (3, TypeError, "an int"), ("", ValueError, "empty"),
                                                     ("no_such_checkpoint", FileNotFoundError, "an unknown name"))),
         verify=flag(True)),
]

# ---------------------------------------------------------------------------------------- seq2seq
CODEC = L(lambda c: c.codec)
PAIR_BADS = only((None, TypeError, "None"), ("I have two apples.", TypeError, "a str"), ([], ValueError, "empty"),
                 ([("I", 3)], TypeError, "an int translation"), ([["I", "我"]], TypeError, "a list pair"), (3, TypeError, "an int"))
SENTENCE_BADS = only((None, TypeError, "None"), ("I have two apples.", TypeError, "a bare str"), ([], ValueError, "empty"),
                     ([3], TypeError, "an int"), ([""], ValueError, "an empty sentence"))
SPECS += [
    spec("seq2seq.pad", fn("seq2seq", "pad"),
         sequences=Arg([[4, 5], [6]], only((None, TypeError, "None"), ("ab", TypeError, "a str"), ([], ValueError, "empty"),
                                         ([[4, 5.5]], TypeError, "a float id"), ([[4, -1]], ValueError, "a negative id"),
                                         ([[4, True]], TypeError, "a bool id"), ([4, 5], TypeError, "a flat list"))),
         width=integer(None, 1, 100_000, none=True)),
    spec("seq2seq.SourceRecipe", fn("seq2seq", "SourceRecipe"), scheme=choice("word", none=True), lowercase=flag(True),
         normalize=flag(True), keep_spaces=flag(False), split_digits=flag(True)),
    spec("seq2seq.SourceRecipe.tokens", lambda c: _mod("seq2seq").SourceRecipe("word").tokens, string=string("I have 3 apples.")),
    spec("seq2seq.TranslationCodec", fn("seq2seq", "TranslationCodec"),
         source=instance(L(lambda c: c.codec.source), more=[B(L(lambda c: c.codec.source.vocab), TypeError, "a Vocab")]),
         target=instance(L(lambda c: c.codec.target))),
    spec("seq2seq.TranslationCodec.build", fn("seq2seq", "TranslationCodec.build"), pairs=Arg(PAIRS, PAIR_BADS),
         source_scheme=choice("word"), split_digits=flag(True)),
    spec("seq2seq.TranslationCodec.from_recipes", fn("seq2seq", "TranslationCodec.from_recipes"), pairs=Arg(PAIRS, PAIR_BADS),
         source=instance(L(lambda c: c.codec.source.recipe)), target=instance(L(lambda c: c.codec.target.recipe))),
    spec("seq2seq.TranslationCodec.source_ids", lambda c: c.codec.source_ids, sentences=Arg(["I have two apples."], SENTENCE_BADS)),
    spec("seq2seq.TranslationCodec.encode_source", lambda c: c.codec.encode_source, sentences=Arg(["I have two apples."], SENTENCE_BADS)),
    spec("seq2seq.TranslationCodec.teacher_forcing", lambda c: c.codec.teacher_forcing, pairs=Arg(PAIRS, PAIR_BADS)),
    spec("seq2seq.Seq2SeqConfig", fn("seq2seq", "Seq2SeqConfig"), source_size=integer(20, 5, 10_000_000),
         target_size=integer(20, 5, 10_000_000), attention=choice("multiplicative", none=True), embedding_dim=integer(4, 1, 65_536),
         hidden_size=integer(6, 1, 65_536), learning_rate=number(5e-3, 0.0, open_min=True), clip_norm=number(1.0, 0.0, open_min=True),
         decay_steps=integer(0, 0, 10**9), seed=seed()),
    spec("seq2seq.build_seq2seq", fn("seq2seq", "build_seq2seq"), check_valid=False,
         config=instance(L(lambda c: _mod("seq2seq").Seq2SeqConfig(10, 10)), more=[B(L(lambda c: c.lstm_config), TypeError, "an LSTM config")])),
    spec("seq2seq.attention_weights", fn("seq2seq", "attention_weights"), model=model_arg(L(lambda c: c.seq2seq), more=[B(LSTM, ValueError, "an LSTM")]),
         source_ids=Arg(L(lambda c: c.source_ids[None]), only((None, TypeError, "None"), ("I", TypeError, "a str"), ([[1.5, 2]], TypeError, "floats"),
                                                             ([[4, 10**6]], ValueError, "an id past the vocabulary"), ([4, 5], ValueError, "1-D"))),
         target_ids=Arg([[2, 4]], only((None, TypeError, "None"), ([[2, -4]], ValueError, "a negative id"), ([[2], [4]], ValueError, "another batch")))),
]

# -------------------------------------------------------------------------------------- translate
TRANSLATOR = L(lambda c: c.translator)
SOURCE_V, TARGET_V = L(lambda c: c.codec.source_size), L(lambda c: c.codec.target_size)
SENTENCE = string("I have two apples.", empty=False)
SPECS += [
    spec("translate.Translator", fn("translate", "Translator"), model=model_arg(L(lambda c: c.seq2seq), more=[B(LSTM, ValueError, "an LSTM")]),
         codec=instance(CODEC, more=[B(L(lambda c: c.codec.source), TypeError, "one side's codec")])),
    spec("translate.Translator.encode", lambda c: c.translator.encode,
         source_ids=Arg(L(lambda c: c.source_ids), prompt_arg(size=SOURCE_V).bads[:-1] + only(([[[4]]], ValueError, "3-D")))),
    spec("translate.Translator.step", lambda c: c.translator.step,
         token_ids=Arg(np.array([2]), only((None, TypeError, "None"), (np.array([2.0]), TypeError, "floats"), (np.array([10**6]), ValueError, "out of range"),
                                           (2, TypeError, "an int, not an array"), (np.array([[2]]), ValueError, "2-D"), (np.array([2, 2]), ValueError, "another batch"))),
         state=Arg(L(lambda c: c.encoded[2]), only((None, TypeError, "None"), ("h", TypeError, "a str"), ((np.zeros((1, 6)),), TypeError, "one array"),
                                                  ((np.zeros((1, 6)), np.full((1, 6), NAN)), ValueError, "a NaN c"),
                                                  ((np.zeros((1, 5)), np.zeros((1, 5))), ValueError, "another hidden size"))),
         encoded=array(L(lambda c: c.encoded[0]), shape_bads=[(np.zeros((1, 6)), "2-D"), (np.zeros((1, 4, 5)), "another hidden size")]),
         keys=array(L(lambda c: c.encoded[1]), shape_bads=[(np.zeros((1, 3, 6)), "another source length")])),
    spec("translate.Translator.stepper", lambda c: c.translator.stepper, sentence=SENTENCE),
    spec("translate.Translator.greedy_ids", lambda c: c.translator.greedy_ids,
         source_ids=Arg(L(lambda c: c.source_ids[None]), prompt_arg(size=SOURCE_V).bads[:-1]), max_length=integer(5, 1, 100_000, none=True)),
    spec("translate.Translator.translate", lambda c: c.translator.translate, sentences=Arg(["I have two apples."], SENTENCE_BADS),
         beam_width=integer(1, 1, 1_000), max_length=integer(5, 1, 100_000, none=True)),
    spec("translate.Translator.beam", lambda c: c.translator.beam, sentence=SENTENCE, beam_width=integer(2, 1, 1_000),
         max_length=integer(4, 1, 100_000, none=True), length_penalty=number(0.0, 0.0)),
    spec("translate.Translator.attention", lambda c: c.translator.attention, sentence=SENTENCE,
         translation=Arg(None, only((3, TypeError, "an int"), (["我"], TypeError, "a list")))),
    spec("translate.Seq2SeqStepper", fn("translate", "Seq2SeqStepper"),
         translator=instance(TRANSLATOR, more=[B(L(lambda c: c.seq2seq), TypeError, "the Keras model")]),
         source_ids=Arg(L(lambda c: c.source_ids), prompt_arg(size=SOURCE_V).bads)),
    spec("translate.Seq2SeqStepper.start", lambda c: c.s2s_stepper.start, prompt_ids=prompt_arg(size=TARGET_V)),
    spec("translate.Seq2SeqStepper.step", lambda c: c.s2s_stepper.step,
         state=Arg(L(lambda c: c.encoded[2]), only((None, TypeError, "None"), ("h", TypeError, "a str"),
                                                  ((np.zeros((1, 6)), np.full((1, 6), INF)), ValueError, "an inf c"))),
         token_id=integer(4, 0, None)),
    spec("translate.Seq2SeqStepper.full_logits", lambda c: c.s2s_stepper.full_logits, ids=prompt_arg(size=TARGET_V)),
]


# ----------------------------------------------------------------------------------------- explain
@functools.cache
def _classifier():
    """A tiny text classifier as classify.build_classifier builds them: Input "x", Embedding "x_embedding"."""
    ids = keras.Input((None,), dtype="int32", name="x")
    h = keras.layers.Embedding(V, 4, mask_zero=True, name="x_embedding")(ids)
    return keras.Model(ids, keras.layers.Dense(2)(keras.layers.GlobalAveragePooling1D()(h)))


CLASSIFIER = L(lambda c: _classifier())
TEXT_IDS = ids([4, 5, 6], V, none=False).bads + only(([4, 0, 5], ValueError, "a <pad> inside"))
EXPLAIN = dict(model=model_arg(CLASSIFIER, more=[B(L(lambda c: c.mlp), ValueError, "a model without x_embedding")]),
               ids=Arg([4, 5, 6], TEXT_IDS), target=integer(1, 0, 1))
SPECS += [
    spec("explain.log_odds", fn("explain", "log_odds"), **EXPLAIN),
    spec("explain.gradient_x_input", fn("explain", "gradient_x_input"), **EXPLAIN),
    spec("explain.occlusion", fn("explain", "occlusion"), **EXPLAIN, mode=choice("remove")),
    spec("explain.integrated_gradients", fn("explain", "integrated_gradients"), **EXPLAIN, steps=integer(4, 1, 1_000),
         baseline=Arg("zeros", only((None, TypeError, "None"), ("ones", ValueError, "an unknown name"),
                                    (np.zeros((2, 4)), ValueError, "another number of tokens"),
                                    (np.full((3, 4), NAN), ValueError, "NaN"), (3, TypeError, "an int")))),
    spec("explain.IntegratedGradients", fn("explain", "IntegratedGradients"),
         scores=Arg(np.zeros(3), only((None, TypeError, "None"), ("abc", TypeError, "a str"), (np.zeros((2, 2)), ValueError, "2-D"))),
         value=number(0.5), baseline_value=number(0.0)),
]


# ---------------------------------------------------------------------------------- memorisation
_DOCUMENTS = only((None, TypeError, "None"), ("a text", TypeError, "a str"), ([3], TypeError, "an int inside"),
                  (["a", None], TypeError, "a None inside"), (3, TypeError, "an int"))
_SCORES = array(np.array([-1.0, -2.0, -0.5]), empty=False, shape_bads=[(np.ones((2, 2)), "2-D")])
SPECS += [
    spec("memorisation.plant", fn("memorisation", "plant"), documents=Arg(["a b", "c d"], _DOCUMENTS),
         canary=string("my pin is 1 2", empty=False), times=integer(3, 0, 1_000_000), seed=seed()),
    spec("memorisation.deduplicate", fn("memorisation", "deduplicate"), documents=Arg(["a", "a"], _DOCUMENTS)),
    spec("memorisation.rank", fn("memorisation", "rank"), log_probs=_SCORES, index=integer(1, 0, 2)),
    spec("memorisation.exposure", fn("memorisation", "exposure"), log_probs=_SCORES, index=integer(1, 0, 2)),
    spec("memorisation.secret_index", fn("memorisation", "secret_index"),
         digits=Arg([4, 8, 1], only((None, TypeError, "None"), ("481", TypeError, "a str"), ([], ValueError, "empty"),
                                    ([4, 10], ValueError, "a digit past the base"), ([4, -1], ValueError, "a negative digit"),
                                    ([4, 1.0], TypeError, "a float digit"), (481, TypeError, "an int"))),
         base=integer(10, 2, 100)),
    spec("memorisation.secret_log_probs", fn("memorisation", "secret_log_probs"), model=model_arg(LSTM, more=[B(GPT, ValueError, "a Transformer")]),
         prefix_ids=prompt_arg(), digit_ids=Arg([4, 5, 6], prompt_arg().bads + only(([4, 4], ValueError, "repeated ids"), ([4], ValueError, "one id"))),
         length=integer(2, 1, 6), separator_id=integer(7, 0, V - 1, none=True)),
]


# ---------------------------------------------------------------------------------------- classify
CLS_TEXTS = ["我爱吃苹果", "今天下雨了", "苹果很好吃", "明天会下雪"]
CLS_LABELS = [0, 1, 0, 1]


@functools.cache
def _ngram_classifier():
    cl = _mod("classify")
    return cl.NgramClassifier(cl.NgramConfig()).fit(CLS_TEXTS, CLS_LABELS)


@functools.cache
def _classify_codec():
    return _mod("classify").build_codec(CLS_TEXTS, _mod("datasets").TextRecipe("char"), min_freq=1)


@functools.cache
def _text_classifier():
    cl = _mod("classify")
    return cl.build_classifier(cl.ClassifierConfig(20, 3, embedding_dim=4))


def _label_bads(other_length=True):
    bads = only((None, TypeError, "None"), ("0101", TypeError, "a str"), ([], ValueError, "empty"),
                ([0, -1, 1, 0], ValueError, "a negative label"), ([0, 1.5, 1, 0], TypeError, "a float label"),
                ([0, True, 1, 0], TypeError, "a bool label"), ([[0, 1, 1, 0]], ValueError, "2-D"), (3, TypeError, "an int"))
    return bads + (only(([0, 1], ValueError, "another length")) if other_length else [])


CLS_TEXT_BADS = only((None, TypeError, "None"), ("我爱吃苹果", TypeError, "a bare str"), ([], ValueError, "empty"),
                     ([3], TypeError, "an int"), ([""], ValueError, "an empty text"), (["  "], ValueError, "only spaces"),
                     (["a", None], TypeError, "a None inside"))
Y_TRUE, Y_PRED = Arg(CLS_LABELS, _label_bads(False)), Arg([0, 1, 1, 1], _label_bads())
NGRAM = L(lambda c: _ngram_classifier())
CLS_IDS = Arg([[4, 5, 6]], only((None, TypeError, "None"), ("abc", TypeError, "a str"), ([[4, 99]], ValueError, "an id past the vocabulary"),
                                ([[4, 5.5]], TypeError, "a float id"), ([4, 5], ValueError, "1-D"), ([[4, 5], [0, 0]], ValueError, "an all-<pad> row"),
                                ([[4, -1]], ValueError, "a negative id")))
CLS_MODEL = model_arg(L(lambda c: _text_classifier()), more=[B(LSTM, ValueError, "a language model")])
SPECS += [
    spec("classify.build_ngram_bag", fn("classify", "build_ngram_bag"), vocab_size=integer(20, 5, 10_000_000),
         embedding_dim=integer(4, 1, 65_536), dropout=number(0.5, 0.0, 1.0, open_max=True),
         learning_rate=number(0.01, 0.0, open_min=True), decay_steps=integer(10, 1, none=True),
         num_classes=integer(2, 2, 65_536), seed=seed(), pooling=choice("mean_max")),
    spec("classify.accuracy", fn("classify", "accuracy"), y_true=Y_TRUE, y_pred=Y_PRED),
    spec("classify.macro_f1", fn("classify", "macro_f1"), y_true=Y_TRUE, y_pred=Y_PRED),
    spec("classify.confusion_matrix", fn("classify", "confusion_matrix"), y_true=Y_TRUE, y_pred=Y_PRED,
         num_classes=Arg(None, integer(None, 1, 65_536, none=True).bads + only((1, ValueError, "fewer classes than the labels")))),
    spec("classify.f1_per_class", fn("classify", "f1_per_class"),
         matrix=array([[2, 1], [0, 3]], empty=False, shape_bads=[([[1, 2, 3]], "not square"), ([[1, -1], [0, 1]], "a negative count"),
                                                                ([[1.5, 0], [0, 1]], "a fraction"), ([1, 2], "1-D")])),
    spec("classify.NgramConfig", fn("classify", "NgramConfig"), unit=choice("char"), ngram_min=integer(1, 1, 10),
         ngram_max=integer(2, 1, 10), min_df=integer(1, 1), C=number(10.0, 0.0, open_min=True), max_iter=integer(100, 1, 100_000)),
    spec("classify.NgramClassifier", fn("classify", "NgramClassifier"),
         config=instance(L(lambda c: _mod("classify").NgramConfig()), more=[B(L(lambda c: _mod("classify").ClassifierConfig(20, 2)),
                                                                              TypeError, "a ClassifierConfig")])),
    spec("classify.NgramClassifier.fit", lambda c: _mod("classify").NgramClassifier().fit, texts=Arg(CLS_TEXTS, CLS_TEXT_BADS),
         labels=Arg(CLS_LABELS, _label_bads() + only(([1, 1, 1, 1], ValueError, "one class")))),
    spec("classify.NgramClassifier.predict_proba", lambda c: _ngram_classifier().predict_proba, texts=Arg(["我吃"], CLS_TEXT_BADS)),
    spec("classify.NgramClassifier.predict", lambda c: _ngram_classifier().predict, texts=Arg(["我吃"], CLS_TEXT_BADS)),
    spec("classify.NgramClassifier.known_ngrams", lambda c: _ngram_classifier().known_ngrams, string=string("我吃", empty=False)),
    spec("classify.NgramClassifier.top_features", lambda c: _ngram_classifier().top_features,
         label=Arg(1, only((None, TypeError, "None"), ("1", TypeError, "a str"), (True, TypeError, "a bool"), (1.0, TypeError, "a float"),
                           (5, ValueError, "an unknown label"))), k=integer(3, 1)),
    spec("classify.build_codec", fn("classify", "build_codec"), texts=Arg(CLS_TEXTS, CLS_TEXT_BADS),
         recipe=instance(L(lambda c: _mod("datasets").TextRecipe("char")), more=[B(L(lambda c: c.vocab), TypeError, "a Vocab")]),
         min_freq=integer(1, 1), max_size=integer(None, 4, none=True)),
    spec("classify.encode_texts", fn("classify", "encode_texts"),
         codec=instance(L(lambda c: _classify_codec()), more=[B(L(lambda c: _classify_codec().vocab), TypeError, "a Vocab")]),
         texts=Arg(["我爱"], CLS_TEXT_BADS), max_len=integer(None, 1, 10_000, none=True)),
    spec("classify.ClassifierConfig", fn("classify", "ClassifierConfig"), vocab_size=integer(20, 5, 10_000_000),
         num_classes=integer(3, 2, 65_536), encoder=choice("bag"), embedding_dim=integer(4, 1, 65_536), hidden_size=integer(4, 1, 65_536),
         dropout=number(0.0, 0.0, 1.0, open_max=True), learning_rate=number(0.005, 0.0, open_min=True), seed=seed()),
    spec("classify.build_classifier", fn("classify", "build_classifier"), check_valid=False,
         config=instance(L(lambda c: _mod("classify").ClassifierConfig(20, 3, embedding_dim=4)),
                         more=[B(L(lambda c: c.lstm_config), TypeError, "an LSTM config")])),
    spec("classify.predict_proba", fn("classify", "predict_proba"), model=CLS_MODEL, ids=CLS_IDS, batch_size=integer(8, 1)),
    spec("classify.predict", fn("classify", "predict"), model=CLS_MODEL, ids=CLS_IDS, batch_size=integer(8, 1)),
]


# ---------------------------------------------- distribute and tensorboard_logs (notebook 13): nothing trains here
_LOG_DIR = L(lambda c: tempfile.mkdtemp(prefix="lmtutor-bad-input-"))
_STRATEGY = L(lambda c: _mod("distribute")._tf().distribute.get_strategy())
_WORKER_SPEC = {"windows": 8, "epochs": 2}
SPECS += [
    spec("distribute.logical_cpus", fn("distribute", "logical_cpus"), check_valid=False, count=integer(1, 1, 64)),
    spec("distribute.mirrored", fn("distribute", "mirrored"), check_valid=False, devices=integer(1, 1, 64)),
    spec("distribute.epoch_order", fn("distribute", "epoch_order"), examples=integer(5, 1, 50_000_000),
         epoch=integer(0, 0, 100_000), seed=seed()),
    spec("distribute.make_step", fn("distribute", "make_step"), model=model_arg(LSTM),
         strategy=instance(_STRATEGY, more=[B(L(lambda c: c.lstm), TypeError, "a model")])),
    spec("distribute.fit_distributed", fn("distribute", "fit_distributed"), check_valid=False,
         model=model_arg(LSTM), train_data=Arg(L(lambda c: c.windows), pair_arg(None).bads),
         strategy=instance(None, none=True, more=[B(L(lambda c: c.lstm), TypeError, "a model")]),
         epochs=integer(1, 1, 100_000), global_batch_size=integer(4, 1), seed=seed(),
         checkpoint_dir=path(None, none=True), is_chief=flag(True), on_epoch=function(None, none=True)),
    spec("distribute.WorkerFailed", fn("distribute", "WorkerFailed"), worker=integer(1, 0), workers=integer(2, 1),
         how=string("exited with code 1", empty=False), log=string("ValueError: ...")),
    spec("distribute.free_ports", fn("distribute", "free_ports"), count=integer(2, 1, 64)),
    spec("distribute.tf_config", fn("distribute", "tf_config"),
         ports=Arg([2222, 2223], only((None, TypeError, "None"), ([], TypeError, "empty"), ("2222", TypeError, "a str"),
                                      ([2222, "x"], TypeError, "a str port"), ([0], ValueError, "port 0"),
                                      ([70000], ValueError, "port 70000"))),
         index=integer(1, 0, 1)),
    spec("distribute.run_workers", fn("distribute", "run_workers"), check_valid=False,
         spec=Arg(_WORKER_SPEC, only((None, TypeError, "None"), ("x", TypeError, "a str"), ({"epoch": 2}, ValueError, "an unknown key"),
                                     ({"epochs": 0}, ValueError, "0 epochs"), ({"windows": "8"}, TypeError, "a str count"),
                                     ({"use_fit": "no"}, TypeError, "a str flag"))),
         workers=integer(2, 1, 64), ports=Arg(None, only(("2222", TypeError, "a str"), ([2222], TypeError, "one port for two"),
                                                         ([2222, 2222], ValueError, "the same port twice"), ([80, 2223], ValueError, "a port below 1024"))),
         timeout=Arg(300.0, only((None, ValueError, "None"), ("1", ValueError, "a str"), (0, ValueError, "0"),
                                 (NAN, ValueError, "NaN"), (True, ValueError, "a bool"))),
         kill=Arg(None, only(("x", TypeError, "a str"), ((1,), TypeError, "one number"), ((2, 1), ValueError, "a worker that does not exist"),
                             ((1, 2), ValueError, "the last epoch"), ((1, "1"), TypeError, "a str epoch")))),
    spec("tensorboard_logs.read_scalars", fn("tensorboard_logs", "read_scalars"), check_valid=False,
         log_dir=Arg(_LOG_DIR, path(None).bads + only(("/no/such/folder", ValueError, "a missing folder"),
                                                      (L(lambda c: tempfile.mkdtemp()), ValueError, "a folder without logs")))),
    spec("tensorboard_logs.TensorBoardServer", fn("tensorboard_logs", "TensorBoardServer"), log_dir=Arg(_LOG_DIR,
         path(None).bads + only(("/no/such/folder", ValueError, "a missing folder"))),
         port=integer(None, 1024, 65535, none=True), timeout=number(60.0, 0.0, open_min=True)),
    spec("tensorboard_logs.TensorBoardServer.start", lambda c: _mod("tensorboard_logs").TensorBoardServer(tempfile.mkdtemp()).start,
         check_valid=False),
    spec("tensorboard_logs.TensorBoardServer.stop", lambda c: _mod("tensorboard_logs").TensorBoardServer(tempfile.mkdtemp()).stop),
]


# -------------------------------------------------------------------------------------- dialogue
@functools.cache
def _dialogue():
    """The course FAQ, its TF-IDF retriever, a tiny untrained encoder and its vocabulary, and an Assistant."""
    from lmtutor import dialogue, dialogue_data, retrieval, text

    faq = dialogue_data.load_faq()
    vocab = text.Vocab.build([retrieval.features(d) for d in faq.documents()[0]])
    encoder = dialogue.build_encoder(len(vocab), len(faq.entries), dim=4)
    tfidf = dialogue.TfidfRetriever(faq)
    return dict(faq=faq, vocab=vocab, encoder=encoder, tfidf=tfidf, assistant=dialogue.Assistant(faq, tfidf, 0.1))


DIALOGUE = lambda key: L(lambda c: _dialogue()[key])  # noqa: E731
FAQ_ARG = instance(DIALOGUE("faq"))
RETRIEVER_ARG = Arg(DIALOGUE("tfidf"), only((None, TypeError, "None"), ("tfidf", TypeError, "a str"),
                                            (L(lambda c: c.vocab), TypeError, "no scores method")))
TEXTS = strings(["What is perplexity?", "什么是困惑度？"])
SPECS += [
    spec("dialogue.TfidfRetriever", fn("dialogue", "TfidfRetriever"), faq=FAQ_ARG),
    spec("dialogue.TfidfRetriever.scores", lambda c: _dialogue()["tfidf"].scores, texts=TEXTS),
    spec("dialogue.VectorRetriever", fn("dialogue", "VectorRetriever"), faq=FAQ_ARG, words=tokens(["model", "困"]),
         vectors=array(np.eye(2), shape_bads=[(np.ones(2), "1-D"), (np.ones((3, 2)), "a row too many")])),
    spec("dialogue.VectorRetriever.scores",
         lambda c: _mod("dialogue").VectorRetriever(_dialogue()["faq"], ["model", "困"], np.eye(2)).scores, texts=TEXTS),
    spec("dialogue.question_ids", fn("dialogue", "question_ids"), texts=TEXTS,
         vocab=instance(DIALOGUE("vocab")), max_len=integer(8, 2, 4_096)),
    spec("dialogue.build_encoder", fn("dialogue", "build_encoder"), vocab_size=integer(20, 5, 10_000_000),
         n_entries=integer(3, 2, 100_000), dim=integer(4, 1, 65_536), learning_rate=number(0.01, 0.0, open_min=True),
         seed=seed(0)),
    spec("dialogue.EncoderRetriever", fn("dialogue", "EncoderRetriever"), model=model_arg(DIALOGUE("encoder")),
         vocab=instance(DIALOGUE("vocab"), more=[B(L(lambda c: c.vocab), ValueError, "another vocabulary")])),
    spec("dialogue.EncoderRetriever.scores",
         lambda c: _mod("dialogue").EncoderRetriever(_dialogue()["encoder"], _dialogue()["vocab"]).scores, texts=TEXTS),
    spec("dialogue.Scored", fn("dialogue", "Scored"),
         scores=array(np.ones((2, 3)), empty=False, shape_bads=[(np.ones(3), "1-D")]),
         gold=Arg(np.array([0, -1]), only((None, ValueError, "None"), (np.array([0, 3]), ValueError, "past the entries"),
                                          (np.array([0.5, 1.0]), ValueError, "floats"), (np.array([0]), ValueError, "one short")),),
         lang=Arg(np.array(["en", "zh"]), only((np.array(["en", "fr"]), ValueError, "French"), (np.array(["en"]), ValueError, "one short")))),
    spec("dialogue.Scored.ranking", lambda c: _mod("dialogue").Scored(np.eye(2), np.array([0, 1]), np.array(["en", "zh"])).ranking,
         lang=choice("en")),
    spec("dialogue.score_questions", fn("dialogue", "score_questions"), retriever=RETRIEVER_ARG, faq=FAQ_ARG,
         questions=Arg(L(lambda c: [_mod("dialogue_data").Question("What is perplexity?", "en", "perplexity")]),
                       only((None, TypeError, "None"), ([], TypeError, "empty"), ("hi", TypeError, "a str"),
                            (["hi"], TypeError, "a str inside"),
                            (L(lambda c: [_mod("dialogue_data").Question("hi", "en", "nope")]), ValueError, "an unknown entry")))),
    spec("dialogue.fill_slot", fn("dialogue", "fill_slot"), entry=instance(L(lambda c: _dialogue()["faq"].entries[10])),
         question=string("How long does notebook 4 take?"), faq=FAQ_ARG, lang=choice("en")),
    spec("dialogue.Reply", fn("dialogue", "Reply"), text=string("hi"), kind=choice("answer"), lang=choice("en"),
         intent=Arg(None, only((3, TypeError, "an int"),)), entry=Arg(None, only((3, TypeError, "an int"),)),
         score=number(0.5), source=string("faq:greeting"), generated=Arg(OMIT, only((3, TypeError, "an int"),))),
    spec("dialogue.Assistant", fn("dialogue", "Assistant"), faq=FAQ_ARG, retriever=RETRIEVER_ARG, threshold=number(0.1),
         chitchat=Arg(None, only(("pairs", TypeError, "a str"), ({"fr": [("a", "b")]}, ValueError, "an unknown language"),
                                 ({"en": "a b"}, TypeError, "a str of pairs"), ({"en": [("a",)]}, TypeError, "a 1-tuple"))),
         generator=Arg(None, only((3, TypeError, "an int"), ("f", TypeError, "a str")))),
    spec("dialogue.Assistant.reply", lambda c: _dialogue()["assistant"].reply, question=string("What is perplexity?")),
]

# ----------------------------------------------------------------------------------------- tagging
TAG_LINES = [[("我们", "r"), ("爱", "v"), ("和平", "n"), ("。", "w")], [("他们", "r"), ("爱", "v"), ("工作", "vn"), ("。", "w")]]


@functools.cache
def _tag_codec():
    return _mod("tagging").TaggerCodec.build(TAG_LINES, min_freq=1)


@functools.cache
def _tagger():
    tg = _mod("tagging")
    return tg.build_tagger(tg.TaggerConfig.for_codec(_tag_codec(), word_dim=4, char_dim=4, hidden_size=4))


TAG_LINE_BADS = only((None, TypeError, "None"), ("我们/r 爱/v", TypeError, "a str"), ([], ValueError, "empty"),
                     ([[]], ValueError, "an empty line"), ([["我们", "r"]], TypeError, "a line of words"),
                     ([[("我们",)]], TypeError, "a one-item pair"), ([[("我们", "")]], TypeError, "an empty tag"),
                     ([[("我们", 3)]], TypeError, "an int tag"), (3, TypeError, "an int"))
TAG_SENTENCES = Arg([["我们", "爱", "和平"]], only((None, TypeError, "None"), ("我们爱和平", TypeError, "a str"), ([], ValueError, "empty"),
                                                ([[]], ValueError, "an empty sentence"), ([["我们", ""]], TypeError, "an empty word"),
                                                ([["我们", 3]], TypeError, "an int word"), (["我们", "爱"], TypeError, "a flat list of words")))
TAG_CODEC = instance(L(lambda c: _tag_codec()), more=[B(L(lambda c: _classify_codec()), TypeError, "a classification codec")])
SPECS += [
    spec("tagging.fix_tags", fn("tagging", "fix_tags"), lines=Arg(TAG_LINES, TAG_LINE_BADS)),
    spec("tagging.cut", fn("tagging", "cut"), lines=Arg(TAG_LINES, TAG_LINE_BADS), size=integer(2, 1, 1_000)),
    spec("tagging.load_tagging", fn("tagging", "load_tagging"), check_valid=False, fix=flag(True)),
    spec("tagging.MostFrequentTag", fn("tagging", "MostFrequentTag"), lines=Arg(TAG_LINES, TAG_LINE_BADS)),
    spec("tagging.MostFrequentTag.tag", lambda c: _mod("tagging").MostFrequentTag(TAG_LINES).tag,
         words=Arg(["爱", "新"], only((None, TypeError, "None"), ("爱", TypeError, "a str"), (["爱", ""], TypeError, "an empty word"),
                                     (["爱", 3], TypeError, "an int word")))),
    spec("tagging.tag_accuracy", fn("tagging", "tag_accuracy"), gold=Arg(TAG_LINES[:1], TAG_LINE_BADS),
         predicted=Arg([["r", "v", "n", "w"]], only((None, TypeError, "None"), ("rvnw", TypeError, "a str"), ([], ValueError, "no line"),
                                                    ([["r", "v"]], ValueError, "too few tags"), ([["r", "v", "n", 3]], TypeError, "an int tag"),
                                                    (["r", "v", "n", "w"], TypeError, "a flat list"))),
         train=Arg(TAG_LINES, TAG_LINE_BADS)),
    spec("tagging.TaggerCodec", fn("tagging", "TaggerCodec"),
         words=instance(L(lambda c: _tag_codec().words)), chars=instance(L(lambda c: _tag_codec().chars)),
         tags=Arg(("n", "r", "v"), only((None, TypeError, "None"), (["n", "v"], TypeError, "a list"), (("n",), ValueError, "one tag"),
                                        (("n", "n"), ValueError, "a repeated tag"), (("n", 3), ValueError, "an int tag")))),
    spec("tagging.TaggerCodec.build", fn("tagging", "TaggerCodec.build"), lines=Arg(TAG_LINES, TAG_LINE_BADS), min_freq=integer(1, 1)),
    spec("tagging.TaggerCodec.encode", lambda c: _tag_codec().encode,
         lines=Arg(TAG_LINES, TAG_LINE_BADS + only(([[("我们", "zz")]], ValueError, "a tag the codec lacks"))),
         size=integer(4, 1, 1_000), char_features=flag(True)),
    spec("tagging.TaggerCodec.inputs", lambda c: _tag_codec().inputs, sentences=TAG_SENTENCES, size=integer(4, 1, 1_000)),
    spec("tagging.TaggerConfig", fn("tagging", "TaggerConfig"), word_vocab_size=integer(20, 5, 10_000_000),
         char_vocab_size=integer(20, 5, 10_000_000), num_tags=integer(5, 2, 65_536), word_dim=integer(4, 1, 65_536),
         char_dim=integer(4, 1, 65_536), hidden_size=integer(4, 1, 65_536), char_features=flag(True),
         dropout=number(0.3, 0.0, 1.0, open_max=True), learning_rate=number(0.01, 0.0, open_min=True),
         decay_steps=integer(0, 0, 10**9), seed=seed(), encoder=choice("conv"), conv_layers=integer(2, 1, 32),
         conv_width=Arg(3, integer(None, 1, 31).bads + only((4, ValueError, "an even width")))),
    spec("tagging.TaggerConfig.for_codec", fn("tagging", "TaggerConfig.for_codec"), codec=TAG_CODEC),
    spec("tagging.build_tagger", fn("tagging", "build_tagger"), check_valid=False,
         config=instance(L(lambda c: _mod("tagging").TaggerConfig(20, 20, 5, word_dim=4, char_dim=4, hidden_size=4)),
                         more=[B(L(lambda c: _mod("classify").ClassifierConfig(20, 3)), TypeError, "a classifier config")])),
    spec("tagging.predict_tags", fn("tagging", "predict_tags"),
         model=model_arg(L(lambda c: _tagger()), more=[B(LSTM, ValueError, "a language model"),
                                                       B(L(lambda c: _text_classifier()), ValueError, "a text classifier")]),
         codec=TAG_CODEC, sentences=TAG_SENTENCES, size=integer(4, 1, 1_000, none=True), batch_size=integer(8, 1),
         lexicon=instance(None, none=True, more=[
             B(L(lambda c: _mod("tagging").MostFrequentTag([[("我们", "nr")]])), ValueError, "a lexicon of other tags"),
             B(L(lambda c: _tag_codec()), TypeError, "a codec")])),
]


@pytest.mark.parametrize("case, argument", cases(SPECS))
def test_bad_input_is_refused(case, argument, ctx):
    run(case, argument, ctx)


# ------------------------------------------------------------------ checks at the boundary only
def _counting(monkeypatch, module, name):
    """Replace ``module.name`` by a wrapper that counts its calls; return the counter (a list)."""
    calls, original = [], getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


@pytest.mark.parametrize("stepper", ["stepper", "gpt_stepper"])
def test_the_generation_loops_check_their_arguments_once_not_per_token(ctx, monkeypatch, stepper):
    """generate and beam_search check ids, logits and weights before the loop; a longer run makes
    no more checks (the loop runs the kernels: decoding._processed, rnn._lstm_cell, attention._attend)."""
    from lmtutor import _validate, attention, decoding, generate, rnn

    model = getattr(ctx, stepper)
    config = decoding.DecodingConfig(repetition_penalty=1.3, banned_ids=(0, 2, 3))  # never stops early
    counts = {}
    for max_tokens in (2, 6):
        counters = [_counting(monkeypatch, decoding, "_logits"), _counting(monkeypatch, decoding, "_token_ids"),
                    _counting(monkeypatch, rnn, "_array"), _counting(monkeypatch, attention, "check_array"),
                    _counting(monkeypatch, generate, "_check_ids"), _counting(monkeypatch, _validate, "check_ids")]
        generate.generate(model, [2, 4], max_tokens=max_tokens, config=config, stop_id=None)
        generate.beam_search(model, [2, 4], beam_width=2, max_tokens=max_tokens, stop_id=None)
        counts[max_tokens] = [len(c) for c in counters]
        monkeypatch.undo()
    assert counts[2] == counts[6], counts
