"""Bad input to the Data layer and the tools around it: text, corpora, datasets, parallel,
numerals, translation_data, translation_metrics, classroom (machinery: tests/test_bad_input.py)."""

from __future__ import annotations

import datetime
import functools
import tempfile
from pathlib import Path

import numpy as np
import pytest

from test_bad_input import (
    Arg, Bad, Lazy, OMIT, array, cases, choice, flag, function, ids, instance, integer, number, only, path,
    run, seed, sentences, spec, string, strings, tokens,
)


class Context:
    """What the cases call: a small vocabulary, a corpus of three documents, files in a temporary folder."""

    @functools.cached_property
    def vocab(self):
        from lmtutor.text import Vocab

        return Vocab.build([["a", "b", "c"], ["a", "b"]])

    @functools.cached_property
    def folder(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="lmtutor-bad-input-"))

    @functools.cached_property
    def vocab_file(self) -> Path:
        return self.vocab.save(self.folder / "vocab.json")

    @functools.cached_property
    def not_a_vocab(self) -> Path:
        target = self.folder / "other.json"
        target.write_text('{"tokens": []}', encoding="utf-8")
        return target

    @functools.cached_property
    def notebook(self):
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("x = 1")]
        return nb

    @functools.cached_property
    def notebook_file(self) -> Path:
        import nbformat

        target = self.folder / "00_tiny.ipynb"
        nbformat.write(self.notebook, target)
        return target

    @functools.cached_property
    def recipe(self):
        from lmtutor import datasets

        return datasets.TextRecipe("word", lowercase=True)

    @functools.cached_property
    def codec(self):
        from lmtutor import datasets

        return datasets.TextCodec(self.recipe, self.vocab)

    @functools.cached_property
    def corpus(self):
        from lmtutor import datasets

        return datasets.LMCorpus("lee_words", [["a", "b", "c"], ["a", "b"]], [["a", "c"]], [["b"]], self.vocab)

    @functools.cached_property
    def card(self):
        from lmtutor import corpora

        return corpora.CORPORA["lee"]

    @functools.cached_property
    def cedict(self):
        from lmtutor import parallel

        entry = parallel.CedictEntry("蘋果", "苹果", "ping2 guo3", ("apple",))
        return {"苹果": (entry,), "我": (parallel.CedictEntry("我", "我", "wo3", ("I", "me")),)}


@pytest.fixture(scope="module")
def ctx():
    return Context()


V = Lazy(lambda c: len(c.vocab))
VOCAB = Lazy(lambda c: c.vocab)
WRONG_CARD = Bad(Lazy(lambda c: c.vocab), TypeError, "a Vocab")


def _text(name):
    from lmtutor import text

    return getattr(text, name)


def _mod(module):
    return lambda c: __import__(f"lmtutor.{module}", fromlist=["x"])


