"""Checks of the applicant: the ID number, birth date, sex and age it implies, the level, the criteria met.

An ID number read only once that fails GB 11643 may be an OCR slip; the same
invalid number read again on another document (a summary row, a certificate,
the ID copy) is confirmed, and only a confident or confirmed read is an error.
"""

from __future__ import annotations

from extractors.checks.base import (
    evidence_of,
    finding,
    pages_of,
    severity,
    sure,
)
from extractors.parsers import IdNumber, parse_id_number
from extractors.text import compact
from models.dates import age_on, month_span, year_month
from models.profile import Profile
from models.report import (
    Applicant,
    Competition,
    CompetitionCategory,
    Field,
    Finding,
    FindingCode,
    PacketReport,
    QualificationLevel,
    Severity,
)
from models.stages import PacketFacts

LEVELS = list(QualificationLevel)


def _other_reads(report: PacketReport) -> list[Field]:
    """The applicant's ID number as read on the other documents of the packet."""
    reads = [row.id_number for row in report.summary_rows if row.id_number is not None]
    reads += [copy.id_number for copy in report.certificates if copy.id_number is not None]
    return [read for read in reads if read.value is not None]


def check_id_number(report: PacketReport) -> tuple[list[Finding], IdNumber | None]:
    """ID_NUMBER_INVALID, and the parsed number for the checks that rest on it."""
    read = report.applicant.id_number
    if read is None or read.value is None:
        return [], None
    parsed = parse_id_number(read.value)
    if parsed is None or parsed.valid:
        return [], parsed
    confirmed = [other for other in _other_reads(report) if other.value == read.value]
    level = severity(sure(read) or bool(confirmed))
    reason = _REASONS.get(parsed.reason or "", "校验不通过")
    message = f"身份证号码{read.value}不符合国家标准（{reason}）。"
    if level == Severity.WARNING:
        message = f"身份证号码{read.value}似不符合国家标准（{reason}），可能为识别误差，请核对原件。"
    evidence = evidence_of("id_number", read) | {"reason": parsed.reason, "confirmed_on_pages": pages_of(*confirmed)}
    return [
        finding(
            FindingCode.ID_NUMBER_INVALID,
            level,
            message,
            field_name="id_number",
            pages=pages_of(read, *confirmed),
            evidence=evidence,
        )
    ], parsed


_REASONS = {
    "length": "位数不对",
    "format": "含非法字符",
    "date": "出生日期不存在",
    "region": "地区码不存在",
    "checksum": "校验位错误",
}


def check_birth_and_gender(report: PacketReport, parsed: IdNumber | None) -> list[Finding]:
    """BIRTH_MISMATCH and GENDER_MISMATCH: 出生年月 and 性别 against what the ID number encodes."""
    if parsed is None or parsed.birth_date is None:
        return []
    applicant, id_read = report.applicant, report.applicant.id_number
    found: list[Finding] = []
    birth = applicant.birth_month
    id_month = year_month(parsed.birth_date)
    if birth is not None and birth.value is not None and birth.value != id_month:
        found.append(
            finding(
                FindingCode.BIRTH_MISMATCH,
                severity(sure(birth, id_read)),
                f"出生年月填写为{birth.value}，与身份证号码中的出生日期{parsed.birth_date.isoformat()}不一致。",
                field_name="birth_month",
                pages=pages_of(birth, id_read),
                evidence=evidence_of("birth_month", birth)
                | evidence_of("id_number", id_read)
                | {"id_birth_date": parsed.birth_date.isoformat()},
            )
        )
    gender = applicant.gender
    if gender is not None and gender.value is not None and parsed.sex is not None and gender.value != parsed.sex:
        found.append(
            finding(
                FindingCode.GENDER_MISMATCH,
                severity(sure(gender, id_read)),
                f"性别填写为{gender.value}，而身份证号码第17位表示{parsed.sex}性。",
                field_name="gender",
                pages=pages_of(gender, id_read),
                evidence=evidence_of("gender", gender) | evidence_of("id_number", id_read) | {"id_sex": parsed.sex},
            )
        )
    return found


def check_age(report: PacketReport, profile: Profile, parsed: IdNumber | None) -> list[Finding]:
    """AGE_OVER_LIMIT: full years on the notice's reference date, from the ID number's birth date (or 出生年月)."""
    if profile.reference_date is None or not profile.max_age:
        return []
    applicant = report.applicant
    sex = (applicant.gender.value if applicant.gender else None) or (parsed.sex if parsed else None)
    limit = profile.max_age.get(sex or "")
    if limit is None:
        return []
    reference = profile.reference_date
    if parsed is not None and parsed.valid and parsed.birth_date is not None:
        youngest = oldest = age_on(parsed.birth_date, reference)
        source: Field | None = applicant.id_number
    elif applicant.birth_month is not None and (span := month_span(applicant.birth_month.value)) is not None:
        oldest, youngest = age_on(span[0], reference), age_on(span[1], reference)
        source = applicant.birth_month
    else:
        return []
    if oldest <= limit:
        return []
    # Over the limit whatever the day of birth is an error; over it only on some days of the month, a warning.
    level = severity(sure(source) and youngest > limit)
    return [
        finding(
            FindingCode.AGE_OVER_LIMIT,
            level,
            f"截至{reference.isoformat()}，申报人已满{oldest}周岁，超过{sex}性申报年龄上限{limit}周岁。",
            field_name="birth_month",
            pages=pages_of(source),
            evidence=evidence_of("birth", source)
            | {"age": oldest, "limit": limit, "sex": sex, "reference_date": reference.isoformat()},
        )
    ]


