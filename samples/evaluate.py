"""Score packet reports against ground truth (``dossier eval --truth DIR --reports DIR``).

Truth format
============

The truth folder holds one ``<stem>.truth.json`` per packet; the report scored
against it is ``<stem>.json`` in the reports folder (what ``dossier process``
writes for the input ``<stem>.pdf``). A truth file is a packet report JSON, with
the same keys and the same normalisation as ``shared/REPORT_FORMAT.md``, plus
two keys of its own::

    {
      "schema_version": "1", "packet_id": "0000…", "source": "x.pdf",
      "profile": "luzhou-2019", "status": "ok", "errors": [], "timings": {"total": 0},
      "pages": [{"index": 0, "doc_type": "application_form", "width": 0, "height": 0,
                 "rotation": 0, "ocr_engine": null}, …],
      "applicant": {"name": {"value": "王建国", "confidence": 1, "page": 0, "bbox": null, "raw": null}, …},
      "summary_rows": [ … ], "apprentices": [], "certificates": [],
      "seals": [{"page": 1, "bbox": [x0, y0, x1, y1], "shape": "round", "color": "red",
                 "text": "泸州北方化学工业有限公司", "partial": false, "edge": null, "confidence": 1}],
      "cross_page_seals": [{"pages": [0, 1], "edge": "right", "complete": false,
                            "missing_pages": [1], "confidence": 1}],
      "findings": [],
      "expected_findings": [{"code": "CROSS_PAGE_SEAL_BROKEN", "field": null}],
      "clean": false
    }

- The keys the evaluator does not read (``schema_version``, ``packet_id``,
  ``source``, ``profile``, ``status``, ``errors``, ``timings``) may be dummy or
  absent. Everything else must match the report model (a typo in a
  ``doc_type`` or a finding code makes the truth file an error, listed in the
  evaluation and skipped).
- A field whose ``value`` is ``null`` (or a field that is ``null``) is not
  scored; ``confidence``, ``page``, ``bbox`` and ``raw`` of a field are not read.
- Seals are scored by ``page``, ``bbox`` (200-DPI pixels) and ``text`` (``null``
  when the legend is unreadable on the scan: the seal then counts for
  detection only).
- ``expected_findings``: the findings a correct report raises, each
  ``{"code": <finding code>, "field": <key or doc_type, or null>}``; a ``null``
  field accepts a report finding of that code naming any field.
- ``clean`` (optional): true when the packet carries no injected fault; when
  absent, the packet is clean exactly when ``expected_findings`` is empty.
- ``page_text`` (optional, not scored here): per page, the printed lines
  ``[{"text": ..., "bbox": [x0, y0, x1, y1]}]``; ``dossier bench speed`` measures
  each engine's character error rate against them.

Metrics
=======

Every metric is a ``{numerator, denominator, ratio}`` summed over all packets;
the ratio is ``null`` when the denominator is 0. Names in the JSON output:

- ``applicant.<key>`` for each applicant field, and ``applicant.all``: exact
  match of ``value`` (whitespace removed) over truth fields with a value; a
  missing report field is wrong.
- ``summary_row.<key>`` and ``summary_row.all``: the same for the applicant's
  row of the summary sheets (the truth row with the applicant's ID number, or
  else name, against the report row with that row's ID number, or else name).
- ``competitions.f1`` and ``honors.f1``: the applicant's competition results
  (compared on ``year``, ``scope``, ``category``, ``rank`` and ``event``) and
  honours (``title``, ``year``) as multisets; written as ``2·TP`` over
  ``2·TP + FP + FN``, so the ratio is the F1 score.
- ``apprentice.all``: exact match of every apprentice field, truth rows matched
  to report rows by ID number, or else name.
- ``certificate.all``: exact match of every certificate field, truth
  certificates matched to report ones by page and kind.
- ``doc_type``: pages whose ``doc_type`` is right, pages matched by ``index``.
- ``seal.precision``, ``seal.recall``: report seals matched greedily to truth
  seals on the same page, by bbox IoU >= ``SEAL_IOU_THRESHOLD``.
- ``seal.text_cer``: character error rate of the legends of matched seals
  (edit distance over truth length, summed; lower is better).
- ``cross_page_seal.presence``: truth 骑缝章 for which the report has one
  starting on the same first page; ``cross_page_seal.broken_page_recall``:
  truth ``missing_pages`` entries the matched report entry also lists.
- ``findings.recall`` and ``findings.recall.<CODE>``: expected findings the
  report raised (same code, and same field unless the expected field is null).
- ``false_flags.findings``: ``error`` or ``fraud_suspect`` findings on clean
  packets, over the number of clean packets (lower is better);
  ``false_flags.packets``: clean packets with at least one such finding.
- ``packets.failed``: reports with status ``failed``;
  ``packets.missing_or_malformed``: reports absent, unreadable, not a JSON
  object, or not matching the report model (lower is better for all three).

A report that is absent, not valid JSON or not a JSON object is scored as empty:
every truth item of its packet counts as missed. A JSON object that does not
match the report model is listed too, but scored for whatever it holds, read key
by key. Neither ever raises.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict

from models import SCHEMA_VERSION, FindingCode, PacketReport, PacketStatus, Severity
from models.report import APPLICANT_FIELDS, SUMMARY_ROW_KEYS, Apprentice, Certificate
from models.text import edit_distance

logger = logging.getLogger(__name__)

TRUTH_SUFFIX = ".truth.json"
REPORT_SUFFIX = ".json"
SEAL_IOU_THRESHOLD = 0.5
"""Least intersection-over-union of two seal boxes for the report seal to count as the truth seal."""
FLAG_SEVERITIES = frozenset({Severity.ERROR.value, Severity.FRAUD_SUSPECT.value})
"""Severities that send a packet back to the applicant, so a false one on a clean packet costs most."""
MAX_QUOTED_ERRORS = 3
"""Validation errors quoted in a reason; the rest are counted."""

APPLICANT_KEYS = APPLICANT_FIELDS
APPRENTICE_KEYS: tuple[str, ...] = tuple(Apprentice.model_fields)
CERTIFICATE_KEYS: tuple[str, ...] = tuple(
    name for name in Certificate.model_fields if name not in ("kind", "page", "certified_copy")
)
COMPETITION_KEYS = ("year", "scope", "category", "rank", "event")
HONOR_KEYS = ("title", "year")

# Truth keys that are not scored: replaced before validation, so they may be dummy or absent.
_UNREAD_TRUTH_KEYS: dict[str, Any] = {
    "schema_version": SCHEMA_VERSION,
    "packet_id": "0" * 64,
    "source": "truth",
    "profile": None,
    "status": PacketStatus.OK.value,
    "errors": [],
    "timings": {"total": 0.0},
}

APPLICANT_PREFIX = "applicant"
SUMMARY_ROW_PREFIX = "summary_row"
ALL_FIELDS = "all"
COMPETITION_F1 = "competitions.f1"
HONOR_F1 = "honors.f1"
APPRENTICE_ALL = "apprentice.all"
CERTIFICATE_ALL = "certificate.all"
DOC_TYPE = "doc_type"
SEAL_PRECISION = "seal.precision"
SEAL_RECALL = "seal.recall"
SEAL_TEXT_CER = "seal.text_cer"
CROSS_PAGE_PRESENCE = "cross_page_seal.presence"
CROSS_PAGE_BROKEN_RECALL = "cross_page_seal.broken_page_recall"
FINDINGS_RECALL = "findings.recall"
FALSE_FLAG_FINDINGS = "false_flags.findings"
FALSE_FLAG_PACKETS = "false_flags.packets"
PACKETS_FAILED = "packets.failed"
PACKETS_MISSING_OR_MALFORMED = "packets.missing_or_malformed"


def _field_metrics(prefix: str) -> list[str]:
    return [f"{prefix}.{key}" for key in (*APPLICANT_KEYS, ALL_FIELDS)]


FIXED_METRICS: tuple[str, ...] = (
    *_field_metrics(APPLICANT_PREFIX),
    *_field_metrics(SUMMARY_ROW_PREFIX),
    COMPETITION_F1,
    HONOR_F1,
    APPRENTICE_ALL,
    CERTIFICATE_ALL,
    DOC_TYPE,
    SEAL_PRECISION,
    SEAL_RECALL,
    SEAL_TEXT_CER,
    CROSS_PAGE_PRESENCE,
    CROSS_PAGE_BROKEN_RECALL,
    FINDINGS_RECALL,
    FALSE_FLAG_FINDINGS,
    FALSE_FLAG_PACKETS,
    PACKETS_FAILED,
    PACKETS_MISSING_OR_MALFORMED,
)
"""Metrics every evaluation carries, in table order; ``findings.recall.<CODE>`` follow ``findings.recall``."""

LOWER_IS_BETTER = frozenset(
    {SEAL_TEXT_CER, FALSE_FLAG_FINDINGS, FALSE_FLAG_PACKETS, PACKETS_FAILED, PACKETS_MISSING_OR_MALFORMED}
)


# --- result records ------------------------------------------------------------------------------------


class EvalRecord(BaseModel):
    """Base of the evaluation's records: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


