"""Find red seal impressions on a page: where, what shape, how sure, and the seal's own ink.

The page is segmented on a downscaled copy (a seal is large, so a coarse image finds it fast), then every
candidate is measured at full resolution:

1. Colour. The paper colour is estimated per page (a high percentile of each channel) and every pixel is
   divided by it, so a yellowed sheet or a scanner's colour cast reads as white. Redness is the red channel
   minus the larger of green and blue, both relative to the paper. Black ink is dark in every channel and has
   no redness; red ink printed over black text stays dark too, so a pixel whose red channel is dark is
   *other* ink: its seal coverage is unknown and counted as none.
2. Segmentation. Straight red runs longer than any seal (printed rules) are set aside. Dark ink and rules
   next to red may hide seal ink, so they bridge the red mask there (text across a ring must not break it);
   a small closing bridges a worn ring's gaps. The mask's outer outlines are the candidates: thin parts
   (pen strokes) are opened away, outlines that do not fill their hull (handwriting) are dropped, and an
   outline with two deep notches is two overlapping impressions, cut between the notches.
3. Page edges. Pieces cut by the same page edge (a 骑缝章 sliver falls apart into arcs and a star) are joined
   while together they span no more than one seal.
4. Shape, at full resolution. The convex hull of a candidate's visible ink is a square when it fills its
   rotated bounding box, else an ellipse (round or oval). A hull at the page border that covers only part of
   its fitted ellipse is a partial impression: its circle is fitted to the hull's vertices away from the
   border, which crowd on the curved ring, so a sliver's centre lands off the page where the seal was.
5. Plausibility. Seal-sized (or, at the border, sliver-sized) outlines with an engraving's share of ink
   (neither a bare outline nor a solid blob) are seals; confidence is fit quality times ink amount.

Sizes default to a 200-DPI page (seals are 15-60 mm across); every other length is a fraction of the smallest
seal diameter, so an image at another scale only needs ``min_diameter_px`` and ``max_diameter_px`` set.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import cv2
import numpy as np
import pydantic
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from extractors.seals.types import DetectedSeal, PageEdge, Shape

logger = logging.getLogger(__name__)

Points = NDArray[np.int32]
"""``N x 1 x 2`` contour points (x, y), OpenCV's layout."""
Box = tuple[int, int, int, int]
FloatImage = NDArray[np.float32]
Mask = NDArray[np.uint8]
Circle = tuple[tuple[float, float], float, float]
"""Centre, radius and relative fit error."""
RotatedRect = tuple[tuple[float, float], tuple[float, float], float]
"""OpenCV's ``((cx, cy), (w, h), angle)``."""

EDGES: tuple[PageEdge, ...] = ("right", "left", "bottom", "top")
"""Page edges in the order their cut pieces are regrouped (cross-page slivers sit on the right)."""
_DEFECT_DEPTH_SCALE = 256.0  # OpenCV returns convexity-defect depths in fixed point, 8 fractional bits
_MIN_FIT_POINTS = 5  # fewest points an ellipse (and a robust circle) fit takes
_DEFAULT_COLOR = (200, 30, 40)  # a seal red, for an impression with no well-inked pixel
_STRONG_INK = 0.5  # coverage from which a pixel shows the ink's own colour rather than the paper's


