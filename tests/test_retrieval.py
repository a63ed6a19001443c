"""Tests for lmtutor.retrieval (notebook 12): features of English and Chinese questions, TF-IDF and
cosine equal to scikit-learn's, averaged vectors by hand, ranks / MRR / rejection curves against
plain-Python versions, and the threshold chosen on validation."""

import math

import numpy as np
import pytest

from lmtutor import dialogue_data, retrieval


@pytest.fixture(scope="module")
def faq():
    return dialogue_data.load_faq()


# ----------------------------------------------------------------------------------- features
def test_features_cut_words_and_chinese_characters_and_pairs():
    assert retrieval.features("What is a Language Model?") == ["language", "model"]
    assert retrieval.features("What is a Language Model?", drop_stopwords=False) == ["what", "is", "a", "language", "model"]
    assert retrieval.features("语言模型") == ["语", "言", "模", "型", "语言", "言模", "模型"]
    assert retrieval.features("什么是 LSTM？") == ["lstm"]  # stop characters and pairs of them are gone
    assert retrieval.features("什么是困惑度") == ["困", "惑", "度", "是困", "困惑", "惑度"]
    assert retrieval.features("ｌｓｔｍ　１２") == ["lstm", "12"]  # full-width letters and digits: NFKC
    assert retrieval.features("?!…。 ") == [] and retrieval.features("") == []
    assert retrieval.features("top-k and top-p, don't") == ["top-k", "top-p", "don't"]
    long = "perplexity " * 1000
    assert len(retrieval.features(long)) == len(long[:retrieval.MAX_CHARS].split())


@pytest.mark.parametrize(("question", "lang"), [("What is a language model?", "en"), ("什么是语言模型？", "zh"),
                                                ("LSTM 是什么", "zh"), ("What does 语言 mean in this sentence", "en"),
                                                ("", "en"), ("12345 ???", "en"), ("ＬＳＴＭ是什么", "zh")])
def test_language_goes_by_chinese_characters_against_latin_words(question, lang):
    assert retrieval.language(question) == lang


# ------------------------------------------------------------------------------------- TF-IDF
def test_tfidf_equals_scikit_learn_on_the_faq(faq):
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents, _ = faq.documents()
    ours = retrieval.Tfidf.fit([retrieval.features(d) for d in documents])
    theirs = TfidfVectorizer(analyzer=retrieval.features).fit(documents)
    assert list(ours.terms) == list(theirs.get_feature_names_out())
    np.testing.assert_allclose(ours.idf, theirs.idf_, rtol=1e-12)
    queries = ["Which notebook teaches attention?", "哪个笔记本讲困惑度？", "zebra unicorn", ""]
    np.testing.assert_allclose(ours.transform([retrieval.features(q) for q in queries]),
                               theirs.transform(queries).toarray(), atol=1e-12)
    assert not ours.transform([["zebra"]]).any()  # an unseen feature: a row of zeros, not NaN


def test_tfidf_weights_by_hand():
    tfidf = retrieval.Tfidf.fit([["a", "b"], ["a", "a", "c"]])
    assert tfidf.terms == ("a", "b", "c")
    np.testing.assert_allclose(tfidf.idf, [1.0, math.log(3 / 2) + 1, math.log(3 / 2) + 1])
    row = tfidf.transform([["a", "a", "c"]])[0]
    expected = np.array([2.0, 0.0, math.log(1.5) + 1])
    np.testing.assert_allclose(row, expected / np.linalg.norm(expected))
    with pytest.raises(ValueError, match="documents"):
        retrieval.Tfidf.fit([[], []])
    with pytest.raises(ValueError, match="idf"):
        retrieval.Tfidf(("a", "b"), np.ones(3))


def test_cosine_equals_scikit_learn_and_zero_rows_score_zero():
    from sklearn.metrics.pairwise import cosine_similarity

    rng = np.random.default_rng(0)
    q, d = rng.normal(size=(4, 5)), rng.normal(size=(6, 5))
    np.testing.assert_allclose(retrieval.cosine(q, d), cosine_similarity(q, d), atol=1e-12)
    q[1] = 0.0
    assert not retrieval.cosine(q, d)[1].any()
    with pytest.raises(ValueError, match="width"):
        retrieval.cosine(q, d[:, :3])


