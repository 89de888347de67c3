"""Properties of the value parsers, checked with hypothesis: ID numbers, dates, competition and honour entries.

Each parser must take any text as read (Chinese, full-width forms, OCR confusions, control characters)
without raising, and must read back what a writer of the usual forms puts down: a valid resident ID
number in a labelled cell, a date in any of the ways applicants write one, a competition result or an
honour title built from its parts. The oracles are independent of the code under test where one exists
(``stdnum.iso7064.mod_11_2`` for check digits, ``datetime`` for calendars).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import string
from collections.abc import Callable
from importlib import resources

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from stdnum.iso7064 import mod_11_2

from extractors.parsers import (
    parse_competitions,
    parse_date,
    parse_honors,
    parse_id_number,
    parse_year,
    parse_year_month,
    split_entries,
)
from extractors.parsers.dates import (
    MAX_YEAR,
    MIN_YEAR,
    chinese_date_numerals,
    chinese_numeral_value,
    expand_two_digit_year,
    normalize_date_text,
)
from extractors.parsers.idnumber import PROVINCE_CODES, IdNumber
from models.report import Competition, CompetitionCategory, Scope

# Parsing is cheap, but the spaCy pipeline of the competition parser is built on first use (about a second).
PARSER = settings(max_examples=150, deadline=None)
SPACY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
REASONS = {"length", "format", "date", "region", "checksum"}

# Text as forms and OCR give it: digits in both widths, the letters OCR reads for digits, Chinese labels
# and numerals, separators, quotes, control characters; and anything else Unicode has.
FORM_CHARS = (
    "0123456789０１２３４５６７８９xX×ｘＸOoDQlIi|L!ZzSsGbTBgq"
    " \t\n\r\x00\x0b\u3000-－—_/.,，:：;；。、()（）“”《》"
    "身份证号码年月日号元〇○零一二两三四五六七八九十廿卅第届名前等奖金银铜牌冠亚季军"
)
form_text = st.text(st.sampled_from(FORM_CHARS), max_size=60) | st.text(max_size=60)


# --- ID numbers --------------------------------------------------------------------------------------------


def _stdnum_region_codes() -> tuple[str, ...]:
    """Every six-digit county code of stdnum's GB/T 2260 table (all years) under a province-level code."""
    codes: list[str] = []
    province = ""
    text = (resources.files("stdnum.cn") / "loc.dat").read_text(encoding="utf-8")
    for line in text.splitlines():
        if match := re.match(r"^(\d{2}) province=", line):
            province = match.group(1)
        elif (match := re.match(r"^\s+(\d{4}) county=", line)) and province in PROVINCE_CODES:
            codes.append(province + match.group(1))
    return tuple(codes)


STDNUM_REGIONS = _stdnum_region_codes()
# The parser's own rule: any province-level code (incl. 71 and the residence permits 81-83), and the 2023
# foreign permanent-residence number, 9 + a mainland province code.
own_regions = st.builds(
    lambda province, county: province + county,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.integers(0, 9999).map("{:04d}".format),
)
foreign_regions = st.builds(
    lambda province, rest: "9" + province + rest,
    st.sampled_from(sorted(code for code in PROVINCE_CODES if code < "70")),
    st.integers(0, 999).map("{:03d}".format),
)
regions = st.sampled_from(STDNUM_REGIONS) | own_regions | foreign_regions
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today())


@st.composite
def id_numbers(draw: st.DrawFn) -> tuple[str, dt.date, str]:
    """(a valid 18-character ID number, its birth date, its sex), the check digit from stdnum's ISO 7064."""
    born = draw(birth_dates)
    sequence = draw(st.integers(0, 999))
    body = f"{draw(regions)}{born:%Y%m%d}{sequence:03d}"
    return body + mod_11_2.calc_check_digit(body), born, "男" if sequence % 2 else "女"


