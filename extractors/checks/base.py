"""What every check shares: how sure a finding is, how it is written, and the order findings are listed in.

A finding that rests on a read the OCR was not sure of is a ``warning`` asking
the reviewer to look, never an ``error``: OCR noise must not accuse anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from extractors.text import compact
from models.report import CONFIDENT, SEVERITY_ORDER, Field, Finding, FindingCode, PacketReport, Severity


def sure(*fields: Field | None) -> bool:
    """Every field was read with a value and enough confidence."""
    return all(item is not None and item.value is not None and item.confidence >= CONFIDENT for item in fields)


def same(a: Field, b: Field) -> bool:
    """Two reads say the same, whatever bracket or digit width each OCR pass returned."""
    return compact(a.value or "") == compact(b.value or "")


def severity(confident: bool, when_sure: Severity = Severity.ERROR) -> Severity:
    """``when_sure`` if the reads are confident, else ``warning``."""
    return when_sure if confident else Severity.WARNING


def evidence_of(name: str, item: Field | None) -> dict[str, Any]:
    """A field as evidence: its value, raw text, page, box and confidence."""
    if item is None:
        return {name: None}
    return {
        name: item.value,
        f"{name}_raw": item.raw,
        f"{name}_page": item.page,
        f"{name}_bbox": item.bbox,
        f"{name}_confidence": item.confidence,
    }


def pages_of(*items: Field | None) -> list[int]:
    return sorted({item.page for item in items if item is not None and item.page is not None})


def finding(
    code: FindingCode,
    level: Severity,
    message: str,
    *,
    field_name: str | None = None,
    pages: Iterable[int] = (),
    evidence: dict[str, Any] | None = None,
) -> Finding:
    return Finding(
        code=code,
        severity=level,
        field=field_name,
        message=message,
        pages=sorted(set(pages)),
        evidence=evidence or {},
    )


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Most severe first; within a severity, by first page and code."""
    return sorted(
        findings,
        key=lambda item: (-SEVERITY_ORDER[item.severity], min(item.pages, default=-1), item.code),
    )


def finish_findings(report: PacketReport) -> PacketReport:
    """Findings sorted most severe first, and the packet's risk (its most severe finding) set."""
    report.findings = sort_findings(report.findings)
    report.risk = risk_of(report)
    return report


def risk_of(report: PacketReport) -> Severity | None:
    """The packet's overall risk for the reviewer queue: its most severe finding (None: nothing found)."""
    return max((item.severity for item in report.findings), key=SEVERITY_ORDER.__getitem__, default=None)
