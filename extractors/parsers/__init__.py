"""Parsers for the values written on the forms: ID numbers, dates, simple fields, competitions and honours.

Each parser takes text as read (a cell, a line, a form section) and returns the normalised value of
``shared/REPORT_FORMAT.md``, or ``None`` / ``[]`` when the text does not state one clearly.
"""

from __future__ import annotations

from extractors.parsers.competitions import parse_competitions, parse_honors, split_entries
from extractors.parsers.dates import parse_date, parse_year, parse_year_month
from extractors.parsers.idnumber import IdNumber, parse_id_number
from extractors.parsers.values import (
    normalize_education,
    normalize_ethnicity,
    normalize_name,
    normalize_political_status,
    normalize_text_value,
    parse_gender,
    parse_phone,
    parse_qualification_level,
)

__all__ = [
    "IdNumber",
    "normalize_education",
    "normalize_ethnicity",
    "normalize_name",
    "normalize_political_status",
    "normalize_text_value",
    "parse_competitions",
    "parse_date",
    "parse_gender",
    "parse_honors",
    "parse_id_number",
    "parse_phone",
    "parse_qualification_level",
    "parse_year",
    "parse_year_month",
    "split_entries",
]
