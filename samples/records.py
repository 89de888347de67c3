"""A person as each document writes them: the values the contract normalises, and the text on paper."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from models.dates import year_month
from samples.documents import Entry, Record

LEVEL_GRADES = {"初级工": "五级", "中级工": "四级", "高级工": "三级", "技师": "二级", "高级技师": "一级"}
LEVEL_STYLES = ("{level}", "{grade}/{level}", "{grade}（{level}）")


def month(date: dt.date, fmt: str) -> Entry:
    """A month as the contract wants it (``YYYY-MM``) and as the form writes it (``fmt``)."""
    return Entry(value=year_month(date), raw=_month_text(date, fmt))


def _month_text(date: dt.date, fmt: str) -> str:
    # strftime would zero-pad 年5月 to 年05月; forms write both, the 年月 style usually without the zero.
    if "年" in fmt:
        return f"{date.year}年{date.month}月"
    return date.strftime(fmt)


def level(name: str, style: str) -> Entry:
    """A qualification level: normalised name, and as written (高级技师, 一级/高级技师 …)."""
    return Entry(value=name, raw=style.format(level=name, grade=LEVEL_GRADES.get(name, "")))


def plain(text: str) -> Entry:
    return Entry(value=text, raw=text)


def person_record(person: Any, date_format: str, level_style: str) -> Record:
    """Every contract key of ``person`` (a :class:`samples.people.Person`) as one document writes it."""
    return {
        "name": plain(person.name),
        "gender": plain(person.gender),
        "birth_month": month(person.birth, date_format),
        "id_number": plain(person.id_number),
        "ethnicity": plain(person.ethnicity),
        "political_status": plain(person.political_status),
        "education": plain(person.education),
        "work_start": month(person.work_start, date_format),
        "employer": plain(person.employer),
        "occupation": plain(person.occupation),
        "qualification_level": level(person.qualification_level, level_style),
        "qualification_date": month(person.qualification_date, date_format),
        "phone": plain(person.phone),
        "recommending_unit": plain(person.recommending_unit),
        "email": plain(person.email),
        "id_type": plain("居民身份证"),
        "honor_title": plain(person.honors[0].title if person.honors else "重庆技能大师"),
    }


def pick_level_style(rng: random.Random) -> str:
    return rng.choice(LEVEL_STYLES)