class DetectOptions(BaseModel):
    """Thresholds of seal detection; lengths are in page pixels or fractions of ``min_diameter_px``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_diameter_px: float = pydantic.Field(
        default=118.0, gt=0, description="Smallest seal's long diameter (15 mm at 200 DPI); also the unit of length"
    )
    max_diameter_px: float = pydantic.Field(
        default=472.0, gt=0, description="Largest seal's long diameter (60 mm at 200 DPI)"
    )
    work_min_diameter_px: float = pydantic.Field(
        default=28.0,
        gt=4,
        description="Pixels the smallest seal spans on the downscaled working image; sets the downscale factor",
    )
    paper_percentile: float = pydantic.Field(
        default=75.0, ge=50, le=99, description="Per-channel percentile of the page taken as the paper colour"
    )
    mask_redness: float = pydantic.Field(
        default=0.08,
        gt=0,
        lt=1,
        description="Redness (red minus max(green, blue), relative to paper) that counts as red on the working image",
    )
    full_ink_redness: float = pydantic.Field(
        default=0.6, gt=0, le=1, description="Redness of fully inked seal red (~(215, 35, 45) on paper): coverage 1"
    )
    visible_ink: float = pydantic.Field(
        default=0.2, gt=0, lt=1, description="Coverage above which ink is visible: bounds and shapes use these pixels"
    )
    dark_red_channel: float = pydantic.Field(
        default=0.5,
        gt=0,
        lt=1,
        description="Red channel, relative to paper, below which a pixel is other (black) ink: seal coverage 0",
    )
    hidden_reach_frac: float = pydantic.Field(
        default=0.1,
        gt=0,
        description="Dark (black) ink this close to red (x min diameter) may hide seal ink: it joins the red mask",
    )
    stroke_frac: float = pydantic.Field(
        default=0.15,
        gt=0,
        description="Parts of a red outline thinner than this (x min diameter) are pen strokes or rules, not a stamp",
    )
    close_frac: float = pydantic.Field(
        default=0.1, gt=0, description="Closing that bridges gaps in a worn ring (x min diameter)"
    )
    line_length_frac: float = pydantic.Field(
        default=1.1,
        gt=0,
        description="Straight red runs longer than this (x max diameter) are printed rules, removed before grouping",
    )
    min_piece_frac: float = pydantic.Field(
        default=0.2, gt=0, description="Red pieces smaller than this (x min diameter) are specks and ignored"
    )
    edge_margin_frac: float = pydantic.Field(
        default=0.15,
        gt=0,
        description="Ink this close to the page border (x min diameter) touches it; covers a scan's shift",
    )
    region_margin_frac: float = pydantic.Field(
        default=0.06, ge=0, description="Growth of a candidate's coarse outline before its ink is read (x min diameter)"
    )
    fit_margin_frac: float = pydantic.Field(
        default=0.02,
        ge=0,
        description="Growth of the fitted outline that bounds an impression cut from an overlap (x min diameter)",
    )
    split_depth_frac: float = pydantic.Field(
        default=0.2,
        gt=0,
        description="Two outline notches at least this deep (x min diameter) mark two overlapping impressions",
    )
    max_splits: int = pydantic.Field(default=3, ge=0, description="Most cuts applied to one red outline")
    min_solidity: float = pydantic.Field(
        default=0.8, gt=0, le=1, description="Outline area over hull area below which a red shape is not a stamp"
    )
    min_aspect: float = pydantic.Field(
        default=0.5, gt=0, le=1, description="Short over long axis below which a shape is line-like (ovals are ~0.67)"
    )
    round_min_aspect: float = pydantic.Field(
        default=0.85, gt=0, le=1, description="Short over long axis from which an ellipse is round rather than oval"
    )
    square_min_rectangularity: float = pydantic.Field(
        default=0.9,
        gt=0,
        le=1,
        description="Hull area over its rotated bounding box's from which a seal is square (a disc gives pi/4)",
    )
    whole_min_cover: float = pydantic.Field(
        default=0.9,
        gt=0,
        le=1,
        description="Hull area over fitted ellipse area from which an impression touching the border is whole",
    )
    interior_min_cover: float = pydantic.Field(
        default=0.75,
        gt=0,
        le=1,
        description="Least hull-over-ellipse area of an impression away from the border (a cut overlap loses a cap)",
    )
    sliver_min_extent_frac: float = pydantic.Field(
        default=0.5, gt=0, description="Least length of a partial impression along the page edge (x min diameter)"
    )
    sliver_min_depth_frac: float = pydantic.Field(
        default=0.15,
        gt=0,
        description="Least reach of a partial impression into the page (x min diameter): thinner is a printed rule",
    )
    max_overhang_frac: float = pydantic.Field(
        default=0.03,
        ge=0,
        description="Reach of a fitted whole outline past the page border still taken as on the page (x min diameter)",
    )
    circle_inlier_frac: float = pydantic.Field(
        default=0.03,
        gt=0,
        description="Hull vertices farther than this (x radius) from a partial seal's circle are refitted without",
    )
    circle_refits: int = pydantic.Field(default=3, ge=0, description="Rounds of dropping far vertices and refitting")
    size_tolerance: float = pydantic.Field(
        default=0.1,
        ge=0,
        lt=1,
        description="Relative slack on the size limits of the coarse outlines and of a partial seal's fitted circle",
    )
    full_ink_density: float = pydantic.Field(
        default=0.15,
        gt=0,
        le=1,
        description="Share of a seal's area under visible ink from which the ink adds no doubt (rings alone give less)",
    )
    min_ink_density: float = pydantic.Field(
        default=0.04, ge=0, le=1, description="Share of a seal's area under visible ink below which it is no seal"
    )
    max_ink_density: float = pydantic.Field(
        default=0.9,
        gt=0,
        le=1,
        description="Share above which the red is a solid blob (a filled logo, a colour photo), not an engraving",
    )
    max_fit_error: float = pydantic.Field(
        default=0.08,
        gt=0,
        description="Mean distance of the hull from the fitted outline, over the radius, at which confidence is 0",
    )
    max_contained: float = pydantic.Field(
        default=0.6,
        gt=0,
        le=1,
        description="Share of a seal's box inside a larger seal's box above which it is dropped",
    )

    @pydantic.model_validator(mode="after")
    def _diameters_ordered(self) -> DetectOptions:
        if self.max_diameter_px <= self.min_diameter_px:
            raise ValueError("max_diameter_px must exceed min_diameter_px")
        return self


# ==========================================================================================================
# entry point
# ==========================================================================================================


@dataclass(frozen=True)
class _Page:
    """The page as every stage sees it: full image, paper colour, working scale and pixel limits."""

    image: NDArray[np.uint8]
    paper: NDArray[np.float32]
    scale: int
    options: DetectOptions
    rules: Mask
    """Printed red rules on the working image: not seal ink."""

    @property
    def size(self) -> tuple[int, int]:
        return int(self.image.shape[1]), int(self.image.shape[0])

    def ink(self, box: Box) -> FloatImage:
        """Seal-ink coverage of a page window ``(x0, y0, x1, y1)``, printed rules removed."""
        x0, y0, x1, y1 = box
        coverage = _ink(self.image[y0:y1, x0:x1], self.paper, self.options)
        rows = np.minimum(np.arange(y0, y1) // self.scale, self.rules.shape[0] - 1)
        cols = np.minimum(np.arange(x0, x1) // self.scale, self.rules.shape[1] - 1)
        coverage[self.rules[np.ix_(rows, cols)] > 0] = 0.0
        return coverage

    def px(self, fraction: float) -> float:
        """A length given as a fraction of the smallest seal diameter, in page pixels."""
        return fraction * self.options.min_diameter_px


@dataclass(frozen=True)
class _Candidate:
    """A red outline on the working image that may be one seal."""

    outline: Points
    edges: tuple[PageEdge, ...]
    cut: bool


def detect_seals(image: np.ndarray, page: int, options: DetectOptions | None = None) -> list[DetectedSeal]:
    """Find the red seal impressions on one page.

    Args:
        image: ``H x W x 3`` RGB ``uint8`` page (200 DPI unless ``options`` say otherwise).
        page: Page index, copied into the results.
        options: Thresholds; the defaults suit a 200-DPI page.

    Returns:
        The seals, largest first, each with its box, shape, centre, axes, partial/edge flags, confidence and
        ink map.

    Raises:
        ValueError: ``image`` is not an RGB ``uint8`` image.
    """
    options = options or DetectOptions()
    rgb = _checked(image)
    scale = _work_scale(options)
    small = _downscale(rgb, scale)
    if small.size == 0:
        return []
    paper = _paper_colour(small, options)
    red = (_redness(small, paper, options) > options.mask_redness).astype(np.uint8)
    rules = _long_lines(red, scale, options)
    context = _Page(image=rgb, paper=paper, scale=scale, options=options, rules=rules)
    mask = _red_mask(red, _other_ink(small, paper, options) | rules, context)
    seals = [seal for cand in _candidates(mask, context) if (seal := _measure(cand, context, page)) is not None]
    kept = _drop_contained(seals, options.max_contained)
    logger.debug("page %d: %d red candidates, %d seals", page, len(seals), len(kept))
    return kept


def _checked(image: np.ndarray) -> NDArray[np.uint8]:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an H x W x 3 uint8 RGB image, got {image.shape} {image.dtype}")
    return np.ascontiguousarray(image)


def _work_scale(options: DetectOptions) -> int:
    """Integer downscale factor that leaves the smallest seal about ``work_min_diameter_px`` across."""
    return max(1, int(options.min_diameter_px // options.work_min_diameter_px))


def _downscale(image: NDArray[np.uint8], scale: int) -> NDArray[np.uint8]:
    """Block-average by ``scale`` (working pixel ``i`` covers page pixels ``i*scale .. (i+1)*scale-1``)."""
    if scale == 1:
        return image
    height, width = image.shape[0] // scale, image.shape[1] // scale
    crop = image[: height * scale, : width * scale]
    return np.asarray(cv2.resize(crop, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8)


# ==========================================================================================================
# colour
# ==========================================================================================================


def _paper_colour(small: NDArray[np.uint8], options: DetectOptions) -> NDArray[np.float32]:
    """The page's paper colour, per channel: most of a page is paper, so a high percentile is paper."""
    paper = np.percentile(small.reshape(-1, 3), options.paper_percentile, axis=0)
    return np.maximum(paper, 1.0).astype(np.float32)


