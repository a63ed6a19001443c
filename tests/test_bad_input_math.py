"""Bad input to the Math layer: ngram, embeddings, glove, evaluation, pca, rnn, losses, optim,
regularization, attention, decoding (machinery: tests/test_bad_input.py)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from test_bad_input import (  # noqa: I001
    B, L, fn, module as _mod,
    Arg, HUGE, INF, NAN, OMIT, array, cases, choice, flag, function, ids, instance, integer, number,
    only, run, seed, sentences, spec, string, strings, tokens,
)




SENTENCES = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat", "ran"]] * 3


class Context:
    """Small fitted models and arrays the cases call."""

    @functools.cached_property
    def ngram(self):
        return _mod("ngram").NGramLM(2).fit(SENTENCES)

    @functools.cached_property
    def embeddings(self):
        words = ("king", "queen", "man", "woman", "paris", "france")
        return _mod("embeddings").Embeddings(words, np.random.default_rng(0).normal(size=(6, 4)))

    @functools.cached_property
    def weights(self):
        return _mod("rnn").init_rnn_weights(3, 4, seed=0)

    @functools.cached_property
    def lstm_weights(self):
        return _mod("rnn").init_rnn_weights(3, 4, gates=4, seed=0)

    @functools.cached_property
    def inputs(self):
        return np.random.default_rng(1).normal(size=(2, 5, 3))

    @functools.cached_property
    def outputs(self):
        return _mod("rnn").rnn_forward(self.inputs, self.weights)

    @functools.cached_property
    def mha(self):
        rng = np.random.default_rng(2)
        shapes = [(6, 2, 3), (2, 3), (6, 2, 3), (2, 3), (6, 2, 3), (2, 3), (2, 3, 6), (6,)]
        return dict(zip(_mod("attention").PARAM_NAMES, (rng.normal(size=s) for s in shapes)))

    @functools.cached_property
    def x(self):
        return np.random.default_rng(3).normal(size=(2, 4, 6))

    def sgd(self):
        return _mod("optim").SGD(0.1)

    def adam(self):
        return _mod("optim").Adam(0.1)

    @functools.cached_property
    def stopper(self):
        return _mod("regularization").EarlyStopping(2)

    @functools.cached_property
    def glove_params(self):
        rng = np.random.default_rng(4)
        return dict(w=rng.normal(size=(5, 3)), w_tilde=rng.normal(size=(5, 3)), b=rng.normal(size=5),
                    b_tilde=rng.normal(size=5), rows=np.array([0, 1, 2]), cols=np.array([1, 2, 3]),
                    counts=np.array([1.0, 2.0, 0.5]))


@pytest.fixture(scope="module")
def ctx():
    return Context()


# ----------------------------------------------------------------------------------------- ngram
NGRAM = L(lambda c: c.ngram)
SPECS = [
    spec("ngram.NGramConfig", fn("ngram", "NGramConfig"), n=integer(2, 1, 20), smoothing=choice("add_k"),
         k=number(1.0, 0.0, open_min=True), discount=number(0.75, 0.0, 1.0, open_min=True),
         lambdas=Arg(None, only(("abc", TypeError, "a str"), ((0.5,), ValueError, "one weight"),
                                ((0.5, 0.25, 0.25, 0.0), ValueError, "n + 2 weights"), ((NAN, 0.5, 0.5), ValueError, "NaN"),
                                ((-0.1, 0.6, 0.5), ValueError, "a negative weight"), ((0.0, 0.5, 0.5), ValueError, "no uniform weight"),
                                ((0.2, 0.2, 0.2), ValueError, "not summing to 1"), (("a", 0.5, 0.5), TypeError, "a str inside"),
                                (0.5, TypeError, "a number"))),
         min_freq=integer(1, 1), max_vocab=integer(None, 4, none=True)),
    spec("ngram.default_lambdas", fn("ngram", "default_lambdas"), n=integer(3, 1, 20)),
    spec("ngram.NGramLM", fn("ngram", "NGramLM"), n=integer(2, 1, 20), smoothing=choice("interpolated_kn"),
         k=number(1.0, 0.0, open_min=True), discount=number(0.75, 0.0, 1.0, open_min=True),
         lambdas=Arg(None, only(("abc", TypeError, "a str"), ((0.5,), ValueError, "one weight"), (0.5, TypeError, "a number"),
                                ({0.5, 0.25}, TypeError, "a set"))),
         min_freq=integer(1, 1), max_vocab=integer(None, 4, none=True)),
    spec("ngram.NGramLM.fit", lambda c: _mod("ngram").NGramLM(2).fit,
         sentences=Arg(SENTENCES, sentences(None).bads + only(([[]], ValueError, "no tokens")))),
    spec("ngram.NGramLM.count", lambda c: c.ngram.count,
         ngram=Arg(["the", "cat"], tokens(None).bads + only(([], ValueError, "empty"), (["a", "b", "c"], ValueError, "longer than n")))),
    spec("ngram.NGramLM.continuation_count", lambda c: c.ngram.continuation_count,
         ngram=Arg(["cat"], tokens(None).bads + only(([], ValueError, "empty"), (["a", "b"], ValueError, "as long as n")))),
    spec("ngram.NGramLM.prob", lambda c: c.ngram.prob, word=string("cat"), context=tokens(["the"])),
    spec("ngram.NGramLM.distribution", lambda c: c.ngram.distribution, context=tokens(["the"])),
    spec("ngram.NGramLM.log_prob", lambda c: c.ngram.log_prob, sentence=tokens(["the", "cat"])),
    spec("ngram.NGramLM.cross_entropy", lambda c: c.ngram.cross_entropy, sentences=sentences([["the", "cat"]])),
    spec("ngram.NGramLM.perplexity", lambda c: c.ngram.perplexity, sentences=sentences([["the", "cat"]])),
    spec("ngram.NGramLM.bits_per_token", lambda c: c.ngram.bits_per_token, sentences=sentences([["the", "cat"]])),
    spec("ngram.NGramLM.sample", lambda c: c.ngram.sample, prompt=tokens(["the"]),
         max_tokens=integer(5, 1, 100_000), temperature=number(1.0, 0.0, open_min=True, outside=(1e-310,)), seed=seed()),
    spec("ngram.kn_baseline", fn("ngram", "kn_baseline"), check_valid=False, corpus_name=choice("lee_chars"),
         n=integer(3, 1, 20, none=True)),
]

# ------------------------------------------------------------------------------------ embeddings
EMB = L(lambda c: c.embeddings)
VECTORS_BAD = [B(None, TypeError, "None"), B("king", TypeError, "a str"), B(np.eye(3), TypeError, "a bare array"),
               B({"king": [1.0]}, TypeError, "a dict")]
WORDS = ("a", "b", "c")
SPECS += [
    spec("embeddings.Embeddings", fn("embeddings", "Embeddings"),
         words=Arg(WORDS, only((None, TypeError, "None"), ("abc", TypeError, "a str (it would be 3 one-letter words)"),
                               ((1, 2, 3), TypeError, "ints"), (("a", "a", "b"), ValueError, "a repeated word"),
                               (("a", "b"), ValueError, "one word too few"), ({"a", "b", "c"}, TypeError, "a set"))),
         vectors=array(np.ones((3, 2)), shape_bads=[(np.ones((2, 2)), "one row too few"), (np.ones(3), "1-D")])),
    spec("embeddings.Embeddings.to_keyed_vectors", lambda c: c.embeddings.to_keyed_vectors),
    spec("embeddings.as_embeddings", fn("embeddings", "as_embeddings"), vectors=Arg(EMB, VECTORS_BAD)),
    spec("embeddings.build_vocab", fn("embeddings", "build_vocab"), sentences=sentences(SENTENCES),
         min_count=Arg(1, integer(None, 1).bads + only((100, ValueError, "no word that frequent")))),
    spec("embeddings.encode", fn("embeddings", "encode"), sentences=sentences(SENTENCES, empty=True),
         words=Arg(["the", "cat"], tokens(None, empty=False).bads + only((["the", "the"], ValueError, "a repeated word")))),
    spec("embeddings.keep_probabilities", fn("embeddings", "keep_probabilities"),
         counts=array(np.array([5, 3, 1]), empty=False, shape_bads=[(np.array([5, -1]), "a negative count"),
                                                                   (np.array([5, 0]), "a zero count"),
                                                                   (np.ones((2, 2)), "2-D")]),
         sample=number(1e-3, 0.0)),
    spec("embeddings.sgns_loss_and_grads", fn("embeddings", "sgns_loss_and_grads"),
         v_c=array(np.ones((2, 3)), empty=False, shape_bads=[(np.ones((3, 3)), "another batch"), (np.ones(3), "1-D")]),
         u_o=array(np.ones((2, 3)), empty=False, shape_bads=[(np.ones((2, 4)), "another width")]),
         u_neg=array(np.ones((2, 5, 3)), empty=False, shape_bads=[(np.ones((2, 3)), "2-D"), (np.ones((2, 5, 4)), "another width")])),
    spec("embeddings.SGNSConfig", fn("embeddings", "SGNSConfig"), vector_size=integer(50, 1, 65_536),
         window=integer(5, 1, 10_000), negative=integer(5, 1, 1_000), min_count=integer(5, 1),
         sample=number(1e-3, 0.0), epochs=integer(3, 1, 100_000), alpha=number(0.025, 0.0, open_min=True),
         min_alpha=number(1e-4, 0.0, outside=(0.5,)), batch_size=integer(1024, 1, 10_000_000), shuffle=flag(True),
         one_table=flag(False), ns_exponent=number(0.75), seed=seed()),
    spec("embeddings.SGNSResult", fn("embeddings", "SGNSResult"), embeddings=instance(EMB),
         context_vectors=array(np.zeros((6, 4)), shape_bads=[(np.zeros((5, 4)), "another number of rows")]),
         losses=Arg((0.5,), only((None, TypeError, "None"), ([0.5], TypeError, "a list"), ((True,), TypeError, "a bool"),
                                 (("a",), TypeError, "a str"))),
         seconds=number(1.0, 0.0)),
    spec("embeddings.train_sgns", fn("embeddings", "train_sgns"), sentences=sentences(SENTENCES),
         config=instance(L(lambda c: _mod("embeddings").SGNSConfig(vector_size=4, min_count=1, epochs=1)),
                         more=[B(L(lambda c: _mod("glove").GloVeConfig()), TypeError, "a GloVeConfig")])),
    spec("embeddings.keras_embedding", fn("embeddings", "keras_embedding"), check_valid=False,
         embeddings=Arg(EMB, VECTORS_BAD), trainable=flag(False), name=string(None, none=True, empty=False)),
]

# ----------------------------------------------------------------------------------------- glove
GP = lambda key: L(lambda c: c.glove_params[key])  # noqa: E731
SPECS += [
    spec("glove.cooccurrence", fn("glove", "cooccurrence"),
         ids=ids(np.array([0, 1, 2, 1]), 3, empty=True, none=False),
         sentence_ids=Arg(np.array([0, 0, 0, 1]), only((None, TypeError, "None"), ("abc", TypeError, "a str"),
                                                      (np.array([0, 0, 1]), ValueError, "one id too few"),
                                                      (np.array([0.0, 0.0, 0.0, 1.0]), TypeError, "floats"),
                                                      (np.array([0, 0, -1, 1]), ValueError, "negative"),
                                                      (np.array([1, 0, 0, 1]), ValueError, "not in order"))),
         vocab_size=integer(3, 1, 10_000_000),
         window=integer(2, 1)),
    spec("glove.weighting", fn("glove", "weighting"),
         x=array(np.array([1.0, 50.0, 200.0]), shape_bads=[(np.array([-1.0]), "a negative count")]),
         x_max=number(100.0, 0.0, open_min=True), alpha=number(0.75, 0.0)),
    spec("glove.glove_loss", fn("glove", "glove_loss"),
         w=array(GP("w"), empty=False, shape_bads=[(np.ones(5), "1-D"), (np.ones((5, 4)), "another width")]),
         w_tilde=array(GP("w_tilde"), empty=False, shape_bads=[(np.ones((4, 3)), "another number of rows")]),
         b=array(GP("b"), empty=False, shape_bads=[(np.ones(4), "one bias too few"), (np.ones((5, 1)), "2-D")]),
         b_tilde=array(GP("b_tilde"), empty=False, shape_bads=[(np.ones(6), "one bias too many")]),
         rows=Arg(GP("rows"), only((None, TypeError, "None"), (np.array([0.5, 1, 2]), TypeError, "floats"),
                                   (np.array([0, 1, 5]), ValueError, "a row outside the table"),
                                   (np.array([0, 1]), ValueError, "one row too few"))),
         cols=Arg(GP("cols"), only((None, TypeError, "None"), (np.array([0, -1, 2]), ValueError, "a negative column"))),
         counts=array(GP("counts"), shape_bads=[(np.array([1.0, 0.0, 1.0]), "a zero count"), (np.array([1.0, 2.0]), "too few")]),
         x_max=number(100.0, 0.0, open_min=True), alpha=number(0.75, 0.0)),
    spec("glove.GloVeConfig", fn("glove", "GloVeConfig"), vector_size=integer(50, 1, 65_536), window=integer(10, 1, 10_000),
         min_count=integer(5, 1), x_max=number(100.0, 0.0, open_min=True), alpha=number(0.75, 0.0),
         learning_rate=number(0.05, 0.0, open_min=True), epochs=integer(10, 1, 100_000),
         batch_size=integer(4096, 1, 10_000_000), seed=seed()),
    spec("glove.GloVeResult", fn("glove", "GloVeResult"), embeddings=instance(EMB),
         parameters=Arg({}, only((None, TypeError, "None"), ([], TypeError, "a list"))),
         losses=Arg((0.5,), only((None, TypeError, "None"), ((None,), TypeError, "None inside"), ([1.0], TypeError, "a list"))),
         seconds=number(1.0, 0.0)),
    spec("glove.train_glove", fn("glove", "train_glove"), sentences=sentences(SENTENCES),
         config=instance(L(lambda c: _mod("glove").GloVeConfig(vector_size=4, min_count=1, epochs=1)),
                         more=[B(L(lambda c: _mod("embeddings").SGNSConfig()), TypeError, "an SGNSConfig")])),
]

# ------------------------------------------------------------------------------------ evaluation
SPECS += [
    spec("evaluation.cosine_similarity", fn("evaluation", "cosine_similarity"),
         a=array(np.array([1.0, 2.0]), empty=False, shape_bads=[(np.ones(3), "another length"), (np.ones((2, 2)), "2-D")]),
         b=array(np.array([2.0, 1.0]), empty=False, shape_bads=[(np.ones(3), "another length")])),
    spec("evaluation.PairResult", fn("evaluation", "PairResult"), benchmark=string("custom", empty=False),
         spearman=Arg(0.5, [b for b in number(None, -1.0, 1.0).bads if b.label != "NaN"]), covered=integer(3, 1), skipped=integer(0, 0)),
    spec("evaluation.evaluate_word_pairs", fn("evaluation", "evaluate_word_pairs"), vectors=Arg(EMB, VECTORS_BAD),
         pairs=Arg([("king", "queen", 8.0), ("man", "woman", 7.0), ("paris", "king", 1.0)],
                   only((None, TypeError, "None"), ("men3000", ValueError, "an unknown benchmark"), (3, TypeError, "an int"),
                        ([("king", "queen")], ValueError, "a pair without a score"), ([("king", "queen", "high")], TypeError, "a str score"),
                        ([("king", "queen", NAN)], ValueError, "a NaN score"), ([("king", 3, 1.0)], TypeError, "an int word"),
                        ([], ValueError, "empty"), (["king queen 8"], TypeError, "a str row"),
                        ([("zzz", "yyy", 1.0)], ValueError, "no pair covered")))),
    spec("evaluation.AnalogyResult", fn("evaluation", "AnalogyResult"), accuracy=number(0.5, 0.0, 1.0),
         correct=integer(1, 0), covered=integer(2, 0), skipped=integer(0, 0),
         sections=Arg({"s": (1, 2)}, only((None, TypeError, "None"), ({"s": 1}, TypeError, "an int value"),
                                           ({"s": (3, 2)}, ValueError, "more correct than covered")))),
    spec("evaluation.analogy_answers", fn("evaluation", "analogy_answers"), vectors=Arg(EMB, VECTORS_BAD),
         questions=Arg([("man", "king", "woman")],
                       only((None, TypeError, "None"), ("man king woman", TypeError, "a str"), ([("man", "king")], ValueError, "two words"),
                            ([("man", "king", 3)], TypeError, "an int word"), ([("man", "king", "zzz")], ValueError, "a word not in vectors"),
                            (["man"], TypeError, "a str question"), (3, TypeError, "an int")))),
    spec("evaluation.evaluate_analogies", fn("evaluation", "evaluate_analogies"), vectors=Arg(EMB, VECTORS_BAD),
         sections=Arg({"royal": [("man", "king", "woman", "queen")]},
                      only(("royal", TypeError, "a str"), ([("man", "king", "woman", "queen")], TypeError, "a list, not a dict"),
                           ({"royal": [("man", "king", "woman")]}, ValueError, "three words"),
                           ({"royal": [("man", "king", "woman", 3)]}, TypeError, "an int word"),
                           ({"royal": "man king woman queen"}, TypeError, "a str section"),
                           ({3: [("man", "king", "woman", "queen")]}, TypeError, "an int section name"),
                           ({}, ValueError, "no section"), ({"royal": [("zz", "yy", "xx", "ww")]}, ValueError, "nothing covered")))),
    spec("evaluation.nearest_neighbours", fn("evaluation", "nearest_neighbours"), vectors=Arg(EMB, VECTORS_BAD),
         word=Arg("king", string(None, empty=False).bads + only(("zzz", ValueError, "a word not in vectors"))),
         topn=integer(3, 1)),
    spec("pca.project", fn("pca", "project"),
         vectors=array(np.random.default_rng(0).normal(size=(5, 3)), shape_bads=[(np.ones(3), "1-D"), (np.ones((1, 3)), "one row"),
                                                                              (np.ones((2, 2, 2)), "3-D")]),
         components=integer(2, 1, 3)),
]

# ------------------------------------------------------------------------------------------- rnn
RNN_W = L(lambda c: c.weights)
LSTM_W = L(lambda c: c.lstm_weights)
WEIGHT_BADS = only((None, TypeError, "None"), ("kernel", TypeError, "a str"), ([1, 2], TypeError, "two items"),
                   ({"kernel": np.ones((3, 4))}, ValueError, "missing keys"))


def _weights_with(key, value, lstm=False):
    return L(lambda c: {**(c.lstm_weights if lstm else c.weights), key: value})


WEIGHT_BADS_RNN = WEIGHT_BADS + [
    B(_weights_with("kernel", np.full((3, 4), NAN)), ValueError, "a NaN kernel", "kernel"),
    B(_weights_with("bias", np.zeros(4, dtype=complex)), TypeError, "a complex bias", "bias"),
    B(_weights_with("recurrent_kernel", np.ones((4, 4), dtype=bool)), TypeError, "a bool recurrent_kernel", "recurrent_kernel"),
    B(_weights_with("kernel", np.ones((5, 4))), ValueError, "a kernel of another input size", "kernel")]
WEIGHT_BADS_LSTM = WEIGHT_BADS + [
    B(_weights_with("kernel", np.full((3, 16), INF), lstm=True), ValueError, "an inf kernel", "kernel"),
    B(_weights_with("bias", np.zeros(4), lstm=True), ValueError, "an RNN-sized bias", "bias")]
X_T = np.ones((2, 3))
H = np.zeros((2, 4))
SPECS += [
    spec("rnn.init_rnn_weights", fn("rnn", "init_rnn_weights"), input_size=integer(3, 1, 65_536),
         hidden_size=integer(4, 1, 65_536), scale=number(1.0, 0.0), gates=integer(1, 1, 4), seed=seed()),
    spec("rnn.rnn_step", fn("rnn", "rnn_step"),
         x_t=array(X_T, shape_bads=[(np.ones(3), "1-D"), (np.ones((2, 5)), "another input size")]),
         h_prev=array(H, none=True, shape_bads=[(np.zeros((3, 4)), "another batch"), (np.zeros(4), "1-D")]),
         weights=Arg(RNN_W, WEIGHT_BADS_RNN)),
    spec("rnn.rnn_forward", fn("rnn", "rnn_forward"),
         inputs=array(L(lambda c: c.inputs), shape_bads=[(np.ones((2, 3)), "2-D"), (np.ones((2, 0, 3)), "no time step"),
                                                         (np.ones((2, 5, 4)), "another input size")]),
         weights=Arg(RNN_W, WEIGHT_BADS_RNN),
         initial_state=array(None, like=H, none=True, shape_bads=[(np.zeros((3, 4)), "another batch")])),
    spec("rnn.rnn_backward", fn("rnn", "rnn_backward"),
         inputs=array(L(lambda c: c.inputs), shape_bads=[(np.ones((2, 3)), "2-D")]), weights=Arg(RNN_W, WEIGHT_BADS_RNN),
         outputs=array(L(lambda c: c.outputs), shape_bads=[(np.zeros((2, 4, 4)), "one step short")]),
         grad_outputs=array(L(lambda c: np.ones_like(c.outputs)), shape_bads=[(np.zeros((2, 5, 3)), "another hidden size")]),
         initial_state=array(None, like=H, none=True, shape_bads=[(np.zeros((2, 5)), "another hidden size")])),
    spec("rnn.clip_by_global_norm", fn("rnn", "clip_by_global_norm"),
         grads=Arg({"kernel": np.ones((3, 4)), "bias": np.ones(4)},
                   only((None, TypeError, "None"), ("kernel", TypeError, "a str"), (np.ones(3), TypeError, "a bare array"),
                        ({"kernel": np.full(3, NAN)}, ValueError, "a NaN gradient"), ([np.ones(2), np.full(2, INF)], ValueError, "an inf gradient"),
                        ({"kernel": np.ones(2, dtype=complex)}, TypeError, "a complex gradient"),
                        ([np.ones(2, dtype=bool)], TypeError, "a bool gradient"), ({}, ValueError, "no gradient"),
                        ([None], TypeError, "None inside"), (["abc"], TypeError, "a str inside"))),
         max_norm=number(1.0, 0.0, open_min=True)),
    spec("rnn.train_recall_sgd", fn("rnn", "train_recall_sgd"), clip_norm=number(1.0, 0.0, open_min=True, none=True),
         steps=integer(2, 1, 10_000), learning_rate=number(0.3, 0.0, open_min=True), length=integer(3, 1, 1_000),
         hidden_size=integer(4, 1, 1_024), scale=number(2.0, 0.0), seed=seed()),
    spec("rnn.numerical_gradient", fn("rnn", "numerical_gradient"),
         loss_fn=Arg(lambda: 1.0, function(None).bads + only((lambda: float("nan"), ValueError, "a NaN loss"),
                                                             (lambda: "x", TypeError, "a str loss"),
                                                             (lambda x: 1.0, TypeError, "a function of one argument"))),
         array=Arg(L(lambda c: np.ones(3)), only((None, TypeError, "None"), ([1.0, 2.0], TypeError, "a list"),
                                               (L(lambda c: np.ones(3, dtype=np.float32)), TypeError, "float32"),
                                               (L(lambda c: np.array([1.0, NAN])), ValueError, "NaN inside"),
                                               (L(lambda c: np.ones(3, dtype=int)), TypeError, "ints"),
                                               (L(lambda c: np.ones(10**6)), ValueError, "a million entries to probe"))),
         eps=number(1e-6, 0.0, 0.1, open_min=True)),
    spec("rnn.relative_error", fn("rnn", "relative_error"),
         analytic=array(np.array([1.0, 2.0]), shape_bads=[(np.ones(3), "another shape")]),
         numeric=array(np.array([1.0, 2.0]), shape_bads=[(np.ones((2, 1)), "another shape")])),
    spec("rnn.gradient_check", fn("rnn", "gradient_check"),
         loss_fn=Arg(L(lambda c: (lambda p=c.__dict__.setdefault("gc_param", np.ones(2)): float(np.sum(p ** 2)))),
                     function(None).bads + only((L(lambda c: (lambda: float("nan"))), ValueError, "a NaN loss"))),
         params=Arg(L(lambda c: {"p": c.__dict__.setdefault("gc_param", np.ones(2))}),
                    only((None, TypeError, "None"), ([np.ones(2)], TypeError, "a list"), ({}, ValueError, "empty"),
                         ({"p": [1.0, 2.0]}, TypeError, "a list param"), ({"p": np.ones(2, dtype=np.float32)}, TypeError, "float32"))),
         grads=Arg({"p": np.array([2.0, 2.0])},
                   only((None, TypeError, "None"), ({}, ValueError, "no gradient for p"), ({"p": np.array([NAN, 2.0])}, ValueError, "a NaN gradient"),
                        ({"p": np.ones(3)}, ValueError, "another shape"), ({"p": np.ones(2, dtype=complex)}, TypeError, "complex"),
                        ({"p": "abc"}, TypeError, "a str"), ([np.ones(2)], TypeError, "a list"))),
         eps=number(1e-6, 0.0, 0.1, open_min=True)),
    spec("rnn.lstm_step", fn("rnn", "lstm_step"),
         x_t=array(X_T, shape_bads=[(np.ones(3), "1-D")]),
         h_prev=array(H, none=True, shape_bads=[(np.zeros((2, 5)), "another hidden size")]),
         c_prev=array(H, none=True, shape_bads=[(np.zeros((1, 4)), "another batch")]),
         weights=Arg(LSTM_W, WEIGHT_BADS_LSTM)),
    spec("rnn.lstm_forward", fn("rnn", "lstm_forward"),
         inputs=array(L(lambda c: c.inputs), shape_bads=[(np.ones((5, 3)), "2-D")]), weights=Arg(LSTM_W, WEIGHT_BADS_LSTM),
         initial_state=Arg(None, only(("h", TypeError, "a str"), (np.zeros((2, 4)), TypeError, "one array, not a pair"),
                                      ((np.zeros((2, 4)),), TypeError, "one state"),
                                      ((np.zeros((2, 4)), np.full((2, 4), NAN)), ValueError, "a NaN c_0"),
                                      ((np.zeros((2, 4)), np.zeros((2, 4), dtype=complex)), TypeError, "a complex c_0")))),
]

# ---------------------------------------------------------------------------------------- losses
LOGITS = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
PROBS = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])


def labels_arg():
    return Arg(np.array([1, 2]), only((None, TypeError, "None"), ("ab", TypeError, "a str"), (np.array([1.5, 2.0]), TypeError, "fractional floats"),
                                      (np.array([True, False]), TypeError, "booleans"), ([1, True], TypeError, "a bool inside"),
                                      (np.array([1, 3]), ValueError, "an id = vocabulary size"), (np.array([-1, 0]), ValueError, "a negative id"),
                                      (np.array([1, 2, 0]), ValueError, "one label too many"), (np.array([1 + 0j, 2]), TypeError, "complex"),
                                      (np.array([NAN, 1.0]), TypeError, "NaN")))


def axis_arg(valid=-1):
    return Arg(valid, only((None, TypeError, "None"), (2, ValueError, "an axis past the last"), (-3, ValueError, "an axis before the first"),
                           (1.0, TypeError, "a float"), (True, TypeError, "a bool"), ("0", TypeError, "a str"), ((0, 1), TypeError, "a tuple")))


def epsilon_arg():
    return number(1e-7, 0.0, outside=(0.5, 0.7))


SPECS += [
    spec("losses.softmax", fn("losses", "softmax"), logits=array(LOGITS, empty=False), axis=axis_arg()),
    spec("losses.log_softmax", fn("losses", "log_softmax"), logits=array(LOGITS, empty=False), axis=axis_arg(),
         allow_removed=flag(False)),
    spec("losses.sigmoid", fn("losses", "sigmoid"), z=array(LOGITS)),
    spec("losses.sparse_cross_entropy", fn("losses", "sparse_cross_entropy"), labels=labels_arg(),
         logits=array(LOGITS, empty=False, shape_bads=[(np.ones(3), "1-D for two labels")])),
    spec("losses.sparse_cross_entropy_from_probs", fn("losses", "sparse_cross_entropy_from_probs"), labels=labels_arg(),
         probs=array(PROBS, empty=False, shape_bads=[(LOGITS, "logits, not probabilities"), (PROBS * 0.5, "rows not summing to 1")]),
         epsilon=epsilon_arg()),
    spec("losses.cross_entropy", fn("losses", "cross_entropy"),
         targets=array(np.eye(3)[[1, 2]], shape_bads=[(np.eye(3), "another shape")]), logits=array(LOGITS, empty=False)),
    spec("losses.cross_entropy_from_probs", fn("losses", "cross_entropy_from_probs"),
         targets=array(np.eye(3)[[1, 2]], shape_bads=[(np.eye(2), "another shape")]),
         probs=array(PROBS, empty=False, shape_bads=[(-PROBS, "negative")]), epsilon=epsilon_arg()),
    spec("losses.mse", fn("losses", "mse"), targets=array(np.eye(3)[[1, 2]], shape_bads=[(np.ones(3), "another shape")]),
         predictions=array(PROBS, empty=False)),
    spec("losses.cross_entropy_grad", fn("losses", "cross_entropy_grad"), labels=labels_arg(), logits=array(LOGITS, empty=False)),
    spec("losses.mse_on_probs_grad", fn("losses", "mse_on_probs_grad"), labels=labels_arg(), logits=array(LOGITS, empty=False)),
    spec("losses.perplexity", fn("losses", "perplexity"), mean_loss=number(2.0, 0.0)),
    spec("losses.bits_per_token", fn("losses", "bits_per_token"), mean_loss=number(2.0, 0.0)),
]

# ----------------------------------------------------------------------------------------- optim
POINT = np.array([1.0, -0.5])
LR = lambda valid=0.1: Arg(valid, number(None, 0.0, open_min=True).bads + only(((lambda step: 0.1, 2), TypeError, "a tuple")))  # noqa: E731
EPS = lambda: number(1e-7, 0.0, 1.0)  # noqa: E731
BETA = lambda valid: number(valid, 0.0, 1.0, open_max=True)  # noqa: E731
WD = lambda: number(None, 0.0, none=True)  # noqa: E731
SURFACE = lambda: Arg(L(lambda c: _mod("optim").rosenbrock), function(None).bads + only(  # noqa: E731
    (lambda params: 1.0, TypeError, "a function that returns a number"),
    (lambda params: (1.0, np.ones(3)), ValueError, "a gradient of the wrong shape"),
    (lambda: (1.0, np.ones(2)), TypeError, "a function of no argument")))
START = lambda: array([-1.5, 2.0], shape_bads=[([1.0, 2.0, 3.0], "three coordinates"), ([[1.0, 2.0]], "2-D")])  # noqa: E731


def _step_params():
    arg = array(POINT, shape_bads=[(np.ones(3), "another shape than grads")])
    arg.bads = [b for b in arg.bads if b.label != "a ragged list"]  # a list of arrays of any shapes is valid
    return arg


SPECS += [
    spec("optim.Optimizer", fn("optim", "Optimizer"), check_valid=False, learning_rate=LR(), weight_decay=WD()),
    spec("optim.Optimizer.current_learning_rate", lambda c: _mod("optim").SGD(lambda step: 0.1).current_learning_rate),
    spec("optim.Optimizer.step", lambda c: c.adam().step, params=_step_params(),
         grads=Arg(np.array([0.5, 0.5]), [b for b in array(POINT).bads if b.label != "a ragged list"] + only(
             (np.ones(3), ValueError, "another shape than params"), ([np.ones(2)], ValueError, "a list for one array")))),
    spec("optim.SGD", fn("optim", "SGD"), learning_rate=LR(), momentum=number(0.9, 0.0, 1.0, open_max=True),
         nesterov=flag(False), weight_decay=WD()),
    spec("optim.RMSProp", fn("optim", "RMSProp"), learning_rate=LR(), rho=BETA(0.9), epsilon=EPS(), weight_decay=WD()),
    spec("optim.Adam", fn("optim", "Adam"), learning_rate=LR(), beta_1=BETA(0.9), beta_2=BETA(0.999), epsilon=EPS(),
         weight_decay=WD()),
    spec("optim.AdamW", fn("optim", "AdamW"), learning_rate=LR(), weight_decay=number(0.004, 0.0), beta_1=BETA(0.9),
         beta_2=BETA(0.999), epsilon=EPS()),
    spec("optim.AdamWithoutSecondMoment", fn("optim", "AdamWithoutSecondMoment"), learning_rate=LR(), beta_1=BETA(0.9),
         beta_2=BETA(0.999), epsilon=EPS(), weight_decay=WD()),
    spec("optim.to_keras", fn("optim", "to_keras"), check_valid=False,
         optimizer=instance(L(lambda c: c.adam()), more=[B(L(lambda c: _mod("optim").AdamWithoutSecondMoment(0.1)), ValueError,
                                                           "the seed's Adam"),
                                                         B(L(lambda c: _mod("optim").SGD(lambda step: 0.1)), ValueError,
                                                           "a plain function as learning rate", "optimizer")])),
    spec("optim.ExponentialDecay", fn("optim", "ExponentialDecay"), initial_learning_rate=number(0.1, 0.0, open_min=True),
         decay_steps=integer(100, 1), decay_rate=number(0.9, 0.0, open_min=True), staircase=flag(False)),
    spec("optim.ExponentialDecay.to_keras", lambda c: _mod("optim").ExponentialDecay(0.1, 10, 0.5).to_keras, check_valid=False),
    spec("optim.PiecewiseConstant", fn("optim", "PiecewiseConstant"),
         boundaries=Arg((10, 20), only((None, TypeError, "None"), ("10", TypeError, "a str"), ((20, 10), ValueError, "decreasing"),
                                       ((10, 10), ValueError, "repeated"), ((10.5, 20), TypeError, "a float"),
                                       ((-1, 20), ValueError, "negative"), ((True, 20), TypeError, "a bool"), (10, TypeError, "an int"))),
         values=Arg((0.1, 0.05, 0.01), only((None, TypeError, "None"), ((0.1, 0.05), ValueError, "one value too few"),
                                            ((0.1, NAN, 0.01), ValueError, "NaN"), ("abc", TypeError, "a str"),
                                            ((0.1, 0.0, 0.01), ValueError, "a zero rate")))),
    spec("optim.PiecewiseConstant.to_keras", lambda c: _mod("optim").PiecewiseConstant((10,), (0.1, 0.01)).to_keras, check_valid=False),
    spec("optim.WarmupCosine", fn("optim", "WarmupCosine"), initial_learning_rate=number(0.0, 0.0),
         peak_learning_rate=number(0.1, 0.0, open_min=True), warmup_steps=integer(10, 0), decay_steps=integer(100, 1),
         alpha=number(0.0, 0.0, 1.0)),
    spec("optim.WarmupCosine.to_keras", lambda c: _mod("optim").WarmupCosine(0.0, 0.1, 10, 100).to_keras, check_valid=False),
    spec("optim.ill_conditioned_quadratic", fn("optim", "ill_conditioned_quadratic"),
         params=array(POINT, shape_bads=[(np.ones(3), "three coordinates")]), condition=number(20.0, 1.0)),
    spec("optim.rosenbrock", fn("optim", "rosenbrock"), params=array(POINT, shape_bads=[(np.ones((2, 1)), "2-D")])),
    spec("optim.trajectory", fn("optim", "trajectory"),
         optimizer=instance(L(lambda c: c.sgd()), more=[B(L(lambda c: _mod("optim").SGD), TypeError, "the class, not an instance")]),
         surface=SURFACE(), start=START(), steps=integer(5, 0, 100_000)),
    spec("optim.keras_trajectory", fn("optim", "keras_trajectory"), check_valid=False,
         keras_optimizer=instance(L(lambda c: __import__("keras").optimizers.SGD(0.01)),
                                  more=[B(L(lambda c: c.sgd()), TypeError, "an lmtutor optimizer")]),
         surface=SURFACE(), start=START(), steps=integer(2, 0, 10_000)),
]

# -------------------------------------------------------------------------------- regularization
SPECS += [
    spec("regularization.dropout_mask", fn("regularization", "dropout_mask"),
         shape=Arg((2, 3), only((None, TypeError, "None"), ("2", TypeError, "a str"), ((2.5, 3), TypeError, "a float"),
                                ((-1, 3), ValueError, "negative"), ((10**6, 10**6), ValueError, "a huge shape"),
                                ((True, 3), TypeError, "a bool"), ([[2]], TypeError, "nested"))),
         rate=number(0.5, 0.0, 1.0, open_max=True), seed=seed(generator=True)),
    spec("regularization.dropout", fn("regularization", "dropout"), activations=array(np.ones((2, 3))),
         rate=number(0.5, 0.0, 1.0, open_max=True), training=flag(True), seed=seed(generator=True)),
    spec("regularization.l2_penalty", fn("regularization", "l2_penalty"),
         params=Arg(np.ones((2, 3)), [b for b in array(np.ones((2, 3))).bads if b.label != "a ragged list"] + only(([np.ones(2), np.full(2, NAN)], ValueError, "NaN in the second"),
                                                      ([np.ones(2), "abc"], TypeError, "a str in the list"),
                                                      ([], ValueError, "no params"))),
         strength=number(1e-4, 0.0)),
    spec("regularization.l2_grad", fn("regularization", "l2_grad"), params=array(np.ones((2, 3))), strength=number(1e-4, 0.0)),
    spec("regularization.decoupled_weight_decay", fn("regularization", "decoupled_weight_decay"), params=array(np.ones(3)),
         learning_rate=number(0.1, 0.0, open_min=True), weight_decay=number(0.01, 0.0)),
    spec("regularization.EarlyStopping", fn("regularization", "EarlyStopping"), patience=integer(3, 0), min_delta=number(0.0, 0.0)),
    spec("regularization.EarlyStopping.update", lambda c: _mod("regularization").EarlyStopping(2).update, loss=number(1.0)),
    spec("regularization.EarlyStopping.stop_epoch", lambda c: c.stopper.stop_epoch,
         losses=Arg([3.0, 2.0, 2.5], only((None, TypeError, "None"), ("abc", TypeError, "a str"), ([], ValueError, "empty"),
                                          ([1.0, NAN], ValueError, "NaN"), ([1.0, "2"], TypeError, "a str inside"),
                                          ([1.0, True], TypeError, "a bool inside"), (3.0, TypeError, "a number"),
                                          (np.ones((2, 2)), ValueError, "2-D")))),
]

# ------------------------------------------------------------------------------------- attention
Q = np.random.default_rng(5).normal(size=(3, 4))
K = np.random.default_rng(6).normal(size=(5, 4))
MASK_BADS = [B(np.ones((3, 5)), TypeError, "a float mask"), B("causal", TypeError, "a str"),
             B(np.ones((4, 5), dtype=bool), ValueError, "a wrong shape"), B(np.ones((3, 5), dtype=complex), TypeError, "complex")]
SPECS += [
    spec("attention.scaled_dot_product_attention", fn("attention", "scaled_dot_product_attention"),
         query=array(Q, shape_bads=[(np.ones(4), "1-D"), (np.ones((3, 5)), "another d_k")]),
         key=array(K, shape_bads=[(np.ones((5, 3)), "another d_k")]),
         value=array(K, shape_bads=[(np.ones((4, 4)), "another number of rows")]),
         mask=Arg(None, MASK_BADS)),
    spec("attention.causal_mask", fn("attention", "causal_mask"), time=integer(4, 1, 4096)),
    spec("attention.padding_mask", fn("attention", "padding_mask"),
         ids=Arg(np.array([[2, 5, 0]]), only(("abc", TypeError, "a str"), (np.array([2, 5, 0]), ValueError, "1-D"),
                                            (np.array([[2.0, 5.0]]), TypeError, "floats"), (np.array([[True, False]]), TypeError, "booleans"),
                                            ([[2, 5], [1]], TypeError, "ragged"))),
         lengths=Arg(OMIT, only(("abc", TypeError, "a str"), ([2.5], TypeError, "a float"), ([-1], ValueError, "negative"),
                                ([[1, 2]], ValueError, "2-D"), ([True], TypeError, "a bool"),
                                ([10**9], ValueError, "huge"))),
         time=Arg(OMIT, only(("3", TypeError, "a str"), (2.5, TypeError, "a float"))),
         pad_id=integer(0, 0, none=False)),
    spec("attention.project_heads", fn("attention", "project_heads"),
         x=array(L(lambda c: c.x), shape_bads=[(np.ones((4, 6)), "2-D"), (np.ones((2, 4, 5)), "another width")]),
         kernel=array(L(lambda c: c.mha["query_kernel"]), shape_bads=[(np.ones((6, 6)), "2-D"), (np.ones((6, 2, 3, 1)), "4-D")]),
         bias=array(L(lambda c: c.mha["query_bias"]), shape_bads=[(np.ones(6), "1-D"), (np.ones((2, 3, 1)), "3-D")])),
    spec("attention.combine_heads", fn("attention", "combine_heads"),
         context=array(np.ones((2, 2, 4, 3)), shape_bads=[(np.ones((2, 4, 3)), "3-D"), (np.ones((2, 2, 4, 3, 1)), "5-D")]),
         kernel=array(L(lambda c: c.mha["output_kernel"]), shape_bads=[(np.ones((2, 3)), "2-D"), (np.ones((2, 3, 6, 1)), "4-D")]),
         bias=array(L(lambda c: c.mha["output_bias"]), shape_bads=[(np.ones((6, 1)), "2-D"), (np.ones(5), "another width")])),
    spec("attention.multi_head_attention", fn("attention", "multi_head_attention"),
         query=array(L(lambda c: c.x), shape_bads=[(np.ones((4, 6)), "2-D")]),
         value=array(L(lambda c: c.x), shape_bads=[(np.ones((3, 4, 6)), "another batch")]),
         params=Arg(L(lambda c: c.mha), only((None, TypeError, "None"), ("abc", TypeError, "a str"), ({}, ValueError, "no keys"),
                                            (L(lambda c: {**c.mha, "query_kernel": np.full((6, 2, 3), NAN)}), ValueError, "a NaN kernel"),
                                            (L(lambda c: {**c.mha, "output_bias": np.ones(6, dtype=complex)}), TypeError, "a complex bias"),
                                            (L(lambda c: {**c.mha, "query_bias": np.ones((2, 4))}), ValueError, "a bias of another size"))),
         key=array(None, like=L(lambda c: c.x), none=True, shape_bads=[(np.ones((2, 3, 6)), "another length than value")]),
         mask=Arg(None, [B(np.ones((2, 4, 4)), TypeError, "a float mask"), B(np.ones((2, 3, 4), dtype=bool), ValueError, "a wrong shape")]),
         use_causal_mask=flag(False)),
    spec("attention.sinusoidal_positions", fn("attention", "sinusoidal_positions"), time=integer(8, 1, 4096),
         d_model=Arg(4, integer(None, 2, 65_536).bads + only((5, ValueError, "odd"))), base=number(10000.0, 1.0, open_min=True)),
]

# -------------------------------------------------------------------------------------- decoding
Z = np.array([2.0, 1.0, 0.5, -1.0, 0.0])
LOGITS_BADS = [B(np.ones((2, 5)), ValueError, "2-D"), B(np.array([-INF] * 5), ValueError, "every token removed"),
               B(np.array([1.0, INF, 0.0]), ValueError, "+inf")]


def logits_arg():
    return Arg(Z, [b for b in array(Z, empty=False).bads if b.label != "an inf inside"] + LOGITS_BADS)


def previous_arg():
    return ids([2, 3], 5, empty=True)


CONFIG = L(lambda c: _mod("decoding").DecodingConfig(repetition_penalty=1.2))
CONFIG_BADS = instance(CONFIG).bads + [B(L(lambda c: _mod("decoding").DecodingConfig(banned_ids=(0, 1, 2, 3, 4))), ValueError,
                                         "a config that bans every token", "config"),
                                       B(L(lambda c: _mod("decoding").DecodingConfig(banned_ids=(9,))), ValueError,
                                         "a banned id outside the vocabulary", "config")]
SPECS += [
    spec("decoding.log_probabilities", fn("decoding", "log_probabilities"), logits=logits_arg()),
    spec("decoding.apply_temperature", fn("decoding", "apply_temperature"), logits=logits_arg(),
         temperature=number(0.7, 0.0, open_min=True, outside=(1e-320,))),
    spec("decoding.filter_top_k", fn("decoding", "filter_top_k"), logits=logits_arg(), k=integer(2, 1)),
    spec("decoding.filter_top_p", fn("decoding", "filter_top_p"), logits=logits_arg(), top_p=number(0.9, 0.0, 1.0, open_min=True)),
    spec("decoding.apply_repetition_penalty", fn("decoding", "apply_repetition_penalty"), logits=logits_arg(),
         previous_ids=previous_arg(), penalty=number(1.2, 0.0, open_min=True)),
    spec("decoding.DecodingConfig", fn("decoding", "DecodingConfig"), greedy=flag(False),
         temperature=number(1.0, 0.0, open_min=True), top_k=integer(None, 1, none=True),
         top_p=number(None, 0.0, 1.0, open_min=True, none=True), repetition_penalty=number(1.0, 0.0, open_min=True),
         banned_ids=Arg((0, 2), only((None, TypeError, "None"), ("02", TypeError, "a str"), ((0, -1), ValueError, "a negative id"),
                                     ((0, 2.0), TypeError, "a float id"), ((True,), TypeError, "a bool id"), (0, TypeError, "an int"),
                                     (((0, 2),), TypeError, "nested")))),
    spec("decoding.processed_logits", fn("decoding", "processed_logits"), logits=logits_arg(), config=Arg(CONFIG, CONFIG_BADS),
         previous_ids=previous_arg()),
    spec("decoding.probabilities", fn("decoding", "probabilities"), logits=logits_arg(), config=Arg(CONFIG, CONFIG_BADS),
         previous_ids=previous_arg()),
    spec("decoding.sample_next", fn("decoding", "sample_next"), logits=logits_arg(), config=Arg(CONFIG, CONFIG_BADS),
         rng=Arg(L(lambda c: np.random.default_rng(0)), only((None, TypeError, "None"), (0, TypeError, "a seed"),
                                                            (np.random.RandomState(0), TypeError, "a RandomState"))),
         previous_ids=previous_arg()),
]

# sentiment (notebook 11): data, lexicon and naive Bayes
_NB_DOCS = [["good", "fun"], ["bad"], ["dull", "bad"], ["good"]]
_NB = L(lambda c: _mod("sentiment").NaiveBayes().fit(_NB_DOCS, [1, 0, 0, 1]))
_LABELS = only((None, TypeError, "None"), ("01", TypeError, "a str"), ([0.0, 1.0, 0.0, 1.0], TypeError, "floats"),
               ([True, False, True, False], TypeError, "bools"), ([1, 0], ValueError, "too few"),
               ([1, 0, -1, 1], ValueError, "a negative class"), ([[1, 0, 0, 1]], ValueError, "2-D"))
SPECS += [
    spec("sentiment.text_key", fn("sentiment", "text_key"), text=string("A fun ride.")),
    spec("sentiment.overlap", fn("sentiment", "overlap"), texts=strings(["a", "b"], empty=True),
         others=strings(["a"], empty=True)),
    spec("sentiment.load", fn("sentiment", "load"), check_valid=False, language=choice("en"), seed=seed()),
    spec("sentiment.Part", fn("sentiment", "Part"), texts=strings(["good", "bad"], empty=True),
         labels=Arg([1, 0], _LABELS[:4] + only(([1], ValueError, "too few"), ([1, -1], ValueError, "negative")))),
    spec("sentiment.SentimentData", fn("sentiment", "SentimentData"), language=choice("en"),
         train=instance(L(lambda c: _mod("sentiment").Part(["a"], [1]))),
         valid=instance(L(lambda c: _mod("sentiment").Part(["b"], [0]))),
         test=instance(L(lambda c: _mod("sentiment").Part(["c"], [1]))),
         report=Arg({}, only((None, TypeError, "None"), ([], TypeError, "a list")))),
    spec("sentiment.lexicon_tokens", fn("sentiment", "lexicon_tokens"), text=string("质量不错"), language=choice("zh")),
    spec("sentiment.lexicon_score", fn("sentiment", "lexicon_score"), tokens=tokens(["not", "good"]),
         lexicon=Arg({"good": 1}, only((None, TypeError, "None"), (["good"], TypeError, "a list"),
                                       ({"good": "1"}, TypeError, "a str value"), ({"good": float("nan")}, ValueError, "NaN"),
                                       ({3: 1}, TypeError, "an int key"))),
         negators=Arg({"not"}, only((None, TypeError, "None"), ("not", TypeError, "a str"), ({3}, TypeError, "an int inside"),
                                    (3, TypeError, "an int"))),
         window=integer(3, 0, 1_000)),
    spec("sentiment.lexicon_predict", fn("sentiment", "lexicon_predict"), texts=strings(["good"], empty=True),
         language=choice("en"), tie=integer(1, 0, 1)),
    spec("sentiment.features", fn("sentiment", "features"), text=string("Not funny."), language=choice("en"),
         ngram_max=integer(2, 1, 5)),
    spec("sentiment.feature_ids", fn("sentiment", "feature_ids"),
         vocab=instance(L(lambda c: _mod("text").Vocab.build([["a", "b"]]))),
         docs=sentences([["a", "b"], ["c"]]), max_len=integer(4, 1, 10_000)),
    spec("sentiment.NaiveBayes", fn("sentiment", "NaiveBayes"), alpha=number(1.0, 0.0, open_min=True)),
    spec("sentiment.NaiveBayes.fit", lambda c: _mod("sentiment").NaiveBayes().fit,
         docs=sentences(_NB_DOCS), labels=Arg([1, 0, 0, 1], _LABELS)),
    spec("sentiment.NaiveBayes.log_probs", lambda c: _NB(c).log_probs, docs=sentences([["good"]], empty=True)),
    spec("sentiment.NaiveBayes.predict", lambda c: _NB(c).predict, docs=sentences([["good"]], empty=True)),
    spec("sentiment.NaiveBayes.log_odds", lambda c: _NB(c).log_odds, k=integer(2, 1)),
    spec("sentiment.cosine_steps", fn("sentiment", "cosine_steps"), examples=integer(100, 1),
         epochs=integer(2, 1, 100_000), batch_size=integer(64, 1)),
]


# bias (notebook 14): WEAT and debiasing by projection
_RNG = np.random.default_rng(14)
_WX, _WY, _WA, _WB = (_RNG.normal(size=(3, 4)) for _ in range(4))
_PAIRS = _RNG.normal(size=(3, 2, 4))


def _vectors_arg(valid):
    return array(valid, shape_bads=[(np.ones(4), "1-D"), (np.ones((2, 5)), "another vector length"),
                                    (np.zeros((2, 4)), "an all-zero vector")], empty=False)


_WEAT_SETS = dict(X=_vectors_arg(_WX), Y=_vectors_arg(_WY), A=_vectors_arg(_WA), B=_vectors_arg(_WB))
_BIAS_WORDS = ("king", "queen", "man", "woman", "paris", "france")
_WORDS_ARG = lambda valid: tokens(valid, empty=False)  # noqa: E731
_LABELS01 = only((None, TypeError, "None"), ("0101", TypeError, "a str"), ([0, 1], ValueError, "too few"),
                 ([0, 0, 0, 0, 0, 0], ValueError, "one label only"), ([0, 1, 2, 0, 1, 0], ValueError, "a 2"),
                 ([[0, 1, 0, 1, 0, 1]], ValueError, "2-D"), ([True, False] * 3, TypeError, "bools"))
SPECS += [
    spec("bias.association", fn("bias", "association"), W=_vectors_arg(_WX), A=_vectors_arg(_WA), B=_vectors_arg(_WB)),
    spec("bias.weat_effect_size", fn("bias", "weat_effect_size"), **_WEAT_SETS),
    spec("bias.weat_p_value", fn("bias", "weat_p_value"), **_WEAT_SETS, permutations=integer(100, 1, 1_000_000), seed=seed()),
    spec("bias.weat_interval", fn("bias", "weat_interval"), **_WEAT_SETS, samples=integer(50, 10, 1_000_000),
         level=number(0.9, 0.0, 1.0, open_min=True, open_max=True), seed=seed()),
    spec("bias.WEATResult", fn("bias", "WEATResult"), effect_size=number(0.5, -2.0, 2.0), p_value=number(0.1, 0.0, 1.0),
         interval=Arg((0.1, 0.9), only((None, TypeError, "None"), (0.5, TypeError, "one number"), ((0.9, 0.1), ValueError, "low > high"),
                                        ((0.1, NAN), ValueError, "NaN"), ((0.1, 0.5, 0.9), TypeError, "three numbers"))),
         sizes=Arg((2, 2, 2, 2), only((None, TypeError, "None"), ((2, 2), TypeError, "two sizes"), ((2, 2, 0, 2), ValueError, "a 0"),
                                      ((2, 2, 2.5, 2), TypeError, "a float"))),
         missing=Arg((), only((None, TypeError, "None"), (["x"], TypeError, "a list"), ((3,), TypeError, "an int inside")))),
    spec("bias.weat", fn("bias", "weat"), vectors=Arg(L(lambda c: c.embeddings), VECTORS_BAD),
         X=_WORDS_ARG(["king", "man"]), Y=_WORDS_ARG(["queen", "woman"]), A=_WORDS_ARG(["paris", "france"]),
         B=Arg(["man", "Queen"], _WORDS_ARG(None).bads + only((["zzz", "qqq"], ValueError, "words the vectors lack"))),
         lowercase=flag(), permutations=integer(100, 1, 1_000_000), seed=seed(), min_words=integer(2, 1)),
    spec("bias.bias_direction", fn("bias", "bias_direction"),
         pairs=array(_PAIRS, empty=False, shape_bads=[(np.ones((3, 4)), "2-D"), (np.ones((2, 3, 4)), "three vectors per pair"),
                                                      (np.zeros((2, 2, 4)), "zero vectors")]),
         method=choice("pca")),
    spec("bias.explained_variance", fn("bias", "explained_variance"),
         pairs=array(_PAIRS, empty=False, shape_bads=[(np.ones((3, 4)), "2-D"), (np.ones((2, 3, 4)), "three vectors per pair")])),
    spec("bias.project", fn("bias", "project"), vectors=_vectors_arg(_WX),
         direction=array(np.ones(4), empty=False, shape_bads=[(np.ones(3), "another length"), (np.zeros(4), "zero"), (np.ones((1, 4)), "2-D")])),
    spec("bias.neutralize", fn("bias", "neutralize"), vectors=_vectors_arg(_WX),
         direction=array(np.ones(4), empty=False, shape_bads=[(np.ones(3), "another length"), (np.zeros(4), "zero"), (np.ones((1, 4)), "2-D")])),
    spec("bias.cluster_accuracy", fn("bias", "cluster_accuracy"), vectors=_vectors_arg(_RNG.normal(size=(6, 4))),
         labels=Arg([0, 1, 0, 1, 0, 1], _LABELS01), seed=seed()),
    spec("bias.neighbour_agreement", fn("bias", "neighbour_agreement"), vectors=_vectors_arg(_RNG.normal(size=(6, 4))),
         labels=Arg([0, 1, 0, 1, 0, 1], _LABELS01), k=integer(2, 1, 5)),
]


# ---------------------------------------------------------------------------------------- scaling (notebook 13)
_SIZES = np.array([1e3, 1e4, 1e5])
SPECS += [
    spec("scaling.PowerLaw", fn("scaling", "PowerLaw"), a=number(2.0), alpha=number(0.1), c=number(0.0)),
    spec("scaling.fit_power_law", fn("scaling", "fit_power_law"),
         x=array(_SIZES, empty=False, shape_bads=[(np.array([1e3, 0.0, 1e5]), "a zero size"), (np.ones((3, 1)), "2-D"),
                                                  (np.array([1e3, 1e4]), "another length"), (np.full(3, 5.0), "one distinct size")]),
         y=array(np.array([3.0, 2.4, 1.92]), empty=False, shape_bads=[(np.array([3.0, -1.0, 2.0]), "a negative loss"),
                                                                      (np.ones(4), "another length")]),
         offset=flag(False)),
    spec("scaling.compute_optimal", fn("scaling", "compute_optimal"), compute=number(1e21, 0.0, open_min=True)),
]


# ------------------------------------------------------------------------------------- retrieval
def _labels_arg(valid):
    return Arg(valid, only((None, TypeError, "None"), ("012", TypeError, "a str"), ([0, 1, 3], ValueError, "a label out of range"),
                           ([0, 1, -1], ValueError, "negative"), ([0, 1, 1.0], TypeError, "a float"),
                           ([0, 1, True], TypeError, "a bool"), ([0, 1], ValueError, "one short")))


def _flags_arg(valid):
    return Arg(valid, only((None, TypeError, "None"), ("yes", TypeError, "a str"), ([1, 0, 0], TypeError, "ints"),
                           ([True], ValueError, "one entry")))


CONFIDENCE = array(np.array([0.9, 0.2, 0.6]), empty=False, shape_bads=[(np.ones((3, 1)), "2-D")])
DECISIONS = dict(confidence=CONFIDENCE, correct=_flags_arg([True, False, False]),
                 in_scope=Arg([True, True, False], _flags_arg(None).bads + only(([False, True, False], ValueError, "correct out of scope"))))
SPECS += [
    spec("retrieval.language", fn("retrieval", "language"), text=string("LSTM 是什么")),
    spec("retrieval.features", fn("retrieval", "features"), text=string("语言模型 model"), drop_stopwords=flag(True)),
    spec("retrieval.Tfidf", fn("retrieval", "Tfidf"),
         terms=Arg(("a", "b"), only((None, TypeError, "None"), ("ab", TypeError, "a str"), (("a", "a"), ValueError, "a repeat"),
                                    ((1, 2), TypeError, "ints"))),
         idf=array(np.ones(2), shape_bads=[(np.ones(3), "another length"), (np.ones((2, 1)), "2-D")])),
    spec("retrieval.Tfidf.fit", fn("retrieval", "Tfidf.fit"),
         documents=Arg([["a", "b"], ["b"]], sentences(None).bads + only(([[], []], ValueError, "no features")))),
    spec("retrieval.Tfidf.transform", lambda c: _mod("retrieval").Tfidf.fit([["a", "b"], ["b"]]).transform,
         documents=sentences([["a"], ["c"]])),
    spec("retrieval.average_vectors", fn("retrieval", "average_vectors"), documents=sentences([["a"], ["c"]]),
         words=Arg(["a", "b"], only((None, TypeError, "None"), ("ab", TypeError, "a str"), (["a"], ValueError, "one short"),
                                    (["a", 1], TypeError, "an int inside"))),
         vectors=array(np.eye(2), shape_bads=[(np.ones(2), "1-D"), (np.ones((3, 2)), "a row too many")])),
    spec("retrieval.cosine", fn("retrieval", "cosine"),
         queries=array(np.ones((2, 3)), shape_bads=[(np.ones(3), "1-D"), (np.ones((2, 2)), "another width")]),
         documents=array(np.ones((4, 3)), shape_bads=[(np.ones(3), "1-D"), (np.ones((4, 2)), "another width")])),
    spec("retrieval.rejection_at", fn("retrieval", "rejection_at"), **DECISIONS, threshold=number(0.5)),
    spec("retrieval.rejection_curve", fn("retrieval", "rejection_curve"), **DECISIONS),
    spec("retrieval.choose_threshold", fn("retrieval", "choose_threshold"), **DECISIONS),
    spec("retrieval.RejectionCurve", fn("retrieval", "RejectionCurve"),
         **{name: array(np.ones(2), empty=False, shape_bads=[(np.ones(3), "another length"), (np.ones((2, 1)), "2-D")])
            for name in ("thresholds", "answered", "precision", "rejected_out_of_scope", "accuracy")}),
]
for name in ("ranks", "mrr", "top1"):
    SPECS.append(spec(f"retrieval.{name}", fn("retrieval", name), gold=_labels_arg([0, 1, 2]),
                      scores=array(np.eye(3), shape_bads=[(np.ones(3), "1-D"), (np.ones((2, 3)), "a row short")])))

@pytest.mark.parametrize("case, argument", cases(SPECS))
def test_bad_input_is_refused(case, argument, ctx):
    run(case, argument, ctx)
