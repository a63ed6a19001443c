"""Bad input to the Show and Teach layers: plots, widgets and the exercise checks (machinery:
tests/test_bad_input.py). A check given something that is not a function returns a failed result
that says so (the checks' promise: a check cell never crashes); everything else raises."""

from __future__ import annotations

import functools
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from test_bad_input import (  # noqa: I001
    B, L, fn, module as _mod,
    Arg, INF, NAN, OMIT, array, cases, choice, flag, function, ids, instance, integer, number, only, run,
    seed, spec, string, strings, tokens,
)

matplotlib = pytest.importorskip("matplotlib")


class Context:
    """Tiny models and objects the figures and widgets draw."""

    @functools.cached_property
    def zh(self):
        from widget_fixtures import zh_model

        return zh_model()  # (a NumPy bigram StepModel, the TextCodec of its Chinese words)

    @functools.cached_property
    def transformer(self):
        from widget_fixtures import tiny_transformer

        return tiny_transformer()  # (model, numpy_weights, TextCodec of characters)

    @functools.cached_property
    def translator(self):
        from lmtutor import seq2seq, translate

        pairs = [("I have two apples.", "我有两个苹果。"), ("She has a cat.", "她有一只猫。")]
        codec = seq2seq.TranslationCodec.build(pairs)
        model = seq2seq.build_seq2seq(seq2seq.Seq2SeqConfig(codec.source_size, codec.target_size,
                                                            embedding_dim=4, hidden_size=6))
        return translate.Translator(model, codec)

    @functools.cached_property
    def embeddings(self):
        words = ("war", "peace", "army", "battle", "king", "queen")
        return _mod("embeddings").Embeddings(words, np.random.default_rng(0).normal(size=(6, 4)))

    @functools.cached_property
    def figure(self):
        return _mod("plots").bar(["a", "b"], [1.0, 2.0])

    @functools.cached_property
    def axes(self):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        plt.close(fig)
        return ax


@pytest.fixture(scope="module")
def ctx():
    return Context()


def rc(call):
    """Run ``call`` with matplotlib's settings restored afterwards (plots.setup changes them)."""
    def wrapped(**kwargs):
        with matplotlib.rc_context():
            return call(**kwargs)
    return wrapped


ZH_STEPPER, ZH_CODEC = L(lambda c: c.zh[0]), L(lambda c: c.zh[1])
WEIGHTS, CHAR_CODEC = L(lambda c: c.transformer[1]), L(lambda c: c.transformer[2])
EMB = L(lambda c: c.embeddings)
ROSENBROCK = L(lambda c: _mod("optim").rosenbrock)
CONFIG = L(lambda c: _mod("decoding").DecodingConfig(banned_ids=(0, 1, 2)))
OPTIONAL_TITLE = string(None, none=True)
VECTORS_BAD = only((None, TypeError, "None"), ("war", TypeError, "a str"), (np.eye(3), TypeError, "a bare array"))
STEPPER_BADS = only((None, TypeError, "None"), ("model", TypeError, "a str"),
                    (L(lambda c: c.transformer[0]), TypeError, "a Keras model, not a stepper"))
CODEC_BADS = only((None, TypeError, "None"), ("zh_word", TypeError, "a scheme name"),
                  (L(lambda c: c.zh[1].vocab), TypeError, "a Vocab"))
LIMITS = lambda valid: Arg(valid, only((None, TypeError, "None"), ("ab", TypeError, "a str"), ((1.0,), TypeError, "one number"),  # noqa: E731
                                       ((2.0, 1.0), ValueError, "low > high"), ((0.0, NAN), ValueError, "NaN"),
                                       ((0.0, INF), ValueError, "inf"), ((True, 2.0), TypeError, "a bool")))