def _redness(rgb: NDArray[np.uint8], paper: NDArray[np.float32], options: DetectOptions) -> FloatImage:
    """Red minus the larger of green and blue, relative to paper; 0 where the red channel is dark (other ink)."""
    relative = rgb.astype(np.float32) * (1.0 / paper)
    red = relative[..., 0]
    redness = red - np.maximum(relative[..., 1], relative[..., 2])
    redness[red < options.dark_red_channel] = 0.0
    return np.asarray(redness, dtype=np.float32)


def _other_ink(rgb: NDArray[np.uint8], paper: NDArray[np.float32], options: DetectOptions) -> Mask:
    """Pixels dark in the red channel: black ink, or red ink over black (its seal coverage is unknown)."""
    return np.asarray(rgb[..., 0] < options.dark_red_channel * paper[0], dtype=np.uint8)


def _ink(rgb: NDArray[np.uint8], paper: NDArray[np.float32], options: DetectOptions) -> FloatImage:
    """Seal-ink coverage 0..1 of each pixel (black ink, and red over black, count 0)."""
    coverage = _redness(rgb, paper, options) * (1.0 / options.full_ink_redness)
    return np.asarray(np.clip(coverage, 0.0, 1.0), dtype=np.float32)


# ==========================================================================================================
# segmentation on the working image
# ==========================================================================================================


