"""Checks across packets: the same applicant in two packets, a unit over its quota.

Over the packets of one ``dossier process`` run (:func:`check_across`), or of one new
packet against the earlier ones in the database (:func:`check_against`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from extractors.checks.base import evidence_of, finding, pages_of, severity, sure
from extractors.units import same_unit
from models.profile import Profile, load_profiles
from models.report import Finding, FindingCode, PacketReport, PacketStatus, Severity, applicant_row


def recommending_unit(report: PacketReport) -> str | None:
    """The packet's recommending unit: from its form, or else its row on the summary sheet."""
    unit = report.applicant.recommending_unit
    if unit is None or unit.value is None:
        row = applicant_row(report.summary_rows, report.applicant)
        unit = row.recommending_unit if row is not None else None
    return unit.value if unit is not None else None


def check_against(
    earlier: Sequence[PacketReport], new: PacketReport, profiles: Mapping[str, Profile] | None = None
) -> list[Finding]:
    """The cross-packet findings of ``new`` against ``earlier`` packets (in the order they were processed)."""
    return check_across([*earlier, new], profiles).get(len(earlier), [])


def check_across(
    reports: Sequence[PacketReport], profiles: Mapping[str, Profile] | None = None
) -> dict[int, list[Finding]]:
    """DUPLICATE_APPLICANT and QUOTA_EXCEEDED over ``reports`` (in processing order), by report index.

    The first packet of an applicant is the original; each later one with the same
    ID number is flagged. Packets past a unit's quota are flagged in order.

    Args:
        reports: The reports of the run.
        profiles: Profiles by id (default: the shipped ones), for the quotas.
    """
    found: dict[int, list[Finding]] = defaultdict(list)
    first_by_id: dict[str, int] = {}
    for index, report in enumerate(reports):
        if report.status == PacketStatus.FAILED:
            continue
        read = report.applicant.id_number
        if read is None or read.value is None:
            continue
        if read.value not in first_by_id:
            first_by_id[read.value] = index
            continue
        original = reports[first_by_id[read.value]]
        found[index].append(
            finding(
                FindingCode.DUPLICATE_APPLICANT,
                severity(sure(read, original.applicant.id_number), Severity.FRAUD_SUSPECT),
                f"身份证号码{read.value}已在另一份申报材料（{original.source}）中出现，同一人重复申报。",
                field_name="id_number",
                pages=pages_of(read),
                evidence=evidence_of("id_number", read)
                | {"other_packet_id": original.packet_id, "other_source": original.source},
            )
        )
    _quotas(reports, load_profiles() if profiles is None else profiles, found)
    return dict(found)


def _quotas(reports: Sequence[PacketReport], profiles: Mapping[str, Profile], found: dict[int, list[Finding]]) -> None:
    by_unit: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, report in enumerate(reports):
        unit = recommending_unit(report)
        if report.profile is None or unit is None or report.status == PacketStatus.FAILED:
            continue
        key = next((k for k in by_unit if k[0] == report.profile and same_unit(k[1], unit)), None)
        by_unit[key or (report.profile, unit)].append(index)
    for (profile_id, unit), indices in by_unit.items():
        profile = profiles.get(profile_id)
        if profile is None:
            continue
        quota = next(
            (limit for name, limit in profile.quotas.items() if same_unit(name, unit)),
            profile.default_quota,
        )
        if quota is None or len(indices) <= quota:
            continue
        for index in indices[quota:]:
            found[index].append(
                # The quota concerns the unit, not this candidate's material: the bureau chooses whom to keep.
                finding(
                    FindingCode.QUOTA_EXCEEDED,
                    Severity.WARNING,
                    f"推荐单位“{unit}”本次共推荐{len(indices)}人，超过限额{quota}人。",
                    field_name="recommending_unit",
                    pages=[],
                    evidence={
                        "unit": unit,
                        "quota": quota,
                        "count": len(indices),
                        "packets": [reports[i].source for i in indices],
                    },
                )
            )