def _grouped(number: str, sizes: tuple[int, ...], separator: str) -> str:
    pieces, start = [], 0
    for size in sizes:
        pieces.append(number[start : start + size])
        start += size
    return separator.join(pieces)


LABELS = ("", "身份证号码：", "身份证号:", "公民身份号码 ", "身份证号码", "ID：", "证件号码:\t", "（身份证）")
AFTERWORDS = ("", "，性别：男", "。", " （复印件）", "\n联系电话：13800138000", "；出生日期：1990年1月1日")


@st.composite
def written_id_numbers(draw: st.DrawFn) -> tuple[str, str, dt.date, str]:
    """(the text of a cell holding a valid ID number, the number, its birth date, its sex).

    The number is written as forms do: grouped by spaces or dashes, in full-width digits, with ``x``,
    ``ｘ`` or ``×`` for the check ``X``, after a label and before other words.
    """
    number, born, sex = draw(id_numbers())
    written = number
    if written.endswith("X"):
        written = written[:-1] + draw(st.sampled_from("XxＸｘ×"))
    if draw(st.booleans()):
        written = written.translate(FULL_WIDTH)
    sizes = draw(st.sampled_from(((18,), (6, 8, 4), (4, 4, 4, 4, 2), (6, 4, 4, 4), (3, 3, 4, 4, 4))))
    written = _grouped(written, sizes, draw(st.sampled_from((" ", "  ", "-", "\t", " - ", "\u3000"))))
    return draw(st.sampled_from(LABELS)) + written + draw(st.sampled_from(AFTERWORDS)), number, born, sex


@given(written_id_numbers())
@PARSER
def test_a_valid_id_number_written_in_a_cell_is_read_valid(case: tuple[str, str, dt.date, str]) -> None:
    text, number, born, sex = case
    found = parse_id_number(text)
    assert found is not None
    assert (found.valid, found.reason, found.corrected) == (True, None, False)
    assert (found.value, found.birth_date, found.sex) == (number, born, sex)


@given(regions, st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), st.integers(0, 999))
@PARSER
def test_a_valid_legacy_number_is_upgraded_to_its_18_digits(region: str, born: dt.date, sequence: int) -> None:
    legacy = f"{region[:6]}{born:%y%m%d}{sequence:03d}"
    body = f"{region[:6]}{born:%Y%m%d}{sequence:03d}"
    found = parse_id_number(f"身份证号：{legacy}")
    assert found is not None and found.valid and found.upgraded
    assert (found.value, found.birth_date, found.sex) == (
        body + mod_11_2.calc_check_digit(body),
        born,
        "男女"[sequence % 2 == 0],
    )


@given(id_numbers(), st.data())
@PARSER
def test_an_id_number_with_one_character_changed_is_never_valid(
    case: tuple[str, dt.date, str], data: st.DataObject
) -> None:
    number, _born, _sex = case
    position = data.draw(st.integers(0, len(number) - 1))
    alphabet = "0123456789X" if position == len(number) - 1 else "0123456789"
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda char: char != number[position]))
    changed = number[:position] + replacement + number[position + 1 :]
    found = parse_id_number(changed)
    assert found is not None and not found.valid
    if position == len(number) - 1:
        assert found.reason == "checksum"


@given(id_numbers(), st.integers(0, 15))
@PARSER
def test_an_id_number_with_two_neighbouring_digits_swapped_is_never_valid(
    case: tuple[str, dt.date, str], position: int
) -> None:
    number, _born, _sex = case
    swapped = number[:position] + number[position + 1] + number[position] + number[position + 2 :]
    found = parse_id_number(swapped)
    assert found is not None
    assert found.valid == (swapped == number)


# What OCR reads for a digit, as the parser's docstring lists them.
OCR_LETTERS = {"0": "OoDQ", "1": "lIi|L!", "2": "Z", "5": "S", "6": "Gb", "7": "T", "8": "B", "9": "gq"}


