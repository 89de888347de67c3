"""The sample generator: every profile, exact truth in the report format, determinism, and the evaluator on it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pymupdf
import pytest
from stdnum.cn import ric

from models import PacketReport, PacketStatus
from models.report import Finding, FindingCode, Severity
from samples.evaluate import LOWER_IS_BETTER, evaluate_dirs
from samples.generate import PROFILE_ORDER, Generated, applicable_faults, generate
from tests import contract

SEED = 7


@pytest.fixture(scope="module")
def packets(tmp_path_factory: pytest.TempPathFactory) -> list[Generated]:
    """One packet per profile, each with a fault, plus one clean one."""
    out = tmp_path_factory.mktemp("generated")
    faulty = generate(5, SEED, out, clean_ratio=0.0)
    clean = generate(1, SEED + 1, out, profile="luzhou-2019", clean_ratio=1.0)
    return faulty + clean


def truth(packet: Generated) -> dict[str, object]:
    data: dict[str, object] = json.loads(packet.truth.read_text(encoding="utf-8"))
    return data


def test_every_profile_is_generated_as_an_image_only_pdf(packets: list[Generated]) -> None:
    assert {p.profile for p in packets} == set(PROFILE_ORDER)
    for packet in packets:
        data = truth(packet)
        with pymupdf.open(packet.pdf) as doc:
            assert doc.page_count == len(data["pages"])  # type: ignore[arg-type]
            assert all(page.get_text().strip() == "" for page in doc)
            assert all(page.get_images() for page in doc)


def test_truth_is_a_report_with_every_contract_key(packets: list[Generated]) -> None:
    for packet in packets:
        data = truth(packet)
        assert contract.missing_keys(data) == [], packet.pdf.name
        report = PacketReport.model_validate({k: v for k, v in data.items() if k not in ("expected_findings", "clean")})
        assert report.profile == packet.profile
        assert report.packet_id == hashlib.sha256(packet.pdf.read_bytes()).hexdigest()
        assert report.applicant.name is not None and report.applicant.id_number is not None
        assert report.pages[0].doc_type == "application_form" or packet.profile == "liaocheng-2019"
        assert report.seals, "every packet carries seals"
        codes = [f["code"] for f in data["expected_findings"]]  # type: ignore[attr-defined]
        assert codes == list(packet.faults) or set(codes) >= set(packet.faults)


def test_the_applicant_id_agrees_with_the_form_unless_a_fault_says_otherwise(packets: list[Generated]) -> None:
    for packet in packets:
        report = PacketReport.model_validate_json(packet.truth.read_bytes())
        id_number = report.applicant.id_number.value  # type: ignore[union-attr]
        assert id_number is not None
        if "ID_NUMBER_INVALID" in packet.faults:
            assert not ric.is_valid(id_number)
            continue
        ric.validate(id_number)
        birth = ric.get_birth_date(id_number)
        if "BIRTH_MISMATCH" not in packet.faults:
            assert report.applicant.birth_month.value == f"{birth:%Y-%m}"  # type: ignore[union-attr]
        if "GENDER_MISMATCH" not in packet.faults:
            assert report.applicant.gender.value == ("男" if int(id_number[16]) % 2 else "女")  # type: ignore[union-attr]


def test_field_boxes_lie_on_their_page(packets: list[Generated]) -> None:
    for packet in packets:
        report = PacketReport.model_validate_json(packet.truth.read_bytes())
        for key, field in report.applicant:
            if key in ("competitions", "honors") or field is None:
                continue
            page = report.pages[field.page]
            x0, y0, x1, y1 = field.bbox
            assert 0 <= x0 < x1 <= page.width and 0 <= y0 < y1 <= page.height, (packet.pdf.name, key)


def test_the_same_seed_gives_identical_bytes(packets: list[Generated], tmp_path: Path) -> None:
    again = generate(2, SEED, tmp_path, clean_ratio=0.0)
    for first, second in zip(packets[:2], again, strict=True):
        assert first.pdf.read_bytes() == second.pdf.read_bytes()
        assert first.truth.read_bytes() == second.truth.read_bytes()


def test_a_clean_packet_expects_no_finding(packets: list[Generated]) -> None:
    clean = [p for p in packets if not p.faults]
    assert clean
    for packet in clean:
        data = truth(packet)
        assert data["expected_findings"] == [] and data["clean"] is True


def test_faults_are_only_those_a_profile_can_show() -> None:
    assert "APPRENTICE_INVALID" in applicable_faults("luzhou-2019")
    assert "APPRENTICE_INVALID" not in applicable_faults("shizhong-2020")
    assert "AGE_OVER_LIMIT" not in applicable_faults("chongqing-bayu")
    with pytest.raises(ValueError, match="unknown fault"):
        generate(1, 0, Path("/tmp/never"), faults=["NOT_A_CODE"])


def _as_report(packet: Generated) -> PacketReport:
    data = truth(packet)
    expected = data.pop("expected_findings")
    data.pop("clean")
    report = PacketReport.model_validate(data)
    report.findings = [
        Finding(code=FindingCode(f["code"]), severity=Severity.ERROR, field=f["field"], message="测试")
        for f in expected  # type: ignore[attr-defined]
    ]
    return report


def test_eval_scores_truth_as_reports_100_and_empty_reports_0(packets: list[Generated], tmp_path: Path) -> None:
    truth_dir = packets[0].truth.parent
    perfect, empty = tmp_path / "perfect", tmp_path / "empty"
    perfect.mkdir()
    empty.mkdir()
    for packet in packets:
        stem = packet.pdf.stem
        (perfect / f"{stem}.json").write_text(_as_report(packet).to_json(), encoding="utf-8")
        blank = PacketReport(packet_id="0" * 64, source=packet.pdf.name, profile=None, status=PacketStatus.FAILED)
        (empty / f"{stem}.json").write_text(blank.to_json(), encoding="utf-8")
    scores = evaluate_dirs(truth_dir, perfect)
    for name, metric in scores.metrics.items():
        if metric.ratio is None:
            continue
        assert metric.ratio == (0.0 if name in LOWER_IS_BETTER else 1.0), name
    zero = evaluate_dirs(truth_dir, empty)
    for name, metric in zero.metrics.items():
        if metric.ratio is None or name in LOWER_IS_BETTER or name.startswith("false_flags"):
            continue
        assert metric.ratio == 0.0, name


def test_every_printed_line_is_recorded_where_it_lies_on_the_scan(packets: list[Generated]) -> None:
    for packet in packets:
        truth = json.loads(packet.truth.read_text(encoding="utf-8"))
        assert len(truth["page_text"]) == len(truth["pages"])
        for page, lines in zip(truth["pages"], truth["page_text"], strict=True):
            assert lines, packet.pdf.name
            for line in lines:
                x0, y0, x1, y1 = line["bbox"]
                assert -5 <= x0 < x1 <= page["width"] + 5 and -5 <= y0 < y1 <= page["height"] + 5
        # The applicant's name is printed where the truth says it was written.
        name = truth["applicant"]["name"]
        printed = [line for line in truth["page_text"][name["page"]] if name["value"] in line["text"]]
        assert printed, packet.pdf.name