# ------------------------------------------------------------------------------------------ text
SPECS = [
    spec("text.normalize", lambda c: _text("normalize"), text=string("Ｈｉ  there"), lowercase=flag(False),
         form=choice("NFKC")),
    spec("text.tokenize_words", lambda c: _text("tokenize_words"), text=string("The cat."), lowercase=flag(True)),
    spec("text.tokenize_chars", lambda c: _text("tokenize_chars"), text=string("a b"), keep_spaces=flag(False)),
    spec("text.tokenize_zh_words", lambda c: _text("tokenize_zh_words"), text=string("我有一个苹果。")),
    spec("text.tokenize", lambda c: _text("tokenize"), text=string("the cat"), scheme=choice("word")),
    spec("text.Vocab", lambda c: _text("Vocab"),
         tokens=tokens(["<pad>", "<unk>", "<bos>", "<eos>", "a"], empty=False),
         counts=Arg(OMIT, only((["a"], TypeError, "a list"), ("a", TypeError, "a str"),
                               ({"a": 1.5}, TypeError, "a float count"), ({"a": -1}, ValueError, "a negative count"),
                               ({1: 2}, TypeError, "an int key"), ({"a": True}, TypeError, "a bool count")))),
    spec("text.Vocab.build", lambda c: _text("Vocab").build,
         corpus=Arg([["a", "b"], ["b"]], [b for b in sentences(None).bads if b.label != "a flat token list"]),
         min_freq=integer(1, 1), max_size=integer(None, 4, none=True)),
    spec("text.Vocab.lookup", lambda c: c.vocab.lookup,
         token=Arg("a", string("a").bads + only(("zzz", ValueError, "an unknown token")))),
    spec("text.Vocab.encode", lambda c: c.vocab.encode, tokens=tokens(["a", "zzz"]), add_bos=flag(False),
         add_eos=flag(False), strict=flag(False)),
    spec("text.Vocab.decode", lambda c: c.vocab.decode, ids=ids([2, 4, 5], V, empty=True),
         skip_specials=flag(False)),
    spec("text.Vocab.oov_rate", lambda c: c.vocab.oov_rate, tokens=tokens(["a", "zzz"], empty=False)),
    spec("text.Vocab.to_dict", lambda c: c.vocab.to_dict),
    spec("text.Vocab.save", lambda c: c.vocab.save,
         path=Arg(Lazy(lambda c: c.folder / "saved.json"),
                  path(None).bads + only((Lazy(lambda c: c.folder / "no" / "such" / "dir" / "v.json"),
                                          FileNotFoundError, "a folder that does not exist")))),
    spec("text.Vocab.load", lambda c: _text("Vocab").load,
         path=Arg(Lazy(lambda c: c.vocab_file),
                  path(None).bads + only((Lazy(lambda c: c.not_a_vocab), ValueError, "a JSON file of something else"),
                                         (Lazy(lambda c: c.folder / "missing.json"), FileNotFoundError, "a missing file"),
                                         (Lazy(lambda c: c.folder), ValueError, "a folder")))),
    spec("text.lm_windows", lambda c: _text("lm_windows"),
         ids=Arg([2, 4, 5, 6, 3], ids(None, 10**6).bads[:-3] + only(([-1, 2, 3, 4], ValueError, "a negative id"),
                                                                  ([[2, 4], [5, 6]], TypeError, "2-D"),
                                                                  ([2], ValueError, "too short"))),
         seq_len=integer(2, 1, huge=True), stride=integer(None, 1, none=True)),
    spec("text.segmentation_f1", lambda c: _text("segmentation_f1"),
         gold=Arg(["我", "有"], tokens(None, empty=False).bads + only((["我有了"], ValueError, "other text"))),
         predicted=Arg(["我有"], tokens(None, empty=False).bads + only((["我有了"], ValueError, "other text")))),
]

