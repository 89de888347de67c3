"""The seal stage of a packet: detect and read every seal, join 骑缝章 slivers, find pasted seals, raise findings.

Pages come in through a loader, ``pages_at_once`` at a time, so a long packet never sits
in memory whole; only each seal's small ink map is kept for the packet-wide checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pydantic
from pydantic import BaseModel, ConfigDict

from extractors.ocr import OcrEngine
from extractors.parallel import in_order
from extractors.seals.crosspage import CrossPageOptions, CrossPageSealResult, join_cross_page_seals
from extractors.seals.detect import DetectOptions, detect_seals
from extractors.seals.forensics import ForensicsOptions, PastedPair, find_pasted_seals
from extractors.seals.legend import LegendOptions, read_legend
from extractors.seals.types import DetectedSeal
from models.report import DOC_TYPE_LABELS, CrossPageSeal, DocType, Finding, FindingCode, Seal, Severity

logger = logging.getLogger(__name__)


class SealOptions(BaseModel):
    """Options of the seal stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    detect: DetectOptions = pydantic.Field(default_factory=DetectOptions)
    legend: LegendOptions = pydantic.Field(default_factory=LegendOptions)
    cross_page: CrossPageOptions = pydantic.Field(default_factory=CrossPageOptions)
    forensics: ForensicsOptions = pydantic.Field(default_factory=ForensicsOptions)
    read_legends: bool = pydantic.Field(default=True, description="OCR each whole seal's legend")
    debug_images: bool = pydantic.Field(
        default=False,
        description="Write a debug image per page (page-NNNN.seals.png beside the page image) with the seals drawn "
        "on it; the reviewer app draws them itself",
    )


@dataclass
class SealAnalysis:
    """What the seal stage adds to a report."""

    seals: list[Seal] = field(default_factory=list)
    cross_page_seals: list[CrossPageSeal] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    """(page, message) for pages whose seals could not be analysed."""


PageLoader = Callable[[int], np.ndarray | None]
PageCallback = Callable[[int, np.ndarray, list[DetectedSeal]], None]


def analyse_packet(
    page_count: int,
    load_page: PageLoader,
    doc_types: Sequence[DocType],
    cross_page_required: Sequence[str],
    engine: OcrEngine | None,
    options: SealOptions | None = None,
    on_page: PageCallback | None = None,
    pages_at_once: int = 1,
) -> SealAnalysis:
    """Run the seal stage over a packet.

    Args:
        page_count: Number of pages.
        load_page: Returns page ``i`` as an RGB 200-DPI image, or None for a page that was never rendered
            (its error is already recorded); may raise for a page that cannot be loaded.
        doc_types: ``doc_type`` of each page (from classification).
        cross_page_required: doc_types whose multi-page documents the profile requires to carry a 骑缝章.
        engine: OCR engine for legends, or None to skip reading them.
        options: Stage options.
        on_page: Called with each page, its image and its seals (the pipeline draws the debug image here), in the
            thread that analysed the page.
        pages_at_once: Pages loaded and analysed at once, each in a thread of its own (the pixel work and the
            OCR engine's workers release the GIL); the findings are the same however many.
    """
    options = options or SealOptions()
    analysis = SealAnalysis()
    found: list[DetectedSeal] = []
    sizes: dict[int, tuple[int, int]] = {}

    def analysed(index: int) -> _PageSeals | None:
        """The page's seals (loaded and analysed in a worker thread); None for a page never rendered."""
        try:
            image = load_page(index)
            if image is None:
                return None
            seals = _page_seals(image, index, engine, options)
        except Exception as exc:
            logger.exception("seal analysis failed on page %d", index)
            return _PageSeals(index, error=f"{type(exc).__name__}: {exc}")
        if on_page is not None:
            on_page(index, image, seals)
        return _PageSeals(index, (image.shape[1], image.shape[0]), seals)

    for page in in_order(analysed, range(page_count), pages_at_once, "seal-pages"):
        if page is None:
            continue
        if page.error is not None:
            analysis.errors.append((page.index, page.error))
            continue
        sizes[page.index] = page.size
        found += page.seals
    analysis.seals = [seal.to_record() for seal in found]
    _cross_page(analysis, found, doc_types, sizes, cross_page_required, options)
    _pasted(analysis, find_pasted_seals(found, options.forensics))
    return analysis


@dataclass(frozen=True)
class _PageSeals:
    """One page's part of the seal stage: its size and seals, or why they could not be found."""

    index: int
    size: tuple[int, int] = (0, 0)
    seals: list[DetectedSeal] = field(default_factory=list)
    error: str | None = None


def _page_seals(image: np.ndarray, index: int, engine: OcrEngine | None, options: SealOptions) -> list[DetectedSeal]:
    seals = detect_seals(image, index, options.detect)
    if engine is not None and options.read_legends:
        for seal in seals:
            if not seal.partial:
                seal.text = read_legend(image, seal, engine, options.legend)
    return seals


