"""Profiles: the rule set of one notice, as data (one TOML file per notice in ``profiles/``).

A new notice is a new file, not new code. This first version carries what the
foundation needs (identity and the form titles that identify a packet); the
rules issue adds age limits, criteria, required documents and seals.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from importlib import resources

import pydantic
from pydantic import BaseModel, ConfigDict

from models.report import QualificationLevel


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
    field_labels: dict[str, tuple[str, ...]] = pydantic.Field(
        default_factory=dict,
        description="Labels this notice's forms print for applicant fields, beyond the common vocabulary",
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
