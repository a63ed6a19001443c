"""Tests of lmtutor.explain on small classifiers built as classify.build_classifier builds them (Input
"x", Embedding "x_embedding" with mask_zero, a masked mean or a BiLSTM, Dense logits): gradient x
input against the closed form of an embedding bag, occlusion against the model run on the occluded
texts, integrated gradients' completeness, the gradient graph traced once per model, and bad input."""

import gc
import os
import weakref

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from lmtutor import explain, lm  # noqa: E402

VOCAB, DIM = 30, 8
TEXT = [5, 9, 2, 17, 9, 3]


def classifier(encoder="bag", classes=2, seed=0):
    seeds = lm.layer_seeds(seed)
    ids = keras.Input((None,), dtype="int32", name="x")
    h = keras.layers.Embedding(VOCAB, DIM, mask_zero=True, name="x_embedding",
                               embeddings_initializer=keras.initializers.RandomNormal(0, 0.5, seed=next(seeds)))(ids)
    if encoder == "bag":
        h = keras.layers.GlobalAveragePooling1D()(h)
    else:
        h = keras.layers.Bidirectional(keras.layers.LSTM(6, kernel_initializer=keras.initializers.GlorotUniform(next(seeds)),
                                                         recurrent_initializer=keras.initializers.Orthogonal(seed=next(seeds))))(h)
    logits = keras.layers.Dense(classes, name="logits", kernel_initializer=keras.initializers.RandomNormal(0, 1.0, seed=next(seeds)),
                                bias_initializer=keras.initializers.RandomNormal(0, 0.3, seed=next(seeds)))(h)
    model = keras.Model(ids, logits)
    model.predict_on_batch(np.array([TEXT]))  # used once before it is explained, as a trained model is
    return model


@pytest.fixture(scope="module")
def bag():
    return classifier("bag")


@pytest.fixture(scope="module")
def bilstm():
    return classifier("bilstm")


def numpy_log_odds(logits, target):
    others = np.delete(logits, target, axis=-1)
    top = others.max(axis=-1)
    return logits[..., target] - (top + np.log(np.exp(others - top[..., None]).sum(axis=-1)))


def bag_parts(model):
    table = model.get_layer("x_embedding").get_weights()[0]
    kernel, bias = model.get_layer("logits").get_weights()
    return table, kernel, bias


def test_log_odds_is_the_targets_logit_against_the_others(bag):
    logits = np.asarray(bag.predict_on_batch(np.array([TEXT])), dtype=np.float64)[0]
    assert explain.log_odds(bag, TEXT, target=1) == pytest.approx(logits[1] - logits[0], abs=1e-5)
    three = classifier("bag", classes=3)
    logits = np.asarray(three.predict_on_batch(np.array([TEXT])), dtype=np.float64)
    assert explain.log_odds(three, TEXT, target=2) == pytest.approx(numpy_log_odds(logits, 2)[0], abs=1e-5)


@pytest.mark.parametrize("target", [0, 1])
def test_gradient_x_input_equals_the_closed_form_of_an_embedding_bag(bag, target):
    table, kernel, _ = bag_parts(bag)
    direction = kernel[:, target] - kernel[:, 1 - target]  # f = mean(e) · (w_t − w_o) + const
    expected = table[TEXT] @ direction / len(TEXT)
    assert np.allclose(explain.gradient_x_input(bag, TEXT, target=target), expected, atol=1e-5)


def test_integrated_gradients_of_a_linear_model_equal_gradient_x_input(bag):
    table, kernel, bias = bag_parts(bag)
    ig = explain.integrated_gradients(bag, TEXT, steps=4)
    assert np.allclose(ig.scores, explain.gradient_x_input(bag, TEXT), atol=1e-5)
    assert ig.baseline_value == pytest.approx(bias[1] - bias[0], abs=1e-5)  # zero vectors: the bias alone
    assert ig.value == pytest.approx(explain.log_odds(bag, TEXT), abs=1e-5)


