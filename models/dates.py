"""Dates as the report and the notices count them: full years of age, and the ``YYYY-MM`` of the report."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")


def age_on(birth: dt.date, reference: dt.date) -> int:
    """Full years of age on ``reference`` (a birthday on the day counts)."""
    return reference.year - birth.year - ((reference.month, reference.day) < (birth.month, birth.day))


def year_month(day: dt.date) -> str:
    """``YYYY-MM``, the report's form of 出生年月, 参加工作时间 and certificate dates."""
    return f"{day.year:04d}-{day.month:02d}"


def month_span(value: str | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a ``YYYY-MM`` month (a 出生年月 gives no day); None when it is not one."""
    match = _YEAR_MONTH.fullmatch((value or "").strip())
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