@given(id_numbers(), st.data())
@PARSER
def test_up_to_four_ocr_confusions_are_undone(case: tuple[str, dt.date, str], data: st.DataObject) -> None:
    """Letters read for digits are undone where that makes the number valid.

    Numbers with three letters at their ends (a check ``X`` counts) are left out: the parser may read those
    letters as a label before, or a word after, the valid 15-digit legacy number the remaining digits can
    make, and it prefers any valid reading to one made valid by correction (``lZO110200001010000`` holds
    the legacy ``110200001010000``, ``gZ218520000102181X`` the legacy ``218520000102181``).
    """
    number, born, _sex = case
    confusable = [index for index, char in enumerate(number) if char in OCR_LETTERS]
    assume(confusable)
    positions = data.draw(st.sets(st.sampled_from(confusable), min_size=1, max_size=4))
    misread = "".join(
        data.draw(st.sampled_from(OCR_LETTERS[char])) if index in positions else char
        for index, char in enumerate(number)
    )
    assume(len(misread) - len(misread.strip(string.ascii_letters + "|!")) < 3)
    found = parse_id_number(f"身份证号码：{misread}")
    assert found is not None and found.valid
    assert (found.value, found.birth_date, found.corrected) == (number, born, True)


def _check_id_invariants(text: str, found: IdNumber) -> None:
    assert found.raw and found.raw in text
    if found.valid:
        assert found.reason is None and len(found.value) == 18
        assert found.value[:17].isascii() and found.value[:17].isdigit()
        assert found.value[17] == mod_11_2.calc_check_digit(found.value[:17])
        assert found.birth_date == dt.date(int(found.value[6:10]), int(found.value[10:12]), int(found.value[12:14]))
        assert found.sex == "男女"[int(found.value[16]) % 2 == 0]
        again = parse_id_number(found.value)
        assert again is not None and (again.valid, again.value, again.corrected) == (True, found.value, False)
    else:
        assert found.reason in REASONS and not found.corrected


@given(form_text)
@PARSER
@example("身份证号：５１０５０２１９７８０５１２００３ｘ")
@example("l1O1O11990O1O1OO1X 2020-01-01")
@example("1" * 16 + "-" * 5 + "1" * 16)
def test_any_text_gives_none_or_a_checked_id_number(text: str) -> None:
    found = parse_id_number(text)
    if found is not None:
        _check_id_invariants(text, found)


# --- dates -------------------------------------------------------------------------------------------------

CHINESE_DIGITS = "零一二三四五六七八九"
dates = st.dates(min_value=dt.date(MIN_YEAR, 1, 1), max_value=dt.date(MAX_YEAR, 12, 31))


def _chinese_number(number: int) -> str:
    """1 … 99 in counting numerals: 五, 十, 十二, 四十五."""
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_DIGITS[tens] + "十")
    return head + (CHINESE_DIGITS[units] if units else "")


def _counting(number: int, draw: st.DrawFn) -> str:
    """1 … 31 as counted in Chinese: 五, 十, 十二, 二十四, 廿四, 卅一."""
    tens, units = divmod(number, 10)
    unit = CHINESE_DIGITS[units] if units else ""
    if tens == 0:
        return unit
    if tens == 1:
        return "十" + unit
    if draw(st.booleans()):
        return {2: "廿", 3: "卅"}[tens] + unit
    return CHINESE_DIGITS[tens] + "十" + unit


def _positional(year: int, draw: st.DrawFn) -> str:
    """A year digit by digit, zero written 〇, ○ or 零: 一九七九, 二〇一九."""
    zero = draw(st.sampled_from("〇○零"))
    return "".join(zero if digit == "0" else CHINESE_DIGITS[int(digit)] for digit in str(year))


def _number(value: int, draw: st.DrawFn) -> str:
    """A month or day in digits, zero-padded or not."""
    return f"{value:02d}" if draw(st.booleans()) else str(value)


