"""Decisions, the queue, masking and evidence regions, on SQLite and PostgreSQL, without a browser."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from extractors.checks import finish_findings
from models.report import Applicant, Finding, FindingCode, PacketReport, PacketStatus, Page, Severity
from pipeline.inbox import Inbox
from pipeline.privacy import mask_text
from pipeline.storage import Store
from pipeline.storage.schema import AuditEntry, Decision
from review import service
from review.evidence import evidence_regions
from review.records import Verdict
from review.service import DecisionError, Judgement, QueueFilter
from tests.factories import read

ID = "512524197503248297"
EMPLOYER = "泸州老窖股份有限公司"


def stored(store: Store, name: str, severity: Severity | None) -> str:
    findings = (
        [Finding(code=FindingCode.SUMMARY_MISMATCH, severity=severity, field="employer", message="不一致。", pages=[0])]
        if severity is not None
        else []
    )
    report = finish_findings(
        PacketReport(
            packet_id=hashlib.sha256(name.encode()).hexdigest(),
            source=f"{name}.pdf",
            profile="luzhou-2019",
            status=PacketStatus.OK,
            pages=[Page(index=0, width=1654, height=2339, rotation=0, ocr_engine="rapidocr")],
            # An ID number of its own: the same one twice would add DUPLICATE_APPLICANT.
            applicant=Applicant(
                name=read(name), id_number=read(f"{ID[:-3]}{ord(name) % 1000:03d}"), employer=read(EMPLOYER)
            ),
            findings=findings,
        )
    )
    store.record(report, file_name=report.source, drop_key=report.source, report_path=None)
    return report.packet_id


@pytest.fixture
def store(db_url: str) -> Store:
    return Store.open(db_url)


def test_the_queue_puts_the_riskiest_first_and_filters_by_verdict(store: Store) -> None:
    clean = stored(store, "甲", None)
    warned = stored(store, "乙", Severity.WARNING)
    fraud = stored(store, "丙", Severity.FRAUD_SUSPECT)
    assert [row.packet_id for row in service.queue(store, QueueFilter()).rows] == [fraud, warned, clean]
    service.set_verdict(store, warned, Verdict.APPROVED, "", "reviewer")
    pending = service.queue(store, QueueFilter(verdict=service.PENDING))
    assert [row.packet_id for row in pending.rows] == [fraud, clean]
    assert pending.by_verdict == {"pending": 2, "approved": 1}
    assert [row.packet_id for row in service.queue(store, QueueFilter(code="SUMMARY_MISMATCH")).rows] == [
        fraud,
        warned,
    ]


def test_a_correction_keeps_the_original_and_the_audit_entry_no_personal_value(store: Store) -> None:
    packet_id = stored(store, "甲", Severity.ERROR)
    service.correct_field(store, packet_id, "employer", "泸州老窖集团有限责任公司", "按原件", "reviewer")
    service.correct_field(store, packet_id, "employer", "泸州老窖集团", "再次核对", "admin")
    review = service.packet_review(store, packet_id)
    assert review is not None
    assert review.record.value("employer") == "泸州老窖集团"
    assert review.record.original("employer") == "泸州老窖股份有限公司"  # the report is unchanged
    assert review.record.corrections["employer"].original == "泸州老窖集团有限责任公司"
    with store.reading() as session:
        decisions = session.query(Decision).filter_by(packet_id=packet_id, kind="field").order_by(Decision.id).all()
        assert [(d.original, d.value, d.actor) for d in decisions] == [
            ("泸州老窖股份有限公司", "泸州老窖集团有限责任公司", "reviewer"),
            ("泸州老窖集团有限责任公司", "泸州老窖集团", "admin"),
        ]
        entries = session.query(AuditEntry).filter_by(action="field.corrected").all()
        assert len(entries) == 2 and all("泸州" not in str(entry.detail) for entry in entries)
    with pytest.raises(DecisionError):
        service.correct_field(store, packet_id, "not_a_field", "x", "", "reviewer")


def test_dismissing_a_finding_or_rejecting_a_packet_needs_a_reason(store: Store) -> None:
    packet_id = stored(store, "甲", Severity.ERROR)
    with pytest.raises(DecisionError):
        service.judge_finding(store, packet_id, 0, Judgement.DISMISSED, "  ", "reviewer")
    with pytest.raises(DecisionError):
        service.judge_finding(store, packet_id, 5, Judgement.ACCEPTED, "", "reviewer")
    with pytest.raises(DecisionError):
        service.set_verdict(store, packet_id, Verdict.REJECTED, "", "reviewer")
    service.judge_finding(store, packet_id, 0, Judgement.DISMISSED, "OCR 误读", "reviewer")
    service.set_verdict(store, packet_id, Verdict.NEEDS_MATERIAL, "缺少证书复印件", "reviewer")
    review = service.packet_review(store, packet_id)
    assert review is not None
    assert review.judgements[0].judgement == Judgement.DISMISSED and review.judgements[0].reason == "OCR 误读"
    assert review.record.verdict == Verdict.NEEDS_MATERIAL and review.packet.verdict == "needs_material"
    assert [entry.action for entry in review.history][-2:] == ["finding.dismissed", "packet.verdict"]


def test_reviewed_records_carry_the_corrections_for_export(store: Store) -> None:
    packet_id = stored(store, "甲", None)
    stored(store, "乙", None)
    service.correct_field(store, packet_id, "name", "甲乙", "", "reviewer")
    service.set_verdict(store, packet_id, Verdict.APPROVED, "", "reviewer")
    records = service.reviewed_records(store, "luzhou-2019", Verdict.APPROVED.value)
    assert [record.value("name") for record in records] == ["甲乙"]
    assert [row.applicant_name for row in service.queue(store, QueueFilter(verdict="approved")).rows] == ["甲乙"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("512524197503248297", "512***********8297"),
        ("身份证 51252419750324829X，电话 13980001234", "身份证 512***********829X，电话 139****1234"),
        ("账号 6222020012345678901", "账号 ***************8901"),
        ("6222 0200 1234 5678 901", "**** 901"),
        ("2019-07-30 第3名 0830-3123456", "2019-07-30 第3名 0830-***3456"),
        ("110101 19900307 1234 或 139 8000 1234", "110***********1234 或 139****1234"),
        ("第2名 2019年 分数 98.5 证书编号 S000012345", "第2名 2019年 分数 98.5 证书编号 S000012345"),
    ],
)
def test_personal_numbers_are_masked_and_nothing_else(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_evidence_regions_are_found_at_any_depth_with_their_pages() -> None:
    finding = Finding(
        code=FindingCode.DUPLICATE_SEAL_IMPRESSION,
        severity=Severity.FRAUD_SUSPECT,
        field=None,
        message="印迹一致。",
        pages=[1, 6],
        evidence={
            "impressions": [{"page": 1, "bbox": [1, 2, 3, 4]}, {"page": 6, "bbox": [5, 6, 7, 8]}],
            "form_bbox": [9, 9, 10, 10],
            "form_page": 1,
            "summary_bbox": [0, 0, 1, 1],  # no page, and the finding has two: not drawn rather than drawn wrongly
        },
    )
    assert evidence_regions(finding) == [(1, (1, 2, 3, 4)), (6, (5, 6, 7, 8)), (1, (9, 9, 10, 10))]


def test_an_upload_on_a_share_without_hard_links_is_renamed_over_a_reserved_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: object, target: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    inbox = Inbox.at(tmp_path / "inbox")
    first = inbox.receive("扫描.pdf", [b"one"], max_bytes=10)
    second = inbox.receive("扫描.pdf", [b"two!"], max_bytes=10)
    assert (first.path.name, first.size, second.path.name, second.size) == ("扫描.pdf", 3, "扫描 (2).pdf", 4)
    assert first.path.read_bytes() == b"one" and second.path.read_bytes() == b"two!"
    assert sorted(path.name for path in inbox.root.iterdir()) == ["扫描 (2).pdf", "扫描.pdf"]  # no part file left


def test_an_upload_never_overwrites_and_a_too_large_one_leaves_nothing(tmp_path: Path) -> None:
    inbox = Inbox.at(tmp_path / "inbox")
    first = inbox.receive("扫描 件.pdf", [b"one"], max_bytes=10).path
    second = inbox.receive("../扫描 件.pdf", [b"two"], max_bytes=10).path
    assert (first.name, second.name) == ("扫描 件.pdf", "扫描 件 (2).pdf")
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    with pytest.raises(ValueError, match="MB"):
        inbox.receive("big.pdf", [b"x" * 8, b"x" * 8], max_bytes=10)
    assert sorted(path.name for path in inbox.root.iterdir()) == ["扫描 件 (2).pdf", "扫描 件.pdf"]
