"""Dates as the report and the notices count them: full years of age, and the ``YYYY-MM`` of the report."""

from __future__ import annotations

import datetime as dt


def age_on(birth: dt.date, reference: dt.date) -> int:
    """Full years of age on ``reference`` (a birthday on the day counts)."""
    return reference.year - birth.year - ((reference.month, reference.day) < (birth.month, birth.day))


def year_month(day: dt.date) -> str:
    """``YYYY-MM``, the report's form of 出生年月, 参加工作时间 and certificate dates."""
    return f"{day.year:04d}-{day.month:02d}"
