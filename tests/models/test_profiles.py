"""The profile files: each loads, carries its notice's key numbers, and a malformed one is refused."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pydantic
import pytest

from extractors.forms.labels import APPLICANT_LABELS, label_form
from models import DocType, Scope, load_profiles
from models.profile import CompetitionCriterion, Profile, ProfileError, get_profile
from models.report import CompetitionCategory, QualificationLevel
from samples.layouts import LAYOUTS
from tests import contract
from tests.conftest import shared_path

PROFILE_IDS = ["luzhou-2019", "liaocheng-2019", "shizhong-2020", "chongqing-bayu", "wenzhou-7"]

MINIMAL = """
id = "minimal"
notice = "某市首席技师评选"
title_keywords = ["某市首席技师"]
"""


def criterion(scope: str, category: str | None, max_rank: int) -> CompetitionCriterion:
    return CompetitionCriterion(
        scope=Scope(scope), category=CompetitionCategory(category) if category else None, max_rank=max_rank
    )


def test_all_five_profiles_load_and_validate() -> None:
    profiles = load_profiles()
    assert sorted(profiles) == sorted(PROFILE_IDS) == sorted(contract.PROFILES)
    for profile_id, profile in profiles.items():
        assert profile.id == profile_id
        assert get_profile(profile_id) is profile
        # A dump validates again to the same profile (nothing is lost or coerced on the way).
        assert Profile.model_validate(profile.model_dump()) == profile


def test_an_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="luzhou-2019"):
        get_profile("nowhere-2030")


def test_luzhou() -> None:
    profile = get_profile("luzhou-2019")
    assert profile.reference_date == dt.date(2019, 7, 30)
    assert profile.max_age == {"男": 57, "女": 47}
    assert profile.min_qualification is QualificationLevel.TECHNICIAN
    assert profile.qualification_exceptions == ("传统技艺",)
    assert criterion("national", "class1", 6) in profile.competition_criteria
    assert criterion("provincial", "class2", 1) in profile.competition_criteria
    assert criterion("municipal", "class1", 1) in profile.competition_criteria
    assert not any(
        c.scope == Scope.MUNICIPAL and c.category == CompetitionCategory.CLASS2 for c in profile.competition_criteria
    )
    assert profile.competition_years is None
    assert profile.qualifying_honors == ()
    assert set(profile.required_documents) == {
        DocType.APPLICATION_FORM,
        DocType.OVERVIEW_SHEET,
        DocType.SUMMARY_SHEET,
        DocType.APPRENTICE_SHEET,
        DocType.CERTIFICATE,
        DocType.DEEDS,
    }
    assert profile.cross_page_seal == (DocType.APPLICATION_FORM,)
    assert DocType.CERTIFICATE in profile.certified_copies
    assert "推荐单位意见" in profile.sealed_boxes


def test_liaocheng() -> None:
    profile = get_profile("liaocheng-2019")
    assert profile.reference_date == dt.date(2019, 7, 31)
    assert profile.max_age == {"男": 55, "女": 55}
    assert profile.min_qualification is QualificationLevel.TECHNICIAN
    assert profile.competition_years == 4
    assert criterion("provincial", "class2", 2) in profile.competition_criteria
    assert criterion("national", "class1", 6) in profile.competition_criteria
    assert {"全国技术能手", "中华技能大奖", "省技术能手"} <= set(profile.qualifying_honors)
    assert set(profile.required_documents) == {
        DocType.RECOMMENDATION,
        DocType.OVERVIEW_SHEET,
        DocType.APPLICATION_FORM,
        DocType.PLEDGE,
        DocType.DEEDS,
        DocType.CERTIFICATE,
    }
    assert profile.default_quota == 10


def test_shizhong() -> None:
    profile = get_profile("shizhong-2020")
    assert profile.max_age == {"男": 50, "女": 50}
    assert profile.min_qualification is QualificationLevel.TECHNICIAN
    # 全国职业技能竞赛 of either class, top six.
    assert criterion("national", None, 6) in profile.competition_criteria
    assert criterion("municipal", "class1", 2) in profile.competition_criteria
    assert criterion("municipal", "class2", 1) in profile.competition_criteria
    assert set(profile.required_documents) == {DocType.APPLICATION_FORM, DocType.DEEDS, DocType.CERTIFICATE}


def test_chongqing() -> None:
    profile = get_profile("chongqing-bayu")
    assert profile.reference_date is None
    assert profile.max_age == {}
    assert profile.min_qualification is None
    assert [c.scope for c in profile.competition_criteria] == [Scope.WORLD]
    assert {"中华技能大奖", "重庆技能大师", "全国技术能手"} <= set(profile.qualifying_honors)
    assert set(profile.required_documents) == {DocType.APPLICATION_FORM, DocType.DEEDS, DocType.ID_COPY}


def test_wenzhou() -> None:
    profile = get_profile("wenzhou-7")
    assert profile.reference_date == dt.date(2021, 9, 28)
    assert profile.max_age == {"男": 59, "女": 49}
    assert profile.min_qualification is QualificationLevel.TECHNICIAN
    assert criterion("national", "class1", 10) in profile.competition_criteria
    assert criterion("provincial", "class2", 1) in profile.competition_criteria
    assert profile.qualifying_honors == ("温州市技术能手", "温州市青年岗位能手")
    assert set(profile.required_documents) == {
        DocType.APPLICATION_FORM,
        DocType.OVERVIEW_SHEET,
        DocType.DEEDS,
        DocType.ID_COPY,
        DocType.CERTIFICATE,
    }
    # 附件1 推荐名额分配表: fourteen named units, 各1 for the rest.
    assert len(profile.quotas) == 14
    assert profile.quotas["乐清市"] == 5
    assert profile.quotas["洞头区"] == 1
    assert sum(profile.quotas.values()) == 41
    assert profile.default_quota == 1


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_honours_match_as_written_on_forms(profile_id: str) -> None:
    """Each honour is a distinctive part, found in the full title (matching is substring, spaces removed)."""
    full_titles = {
        "luzhou-2019": [],
        "liaocheng-2019": ["山东省技术能手", "山东省有突出贡献技师", "聊城市突出贡献技师", "享受国务院政府特殊津贴"],
        "shizhong-2020": ["山东省有突出贡献技师", "枣庄市技术能手", "全国技术能手"],
        "chongqing-bayu": ["重庆技能大师", "重庆英才·名家名师", "市级非物质文化遗产代表性传承人"],
        "wenzhou-7": ["温州市技术能手", "温州市青年岗位能手"],
    }[profile_id]
    honours = get_profile(profile_id).qualifying_honors
    for title in full_titles:
        assert any(honour in title.replace(" ", "") for honour in honours), title
    assert all(" " not in honour for honour in honours)


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_required_documents_are_in_the_sample_packets(profile_id: str) -> None:
    """A clean generated packet holds every document the profile requires (else it is not clean)."""
    assert set(get_profile(profile_id).required_documents) <= set(LAYOUTS[profile_id].documents)


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_field_labels_add_new_labels_to_known_fields(profile_id: str) -> None:
    common = {key: {label_form(label) for label in labels} for key, labels in APPLICANT_LABELS.items()}
    for key, labels in get_profile(profile_id).field_labels.items():
        assert key in APPLICANT_LABELS
        assert all(label_form(label) not in common[key] for label in labels)


@pytest.mark.parametrize("profile_id", PROFILE_IDS)
def test_each_profile_is_written_from_its_seed_notice(profile_id: str) -> None:
    """Exactly one seed notice carries the profile's form titles."""
    seeds = sorted(shared_path("seeds").glob("*.txt"))
    keywords = get_profile(profile_id).title_keywords
    matching = [seed for seed in seeds if any(k in seed.read_text(encoding="utf-8") for k in keywords)]
    assert len(matching) == 1, matching


def test_a_minimal_profile_validates() -> None:
    profile = Profile.model_validate(tomllib.loads(MINIMAL))
    assert profile.max_age == {}
    assert profile.required_documents == ()


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ('max_ages = { "男" = 55 }', "max_ages"),  # misspelt key
        ('competition_criteria = [{ scope = "county", max_rank = 1 }]', "scope"),
        ('competition_criteria = [{ scope = "national", category = "class3", max_rank = 1 }]', "category"),
        ('competition_criteria = [{ scope = "national", max_rank = 0 }]', "max_rank"),
        ('competition_criteria = [{ scope = "national", max_rank = 3, rank = 1 }]', "rank"),
        ('required_documents = ["passport"]', "required_documents"),
        ('min_qualification = "大师"', "min_qualification"),
    ],
)
def test_a_malformed_profile_is_refused(tmp_path: Path, extra: str, complaint: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL + extra + "\n", encoding="utf-8")
    with pytest.raises(pydantic.ValidationError, match=complaint):
        Profile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
