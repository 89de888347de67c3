"""``dossier purge --before DATE``: delete every trace of the packets received before a date, past their retention.

A packet's traces: its scans (every drop of its bytes, in the inbox's ``done/``
and ``failed/``), its report files, its page images and the OCR of those pages
(the cache), its records (packet, report, findings, drops, reviewers'
decisions), and Prefect's records of the flow runs that processed it, whose
parameters name the scan (its path, the name it was dropped under: often the
applicant's name or ID number). What was refused without a record (a symbolic
link, an unreadable file) is deleted once it was filed before the date; a link's
target is never touched. The audit log keeps its entries
(they hold no personal data) and gains one saying what the purge deleted.

Order, so that a purge stopped at any point can simply be run again: first the
files found through the records (scans, page images, OCR), then Prefect's flow
runs (found by their date, not through the records), then the records
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
from uuid import UUID

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
    flow_runs: list[UUID] = field(default_factory=list)
    """Prefect's flow runs of dossier's flows expected to start before ``before``: those packets' runs."""
    flow_runs_unseen: str | None = None
    """Why Prefect's flow runs could not be looked up (its API did not answer): they are left for a later purge."""

    def counts(self) -> dict[str, int]:
        """How many of each, for the audit entry and the summary printed."""
        return {
            "packets": len(self.packet_ids),
            "scans": len(self.scans),
            "refused_scans": len(self.refused_scans),
            "page_folders": len(self.page_folders),
            "ocr_cache_entries": len(self.ocr_cache_entries),
            "report_files": len(self.report_files),
            "flow_runs": len(self.flow_runs),
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
            # A link is never followed, nor a pipe read (it would wait for a writer): only regular files are ours.
            packet_id = sha256_file(scan) if not scan.is_symlink() and scan.is_file() else None
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
    try:
        plan.flow_runs = flow_runs_before(before)
    except Exception as exc:  # Prefect's API away: dossier's own traces are purged all the same
        logger.warning("Prefect's flow runs were not looked up", exc_info=True)
        plan.flow_runs_unseen = f"{type(exc).__name__}: {exc}"
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
    delete_flow_runs(plan.flow_runs)
    with store.exclusive() as session:
        for chunk in _chunks(plan.packet_ids, 500):
            session.execute(delete(Packet).where(Packet.id.in_(chunk)))  # reports, findings, drops, decisions cascade
        session.add(audit_entry(actor, "purge", None, before=plan.before.isoformat(), **plan.counts()))
    for report in plan.report_files:
        report.unlink(missing_ok=True)
    logger.info("purged what was received before %s: %s", plan.before.isoformat(), plan.counts())


def flow_runs_before(before: datetime) -> list[UUID]:
    """Prefect's runs of dossier's flows expected to start before ``before`` (aware datetime), oldest first.

    Asks the Prefect API of ``PREFECT_API_URL``, or starts Prefect's temporary server on its database when none is
    set, as the flows do.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterExpectedStartTime
    from prefect.client.schemas.sorting import FlowRunSort

    from pipeline.scaleout import FLOW_NAMES

    flows = FlowFilter(name=FlowFilterName(any_=list(FLOW_NAMES)))
    runs = FlowRunFilter(expected_start_time=FlowRunFilterExpectedStartTime(before_=before))
    found: list[UUID] = []
    with get_client(sync_client=True) as client:
        while True:
            page = client.read_flow_runs(
                flow_filter=flows,
                flow_run_filter=runs,
                sort=FlowRunSort.EXPECTED_START_TIME_ASC,
                limit=_FLOW_RUNS_PAGE,
                offset=len(found),
            )
            found += [run.id for run in page]
            if len(page) < _FLOW_RUNS_PAGE:
                return found


_FLOW_RUNS_PAGE = 200
"""Flow runs asked for at a time (Prefect's server returns at most 200)."""


def delete_flow_runs(flow_runs: list[UUID]) -> None:
    """Delete these flow runs from Prefect (their task runs and logs go with them); one already gone is skipped."""
    if not flow_runs:
        return
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        for flow_run in flow_runs:
            try:
                client.delete_flow_run(flow_run)
            except ObjectNotFound:
                continue


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
