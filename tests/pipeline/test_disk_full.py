"""The disk full: real write failures (the kernel's file-size limit, RLIMIT_FSIZE, makes every write past it fail
as a full disk does), and a full disk while the report file is written. Nothing is left half written, nothing is
filed or stored as failed for the machine's fault, and the scan is finished once there is room again."""

from __future__ import annotations

import errno
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from extractors.ocr.fake import FakeOcrEngine
from extractors.pdf import sha256_file
from models.report import PacketStatus
from pipeline import report_io
from pipeline.errors import WorkspaceWriteError
from pipeline.inbox import Inbox
from pipeline.report_io import write_report_text
from pipeline.storage import Store
from pipeline.storage.schema import Packet, Submission
from samples import sample_packets
from tests import factories
from tests.pipeline.watching import files_in, wait_for, watching

SMALL_FILE_LIMIT = 64 * 1024
"""Bytes a process may write into one file while "the disk is full": above a report, below a page image."""


@contextmanager
def file_size_limit(limit: int, pid: int = 0) -> Iterator[None]:
    """Writes past ``limit`` bytes in any file fail (EFBIG) for process ``pid`` (0: this one) inside the block."""
    soft, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (soft, hard))


@pytest.fixture
def no_sigxfsz() -> Iterator[None]:
    """A write past the limit fails with EFBIG instead of killing the process with SIGXFSZ."""
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    yield
    signal.signal(signal.SIGXFSZ, previous)


@pytest.mark.usefixtures("no_sigxfsz")
def test_a_report_that_cannot_be_written_in_full_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    report = tmp_path / "packet.json"
    report.write_text('{"status": "ok"}\n', encoding="utf-8")
    with file_size_limit(1024), pytest.raises(WorkspaceWriteError, match="cannot write the report file"):
        write_report_text(report, '{"status": "partial", "notes": "' + "长" * 4000 + '"}\n')
    assert report.read_text(encoding="utf-8") == '{"status": "ok"}\n'
    assert [path.name for path in tmp_path.iterdir()] == ["packet.json"]


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_full_disk_while_the_report_is_written_leaves_the_scan_in_processing_until_there_is_room(
    tmp_path: Path, fake_engine: FakeOcrEngine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pipeline.watch")
    fake_engine.lines = [("温州市第七轮首席技师推荐表", (300, 150, 1300, 220))]
    inbox = Inbox.at(tmp_path / "inbox")
    inbox.prepare()
    disk_full = True
    write = report_io.write_text_atomically

    def write_unless_full(path: Path, text: str) -> Path:
        if disk_full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return write(path, text)

    monkeypatch.setattr(report_io, "write_text_atomically", write_unless_full)
    scan = factories.text_pdf(tmp_path / "scan.pdf", [["一"]])
    with watching(inbox, settle=0.2, tick=0.1) as (store, filed):
        shutil.copy(scan, inbox.root / "scan.pdf")
        wait_for(lambda: "is retried" in caplog.text, 60, "a run to hit the full disk")
        assert store.count(Packet) == 1  # the record is stored first; its file is what failed
        assert filed == [] and files_in(inbox.processing) == ["scan.pdf"], "filed without its report file"
        assert files_in(inbox.reports) == []  # no report file, not even a temporary one
        disk_full = False
        wait_for(lambda: len(filed) == 1, 60, "the retry once there is room")
    assert files_in(inbox.done) == ["scan.pdf"] and files_in(inbox.failed) == []
    (report,) = files_in(inbox.reports)
    packet_id = sha256_file(inbox.done / "scan.pdf")
    assert (inbox.reports / report).read_text(encoding="utf-8") == store.report_text(packet_id)
    assert store.count(Packet) == 1 and store.count(Submission) == 1  # the retry finished the same drop


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_watcher_whose_disk_fills_up_keeps_the_scan_unstored_and_finishes_it_once_there_is_room(
    tmp_path: Path, isolated_settings: Path
) -> None:
    """The real watcher process, its page images refused by the kernel: the packet must not become a stored
    ``failed`` report (it is not the scan's fault); once writes succeed again it is processed once."""
    from prefect.settings import PREFECT_API_URL

    packet = min(sample_packets(), key=lambda p: p.stat().st_size)
    inbox = Inbox.at(tmp_path / "inbox")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOSSIER_OCR")}
    env |= {"PREFECT_API_URL": str(PREFECT_API_URL.value()), "DOSSIER_DATA_DIR": str(isolated_settings)}
    log = tmp_path / "watch.log"
    command = [sys.executable, "-m", "pipeline", "watch", str(inbox.root), "--settle", "0.2"]
    with log.open("wb") as stderr:
        watcher = subprocess.Popen(
            command,
            env=env,
            stderr=stderr,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGXFSZ, signal.SIG_IGN),  # EFBIG, as ENOSPC, not a kill
        )
    try:
        wait_for(lambda: inbox.processing.is_dir(), 120, "the watcher to start")  # database migrated by then
        with file_size_limit(SMALL_FILE_LIMIT, watcher.pid):
            shutil.copy(packet, inbox.root / packet.name)
            wait_for(lambda: "is retried" in log.read_text(errors="replace"), 120, "a run to hit the full disk")
            assert files_in(inbox.processing) == [packet.name]
            assert files_in(inbox.done) == files_in(inbox.failed) == files_in(inbox.reports) == []
            store = Store.open(f"sqlite:///{isolated_settings / 'dossier.db'}")
            assert store.count(Packet) == 0, "a packet was stored as processed although its pages were not"
            assert "cannot write the page image" in log.read_text(errors="replace")
        wait_for(lambda: files_in(inbox.done) == [packet.name], 300, "the retry once there is room")
        wait_for(lambda: files_in(inbox.processing) == [], 30, "the scan to leave processing/")
    finally:
        watcher.send_signal(signal.SIGTERM)
        try:
            watcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(watcher.pid, signal.SIGKILL)
            watcher.wait()
    assert files_in(inbox.failed) == [] and len(files_in(inbox.reports)) == 1
    assert store.count(Packet) == 1 and store.count(Submission) == 1
    stored = store.report(sha256_file(packet))
    assert stored is not None and stored.status != PacketStatus.FAILED
    store.close()
