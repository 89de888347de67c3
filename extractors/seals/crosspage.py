"""Cross-page seal (骑缝章) verification: do the edge slivers of a document's pages join into one seal?

A 骑缝章 is stamped once across the fanned edges of the stacked pages of a document, so each page keeps a
narrow vertical sliver of the same impression, flush with its edge, at the same height. Page ``i`` keeps
the strip of the circle from ``x_i`` to ``x_(i+1)``: side by side the strips give back the whole seal.

The join is checked in three steps:

1. Slivers: seals cut by (or ending at) the document's edge and narrow for their height (:func:`_sliver`).
2. Line-up: the largest set of slivers, at most one per page, that agree on height (normalised by page
   height: pages are rendered alike), radius and ink colour. Pages outside it are missing: no sliver, a
   sliver at another height (a page swapped after stamping) or of another seal.
3. Geometry, once every page has its sliver: their widths must add up to the seal's diameter, and the
   chord where one page's sliver ends must be the chord where the next page's begins. A page removed or
   moved after stamping breaks this even when every remaining sliver sits at the right height.

Scanning moves each page on its own (skew up to ~1.2 degrees about the page centre, scale ±1.5%, shift up
to ~12 px): at a page's right edge that is up to ~40 px of height, so two pages of one 骑缝章 can differ by
~80 px. The tolerances below are set from that, well short of a swapped page (~12% of page height off).
"""

from __future__ import annotations

import itertools
import logging
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pydantic
from pydantic import BaseModel, ConfigDict

from extractors.seals.types import DetectedSeal
from models.report import CrossPageSeal, Edge

logger = logging.getLogger(__name__)

SideEdge = Literal["left", "right"]
SIDES: tuple[SideEdge, SideEdge] = ("right", "left")


class CrossPageOptions(BaseModel):
    """Tolerances of the 骑缝章 join.

    Measured on generated packets (2- and 3-page forms, scanned at strength 0.15-0.8): sliver heights of one
    seal agree within 0.011 of page height (26 px); sliver widths add up to 0.95-1.02 of the diameter; a
    swapped page's sliver is 0.12 of page height off. With the seals of ``extractors.seals.detect`` on 58
    packets, all 48 intact 骑缝章 joined and the swapped page of all 10 broken ones was named.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_edge: SideEdge = pydantic.Field(
        default="right", description="Edge reported when no page has a sliver (bound documents are stamped right)"
    )
    edge_margin_px: int = pydantic.Field(
        default=30,
        ge=0,
        description="A sliver's ink ends within this of the page edge (scan shift <= 12 px, plus skew)",
    )
    max_sliver_aspect: float = pydantic.Field(
        default=0.75,
        gt=0,
        description="Width / height above which an impression at the edge is a seal cut off, not a sliver "
        "(a 2-page 骑缝章 leaves half a circle: ~0.5)",
    )
    min_sliver_height_px: int = pydantic.Field(
        default=40, ge=1, description="Shorter red marks at the edge are specks, not slivers"
    )
    height_tolerance: float = pydantic.Field(
        default=0.04,
        gt=0,
        description="Slivers of one seal lie within this share of page height of the reference "
        "(scan skew and shift: up to ~0.035 between two A4 pages)",
    )
    height_tolerance_radius: float = pydantic.Field(
        default=0.35, ge=0, description="... or within this many radii, when that is larger (big seals)"
    )
    radius_tolerance: float = pydantic.Field(
        default=0.25, gt=0, description="Largest relative difference of a sliver's radius from the reference"
    )
    colour_tolerance: float = pydantic.Field(
        default=90.0,
        gt=0,
        description="Largest RGB distance of a sliver's ink colour from the reference (one pad's red after "
        "different scans differs by < 50; a blue or black seal by > 150)",
    )
    min_coverage: float = pydantic.Field(
        default=0.8, gt=0, description="Sliver widths adding up to less of the diameter: a page was taken out"
    )
    max_coverage: float = pydantic.Field(
        default=1.25, gt=0, description="... to more: a page that was never under the stamp carries a sliver"
    )
    chord_level: float = pydantic.Field(
        default=0.3, gt=0, lt=1, description="Ink coverage that counts when measuring a sliver's chords"
    )
    chord_band_px: int = pydantic.Field(
        default=10,
        ge=1,
        description="Columns at each end of a sliver whose ink gives its chord (covers a skewed cut edge)",
    )
    chord_tolerance: float = pydantic.Field(
        default=0.12,
        gt=0,
        description="Largest difference, in diameters, between one sliver's end chord and the next one's start",
    )
    max_start_chord: float = pydantic.Field(
        default=0.6,
        gt=0,
        description="The first page's sliver starts at the circle's side: its start chord, in diameters, is "
        "below this, or the page before it was taken out (measured: 0.26-0.36)",
    )
    max_end_chord: float = pydantic.Field(
        default=0.6,
        gt=0,
        description="The last page's sliver ends at the circle's other side, at the page edge: its end chord, in "
        "diameters, is below this, or the page after it was taken out (measured: 0.31-0.46, a scan crops the edge)",
    )
    absent_confidence: float = pydantic.Field(
        default=0.8, ge=0, le=1, description="Confidence that a document carries no 骑缝章 when no sliver is seen"
    )
    tie_confidence: float = pydantic.Field(
        default=0.5,
        ge=0,
        le=1,
        description="Confidence factor when two equally large sets of slivers disagree (which page is wrong "
        "is then a guess: the set with the earliest page is kept)",
    )


@dataclass(frozen=True)
class _Sliver:
    """One page's edge sliver, measured."""

    seal: DetectedSeal
    height: float
    """Centre row of the sliver over page height: a vertical strip of a circle is symmetric about its centre."""
    radius: float
    width: int
    start_chord: float
    """Chord (px) at the sliver's inner end, away from the page edge."""
    end_chord: float
    """Chord (px) at the sliver's outer end, at the page edge."""

    @property
    def page(self) -> int:
        return self.seal.page