# --------------------------------------------------------------------------------------- corpora
SPECS += [
    spec("corpora.CorpusCard", lambda c: _mod("corpora")(c).CorpusCard,
         name=string("x", empty=False), package=string("gensim", empty=False), path=string("a/b.txt", empty=False),
         license=string("MIT", empty=False),
         sha256=Arg("0" * 64, string(None, empty=False).bads + only(("abc", ValueError, "not 64 hex digits"),
                                                                     ("g" * 64, ValueError, "not hex"))),
         description=string("a file")),
    spec("corpora.corpus_path", lambda c: _mod("corpora")(c).corpus_path, name=choice("lee"), verify=flag(True)),
    spec("corpora.card_path", lambda c: _mod("corpora")(c).card_path,
         card=instance(Lazy(lambda c: c.card), more=[WRONG_CARD]),
         pin=Arg("gensim==4.4.0", string(None, empty=False).bads + only(("gensim", ValueError, "no version"))),
         verify=flag(True)),
    spec("corpora.load_lee", lambda c: _mod("corpora")(c).load_lee, dedupe=flag(True)),
    spec("corpora.load_enwiki", lambda c: _mod("corpora")(c).load_enwiki, check_valid=False,
         max_articles=integer(1, 1, none=True)),
    spec("corpora.load_word_pairs", lambda c: _mod("corpora")(c).load_word_pairs, name=choice("wordsim353")),
    spec("corpora.load_analogies", lambda c: _mod("corpora")(c).load_analogies),
    spec("corpora.load_pang_lee", lambda c: _mod("corpora")(c).load_pang_lee),
    spec("corpora.load_reviews", lambda c: _mod("corpora")(c).load_reviews),
    spec("corpora.load_rotten_tomatoes", lambda c: _mod("corpora")(c).load_rotten_tomatoes),
    spec("corpora.load_peoples_daily", lambda c: _mod("corpora")(c).load_peoples_daily, check_valid=False,
         dedupe=flag(True), normalize=flag(False)),
    spec("corpora.peoples_daily_stats", lambda c: _mod("corpora")(c).peoples_daily_stats,
         lines=Arg([[("我", "r"), ("有", "v")]],
                   only((None, TypeError, "None"), ("我/r", TypeError, "a str"), ([["我"]], TypeError, "words without tags"),
                        ([[("我", "r", "x")]], TypeError, "triples"), ([[(1, "r")]], TypeError, "an int word"),
                        ([[("我", None)]], TypeError, "a None tag"), ([], ValueError, "empty"),
                        ([("我", "r")], TypeError, "one line, not a list of lines")))),
    spec("corpora.ReviewData", lambda c: _mod("corpora")(c).ReviewData,
         texts=Arg(("好",), only((None, TypeError, "None"), ("好", TypeError, "a str"), ((1,), TypeError, "ints"))),
         labels=Arg((1,), only((None, TypeError, "None"), ((2,), ValueError, "a label 2"), ((1, 0), ValueError, "one label too many"),
                                (("1",), TypeError, "a str label"), ((True,), TypeError, "a bool label"))),
         report=Arg({}, only((None, TypeError, "None"), ([], TypeError, "a list")))),
    spec("corpora.Split", lambda c: _mod("corpora")(c).Split,
         train=Arg([1], only((None, TypeError, "None"), ("abc", TypeError, "a str"))),
         valid=Arg([2], only((None, TypeError, "None"), (3, TypeError, "an int"))),
         test=Arg([3], only((None, TypeError, "None"), ((3,), TypeError, "a tuple")))),
    spec("corpora.split", lambda c: _mod("corpora")(c).split,
         items=Arg(list(range(10)), only((None, TypeError, "None"), ("abcdef", TypeError, "a str"), ({1, 2}, TypeError, "a set"),
                                         ({"a": 1}, TypeError, "a dict"), ([], ValueError, "empty"), (3, TypeError, "an int"))),
         fractions=Arg((0.8, 0.1, 0.1), only((None, TypeError, "None"), ("abc", TypeError, "a str"), ((0.5, 0.5), ValueError, "two numbers"),
                                             ((0.5, 0.6, -0.1), ValueError, "a negative fraction"), ((0.5, 0.2, 0.2), ValueError, "sum 0.9"),
                                             ((float("nan"), 0.5, 0.5), ValueError, "NaN"), (("0.8", 0.1, 0.1), TypeError, "a str inside"),
                                             ((True, 0.0, 0.0), TypeError, "a bool inside"))),
         seed=seed()),
]
SPECS.append(spec("corpora.split_sequential", lambda c: _mod("corpora")(c).split_sequential,
                  items=SPECS[-1].args["items"], fractions=SPECS[-1].args["fractions"]))