class Metric(EvalRecord):
    numerator: int = pydantic.Field(description="Items right (or counted, for error rates and flags)")
    denominator: int = pydantic.Field(description="Items scored")
    ratio: float | None = pydantic.Field(description="numerator / denominator, null when nothing was scored")


class ReportProblemKind(StrEnum):
    MISSING = "missing"
    UNREADABLE = "unreadable"
    NOT_AN_OBJECT = "not_an_object"
    NOT_MATCHING_MODEL = "not_matching_model"


class ReportProblem(EvalRecord):
    stem: str
    file: str = pydantic.Field(description="The report file looked for")
    kind: ReportProblemKind
    reason: str
    scored_as_empty: bool = pydantic.Field(description="True when nothing of the report could be scored")


class TruthError(EvalRecord):
    file: str
    reason: str


class PacketEvaluation(EvalRecord):
    stem: str
    clean: bool
    status: str | None = pydantic.Field(description="The report's status, as written")
    problem: ReportProblem | None
    metrics: dict[str, Metric]


class Evaluation(EvalRecord):
    """The scores of a reports folder against a truth folder."""

    truth_dir: str
    reports_dir: str
    packet_count: int = pydantic.Field(description="Truth files scored (malformed ones excluded)")
    clean_packet_count: int
    metrics: dict[str, Metric]
    report_problems: list[ReportProblem]
    truth_errors: list[TruthError]
    packets: list[PacketEvaluation]

    def to_json(self) -> str:
        """The evaluation as indented JSON, Chinese written as-is."""
        return self.model_dump_json(indent=2)


