"""Tests of lmtutor.classify: metrics equal to scikit-learn's, the n-gram baseline, the Keras classifiers."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from sklearn import metrics

from lmtutor import quiet_tensorflow

quiet_tensorflow()

from lmtutor import classify, datasets, lm  # noqa: E402

labels = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=60)


@settings(max_examples=200, deadline=None)
@given(labels)
def test_metrics_equal_sklearn(pairs):
    y_true, y_pred = map(list, zip(*pairs))
    assert classify.accuracy(y_true, y_pred) == pytest.approx(metrics.accuracy_score(y_true, y_pred))
    assert classify.macro_f1(y_true, y_pred) == pytest.approx(
        metrics.f1_score(y_true, y_pred, average="macro", zero_division=0))
    assert np.array_equal(classify.confusion_matrix(y_true, y_pred, 6),
                          metrics.confusion_matrix(y_true, y_pred, labels=range(6)))
    per_class = metrics.f1_score(y_true, y_pred, labels=range(6), average=None, zero_division=0)
    assert np.allclose(classify.f1_per_class(classify.confusion_matrix(y_true, y_pred, 6)), per_class)


def test_macro_f1_punishes_a_model_that_never_predicts_the_small_class():
    y_true = [0] * 9 + [1]
    y_pred = [0] * 10
    assert classify.accuracy(y_true, y_pred) == 0.9
    assert classify.macro_f1(y_true, y_pred) == pytest.approx((2 * 9 / 19 + 0) / 2)


def test_metrics_refuse_bad_labels():
    with pytest.raises(ValueError, match="same length"):
        classify.accuracy([0, 1], [0])
    with pytest.raises(ValueError, match="y_true"):
        classify.macro_f1([], [])
    with pytest.raises(ValueError, match="y_pred"):
        classify.accuracy([0], [-1])
    with pytest.raises(TypeError, match="y_true"):
        classify.accuracy("01", [0, 1])
    with pytest.raises(ValueError, match="num_classes"):
        classify.confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(ValueError, match="matrix"):
        classify.f1_per_class([[1, 2, 3]])
    with pytest.raises(ValueError, match="matrix"):
        classify.f1_per_class([[1, -2], [0, 1]])


TEXTS = ["我爱吃苹果", "苹果很好吃", "我喜欢吃米饭", "今天下雨了", "明天会下雪", "天气很冷", "我吃面条", "外面刮风"]
LABELS = [0, 0, 0, 1, 1, 1, 0, 1]  # 0 food, 1 weather


def test_ngram_classifier_learns_and_matches_sklearn_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    model = classify.NgramClassifier(classify.NgramConfig(unit="char", ngram_max=2)).fit(TEXTS, LABELS)
    assert model.predict(["我想吃苹果", "明天下雨"]).tolist() == [0, 1]
    # the same features and model built directly with scikit-learn
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, lowercase=False)
    features = vectorizer.fit_transform(TEXTS)
    queries = vectorizer.transform(["我想吃苹果", "明天下雨"])
    same_solver = LogisticRegression(C=10.0, max_iter=2000, solver="newton-cg").fit(features, LABELS)
    assert np.allclose(model.predict_proba(["我想吃苹果", "明天下雨"]), same_solver.predict_proba(queries), atol=1e-6)
    default = LogisticRegression(C=10.0, max_iter=2000).fit(features, LABELS)  # L-BFGS: the same optimum, to its tolerance
    assert np.allclose(model.predict_proba(["我想吃苹果", "明天下雨"]), default.predict_proba(queries), atol=1e-3)
    top = [gram for gram, _ in model.top_features(1, k=5)]
    assert "下" in top or "天" in top
    assert model.top_features(0, k=3)[0][1] > 0


def test_ngram_classifier_words_and_bad_input():
    english = ["i love this film", "great acting and story", "what a boring film", "terrible plot and acting"]
    model = classify.NgramClassifier(classify.NgramConfig(unit="word", ngram_max=2)).fit(english, [1, 1, 0, 0])
    assert model.predict(["a great story", "so boring"]).tolist() == [1, 0]
    weights = dict(model.top_features(1, k=50))
    assert weights["love this"] > 0 and weights["great"] > weights.get("boring", -1.0)
    # all-unknown text: a defined prediction, the intercepts' class, with no known n-gram
    assert model.known_ngrams("zzz qqq") == 0
    expected = int(np.argmax(model.model.intercept_)) if len(model.model.intercept_) > 1 else int(model.model.intercept_[0] > 0)
    assert model.predict(["zzz qqq"]).tolist() == [expected]
    with pytest.raises(ValueError, match=r"texts\[1\] is empty"):
        model.predict(["fine", "  "])
    with pytest.raises(TypeError, match="texts"):
        model.predict("a str")
    with pytest.raises(ValueError, match="not fitted"):
        classify.NgramClassifier().predict(["a"])
    with pytest.raises(ValueError, match="two classes"):
        classify.NgramClassifier().fit(["a", "b"], [1, 1])
    with pytest.raises(ValueError, match="same length"):
        classify.NgramClassifier().fit(["a", "b"], [1])
    with pytest.raises(ValueError, match="label"):
        model.top_features(7)
    with pytest.raises(ValueError, match="ngram_max"):
        classify.NgramConfig(ngram_min=3, ngram_max=2)
    with pytest.raises(ValueError, match="unit"):
        classify.NgramConfig(unit="byte")


def test_encode_texts_pads_cuts_and_refuses_empty_text():
    codec = classify.build_codec(TEXTS, datasets.TextRecipe("char"), min_freq=1)
    ids = classify.encode_texts(codec, ["我爱", "苹果很好吃"])
    assert ids.shape == (2, 5) and ids.dtype == np.int32 and ids[0, 2:].tolist() == [0, 0, 0]
    assert codec.vocab.decode(ids[1].tolist()) == list("苹果很好吃")
    assert classify.encode_texts(codec, ["苹果很好吃"], max_len=3).tolist() == [ids[1, :3].tolist()]
    assert classify.encode_texts(codec, ["量子"]).tolist() == [[1, 1]]  # unknown characters: <unk>
    with pytest.raises(ValueError, match=r"texts\[0\]"):
        classify.encode_texts(codec, [""])
    with pytest.raises(ValueError, match="texts"):
        classify.encode_texts(codec, [])
    with pytest.raises(TypeError, match="codec"):
        classify.encode_texts(codec.vocab, ["我"])


@pytest.mark.parametrize("encoder", classify.ENCODERS)
def test_classifier_trains_through_lm_train_and_masks_padding(encoder):
    codec = classify.build_codec(TEXTS, datasets.TextRecipe("char"), min_freq=1)
    x, y = classify.encode_texts(codec, TEXTS), np.array(LABELS)
    config = classify.ClassifierConfig(len(codec.vocab), 2, encoder=encoder, embedding_dim=16, hidden_size=8,
                                       learning_rate=0.05)
    model = classify.build_classifier(config)
    assert lm.input_sizes(model) == [len(codec.vocab)] and lm.vocab_size(model) == 2
    history = lm.train(model, (x, y), epochs=15, batch_size=4, verbose=False)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert classify.accuracy(y, classify.predict(model, x)) == 1.0
    probs = classify.predict_proba(model, x)
    assert probs.shape == (8, 2) and np.allclose(probs.sum(axis=1), 1)
    # padding is masked: extra <pad> columns change nothing
    wider = np.pad(x, ((0, 0), (0, 7)))
    assert np.allclose(classify.predict_proba(model, wider), probs, atol=1e-5)
    # the same seed builds the same weights
    again = classify.build_classifier(config)
    assert all(np.array_equal(a, b) for a, b in zip(again.get_weights(), classify.build_classifier(config).get_weights()))


def test_bag_is_the_masked_mean_of_the_embeddings():
    model = classify.build_classifier(classify.ClassifierConfig(20, 3, embedding_dim=4))
    table = model.get_layer("x_embedding").get_weights()[0]
    kernel, bias = model.get_layer("logits").get_weights()
    ids = np.array([[5, 6, 7, 0, 0]])
    logits = table[[5, 6, 7]].mean(axis=0) @ kernel + bias
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert np.allclose(classify.predict_proba(model, ids)[0], expected, atol=1e-5)


def test_classifier_bad_input():
    model = classify.build_classifier(classify.ClassifierConfig(20, 3, embedding_dim=4))
    with pytest.raises(ValueError, match="ids"):
        classify.predict(model, [[25, 1]])
    with pytest.raises(ValueError, match="all <pad>"):
        classify.predict(model, [[3, 4], [0, 0]])
    with pytest.raises(ValueError, match="ids"):
        classify.predict(model, [3, 4])
    with pytest.raises(ValueError, match="encoder"):
        classify.ClassifierConfig(20, 3, encoder="cnn")
    with pytest.raises(ValueError, match="num_classes"):
        classify.ClassifierConfig(20, 1)
    with pytest.raises(TypeError, match="config"):
        classify.build_classifier({"vocab_size": 20})