# -------------------------------------------------------------------------------------- datasets
SPECS += [
    spec("datasets.TextRecipe", lambda c: _mod("datasets")(c).TextRecipe, scheme=choice("char", none=True),
         lowercase=flag(False), normalize=flag(True), keep_spaces=flag(False)),
    spec("datasets.TextRecipe.tokens", lambda c: c.recipe.tokens, string=string("The cat.")),
    spec("datasets.TextRecipe.encode", lambda c: c.recipe.encode, vocab=instance(VOCAB),
         string=Arg("a b", string(None).bads + only(("", ValueError, "no tokens and add_bos=False"))),
         add_bos=Arg(False, flag().bads)),
    spec("datasets.TextRecipe.decode", lambda c: c.recipe.decode, vocab=instance(VOCAB),
         ids=ids([2, 4, 5], V, empty=True)),
    spec("datasets.TextCodec", lambda c: _mod("datasets")(c).TextCodec,
         recipe=instance(Lazy(lambda c: c.recipe), more=[Bad("word", TypeError, "a scheme name")]),
         vocab=instance(VOCAB, more=[Bad(["a"], TypeError, "a token list")])),
    spec("datasets.TextCodec.encode", lambda c: c.codec.encode, string=string("a b"), add_bos=flag(True)),
    spec("datasets.TextCodec.decode", lambda c: c.codec.decode, ids=ids([2, 4], V, empty=True)),
    spec("datasets.TextCodec.tokens", lambda c: c.codec.tokens, string=string("a b")),
    spec("datasets.codec", lambda c: _mod("datasets")(c).codec,
         codec=instance(Lazy(lambda c: c.corpus), more=[Bad(VOCAB, TypeError, "a Vocab")])),
    spec("datasets.LMCorpus", lambda c: _mod("datasets")(c).LMCorpus, name=choice("lee_words"),
         train=sentences([["a", "b"]]), valid=sentences([["a"]], empty=True), test=sentences([["b"]], empty=True),
         vocab=instance(VOCAB)),
    spec("datasets.LMCorpus.encode", lambda c: c.corpus.encode, string=string("a b"), add_bos=flag(True)),
    spec("datasets.LMCorpus.decode", lambda c: c.corpus.decode, ids=ids([2, 4], V, empty=True)),
    spec("datasets.LMCorpus.split", lambda c: c.corpus.split, split=choice("train")),
    spec("datasets.LMCorpus.ids", lambda c: c.corpus.ids, split=choice("valid")),
    spec("datasets.LMCorpus.stream", lambda c: c.corpus.stream, split=choice("train")),
    spec("datasets.LMCorpus.windows", lambda c: c.corpus.windows, seq_len=integer(3, 1, huge=True),
         split=choice("train")),
    spec("datasets.lm_corpus", lambda c: _mod("datasets")(c).lm_corpus, check_valid=False, name=choice("lee_chars")),
]

# -------------------------------------------------------------------------------------- parallel
ENTRY = Lazy(lambda c: c.cedict["苹果"][0])
SPECS += [
    spec("parallel.corpus_path", lambda c: _mod("parallel")(c).corpus_path, name=choice("hsk"), verify=flag(True)),
    spec("parallel.HskSentence", lambda c: _mod("parallel")(c).HskSentence, id=string("hsk1-0001", empty=False),
         level=integer(1, 1, 6), topic=string("food"), sentence_type=string("statement"), chinese=string("我好"),
         english=string("I am well."), words=Arg(("我", "好"), only((None, TypeError, "None"), ("我好", TypeError, "a str"),
                                                                  ((1,), TypeError, "ints"))),
         pinyin=string("wǒ hǎo")),
    spec("parallel.load_hsk", lambda c: _mod("parallel")(c).load_hsk, check_valid=False,
         drop_placeholders=flag(True), dedupe=flag(True)),
    spec("parallel.CedictEntry", lambda c: _mod("parallel")(c).CedictEntry, traditional=string("蘋果", empty=False),
         simplified=string("苹果", empty=False), pinyin=string("ping2 guo3"),
         senses=Arg(("apple",), only((None, TypeError, "None"), ("apple", TypeError, "a str"), ((1,), TypeError, "an int sense"),
                                     (["apple"], TypeError, "a list")))),
    spec("parallel.load_cedict", lambda c: _mod("parallel")(c).load_cedict, check_valid=False),
    spec("parallel.first_sense", lambda c: _mod("parallel")(c).first_sense,
         entries=Arg(Lazy(lambda c: c.cedict["苹果"]),
                     only((None, TypeError, "None"), ("苹果", TypeError, "a str"), ((), ValueError, "empty"),
                          (ENTRY, TypeError, "one entry, not a tuple"), (("apple",), TypeError, "a str inside"),
                          ({"苹果": 1}, TypeError, "a dict")))),
    spec("parallel.gloss", lambda c: _mod("parallel")(c).gloss, sentence=string("我有苹果。"),
         dictionary=Arg(Lazy(lambda c: c.cedict),
                        only((None, TypeError, "None"), ({}, ValueError, "empty"), ([1], TypeError, "a list"),
                             ({"苹果": "apple"}, TypeError, "str values"), ({"苹果": ("apple",)}, TypeError, "str entries")))),
]

