"""``dossier purge --before DATE``: delete every trace of the packets received before a date, past their retention.

A packet's traces: its scans (every drop of its bytes, in the inbox's ``done/``
and ``failed/``), its report files, its page images and the OCR of those pages
(the cache), and its records (packet, report, findings, drops, reviewers'
decisions). What was refused without a record (a symbolic link, an unreadable
file) is deleted once it was filed before the date; a link's target is never
touched. The audit log keeps its entries
(they hold no personal data) and gains one saying what the purge deleted.

Order, so that a purge stopped at any point can simply be run again: first the
files found through the records (scans, page images, OCR), then the records
with the audit entry in one transaction, then the report files (were they
deleted first, a restarted watcher would rewrite them from the records). A report
file left by a stopped purge has no record any more; the next purge deletes it as
an orphan, by its name.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select

from extractors.pdf import sha256_file
from pipeline.inbox import Inbox, error_file
from pipeline.ingest import REPORT_ID_HEX, report_packet_prefix
from pipeline.pages import ocr_cache_entries, page_folder, page_images
from pipeline.storage import Store, audit_entry
from pipeline.storage.schema import Packet

logger = logging.getLogger(__name__)


@dataclass
class PurgePlan:
    """What a purge deletes: the packets' ids, and the files, found before anything is deleted."""

    before: datetime
    packet_ids: list[str] = field(default_factory=list)
    scans: list[Path] = field(default_factory=list)
    refused_scans: list[Path] = field(default_factory=list)
    page_folders: list[Path] = field(default_factory=list)
    ocr_cache_entries: list[Path] = field(default_factory=list)
    report_files: list[Path] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many of each, for the audit entry and the summary printed."""
        return {
            "packets": len(self.packet_ids),
            "scans": len(self.scans),
            "refused_scans": len(self.refused_scans),
            "page_folders": len(self.page_folders),
            "ocr_cache_entries": len(self.ocr_cache_entries),
            "report_files": len(self.report_files),
        }


def plan_purge(store: Store, inbox: Inbox, page_dir: Path, ocr_cache_dir: Path, before: datetime) -> PurgePlan:
    """Find what :func:`purge` deletes for packets received before ``before`` (aware datetime); deletes nothing.

    Raises:
        StorageUnavailableError: The database cannot be reached.
    """
    with store.reading() as session:
        stored = session.execute(select(Packet.id, Packet.created_at, Packet.report_path, Packet.path)).all()
    expired = {packet_id for packet_id, created_at, _, _ in stored if created_at < before}
    kept = {packet_id for packet_id, _, _, _ in stored} - expired
    plan = PurgePlan(before=before, packet_ids=sorted(expired))
    filed_scans = {Path(path) for packet_id, _, _, path in stored if packet_id in expired and path}
    for scan in sorted(set(inbox.filed()) | {path for path in filed_scans if path.is_file()}):
        try:
            filed_at = datetime.fromtimestamp(scan.lstat().st_ctime, tz=before.tzinfo)  # a rename sets ctime
            packet_id = None if scan.is_symlink() else sha256_file(scan)  # a link is never followed
        except OSError:
            continue
        if packet_id in expired:
            plan.scans.append(scan)
        elif packet_id not in kept and filed_at < before:
            plan.refused_scans.append(scan)
    for packet_id in plan.packet_ids:
        folder = page_folder(page_dir, packet_id)
        if folder.is_dir():
            plan.page_folders.append(folder)
            plan.ocr_cache_entries += _ocr_entries(page_images(page_dir, packet_id), ocr_cache_dir)
    report_paths = {Path(path) for packet_id, _, path, _ in stored if packet_id in expired and path}
    plan.report_files = sorted(
        {path for path in report_paths if path.is_file()} | set(_orphan_reports(inbox.reports, kept, before))
    )
    return plan


def purge(store: Store, plan: PurgePlan, actor: str) -> None:
    """Delete what ``plan`` found, and append the purge to the audit log (see the module's order).

    Raises:
        StorageUnavailableError: The database cannot be reached (the files deleted so far stay deleted; run the
            purge again).
    """
    for scan in [*plan.scans, *plan.refused_scans]:
        scan.unlink(missing_ok=True)
        error_file(scan).unlink(missing_ok=True)
    for folder in plan.page_folders:
        shutil.rmtree(folder, ignore_errors=True)
    for entry in plan.ocr_cache_entries:
        entry.unlink(missing_ok=True)
    with store.exclusive() as session:
        for chunk in _chunks(plan.packet_ids, 500):
            session.execute(delete(Packet).where(Packet.id.in_(chunk)))  # reports, findings, drops, decisions cascade
        session.add(audit_entry(actor, "purge", None, before=plan.before.isoformat(), **plan.counts()))
    for report in plan.report_files:
        report.unlink(missing_ok=True)
    logger.info("purged what was received before %s: %s", plan.before.isoformat(), plan.counts())


def _ocr_entries(images: list[Path], ocr_cache_dir: Path) -> list[Path]:
    """The OCR cache entries of a packet's page images (named by the image's hash)."""
    entries: list[Path] = []
    for image in images:
        try:
            entries += ocr_cache_entries(ocr_cache_dir, sha256_file(image))
        except OSError:
            continue
    return entries


def _orphan_reports(reports_dir: Path, kept: set[str], before: datetime) -> Iterator[Path]:
    """Report files, written before ``before``, of packets no longer recorded (left by a stopped purge)."""
    if not reports_dir.is_dir():
        return
    kept_prefixes = {packet_id[:REPORT_ID_HEX] for packet_id in kept}
    for path in reports_dir.glob("*.json"):
        prefix = report_packet_prefix(path)
        if prefix is None or prefix in kept_prefixes:
            continue
        try:
            written_at = datetime.fromtimestamp(path.stat().st_ctime, tz=before.tzinfo)
        except OSError:
            continue
        if written_at < before:
            yield path


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
