"""Tests of lmtutor.widgets.neighbours: answers against cosines computed here, and the explorer's
update when the text or the vectors change (driven from Python, as a learner's typing would)."""

import re

import numpy as np
import pytest

from lmtutor.embeddings import Embeddings
from lmtutor.widgets import neighbours_answer, neighbours_explorer
from lmtutor.widgets.neighbours import has_chinese

ENGLISH = Embeddings(("king", "queen", "man", "woman", "apple"),
                     np.array([[1.0, 1.0, 0.0], [1.0, -1.0, 0.1], [0.2, 1.0, 0.0], [0.2, -1.0, 0.0],
                               [0.0, 0.0, 1.0]]))
OTHER = Embeddings(ENGLISH.words, ENGLISH.vectors[[4, 3, 2, 1, 0]])  # the same words, other vectors
CHINESE = Embeddings(("北京", "上海", "经济"), np.array([[1.0, 0.1], [0.9, 0.2], [0.0, 1.0]]))


def cosine_ranking(table, word):
    """The oracle: every other word by cosine with ``word``, best first, with its cosine."""
    unit = table.vectors / np.linalg.norm(table.vectors, axis=1, keepdims=True)
    scores = unit @ unit[table.index[word]]
    order = [i for i in np.argsort(-scores, kind="stable") if table.words[i] != word]
    return [(table.words[i], scores[i]) for i in order]


def parts(box):
    (text, picker), answer = box.children[0].children, box.children[1]
    return text, picker, answer


def test_one_word_gives_its_nearest_neighbours_with_their_cosines():
    expected = ", ".join(f"{w} {s:.2f}" for w, s in cosine_ranking(ENGLISH, "king")[:3])
    assert neighbours_answer(ENGLISH, "king", topn=3) == expected
    assert neighbours_answer(ENGLISH, "  king  ", topn=3) == expected
    assert neighbours_answer(ENGLISH, "king", topn=3).startswith("man ")  # the hand-made nearest


def test_three_words_give_the_analogy_answer():
    assert neighbours_answer(ENGLISH, "man king woman") == "man : king :: woman : queen"


def test_missing_words_and_other_numbers_of_words_say_so():
    assert neighbours_answer(ENGLISH, "tokyo") == "not in the vocabulary: ['tokyo']"
    assert neighbours_answer(ENGLISH, "man tokyo woman") == "not in the vocabulary: ['tokyo']"
    for query, count in (("   ", 0), ("king queen", 2), ("king queen man woman", 4)):  # not the first word's neighbours
        assert neighbours_answer(ENGLISH, query) == (f"type one word (its neighbours) or three (an analogy "
                                                     f"a : b :: c : ?), not {count}")


def test_has_chinese():
    assert has_chinese("北京 and paris") and not has_chinese("paris, ﬁne")


def test_explorer_answers_the_first_query_and_updates_on_typing_and_on_the_picker():
    box = neighbours_explorer({"english": ENGLISH, "other": OTHER}, value="king", topn=2)
    text, picker, answer = parts(box)
    assert list(picker.options) == ["english", "other"] and picker.value == "english"
    assert answer.value == neighbours_answer(ENGLISH, "king", topn=2)
    text.value = "man king woman"
    assert answer.value == "man : king :: woman : queen"
    text.value = "queen"
    picker.value = "other"
    assert answer.value == neighbours_answer(OTHER, "queen", topn=2) != neighbours_answer(ENGLISH, "queen", topn=2)


def test_a_chinese_query_uses_the_chinese_vectors_whatever_the_picker_says():
    box = neighbours_explorer({"english": ENGLISH, "中文": CHINESE}, vectors="english", chinese="中文")
    text, picker, answer = parts(box)
    assert answer.value == neighbours_answer(ENGLISH, "war")  # the default query, not in this vocabulary
    text.value = "北京"
    assert picker.value == "english" and answer.value == neighbours_answer(CHINESE, "北京")
    assert answer.value.startswith("上海 ")


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(choices=[ENGLISH]), TypeError, "choices must be dict"),
    (dict(choices={}), ValueError, "choices must map at least one name"),
    (dict(choices={"a": "vectors"}), TypeError, "choices['a'] must be Embeddings or a gensim KeyedVectors"),
    (dict(vectors="gensim"), ValueError, "vectors must be one of the names in choices ['english'], got 'gensim'"),
    (dict(chinese="zh"), ValueError, "chinese must be one of the names in choices"),
    (dict(value=3), TypeError, "value must be str"),
    (dict(topn=0), ValueError, "topn must be >= 1"),
])
def test_bad_input_names_the_argument(kwargs, error, words):
    arguments = dict(choices={"english": ENGLISH}) | kwargs
    with pytest.raises(error, match=re.escape(words)):
        neighbours_explorer(arguments.pop("choices"), **arguments)


def test_answer_names_bad_input():
    with pytest.raises(TypeError, match="query must be str"):
        neighbours_answer(ENGLISH, ["king"])
    with pytest.raises(ValueError, match="topn must be >= 1"):
        neighbours_answer(ENGLISH, "king", topn=0)