@dataclass
class CrossPageSealResult:
    """The verdict on one document's 骑缝章.

    Attributes:
        pages: The document's pages, in order.
        edge: The edge that carries (or should carry) the slivers.
        complete: Every page has a sliver and they join into one impression.
        missing_pages: Pages whose sliver is absent or does not line up.
        confidence: 0..1.
        seals: The slivers that line up, in page order (evidence).
        height: Their centre row over page height, or None when no sliver was found.
        coverage: Their widths over the seal's diameter (about 1 when complete), or None.
    """

    pages: list[int]
    edge: SideEdge
    complete: bool
    missing_pages: list[int]
    confidence: float
    seals: list[DetectedSeal] = field(default_factory=list)
    height: float | None = None
    coverage: float | None = None

    def to_record(self) -> CrossPageSeal:
        """The report's ``cross_page_seals[]`` entry."""
        return CrossPageSeal(
            pages=list(self.pages),
            edge=Edge(self.edge),
            complete=self.complete,
            missing_pages=list(self.missing_pages),
            confidence=round(min(max(self.confidence, 0.0), 1.0), 3),
        )


def join_cross_page_seals(
    pages: Sequence[int],
    seals: Sequence[DetectedSeal],
    page_sizes: Mapping[int, tuple[int, int]],
    options: CrossPageOptions | None = None,
) -> list[CrossPageSealResult]:
    """Check the 骑缝章 of one multi-page document.

    Args:
        pages: The document's page indices, in order.
        seals: Seals found on those pages (others are ignored).
        page_sizes: ``(width, height)`` in pixels of each page; a page without a size counts as missing.
        options: Tolerances.

    Returns:
        One result for the document (none for a single page). When no page has a sliver the result is
        incomplete with every page missing: whether one was required is the caller's rule.
    """
    options = options or CrossPageOptions()
    order = list(pages)
    if len(order) < 2:
        return []
    found = {side: _slivers(order, seals, page_sizes, side, options) for side in SIDES}
    edge = max(SIDES, key=lambda side: (len({s.page for s in found[side]}), side == options.default_edge))
    slivers = found[edge]
    if not slivers:
        return [CrossPageSealResult(order, options.default_edge, False, order, options.absent_confidence)]
    group, tied = _line_up(slivers, page_sizes, options)
    return [_verdict(order, edge, group, tied, page_sizes, options)]