# ------------------------------------------------------------------------------------------ plots
SPECS = [
    spec("plots.cjk_font_path", fn("plots", "cjk_font_path")),
    spec("plots.cjk_font_name", fn("plots", "cjk_font_name")),
    spec("plots.setup", lambda c: rc(_mod("plots").setup)),
    spec("plots.bar", fn("plots", "bar"),
         labels=Arg(["a", "b"], only((None, TypeError, "None"), ("ab", TypeError, "a str"), ([], ValueError, "empty"), (3, TypeError, "an int"))),
         values=array([1.0, 2.0], finite=False, shape_bads=[([1.0], "one value for two labels"), ([[1.0, 2.0]], "2-D")]),
         title=OPTIONAL_TITLE, xlabel=OPTIONAL_TITLE, ylabel=OPTIONAL_TITLE, horizontal=flag(False)),
    spec("plots.line", fn("plots", "line"), x=array([1.0, 2.0, 3.0], empty=False, finite=False, shape_bads=[([[1.0]], "2-D")]),
         ys=Arg({"loss": [3.0, 2.0, 1.0]}, only((None, TypeError, "None"), ([3.0, 2.0, 1.0], TypeError, "a list"), ({}, ValueError, "empty"),
                                               ({"loss": [1.0, 2.0]}, ValueError, "one value short"),
                                               ({"loss": "abc"}, TypeError, "a str"), ({"loss": [1.0, 2.0, 1j]}, TypeError, "complex"),
                                               ({"loss": [True, False, True]}, TypeError, "booleans")), ),
         title=OPTIONAL_TITLE, xlabel=OPTIONAL_TITLE, ylabel=OPTIONAL_TITLE, logx=flag(False),
         logy=flag(False)),
    spec("plots.heatmap", fn("plots", "heatmap"), matrix=array(np.eye(2), finite=False, shape_bads=[(np.eye(3), "3 rows for 2 labels"), (np.ones(2), "1-D")]),
         row_labels=Arg(["a", "b"], only((None, TypeError, "None"), ("ab", TypeError, "a str"), ([], ValueError, "empty"))),
         col_labels=Arg(["x", "y"], only((None, TypeError, "None"), (["x"], ValueError, "one label short"))),
         title=OPTIONAL_TITLE, cmap=Arg("viridis", only(("no_such_map", ValueError, "an unknown colour map"), (3, TypeError, "an int"), (["viridis"], TypeError, "a list"))),
         annotate=flag(False)),
    spec("plots.png", fn("plots", "png"), fig=instance(L(lambda c: c.figure), more=[B(L(lambda c: c.axes), TypeError, "axes")])),
    spec("plots.css_width", fn("plots", "css_width"), fig=instance(L(lambda c: c.figure), more=[B(L(lambda c: c.axes), TypeError, "axes")])),
    spec("plots.attention.check_transformer_weights", lambda c: _mod("plots.attention").check_transformer_weights,
         weights=Arg(WEIGHTS, only((None, TypeError, "None"), ("w", TypeError, "a str"), ({}, TypeError, "an empty dict"),
                                   ({"blocks": []}, TypeError, "no block"))),
         vocab=instance(L(lambda c: c.transformer[2].vocab), more=[B(L(lambda c: c.zh[1].vocab), ValueError, "another vocabulary")])),
    spec("plots.attention.attention_ids", lambda c: _mod("plots.attention").attention_ids, weights=Arg(WEIGHTS, only(
        (None, TypeError, "None"), ({}, TypeError, "an empty dict"))), codec=Arg(CHAR_CODEC, CODEC_BADS),
         text=Arg("the cat", string(None, empty=False).bads + only(("a very long sentence", ValueError, "longer than the context"))),
         name=string("text", empty=False)),
    spec("plots.attention.layers_and_heads", lambda c: _mod("plots.attention").layers_and_heads,
         weights=Arg(WEIGHTS, only((None, TypeError, "None"), ({}, TypeError, "an empty dict"), ("w", TypeError, "a str")))),
    spec("plots.attention.attention_figure", lambda c: _mod("plots.attention").attention_figure,
         weights=Arg(WEIGHTS, only((None, TypeError, "None"), ({}, TypeError, "an empty dict"))), codec=Arg(CHAR_CODEC, CODEC_BADS),
         text=string("the cat", empty=False), block=integer(0, 0, 1), head=integer(0, 0, 1)),
    spec("plots.decoding.next_token_figure", lambda c: _mod("plots.decoding").next_token_figure,
         vocab=instance(L(lambda c: c.zh[1].vocab)), logits=Arg(np.linspace(-1, 1, 14), only(
             (None, TypeError, "None"), ("abc", TypeError, "a str"), (np.ones(3), ValueError, "3 logits for 14 tokens"),
             (np.full(14, NAN), ValueError, "NaN"), (np.ones(14, dtype=complex), TypeError, "complex"))),
         configs=Arg(L(lambda c: {"rules": _mod("decoding").DecodingConfig(top_k=3)}),
                     only((None, TypeError, "None"), ({}, ValueError, "empty"), ({"rules": {"top_k": 3}}, TypeError, "a dict config"),
                          ([1], TypeError, "a list"))),
         top=integer(5, 1), previous_ids=ids([4, 5], 14, empty=True), title=OPTIONAL_TITLE),
    spec("plots.embeddings.word_map", lambda c: _mod("plots.embeddings").word_map, vectors=Arg(EMB, VECTORS_BAD),
         words=Arg(["war", "peace", "army"], only((None, TypeError, "None"), ("war", TypeError, "a str"), (["war"], ValueError, "one word"),
                                                 (["war", "zzz"], ValueError, "a word not in vectors"), ([], ValueError, "empty"))),
         title=OPTIONAL_TITLE),
    spec("plots.optim.contour", lambda c: _mod("plots.optim").contour, ax=instance(L(lambda c: c.axes), more=[B(L(lambda c: c.figure), TypeError, "a figure")]),
         surface=Arg(ROSENBROCK, function(None).bads + only((lambda p: 1.0, TypeError, "a function returning a number"),
                                                            (lambda p: ("high", np.zeros(2)), TypeError, "a str loss"))),
         xlim=LIMITS((-2.0, 2.0)), ylim=LIMITS((-1.0, 3.0)), log=flag(False)),
    spec("plots.optim.path_figure", lambda c: _mod("plots.optim").path_figure, surface=Arg(ROSENBROCK, function(None).bads),
         path=array(np.zeros((3, 2)), empty=False, finite=False, shape_bads=[(np.zeros((3, 3)), "three columns"), (np.zeros(2), "1-D")]),
         xlim=LIMITS((-2.0, 2.0)), ylim=LIMITS((-1.0, 3.0)), log=flag(False), title=OPTIONAL_TITLE),
    spec("plots.optim.paths_figure", lambda c: _mod("plots.optim").paths_figure,
         panels=Arg(L(lambda c: {"Rosenbrock": (_mod("optim").rosenbrock, (-2, 2), (-1, 3), True)}),
                    only((None, TypeError, "None"), ({}, TypeError, "empty"), ({"R": "surface"}, TypeError, "a str panel"),
                         (L(lambda c: {"R": (_mod("optim").rosenbrock, (-2, 2), (-1, 3))}), TypeError, "three items"),
                         (L(lambda c: {"Rosenbrock": (_mod("optim").rosenbrock, (2, -2), (-1, 3), True)}), ValueError, "xlim low > high", "xlim"),
                         (L(lambda c: {"Rosenbrock": (_mod("optim").rosenbrock, (-2, 2), (-1, 3), "yes")}), TypeError, "log a str", "log"))),
         paths=Arg({("Rosenbrock", "SGD"): np.zeros((3, 2))},
                   only((None, TypeError, "None"), ({"SGD": np.zeros((3, 2))}, TypeError, "a key that is not a pair"),
                        ({("Other", "SGD"): np.zeros((3, 2))}, ValueError, "an unknown panel"),
                        ({("Rosenbrock", "SGD"): np.zeros((3, 3))}, ValueError, "three columns"),
                        ({("Rosenbrock", "SGD"): np.ones((3, 2), dtype=complex)}, TypeError, "complex"),
                        ({("Rosenbrock", "SGD"): "path"}, TypeError, "a str"))),
         minima=Arg(None, only(([1, 1], TypeError, "a list"), ({"Rosenbrock": (1.0, True)}, TypeError, "a bool", "minima"),
                               ({"Rosenbrock": (1.0, 1.0, 1.0)}, ValueError, "three coordinates", "minima"),
                               ({"Other": (1.0, 1.0)}, ValueError, "an unknown panel")))),
    spec("plots.tables.markdown_text", lambda c: _mod("plots.tables").markdown_text,
         header=Arg(["a", "b"], only((None, TypeError, "None"), ("ab", TypeError, "a str"), ([], ValueError, "empty"))),
         rows=Arg([[1, 2]], only((None, TypeError, "None"), ("ab", TypeError, "a str"), ([[1]], ValueError, "one cell short"),
                                 ([1, 2], TypeError, "a flat list"), (["ab"], TypeError, "a str row")))),
    spec("plots.tables.MarkdownTable", lambda c: _mod("plots.tables").MarkdownTable, text=string("| a |\n|---|")),
    spec("plots.tables.markdown_table", lambda c: _mod("plots.tables").markdown_table,
         header=Arg(["a"], only((None, TypeError, "None"), ("a", TypeError, "a str"))), rows=Arg([[1]], only((None, TypeError, "None"), ([[1, 2]], ValueError, "a cell too many")))),
]

