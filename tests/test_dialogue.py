"""Tests for lmtutor.retrieval and lmtutor.dialogue (notebook 12): TF-IDF and cosine against
scikit-learn, ranks / MRR / rejection curves against plain-Python versions, the FAQ and its held-out
files, chatterbot-corpus read with its checksums, the three retrievers, slots and the assistant's
defined answer to any text."""

import json
import math
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from lmtutor import corpora, dialogue, dialogue_data, lm, retrieval, text

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def faq():
    return dialogue_data.load_faq()


@pytest.fixture(scope="module")
def tfidf(faq):
    return dialogue.TfidfRetriever(faq)


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


# ------------------------------------------------------------------------------------ the data
def test_the_faq_and_its_held_out_questions(faq):
    assert len(faq.entries) == 27 and len(set(faq.ids)) == 27
    for entry in faq.entries:
        for lang in dialogue_data.LANGUAGES:
            assert entry.question[lang] and entry.answer[lang] and len(entry.phrasings[lang]) >= 8
        if entry.slot:
            assert "{notebook}" in entry.answer["en"] and "{notebook}" in entry.answer["zh"]
    trained = {t.strip().lower() for t in faq.documents(answers=False)[0]}
    for split in ("valid", "test"):
        questions = dialogue_data.load_questions(split)
        held = [q for q in questions if q.entry is not None]
        assert {q.entry for q in held} == set(faq.ids)
        for entry in faq.ids:
            assert sorted(q.lang for q in held if q.entry == entry) == ["en", "en", "zh", "zh"]
        assert sum(q.entry is None for q in questions) == 30
        assert not [q.text for q in questions if q.text.strip().lower() in trained], "a held-out question is a training phrasing"
        assert all(retrieval.language(q.text) == q.lang for q in questions)
    valid, test = (dialogue_data.load_questions(s) for s in ("valid", "test"))
    assert not {q.text for q in valid} & {q.text for q in test}


def test_chatterbot_files_are_read_with_their_checksums_and_deduplicated():
    assert set(dialogue_data.CORPORA) == {f"chatterbot_{lang}_{name}" for lang in ("en", "ch")
                                     for name in ("greetings", "conversations", "emotion")}
    for name, card in dialogue_data.CORPORA.items():
        path = dialogue_data.corpus_path(name)
        assert corpora._sha256(path) == card.sha256 and "BSD" in card.license
    english, every = dialogue_data.load_chitchat("en"), dialogue_data.load_chitchat("en", dedupe=False)
    assert (len(every), len(english)) == (338, 335) and len(set(english)) == len(english)
    assert set(english) == set(every) and english[0] == every[0]
    assert len(dialogue_data.load_chitchat("zh")) == 168
    assert ("Hi", "Hello") in english and ("嗨", "你好") in dialogue_data.load_chitchat("zh")


def test_a_chatterbot_file_that_changed_is_refused(monkeypatch):
    card = dialogue_data.CORPORA["chatterbot_en_greetings"]
    monkeypatch.setitem(dialogue_data.CORPORA, card.name, corpora.CorpusCard(
        card.name, card.package, card.path, card.license, "0" * 64, card.description))
    with pytest.raises(ValueError, match="sha256|SHA-256|checksum"):
        dialogue_data.corpus_path("chatterbot_en_greetings")
    assert dialogue_data.corpus_path("chatterbot_en_greetings", verify=False).is_file()


def test_data_files_are_the_ones_the_loaders_read(tmp_path):
    for name in ("faq.json", "heldout.json", "out_of_scope.json"):
        (tmp_path / name).write_text((REPO / "data" / "dialogue" / name).read_text(encoding="utf-8"), encoding="utf-8")
    assert dialogue_data.load_faq(tmp_path) == dialogue_data.load_faq()
    with pytest.raises(FileNotFoundError, match="data/dialogue"):
        dialogue_data.load_faq(tmp_path / "nowhere")


