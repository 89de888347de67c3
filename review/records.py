"""A packet as reviewed: the stored report, the reviewer's corrections and the verdict.

Plain frozen dataclasses, with no web framework or database in them, so the
exports (:mod:`review.export`) and their tests build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from models.report import APPLICANT_FIELDS, Field, PacketReport


class Verdict(StrEnum):
    """The reviewer's decision on a packet."""

    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_MATERIAL = "needs_material"


VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.APPROVED: "通过",
    Verdict.REJECTED: "不通过",
    Verdict.NEEDS_MATERIAL: "需补充材料",
}
"""How the exports and the reviewer UI write each verdict."""


@dataclass(frozen=True)
class Correction:
    """A reviewer's change to one applicant field."""

    original: str | None
    """The value before this correction (the report's, or an earlier correction's)."""
    value: str | None
    """The value as corrected; None when the reviewer cleared it."""
    reason: str | None
    actor: str
    at: datetime


@dataclass(frozen=True)
class ReviewedRecord:
    """One packet as reviewed: the report, the reviewer's corrections applied, and the verdict."""

    packet_id: str
    source: str
    profile: str | None
    report: PacketReport
    """The stored report, unchanged."""
    corrections: dict[str, Correction]
    """Applicant field key -> the latest correction."""
    verdict: Verdict | None
    """None: not decided yet."""
    verdict_note: str | None = None

    def value(self, key: str) -> str | None:
        """The applicant field's value as reviewed: the correction if there is one, else the report's value.

        Args:
            key: An applicant field key (``models.report.APPLICANT_FIELDS``).

        Returns:
            The value, or None where the field was not read (or the reviewer cleared it).

        Raises:
            KeyError: when ``key`` is not an applicant field key (a misspelt key would otherwise read as empty).
        """
        if key not in APPLICANT_FIELDS:
            raise KeyError(f"{key!r} is not an applicant field; known: {', '.join(APPLICANT_FIELDS)}")
        correction = self.corrections.get(key)
        if correction is not None:
            return correction.value
        return self.original(key)

    def original(self, key: str) -> str | None:
        """The applicant field's value as the report has it, before any correction.

        Raises:
            KeyError: when ``key`` is not an applicant field key.
        """
        if key not in APPLICANT_FIELDS:
            raise KeyError(f"{key!r} is not an applicant field; known: {', '.join(APPLICANT_FIELDS)}")
        field: Field | None = getattr(self.report.applicant, key)
        return None if field is None else field.value
