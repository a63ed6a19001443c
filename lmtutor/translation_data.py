"""The course's English -> Chinese translation task: sentences with numbers, measure words and dates.

Templates written by the course turn a number and a noun into a sentence pair; the converters of
:mod:`lmtutor.numerals` write the number. The task needs reordering (English groups digits by
thousands, Chinese by 万) and agreement (the measure word 量词 depends on the noun)::

    count_pair(342, NOUNS[0], 0)       # Pair('I have three hundred and forty-two apples.', '我有三百四十二个苹果。', ...)
    task = number_task(seed=0)         # TaskSplits(train, valid, test, longer): lists of Pair
    task.test[0].english, task.test[0].chinese

Splits by construction: numbers below 100 (the words all others are built from) are training
only; every number from 100 up to max_digits digits goes to exactly one of train / valid / test,
so no test number is seen in training; ``longer`` holds numbers with one digit more than any
training number (length generalisation). Dates are split the same way, by calendar day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from lmtutor._validate import check_float, check_int, check_str, check_type
from lmtutor.numerals import MAX_NUMBER, chinese_numeral, english_words


@dataclass(frozen=True)
class Noun:
    """A countable noun in English and Chinese, with the measure word Chinese counts it with."""

    english: str  # singular: "apple"
    plural: str  # "apples"; "fish" stays "fish"
    chinese: str  # 苹果
    measure: str  # measure word (量词) between the number and the noun: 个 in 三个苹果

    def __post_init__(self):
        for name in ("english", "plural", "chinese", "measure"):
            check_str(name, getattr(self, name), allow_empty=False)


NOUNS: tuple[Noun, ...] = (
    Noun("apple", "apples", "苹果", "个"), Noun("student", "students", "学生", "个"),
    Noun("book", "books", "书", "本"), Noun("dictionary", "dictionaries", "词典", "本"),
    Noun("cat", "cats", "猫", "只"), Noun("dog", "dogs", "狗", "只"), Noun("bird", "birds", "鸟", "只"),
    Noun("car", "cars", "汽车", "辆"), Noun("bicycle", "bicycles", "自行车", "辆"),
    Noun("ticket", "tickets", "票", "张"), Noun("table", "tables", "桌子", "张"),
    Noun("fish", "fish", "鱼", "条"), Noun("pen", "pens", "笔", "支"), Noun("tree", "trees", "树", "棵"),
    Noun("horse", "horses", "马", "匹"), Noun("shirt", "shirts", "衬衫", "件"),
    Noun("computer", "computers", "电脑", "台"), Noun("chair", "chairs", "椅子", "把"),
    Noun("letter", "letters", "信", "封"),
)

# (English, Chinese) templates: {count} the number's words, {noun} singular or plural, {be} is/are;
# {zh_count} the Chinese number, {measure} the measure word, {zh_noun} the Chinese noun.
COUNT_FRAMES: tuple[tuple[str, str], ...] = (
    ("I have {count} {noun}.", "我有{zh_count}{measure}{zh_noun}。"),
    ("She bought {count} {noun}.", "她买了{zh_count}{measure}{zh_noun}。"),
    ("We saw {count} {noun}.", "我们看见了{zh_count}{measure}{zh_noun}。"),
    ("There {be} {count} {noun} here.", "这里有{zh_count}{measure}{zh_noun}。"),
    ("Do you have {count} {noun}?", "你有{zh_count}{measure}{zh_noun}吗？"),
    ("He wants {count} {noun}.", "他想要{zh_count}{measure}{zh_noun}。"),
)
# English says day month year, Chinese year 年 month 月 day 日: the order reverses.
DATE_FRAMES: tuple[tuple[str, str], ...] = (
    ("Today is {day} {month} {year}.", "今天是{year}年{month_number}月{day}日。"),
    ("The meeting is on {day} {month} {year}.", "会议在{year}年{month_number}月{day}日举行。"),
)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
MAX_PAIRS = 1_000_000  # the largest split number_task makes (about 20 s to write)
FIRST_DATE, LAST_DATE = datetime.date(1950, 1, 1), datetime.date(2049, 12, 31)  # the dates used


class _PairFields(NamedTuple):
    english: str  # "I have three hundred and forty-two apples."
    chinese: str  # "我有三百四十二个苹果。"
    value: int | datetime.date  # the number counted, or the date
    frame: str  # "count0".."count5" or "date0", "date1": which template


_FRAMES = {f"count{i}" for i in range(len(COUNT_FRAMES))} | {f"date{i}" for i in range(len(DATE_FRAMES))}


class Pair(_PairFields):
    """One English sentence and its Chinese translation, with what it was made from:
    Pair(english, chinese, value, frame), value the number counted (an int) or the date."""

    __slots__ = ()

    def __new__(cls, english: str, chinese: str, value: int | datetime.date, frame: str):
        check_str("english", english)
        check_str("chinese", chinese)
        if not isinstance(value, datetime.date):
            check_int("value", value, minimum=0)
        if check_str("frame", frame) not in _FRAMES:
            raise ValueError(f"frame must be one of {sorted(_FRAMES)}, got {frame!r}")
        return super().__new__(cls, english, chinese, value, frame)


class _TaskFields(NamedTuple):
    train: list  # Pairs with numbers 1 to 10**max_digits - 1 (all of 1-99 only here)
    valid: list  # Pairs with numbers >= 100 and dates found in no other split
    test: list  # the same, disjoint from train and valid
    longer: list  # Pairs with numbers of exactly max_digits + 1 digits (length generalisation)


class TaskSplits(_TaskFields):
    """The numbers task cut by construction, four lists of Pairs; see :func:`number_task`."""

    __slots__ = ()

    def __new__(cls, train: list, valid: list, test: list, longer: list):
        for name, part in (("train", train), ("valid", valid), ("test", test), ("longer", longer)):
            check_type(name, part, list)
        return super().__new__(cls, train, valid, test, longer)


def chinese_count(number: int) -> str:
    """Return ``number`` as said before a measure word: 2 -> 两 (两个), else chinese_numeral(number).

    Only the bare number 2 changes (两个苹果, not 二个苹果); 12, 22 and 2000 keep 二 as cn2an
    writes them (二千 is correct, 两千 is also common).
    """
    number = check_int("number", number, minimum=0, maximum=MAX_NUMBER)
    return "两" if number == 2 else chinese_numeral(number)


def count_pair(number: int, noun: Noun, frame: int = 0) -> Pair:
    """Return the Pair of COUNT_FRAMES[frame] counting ``number`` of ``noun``."""
    number = check_int("number", number, minimum=1, maximum=MAX_NUMBER)
    check_type("noun", noun, Noun)
    frame = check_int("frame", frame, minimum=0, maximum=len(COUNT_FRAMES) - 1)
    english, chinese = COUNT_FRAMES[frame]
    english = english.format(count=english_words(number), be="is" if number == 1 else "are",
                             noun=noun.english if number == 1 else noun.plural)
    chinese = chinese.format(zh_count=chinese_count(number), measure=noun.measure, zh_noun=noun.chinese)
    return Pair(english, chinese, number, f"count{frame}")


def date_pair(date: datetime.date, frame: int = 0) -> Pair:
    """Return the Pair of DATE_FRAMES[frame] for ``date``: "3 May 1998" -> 1998年5月3日."""
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise TypeError(f"date must be a datetime.date, got {type(date).__name__} {date!r:.60}")
    frame = check_int("frame", frame, minimum=0, maximum=len(DATE_FRAMES) - 1)
    english, chinese = DATE_FRAMES[frame]
    fields = {"day": date.day, "month": _MONTHS[date.month - 1], "month_number": date.month,
              "year": date.year}
    return Pair(english.format(**fields), chinese.format(**fields), date, f"date{frame}")


def _partition(values: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Return ``values`` shuffled and cut 80 / 10 / 10 into (train, valid, test) pools."""
    shuffled = rng.permutation(values)
    tenth = len(values) // 10
    return shuffled[2 * tenth:], shuffled[tenth:2 * tenth], shuffled[:tenth]