# ------------------------------------------------------------------------------------ retrievers
def test_tfidf_retriever_scores_the_centroids(faq, tfidf):
    documents, labels = faq.documents()
    rows = tfidf.tfidf.transform([retrieval.features(d) for d in documents])
    k = faq.ids.index("perplexity")
    centroid = rows[np.asarray(labels) == k].mean(axis=0)
    query = tfidf.tfidf.transform([retrieval.features("how do I compute perplexity")])[0]
    assert tfidf.scores(["how do I compute perplexity"])[0, k] == pytest.approx(
        query @ centroid / np.linalg.norm(centroid))
    scored = dialogue.score_questions(tfidf, faq, dialogue_data.load_questions("valid"))
    top1, mrr = scored.ranking("all")
    assert 0.7 < top1 <= mrr <= 1.0  # measured 0.824 / 0.874: far above chance (1/27)
    assert scored.ranking("zh")[0] > 0.75 and scored.ranking("en")[0] > 0.7


def test_vector_retriever_with_one_hot_vectors_is_a_bag_of_words(faq):
    documents, _ = faq.documents()
    words = sorted({f for d in documents for f in retrieval.features(d)})
    retriever = dialogue.VectorRetriever(faq, words, np.eye(len(words)))
    scores = retriever.scores(["What is perplexity?", "zebra"])
    assert faq.ids[int(scores[0].argmax())] == "perplexity"
    assert not scores[1].any()  # no known word: similarity 0 with every entry


def test_the_encoder_trains_through_lm_train_and_learns_the_faq(faq):
    documents, labels = faq.documents()
    vocab = text.Vocab.build([retrieval.features(d) for d in documents])
    ids = dialogue.question_ids(documents, vocab)
    assert ids.dtype == np.int32 and (ids[:, 0] == vocab.bos_id).all()
    assert dialogue.question_ids(["???"], vocab)[0].tolist()[:2] == [vocab.bos_id, 0]
    model = dialogue.build_encoder(len(vocab), len(faq.entries), dim=16, learning_rate=0.02, seed=0)
    assert lm.input_sizes(model) == [len(vocab)] and lm.vocab_size(model) == len(faq.entries)
    history = lm.train(model, (ids, np.array(labels)), epochs=6, batch_size=64, verbose=False)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    encoder = dialogue.EncoderRetriever(model, vocab)
    probs = encoder.scores(documents[:50] + ["???"])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert np.mean(probs[:50].argmax(axis=1) == np.array(labels[:50])) > 0.9  # its training questions
    with pytest.raises(ValueError, match="vocab"):
        dialogue.EncoderRetriever(model, text.Vocab.build([["a"]]))


def test_with_phrasings_keeps_the_first_ones(faq):
    one = dialogue_data.with_phrasings(faq, 1)
    assert all(len(e.phrasings[lang]) == 1 and e.phrasings[lang][0] == f.phrasings[lang][0]
               for e, f in zip(one.entries, faq.entries) for lang in dialogue_data.LANGUAGES)
    assert dialogue_data.with_phrasings(faq, None) is faq and len(faq.entries[0].phrasings["en"]) > 1


# ------------------------------------------------------------------------------- slots and replies
@pytest.mark.parametrize(("question", "lang", "expected"), [
    ("How long does notebook 7 take?", "en", {"notebook": "07", "title": "text generation", "time": "53 s"}),
    ("笔记本 04 要运行多久？", "zh", {"notebook": "04", "title": "LSTM", "time": "59 s"}),
    ("How long does notebook 12 take?", "en", {"notebook": "12", "title": "dialogue system",
                                               "time": "28.5 s at 52-66 GFLOP/s"}),
    ("How long does notebook 2018 take?", "en", None), ("How long does notebook 31 take?", "en", None),
    ("How long does a notebook take?", "en", None)])
def test_fill_slot_finds_the_notebook_number(faq, question, lang, expected):
    entry = faq.entries[faq.ids.index("notebook_time")]
    assert dialogue.fill_slot(entry, question, faq, lang) == expected


def test_a_notebook_without_a_measured_time_says_so(faq):
    import dataclasses

    unmeasured = dataclasses.replace(faq, run_times={})
    entry = faq.entries[faq.ids.index("notebook_time")]
    assert dialogue.fill_slot(entry, "笔记本 4 要多久？", unmeasured, "zh")["time"] == "README 中尚未测量"


@pytest.mark.parametrize(("question", "lang", "notebook", "topic"), [
    ("Which notebook teaches attention?", "en", "08", "attention"),
    ("Where is cross-entropy explained?", "en", "05", "cross-entropy"),  # longer keyword than "cross"
    ("Where do I learn top-p?", "en", "07", "top-p sampling"), ("Where do I learn top-p sampling?", "en", "07", "sampling"),
    ("哪个笔记本讲困惑度？", "zh", "01", "困惑度"), ("束搜索在哪里讲？", "zh", "07", "束搜索")])
