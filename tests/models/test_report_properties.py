"""Properties of the report's JSON, checked with hypothesis: what is written reads back equal, and the loader
either loads what it is given or refuses it with its documented ``pydantic.ValidationError``.

Reports are built from the records' own constraints (confidences in 0..1, four-number boxes, non-negative
pages, the closed sets), with arbitrary Unicode text, finite floats and free-form JSON in ``evidence`` and in
extra top-level keys. The loader is fed arbitrary bytes, arbitrary JSON and valid reports with one part
broken.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from models.report import (
    APPLICANT_FIELDS,
    Applicant,
    Apprentice,
    Certificate,
    CertificateKind,
    Competition,
    CompetitionCategory,
    CrossPageSeal,
    DocType,
    Edge,
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
)
from pipeline.report_io import read_report, write_report
from tests import contract

REPORTS = settings(max_examples=50, deadline=None)
LOADER = settings(max_examples=150, deadline=None)
# One file per test is rewritten by every example: the function-scoped tmp_path is what is wanted.
FILES = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

texts = st.text(max_size=12)
finite = st.floats(allow_nan=False, allow_infinity=False)
unit = st.floats(0.0, 1.0)
indices = st.integers(0, 10_000)
boxes = st.lists(finite, min_size=4, max_size=4)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=8,
)
fields = st.builds(
    Field,
    value=st.none() | texts,
    confidence=unit,
    page=st.none() | indices,
    bbox=st.none() | boxes,
    raw=st.none() | texts,
)
optional_fields = st.none() | fields
competitions = st.builds(
    Competition,
    year=st.none() | st.integers(),
    scope=st.none() | st.sampled_from(Scope),
    category=st.none() | st.sampled_from(CompetitionCategory),
    event=st.none() | texts,
    rank=st.none() | st.integers(min_value=1),
    raw=texts,
)
honors = st.builds(Honor, title=texts, year=st.none() | st.integers(), raw=texts)
applicants = st.builds(
    Applicant,
    **{name: optional_fields for name in APPLICANT_FIELDS},
    competitions=st.lists(competitions, max_size=2),
    honors=st.lists(honors, max_size=2),
)
apprentices = st.builds(Apprentice, **{name: optional_fields for name in Apprentice.model_fields})
certificates = st.builds(
    Certificate,
    kind=st.sampled_from(CertificateKind),
    page=indices,
    **{name: optional_fields for name in Certificate.model_fields if name not in ("kind", "page", "certified_copy")},
    certified_copy=st.none() | st.booleans(),
)
edges = st.none() | st.sampled_from(Edge)
seals = st.builds(
    Seal,
    page=indices,
    bbox=boxes,
    shape=st.sampled_from(SealShape),
    color=st.sampled_from(SealColor),
    text=st.none() | texts,
    partial=st.booleans(),
    edge=edges,
    confidence=unit,
)
cross_page_seals = st.builds(
    CrossPageSeal,
    pages=st.lists(indices, max_size=3),
    edge=edges,
    complete=st.booleans(),
    missing_pages=st.lists(indices, max_size=3),
    confidence=unit,
)
findings = st.builds(
    Finding,
    code=st.sampled_from(FindingCode),
    severity=st.sampled_from(Severity),
    field=st.none() | texts,
    message=texts,
    pages=st.lists(indices, max_size=3),
    evidence=st.dictionaries(texts, json_values, max_size=3),
)
stage_errors = st.builds(StageError, stage=texts, page=st.none() | indices, message=texts)
pages = st.builds(
    Page,
    index=indices,
    doc_type=st.sampled_from(DocType),
    width=indices,
    height=indices,
    rotation=st.sampled_from((0, 90, 180, 270)) | st.integers(),
    ocr_engine=st.none() | texts,
)
extra_keys = st.dictionaries(texts.filter(lambda key: key not in PacketReport.model_fields), json_values, max_size=2)


@st.composite
def reports(draw: st.DrawFn) -> PacketReport:
    """A report with a few of every record, and extra top-level keys (the contract allows them)."""
    return PacketReport(
        packet_id=draw(st.text("0123456789abcdef", min_size=64, max_size=64)),
        source=draw(texts),
        profile=draw(st.none() | st.sampled_from(contract.PROFILES) | texts),
        status=draw(st.sampled_from(PacketStatus)),
        errors=draw(st.lists(stage_errors, max_size=2)),
        pages=draw(st.lists(pages, max_size=3)),
        applicant=draw(applicants),
        summary_rows=draw(st.lists(applicants, max_size=2)),
        apprentices=draw(st.lists(apprentices, max_size=2)),
        certificates=draw(st.lists(certificates, max_size=2)),
        seals=draw(st.lists(seals, max_size=2)),
        cross_page_seals=draw(st.lists(cross_page_seals, max_size=2)),
        findings=draw(st.lists(findings, max_size=2)),
        timings={"total": draw(finite), **draw(st.dictionaries(texts, finite, max_size=3))},
        risk=draw(st.none() | st.sampled_from(Severity)),
        **draw(extra_keys),
    )


def _loads_or_refuses(text: str | bytes) -> PacketReport | None:
    """The report the loader makes of ``text``, or None where it refuses it as documented."""
    try:
        report = PacketReport.from_json(text)
    except pydantic.ValidationError:
        return None
    written = report.to_json()
    again = PacketReport.from_json(written)  # what is loaded writes back to a JSON that loads again
    assert again.to_json() == written
    return report


@given(reports())
@REPORTS
def test_a_report_reads_back_equal_from_its_json(report: PacketReport) -> None:
    text = report.to_json()
    assert PacketReport.from_json(text) == report
    assert PacketReport.from_json(text.encode("utf-8")) == report
    assert contract.missing_keys(json.loads(text)) == []


@given(report=reports())
@FILES
def test_a_written_report_file_reads_back_equal(report: PacketReport, tmp_path: Path) -> None:
    path = write_report(report, tmp_path / "packet.json")
    assert read_report(path) == report


@given(st.binary(max_size=200))
@LOADER
@example(b"\xff\xfe{}")
@example(b"\xef\xbb\xbf{}")
@example(b"[" * 100_000)
@example(b'{"a": 1' + b"0" * 5_000 + b"}")
def test_any_bytes_load_or_are_refused(data: bytes) -> None:
    _loads_or_refuses(data)


@given(json_values | st.dictionaries(texts, json_values), st.booleans())
@LOADER
def test_any_json_loads_or_is_refused(value: Any, ascii_only: bool) -> None:
    _loads_or_refuses(json.dumps(value, ensure_ascii=ascii_only))


# A part of a report replaced by anything JSON writes, including what it should not (NaN, Infinity, 1e400).
wild_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)


def _paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path to a value inside a parsed JSON document (the root excluded)."""
    found: list[tuple[str | int, ...]] = []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        found.append((*path, key))
        found.extend(_paths(child, (*path, key)))
    return found