def _spaced(text: str, draw: st.DrawFn) -> str:
    """The text with stray spaces between some characters (``1979 年 5 月``)."""
    gaps = draw(st.lists(st.sampled_from(("", "", "", " ", "\u3000", "\t")), min_size=len(text), max_size=len(text)))
    return "".join(char + gap for char, gap in zip(text, gaps, strict=True)).strip()


def _dressed(text: str, draw: st.DrawFn) -> str:
    """Full-width digits or spaces now and then, a label before, a remark after."""
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    if draw(st.booleans()):
        text = _spaced(text, draw)
    label = draw(st.sampled_from(("", "出生日期：", "取得资格时间:", "参加工作时间 ", "日期")))
    return label + text + draw(st.sampled_from(("", "。", " 起", "（复印件）")))


@st.composite
def written_dates(draw: st.DrawFn) -> tuple[str, dt.date]:
    """(a full date written the way forms write them, the date)."""
    day = draw(dates)
    y, m, d = day.year, day.month, day.day
    style = draw(st.sampled_from(("chinese", "numerals", "separated", "digits")))
    if style == "chinese":
        text = f"{y}年{_number(m, draw)}月{_number(d, draw)}{draw(st.sampled_from('日号'))}"
    elif style == "numerals":
        month = "元" if m == 1 and draw(st.booleans()) else _counting(m, draw)
        text = f"{_positional(y, draw)}年{month}月{_counting(d, draw)}{draw(st.sampled_from('日号'))}"
    elif style == "separated":
        separator = draw(st.sampled_from("./-_"))
        text = f"{y}{separator}{_number(m, draw)}{separator}{_number(d, draw)}"
    else:
        text = f"{y}{m:02d}{d:02d}"
    return _dressed(text, draw), day


@st.composite
def written_months(draw: st.DrawFn) -> tuple[str, dt.date]:
    """(a year and month written the way forms write them, a day of that month)."""
    day = draw(dates)
    y, m = day.year, day.month
    style = draw(st.sampled_from(("chinese", "open", "numerals", "separated", "digits")))
    if style == "chinese":
        text = f"{y}年{_number(m, draw)}月"
    elif style == "open":
        text = f"{y}年{m:02d}"  # the month closes the cell without 月
    elif style == "numerals":
        text = f"{_positional(y, draw)}年{_counting(m, draw)}月"
    elif style == "separated":
        text = f"{y}{draw(st.sampled_from('./-_'))}{_number(m, draw)}"
    else:
        text = f"{y}{m:02d}"
    return _dressed(text, draw), day


def _latest_year_ending_in(two_digits: int, pivot: int) -> int:
    return next(year for year in range(pivot, pivot - 100, -1) if year % 100 == two_digits)


@given(written_dates())
@PARSER
@example(("二〇〇〇年元月一日", dt.date(2000, 1, 1)))
@example(("20000101", dt.date(2000, 1, 1)))  # parse_year read no year in a date written in digits
@example(("一九九〇年三月七日", dt.date(1990, 3, 7)))
@example(("2099年12月31号", dt.date(2099, 12, 31)))
def test_a_written_date_reads_back(case: tuple[str, dt.date]) -> None:
    text, day = case
    assert parse_date(text) == day
    assert parse_year_month(text) == f"{day.year:04d}-{day.month:02d}"
    assert parse_year(text) == day.year


@given(written_months())
@PARSER
@example(("200001", dt.date(2000, 1, 1)))  # parse_year read no year in a month written in digits
def test_a_written_month_reads_back_and_states_no_day(case: tuple[str, dt.date]) -> None:
    text, day = case
    assert parse_year_month(text) == f"{day.year:04d}-{day.month:02d}"
    assert parse_year(text) == day.year
    assert parse_date(text) is None


