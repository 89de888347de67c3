"""Packets, their reports and findings, drops, reviewer decisions and the append-only audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SHA = 64
UTC_TIME = sa.DateTime(timezone=True)


def _packet_key() -> sa.Column[str]:
    return sa.Column("packet_id", sa.String(SHA), sa.ForeignKey("packets.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "packets",
        sa.Column("id", sa.String(SHA), primary_key=True, comment="SHA-256 of the file's bytes"),
        sa.Column("source", sa.String(512), nullable=False, comment="File name as first dropped"),
        sa.Column("path", sa.Text(), nullable=True, comment="Where the scan now lies (done/ or failed/)"),
        sa.Column("profile", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, comment="ok, partial or failed"),
        sa.Column("risk", sa.String(16), nullable=True, comment="Most severe finding, null if none"),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column(
            "applicant_id_number", sa.String(18), nullable=True, comment="For DUPLICATE_APPLICANT over the database"
        ),
        sa.Column("recommending_unit", sa.Text(), nullable=True, comment="For QUOTA_EXCEEDED over the database"),
        sa.Column("report_path", sa.Text(), nullable=True, comment="The report file written for it"),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
    )
    for column in ("profile", "status", "risk", "applicant_id_number", "created_at"):
        op.create_index(f"ix_packets_{column}", "packets", [column])

    op.create_table(
        "reports",
        sa.Column("packet_id", sa.String(SHA), sa.ForeignKey("packets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("json", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(SHA), nullable=False),
        sa.Column("written_at", UTC_TIME, nullable=False),
    )

    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _packet_key(),
        sa.Column("position", sa.Integer(), nullable=False, comment="Index in the report's findings list"),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("field", sa.String(64), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
    )
    op.create_index("ix_findings_packet_id", "findings", ["packet_id"])
    op.create_index("ix_findings_code", "findings", ["code"])

    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _packet_key(),
        sa.Column("file_name", sa.Text(), nullable=False, comment="Name as dropped, relative to the inbox"),
        sa.Column("drop_key", sa.String(512), nullable=False, comment="Name, size and mtime: one drop"),
        sa.Column("outcome", sa.String(16), nullable=False, comment="processed, or duplicate of an earlier drop"),
        sa.Column("received_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_submissions_packet_id", "submissions", ["packet_id"])
    op.create_index("ix_submissions_drop_key", "submissions", ["drop_key"])

    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _packet_key(),
        sa.Column("kind", sa.String(16), nullable=False, comment="field, finding or packet"),
        sa.Column("target", sa.String(128), nullable=True, comment="The field key or the finding's position"),
        sa.Column("original", sa.JSON(), nullable=True),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_decisions_packet_id", "decisions", ["packet_id"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("packet_id", sa.String(SHA), nullable=True, comment="Not a foreign key"),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    for column in ("at", "action", "packet_id"):
        op.create_index(f"ix_audit_log_{column}", "audit_log", [column])
    _forbid_audit_changes()


def _forbid_audit_changes() -> None:
    """The audit log is append-only: the database itself refuses UPDATE and DELETE on it."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    for table in ("audit_log", "decisions", "submissions", "findings", "reports", "packets"):
        op.drop_table(table)