# --- slivers --------------------------------------------------------------------------------------------------


def _slivers(
    pages: list[int],
    seals: Sequence[DetectedSeal],
    page_sizes: Mapping[int, tuple[int, int]],
    edge: SideEdge,
    options: CrossPageOptions,
) -> list[_Sliver]:
    """Every seal on the document's pages that is a sliver on ``edge``."""
    slivers = []
    for seal in seals:
        if seal.page in pages and seal.page in page_sizes:
            sliver = _sliver(seal, page_sizes[seal.page], edge, options)
            if sliver is not None:
                slivers.append(sliver)
    return slivers


def _sliver(seal: DetectedSeal, size: tuple[int, int], edge: SideEdge, options: CrossPageOptions) -> _Sliver | None:
    """The seal measured as a sliver on ``edge``; None when it is not one."""
    x0, y0, x1, y1 = seal.bbox
    width, height = x1 - x0, y1 - y0
    gap = size[0] - x1 if edge == "right" else x0
    at_edge = (seal.partial and seal.edge == edge) or gap <= options.edge_margin_px
    if not at_edge or height < options.min_sliver_height_px or width > options.max_sliver_aspect * height:
        return None
    left, right = _end_chords(seal.ink, options)
    start, end = (left, right) if edge == "right" else (right, left)
    # A chord is never longer than the diameter: a fitted radius below half the sliver's height is wrong.
    radius = max(float(np.mean(seal.axes)), height / 2)
    return _Sliver(seal, (y0 + y1) / 2 / size[1], radius, width, start, end)


def _end_chords(ink: np.ndarray, options: CrossPageOptions) -> tuple[float, float]:
    """Vertical extent (px) of the ink in the first and the last ``chord_band_px`` inked columns."""
    inked = ink > options.chord_level
    columns = np.flatnonzero(inked.any(axis=0))
    if columns.size == 0:
        return 0.0, 0.0
    band = options.chord_band_px
    first = inked[:, columns[0] : columns[0] + band]
    last = inked[:, max(columns[-1] + 1 - band, 0) : columns[-1] + 1]
    return _extent(first), _extent(last)


def _extent(inked: np.ndarray) -> float:
    rows = np.flatnonzero(inked.any(axis=1))
    return float(rows[-1] + 1 - rows[0]) if rows.size else 0.0


# --- line-up --------------------------------------------------------------------------------------------------


def _line_up(
    slivers: list[_Sliver], page_sizes: Mapping[int, tuple[int, int]], options: CrossPageOptions
) -> tuple[list[_Sliver], bool]:
    """The largest set of slivers, one per page, that agree with each other; and whether another set as large
    disagrees with it (then the set holding the earliest page is kept)."""
    groups = [_around(s.height, s.radius, s.seal.color, slivers, page_sizes, options) for s in slivers]
    best = max(groups, key=lambda group: _rank(group))
    # Re-centre on the set's own median, so the anchor's scan error does not decide the borderline pages.
    colour = tuple(int(statistics.median(s.seal.color[i] for s in best)) for i in range(3))
    height, radius = statistics.median(s.height for s in best), statistics.median(s.radius for s in best)
    group = _around(height, radius, (colour[0], colour[1], colour[2]), slivers, page_sizes, options)
    if not group or _rank(group) < _rank(best):
        group = best
    rivals = [g for g in groups if len(g) == len(group) and not {s.page for s in g} & {s.page for s in group}]
    return group, bool(rivals)


def _rank(group: list[_Sliver]) -> tuple[int, int, float]:
    """More pages first; then the set holding the earliest page; then the surer slivers."""
    return len(group), -min(s.page for s in group), sum(s.seal.confidence for s in group)