@given(
    dates, st.integers(2000, MAX_YEAR), st.sampled_from(("{yy}年{m}月{d}日", "{yy}.{m}.{d}", "{yy}-{m:02d}-{d:02d}"))
)
@PARSER
def test_a_two_digit_year_is_the_latest_not_after_the_pivot(day: dt.date, pivot: int, style: str) -> None:
    year = _latest_year_ending_in(day.year % 100, pivot)
    assume(day.day <= calendar.monthrange(year, day.month)[1])  # 29 February of a leap year only
    text = style.format(yy=f"{day.year % 100:02d}", m=day.month, d=day.day)
    assert expand_two_digit_year(day.year % 100, pivot) == year
    assert parse_date(text, pivot_year=pivot) == day.replace(year=year)
    assert parse_year_month(text, pivot_year=pivot) == f"{year:04d}-{day.month:02d}"


@given(st.integers(MIN_YEAR, MAX_YEAR), st.integers(1, 12), st.integers(29, 31), st.sampled_from("年./-"))
@PARSER
def test_a_day_that_does_not_exist_is_never_read(year: int, month: int, day: int, style: str) -> None:
    if day <= calendar.monthrange(year, month)[1]:
        return
    text = f"{year}年{month}月{day}日" if style == "年" else f"{year}{style}{month:02d}{style}{day:02d}"
    assert parse_date(text) is None
    assert parse_year_month(text) is None


@given(st.integers(MIN_YEAR, MAX_YEAR), st.integers(13, 99), st.sampled_from(("{y}年{m}月", "{y}.{m}", "{y}/{m}")))
@PARSER
def test_a_month_that_does_not_exist_is_never_read(year: int, month: int, style: str) -> None:
    assert parse_year_month(style.format(y=year, m=month)) is None


@given(st.integers(1, 99))
@PARSER
def test_a_counting_numeral_reads_back(number: int) -> None:
    assert chinese_numeral_value(_chinese_number(number)) == number


@st.composite
def numerals(draw: st.DrawFn, low: int, high: int, write: Callable[[int, st.DrawFn], str]) -> tuple[str, int]:
    """(a number in ``low`` … ``high`` written by ``write``, the number)."""
    number = draw(st.integers(low, high))
    return write(number, draw), number


@given(numerals(1, 39, _counting))
@PARSER
def test_a_day_numeral_reads_back_in_either_form(case: tuple[str, int]) -> None:
    numeral, number = case
    assert chinese_numeral_value(numeral) == number


@given(numerals(MIN_YEAR, MAX_YEAR, _positional))
@PARSER
def test_a_positional_year_reads_back(case: tuple[str, int]) -> None:
    numeral, year = case
    assert chinese_numeral_value(numeral) == year


@given(form_text, st.none() | st.integers(MIN_YEAR, MAX_YEAR))
@PARSER
@example("１９７９年５月２４日", None)
@example("二O一九年十二月廿四日", None)
@example("十十月", None)
@example("0年0月0日", 2000)
def test_any_text_gives_none_or_a_real_date(text: str, pivot: int | None) -> None:
    day = parse_date(text, pivot_year=pivot)
    month = parse_year_month(text, pivot_year=pivot)
    year = parse_year(text, pivot_year=pivot)
    if day is not None:
        assert MIN_YEAR <= day.year <= MAX_YEAR
        assert month == f"{day.year:04d}-{day.month:02d}"
    if month is not None:
        assert re.fullmatch(r"\d{4}-\d{2}", month)
        assert MIN_YEAR <= int(month[:4]) <= MAX_YEAR and 1 <= int(month[5:]) <= 12
    assert year is None or MIN_YEAR <= year <= MAX_YEAR
    value = chinese_numeral_value(text)
    assert value is None or value >= 0
    normalized = normalize_date_text(text)
    assert not re.search(r"\s", normalized)
    chinese_date_numerals(text)


# --- competitions and honours ------------------------------------------------------------------------------