def check_qualification(report: PacketReport, profile: Profile) -> list[Finding]:
    """QUALIFICATION_BELOW_MINIMUM, except for the occupations the notice lets in at a lower level."""
    minimum, level = profile.min_qualification, report.applicant.qualification_level
    if minimum is None or level is None or level.value is None:
        return []
    if LEVELS.index(QualificationLevel(level.value)) >= LEVELS.index(minimum):
        return []
    occupation = report.applicant.occupation
    excepted = occupation is not None and any(
        word in (occupation.value or "") for word in profile.qualification_exceptions
    )
    certificate_levels = [
        copy.qualification_level.value
        for copy in report.certificates
        if copy.qualification_level is not None and copy.qualification_level.value is not None
    ]
    confirmed = level.value in certificate_levels
    return [
        finding(
            FindingCode.QUALIFICATION_BELOW_MINIMUM,
            Severity.WARNING if excepted else severity(sure(level) or confirmed),
            f"职业资格等级为{level.value}，低于申报要求的{minimum.value}"
            + ("（该职业属通知规定的例外情形，请核实）。" if excepted else "。"),
            field_name="qualification_level",
            pages=pages_of(level),
            evidence=evidence_of("qualification_level", level) | {"minimum": minimum.value, "exception": excepted},
        )
    ]


def qualifying_results(applicant: Applicant, profile: Profile) -> list[str]:
    """The raw text of every competition result and honour that meets the profile's criteria."""
    met = [entry.raw for entry in applicant.competitions if _result_qualifies(entry, profile)]
    honors = [compact(word) for word in profile.qualifying_honors]
    titles = [(honor.raw, compact(honor.title)) for honor in applicant.honors]
    met += [raw for raw, title in titles if any(word in title for word in honors)]
    return met


def _result_qualifies(entry: Competition, profile: Profile) -> bool:
    if entry.rank is None or entry.scope is None:
        return False
    reference = profile.reference_date
    years = profile.competition_years
    if years is not None and reference is not None and entry.year is not None and entry.year < reference.year - years:
        return False
    # A result whose class is not stated qualifies only if it would under either class.
    categories = [entry.category] if entry.category is not None else list(CompetitionCategory)
    return all(
        any(
            criterion.scope == entry.scope
            and (criterion.category is None or criterion.category == category)
            and entry.rank <= criterion.max_rank
            for criterion in profile.competition_criteria
        )
        for category in categories
    )


def check_criteria(report: PacketReport, profile: Profile, facts: PacketFacts) -> list[Finding]:
    """CRITERIA_NOT_MET: no result or honour in the form meets the notice's table.

    The notices also admit candidates on grounds a machine cannot weigh (技术革新,
    带徒成效 …), so listed results that fall short are a warning for the reviewer;
    only a form whose sections were read and list nothing at all is an error.
    """
    if not profile.competition_criteria and not profile.qualifying_honors:
        return []
    applicant = report.applicant
    if qualifying_results(applicant, profile):
        return []
    listed = [entry.raw for entry in applicant.competitions] + [honor.raw for honor in applicant.honors]
    read_all = {"competitions", "honors"} <= facts.sections_read
    if listed:
        message = "所列竞赛成绩和荣誉均未达到通知规定的条件，请核实是否符合其他申报条件。"
        level = Severity.WARNING
    else:
        message = "申报表未填写任何技能竞赛获奖或荣誉称号，不符合通知规定的申报条件。"
        level = Severity.ERROR if read_all else Severity.WARNING
    return [
        finding(
            FindingCode.CRITERIA_NOT_MET,
            level,
            message,
            pages=[],
            evidence={"listed": listed, "sections_read": sorted(facts.sections_read)},
        )
    ]


def check_person(report: PacketReport, profile: Profile | None, facts: PacketFacts) -> list[Finding]:
    """Every check of the applicant's own record."""
    found, parsed = check_id_number(report)
    found += check_birth_and_gender(report, parsed)
    if profile is not None:
        found += check_age(report, profile, parsed)
        found += check_qualification(report, profile)
        found += check_criteria(report, profile, facts)
    return found