def _draw_numbers(pool: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``size`` numbers from ``pool``: a digit count uniformly, then a number of that length."""
    lengths = np.searchsorted(10 ** np.arange(1, 10), pool, side="right") + 1  # digits of each number
    distinct = np.unique(lengths)
    picked = distinct[rng.integers(len(distinct), size=size)]
    numbers = np.empty(size, dtype=np.int64)
    for length in distinct:
        members, chosen = pool[lengths == length], picked == length
        numbers[chosen] = members[rng.integers(len(members), size=int(chosen.sum()))]
    return numbers


def _draw_pairs(numbers: np.ndarray, dates: np.ndarray, size: int, date_fraction: float,
                rng: np.random.Generator) -> list:
    """Return ``size`` Pairs: about ``date_fraction`` of them dates, the rest counts of nouns."""
    n_dates = int(round(size * date_fraction)) if len(dates) else 0
    counts = _draw_numbers(numbers, size - n_dates, rng)
    pairs = [count_pair(int(n), NOUNS[rng.integers(len(NOUNS))], int(rng.integers(len(COUNT_FRAMES))))
             for n in counts]
    days = rng.choice(dates, size=n_dates) if n_dates else []
    pairs += [date_pair(FIRST_DATE + datetime.timedelta(days=int(d)), int(rng.integers(len(DATE_FRAMES))))
              for d in days]
    return [pairs[i] for i in rng.permutation(len(pairs))]


def number_task(*, train_size: int = 20_000, valid_size: int = 1_000, test_size: int = 1_000,
                longer_size: int = 1_000, max_digits: int = 5, date_fraction: float = 0.1,
                seed: int = 0) -> TaskSplits:
    """Return TaskSplits(train, valid, test, longer) of Pairs, the same for the same arguments.

    Numbers 1-99 are training only; the numbers 100 to 10**max_digits - 1 are shuffled with
    ``default_rng(seed)`` and cut 80 / 10 / 10 into train / valid / test pools, and so are the days
    from FIRST_DATE to LAST_DATE. A sentence draws its digit count uniformly (1..max_digits for
    train, 3..max_digits for valid and test), then a number of its pool, a noun and a frame.
    ``longer`` counts numbers of exactly max_digits + 1 digits and has no dates. Pairs may repeat
    within a split (small numbers in train), never across splits.
    """
    sizes = [check_int(name, value, minimum=0, maximum=MAX_PAIRS) for name, value in (
        ("train_size", train_size), ("valid_size", valid_size), ("test_size", test_size),
        ("longer_size", longer_size))]
    max_digits = check_int("max_digits", max_digits, minimum=3, maximum=len(str(MAX_NUMBER)) - 1)
    date_fraction = check_float("date_fraction", date_fraction, minimum=0.0, maximum=1.0)
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    train_pool, valid_pool, test_pool = _partition(np.arange(100, 10**max_digits), rng)
    train_pool = np.concatenate([np.arange(1, 100), train_pool])
    date_pools = _partition(np.arange((LAST_DATE - FIRST_DATE).days + 1), rng)
    splits = [_draw_pairs(pool, dates, size, date_fraction, rng)
              for pool, dates, size in zip((train_pool, valid_pool, test_pool), date_pools, sizes)]
    longer = _draw_pairs(np.arange(10**max_digits, 10**(max_digits + 1)), np.array([]), sizes[3], 0.0, rng)
    return TaskSplits(*splits, longer)
