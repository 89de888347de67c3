"""Render official seals (公章) and stamp them onto rendered form pages.

The sample-packet generator stamps these onto RGB ``uint8`` pages at 200 DPI. A seal is
drawn once as a clean vector-like layout (ring or frame, legend along the arc, star,
centre line), rotated as a hand never stamps square to the page, and then given the
look of a real impression: uneven pressure, paper grain, a few gaps and soft edges.
Two stampings of the same seal therefore never match pixel for pixel, while the same
random state always gives the same array, so generated packets are reproducible.

The ink is kept apart from its colour (:class:`SealImage`) so the generator can paste
the very same ink twice (a pasted, forged seal) or split it over the right edges of
several pages (a cross-page seal, 骑缝章).
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import pymupdf
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

FloatImage = NDArray[np.float32]
Point = tuple[float, float]

SealShape = Literal["round", "oval", "square"]
PageEdge = Literal["left", "right", "top", "bottom"]

# --- scale ---------------------------------------------------------------------------------------------------
MM_PER_INCH = 25.4
DEFAULT_DPI = 200
SUPERSAMPLE = 2  # the layout is drawn at twice the resolution, then area-averaged: smooth strokes
CANVAS_MARGIN_MM = 1.5  # room around the rotated seal for the blur and the crop

# --- glyphs --------------------------------------------------------------------------------------------------
FONT_NAME = "china-s"  # PyMuPDF built-in CJK font (Droid Sans Fallback), the one the forms use
REFERENCE_GLYPH = "国"  # a full, boxy glyph: its ink box centres every glyph of its font size
GLYPH_TILE_EMS = 2  # tile side, in ems, that a glyph is drawn into before it is warped into place
GLYPH_STROKE_PER_EM = 0.025  # legends are cut bolder than the text face; the small centre line is not (事 clogs)

# --- round and oval seals (fractions of the ring's inner semi-axes unless named otherwise) ------------------
RING_WIDTH_MM = (1.0, 1.3)
LEGEND_GAP_MM = 0.7  # between the ring and the tops of the legend glyphs
LEGEND_HEIGHT_FRAC: dict[SealShape, float] = {"round": 0.27, "oval": 0.33}
LEGEND_SPAN_DEG = (220.0, 250.0)  # arc, centred at the top, from the first glyph's edge to the last's
LEGEND_MAX_DEG_PER_GLYPH = 32.0  # a short legend keeps its glyphs together instead of spreading them
LEGEND_MAX_ASPECT = 0.8  # width / height: seal legends are set in tall, narrow characters
LEGEND_MIN_ASPECT = 0.6  # a long legend is set smaller rather than squeezed narrower than this
LEGEND_FILL = 0.88  # share of each glyph's arc slot that the glyph takes
ARC_SAMPLES = 2048
STAR_RADIUS_FRAC = 0.36
STAR_INNER_RATIO = 0.382  # inner / outer radius of a regular five-pointed star
STAR_POINTS = 5
CENTRE_TEXT_HEIGHT_FRAC: dict[SealShape, float] = {"round": 0.23, "oval": 0.26}
CENTRE_TEXT_Y_FRAC = 0.56  # below the centre: under the star, above the legend's two ends
CENTRE_TEXT_NO_STAR_Y_FRAC = 0.0  # no star: the line sits in the middle
CENTRE_TEXT_WIDTH_FRAC = 0.72  # share of the inner chord at its height that the line may take
CENTRE_TEXT_ASPECT = 0.85
OVAL_STAR_SCALE = 0.7  # an oval leaves less room between the legend and the centre line

# --- square seals (fractions of the side) -------------------------------------------------------------------
FRAME_WIDTH_MM = (0.8, 1.1)
INNER_FRAME_WIDTH_MM = 0.35
INNER_FRAME_GAP_MM = 0.6
DOUBLE_FRAME_CHANCE = 0.4
GRID_PADDING_MM = 0.6
GRID_GLYPH_FILL = 0.94

# --- placement ------------------------------------------------------------------------------------------------
ROTATION_DEG: dict[SealShape, float] = {"round": 25.0, "oval": 25.0, "square": 8.0}

# --- impression ---------------------------------------------------------------------------------------------
INK_COLOR_RANGE = ((200, 226), (20, 46), (30, 56))  # (low, high) per RGB channel, high exclusive
PRESSURE_RANGE = (0.55, 1.0)
PRESSURE_GRID = 5  # coarse cells of the low-frequency pressure field across the seal
PRESSURE_FIELD_WEIGHT = (0.4, 0.8)  # the rest of the pressure comes from one side being fainter
PRESSURE_GAMMA = 0.6  # < 1: most of the seal is well inked, the faint part is a minority
SATURATION = (0.86, 0.97)  # the darkest coverage ink ever reaches on paper
GRAIN_SIGMA_PX = 0.8
GRAIN_THRESHOLD = 1.25  # in standard deviations of the grain field: above it the paper fibre took no ink
GRAIN_SOFTNESS = 0.6
GRAIN_DEPTH = 0.85
GAP_COUNT = (3, 9)
GAP_RADIUS_MM = (0.15, 0.5)
GAP_BLUR_SIGMA_PX = 1.0
EDGE_BLUR_SIGMA_PX = 0.6
CROP_THRESHOLD = 0.01

# --- stamping -----------------------------------------------------------------------------------------------
VISIBLE_INK = 0.2  # coverage above which ink counts for a bbox or for being cut by the page edge
CHANNEL_MAX = 255.0
EPSILON = 1e-6  # guards divisions by a spread that can be zero


@dataclass(frozen=True)
class SealSpec:
    """What is engraved on a seal.

    Attributes:
        shape: ``round`` (unit seals), ``oval`` (department or finance seals) or ``square`` (personal
            name seals, small unit seals).
        legend: for round and oval seals the unit name set along the upper arc; for square seals
            the full text laid out in a grid (e.g. ``王建国印``).
        centre_text: the straight bottom line of a round or oval seal (``人事专用章``), or None.
        star: whether a five-pointed star sits in the centre (round and oval only).
        size_mm: width and height in millimetres: round about (42, 42), oval (45, 30), square (20, 20).
    """

    shape: SealShape
    legend: str
    centre_text: str | None = None
    star: bool = True
    size_mm: tuple[float, float] = (42.0, 42.0)


@dataclass(frozen=True)
class SealImage:
    """One impression of a seal, apart from the page it lands on.

    Attributes:
        ink: H x W ``float32`` coverage in 0..1; the seal's centre is the array's centre.
        color: the RGB colour of the ink at full coverage.
    """

    ink: FloatImage
    color: tuple[int, int, int]


@dataclass(frozen=True)
class StampResult:
    """Where a stamping left ink on the page.

    Attributes:
        bbox: ``(x0, y0, x1, y1)`` page pixels (ends exclusive) tight around coverage above ``VISIBLE_INK``.
        partial: the page edge cut off some of the ink.
        edge: the page edge that cut it (the one cutting the most ink), or None.
    """

    bbox: tuple[int, int, int, int]
    partial: bool
    edge: PageEdge | None


@dataclass(frozen=True)
class _Glyph:
    """A character placed on the seal: centre, box size and clockwise rotation, in canvas pixels; weight."""

    char: str
    centre: Point
    size: Point
    angle_deg: float
    bold: bool = True


# ==========================================================================================================
# rendering
# ==========================================================================================================


def render_seal(spec: SealSpec, rng: np.random.Generator, dpi: int = DEFAULT_DPI) -> SealImage:
    """Render one impression of a seal.

    Args:
        spec: what is engraved.
        rng: the random state; it decides rotation, ink colour and the impression's flaws.
        dpi: resolution of the page the seal will be stamped on.

    Returns:
        The ink coverage (centred on the seal, cropped to the ink) and its colour.
    """
    px_per_mm = dpi / MM_PER_INCH
    layout = _draw_layout(spec, rng, px_per_mm * SUPERSAMPLE)
    rotated = _rotate(layout, rng.uniform(-1.0, 1.0) * ROTATION_DEG[spec.shape])
    small = cv2.resize(rotated, None, fx=1 / SUPERSAMPLE, fy=1 / SUPERSAMPLE, interpolation=cv2.INTER_AREA)
    ink = _impress(np.asarray(small, dtype=np.float32), rng, px_per_mm)
    return SealImage(ink=_crop_centred(ink), color=_ink_color(rng))


def _draw_layout(spec: SealSpec, rng: np.random.Generator, px_per_mm: float) -> FloatImage:
    """Draw the clean seal (coverage 0..1) on a square canvas big enough to rotate it in."""
    width, height = (mm * px_per_mm for mm in spec.size_mm)
    side = math.ceil(math.hypot(width, height) + 2 * CANVAS_MARGIN_MM * px_per_mm)
    canvas = np.zeros((side, side), dtype=np.uint8)
    centre = (side / 2, side / 2)
    if spec.shape == "square":
        glyphs = _draw_square(canvas, spec, rng, centre, px_per_mm)
    else:
        glyphs = _draw_ring_seal(canvas, spec, rng, centre, px_per_mm)
    coverage = canvas.astype(np.float32) / CHANNEL_MAX
    for glyph in glyphs:
        np.maximum(coverage, _warp_glyph(glyph, coverage.shape), out=coverage)
    return coverage


def _draw_ring_seal(
    canvas: NDArray[np.uint8], spec: SealSpec, rng: np.random.Generator, centre: Point, px_per_mm: float
) -> list[_Glyph]:
    """Draw the ring and the star of a round or oval seal; return its glyphs for placing."""
    ring = rng.uniform(*RING_WIDTH_MM) * px_per_mm
    outer = (spec.size_mm[0] / 2 * px_per_mm, spec.size_mm[1] / 2 * px_per_mm)
    mid = (outer[0] - ring / 2, outer[1] - ring / 2)
    _ellipse(canvas, centre, mid, thickness=ring)
    inner = (outer[0] - ring, outer[1] - ring)
    star_scale = 1.0 if spec.shape == "round" else OVAL_STAR_SCALE
    if spec.star:
        _fill_star(canvas, centre, STAR_RADIUS_FRAC * min(inner) * star_scale)
    legend_h = LEGEND_HEIGHT_FRAC[spec.shape] * min(inner)
    glyphs = _legend_glyphs(spec.legend, rng, centre, inner, (legend_h, LEGEND_GAP_MM * px_per_mm))
    if spec.centre_text:
        line_h = CENTRE_TEXT_HEIGHT_FRAC[spec.shape] * min(inner)
        glyphs += _centre_line_glyphs(spec.centre_text, centre, inner, line_h, below_star=spec.star)
    return glyphs


def _legend_glyphs(
    legend: str, rng: np.random.Generator, centre: Point, inner: Point, height_gap: Point
) -> list[_Glyph]:
    """Glyphs evenly spaced along the upper arc, reading clockwise, tops outward.

    ``height_gap`` is the glyphs' height and their gap inside the ring, in canvas pixels.
    """
    chars = [c for c in legend if not c.isspace()]
    if not chars:
        return []
    glyph_h, gap = height_gap
    span = math.radians(min(rng.uniform(*LEGEND_SPAN_DEG), LEGEND_MAX_DEG_PER_GLYPH * len(chars)))
    path, stops, slot = _legend_path(inner, gap, glyph_h, span, len(chars))
    if slot * LEGEND_FILL < glyph_h * LEGEND_MIN_ASPECT:
        # a long name: smaller glyphs (on a slightly longer path) rather than slivers of glyphs
        glyph_h = slot * LEGEND_FILL / LEGEND_MIN_ASPECT
        path, stops, slot = _legend_path(inner, gap, glyph_h, span, len(chars))
    glyph_w = min(glyph_h * LEGEND_MAX_ASPECT, slot * LEGEND_FILL)
    glyphs = []
    for char, t in zip(chars, stops, strict=True):
        x, y = centre[0] + path[0] * math.sin(t), centre[1] - path[1] * math.cos(t)
        angle = math.degrees(math.atan2(path[1] * math.sin(t), path[0] * math.cos(t)))
        glyphs.append(_Glyph(char, (x, y), (glyph_w, glyph_h), angle))
    return glyphs


def _legend_path(inner: Point, gap: float, glyph_h: float, span: float, count: int) -> tuple[Point, list[float], float]:
    """The ellipse the legend glyph centres run on, their stops on it and the arc length of one slot."""
    path = (inner[0] - gap - glyph_h / 2, inner[1] - gap - glyph_h / 2)
    stops, slot = _arc_stops(path, span, count)
    return path, stops, slot


def _arc_stops(axes: Point, span: float, count: int) -> tuple[list[float], float]:
    """Ellipse parameters (0 at the top, clockwise) of ``count`` stops equally spaced by arc length.

    Each glyph gets an equal slot of the ``span`` and sits in the middle of it; the slot's arc length is
    returned too, to size the glyphs.
    """
    t = np.linspace(-span / 2, span / 2, ARC_SAMPLES)
    x, y = axes[0] * np.sin(t), -axes[1] * np.cos(t)
    arc = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    slot = float(arc[-1]) / count
    targets = (np.arange(count) + 0.5) * slot
    return [float(v) for v in np.interp(targets, arc, t)], slot


def _centre_line_glyphs(text: str, centre: Point, inner: Point, glyph_h: float, *, below_star: bool) -> list[_Glyph]:
    """Glyphs of the straight centre line, centred horizontally, below the star when there is one."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return []
    y_frac = CENTRE_TEXT_Y_FRAC if below_star else CENTRE_TEXT_NO_STAR_Y_FRAC
    dy = y_frac * inner[1]
    far_y = (abs(dy) + glyph_h / 2) / inner[1]  # the glyph edge furthest from the centre limits the chord
    chord = 2 * inner[0] * math.sqrt(max(0.0, 1 - far_y**2))
    glyph_w = min(glyph_h * CENTRE_TEXT_ASPECT, CENTRE_TEXT_WIDTH_FRAC * chord / len(chars))
    x0 = centre[0] - glyph_w * len(chars) / 2
    y = centre[1] + dy
    return [_Glyph(c, (x0 + (i + 0.5) * glyph_w, y), (glyph_w, glyph_h), 0.0, bold=False) for i, c in enumerate(chars)]


