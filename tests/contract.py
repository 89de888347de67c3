"""The keys of ``shared/REPORT_FORMAT.md``, written out, and a checker that a report JSON has them all.

The list is kept in the repository so the contract holds where ``../shared`` is
absent; ``test_report.py`` also parses REPORT_FORMAT.md itself, when present, to
catch this list drifting from the document.
"""

from __future__ import annotations

from typing import Any

TOP_LEVEL = [
    "schema_version",
    "packet_id",
    "source",
    "profile",
    "status",
    "errors",
    "pages",
    "applicant",
    "summary_rows",
    "apprentices",
    "certificates",
    "seals",
    "cross_page_seals",
    "findings",
    "timings",
]
PAGE = ["index", "doc_type", "width", "height", "rotation", "ocr_engine"]
FIELD = ["value", "confidence", "page", "bbox", "raw"]
APPLICANT_FIELDS = [
    "name",
    "gender",
    "birth_month",
    "id_number",
    "ethnicity",
    "political_status",
    "education",
    "work_start",
    "employer",
    "occupation",
    "qualification_level",
    "qualification_date",
    "phone",
    "recommending_unit",
]
APPLICANT_LISTS = ["competitions", "honors"]
COMPETITION = ["year", "scope", "category", "event", "rank", "raw"]
HONOR = ["title", "year", "raw"]
SEAL = ["page", "bbox", "shape", "color", "text", "partial", "edge", "confidence"]
CROSS_PAGE_SEAL = ["pages", "edge", "complete", "missing_pages", "confidence"]
FINDING = ["code", "severity", "field", "message", "pages", "evidence"]
ERROR = ["stage", "page", "message"]
DOC_TYPES = [
    "application_form",
    "overview_sheet",
    "summary_sheet",
    "apprentice_sheet",
    "deeds",
    "certificate",
    "id_copy",
    "pledge",
    "recommendation",
    "other",
]
FINDING_CODES = [
    "ID_NUMBER_INVALID",
    "BIRTH_MISMATCH",
    "GENDER_MISMATCH",
    "AGE_OVER_LIMIT",
    "QUALIFICATION_BELOW_MINIMUM",
    "CRITERIA_NOT_MET",
    "SUMMARY_MISMATCH",
    "CERTIFICATE_MISMATCH",
    "MISSING_DOCUMENT",
    "MISSING_SEAL",
    "CROSS_PAGE_SEAL_MISSING",
    "CROSS_PAGE_SEAL_BROKEN",
    "DUPLICATE_SEAL_IMPRESSION",
    "COPY_NOT_CERTIFIED",
    "SEAL_OWNER_MISMATCH",
    "DUPLICATE_APPLICANT",
    "APPRENTICE_INVALID",
    "QUOTA_EXCEEDED",
]
PROFILES = ["luzhou-2019", "liaocheng-2019", "shizhong-2020", "chongqing-bayu", "wenzhou-7"]


def missing_keys(report: dict[str, Any]) -> list[str]:
    """Every contract key absent from ``report`` (a parsed report JSON), as dotted paths; empty when complete."""
    missing = [key for key in TOP_LEVEL if key not in report]
    missing += _each(report.get("pages", []), PAGE, "pages")
    missing += _applicant(report.get("applicant", {}), "applicant")
    for i, row in enumerate(report.get("summary_rows", [])):
        missing += _applicant(row, f"summary_rows[{i}]")
    missing += _each(report.get("seals", []), SEAL, "seals")
    missing += _each(report.get("cross_page_seals", []), CROSS_PAGE_SEAL, "cross_page_seals")
    missing += _each(report.get("findings", []), FINDING, "findings")
    missing += _each(report.get("errors", []), ERROR, "errors")
    if "total" not in report.get("timings", {}):
        missing.append("timings.total")
    return missing


def _each(items: list[dict[str, Any]], keys: list[str], where: str) -> list[str]:
    return [f"{where}[{i}].{key}" for i, item in enumerate(items) for key in keys if key not in item]


def _applicant(applicant: dict[str, Any], where: str) -> list[str]:
    missing = [f"{where}.{key}" for key in APPLICANT_FIELDS + APPLICANT_LISTS if key not in applicant]
    for key in APPLICANT_FIELDS:
        value = applicant.get(key)
        if isinstance(value, dict):
            missing += [f"{where}.{key}.{k}" for k in FIELD if k not in value]
    missing += _each(applicant.get("competitions", []), COMPETITION, f"{where}.competitions")
    missing += _each(applicant.get("honors", []), HONOR, f"{where}.honors")
    return missing