def _red_mask(red: Mask, hiding: Mask, page: _Page) -> Mask:
    """Red pixels of the working image, printed rules removed and small gaps closed.

    Black text or a printed rule across a ring hides whether seal ink lies under it: near red, it counts as red.
    """
    mask = red & ~page.rules & 1
    reach = _odd(2 * page.px(page.options.hidden_reach_frac) / page.scale)
    near_red = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    mask |= hiding & np.asarray(near_red, dtype=np.uint8)
    size = _odd(page.px(page.options.close_frac) / page.scale)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel), dtype=np.uint8)


def _long_lines(mask: Mask, scale: int, options: DetectOptions) -> Mask:
    """Horizontal and vertical red runs longer than any seal (printed rules), slightly grown."""
    length = _odd(options.line_length_frac * options.max_diameter_px / scale)
    lines = np.zeros_like(mask)
    for shape in ((length, 1), (1, length)):
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, shape)
        lines |= np.asarray(cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel), dtype=np.uint8)
    return np.asarray(cv2.dilate(lines, np.ones((3, 3), np.uint8)), dtype=np.uint8)


def _odd(value: float) -> int:
    """The nearest odd integer of at least 3 (a kernel side)."""
    return max(3, 2 * round(value / 2) + 1)


def _candidates(mask: Mask, page: _Page) -> list[_Candidate]:
    """Outlines that may be seals: interior outlines (split where two overlap) and edge pieces regrouped."""
    options = page.options
    smallest = page.px(options.min_piece_frac) / page.scale
    interior: list[_Candidate] = []
    touching: list[tuple[Points, tuple[PageEdge, ...]]] = []
    for contour in _outlines(mask):
        x, y, w, h = cv2.boundingRect(contour)
        if max(w, h) < smallest:
            continue
        edges = _touched_edges((x, y, x + w, y + h), mask.shape, page.px(options.edge_margin_frac) / page.scale)
        if edges:
            touching.append((contour, edges))
            continue
        for body in _without_strokes(contour, _odd(page.px(options.stroke_frac) / page.scale), smallest):
            if _solid(body, options.min_solidity):
                parts = _split(body, page.px(options.split_depth_frac) / page.scale, smallest, options.max_splits)
                interior += [_Candidate(outline=part, edges=(), cut=len(parts) > 1) for part in parts]
    candidates = interior + _group_along_edges(touching, options.max_diameter_px / page.scale)
    return [cand for cand in candidates if _seal_sized(cand, page)]


def _seal_sized(candidate: _Candidate, page: _Page) -> bool:
    """A coarse check before the full-resolution one: can the outline hold a seal, or a sliver at the border?

    Lines of red text, rules and specks fail here, so a page full of red print stays fast.
    """
    options = page.options
    slack = options.size_tolerance
    (_, (w, h), _) = cv2.minAreaRect(candidate.outline)
    major, minor = max(w, h) * page.scale, min(w, h) * page.scale
    if major > options.max_diameter_px * (1 + slack):
        return False
    if candidate.edges:
        return major >= options.sliver_min_extent_frac * options.min_diameter_px * (1 - slack)
    return major >= options.min_diameter_px * (1 - slack) and minor >= options.min_aspect * major * (1 - slack)


def _outlines(mask: Mask) -> list[Points]:
    """The outer outlines of a mask's regions (holes ignored: a ring's outline is its disc's)."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [np.asarray(contour, dtype=np.int32) for contour in contours]


def _touched_edges(box: Box, shape: tuple[int, ...], margin: float) -> tuple[PageEdge, ...]:
    """The page edges a box (x0, y0, x1, y1; ends exclusive) comes within ``margin`` of."""
    x0, y0, x1, y1 = box
    height, width = shape[0], shape[1]
    near = {"left": x0 <= margin, "right": x1 >= width - margin, "top": y0 <= margin, "bottom": y1 >= height - margin}
    return tuple(edge for edge in EDGES if near[edge])


def _without_strokes(contour: Points, width: int, smallest: float) -> list[Points]:
    """The outline's filled region with thin parts (a pen stroke or a rule touching the seal) opened away."""
    x, y, w, h = cv2.boundingRect(contour)
    pad = width
    region = np.zeros((h + 2 * pad, w + 2 * pad), np.uint8)
    shift = np.array([pad - x, pad - y], np.int32)
    cv2.drawContours(region, [contour + shift], -1, 1, cv2.FILLED)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width, width))
    opened = np.asarray(cv2.morphologyEx(region, cv2.MORPH_OPEN, kernel), dtype=np.uint8)
    return [body - shift for body in _outlines(opened) if max(cv2.boundingRect(body)[2:]) >= smallest]


def _solid(contour: Points, min_solidity: float) -> bool:
    """Whether the outline fills its convex hull as a stamp does (handwriting and scribbles do not)."""
    hull_area = cv2.contourArea(cv2.convexHull(contour))
    return hull_area > 0 and cv2.contourArea(contour) >= min_solidity * hull_area


