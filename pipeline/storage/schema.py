"""The database tables, as SQLAlchemy 2 typed ORM classes.

The Alembic migrations in ``migrations/versions`` create exactly these tables
(a test compares them); a change here needs a new migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Dialect, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

SHA256_HEX = 64
NAME_LENGTH = 64
"""Longest applicant name kept for the queue (an OCR misread can run on; the report keeps it whole)."""


def utc_now() -> datetime:
    """Now, in UTC: every time stored is UTC."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A time stored with its zone and always read back as an aware UTC datetime.

    SQLite gives stored times back without a zone, PostgreSQL in the server's zone;
    every reader of the tables gets UTC from both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of the tables; JSON columns hold plain JSON values."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Packet(Base):
    """One scanned packet, by the SHA-256 of its bytes: the same scan dropped twice is one packet."""

    __tablename__ = "packets"

    id: Mapped[str] = mapped_column(String(SHA256_HEX), primary_key=True, comment="SHA-256 of the file's bytes")
    source: Mapped[str] = mapped_column(String(512), comment="File name as first dropped")
    path: Mapped[str | None] = mapped_column(Text, comment="Where the scan now lies (done/ or failed/)")
    profile: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, comment="ok, partial or failed")
    risk: Mapped[str | None] = mapped_column(String(16), index=True, comment="Most severe finding, null if none")
    page_count: Mapped[int] = mapped_column(Integer)
    applicant_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH), comment="For the reviewer queue")
    applicant_id_number: Mapped[str | None] = mapped_column(
        String(18), index=True, comment="For DUPLICATE_APPLICANT over the database"
    )
    recommending_unit: Mapped[str | None] = mapped_column(Text, comment="For QUOTA_EXCEEDED over the database")
    report_path: Mapped[str | None] = mapped_column(Text, comment="The report file written for it")
    verdict: Mapped[str | None] = mapped_column(
        String(16), index=True, comment="The reviewer's latest verdict (approved, rejected, needs_material), or null"
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, onupdate=utc_now)

    report: Mapped[Report] = relationship(back_populates="packet", cascade="all, delete-orphan", passive_deletes=True)
    findings: Mapped[list[FindingRow]] = relationship(
        back_populates="packet", cascade="all, delete-orphan", passive_deletes=True, order_by="FindingRow.position"
    )


class Report(Base):
    """The packet's report JSON, exactly as written to disk (``sha256`` is the hash of that text)."""

    __tablename__ = "reports"

    packet_id: Mapped[str] = mapped_column(
        String(SHA256_HEX), ForeignKey("packets.id", ondelete="CASCADE"), primary_key=True
    )
    json: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(SHA256_HEX))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, onupdate=utc_now)

    packet: Mapped[Packet] = relationship(back_populates="report")


class FindingRow(Base):
    """One finding of a packet's report, as a row the reviewer queue can filter on."""

    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_id: Mapped[str] = mapped_column(String(SHA256_HEX), ForeignKey("packets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, comment="Index in the report's findings list")
    code: Mapped[str] = mapped_column(String(64), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    pages: Mapped[list[Any]] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)

    packet: Mapped[Packet] = relationship(back_populates="findings")


class Submission(Base):
    """One file dropped into the inbox; several drops of the same bytes share one packet."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_id: Mapped[str] = mapped_column(String(SHA256_HEX), ForeignKey("packets.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(Text, comment="Name as dropped, relative to the inbox")
    drop_key: Mapped[str] = mapped_column(String(512), index=True, comment="Name, size and mtime: one drop")
    outcome: Mapped[str] = mapped_column(String(16), comment="processed, or duplicate of an earlier drop")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class Decision(Base):
    """A reviewer's decision: a field corrected (original and correction kept), a finding judged, a verdict."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    packet_id: Mapped[str] = mapped_column(String(SHA256_HEX), ForeignKey("packets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), comment="field, finding or packet")
    target: Mapped[str | None] = mapped_column(String(128), comment="The field key or the finding's position")
    original: Mapped[Any] = mapped_column(JSON, nullable=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class AuditEntry(Base):
    """The append-only audit log (the database refuses updates and deletes). No personal data in ``detail``."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    packet_id: Mapped[str | None] = mapped_column(String(SHA256_HEX), index=True, comment="Not a foreign key")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class User(Base):
    """A reviewer-app account. Only a KDF hash of the password is kept."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(256), comment="argon2id, with its parameters and salt")
    role: Mapped[str] = mapped_column(String(16), comment="staff, reviewer or admin")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(SHA256_HEX), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), ForeignKey("users.username", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64), comment="Every form of this session must post it back")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