def _draw_square(
    canvas: NDArray[np.uint8], spec: SealSpec, rng: np.random.Generator, centre: Point, px_per_mm: float
) -> list[_Glyph]:
    """Draw the frame of a square seal (single or double); return its grid of glyphs."""
    half = (spec.size_mm[0] / 2 * px_per_mm, spec.size_mm[1] / 2 * px_per_mm)
    frame = rng.uniform(*FRAME_WIDTH_MM) * px_per_mm
    _rectangle(canvas, centre, (half[0] - frame / 2, half[1] - frame / 2), frame)
    inset = frame
    if rng.random() < DOUBLE_FRAME_CHANCE:
        thin = INNER_FRAME_WIDTH_MM * px_per_mm
        offset = frame + INNER_FRAME_GAP_MM * px_per_mm + thin / 2
        _rectangle(canvas, centre, (half[0] - offset, half[1] - offset), thin)
        inset = offset + thin / 2
    pad = GRID_PADDING_MM * px_per_mm
    box = (centre[0] - half[0] + inset + pad, centre[1] - half[1] + inset + pad)
    inner = (2 * (half[0] - inset - pad), 2 * (half[1] - inset - pad))
    return _grid_glyphs(spec.legend, box, inner)


def _grid_glyphs(text: str, top_left: Point, size: Point) -> list[_Glyph]:
    """Glyphs filling a grid, read the traditional way: columns from the right, each top to bottom."""
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return []
    cols = math.ceil(math.sqrt(len(chars)))
    rows = math.ceil(len(chars) / cols)
    cell = (size[0] / cols, size[1] / rows)
    glyphs = []
    for i, char in enumerate(chars):
        col, row = cols - 1 - i // rows, i % rows
        centre = (top_left[0] + (col + 0.5) * cell[0], top_left[1] + (row + 0.5) * cell[1])
        glyphs.append(_Glyph(char, centre, (cell[0] * GRID_GLYPH_FILL, cell[1] * GRID_GLYPH_FILL), 0.0))
    return glyphs