def _around(
    height: float,
    radius: float,
    colour: tuple[int, int, int],
    slivers: list[_Sliver],
    page_sizes: Mapping[int, tuple[int, int]],
    options: CrossPageOptions,
) -> list[_Sliver]:
    """For each page, the sliver nearest ``height`` that agrees with the reference; page order (a document's
    pages are consecutive, so index order is reading order)."""
    best: dict[int, _Sliver] = {}
    for sliver in slivers:
        if not _agrees(sliver, height, radius, colour, page_sizes[sliver.page][1], options):
            continue
        held = best.get(sliver.page)
        if held is None or abs(sliver.height - height) < abs(held.height - height):
            best[sliver.page] = sliver
    return [best[page] for page in sorted(best)]


def _agrees(
    sliver: _Sliver,
    height: float,
    radius: float,
    colour: tuple[int, int, int],
    page_height: int,
    options: CrossPageOptions,
) -> bool:
    """Same height (within the scan's play), same radius, same ink."""
    tolerance = max(options.height_tolerance, options.height_tolerance_radius * radius / max(page_height, 1))
    return (
        abs(sliver.height - height) <= tolerance
        and abs(sliver.radius - radius) <= options.radius_tolerance * max(radius, 1.0)
        and math.dist(sliver.seal.color, colour) <= options.colour_tolerance
    )


# --- verdict ----------------------------------------------------------------------------------------------------


def _verdict(
    pages: list[int],
    edge: SideEdge,
    group: list[_Sliver],
    tied: bool,
    page_sizes: Mapping[int, tuple[int, int]],
    options: CrossPageOptions,
) -> CrossPageSealResult:
    """Missing pages, completeness and confidence of a lined-up set of slivers."""
    held = {s.page for s in group}
    missing = [page for page in pages if page not in held]
    diameter = 2 * max(max(s.radius for s in group), max(s.seal.bbox[3] - s.seal.bbox[1] for s in group) / 2)
    coverage = sum(s.width for s in group) / diameter
    if not missing:
        missing = _broken_joins(group, coverage, diameter, options)
    confidence = statistics.fmean(s.seal.confidence for s in group) * _fit(group, page_sizes, options)
    if tied:
        confidence *= options.tie_confidence
    return CrossPageSealResult(
        pages=pages,
        edge=edge,
        complete=not missing and options.min_coverage <= coverage <= options.max_coverage,
        missing_pages=missing,
        confidence=confidence,
        seals=[s.seal for s in group],
        height=statistics.median(s.height for s in group),
        coverage=coverage,
    )


def _broken_joins(group: list[_Sliver], coverage: float, diameter: float, options: CrossPageOptions) -> list[int]:
    """Pages whose sliver does not continue the previous page's: the chords at the join differ.

    Only looked for when the widths do not add up to the diameter, so a clean join is never second-guessed
    on chords alone. A first sliver that starts mid-circle, or a last one that ends mid-circle, means a page
    before or after it was taken out. A page taken out where the chords happen to match (the middle one of
    three: the circle is symmetric) cannot be placed: then no page is named, though the join is broken.
    """
    if options.min_coverage <= coverage <= options.max_coverage:
        return []
    broken = [group[0].page] if group[0].start_chord > options.max_start_chord * diameter else []
    for previous, current in itertools.pairwise(group):
        if abs(previous.end_chord - current.start_chord) > options.chord_tolerance * diameter:
            broken.append(current.page)
    if group[-1].end_chord > options.max_end_chord * diameter and group[-1].page not in broken:
        broken.append(group[-1].page)
    return broken


def _fit(group: list[_Sliver], page_sizes: Mapping[int, tuple[int, int]], options: CrossPageOptions) -> float:
    """1 when the slivers sit at one height exactly, falling to 0.5 at the edge of the tolerance."""
    centre = statistics.median(s.height for s in group)
    worst = 0.0
    for sliver in group:
        page_height = max(page_sizes[sliver.page][1], 1)
        tolerance = max(options.height_tolerance, options.height_tolerance_radius * sliver.radius / page_height)
        worst = max(worst, abs(sliver.height - centre) / tolerance)
    return 1.0 - 0.5 * min(worst, 1.0)
