"""The value parsers: ID numbers (against the shared GB 11643 vectors), dates and the simple form fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from extractors.parsers import (
    normalize_education,
    normalize_ethnicity,
    normalize_name,
    normalize_political_status,
    normalize_text_value,
    parse_date,
    parse_gender,
    parse_id_number,
    parse_phone,
    parse_qualification_level,
    parse_year,
    parse_year_month,
)
from extractors.parsers.dates import chinese_numeral_value, expand_two_digit_year
from extractors.parsers.values import ETHNIC_GROUPS
from models.idnumber import id_check_digit
from models.report import QualificationLevel
from tests.conftest import shared_path

# --- ID numbers: the shared vectors ------------------------------------------------------------------------


@dataclass(frozen=True)
class Vector:
    """One line of ``shared/realdata/ids/idnumbers.txt`` and what this project expects of it.

    How the file's outcomes are read (see ``extractors/parsers/idnumber.py``):

    * ``VALID …`` (residence permits 81/82/83, the foreign permanent-residence 9x number, abandoned
      county codes, lower-case ``x``) -> valid.
    * ``INVALID strict / VALID non-strict`` and ``get_birth_place fails`` rows are checksum-, date- and
      province-valid numbers whose six-digit county code the region table does not list for the birth
      year: valid, with ``region_known`` False (a table gap must not accuse an applicant).
    * ``INVALID in strict-case mode, VALID case-insensitive``: lower-case ``x`` is normalised -> valid.
    * ``(age test)`` rows are listed by the file's own checksum notes as failing the check digit -> invalid.
    * ``A -> B`` rows: a 15-digit number whose 18-digit upgrade is ``B``.
    * Any other ``INVALID`` -> invalid; an ``INVALID:length`` number shorter than 15 gives no candidate.
    """

    line: str
    number: str
    valid: bool
    upgrade: str | None
    region_gap: bool
    birth: dt.date | None
    sex: str | None


_SEX = {"M": "男", "F": "女"}


def _vector(line: str) -> Vector | None:
    columns = [column.strip() for column in line.split("|")]
    if len(columns) < 2 or line.startswith("#"):
        return None
    number_column, expected = columns[0], columns[1]
    number_column = re.sub(r"^\([^)]*\)\s*", "", number_column)
    upgrade: str | None = None
    if "->" in number_column:
        number, upgrade = (part.strip() for part in number_column.split("->"))
    else:
        number = number_column
    region_gap = expected.startswith(("INVALID strict / VALID non-strict", "get_birth_place fails"))
    if expected.startswith("(age test)"):
        valid = False
    elif upgrade is not None or region_gap or "VALID case-insensitive" in expected:
        valid = True
    else:
        valid = expected.startswith("VALID")
    birth_text = columns[2] if len(columns) > 2 else "-"
    birth = dt.date.fromisoformat(birth_text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", birth_text) else None
    sex_text = columns[3][:1] if len(columns) > 3 else "-"
    return Vector(line, number, valid, upgrade, region_gap, birth, _SEX.get(sex_text))


def _vectors_file() -> Path:
    return shared_path("realdata", "ids", "idnumbers.txt")


def _vectors() -> list[Vector]:
    lines = _vectors_file().read_text(encoding="utf-8").splitlines()
    return [vector for vector in map(_vector, lines) if vector is not None]


def test_the_vector_file_reads_as_expected() -> None:
    vectors = _vectors()
    assert len(vectors) >= 45
    assert sum(vector.valid for vector in vectors) >= 25
    assert sum(not vector.valid for vector in vectors) >= 15
    assert any(vector.upgrade for vector in vectors)
    assert any(vector.region_gap for vector in vectors)


def test_every_vector_gets_its_expected_outcome() -> None:
    for vector in _vectors():
        parsed = parse_id_number(vector.number)
        if not vector.valid:
            assert parsed is None or not parsed.valid, vector.line
            if parsed is None:
                assert len(re.sub(r"\W", "", vector.number)) < 15, vector.line
            continue
        assert parsed is not None and parsed.valid, f"{vector.line} -> {parsed}"
        assert parsed.reason is None
        assert len(parsed.value) == 18 and parsed.value == parsed.value.upper()
        assert id_check_digit(parsed.value[:17]) == parsed.value[-1]
        if vector.upgrade is not None:
            assert parsed.value == vector.upgrade.upper(), vector.line
        if vector.region_gap:
            assert not parsed.region_known, vector.line
        if vector.birth is not None:
            assert parsed.birth_date == vector.birth, vector.line
        if vector.sex is not None:
            assert parsed.sex == vector.sex, vector.line


def test_invalid_vectors_say_why_and_still_give_a_readable_birth_date() -> None:
    for vector in _vectors():
        parsed = parse_id_number(vector.number)
        if vector.valid or parsed is None:
            continue
        assert parsed.reason in {"length", "format", "date", "checksum", "region"}, vector.line
        if vector.birth is not None:
            assert parsed.birth_date == vector.birth, vector.line


def test_the_files_checksum_notes_agree_with_the_check_digit() -> None:
    text = _vectors_file().read_text(encoding="utf-8")
    notes = text[text.index("checksum-OK EXCEPT") : text.index("Checksum-OK but otherwise invalid")]
    failing = set(re.findall(r"\b\d{17}[\dX]\b", notes))
    assert len(failing) >= 6
    numbers = {vector.number.upper() for vector in _vectors() if len(vector.number) == 18}
    for number in numbers:
        if number[:17].isdigit():
            assert (id_check_digit(number[:17]) == number[-1]) == (number not in failing), number


@pytest.mark.parametrize(
    ("reason", "number"),
    [
        ("checksum", "36042619910102009X"),
        ("date", "360426199113010079"),
        ("format", "T60426199101010078"),
        ("region", "990426199112010074"),
        ("date", "440308199902301512"),
        ("date", "201511221897205960"),
    ],
)
def test_reason_for_invalid_numbers(reason: str, number: str) -> None:
    parsed = parse_id_number(number)
    assert parsed is not None and not parsed.valid and parsed.reason == reason


def test_a_region_table_gap_keeps_the_number_valid_with_the_province_as_birth_place() -> None:
    parsed = parse_id_number("500154199301135886")
    assert parsed is not None and parsed.valid and not parsed.region_known
    assert parsed.birth_place == "重庆市"
    known = parse_id_number("360426199101010071")
    assert known is not None and known.region_known and known.birth_place == "江西省德安县"


# --- ID numbers: finding and normalising the token ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("身份证号：110101199003078670", "110101199003078670"),
        ("公民身份号码 1101 0119 9003 0786 70", "110101199003078670"),
        ("110101-19900307-8670", "110101199003078670"),
        ("１１０１０１１９９００３０７８６７０", "110101199003078670"),
        ("44011320141005001x", "44011320141005001X"),
        ("33010219200403064×", "33010219200403064X"),
        ("ID:110101199003078670 Tel:13912345678", "110101199003078670"),
        ("110101199003078670 13912345678", "110101199003078670"),
        ("张三 男 ID110101199003078670", "110101199003078670"),
    ],
)
def test_the_number_is_found_in_its_text(text: str, value: str) -> None:
    parsed = parse_id_number(text)
    assert parsed is not None and parsed.valid and parsed.value == value and not parsed.corrected


def test_raw_keeps_what_was_read() -> None:
    parsed = parse_id_number("身份证：１１０１０１ １９９００３０７８６７０")
    assert parsed is not None and parsed.raw == "１１０１０１ １９９００３０７８６７０"
    lower = parse_id_number("44011320141005001x")
    assert lower is not None and lower.raw == "44011320141005001x" and lower.value.endswith("X")


def test_legacy_15_digit_numbers_are_upgraded() -> None:
    parsed = parse_id_number("610104620927690")
    assert parsed is not None and parsed.valid and parsed.upgraded
    assert parsed.value == "610104196209276908" and parsed.raw == "610104620927690"
    assert parsed.birth_date == dt.date(1962, 9, 27) and parsed.sex == "女"
    bad_date = parse_id_number("610104620932690")
    assert bad_date is not None and not bad_date.valid and bad_date.reason == "date"


@pytest.mark.parametrize("text", ["", "无", "12345678", "44030819990110", "电话 13912345678", "1234567890123456789012"])
def test_no_candidate_gives_none(text: str) -> None:
    assert parse_id_number(text) is None


def test_sixteen_or_seventeen_characters_are_an_invalid_length() -> None:
    parsed = parse_id_number("11010119900307867")
    assert parsed is not None and not parsed.valid and parsed.reason == "length"


def test_ocr_confusions_are_fixed_when_that_makes_the_number_valid() -> None:
    parsed = parse_id_number("11010I199003078670")
    assert parsed is not None and parsed.valid and parsed.corrected
    assert parsed.value == "110101199003078670" and parsed.raw == "11010I199003078670"
    body = "51040219900719001"
    number = body + id_check_digit(body)
    one = number.index("1", 14)
    misread = "S1O402" + number[6:one] + "l" + number[one + 1 :]  # 5 -> S, 0 -> O, 1 -> l
    several = parse_id_number(misread)
    assert several is not None and several.valid and several.corrected
    assert several.value == number and several.raw == misread


def test_a_wrong_check_digit_is_never_corrected() -> None:
    parsed = parse_id_number("110101199003078671")
    assert parsed is not None and not parsed.valid and parsed.reason == "checksum" and not parsed.corrected
    assert parsed.value == "110101199003078671"


def test_a_letter_that_cannot_be_fixed_leaves_the_number_invalid() -> None:
    # O -> 0 gives 110100…, whose check digit does not match: the number stays as read.
    parsed = parse_id_number("11010O199003078670")
    assert parsed is not None and not parsed.valid and not parsed.corrected
    assert parsed.reason == "format" and parsed.value == "11010O199003078670"
    unknown = parse_id_number("11010K199003078670")  # K is no OCR confusion of a digit
    assert unknown is not None and not unknown.valid and not unknown.corrected


def test_a_valid_number_is_never_corrected() -> None:
    parsed = parse_id_number("110101199003078670")
    assert parsed is not None and parsed.valid and not parsed.corrected


# --- dates -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1979年5月", "1979-05"),
        ("1979年05月", "1979-05"),
        ("1979.05", "1979-05"),
        ("1979.5", "1979-05"),
        ("1979-5", "1979-05"),
        ("1979/05", "1979-05"),
        ("197905", "1979-05"),
        ("1979年5月24日", "1979-05"),
        ("1979.05.24", "1979-05"),
        ("79年5月", "1979-05"),
        ("一九七九年五月", "1979-05"),
        ("二〇一九年三月", "2019-03"),
        ("二O一九年十二月", "2019-12"),
        ("１９７９年５月", "1979-05"),
        ("1979 年 5 月", "1979-05"),
        ("出生年月：1979.05", "1979-05"),
        ("1979年05", "1979-05"),
        ("2016.05-2018.07", "2016-05"),
        ("2019年元月", "2019-01"),
        ("79.05", "1979-05"),
        ("1979年13月", None),
        ("1979.00", None),
        ("1979年2月30日", None),
        ("1979年", None),
        ("1979", None),
        ("", None),
        ("至今", None),
        ("0830-1234567", None),
        ("110101199003078670", None),
    ],
)
def test_parse_year_month(text: str, expected: str | None) -> None:
    assert parse_year_month(text) == expected


def test_two_digit_years_follow_the_pivot() -> None:
    assert parse_year_month("05年3月", pivot_year=2019) == "2005-03"
    assert parse_year_month("19年3月", pivot_year=2019) == "2019-03"
    assert parse_year_month("20年3月", pivot_year=2019) == "1920-03"
    assert parse_year_month("79年5月", pivot_year=2019) == "1979-05"
    assert expand_two_digit_year(0, 2000) == 2000
    this_year = dt.date.today().year
    assert expand_two_digit_year(this_year % 100) == this_year
    assert expand_two_digit_year((this_year + 1) % 100) == this_year + 1 - 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1979年5月24日", dt.date(1979, 5, 24)),
        ("1979.05.24", dt.date(1979, 5, 24)),
        ("1979-5-4", dt.date(1979, 5, 4)),
        ("19790524", dt.date(1979, 5, 24)),
        ("一九七九年五月二十四日", dt.date(1979, 5, 24)),
        ("2000年2月29日", dt.date(2000, 2, 29)),
        ("1979年5月", None),
        ("1979年2月29日", None),
        ("1979.05.32", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016年", 2016),
        ("2016.05", 2016),
        ("（2009年）", 2009),
        ("二〇一六年", 2016),
        ("16年", 2016),
        ("2019年第45届", 2019),
        ("第45届", None),
        ("第2016届", None),
        ("从事焊接工作十年", None),
        ("", None),
    ],
)
def test_parse_year(text: str, expected: int | None) -> None:
    assert parse_year(text, pivot_year=2020) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("一九七九", 1979), ("二〇一九", 2019), ("五", 5), ("十", 10), ("十二", 12), ("二十", 20), ("四十五", 45)],
)
def test_chinese_numerals(text: str, expected: int) -> None:
    assert chinese_numeral_value(text) == expected


@pytest.mark.parametrize("text", ["", "十十", "OO", "abc", "一百"])
def test_not_chinese_numerals(text: str) -> None:
    assert chinese_numeral_value(text) is None


# --- simple fields -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("男", "男"),
        ("女", "女"),
        ("男性", "男"),
        ("女性", "女"),
        ("性别：男", "男"),
        ("性 别 女", "女"),
        ("M", "男"),
        ("F", "女"),
        ("Female", "女"),
        ("☑男 □女", "男"),
        ("□男 ☑女", "女"),
        ("男☑ 女□", "男"),
        ("男女", None),
        ("男□ 女□", None),
        ("", None),
        ("未填", None),
    ],
)
def test_parse_gender(text: str, expected: str | None) -> None:
    assert parse_gender(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("手机：139-1234-5678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("0830-1234567", "08301234567"),
        ("(0830)1234567", "08301234567"),
        ("（0830）1234567", "08301234567"),
        ("010-12345678", "01012345678"),
        ("联系电话：0830-2345678 / 13912345678", "08302345678"),
        ("手机 13912345678 座机 0830-2345678", "13912345678"),
        ("1234567", None),
        ("12345678901", None),
        ("0830-12345", None),
        ("139123456789", None),
        ("", None),
    ],
)
def test_parse_phone(text: str, expected: str | None) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", "张三"),
        ("姓名：张 三", "张三"),
        ("姓  名  李四", "李四"),
        ("阿不都•热合曼", "阿不都·热合曼"),
        ("阿不都·热合曼", "阿不都·热合曼"),
        ("  ", None),
        ("姓名：", None),
    ],
)
def test_normalize_name(text: str, expected: str | None) -> None:
    assert normalize_name(text) == expected


LEVELS = QualificationLevel


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("五级", LEVELS.JUNIOR),
        ("初级工", LEVELS.JUNIOR),
        ("初级", LEVELS.JUNIOR),
        ("四级", LEVELS.INTERMEDIATE),
        ("中级工", LEVELS.INTERMEDIATE),
        ("三级", LEVELS.SENIOR),
        ("高级工", LEVELS.SENIOR),
        ("国家职业资格三级（高级工）", LEVELS.SENIOR),
        ("二级", LEVELS.TECHNICIAN),
        ("技师", LEVELS.TECHNICIAN),
        ("二级（技师）", LEVELS.TECHNICIAN),
        ("二级/技师", LEVELS.TECHNICIAN),
        ("国家职业资格二级", LEVELS.TECHNICIAN),
        ("2级", LEVELS.TECHNICIAN),
        ("一级", LEVELS.SENIOR_TECHNICIAN),
        ("高级技师", LEVELS.SENIOR_TECHNICIAN),
        ("一级（高级技师）", LEVELS.SENIOR_TECHNICIAN),
        ("职业资格一级", LEVELS.SENIOR_TECHNICIAN),
        ("1级", LEVELS.SENIOR_TECHNICIAN),
        ("维修电工 高级技师", LEVELS.SENIOR_TECHNICIAN),
        ("特级技师", LEVELS.PRINCIPAL_TECHNICIAN),
        ("二级/高级技师", None),
        ("首席技师", None),
        ("一级建造师", None),
        ("", None),
        ("焊工", None),
    ],
)
def test_parse_qualification_level(text: str, expected: QualificationLevel | None) -> None:
    assert parse_qualification_level(text) == expected


def test_senior_words_are_not_read_as_their_shorter_neighbours() -> None:
    assert parse_qualification_level("高级技师") != LEVELS.TECHNICIAN
    assert parse_qualification_level("高级工") != LEVELS.SENIOR_TECHNICIAN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("汉", "汉族"),
        ("汉族", "汉族"),
        ("民族：回族", "回族"),
        ("苗", "苗族"),
        ("维吾尔", "维吾尔族"),
        ("蒙古", "蒙古族"),
        ("土家族", "土家族"),
        ("汉 族", "汉族"),
        ("火星族", None),
        ("", None),
    ],
)
def test_normalize_ethnicity(text: str, expected: str | None) -> None:
    assert normalize_ethnicity(text) == expected


def test_there_are_56_ethnic_groups() -> None:
    assert len(set(ETHNIC_GROUPS)) == 56
    assert all(group.endswith("族") for group in ETHNIC_GROUPS)


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        (normalize_education, "大 专", "大专"),
        (normalize_education, "学历：本科", "本科"),
        (normalize_education, "文化程度 技校", "技校"),
        (normalize_education, "", None),
        (normalize_political_status, "政治面貌：中共党员", "中共党员"),
        (normalize_political_status, "群众", "群众"),
        (normalize_text_value, "工作单位：泸州老窖股份有限公司", "泸州老窖股份有限公司"),
        (normalize_text_value, "职业（工种）： 焊 工", "焊工"),
        (normalize_text_value, "  ", None),
    ],
)
def test_text_values(function: Callable[[str], str | None], text: str, expected: str | None) -> None:
    assert function(text) == expected
