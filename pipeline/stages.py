"""The stages of a packet as plain functions: what the Prefect tasks call, testable without Prefect."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import cv2
import numpy as np

from extractors.checks import PacketFacts, check_packet, finish_findings
from extractors.forms.classify import classify_pages, detect_profile
from extractors.forms.extract import FormsResult, extract_forms
from extractors.ocr import OcrOptions, get_engine
from extractors.ocr.base import reading_workers
from extractors.ocr.orientation import orienting_engine, upright_turn
from extractors.parallel import in_order
from extractors.pdf import DocumentError, RenderedPage, RenderOptions, iter_pages, opened, sha256_file
from extractors.seals.analyse import SealOptions, analyse_packet
from extractors.seals.debug import draw_seals
from extractors.seals.types import DetectedSeal
from extractors.text_layer import TEXT_LAYER_ENGINE
from models.profile import ProfileError, get_profile, load_profiles
from models.report import DocType, PacketReport, PacketStatus, Page, StageError
from models.stages import RenderedPacket, SealStageResult
from models.text import PageText
from pipeline.errors import RetryLaterError, WorkspaceWriteError
from pipeline.pages import ocr_cache_path, page_image_path, seal_debug_image_path
from pipeline.report_io import write_text_atomically

logger = logging.getLogger(__name__)

_PNG_FAST = [cv2.IMWRITE_PNG_COMPRESSION, 1]
if hasattr(cv2, "IMWRITE_PNG_FILTER"):  # OpenCV 4.11+; the [paddle] extra pins 4.10, which lacks it
    # Every row predicted from the row above only, not the best of five filters per row: on 200-DPI pages a
    # page is written in 78 ms instead of 122 and read (three times: OCR, fields, seals) in 41 ms instead of
    # 63, for 5% more bytes (1.57 MB against 1.50).
    _PNG_FAST += [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP]


def render_packet(path: Path, page_root: Path, options: RenderOptions, ocr: OcrOptions | None = None) -> RenderedPacket:
    """Hash the file, open it, and write each page as a PNG at the render DPI under ``page_root/<sha256>/``.

    With ``ocr`` (its ``auto_orient`` on), each page is first turned upright as that engine finds it
    (:mod:`extractors.ocr.orientation`), so that every later stage reads it upright; ``pages[].rotation``
    counts the turn. Pages are turned a worker each while the next are drawn, and a page's PNG is compressed in a
    thread of its own (a page per OCR worker in memory, and one being written). Never raises for a bad file: what
    went wrong is in ``errors`` (whole-file problems with ``page`` null, and the packet then has no page images).

    Raises:
        WorkspaceWriteError: A page image could not be written (disk full): the machine's fault, not the file's.
    """
    try:
        packet_id = sha256_file(path)
    except OSError as exc:
        return _unreadable(path, f"无法读取文件 (cannot read the file: {exc.strerror or exc})")
    packet = RenderedPacket(packet_id=packet_id, source=path.name)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-png") as writer:
        writing: Future[None] | None = None
        try:
            with opened(path, options) as document:
                orienter = orienting_engine(ocr)

                def upright(item: RenderedPage | DocumentError) -> RenderedPage | DocumentError:
                    # A born-digital page with its own text is drawn as its author set it.
                    if isinstance(item, DocumentError) or item.text_layer is not None:
                        return item
                    return item.turned(upright_turn(item.image, orienter))

                # Pages are drawn here, one after another (MuPDF's document is not shared between threads), and
                # turned upright by the OCR engine's workers, a page each, while the next ones are drawn.
                at_once = reading_workers(ocr) if orienter is not None and ocr is not None else 1
                with closing(in_order(upright, iter_pages(document), at_once, "page-turn")) as turned:
                    for index, item in enumerate(turned):
                        page = _add_page(packet, index, item, page_root)
                        if writing is not None:
                            writing.result()  # raises the previous page's WorkspaceWriteError
                        writing = writer.submit(write_page_image, *page) if page is not None else None
        except DocumentError as exc:
            packet.errors.append(StageError(stage="load", page=None, message=str(exc)))
        if writing is not None:
            writing.result()
    return packet


def _add_page(
    packet: RenderedPacket, index: int, item: RenderedPage | DocumentError, page_root: Path
) -> tuple[Path, np.ndarray] | None:
    """Record a rendered page in ``packet``; where its image is to be written, and the image."""
    if isinstance(item, DocumentError):
        packet.pages.append(Page(index=index, width=0, height=0, rotation=0, ocr_engine=None))
        packet.page_images.append(None)
        packet.text_layers.append(None)
        packet.errors.append(StageError(stage="render", page=index, message=str(item)))
        return None
    image_path = page_image_path(page_root, packet.packet_id, index)
    packet.pages.append(
        Page(index=index, width=item.width, height=item.height, rotation=item.rotation, ocr_engine=None)
    )
    packet.page_images.append(str(image_path))
    packet.text_layers.append(item.text_layer)
    return image_path, item.image


def write_page_image(path: Path, image: np.ndarray) -> None:
    """Write an RGB page image as PNG (fast compression), its folder created if need be.

    Raises:
        WorkspaceWriteError: It could not be written (disk full, folder read-only): the machine's fault, retried.
    """
    reason: object = "disk full or read-only"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR), _PNG_FAST):
            return
    except (OSError, cv2.error) as exc:
        reason = exc
    raise WorkspaceWriteError(f"无法写入页面图像 (cannot write the page image {path}: {reason})")


def _unreadable(path: Path, message: str) -> RenderedPacket:
    # No bytes could be read, so the packet's id is the hash of no bytes.
    empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    packet = RenderedPacket(packet_id=empty_sha256, source=path.name)
    packet.errors.append(StageError(stage="load", page=None, message=message))
    return packet


def read_page(image_path: str, page: int, options: OcrOptions, cache_dir: Path | None = None) -> PageText:
    """OCR one rendered page. Never raises: an engine failure is recorded as the page's ``error``.

    With ``cache_dir``, a page image read before with the same options (the same pixels: the same scan
    dropped again, or a packet processed again after a rule changed) is not read a second time.
    """
    start = time.perf_counter()
    cache_file = _ocr_cache_file(Path(image_path), options, cache_dir) if cache_dir is not None else None
    if cache_file is not None and cache_file.is_file():
        try:
            cached = PageText.model_validate_json(cache_file.read_text(encoding="utf-8"))
            return cached.model_copy(update={"page": page, "seconds": time.perf_counter() - start})
        except (OSError, ValueError):
            logger.warning("ignoring unreadable OCR cache entry %s", cache_file)
    try:
        image = load_page_image(Path(image_path))
        engine = get_engine(options)
        lines = engine.read(image)
    except Exception as exc:
        logger.exception("OCR failed on page %d (%s)", page, image_path)
        return PageText(page=page, engine=None, error=f"{type(exc).__name__}: {exc}")
    text = PageText(page=page, engine=engine.name, lines=lines, seconds=time.perf_counter() - start)
    if cache_file is not None:
        try:
            write_text_atomically(cache_file, text.model_dump_json())
        except OSError as exc:  # a cache: the page is read again next time
            logger.warning("OCR cache entry not written (%s): %s", cache_file.name, exc.strerror or exc)
    return text


def text_layer_pages(rendered: RenderedPacket) -> list[PageText]:
    """The text of every page read from its PDF text layer instead of OCR."""
    return [
        PageText(page=index, engine=TEXT_LAYER_ENGINE, lines=lines)
        for index, lines in enumerate(rendered.text_layers)
        if lines is not None
    ]


def _ocr_cache_file(image: Path, options: OcrOptions, cache_dir: Path) -> Path | None:
    """Where the OCR of this page image with these options is kept: named by both their hashes."""
    try:
        pixels = sha256_file(image)
    except OSError:
        return None
    return ocr_cache_path(cache_dir, pixels, options.reading_key())


def load_page_image(path: Path) -> np.ndarray:
    """A page image written by :func:`render_packet`, as RGB."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise OSError(f"page image {path} is missing or unreadable")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def assemble_report(
    rendered: RenderedPacket, texts: Sequence[PageText], forced_profile: str | None, timings: dict[str, float]
) -> PacketReport:
    """The packet report from the rendered pages and their text: doc types, profile, status."""
    report = PacketReport(
        packet_id=rendered.packet_id,
        source=rendered.source,
        profile=None,
        status=PacketStatus.OK,
        errors=list(rendered.errors),
        pages=[page.model_copy() for page in rendered.pages],
        timings=dict(timings),
    )
    if rendered.failed:
        report.status = PacketStatus.FAILED
        return report
    for text in texts:
        report.pages[text.page].ocr_engine = text.engine
        if text.error:
            report.errors.append(StageError(stage="ocr", page=text.page, message=text.error))
    page_texts = in_page_order(texts, len(report.pages))
    doc_types = classify_pages(page_texts, [(page.width, page.height) for page in report.pages])
    for page, doc_type in zip(report.pages, doc_types, strict=True):
        page.doc_type = doc_type
    report.profile = _profile(forced_profile, page_texts, report)
    if report.errors:
        report.status = PacketStatus.PARTIAL
    return report