# ---------------------------------------------------------------------------------------- widgets
SPECS += [
    spec("widgets.attention.attention_explorer", lambda c: _mod("widgets.attention").attention_explorer,
         weights=Arg(WEIGHTS, only((None, TypeError, "None"), ({}, TypeError, "an empty dict"))), codec=Arg(CHAR_CODEC, CODEC_BADS),
         sentences=Arg(["the cat"], only((None, TypeError, "None"), ("the cat", TypeError, "a bare str"), ([], ValueError, "empty"),
                                         ([3], TypeError, "an int"), ([""], ValueError, "an empty sentence", "sentences"),
                                         (["a very long sentence"], ValueError, "longer than the context", "sentences"))),
         block=integer(0, 0, 1), head=integer(0, 0, 1)),
    spec("widgets.neighbours.has_chinese", lambda c: _mod("widgets.neighbours").has_chinese, text=string("我有")),
    spec("widgets.neighbours.neighbours_answer", lambda c: _mod("widgets.neighbours").neighbours_answer, vectors=Arg(EMB, VECTORS_BAD),
         query=string("war"), topn=integer(3, 1)),
    spec("widgets.neighbours.neighbours_explorer", lambda c: _mod("widgets.neighbours").neighbours_explorer,
         choices=Arg(L(lambda c: {"ours": c.embeddings}), only((None, TypeError, "None"), ({}, ValueError, "empty"), ([1], TypeError, "a list"),
                                                              ({"ours": "vectors"}, TypeError, "a str value"), (L(lambda c: {3: c.embeddings}), TypeError, "an int name"))),
         value=string("war"), vectors=Arg(None, only(("theirs", ValueError, "an unknown name"), (3, ValueError, "an int"))),
         chinese=Arg(None, only(("zh", ValueError, "an unknown name"))), topn=integer(3, 1)),
    spec("widgets.optimizers.SurfaceView", lambda c: _mod("widgets.optimizers").SurfaceView,
         function=Arg(ROSENBROCK, function(None).bads), start=Arg((-1.5, 2.0), only((None, TypeError, "None"), ((1.0,), ValueError, "one number"),
                                                                              ((NAN, 1.0), ValueError, "NaN"), ("ab", TypeError, "a str"))),
         xlim=LIMITS((-2.0, 2.0)), ylim=LIMITS((-1.0, 3.0)), log=flag(True)),
    spec("widgets.optimizers.optimizer_figure", lambda c: _mod("widgets.optimizers").optimizer_figure, optimizer=choice("Adam"),
         log10_learning_rate=number(-1.0, -4.0, 0.5), steps=integer(10, 10, 1000), surface=choice("quadratic")),
    spec("widgets.optimizers.optimizer_explorer", lambda c: _mod("widgets.optimizers").optimizer_explorer, check_valid=False,
         optimizer=choice("Adam"), log10_learning_rate=number(-1.0, -4.0, 0.5), steps=integer(10, 10, 1000), surface=choice("quadratic")),
    spec("widgets.sampling.sample_html", lambda c: _mod("widgets.sampling").sample_html, stepper=Arg(ZH_STEPPER, STEPPER_BADS),
         codec=Arg(ZH_CODEC, CODEC_BADS), prompt=string("我有一个苹果。"),
         config=instance(CONFIG, more=[B(L(lambda c: _mod("decoding").DecodingConfig(banned_ids=(99,))), ValueError,
                                          "a banned id outside the vocabulary", "config")]),
         max_tokens=integer(5, 1, 100_000), seed=seed(), min_tokens=integer(0, 0, 5)),
    spec("widgets.sampling.sampler", lambda c: _mod("widgets.sampling").sampler, stepper=Arg(ZH_STEPPER, STEPPER_BADS),
         codec=Arg(ZH_CODEC, CODEC_BADS), prompt=string("我有一个苹果。"), temperature=number(1.0, 0.05, 2.0),
         top_k=integer(0, 0, 14), top_p=number(1.0, 0.05, 1.0), max_tokens=integer(5, 1, 500), min_tokens=integer(0, 0, 5),
         seed=seed(), banned_ids=Arg((0, 1, 2), only((None, TypeError, "None"), ("012", TypeError, "a str"), ((0, 99), ValueError, "an id outside the vocabulary"),
                                                     ((0, -1), ValueError, "a negative id"), ((0, 1.5), TypeError, "a float id"))),
         top=integer(5, 1)),
    spec("widgets.tokens.token_table_html", lambda c: _mod("widgets.tokens").token_table_html, text=string("我有一个苹果。"),
         vocabs=Arg(None, only(("zh_word", TypeError, "a str"), ({"words": L(lambda c: c.zh[1].vocab)}, ValueError, "an unknown scheme", "vocabs"),
                               ({"zh_word": ["我"]}, TypeError, "a list vocabulary", "vocabs")))),
    spec("widgets.tokens.token_explorer", lambda c: _mod("widgets.tokens").token_explorer,
         vocabs=Arg(None, only(("zh_word", TypeError, "a str"), ({"zh_word": 3}, TypeError, "an int vocabulary", "vocabs"))),
         value=string("我有一个苹果。")),
]

