"""Profiles: the rule set of one notice, as data (one TOML file per notice in ``profiles/``).

A new notice is a new file, not new code: identity and form titles, the date
ages are counted on, age limits, the minimum level and its exceptions, the
qualifying competition results and honours, required documents, the boxes that
need a seal, the documents that need a 骑缝章 and the copies that need
与原件一致, the quotas per recommending unit, and the columns of the notice's
own summary table (汇总表 / 一览表), the shape the reviewed records are exported in.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from enum import StrEnum
from functools import cache
from importlib import resources

import pydantic
from pydantic import BaseModel, ConfigDict

from models.report import CompetitionCategory, DocType, QualificationLevel, Scope


class CompetitionCriterion(BaseModel):
    """One row of a notice's table of qualifying competition results: scope, class and the worst rank that counts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scope: Scope
    category: CompetitionCategory | None = pydantic.Field(
        default=None, description="class1 (一类) or class2 (二类); null: any class"
    )
    max_rank: int = pydantic.Field(ge=1, description="The lowest place that qualifies (前六名 = 6)")


class SummaryColumnSource(StrEnum):
    """Where a summary-table column takes its value from: a reviewed applicant field or something derived.

    The applicant field keys are those of ``models.report.APPLICANT_FIELDS`` (a test keeps the two in step).
    """

    SERIAL = "serial"
    """序号 / 推荐排序: the record's place in the exported list, from 1."""
    NAME = "name"
    GENDER = "gender"
    BIRTH_MONTH = "birth_month"
    ID_NUMBER = "id_number"
    ETHNICITY = "ethnicity"
    POLITICAL_STATUS = "political_status"
    EDUCATION = "education"
    WORK_START = "work_start"
    EMPLOYER = "employer"
    OCCUPATION = "occupation"
    QUALIFICATION_LEVEL = "qualification_level"
    QUALIFICATION_DATE = "qualification_date"
    PHONE = "phone"
    RECOMMENDING_UNIT = "recommending_unit"
    AGE = "age"
    """Full years on the profile's reference_date, from the ID number's birth date or else 出生年月."""
    QUALIFICATION = "qualification"
    """Level and date in one column (现职业资格及取得时间)."""
    COMPETITIONS = "competitions"
    """The competition results as read, one per line."""
    HONORS = "honors"
    """The honours as read, one per line."""
    COMPETITIONS_AND_HONORS = "competitions_and_honors"
    """Both, competitions first, for a column that asks for the two together (技能大赛获奖和获得先进荣誉称号情况)."""
    VERDICT = "verdict"
    """The reviewer's decision, in Chinese (通过 / 不通过 / 需补充材料)."""
    REMARKS = "remarks"
    """备注: left empty for the reviewer to write in."""
    BLANK = "blank"
    """A column the pipeline does not read (职务, 主要工作经历 …): printed empty."""


class SummaryColumn(BaseModel):
    """One column of a notice's summary table: its header as printed and where its value comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    header: str = pydantic.Field(description="The column header as the template prints it, without line breaks")
    source: SummaryColumnSource

    @pydantic.field_validator("header")
    @classmethod
    def _header_not_blank(cls, header: str) -> str:
        if not header.strip():
            raise ValueError("a summary-table column needs a header")
        return header


class Profile(BaseModel):
    """The rule set of one selection notice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = pydantic.Field(pattern=r"^[a-z0-9-]+$", description="Profile name used in reports and --profile")
    notice: str = pydantic.Field(description="The notice this profile is written from")
    title_keywords: tuple[str, ...] = pydantic.Field(
        min_length=1,
        description="Phrases of the notice's own form titles; a packet whose pages carry them belongs here",
    )
    reference_date: dt.date | None = pydantic.Field(
        default=None, description="The date ages are counted on (the notice's deadline or date); null if it gives none"
    )
    max_age: dict[str, int] = pydantic.Field(
        default_factory=dict, description="Oldest eligible age in full years, by 性别 (男, 女); empty: no limit"
    )
    min_qualification: QualificationLevel | None = pydantic.Field(
        default=None, description="Lowest qualification level eligible; null: no minimum"
    )
    cross_page_seal: tuple[str, ...] = pydantic.Field(
        default=(), description="doc_types whose multi-page documents must carry a 骑缝章"
    )
    qualification_exceptions: tuple[str, ...] = pydantic.Field(
        default=(),
        description="Occupation words (传统技艺 …) for which the notice accepts a level below min_qualification",
    )
    competition_criteria: tuple[CompetitionCriterion, ...] = pydantic.Field(
        default=(), description="Competition results that qualify; any one is enough"
    )
    competition_years: int | None = pydantic.Field(
        default=None, ge=1, description="Only results of this many years before the reference date count"
    )
    qualifying_honors: tuple[str, ...] = pydantic.Field(
        default=(),
        description="Honour titles (or their distinctive part, e.g. 省技术能手) that qualify by themselves",
    )
    required_documents: tuple[DocType, ...] = pydantic.Field(
        default=(), description="doc_types every packet must contain"
    )
    sealed_boxes: tuple[str, ...] = pydantic.Field(
        default=(),
        description="Labels of the boxes and lines that must carry a seal (所在单位意见, 推荐单位意见 …)",
    )
    certified_copies: tuple[DocType, ...] = pydantic.Field(
        default=(), description="Copies that must say 与原件一致 and carry a seal"
    )
    quotas: dict[str, int] = pydantic.Field(
        default_factory=dict, description="Most candidates each recommending unit may send, by unit name"
    )
    default_quota: int | None = pydantic.Field(
        default=None, ge=1, description="Most candidates a recommending unit not listed in quotas may send"
    )
    field_labels: dict[str, tuple[str, ...]] = pydantic.Field(
        default_factory=dict,
        description="Labels this notice's forms print for applicant fields, beyond the common vocabulary",
    )
    summary_table_title: str | None = pydantic.Field(
        default=None, description="The title of the notice's summary table as printed; null: the notice prints none"
    )
    summary_table: tuple[SummaryColumn, ...] = pydantic.Field(
        default=(), description="The columns of the notice's summary table, in the template's order"
    )


class ProfileError(ValueError):
    """A profile file is missing or malformed, or an unknown profile was asked for."""


@cache
def load_profiles() -> dict[str, Profile]:
    """All profiles shipped in ``models/profiles/``, by id."""
    profiles: dict[str, Profile] = {}
    for entry in sorted(resources.files("models.profiles").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            profile = Profile.model_validate(tomllib.loads(entry.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, pydantic.ValidationError) as exc:
            raise ProfileError(f"profile file {entry.name} is invalid: {exc}") from exc
        if profile.id in profiles:
            raise ProfileError(f"profile id {profile.id!r} is defined twice")
        profiles[profile.id] = profile
    return profiles


def get_profile(profile_id: str) -> Profile:
    """The profile called ``profile_id``; :class:`ProfileError` naming the known ones otherwise."""
    profiles = load_profiles()
    try:
        return profiles[profile_id]
    except KeyError:
        known = ", ".join(sorted(profiles))
        raise ProfileError(f"unknown profile {profile_id!r}; known profiles: {known}") from None
