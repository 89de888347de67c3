"""``dossier purge``: every trace of the packets received before the cut-off goes, the rest stays, the audit log
keeps its entries and records the purge."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from extractors.ocr.fake import FakeOcrEngine
from extractors.pdf import sha256_file
from pipeline import purge as purging
from pipeline.cli import app
from pipeline.inbox import ERROR_SUFFIX, Inbox
from pipeline.purge import flow_runs_before, plan_purge, purge
from pipeline.settings import get_settings
from pipeline.storage import Store
from pipeline.storage.schema import AuditEntry, Decision, FindingRow, Packet, Report, Submission
from tests import factories
from tests.pipeline.watching import files_in, wait_for, watching

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def drop(inbox: Inbox, source: Path, name: str) -> None:
    shutil.copy(source, inbox.root / name)


def rows(store: Store, table: type, packet_id: str) -> int:
    with store.reading() as session:
        return len(session.scalars(select(table).where(table.packet_id == packet_id)).all())  # type: ignore[attr-defined]


def test_purge_deletes_what_was_received_before_the_cut_off_and_keeps_the_rest(tmp_path: Path, inbox: Inbox) -> None:
    settings = get_settings()
    old = factories.text_pdf(tmp_path / "old.pdf", [["旧"], ["旧二"]])
    new = factories.text_pdf(tmp_path / "new.pdf", [["新"]])
    outside = factories.text_pdf(tmp_path / "outside.pdf", [["外"]])
    with watching(inbox, settle=0.2, tick=0.1) as (store, filed):
        drop(inbox, old, "old.pdf")
        drop(inbox, old, "old again.pdf")  # the same bytes dropped twice: one packet, two scans
        (inbox.root / "notes.txt.pdf").write_text("not a scan", encoding="utf-8")  # a failed packet
        (inbox.root / "link.pdf").symlink_to(outside)  # refused without a record; its target is not ours
        os.mkfifo(inbox.root / "pipe.pdf")  # refused too, and never read: reading it would wait for ever
        wait_for(lambda: len(filed) == 5, 120, "the old drops")
        time.sleep(0.05)
        cut_off = datetime.now(UTC)
        time.sleep(0.05)
        drop(inbox, new, "new.pdf")
        wait_for(lambda: len(filed) == 6, 120, "the new drop")
    old_id, new_id = sha256_file(old), sha256_file(new)
    with store.exclusive() as session:
        session.add(Decision(packet_id=old_id, kind="packet", target=None, value="approved", actor="reviewer"))
    old_report = Path(store.packet(old_id).report_path or "")  # type: ignore[union-attr]
    old_pages = settings.page_dir / old_id
    cache_before = set(settings.ocr_cache_dir.iterdir())
    audit_before = store.count(AuditEntry)
    assert old_report.is_file() and old_pages.is_dir() and cache_before

    plan = plan_purge(store, inbox, settings.page_dir, settings.ocr_cache_dir, cut_off)
    counts = plan.counts()
    # Prefect's runs of the old drops (and of earlier tests: this session's Prefect API is shared by them).
    assert counts.pop("flow_runs") >= 3 and plan.flow_runs_unseen is None
    assert counts == {
        "packets": 2,  # the old scan, and the text file: a failed report is a record too
        "scans": 3,
        "refused_scans": 2,
        "page_folders": 1,
        "ocr_cache_entries": 2,
        "report_files": 2,
    }
    assert flow_runs_dropped_as("old.pdf") == flow_runs_dropped_as("new.pdf") == 1
    purge(store, plan, "cli:test")

    assert files_in(inbox.done) == ["new.pdf"] and files_in(inbox.failed) == []
    assert not (inbox.failed / "pipe.pdf").exists() and not (inbox.failed / "link.pdf").is_symlink()
    assert files_in(inbox.reports) == [Path(store.packet(new_id).report_path or "").name]  # type: ignore[union-attr]
    assert outside.read_bytes().startswith(b"%PDF")  # the link's target is untouched
    assert not old_pages.exists() and (settings.page_dir / new_id).is_dir()
    assert len(set(settings.ocr_cache_dir.iterdir())) == len(cache_before) - 2
    assert store.packet(old_id) is None and store.packet(new_id) is not None
    assert flow_runs_before(cut_off) == [] and flow_runs_dropped_as("old.pdf") == 0
    assert flow_runs_dropped_as("new.pdf") == 1  # Prefect's record of the new drop stays
    for table in (Report, FindingRow, Submission, Decision):
        assert rows(store, table, old_id) == 0
    assert rows(store, Submission, new_id) == 1
    assert store.count(AuditEntry) == audit_before + 1  # nothing deleted from the log; the purge appended
    with store.reading() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and entry.action == "purge" and entry.actor == "cli:test"
    assert entry.detail["packets"] == 2 and entry.detail["before"] == cut_off.isoformat()

    # A purge stopped after the records went leaves report files without a record: the next purge takes them.
    orphan = inbox.reports / f"stopped.{'ab' * 6}.json"
    orphan.write_text("{}", encoding="utf-8")
    time.sleep(0.05)
    again = plan_purge(store, inbox, settings.page_dir, settings.ocr_cache_dir, datetime.now(UTC))
    new_report = Path(store.packet(new_id).report_path or "")  # type: ignore[union-attr]
    assert again.packet_ids == [new_id] and again.report_files == sorted([new_report, orphan])


def flow_runs_dropped_as(name: str) -> int:
    """Prefect's flow runs, among the latest, whose parameters name a scan dropped as ``name``."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        latest = client.read_flow_runs(sort=FlowRunSort.EXPECTED_START_TIME_DESC, limit=200)
    return sum(1 for run in latest if run.parameters.get("file_name") == name)


