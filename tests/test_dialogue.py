"""Tests for lmtutor.dialogue (notebook 12): the three retrievers on the course FAQ, the encoder trained
through lm.train, slots, and the assistant's defined answer to any text (the data: test_dialogue_data.py;
TF-IDF, ranks and thresholds: test_retrieval.py)."""

import math
import os
import re
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from lmtutor import dialogue, dialogue_data, lm, retrieval, text

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def faq():
    return dialogue_data.load_faq()


@pytest.fixture(scope="module")
def tfidf(faq):
    return dialogue.TfidfRetriever(faq)


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


def test_a_none_class_and_averaging_with_tfidf(faq, tfidf):
    documents, labels = faq.documents()
    outside = [q.text for q in dialogue_data.load_questions("train")]
    texts, targets = documents + outside, labels + [len(faq.entries)] * len(outside)
    vocab = text.Vocab.build([retrieval.features(d) for d in texts], min_freq=2)
    assert vocab.stoi.get("goldfish") is None  # seen once: read as <unk>, so <unk> is trained too
    model = dialogue.build_encoder(len(vocab), len(faq.entries) + 1, dim=16, learning_rate=0.02, seed=0)
    lm.train(model, (dialogue.question_ids(texts, vocab), np.array(targets)), epochs=8, batch_size=64, verbose=False)
    guarded = dialogue.EncoderRetriever(model, vocab, none_class=True)
    questions = ["What is perplexity?", "How do I teach my dog to sit?"]
    probs = guarded.scores(questions)
    assert probs.shape == (2, len(faq.entries))
    logits = np.asarray(model(dialogue.question_ids(questions, vocab)), dtype=np.float64)
    none = np.exp(logits[:, -1]) / np.exp(logits).sum(axis=1)  # the oracle: softmax by hand
    np.testing.assert_allclose(probs.sum(axis=1), 1 - none, atol=1e-6)
    assert faq.ids[int(probs[0].argmax())] == "perplexity" and none[1] > 0.5 > none[0]  # a training question of each
    both = dialogue.EncoderRetriever(model, vocab, none_class=True, average_with=tfidf)
    np.testing.assert_allclose(both.scores(questions), (probs + tfidf.scores(questions)) / 2)
    assert both.name == "trained encoder averaged with TF-IDF"
    with pytest.raises(TypeError, match="average_with"):
        dialogue.EncoderRetriever(model, vocab, average_with="tfidf")
    with pytest.raises(TypeError, match="none_class"):
        dialogue.EncoderRetriever(model, vocab, none_class=1)
    with pytest.raises(ValueError, match="average_with"):  # 28 probabilities against 27 cosines
        dialogue.EncoderRetriever(model, vocab, average_with=tfidf).scores(questions)
    other = dialogue.build_encoder(len(vocab), len(faq.entries) + 1, dim=16, seed=1)  # untrained
    pair = dialogue.EncoderRetriever([model, other], vocab, none_class=True)
    alone = dialogue.EncoderRetriever(other, vocab, none_class=True)
    np.testing.assert_allclose(pair.scores(questions), (probs + alone.scores(questions)) / 2)
    assert pair.name == "2 trained encoders"
    with pytest.raises(ValueError, match="empty"):
        dialogue.EncoderRetriever([], vocab)
    with pytest.raises(TypeError, match=r"model\[1\]"):
        dialogue.EncoderRetriever([model, "model"], vocab)
    with pytest.raises(ValueError, match="same outputs"):
        dialogue.EncoderRetriever([model, dialogue.build_encoder(len(vocab), 5, dim=4)], vocab)


# ------------------------------------------------------------------------------- slots and replies
def readme_time(number: str) -> str:
    """Return the run time the README's course map gives notebook ``number`` (its last column)."""
    row = next(line for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
               if line.startswith(f"| {number} |"))
    return row.rstrip().removesuffix("|").rsplit("|", 1)[1].strip()


@pytest.mark.parametrize(("question", "lang", "expected"), [
    ("How long does notebook 7 take?", "en", {"notebook": "07", "title": "text generation"}),
    ("笔记本 04 要运行多久？", "zh", {"notebook": "04", "title": "LSTM"}),
    ("How long does notebook 12 take?", "en", {"notebook": "12", "title": "dialogue system"}),
    ("How long does notebook 2018 take?", "en", None), ("How long does notebook 31 take?", "en", None),
    ("How long does a notebook take?", "en", None)])
def test_fill_slot_finds_the_notebook_number(faq, question, lang, expected):
    entry = faq.entries[faq.ids.index("notebook_time")]
    values = dialogue.fill_slot(entry, question, faq, lang)
    if expected is None:
        assert values is None
    elif lang == "en":  # the time is the README course map's, whatever it is measured as next
        assert values == {**expected, "time": readme_time(expected["notebook"])}
        assert values["time"] == faq.run_times[expected["notebook"]] and re.search(r"\d+ s\b", values["time"])
    else:  # the same figures, said in Chinese
        seconds, speed = re.fullmatch(r"(\d+) s at (\d+-\d+) GFLOP/s", readme_time(expected["notebook"])).groups()
        assert values == {**expected, "time": f"{seconds} 秒（机器速度 {speed} GFLOP/s）"}


def test_every_readme_run_time_has_a_chinese_form(faq):
    for number, time in faq.run_times.items():
        said = dialogue._time_zh(time)
        assert said != time and " s at " not in said and re.search(r"\d+ 秒", said), (number, time, said)
    assert dialogue._time_zh("13 s at 300 GFLOP/s; it starts 6 worker processes") == "13 秒（机器速度 300 GFLOP/s），并会启动 6 个工作进程"
    assert dialogue._time_zh("about a minute") == "about a minute"  # an unknown form is not garbled


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
    ("How long does notebook 99 take?", "ask_slot", "notebook_time",
     "There is no notebook 99: the course's notebooks are 00 to 15. Which one do you mean?"),
    ("笔记本 123 要跑多久？", "ask_slot", "notebook_time", "没有笔记本 123：本课程的笔记本编号是 00 到 15。"),
    ("Which notebook teaches cooking?", "ask_slot", "which_notebook", "I found no topic of this course in that."),
    ("What is a language model?", "answer", "what_is_lm", "A language model assigns"),
    # not the bare "什么是语言模型？": its features are the characters of 语言模型 and 是语, which nearly
    # every "applications" phrasing shares too, and TF-IDF's centroids rank that entry 0.003 higher
    # (the notebook's averaged retriever answers it with 0.68 against 0.27)
    ("语言模型是什么意思？", "answer", "what_is_lm", "语言模型给一段文本分配概率"),
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


