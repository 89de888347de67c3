"""Reading what a seal says: the unit name along a round or oval seal's arc, its centre line, a square seal's grid.

A seal's legend is not a straight line, so the OCR engine cannot read it where it lies. Round and oval seals
are unwrapped along their ring into a straight strip (the band between the ring and the star, glyph tops up)
and the strip is read; the straight centre line (``人事专用章``) is read from the seal turned upright; a square
seal's characters, set in a grid read in columns from the right, are lined up into one row and read.

Detection only estimates where a seal is, so the ring is re-fitted here from the seal's own red ink. Before any
reading, red ink becomes black text on white and everything else (black print under the seal, the paper)
becomes white, so the engine sees a clean line of print.

Each crop is one line of text. An engine that can recognise a single line without detecting it first
(:class:`LineRecogniser`) reads each crop alone, in milliseconds; any other engine gets all the crops of a seal
stacked into one image and read at once.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol, runtime_checkable

import cv2
import numpy as np
import pydantic
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from extractors.ocr.base import OcrEngine
from extractors.seals.types import DetectedSeal
from models.text import TextLine

logger = logging.getLogger(__name__)

FloatImage = NDArray[np.float32]
Direction = Literal["clockwise", "counterclockwise"]
Box = tuple[int, int, int, int]

FULL_TURN_DEG = 360.0
CHANNEL_MAX = 255.0
MIN_EDGE_POINTS = 24  # fewer ring-edge points than this cannot pin down an ellipse against outliers
MAD_TO_SIGMA = 1.4826  # median absolute deviation of a normal distribution, in standard deviations


@runtime_checkable
class LineRecogniser(Protocol):
    """An engine that can read an image holding exactly one line of text, without detecting it first."""

    def read_line(self, image: np.ndarray) -> TextLine | None:
        """The line of text filling the RGB ``uint8`` image, or None when nothing is recognised."""
        ...


class LegendOptions(BaseModel):
    """Geometry and thresholds of legend reading; sizes on a ring seal are fractions of its outer radius."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    crop_margin: float = pydantic.Field(
        default=0.15, ge=0.0, le=1.0, description="Share of the bbox's size added on every side before re-fitting"
    )
    reference_radius_px: float = pydantic.Field(
        default=165.0,
        gt=0.0,
        description="Outer radius a seal is resampled to before reading: a 42 mm seal at 200 DPI, whose legend "
        "glyphs are then about 40 px tall, a size the recogniser reads well",
    )
    paper_percentile: float = pydantic.Field(
        default=25.0,
        gt=0.0,
        lt=50.0,
        description="Percentile of a crop's redness (R - max(G, B)) taken as its paper: low, since a tight crop of "
        "a dense seal may be half ink, but paper and the print on it fill at least this share",
    )
    paper_redness_margin: float = pydantic.Field(
        default=15.0, gt=0.0, description="Redness above the paper's before a pixel is ink; as much again: wholly ink"
    )
    full_ink_percentile: float = pydantic.Field(
        default=85.0, gt=0.0, lt=100.0, description="Percentile of the inked pixels' darkness counted as full ink"
    )
    min_ink_span: float = pydantic.Field(
        default=40.0, gt=0.0, description="Least darkness counted as full ink: a pale seal is not stretched"
    )
    print_red_level: float = pydantic.Field(
        default=140.0,
        ge=0.0,
        le=255.0,
        description="Red channel below which a pixel is other print (black text, a rule, blue ink) lying over the "
        "seal: seal ink on paper keeps a high red channel, so the ink there is filled in from around it",
    )
    print_fill_radius_px: float = pydantic.Field(
        default=3.0, gt=0.0, description="Neighbourhood the ink hidden under other print is filled in from"
    )
    edge_ink: float = pydantic.Field(
        default=0.4, gt=0.0, lt=1.0, description="Ink level taken as the ring's outer edge while re-fitting"
    )
    ring_search: tuple[float, float] = pydantic.Field(
        default=(0.7, 1.3), description="Radii, as shares of the estimated radius, searched for the ring's edge"
    )
    fit_rounds: int = pydantic.Field(
        default=3, ge=1, description="Re-fits of the ring, each from the previous fit's centre and radius"
    )
    fit_outlier_sigmas: float = pydantic.Field(
        default=2.5, gt=0.0, description="Edge points further than this many robust sigmas from the fit are dropped"
    )
    fit_tolerance: float = pydantic.Field(
        default=0.015, gt=0.0, description="Edge points this close to the fit are always kept (scan jitter)"
    )
    consensus_trials: int = pydantic.Field(
        default=60,
        ge=1,
        description="Ellipses tried in the consensus search; with a third of the edge on a neighbour's ring, "
        "a clean sample of five comes up in about one trial in eight",
    )
    max_aspect: float = pydantic.Field(
        default=2.0, gt=1.0, description="A re-fitted ellipse more elongated than this is rejected for the estimate"
    )
    polar_steps: int = pydantic.Field(default=720, ge=90, description="Angular samples of the ring analysis")
    analysis_depth: float = pydantic.Field(
        default=0.6, gt=0.0, lt=1.0, description="Depth below the ring's outer edge that the ring analysis covers"
    )
    ring_peak_depth: float = pydantic.Field(
        default=0.18, gt=0.0, description="Depth within which the ring's ink peak (over all angles) is looked for"
    )
    ring_edge_level: float = pydantic.Field(
        default=0.5, gt=0.0, lt=1.0, description="Share of the ring's peak ink that marks its inner edge"
    )
    band_gap: float = pydantic.Field(
        default=0.01, ge=0.0, description="Space left between the ring's inner edge and the unwrapped band"
    )
    band_height: float = pydantic.Field(
        default=0.4,
        gt=0.0,
        lt=1.0,
        description="Radial height of the unwrapped band: legend glyphs are about a quarter of the radius tall, "
        "the rest is slack for a ring that is not quite round",
    )
    profile_depth: float = pydantic.Field(
        default=0.12,
        gt=0.0,
        description="Outer part of the band whose ink, per angle, tells legend from gap: the legend glyphs' tops; "
        "the centre line's far corners (about 0.8 of the radius out) stay inside it",
    )
    profile_level: float = pydantic.Field(
        default=0.15, gt=0.0, lt=1.0, description="Share of the profile's high percentile that counts as inked"
    )
    gap_close_deg: float = pydantic.Field(
        default=12.0, ge=0.0, description="Uninked arcs this short are always spaces between legend glyphs"
    )
    gap_split_factor: float = pydantic.Field(
        default=3.0,
        gt=1.0,
        description="A space this many times the median space between glyphs in the upper half ends the legend",
    )
    legend_top_window_deg: float = pydantic.Field(
        default=45.0,
        gt=0.0,
        description="The legend is centred at the top; a hand turns a seal by up to about 25 degrees",
    )
    max_rotation_deg: float = pydantic.Field(
        default=30.0,
        gt=0.0,
        description="Most the legend's middle may lie off the top: a hand turns a seal by up to about 25 degrees",
    )
    min_legend_deg: float = pydantic.Field(default=30.0, gt=0.0, description="Shorter inked arcs are no legend")
    cut_smoothing_deg: float = pydantic.Field(
        default=20.0, gt=0.0, description="Window over which the faintest point of an all-round legend is found"
    )
    run_margin_deg: float = pydantic.Field(
        default=6.0, ge=0.0, description="Arc added at both ends of the legend so no glyph is clipped"
    )
    directions: tuple[Direction, ...] = pydantic.Field(
        default=("clockwise", "counterclockwise"),
        min_length=1,
        description="Unwrapping directions read: clockwise with glyph tops outward (a top legend), counterclockwise "
        "with tops inward (a bottom legend); the reading with the most confident characters wins",
    )
    glyph_row_level: float = pydantic.Field(
        default=0.25, gt=0.0, lt=1.0, description="Share of the strip's most inked row that a row of glyphs keeps"
    )
    glyph_depth_margin: float = pydantic.Field(
        default=0.03, ge=0.0, description="Depth cleared below the legend's glyphs before the centre line is sought"
    )
    centre_band: tuple[float, float] = pydantic.Field(
        default=(-0.3, 0.85),
        description="Rows of the upright seal searched for the centre line, from above the centre (negative) to "
        "below it: the line sits under the star, or in the middle when there is no star",
    )
    centre_half_width: float = pydantic.Field(
        default=0.85, gt=0.0, le=1.0, description="Half width of the centre-line search"
    )
    min_line_aspect: float = pydantic.Field(
        default=1.6,
        gt=0.0,
        description="Width over height of the ink a centre line candidate needs: a line of two or more glyphs "
        "is wide, the star or an emblem is not",
    )
    max_glyph_height: float = pydantic.Field(
        default=0.34,
        gt=0.0,
        description="Connected ink taller than this inside the ring is the star or an emblem, not a glyph of the "
        "centre line (centre glyphs are about a quarter of the radius tall)",
    )
    max_centre_candidates: int = pydantic.Field(
        default=3, ge=1, description="Ink rows below the star read as possible centre lines, top first"
    )
    min_centre_chars: int = pydantic.Field(
        default=2, ge=1, description="Shorter readings of a centre line candidate are noise, not a line"
    )
    min_centre_score: float = pydantic.Field(
        default=0.6, ge=0.0, le=1.0, description="Centre line candidates read with less confidence are dropped"
    )
    row_ink: float = pydantic.Field(
        default=0.04, gt=0.0, lt=1.0, description="Share of a crop's fullest row that a row needs to count as inked"
    )
    row_gap: float = pydantic.Field(
        default=0.03, ge=0.0, description="Blank rows (share of the radius) that do not split a text line"
    )
    line_padding_px: int = pydantic.Field(default=4, ge=0, description="White border kept around a cropped line")
    text_gamma: float = pydantic.Field(
        default=0.6,
        gt=0.0,
        le=1.0,
        description="Exponent applied to ink before it is drawn as text: below 1 it darkens lightly inked strokes "
        "(thin centre-line glyphs, a faint side of the impression) more than it darkens full ink",
    )
    stack_gap_px: int = pydantic.Field(
        default=32, ge=0, description="White rows between crops stacked for an engine that must detect lines"
    )
    square_side_px: int = pydantic.Field(
        default=160, ge=32, description="Side a square seal is resampled to: a 20 mm seal at 200 DPI"
    )
    text_ink: float = pydantic.Field(
        default=0.3, gt=0.0, lt=1.0, description="Ink above which a pixel counts for a square seal's frame and grid"
    )
    frame_fill: float = pydantic.Field(
        default=0.7,
        gt=0.0,
        lt=1.0,
        description="Share of a row or column inked that makes it part of a frame (a row of glyph strokes has less)",
    )
    frame_lead_px: int = pydantic.Field(
        default=6, ge=0, description="Blank rows a frame may start after, at a square seal's side"
    )
    frame_gap_px: int = pydantic.Field(
        default=8, ge=0, description="Most blank rows between an outer frame and an inner, thinner one"
    )
    frame_clearance_px: int = pydantic.Field(
        default=1, ge=0, description="Rows cleared past a frame's last row (its soft edge)"
    )
    grid_sizes: tuple[int, ...] = pydantic.Field(
        default=(2, 3), min_length=1, description="Grids (columns = rows) a square seal's characters may be set in"
    )
    grid_gap: float = pydantic.Field(
        default=0.25, ge=0.0, description="White space between cells lined up for reading, as a share of a cell"
    )
    empty_cell_ink: float = pydantic.Field(default=0.02, ge=0.0, description="Mean ink below which a cell is empty")
    square_suffixes: tuple[str, ...] = pydantic.Field(
        default=("印", "章", "鉴"),
        description="Last characters of a personal or unit seal; the reading order ending in one of them wins",
    )


