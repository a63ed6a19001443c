"""A task-oriented course assistant (notebook 12): the FAQ, three retrievers, slots, chit-chat, fallback.

The course's FAQ (``data/dialogue/faq.json``, English and Chinese) is the assistant's knowledge. A
retriever scores a question against every entry; ``Assistant`` answers from the best entry when
its score clears a threshold chosen on validation questions, fills a slot where the entry has one
("which notebook teaches <topic>?", "how long does notebook <N> take?"), answers chit-chat from
chatterbot-corpus, and otherwise says it does not know::

    faq = load_faq()
    retriever = TfidfRetriever(faq)
    bot = Assistant(faq, retriever, threshold=0.3, chitchat=load_chitchat())
    bot.reply("Which notebook teaches attention?").text   # 'Notebook 08 (attention and Transformer) ...'

chatterbot-corpus's YAML files are read (the package is never imported) and checked against the
SHA-256 on their cards, with the card machinery of :mod:`lmtutor.corpora`. data/README.md has the cards.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from lmtutor import corpora, lm, retrieval, text
from lmtutor._validate import (MAX_WIDTH, _show, check_callable, check_choice, check_float, check_int, check_str,
                               check_token_list, check_type)

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "dialogue"  # the FAQ files of the course checkout
LANGUAGES = ("en", "zh")
PINNED = {"chatterbot_corpus": "1.3.3"}  # import name -> version in requirements.txt
_BSD = "BSD-3-Clause, as distributed in chatterbot-corpus (Gunther Cox)"
_FILES = {  # (language folder, file) -> sha256 of the file in chatterbot-corpus 1.3.3
    ("english", "greetings"): "0dd7eb8dcee8e2a38cd1a137bcfbd7f3eb732cddfa1bd396fac5a24b063a4d55",
    ("english", "conversations"): "1cf105b5802f377b2dc145f741f7df85629c9ca27e450538165286a75b5e3416",
    ("english", "emotion"): "510a018938c1880dd0f67e1ae458e26878c91a570daef5a84fb83713c89f0989",
    ("chinese", "greetings"): "3ee79c3f1c35af1022bf46049968ab22435044b3bc9a287d72c1733c05322329",
    ("chinese", "conversations"): "b689bacb7b35467c5340f18b32a363a3affb76747c0e6bba78c17bbd15fafb66",
    ("chinese", "emotion"): "b49abd01b2102d187dbb0d83ad989115d641d9b6798fa098adde2e7922ea4dff",
}
CORPORA: dict[str, corpora.CorpusCard] = {
    f"chatterbot_{folder[:2]}_{name}": corpora.CorpusCard(
        f"chatterbot_{folder[:2]}_{name}", "chatterbot_corpus", f"data/{folder}/{name}.yml", _BSD, digest,
        f"chatterbot-corpus {folder} {name} conversations (YAML)")
    for (folder, name), digest in _FILES.items()}


def corpus_path(name: str, *, verify: bool = True) -> Path:
    """Return the path of chit-chat file ``name`` (a key of CORPORA), its sha256 checked if ``verify``."""
    check_type("name", name, str)
    check_choice("name", name, CORPORA)
    return corpora.card_path(CORPORA[name], f"chatterbot-corpus=={PINNED['chatterbot_corpus']}", verify=verify)


# ------------------------------------------------------------------------------------- the FAQ
@dataclass(frozen=True)
class FaqEntry:
    """One question the assistant answers, in both languages."""

    id: str  # "what_is_lm"
    intent: str  # "course", "concept", "chitchat", "which_notebook" or "notebook_time"
    slot: str | None  # None, "topic" or "notebook": what the answer needs from the question
    question: dict  # {"en": ..., "zh": ...}, the canonical question
    answer: dict  # {"en": ..., "zh": ...}; a slot entry's answer is a template with {notebook}, {title}, ...
    phrasings: dict  # {"en": [...], "zh": [...]}: other wordings, what the retrievers learn from


@dataclass(frozen=True)
class Faq:
    """The course FAQ: entries, the topic keywords of the "topic" slot, notebook titles and run times."""

    entries: tuple[FaqEntry, ...]
    topics: dict  # lang -> [(keyword, notebook "01", topic as the answer names it)]
    notebooks: dict  # "04" -> {"en": "LSTM", "zh": "LSTM"}
    run_times: dict  # "04" -> "59 s", as the README's course map quotes it

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def documents(self, *, answers: bool = True) -> tuple[list[str], list[int]]:
        """Return (texts, labels): every question and phrasing (and answer) of both languages with
        the index of its entry; slot answers are templates and are left out."""
        check_type("answers", answers, bool)
        texts, labels = [], []
        for k, e in enumerate(self.entries):
            for lang in LANGUAGES:
                extra = [e.answer[lang]] if answers and e.slot is None else []
                for item in [e.question[lang], *e.phrasings[lang], *extra]:
                    texts.append(item)
                    labels.append(k)
        return texts, labels


def with_phrasings(faq: Faq, kept: int | None) -> Faq:
    """Return ``faq`` with only the first ``kept`` phrasings of each entry and language (None: all):
    how retrieval depends on the number of phrasings."""
    check_type("faq", faq, Faq)
    if kept is None:
        return faq
    kept = check_int("kept", kept, minimum=0, maximum=1_000_000)
    entries = tuple(dataclasses.replace(e, phrasings={lang: list(e.phrasings[lang][:kept]) for lang in LANGUAGES})
                    for e in faq.entries)
    return dataclasses.replace(faq, entries=entries)


@dataclass(frozen=True)
class Question:
    """A held-out question: its text, language and the id of its FAQ entry (None: out of scope)."""

    text: str
    lang: str
    entry: str | None


def _read(name: str, directory: Any) -> dict:
    folder = DATA_DIR if directory is None else Path(check_type("directory", directory, (str, Path)))
    path = folder / name
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: the dialogue data lives in data/dialogue of the course "
                                f"checkout; pass directory=<that folder> if lmtutor was installed without it")
    return json.loads(path.read_text(encoding="utf-8"))


def load_faq(directory: str | Path | None = None) -> Faq:
    """Return the course :class:`Faq` from ``faq.json`` in ``directory`` (default: data/dialogue)."""
    raw = _read("faq.json", directory)
    entries = tuple(FaqEntry(**e) for e in raw["entries"])
    topics = {lang: [tuple(t) for t in raw["topics"][lang]] for lang in LANGUAGES}
    return Faq(entries, topics, raw["notebooks"], raw["run_times"])


def load_questions(split: str, directory: str | Path | None = None) -> list[Question]:
    """Return the held-out questions of ``split`` ("valid" or "test"): the paraphrases of FAQ entries,
    then the out-of-scope questions (entry None)."""
    check_choice("split", split, ("valid", "test"))
    held = _read("heldout.json", directory)[split]
    outside = _read("out_of_scope.json", directory)[split]
    return ([Question(q["text"], q["lang"], q["entry"]) for q in held]
            + [Question(q["text"], q["lang"], None) for q in outside])


def load_chitchat(lang: str = "en", *, files: Sequence[str] = ("greetings", "conversations", "emotion"),
                  dedupe: bool = True) -> list[tuple[str, str]]:
    """Return the (prompt, reply) pairs of chatterbot-corpus in ``lang`` ("en" or "zh"): every pair of
    neighbouring turns of every conversation of ``files``, turns stripped; with ``dedupe`` each
    distinct pair once, in order of first appearance (the corpus repeats many)."""
    import yaml

    check_choice("lang", lang, LANGUAGES)
    check_type("dedupe", dedupe, bool)
    if isinstance(files, str):
        raise TypeError(f"files must be a list of file names, got the str {_show(files)}")
    folder = {"en": "en", "zh": "ch"}[lang]
    pairs: list[tuple[str, str]] = []
    for name in files:
        check_choice("files", name, ("greetings", "conversations", "emotion"))
        path = corpus_path(f"chatterbot_{folder}_{name}")
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            turns = [str(t).strip() for t in conversation]
            for prompt, reply in zip(turns, turns[1:]):
                if prompt and reply:
                    pairs.append((prompt, reply))
    return list(dict.fromkeys(pairs)) if dedupe else pairs


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
    """Scores questions with a trained encoder-classifier: the softmax probability of each entry."""

    name = "trained encoder"

    def __init__(self, model: keras.Model, vocab: text.Vocab):
        check_type("model", model, keras.Model)
        check_type("vocab", vocab, text.Vocab)
        if lm.input_sizes(model) != [len(vocab)]:
            raise ValueError(f"model must read ids of vocab ({len(vocab)} tokens), its embedding reads {lm.input_sizes(model)}")
        self.model, self.vocab = model, vocab

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return (Q, entries) probabilities; each row sums to 1."""
        logits = np.asarray(self.model(question_ids(texts, self.vocab), training=False), dtype=np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        return probs / probs.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Scored:
    """A retriever's scores of held-out questions, with what the right answers are."""

    scores: np.ndarray  # (Q, entries)
    gold: np.ndarray  # (Q,) index of the right entry, -1 for an out-of-scope question
    lang: np.ndarray  # (Q,) "en" or "zh"

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
        raise TypeError(f"questions must be a non-empty list of Question, got {_show(questions)}")
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
        return {"notebook": number, "title": faq.notebooks[number][lang], "time": time}
    if entry.slot == "topic":
        hits = [t for t in faq.topics[lang] if t[0] in lowered]
        if not hits:
            return None
        keyword, number, topic = max(hits, key=lambda t: len(t[0]))
        return {"notebook": number, "title": faq.notebooks[number][lang], "topic": topic}
    return {}


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


_FALLBACK = {"en": "Sorry, I do not know: that question is outside this course. Try asking about the notebooks, "
                   "the commands or language models.",
             "zh": "抱歉，我不知道：这个问题超出了本课程的范围。可以问我关于笔记本、命令或语言模型的问题。"}
_EMPTY = {"en": "Please type a question: I found no words to look up in that.", "zh": "请输入一个问题：我在里面没有找到可以查找的字词。"}
_ASK = {"notebook": {"en": "Which notebook do you mean? Give its number, for example notebook 04.",
                     "zh": "你指的是哪个笔记本？请给出编号，例如笔记本 04。"},
        "topic": {"en": "Which topic do you mean? For example attention, dropout or perplexity.",
                  "zh": "你指的是哪个主题？例如注意力、dropout 或困惑度。"}}


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
        for lang, pairs in (chitchat or {}).items():
            check_choice("chitchat language", lang, LANGUAGES)
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
            return Reply(_ASK[entry.slot][lang], "ask_slot", lang, entry.intent, entry.id, score, f"faq:{entry.id}")
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
