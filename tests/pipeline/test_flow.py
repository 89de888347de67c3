"""The Prefect flow under prefect_test_harness: a real flow run, mapped OCR tasks, a report out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.ocr.fake import FakeOcrEngine
from extractors.pdf import sha256_file
from models import DocType, PacketStatus
from pipeline.flow import process_packet
from pipeline.settings import get_settings
from tests import contract, factories

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def test_flow_processes_a_packet(fake_engine: FakeOcrEngine, tmp_path: Path) -> None:
    fake_engine.lines = [("泸州市首席技师申报表", (300, 150, 1300, 220)), ("内容", (100, 500, 600, 540))]
    pdf = factories.text_pdf(tmp_path / "packet.pdf", [["一"], ["二"], ["三"]])
    report = process_packet(str(pdf))
    assert report.status == PacketStatus.OK
    assert report.packet_id == sha256_file(pdf)
    assert report.source == "packet.pdf"
    assert len(report.pages) == 3 and all(p.doc_type == DocType.APPLICATION_FORM for p in report.pages)
    assert fake_engine.calls == 3  # one mapped OCR task per page
    assert {"render", "ocr", "assemble", "total"} <= set(report.timings)
    assert contract.missing_keys(json.loads(report.to_json())) == []


def test_flow_returns_a_failed_report_for_a_bad_file(fake_engine: FakeOcrEngine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    report = process_packet(str(bad))
    assert report.status == PacketStatus.FAILED
    assert report.pages == [] and "truncated" in report.errors[0].message
    assert fake_engine.calls == 0


def test_flow_isolates_an_ocr_failure_to_its_page(fake_engine: FakeOcrEngine, tmp_path: Path) -> None:
    def lines_for(image):  # type: ignore[no-untyped-def]
        # The second page is the dark one: the engine "crashes" on it.
        return [("崩溃", (0, 0, 10, 10))] if image.mean() < 128 else [("事迹材料", (300, 150, 900, 220))]

    fake_engine.pages = lines_for
    fake_engine.fail_on = "崩溃"
    import numpy as np

    light = np.full((2339, 1654, 3), 250, np.uint8)
    tiff = factories.multipage_tiff(tmp_path / "scan.tif", [light, 255 - light, light])
    report = process_packet(str(tiff), profile="wenzhou-7")
    assert report.status == PacketStatus.PARTIAL
    assert [(e.stage, e.page) for e in report.errors] == [("ocr", 1)]
    assert report.profile == "wenzhou-7"
    assert [p.ocr_engine for p in report.pages] == ["fake", None, "fake"]


def test_flow_reports_seals_and_cross_page_seals_with_debug_images(
    fake_engine: FakeOcrEngine, isolated_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from samples import sample_packets

    monkeypatch.setenv("DOSSIER_SEALS__DEBUG_IMAGES", "true")
    get_settings.cache_clear()

    packet = next(p for p in sample_packets() if p.stem.startswith("luzhou-2019") and p.stem.endswith("clean"))
    truth = json.loads(packet.with_suffix(".truth.json").read_text(encoding="utf-8"))
    report = process_packet(str(packet), profile="luzhou-2019")
    assert len(report.seals) == len(truth["seals"])
    assert [c.complete for c in report.cross_page_seals] == [True]
    assert "seals" in report.timings
    debug = sorted((isolated_settings / "pages" / report.packet_id).glob("*.seals.png"))
    assert len(debug) == len(report.pages)
    # Off by default: the same packet again writes none.
    for path in debug:
        path.unlink()
    monkeypatch.delenv("DOSSIER_SEALS__DEBUG_IMAGES")
    get_settings.cache_clear()
    process_packet(str(packet), profile="luzhou-2019")
    assert not list((isolated_settings / "pages" / report.packet_id).glob("*.seals.png"))


@pytest.mark.parametrize(
    ("environment", "expected"), [({}, "None"), ({"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "60"}, "60")]
)
def test_flow_heartbeats_are_off_unless_configured(environment: dict[str, str], expected: str) -> None:
    """A process that runs the flows does not wait for Prefect's heartbeat thread, unless the user asked for them."""
    script = (
        "import pipeline.flow\n"
        "from prefect.settings import get_current_settings\n"
        "print(get_current_settings().flows.heartbeat_frequency)\n"
    )
    clean = {key: value for key, value in os.environ.items() if "HEARTBEAT" not in key}
    done = subprocess.run(
        [sys.executable, "-c", script], env={**clean, **environment}, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize(("workers", "threads"), [("1", 2), ("3", 4)])
def test_the_flows_read_as_many_pages_at_once_as_the_configured_ocr_workers(workers: str, threads: int) -> None:
    """One page task per OCR worker of the environment's settings, and one more loading the next page."""
    done = subprocess.run(
        [sys.executable, "-c", "from pipeline.flow import PAGE_TASK_THREADS\nprint(PAGE_TASK_THREADS)"],
        env={**os.environ, "DOSSIER_OCR__WORKERS": workers},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split()[-1] == str(threads)


def test_a_born_digital_page_is_read_from_its_text_and_a_scanned_one_by_ocr(
    fake_engine: FakeOcrEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cv2
    import pymupdf

    monkeypatch.setenv("DOSSIER_RENDER__USE_TEXT_LAYER", "true")
    get_settings.cache_clear()
    fake_engine.lines = [("事迹材料", (300, 150, 900, 220))]
    scan = tmp_path / "scan.png"
    cv2.imwrite(str(scan), factories.page_image(["事迹材料"]))
    pdf = factories.text_pdf(tmp_path / "packet.pdf", [["", *factories.FORM_LINES[1:]]])
    with pymupdf.open(pdf) as document:
        title = factories.FORM_LINES[0]
        document[0].insert_text((factories.A4[0] / 2 - 11 * len(title), 50), title, fontname="china-s", fontsize=22)
        document.new_page(width=factories.A4[0], height=factories.A4[1]).insert_image(
            pymupdf.Rect(0, 0, *factories.A4), filename=str(scan)
        )
        document.saveIncr()
    report = process_packet(str(pdf))
    assert [page.ocr_engine for page in report.pages] == ["pdf-text-layer", "fake"]
    assert fake_engine.calls == 1  # the scanned page only
    assert [page.doc_type for page in report.pages] == [DocType.APPLICATION_FORM, DocType.DEEDS]
    assert report.applicant.id_number is not None and report.applicant.id_number.value == "51050219780512003X"
    assert report.applicant.id_number.confidence > 0.9
