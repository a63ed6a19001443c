"""A task-oriented course assistant (notebook 12): three retrievers, slots, chit-chat, fallback.

The course's FAQ (:mod:`lmtutor.dialogue_data`, English and Chinese) is the assistant's knowledge. A
retriever scores a question against every entry; ``Assistant`` answers from the best entry when
its score clears a threshold chosen on validation questions, fills a slot where the entry has one
("which notebook teaches <topic>?", "how long does notebook <N> take?"), answers chit-chat from
chatterbot-corpus, and otherwise says it does not know::

    faq = dialogue_data.load_faq()
    bot = Assistant(faq, TfidfRetriever(faq), threshold=0.1, chitchat={"en": dialogue_data.load_chitchat("en")})
    bot.reply("Which notebook teaches attention?").text   # 'Notebook 08 (attention and Transformer) ...'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from lmtutor import lm, retrieval, text
from lmtutor._validate import (MAX_WIDTH, _show, check_array, check_bool, check_callable, check_choice, check_float, check_int,
                               check_str, check_token_list, check_type)
from lmtutor.dialogue_data import LANGUAGES, Faq, FaqEntry, Question


# ------------------------------------------------------------------------------------ retrievers
def _texts(name: str, texts: Any) -> list[str]:
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
        raise TypeError(f"{name} must be a list of str, got {type(texts).__name__} {_show(texts)}")
    if not texts:
        raise ValueError(f"{name} must not be empty")
    return [check_str(f"{name}[{i}]", t) for i, t in enumerate(texts)]


class TfidfRetriever:
    """Scores questions against FAQ entries: cosine between a question's TF-IDF row and each entry's
    centroid (the mean of its documents' unit rows)."""

    name = "TF-IDF"

    def __init__(self, faq: Faq):
        check_type("faq", faq, Faq)
        docs, labels = faq.documents()
        self.tfidf = retrieval.Tfidf.fit([retrieval.features(d) for d in docs])
        rows, labels = self.tfidf.transform([retrieval.features(d) for d in docs]), np.asarray(labels)
        self.centroids = np.stack([rows[labels == k].mean(axis=0) for k in range(len(faq.entries))])

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return (Q, entries) cosine similarities, in [0, 1] (TF-IDF rows are not negative)."""
        rows = self.tfidf.transform([retrieval.features(t) for t in _texts("texts", texts)])
        return retrieval.cosine(rows, self.centroids)


class VectorRetriever:
    """Scores questions against FAQ entries: cosine between a question's averaged word vectors and
    each entry's centroid; ``words[i]`` owns row i of ``vectors``."""

    name = "word vectors"

    def __init__(self, faq: Faq, words: Sequence[str], vectors: Any):
        check_type("faq", faq, Faq)
        self.words, self.vectors = tuple(check_token_list("words", words)), vectors
        docs, labels = faq.documents()
        rows = retrieval.average_vectors([retrieval.features(d) for d in docs], self.words, vectors)
        labels = np.asarray(labels)
        self.centroids = np.stack([rows[labels == k].mean(axis=0) for k in range(len(faq.entries))])

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return (Q, entries) cosine similarities in [-1, 1]."""
        docs = [retrieval.features(t) for t in _texts("texts", texts)]
        return retrieval.cosine(retrieval.average_vectors(docs, self.words, self.vectors), self.centroids)


def question_ids(texts: Sequence[str], vocab: text.Vocab, *, max_len: int = 64) -> np.ndarray:
    """Return (N, max_len) int32 ids: <bos>, then each text's features (<unk> if not in ``vocab``),
    cut at ``max_len`` and padded with <pad> = 0. <bos> keeps a text with no known feature from
    being all padding (an average over nothing)."""
    texts = _texts("texts", texts)
    check_type("vocab", vocab, text.Vocab)
    max_len = check_int("max_len", max_len, minimum=2, maximum=4_096)
    out = np.zeros((len(texts), max_len), dtype=np.int32)
    for i, t in enumerate(texts):
        ids = [vocab.bos_id, *(vocab.stoi.get(f, vocab.unk_id) for f in retrieval.features(t))][:max_len]
        out[i, :len(ids)] = ids
    return out


def build_encoder(vocab_size: int, n_entries: int, *, dim: int = 64, learning_rate: float = 0.01,
                  seed: int = 0) -> keras.Model:
    """Return a compiled encoder-classifier: ids "x" -> Embedding "x_embedding" (dim) -> mean over the
    non-padding positions -> Dense logits over ``n_entries``; trained by ``lm.train`` on
    (question_ids, entry index) pairs with cross-entropy."""
    vocab_size = check_int("vocab_size", vocab_size, minimum=5, maximum=10_000_000)
    n_entries = check_int("n_entries", n_entries, minimum=2, maximum=100_000)
    dim = check_int("dim", dim, minimum=1, maximum=MAX_WIDTH)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, min_inclusive=False)
    seeds = lm.layer_seeds(seed)
    ids = keras.Input((None,), dtype="int32", name="x")
    vectors = keras.layers.Embedding(vocab_size, dim, mask_zero=True, name="x_embedding",
                                     embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=next(seeds)))(ids)
    pooled = keras.layers.GlobalAveragePooling1D(name="mean")(vectors)
    logits = keras.layers.Dense(n_entries, name="logits", kernel_initializer=keras.initializers.GlorotUniform(next(seeds)))(pooled)
    model = keras.Model(ids, logits, name="faq_encoder")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


class EncoderRetriever:
    """Scores questions with a trained encoder-classifier: the softmax probability of each entry;
    given a list of models (the same encoder trained with several seeds), the mean of their probabilities.

    With ``none_class`` the model's last output is a class "none of the entries", trained on
    out-of-scope questions: the scores are the entries' probabilities only, so a row sums to
    1 - P(none), and a question the model puts outside the FAQ scores low everywhere. With
    ``average_with`` (another retriever, such as a :class:`TfidfRetriever`) the scores are the mean
    of the encoder's probabilities and that retriever's scores, an ensemble of the two: an entry
    scores high only if both find the question close to it.
    """

    name = "trained encoder"

    def __init__(self, model: keras.Model | Sequence[keras.Model], vocab: text.Vocab, *, none_class: bool = False,
                 average_with: Any = None):
        several = isinstance(model, (list, tuple))
        models = list(model) if several else [model]
        if not models:
            raise ValueError("model must be a Keras model or a non-empty list of them, got an empty list")
        for i, m in enumerate(models):
            check_type(f"model[{i}]" if several else "model", m, keras.Model)
        check_type("vocab", vocab, text.Vocab)
        self.none_class = check_bool("none_class", none_class)
        for m in models:
            if lm.input_sizes(m) != [len(vocab)]:
                raise ValueError(f"model must read ids of vocab ({len(vocab)} tokens), its embedding reads {lm.input_sizes(m)}")
            if lm.vocab_size(m) != lm.vocab_size(models[0]):
                raise ValueError(f"the models must have the same outputs, got {lm.vocab_size(models[0])} and {lm.vocab_size(m)}")
        if none_class and lm.vocab_size(models[0]) < 3:
            raise ValueError(f"model must have at least 2 entries and the none class with none_class=True, "
                             f"it has {lm.vocab_size(models[0])} outputs")
        if average_with is not None and not callable(getattr(average_with, "scores", None)):
            raise TypeError(f"average_with must be None or a retriever with a scores(texts) method (TfidfRetriever, ...), "
                            f"got {type(average_with).__name__}")
        self.models, self.vocab, self.average_with = models, vocab, average_with
        self.model = models[0]
        if len(models) > 1:
            self.name = f"{len(models)} trained encoders"
        if average_with is not None:
            self.name = f"{self.name} averaged with {getattr(average_with, 'name', type(average_with).__name__)}"

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return (Q, entries) probabilities (the mean over the models); each row sums to 1 (1 - P(none)
        with ``none_class``), or with ``average_with`` the mean of these and the other retriever's scores."""
        texts = _texts("texts", texts)
        ids = question_ids(texts, self.vocab)
        each = []
        for model in self.models:
            logits = np.asarray(model(ids, training=False), dtype=np.float64)
            logits -= logits.max(axis=1, keepdims=True)
            probs = np.exp(logits)
            each.append(probs / probs.sum(axis=1, keepdims=True))
        probs = np.mean(each, axis=0)  # several models (seeds): the mean of their probabilities
        probs = probs[:, :-1] if self.none_class else probs
        if self.average_with is None:
            return probs
        other = np.asarray(self.average_with.scores(texts), dtype=np.float64)
        if other.shape != probs.shape:
            raise ValueError(f"average_with must score the encoder's {probs.shape[1]} entries, its scores have shape {other.shape}")
        return (probs + other) / 2


@dataclass(frozen=True)
class Scored:
    """A retriever's scores of held-out questions, with what the right answers are."""

    scores: np.ndarray  # (Q, entries)
    gold: np.ndarray  # (Q,) index of the right entry, -1 for an out-of-scope question
    lang: np.ndarray  # (Q,) "en" or "zh"

    def __post_init__(self):
        scores = check_array("scores", self.scores, ndim=2, allow_empty=False)
        gold, lang = np.asarray(self.gold), np.asarray(self.lang)
        if gold.shape != (len(scores),) or gold.dtype.kind not in "iu" or gold.min() < -1 or gold.max() >= scores.shape[1]:
            raise ValueError(f"gold must hold one entry index (or -1) per row of scores ({len(scores)}), got {_show(self.gold)}")
        if lang.shape != (len(scores),) or not set(lang.tolist()) <= set(LANGUAGES):
            raise ValueError(f"lang must hold 'en' or 'zh' per row of scores ({len(scores)}), got {_show(self.lang)}")
        object.__setattr__(self, "scores", scores)

    @property
    def in_scope(self) -> np.ndarray:
        return self.gold >= 0

    @property
    def confidence(self) -> np.ndarray:
        """(Q,) the best entry's score: what a threshold compares."""
        return self.scores.max(axis=1)

    @property
    def correct(self) -> np.ndarray:
        """(Q,) True where the best entry (ties: the lower index) is the right one."""
        return self.in_scope & (self.scores.argmax(axis=1) == self.gold)

    def ranking(self, lang: str) -> tuple[float, float]:
        """Return (top-1, MRR) over the in-scope questions of ``lang`` ("en", "zh" or "all")."""
        check_choice("lang", lang, (*LANGUAGES, "all"))
        keep = self.in_scope & ((self.lang == lang) if lang != "all" else True)
        return retrieval.top1(self.scores[keep], self.gold[keep]), retrieval.mrr(self.scores[keep], self.gold[keep])


def score_questions(retriever: Any, faq: Faq, questions: Sequence[Question]) -> Scored:
    """Return the :class:`Scored` of ``questions`` by ``retriever`` (anything with ``scores(texts)``)."""
    if not callable(getattr(retriever, "scores", None)):
        raise TypeError(f"retriever must have a scores(texts) method (TfidfRetriever, ...), got {type(retriever).__name__}")
    check_type("faq", faq, Faq)
    if isinstance(questions, str) or not isinstance(questions, (list, tuple)) or not questions:
        raise TypeError(f"questions must be a non-empty list of Question, got {type(questions).__name__} {_show(questions)}")
    for i, q in enumerate(questions):
        check_type(f"questions[{i}]", q, Question)
        if q.entry is not None and q.entry not in faq.ids:
            raise ValueError(f"questions[{i}] names entry {q.entry!r}, which is not in the FAQ")
    scores = np.asarray(retriever.scores([q.text for q in questions]), dtype=np.float64)
    gold = np.array([-1 if q.entry is None else faq.ids.index(q.entry) for q in questions])
    return Scored(scores, gold, np.array([q.lang for q in questions]))


# ------------------------------------------------------------------------------------ the assistant
def fill_slot(entry: FaqEntry, question: str, faq: Faq, lang: str) -> dict | None:
    """Return the slot values ``entry``'s answer template needs from ``question``, or None if the
    question does not name them: a notebook number (00-99, "notebook 7" is "07") or a topic keyword
    of ``faq.topics[lang]`` (the longest keyword found wins)."""
    check_type("entry", entry, FaqEntry)
    check_str("question", question)
    check_type("faq", faq, Faq)
    check_choice("lang", lang, LANGUAGES)
    lowered = question[:retrieval.MAX_CHARS].lower()
    if entry.slot == "notebook":
        found = re.search(r"(?<!\d)(\d{1,2})(?!\d)", lowered)
        number = f"{int(found.group(1)):02d}" if found else None
        if number is None or number not in faq.notebooks:
            return None
        index = LANGUAGES.index(lang)
        time = faq.run_times.get(number, ("not measured in the README yet", "README 中尚未测量")[index])
        return {"notebook": number, "title": faq.notebooks[number][lang], "time": time if lang == "en" else _time_zh(time)}
    if entry.slot == "topic":
        hits = [t for t in faq.topics[lang] if t[0] in lowered]
        if not hits:
            return None
        keyword, number, topic = max(hits, key=lambda t: len(t[0]))
        return {"notebook": number, "title": faq.notebooks[number][lang], "topic": topic}
    return {}


_RUN_TIME = re.compile(r"(?P<seconds>\d+(?:\.\d+)?) s at (?P<speed>\d+(?:-\d+)?) GFLOP/s(?:; it starts (?P<workers>\d+) worker processes)?")


def _time_zh(time: str) -> str:
    """Return a README run time ("59 s at 292-308 GFLOP/s", optionally "; it starts 6 worker processes")
    in Chinese; any other text is returned as it is."""
    found = _RUN_TIME.fullmatch(time)
    if found is None:
        return time
    said = f"{found['seconds']} 秒（机器速度 {found['speed']} GFLOP/s）"
    return said + (f"，并会启动 {found['workers']} 个工作进程" if found["workers"] else "")


@dataclass(frozen=True)
class Reply:
    """What the assistant says, and why."""

    text: str  # the reply shown to the learner
    kind: str  # "answer", "slot", "ask_slot", "chitchat", "fallback" or "empty"
    lang: str  # "en" or "zh"
    intent: str | None  # the intent of the entry used, None for fallback and empty input
    entry: str | None  # the FAQ entry id used
    score: float  # the retriever's score of that entry (0.0 for empty input)
    source: str  # where the text comes from: "faq:<id>", "chatterbot-corpus", "fallback", ...
    generated: str | None = None  # a chit-chat continuation written by a language model, if any

    def __post_init__(self):
        check_str("text", self.text)
        check_choice("kind", self.kind, ("answer", "slot", "ask_slot", "chitchat", "fallback", "empty"))
        check_choice("lang", self.lang, LANGUAGES)
        for name in ("intent", "entry", "generated"):
            if getattr(self, name) is not None:
                check_str(name, getattr(self, name))
        check_float("score", self.score)
        check_str("source", self.source)


_FALLBACK = {"en": "Sorry, I do not know: that question is outside this course. Try asking about the notebooks, "
                   "the commands or language models.",
             "zh": "抱歉，我不知道：这个问题超出了本课程的范围。可以问我关于笔记本、命令或语言模型的问题。"}
_EMPTY = {"en": "Please type a question: I found no words to look up in that.", "zh": "请输入一个问题：我在里面没有找到可以查找的字词。"}
_ASK = {"notebook": {"en": "Which notebook do you mean? Give its number, for example notebook 04.",
                     "zh": "你指的是哪个笔记本？请给出编号，例如笔记本 04。"},
        "topic": {"en": "I found no topic of this course in that. Which topic do you mean? For example attention, "
                        "dropout or perplexity.",
                  "zh": "我在问题里没有找到本课程的主题。你指的是哪个主题？例如注意力、dropout 或困惑度。"}}
_NO_NOTEBOOK = {"en": "There is no notebook {number}: the course's notebooks are {first} to {last}. Which one do you mean?",
                "zh": "没有笔记本 {number}：本课程的笔记本编号是 {first} 到 {last}。你指的是哪一个？"}


def _ask_slot(entry: FaqEntry, question: str, faq: Faq, lang: str) -> str:
    """Return what the assistant asks when ``question`` lacks the value ``entry``'s slot needs: a
    number that is no notebook of the course is named as such; otherwise the slot's question."""
    found = re.search(r"\d+", question[:retrieval.MAX_CHARS])  # fill_slot took none of its numbers
    if entry.slot == "notebook" and found:
        numbers = sorted(faq.notebooks)
        return _NO_NOTEBOOK[lang].format(number=found.group(), first=numbers[0], last=numbers[-1])
    return _ASK[entry.slot][lang]


class Assistant:
    """Answers a question from the FAQ if the retriever's best score reaches ``threshold``, else falls back.

    ``chitchat``: (prompt, reply) pairs per language (``{"en": load_chitchat("en"), ...}``), used
    for chit-chat entries when a prompt is close enough; ``generator(text, lang) -> str``: a language
    model that writes a continuation for chit-chat, shown labelled as generated.
    """

    def __init__(self, faq: Faq, retriever: Any, threshold: float, *, chitchat: dict | None = None,
                 generator: Callable[[str, str], str] | None = None):
        self.faq = check_type("faq", faq, Faq)
        if not callable(getattr(retriever, "scores", None)):
            raise TypeError(f"retriever must have a scores(texts) method (TfidfRetriever, ...), got {type(retriever).__name__}")
        self.retriever = retriever
        self.threshold = check_float("threshold", threshold)
        self.generator = None if generator is None else check_callable("generator", generator)
        self.chitchat = {}
        for lang, pairs in check_type("chitchat", {} if chitchat is None else chitchat, dict).items():
            check_choice("chitchat language", lang, LANGUAGES)
            if not isinstance(pairs, list) or not pairs or not all(
                    isinstance(p, tuple) and len(p) == 2 and all(isinstance(t, str) for t in p) for p in pairs):
                raise TypeError(f"chitchat[{lang!r}] must be a non-empty list of (prompt, reply) str pairs, got {_show(pairs)}")
            prompts = [p for p, _ in pairs]
            tfidf = retrieval.Tfidf.fit([retrieval.features(p) or ["<none>"] for p in prompts])
            self.chitchat[lang] = (tfidf, tfidf.transform([retrieval.features(p) for p in prompts]), list(pairs))

    def reply(self, question: str) -> Reply:
        """Return the :class:`Reply` to ``question`` (any str: empty, long, mixed languages)."""
        check_type("question", question, str)
        lang = retrieval.language(question)
        if not retrieval.features(question):
            return Reply(_EMPTY[lang], "empty", lang, None, None, 0.0, "empty input")
        scores = self.retriever.scores([question])[0]
        best = int(np.argmax(scores))
        score, entry = float(scores[best]), self.faq.entries[best]
        if score < self.threshold:
            return Reply(_FALLBACK[lang], "fallback", lang, None, None, score, "fallback")
        if entry.intent == "chitchat":
            return self._chitchat(question, lang, entry, score)
        values = fill_slot(entry, question, self.faq, lang)
        if values is None:
            return Reply(_ask_slot(entry, question, self.faq, lang), "ask_slot", lang, entry.intent, entry.id, score,
                         f"faq:{entry.id}")
        kind = "slot" if entry.slot else "answer"
        return Reply(entry.answer[lang].format(**values), kind, lang, entry.intent, entry.id, score, f"faq:{entry.id}")

    def _chitchat(self, question: str, lang: str, entry: FaqEntry, score: float) -> Reply:
        generated = self.generator(question, lang) if self.generator is not None else None
        if lang in self.chitchat:
            tfidf, rows, pairs = self.chitchat[lang]
            similarity = retrieval.cosine(tfidf.transform([retrieval.features(question)]), rows)[0]
            nearest = int(np.argmax(similarity))
            if similarity[nearest] >= 0.5:
                return Reply(pairs[nearest][1], "chitchat", lang, entry.intent, entry.id, score,
                             f"chatterbot-corpus: {pairs[nearest][0]!r}", generated)
        return Reply(entry.answer[lang], "chitchat", lang, entry.intent, entry.id, score, f"faq:{entry.id}", generated)