@pytest.mark.parametrize("baseline", ["zeros", "unk", "random"])
def test_integrated_gradients_are_complete_for_a_bilstm(bilstm, baseline):
    if baseline == "random":
        baseline = np.random.default_rng(1).normal(0, 0.3, (len(TEXT), DIM))
    ig = explain.integrated_gradients(bilstm, TEXT, baseline=baseline, steps=128)
    gap = ig.value - ig.baseline_value
    assert abs(gap) > 0.05  # a real difference to distribute
    assert ig.scores.sum() == pytest.approx(gap, abs=0.01 * abs(gap) + 1e-3)
    coarse = explain.integrated_gradients(bilstm, TEXT, baseline=baseline, steps=1)  # one midpoint
    assert abs(coarse.scores.sum() - gap) > abs(ig.scores.sum() - gap)  # more steps: closer


def test_integrated_gradients_baseline_value_is_the_model_on_the_baseline_vectors(bilstm):
    ig = explain.integrated_gradients(bilstm, TEXT, baseline="unk", steps=2)
    unk_text = [1] * len(TEXT)  # the <unk> vector at every position is the text of <unk> ids
    assert ig.baseline_value == pytest.approx(explain.log_odds(bilstm, unk_text), abs=1e-5)


@pytest.mark.parametrize("mode", ["remove", "unk"])
def test_occlusion_is_the_drop_in_log_odds_without_each_token(bilstm, mode):
    scores = explain.occlusion(bilstm, TEXT, mode=mode)
    full = explain.log_odds(bilstm, TEXT)
    for t in range(len(TEXT)):
        variant = TEXT[:t] + TEXT[t + 1:] if mode == "remove" else TEXT[:t] + [1] + TEXT[t + 1:]
        assert scores[t] == pytest.approx(full - explain.log_odds(bilstm, variant), abs=1e-4)


def test_occlusion_of_a_repeated_token_gives_equal_scores_in_a_bag(bag):
    scores = explain.occlusion(bag, TEXT)
    assert scores[1] == pytest.approx(scores[4], abs=1e-6)  # token 9 twice: a mean does not see order


def test_explanations_of_the_other_class_are_negated_for_two_classes(bilstm):
    assert np.allclose(explain.gradient_x_input(bilstm, TEXT, target=0),
                       -explain.gradient_x_input(bilstm, TEXT, target=1), atol=1e-5)
    assert np.allclose(explain.occlusion(bilstm, TEXT, target=0), -explain.occlusion(bilstm, TEXT, target=1), atol=1e-5)


def test_explain_leaves_the_model_as_it_was(bilstm):
    before = bilstm.predict_on_batch(np.array([TEXT]))
    explain.integrated_gradients(bilstm, TEXT, steps=3)
    assert "call" not in vars(bilstm.get_layer("x_embedding"))
    assert np.allclose(bilstm.predict_on_batch(np.array([TEXT])), before)


def test_the_gradient_graph_is_traced_once_per_model_and_does_not_keep_it_alive():
    model = classifier("bilstm", seed=3)
    explain.gradient_x_input(model, TEXT)
    explain.integrated_gradients(model, TEXT[:4], steps=5)  # other batch size and length: the same graph
    assert explain._GRADIENT_FUNCTIONS[model][1].experimental_get_tracing_count() == 1
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_bad_input_is_refused_with_the_argument_named(bag):
    with pytest.raises(ValueError, match="ids"):
        explain.gradient_x_input(bag, [5, 0, 3])  # padding inside
    with pytest.raises(ValueError, match="ids"):
        explain.occlusion(bag, [])
    with pytest.raises(ValueError, match="ids"):
        explain.occlusion(bag, [[5, 3]])
    with pytest.raises(ValueError, match="mode='unk'"):
        explain.occlusion(bag, [5])
    assert explain.occlusion(bag, [5], mode="unk").shape == (1,)
    with pytest.raises(ValueError, match="target"):
        explain.log_odds(bag, TEXT, target=2)
    with pytest.raises(ValueError, match="baseline"):
        explain.integrated_gradients(bag, TEXT, baseline=np.zeros((2, DIM)))
    with pytest.raises(ValueError, match="x_embedding"):
        plain = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        explain.log_odds(plain, TEXT)
