"""One dropped scan into the database and the reports folder: what the watcher's flow run does per file.

The database is the record; the report file on disk is written from exactly the
text the database holds, after the commit, and :func:`reconcile_report_files`
rewrites any file a crash left missing or stale, so the two always agree.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

import pydantic

from extractors.pdf import sha256_file
from models.report import PacketReport, PacketStatus
from pipeline.errors import WorkspaceWriteError
from pipeline.report_io import write_report_text
from pipeline.storage import Recorded, Store, report_sha256

logger = logging.getLogger(__name__)


class IngestResult(pydantic.BaseModel):
    """What became of one dropped file."""

    packet_id: str = pydantic.Field(description="SHA-256 of the file's bytes")
    status: PacketStatus
    duplicate: bool = pydantic.Field(description="The same bytes were dropped before: linked to that report")
    report_path: str | None = pydantic.Field(description="The report file on disk")
    findings: list[str] = pydantic.Field(default_factory=list, description="Finding codes, most severe first")
    errors: list[str] = pydantic.Field(default_factory=list, description="Readable error lines, for failed/")


def drop_key(path: Path, file_name: str) -> str:
    """What tells one drop from another of the same bytes and name: the name, size and modification time."""
    stat = path.stat()
    return f"{file_name}|{stat.st_size}|{stat.st_mtime_ns}"


REPORT_ID_HEX = 12
"""Hex digits of the packet id in a report file's name."""
_REPORT_NAME = re.compile(rf"\.(?P<prefix>[0-9a-f]{{{REPORT_ID_HEX}}})\.json$")


def report_path_for(reports_dir: Path, file_name: str, packet_id: str) -> Path:
    """``<stem>.<first 12 hex of the hash>.json``: readable, and two scans with one name never collide."""
    return reports_dir / f"{Path(file_name).stem}.{packet_id[:REPORT_ID_HEX]}.json"


def report_packet_prefix(report_file: Path) -> str | None:
    """The packet id's first hex digits in the name :func:`report_path_for` gives; None for another name."""
    match = _REPORT_NAME.search(report_file.name)
    return match["prefix"] if match is not None else None


def ingest(
    store: Store,
    path: Path,
    file_name: str,
    reports_dir: Path,
    process: Callable[[Path], PacketReport],
) -> IngestResult:
    """Store the report of the scan at ``path`` (dropped as ``file_name``), processing it only if its bytes are new.

    A scan whose bytes are already stored is not processed again: the drop is
    linked to the existing packet (unless it is this very drop, recorded before a
    crash). ``process`` turns the file into its report and never raises.

    Raises:
        OSError: The file cannot be read.
        StorageUnavailableError: The database cannot be reached; nothing was stored.
        WorkspaceWriteError: The report file (or a page image) could not be written: the disk is full. What was
            stored stays stored; ingesting the same drop again finishes it.
    """
    packet_id = sha256_file(path)
    key = drop_key(path, file_name)
    if store.packet(packet_id) is not None:
        # The same bytes again: a new drop links to the packet; this very drop was recorded before a crash.
        # (Only the row is read here: the stored report is parsed once, by whichever call returns it.)
        again = store.recorded(packet_id) if store.has_drop(packet_id, key) else None
        return _written(again or store.record_drop(packet_id, file_name=file_name, drop_key=key))
    report = process(path)
    recorded = store.record(
        report,
        file_name=file_name,
        drop_key=key,
        report_path=report_path_for(reports_dir, file_name, report.packet_id),
    )
    return _written(recorded)


def _written(recorded: Recorded) -> IngestResult:
    if recorded.report_path is not None:
        ensure_report_file(recorded.report_path, recorded.report_text)
    report = recorded.report
    return IngestResult(
        packet_id=recorded.packet_id,
        status=report.status,
        duplicate=recorded.duplicate,
        report_path=str(recorded.report_path) if recorded.report_path is not None else None,
        findings=[finding.code.value for finding in report.findings],
        errors=[
            f"{error.stage}" + (f" (第{error.page + 1}页)" if error.page is not None else "") + f": {error.message}"
            for error in report.errors
        ],
    )


def ensure_report_file(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` unless the file already holds exactly it; True when it was (re)written.

    Raises:
        WorkspaceWriteError: It could not be written (the file as it was is left as it was).
    """
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return False
    except OSError:
        pass
    write_report_text(path, text)
    return True


def reconcile_report_files(store: Store) -> int:
    """Rewrite, from the database, every report file that is missing or differs from it; how many were."""
    rewritten = 0
    for stored in store.report_files():
        try:
            agrees = report_sha256(stored.report_path.read_text(encoding="utf-8")) == stored.sha256
        except (OSError, UnicodeDecodeError):
            agrees = False
        if agrees:
            continue
        text = store.report_text(stored.packet_id)
        if text is None:
            continue
        try:
            write_report_text(stored.report_path, text)
        except WorkspaceWriteError as exc:  # the next start, or the next drop of the scan, tries again
            logger.warning("%s", exc)
            continue
        logger.warning("report %s was missing or stale on disk: rewritten from the database", stored.report_path)
        rewritten += 1
    return rewritten