def test_fill_slot_finds_the_topic(faq, question, lang, notebook, topic):
    entry = faq.entries[faq.ids.index("which_notebook")]
    values = dialogue.fill_slot(entry, question, faq, lang)
    assert values["notebook"] == notebook and values["topic"] == topic


@pytest.fixture(scope="module")
def assistant(faq, tfidf):
    chitchat = {lang: dialogue_data.load_chitchat(lang) for lang in dialogue_data.LANGUAGES}
    return dialogue.Assistant(faq, tfidf, 0.109, chitchat=chitchat, generator=lambda q, lang: f"<{lang}>")


@pytest.mark.parametrize(("question", "kind", "entry", "start"), [
    ("Which notebook teaches attention?", "slot", "which_notebook", "Notebook 08 (attention and Transformer) teaches attention."),
    ("How long does a notebook take?", "ask_slot", "notebook_time", "Which notebook do you mean?"),
    ("What is a language model?", "answer", "what_is_lm", "A language model assigns"),
    ("什么是语言模型？", "answer", "what_is_lm", "语言模型给一段文本分配概率"),
    ("What's the weather like in Beijing tomorrow?", "fallback", None, "Sorry, I do not know"),
    ("明天北京的天气怎么样？", "fallback", None, "抱歉，我不知道"),
    ("Hello, how are you?", "chitchat", "greeting", "Hi")])
def test_the_assistant_answers_slots_and_falls_back(assistant, question, kind, entry, start):
    reply = assistant.reply(question)
    assert (reply.kind, reply.entry) == (kind, entry) and reply.text.startswith(start)
    assert (reply.score >= assistant.threshold) == (kind != "fallback")
    assert (reply.generated is not None) == (kind == "chitchat")
    if kind == "chitchat":
        assert reply.source.startswith("chatterbot-corpus") and reply.generated == "<en>"


@pytest.mark.parametrize("question", ["", "   ", "?!…。", "\n\t", "what is it?", "perplexity " * 10_000,
                                      "LSTM 和 RNN 有什么区别？", "<script>alert('x')</script>", "🙂🙂", "\x00\x01"])
def test_any_text_gets_a_defined_reply_never_a_crash(assistant, question):
    reply = assistant.reply(question)
    assert reply.kind in {"answer", "slot", "ask_slot", "chitchat", "fallback", "empty"} and reply.text
    assert reply.lang in dialogue_data.LANGUAGES and math.isfinite(reply.score)
    if not retrieval.features(question):
        assert reply.kind == "empty" and reply.score == 0.0


def test_the_assistant_without_chitchat_answers_from_the_faq(faq, tfidf):
    bot = dialogue.Assistant(faq, tfidf, 0.1)
    reply = bot.reply("谢谢你的帮助")
    assert reply.kind == "chitchat" and reply.text == "不客气。" and reply.generated is None
    assert dialogue.Assistant(faq, tfidf, 2.0).reply("What is a language model?").kind == "fallback"
    with pytest.raises(TypeError, match="retriever"):
        dialogue.Assistant(faq, object(), 0.1)
    with pytest.raises(TypeError, match="question"):
        bot.reply(None)


def test_faq_json_is_plain_json_with_both_languages():
    raw = json.loads((REPO / "data" / "dialogue" / "faq.json").read_text(encoding="utf-8"))
    assert set(raw) == {"description", "entries", "topics", "notebooks", "run_times"}
    assert set(raw["topics"]) == {"en", "zh"} and all(len(t) == 3 for lang in raw["topics"].values() for t in lang)


def test_the_data_readme_table_matches_the_cards_and_the_files():
    rows = {}
    for line in (REPO / "data" / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        if line.startswith("| chatterbot_"):
            rows[cells[0]] = cells
    assert set(rows) == set(dialogue_data.CORPORA)
    for name, (_, package, path, size, digest) in rows.items():
        card = dialogue_data.CORPORA[name]
        assert (package, path, digest) == (card.package, card.path, card.sha256)
        assert int(size.replace(",", "")) == dialogue_data.corpus_path(name).stat().st_size
