"""What the reviewer app reads from the store and the decisions it writes there.

Every decision (a field corrected, a finding accepted or dismissed, a verdict)
is a row of ``decisions`` (the original value and the new one both kept) and an
entry of the append-only audit log, written in one transaction. The audit entry
names the field or finding, never the personal values themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from models.report import APPLICANT_FIELDS, SEVERITY_ORDER, PacketReport, PacketStatus
from pipeline.storage import Store, audit_entry, queue_name
from pipeline.storage.schema import AuditEntry, Decision, FindingRow, Packet, Report
from review.records import Correction, ReviewedRecord, Verdict

QUEUE_PAGE_SIZE = 100
MAX_REASON_LENGTH = 2000
MAX_VALUE_LENGTH = 500

_STATUS_RANK = {PacketStatus.FAILED.value: 2, PacketStatus.PARTIAL.value: 1}
"""Among packets of one risk, failed ones first, then partial ones: their scans need looking at."""
Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")
PENDING = "pending"
"""The queue's name for packets without a verdict."""
NO_RISK = "none"
"""The queue's name for the risk of packets without findings."""


class DecisionKind(StrEnum):
    FIELD = "field"
    FINDING = "finding"
    PACKET = "packet"


class Judgement(StrEnum):
    """A reviewer's word on one finding."""

    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class DecisionError(ValueError):
    """A decision that cannot be taken as asked (the message says why, in Chinese)."""


@dataclass(frozen=True)
class QueueFilter:
    """What the queue is narrowed to; None: no narrowing."""

    profile: str | None = None
    verdict: str | None = None
    """A :class:`Verdict` value, or :data:`PENDING`."""
    status: str | None = None
    code: str | None = None
    unit: str | None = None
    page: int = 0


@dataclass(frozen=True)
class QueueRow:
    packet_id: str
    source: str
    profile: str | None
    status: str
    risk: str | None
    verdict: str | None
    page_count: int
    applicant_name: str | None
    id_number: str | None
    recommending_unit: str | None
    codes: list[str]
    created_at: datetime


@dataclass(frozen=True)
class Queue:
    """One page of the queue, riskiest first, with the counts of the whole filtered set."""

    rows: list[QueueRow]
    by_verdict: dict[str, int]
    by_risk: dict[str, int]
    profiles: list[str]
    units: list[str]
    codes: list[str]
    has_next: bool


@dataclass(frozen=True)
class FindingJudgement:
    judgement: Judgement
    reason: str | None
    actor: str
    at: datetime


@dataclass
class PacketReview:
    """Everything the packet page shows."""

    packet: Packet
    record: ReviewedRecord
    judgements: dict[int, FindingJudgement] = field(default_factory=dict)
    history: list[AuditEntry] = field(default_factory=list)


def queue(store: Store, wanted: QueueFilter) -> Queue:
    """The packets matching ``wanted``, riskiest first (then failed and partial ones, then oldest first)."""
    # Packets with no finding come after those with only ``info`` ones.
    risk_rank = case({risk.value: rank for risk, rank in SEVERITY_ORDER.items()}, value=Packet.risk, else_=-1)
    status_rank = case(_STATUS_RANK, value=Packet.status, else_=0)
    with store.reading() as session:
        base = _filtered(select(Packet), wanted)
        by_verdict = _counts(session, base, Packet.verdict, null_as=PENDING)
        matching = _with_verdict(base, wanted.verdict)
        by_risk = _counts(session, matching, Packet.risk, null_as=NO_RISK)
        page = wanted.page
        packets = list(
            session.scalars(
                matching.order_by(risk_rank.desc(), status_rank.desc(), Packet.created_at, Packet.id)
                .offset(page * QUEUE_PAGE_SIZE)
                .limit(QUEUE_PAGE_SIZE + 1)
            )
        )
        codes = _codes_of(session, [packet.id for packet in packets])
        rows = [_queue_row(packet, codes.get(packet.id, [])) for packet in packets[:QUEUE_PAGE_SIZE]]
        profiles = sorted(p for (p,) in session.execute(select(Packet.profile).distinct()) if p is not None)
        units = sorted(u for (u,) in session.execute(select(Packet.recommending_unit).distinct()) if u is not None)
        known_codes = sorted(c for (c,) in session.execute(select(FindingRow.code).distinct()))
    return Queue(
        rows=rows,
        by_verdict=by_verdict,
        by_risk=by_risk,
        profiles=profiles,
        units=units,
        codes=known_codes,
        has_next=len(packets) > QUEUE_PAGE_SIZE,
    )


