"""The bad-input corpus (``tests/data/bad/``) dropped into a watched folder all at once and read by the real OCR
engine: every file ends in ``done/`` or ``failed/`` as ``expected.toml`` says, exactly once, with a readable
reason; names that look like paths stay inside the inbox; symbolic links are refused and never followed; and
the watcher goes on taking files afterwards."""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import tomllib
from pathlib import Path

import pytest

from extractors.ocr.fake import FakeOcrEngine
from extractors.pdf import sha256_file
from models.report import PacketStatus
from pipeline.inbox import ERROR_SUFFIX, MAX_NAME_BYTES, Inbox, error_file, storable_name, upload_name
from pipeline.settings import get_settings
from pipeline.storage.schema import Packet
from pipeline.watch import Filed
from tests import factories
from tests.data.bad.make_corpus import MAKERS
from tests.pipeline.watching import files_in, wait_for, watching

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad"
EXPECTED: dict[str, dict[str, str]] = tomllib.loads((CORPUS / "expected.toml").read_text(encoding="utf-8"))
PROCESSED_STATUSES = {PacketStatus.OK, PacketStatus.PARTIAL}

LONG_NAME = "申" * 83 + ".png"  # 253 bytes: no room left for " (2)", ".error.txt" or the report's ".<hash>.json"
DROP_AS = {
    # Each corpus file is dropped once; these under a name that tests the name handling.
    "scan.jpg": '张三\'s "申报" 材料.jpg',  # Chinese, spaces, single and double quotes
    "truncated.pdf": "科室 A/截断 的 文件.pdf",  # into a subfolder
    "text-file-named.pdf": "x\\..\\..\\evil.pdf",  # a Windows path escaping upwards: one literal name on Linux
    "scan-rotated-90.png": " 前后 空格 .png",  # leading and trailing spaces in the stem
    "scan.png": LONG_NAME,
}
HIDDEN = "..\\..\\evil.pdf"
"""Starts with a dot: a hidden file, which the watcher leaves alone (as it does .DS_Store and ._AppleDouble)."""


def test_the_manifest_lists_every_corpus_file() -> None:
    on_disk = {path.name for path in CORPUS.iterdir() if path.is_file()} - {"expected.toml", "make_corpus.py"}
    assert on_disk == set(EXPECTED) == set(MAKERS), (
        "regenerate (python -m tests.data.bad.make_corpus), or fix expected.toml"
    )
    for name, entry in EXPECTED.items():
        assert entry["outcome"] in {"processed", "failed"}, name
        assert entry["outcome"] == "processed" or entry.get("error"), f"{name}: a failure must name its reason"
    assert sum(path.stat().st_size for path in CORPUS.iterdir()) < 3 << 20
    assert len({sha256_file(CORPUS / name) for name in EXPECTED}) == len(EXPECTED), "two files with the same bytes"


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
@pytest.mark.ocr
def test_the_whole_corpus_dropped_at_once_is_filed_as_expected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("DOSSIER_OCR__ENGINE", raising=False)  # the real engine: the scans are really read
    get_settings.cache_clear()
    caplog.set_level(logging.WARNING, logger="pipeline.watch")
    caplog.set_level(logging.WARNING, logger="extractors.pdf")
    inbox = Inbox.at(tmp_path / "inbox")
    inbox.prepare()
    outside = _outside_the_inbox(tmp_path / "outside")
    before = _snapshot(outside)
    staging = tmp_path / "staging"
    dropped = _stage(staging)

    with watching(inbox, settle=0.5, tick=0.2, workers=2) as (store, filed):
        (inbox.root / "科室 A").mkdir()
        for name, staged in dropped.items():
            os.rename(staged, inbox.root / name)  # "renamed in", as copy tools finish a file
        (inbox.root / "link-to-outside.pdf").symlink_to(Path("..") / "outside" / "外部 扫描.pdf")
        (inbox.root / "linked-folder").symlink_to(outside, target_is_directory=True)
        (inbox.root / HIDDEN).write_bytes(b"%PDF-1.7 hidden\n")
        total = len(dropped) + 2
        wait_for(lambda: len(filed) >= total, 600, f"{total} files to be filed")

        factories.text_pdf(staging / "good.pdf", [["“巴渝特级技师”申报表"], ["姓名：王五"]])
        os.rename(staging / "good.pdf", inbox.root / "good.pdf")
        wait_for(lambda: len(filed) == total + 1, 120, "a good file dropped after the corpus")
        workers = [thread for thread in threading.enumerate() if thread.name.startswith("dossier-worker-")]
        assert workers and all(thread.is_alive() for thread in workers), "the watcher stopped"

    by_name = _filed_once(filed)
    good = by_name.pop("good.pdf")
    assert good.result is not None and good.result.status in PROCESSED_STATUSES
    for corpus_name, drop_name in _drop_names().items():
        _assert_filed_as_expected(inbox, corpus_name, by_name.pop(storable_name(drop_name)))
    for link in ("link-to-outside.pdf", "linked-folder"):
        item = by_name.pop(link)
        assert item.result is None and item.destination == inbox.failed / link and item.destination.is_symlink()
        assert "symbolic link" in (inbox.failed / f"{link}{ERROR_SUFFIX}").read_text(encoding="utf-8")
    assert not by_name, f"filed but not dropped: {sorted(by_name)}"

    assert files_in(inbox.processing) == []
    assert sorted(entry.name for entry in inbox.root.iterdir()) == sorted(
        [HIDDEN, "done", "failed", "processing", "reports"]
    )
    assert _snapshot(outside) == before, "a file outside the inbox was touched"
    assert store.packet(sha256_file(outside / "外部 扫描.pdf")) is None, "a symbolic link was followed"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["inbox", "outside", "staging"]
    assert store.count(Packet) == len(EXPECTED) + 1
    reports = [path for path in inbox.reports.rglob("*") if path.is_file()]
    assert len(reports) == len(EXPECTED) + 1 and all(path.parent == inbox.reports for path in reports)
    messages = [record.getMessage() for record in caplog.records]
    assert "broken-xref.pdf: damaged PDF structure was repaired while opening" in messages
    assert not [message for message in messages if "retrying" in message or "unexpected error" in message]


