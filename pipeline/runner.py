"""Process many packets, one flow run each, so that one bad packet never stops the others."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from extractors.checks import check_across, finish_findings
from models.report import PacketReport, PacketStatus
from pipeline import stages
from pipeline.inbox import SCAN_SUFFIXES
from pipeline.report_io import write_report


@dataclass(frozen=True)
class Inputs:
    """The files to process, and the files of a folder that were left out because they are not scans."""

    files: list[Path]
    not_scans: list[Path]


@dataclass(frozen=True)
class Outcome:
    """One processed packet: its input, its report, and where the report was written."""

    source: Path
    report: PacketReport
    report_path: Path


def collect_inputs(paths: Iterable[Path]) -> Inputs:
    """Files named directly are always processed; folders give their scans (by suffix), recursively, sorted."""
    files: list[Path] = []
    not_scans: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                (files if child.suffix.lower() in SCAN_SUFFIXES else not_scans).append(child)
        else:
            files.append(path)
    return Inputs(files=files, not_scans=not_scans)


def report_paths(files: Sequence[Path], out_dir: Path) -> list[Path]:
    """``<stem>.json`` per input; inputs that share a stem get ``<stem>.<suffix>.json`` so none overwrites another."""
    stems = Counter(f.stem for f in files)
    return [out_dir / (f"{f.stem}.json" if stems[f.stem] == 1 else f"{f.stem}{f.suffix.lower()}.json") for f in files]


def process_files(
    files: Sequence[Path],
    out_dir: Path,
    profile: str | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    dask_address: str | None = None,
) -> list[Outcome]:
    """Run the flow on each file and write its report; an unexpected failure gives a ``failed`` report.

    With ``dask_address`` the pages are read on that Dask cluster; a missing extra or Prefect
    server raises :class:`pipeline.scaleout.ScaleOutError` before any packet is started.
    Nothing is stored in the database (see :func:`ingest_files`).

    Raises:
        RetryLaterError: A page image or a report could not be written (the disk is full); the packets before
            it have their reports.
    """
    # Both import Prefect: only when packets are really processed.
    from pipeline.flow import process_packet
    from pipeline.scaleout import with_runner

    flow = with_runner(process_packet, dask_address)
    outcomes: list[Outcome] = []
    for source, report_path in zip(files, report_paths(files, out_dir), strict=True):
        report = stages.report_or_failure(source, partial(flow, str(source), profile))
        outcome = Outcome(source=source, report=report, report_path=write_report(report, report_path))
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
    return add_cross_packet_findings(outcomes)


def ingest_files(
    files: Sequence[Path],
    reports_dir: Path,
    profile: str | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Store each file as the watched folder does (one ``ingest-packet`` flow run each), for the reviewer app.

    A scan already stored is not processed again; cross-packet findings come from the
    database. The files stay where they are. Reports are ``<stem>.<sha12>.json`` in ``reports_dir``.

    Raises:
        StorageUnavailableError: The database cannot be reached.
    """
    from pipeline.flow import ingest_packet  # imports Prefect: only when packets are really processed
    from pipeline.settings import get_settings
    from pipeline.storage import get_store

    store = get_store(get_settings().database_url)
    outcomes: list[Outcome] = []
    for source in files:
        result = ingest_packet(str(source), profile, str(reports_dir), source.name)
        report = store.report(result.packet_id)
        if report is None or result.report_path is None:  # cannot happen: ingest stores before it returns
            raise RuntimeError(f"{source} was not stored")
        outcome = Outcome(source=source, report=report, report_path=Path(result.report_path))
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
    return outcomes


def add_cross_packet_findings(outcomes: list[Outcome]) -> list[Outcome]:
    """Findings that compare the packets of the run (DUPLICATE_APPLICANT, QUOTA_EXCEEDED), written into the
    reports concerned."""
    across = check_across([outcome.report for outcome in outcomes])
    for index, findings in across.items():
        outcome = outcomes[index]
        outcome.report.findings += findings
        write_report(finish_findings(outcome.report), outcome.report_path)
    return outcomes


def any_failed(outcomes: Iterable[Outcome]) -> bool:
    """Whether any packet ended ``failed``."""
    return any(o.report.status == PacketStatus.FAILED for o in outcomes)