def in_page_order(texts: Sequence[PageText], page_count: int) -> list[PageText]:
    """One text per page, in page order: an empty, unread one for a page that has none."""
    by_page = {text.page: text for text in texts}
    return [by_page.get(index, PageText(page=index, engine=None)) for index in range(page_count)]


def _profile(forced: str | None, texts: Sequence[PageText], report: PacketReport) -> str | None:
    if forced is not None:
        try:
            return get_profile(forced).id
        except ProfileError as exc:
            report.errors.append(StageError(stage="profile", page=None, message=str(exc)))
            return None
    return detect_profile(texts, list(load_profiles().values()))


def failed_report(path: Path, stage: str, message: str) -> PacketReport:
    """A ``failed`` report for a packet the pipeline itself could not carry through."""
    try:
        packet_id = sha256_file(path)
    except OSError:
        packet_id = _unreadable(path, message).packet_id
    return PacketReport(
        packet_id=packet_id,
        source=path.name,
        profile=None,
        status=PacketStatus.FAILED,
        errors=[StageError(stage=stage, page=None, message=message)],
    )


def internal_failure(path: Path, exc: Exception) -> PacketReport:
    """The ``failed`` report of a packet a bug stopped: the pipeline's own error, never the packet's fault."""
    return failed_report(path, "pipeline", f"处理失败 (internal error: {type(exc).__name__}: {exc})")


