"""Tests for lmtutor.translation_data: sentence templates, splits by construction, determinism, bad input."""

import datetime
import re

import pytest

from lmtutor import numerals
from lmtutor.translation_data import (COUNT_FRAMES, DATE_FRAMES, FIRST_DATE, LAST_DATE, NOUNS, Noun, Pair,
                                      TaskSplits, chinese_count, count_pair, date_pair, number_task)


@pytest.fixture(scope="module")
def task():
    return number_task(seed=0)


def counts(pairs):
    return {p.value for p in pairs if isinstance(p.value, int)}


def dates(pairs):
    return {p.value for p in pairs if isinstance(p.value, datetime.date)}


def test_the_course_example():
    pair = count_pair(342, NOUNS[0], 0)
    assert (pair.english, pair.chinese) == ("I have three hundred and forty-two apples.", "我有三百四十二个苹果。")


@pytest.mark.parametrize("number, noun, frame, english, chinese", [
    (12300, "car", 1, "She bought twelve thousand three hundred cars.", "她买了一万二千三百辆汽车。"),
    (1, "fish", 3, "There is one fish here.", "这里有一条鱼。"),
    (2, "cat", 4, "Do you have two cats?", "你有两只猫吗？"),
    (22, "book", 2, "We saw twenty-two books.", "我们看见了二十二本书。"),
    (100012, "ticket", 5, "He wants one hundred thousand and twelve tickets.", "他想要十万零一十二张票。"),
    (3, "fish", 0, "I have three fish.", "我有三条鱼。"),
])
def test_count_pairs_by_hand(number, noun, frame, english, chinese):
    noun = next(n for n in NOUNS if n.english == noun)
    assert count_pair(number, noun, frame)[:2] == (english, chinese)


def test_chinese_count_says_liang_only_for_the_bare_two():
    assert [chinese_count(n) for n in (1, 2, 12, 20, 200, 2000)] == ["一", "两", "十二", "二十", "二百", "二千"]


def test_every_frame_and_noun_makes_a_well_formed_pair():
    for frame in range(len(COUNT_FRAMES)):
        for noun in NOUNS:
            for number in (1, 7, 45678):
                pair = count_pair(number, noun, frame)
                assert numerals.english_words(number) in pair.english
                assert numerals.chinese_numeral(number) + noun.measure + noun.chinese in pair.chinese
                assert pair.english[0].isupper() and pair.english[-1] in ".?"
                assert pair.chinese[-1] in "。？" and not re.search(r"[A-Za-z]", pair.chinese)
    assert len({n.measure for n in NOUNS}) >= 10  # 个 本 只 辆 张 条 支 棵 匹 件 台 把 封


def test_dates_reverse_the_order_and_use_every_frame():
    day = datetime.date(1998, 5, 3)
    assert date_pair(day, 0)[:2] == ("Today is 3 May 1998.", "今天是1998年5月3日。")
    assert date_pair(day, 1).chinese == "会议在1998年5月3日举行。"
    assert len(DATE_FRAMES) == 2


def test_split_sizes_and_types(task):
    assert isinstance(task, TaskSplits)
    assert [len(part) for part in task] == [20_000, 1_000, 1_000, 1_000]
    assert all(isinstance(p, Pair) for part in task for p in part)
    assert sum(isinstance(p.value, datetime.date) for p in task.train) == 2_000  # date_fraction 0.1


def test_no_test_or_valid_number_or_date_is_seen_in_training(task):
    train, valid, test = counts(task.train), counts(task.valid), counts(task.test)
    assert not train & test and not train & valid and not valid & test
    assert not dates(task.train) & dates(task.test) and not dates(task.train) & dates(task.valid)
    assert min(valid | test) >= 100 and set(range(1, 100)) <= train  # small numbers: training only
    assert {p.english for p in task.train}.isdisjoint(p.english for p in task.test)
    assert all(FIRST_DATE <= d <= LAST_DATE for d in dates(task.train) | dates(task.test))


def test_longer_split_has_more_digits_than_any_training_number(task):
    longest_train = max(len(str(n)) for n in counts(task.train))
    assert longest_train == 5
    assert {len(str(n)) for n in counts(task.longer)} == {6}
    assert not dates(task.longer)


def test_digit_counts_are_drawn_uniformly(task):
    lengths = [len(str(n.value)) for n in task.train if isinstance(n.value, int)]
    shares = [lengths.count(k) / len(lengths) for k in range(1, 6)]
    assert all(abs(share - 0.2) < 0.02 for share in shares)


def test_same_seed_same_task_other_seed_other_task():
    small = dict(train_size=300, valid_size=50, test_size=50, longer_size=20)
    assert number_task(seed=3, **small) == number_task(seed=3, **small)
    assert number_task(seed=3, **small).test != number_task(seed=4, **small).test


def test_max_digits_moves_the_length_split():
    task = number_task(train_size=500, valid_size=50, test_size=50, longer_size=50, max_digits=3, seed=1)
    assert max(counts(task.train)) < 1000 and min(counts(task.longer)) >= 1000
    assert {len(str(n)) for n in counts(task.test)} == {3}


@pytest.mark.parametrize("call, error, message", [
    (lambda: count_pair(0, NOUNS[0]), ValueError, r"number must be >= 1, got 0"),
    (lambda: count_pair(10**8, NOUNS[0]), ValueError, r"number must be <= 99999999"),
    (lambda: count_pair(-5, NOUNS[0]), ValueError, r"number must be >= 1, got -5"),
    (lambda: count_pair(2.5, NOUNS[0]), TypeError, r"number must be an int, got float"),
    (lambda: count_pair(True, NOUNS[0]), TypeError, r"number must be an int, got bool"),
    (lambda: count_pair(3, "apple"), TypeError, r"noun must be Noun, got str"),
    (lambda: count_pair(3, NOUNS[0], 6), ValueError, r"frame must be <= 5, got 6"),
    (lambda: chinese_count(-1), ValueError, r"number must be >= 0"),
    (lambda: date_pair("1998-05-03"), TypeError, r"date must be a datetime.date, got str"),
    (lambda: date_pair(datetime.datetime(1998, 5, 3)), TypeError, r"date must be a datetime.date, got datetime"),
    (lambda: date_pair(datetime.date(1998, 5, 3), 2), ValueError, r"frame must be <= 1"),
    (lambda: number_task(max_digits=8), ValueError, r"max_digits must be <= 7, got 8"),
    (lambda: number_task(max_digits=2), ValueError, r"max_digits must be >= 3, got 2"),
    (lambda: number_task(train_size=-1), ValueError, r"train_size must be >= 0"),
    (lambda: number_task(date_fraction=1.5), ValueError, r"date_fraction must be <= 1.0"),
    (lambda: number_task(seed="0"), TypeError, r"seed must be an int, got str"),
])
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_nouns_are_frozen():
    with pytest.raises(AttributeError):
        NOUNS[0].measure = "本"
    assert isinstance(NOUNS[0], Noun)
