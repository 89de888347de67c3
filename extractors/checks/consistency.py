"""Checks that the packet's documents agree: summary-sheet rows, certificates and ID copy against the form,
and the apprentices' rows against their own ID numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping

from extractors.checks.base import evidence_of, finding, pages_of, same, severity, sure
from extractors.parsers import parse_id_number
from models.dates import age_on
from models.profile import Profile
from models.report import (
    APPLICANT_FIELDS,
    DOC_TYPE_LABELS,
    FIELD_LABELS,
    CertificateKind,
    DocType,
    Field,
    Finding,
    FindingCode,
    PacketReport,
    applicant_rows_by_sheet,
)

CERTIFICATE_KEYS = {"holder": "name", "id_number": "id_number", "qualification_level": "qualification_level"}
"""Certificate fields compared with the form: certificate key -> applicant key."""
ID_CARD_KEYS = {"holder": "name", "id_number": "id_number", "gender": "gender", "birth_date": "birth_month"}
COMPARED_COPIES = {
    CertificateKind.QUALIFICATION: ("职业资格证书", CERTIFICATE_KEYS),
    CertificateKind.ID_CARD: (DOC_TYPE_LABELS[DocType.ID_COPY], ID_CARD_KEYS),
}
"""Copies compared with the form: what the message calls the document, and which keys."""
AGE_TOLERANCE = 1
"""Years an apprentice's stated age may differ from the age the ID number gives (the sheet's date is unknown)."""


def _differences(form: object, other: object, keys: Mapping[str, str]) -> Iterator[tuple[str, Field, Field]]:
    """(form key, the other document's read, the form's read) for each field both read and read differently.

    ``keys`` maps the other document's field names to the form's.
    """
    for other_key, key in keys.items():
        theirs: Field | None = getattr(other, other_key)
        ours: Field | None = getattr(form, key)
        if theirs is None or ours is None or theirs.value is None or ours.value is None or same(theirs, ours):
            continue
        yield key, theirs, ours


SUMMARY_KEYS = {key: key for key in APPLICANT_FIELDS}


def check_summary_rows(report: PacketReport) -> list[Finding]:
    """SUMMARY_MISMATCH: field by field, the applicant's row on each sheet against the form."""
    applicant = report.applicant
    found: list[Finding] = []
    for row in applicant_rows_by_sheet(report.summary_rows, applicant):
        for key, row_value, form_value in _differences(applicant, row, SUMMARY_KEYS):
            label = FIELD_LABELS[key]
            found.append(
                finding(
                    FindingCode.SUMMARY_MISMATCH,
                    severity(sure(form_value, row_value)),
                    f"汇总表中的{label}“{row_value.value}”与申报表的“{form_value.value}”不一致。",
                    field_name=key,
                    pages=pages_of(form_value, row_value),
                    evidence=evidence_of("form", form_value) | evidence_of("summary", row_value),
                )
            )
    return found


def check_certificates(report: PacketReport) -> list[Finding]:
    """CERTIFICATE_MISMATCH: holder, ID number and level of the certificates, and the ID copy, against the form."""
    applicant = report.applicant
    found: list[Finding] = []
    for copy in report.certificates:
        if (compared := COMPARED_COPIES.get(copy.kind)) is None:
            continue
        document, keys = compared
        for key, copy_value, form_value in _differences(applicant, copy, keys):
            label = FIELD_LABELS[key]
            found.append(
                finding(
                    FindingCode.CERTIFICATE_MISMATCH,
                    severity(sure(copy_value, form_value)),
                    f"{document}上的{label}“{copy_value.value}”与申报表的“{form_value.value}”不一致。",
                    field_name=key,
                    pages=pages_of(copy_value, form_value),
                    evidence=evidence_of("certificate", copy_value)
                    | evidence_of("form", form_value)
                    | {"certificate_kind": copy.kind.value},
                )
            )
    return found


def check_apprentices(report: PacketReport, profile: Profile | None) -> list[Finding]:
    """APPRENTICE_INVALID: an apprentice's ID number fails GB 11643, or their age contradicts it."""
    reference = profile.reference_date if profile is not None else None
    found: list[Finding] = []
    for number, apprentice in enumerate(report.apprentices, start=1):
        read = apprentice.id_number
        if read is None or read.value is None:
            continue
        name = apprentice.name.value if apprentice.name is not None and apprentice.name.value else f"第{number}行"
        parsed = parse_id_number(read.value)
        if parsed is not None and not parsed.valid:
            found.append(
                finding(
                    FindingCode.APPRENTICE_INVALID,
                    severity(sure(read)),
                    f"拟带徒人员{name}的身份证号码{read.value}不符合国家标准。",
                    field_name="id_number",
                    pages=pages_of(read),
                    evidence=evidence_of("id_number", read) | {"row": number, "reason": parsed.reason},
                )
            )
            continue
        age = apprentice.age
        if parsed is None or parsed.birth_date is None or age is None or age.value is None:
            continue
        on = reference or dt.date.today()
        implied = age_on(parsed.birth_date, on)
        if abs(implied - int(age.value)) > AGE_TOLERANCE:
            found.append(
                finding(
                    FindingCode.APPRENTICE_INVALID,
                    severity(sure(read, age)),
                    f"拟带徒人员{name}填写年龄{age.value}岁，与身份证号码推算的{implied}岁不符。",
                    field_name="age",
                    pages=pages_of(read, age),
                    evidence=evidence_of("age", age) | evidence_of("id_number", read) | {"implied_age": implied},
                )
            )
    return found