def _split(contour: Points, depth: float, smallest: float, levels: int) -> list[Points]:
    """The outline cut into single impressions between pairs of deep notches (overlapping stamps)."""
    notches = _deep_notches(contour, depth) if levels > 0 else []
    if len(notches) < 2:
        return [contour]
    a, b = min(
        ((p, q) for i, p in enumerate(notches) for q in notches[i + 1 :]),
        key=lambda pair: math.dist(pair[0], pair[1]),
    )
    parts = _cut(contour, a, b, smallest)
    if len(parts) < 2:
        return [contour]
    return [piece for part in parts for piece in _split(part, depth, smallest, levels - 1)]


def _deep_notches(contour: Points, depth: float) -> list[tuple[int, int]]:
    """Deepest points of the outline's concavities that are at least ``depth`` deep."""
    if len(contour) < 4:
        return []
    try:
        hull = cv2.convexHull(contour, returnPoints=False)
        defects = cv2.convexityDefects(contour, hull)
    except cv2.error:  # a self-touching outline: no reliable notches, keep it whole
        return []
    if defects is None:
        return []
    rows = np.asarray(defects).reshape(-1, 4)  # (start, end, deepest point, depth); layouts vary by version
    deep = rows[rows[:, 3] >= depth * _DEFECT_DEPTH_SCALE]
    return [(int(contour[i, 0, 0]), int(contour[i, 0, 1])) for i in deep[:, 2]]


def _cut(contour: Points, a: tuple[int, int], b: tuple[int, int], smallest: float) -> list[Points]:
    """The outline's region cut along the segment ``a``-``b``; pieces smaller than ``smallest`` dropped."""
    x, y, w, h = cv2.boundingRect(contour)
    region = np.zeros((h + 2, w + 2), np.uint8)
    shift = np.array([1 - x, 1 - y], np.int32)
    cv2.drawContours(region, [contour + shift], -1, 1, cv2.FILLED)
    cv2.line(region, (a[0] + 1 - x, a[1] + 1 - y), (b[0] + 1 - x, b[1] + 1 - y), 0, 2)
    return [piece - shift for piece in _outlines(region) if max(cv2.boundingRect(piece)[2:]) >= smallest]


def _group_along_edges(touching: list[tuple[Points, tuple[PageEdge, ...]]], longest: float) -> list[_Candidate]:
    """Pieces cut by the same page edge joined while together they span no more than one seal.

    A sliver of a cross-page seal falls apart into arcs, a star and legend fragments that touch the edge
    only together; their convex hull is the sliver's outline.
    """
    groups: list[_Candidate] = []
    left = list(touching)
    for edge in EDGES:
        along = sorted((p for p in left if edge in p[1]), key=lambda p: _span(p[0], edge)[0])
        left = [p for p in left if edge not in p[1]]
        groups += _greedy_groups(along, edge, longest)
    return groups


def _greedy_groups(
    along: list[tuple[Points, tuple[PageEdge, ...]]], edge: PageEdge, longest: float
) -> list[_Candidate]:
    """Consecutive pieces along one edge merged while the group's extent stays within ``longest``."""
    groups: list[list[tuple[Points, tuple[PageEdge, ...]]]] = []
    start = end = 0.0
    for piece in along:
        low, high = _span(piece[0], edge)
        if groups and max(end, high) - start <= longest:
            groups[-1].append(piece)
            end = max(end, high)
        else:
            groups.append([piece])
            start, end = low, high
    candidates = []
    for group in groups:
        points = np.concatenate([p[0] for p in group])
        edges = tuple(dict.fromkeys(e for p in group for e in p[1]))
        hull = np.asarray(cv2.convexHull(points), dtype=np.int32)
        candidates.append(_Candidate(outline=hull, edges=edges, cut=False))
    return candidates


def _span(contour: Points, edge: PageEdge) -> tuple[float, float]:
    """Extent of an outline along an edge (rows for left and right, columns for top and bottom)."""
    x, y, w, h = cv2.boundingRect(contour)
    return (float(y), float(y + h)) if edge in ("left", "right") else (float(x), float(x + w))


# ==========================================================================================================
# measurement at full resolution
# ==========================================================================================================


@dataclass(frozen=True)
class _Shape:
    """A fitted outline in page pixels."""

    shape: Shape
    centre: tuple[float, float]
    axes: tuple[float, float]
    angle: float
    fit_error: float
    """Mean distance of the hull vertices from the outline, over the mean semi-axis."""
    partial: bool
    edge: PageEdge | None


@dataclass(frozen=True)
class _Ink:
    """The seal ink in a page window: ``origin`` is the window's top-left page pixel."""

    origin: tuple[int, int]
    coverage: FloatImage

    def visible(self, threshold: float) -> Mask:
        """Pixels with visible ink, isolated specks removed."""
        mask = (self.coverage > threshold).astype(np.uint8)
        kernel = np.ones((2, 2), np.uint8)
        # An even kernel has no centre: erode and dilate from opposite corners so the opening does not shift.
        eroded = cv2.erode(mask, kernel, anchor=(0, 0))
        return np.asarray(cv2.dilate(eroded, kernel, anchor=(1, 1)), dtype=np.uint8)