class SealText(BaseModel):
    """What a seal says, by part."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    arc: str | None = pydantic.Field(
        default=None, description="The legend along the arc, or a square seal's text; None if unreadable"
    )
    centre: str | None = pydantic.Field(default=None, description="The straight centre line, or None")
    score: float = pydantic.Field(default=0.0, ge=0.0, le=1.0, description="The recogniser's mean confidence")

    @property
    def text(self) -> str | None:
        """The legend followed by the centre line, as the report's ``seals[].text``; None if nothing was read."""
        joined = (self.arc or "") + (self.centre or "")
        return joined or None


@dataclass(frozen=True)
class _Ring:
    """A fitted ring: its centre and the matrix taking the unit circle onto the ring's outer edge.

    The matrix is symmetric (``R(angle) diag(a, b) R(-angle)``), so a direction in the unit-circle frame is,
    for a round seal, the same direction on the page: angles keep their meaning (0 at the top, clockwise).
    """

    centre: tuple[float, float]
    axes: tuple[float, float]
    matrix: NDArray[np.float64]

    @property
    def radius(self) -> float:
        return math.sqrt(self.axes[0] * self.axes[1])

    def at(self, angles: NDArray[np.float64], depths: NDArray[np.float64]) -> tuple[FloatImage, FloatImage]:
        """Page points at ``angles`` (radians, clockwise from the top) and ``depths`` (shares of the radius) in
        from the outer edge, along the edge's normal; the arrays broadcast together."""
        unit = np.stack(np.broadcast_arrays(np.sin(angles), -np.cos(angles)))
        edge = np.einsum("ij,j...->i...", self.matrix, unit)
        normal = np.einsum("ij,j...->i...", np.linalg.inv(self.matrix), unit)
        normal /= np.hypot(normal[0], normal[1])
        step = depths * self.radius
        xs = self.centre[0] + edge[0] - step * normal[0]
        ys = self.centre[1] + edge[1] - step * normal[1]
        return xs.astype(np.float32), ys.astype(np.float32)

    def locate(self, xs: NDArray[np.float64], ys: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
        """Angle (degrees clockwise from the top) and approximate depth in from the outer edge of page points."""
        dx, dy = xs - self.centre[0], ys - self.centre[1]
        inverse = np.linalg.inv(self.matrix)
        ux, uy = inverse[0, 0] * dx + inverse[0, 1] * dy, inverse[1, 0] * dx + inverse[1, 1] * dy
        unit_radius = np.maximum(np.hypot(ux, uy), 1e-9)
        edge_distance = np.hypot(dx, dy) / unit_radius  # centre to the outer edge in this point's direction
        depth = (1.0 - unit_radius) * edge_distance / self.radius
        return np.degrees(np.arctan2(ux, -uy)) % FULL_TURN_DEG, depth


@dataclass(frozen=True)
class _Legend:
    """Where the legend is: its arc (degrees clockwise from the top, ``start < end``), the band of depths it is
    unwrapped from, the depth its glyphs reach and the depth of the ring's inner edge."""

    start: float
    end: float
    top: float
    bottom: float
    ring: float
    glyphs: float

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


@dataclass(frozen=True)
class _Reading:
    text: str
    score: float


# ==========================================================================================================
# entry points
# ==========================================================================================================


def read_legend(
    page: np.ndarray, seal: DetectedSeal, engine: OcrEngine, options: LegendOptions | None = None
) -> str | None:
    """The seal's text: the arc legend followed by the centre line, e.g. ``泸州北方化学工业有限公司人事专用章``.

    Args:
        page: The RGB ``uint8`` page at 200 DPI that the seal was found on.
        seal: The detected seal; its centre and axes are estimates and are re-fitted from the ink.
        engine: The OCR engine (faster when it is also a :class:`LineRecogniser`).
        options: Geometry and thresholds; defaults when None.

    Returns:
        The text, or None when nothing readable was found.
    """
    return read_seal_text(page, seal, engine, options).text


def read_seal_text(
    page: np.ndarray, seal: DetectedSeal, engine: OcrEngine, options: LegendOptions | None = None
) -> SealText:
    """The seal's text by part: the arc legend (or a square seal's grid) and the centre line.

    Args:
        page: The RGB ``uint8`` page at 200 DPI that the seal was found on.
        seal: The detected seal; its centre and axes are estimates and are re-fitted from the ink.
        engine: The OCR engine (faster when it is also a :class:`LineRecogniser`).
        options: Geometry and thresholds; defaults when None.

    Returns:
        The parts read; unread parts are None.
    """
    options = options or LegendOptions()
    if page.ndim != 3 or page.shape[2] < 3:
        return SealText()
    origin, ink = _seal_ink(page, seal, options)
    if not ink.any():
        return SealText()
    if seal.shape == "square":
        return _read_square(ink, engine, options)
    centre = (seal.centre[0] - origin[0], seal.centre[1] - origin[1])
    ring = _fit_ring(ink, centre, max(seal.axes), options) or _ring(centre, seal.axes, seal.angle)
    return _read_ring_seal(ink, ring, engine, options)


def red_ink(rgb: np.ndarray, options: LegendOptions | None = None) -> FloatImage:
    """How much red seal ink covers each pixel, 0..1: where it is red, how much green and blue it takes from paper.

    Redness ``R - max(G, B)`` tells seal ink from paper (whatever its tint) and black or blue print. It does not
    measure how much ink, as it flattens where ink is thick (R falls too) and would fill in the narrow paper between
    a dense glyph's strokes (重, 聊, 章). The scale is set by the image's own strongest ink, so a pale impression
    still reads as ink.

    Args:
        rgb: An RGB ``uint8`` image.
        options: Thresholds; defaults when None.

    Returns:
        ``float32`` coverage of the image's height and width.
    """
    options = options or LegendOptions()
    if rgb.size == 0:
        return np.zeros(rgb.shape[:2], dtype=np.float32)
    channels = rgb.astype(np.float32)
    green_blue = np.maximum(channels[..., 1], channels[..., 2])
    redness = channels[..., 0] - green_blue
    low = float(np.percentile(redness, options.paper_percentile)) + options.paper_redness_margin
    red = redness > low
    paper = ~red & (channels[..., 0] >= options.print_red_level)  # neither seal ink nor other print
    darkness = (float(np.median(green_blue[paper])) if paper.any() else CHANNEL_MAX) - green_blue
    high = float(np.percentile(darkness[red], options.full_ink_percentile)) if red.any() else 0.0
    redness_share = np.clip((redness - low) / options.paper_redness_margin, 0.0, 1.0)
    ink = np.clip(darkness / max(high, options.min_ink_span), 0.0, 1.0) * redness_share
    return np.asarray(ink, dtype=np.float32)


def _seal_ink(page: np.ndarray, seal: DetectedSeal, options: LegendOptions) -> tuple[tuple[int, int], FloatImage]:
    """The page around the seal's bbox as red-ink coverage, and the crop's top-left page pixel."""
    x0, y0, x1, y1 = seal.bbox
    margin_x, margin_y = round((x1 - x0) * options.crop_margin), round((y1 - y0) * options.crop_margin)
    height, width = page.shape[:2]
    cx0, cy0 = max(0, x0 - margin_x), max(0, y0 - margin_y)
    cx1, cy1 = min(width, x1 + margin_x), min(height, y1 + margin_y)
    rgb = page[cy0:cy1, cx0:cx1, :3]
    return (cx0, cy0), _fill_under_print(red_ink(rgb, options), rgb, options)


def _fill_under_print(ink: FloatImage, rgb: np.ndarray, options: LegendOptions) -> FloatImage:
    """Ink with the pixels that other print covers (a table rule, ``（盖章）``) filled in from their neighbours.

    Ink is printed multiplicatively, so where a seal stroke crosses black print the pixel is black, not red, and
    the stroke would break there.
    """
    print_pixels = (rgb[..., 0] < options.print_red_level).astype(np.uint8)
    if not print_pixels.any():
        return ink
    covered = cv2.dilate(print_pixels, np.ones((3, 3), np.uint8))  # the print's anti-aliased rim is not red either
    levels = np.clip(np.rint(ink * CHANNEL_MAX), 0, CHANNEL_MAX).astype(np.uint8)
    filled = cv2.inpaint(levels, covered, options.print_fill_radius_px, cv2.INPAINT_TELEA)
    return np.asarray(filled, dtype=np.float32) / np.float32(CHANNEL_MAX)


# ==========================================================================================================
# fitting the ring
# ==========================================================================================================


def _ring(centre: tuple[float, float], axes: tuple[float, float], angle_deg: float) -> _Ring:
    """A ring from its centre, semi-axes and the rotation of the first axis (degrees clockwise on the page)."""
    rad = math.radians(angle_deg)
    rotation = np.array([[math.cos(rad), -math.sin(rad)], [math.sin(rad), math.cos(rad)]])
    matrix = rotation @ np.diag([axes[0], axes[1]]) @ rotation.T
    return _Ring(centre=centre, axes=axes, matrix=matrix)


def _fit_ring(ink: FloatImage, centre: tuple[float, float], radius: float, options: LegendOptions) -> _Ring | None:
    """Re-fit the ring's outer edge as an ellipse, starting from the estimated centre and radius.

    Each round finds, along rays from the current centre, the outer edge of strong ink within the search radii
    (the outermost at first, then the one nearest the previous fit) and fits an ellipse to those points, robust
    to outliers (a neighbouring seal's ink, a gap in the ring). None when the ink gives no plausible ring.
    """
    if radius <= 0:
        return None
    ring: _Ring | None = None
    for _ in range(options.fit_rounds):
        points = _outer_edge_points(ink, centre, radius, ring, options)
        if len(points) < MIN_EDGE_POINTS:
            break
        fitted = _robust_ellipse(points, options)
        if fitted is None:
            break
        ring = fitted
        centre, radius = ring.centre, ring.radius
    return ring


def _outer_edge_points(
    ink: FloatImage, centre: tuple[float, float], radius: float, fitted: _Ring | None, options: LegendOptions
) -> NDArray[np.float32]:
    """Per angle from ``centre``, the outer edge of ring-strength ink between the search radii, in crop pixels.

    Without a fit yet, the outermost edge is taken; once there is one, the edge nearest to it, so that a
    neighbouring seal overlapping this one does not pull the ring outward.
    """
    low, high = options.ring_search
    steps = max(2, math.ceil(high * radius))
    angles = np.arange(options.polar_steps) * (2 * math.pi / options.polar_steps)
    radii = (np.arange(steps) + 0.5) * (high * radius / steps)
    xs = (centre[0] + np.cos(angles)[:, None] * radii[None, :]).astype(np.float32)
    ys = (centre[1] + np.sin(angles)[:, None] * radii[None, :]).astype(np.float32)
    strong = _remap(ink, xs, ys) > options.edge_ink
    strong[:, : int(low * steps)] = False
    edges = strong & ~np.concatenate([strong[:, 1:], np.zeros((len(angles), 1), dtype=bool)], axis=1)
    if fitted is None:
        cost = np.where(edges, -radii[None, :], np.inf)
    else:
        inverse = np.linalg.inv(fitted.matrix)
        directions = np.stack([np.cos(angles), np.sin(angles)])
        expected = 1.0 / np.hypot(*(inverse @ directions))  # the fitted ellipse's radius along each ray
        cost = np.where(edges, np.abs(radii[None, :] - expected[:, None]), np.inf)
    rows = np.flatnonzero(edges.any(axis=1))
    chosen = np.argmin(cost[rows], axis=1)
    return np.stack([xs[rows, chosen], ys[rows, chosen]], axis=1)


def _robust_ellipse(points: NDArray[np.float32], options: LegendOptions) -> _Ring | None:
    """An ellipse through the points most of them agree on, refitted without those far from it.

    A consensus search first (ellipses through five points spread round the ring, the one with most points near
    it wins), because a neighbouring seal overlapping this one puts a whole arc of edge points on its own ring,
    which a plain fit would split the difference with.
    """
    kept = _consensus(points, options)
    ring: _Ring | None = None
    for _ in range(options.fit_rounds):
        if len(kept) < MIN_EDGE_POINTS:
            break
        ring = _ellipse_through(kept, options) or ring
        if ring is None:
            break
        depth = _edge_depth(ring, points)
        spread = MAD_TO_SIGMA * float(np.median(np.abs(depth - np.median(depth))))
        kept = points[np.abs(depth) <= max(options.fit_outlier_sigmas * spread, options.fit_tolerance)]
    return ring


def _consensus(points: NDArray[np.float32], options: LegendOptions) -> NDArray[np.float32]:
    """The points near the ellipse that the most points lie near, among ellipses through spread-out samples."""
    rng = np.random.default_rng(0)  # fixed: the same page always gives the same reading
    n = len(points)
    sectors = (np.arange(5) * n) // 5
    best = points
    best_count = 0
    for _ in range(options.consensus_trials):
        picks = (rng.integers(n) + sectors + rng.integers(max(1, n // 5), size=5)) % n
        ring = _ellipse_through(points[picks], options)
        if ring is None:
            continue
        near = np.abs(_edge_depth(ring, points)) <= options.fit_tolerance
        if int(near.sum()) > best_count:
            best, best_count = points[near], int(near.sum())
    return best


def _ellipse_through(points: NDArray[np.float32], options: LegendOptions) -> _Ring | None:
    """The least-squares ellipse through the points, or None when it is degenerate or too elongated."""
    (cx, cy), (width, height), angle = cv2.fitEllipse(points)
    valid = np.isfinite([cx, cy, width, height, angle]).all() and min(width, height) > 0
    if not valid or max(width, height) > options.max_aspect * min(width, height):
        return None
    return _ring((float(cx), float(cy)), (width / 2, height / 2), float(angle))


def _edge_depth(ring: _Ring, points: NDArray[np.float32]) -> NDArray[np.float64]:
    """How far inside the ring's outer edge each point lies (negative: outside), as a share of the radius."""
    return ring.locate(points[:, 0].astype(np.float64), points[:, 1].astype(np.float64))[1]


def _remap(ink: FloatImage, xs: FloatImage, ys: FloatImage) -> FloatImage:
    """Ink sampled at page points (off the crop is no ink)."""
    return np.asarray(cv2.remap(ink, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0))


# ==========================================================================================================
# round and oval seals
# ==========================================================================================================


def _read_ring_seal(ink: FloatImage, ring: _Ring, engine: OcrEngine, options: LegendOptions) -> SealText:
    """The arc legend, unwrapped in each direction, and the centre line candidates, read together."""
    legend = _locate_legend(ink, ring, options)
    if legend is None:
        return SealText()
    clockwise = _unwrap(ink, ring, legend, "clockwise", options)
    legend = replace(legend, glyphs=_glyph_depth(clockwise, legend, options))
    strips = [
        clockwise if direction == "clockwise" else _unwrap(ink, ring, legend, direction, options)
        for direction in options.directions
    ]
    candidates = _centre_candidates(ink, ring, legend, options)
    readings = _read_lines(engine, [*strips, *candidates], options)
    arcs = [r for r in readings[: len(strips)] if r is not None]
    # the summed confidence: a reading upside down may be one confident character, the legend is many
    arc = max(arcs, key=lambda r: r.score * len(r.text), default=None)
    lines = [r for r in readings[len(strips) :] if r is not None and len(r.text) >= options.min_centre_chars]
    centre = next((r for r in lines if r.score >= options.min_centre_score), None)
    return _seal_text(arc, centre)


def _glyph_depth(strip: FloatImage, legend: _Legend, options: LegendOptions) -> float:
    """How deep the legend's glyphs reach: going down the clockwise strip from its most inked row, the first row
    with much less ink (stray ink lower down, such as a wide centre line's corners, does not count)."""
    # smoothed over a few rows, so that a thin sliver of ring along the strip's top edge is no peak
    profile = np.convolve(strip.mean(axis=1), np.full(5, 0.2), mode="same")
    row = int(np.argmax(profile))
    while row + 1 < len(profile) and profile[row + 1] >= options.glyph_row_level * profile.max():
        row += 1
    depth = legend.top + (legend.bottom - legend.top) * (row + 1) / len(profile) + options.glyph_depth_margin
    return min(depth, legend.bottom)


def _seal_text(arc: _Reading | None, centre: _Reading | None) -> SealText:
    parts = [r for r in (arc, centre) if r is not None]
    chars = sum(len(r.text) for r in parts)
    score = sum(r.score * len(r.text) for r in parts) / chars if chars else 0.0
    return SealText(arc=arc.text if arc else None, centre=centre.text if centre else None, score=score)


def _locate_legend(ink: FloatImage, ring: _Ring, options: LegendOptions) -> _Legend | None:
    """The ring's inner edge, the band the legend runs in below it, and the arc the legend covers.

    The ring is sampled at angles evenly spaced by arc length along the legend's band, so that the spaces
    between glyphs measure the same all round an oval as they do on a round seal.
    """
    depths = np.arange(0.0, options.analysis_depth, 1.0 / options.reference_radius_px)
    even = _even_angles(ring, options.band_gap + options.profile_depth, options.polar_steps)
    polar = _remap(ink, *ring.at(np.radians(even)[:, None], depths[None, :]))
    ring_edge = _ring_inner_edge(polar, depths, options)
    top = ring_edge + options.band_gap
    in_profile = (depths >= top) & (depths <= top + options.profile_depth)
    arc = _legend_arc(polar[:, in_profile].mean(axis=1), options)
    if arc is None:
        return None
    start, end = (_true_angle(even, value) for value in arc)
    bottom = top + options.band_height
    return _Legend(start=start, end=end, top=top, bottom=bottom, ring=ring_edge, glyphs=bottom)


def _even_angles(ring: _Ring, depth: float, count: int) -> NDArray[np.float64]:
    """``count`` angles (degrees, from 0 at the top) evenly spaced by arc length at ``depth`` inside the ring."""
    dense = np.radians(np.linspace(0.0, FULL_TURN_DEG, 8 * count + 1))
    xs, ys = ring.at(dense, np.array(depth))
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    targets = np.arange(count) * (float(arc[-1]) / count)
    return np.asarray(np.degrees(np.interp(targets, arc, dense)))


def _true_angle(even: NDArray[np.float64], position: float) -> float:
    """The angle at ``position``, given in degrees of arc length along the evenly spaced ``even`` angles."""
    turns, within = divmod(position, FULL_TURN_DEG)
    steps = np.arange(len(even) + 1) * (FULL_TURN_DEG / len(even))
    return turns * FULL_TURN_DEG + float(np.interp(within, steps, np.append(even, FULL_TURN_DEG)))


def _ring_inner_edge(polar: FloatImage, depths: NDArray[np.float64], options: LegendOptions) -> float:
    """Depth where the ring's ink gives way, going in from its peak (the median over all angles)."""
    median = np.median(polar, axis=0)
    search = int(np.searchsorted(depths, options.ring_peak_depth))
    peak = int(np.argmax(median[: max(search, 1)]))
    level = options.ring_edge_level * float(median[peak])
    index = peak
    while index + 1 < search and median[index] > level:
        index += 1
    return float(depths[index])


def _legend_arc(profile: FloatImage, options: LegendOptions) -> tuple[float, float] | None:
    """The legend's arc ``(start, end)`` in degrees clockwise from the top, from the band's ink per angle.

    The legend is centred at the top. Starting from the inked run nearest the top, the arc grows run by run in
    both directions across the spaces between glyphs and stops at a space much wider than those in the upper
    half (the gap at the bottom, a second text along the bottom as on invoice seals). Ink that still makes the
    arc lopsided, more than a hand turns a seal, is not the legend's (a neighbouring seal, a large centre line
    reaching the band) and is dropped from the longer end. Ink all round is cut at its faintest point below.
    """
    n = len(profile)
    deg = FULL_TURN_DEG / n
    smooth = _circular_mean(profile, max(1, round(2.0 / deg)))
    level = options.profile_level * float(np.percentile(smooth, 95))
    runs = sorted(_circular_runs(smooth > level)) if level > 0 else []
    if not runs:
        return None
    if len(runs) == 1 and runs[0][1] == n:
        return _faintest_cut(profile, options)
    starts = np.array([first for first, _ in runs], dtype=np.float64) * deg
    lengths = np.array([length for _, length in runs], dtype=np.float64) * deg
    spaces = (np.roll(starts, -1) - starts - lengths) % FULL_TURN_DEG  # after run i, before run i + 1
    seed = int(np.argmin([_arc_distance(0.0, a, a + b) for a, b in zip(starts, lengths, strict=True)]))
    if _arc_distance(0.0, starts[seed], starts[seed] + lengths[seed]) > options.legend_top_window_deg:
        return None
    upper = [gap for gap, a in zip(spaces, starts + lengths, strict=True) if _arc_distance(0.0, a, a + gap) < 90.0]
    split = max(options.gap_close_deg, options.gap_split_factor * float(np.median(upper)) if upper else 0.0)
    logger.debug("legend runs %s spaces %s split %.1f", list(zip(starts, lengths, strict=True)), spaces, split)
    begin = float(starts[seed]) - (FULL_TURN_DEG if starts[seed] > FULL_TURN_DEG / 2 else 0.0)
    arcs = [(begin, begin + float(lengths[seed]))]  # the legend's runs, unwrapped, in order
    last, first = seed, seed
    while spaces[last] <= split and len(arcs) < len(runs):
        last = (last + 1) % len(runs)
        start = arcs[-1][1] + float(spaces[(last - 1) % len(runs)])
        arcs.append((start, start + float(lengths[last])))
    while spaces[(first - 1) % len(runs)] <= split and len(arcs) < len(runs):
        first = (first - 1) % len(runs)
        end = arcs[0][0] - float(spaces[first])
        arcs.insert(0, (end - float(lengths[first]), end))
    if arcs[-1][1] - arcs[0][0] >= FULL_TURN_DEG - options.gap_close_deg:
        return _faintest_cut(profile, options)
    while len(arcs) > 1 and abs(arcs[0][0] + arcs[-1][1]) / 2 > options.max_rotation_deg:
        arcs.pop(-1 if arcs[0][0] + arcs[-1][1] > 0 else 0)
    if arcs[-1][1] - arcs[0][0] < options.min_legend_deg:
        return None
    return arcs[0][0] - options.run_margin_deg, arcs[-1][1] + options.run_margin_deg


def _arc_distance(angle: float, start: float, end: float) -> float:
    """Degrees from ``angle`` to the arc from ``start`` clockwise to ``end`` (0 inside it)."""
    offset = (angle - start) % FULL_TURN_DEG
    if offset <= (end - start) % FULL_TURN_DEG or end - start >= FULL_TURN_DEG:
        return 0.0
    return min(offset - (end - start) % FULL_TURN_DEG, FULL_TURN_DEG - offset)


def _faintest_cut(profile: FloatImage, options: LegendOptions) -> tuple[float, float]:
    """A full turn starting at the faintest point of the lower half: a legend whose ends nearly touch."""
    n = len(profile)
    deg = FULL_TURN_DEG / n
    coarse = _circular_mean(profile, max(1, round(options.cut_smoothing_deg / deg)))
    lower = np.arange(n // 4, 3 * n // 4)
    cut = float(lower[np.argmin(coarse[lower])]) * deg
    return cut - FULL_TURN_DEG, cut


def _circular_mean(values: FloatImage, width: int) -> FloatImage:
    """Moving average over ``width`` samples of a circular sequence."""
    padded = np.concatenate([values[-width:], values, values[:width]])
    smooth = np.convolve(padded, np.full(width, 1.0 / width), mode="same")[width:-width]
    return np.asarray(smooth, dtype=np.float32)


def _circular_runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(first index, length)`` of each True run of a circular mask; a run may wrap past the end."""
    n = len(mask)
    if mask.all():
        return [(0, n)]
    if not mask.any():
        return []
    shift = int(np.argmin(mask))  # start on a False sample so no run is split by the wrap
    return [((first + shift) % n, length) for first, length in _runs(np.roll(mask, -shift))]


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``(first index, length)`` of each True run of a mask."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(s), int(e - s)) for s, e in zip(starts, ends, strict=True)]


def _unwrap(ink: FloatImage, ring: _Ring, legend: _Legend, direction: Direction, options: LegendOptions) -> FloatImage:
    """The legend's band as a straight strip, sampled evenly by arc length (an oval's ends are not stretched).

    Clockwise puts the outer edge on top, so a top legend's glyphs stand upright; counterclockwise puts the inner
    edge on top, so a legend along the bottom, read left to right, does.
    """
    scale = options.reference_radius_px / ring.radius
    middle = np.array((legend.top + legend.bottom) / 2)
    samples = max(16, math.ceil(4 * (legend.end - legend.start)))
    dense = np.radians(np.linspace(legend.start, legend.end, samples))
    xs, ys = ring.at(dense, middle)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    width = max(1, round(float(arc[-1]) * scale))
    height = max(1, round((legend.bottom - legend.top) * options.reference_radius_px))
    angles = np.interp(np.linspace(0.0, float(arc[-1]), width), arc, dense)
    depths = np.linspace(legend.top, legend.bottom, height)
    if direction == "counterclockwise":
        angles, depths = angles[::-1], depths[::-1]
    return _remap(ink, *ring.at(angles[None, :], depths[:, None]))


def _centre_candidates(ink: FloatImage, ring: _Ring, legend: _Legend, options: LegendOptions) -> list[FloatImage]:
    """Wide rows of ink in the seal turned upright (the legend's middle at the top), top first: the centre line
    is the first of them that reads as text.

    The ring and the legend's own arc are cleared first, so only what lies inside remains; the star and an
    emblem are dropped as not wide enough for a line.
    """
    turn = math.radians(legend.middle)
    top, bottom = options.centre_band
    half = options.centre_half_width
    u = np.linspace(-half, half, max(1, round(2 * half * options.reference_radius_px)))[None, :] * ring.radius
    v = np.linspace(top, bottom, max(1, round((bottom - top) * options.reference_radius_px)))[:, None] * ring.radius
    xs = ring.centre[0] + u * math.cos(turn) - v * math.sin(turn)
    ys = ring.centre[1] + u * math.sin(turn) + v * math.cos(turn)
    band = _remap(ink, xs.astype(np.float32), ys.astype(np.float32))
    angle, depth = ring.locate(xs, ys)
    on_arc = (angle - legend.start) % FULL_TURN_DEG <= legend.end - legend.start
    band[(depth <= legend.ring + options.band_gap) | ((depth <= legend.glyphs) & on_arc)] = 0.0
    _clear_tall_shapes(band, options.max_glyph_height * options.reference_radius_px, options)
    lines: list[FloatImage] = []
    for y0, y1 in _text_rows(band, options.row_gap * options.reference_radius_px, options):
        x0, x1 = _ink_span(band[y0:y1].max(axis=0), options)
        if x1 - x0 >= options.min_line_aspect * (y1 - y0):
            lines.append(_pad(band[y0:y1, x0:x1], options))
    return lines[: options.max_centre_candidates]


def _clear_tall_shapes(band: FloatImage, height: float, options: LegendOptions) -> None:
    """Blank connected shapes taller than a glyph (the star, an emblem), so they merge with no line of text."""
    mask = (band > options.text_ink).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    tall = np.flatnonzero(stats[:, cv2.CC_STAT_HEIGHT] > height)
    tall = tall[tall > 0]  # label 0 is the background
    if tall.size:
        band[np.isin(labels, tall)] = 0.0


def _text_rows(image: FloatImage, gap: float, options: LegendOptions) -> list[tuple[int, int]]:
    """``(y0, y1)`` of the bands of inked rows, blank stretches up to ``gap`` rows bridged."""
    profile = image.sum(axis=1)
    if not profile.any():
        return []
    inked = profile > options.row_ink * float(profile.max())
    spans = _runs(inked)
    merged: list[tuple[int, int]] = []
    for first, length in spans:
        if merged and first - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], first + length)
        else:
            merged.append((first, first + length))
    return merged


def _ink_span(profile: FloatImage, options: LegendOptions) -> tuple[int, int]:
    """First and past-last index where a projection carries ink."""
    inked = np.flatnonzero(profile > options.text_ink)
    if not inked.size:
        return 0, 0
    return int(inked[0]), int(inked[-1]) + 1


def _pad(image: FloatImage, options: LegendOptions) -> FloatImage:
    pad = options.line_padding_px
    return np.pad(image, pad).astype(np.float32)


# ==========================================================================================================
# square seals
# ==========================================================================================================


def _read_square(ink: FloatImage, engine: OcrEngine, options: LegendOptions) -> SealText:
    """A square seal: turned upright, frame cleared, its grid lined up in reading order and read as one line."""
    upright = _upright_square(ink, options)
    if upright is None:
        return SealText()
    _clear_frame(upright, options)
    cells = _grid_cells(upright, options)
    if not cells:
        return SealText()
    (reading,) = _read_lines(engine, [_line_up(upright, [box for _, box in cells], options)], options)
    if reading is None:
        return SealText()
    text = _reading_order(reading.text, [key for key, _ in cells], options)
    return SealText(arc=text, centre=None, score=reading.score)


def _upright_square(ink: FloatImage, options: LegendOptions) -> FloatImage | None:
    """The square seal's ink resampled upright onto a ``square_side_px`` square (its rotation undone)."""
    ys, xs = np.nonzero(ink > options.text_ink)
    if len(xs) < MIN_EDGE_POINTS:
        return None
    (cx, cy), (width, height), angle = cv2.minAreaRect(np.stack([xs, ys], axis=1).astype(np.float32))
    while angle > 45.0:
        angle, width, height = angle - 90.0, height, width
    while angle <= -45.0:
        angle, width, height = angle + 90.0, height, width
    side = options.square_side_px
    rad = math.radians(angle)
    grid = (np.arange(side, dtype=np.float64) + 0.5) / side - 0.5
    u, v = grid[None, :] * width, grid[:, None] * height
    map_x = (cx + u * math.cos(rad) - v * math.sin(rad)).astype(np.float32)
    map_y = (cy + u * math.sin(rad) + v * math.cos(rad)).astype(np.float32)
    return _remap(ink, map_x, map_y)


def _clear_frame(square: FloatImage, options: LegendOptions) -> None:
    """Blank the frame, single or double, along each side: full rows from the edge, a short gap, full rows."""
    inked = square > options.text_ink
    depth = square.shape[0] // 3
    for profile, along_rows in ((inked.mean(axis=1), True), (inked.mean(axis=0), False)):
        for from_end in (False, True):
            edge = profile[::-1][:depth] if from_end else profile[:depth]
            last = _frame_extent(edge > options.frame_fill, options)
            if last == 0:
                continue
            span = slice(len(profile) - last, None) if from_end else slice(0, last)
            if along_rows:
                square[span, :] = 0.0
            else:
                square[:, span] = 0.0


def _frame_extent(full: NDArray[np.bool_], options: LegendOptions) -> int:
    """How many rows from the side the frame takes: an outer frame, then at most one inner after a short gap."""
    runs = _runs(full)
    if not runs or runs[0][0] > options.frame_lead_px:
        return 0
    end = runs[0][0] + runs[0][1]
    if len(runs) > 1 and runs[1][0] - end <= options.frame_gap_px:
        end = runs[1][0] + runs[1][1]
    return end + options.frame_clearance_px


def _grid_cells(square: FloatImage, options: LegendOptions) -> list[tuple[tuple[int, int], Box]]:
    """The non-empty cells in traditional reading order (columns from the right, each top to bottom).

    The grid spans the remaining ink's box; of the allowed grid sizes, the one whose dividing lines cross the
    least ink wins. Each cell is ``((column, row), (x0, y0, x1, y1))``.
    """
    ys, xs = np.nonzero(square > options.text_ink)
    if not len(xs):
        return []
    x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    size = min(options.grid_sizes, key=lambda k: _divider_ink(square[y0:y1, x0:x1], k))
    cells = []
    for column in reversed(range(size)):
        for row in range(size):
            box = (
                x0 + (x1 - x0) * column // size,
                y0 + (y1 - y0) * row // size,
                x0 + (x1 - x0) * (column + 1) // size,
                y0 + (y1 - y0) * (row + 1) // size,
            )
            if float(square[box[1] : box[3], box[0] : box[2]].mean()) >= options.empty_cell_ink:
                cells.append(((column, row), box))
    return cells


def _divider_ink(area: FloatImage, size: int) -> float:
    """Mean ink on the lines dividing ``area`` into a ``size`` x ``size`` grid (lower: a likelier grid)."""
    if size <= 1:
        return float(area.mean())
    height, width = area.shape
    xs = [width * i // size for i in range(1, size)]
    ys = [height * i // size for i in range(1, size)]
    return float(np.mean([area[:, x].mean() for x in xs] + [area[y, :].mean() for y in ys]))


def _line_up(square: FloatImage, boxes: Sequence[Box], options: LegendOptions) -> FloatImage:
    """The cells side by side, in the order given, with white space between them."""
    height = max(y1 - y0 for _, y0, _, y1 in boxes)
    gap = np.zeros((height, round(options.grid_gap * height)), dtype=np.float32)
    parts: list[FloatImage] = []
    for x0, y0, x1, y1 in boxes:
        cell = np.zeros((height, x1 - x0), dtype=np.float32)
        cell[: y1 - y0] = square[y0:y1, x0:x1]
        parts += [gap, cell]
    return _pad(np.concatenate([*parts, gap], axis=1), options)


def _reading_order(text: str, cells: Sequence[tuple[int, int]], options: LegendOptions) -> str:
    """The text in traditional order, or row by row when only that order ends as a seal does (``…印``).

    With one character per cell each character is known by its cell, so the other order needs no new reading.
    """
    if len(text) != len(cells) or text.endswith(options.square_suffixes):
        return text
    by_rows = sorted(range(len(cells)), key=lambda i: (cells[i][1], cells[i][0]))
    rows_text = "".join(text[i] for i in by_rows)
    return rows_text if rows_text.endswith(options.square_suffixes) else text


# ==========================================================================================================
# reading
# ==========================================================================================================


def _read_lines(engine: OcrEngine, crops: Sequence[FloatImage], options: LegendOptions) -> list[_Reading | None]:
    """Each crop (ink of one line of text) read: alone by a :class:`LineRecogniser`, else all stacked at once."""
    if isinstance(engine, LineRecogniser):
        return [_recognise(engine, crop, options) for crop in crops]
    return _read_stacked(engine, crops, options)


def _recognise(engine: LineRecogniser, crop: FloatImage, options: LegendOptions) -> _Reading | None:
    rows = _text_rows(crop, options.row_gap * options.reference_radius_px, options)
    if not rows:
        return None
    y0, y1 = max(rows, key=lambda span: float(crop[span[0] : span[1]].sum()))
    pad = options.line_padding_px
    tight = crop[max(0, y0 - pad) : y1 + pad]
    line = engine.read_line(_as_text_image(tight, options))
    if line is None or not line.text.strip():
        return None
    return _Reading(text=line.text.replace(" ", ""), score=line.score)


def _read_stacked(engine: OcrEngine, crops: Sequence[FloatImage], options: LegendOptions) -> list[_Reading | None]:
    """One engine call for all crops: stacked with white between them, each line given to the crop it lies in."""
    if not crops:
        return []
    gap = options.stack_gap_px
    width = max(crop.shape[1] for crop in crops)
    height = sum(crop.shape[0] + gap for crop in crops)
    # The detector scales an image's short side up to a fixed size, so a long strip costs more than a square
    # holding it: blank rows below the crops make the image no wider than it is tall.
    canvas = np.zeros((max(height, width), width), dtype=np.float32)
    tops = []
    y = 0
    for crop in crops:
        canvas[y : y + crop.shape[0], : crop.shape[1]] = crop
        tops.append(y)
        y += crop.shape[0] + gap
    found: list[list[TextLine]] = [[] for _ in crops]
    for line in engine.read(_as_text_image(canvas, options)):
        middle = (line.bbox[1] + line.bbox[3]) / 2
        slot = int(np.searchsorted(tops, middle, side="right")) - 1
        if 0 <= slot < len(crops) and middle < tops[slot] + crops[slot].shape[0] + gap / 2:
            found[slot].append(line)
    return [_joined(lines) for lines in found]


def _joined(lines: Sequence[TextLine]) -> _Reading | None:
    """Lines of one crop as one reading, left to right, scored by their characters' mean confidence."""
    ordered = sorted(lines, key=lambda line: line.bbox[0])
    text = "".join(line.text.replace(" ", "") for line in ordered)
    if not text:
        return None
    score = sum(line.score * len(line.text) for line in ordered) / sum(len(line.text) for line in ordered)
    return _Reading(text=text, score=score)


def _as_text_image(ink: FloatImage, options: LegendOptions) -> NDArray[np.uint8]:
    """Ink as black print on white, RGB, the way the OCR engine reads documents."""
    darkness = np.power(np.clip(ink, 0.0, 1.0), options.text_gamma)
    gray = np.clip(np.rint(CHANNEL_MAX * (1.0 - darkness)), 0, CHANNEL_MAX).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(gray[..., None], 3, axis=2))