def report_or_failure(path: Path, process: Callable[[], PacketReport]) -> PacketReport:
    """``process()``'s report, or the ``failed`` report of a bug that stopped it (logged).

    Raises:
        RetryLaterError: The machine's fault, not the packet's (a full disk, the database away): nothing is
            stored as failed, the packet is taken again later.
    """
    try:
        return process()
    except RetryLaterError:
        raise
    except Exception as exc:  # a bug in a stage must still leave a failed report
        logger.exception("processing %s failed", path)
        return internal_failure(path, exc)


def _page_loader(rendered: RenderedPacket) -> Callable[[int], np.ndarray | None]:
    """Page ``i``'s image as RGB, or None for a page that was never rendered."""

    def load(index: int) -> np.ndarray | None:
        path = rendered.page_images[index]
        return load_page_image(Path(path)) if path is not None else None

    return load


def find_seals(
    rendered: RenderedPacket,
    doc_types: Sequence[DocType],
    profile: str | None,
    options: SealOptions,
    ocr: OcrOptions,
) -> SealStageResult:
    """Seals, 骑缝章 and pasted-seal findings of a rendered packet; a debug PNG beside each page image if asked."""
    images = rendered.page_images
    debug: list[str | None] = [None] * len(images)
    load = _page_loader(rendered)

    def save_debug(index: int, image: np.ndarray, seals: list[DetectedSeal]) -> None:
        path = seal_debug_image_path(Path(images[index] or ""))
        try:
            write_page_image(path, draw_seals(image, seals))
        except WorkspaceWriteError as exc:  # a debug image only: the seals are found without it
            logger.warning("%s", exc)
            return
        debug[index] = str(path)

    required = get_profile(profile).cross_page_seal if profile else ()
    engine = get_engine(ocr) if options.read_legends else None
    on_page = save_debug if options.debug_images else None
    # A page per OCR worker: while one page's legends are read or it decodes, another is analysed.
    analysis = analyse_packet(
        len(images), load, doc_types, required, engine, options, on_page, pages_at_once=reading_workers(ocr)
    )
    return SealStageResult(
        seals=analysis.seals,
        cross_page_seals=analysis.cross_page_seals,
        findings=analysis.findings,
        errors=[StageError(stage="seals", page=page, message=message) for page, message in analysis.errors],
        debug_images=debug,
    )


def add_seals(report: PacketReport, result: SealStageResult) -> PacketReport:
    """The report with the seal stage's seals, 骑缝章, findings and errors (an error makes it ``partial``)."""
    report.seals = result.seals
    report.cross_page_seals = result.cross_page_seals
    report.findings += result.findings
    report.errors += result.errors
    if result.errors and report.status == PacketStatus.OK:
        report.status = PacketStatus.PARTIAL
    return report


def read_fields(
    rendered: RenderedPacket,
    texts: Sequence[PageText],
    doc_types: Sequence[DocType],
    profile: str | None,
    ocr: OcrOptions,
) -> FormsResult:
    """The applicant, summary rows, apprentices and certificates read from the packet's pages."""
    page_texts = in_page_order(texts, len(doc_types))
    rules = get_profile(profile) if profile else None
    return extract_forms(
        page_texts, doc_types, _page_loader(rendered), rules, reread=lambda image: get_engine(ocr).read(image)
    )


def add_fields(report: PacketReport, result: FormsResult) -> PacketReport:
    """The report with the field stage's records and errors (an error makes it ``partial``)."""
    report.applicant = result.applicant
    report.summary_rows = result.summary_rows
    report.apprentices = result.apprentices
    report.certificates = result.certificates
    report.errors += [StageError(stage="fields", page=page, message=message) for page, message in result.errors]
    if result.errors and report.status == PacketStatus.OK:
        report.status = PacketStatus.PARTIAL
    return report


def run_checks(report: PacketReport, facts: PacketFacts) -> PacketReport:
    """The report with its own checks' findings added, all findings sorted by severity, and its risk set."""
    profile = get_profile(report.profile) if report.profile else None
    if report.status != PacketStatus.FAILED:
        try:
            report.findings += check_packet(report, profile, facts)
        except Exception as exc:  # a check that breaks must not lose the report
            logger.exception("checks failed on %s", report.source)
            report.errors.append(StageError(stage="checks", page=None, message=f"{type(exc).__name__}: {exc}"))
            report.status = PacketStatus.PARTIAL
    return finish_findings(report)
