"""The pydantic records carry the report contract of REPORT_FORMAT.md, key for key."""

from __future__ import annotations

import json
import re

import pytest

from models import (
    Applicant,
    Competition,
    CompetitionCategory,
    CrossPageSeal,
    DocType,
    Field,
    Finding,
    FindingCode,
    Honor,
    PacketReport,
    PacketStatus,
    Page,
    Scope,
    Seal,
    SealColor,
    SealShape,
    Severity,
    StageError,
    load_profiles,
)
from tests import contract
from tests.conftest import shared_path

SHA = "a" * 64


def full_report() -> PacketReport:
    """A report with one of everything, so every nested key is exercised."""
    field = Field(value="王建国", confidence=0.98, page=1, bbox=[10, 20, 110, 60], raw="王 建 国")
    applicant = Applicant(
        name=field,
        competitions=[
            Competition(
                year=2016,
                scope=Scope.PROVINCIAL,
                category=CompetitionCategory.CLASS1,
                event="焊接",
                rank=1,
                raw="2016年四川省职业技能竞赛焊接项目第一名",
            )
        ],
        honors=[Honor(title="四川省技术能手", year=2017, raw="2017年获四川省技术能手")],
    )
    return PacketReport(
        packet_id=SHA,
        source="王建国.pdf",
        profile="luzhou-2019",
        status=PacketStatus.PARTIAL,
        errors=[StageError(stage="ocr", page=2, message="页面无法识别")],
        pages=[Page(index=0, doc_type=DocType.APPLICATION_FORM, width=1654, height=2339, rotation=0, ocr_engine="x")],
        applicant=applicant,
        summary_rows=[applicant],
        seals=[
            Seal(
                page=0,
                bbox=[1, 2, 3, 4],
                shape=SealShape.ROUND,
                color=SealColor.RED,
                text="泸州北方化学工业有限公司",
                partial=False,
                edge=None,
                confidence=0.9,
            )
        ],
        cross_page_seals=[CrossPageSeal(pages=[0, 1], edge=None, complete=True, missing_pages=[], confidence=0.8)],
        findings=[
            Finding(
                code=FindingCode.GENDER_MISMATCH,
                severity=Severity.ERROR,
                field="gender",
                message="性别与身份证号不符。",
                pages=[0],
                evidence={"form": "女", "id_number": "男"},
            )
        ],
        timings={"render": 0.5, "total": 1.5},
    )


def test_a_full_report_has_every_contract_key() -> None:
    data = json.loads(full_report().to_json())
    assert contract.missing_keys(data) == []
    assert set(contract.TOP_LEVEL) <= set(data)


def test_an_empty_report_still_has_every_key_with_null_or_empty() -> None:
    report = PacketReport(packet_id=SHA, source="x.pdf", profile=None, status=PacketStatus.FAILED)
    data = json.loads(report.to_json())
    assert contract.missing_keys(data) == []
    assert data["applicant"]["name"] is None
    assert data["summary_rows"] == [] and data["findings"] == []
    assert data["profile"] is None
    assert data["schema_version"] == "1"


def test_chinese_is_written_as_is_and_round_trips() -> None:
    report = full_report()
    text = report.to_json()
    assert "王建国" in text and "\\u" not in text
    assert PacketReport.from_json(text) == report


def test_enums_match_the_contract() -> None:
    assert sorted(d.value for d in DocType) == sorted(contract.DOC_TYPES)
    assert sorted(c.value for c in FindingCode) == sorted(contract.FINDING_CODES)
    assert sorted(load_profiles()) == sorted(contract.PROFILES)


def test_records_refuse_unknown_keys_and_bad_values() -> None:
    with pytest.raises(ValueError, match="extra"):
        Field.model_validate({"value": "x", "confidence": 1, "page": 0, "bbox": None, "raw": "x", "oops": 1})
    with pytest.raises(ValueError, match="confidence"):
        Field(value="x", confidence=1.5, page=0, bbox=None, raw="x")
    with pytest.raises(ValueError, match="packet_id"):
        PacketReport(packet_id="not-a-hash", source="x", profile=None, status=PacketStatus.OK)


def _backticked(line: str) -> list[str]:
    return re.findall(r"`([^`]+)`", line)


def test_the_contract_list_matches_report_format_md() -> None:
    """Parse REPORT_FORMAT.md itself, so the written-out key list cannot drift from the document."""
    text = shared_path("REPORT_FORMAT.md").read_text(encoding="utf-8")
    top = text.split("## Top level")[1].split("##")[0]
    top_keys = [_backticked(line)[0] for line in top.splitlines() if line.startswith("| `")]
    assert top_keys == contract.TOP_LEVEL

    def braces(after: str) -> list[str]:
        match = re.search(r"`\{([^}]+)\}`", text.split(after)[1])
        assert match, after
        return [key.strip() for key in match.group(1).split(",")]

    assert braces("## `pages[]`") == contract.PAGE
    assert braces("Each field is a *field object*") == contract.FIELD
    assert braces("## `seals[]`") == contract.SEAL
    assert braces("## `cross_page_seals[]`") == contract.CROSS_PAGE_SEAL
    assert braces("## `findings[]`") == contract.FINDING
    assert braces("`competitions`:") == contract.COMPETITION
    assert braces("`honors`:") == contract.HONOR
    assert braces("| `errors` |") == contract.ERROR

    applicant = text.split("## `applicant` and each summary row")[1].split("The applicant object also")[0]
    keys = [_backticked(line)[0] for line in applicant.splitlines() if line.startswith("| `")]
    assert keys == contract.APPLICANT_FIELDS

    codes = text.split("The codes:")[1]
    assert [_backticked(line)[0] for line in codes.splitlines() if line.startswith("| `")] == contract.FINDING_CODES
    profiles = text.split("## Profiles")[1].split("##")[0]
    assert [_backticked(line)[0] for line in profiles.splitlines() if line.startswith("| `")] == contract.PROFILES
    doc_types = re.findall(r"`([a-z_]+)`", text.split("`doc_type` is one of:")[1].split("## ")[0])
    assert doc_types == contract.DOC_TYPES