# --- truth and report loading ----------------------------------------------------------------------------


class ExpectedFinding(EvalRecord):
    code: FindingCode
    field: str | None = None


class TruthLabels(EvalRecord):
    expected_findings: list[ExpectedFinding] = pydantic.Field(default_factory=list)
    clean: bool | None = None


class TruthFormatError(ValueError):
    """A truth file that cannot be read as the truth format."""


@dataclass(frozen=True)
class TruthPacket:
    """One packet's truth: the report it should produce (as contract JSON) and its labels."""

    stem: str
    report: dict[str, Any]
    expected_findings: list[ExpectedFinding]
    clean: bool


@dataclass(frozen=True)
class LoadedReport:
    """A report read leniently: its JSON object (empty when unusable) and what was wrong with it."""

    data: dict[str, Any]
    problem: ReportProblem | None


def _validation_reason(error: pydantic.ValidationError) -> str:
    errors = error.errors()
    quoted = [f"{'.'.join(str(part) for part in e['loc']) or '<root>'}: {e['msg']}" for e in errors]
    more = len(quoted) - MAX_QUOTED_ERRORS
    return "; ".join(quoted[:MAX_QUOTED_ERRORS]) + (f" (+{more} more)" if more > 0 else "")


def _read_json(path: Path) -> Any:
    """The JSON in ``path``; OSError or ValueError when it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except RecursionError as exc:  # absurdly deep nesting
        raise ValueError("JSON nested too deeply") from exc


def load_truth(path: Path) -> TruthPacket:
    """Read one ``<stem>.truth.json``.

    Raises:
        TruthFormatError: the file is unreadable, not JSON, or does not match the truth format.
    """
    try:
        data = _read_json(path)
    except (OSError, ValueError) as exc:
        raise TruthFormatError(f"cannot read JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise TruthFormatError("not a JSON object")
    labels_data = {key: data.pop(key) for key in ("expected_findings", "clean") if key in data}
    data.pop("page_text", None)  # the printed lines, for the OCR benchmark's character error rate
    try:
        labels = TruthLabels.model_validate(labels_data)
        report = PacketReport.model_validate({**data, **_UNREAD_TRUTH_KEYS})
    except pydantic.ValidationError as exc:
        raise TruthFormatError(_validation_reason(exc)) from exc
    clean = labels.clean if labels.clean is not None else not labels.expected_findings
    stem = path.name.removesuffix(TRUTH_SUFFIX)
    return TruthPacket(stem, report.model_dump(mode="json"), labels.expected_findings, clean)


def load_report(path: Path, stem: str) -> LoadedReport:
    """Read a report leniently; never raises."""

    def problem(kind: ReportProblemKind, reason: str, data: dict[str, Any] | None = None) -> LoadedReport:
        scored_as_empty = data is None
        found = ReportProblem(stem=stem, file=str(path), kind=kind, reason=reason, scored_as_empty=scored_as_empty)
        return LoadedReport(data or {}, found)

    if not path.is_file():
        return problem(ReportProblemKind.MISSING, "no report file")
    try:
        data = _read_json(path)
    except (OSError, ValueError) as exc:
        return problem(ReportProblemKind.UNREADABLE, f"cannot read JSON: {exc}")
    if not isinstance(data, dict):
        return problem(ReportProblemKind.NOT_AN_OBJECT, f"the JSON is a {type(data).__name__}, not an object")
    try:
        PacketReport.model_validate(data)
    except pydantic.ValidationError as exc:
        return problem(ReportProblemKind.NOT_MATCHING_MODEL, _validation_reason(exc), data)
    return LoadedReport(data, None)


# --- lenient access to JSON ------------------------------------------------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _objects(value: Any) -> list[Mapping[str, Any]]:
    """The JSON objects in a list (other entries dropped); an empty list for anything else."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ints(value: Any) -> set[int]:
    return {number for item in value if (number := _int(item)) is not None} if isinstance(value, list) else set()