def _measure(candidate: _Candidate, page: _Page, index: int) -> DetectedSeal | None:
    """The seal a candidate outline holds, or None when it is no plausible seal."""
    ink = _window_ink(candidate.outline, page)
    hull = _ink_hull(ink, page.options.visible_ink)
    if hull is None:
        return None
    fitted = _fit(hull, candidate, page)
    if fitted is None or not _plausible(fitted, hull, page):
        return None
    if candidate.cut:
        ink = _ellipse_ink(fitted, page)
    box = _ink_box(ink, page.options.visible_ink)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    coverage = ink.coverage[y0 - ink.origin[1] : y1 - ink.origin[1], x0 - ink.origin[0] : x1 - ink.origin[0]]
    density = float((coverage > page.options.visible_ink).sum()) / max(cv2.contourArea(hull), 1.0)
    if not page.options.min_ink_density <= density <= page.options.max_ink_density:
        return None
    return DetectedSeal(
        page=index,
        bbox=box,
        shape=fitted.shape,
        partial=fitted.partial,
        edge=fitted.edge,
        confidence=_confidence(fitted, density, page.options),
        centre=fitted.centre,
        axes=fitted.axes,
        angle=fitted.angle,
        ink=np.ascontiguousarray(coverage, dtype=np.float32),
        color=_ink_colour(page.image[y0:y1, x0:x1], coverage),
    )


def _window_ink(outline: Points, page: _Page) -> _Ink:
    """Seal ink inside the candidate's outline, mapped to page pixels and grown by the region margin."""
    scale = page.scale
    grow = math.ceil(page.px(page.options.region_margin_frac)) + scale
    points = outline.astype(np.float32) * scale + (scale - 1) / 2
    x, y, w, h = cv2.boundingRect(np.round(points).astype(np.int32))
    width, height = page.size
    x0, y0 = max(0, x - grow), max(0, y - grow)
    x1, y1 = min(width, x + w + grow), min(height, y + h + grow)
    region = np.zeros((y1 - y0, x1 - x0), np.uint8)
    local = np.round(points - np.array([x0, y0], np.float32)).astype(np.int32)
    cv2.drawContours(region, [local], -1, 1, cv2.FILLED)
    cv2.drawContours(region, [local], -1, 1, 2 * grow)
    coverage = page.ink((x0, y0, x1, y1)) * region
    return _Ink(origin=(x0, y0), coverage=coverage)


def _ink_hull(ink: _Ink, threshold: float) -> Points | None:
    """Convex hull, in page pixels, of the visible ink; None when there is too little."""
    points = cv2.findNonZero(ink.visible(threshold))
    if points is None or len(points) < _MIN_FIT_POINTS:
        return None
    hull = cv2.convexHull(points + np.array(ink.origin, np.int32))
    return np.asarray(hull, dtype=np.int32) if len(hull) >= _MIN_FIT_POINTS else None


def _ellipse_ink(fitted: _Shape, page: _Page) -> _Ink:
    """Seal ink inside a fitted outline (a seal cut from an overlapping one is bounded by its own ring)."""
    grow = page.px(page.options.fit_margin_frac)
    axes = (fitted.axes[0] + grow, fitted.axes[1] + grow)
    width, height = page.size
    reach = max(axes)
    x0, y0 = max(0, int(fitted.centre[0] - reach)), max(0, int(fitted.centre[1] - reach))
    x1, y1 = min(width, math.ceil(fitted.centre[0] + reach) + 1), min(height, math.ceil(fitted.centre[1] + reach) + 1)
    region = np.zeros((max(y1 - y0, 0), max(x1 - x0, 0)), np.uint8)
    centre = (round(fitted.centre[0] - x0), round(fitted.centre[1] - y0))
    if fitted.shape == "square":
        box = ((centre[0], centre[1]), (2 * axes[0], 2 * axes[1]), fitted.angle)
        cv2.fillPoly(region, [np.round(cv2.boxPoints(box)).astype(np.int32)], 1)
    else:
        cv2.ellipse(region, centre, (round(axes[0]), round(axes[1])), fitted.angle, 0, 360, 1, cv2.FILLED)
    coverage = page.ink((x0, y0, x1, y1)) * region
    return _Ink(origin=(x0, y0), coverage=coverage)


def _ink_box(ink: _Ink, threshold: float) -> Box | None:
    """``(x0, y0, x1, y1)`` in page pixels, ends exclusive, around the visible ink."""
    points = cv2.findNonZero(ink.visible(threshold))
    if points is None:
        return None
    x, y, w, h = cv2.boundingRect(points)
    return x + ink.origin[0], y + ink.origin[1], x + w + ink.origin[0], y + h + ink.origin[1]


def _ink_colour(rgb: NDArray[np.uint8], coverage: FloatImage) -> tuple[int, int, int]:
    """Mean colour of the well-inked pixels (coverage above one half)."""
    strong = coverage > _STRONG_INK
    if not strong.any():
        return _DEFAULT_COLOR
    mean = rgb[strong].mean(axis=0)
    return int(mean[0]), int(mean[1]), int(mean[2])