# ---------------------------------------------------------------------- numerals, translation task
SPECS += [
    spec("numerals.english_words", lambda c: _mod("numerals")(c).english_words, number=integer(342, 0, 99_999_999)),
    spec("numerals.chinese_numeral", lambda c: _mod("numerals")(c).chinese_numeral, number=integer(342, 0, 99_999_999)),
    spec("translation_data.Noun", lambda c: _mod("translation_data")(c).Noun, english=string("apple", empty=False),
         plural=string("apples", empty=False), chinese=string("苹果", empty=False), measure=string("个", empty=False)),
    spec("translation_data.Pair", lambda c: _mod("translation_data")(c).Pair, english=string("I have two apples."),
         chinese=string("我有两个苹果。"),
         value=Arg(2, only((None, TypeError, "None"), ("2", TypeError, "a str"), (2.0, TypeError, "a float"),
                           (True, TypeError, "a bool"))),
         frame=Arg("count0", string(None).bads + only(("frame9", ValueError, "no such frame")))),
    spec("translation_data.TaskSplits", lambda c: _mod("translation_data")(c).TaskSplits,
         train=Arg([], only((None, TypeError, "None"), ("abc", TypeError, "a str"))),
         valid=Arg([], only((None, TypeError, "None"), (1, TypeError, "an int"))),
         test=Arg([], only((None, TypeError, "None"), ((), TypeError, "a tuple"))),
         longer=Arg([], only((None, TypeError, "None"), ({}, TypeError, "a dict")))),
    spec("translation_data.chinese_count", lambda c: _mod("translation_data")(c).chinese_count,
         number=integer(2, 0, 99_999_999)),
    spec("translation_data.count_pair", lambda c: _mod("translation_data")(c).count_pair,
         number=integer(3, 1, 99_999_999),
         noun=instance(Lazy(lambda c: _mod("translation_data")(c).NOUNS[0]), more=[Bad("apple", TypeError, "a word")]),
         frame=integer(0, 0, 5)),
    spec("translation_data.date_pair", lambda c: _mod("translation_data")(c).date_pair,
         date=instance(datetime.date(1998, 5, 3), more=[Bad("1998-05-03", TypeError, "a str"),
                                                       Bad(datetime.datetime(1998, 5, 3), TypeError, "a datetime")]),
         frame=integer(0, 0, 1)),
    spec("translation_data.number_task", lambda c: _mod("translation_data")(c).number_task,
         train_size=integer(20, 0, 1_000_000), valid_size=integer(5, 0, 1_000_000), test_size=integer(5, 0, 1_000_000),
         longer_size=integer(5, 0, 1_000_000), max_digits=integer(3, 3, 7),
         date_fraction=number(0.1, 0.0, 1.0), seed=seed()),
]

