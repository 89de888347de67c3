"""The database behind the watched folder and the reviewer app.

SQLite (a file in the data folder, WAL) by default; PostgreSQL when
``DOSSIER_DB_URL`` names one, so that several workers share it. The schema is
brought up to date by Alembic when a store is opened.

Writes that decide something from what is already stored (is this scan new? is
this applicant already in another packet?) run in an *exclusive* transaction:
``BEGIN IMMEDIATE`` on SQLite, a transaction-level advisory lock on PostgreSQL.
Two workers can therefore never both record the same scan, and never miss each
other's applicant.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError as DbInterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from extractors.checks import check_against, finish_findings, recommending_unit
from extractors.units import same_unit
from models.report import Finding, PacketReport
from pipeline.errors import RetryLaterError
from pipeline.privacy import ensure_private_file, ensure_private_folder
from pipeline.storage.schema import NAME_LENGTH, AuditEntry, FindingRow, Packet, Report, Submission, utc_now

logger = logging.getLogger(__name__)

# Any constant shared by every dossier process: the key of the PostgreSQL advisory lock.
_ADVISORY_LOCK_KEY = 0x646F7373  # "doss"
_SQLITE_BUSY_TIMEOUT_MS = 60_000

SYSTEM_ACTOR = "system"


class StorageUnavailableError(RetryLaterError):
    """The database cannot be reached or is locked; the work should wait and be retried, not failed."""


@dataclass(frozen=True)
class Recorded:
    """What :meth:`Store.record` did with a report.

    Attributes:
        packet_id: The packet (the scan's SHA-256).
        report: The stored report: the one given, with cross-packet findings added, or the earlier one.
        report_text: The stored JSON text, exactly what belongs on disk.
        report_path: Where that text belongs on disk (the earlier packet's path for a duplicate).
        duplicate: True when these bytes were already recorded: nothing new was stored but the drop.
    """

    packet_id: str
    report: PacketReport
    report_text: str
    report_path: Path | None
    duplicate: bool


@dataclass(frozen=True)
class StoredReportFile:
    """A report the database holds, and where and with which hash it belongs on disk."""

    packet_id: str
    report_path: Path
    sha256: str


class Store:
    """A handle on the database: open once per process with :meth:`open`, share across threads."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect to ``url`` (a SQLAlchemy URL) and migrate the schema to the newest revision.

        Raises:
            StorageUnavailableError: The database cannot be reached.
        """
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(url)
        else:
            engine = create_engine(url, pool_pre_ping=True)
        store = cls(engine)
        store.migrate()
        return store

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Bring the schema to Alembic's head revision (under the exclusive lock: workers start together)."""
        with self._exclusive_connection() as connection:
            command.upgrade(alembic_config(connection), "head")

    @contextmanager
    def _exclusive_connection(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                connection = connection.execution_options(dossier_exclusive=True)
                with connection.begin():
                    if self.dialect == "postgresql":
                        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
                    yield connection
        except (OperationalError, DbInterfaceError) as exc:
            raise StorageUnavailableError(f"数据库不可用 (database unavailable: {exc.orig or exc})") from exc

    @contextmanager
    def exclusive(self) -> Iterator[Session]:
        """A session in an exclusive write transaction, committed on leaving (rolled back on an error)."""
        with self._exclusive_connection() as connection, Session(bind=connection) as session:
            yield session
            session.flush()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads."""
        try:
            with Session(self.engine) as session:
                yield session
        except (OperationalError, DbInterfaceError) as exc:
            raise StorageUnavailableError(f"数据库不可用 (database unavailable: {exc.orig or exc})") from exc

    # ------------------------------------------------------------------ reads

    def packet(self, packet_id: str) -> Packet | None:
        """The packet row (detached), or None."""
        with self.reading() as session:
            row = session.get(Packet, packet_id)
            if row is not None:
                session.expunge(row)
            return row

    def report(self, packet_id: str) -> PacketReport | None:
        """The stored report of a packet, or None."""
        with self.reading() as session:
            row = session.get(Report, packet_id)
            return PacketReport.from_json(row.json) if row is not None else None

    def report_text(self, packet_id: str) -> str | None:
        """The stored report JSON text of a packet, exactly as it belongs on disk, or None."""
        with self.reading() as session:
            row = session.get(Report, packet_id)
            return row.json if row is not None else None

    def report_files(self) -> Iterator[StoredReportFile]:
        """Every stored report that has a file on disk, with the hash that file must have."""
        with self.reading() as session:
            rows = session.execute(
                select(Packet.id, Packet.report_path, Report.sha256)
                .join(Report, Report.packet_id == Packet.id)
                .where(Packet.report_path.is_not(None))
            ).all()
        for packet_id, report_path, sha in rows:
            if report_path is not None:
                yield StoredReportFile(packet_id=packet_id, report_path=Path(report_path), sha256=sha)

    def count(self, table: type[Any]) -> int:
        """Rows in a table (for status lines and tests)."""
        with self.reading() as session:
            return session.scalar(select(func.count()).select_from(table)) or 0

    def has_drop(self, packet_id: str, drop_key: str) -> bool:
        """Whether this very drop (name, size, mtime) was already recorded for the packet."""
        with self.reading() as session:
            found = session.scalar(
                select(Submission.id).where(Submission.packet_id == packet_id, Submission.drop_key == drop_key)
            )
            return found is not None

    # ----------------------------------------------------------------- writes

    def record(
        self,
        report: PacketReport,
        *,
        file_name: str,
        drop_key: str,
        report_path: Path | None,
        actor: str = SYSTEM_ACTOR,
    ) -> Recorded:
        """Store a new packet's report, or record the drop as a duplicate of the packet with the same bytes.

        A new report first gets its cross-packet findings (DUPLICATE_APPLICANT,
        QUOTA_EXCEEDED) against the earlier packets that share its applicant's ID
        number or its recommending unit; the packet, report, findings, the drop
        and an audit entry are then written in one exclusive transaction.
        """
        with self.exclusive() as session:
            existing = session.get(Packet, report.packet_id)
            if existing is not None:
                return self._duplicate(session, existing, file_name, drop_key, actor)
            added = check_against(_related_reports(session, report), report)
            if added:
                report = finish_findings(report.model_copy(update={"findings": [*report.findings, *added]}))
            report_text = report.to_json() + "\n"
            packet = Packet(
                id=report.packet_id,
                source=report.source,
                path=None,
                profile=report.profile,
                status=report.status.value,
                risk=report.risk.value if report.risk is not None else None,
                page_count=len(report.pages),
                applicant_name=queue_name(_field_value(report, "name")),
                applicant_id_number=_field_value(report, "id_number"),
                recommending_unit=recommending_unit(report),
                report_path=str(report_path) if report_path is not None else None,
            )
            session.add(packet)
            session.add(Report(packet_id=packet.id, json=report_text, sha256=report_sha256(report_text)))
            session.add_all(_finding_rows(packet.id, report.findings))
            session.add(Submission(packet_id=packet.id, file_name=file_name, drop_key=drop_key, outcome="processed"))
            session.add(
                audit_entry(
                    actor,
                    "packet.processed",
                    packet.id,
                    status=packet.status,
                    risk=packet.risk,
                    profile=packet.profile,
                    findings=[finding.code.value for finding in report.findings],
                )
            )
        return Recorded(report.packet_id, report, report_text, report_path, duplicate=False)

    def record_drop(self, packet_id: str, *, file_name: str, drop_key: str, actor: str = SYSTEM_ACTOR) -> Recorded:
        """Record a drop of bytes already stored: the drop links to the existing packet and report.

        Raises:
            KeyError: No packet has these bytes.
        """
        with self.exclusive() as session:
            existing = session.get(Packet, packet_id)
            if existing is None:
                raise KeyError(packet_id)
            return self._duplicate(session, existing, file_name, drop_key, actor)

    def _duplicate(self, session: Session, existing: Packet, file_name: str, drop_key: str, actor: str) -> Recorded:
        session.add(Submission(packet_id=existing.id, file_name=file_name, drop_key=drop_key, outcome="duplicate"))
        session.add(audit_entry(actor, "packet.duplicate_drop", existing.id))
        return _recorded(session, existing, duplicate=True)

    def recorded(self, packet_id: str) -> Recorded | None:
        """What was recorded for a packet (to finish filing a drop that was recorded before a crash)."""
        with self.reading() as session:
            packet = session.get(Packet, packet_id)
            return _recorded(session, packet, duplicate=False) if packet is not None else None

    def set_path(self, packet_id: str, path: Path, actor: str = SYSTEM_ACTOR) -> None:
        """Record where the packet's scan now lies (after it was moved to done/ or failed/)."""
        with self.exclusive() as session:
            packet = session.get(Packet, packet_id)
            if packet is not None and packet.path != str(path):
                packet.path = str(path)
                session.add(audit_entry(actor, "packet.filed", packet_id, path=path.parent.name))

    def audit(self, actor: str, action: str, packet_id: str | None = None, **detail: Any) -> None:
        """Append one entry to the audit log (keep personal data out of ``detail``)."""
        with self.exclusive() as session:
            session.add(audit_entry(actor, action, packet_id, **detail))


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for dossier's migrations, run on ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(files("pipeline.storage") / "migrations"))
    config.attributes["connection"] = connection
    return config


_open_stores: dict[str, Store] = {}
_open_lock = threading.Lock()


def get_store(url: str) -> Store:
    """The process's store for ``url``: opened (and migrated) once, then shared by every thread."""
    with _open_lock:
        store = _open_stores.get(url)
        if store is None:
            store = _open_stores[url] = Store.open(url)
        return store


def close_stores() -> None:
    """Close and forget every store :func:`get_store` opened (tests; a process that changes databases)."""
    with _open_lock:
        for store in _open_stores.values():
            store.close()
        _open_stores.clear()


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        # SQLite gives its -wal and -shm files the database file's permissions.
        ensure_private_file(ensure_private_folder(Path(database).parent) / Path(database).name)
    engine = create_engine(url, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling is turned off so that BEGIN below is the one that runs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before the scan is moved to done/, even through a power cut.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        exclusive = connection.get_execution_options().get("dossier_exclusive", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if exclusive else "BEGIN")

    return engine


def _recorded(session: Session, packet: Packet, duplicate: bool) -> Recorded:
    stored = session.get(Report, packet.id)
    if stored is None:  # cannot happen: a packet row is always written with its report
        raise RuntimeError(f"packet {packet.id} has no stored report")
    report_path = Path(packet.report_path) if packet.report_path else None
    return Recorded(packet.id, PacketReport.from_json(stored.json), stored.json, report_path, duplicate=duplicate)


def _related_reports(session: Session, report: PacketReport) -> list[PacketReport]:
    """Earlier reports of the same profile with the same applicant ID number or the same recommending unit."""
    if report.profile is None:
        return []
    id_number, unit = _field_value(report, "id_number"), recommending_unit(report)
    candidates = session.execute(
        select(Packet.id, Packet.applicant_id_number, Packet.recommending_unit)
        .where(Packet.profile == report.profile, Packet.status != "failed")
        .order_by(Packet.created_at, Packet.id)
    ).all()
    related = [
        packet_id
        for packet_id, their_id, their_unit in candidates
        if (id_number is not None and their_id == id_number)
        or (unit is not None and their_unit is not None and same_unit(unit, their_unit))
    ]
    reports = {row.packet_id: row.json for row in session.scalars(select(Report).where(Report.packet_id.in_(related)))}
    return [PacketReport.from_json(reports[packet_id]) for packet_id in related if packet_id in reports]


def queue_name(name: str | None) -> str | None:
    """The applicant's name as the packets table keeps it for the queue: cut to its column."""
    return (name or "")[:NAME_LENGTH] or None


def _field_value(report: PacketReport, key: str) -> str | None:
    field = getattr(report.applicant, key)
    return field.value if field is not None and isinstance(field.value, str) else None


def _finding_rows(packet_id: str, findings: Sequence[Finding]) -> list[FindingRow]:
    return [
        FindingRow(
            packet_id=packet_id,
            position=position,
            code=finding.code.value,
            severity=finding.severity.value,
            field=finding.field,
            message=finding.message,
            pages=list(finding.pages),
            evidence=finding.model_dump(mode="json")["evidence"],
        )
        for position, finding in enumerate(findings)
    ]


def audit_entry(actor: str, action: str, packet_id: str | None, **detail: Any) -> AuditEntry:
    """An audit-log row, to add in the transaction of the change it records."""
    return AuditEntry(at=utc_now(), actor=actor, action=action, packet_id=packet_id, detail=detail)


def report_sha256(report_text: str) -> str:
    """The hash the store keeps of a report's text (to tell whether the file on disk agrees)."""
    return hashlib.sha256(report_text.encode("utf-8")).hexdigest()