def test_average_vectors_by_hand():
    vectors = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    rows = retrieval.average_vectors([["a", "b"], ["c", "zzz"], ["zzz"]], ["a", "b", "c"], vectors)
    np.testing.assert_allclose(rows[0], np.array([0.5, 1.0]) / np.linalg.norm([0.5, 1.0]))
    np.testing.assert_allclose(rows[1], np.array([1.0, 1.0]) / math.sqrt(2))
    assert not rows[2].any()


# ------------------------------------------------------------------------- ranks, MRR, top-1
def plain_rank(row, gold):
    order = sorted(range(len(row)), key=lambda j: (-row[j], j))
    return order.index(gold) + 1


def test_ranks_mrr_and_top1_equal_a_sort_with_ties_by_label():
    rng = np.random.default_rng(1)
    scores = np.round(rng.random((40, 6)) * 4) / 4  # many ties
    gold = [int(g) for g in rng.integers(0, 6, 40)]
    expected = [plain_rank(list(row), g) for row, g in zip(scores, gold)]
    assert retrieval.ranks(scores, gold).tolist() == expected
    assert retrieval.mrr(scores, gold) == pytest.approx(np.mean([1 / r for r in expected]))
    assert retrieval.top1(scores, gold) == pytest.approx(np.mean([r == 1 for r in expected]))
    assert retrieval.ranks(np.array([[0.5, 0.5, 0.5]]), [2]).tolist() == [3]
    with pytest.raises(ValueError, match=r"gold\[0\]"):
        retrieval.ranks(scores[:1], [6])


# ------------------------------------------------------------------------- knowing when not to answer
def decisions():
    rng = np.random.default_rng(3)
    in_scope = rng.random(50) < 0.7
    correct = in_scope & (rng.random(50) < 0.8)
    confidence = np.round(np.where(correct, rng.uniform(0.3, 1, 50), rng.uniform(0, 0.7, 50)), 2)
    return confidence, list(map(bool, correct)), list(map(bool, in_scope))


def test_rejection_curve_equals_rejection_at_each_threshold():
    confidence, correct, in_scope = decisions()
    curve = retrieval.rejection_curve(confidence, correct, in_scope)
    assert np.all(np.diff(curve.thresholds) > 0) and curve.answered[0] == 1.0 and curve.answered[-1] == 0.0
    for i, threshold in enumerate(curve.thresholds):
        answered, precision, declined = retrieval.rejection_at(confidence, correct, in_scope, float(threshold))
        assert (curve.answered[i], curve.precision[i], curve.rejected_out_of_scope[i]) == pytest.approx(
            (answered, precision, declined))
        right = sum((c >= threshold and k) or (c < threshold and not s) for c, k, s in zip(confidence, correct, in_scope))
        assert curve.accuracy[i] == pytest.approx(right / len(confidence))


def test_choose_threshold_maximises_right_decisions_and_prefers_answering():
    confidence, correct, in_scope = decisions()
    chosen = retrieval.choose_threshold(confidence, correct, in_scope)
    curve = retrieval.rejection_curve(confidence, correct, in_scope)
    best = curve.accuracy.max()
    assert curve.accuracy[list(curve.thresholds).index(chosen)] == best
    assert chosen == min(t for t, a in zip(curve.thresholds, curve.accuracy) if a == best)
    # a clean split: every right answer above 0.5, every out-of-scope question below
    assert retrieval.choose_threshold([0.9, 0.8, 0.2, 0.1], [True, True, False, False],
                                      [True, True, False, False]) == pytest.approx(0.5)
    assert retrieval.rejection_at([0.3], [False], [True], 0.5) == (0.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="in_scope is False"):
        retrieval.rejection_curve([0.5], [True], [False])