# -------------------------------------------------------------------------- translation_metrics
SPECS += [
    spec("translation_metrics.is_chinese_char", lambda c: _mod("translation_metrics")(c).is_chinese_char,
         char=Arg("我", only((None, TypeError, "None"), ("我们", TypeError, "two characters"), ("", TypeError, "empty"),
                            (3, TypeError, "an int"), (b"a", TypeError, "bytes")))),
    spec("translation_metrics.bleu_tokens", lambda c: _mod("translation_metrics")(c).bleu_tokens,
         line=string("I have 3 apples."), tokenize=choice("13a")),
    spec("translation_metrics.ngram_counts", lambda c: _mod("translation_metrics")(c).ngram_counts,
         tokens=tokens(["a", "b", "c"]), order=integer(2, 1)),
    spec("translation_metrics.modified_precision", lambda c: _mod("translation_metrics")(c).modified_precision,
         hypothesis=tokens(["the", "cat"]), reference=tokens(["the", "cat", "sat"]), order=integer(1, 1)),
    spec("translation_metrics.brevity_penalty", lambda c: _mod("translation_metrics")(c).brevity_penalty,
         hyp_length=integer(3, 0), ref_length=integer(4, 0)),
    spec("translation_metrics.BleuScore", lambda c: _mod("translation_metrics")(c).BleuScore,
         score=number(10.0, 0.0, 100.0), precisions=Arg((50.0,) * 4, only((None, TypeError, "None"), ((50.0,), ValueError, "one precision"),
                                                                          (("a",) * 4, TypeError, "strs"))),
         bp=number(1.0, 0.0, 1.0), hyp_length=integer(4, 0), ref_length=integer(4, 0),
         matches=Arg((1, 1, 1, 1), only((None, TypeError, "None"), ((1,), ValueError, "one count"), ((1.5,) * 4, TypeError, "floats"))),
         totals=Arg((2, 2, 2, 2), only((None, TypeError, "None"), ((-1,) * 4, ValueError, "negative"))),
         tokenize=choice("13a")),
    spec("translation_metrics.corpus_bleu", lambda c: _mod("translation_metrics")(c).corpus_bleu,
         hypotheses=strings(["the cat sat"]), references=Arg(["the cat sat"], strings(None).bads + only((["a", "b"], ValueError, "two references"),
                                                                                                    ([["the cat sat"]], TypeError, "a list of reference lists"))),
         tokenize=choice("13a")),
    spec("translation_metrics.corpus_chrf", lambda c: _mod("translation_metrics")(c).corpus_chrf,
         hypotheses=strings(["the cat sat"]), references=Arg(["the cat sat"], strings(None).bads + only((["a", "b"], ValueError, "two references"))),
         char_order=integer(6, 1, 100), beta=number(2.0, 0.0, open_min=True)),
    spec("translation_metrics.exact_match", lambda c: _mod("translation_metrics")(c).exact_match,
         hypotheses=strings(["a"]), references=Arg(["a"], strings(None).bads + only((["a", "b"], ValueError, "two references")))),
    spec("translation_metrics.exact_match_by_bucket", lambda c: _mod("translation_metrics")(c).exact_match_by_bucket,
         hypotheses=strings(["a", "b"]), references=Arg(["a", "c"], strings(None).bads + only((["a"], ValueError, "one reference"))),
         buckets=Arg([1, 2], only((None, TypeError, "None"), ("ab", TypeError, "a str"), (3, TypeError, "an int"), ([1], ValueError, "one label"),
                                  ([[1], [2]], TypeError, "unhashable labels")))),
]

# ------------------------------------------------------------------------------------- classroom
NOTEBOOK = Lazy(lambda c: c.notebook)
BAD_NOTEBOOK = only((None, TypeError, "None"), ("nb.ipynb", TypeError, "a path"), ({}, ValueError, "an empty dict"),
                    ({"cells": [], "metadata": []}, TypeError, "metadata a list"), (3, TypeError, "an int"))
SPECS += [
    spec("classroom.clean_metadata", lambda c: _mod("classroom")(c).clean_metadata, nb=Arg(NOTEBOOK, BAD_NOTEBOOK)),
    spec("classroom.execute", lambda c: _mod("classroom")(c).execute, check_valid=False,
         path=Arg(Lazy(lambda c: c.notebook_file),
                  path(None).bads + only((Lazy(lambda c: c.folder / "missing.ipynb"), FileNotFoundError, "a missing file"),
                                         (Lazy(lambda c: c.vocab_file), ValueError, "not a notebook"))),
         timeout=integer(60, 1, none=True, huge=True), kernel_name=string(None, none=True, empty=False)),
    spec("classroom.student_version", lambda c: _mod("classroom")(c).student_version, nb=Arg(NOTEBOOK, BAD_NOTEBOOK)),
    spec("classroom.write_student_versions", lambda c: _mod("classroom")(c).write_student_versions,
         paths=Arg(Lazy(lambda c: [c.notebook_file]),
                   only((None, TypeError, "None"), ("00_tiny.ipynb", TypeError, "a bare str"), ([3], TypeError, "an int path"),
                        ([], ValueError, "empty"), (Lazy(lambda c: [c.vocab_file]), ValueError, "not a notebook"),
                        (Lazy(lambda c: [c.folder / "missing.ipynb"]), FileNotFoundError, "a missing file")), ),
         out_dir=Arg(Lazy(lambda c: c.folder / "student"),
                     path(None).bads + only((Lazy(lambda c: c.vocab_file), ValueError, "a file, not a folder")))),
    spec("classroom.main", lambda c: _mod("classroom")(c).main, check_valid=False,
         argv=Arg(None, only(("execute", TypeError, "a str"), ([3], TypeError, "an int inside"), (3, TypeError, "an int")))),
]

