"""Table structure of a form page: ruling lines found with OpenCV, and OCR text placed in the cells they bound.

A scanned form is a grid of printed rules. Rather than rebuild the whole grid
(rows of one form often have their own columns, and merged cells are common),
each piece of text is placed in the cell the nearest rules around it bound: the
horizontal rule just above and just below it, the vertical rule just left and
right of it. Two pieces are in the same cell when those four rules are the same,
and one cell is the right neighbour of another when its left rule is the
other's right rule. Where a rule is faint or missing the cell simply reaches to
the next one, and the callers then fall back to the text's own geometry.

Rules are searched in the darkness of the page (the brightest of the three
channels), so red seal ink stamped across a rule neither hides nor fakes one.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import cv2
import numpy as np

from models.text import TextLine

RULE_INK_BLOCK = 31
"""Neighbourhood (pixels) of the adaptive threshold that separates printed ink from paper."""
RULE_INK_OFFSET = 12
"""How much darker than its neighbourhood a pixel must be to count as ink."""
HORIZONTAL_MIN_FRACTION = 1 / 14
"""A horizontal rule is at least this fraction of the page width long (table rules span many cells)."""
VERTICAL_MIN_LINE_HEIGHTS = 1.5
"""A vertical rule is at least this many text-line heights long (taller than any character stroke in a cell)."""
SKEW_TOLERANCE_PX = 3
"""Vertical thickening before the horizontal opening (and the converse), so scans skewed by a degree or two
keep their rules whole."""
GAP_BRIDGE_PX = 9
"""Breaks in a faint rule up to this long are closed."""
DEFAULT_LINE_HEIGHT = 40.0
"""Text-line height (200-DPI pixels, a 12-point line) assumed when a page has no text."""
CROSS_MARGIN = 0.25
"""A vertical rule splits a text line when it lies further than this fraction of a character inside it."""
RULE_OVERHANG = 0.15
"""A vertical rule that splits a text line reaches past its top and bottom by this fraction of its height:
cell rules span the row, while the strokes of large characters stay inside the text's own box."""


@dataclass(frozen=True)
class Rule:
    """One printed ruling line, as a straight segment in page pixels."""

    x0: float
    y0: float
    x1: float
    y1: float
    horizontal: bool

    def position_at(self, along: float) -> float:
        """For a horizontal rule its y at x = ``along``; for a vertical one its x at y = ``along``."""
        if self.horizontal:
            start, end, pos0, pos1 = self.x0, self.x1, self.y0, self.y1
        else:
            start, end, pos0, pos1 = self.y0, self.y1, self.x0, self.x1
        if end - start < 1:
            return (pos0 + pos1) / 2
        return pos0 + (pos1 - pos0) * (along - start) / (end - start)

    def covers(self, along: float, tolerance: float) -> bool:
        """The rule extends over ``along`` (x for a horizontal rule, y for a vertical one)."""
        return self.spans(along, along, tolerance)

    def spans(self, low: float, high: float, tolerance: float = 0.0) -> bool:
        """The rule extends over the whole interval ``[low, high]`` (give or take ``tolerance``)."""
        start, end = (self.x0, self.x1) if self.horizontal else (self.y0, self.y1)
        return start - tolerance <= low and high <= end + tolerance


@dataclass(frozen=True)
class Rules:
    """The ruling lines of a page."""

    horizontal: tuple[Rule, ...] = ()
    vertical: tuple[Rule, ...] = ()


def find_rules(image: np.ndarray, line_height: float = DEFAULT_LINE_HEIGHT) -> Rules:
    """The horizontal and vertical ruling lines of a page image (RGB or grey).

    Args:
        image: The page at the render DPI.
        line_height: The page's typical text-line height in pixels; vertical rules must be clearly taller.
    """
    darkness = brightest_channel(image)
    ink = cv2.adaptiveThreshold(
        darkness.astype(np.uint8),
        255,
        cv2.ADAPTIVE_THRESH_MEAN_C,
        cv2.THRESH_BINARY_INV,
        RULE_INK_BLOCK,
        RULE_INK_OFFSET,
    )
    width = ink.shape[1]
    min_horizontal = max(40, int(width * HORIZONTAL_MIN_FRACTION))
    min_vertical = max(30, int(line_height * VERTICAL_MIN_LINE_HEIGHTS))
    horizontal = _segments(ink, min_horizontal, horizontal=True)
    vertical = _segments(ink, min_vertical, horizontal=False)
    return Rules(horizontal=tuple(horizontal), vertical=tuple(vertical))