def documents(doc_types: Sequence[DocType]) -> list[tuple[DocType, list[int]]]:
    """Runs of consecutive pages of one doc_type: the packet's documents, in order."""
    runs: list[tuple[DocType, list[int]]] = []
    for index, doc_type in enumerate(doc_types):
        if runs and runs[-1][0] == doc_type:
            runs[-1][1].append(index)
        else:
            runs.append((doc_type, [index]))
    return runs


def sliver_runs(seals: Sequence[DetectedSeal], page_count: int) -> list[list[int]]:
    """Runs of consecutive pages that each carry a seal cut by a side edge: a 骑缝章 seen without doc types."""
    marked = {seal.page for seal in seals if seal.partial and seal.edge in ("left", "right")}
    runs: list[list[int]] = []
    for page in range(page_count):
        if page not in marked:
            continue
        if runs and runs[-1][-1] == page - 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    return [run for run in runs if len(run) > 1]


def _cross_page(
    analysis: SealAnalysis,
    seals: list[DetectedSeal],
    doc_types: Sequence[DocType],
    sizes: dict[int, tuple[int, int]],
    required: Sequence[str],
    options: SealOptions,
) -> None:
    covered: set[int] = set()
    for doc_type, pages in documents(doc_types):
        if len(pages) < 2 or doc_type == DocType.OTHER or not all(p in sizes for p in pages):
            continue
        covered.update(pages)
        _join(analysis, seals, doc_type, pages, sizes, doc_type.value in required, options)
    # Classification can split a form (an untitled page taken for another type); slivers still show
    # which consecutive pages were stamped together, so those runs are checked as documents too.
    for pages in sliver_runs(seals, len(doc_types)):
        if not covered.intersection(pages) and all(p in sizes for p in pages):
            _join(analysis, seals, doc_types[pages[0]], pages, sizes, False, options)


def _join(
    analysis: SealAnalysis,
    seals: list[DetectedSeal],
    doc_type: DocType,
    pages: list[int],
    sizes: dict[int, tuple[int, int]],
    required: bool,
    options: SealOptions,
) -> None:
    on_document = [seal for seal in seals if seal.page in pages]
    for result in join_cross_page_seals(pages, on_document, sizes, options.cross_page):
        stamped = len(result.missing_pages) < len(pages)
        if not stamped and not required:
            continue  # no 骑缝章, and none was asked for
        analysis.cross_page_seals.append(result.to_record())
        analysis.findings += _cross_page_findings(doc_type, result, stamped)


def _cross_page_findings(doc_type: DocType, result: CrossPageSealResult, stamped: bool) -> list[Finding]:
    name = DOC_TYPE_LABELS[doc_type]
    first, last = result.pages[0] + 1, result.pages[-1] + 1
    evidence = {
        # Evidence uses the report's page indices (from 0) so the reviewer UI can link to the regions.
        "pages": list(result.pages),
        "slivers": [{"page": s.page, "bbox": list(s.bbox)} for s in result.seals],
    }
    if not stamped:
        message = f"{name}（第{first}–{last}页）共{len(result.pages)}页，未见骑缝章，而通知要求多页材料加盖骑缝章。"
        return [
            Finding(
                code=FindingCode.CROSS_PAGE_SEAL_MISSING,
                severity=Severity.ERROR,
                field=doc_type.value,
                message=message,
                pages=list(result.pages),
                evidence=evidence,
            )
        ]
    if result.complete:
        return []
    if result.missing_pages:
        missing = "、".join(str(p + 1) for p in result.missing_pages)
        message = (
            f"{name}第{missing}页的骑缝章与其余各页对不上（缺失或位置、印章不一致），该页可能在盖章后被添加或抽换。"
        )
    else:
        # Every page carries a matching sliver, but together they do not make one whole seal.
        message = f"{name}（第{first}–{last}页）的骑缝章切片拼不成一枚完整印章，可能有页面在盖章后被抽去。"
    return [
        Finding(
            code=FindingCode.CROSS_PAGE_SEAL_BROKEN,
            severity=Severity.FRAUD_SUSPECT,
            field=doc_type.value,
            message=message,
            pages=list(result.missing_pages or result.pages),
            evidence={**evidence, "missing_pages": list(result.missing_pages)},
        )
    ]


def _pasted(analysis: SealAnalysis, pairs: Sequence[PastedPair]) -> None:
    for pair in pairs:
        first, second = pair.first, pair.second
        message = (
            f"第{first.page + 1}页与第{second.page + 1}页的印章印迹逐像素一致，"
            "真实盖章每次印迹都不同，疑为复制粘贴的印章图像。"
        )
        analysis.findings.append(
            Finding(
                code=FindingCode.DUPLICATE_SEAL_IMPRESSION,
                severity=Severity.FRAUD_SUSPECT,
                field=None,
                message=message,
                pages=sorted({first.page, second.page}),
                evidence={
                    "similarity": round(float(pair.score), 4),
                    "impressions": [
                        {"page": first.page, "bbox": list(first.bbox), "text": first.text},
                        {"page": second.page, "bbox": list(second.bbox), "text": second.text},
                    ],
                },
            )
        )