# --- drawing primitives ---------------------------------------------------------------------------------------


def _ellipse(canvas: NDArray[np.uint8], centre: Point, axes: Point, thickness: float) -> None:
    """An anti-aliased elliptic ring."""
    centre_px = (round(centre[0]), round(centre[1]))
    axes_px = (round(axes[0]), round(axes[1]))
    cv2.ellipse(canvas, centre_px, axes_px, 0, 0, 360, int(CHANNEL_MAX), max(1, round(thickness)), cv2.LINE_AA)


def _rectangle(canvas: NDArray[np.uint8], centre: Point, half: Point, thickness: float) -> None:
    """An anti-aliased frame whose line is centred on the rectangle of half-sizes ``half``."""
    corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    points = np.array([[centre[0] + sx * half[0], centre[1] + sy * half[1]] for sx, sy in corners], np.int32)
    cv2.polylines(canvas, [points], True, int(CHANNEL_MAX), max(1, round(thickness)), cv2.LINE_AA)


def _fill_star(canvas: NDArray[np.uint8], centre: Point, radius: float) -> None:
    """A filled five-pointed star, one point straight up."""
    vertices = []
    for k in range(2 * STAR_POINTS):
        r = radius if k % 2 == 0 else radius * STAR_INNER_RATIO
        a = math.pi * k / STAR_POINTS
        vertices.append([centre[0] + r * math.sin(a), centre[1] - r * math.cos(a)])
    cv2.fillPoly(canvas, [np.round(np.array(vertices)).astype(np.int32)], int(CHANNEL_MAX), cv2.LINE_AA)