# --------------------------------------------------------------------------------------- grading
COURSE = Arg(Lazy(lambda c: c.folder / "course"), path(None).bads + only((Lazy(lambda c: c.vocab_file), ValueError, "a file")))
NOTEBOOK_FILES = Arg(Lazy(lambda c: [c.notebook_file]),
                     only((None, TypeError, "None"), ("00_tiny.ipynb", TypeError, "a bare str"), ([3], TypeError, "an int path"),
                          ([], ValueError, "empty"), (Lazy(lambda c: [c.vocab_file]), ValueError, "not a notebook"),
                          (Lazy(lambda c: [c.folder / "missing.ipynb"]), FileNotFoundError, "a missing file")))
SPECS += [
    spec("grading.exercise_points", lambda c: _mod("grading")(c).exercise_points,
         grade_id=Arg("ex07_top_k_filter_check", only((None, TypeError, "None"), (7, TypeError, "an int"),
                                                      ("ex07_top_k_filter", ValueError, "no _check"),
                                                      ("top_k_check", ValueError, "no exNN_")))),
    spec("grading.check_cells", lambda c: _mod("grading")(c).check_cells, nb=Arg(NOTEBOOK, BAD_NOTEBOOK)),
    spec("grading.with_points", lambda c: _mod("grading")(c).with_points, nb=Arg(NOTEBOOK, BAD_NOTEBOOK)),
    spec("grading.total_points", lambda c: _mod("grading")(c).total_points, nb=Arg(NOTEBOOK, BAD_NOTEBOOK)),
    spec("grading.write_course", lambda c: _mod("grading")(c).write_course, course=COURSE, notebooks=NOTEBOOK_FILES,
         timeout=integer(60, 1, 86_400)),
    spec("grading.release", lambda c: _mod("grading")(c).release, check_valid=False, course=COURSE,
         notebooks=NOTEBOOK_FILES, timeout=integer(60, 1, 86_400)),
    spec("grading.grade", lambda c: _mod("grading")(c).grade, check_valid=False,
         course=Arg(Lazy(lambda c: c.folder), path(None).bads + only((Lazy(lambda c: c.vocab_file), ValueError, "a file"),
                                                                     (Lazy(lambda c: c.folder), ValueError, "no course")))),
    spec("grading.exercise_scores", lambda c: _mod("grading")(c).exercise_scores, check_valid=False,
         course=Arg(Lazy(lambda c: c.folder), path(None).bads + only((Lazy(lambda c: c.folder), ValueError, "no gradebook")))),
    spec("grading.read_grades", lambda c: _mod("grading")(c).read_grades, check_valid=False, path=Arg(None, path(None).bads)),
    spec("grading.setup_cell", lambda c: _mod("grading")(c).setup_cell, check_valid=False, nb=Arg(NOTEBOOK, BAD_NOTEBOOK)),
    spec("grading.exercise_cells", lambda c: _mod("grading")(c).exercise_cells, check_valid=False, nb=Arg(NOTEBOOK, BAD_NOTEBOOK)),
    spec("grading.progress", lambda c: _mod("grading")(c).progress, check_valid=False, paths=NOTEBOOK_FILES,
         timeout=integer(60, 1, 86_400)),
    spec("grading.progress_table", lambda c: _mod("grading")(c).progress_table,
         rows=Arg([("01_x", "oov_rate", "PASS", "")], only((None, TypeError, "None"), ([("a", "b")], TypeError, "short rows"),
                                                         ("rows", TypeError, "a str")))),
    spec("guide.notebook_facts", lambda c: _mod("guide")(c).notebook_facts, path=Arg(Lazy(lambda c: c.notebook_file),
         path(None).bads + only((Lazy(lambda c: c.folder / "missing.ipynb"), FileNotFoundError, "a missing file"),
                                (Lazy(lambda c: c.vocab_file), ValueError, "not a notebook")))),
    spec("guide.run_times", lambda c: _mod("guide")(c).run_times, readme_text=string("| 00_x | 1.0 |")),
    spec("guide.mistakes", lambda c: _mod("guide")(c).mistakes,
         check_name=Arg("check_char_tokens", string(None, empty=False).bads + only(("check_nothing", ValueError, "no such check"),
                                                                                  ("CheckResult", ValueError, "not a check")))),
    spec("guide.render", lambda c: _mod("guide")(c).render, check_valid=False,
         repo=Arg(None, path(None).bads + only((Lazy(lambda c: c.folder), ValueError, "not the course")))),
    spec("guide.main", lambda c: _mod("guide")(c).main, check_valid=False,
         argv=Arg(None, only(("x", TypeError, "a str"), ([3], TypeError, "an int inside")))),
    spec("grading.main", lambda c: _mod("grading")(c).main, check_valid=False,
         argv=Arg(None, only(("points", TypeError, "a str"), ([3], TypeError, "an int inside"), (3, TypeError, "an int")))),
]