def _squash(text: str) -> str:
    """The text without any whitespace (ASCII or full-width), as values are compared."""
    return "".join(text.split())


def _text(value: Any) -> str | None:
    return _squash(value) if isinstance(value, str) else None


def _value(record: Mapping[str, Any], key: str) -> str | None:
    """The normalised ``value`` of the field object ``record[key]``, or None."""
    return _text(_mapping(record.get(key)).get("value"))


def _bbox(seal: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    box = seal.get("bbox")
    if not isinstance(box, list) or len(box) != 4:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in box):
        return None
    return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))


# --- scoring -------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """A running numerator over denominator."""

    numerator: int = 0
    denominator: int = 0

    def count(self, hit: bool) -> None:
        self.numerator += int(hit)
        self.denominator += 1

    def add(self, other: Tally) -> None:
        self.numerator += other.numerator
        self.denominator += other.denominator

    def metric(self) -> Metric:
        ratio = self.numerator / self.denominator if self.denominator else None
        return Metric(numerator=self.numerator, denominator=self.denominator, ratio=ratio)


class Tallies(dict[str, Tally]):
    """Tallies by metric name, created on first use."""

    def __missing__(self, name: str) -> Tally:
        tally = self[name] = Tally()
        return tally


def _empty_tallies() -> Tallies:
    tallies = Tallies()
    for name in FIXED_METRICS:
        tallies[name] = Tally()
    return tallies


def _field_hits(
    truth: Mapping[str, Any], report: Mapping[str, Any] | None, keys: Sequence[str]
) -> Iterable[tuple[str, bool]]:
    """(key, whether the report's value is the truth's) for each of ``keys`` the truth has a value for."""
    for key in keys:
        expected = _value(truth, key)
        if expected is not None:
            yield key, report is not None and _value(report, key) == expected


