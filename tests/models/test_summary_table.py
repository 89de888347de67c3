"""The profiles' summary tables: every notice has one, its sources are known, and it is the template's own."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pydantic
import pytest

from models.profile import Profile, SummaryColumn, SummaryColumnSource, get_profile, load_profiles
from models.report import APPLICANT_FIELDS
from tests.conftest import shared_path

MINIMAL = """
id = "minimal"
notice = "某市首席技师评选"
title_keywords = ["某市首席技师"]
"""

# Profiles whose summary table is printed in their seed notice, with the table's title line there.
PRINTED_TABLES = ["luzhou-2019", "wenzhou-7"]


def seed_of(profile: Profile) -> str:
    """The text of the seed notice the profile is written from (the one that carries its form titles)."""
    seeds = sorted(shared_path("seeds").glob("*.txt"))
    texts = [
        text for seed in seeds if any(k in (text := seed.read_text(encoding="utf-8")) for k in profile.title_keywords)
    ]
    assert len(texts) == 1
    return texts[0]


def squeeze(text: str) -> str:
    """Text without the line breaks and padding of a template's cells (“推荐\\n排序”, “姓  名”)."""
    return "".join(text.split())


def printed_headers(seed: str, title: str) -> list[str]:
    """The header cells of the table printed under the line ``title``, read off the seed's text.

    The seeds write one table cell per tab-indented line; a cell's text may go on over the following lines
    that are not indented. The header ends where the first row of data (``1``) or the notice's text ends.
    """
    lines = seed.splitlines()
    start = next(number for number, line in enumerate(lines) if line.strip() == title)
    cells: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("\t"):
            text = squeeze(line)
            if cells and (not text or text.isdigit()):
                break
            cells.append(text)
        elif cells:
            cells[-1] += squeeze(line)
    return cells


def test_source_names_every_applicant_field() -> None:
    assert set(APPLICANT_FIELDS) <= {source.value for source in SummaryColumnSource}


@pytest.mark.parametrize("profile", sorted(load_profiles()))
def test_every_profile_has_a_summary_table(profile: str) -> None:
    columns = get_profile(profile).summary_table
    assert columns
    for column in columns:
        assert column.source in SummaryColumnSource
        assert column.header == squeeze(column.header) != ""
    headers = [column.header for column in columns]
    assert len(set(headers)) == len(headers), headers
    # Only one column numbers the rows.
    assert [column.source for column in columns].count(SummaryColumnSource.SERIAL) == 1


@pytest.mark.parametrize("profile_id", PRINTED_TABLES)
def test_headers_are_the_printed_templates(profile_id: str) -> None:
    profile = get_profile(profile_id)
    assert profile.summary_table_title is not None
    seed = seed_of(profile)
    assert profile.summary_table_title in (line.strip() for line in seed.splitlines())
    assert [column.header for column in profile.summary_table] == printed_headers(seed, profile.summary_table_title)


def test_luzhou_is_its_summary_sheet() -> None:
    """The 汇总表 (not the 一览表) of luzhou, with 现职业资格及取得时间 as level and date in one."""
    profile = get_profile("luzhou-2019")
    assert profile.summary_table_title == "泸州市首席技师申报人员基本情况汇总表"
    columns = {column.header: column.source for column in profile.summary_table}
    assert columns["推荐排序"] is SummaryColumnSource.SERIAL
    assert columns["身份证号"] is SummaryColumnSource.ID_NUMBER
    assert columns["现职业资格及取得时间"] is SummaryColumnSource.QUALIFICATION


def test_chongqing_headers_are_its_forms_labels() -> None:
    """Chongqing prints no summary table; its columns are the 申报表's own labels (and a 序号 for the list)."""
    profile = get_profile("chongqing-bayu")
    assert profile.summary_table_title is None
    form = squeeze(seed_of(profile))
    for column in profile.summary_table:
        if column.source is not SummaryColumnSource.SERIAL:
            assert column.header in form, column.header


def test_age_is_only_asked_where_ages_are_counted() -> None:
    """An age column needs the date it is counted on."""
    for profile in load_profiles().values():
        if any(column.source is SummaryColumnSource.AGE for column in profile.summary_table):
            assert profile.reference_date is not None, profile.id


def test_a_profile_needs_no_summary_table() -> None:
    profile = Profile.model_validate(tomllib.loads(MINIMAL))
    assert profile.summary_table == ()
    assert profile.summary_table_title is None


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ('{ header = "", source = "name" }', "header"),
        ('{ header = "  ", source = "name" }', "header"),
        ('{ header = "姓名", source = "nickname" }', "source"),
        ('{ header = "姓名", source = "name", width = 3 }', "width"),
    ],
)
def test_a_malformed_column_is_refused(tmp_path: Path, entry: str, complaint: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL + f"summary_table = [{entry}]\n", encoding="utf-8")
    with pytest.raises(pydantic.ValidationError, match=complaint):
        Profile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))


def test_a_column_is_a_frozen_record() -> None:
    column = SummaryColumn(header="姓名", source=SummaryColumnSource.NAME)
    with pytest.raises(pydantic.ValidationError):
        column.header = "名字"  # type: ignore[misc]