# --------------------------------------------------------------------------------- dialogue_data
def _dialogue_faq():
    from lmtutor import dialogue_data

    return dialogue_data.load_faq()


BY_LANGUAGE = lambda valid: Arg(valid, only((None, TypeError, "None"), ("hi", TypeError, "a str"),  # noqa: E731
                                            ({"en": valid["en"]}, ValueError, "no zh"),
                                            ({"en": 3, "zh": valid["zh"]}, TypeError, "an int for en")))
NOT_A_DIRECTORY = Arg(OMIT, only((3, TypeError, "an int"), (["data"], TypeError, "a list")))
SPECS += [
    spec("dialogue_data.corpus_path", lambda c: _mod("dialogue_data")(c).corpus_path, name=choice("chatterbot_en_greetings"),
         verify=flag(True)),
    spec("dialogue_data.FaqEntry", lambda c: _mod("dialogue_data")(c).FaqEntry, id=string("greeting", empty=False),
         intent=choice("chitchat"), slot=Arg(None, only((3, (TypeError, ValueError), "an int"), ("time", ValueError, "no such slot"))),
         question=BY_LANGUAGE({"en": "Hi", "zh": "嗨"}), answer=BY_LANGUAGE({"en": "Hello", "zh": "你好"}),
         phrasings=BY_LANGUAGE({"en": ["Hey"], "zh": ["哈喽"]})),
    spec("dialogue_data.Faq", lambda c: _mod("dialogue_data")(c).Faq,
         entries=Arg(Lazy(lambda c: _dialogue_faq().entries), only((None, TypeError, "None"), ((), TypeError, "empty"),
                                                                 (["x"], TypeError, "a list"), (("x",), TypeError, "a str inside"))),
         topics=BY_LANGUAGE({"en": [], "zh": []}), notebooks=Arg({}, only((None, TypeError, "None"), ("04", TypeError, "a str"))),
         run_times=Arg({}, only((None, TypeError, "None"), ([1], TypeError, "a list")))),
    spec("dialogue_data.Faq.documents", lambda c: _dialogue_faq().documents, answers=flag(True)),
    spec("dialogue_data.with_phrasings", lambda c: _mod("dialogue_data")(c).with_phrasings,
         faq=instance(Lazy(lambda c: _dialogue_faq())), kept=integer(2, 0, 1_000_000, none=True)),
    spec("dialogue_data.Question", lambda c: _mod("dialogue_data")(c).Question, text=string("hi"), lang=choice("en"),
         entry=Arg(None, only((3, TypeError, "an int"), ("", ValueError, "empty")))),
    spec("dialogue_data.load_faq", lambda c: _mod("dialogue_data")(c).load_faq, directory=NOT_A_DIRECTORY),
    spec("dialogue_data.load_questions", lambda c: _mod("dialogue_data")(c).load_questions, split=choice("valid"),
         directory=NOT_A_DIRECTORY),
    spec("dialogue_data.load_chitchat", lambda c: _mod("dialogue_data")(c).load_chitchat, lang=choice("zh"),
         files=Arg(("greetings",), only((None, TypeError, "None"), ("greetings", TypeError, "a str"),
                                        (["nothing"], ValueError, "no such file"))), dedupe=flag(True)),
]

@pytest.mark.parametrize("case, argument", cases(SPECS))
def test_bad_input_is_refused(case, argument, ctx):
    run(case, argument, ctx)