def test_a_purge_goes_on_without_prefects_api_and_says_so(
    tmp_path: Path, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def away(_before: datetime) -> list[object]:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(purging, "flow_runs_before", away)
    with watching(inbox, settle=0.2, tick=0.1) as (store, filed):
        drop(inbox, factories.text_pdf(tmp_path / "a.pdf", [["甲"]]), "a.pdf")
        wait_for(lambda: len(filed) == 1, 120, "the drop")
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%d")
    done = CliRunner().invoke(app, ["purge", "--before", tomorrow, "--inbox", str(inbox.root), "--yes"])
    assert done.exit_code == 0, done.output
    assert "1 packets, 1 scans" in done.output and "0 flow runs" in done.output
    assert "flow runs, whose parameters name the scans, were not looked up" in done.output
    assert "Connection refused" in done.output
    assert files_in(inbox.done) == [] and store.count(Packet) == 0  # dossier's own traces went all the same


def test_purge_from_the_command_line_asks_first_and_counts_with_dry_run(
    tmp_path: Path, fake_engine: FakeOcrEngine
) -> None:
    inbox = Inbox.at(tmp_path / "inbox")
    inbox.prepare()
    with watching(inbox, settle=0.2, tick=0.1) as (store, filed):
        drop(inbox, factories.text_pdf(tmp_path / "a.pdf", [["甲"]]), "a.pdf")
        wait_for(lambda: len(filed) == 1, 120, "the drop")
    tomorrow = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%d")
    runner = CliRunner()
    command = ["purge", "--before", tomorrow, "--inbox", str(inbox.root)]

    counted = runner.invoke(app, [*command, "--dry-run"])
    assert counted.exit_code == 0 and "1 packets, 1 scans" in counted.output
    refused = runner.invoke(app, command, input="n\n")
    assert refused.exit_code == 1 and files_in(inbox.done) == ["a.pdf"] and store.count(Packet) == 1

    done = runner.invoke(app, [*command, "--yes"])
    assert done.exit_code == 0, done.output
    assert files_in(inbox.done) == [] and files_in(inbox.reports) == [] and store.count(Packet) == 0
    assert not any(path.name.endswith(ERROR_SUFFIX) for path in inbox.root.rglob("*"))
