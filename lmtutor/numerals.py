"""Numbers written out in English words and in Chinese numerals, for the translation task.

English groups digits by thousands (12,300 = "twelve thousand three hundred"), Chinese by 万,
ten thousand (1,2300 = 一万二千三百), so translating a number means reordering it::

    english_words(12300)      # 'twelve thousand three hundred'
    chinese_numeral(12300)    # '一万二千三百'
    chinese_numeral(100012)   # '十万零一十二'

Both cover 0 <= n <= MAX_NUMBER = 99,999,999 (below 亿, one hundred million). English is British
style with "and" before the last two digits ("three hundred and forty-two", "one thousand and
one"); it equals ``num2words(n)`` (lang "en") with its commas removed. Chinese equals
``cn2an.an2cn(n)`` of cn2an 0.5.24; the tests compare both over whole ranges.
"""

from __future__ import annotations

from lmtutor._validate import check_int

MAX_NUMBER = 99_999_999  # the largest number both converters write: 九千九百九十九万九千九百九十九

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_DIGITS_ZH = "零一二三四五六七八九"
_UNITS_ZH = ("千", "百", "十", "")  # place names inside a group of four digits, high to low


def _check_number(number) -> int:
    """Return ``number`` as an int after checking 0 <= number <= MAX_NUMBER (not a bool)."""
    return check_int("number", number, minimum=0, maximum=MAX_NUMBER)


def _below_thousand(value: int) -> list[str]:
    """Return the English words of 1 <= value <= 999: ["three", "hundred", "and", "forty-two"]."""
    hundreds, rest = divmod(value, 100)
    words = [_ONES[hundreds], "hundred"] if hundreds else []
    if rest:
        words += ["and"] if hundreds else []
        tens, ones = divmod(rest, 10)
        words.append(_ONES[rest] if rest < 20 else _TENS[tens] + (f"-{_ONES[ones]}" if ones else ""))
    return words


def english_words(number: int) -> str:
    """Return ``number`` in British English words: 342 -> "three hundred and forty-two".

    number = millions·10⁶ + thousands·10³ + units; each nonzero group is said as 1-999 followed by
    "million" or "thousand"; "and" goes after "hundred" inside a group and before a last group
    under 100 ("one thousand and one"). No commas: num2words(number) with "," removed.
    """
    number = _check_number(number)
    if number == 0:
        return "zero"
    millions, rest = divmod(number, 1_000_000)
    thousands, units = divmod(rest, 1000)
    words: list[str] = []
    for value, scale in ((millions, "million"), (thousands, "thousand")):
        if value:
            words += _below_thousand(value) + [scale]
    if units:
        words += (["and"] if words and units < 100 else []) + _below_thousand(units)
    return " ".join(words)


def _group_zh(value: int) -> str:
    """Return 1 <= value <= 9999 in Chinese with 一十 kept: 1010 -> 一千零一十, 12 -> 一十二.

    One 零 stands for each run of zeros between two nonzero digits; trailing zeros are silent.
    """
    digits = f"{value:04d}"
    out, pending_zero = "", False
    for digit, unit in zip(digits, _UNITS_ZH):
        if digit == "0":
            pending_zero = bool(out)  # a zero after a nonzero digit may need a 零
            continue
        out += ("零" if pending_zero else "") + _DIGITS_ZH[int(digit)] + unit
        pending_zero = False
    return out


def chinese_numeral(number: int) -> str:
    """Return ``number`` in Chinese numerals grouped by 万: 12300 -> 一万二千三百.

    number = high·10⁴ + low, written 〈high〉万〈low〉; inside a group a run of zeros between two
    nonzero digits is one 零 (1010 -> 一千零一十) and trailing zeros are silent (1100 -> 一千一百);
    a low group under 1000 after 万 starts with 零 (10200 -> 一万零二百); a leading 一十 is said
    十 (12 -> 十二, 100012 -> 十万零一十二), but 一十 inside stays (115 -> 一百一十五).
    Equal to cn2an.an2cn(number) of cn2an 0.5.24. Before a measure word, 2 is said 两 instead:
    see ``translation_data.chinese_count``.
    """
    number = _check_number(number)
    if number == 0:
        return "零"
    high, low = divmod(number, 10_000)
    out = _group_zh(high) + "万" if high else ""
    if low:
        out += ("零" if high and low < 1000 else "") + _group_zh(low)
    return out[1:] if out.startswith("一十") else out
