"""Exports of reviewed records: each notice's own summary table (XLSX, CSV) and a JSON list.

Pure functions: records in, bytes out; no web framework, no database. A
table's columns and title are data in the profile (``summary_table``), so a new
notice needs no code here.

The text in the tables was read by OCR from documents the applicants supplied,
so it is untrusted: spreadsheet cells that a spreadsheet program would run as a
formula are neutralised (OWASP "CSV Injection"), and every XLSX cell is written
as text, so an 18-digit ID number is never turned into a rounded number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.dates import age_on, month_span
from models.idnumber import ID_BODY_LENGTH, id_check_digit
from models.profile import Profile, SummaryColumn, SummaryColumnSource, load_profiles
from models.report import APPLICANT_FIELDS
from review.records import VERDICT_LABELS, ReviewedRecord

__all__ = [
    "UNMATCHED_COLUMNS",
    "UNMATCHED_TITLE",
    "Table",
    "neutralize",
    "record_json",
    "summary_table",
    "summary_tables",
    "table_title",
    "to_csv",
    "to_json",
    "to_xlsx",
]

Table = tuple[str, list[str], list[list[str]]]
"""(title, headers, rows) of one exported table; the title names the XLSX sheet."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""First characters that make a spreadsheet program read a cell as a formula (OWASP's list), and the full-width
forms of the four signs, which Chinese text and input methods produce and some spreadsheet programs accept too."""
QUOTE_PREFIX = "'"

LINE_SEPARATOR = "\n"
"""Between the competition results (or honours) of one cell: one per line, as a reviewer reads them."""
QUALIFICATION_SEPARATOR = " "
"""Between the level and the date in a 现职业资格及取得时间 cell: 高级技师 2015-06."""
VERDICT_NOTE_SEPARATOR = "："
AGE_EITHER = "{}或{}"
"""An age known only to within a year: 出生年月 without the day, in the reference date's month."""

UNMATCHED_TITLE = "未识别通知的申报人员"
"""Title of the table of records whose notice was not recognised (their report's profile is null or unknown)."""
UNMATCHED_COLUMNS: tuple[SummaryColumn, ...] = tuple(
    SummaryColumn(header=header, source=SummaryColumnSource(source))
    for header, source in (
        ("序号", "serial"),
        ("姓名", "name"),
        ("性别", "gender"),
        ("出生年月", "birth_month"),
        ("身份证号码", "id_number"),
        ("民族", "ethnicity"),
        ("政治面貌", "political_status"),
        ("文化程度", "education"),
        ("参加工作时间", "work_start"),
        ("工作单位", "employer"),
        ("职业（工种）", "occupation"),
        ("职业资格等级", "qualification_level"),
        ("取得时间", "qualification_date"),
        ("联系电话", "phone"),
        ("推荐单位", "recommending_unit"),
        ("技能竞赛获奖情况", "competitions"),
        ("获得荣誉情况", "honors"),
        ("审核结果", "verdict"),
        ("备注", "remarks"),
    )
)
"""Columns for records of no known notice: every field the report carries, under its usual label."""

# XLSX layout.
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_RESERVED = "history"  # Excel keeps this name for its change-tracking sheet
TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3
TEXT_FORMAT = "@"
MIN_COLUMN_WIDTH = 6
MAX_COLUMN_WIDTH = 50
COLUMN_PADDING = 2
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin")
CELL_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_ALIGNMENT = Alignment(horizontal="center", vertical="center")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
CELL_ALIGNMENT = Alignment(vertical="top", wrap_text=True)