# (how the contest's level is written, the scope it states).
PLACES: tuple[tuple[str, Scope | None], ...] = (
    ("全国", Scope.NATIONAL),
    ("四川省", Scope.PROVINCIAL),
    ("山东省", Scope.PROVINCIAL),
    ("浙江省", Scope.PROVINCIAL),
    ("重庆市", Scope.PROVINCIAL),
    ("全省", Scope.PROVINCIAL),
    ("泸州市", Scope.MUNICIPAL),
    ("聊城市", Scope.MUNICIPAL),
    ("温州市", Scope.MUNICIPAL),
    ("凉山州", Scope.MUNICIPAL),
    ("全市", Scope.MUNICIPAL),
    ("泸州市江阳区", None),
    ("乐清市", None),
)
CLASS_LABELS = {Scope.NATIONAL: "国家", Scope.PROVINCIAL: "省级", Scope.MUNICIPAL: "市级"}
CATEGORY_WORDS = {CompetitionCategory.CLASS1: "一类", CompetitionCategory.CLASS2: "二类"}
CONTESTS = ("职业技能大赛", "职业技能竞赛", "职工职业技能大赛", "技能大赛", "职工技能竞赛")
EVENTS = (
    "焊工",
    "焊接",
    "钳工",
    "电工",
    "车工",
    "数控车工",
    "维修电工",
    "模具工",
    "汽车维修",
    "数控铣工",
    "化学检验工",
)
# (the rank as written, the rank it states); 第N名 and 前N名 are drawn separately.
PRIZES: tuple[tuple[str, int | None], ...] = (
    *(("一等奖", 1), ("二等奖", 2), ("三等奖", 3), ("特等奖", 1)),
    *(("金牌", 1), ("银牌", 2), ("铜牌", 3), ("金奖", 1), ("银奖", 2), ("铜奖", 3)),
    *(("冠军", 1), ("亚军", 2), ("季军", 3), ("优秀奖", None)),
)
COMPETITION_STYLES = (
    "{year}{place}{contest}{label}{event}{rank}",
    "{year}{place}{contest}{label}{event}项目{rank}",
    "{year}荣获{place}{contest}{label}{event}比赛{rank}",
    "{year}{place}{contest}{label}{event}决赛{rank}",
    "在{year}{place}{contest}{label}中获{event}项目{rank}",
)


@st.composite
def ranks(draw: st.DrawFn) -> tuple[str, int | None]:
    kind = draw(st.sampled_from(("place", "top", "prize")))
    if kind == "prize":
        return draw(st.sampled_from(PRIZES))
    number = draw(st.integers(1, 99) if kind == "place" else st.integers(3, 10))
    written = str(number) if draw(st.booleans()) else _chinese_number(number)
    return ("第" if kind == "place" else "前") + written + "名", number


@st.composite
def written_competitions(draw: st.DrawFn) -> tuple[str, tuple[int | None, Scope | None, object, str, int | None]]:
    """(a result written from its parts, (year, scope, category, event, rank) it states)."""
    year = draw(st.none() | st.integers(2000, 2024))
    year_text = "" if year is None else draw(st.sampled_from((f"{year}年", f"{year}年度", f"{year}.05 ")))
    place, scope = draw(st.sampled_from(PLACES))
    category = None
    label = ""
    if scope is not None and draw(st.booleans()):
        category = draw(st.sampled_from(CompetitionCategory))
        label = f"（{CLASS_LABELS[scope]}{CATEGORY_WORDS[category]}）"
    event = draw(st.sampled_from(EVENTS))
    rank, value = draw(ranks())
    style = draw(st.sampled_from(COMPETITION_STYLES))
    text = style.format(
        year=year_text, place=place, contest=draw(st.sampled_from(CONTESTS)), label=label, event=event, rank=rank
    )
    return text, (year, scope, category, event, value)


@given(written_competitions())
@SPACY
def test_a_competition_written_from_its_parts_reads_back(
    case: tuple[str, tuple[int | None, Scope | None, object, str, int | None]],
) -> None:
    text, parts = case
    competitions = parse_competitions(text)
    assert [(c.year, c.scope, c.category, c.event, c.rank) for c in competitions] == [parts]
    assert competitions[0].raw == text


