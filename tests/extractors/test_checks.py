"""Every finding code: raised on a packet that shows it, not on one that does not, and never an error on a
low-confidence read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from extractors.checks import Box, PacketFacts, check_across, check_packet, risk_of, sort_findings
from extractors.units import unit_similarity
from models.profile import CompetitionCriterion, Profile
from models.report import (
    Applicant,
    Apprentice,
    Certificate,
    CertificateKind,
    Competition,
    DocType,
    Finding,
    FindingCode,
    Honor,
    PacketReport,
    PacketStatus,
    Page,
    QualificationLevel,
    Scope,
    Seal,
    SealColor,
    SealShape,
    Severity,
)
from tests.factories import read

ID = "512524197503248297"  # valid: born 1975-03-24, male
EMPLOYER = "泸州北方化学工业有限公司"
RECOMMENDER = "泸州市总工会"
PROFILE = Profile(
    id="test-notice",
    notice="测试通知",
    title_keywords=("测试",),
    reference_date=dt.date(2019, 7, 30),
    max_age={"男": 57, "女": 47},
    min_qualification=QualificationLevel.TECHNICIAN,
    competition_criteria=(CompetitionCriterion(scope=Scope.PROVINCIAL, max_rank=3),),
    competition_years=4,
    qualifying_honors=("省技术能手",),
    required_documents=(DocType.APPLICATION_FORM, DocType.SUMMARY_SHEET, DocType.CERTIFICATE),
    sealed_boxes=("所在单位意见", "推荐单位意见"),
    certified_copies=(DocType.CERTIFICATE, DocType.ID_COPY),
    quotas={RECOMMENDER: 1},
)
FORM_BOX = Box(label="所在单位意见", page=1, bbox=(100, 1500, 1500, 1800))
RECOMMENDER_BOX = Box(label="推荐单位意见", page=1, bbox=(100, 1800, 1500, 2100))


def person(**changes: Any) -> Applicant:
    """The applicant of the clean packet, with ``changes`` (fields, or competitions and honors)."""
    fields = {
        "name": read("冯清宇"),
        "gender": read("男"),
        "birth_month": read("1975-03"),
        "id_number": read(ID),
        "employer": read(EMPLOYER),
        "qualification_level": read("技师"),
        "recommending_unit": read(RECOMMENDER),
    }
    return Applicant(**(fields | changes))


def seal(page: int, centre: tuple[float, float], text: str) -> Seal:
    x, y = centre
    return Seal(
        page=page,
        bbox=[x - 150, y - 150, x + 150, y + 150],
        shape=SealShape.ROUND,
        color=SealColor.RED,
        text=text,
        partial=False,
        edge=None,
        confidence=0.9,
    )


def packet(**changes: object) -> PacketReport:
    """A clean packet: form (2 pages), summary sheet, certified certificate copy, stamped boxes."""
    report = PacketReport(
        packet_id="0" * 64,
        source="clean.pdf",
        profile=PROFILE.id,
        status=PacketStatus.OK,
        pages=[
            Page(index=i, doc_type=t, width=1654, height=2339, rotation=0, ocr_engine="test")
            for i, t in enumerate(
                [DocType.APPLICATION_FORM, DocType.APPLICATION_FORM, DocType.SUMMARY_SHEET, DocType.CERTIFICATE]
            )
        ],
        applicant=person(
            competitions=[
                Competition(year=2018, scope=Scope.PROVINCIAL, category=None, event="焊工", rank=2, raw="2018年…第二名")
            ]
        ),
        summary_rows=[
            Applicant(name=read("王浩", 2), id_number=read("512502198310171277", 2)),
            person(name=read("冯清宇", 2), id_number=read(ID, 2), employer=read(EMPLOYER, 2)),
        ],
        certificates=[
            Certificate(
                kind=CertificateKind.QUALIFICATION,
                page=3,
                holder=read("冯清宇", 3),
                id_number=read(ID, 3),
                qualification_level=read("技师", 3),
                certified_copy=True,
            )
        ],
        apprentices=[Apprentice(name=read("陈建", 2), age=read("24", 2), id_number=read("510525199503085110", 2))],
        seals=[seal(1, (800, 1650), EMPLOYER), seal(1, (800, 1950), RECOMMENDER), seal(3, (800, 1400), EMPLOYER)],
    )
    return report.model_copy(update=changes)


FACTS = PacketFacts(boxes=[FORM_BOX, RECOMMENDER_BOX], sections_read=frozenset({"competitions", "honors"}))


def codes(report: PacketReport, facts: PacketFacts = FACTS) -> dict[str, Severity]:
    found = check_packet(report, PROFILE, facts)
    return {f"{item.code}:{item.field}": Severity(item.severity) for item in found}


def test_a_clean_packet_raises_nothing() -> None:
    assert codes(packet()) == {}


def test_invalid_id_number_is_an_error_when_read_surely_and_a_warning_when_not() -> None:
    bad = ID[:-1] + "3"
    assert codes(packet(applicant=person(id_number=read(bad))))["ID_NUMBER_INVALID:id_number"] == Severity.ERROR
    unsure = codes(packet(applicant=person(id_number=read(bad, confidence=0.6))))
    assert unsure["ID_NUMBER_INVALID:id_number"] == Severity.WARNING


def test_birth_and_gender_against_the_id_number() -> None:
    found = codes(packet(applicant=person(birth_month=read("1975-05"), gender=read("女"))))
    assert found["BIRTH_MISMATCH:birth_month"] == Severity.ERROR
    assert found["GENDER_MISMATCH:gender"] == Severity.ERROR


def test_age_over_the_limit_on_the_reference_date() -> None:
    old_id = "512524196001018298"[:-1]
    from models.idnumber import id_check_digit

    old_id += id_check_digit(old_id)
    found = codes(packet(applicant=person(id_number=read(old_id), birth_month=read("1960-01"))))
    assert found["AGE_OVER_LIMIT:birth_month"] == Severity.ERROR
    # Exactly 57 on the reference date is allowed.
    limit_id = "51252419620730829"
    limit_id += id_check_digit(limit_id)
    assert "AGE_OVER_LIMIT:birth_month" not in codes(
        packet(applicant=person(id_number=read(limit_id), birth_month=read("1962-07")))
    )


def test_qualification_below_minimum() -> None:
    found = codes(packet(applicant=person(qualification_level=read("高级工"))))
    assert found["QUALIFICATION_BELOW_MINIMUM:qualification_level"] == Severity.ERROR


def test_criteria_not_met_is_an_error_only_when_nothing_is_listed() -> None:
    assert codes(packet(applicant=person()))["CRITERIA_NOT_MET:None"] == Severity.ERROR
    weak = Competition(year=2018, scope=Scope.MUNICIPAL, category=None, event=None, rank=5, raw="市级第五名")
    assert codes(packet(applicant=person(competitions=[weak])))["CRITERIA_NOT_MET:None"] == Severity.WARNING
    old = Competition(year=2010, scope=Scope.PROVINCIAL, category=None, event=None, rank=1, raw="2010年省第一名")
    assert "CRITERIA_NOT_MET:None" in codes(packet(applicant=person(competitions=[old])))  # outside 4 years
    national = [
        CompetitionCriterion(scope=Scope.NATIONAL, category=c, max_rank=r) for c, r in (("class1", 6), ("class2", 3))
    ]
    by_class = PROFILE.model_copy(update={"competition_criteria": tuple(national)})
    unstated = Competition(year=2018, scope=Scope.NATIONAL, category=None, event=None, rank=3, raw="全国第三名")
    fourth = unstated.model_copy(update={"rank": 4, "raw": "全国第四名"})
    assert not check_packet(packet(applicant=person(competitions=[unstated])), by_class, FACTS)
    assert check_packet(packet(applicant=person(competitions=[fourth])), by_class, FACTS)  # class 2 needs top 3
    honour = Honor(title="四川省技术能手", year=2012, raw="2012年荣获四川省技术能手")
    assert "CRITERIA_NOT_MET:None" not in codes(packet(applicant=person(honors=[honour])))
    unread = PacketFacts(boxes=FACTS.boxes)
    assert codes(packet(applicant=person()), unread)["CRITERIA_NOT_MET:None"] == Severity.WARNING


def test_summary_row_differs_from_the_form() -> None:
    report = packet()
    report.summary_rows[1].employer = read("泸州北方化学工业集团有限公司", 2)
    assert codes(report)["SUMMARY_MISMATCH:employer"] == Severity.ERROR
    report.summary_rows[1].employer = read("泸州北方化学工业集团有限公司", 2, confidence=0.5)
    assert codes(report)["SUMMARY_MISMATCH:employer"] == Severity.WARNING


def test_certificate_differs_from_the_form() -> None:
    report = packet()
    report.certificates[0].qualification_level = read("高级技师", 3)
    assert codes(report)["CERTIFICATE_MISMATCH:qualification_level"] == Severity.ERROR


def test_missing_document_and_uncertified_copy() -> None:
    report = packet()
    report.pages = report.pages[:3]
    report.certificates = []
    assert codes(report)["MISSING_DOCUMENT:certificate"] == Severity.ERROR
    report = packet()
    report.certificates[0].certified_copy = False
    assert codes(report)["COPY_NOT_CERTIFIED:certificate"] == Severity.ERROR


def test_missing_seal_in_a_required_box() -> None:
    report = packet()
    report.seals = [report.seals[1], report.seals[2]]
    found = check_packet(report, PROFILE, FACTS)
    [missing] = [item for item in found if item.code == FindingCode.MISSING_SEAL]
    assert missing.pages == [1] and missing.evidence["box"] == "所在单位意见"


def test_seal_of_another_unit_in_a_box() -> None:
    report = packet()
    report.seals[0] = seal(1, (800, 1650), "泸州市宏达机械制造有限公司")
    assert codes(report)["SEAL_OWNER_MISMATCH:None"] == Severity.ERROR


@pytest.mark.parametrize(
    ("label", "owner"),
    [
        ("所在单位推荐意见", EMPLOYER),  # wenzhou-7: the employer recommends
        ("申报单位推荐意见", EMPLOYER),  # chongqing-bayu: the declaring unit is the employer
        ("所在单位申报意见", EMPLOYER),
        ("推荐单位意见", RECOMMENDER),
        ("推荐单位（盖章）", RECOMMENDER),
    ],
)
def test_a_box_is_stamped_by_the_unit_its_label_names_first(label: str, owner: str) -> None:
    other = RECOMMENDER if owner == EMPLOYER else EMPLOYER
    facts = PacketFacts(boxes=[Box(label=label, page=1, bbox=FORM_BOX.bbox)], sections_read=FACTS.sections_read)
    profile = PROFILE.model_copy(update={"sealed_boxes": (label,)})

    def owner_codes(legend: str) -> list[Severity]:
        report = packet()
        report.seals[0] = seal(1, (800, 1650), legend)
        found = check_packet(report, profile, facts)
        return [item.severity for item in found if item.code == FindingCode.SEAL_OWNER_MISMATCH]

    assert owner_codes(owner) == []
    assert owner_codes(other) == [Severity.ERROR]


@pytest.mark.parametrize(
    ("legend", "unit"),
    [
        ("泸州北方化学工业有限责任公司", EMPLOYER),
        ("泸州老窖", "泸州老窖股份有限公司"),
        ("泸州北方化学工业有限公司人事专用章", EMPLOYER),
        ("泸州北方化学工业有限公", EMPLOYER),  # one character of the legend not read
        ("泸州市江阳区人力资源和社会保障局", "泸州市江阳区"),  # the line's unit read only in part
    ],
)
def test_the_same_unit_written_differently_is_no_mismatch(legend: str, unit: str) -> None:
    assert unit_similarity(legend, unit) >= 0.6


@pytest.mark.parametrize(
    ("legend", "unit"),
    [("泸州市宏达机械制造有限公司", EMPLOYER), ("泸州市总工会", "泸州市人力资源和社会保障局")],
)
def test_another_unit_is_a_mismatch(legend: str, unit: str) -> None:
    assert unit_similarity(legend, unit) < 0.34


def test_apprentice_with_invalid_id_or_impossible_age() -> None:
    report = packet()
    report.apprentices[0].id_number = read("510525199503085113", 2)
    assert codes(report)["APPRENTICE_INVALID:id_number"] == Severity.ERROR
    report = packet()
    report.apprentices[0].age = read("40", 2)
    assert codes(report)["APPRENTICE_INVALID:age"] == Severity.ERROR


def test_duplicate_applicant_and_quota_across_packets() -> None:
    first, second = packet(), packet(source="again.pdf")
    found = check_across([first, second], {PROFILE.id: PROFILE})
    assert set(found) == {1}
    assert {item.code for item in found[1]} == {FindingCode.DUPLICATE_APPLICANT, FindingCode.QUOTA_EXCEEDED}
    other = packet(applicant=person(id_number=read("512502198310171277")), source="other.pdf")
    other.applicant.recommending_unit = read("泸州市人力资源和社会保障局")
    assert check_across([first, other], {PROFILE.id: PROFILE}) == {}


def test_findings_are_sorted_by_severity_and_give_the_packet_its_risk() -> None:
    report = packet(applicant=person(birth_month=read("1975-05"), id_number=read(ID[:-1] + "3", confidence=0.5)))
    report.findings = sort_findings(check_packet(report, PROFILE, FACTS))
    severities = [Severity(item.severity) for item in report.findings]
    assert severities == sorted(
        severities, key=[Severity.FRAUD_SUSPECT, Severity.ERROR, Severity.WARNING, Severity.INFO].index
    )
    assert risk_of(report) == Severity.ERROR
    assert all(isinstance(item, Finding) and item.message for item in report.findings)


def test_a_filled_box_needs_a_seal_even_when_the_notice_does_not_name_it() -> None:
    opinion = (("同意推荐", (300.0, 1050.0, 600.0, 1090.0)),)
    filled = Box(label="主管部门意见", page=0, bbox=(100, 1000, 1500, 1300), writing=opinion)
    # A blank box with only its boilerplate, and a legend piece of the seal stamped in the box above it.
    blank = Box(
        label="评审委员会意见",
        page=0,
        bbox=(100, 400, 1500, 700),
        writing=(
            ("(盖章)", (900.0, 600.0, 1000.0, 640.0)),
            ("年月日", (900.0, 650.0, 1100.0, 690.0)),
            ("事专用章", (700.0, 410.0, 820.0, 440.0)),
        ),
    )
    spill = seal(0, (760, 300), "重庆市国有资产监督管理委员会人事专用章")
    report = packet()
    report.seals.append(spill)
    found = check_packet(report, PROFILE, PacketFacts(boxes=[filled, blank], sections_read=FACTS.sections_read))
    assert [(item.code, item.evidence["box"]) for item in found] == [(FindingCode.MISSING_SEAL, "主管部门意见")]


def test_an_uncertified_copy_the_notice_does_not_require_certified_is_only_pointed_out() -> None:
    lenient = PROFILE.model_copy(update={"certified_copies": ()})
    report = packet()
    report.certificates[0].certified_copy = False
    [copy] = [item for item in check_packet(report, lenient, FACTS) if item.code == FindingCode.COPY_NOT_CERTIFIED]
    assert copy.severity == Severity.INFO