def _counts(session: Session, query: Select[Any], column: Any, null_as: str) -> dict[str, int]:
    """How many packets of ``query`` have each value of ``column`` (null counted as ``null_as``)."""
    grouped = session.execute(query.with_only_columns(column, func.count()).group_by(column).order_by(None))
    return {value or null_as: count for value, count in cast("list[tuple[str | None, int]]", grouped.all())}


def _filtered(query: Q, wanted: QueueFilter) -> Q:
    """``query`` narrowed by everything in ``wanted`` but the verdict (the counts at the top span the verdicts)."""
    if wanted.profile:
        query = query.where(Packet.profile == wanted.profile)
    if wanted.status:
        query = query.where(Packet.status == wanted.status)
    if wanted.unit:
        query = query.where(Packet.recommending_unit == wanted.unit)
    if wanted.code:
        query = query.where(Packet.id.in_(select(FindingRow.packet_id).where(FindingRow.code == wanted.code)))
    return query


def _with_verdict(query: Q, verdict: str | None) -> Q:
    if not verdict:
        return query
    return query.where(Packet.verdict.is_(None) if verdict == PENDING else Packet.verdict == verdict)


def _codes_of(session: Session, packet_ids: list[str]) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    rows = session.execute(
        select(FindingRow.packet_id, FindingRow.code)
        .where(FindingRow.packet_id.in_(packet_ids))
        .order_by(FindingRow.packet_id, FindingRow.position)
    )
    for packet_id, code in rows:
        codes.setdefault(packet_id, []).append(code)
    return codes


def _queue_row(packet: Packet, codes: list[str]) -> QueueRow:
    return QueueRow(
        packet_id=packet.id,
        source=packet.source,
        profile=packet.profile,
        status=packet.status,
        risk=packet.risk,
        verdict=packet.verdict,
        page_count=packet.page_count,
        applicant_name=packet.applicant_name,
        id_number=packet.applicant_id_number,
        recommending_unit=packet.recommending_unit,
        codes=codes,
        created_at=packet.created_at,
    )


def packet_review(store: Store, packet_id: str) -> PacketReview | None:
    """The packet, its report with the corrections applied, the findings' judgements and its audit trail."""
    with store.reading() as session:
        found = _stored(session, packet_id)
        if found is None:
            return None
        packet, report_json, decisions = found
        history = list(
            session.scalars(select(AuditEntry).where(AuditEntry.packet_id == packet_id).order_by(AuditEntry.id))
        )
        session.expunge_all()
    record = _reviewed(packet, PacketReport.from_json(report_json), decisions)
    judgements = {
        int(decision.target): FindingJudgement(
            Judgement(decision.value), decision.reason, decision.actor, decision.created_at
        )
        for decision in decisions
        if decision.kind == DecisionKind.FINDING and decision.target is not None
    }
    return PacketReview(packet=packet, record=record, judgements=judgements, history=history)


def reviewed_records(store: Store, profile: str | None = None, verdict: str | None = None) -> list[ReviewedRecord]:
    """The packets (of ``profile``, with ``verdict``: a :class:`Verdict` value or :data:`PENDING`) as reviewed."""
    wanted = QueueFilter(profile=profile, verdict=verdict)
    with store.reading() as session:
        query = _with_verdict(_filtered(select(Packet, Report.json).join(Report), wanted), wanted.verdict)
        rows = session.execute(query.order_by(Packet.profile, Packet.created_at, Packet.id)).all()
        ids = [packet.id for packet, _ in rows]
        decisions: dict[str, list[Decision]] = {}
        for decision in session.scalars(select(Decision).where(Decision.packet_id.in_(ids)).order_by(Decision.id)):
            decisions.setdefault(decision.packet_id, []).append(decision)
        session.expunge_all()
    return [_reviewed(packet, PacketReport.from_json(text), decisions.get(packet.id, [])) for packet, text in rows]


def _reviewed(packet: Packet, report: PacketReport, decisions: list[Decision]) -> ReviewedRecord:
    corrections: dict[str, Correction] = {}
    verdict: Verdict | None = None
    note: str | None = None
    for decision in decisions:  # oldest first: the latest decision of each target wins
        if decision.kind == DecisionKind.FIELD and decision.target is not None:
            corrections[decision.target] = Correction(
                original=decision.original,
                value=decision.value,
                reason=decision.reason,
                actor=decision.actor,
                at=decision.created_at,
            )
        elif decision.kind == DecisionKind.PACKET:
            verdict, note = Verdict(decision.value), decision.reason
    return ReviewedRecord(
        packet_id=packet.id,
        source=packet.source,
        profile=packet.profile,
        report=report,
        corrections=corrections,
        verdict=verdict,
        verdict_note=note,
    )