@given(st.lists(written_competitions(), min_size=1, max_size=4), st.sampled_from(("\n", "；", "。", "；\n")))
@SPACY
def test_numbered_entries_of_a_section_read_back_in_order(
    cases: list[tuple[str, tuple[int | None, Scope | None, object, str, int | None]]], separator: str
) -> None:
    section = "获奖情况：\n" + separator.join(f"{index}、{text}" for index, (text, _parts) in enumerate(cases, 1))
    competitions = parse_competitions(section)
    assert [(c.year, c.scope, c.category, c.event, c.rank) for c in competitions] == [parts for _t, parts in cases]
    assert [competition.raw for competition in competitions] == [text for text, _parts in cases]


HONOR_PLACES = ("四川省", "泸州市", "全国", "温州市", "浙江省", "山东省", "重庆市")
HONOR_CORES = ("技术能手", "劳动模范", "五一劳动奖章", "首席技师", "突出贡献技师", "岗位能手")
HONOR_STYLES = (
    "{year}荣获{title}称号",
    "{year}被授予“{title}”荣誉称号",
    "{year}被评为{title}",
    "{year}获得“{title}”",
    "{title}（{year}）",
    "{year}{title}",
)


@given(
    st.none() | st.integers(1990, 2024),
    st.sampled_from(HONOR_PLACES),
    st.sampled_from(HONOR_CORES),
    st.sampled_from(HONOR_STYLES),
)
@SPACY
def test_an_honour_written_from_its_parts_reads_back(year: int | None, place: str, core: str, style: str) -> None:
    year_text = "" if year is None else f"{year}年"
    text = style.format(year=year_text, title=place + core).replace("（）", "")
    assert [(honor.title, honor.year) for honor in parse_honors(text)] == [(place + core, year)]


# Fragments of the sections, to be strung together with anything else.
SECTION_WORDS = (
    *("2016年", "二〇一六年", "16年", "2016.05", "第45届", "第二届", "1、", "（2）", "③", "•", "；", "。", "\n", "，"),
    *("全国", "四川省", "泸州市", "省级", "市级", "国家一类", "省级二类", "一类", "II类", "江阳区", "公司"),
    *("职业技能大赛", "竞赛", "选拔赛", "技术比武", "世界技能大赛", "焊工", "项目", "决赛", "组", "个人", "团体"),
    *("第一名", "第12名", "前三名", "第", "名", "一等奖", "金牌", "冠军", "优秀奖", "荣获", "被授予", "称号"),
    *("技术能手", "劳动模范", "工匠", "专家", "“", "”", "（", "）", "(", ")", " ", "\t", "\x00", "Ｉ", "１"),
)
section_text = st.lists(st.sampled_from(SECTION_WORDS) | st.text(max_size=3), max_size=25).map("".join)


@given(section_text | form_text)
@SPACY
@example("省 I 类竞赛第一名")
@example(",\xa00")  # split_entries left the space after a stripped comma
@example("2016年焊工第一名；\u30002017年钳工第二名")
@example("第0名 第100名 前零名")
def test_any_section_gives_well_formed_entries_results_and_honours(text: str) -> None:
    entries = split_entries(text)
    for entry in entries:
        assert entry and entry == entry.strip()
        assert not re.search(r"[；;。]", entry)
    competitions: list[Competition] = parse_competitions(text)
    for competition in competitions:
        assert competition.raw in entries
        assert competition.rank is None or 1 <= competition.rank <= 99
        assert competition.year is None or MIN_YEAR <= competition.year <= MAX_YEAR
        assert competition.event is None or competition.event.strip()
    for honor in parse_honors(text):
        assert honor.raw in entries and honor.title.strip()
        assert honor.year is None or MIN_YEAR <= honor.year <= MAX_YEAR