# --- shape -------------------------------------------------------------------------------------------------


def _fit(hull: Points, candidate: _Candidate, page: _Page) -> _Shape | None:
    """The outline of the impression: whole (square or ellipse) or, cut by the page edge, a circle."""
    options = page.options
    margin = page.px(options.edge_margin_frac)
    touched = _touched_edges(_hull_box(hull), (page.size[1], page.size[0]), margin)
    (cx, cy), (w, h), angle = cv2.minAreaRect(hull)
    rect: RotatedRect = ((cx, cy), (w, h), angle)
    hull_area = cv2.contourArea(hull)
    if _is_square(rect, hull_area, options):
        return _square(rect, hull, touched)
    ellipse = _ellipse(hull, options)
    if ellipse is not None:
        inside = _inside(ellipse, page.size, page.px(options.max_overhang_frac))
        cover = hull_area / max(math.pi * ellipse.axes[0] * ellipse.axes[1], 1.0)
        least = options.whole_min_cover if touched or candidate.edges else options.interior_min_cover
        if inside and cover >= least:
            return ellipse
    if not touched:
        return None
    return _partial_circle(hull, touched, page)


def _hull_box(hull: Points) -> Box:
    x, y, w, h = cv2.boundingRect(hull)
    return x, y, x + w, y + h


def _is_square(rect: RotatedRect, hull_area: float, options: DetectOptions) -> bool:
    """Whether the hull fills its rotated bounding box, and the box is no strip (a sliver is one)."""
    w, h = rect[1]
    if min(w, h) <= 0:
        return False
    return hull_area >= options.square_min_rectangularity * w * h and min(w, h) / max(w, h) >= options.min_aspect


def _square(rect: RotatedRect, hull: Points, touched: tuple[PageEdge, ...]) -> _Shape:
    """A square seal from the hull's rotated bounding box; at the page border its outer side is the cut."""
    (cx, cy), (w, h), angle = rect
    angle, w, h = _upright(angle, w, h)
    error = _rect_error(hull, rect)
    return _Shape(
        shape="square",
        centre=(cx, cy),
        axes=(w / 2, h / 2),
        angle=angle,
        fit_error=error / max((w + h) / 4, 1.0),
        partial=bool(touched),
        edge=touched[0] if touched else None,
    )


def _upright(angle: float, a: float, b: float) -> tuple[float, float, float]:
    """An angle folded into (-45, 45] degrees, the axes swapped to match."""
    while angle > 45.0:
        angle, a, b = angle - 90.0, b, a
    while angle <= -45.0:
        angle, a, b = angle + 90.0, b, a
    return angle, a, b


def _rect_error(hull: Points, rect: RotatedRect) -> float:
    """Mean distance of the hull vertices from the rectangle's outline."""
    corners = cv2.boxPoints(rect).astype(np.float32)
    distances = [abs(cv2.pointPolygonTest(corners, (float(p[0]), float(p[1])), True)) for p in hull[:, 0]]
    return float(np.mean(distances))


def _ellipse(hull: Points, options: DetectOptions) -> _Shape | None:
    """The ellipse through the hull's vertices (a stamp's outer ring); round when nearly a circle."""
    try:
        (cx, cy), (w, h), angle = cv2.fitEllipse(hull)
    except cv2.error:  # degenerate (collinear) vertices
        return None
    if not (math.isfinite(cx) and math.isfinite(cy) and min(w, h) > 0):
        return None
    angle, w, h = _upright(angle, w, h)
    semi = (w / 2, h / 2)
    error = _ellipse_error(hull, (cx, cy), semi, angle)
    if min(semi) / max(semi) < options.round_min_aspect:
        return _Shape("oval", (cx, cy), semi, angle, error, partial=False, edge=None)
    radius = (semi[0] + semi[1]) / 2
    return _Shape("round", (cx, cy), (radius, radius), angle, error, partial=False, edge=None)


def _ellipse_error(hull: Points, centre: tuple[float, float], semi: tuple[float, float], angle: float) -> float:
    """Mean distance of the hull vertices from the ellipse, over its mean semi-axis (radial approximation)."""
    rad = math.radians(angle)
    offsets = hull[:, 0].astype(np.float64) - np.array(centre)
    u = offsets[:, 0] * math.cos(rad) + offsets[:, 1] * math.sin(rad)
    v = -offsets[:, 0] * math.sin(rad) + offsets[:, 1] * math.cos(rad)
    radial = np.hypot(u / semi[0], v / semi[1])
    return float(np.mean(np.abs(radial - 1.0)))


def _inside(fitted: _Shape, size: tuple[int, int], tolerance: float) -> bool:
    """Whether the fitted outline stays on the page (up to ``tolerance`` pixels past its border)."""
    return all(overhang <= tolerance for overhang in _overhangs(fitted, size).values())