def correct_field(store: Store, packet_id: str, key: str, value: str, reason: str, actor: str) -> None:
    """Record a correction of an applicant field: the value it replaces is kept beside it."""
    if key not in APPLICANT_FIELDS:
        raise DecisionError(f"没有字段 {key}")
    new_value = _text(value, MAX_VALUE_LENGTH, "更正值") or None
    with store.exclusive() as session:
        review = _current(session, packet_id)
        original = review.value(key)
        if original == new_value:
            raise DecisionError("更正值与当前值相同")
        decision = _decide(session, packet_id, DecisionKind.FIELD, key, original, new_value, reason, actor)
        if key == "name":  # the queue lists the packet under its applicant's name as reviewed
            packet = session.get(Packet, packet_id)
            if packet is not None:
                packet.applicant_name = queue_name(new_value)
        session.add(audit_entry(actor, "field.corrected", packet_id, field=key, decision=decision.id))


def judge_finding(store: Store, packet_id: str, position: int, judgement: Judgement, reason: str, actor: str) -> None:
    """Accept or dismiss one finding of the report; dismissing needs a reason."""
    if judgement == Judgement.DISMISSED and not reason.strip():
        raise DecisionError("驳回问题须填写理由")
    with store.exclusive() as session:
        review = _current(session, packet_id)
        if not 0 <= position < len(review.report.findings):
            raise DecisionError("没有这一问题")
        code = review.report.findings[position].code
        decision = _decide(
            session, packet_id, DecisionKind.FINDING, str(position), code.value, judgement.value, reason, actor
        )
        session.add(
            audit_entry(
                actor, f"finding.{judgement.value}", packet_id, finding=position, code=code, decision=decision.id
            )
        )


def set_verdict(store: Store, packet_id: str, verdict: Verdict, note: str, actor: str) -> None:
    """Set the packet's verdict (approved, rejected, needs more material)."""
    if verdict != Verdict.APPROVED and not note.strip():
        raise DecisionError("不通过或需补充材料时须填写说明")
    with store.exclusive() as session:
        packet = session.get(Packet, packet_id)
        if packet is None:
            raise DecisionError("没有这一材料")
        decision = _decide(session, packet_id, DecisionKind.PACKET, None, packet.verdict, verdict.value, note, actor)
        packet.verdict = verdict.value
        session.add(audit_entry(actor, "packet.verdict", packet_id, verdict=verdict.value, decision=decision.id))


def _current(session: Session, packet_id: str) -> ReviewedRecord:
    found = _stored(session, packet_id)
    if found is None:
        raise DecisionError("没有这一材料")
    packet, report_json, decisions = found
    return _reviewed(packet, PacketReport.from_json(report_json), decisions)


def _stored(session: Session, packet_id: str) -> tuple[Packet, str, list[Decision]] | None:
    """The packet, its stored report's JSON and its decisions in order; None for an unknown packet."""
    packet = session.get(Packet, packet_id)
    stored = session.get(Report, packet_id)
    if packet is None or stored is None:
        return None
    decisions = list(session.scalars(select(Decision).where(Decision.packet_id == packet_id).order_by(Decision.id)))
    return packet, stored.json, decisions


def _decide(
    session: Session,
    packet_id: str,
    kind: DecisionKind,
    target: str | None,
    original: Any,
    value: Any,
    reason: str,
    actor: str,
) -> Decision:
    decision = Decision(
        packet_id=packet_id,
        kind=kind.value,
        target=target,
        original=original,
        value=value,
        reason=_text(reason, MAX_REASON_LENGTH, "理由") or None,
        actor=actor,
    )
    session.add(decision)
    session.flush()  # gives the decision its id for the audit entry
    return decision


def _text(text: str, limit: int, what: str) -> str:
    text = text.strip()
    if len(text) > limit:
        raise DecisionError(f"{what}超过 {limit} 个字符")
    return text


AUDIT_PAGE_SIZE = 200


def audit_entries(store: Store, before: int | None = None) -> list[AuditEntry]:
    """The latest audit entries (older than entry ``before`` when given), newest first."""
    with store.reading() as session:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE_SIZE)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        entries = list(session.scalars(query))
        session.expunge_all()
        return entries