TRANSLATOR = L(lambda c: c.translator)
TRANSLATOR_BADS = only((None, TypeError, "None"), ("model", TypeError, "a str"),
                       (L(lambda c: c.translator.model), TypeError, "the Keras model, not a Translator"))
SPECS += [
    spec("widgets.translation.translation_figure", lambda c: _mod("widgets.translation").translation_figure,
         translator=Arg(TRANSLATOR, TRANSLATOR_BADS), sentence=string("I have two apples.", empty=False),
         translation=Arg(None, only((3, TypeError, "an int"), (["我"], TypeError, "a list")))),
    spec("widgets.translation.translation_html", lambda c: _mod("widgets.translation").translation_html,
         translator=Arg(TRANSLATOR, TRANSLATOR_BADS), sentence=string("I have two apples.", empty=False), beam_width=integer(2, 1, 8)),
    spec("widgets.translation.translation_explorer", lambda c: _mod("widgets.translation").translation_explorer, check_valid=False,
         translator=Arg(TRANSLATOR, TRANSLATOR_BADS), sentence=string("I have two apples.", empty=False), beam_width=integer(2, 1, 8)),
]

# -------------------------------------------------------------------------------- widgets.sentiment
@functools.cache
def _sentiment_pair():
    """A two-class embedding bag and its character codec, as notebook 11's widget gets them."""
    import keras

    from lmtutor import datasets, text

    recipe = datasets.TextRecipe("char")
    codec = datasets.TextCodec(recipe, text.Vocab.build([list("很好"), list("很差")]))
    ids = keras.Input((None,), dtype="int32", name="x")
    h = keras.layers.Embedding(len(codec.vocab), 4, mask_zero=True, name="x_embedding")(ids)
    return keras.Model(ids, keras.layers.Dense(2)(keras.layers.GlobalAveragePooling1D()(h))), codec


