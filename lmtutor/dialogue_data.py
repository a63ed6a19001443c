"""The course FAQ of notebook 12 and the chit-chat corpus: what the course assistant knows.

``data/dialogue/faq.json`` holds the FAQ (English and Chinese, written by the course), ``heldout.json``
the paraphrases that score it (validation and test), ``out_of_scope.json`` the questions it must
decline (validation and test), ``out_of_scope_train.json`` other out-of-scope questions, written
separately, that train a retriever's "none" class. chatterbot-corpus's YAML files are read (the
package is never imported) and checked against the SHA-256 on their cards, with the card machinery
of :mod:`lmtutor.corpora`::

    faq = load_faq()                                # 27 entries, each with phrasings in both languages
    valid = load_questions("valid")                 # paraphrases, then out-of-scope questions (entry None)
    outside = load_questions("train")               # out-of-scope questions to train a "none" class on
    pairs = load_chitchat("zh")                     # distinct (prompt, reply) pairs

data/README.md has the cards.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lmtutor import corpora
from lmtutor._validate import _show, check_bool, check_choice, check_int, check_str, check_type

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "dialogue"  # the FAQ files of the course checkout
LANGUAGES = ("en", "zh")
INTENTS = ("course", "concept", "chitchat", "which_notebook", "notebook_time")
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
def _by_language(name: str, value: Any, kind: type) -> None:
    """Raise unless ``value`` is a dict {"en": kind, "zh": kind}."""
    check_type(name, value, dict)
    if set(value) != set(LANGUAGES):
        raise ValueError(f"{name} must have the keys 'en' and 'zh', got {sorted(map(str, value))}")
    for lang in LANGUAGES:
        check_type(f"{name}[{lang!r}]", value[lang], kind)


@dataclass(frozen=True)
class FaqEntry:
    """One question the assistant answers, in both languages."""

    id: str  # "what_is_lm"
    intent: str  # "course", "concept", "chitchat", "which_notebook" or "notebook_time"
    slot: str | None  # None, "topic" or "notebook": what the answer needs from the question
    question: dict  # {"en": ..., "zh": ...}, the canonical question
    answer: dict  # {"en": ..., "zh": ...}; a slot entry's answer is a template with {notebook}, {title}, ...
    phrasings: dict  # {"en": [...], "zh": [...]}: other wordings, what the retrievers learn from

    def __post_init__(self):
        check_str("id", self.id, allow_empty=False)
        check_choice("intent", self.intent, INTENTS)
        if self.slot is not None:
            check_choice("slot", self.slot, ("topic", "notebook"))
        for name in ("question", "answer"):
            _by_language(name, getattr(self, name), str)
        _by_language("phrasings", self.phrasings, list)


@dataclass(frozen=True)
class Faq:
    """The course FAQ: entries, the topic keywords of the "topic" slot, notebook titles and run times."""

    entries: tuple[FaqEntry, ...]
    topics: dict  # lang -> [(keyword, notebook "01", topic as the answer names it)]
    notebooks: dict  # "04" -> {"en": "LSTM", "zh": "LSTM"}
    run_times: dict  # "04" -> "59 s", as the README's course map quotes it

    def __post_init__(self):
        if not isinstance(self.entries, tuple) or not self.entries:
            raise TypeError(f"entries must be a non-empty tuple of FaqEntry, got {_show(self.entries)}")
        for i, entry in enumerate(self.entries):
            check_type(f"entries[{i}]", entry, FaqEntry)
        _by_language("topics", self.topics, list)
        for name in ("notebooks", "run_times"):
            check_type(name, getattr(self, name), dict)

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def documents(self, *, answers: bool = True) -> tuple[list[str], list[int]]:
        """Return (texts, labels): every question and phrasing (and answer) of both languages with
        the index of its entry; slot answers are templates and are left out."""
        check_bool("answers", answers)
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

    def __post_init__(self):
        check_str("text", self.text)
        check_choice("lang", self.lang, LANGUAGES)
        if self.entry is not None:
            check_str("entry", self.entry, allow_empty=False)


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
    then the out-of-scope questions (entry None). ``split="train"`` returns the out-of-scope questions
    of ``out_of_scope_train.json`` (entry None), written apart from the held-out ones to train a
    "none" class; the FAQ's own phrasings are the in-scope training questions."""
    check_choice("split", split, ("train", "valid", "test"))
    if split == "train":
        return [Question(q["text"], q["lang"], None) for q in _read("out_of_scope_train.json", directory)["train"]]
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
    check_bool("dedupe", dedupe)
    if not isinstance(files, (list, tuple)):
        raise TypeError(f"files must be a list of file names, got {type(files).__name__} {_show(files)}")
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