def _broken(document: dict[str, Any], path: tuple[str | int, ...], replacement: Any, remove: bool) -> dict[str, Any]:
    parent: Any = document
    for key in path[:-1]:
        parent = parent[key]
    if remove:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return document


@given(reports(), st.data(), wild_values, st.booleans())
@REPORTS
def test_a_report_with_one_part_broken_loads_or_is_refused(
    report: PacketReport, data: st.DataObject, replacement: Any, remove: bool
) -> None:
    document = json.loads(report.to_json())
    path = data.draw(st.sampled_from(_paths(document)))
    broken = json.dumps(_broken(document, path, replacement, remove), ensure_ascii=False, allow_nan=True)
    _loads_or_refuses(broken)


@given(st.floats(), st.floats())
@LOADER
@example(math.inf, 0.0)  # was accepted, written as null, then refused by the loader
@example(0.0, math.nan)
def test_a_number_the_records_accept_reads_back_from_json(total: float, corner: float) -> None:
    try:
        report = PacketReport(
            packet_id="a" * 64,
            source="x.pdf",
            profile=None,
            status=PacketStatus.OK,
            timings={"total": total},
            seals=[
                Seal(
                    page=0,
                    bbox=[0, 0, corner, 1],
                    shape="round",
                    color="red",
                    text=None,
                    partial=False,
                    edge=None,
                    confidence=0.9,
                )
            ],
        )
    except pydantic.ValidationError:
        assert not (math.isfinite(total) and math.isfinite(corner))
        return
    assert PacketReport.from_json(report.to_json()) == report


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_number_json_cannot_carry_is_refused_by_the_loader(number: str) -> None:
    text = PacketReport(packet_id="a" * 64, source="x.pdf", profile=None, status=PacketStatus.OK).to_json()
    broken = text.replace('"total": 0.0', f'"total": {number}')
    assert broken != text
    with pytest.raises(pydantic.ValidationError):
        PacketReport.from_json(broken)
