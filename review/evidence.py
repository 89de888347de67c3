"""What the packet page draws and lists: marks on the page images, the record's rows, the summary-row comparison.

Every mark is a box in the page's 200-DPI pixel space (the report's), drawn as
an SVG rectangle over the page image, so it scales with the image.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from extractors.text import compact
from models.report import (
    APPLICANT_FIELDS,
    FIELD_LABELS,
    Applicant,
    Field,
    Finding,
    PacketReport,
    applicant_rows_by_sheet,
)
from review.records import Correction, ReviewedRecord


class MarkKind(StrEnum):
    SEAL = "seal"
    SLIVER = "sliver"
    """A seal cut by the page edge: a slice of a 骑缝章."""
    FIELD = "field"
    EVIDENCE = "evidence"


@dataclass(frozen=True)
class Mark:
    """One box drawn on a page."""

    kind: MarkKind
    bbox: tuple[float, float, float, float]
    label: str
    ref: str
    """What the mark belongs to: the field key, the finding's position, the seal's index."""


@dataclass(frozen=True)
class FieldRow:
    key: str
    label: str
    value: str | None
    original: str | None
    correction: Correction | None
    confidence: float | None
    page: int | None
    has_box: bool


@dataclass(frozen=True)
class SummaryComparison:
    key: str
    label: str
    form: str | None
    summary: str | None
    page: int | None
    differs: bool


def page_marks(record: ReviewedRecord) -> dict[int, list[Mark]]:
    """The marks of each page: seals and 骑缝章 slices, where each field was read, and the findings' evidence."""
    report = record.report
    marks: dict[int, list[Mark]] = {}
    for index, seal in enumerate(report.seals):
        kind = MarkKind.SLIVER if seal.partial else MarkKind.SEAL
        label = seal.text or ("骑缝章" if seal.partial else "印章")
        marks.setdefault(seal.page, []).append(Mark(kind, _box(seal.bbox), label, str(index)))
    for key in APPLICANT_FIELDS:
        read: Field | None = getattr(report.applicant, key)
        if read is not None and read.page is not None and read.bbox is not None:
            marks.setdefault(read.page, []).append(Mark(MarkKind.FIELD, _box(read.bbox), FIELD_LABELS[key], key))
    for position, finding in enumerate(report.findings):
        for page, bbox in evidence_regions(finding):
            marks.setdefault(page, []).append(Mark(MarkKind.EVIDENCE, bbox, finding.code.value, str(position)))
    return marks


def evidence_regions(finding: Finding) -> list[tuple[int, tuple[float, float, float, float]]]:
    """The page regions a finding's evidence points at: every ``<name>_bbox`` (or ``bbox``) with its page, at any
    depth (a list of seal impressions, say).

    The page is the sibling ``<name>_page`` (or ``page``), else the finding's only page.
    """
    only_page = finding.pages[0] if len(finding.pages) == 1 else None
    return list(_regions(finding.evidence, only_page))


def _regions(value: Any, only_page: int | None) -> Iterator[tuple[int, tuple[float, float, float, float]]]:
    if isinstance(value, list):
        for item in value:
            yield from _regions(item, only_page)
    elif isinstance(value, dict):
        for key, item in value.items():
            if (key == "bbox" or key.endswith("_bbox")) and _is_box(item):
                page = value.get(key.removesuffix("bbox") + "page", only_page)
                if isinstance(page, int):
                    yield page, _box(item)
            else:
                yield from _regions(item, only_page)


def field_rows(record: ReviewedRecord) -> list[FieldRow]:
    """The applicant's fields as reviewed, with where each was read and any correction."""
    rows = []
    for key in APPLICANT_FIELDS:
        read: Field | None = getattr(record.report.applicant, key)
        rows.append(
            FieldRow(
                key=key,
                label=FIELD_LABELS[key],
                value=record.value(key),
                original=record.original(key),
                correction=record.corrections.get(key),
                confidence=read.confidence if read is not None else None,
                page=read.page if read is not None else None,
                has_box=read is not None and read.page is not None and read.bbox is not None,
            )
        )
    return rows


def summary_comparison(record: ReviewedRecord) -> list[SummaryComparison]:
    """The applicant's row on each summary sheet beside the form's values (as reviewed), sheet after sheet, as the
    summary checks compare them; empty when no row is the applicant's."""
    report: PacketReport = record.report
    return [
        comparison
        for row in applicant_rows_by_sheet(report.summary_rows, report.applicant)
        for comparison in _compared(record, row)
    ]


def _compared(record: ReviewedRecord, row: Applicant) -> list[SummaryComparison]:
    return [
        SummaryComparison(
            key=key,
            label=FIELD_LABELS[key],
            form=form,
            summary=summary,
            page=read.page if read is not None else None,
            differs=form is not None and summary is not None and compact(form) != compact(summary),
        )
        for key, form, summary, read in _pairs(record, row)
        if form is not None or summary is not None
    ]


def _pairs(record: ReviewedRecord, row: Applicant) -> Iterator[tuple[str, str | None, str | None, Field | None]]:
    for key in APPLICANT_FIELDS:
        read: Field | None = getattr(row, key)
        yield key, record.value(key), read.value if read is not None else None, read


def _is_box(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 4 and all(isinstance(v, int | float) for v in value)


def _box(values: Any) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in values)
    return (x0, y0, x1, y1)
