"""Tests for lmtutor.numerals: our converters equal num2words and cn2an (the oracles) over ranges."""

import itertools

import numpy as np
import pytest

from lmtutor.numerals import MAX_NUMBER, chinese_numeral, english_words

cn2an = pytest.importorskip("cn2an")  # test-only oracles, pinned in requirements-test.txt
num2words = pytest.importorskip("num2words")

# Every number of up to 8 digits made of 0, 1 and 7: all the zero gaps, 一十 and "and" cases.
ZERO_PATTERNS = sorted({int("".join(p)) for k in range(1, 9) for p in itertools.product("017", repeat=k)})
RANDOM = np.random.default_rng(0).integers(0, MAX_NUMBER + 1, size=2000).tolist()


def oracle_en(number):
    return num2words.num2words(number).replace(",", "")


def test_chinese_equals_cn2an_for_every_number_below_100000():
    wrong = [n for n in range(100_000) if chinese_numeral(n) != cn2an.an2cn(n)]
    assert wrong == []


def test_chinese_equals_cn2an_on_zero_patterns_random_numbers_and_the_ends():
    numbers = ZERO_PATTERNS + RANDOM + [MAX_NUMBER, MAX_NUMBER - 1, 10**7, 10**7 + 1]
    assert [chinese_numeral(n) for n in numbers] == [cn2an.an2cn(n) for n in numbers]


def test_english_equals_num2words_without_commas_below_20000():
    wrong = [n for n in range(20_000) if english_words(n) != oracle_en(n)]
    assert wrong == []


def test_english_equals_num2words_on_zero_patterns_random_numbers_and_the_ends():
    numbers = ZERO_PATTERNS + RANDOM + [MAX_NUMBER, 10**6, 10**6 + 1, 10**6 + 100]
    assert [english_words(n) for n in numbers] == [oracle_en(n) for n in numbers]


@pytest.mark.parametrize("number, english, chinese", [
    (0, "zero", "零"),
    (12, "twelve", "十二"),
    (115, "one hundred and fifteen", "一百一十五"),
    (342, "three hundred and forty-two", "三百四十二"),
    (1001, "one thousand and one", "一千零一"),
    (12300, "twelve thousand three hundred", "一万二千三百"),
    (100012, "one hundred thousand and twelve", "十万零一十二"),
    (10200, "ten thousand two hundred", "一万零二百"),
    (20000000, "twenty million", "二千万"),
    (MAX_NUMBER, "ninety-nine million nine hundred and ninety-nine thousand nine hundred and ninety-nine",
     "九千九百九十九万九千九百九十九"),
])
def test_hand_cases(number, english, chinese):
    assert english_words(number) == english
    assert chinese_numeral(number) == chinese


def test_numpy_integers_are_accepted():
    assert chinese_numeral(np.int64(342)) == "三百四十二"
    assert english_words(np.uint16(7)) == "seven"


@pytest.mark.parametrize("convert", [english_words, chinese_numeral])
@pytest.mark.parametrize("bad, error, message", [
    (MAX_NUMBER + 1, ValueError, r"number must be <= 99999999, got 100000000"),
    (-1, ValueError, r"number must be >= 0, got -1"),
    (3.0, TypeError, r"number must be an int, got float"),
    ("12", TypeError, r"number must be an int, got str"),
    (True, TypeError, r"number must be an int, got bool"),
    (None, TypeError, r"number must be an int, got NoneType"),
])
def test_bad_input_names_the_argument(convert, bad, error, message):
    with pytest.raises(error, match=message):
        convert(bad)
