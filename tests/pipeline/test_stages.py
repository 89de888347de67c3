"""The stages as plain functions (no Prefect): render to page images, read pages, assemble the report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from extractors.ocr import OcrOptions
from extractors.ocr.fake import FakeOcrEngine
from extractors.pdf import RenderOptions, sha256_file
from models import DocType, PacketReport, PacketStatus
from pipeline import stages
from pipeline.errors import WorkspaceWriteError
from pipeline.pages import page_image_path
from tests import contract, factories

TITLE = ("泸州市首席技师申报表", (300, 150, 1300, 220))


def test_render_packet_writes_one_png_per_page(tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "form.pdf", [["一"], ["二"]])
    rendered = stages.render_packet(pdf, tmp_path / "pages", RenderOptions())
    assert rendered.errors == [] and not rendered.failed
    assert [page.index for page in rendered.pages] == [0, 1]
    for image in rendered.page_images:
        assert image is not None and Path(image).is_file()
        assert Path(image).parent.name == rendered.packet_id
    loaded = stages.load_page_image(Path(rendered.page_images[0] or ""))
    assert loaded.shape == (rendered.pages[0].height, rendered.pages[0].width, 3)


def test_page_images_are_written_without_loss(tmp_path: Path) -> None:
    image = np.random.default_rng(8).integers(0, 256, (120, 90, 3), dtype=np.uint8)
    image[40:60] = (200, 30, 30)  # rows alike, as a page's paper is
    stages.write_page_image(tmp_path / "page.png", image)
    assert np.array_equal(stages.load_page_image(tmp_path / "page.png"), image)
    if hasattr(cv2, "IMWRITE_PNG_FILTER"):  # rows predicted from the row above only: faster both ways
        assert stages._PNG_FAST[-2:] == [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP]


@pytest.mark.parametrize("failing_page", [0, 2])
def test_a_page_image_that_cannot_be_written_stops_the_render(tmp_path: Path, failing_page: int) -> None:
    """Pages are written in the background: a failed write, the last page's included, still raises (retried later)."""
    pdf = factories.text_pdf(tmp_path / "form.pdf", [["一"], ["二"], ["三"]])
    page_image_path(tmp_path / "pages", sha256_file(pdf), failing_page).mkdir(
        parents=True
    )  # a folder where the PNG goes
    with pytest.raises(WorkspaceWriteError, match="cannot write the page image"):
        stages.render_packet(pdf, tmp_path / "pages", RenderOptions())


def test_render_packet_never_raises_on_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf", encoding="utf-8")
    rendered = stages.render_packet(bad, tmp_path / "pages", RenderOptions())
    assert rendered.failed
    (error,) = rendered.errors
    assert error.stage == "load" and error.page is None and "plain text" in error.message


def test_render_packet_reports_an_unreadable_file(tmp_path: Path) -> None:
    rendered = stages.render_packet(tmp_path / "vanished.pdf", tmp_path / "pages", RenderOptions())
    assert rendered.failed and "cannot read" in rendered.errors[0].message


