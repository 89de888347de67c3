"""The database on SQLite and PostgreSQL: migrations, one record per scan, cross-packet findings, the audit
log, and report files that always agree with it."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from models.report import Applicant, FindingCode, PacketReport, PacketStatus, Page
from pipeline.ingest import reconcile_report_files
from pipeline.storage import StorageUnavailableError, Store
from pipeline.storage.schema import AuditEntry, Base, FindingRow, Packet, Report, Submission
from pipeline.storage.store import alembic_config
from tests.factories import read

ID = "512524197503248297"
OTHER_ID = "512502198310171277"
UNIT = "温州市总工会"  # not in wenzhou-7's quota table: its default quota of 1 applies


def report(name: str, id_number: str = ID, unit: str = UNIT, status: PacketStatus = PacketStatus.OK) -> PacketReport:
    return PacketReport(
        packet_id=hashlib.sha256(name.encode()).hexdigest(),
        source=name,
        profile="wenzhou-7",
        status=status,
        pages=[Page(index=0, width=1654, height=2339, rotation=0, ocr_engine="rapidocr")],
        applicant=Applicant(name=read("冯清宇"), id_number=read(id_number), recommending_unit=read(unit)),
    )


def record(store: Store, item: PacketReport, tmp_path: Path, drop: str = "first"):  # type: ignore[no-untyped-def]
    return store.record(
        item, file_name=item.source, drop_key=f"{item.source}|{drop}", report_path=tmp_path / f"{item.source}.json"
    )


def test_migrations_create_exactly_the_tables_of_the_schema(db_url: str) -> None:
    store = Store.open(db_url)
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    Store.open(db_url).close()  # opening again is a no-op migration
    store.close()


def test_going_back_a_migration_and_forward_again_keeps_every_report(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    item = report("甲.pdf")
    record(store, item, tmp_path)
    with store.engine.connect() as connection, connection.begin():
        command.downgrade(alembic_config(connection), "0001")
    with store.engine.connect() as connection, connection.begin():
        command.upgrade(alembic_config(connection), "head")
    assert store.report(item.packet_id) == store.recorded(item.packet_id).report  # type: ignore[union-attr]
    assert (store.count(Report), store.count(Submission), store.count(Packet)) == (1, 1, 1)
    store.close()


def test_a_report_is_stored_with_its_findings_drop_and_audit_entry(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    item = report("a.pdf")
    item.findings = []
    recorded = record(store, item, tmp_path)
    assert not recorded.duplicate
    assert store.report(item.packet_id) == item
    assert store.report_text(item.packet_id) == recorded.report_text == item.to_json() + "\n"
    packet = store.packet(item.packet_id)
    assert packet is not None
    assert (packet.status, packet.profile, packet.page_count, packet.applicant_id_number) == ("ok", "wenzhou-7", 1, ID)
    assert store.count(Submission) == 1
    with store.reading() as session:
        assert session.scalars(select(AuditEntry.action)).all() == ["packet.processed"]
    store.close()


def test_the_same_bytes_again_are_one_packet_and_a_second_drop(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    item = report("a.pdf")
    first = record(store, item, tmp_path)
    again = record(store, item, tmp_path, drop="second")
    assert again.duplicate and again.report_text == first.report_text and again.report_path == first.report_path
    assert store.count(Packet) == 1
    with store.reading() as session:
        assert session.scalars(select(Submission.outcome).order_by(Submission.id)).all() == ["processed", "duplicate"]
    assert store.has_drop(item.packet_id, "a.pdf|second") and not store.has_drop(item.packet_id, "a.pdf|third")
    store.close()


def test_workers_recording_the_same_scan_at_once_make_one_record(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    item = report("a.pdf")
    outcomes: list[bool] = []

    def work(n: int) -> None:
        outcomes.append(record(store, item, tmp_path, drop=str(n)).duplicate)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] + [True] * 5
    assert store.count(Packet) == 1 and store.count(Submission) == 6
    store.close()


def test_an_applicant_in_an_earlier_packet_and_a_unit_over_its_quota_are_flagged(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    first = record(store, report("first.pdf"), tmp_path)
    assert first.report.findings == []
    second = record(store, report("second.pdf"), tmp_path)
    codes = {finding.code for finding in second.report.findings}
    assert codes == {FindingCode.DUPLICATE_APPLICANT, FindingCode.QUOTA_EXCEEDED}
    duplicate = next(f for f in second.report.findings if f.code == FindingCode.DUPLICATE_APPLICANT)
    assert duplicate.evidence["other_packet_id"] == first.packet_id
    assert second.report.risk is not None
    with store.reading() as session:
        rows = session.scalars(select(FindingRow.code).where(FindingRow.packet_id == second.packet_id)).all()
    assert set(rows) == {"DUPLICATE_APPLICANT", "QUOTA_EXCEEDED"}
    assert store.report(second.packet_id) == second.report
    # Another unit and another person: nothing to flag.
    assert record(store, report("third.pdf", OTHER_ID, "鹿城区人力资源和社会保障局"), tmp_path).report.findings == []
    store.close()


def test_the_audit_log_refuses_updates_and_deletes(db_url: str) -> None:
    store = Store.open(db_url)
    store.audit("reviewer1", "packet.approved", None, note="ok")
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.exclusive() as session:
            session.execute(text(statement))
    with store.reading() as session:
        assert session.scalars(select(AuditEntry.actor)).all() == ["reviewer1"]
    store.close()


def test_report_files_missing_or_altered_on_disk_are_rewritten_from_the_database(db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    one, two = record(store, report("one.pdf"), tmp_path), record(store, report("two.pdf", OTHER_ID), tmp_path)
    assert one.report_path is not None and two.report_path is not None
    one.report_path.write_text("{}", encoding="utf-8")  # stale
    assert not two.report_path.exists()  # the store writes no files: a crash before writing leaves none
    assert reconcile_report_files(store) == 2
    assert one.report_path.read_text(encoding="utf-8") == one.report_text
    assert two.report_path.read_text(encoding="utf-8") == two.report_text
    assert reconcile_report_files(store) == 0
    store.close()


def test_an_unreachable_database_is_reported_as_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailableError, match="数据库不可用"):
        Store.open("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