@functools.lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    """The built-in CJK font of PyMuPDF, read once."""
    return bytes(pymupdf.Font(FONT_NAME).buffer)


@functools.lru_cache(maxsize=64)
def _font(size_px: int) -> ImageFont.FreeTypeFont:
    """The CJK font at one pixel size."""
    return ImageFont.truetype(io.BytesIO(_font_bytes()), size_px)


@functools.lru_cache(maxsize=1024)
def _glyph_tile(char: str, em: int, bold: bool) -> FloatImage:
    """A glyph drawn into a square tile whose centre is the centre of the glyph's em box."""
    font = _font(em)
    side = GLYPH_TILE_EMS * em
    _, top, _, bottom = font.getbbox(REFERENCE_GLYPH, anchor="ls")
    origin = (side / 2 - font.getlength(char) / 2, side / 2 - (top + bottom) / 2)
    tile = Image.new("L", (side, side), 0)
    stroke = round(GLYPH_STROKE_PER_EM * em) if bold else 0
    ImageDraw.Draw(tile).text(origin, char, fill=255, font=font, anchor="ls", stroke_width=stroke, stroke_fill=255)
    return np.asarray(tile, dtype=np.float32) / CHANNEL_MAX


def _warp_glyph(glyph: _Glyph, shape: tuple[int, ...]) -> FloatImage:
    """The glyph's coverage on a canvas of ``shape``: its em box scaled to ``glyph.size``, rotated, moved."""
    em = max(1, round(glyph.size[1]))
    tile = _glyph_tile(glyph.char, em, glyph.bold)
    rad = math.radians(glyph.angle_deg)
    cos, sin = math.cos(rad), math.sin(rad)
    sx, sy = glyph.size[0] / em, glyph.size[1] / em
    half = tile.shape[0] / 2
    # clockwise rotation in image coordinates (y down) of the scaled tile, centred on the glyph
    linear = np.array([[cos * sx, -sin * sy], [sin * sx, cos * sy]])
    shift = np.array(glyph.centre) - linear @ np.array([half, half])
    matrix = np.hstack([linear, shift[:, None]])
    warped = cv2.warpAffine(tile, matrix, (shape[1], shape[0]), flags=cv2.INTER_LINEAR)
    return np.asarray(warped, dtype=np.float32)


