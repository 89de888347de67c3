"""The Prefect flow that turns one packet into its report; tasks are thin wrappers of :mod:`pipeline.stages`.

Runs without any Prefect server configured (Prefect starts a temporary local
one) and against a real server when ``PREFECT_API_URL`` is set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from prefect import flow, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from extractors.forms.extract import FormsResult
from extractors.ocr import OcrOptions
from extractors.ocr.base import reading_workers
from extractors.pdf import RenderOptions
from extractors.seals.analyse import SealOptions
from models.report import DocType, PacketReport
from models.stages import RenderedPacket, SealStageResult
from models.text import PageText
from pipeline import stages
from pipeline.ingest import IngestResult, ingest
from pipeline.memory import limit_malloc_arenas
from pipeline.privacy import install_log_masking
from pipeline.settings import Settings, get_settings
from pipeline.storage import get_store

Arguments = ParamSpec("Arguments")
Result = TypeVar("Result")


def stop_flow_heartbeats() -> bool:
    """Turn Prefect's flow-run heartbeats off in this process, unless the user configured them.

    Prefect 3.8 sends them from a thread that sleeps in whole seconds, and every flow run joins that
    thread when it ends: each packet waited up to a second for it (a flow run with nothing in it took
    1.16 s, 0.19 s without). Heartbeats only let a Prefect server mark a crashed flow run; dossier
    recovers its own (a scan left in ``processing/`` is taken again). Setting
    ``PREFECT_FLOWS_HEARTBEAT_FREQUENCY`` keeps them.

    Returns:
        Whether they were turned off.
    """
    import prefect.context
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY

    current = prefect.context.GLOBAL_SETTINGS_CONTEXT
    if "heartbeat_frequency" in current.settings.flows.model_fields_set:
        return False
    # The process-wide settings every flow run reads when no settings context of its own is active.
    prefect.context.GLOBAL_SETTINGS_CONTEXT = prefect.context.SettingsContext(
        profile=current.profile,
        settings=current.settings.copy_with_update(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    )
    return True


# Every process that runs these flows imports this module first (the CLI, a Prefect worker's flow-run process,
# the Dask deployments): there, before the flows start their threads, glibc's heaps are capped, personal
# numbers are masked in whatever is logged, and flow runs end without waiting for a heartbeat thread.
limit_malloc_arenas()
install_log_masking()
stop_flow_heartbeats()

# Pages are read side by side, one per worker of the configured OCR engine, and one more task thread keeps the next
# page loaded while they read. The flows' task runners are set when this module is imported, so the workers are
# those of the environment's settings (DOSSIER_OCR__WORKERS), which every process running the flows reads.
PAGE_TASK_THREADS = reading_workers(Settings().ocr) + 1


def start_prefect_api() -> None:
    """Start Prefect's temporary server now, in this thread, when no ``PREFECT_API_URL`` names one.

    Call it before flows run in several threads at once: Prefect 3.8 marks its
    temporary server as running before the process exists, so the first flow runs
    of two threads race, and the loser fails ("Server process did not start").
    """
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        client.api_healthcheck()


@task(name="load-and-render", cache_policy=NO_CACHE)
def load_and_render(path: str, page_root: str, options: RenderOptions, ocr: OcrOptions) -> RenderedPacket:
    return stages.render_packet(Path(path), Path(page_root), options, ocr)


@task(name="ocr-page", cache_policy=NO_CACHE)
def ocr_page(image_path: str, page: int, options: OcrOptions, cache_dir: str) -> PageText:
    return stages.read_page(image_path, page, options, Path(cache_dir))


@task(name="assemble-report", cache_policy=NO_CACHE)
def assemble(
    rendered: RenderedPacket, texts: list[PageText], profile: str | None, timings: dict[str, float]
) -> PacketReport:
    return stages.assemble_report(rendered, texts, profile, timings)


def _timed(
    stage: Callable[Arguments, Result], *args: Arguments.args, **kwargs: Arguments.kwargs
) -> tuple[Result, float]:
    """The stage's result and its own seconds: the seal and field stages run side by side, so the flow cannot
    time them from outside."""
    start = time.perf_counter()
    return stage(*args, **kwargs), time.perf_counter() - start


@task(name="find-seals", cache_policy=NO_CACHE)
def find_seals(
    rendered: RenderedPacket, doc_types: list[DocType], profile: str | None, options: SealOptions, ocr: OcrOptions
) -> tuple[SealStageResult, float]:
    return _timed(stages.find_seals, rendered, doc_types, profile, options, ocr)


@task(name="read-fields", cache_policy=NO_CACHE)
def read_fields(
    rendered: RenderedPacket, texts: list[PageText], doc_types: list[DocType], profile: str | None, ocr: OcrOptions
) -> tuple[FormsResult, float]:
    return _timed(stages.read_fields, rendered, texts, doc_types, profile, ocr)


@flow(name="process-packet", task_runner=ThreadPoolTaskRunner(max_workers=PAGE_TASK_THREADS))  # type: ignore[arg-type]
def process_packet(path: str, profile: str | None = None) -> PacketReport:
    """Render, OCR, classify, read the fields, find the seals and check the packet at ``path``.

    Args:
        path: A PDF, TIFF, PNG, JPEG or BMP scan.
        profile: Force this profile instead of detecting it from the form titles.

    Returns:
        The packet report; a bad file gives a ``failed`` report, never an exception.
    """
    return _run_stages(path, profile)


@flow(name="ingest-packet", task_runner=ThreadPoolTaskRunner(max_workers=PAGE_TASK_THREADS))  # type: ignore[arg-type]
def ingest_packet(
    path: str, profile: str | None = None, reports_dir: str | None = None, file_name: str | None = None
) -> IngestResult:
    """Process the scan at ``path`` unless its bytes are already stored; store the report and write its file.

    Args:
        path: The scan (in the watched folder's ``processing/``).
        profile: Force this profile instead of detecting it from the form titles.
        reports_dir: Folder for the report file (default: ``<data_dir>/reports``).
        file_name: The name it was dropped under (default: the file's name).

    Returns:
        The packet id, status, whether it was a duplicate, and where the report is.

    Raises:
        OSError: The file cannot be read.
        RetryLaterError: The database cannot be reached, or the disk is full: retry later (nothing was stored, or
            what was stored is finished by the retry).
    """
    settings = get_settings()
    source = Path(path)

    def process(scan: Path) -> PacketReport:
        return stages.report_or_failure(scan, lambda: _run_stages(str(scan), profile))

    return ingest(
        get_store(settings.database_url),
        source,
        file_name or source.name,
        Path(reports_dir) if reports_dir else settings.reports_dir,
        process,
    )


def _run_stages(path: str, profile: str | None) -> PacketReport:
    """The stages of one packet, as tasks of the flow run it is called in."""
    settings = get_settings()
    timings: dict[str, float] = {}
    start = time.perf_counter()

    rendered = load_and_render(path, str(settings.page_dir), settings.render, settings.ocr)
    timings["render"] = time.perf_counter() - start

    ocr_start = time.perf_counter()
    to_read = rendered.pages_to_read()
    images, indices = [image for image, _ in to_read], [index for _, index in to_read]
    texts = stages.text_layer_pages(rendered) + (
        ocr_page.map(images, indices, unmapped(settings.ocr), unmapped(str(settings.ocr_cache_dir))).result()
        if to_read
        else []
    )
    timings["ocr"] = time.perf_counter() - ocr_start

    assemble_start = time.perf_counter()
    report = assemble(rendered, texts, profile, timings)
    report.timings["assemble"] = time.perf_counter() - assemble_start

    if not rendered.failed:
        # Independent of each other: while one waits for the OCR engine or decodes a page, the other works.
        doc_types = [page.doc_type for page in report.pages]
        reading = read_fields.submit(rendered, texts, doc_types, report.profile, settings.ocr)
        sealing = find_seals.submit(rendered, doc_types, report.profile, settings.seals, settings.ocr)
        forms, report.timings["fields"] = reading.result()
        sealed, report.timings["seals"] = sealing.result()
        report = stages.add_fields(report, forms)
        report = stages.add_seals(report, sealed)

        checks_start = time.perf_counter()
        report = stages.run_checks(report, forms.facts)
        report.timings["checks"] = time.perf_counter() - checks_start
    report.timings["total"] = time.perf_counter() - start
    report.timings = {stage: round(seconds, 3) for stage, seconds in report.timings.items()}
    return report
