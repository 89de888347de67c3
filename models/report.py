"""The packet report: the JSON contract of ``shared/REPORT_FORMAT.md`` as pydantic records.

Every key of the contract is declared here, so every report carries it, with
``None`` or an empty list where a later stage has not filled it. Closed sets of
values are ``str`` enums, so they dump as plain strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Any

import pydantic
from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = "1"

BBox = Annotated[
    list[float],
    pydantic.Field(min_length=4, max_length=4, description="[x0, y0, x1, y1] in the page's 200-DPI pixel space"),
]


class Record(BaseModel):
    """Base of every report record: unknown keys are refused, enums dump as strings, numbers are finite.

    JSON has no NaN nor infinity: pydantic would write them as ``null``, which the field then refuses on
    reading, so a report holding one could be written but never read back. They are refused up front.
    """

    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_assignment=True, allow_inf_nan=False)


class PacketStatus(StrEnum):
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


PACKET_STATUS_LABELS: dict[PacketStatus, str] = {
    PacketStatus.OK: "完整",
    PacketStatus.PARTIAL: "部分读取",
    PacketStatus.FAILED: "失败",
}
"""How a reviewer calls each packet status (the reviewer UI)."""


class DocType(StrEnum):
    APPLICATION_FORM = "application_form"
    OVERVIEW_SHEET = "overview_sheet"
    SUMMARY_SHEET = "summary_sheet"
    APPRENTICE_SHEET = "apprentice_sheet"
    DEEDS = "deeds"
    CERTIFICATE = "certificate"
    ID_COPY = "id_copy"
    PLEDGE = "pledge"
    RECOMMENDATION = "recommendation"
    OTHER = "other"


DOC_TYPE_LABELS: dict[DocType, str] = {
    DocType.APPLICATION_FORM: "申报表",
    DocType.OVERVIEW_SHEET: "一览表",
    DocType.SUMMARY_SHEET: "汇总表",
    DocType.APPRENTICE_SHEET: "拟带徒情况汇总表",
    DocType.DEEDS: "事迹材料",
    DocType.CERTIFICATE: "证书复印件",
    DocType.ID_COPY: "身份证复印件",
    DocType.PLEDGE: "承诺书",
    DocType.RECOMMENDATION: "推荐报告",
    DocType.OTHER: "其他材料",
}
"""How a reviewer calls each document type (finding messages, the reviewer UI)."""


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    FRAUD_SUSPECT = "fraud_suspect"


SEVERITY_ORDER: dict[Severity, int] = {
    Severity.FRAUD_SUSPECT: 3,
    Severity.ERROR: 2,
    Severity.WARNING: 1,
    Severity.INFO: 0,
}
"""Severities from least to most serious (the order of findings in a report and of the reviewer queue)."""
SEVERITY_LABELS: dict[Severity, str] = {
    Severity.FRAUD_SUSPECT: "疑似造假",
    Severity.ERROR: "错误",
    Severity.WARNING: "警告",
    Severity.INFO: "提示",
}
"""How a reviewer calls each severity (the reviewer UI)."""


class FindingCode(StrEnum):
    ID_NUMBER_INVALID = "ID_NUMBER_INVALID"
    BIRTH_MISMATCH = "BIRTH_MISMATCH"
    GENDER_MISMATCH = "GENDER_MISMATCH"
    AGE_OVER_LIMIT = "AGE_OVER_LIMIT"
    QUALIFICATION_BELOW_MINIMUM = "QUALIFICATION_BELOW_MINIMUM"
    CRITERIA_NOT_MET = "CRITERIA_NOT_MET"
    SUMMARY_MISMATCH = "SUMMARY_MISMATCH"
    CERTIFICATE_MISMATCH = "CERTIFICATE_MISMATCH"
    MISSING_DOCUMENT = "MISSING_DOCUMENT"
    MISSING_SEAL = "MISSING_SEAL"
    CROSS_PAGE_SEAL_MISSING = "CROSS_PAGE_SEAL_MISSING"
    CROSS_PAGE_SEAL_BROKEN = "CROSS_PAGE_SEAL_BROKEN"
    DUPLICATE_SEAL_IMPRESSION = "DUPLICATE_SEAL_IMPRESSION"
    COPY_NOT_CERTIFIED = "COPY_NOT_CERTIFIED"
    SEAL_OWNER_MISMATCH = "SEAL_OWNER_MISMATCH"
    DUPLICATE_APPLICANT = "DUPLICATE_APPLICANT"
    APPRENTICE_INVALID = "APPRENTICE_INVALID"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"


class Scope(StrEnum):
    WORLD = "world"
    NATIONAL = "national"
    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"


class CompetitionCategory(StrEnum):
    CLASS1 = "class1"
    CLASS2 = "class2"


class QualificationLevel(StrEnum):
    """National vocational qualification levels, lowest first (五级 … 一级, then 特级技师)."""

    JUNIOR = "初级工"
    INTERMEDIATE = "中级工"
    SENIOR = "高级工"
    TECHNICIAN = "技师"
    SENIOR_TECHNICIAN = "高级技师"
    PRINCIPAL_TECHNICIAN = "特级技师"


class SealShape(StrEnum):
    ROUND = "round"
    OVAL = "oval"
    SQUARE = "square"


class SealColor(StrEnum):
    RED = "red"
    OTHER = "other"


class Edge(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    TOP = "top"
    BOTTOM = "bottom"


PACKET_ID_PATTERN = r"^[0-9a-f]{64}$"
"""A packet's id: the SHA-256 of its file's bytes, in lower-case hex."""

CONFIDENT = 0.85
"""Least confidence of a read to be trusted: every read a finding rests on must reach it for the finding to be an
``error`` rather than a ``warning``, and the reviewer app marks a field read below it as unsure."""


class Field(Record):
    """One value read from a page, with where and how surely it was read."""

    value: str | None = pydantic.Field(description="Normalised value (see REPORT_FORMAT.md), null if unreadable")
    confidence: float = pydantic.Field(ge=0.0, le=1.0, description="Confidence in the value, 0..1")
    page: int | None = pydantic.Field(ge=0, description="Index of the page the value was read on")
    bbox: BBox | None = pydantic.Field(description="Where on that page, 200-DPI pixels")
    raw: str | None = pydantic.Field(description="The text as read, before normalisation")


class Competition(Record):
    year: int | None = pydantic.Field(description="Year of the competition")
    scope: Scope | None = pydantic.Field(description="world, national, provincial or municipal")
    category: CompetitionCategory | None = pydantic.Field(description="class1 (一类), class2 (二类) or null")
    event: str | None = pydantic.Field(description="Event or occupation competed in")
    rank: int | None = pydantic.Field(ge=1, description="第一名 = 1, 前三名 = 3")
    raw: str = pydantic.Field(description="The sentence it was read from")


class Honor(Record):
    title: str = pydantic.Field(description="全国技术能手, 中华技能大奖, 省技术能手 …")
    year: int | None = pydantic.Field(description="Year awarded, if stated")
    raw: str = pydantic.Field(description="The sentence it was read from")


class Applicant(Record):
    """The application form's fields; also the shape of one summary-sheet row."""

    name: Field | None = None
    gender: Field | None = None
    birth_month: Field | None = None
    id_number: Field | None = None
    ethnicity: Field | None = None
    political_status: Field | None = None
    education: Field | None = None
    work_start: Field | None = None
    employer: Field | None = None
    occupation: Field | None = None
    qualification_level: Field | None = None
    qualification_date: Field | None = None
    phone: Field | None = None
    recommending_unit: Field | None = None
    competitions: list[Competition] = pydantic.Field(default_factory=list)
    honors: list[Honor] = pydantic.Field(default_factory=list)