def _rotate(image: FloatImage, angle_deg: float) -> FloatImage:
    """The image turned clockwise by ``angle_deg`` about its centre, same size."""
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle_deg, 1.0)
    return np.asarray(cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR), dtype=np.float32)


# --- impression ------------------------------------------------------------------------------------------------


def _impress(layout: FloatImage, rng: np.random.Generator, px_per_mm: float) -> FloatImage:
    """Turn the clean layout into an impression: pressure, grain, gaps, saturation and soft edges."""
    ink = layout * _pressure(layout.shape, rng) * _grain(layout.shape, rng) * _gaps(layout, rng, px_per_mm)
    ink *= np.float32(rng.uniform(*SATURATION))
    soft = np.asarray(cv2.GaussianBlur(ink, (0, 0), EDGE_BLUR_SIGMA_PX), dtype=np.float32)
    return np.clip(soft, 0.0, 1.0)


def _pressure(shape: tuple[int, ...], rng: np.random.Generator) -> FloatImage:
    """Uneven pressure: a smooth random field mixed with one side of the seal pressed more lightly."""
    h, w = shape
    coarse = rng.random((PRESSURE_GRID, PRESSURE_GRID)).astype(np.float32)
    field = _normalise(np.asarray(cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC), dtype=np.float32))
    direction = rng.uniform(0.0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    side = _normalise(xx * math.cos(direction) + yy * math.sin(direction))
    weight = rng.uniform(*PRESSURE_FIELD_WEIGHT)
    mix = np.clip(weight * field + (1 - weight) * side, 0.0, 1.0) ** PRESSURE_GAMMA
    low, high = PRESSURE_RANGE
    return np.asarray(low + (high - low) * mix, dtype=np.float32)


def _grain(shape: tuple[int, ...], rng: np.random.Generator) -> FloatImage:
    """Fine speckle: small spots where the paper's fibre took little ink."""
    noise = rng.standard_normal(shape).astype(np.float32)
    smooth = np.asarray(cv2.GaussianBlur(noise, (0, 0), GRAIN_SIGMA_PX), dtype=np.float32)
    smooth /= max(float(smooth.std()), EPSILON)
    spots = np.clip((smooth - GRAIN_THRESHOLD) / GRAIN_SOFTNESS, 0.0, 1.0)
    return np.asarray(1.0 - GRAIN_DEPTH * spots, dtype=np.float32)


def _gaps(layout: FloatImage, rng: np.random.Generator, px_per_mm: float) -> FloatImage:
    """A few small blots, on the ink, where nothing printed."""
    mask = np.zeros(layout.shape, dtype=np.float32)
    ys, xs = np.nonzero(layout > VISIBLE_INK)
    if len(xs) == 0:
        return np.ones(layout.shape, dtype=np.float32)
    for _ in range(rng.integers(*GAP_COUNT)):
        k = rng.integers(len(xs))
        radius = max(1, round(rng.uniform(*GAP_RADIUS_MM) * px_per_mm))
        cv2.circle(mask, (int(xs[k]), int(ys[k])), radius, 1.0, -1, cv2.LINE_AA)
    mask = np.asarray(cv2.GaussianBlur(mask, (0, 0), GAP_BLUR_SIGMA_PX), dtype=np.float32)
    return np.asarray(1.0 - np.clip(mask, 0.0, 1.0), dtype=np.float32)


def _ink_color(rng: np.random.Generator) -> tuple[int, int, int]:
    """A seal red, varied a little from one ink pad to another."""
    r, g, b = (int(rng.integers(low, high)) for low, high in INK_COLOR_RANGE)
    return r, g, b


def _normalise(values: FloatImage) -> FloatImage:
    """Values stretched to 0..1 (a constant array gives zeros)."""
    low, high = float(values.min()), float(values.max())
    return np.asarray((values - low) / max(high - low, EPSILON), dtype=np.float32)


def _crop_centred(ink: FloatImage) -> FloatImage:
    """The ink cropped to its extent, symmetrically about the canvas centre so the seal stays centred."""
    ys, xs = np.nonzero(ink > CROP_THRESHOLD)
    if len(xs) == 0:
        return ink
    h, w = ink.shape
    dx = min(int(xs.min()), w - 1 - int(xs.max()))
    dy = min(int(ys.min()), h - 1 - int(ys.max()))
    return np.ascontiguousarray(ink[dy : h - dy, dx : w - dx])


# ==========================================================================================================
# stamping
# ==========================================================================================================


def stamp(page: NDArray[np.uint8], seal: SealImage, centre: Point) -> StampResult:
    """Stamp a seal onto an RGB page in place, its centre at ``centre`` (page pixels, x then y).

    Args:
        page: H x W x 3 ``uint8`` page, changed in place.
        seal: the impression to stamp.
        centre: where the seal's centre lands; the seal may hang over the page edge.

    Returns:
        Where the visible ink is and whether the page edge cut it.

    Raises:
        ValueError: no ink above ``VISIBLE_INK`` lands on the page.
    """
    h, w = seal.ink.shape
    top_left = (round(centre[0] - w / 2), round(centre[1] - h / 2))
    return stamp_pixels(page, seal.ink, seal.color, top_left)


def stamp_pixels(
    page: NDArray[np.uint8], ink: FloatImage, color: tuple[int, int, int], top_left: tuple[int, int]
) -> StampResult:
    """Blend ink onto an RGB page in place, multiplicatively, clipped at the page border.

    Ink darkens what is under it (``page * (1 - a * (1 - color / 255))``), so black text under a seal
    stays readable. Calling this twice with the same ``ink`` pastes the identical impression twice.

    Args:
        page: H x W x 3 ``uint8`` page, changed in place.
        ink: coverage in 0..1.
        color: RGB ink colour at full coverage.
        top_left: page pixel ``(x, y)`` of the ink array's top-left corner; may lie off the page.

    Returns:
        Where the visible ink is and whether the page edge cut it.

    Raises:
        ValueError: no ink above ``VISIBLE_INK`` lands on the page.
    """
    page_h, page_w = page.shape[:2]
    x0, y0 = top_left
    px0, py0 = max(x0, 0), max(y0, 0)
    px1, py1 = min(x0 + ink.shape[1], page_w), min(y0 + ink.shape[0], page_h)
    if px1 <= px0 or py1 <= py0:
        raise ValueError(f"the ink at {top_left} lies entirely off the {page_w}x{page_h} page")
    alpha = ink[py0 - y0 : py1 - y0, px0 - x0 : px1 - x0, None]
    tint = 1.0 - np.asarray(color, dtype=np.float32) / CHANNEL_MAX
    region = page[py0:py1, px0:px1].astype(np.float32) * (1.0 - alpha * tint)
    page[py0:py1, px0:px1] = np.clip(np.rint(region), 0, CHANNEL_MAX).astype(np.uint8)
    local = _ink_bbox(alpha[..., 0])
    if local is None:
        raise ValueError(f"no ink above {VISIBLE_INK} lands on the page at {top_left}")
    bbox = (local[0] + px0, local[1] + py0, local[2] + px0, local[3] + py0)
    edge = _cutting_edge(ink, (px0 - x0, py0 - y0, px1 - x0, py1 - y0))
    return StampResult(bbox=bbox, partial=edge is not None, edge=edge)


def _ink_bbox(ink: FloatImage) -> tuple[int, int, int, int] | None:
    """``(x0, y0, x1, y1)``, ends exclusive, around coverage above ``VISIBLE_INK``; None when there is none."""
    ys, xs = np.nonzero(ink > VISIBLE_INK)
    if len(xs) == 0:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _cutting_edge(ink: FloatImage, kept: tuple[int, int, int, int]) -> PageEdge | None:
    """The page edge that cut off the most visible ink, given the kept window of the ink array."""
    x0, y0, x1, y1 = kept
    visible = ink > VISIBLE_INK
    lost: dict[PageEdge, int] = {
        "left": int(visible[:, :x0].sum()),
        "right": int(visible[:, x1:].sum()),
        "top": int(visible[:y0, :].sum()),
        "bottom": int(visible[y1:, :].sum()),
    }
    edge = max(lost, key=lambda name: lost[name])
    return edge if lost[edge] > 0 else None


# ==========================================================================================================
# cross-page seals (骑缝章)
# ==========================================================================================================


def cross_page_slivers(seal: SealImage, n_pages: int) -> list[FloatImage]:
    """Split one impression into the slivers it leaves on the fanned right edges of stacked pages.

    Args:
        seal: the impression stamped once across the stack.
        n_pages: how many pages the stamp straddles.

    Returns:
        ``n_pages`` consecutive vertical strips of the ink, left to right (strip ``i`` lands on page ``i``),
        of equal width up to one pixel; side by side they give back the seal's ink exactly.

    Raises:
        ValueError: fewer than one page, or more pages than the seal has pixel columns.
    """
    width = seal.ink.shape[1]
    if not 1 <= n_pages <= width:
        raise ValueError(f"cannot split a {width}-pixel-wide seal over {n_pages} pages")
    return [np.ascontiguousarray(strip) for strip in np.array_split(seal.ink, n_pages, axis=1)]


def stamp_sliver(
    page: NDArray[np.uint8], sliver: FloatImage, color: tuple[int, int, int], centre_y: float
) -> StampResult:
    """Stamp a cross-page sliver flush against the page's right edge.

    Args:
        page: H x W x 3 ``uint8`` page, changed in place.
        sliver: one strip from :func:`cross_page_slivers`.
        color: the seal's ink colour.
        centre_y: page row where the whole seal's centre was; every page of the stack shares it.

    Returns:
        The visible ink of the sliver; always partial, cut by the right edge.

    Raises:
        ValueError: the sliver has no ink above ``VISIBLE_INK`` on the page.
    """
    h, w = sliver.shape
    placed = stamp_pixels(page, sliver, color, (page.shape[1] - w, round(centre_y - h / 2)))
    return StampResult(bbox=placed.bbox, partial=True, edge="right")