def brightest_channel(image: np.ndarray) -> np.ndarray:
    """Per pixel, the brightest of an RGB image's channels (a grey image as it is): print and writing are dark in
    every channel, red seal ink is bright in red.

    The same as ``image.max(axis=2)``, which NumPy computes some ten times slower over an axis this short.
    """
    if image.ndim != 3:
        return image
    brightest: np.ndarray = np.maximum(np.maximum(image[..., 0], image[..., 1]), image[..., 2])
    return brightest


def _segments(ink: np.ndarray, min_length: int, *, horizontal: bool) -> list[Rule]:
    thicken = (1, 2 * SKEW_TOLERANCE_PX + 1) if horizontal else (2 * SKEW_TOLERANCE_PX + 1, 1)
    along = (min_length, 1) if horizontal else (1, min_length)
    bridge = (GAP_BRIDGE_PX, 1) if horizontal else (1, GAP_BRIDGE_PX)
    mask = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, thicken))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, along))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    rules: list[Rule] = []
    for label in range(1, count):
        x, y, w, h, _area = stats[label]
        length = w if horizontal else h
        if length < min_length:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == label)
        xs = xs + x
        ys = ys + y
        if horizontal:
            slope, intercept = _fit(xs, ys)
            x0, x1 = float(xs.min()), float(xs.max())
            rules.append(Rule(x0, slope * x0 + intercept, x1, slope * x1 + intercept, horizontal=True))
        else:
            slope, intercept = _fit(ys, xs)
            y0, y1 = float(ys.min()), float(ys.max())
            rules.append(Rule(slope * y0 + intercept, y0, slope * y1 + intercept, y1, horizontal=False))
    return rules


