"""Durable storage: packets, reports, findings, drops, decisions and the audit log (SQLAlchemy 2 + Alembic)."""

from pipeline.storage.store import (
    Recorded,
    StorageUnavailableError,
    Store,
    StoredReportFile,
    audit_entry,
    get_store,
    queue_name,
    report_sha256,
)

__all__ = [
    "Recorded",
    "StorageUnavailableError",
    "Store",
    "StoredReportFile",
    "audit_entry",
    "get_store",
    "queue_name",
    "report_sha256",
]