SENTIMENT = dict(model=Arg(L(lambda c: _sentiment_pair()[0]), only((None, TypeError, "None"), ("model", TypeError, "a str"))),
                 codec=Arg(L(lambda c: _sentiment_pair()[1]), only((None, TypeError, "None"), ("char", TypeError, "a str"))),
                 text=string("很好", empty=False))
SPECS += [
    spec("widgets.sentiment.highlight_html", lambda c: _mod("widgets.sentiment").highlight_html,
         tokens=tokens(["not", "funny"]), scores=array(np.array([-0.5, 1.0]), shape_bads=[(np.ones(3), "another length"),
                                                                                          (np.ones((2, 1)), "2-D")]),
         sep=string(" ")),
    spec("widgets.sentiment.explain_text", lambda c: _mod("widgets.sentiment").explain_text, **SENTIMENT, method=choice("occlusion")),
    spec("widgets.sentiment.sentiment_html", lambda c: _mod("widgets.sentiment").sentiment_html, **SENTIMENT,
         method=choice("gradient")),
    spec("widgets.sentiment.sentiment_explorer", lambda c: _mod("widgets.sentiment").sentiment_explorer, check_valid=False,
         model=SENTIMENT["model"], codec=SENTIMENT["codec"], text=string("很好"), method=choice("occlusion")),
]

