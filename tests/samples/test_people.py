"""The fake people: real GB 11643 ID numbers, consistent dates, deterministic draws."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
from stdnum.cn import ric

from models.dates import age_on
from models.idnumber import id_check_digit
from samples import people
from tests.conftest import shared_path

REFERENCES = {
    "luzhou-2019": dt.date(2019, 7, 30),
    "liaocheng-2019": dt.date(2019, 7, 31),
    "shizhong-2020": dt.date(2020, 12, 30),
    "chongqing-bayu": dt.date(2021, 7, 21),
    "wenzhou-7": dt.date(2021, 9, 28),
}
"""A reference date per profile (the notices' deadlines)."""
PEOPLE_PER_PROFILE = 200
SEED = 20190730
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
EXPECTED_PATTERN = re.compile(r"expected (?:check digit )?([0-9X])(?: / ([0-9X]))?")
CHECKSUM_SECTION = ("checksum-OK EXCEPT", "Checksum-OK but otherwise invalid")
MIN_VECTORS = 30  # the file holds about 50 numbers: a parse that finds few has gone wrong
MOBILE = re.compile(r"1[3589][0-9]{9}")
EMAIL = re.compile(r"[a-z0-9]+@[a-z0-9]+\.com")
OLDEST_BIRTH_YEAR, YOUNGEST_BIRTH_YEAR = 1940, 2010


def _vectors(path: Path) -> tuple[list[str], dict[str, str]]:
    """Every 18-character number of the test-vector lines, and the bad-checksum ones with their right digit."""
    numbers: list[str] = []
    wrong: dict[str, str] = {}
    in_section = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            in_section = (in_section or CHECKSUM_SECTION[0] in line) and CHECKSUM_SECTION[1] not in line
            if in_section:
                found = ID_PATTERN.findall(line)
                digits = [digit for match in EXPECTED_PATTERN.findall(line) for digit in match if digit]
                wrong.update(zip(found, digits, strict=True))
        elif "|" in line:
            numbers += ID_PATTERN.findall(line.split("|", 1)[0])
    return numbers, wrong


def test_check_digit_matches_every_published_vector() -> None:
    numbers, wrong = _vectors(shared_path("realdata", "ids", "idnumbers.txt"))
    assert len(numbers) >= MIN_VECTORS
    assert wrong and set(wrong) <= set(numbers)
    for number in numbers:
        digit = id_check_digit(number[:17])
        if number in wrong:
            assert digit == wrong[number] != number[17].upper(), number
        else:
            assert digit == number[17].upper(), number


@pytest.mark.parametrize(
    "body", ["T6042619910101007", "3604261991010100", "360426199101010071", "３６０４２６１９９１０１０１００７"]
)
def test_check_digit_refuses_a_body_that_is_not_17_digits(body: str) -> None:
    with pytest.raises(ValueError, match="17 digits"):
        id_check_digit(body)


@pytest.mark.parametrize("profile_id", list(people.PROFILES))
def test_every_birth_year_has_a_valid_region_code(profile_id: str) -> None:
    for year in range(OLDEST_BIRTH_YEAR, YOUNGEST_BIRTH_YEAR + 1):
        assert people.valid_region_codes(profile_id, year), (profile_id, year)


def test_region_codes_follow_the_county_history() -> None:
    # 泸州 got its 5105 prefix in 1983; 重庆 its 50 prefix in 1997.
    assert all(code.startswith("5125") for code in people.valid_region_codes("luzhou-2019", 1975))
    assert all(code.startswith("5105") for code in people.valid_region_codes("luzhou-2019", 1990))
    assert all(code.startswith("5102") for code in people.valid_region_codes("chongqing-bayu", 1980))
    assert all(code.startswith("500") for code in people.valid_region_codes("chongqing-bayu", 2000))


def _check_person(person: people.Person, reference: dt.date, age_range: tuple[int, int]) -> None:
    ric.validate(person.id_number)  # check digit, date and region for the birth year
    assert people.birth_from_id(person.id_number) == ric.get_birth_date(person.id_number) == person.birth
    assert people.gender_from_id(person.id_number) == person.gender
    assert age_range[0] <= person.age_on(reference) <= age_range[1]
    assert 2 <= len(person.name) <= 3
    assert MOBILE.fullmatch(person.phone) and EMAIL.fullmatch(person.email)
    assert person.birth < person.work_start <= person.qualification_date <= reference
    assert person.qualification_level in {people.TECHNICIAN, people.SENIOR_TECHNICIAN}
    assert person.competitions or person.honors


def _check_results(person: people.Person, reference: dt.date) -> None:
    for entry in person.competitions:
        if entry.scope == "world":
            assert people.MEDALS[entry.rank] in entry.raw
        else:
            assert f"第{people.chinese_number(entry.rank)}名" in entry.raw or f"第{entry.rank}名" in entry.raw
        assert entry.year is None or (str(entry.year) in entry.raw and entry.year < reference.year)
        assert entry.event is None or entry.event in entry.raw
        if entry.category is not None:
            assert people.CATEGORY_WORDS[entry.category] in entry.raw
    for honor in person.honors:
        assert honor.title in honor.raw
        assert honor.year is None or (str(honor.year) in honor.raw and honor.year < reference.year)


@pytest.mark.parametrize(("profile_id", "reference"), list(REFERENCES.items()), ids=list(REFERENCES))
def test_generated_people_are_consistent(profile_id: str, reference: dt.date) -> None:
    rng = random.Random(SEED)
    for person in people.make_people(rng, profile_id, reference, PEOPLE_PER_PROFILE):
        _check_person(person, reference, people.DEFAULT_AGE_RANGE)
        _check_results(person, reference)
        assert person.employer in {employer.name for employer in people.PROFILES[profile_id].employers}


@pytest.mark.parametrize("gender", ["男", "女"])
def test_forced_gender_and_an_older_age_range(gender: people.Gender) -> None:
    rng = random.Random(SEED)
    age_range = (50, 62)  # born before 1983: the older region codes
    for profile_id, reference in REFERENCES.items():
        person = people.make_person(rng, profile_id, reference, age_range=age_range, gender=gender)
        assert person.gender == gender
        _check_person(person, reference, age_range)


def test_the_same_seed_gives_the_same_people() -> None:
    reference = REFERENCES["luzhou-2019"]
    first = people.make_people(random.Random(SEED), "luzhou-2019", reference, 20)
    again = people.make_people(random.Random(SEED), "luzhou-2019", reference, 20)
    other = people.make_people(random.Random(SEED + 1), "luzhou-2019", reference, 20)
    assert first == again
    assert first != other


@pytest.mark.parametrize(("profile_id", "reference"), list(REFERENCES.items()), ids=list(REFERENCES))
def test_apprentices_ages_agree_with_their_id_numbers(profile_id: str, reference: dt.date) -> None:
    rng = random.Random(SEED)
    master = people.make_person(rng, profile_id, reference)
    for apprentice in people.make_apprentices(rng, master, reference, 40):
        ric.validate(apprentice.id_number)
        assert apprentice.age == age_on(ric.get_birth_date(apprentice.id_number), reference)
        assert people.gender_from_id(apprentice.id_number) == apprentice.gender
        assert apprentice.age < master.age_on(reference)
        assert apprentice.employer == master.employer


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="luzhou-2019"):
        people.make_person(random.Random(SEED), "nowhere", REFERENCES["luzhou-2019"])


@pytest.mark.parametrize(("number", "text"), [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"), (45, "四十五")])
def test_chinese_numbers(number: int, text: str) -> None:
    assert people.chinese_number(number) == text


def test_age_on_counts_the_birthday_itself() -> None:
    birth = dt.date(1980, 2, 29)
    assert age_on(birth, dt.date(2020, 2, 28)) == 39
    assert age_on(birth, dt.date(2020, 2, 29)) == 40
    assert people.birth_month(people.make_person(random.Random(SEED), "wenzhou-7", REFERENCES["wenzhou-7"]))[4] == "-"