@pytest.mark.timeout(20)
def test_render_packet_refuses_a_named_pipe_unread(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.pdf")  # `dossier process pipe.pdf` waited for ever for a writer
    rendered = stages.render_packet(tmp_path / "pipe.pdf", tmp_path / "pages", RenderOptions())
    assert rendered.failed and "not a regular file" in rendered.errors[0].message


def test_read_page_records_an_engine_failure_instead_of_raising(fake_engine: FakeOcrEngine, tmp_path: Path) -> None:
    fake_engine.lines = [("boom", (0, 0, 10, 10))]
    fake_engine.fail_on = "boom"
    image = factories.image_file(tmp_path / "p.png", np.full((50, 50, 3), 255, np.uint8))
    text = stages.read_page(str(image), 3, OcrOptions(engine="fake"))
    assert text.page == 3 and text.engine is None
    assert text.error and "RuntimeError" in text.error


def test_assemble_report_classifies_detects_and_keeps_every_key(fake_engine: FakeOcrEngine, tmp_path: Path) -> None:
    fake_engine.lines = [TITLE, ("姓名 王建国", (100, 400, 600, 440)), ("内容", (100, 500, 600, 540))]
    pdf = factories.text_pdf(tmp_path / "form.pdf", [["一"], ["二"]])
    rendered = stages.render_packet(pdf, tmp_path / "pages", RenderOptions())
    texts = [
        stages.read_page(image or "", i, OcrOptions(engine="fake")) for i, image in enumerate(rendered.page_images)
    ]
    report = stages.assemble_report(rendered, texts, None, {"render": 0.1, "total": 0.2})
    assert report.status == PacketStatus.OK
    assert report.profile == "luzhou-2019"
    assert [p.doc_type for p in report.pages] == [DocType.APPLICATION_FORM] * 2
    assert [p.ocr_engine for p in report.pages] == ["fake", "fake"]
    assert contract.missing_keys(json.loads(report.to_json())) == []


def test_an_ocr_failure_on_one_page_makes_the_packet_partial(fake_engine: FakeOcrEngine, tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "form.pdf", [["一"], ["二"]])
    rendered = stages.render_packet(pdf, tmp_path / "pages", RenderOptions())
    fake_engine.lines = [TITLE]
    good = stages.read_page(rendered.page_images[0] or "", 0, OcrOptions(engine="fake"))
    fake_engine.fail_on = TITLE[0]
    bad = stages.read_page(rendered.page_images[1] or "", 1, OcrOptions(engine="fake"))
    report = stages.assemble_report(rendered, [good, bad], None, {"total": 0.0})
    assert report.status == PacketStatus.PARTIAL
    assert [(e.stage, e.page) for e in report.errors] == [("ocr", 1)]
    assert report.pages[1].ocr_engine is None and report.pages[0].ocr_engine == "fake"


def test_a_forced_profile_wins_and_an_unknown_one_is_an_error(fake_engine: FakeOcrEngine, tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "form.pdf", [["一"]])
    rendered = stages.render_packet(pdf, tmp_path / "pages", RenderOptions())
    fake_engine.lines = [TITLE]
    texts = [stages.read_page(rendered.page_images[0] or "", 0, OcrOptions(engine="fake"))]
    assert stages.assemble_report(rendered, texts, "wenzhou-7", {"total": 0}).profile == "wenzhou-7"
    report = stages.assemble_report(rendered, texts, "atlantis-2030", {"total": 0})
    assert report.profile is None and report.status == PacketStatus.PARTIAL
    assert "atlantis-2030" in report.errors[0].message


def test_a_page_read_once_is_read_from_the_cache_the_second_time(fake_engine: FakeOcrEngine, tmp_path: Path) -> None:
    image = factories.image_file(tmp_path / "page.png", np.full((100, 200, 3), 255, dtype=np.uint8))
    fake_engine.lines = [("姓名", [1, 1, 50, 20])]
    first = stages.read_page(str(image), 0, OcrOptions(engine="fake"), tmp_path / "cache")
    fake_engine.lines = []
    second = stages.read_page(str(image), 4, OcrOptions(engine="fake"), tmp_path / "cache")
    assert [line.text for line in second.lines] == ["姓名"] == [line.text for line in first.lines]
    assert second.page == 4 and fake_engine.calls == 1
    # Other options are another reading.
    assert stages.read_page(str(image), 0, OcrOptions(engine="fake", min_score=0.9), tmp_path / "cache").lines == []
    # Workers, threads and the upright search do not change what a page image reads as.
    same = OcrOptions(engine="fake", workers=3, threads=1, auto_orient=False, orientation_scale=0.5)
    assert [line.text for line in stages.read_page(str(image), 0, same, tmp_path / "cache").lines] == ["姓名"]


def test_a_bug_gives_a_failed_report_and_a_machine_fault_is_raised(tmp_path: Path) -> None:
    scan = factories.text_pdf(tmp_path / "form.pdf", [["一"]])

    def bug() -> PacketReport:
        raise KeyError("a stage's bug")

    report = stages.report_or_failure(scan, bug)
    assert report.status == PacketStatus.FAILED and report.packet_id == sha256_file(scan)
    assert report.errors[0].stage == "pipeline" and "KeyError" in report.errors[0].message

    def disk_full() -> PacketReport:
        raise WorkspaceWriteError("disk full")

    with pytest.raises(WorkspaceWriteError):
        stages.report_or_failure(scan, disk_full)