def _fit(along: np.ndarray, across: np.ndarray) -> tuple[float, float]:
    """Least-squares line ``across = slope * along + intercept`` through a rule's pixels (subsampled)."""
    step = max(1, along.size // 4000)
    along, across = along[::step].astype(np.float64), across[::step].astype(np.float64)
    if np.ptp(along) < 1:
        return 0.0, float(across.mean())
    slope, intercept = np.polyfit(along, across, 1)
    return float(slope), float(intercept)


# --- text in cells -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """The rules around a piece of text: indices into :class:`Rules` (``None`` where there is none)."""

    top: int | None
    bottom: int | None
    left: int | None
    right: int | None

    @property
    def boxed(self) -> bool:
        """All four sides are rules: the text stands in a table cell."""
        return None not in (self.top, self.bottom, self.left, self.right)


@dataclass
class Piece:
    """A piece of text on a page: an OCR line, or the part of one that falls in one cell."""

    text: str
    raw: str
    score: float
    bbox: tuple[float, float, float, float]
    cell: Cell = field(default_factory=lambda: Cell(None, None, None, None))

    @property
    def centre(self) -> tuple[float, float]:
        return (self.bbox[0] + self.bbox[2]) / 2, (self.bbox[1] + self.bbox[3]) / 2

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


class HasHeight(Protocol):
    """Anything with a height in page pixels: a :class:`~models.text.TextLine`, a :class:`Piece`."""

    @property
    def height(self) -> float: ...


def typical_line_height(lines: Sequence[HasHeight]) -> float:
    """The median text-line height of a page (of its OCR lines, or of its pieces), in pixels."""
    return statistics.median(line.height for line in lines) if lines else DEFAULT_LINE_HEIGHT


def place_text(lines: Iterable[TextLine], rules: Rules) -> list[Piece]:
    """The page's text as pieces placed in cells; a line that a vertical rule crosses is split at the rule."""
    pieces: list[Piece] = []
    for line in lines:
        box = (line.bbox[0], line.bbox[1], line.bbox[2], line.bbox[3])
        whole = Piece(line.text, line.raw, line.score, box)
        for piece in _split_at_rules(whole, rules.vertical):
            piece.cell = _cell_of(piece, rules)
            pieces.append(piece)
    return pieces


def _split_at_rules(piece: Piece, vertical: Sequence[Rule]) -> list[Piece]:
    """The piece cut where vertical rules run through it (OCR sometimes reads across a thin rule)."""
    text = piece.text
    if len(text) < 2:
        return [piece]
    x0, y0, x1, y1 = piece.bbox
    centre_y = (y0 + y1) / 2
    overhang = RULE_OVERHANG * (y1 - y0)
    weights = [_char_width(char) for char in text]
    char_width = (x1 - x0) / max(sum(weights), 1e-6)
    cuts = sorted(
        position
        for rule in vertical
        if rule.spans(y0 - overhang, y1 + overhang)
        and x0 + CROSS_MARGIN * char_width < (position := rule.position_at(centre_y)) < x1 - CROSS_MARGIN * char_width
    )
    if not cuts:
        return [piece]
    parts: list[Piece] = []
    start_index, start_x, offset = 0, x0, x0
    boundaries = [*cuts, x1 + 1]
    for cut in boundaries:
        end_index = start_index
        while end_index < len(text) and offset + weights[end_index] * char_width / 2 < cut:
            offset += weights[end_index] * char_width
            end_index += 1
        chunk = text[start_index:end_index].strip()
        if chunk:
            right = min(cut, x1)
            parts.append(Piece(chunk, chunk, piece.score, (start_x, y0, right, y1)))
        start_index, start_x = end_index, cut
    return parts or [piece]


def _char_width(char: str) -> float:
    """Relative printed width: CJK and full-width characters are square, ASCII about half as wide."""
    return 0.5 if ord(char) < 0x2E80 else 1.0


def _cell_of(piece: Piece, rules: Rules) -> Cell:
    x, y = piece.centre
    tolerance = piece.height / 2
    top = bottom = left = right = None
    best_top = best_bottom = best_left = best_right = float("inf")
    for index, rule in enumerate(rules.horizontal):
        if not rule.covers(x, tolerance):
            continue
        distance = y - rule.position_at(x)
        if 0 < distance < best_top:
            top, best_top = index, distance
        elif distance < 0 and -distance < best_bottom:
            bottom, best_bottom = index, -distance
    for index, rule in enumerate(rules.vertical):
        if not rule.spans(piece.bbox[1] + tolerance / 2, piece.bbox[3] - tolerance / 2):
            continue
        distance = x - rule.position_at(y)
        if 0 < distance < best_left:
            left, best_left = index, distance
        elif distance < 0 and -distance < best_right:
            right, best_right = index, -distance
    return Cell(top, bottom, left, right)


def reading_order(pieces: Iterable[Piece]) -> list[Piece]:
    """Pieces top to bottom, left to right within a row."""
    return [piece for row in text_rows(pieces) for piece in row]


def text_rows(pieces: Iterable[Piece]) -> list[list[Piece]]:
    """Pieces grouped into rows of text (middles overlapping vertically), top to bottom, each left to right."""
    rows: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.centre[1]):
        if rows and _same_row(rows[-1][0], piece):
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return [sorted(row, key=lambda p: p.bbox[0]) for row in rows]


def _same_row(a: Piece, b: Piece) -> bool:
    overlap = min(a.bbox[3], b.bbox[3]) - max(a.bbox[1], b.bbox[1])
    return overlap > 0.5 * min(a.height, b.height)


def union_box(pieces: Sequence[Piece]) -> tuple[float, float, float, float]:
    """The smallest box holding every piece."""
    return (
        min(p.bbox[0] for p in pieces),
        min(p.bbox[1] for p in pieces),
        max(p.bbox[2] for p in pieces),
        max(p.bbox[3] for p in pieces),
    )