# -------------------------------------------------------------------------------- widgets.dialogue
@functools.cache
def _assistant():
    from lmtutor import dialogue, dialogue_data

    faq = dialogue_data.load_faq()
    return dialogue.Assistant(faq, dialogue.TfidfRetriever(faq), 0.1)


ASSISTANT = Arg(L(lambda c: _assistant()), only((None, TypeError, "None"), ("bot", TypeError, "a str"),
                                                 (L(lambda c: _assistant().retriever), TypeError, "its retriever")))
SPECS += [
    spec("widgets.dialogue.turn_html", lambda c: _mod("widgets.dialogue").turn_html, assistant=ASSISTANT,
         question=string("Which notebook teaches attention?")),
    spec("widgets.dialogue.chat", lambda c: _mod("widgets.dialogue").chat, check_valid=False, assistant=ASSISTANT,
         questions=Arg((), only((None, TypeError, "None"), ("hi", TypeError, "a str"), ([3], TypeError, "an int inside"))),
         max_turns=integer(5, 1, 1_000)),
]

# ----------------------------------------------------------------------------------------- checks
NOT_A_FUNCTION = only((None, TypeError, "None"), ("def f(x): ...", TypeError, "source code"), (3, TypeError, "an int"),
                      (np.zeros(3), TypeError, "a result instead of the function"), ([len], TypeError, "a list of functions"))


def _refused(result) -> bool:
    """A check's answer to a bad fn: a failed result that says to pass the function itself."""
    return not result.passed and "not a function" in result.message and "pass the function itself" in result.message


CHECKS = ("attention.check_causal_mask", "attention.check_scaled_dot_product_attention", "attention.check_positional_encoding",
          "embeddings.check_cosine_similarity", "embeddings.check_sgns_loss", "embeddings.check_sgns_grad_center",
          "embeddings.check_three_cos_add", "generation.check_top_k_filter", "generation.check_top_p_filter",
          "generation.check_next_token_probs", "recurrent.check_rnn_step", "recurrent.check_clip_by_global_norm",
          "recurrent.check_lstm_step", "recurrent.check_chrono_bias", "tokens.check_char_tokens", "tokens.check_bigram_probability",
          "tokens.check_oov_rate", "tokens.check_add_k_bigram", "tokens.check_perplexity", "training.check_log_softmax",
          "training.check_adam_step", "training.check_dropout_forward", "training.check_l2_grad",
          "translation.check_brevity_penalty", "translation.check_clipped_precision", "translation.check_additive_attention",
          "translation.check_beam_step", "classification.check_macro_f1", "classification.check_most_frequent_tags",
          "classification.check_zero_shot_label", "scale.check_global_mean_loss", "scale.check_fit_power_law",
          "scale.check_compute_optimal", "challenges.check_weat_effect_size", "challenges.check_exposure",
          "challenges.check_neutralize", "challenges.check_heading_anchor", "sentiment.check_nb_log_odds", "sentiment.check_lexicon_score",
          "sentiment.check_occlusion_scores", "dialogue.check_cosine_ranking", "dialogue.check_mean_reciprocal_rank",
          "dialogue.check_rejection_point")
for name in CHECKS:
    module, check = name.split(".")
    SPECS.append(spec(f"checks.{name}", lambda c, m=module, f=check: getattr(_mod(f"checks.{m}"), f), check_valid=False,
                      result=_refused, fn=Arg(OMIT, NOT_A_FUNCTION)))


@pytest.mark.parametrize("case, argument", cases(SPECS))
def test_bad_input_is_refused(case, argument, ctx):
    run(case, argument, ctx)
