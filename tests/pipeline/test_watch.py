"""The watched folder for real: real flow runs, a real database, real files moved; a watcher killed with
SIGKILL and restarted."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from extractors.pdf import sha256_file
from models.report import PacketStatus
from pipeline.inbox import ERROR_SUFFIX, Inbox
from pipeline.settings import get_settings
from pipeline.storage import Store
from pipeline.storage.schema import Packet, Submission
from samples import sample_packets
from tests import factories
from tests.pipeline.tcp_proxy import TcpProxy
from tests.pipeline.watching import files_in, wait_for, watching

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def test_a_file_written_slowly_is_taken_only_once_complete(inbox: Inbox, tmp_path: Path) -> None:
    source = factories.text_pdf(tmp_path / "source.pdf", [["一"], ["二"]])
    data = source.read_bytes()
    target = inbox.root / "slow.pdf"
    chunks = [data[i : i + len(data) // 8 + 1] for i in range(0, len(data), len(data) // 8 + 1)]
    # Pauses of 0.3 s against a settle time of 2 s: a wide margin on a loaded machine.
    with watching(inbox, settle=2.0, tick=0.2) as (store, filed):
        with target.open("wb") as stream:
            for chunk in chunks:  # a scanner on a share: a chunk, then a pause shorter than the settle time
                stream.write(chunk)
                stream.flush()
                time.sleep(0.3)
                assert not filed, "taken while still being written"
        wait_for(lambda: len(filed) == 1, 60, "the file to be processed")
    result = filed[0].result
    assert result is not None and result.status != PacketStatus.FAILED
    assert result.packet_id == sha256_file(inbox.done / "slow.pdf")  # the whole file was read
    assert store.count(Packet) == 1


def test_the_same_scan_dropped_twice_gives_one_record(inbox: Inbox, tmp_path: Path) -> None:
    scan = factories.text_pdf(tmp_path / "scan.pdf", [["一"]])
    with watching(inbox, settle=0.3, tick=0.1) as (store, filed):
        shutil.copy(scan, inbox.root / "scan.pdf")
        wait_for(lambda: len(filed) == 1, 60, "the first drop")
        shutil.copy(scan, inbox.root / "scan again.pdf")
        wait_for(lambda: len(filed) == 2, 60, "the second drop")
    first, second = (item.result for item in filed)
    assert first is not None and second is not None
    assert not first.duplicate and second.duplicate and second.report_path == first.report_path
    assert store.count(Packet) == 1 and store.count(Submission) == 2
    assert files_in(inbox.done) == ["scan again.pdf", "scan.pdf"]
    assert files_in(inbox.reports) == [Path(first.report_path or "").name]


def test_a_file_that_is_not_a_scan_fails_with_its_reason_beside_it(inbox: Inbox) -> None:
    (inbox.root / "notes.pdf").write_text("not a pdf at all", encoding="utf-8")
    (inbox.root / "upload.pdf.part").write_bytes(b"%PDF-")  # still being copied: left alone
    with watching(inbox, settle=0.3, tick=0.1) as (store, filed):
        wait_for(lambda: len(filed) == 1, 60, "the file to be failed")
    assert filed[0].failed and filed[0].destination == inbox.failed / "notes.pdf"
    reason = (inbox.failed / f"notes.pdf{ERROR_SUFFIX}").read_text(encoding="utf-8")
    assert "notes.pdf" in reason and "report:" in reason
    assert (inbox.root / "upload.pdf.part").exists()
    packet = store.packet(sha256_file(inbox.failed / "notes.pdf"))
    assert packet is not None and packet.status == "failed" and packet.path == str(inbox.failed / "notes.pdf")


def test_a_named_pipe_is_refused_unread_and_the_watcher_goes_on(inbox: Inbox, tmp_path: Path) -> None:
    os.mkfifo(inbox.root / "pipe.pdf")  # opened for reading, it would wait for a writer that never comes
    with watching(inbox, settle=0.3, tick=0.1, workers=1) as (store, filed):
        wait_for(lambda: len(filed) == 1, 60, "the pipe to be refused")
        shutil.copy(factories.text_pdf(tmp_path / "good.pdf", [["一"]]), inbox.root / "good.pdf")
        wait_for(lambda: len(filed) == 2, 60, "a scan dropped after it, by the same one worker")
    refused, good = filed
    assert refused.result is None and refused.destination == inbox.failed / "pipe.pdf"
    assert (inbox.failed / "pipe.pdf").is_fifo()
    assert "not a regular file" in (inbox.failed / f"pipe.pdf{ERROR_SUFFIX}").read_text(encoding="utf-8")
    assert good.result is not None and good.destination == inbox.done / "good.pdf"
    assert store.count(Packet) == 1


def test_a_hundred_files_dropped_at_once_all_end_in_done(inbox: Inbox, tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    for n in range(100):
        image = np.full((300, 400, 3), 250, np.uint8)
        image[n // 20 * 10 : n // 20 * 10 + 5, n % 20 * 10 : n % 20 * 10 + 5] = 0  # every file different
        factories.image_file(staging / f"scan-{n:03d}.png", image)
    with watching(inbox, settle=0.5, tick=0.2, workers=2) as (store, filed):
        for path in sorted(staging.iterdir()):
            os.rename(path, inbox.root / path.name)  # "renamed in", as copy tools finish a file
        wait_for(lambda: len(filed) == 100, 600, "100 files")
    assert files_in(inbox.done) == sorted(f"scan-{n:03d}.png" for n in range(100))
    assert files_in(inbox.processing) == [] and files_in(inbox.failed) == []
    assert store.count(Packet) == 100 and len(files_in(inbox.reports)) == 100


def test_killed_mid_packet_then_restarted_gives_exactly_one_report(tmp_path: Path, isolated_settings: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    packet = min(sample_packets(), key=lambda p: p.stat().st_size)
    inbox = Inbox.at(tmp_path / "inbox")
    inbox.prepare()
    env = {key: value for key, value in os.environ.items() if not key.startswith("DOSSIER_OCR")}
    env |= {"PREFECT_API_URL": str(PREFECT_API_URL.value()), "DOSSIER_DATA_DIR": str(isolated_settings)}
    command = [sys.executable, "-m", "pipeline", "watch", str(inbox.root), "--settle", "0.5"]

    watcher = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        shutil.copy(packet, inbox.root / packet.name)
        wait_for(lambda: (inbox.processing / packet.name).exists(), 120, "the packet to be taken")
        time.sleep(3)  # well inside the packet: its pages are being read
    finally:
        os.killpg(watcher.pid, signal.SIGKILL)
        watcher.wait()
    assert files_in(inbox.processing) == [packet.name], "the packet finished before the kill: nothing was tested"

    subprocess.run([*command, "--once"], env=env, timeout=600, check=True)
    assert files_in(inbox.processing) == [] and files_in(inbox.failed) == []
    assert files_in(inbox.done) == [packet.name]
    reports = files_in(inbox.reports)
    assert len(reports) == 1
    store = Store.open(f"sqlite:///{isolated_settings / 'dossier.db'}")
    assert store.count(Packet) == 1 and store.count(Submission) == 1
    assert (inbox.reports / reports[0]).read_text(encoding="utf-8") == store.report_text(sha256_file(packet))
    store.close()


def test_several_workers_share_one_temporary_prefect_server(tmp_path: Path) -> None:
    """No PREFECT_API_URL, as on an office PC: the watcher starts Prefect's server once, before its workers."""
    inbox = Inbox.at(tmp_path / "inbox")
    inbox.prepare()
    for n in range(3):
        factories.text_pdf(inbox.root / f"scan-{n}.pdf", [[f"第{n}份"]])
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DOSSIER_OCR", "PREFECT_API"))}
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"), "DOSSIER_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "pipeline", "watch", str(inbox.root), "--settle", "0", "--workers", "3", "--once"]
    done = subprocess.run(command, env=env, timeout=300, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "failed; retrying" not in done.stderr, done.stderr  # no worker lost the race to start the server
    assert files_in(inbox.done) == ["scan-0.pdf", "scan-1.pdf", "scan-2.pdf"]


def test_with_the_database_gone_a_file_waits_in_processing_until_it_is_back(
    inbox: Inbox, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.engine import make_url

    real = make_url(postgres_url)
    proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432))
    proxy.restore()
    monkeypatch.setenv("DOSSIER_DB_URL", real.set(port=proxy.port).render_as_string(hide_password=False))
    get_settings.cache_clear()
    scan = factories.text_pdf(tmp_path / "scan.pdf", [["一"]])
    try:
        with watching(inbox, settle=0.2, tick=0.1) as (store, filed):
            proxy.cut()  # PostgreSQL goes away after the watcher started
            shutil.copy(scan, inbox.root / "scan.pdf")
            wait_for(lambda: (inbox.processing / "scan.pdf").exists(), 30, "the file to be taken")
            time.sleep(4)  # at least one run fails to reach the database and is put back
            assert filed == [] and files_in(inbox.processing) == ["scan.pdf"], "filed without being stored"
            proxy.restore()
            wait_for(lambda: len(filed) == 1, 120, "the retry once the database is back")
        assert files_in(inbox.done) == ["scan.pdf"] and files_in(inbox.processing) == []
        assert store.count(Packet) == 1
    finally:
        proxy.cut()