def _overhangs(fitted: _Shape, size: tuple[int, int]) -> dict[PageEdge, float]:
    """How far the fitted outline reaches past each page edge (negative: short of it)."""
    rad = math.radians(fitted.angle)
    a, b = fitted.axes
    if fitted.shape == "square":
        half_x = abs(a * math.cos(rad)) + abs(b * math.sin(rad))
        half_y = abs(a * math.sin(rad)) + abs(b * math.cos(rad))
    else:
        half_x = math.hypot(a * math.cos(rad), b * math.sin(rad))
        half_y = math.hypot(a * math.sin(rad), b * math.cos(rad))
    cx, cy = fitted.centre
    width, height = size
    return {
        "left": half_x - cx,
        "right": cx + half_x - width,
        "top": half_y - cy,
        "bottom": cy + half_y - height,
    }


def _partial_circle(hull: Points, touched: tuple[PageEdge, ...], page: _Page) -> _Shape | None:
    """The circle of an impression cut by the page edge, fitted to its hull away from the border.

    Away from the border, the hull's vertices crowd on the curved outer ring (a straight cut contributes only
    its two ends), so the fitted centre of a 骑缝章 sliver lands off the page, where the rest of the seal was.
    """
    width, height = page.size
    margin = page.px(page.options.edge_margin_frac)
    points = hull[:, 0].astype(np.float64)
    away = (
        (points[:, 0] > margin)
        & (points[:, 0] < width - 1 - margin)
        & (points[:, 1] > margin)
        & (points[:, 1] < height - 1 - margin)
    )
    circle = _fit_circle(points[away], page.options.circle_inlier_frac, page.options.circle_refits)
    if circle is None:
        return None
    (cx, cy), radius, error = circle
    fitted = _Shape("round", (cx, cy), (radius, radius), 0.0, error, partial=True, edge=None)
    overhang = _overhangs(fitted, page.size)
    edge = max(touched, key=lambda e: overhang[e])
    return _Shape("round", (cx, cy), (radius, radius), 0.0, error, partial=True, edge=edge)


def _fit_circle(points: NDArray[np.float64], inlier_frac: float, refits: int) -> Circle | None:
    """A circle through the points, refitted on the points near it (a straight cut's corners are not on it).

    Returns:
        Centre, radius and the inliers' mean distance from the circle over the radius; None when too few points.
    """
    circle = _kasa(points)
    for _ in range(refits):
        if circle is None:
            return None
        (cx, cy), radius, _error = circle
        near = np.abs(np.hypot(points[:, 0] - cx, points[:, 1] - cy) - radius) <= inlier_frac * radius
        if near.all():
            break
        points = points[near]
        circle = _kasa(points)
    return circle


def _kasa(points: NDArray[np.float64]) -> Circle | None:
    """Least-squares (Kasa) circle: centre, radius and mean distance over radius; None when under-determined."""
    if len(points) < _MIN_FIT_POINTS:
        return None
    x, y = points[:, 0], points[:, 1]
    design = np.column_stack([x, y, np.ones_like(x)])
    solution, *_ = np.linalg.lstsq(design, x * x + y * y, rcond=None)
    cx, cy = solution[0] / 2, solution[1] / 2
    squared = solution[2] + cx * cx + cy * cy
    if squared <= 0:
        return None
    radius = math.sqrt(squared)
    error = float(np.mean(np.abs(np.hypot(x - cx, y - cy) - radius))) / radius
    return (float(cx), float(cy)), radius, error


# --- plausibility and confidence -----------------------------------------------------------------------------


def _plausible(fitted: _Shape, hull: Points, page: _Page) -> bool:
    """Whether the fitted outline has a seal's size and proportions (or, cut by the edge, a sliver's)."""
    options = page.options
    major, minor = 2 * max(fitted.axes), 2 * min(fitted.axes)
    if not fitted.partial:
        sized = options.min_diameter_px <= major <= options.max_diameter_px
        return sized and minor >= options.min_aspect * major
    slack = options.size_tolerance
    if not options.min_diameter_px * (1 - slack) <= major <= options.max_diameter_px * (1 + slack):
        return False
    _, _, w, h = cv2.boundingRect(hull)
    along, depth = (h, w) if fitted.edge in ("left", "right") else (w, h)
    return along >= page.px(options.sliver_min_extent_frac) and depth >= page.px(options.sliver_min_depth_frac)


def _confidence(fitted: _Shape, density: float, options: DetectOptions) -> float:
    """0..1: how well the hull follows the fitted outline, times how well inked the impression is."""
    fit = min(max(1.0 - fitted.fit_error / options.max_fit_error, 0.0), 1.0)
    inked = min(density / options.full_ink_density, 1.0)
    return round(fit * inked, 3)


def _drop_contained(seals: list[DetectedSeal], max_contained: float) -> list[DetectedSeal]:
    """Largest first; a seal whose box lies mostly inside a kept one's box is a fragment of it."""
    kept: list[DetectedSeal] = []
    for seal in sorted(seals, key=lambda s: _area(s.bbox), reverse=True):
        if all(_intersection(seal.bbox, other.bbox) <= max_contained * _area(seal.bbox) for other in kept):
            kept.append(seal)
    return kept


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])


def _intersection(a: Box, b: Box) -> int:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