def _stage(staging: Path) -> dict[str, Path]:
    """A copy of every corpus file, beside the inbox, by the name it is to be dropped under."""
    staging.mkdir()
    dropped = {}
    for number, (corpus_name, drop_name) in enumerate(_drop_names().items()):
        staged = staging / f"{number:02d}"
        shutil.copyfile(CORPUS / corpus_name, staged)
        dropped[drop_name] = staged
    return dropped


def _drop_names() -> dict[str, str]:
    return {name: DROP_AS.get(name, name) for name in EXPECTED}


def _outside_the_inbox(folder: Path) -> Path:
    folder.mkdir()
    factories.text_pdf(folder / "外部 扫描.pdf", [["不应被读取的外部文件"]])
    return folder


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in folder.iterdir()}


def _filed_once(filed: list[Filed]) -> dict[str, Filed]:
    names = [item.name for item in filed]
    assert len(names) == len(set(names)), f"filed twice: {sorted(n for n in names if names.count(n) > 1)}"
    return {item.name: item for item in filed}


def _assert_filed_as_expected(inbox: Inbox, corpus_name: str, item: Filed) -> None:
    expected = EXPECTED[corpus_name]
    failed = expected["outcome"] == "failed"
    where = f"{corpus_name} (dropped as {item.name!r})"
    assert item.destination == (inbox.failed if failed else inbox.done) / item.name, where
    assert item.destination.read_bytes() == (CORPUS / corpus_name).read_bytes(), f"{where}: the file changed"
    why_failed = error_file(item.destination)
    assert why_failed.exists() == failed, where
    result = item.result
    assert result is not None and result.report_path is not None, where
    report_path = Path(result.report_path)
    assert report_path.resolve().parent == inbox.reports, f"{where}: report written outside the reports folder"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    messages = [error["message"] for error in report["errors"]]
    if failed:
        reason = why_failed.read_text(encoding="utf-8")
        assert reason.startswith(item.name + "\n"), where
        assert expected["error"] in reason, f"{where}: {reason}"
        assert result.status == PacketStatus.FAILED and report["status"] == "failed", where
    else:
        assert result.status in PROCESSED_STATUSES and report["status"] in {"ok", "partial"}, f"{where}: {messages}"
        if "error" in expected:
            assert any(expected["error"] in message for message in messages), f"{where}: {messages}"


def test_names_that_look_like_paths_are_filed_inside_the_inbox_under_their_own_name() -> None:
    for name in ('张三\'s "申报" 材料.jpg', "x\\..\\..\\evil.pdf", " 前后 空格 .png", "科室 A/截断 的 文件.pdf"):
        assert storable_name(name) == name
    shortened = storable_name(LONG_NAME)
    assert len(shortened.encode("utf-8")) <= MAX_NAME_BYTES and shortened.endswith("….png")
    assert shortened.startswith("申" * 60)
    assert storable_name("行1\n行2.pdf") == "行1_行2.pdf"


def test_a_name_in_a_legacy_encoding_is_read_as_gb18030() -> None:
    gbk = os.fsdecode("科室".encode("gbk") + b"/" + "扫描件.pdf".encode("gbk"))
    assert storable_name(gbk) == "科室/扫描件.pdf"
    assert storable_name(os.fsdecode(b"caf\xe9.pdf")) == "caf\N{REPLACEMENT CHARACTER}.pdf"


@pytest.mark.parametrize(
    ("uploaded", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\evil.pdf", "evil.pdf"),
        ("C:\\Users\\张三\\Desktop\\申报 材料.pdf", "申报 材料.pdf"),
        ("/etc/cron.d/x.pdf", "x.pdf"),
        ('张三\'s "申报".pdf', '张三\'s "申报".pdf'),
        (".hidden.pdf", "hidden.pdf"),
        ("~$lock.pdf", "lock.pdf"),
        ("a\x00b\r\n.pdf", "ab.pdf"),
    ],
)
def test_an_uploaded_name_keeps_only_its_bare_file_name(uploaded: str, kept: str) -> None:
    assert upload_name(uploaded) == kept


@pytest.mark.parametrize("uploaded", ["", "..", "../", "a/..", "\\", " . ", "\x00", "申" * 67 + ".pdf"])
def test_an_upload_name_with_nothing_usable_left_is_refused(uploaded: str) -> None:
    with pytest.raises(ValueError, match="unusable file name"):
        upload_name(uploaded)


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_name_in_a_legacy_encoding_does_not_stop_the_watcher(tmp_path: Path, fake_engine: FakeOcrEngine) -> None:
    fake_engine.lines = [("“巴渝特级技师”申报表", (300, 150, 1300, 220))]
    inbox = Inbox.at(tmp_path / "inbox")
    inbox.prepare()
    with watching(inbox, settle=0.3, tick=0.1) as (_store, filed):
        shutil.copyfile(CORPUS / "blank-page.jpg", os.fsencode(inbox.root) + b"/" + "扫描件.jpg".encode("gbk"))
        wait_for(lambda: len(filed) == 1, 20, "the GBK-named file")
        factories.text_pdf(inbox.root / "good.pdf", [["第一页"]])
        wait_for(lambda: len(filed) == 2, 30, "a good file dropped afterwards")
    assert files_in(inbox.done) == ["good.pdf", "扫描件.jpg"]