def neutralize(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: a quote before a leading formula character, as OWASP advises."""
    return QUOTE_PREFIX + text if text.startswith(FORMULA_PREFIXES) else text


def table_title(profile: Profile) -> str:
    """The title of the profile's summary table as printed, or the notice's name where it prints none."""
    return profile.summary_table_title or profile.notice


def summary_table(profile: Profile, records: Sequence[ReviewedRecord]) -> tuple[list[str], list[list[str]]]:
    """The records as rows of the notice's own summary table, values as reviewed (corrections win).

    Args:
        profile: The notice whose table is written (its ``summary_table`` columns and ``reference_date``).
        records: The records, in the order their rows are numbered (序号 / 推荐排序).

    Returns:
        The headers, and one row of text per record ("" where there is no value); not yet neutralised for a
        spreadsheet, which :func:`to_csv` and :func:`to_xlsx` do.
    """
    return _table(profile.summary_table, profile.reference_date, records)


def summary_tables(records: Sequence[ReviewedRecord], profiles: Mapping[str, Profile] | None = None) -> list[Table]:
    """The records grouped by notice, each group as its notice's summary table, ready for :func:`to_xlsx`.

    Tables come in the order their notices first appear in ``records``, rows in the records' order. Records of no
    known profile are not dropped: they make a last table, :data:`UNMATCHED_TITLE`, with every field.

    Args:
        records: The records to export.
        profiles: Profiles by id; the shipped ones by default.
    """
    known = load_profiles() if profiles is None else profiles
    groups: dict[str, list[ReviewedRecord]] = {}
    unmatched: list[ReviewedRecord] = []
    for record in records:
        if record.profile is not None and record.profile in known:
            groups.setdefault(record.profile, []).append(record)
        else:
            unmatched.append(record)
    tables: list[Table] = []
    for profile_id, group in groups.items():
        profile = known[profile_id]
        tables.append((table_title(profile), *summary_table(profile, group)))
    if unmatched:
        tables.append((UNMATCHED_TITLE, *_table(UNMATCHED_COLUMNS, None, unmatched)))
    return tables


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """One table as CSV: UTF-8 with a BOM (so Excel reads the Chinese right), CRLF line ends, cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralize(header) for header in headers])
    writer.writerows([neutralize(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """The tables as one workbook, one sheet each: a title row, a bold frozen header row, then the rows.

    Every cell is a text cell with the text number format, so ID numbers, dates and phone numbers stay exactly as
    read; cells are neutralised like the CSV's.

    Args:
        tables: ``(title, headers, rows)`` per sheet; the title is written above the table and, made valid for
            Excel (at most 31 characters, none of ``[]:*?/\\``, unique), names the sheet.
    """
    workbook = Workbook()
    placeholder = workbook.active
    used: set[str] = set()
    for title, headers, rows in tables:
        _write_sheet(workbook.create_sheet(_sheet_name(title, used)), title, headers, rows)
    if tables and placeholder is not None:
        # A workbook must hold a sheet; the default one is only kept when there is nothing else.
        workbook.remove(placeholder)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def record_json(record: ReviewedRecord) -> dict[str, Any]:
    """One record as the JSON export writes it: every applicant field as reviewed and as read, and the verdict."""
    fields: dict[str, dict[str, Any]] = {}
    for key in APPLICANT_FIELDS:
        correction = record.corrections.get(key)
        fields[key] = {
            "value": record.value(key),
            "original": record.original(key),
            "corrected": correction is not None,
            "reason": None if correction is None else correction.reason,
            "corrected_by": None if correction is None else correction.actor,
            "corrected_at": None if correction is None else correction.at.isoformat(),
        }
    applicant = record.report.applicant
    return {
        "packet_id": record.packet_id,
        "source": record.source,
        "profile": record.profile,
        "verdict": None if record.verdict is None else record.verdict.value,
        "verdict_label": None if record.verdict is None else VERDICT_LABELS[record.verdict],
        "verdict_note": record.verdict_note,
        "fields": fields,
        "competitions": [competition.model_dump(mode="json") for competition in applicant.competitions],
        "honors": [honor.model_dump(mode="json") for honor in applicant.honors],
    }


def to_json(records: Sequence[ReviewedRecord]) -> bytes:
    """The records as a JSON list (see :func:`record_json`), UTF-8 with the Chinese written as-is."""
    return json.dumps([record_json(record) for record in records], ensure_ascii=False, indent=2).encode("utf-8")


# --- cell values -------------------------------------------------------------------------------------------------


def _table(
    columns: Sequence[SummaryColumn], reference: dt.date | None, records: Sequence[ReviewedRecord]
) -> tuple[list[str], list[list[str]]]:
    headers = [column.header for column in columns]
    rows = [
        [_cell(column.source, record, serial, reference) for column in columns]
        for serial, record in enumerate(records, start=1)
    ]
    return headers, rows


def _cell(source: SummaryColumnSource, record: ReviewedRecord, serial: int, reference: dt.date | None) -> str:
    """The text of one cell; "" where there is nothing to write."""
    if source.value in APPLICANT_FIELDS:
        return record.value(source.value) or ""
    match source:
        case SummaryColumnSource.SERIAL:
            return str(serial)
        case SummaryColumnSource.AGE:
            return _age(record, reference)
        case SummaryColumnSource.QUALIFICATION:
            parts = (record.value("qualification_level"), record.value("qualification_date"))
            return QUALIFICATION_SEPARATOR.join(part for part in parts if part)
        case SummaryColumnSource.COMPETITIONS:
            return _lines(_competition_lines(record))
        case SummaryColumnSource.HONORS:
            return _lines(_honor_lines(record))
        case SummaryColumnSource.COMPETITIONS_AND_HONORS:
            return _lines([*_competition_lines(record), *_honor_lines(record)])
        case SummaryColumnSource.VERDICT:
            return _verdict(record)
        case SummaryColumnSource.REMARKS | SummaryColumnSource.BLANK:
            return ""
    raise ValueError(f"no cell value is defined for summary column source {source!r}")


def _competition_lines(record: ReviewedRecord) -> list[str]:
    return [competition.raw.strip() for competition in record.report.applicant.competitions]


def _honor_lines(record: ReviewedRecord) -> list[str]:
    # The sentence as read says when and by whom; the bare title is all there is when no sentence was kept.
    return [(honor.raw.strip() or honor.title) for honor in record.report.applicant.honors]


def _lines(lines: Sequence[str]) -> str:
    """One per line, in order, each once (the form and the 事迹材料 often state the same result)."""
    return LINE_SEPARATOR.join(dict.fromkeys(line for line in lines if line))


def _verdict(record: ReviewedRecord) -> str:
    if record.verdict is None:
        return ""
    label = VERDICT_LABELS[record.verdict]
    return f"{label}{VERDICT_NOTE_SEPARATOR}{record.verdict_note}" if record.verdict_note else label


def _age(record: ReviewedRecord, reference: dt.date | None) -> str:
    """Full years on the reference date: from the ID number's birth date, else from 出生年月 (maybe "44或45")."""
    if reference is None:
        return ""
    birth = _id_birth_date(record.value("id_number"))
    span = (birth, birth) if birth is not None else month_span(record.value("birth_month"))
    if span is None:
        return ""
    earliest, latest = span
    oldest, youngest = age_on(earliest, reference), age_on(latest, reference)
    if youngest < 0:
        return ""  # born after the reference date: a misread, not an age
    return str(oldest) if oldest == youngest else AGE_EITHER.format(youngest, oldest)


LEGACY_ID_LENGTH = 15
"""First-generation ID numbers: 15 digits, a two-digit year of the 1900s, no check character."""


def _id_birth_date(number: str | None) -> dt.date | None:
    """The birth date an ID number states, when the number is well formed (check character included)."""
    if not number:
        return None
    number = number.strip().upper()
    if len(number) == ID_BODY_LENGTH + 1:
        body = number[:ID_BODY_LENGTH]
        if not (body.isascii() and body.isdigit()) or id_check_digit(body) != number[-1]:
            return None
        year, month, day = number[6:10], number[10:12], number[12:14]
    elif len(number) == LEGACY_ID_LENGTH and number.isascii() and number.isdigit():
        year, month, day = "19" + number[6:8], number[8:10], number[10:12]
    else:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


# --- XLSX ----------------------------------------------------------------------------------------------------------


def _sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts, made from ``title`` and unique (case-insensitively) among ``used``."""
    base = SHEET_NAME_FORBIDDEN.sub("_", ILLEGAL_CHARACTERS_RE.sub("", title)).strip().strip("'").strip()
    base = base[:SHEET_NAME_MAX] or "Sheet"
    if base.lower() == SHEET_NAME_RESERVED:
        base += "_"
    name, number = base, 1
    while name.lower() in used:
        number += 1
        suffix = f"({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    used.add(name.lower())
    return name


def _xlsx_text(text: str) -> str:
    # Control characters (a stray one from OCR) are not allowed in a worksheet; they carry nothing readable.
    return neutralize(ILLEGAL_CHARACTERS_RE.sub("", text))


def _write_sheet(sheet: Worksheet, title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    width = max(len(headers), 1)
    title_cell = _text_cell(sheet, TITLE_ROW, 1, title)
    title_cell.font = TITLE_FONT
    title_cell.alignment = TITLE_ALIGNMENT
    if width > 1:
        sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=width)
    for column, header in enumerate(headers, start=1):
        cell = _text_cell(sheet, HEADER_ROW, column, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = CELL_BORDER
        cell.alignment = HEADER_ALIGNMENT
    for row_number, row in enumerate(rows, start=FIRST_DATA_ROW):
        for column, text in enumerate(row, start=1):
            cell = _text_cell(sheet, row_number, column, text)
            cell.border = CELL_BORDER
            cell.alignment = CELL_ALIGNMENT
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"  # the title and header rows stay in view
    if headers:
        last = get_column_letter(len(headers))
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(rows)}"
    sheet.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    for column, header in enumerate(headers, start=1):
        texts = [header, *(row[column - 1] for row in rows if column <= len(row))]
        sheet.column_dimensions[get_column_letter(column)].width = _column_width(texts)


def _text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """Write ``text`` as a text cell: never a formula, an error code (#N/A) or a number."""
    cell = sheet.cell(row=row, column=column)
    if not isinstance(cell, Cell):
        raise TypeError(f"cell {cell.coordinate} lies inside a merged range and cannot be written")
    cell.value = _xlsx_text(text)
    cell.data_type = "s"  # openpyxl would store "#N/A" and the like as error cells
    cell.number_format = TEXT_FORMAT
    return cell


def _column_width(texts: Sequence[str]) -> float:
    """A width (in Excel's character units) that shows the longest line, within bounds; wide characters count 2."""
    longest = max((_display_width(line) for text in texts for line in text.split(LINE_SEPARATOR)), default=0)
    return float(min(max(longest + COLUMN_PADDING, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH))


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)