APPLICANT_FIELDS: tuple[str, ...] = tuple(
    name for name, info in Applicant.model_fields.items() if name not in ("competitions", "honors")
)
"""The field-object keys of an applicant (and of a summary row), in contract order."""
SUMMARY_ROW_KEYS = ("id_number", "name")
"""The keys that find the applicant's row on a summary sheet, tried in this order."""
FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "gender": "性别",
    "birth_month": "出生年月",
    "id_number": "身份证号码",
    "ethnicity": "民族",
    "political_status": "政治面貌",
    "education": "文化程度",
    "work_start": "参加工作时间",
    "employer": "工作单位",
    "occupation": "职业（工种）",
    "qualification_level": "职业资格等级",
    "qualification_date": "取得资格时间",
    "phone": "联系电话",
    "recommending_unit": "推荐单位",
}
"""How a reviewer calls each applicant field (finding messages, the reviewer UI)."""


def applicant_row(rows: Sequence[Applicant], applicant: Applicant) -> Applicant | None:
    """The summary row of the applicant: the one with the same ID number, or else the same name."""
    for key in SUMMARY_ROW_KEYS:
        wanted: Field | None = getattr(applicant, key)
        if wanted is None or wanted.value is None:
            continue
        for row in rows:
            value: Field | None = getattr(row, key)
            if value is not None and value.value == wanted.value:
                return row
    return None