def _score_fields(truth: Mapping[str, Any], report: Mapping[str, Any] | None, prefix: str, tallies: Tallies) -> None:
    for key, hit in _field_hits(truth, report, APPLICANT_KEYS):
        tallies[f"{prefix}.{key}"].count(hit)
        tallies[f"{prefix}.{ALL_FIELDS}"].count(hit)


def _find_row(rows: Iterable[Mapping[str, Any]], anchor: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The first row sharing the anchor's ID number, or else its name."""
    rows = list(rows)
    for key in SUMMARY_ROW_KEYS:
        wanted = _value(anchor, key)
        if wanted is None:
            continue
        for row in rows:
            if _value(row, key) == wanted:
                return row
    return None


def _score_summary_row(truth: Mapping[str, Any], report: Mapping[str, Any], tallies: Tallies) -> None:
    truth_row = _find_row(_objects(truth.get("summary_rows")), _mapping(truth.get("applicant")))
    if truth_row is None:
        return
    report_row = _find_row(_objects(report.get("summary_rows")), truth_row)
    _score_fields(truth_row, report_row, SUMMARY_ROW_PREFIX, tallies)


def _entry_key(entry: Mapping[str, Any], keys: Sequence[str]) -> tuple[Any, ...]:
    return tuple(_squash(value) if isinstance(value := entry.get(key), str) else value for key in keys)


def _score_entries(truth: Mapping[str, Any], report: Mapping[str, Any], list_key: str, keys: Sequence[str]) -> Tally:
    """F1 of a list of plain objects as multisets of their ``keys``: 2·TP over 2·TP + FP + FN."""
    expected = Counter(_entry_key(entry, keys) for entry in _objects(truth.get(list_key)))
    found = Counter(_entry_key(entry, keys) for entry in _objects(report.get(list_key)))
    hits = sum((expected & found).values())
    return Tally(2 * hits, sum(expected.values()) + sum(found.values()))


def _score_apprentices(truth: Mapping[str, Any], report: Mapping[str, Any], tallies: Tallies) -> None:
    rows = _objects(report.get("apprentices"))
    for truth_row in _objects(truth.get("apprentices")):
        for _, hit in _field_hits(truth_row, _find_row(rows, truth_row), APPRENTICE_KEYS):
            tallies[APPRENTICE_ALL].count(hit)


def _score_certificates(truth: Mapping[str, Any], report: Mapping[str, Any], tallies: Tallies) -> None:
    found = {(_int(c.get("page")), c.get("kind")): c for c in _objects(report.get("certificates"))}
    for certificate in _objects(truth.get("certificates")):
        match = found.get((certificate.get("page"), certificate.get("kind")))
        for _, hit in _field_hits(certificate, match, CERTIFICATE_KEYS):
            tallies[CERTIFICATE_ALL].count(hit)


def _score_doc_types(truth: Mapping[str, Any], report: Mapping[str, Any], tallies: Tallies) -> None:
    report_types: dict[int, Any] = {}
    for page in _objects(report.get("pages")):
        index = _int(page.get("index"))
        if index is not None:
            report_types.setdefault(index, page.get("doc_type"))
    for page in _objects(truth.get("pages")):
        tallies[DOC_TYPE].count(report_types.get(page["index"]) == page["doc_type"])


def _iou(a: tuple[float, float, float, float] | None, b: tuple[float, float, float, float] | None) -> float:
    if a is None or b is None:
        return 0.0
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match_seals(
    truth: Sequence[Mapping[str, Any]], report: Sequence[Mapping[str, Any]]
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Pairs (truth seal, report seal) on the same page, greedily by falling IoU, each seal used once."""
    candidates = []
    for i, truth_seal in enumerate(truth):
        for j, report_seal in enumerate(report):
            if _int(report_seal.get("page")) != truth_seal["page"]:
                continue
            iou = _iou(_bbox(truth_seal), _bbox(report_seal))
            if iou >= SEAL_IOU_THRESHOLD:
                candidates.append((-iou, i, j))
    used_truth: set[int] = set()
    used_report: set[int] = set()
    pairs = []
    for _, i, j in sorted(candidates):
        if i not in used_truth and j not in used_report:
            used_truth.add(i)
            used_report.add(j)
            pairs.append((truth[i], report[j]))
    return pairs


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two strings (see :func:`models.text.edit_distance`)."""
    return edit_distance(a, b)


def _score_seals(truth: Mapping[str, Any], report: Mapping[str, Any], tallies: Tallies) -> None:
    truth_seals = _objects(truth.get("seals"))
    report_list = report.get("seals")
    report_seals = _objects(report_list)
    pairs = match_seals(truth_seals, report_seals)
    tallies[SEAL_PRECISION].add(Tally(len(pairs), len(report_list) if isinstance(report_list, list) else 0))
    tallies[SEAL_RECALL].add(Tally(len(pairs), len(truth_seals)))
    for truth_seal, report_seal in pairs:
        expected = _text(truth_seal.get("text"))
        if expected:
            read = _text(report_seal.get("text")) or ""
            tallies[SEAL_TEXT_CER].add(Tally(levenshtein(read, expected), len(expected)))


def _first_page(entry: Mapping[str, Any]) -> int | None:
    return min(_ints(entry.get("pages")), default=None)


def _score_cross_page_seals(truth: Mapping[str, Any], report: Mapping[str, Any], tallies: Tallies) -> None:
    report_by_first: dict[int, Mapping[str, Any]] = {}
    for entry in _objects(report.get("cross_page_seals")):
        first = _first_page(entry)
        if first is not None:
            report_by_first.setdefault(first, entry)
    for entry in _objects(truth.get("cross_page_seals")):
        first = _first_page(entry)
        matched = report_by_first.get(first) if first is not None else None
        tallies[CROSS_PAGE_PRESENCE].count(matched is not None)
        reported_missing = _ints(matched.get("missing_pages")) if matched is not None else set()
        for page in entry["missing_pages"]:
            tallies[CROSS_PAGE_BROKEN_RECALL].count(page in reported_missing)


def _finding_matches(expected: ExpectedFinding, finding: Mapping[str, Any]) -> bool:
    if finding.get("code") != expected.code.value:
        return False
    return expected.field is None or finding.get("field") == expected.field


def _score_findings(truth: TruthPacket, report: Mapping[str, Any], tallies: Tallies) -> None:
    findings = _objects(report.get("findings"))
    for expected in truth.expected_findings:
        hit = any(_finding_matches(expected, finding) for finding in findings)
        tallies[FINDINGS_RECALL].count(hit)
        tallies[f"{FINDINGS_RECALL}.{expected.code.value}"].count(hit)
    if truth.clean:
        flags = sum(1 for finding in findings if finding.get("severity") in FLAG_SEVERITIES)
        tallies[FALSE_FLAG_FINDINGS].add(Tally(flags, 1))
        tallies[FALSE_FLAG_PACKETS].count(flags > 0)


def score_packet(truth: TruthPacket, report: LoadedReport) -> Tallies:
    """Every metric's tally for one packet."""
    tallies = _empty_tallies()
    data = report.data
    applicant, truth_applicant = _mapping(data.get("applicant")), _mapping(truth.report.get("applicant"))
    _score_fields(truth_applicant, applicant, APPLICANT_PREFIX, tallies)
    _score_summary_row(truth.report, data, tallies)
    tallies[COMPETITION_F1].add(_score_entries(truth_applicant, applicant, "competitions", COMPETITION_KEYS))
    tallies[HONOR_F1].add(_score_entries(truth_applicant, applicant, "honors", HONOR_KEYS))
    _score_apprentices(truth.report, data, tallies)
    _score_certificates(truth.report, data, tallies)
    _score_doc_types(truth.report, data, tallies)
    _score_seals(truth.report, data, tallies)
    _score_cross_page_seals(truth.report, data, tallies)
    _score_findings(truth, data, tallies)
    tallies[PACKETS_FAILED].count(data.get("status") == PacketStatus.FAILED.value)
    tallies[PACKETS_MISSING_OR_MALFORMED].count(report.problem is not None)
    return tallies


def _metric_rank(name: str) -> tuple[int, int]:
    """Table order: the fixed metrics, with ``findings.recall.<CODE>`` after ``findings.recall`` by code."""
    if name in FIXED_METRICS:
        return (FIXED_METRICS.index(name), -1)
    code = name.removeprefix(f"{FINDINGS_RECALL}.")
    codes = [member.value for member in FindingCode]
    return (FIXED_METRICS.index(FINDINGS_RECALL), codes.index(code) if code in codes else len(codes))


def _metrics(tallies: Tallies) -> dict[str, Metric]:
    return {name: tallies[name].metric() for name in sorted(tallies, key=_metric_rank)}


def evaluate_packet(truth: TruthPacket, report: LoadedReport) -> PacketEvaluation:
    """Score one packet's report against its truth."""
    status = report.data.get("status")
    return PacketEvaluation(
        stem=truth.stem,
        clean=truth.clean,
        status=status if isinstance(status, str) else None,
        problem=report.problem,
        metrics=_metrics(score_packet(truth, report)),
    )


def _sum_tallies(packets: Iterable[PacketEvaluation]) -> Tallies:
    total = _empty_tallies()
    for packet in packets:
        for name, metric in packet.metrics.items():
            total[name].add(Tally(metric.numerator, metric.denominator))
    return total


def evaluate_dirs(truth_dir: Path, reports_dir: Path) -> Evaluation:
    """Score every ``<stem>.json`` in ``reports_dir`` against ``<stem>.truth.json`` in ``truth_dir``.

    Bad reports and bad truth files are listed in the result, never raised.

    Raises:
        NotADirectoryError: either folder does not exist.
    """
    for folder in (truth_dir, reports_dir):
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is not a folder")
    packets: list[PacketEvaluation] = []
    truth_errors: list[TruthError] = []
    for path in sorted(truth_dir.glob(f"*{TRUTH_SUFFIX}")):
        try:
            truth = load_truth(path)
        except TruthFormatError as exc:
            logger.warning("skipping truth file %s: %s", path, exc)
            truth_errors.append(TruthError(file=str(path), reason=str(exc)))
            continue
        report = load_report(reports_dir / f"{truth.stem}{REPORT_SUFFIX}", truth.stem)
        packets.append(evaluate_packet(truth, report))
    return Evaluation(
        truth_dir=str(truth_dir),
        reports_dir=str(reports_dir),
        packet_count=len(packets),
        clean_packet_count=sum(packet.clean for packet in packets),
        metrics=_metrics(_sum_tallies(packets)),
        report_problems=[packet.problem for packet in packets if packet.problem is not None],
        truth_errors=truth_errors,
        packets=packets,
    )


# --- plain-text table ----------------------------------------------------------------------------------

_NO_RATIO = "n/a"


def _format_ratio(metric: Metric) -> str:
    return _NO_RATIO if metric.ratio is None else f"{metric.ratio:.3f}"


def format_evaluation(evaluation: Evaluation) -> str:
    """A readable table of the metrics, then the problem reports and truth files."""
    width = max([len("metric"), *(len(name) for name in evaluation.metrics)])
    lines = [
        f"packets: {evaluation.packet_count} (clean: {evaluation.clean_packet_count}), "
        f"report problems: {len(evaluation.report_problems)}, truth errors: {len(evaluation.truth_errors)}",
        "",
        f"{'metric':<{width}}  {'num':>6}  {'den':>6}  {'ratio':>7}",
        f"{'-' * width}  {'-' * 6}  {'-' * 6}  {'-' * 7}",
    ]
    for name, metric in evaluation.metrics.items():
        marker = "  (lower is better)" if name in LOWER_IS_BETTER else ""
        lines.append(
            f"{name:<{width}}  {metric.numerator:>6}  {metric.denominator:>6}  {_format_ratio(metric):>7}{marker}"
        )
    if evaluation.report_problems:
        lines += ["", "report problems:"]
        lines += [f"  {p.stem}: {p.kind.value}: {p.reason}" for p in evaluation.report_problems]
    if evaluation.truth_errors:
        lines += ["", "truth errors (skipped):"]
        lines += [f"  {error.file}: {error.reason}" for error in evaluation.truth_errors]
    return "\n".join(lines)
