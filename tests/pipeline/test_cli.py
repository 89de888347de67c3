"""The ``dossier`` command: formats, bad inputs, exit codes; and the real thing end to end in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from extractors.ocr.fake import FakeOcrEngine
from models import PacketReport
from pipeline.cli import app
from samples import sample_packets
from tests import contract, factories

pytestmark = pytest.mark.usefixtures("prefect_harness")
runner = CliRunner()
TITLE = ("泸州市首席技师申报表", (300, 150, 1300, 220))


def load(path: Path) -> PacketReport:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert contract.missing_keys(data) == [], path
    return PacketReport.model_validate(data)


@pytest.fixture
def engine(fake_engine: FakeOcrEngine) -> FakeOcrEngine:
    fake_engine.lines = [TITLE, ("姓名 王建国", (100, 400, 600, 440))]
    return fake_engine


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder with a good PDF, TIFF and PNG, and the three bad files of the foundation's Done-when."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    good = factories.text_pdf(folder / "good.pdf", [["一"], ["二"]])
    image = factories.page_image()
    factories.multipage_tiff(folder / "scan.tif", [image, image])
    factories.image_file(folder / "photo.png", image)
    factories.truncated_pdf(folder / "truncated.pdf", good)
    factories.encrypted_pdf(folder / "encrypted.pdf", good)
    (folder / "notes.pdf").write_text("这不是PDF文件", encoding="utf-8")
    (folder / "empty.pdf").write_bytes(b"")
    factories.zip_named_pdf(folder / "archive.pdf")
    factories.zero_page_pdf(folder / "nopages.pdf")
    factories.bomb_png(folder / "bomb.png")
    return folder


BAD = {
    "truncated": "truncated",
    "encrypted": "encrypted",
    "notes": "plain text",
    "empty": "empty",
    "archive": "ZIP",
    "nopages": "no pages",
    "bomb": "pixels",
}


@pytest.mark.flow
def test_process_a_folder_good_and_bad_side_by_side(engine: FakeOcrEngine, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["process", str(inbox), "--out", str(out)])
    assert result.exit_code == 1, result.output
    reports = {path.stem: load(path) for path in out.glob("*.json")}
    assert sorted(reports) == sorted(["good", "scan", "photo", *BAD])
    assert [len(reports[name].pages) for name in ("good", "scan", "photo")] == [2, 2, 1]
    for name in ("good", "scan", "photo"):
        assert reports[name].status == "ok" and reports[name].profile == "luzhou-2019"
    for name, reason in BAD.items():
        assert reports[name].status == "failed"
        assert reason in reports[name].errors[0].message
        assert reason in result.output
    assert "luzhou-2019" in result.output


@pytest.mark.flow
def test_exit_code_is_0_when_every_packet_is_processed(engine: FakeOcrEngine, tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "one.pdf", [["一"]])
    result = runner.invoke(app, ["process", str(pdf), "--out", str(tmp_path / "out"), "--profile", "wenzhou-7"])
    assert result.exit_code == 0, result.output
    assert load(tmp_path / "out" / "one.json").profile == "wenzhou-7"


@pytest.mark.flow
def test_inputs_sharing_a_stem_do_not_overwrite_each_other(engine: FakeOcrEngine, tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "scan.pdf", [["一"]])
    png = factories.image_file(tmp_path / "scan.png", np.full((300, 200, 3), 255, np.uint8))
    result = runner.invoke(app, ["process", str(pdf), str(png), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == ["scan.pdf.json", "scan.png.json"]


@pytest.mark.parametrize(
    "args",
    [
        ["process", "/no/such/file.pdf", "--out", "/tmp/x"],
        ["process", "--out", "/tmp/x"],
        ["process", "README.md"],
        ["process", "x.pdf", "--out", "/tmp/x", "--profile", "atlantis-2030"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 2


def test_a_folder_without_scans_is_a_usage_error_and_says_what_was_skipped(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    result = runner.invoke(app, ["process", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "notes.txt" in result.output and "not a scan" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("dossier 0.")


@pytest.mark.ocr
def test_the_real_cli_on_the_sample_packet_and_bad_files(tmp_path: Path) -> None:
    """The foundation's Done-when, as a user runs it: real OCR, a fresh process, its own Prefect."""
    sample = next(p for p in sample_packets() if p.stem.startswith("luzhou-2019") and p.stem.endswith("clean"))
    truth = json.loads(sample.with_suffix(".truth.json").read_text(encoding="utf-8"))
    good = factories.text_pdf(tmp_path / "other.pdf", [["一"]])
    bad = [factories.truncated_pdf(tmp_path / "cut.pdf", good), factories.encrypted_pdf(tmp_path / "lock.pdf", good)]
    (tmp_path / "text.pdf").write_text("plain text, not a PDF", encoding="utf-8")
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "DOSSIER_DATA_DIR": str(tmp_path / "data")}
    env.pop("PREFECT_API_URL", None)
    command = [sys.executable, "-m", "pipeline", "process", str(sample), *map(str, bad), str(tmp_path / "text.pdf")]
    done = subprocess.run(
        [*command, "--out", str(tmp_path / "out")], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 1, done.stdout + done.stderr
    report = load(tmp_path / "out" / f"{sample.stem}.json")
    assert report.status == "ok" and report.profile == truth["profile"]
    truth_types = [page["doc_type"] for page in truth["pages"]]
    right = sum(p.doc_type == t for p, t in zip(report.pages, truth_types, strict=True))
    # The first classifier reads titles only; form understanding (a later stage) raises the bar.
    assert right >= 0.7 * len(truth_types), [p.doc_type.value for p in report.pages]
    assert all(p.ocr_engine in ("rapidocr-ppocrv6-det-int8", "rapidocr-ppocrv6") for p in report.pages)
    assert all(p.width > 1600 for p in report.pages)
    assert report.timings["total"] > 0
    for name in ("cut", "lock", "text"):
        failed = load(tmp_path / "out" / f"{name}.json")
        assert failed.status == "failed" and failed.errors and failed.pages == []


def test_samples_generate_and_eval_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "packets"
    made = runner.invoke(
        app, ["samples", "generate", "--n", "1", "--seed", "3", "--out", str(out), "--faults", "MISSING_SEAL"]
    )
    assert made.exit_code == 0, made.output
    (truth_file,) = out.glob("*.truth.json")
    assert "MISSING_SEAL" in truth_file.read_text(encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    scores = tmp_path / "scores.json"
    result = runner.invoke(app, ["eval", "--truth", str(out), "--reports", str(reports), "--out", str(scores)])
    assert result.exit_code == 0, result.output
    assert "missing" in result.output  # the one report is absent: scored as wrong, no crash
    assert json.loads(scores.read_text(encoding="utf-8"))["metrics"]["packets.missing_or_malformed"]["numerator"] == 1


def test_samples_generate_refuses_unknown_faults(tmp_path: Path) -> None:
    result = runner.invoke(app, ["samples", "generate", "--out", str(tmp_path), "--faults", "TYPO"])
    assert result.exit_code == 2 and "TYPO" in result.output