def applicant_rows_by_sheet(rows: Sequence[Applicant], applicant: Applicant) -> list[Applicant]:
    """The applicant's row on each summary sheet (rows grouped by the page they were read on), in sheet order."""
    sheets: dict[int | None, list[Applicant]] = {}
    for row in rows:
        page = next((item.page for key in APPLICANT_FIELDS if (item := getattr(row, key)) is not None), None)
        sheets.setdefault(page, []).append(row)
    found = (applicant_row(sheet, applicant) for sheet in sheets.values())
    return [row for row in found if row is not None]


class Apprentice(Record):
    """One row of the apprentice sheet (拟带徒情况汇总表)."""

    name: Field | None = None
    age: Field | None = None
    occupation: Field | None = None
    qualification_level: Field | None = None
    position: Field | None = None
    id_number: Field | None = None
    phone: Field | None = None


class CertificateKind(StrEnum):
    QUALIFICATION = "qualification"
    HONOR = "honor"
    AWARD = "award"
    PATENT = "patent"
    ID_CARD = "id_card"
    OTHER = "other"


class Certificate(Record):
    """A certificate copy or an ID-card copy read from the packet."""

    kind: CertificateKind
    page: int = pydantic.Field(ge=0)
    holder: Field | None = None
    gender: Field | None = None
    birth_date: Field | None = None
    id_number: Field | None = None
    occupation: Field | None = None
    qualification_level: Field | None = None
    certificate_number: Field | None = None
    issue_date: Field | None = None
    title: Field | None = None
    certified_copy: bool | None = pydantic.Field(
        default=None, description="与原件一致 written on the copy; null when not a copy or not yet checked"
    )


class Seal(Record):
    page: int = pydantic.Field(ge=0)
    bbox: BBox
    shape: SealShape
    color: SealColor
    text: str | None = pydantic.Field(description="The legend as read, or null")
    partial: bool = pydantic.Field(description="The impression is cut by the page edge")
    edge: Edge | None = pydantic.Field(description="The edge that cuts it")
    confidence: float = pydantic.Field(ge=0.0, le=1.0)


class CrossPageSeal(Record):
    pages: list[int] = pydantic.Field(description="Pages whose edge should carry a slice of one 骑缝章")
    edge: Edge | None
    complete: bool = pydantic.Field(description="The slices join into one whole impression")
    missing_pages: list[int] = pydantic.Field(description="Pages whose slice is absent or does not line up")
    confidence: float = pydantic.Field(ge=0.0, le=1.0)


