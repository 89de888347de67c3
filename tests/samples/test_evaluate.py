"""The evaluator scores reports against truth files, and survives missing, broken and empty reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from models import (
    Applicant,
    Apprentice,
    Certificate,
    CertificateKind,
    Competition,
    CompetitionCategory,
    CrossPageSeal,
    DocType,
    Edge,
    Field,
    Finding,
    FindingCode,
    Honor,
    PacketReport,
    PacketStatus,
    Page,
    Scope,
    Seal,
    SealColor,
    SealShape,
    Severity,
)
from samples.evaluate import (
    APPLICANT_KEYS,
    Evaluation,
    ReportProblemKind,
    evaluate_dirs,
    format_evaluation,
    levenshtein,
)

SHA = "0" * 64
CLEAN = "clean-packet"
FAULTY = "faulty-packet"
EXPECTED_FAULTY: list[dict[str, Any]] = [
    {"code": FindingCode.CROSS_PAGE_SEAL_BROKEN.value, "field": None},
    {"code": FindingCode.SUMMARY_MISMATCH.value, "field": "phone"},
]
SEAL_BOX = [100.0, 100.0, 300.0, 300.0]
SEAL_TEXT = "泸州北方化学工业有限公司"
LOWER_IS_BETTER_ZERO = ("seal.text_cer", "false_flags.findings", "false_flags.packets", "packets.failed")


def field(value: str | None) -> Field:
    return Field(value=value, confidence=1.0, page=0, bbox=None, raw=value)


def applicant(name: str, id_number: str, phone: str) -> Applicant:
    values: dict[str, str | None] = {key: f"{key}-{name}" for key in APPLICANT_KEYS}
    values.update(name=name, id_number=id_number, phone=phone, qualification_date=None)
    return Applicant(
        **{key: field(value) for key, value in values.items()},
        competitions=[
            Competition(year=2016, scope=Scope.PROVINCIAL, category=None, event="焊工", rank=1, raw="2016年…第一名"),
            Competition(
                year=None, scope=Scope.NATIONAL, category=CompetitionCategory.CLASS1, event=None, rank=4, raw="…"
            ),
        ],
        honors=[Honor(title="四川省技术能手", year=2012, raw="2012年荣获四川省技术能手")],
    )


def apprentice(name: str, id_number: str) -> Apprentice:
    return Apprentice(name=field(name), age=field("24"), id_number=field(id_number))


def certificate(page_index: int, holder: str) -> Certificate:
    return Certificate(
        kind=CertificateKind.QUALIFICATION, page=page_index, holder=field(holder), issue_date=field("2003-01")
    )


def page(index: int, doc_type: DocType) -> Page:
    return Page(index=index, doc_type=doc_type, width=1654, height=2339, rotation=0, ocr_engine=None)


def seal(page_index: int, bbox: list[float] = SEAL_BOX, text: str | None = SEAL_TEXT) -> Seal:
    return Seal(
        page=page_index,
        bbox=bbox,
        shape=SealShape.ROUND,
        color=SealColor.RED,
        text=text,
        partial=False,
        edge=None,
        confidence=1.0,
    )


def truth_report(name: str, id_number: str, phone: str, broken: bool) -> PacketReport:
    """A packet of a two-page form and a summary sheet, with seals and a 骑缝章 (broken on page 1 if asked)."""
    person = applicant(name, id_number, phone)
    other = applicant("李四", "110101199001011234", "13900000000")
    summary_phone = "13800000000" if broken else phone
    row = person.model_copy(update={"phone": field(summary_phone), "competitions": []})
    return PacketReport(
        packet_id=SHA,
        source=f"{name}.pdf",
        profile="luzhou-2019",
        status=PacketStatus.OK,
        pages=[page(0, DocType.APPLICATION_FORM), page(1, DocType.APPLICATION_FORM), page(2, DocType.SUMMARY_SHEET)],
        applicant=person,
        summary_rows=[other, row],
        apprentices=[apprentice("陈建", "510525199503085110"), apprentice("李明", "510525199601015112")],
        certificates=[certificate(2, name)],
        seals=[seal(1), seal(2, [400.0, 400.0, 600.0, 600.0], None)],
        cross_page_seals=[
            CrossPageSeal(
                pages=[0, 1], edge=Edge.RIGHT, complete=not broken, missing_pages=[1] if broken else [], confidence=1.0
            )
        ],
    )


TRUTHS: dict[str, tuple[PacketReport, list[dict[str, Any]]]] = {
    CLEAN: (truth_report("王建国", "512502197805120370", "13981562047", broken=False), []),
    FAULTY: (truth_report("张三", "51250219800101001X", "13700000000", broken=True), EXPECTED_FAULTY),
}


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """A truth folder with both packets, and an empty reports folder."""
    truth_dir, reports_dir = tmp_path / "truth", tmp_path / "reports"
    truth_dir.mkdir()
    reports_dir.mkdir()
    for stem, (report, expected) in TRUTHS.items():
        data = {**report.model_dump(mode="json"), "expected_findings": expected}
        (truth_dir / f"{stem}.truth.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return truth_dir, reports_dir


def perfect_report(stem: str) -> PacketReport:
    """The truth itself, with the expected findings raised at error level."""
    report, expected = TRUTHS[stem]
    findings = [
        Finding(code=FindingCode(e["code"]), severity=Severity.ERROR, field=e["field"], message="不一致")
        for e in expected
    ]
    return report.model_copy(update={"findings": findings}, deep=True)


def write(reports_dir: Path, stem: str, report: PacketReport) -> None:
    (reports_dir / f"{stem}.json").write_text(report.to_json(), encoding="utf-8")


def write_perfect(reports_dir: Path) -> None:
    for stem in TRUTHS:
        write(reports_dir, stem, perfect_report(stem))


def ratios(evaluation: Evaluation) -> dict[str, float | None]:
    return {name: metric.ratio for name, metric in evaluation.metrics.items()}


def test_reports_equal_to_truth_score_perfectly(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)

    evaluation = evaluate_dirs(truth_dir, reports_dir)

    assert evaluation.packet_count == 2
    assert evaluation.clean_packet_count == 1
    assert evaluation.report_problems == [] and evaluation.truth_errors == []
    scores = ratios(evaluation)
    for name in LOWER_IS_BETTER_ZERO:
        assert scores.pop(name) == 0.0, name
    assert scores.pop("packets.missing_or_malformed") == 0.0
    assert scores.pop("applicant.qualification_date") is None  # null in the truth: not scored
    assert scores.pop("summary_row.qualification_date") is None
    assert scores == dict.fromkeys(scores, 1.0)
    assert "findings.recall.CROSS_PAGE_SEAL_BROKEN" in scores and "findings.recall.SUMMARY_MISMATCH" in scores
    assert evaluation.metrics["seal.text_cer"].denominator == 2 * len(SEAL_TEXT)  # null legends are not scored
    assert evaluation.metrics["cross_page_seal.broken_page_recall"].denominator == 1
    assert evaluation.metrics["competitions.f1"].denominator == 2 * 2 * 2  # truth and report entries, 2 packets


def test_competition_f1_counts_misses_and_extras(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    report = perfect_report(CLEAN)
    first, second = report.applicant.competitions
    report.applicant.competitions = [first, second.model_copy(update={"rank": 5}), first]
    report.certificates[0].holder = field("别人")
    report.apprentices = report.apprentices[:1]
    write(reports_dir, CLEAN, report)

    clean = {packet.stem: packet for packet in evaluate_dirs(truth_dir, reports_dir).packets}[CLEAN].metrics
    assert clean["competitions.f1"].numerator == 2  # one of two truth entries found, among three reported
    assert clean["competitions.f1"].denominator == 2 + 3
    assert clean["certificate.all"].ratio == 0.5
    assert clean["apprentice.all"].ratio == 0.5
    assert clean["honors.f1"].ratio == 1.0


def test_empty_failed_reports_score_zero(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    for stem in TRUTHS:
        write(
            reports_dir,
            stem,
            PacketReport(packet_id=SHA, source=f"{stem}.pdf", profile=None, status=PacketStatus.FAILED),
        )

    evaluation = evaluate_dirs(truth_dir, reports_dir)

    assert evaluation.report_problems == []
    metrics = evaluation.metrics
    assert metrics["packets.failed"].numerator == 2
    assert metrics["seal.precision"].ratio is None  # no report seal at all
    assert metrics["seal.text_cer"].ratio is None  # no matched seal
    assert metrics["false_flags.packets"].ratio == 0.0
    scored = {name: m for name, m in metrics.items() if name.split(".")[0] not in {"packets", "false_flags"}}
    for name, metric in scored.items():
        assert metric.numerator == 0, name
    assert metrics["applicant.all"].denominator == 2 * (len(APPLICANT_KEYS) - 1)
    assert metrics["seal.recall"].denominator == 4


def test_missing_and_garbage_reports_are_listed_and_count_as_wrong(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    (reports_dir / f"{FAULTY}.json").write_text("{not json", encoding="utf-8")

    evaluation = evaluate_dirs(truth_dir, reports_dir)

    kinds = {problem.stem: problem.kind for problem in evaluation.report_problems}
    assert kinds == {CLEAN: ReportProblemKind.MISSING, FAULTY: ReportProblemKind.UNREADABLE}
    assert all(problem.scored_as_empty for problem in evaluation.report_problems)
    metrics = evaluation.metrics
    assert metrics["packets.missing_or_malformed"].numerator == 2
    for name in ("applicant.all", "summary_row.all", "doc_type", "seal.recall", "cross_page_seal.presence"):
        assert metrics[name].numerator == 0 and metrics[name].denominator > 0, name
    assert metrics["findings.recall"].ratio == 0.0
    text = format_evaluation(evaluation)
    assert "missing" in text and "unreadable" in text


@pytest.mark.parametrize(
    ("content", "kind"),
    [("[1, 2]", ReportProblemKind.NOT_AN_OBJECT), (b"\xff\xfe\x00", ReportProblemKind.UNREADABLE)],
)
def test_other_unusable_reports_are_scored_as_empty(
    dirs: tuple[Path, Path], content: str | bytes, kind: ReportProblemKind
) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    path = reports_dir / f"{CLEAN}.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")

    evaluation = evaluate_dirs(truth_dir, reports_dir)

    assert [(p.stem, p.kind) for p in evaluation.report_problems] == [(CLEAN, kind)]
    assert evaluation.metrics["applicant.all"].ratio == 0.5


def test_report_not_matching_the_model_is_listed_but_scored_for_what_it_holds(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    data = json.loads((reports_dir / f"{CLEAN}.json").read_text(encoding="utf-8"))
    data["packet_id"] = "not a hash"
    data["pages"][0]["doc_type"] = "form"  # not a doc type: that page is wrong, the rest still counts
    data["seals"].append("garbage")
    (reports_dir / f"{CLEAN}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    evaluation = evaluate_dirs(truth_dir, reports_dir)

    [problem] = evaluation.report_problems
    assert problem.kind is ReportProblemKind.NOT_MATCHING_MODEL and not problem.scored_as_empty
    assert "packet_id" in problem.reason
    scores = ratios(evaluation)
    assert scores["applicant.all"] == 1.0
    assert scores["doc_type"] == 5 / 6
    assert scores["seal.precision"] == 4 / 5 and scores["seal.recall"] == 1.0


def test_one_altered_field_lowers_only_that_field(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    report = perfect_report(CLEAN)
    report.applicant.employer = field("另一家公司")
    report.applicant.name = field("王 建 国")  # spaces do not count
    write(reports_dir, CLEAN, report)

    evaluation = evaluate_dirs(truth_dir, reports_dir)

    scores = ratios(evaluation)
    assert scores.pop("applicant.employer") == 0.5
    all_fields = evaluation.metrics["applicant.all"]
    assert all_fields.denominator - all_fields.numerator == 1
    scores.pop("applicant.all")
    assert all(ratio in (None, 0.0, 1.0) for ratio in scores.values())
    assert scores["applicant.name"] == 1.0 and scores["summary_row.employer"] == 1.0


def test_summary_row_is_found_by_id_number_then_name(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    report = perfect_report(FAULTY)
    row = report.summary_rows[1]
    row.id_number = field("000000000000000000")  # misread ID: the row is still found by name
    report.summary_rows = [row, report.summary_rows[0]]
    write(reports_dir, FAULTY, report)

    scores = ratios(evaluate_dirs(truth_dir, reports_dir))

    assert scores["summary_row.id_number"] == 0.5
    assert scores["summary_row.phone"] == 1.0


def test_false_error_on_a_clean_packet_is_counted(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    report = perfect_report(CLEAN)
    report.findings = [
        Finding(code=FindingCode.MISSING_SEAL, severity=Severity.ERROR, field=None, message="缺少印章"),
        Finding(code=FindingCode.QUOTA_EXCEEDED, severity=Severity.WARNING, field=None, message="名额"),
    ]
    write(reports_dir, CLEAN, report)

    evaluation = evaluate_dirs(truth_dir, reports_dir)

    metrics = evaluation.metrics
    assert (metrics["false_flags.findings"].numerator, metrics["false_flags.findings"].denominator) == (1, 1)
    assert metrics["false_flags.packets"].ratio == 1.0
    assert metrics["findings.recall"].ratio == 1.0


def test_seals_match_by_iou_and_legends_score_by_cer(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    report = perfect_report(CLEAN)
    report.seals = [
        seal(1, text="泸州北方化学工业有限公"),  # one character short
        seal(2, [550.0, 550.0, 750.0, 750.0], None),  # IoU with the truth seal far below 0.5
        seal(0),  # a seal on a page whose truth has none
    ]
    write(reports_dir, CLEAN, report)

    metrics = evaluate_dirs(truth_dir, reports_dir).metrics

    assert (metrics["seal.precision"].numerator, metrics["seal.precision"].denominator) == (3, 5)
    assert (metrics["seal.recall"].numerator, metrics["seal.recall"].denominator) == (3, 4)
    assert (metrics["seal.text_cer"].numerator, metrics["seal.text_cer"].denominator) == (1, 2 * len(SEAL_TEXT))


def test_cross_page_seal_presence_and_broken_pages(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    report = perfect_report(FAULTY)
    report.cross_page_seals[0].missing_pages = []
    write(reports_dir, FAULTY, report)

    metrics = evaluate_dirs(truth_dir, reports_dir).metrics

    assert metrics["cross_page_seal.presence"].ratio == 1.0
    assert metrics["cross_page_seal.broken_page_recall"].ratio == 0.0


def test_expected_finding_with_a_field_needs_that_field(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    report = perfect_report(FAULTY)
    for finding in report.findings:
        finding.field = "name"
    write(reports_dir, FAULTY, report)

    scores = ratios(evaluate_dirs(truth_dir, reports_dir))

    assert scores["findings.recall.CROSS_PAGE_SEAL_BROKEN"] == 1.0  # expected field null: any field will do
    assert scores["findings.recall.SUMMARY_MISMATCH"] == 0.0
    assert scores["findings.recall"] == 0.5


def test_malformed_truth_is_listed_and_skipped(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    (truth_dir / "broken.truth.json").write_text("{", encoding="utf-8")
    bad_code = {"pages": [], "expected_findings": [{"code": "NO_SUCH_CODE", "field": None}]}
    (truth_dir / "bad-code.truth.json").write_text(json.dumps(bad_code), encoding="utf-8")

    evaluation = evaluate_dirs(truth_dir, reports_dir)

    assert evaluation.packet_count == 2
    assert sorted(Path(error.file).name for error in evaluation.truth_errors) == [
        "bad-code.truth.json",
        "broken.truth.json",
    ]
    assert "truth errors" in format_evaluation(evaluation)


def test_dummy_metadata_in_truth_is_accepted_and_clean_can_be_forced(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    path = truth_dir / f"{FAULTY}.truth.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(packet_id="dummy", status="whatever", timings=None, clean=True)
    del data["source"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    evaluation = evaluate_dirs(truth_dir, reports_dir)

    assert evaluation.truth_errors == []
    assert evaluation.clean_packet_count == 2
    assert evaluation.metrics["false_flags.packets"].numerator == 1  # the faulty packet's own findings


def test_json_output_round_trips_and_table_lists_every_metric(dirs: tuple[Path, Path]) -> None:
    truth_dir, reports_dir = dirs
    write_perfect(reports_dir)
    evaluation = evaluate_dirs(truth_dir, reports_dir)

    assert Evaluation.model_validate_json(evaluation.to_json()) == evaluation
    table = format_evaluation(evaluation)
    assert all(name in table for name in evaluation.metrics)


def test_missing_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        evaluate_dirs(tmp_path / "absent", tmp_path)


@pytest.mark.parametrize(
    ("a", "b", "distance"), [("", "", 0), ("abc", "", 3), ("公司", "公寓", 1), ("kitten", "sitting", 3)]
)
def test_levenshtein(a: str, b: str, distance: int) -> None:
    assert levenshtein(a, b) == distance
