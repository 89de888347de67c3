"""The reviewer app: accounts, signed-in sessions, and each packet's verdict for the queue.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("packets") as batch:
        batch.add_column(
            sa.Column(
                "verdict",
                sa.String(16),
                nullable=True,
                comment="The reviewer's latest verdict (approved, rejected, needs_material), or null",
            )
        )
        batch.create_index("ix_packets_verdict", ["verdict"])
        batch.add_column(sa.Column("applicant_name", sa.String(64), nullable=True, comment="For the reviewer queue"))
    _fill_applicant_names()

    op.create_table(
        "users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(256), nullable=False, comment="argon2id, with its parameters and salt"),
        sa.Column("role", sa.String(16), nullable=False, comment="staff, reviewer or admin"),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
    )

    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), sa.ForeignKey("users.username", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False, comment="Every form of this session must post it back"),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("last_seen", UTC_TIME, nullable=False),
    )
    op.create_index("ix_web_sessions_username", "web_sessions", ["username"])


def _fill_applicant_names() -> None:
    """Packets stored before this revision: their applicant's name, from the stored report."""
    bind = op.get_bind()
    reports = bind.execute(sa.text("SELECT packet_id, json FROM reports")).all()
    for packet_id, text in reports:
        name = (json.loads(str(text)).get("applicant") or {}).get("name") or {}
        value = name.get("value") if isinstance(name, dict) else None
        if isinstance(value, str):
            bind.execute(
                sa.text("UPDATE packets SET applicant_name = :name WHERE id = :id"),
                {"name": value[:64], "id": packet_id},
            )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("users")
    # Not batch mode: on SQLite that rebuilds `packets`, and dropping the old table would cascade to every report.
    op.drop_index("ix_packets_verdict", table_name="packets")
    for column in ("verdict", "applicant_name"):
        op.execute(f"ALTER TABLE packets DROP COLUMN {column}")