class Finding(Record):
    code: FindingCode
    severity: Severity
    field: str | None = pydantic.Field(description="The key or doc_type concerned, where the code names one")
    message: str = pydantic.Field(description="One readable sentence in Chinese")
    pages: list[int] = pydantic.Field(default_factory=list)
    evidence: dict[str, Any] = pydantic.Field(default_factory=dict, description="The compared values, pages, bboxes")


class StageError(Record):
    stage: str = pydantic.Field(description="The stage that failed: load, render, ocr, …")
    page: int | None = pydantic.Field(description="The page concerned, or null for the whole packet")
    message: str = pydantic.Field(description="A readable explanation")


class Page(Record):
    index: int = pydantic.Field(ge=0)
    doc_type: DocType = DocType.OTHER
    width: int = pydantic.Field(
        ge=0, description="Pixels at 200 DPI, after rotation; 0 if the page could not be rendered"
    )
    height: int = pydantic.Field(
        ge=0, description="Pixels at 200 DPI, after rotation; 0 if the page could not be rendered"
    )
    rotation: int = pydantic.Field(
        description="Degrees the page was turned clockwise to be upright (0, 90, 180, 270): its PDF /Rotate or "
        "EXIF orientation, plus the turn found from the direction of its text lines"
    )
    ocr_engine: str | None = pydantic.Field(description="The OCR engine that read the page, null if not read")


class PacketReport(Record):
    """The report of one packet: what ``dossier process`` writes as ``<stem>.json``."""

    # Extra keys are allowed by the contract; keep ours explicit all the same.
    model_config = ConfigDict(extra="allow")

    schema_version: str = SCHEMA_VERSION
    packet_id: str = pydantic.Field(pattern=PACKET_ID_PATTERN, description="SHA-256 of the input file's bytes")
    source: str = pydantic.Field(description="Input file name")
    profile: str | None = pydantic.Field(description="The rule set applied, null if none could be detected")
    status: PacketStatus
    errors: list[StageError] = pydantic.Field(default_factory=list)
    pages: list[Page] = pydantic.Field(default_factory=list)
    applicant: Applicant = pydantic.Field(default_factory=Applicant)
    summary_rows: list[Applicant] = pydantic.Field(default_factory=list)
    apprentices: list[Apprentice] = pydantic.Field(default_factory=list)
    certificates: list[Certificate] = pydantic.Field(default_factory=list)
    seals: list[Seal] = pydantic.Field(default_factory=list)
    cross_page_seals: list[CrossPageSeal] = pydantic.Field(default_factory=list)
    findings: list[Finding] = pydantic.Field(default_factory=list)
    timings: dict[str, float] = pydantic.Field(
        default_factory=lambda: {"total": 0.0}, description="Seconds per stage, and total"
    )
    risk: Severity | None = pydantic.Field(
        default=None,
        description="Extra key: the packet's most severe finding, for the reviewer queue; null when none",
    )

    def to_json(self) -> str:
        """The report as the contract's JSON: every key present, Chinese written as-is."""
        return self.model_dump_json(indent=2, exclude_none=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> PacketReport:
        """Load a report written by :meth:`to_json`.

        Args:
            text: the report's JSON, as text or as UTF-8 bytes.

        Returns:
            The report. Every report this returns writes back (:meth:`to_json`) to a JSON that loads again;
            a ``NaN`` or infinite number in a free-form slot (a finding's ``evidence``, an extra key) is
            written as ``null``.

        Raises:
            pydantic.ValidationError: for anything that is not such a report: bytes that are not UTF-8, text
                that is not JSON (a byte-order mark, a lone surrogate, nesting deeper than the JSON parser's
                limit), a ``NaN`` or infinite number (``1e400``) where a record wants a number, or JSON that
                is not a report (a missing or mistyped key, an unknown key inside a record). It is a
                ``ValueError``; no other exception escapes.
        """
        return cls.model_validate_json(text)
