"""Dates as applicants write them on the forms: 出生年月, 参加工作时间, certificate and result dates.

People write the same month a dozen ways: ``1979年5月``, ``1979年05月``, ``1979.05``, ``1979.5``,
``1979-5``, ``1979/05``, ``197905``, ``1979年5月24日``, ``79年5月``, ``一九七九年五月``, ``二〇一九年三月``,
with full-width digits or with stray spaces (``1979 年 5 月``). The parsers here read all of them and
refuse to guess: a month or a day that does not exist gives ``None``, and so does a text that states
no month where a month is asked for.

Two-digit years (``79年5月``) are resolved against a pivot year: a two-digit year ``yy`` is read as
the latest year ending in ``yy`` that is not after the pivot, i.e. ``20yy`` when that is not later
than the pivot, else ``19yy``. The pivot defaults to the current year, so in 2025 ``25年`` is 2025
and ``26年`` is 1926; a caller that knows the notice's reference year passes it as ``pivot_year``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "chinese_date_numerals",
    "chinese_numeral_value",
    "expand_two_digit_year",
    "normalize_date_text",
    "parse_date",
    "parse_year",
    "parse_year_month",
]

MIN_YEAR = 1900
"""The earliest year a form date can carry (births of the oldest applicants are well after it)."""
MAX_YEAR = 2099
"""The latest year read as a year at all."""

_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "O": 0,
    "o": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_TEN = "十"
_TENS_SHORTHAND = {"廿": "二十", "卅": "三十"}
_TRUE_NUMERALS = set(_DIGITS) - {"O", "o"}
# Positional numerals before 年 (一九七九年, 二〇一九年, 二O一九年; "O"/"o" count as 〇 only next to real
# numerals, which chinese_numeral_value checks), and counting numerals before 月/日/号 (十二月, 二十四日).
# Counting numerals before 年 (十年) are a duration, not a year, and are left alone.
_YEAR_NUMERALS = re.compile(r"([〇○零Oo一二三四五六七八九]{2,4})(?=年)")
_MONTH_DAY_NUMERALS = re.compile(r"([〇○零一二两三四五六七八九十廿卅]+)(?=[月日号])")
_FIRST_MONTH = re.compile(r"元(?=月)")
_SPACES = re.compile(r"\s+")
_TWO_DIGIT_CENTURY = 100


def chinese_numeral_value(text: str) -> int | None:
    """The value of a Chinese numeral as written in dates and ranks.

    Positional digit strings (``一九七九`` -> 1979, ``二〇一九`` -> 2019) and the counting form up to
    99 (``五`` -> 5, ``十`` -> 10, ``十二`` -> 12, ``二十四`` -> 24, ``廿四`` -> 24). ASCII digits are
    read as they are. ``None`` for anything else (an empty text, mixed scripts, ``十十``).
    """
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    for short, long in _TENS_SHORTHAND.items():
        text = text.replace(short, long)
    if _TEN not in text:
        if not all(char in _DIGITS for char in text) or not any(char in _TRUE_NUMERALS for char in text):
            return None
        return int("".join(str(_DIGITS[char]) for char in text))
    head, _ten, tail = text.partition(_TEN)
    if _TEN in tail or len(head) > 1 or len(tail) > 1:
        return None
    if (head and head not in _DIGITS) or (tail and tail not in _DIGITS):
        return None
    tens = _DIGITS[head] if head else 1
    units = _DIGITS[tail] if tail else 0
    if tens == 0:
        return None
    return tens * 10 + units


def _numeral_run(match: re.Match[str]) -> str:
    value = chinese_numeral_value(match.group(1))
    return match.group(0) if value is None else str(value)


def chinese_date_numerals(text: str) -> str:
    """The text with the Chinese numerals of dates written as digits, and nothing else changed.

    ``一九七九年五月`` -> ``1979年5月``; ``二〇一九年三月`` -> ``2019年3月``; ``十二月二十四日`` ->
    ``12月24日``; ``元月`` -> ``1月``. Numerals that are not a date's (``第二届``, ``前三名``, ``十年``) stay.
    """
    text = _FIRST_MONTH.sub("一", text)
    text = _YEAR_NUMERALS.sub(_numeral_run, text)
    return _MONTH_DAY_NUMERALS.sub(_numeral_run, text)


def normalize_date_text(text: str) -> str:
    """The text with full-width digits made ASCII, spaces removed and date numerals as digits.

    See :func:`chinese_date_numerals`: ``一九七九年 五 月`` -> ``1979年5月``.
    """
    return chinese_date_numerals(_SPACES.sub("", unicodedata.normalize("NFKC", text)))


def expand_two_digit_year(two_digits: int, pivot_year: int | None = None) -> int:
    """The four-digit year of ``yy``: the latest year ending in ``yy`` that is not after the pivot.

    Args:
        two_digits: 0 … 99.
        pivot_year: a four-digit year (the notice's reference year); the current year when ``None``.
    """
    pivot = dt.date.today().year if pivot_year is None else pivot_year
    year = (pivot // _TWO_DIGIT_CENTURY) * _TWO_DIGIT_CENTURY + two_digits
    return year if year <= pivot else year - _TWO_DIGIT_CENTURY


def _year(digits: str, pivot_year: int | None) -> int | None:
    year = expand_two_digit_year(int(digits), pivot_year) if len(digits) == 2 else int(digits)
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def _month(digits: str) -> int | None:
    month = int(digits)
    return month if 1 <= month <= 12 else None


def _day(year: int, month: int, digits: str) -> dt.date | None:
    try:
        return dt.date(year, month, int(digits))
    except ValueError:
        return None


# 1979年5月[24日], 79年5月; the month may close the text without 月 (1979年05).
_CHINESE_FORM = re.compile(r"(?<!\d)(\d{4}|\d{2})年(\d{1,2})(?:月(?:(\d{1,2})[日号])?|(?!\d))")
# 1979.05[.24], 1979-5, 1979/05, 1979_05.
_SEPARATED_FORM = re.compile(r"(?<!\d)(\d{4})[./\-_](\d{1,2})(?!\d)(?:[./\-_](\d{1,2})(?!\d))?")
# 197905 or 19790524, alone (never inside a longer run of digits such as an ID number).
_DIGITS_FORM = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})?(?!\d)")
# 79.05 or 79.5.24: only when that is the whole text.
_SHORT_SEPARATED_FORM = re.compile(r"(\d{2})[./\-](\d{1,2})(?:[./\-](\d{1,2}))?")


def _find(text: str, pivot_year: int | None) -> tuple[int, int, str | None] | None:
    """(year, month, day digits or None) of the first date in the text with a real year and month, or None."""
    matches: list[re.Match[str]] = [
        match for pattern in (_CHINESE_FORM, _SEPARATED_FORM, _DIGITS_FORM) for match in pattern.finditer(text)
    ]
    whole = _SHORT_SEPARATED_FORM.fullmatch(text)
    if whole is not None:
        matches.append(whole)
    for match in sorted(matches, key=lambda found: found.start()):
        year = _year(match.group(1), pivot_year)
        month = _month(match.group(2))
        if year is not None and month is not None:
            return year, month, match.group(3)
    return None


def parse_year_month(text: str, *, pivot_year: int | None = None) -> str | None:
    """``YYYY-MM`` of the first date written in the text, or ``None``.

    Reads ``1979年5月``, ``1979年05月``, ``1979.05``, ``1979.5``, ``1979-5``, ``1979/05``, ``197905``,
    ``1979年5月24日`` (-> ``1979-05``), ``79年5月`` (see the module's two-digit-year rule),
    ``一九七九年五月``, ``二〇一九年三月``, full-width digits and spaced-out text. A month outside 1-12, or
    a day written but impossible (``1979年2月30日``), gives ``None``; so does a year alone.

    Args:
        text: the cell or line as read (a label such as ``出生年月：`` may precede the date).
        pivot_year: the four-digit year two-digit years are resolved against (default: this year).
    """
    found = _find(normalize_date_text(text), pivot_year)
    if found is None:
        return None
    year, month, day = found
    if day is not None and _day(year, month, day) is None:
        return None
    return f"{year:04d}-{month:02d}"


def parse_date(text: str, *, pivot_year: int | None = None) -> dt.date | None:
    """The full date written in the text (``1979年5月24日``, ``1979.05.24``, ``19790524``), or ``None``.

    ``None`` when no day is written (``1979年5月``) or the date does not exist.
    """
    found = _find(normalize_date_text(text), pivot_year)
    if found is None:
        return None
    year, month, day = found
    return None if day is None else _day(year, month, day)


# A four-digit year not inside a longer number and not an edition or a count (第2016届, 2016名, 2016元 …).
_YEAR = re.compile(r"(?<![\d第])((?:19|20)\d{2})(?![\d届名元人个项次分米])")
_SHORT_YEAR = re.compile(r"(?<![\d第.])(\d{2})年")


def parse_year(text: str, *, pivot_year: int | None = None) -> int | None:
    """The first year written in the text: ``2016年``, ``2016``, ``2016.05``, ``二〇一六年``, ``16年``, ``20160524``.

    Four-digit years 1900-2099 are taken where they stand alone (not inside an ID number or a longer
    number, not ``第2016届``), or where they open a date written in digits that :func:`parse_year_month`
    reads (``201605``, ``20160524``); two digits count as a year only when 年 follows (``16年``), resolved
    by the module's two-digit-year rule. ``None`` when no year is written.
    """
    normalized = normalize_date_text(text)
    found: list[tuple[int, int]] = []
    match = _YEAR.search(normalized)
    if match is not None:
        found.append((match.start(), int(match.group(1))))
    for digits in _DIGITS_FORM.finditer(normalized):
        year, month, day = int(digits.group(1)), _month(digits.group(2)), digits.group(3)
        if month is not None and (day is None or _day(year, month, day) is not None):
            found.append((digits.start(), year))
            break
    short = _SHORT_YEAR.search(normalized)
    if short is not None:
        found.append((short.start(), expand_two_digit_year(int(short.group(1)), pivot_year)))
    if not found:
        return None
    _start, year = min(found)
    return year if MIN_YEAR <= year <= MAX_YEAR else None
