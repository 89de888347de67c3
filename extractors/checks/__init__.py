"""Eligibility, consistency and fraud checks: every finding with its severity, a Chinese sentence and evidence.

``check_packet`` runs the checks of one packet (codes and wording as in
``shared/REPORT_FORMAT.md``); ``check_across`` those that compare packets (the
same applicant twice, a recommending unit over its quota).
"""

from __future__ import annotations

from extractors.checks.base import finish_findings, risk_of, sort_findings
from extractors.checks.consistency import check_apprentices, check_certificates, check_summary_rows
from extractors.checks.crosspacket import check_across, check_against, recommending_unit
from extractors.checks.documents import check_documents
from extractors.checks.person import check_person
from models.profile import Profile
from models.report import Finding, PacketReport
from models.stages import Box, PacketFacts


def check_packet(report: PacketReport, profile: Profile | None, facts: PacketFacts) -> list[Finding]:
    """The findings of one packet's own checks (the seal stage's findings are not repeated)."""
    return (
        check_person(report, profile, facts)
        + check_summary_rows(report)
        + check_certificates(report)
        + check_apprentices(report, profile)
        + check_documents(report, profile, facts)
    )


__all__ = [
    "Box",
    "PacketFacts",
    "check_across",
    "check_against",
    "check_packet",
    "finish_findings",
    "recommending_unit",
    "risk_of",
    "sort_findings",
]
