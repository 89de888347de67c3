"""Which way up a page is: the clockwise turn (0, 90, 180 or 270 degrees) that makes a scanned page upright.

Sheets are fed sideways or upside down, and a page photographed or scanned so carries no /Rotate or EXIF tag
saying so. Chinese forms are printed in horizontal lines, so the turn is found from the page's own text:

1. The page is searched for text at ``OcrOptions.orientation_scale`` of its resolution, red seal ink removed.
   Lines found tall rather than wide mean the sheet lies sideways (90 or 270); wide ones, upright or upside
   down (0 or 180). A page with too few lines (blank, a photograph) is left as it is.
2. A few of the longest lines are laid horizontal and cut into pieces the shape the classifier reads. On a
   wide-lined page the engine's text-line orientation classifier says whether they are upright or upside
   down; an upright page stops here, having paid for one small search and one batch of small pieces.
3. A turn is made only when the recogniser reads the pieces turned that way clearly better, and clearly well,
   than the other way round (which of 90 and 270 a sideways page needs is decided so too). Noise, a
   photograph or a page in vertical script reads badly both ways and stays as it is.

The engine supplies the three models (:class:`OrientationModels`); this module holds the geometry and the vote,
so that another engine can offer the same with its own models.
"""

from __future__ import annotations

import logging
import math
from typing import Protocol

import cv2
import numpy as np

from extractors.ocr.base import OcrOptions, PageOrienter, get_engine
from extractors.ocr.page import pad_with_paper, remove_red_ink
from extractors.pdf import turn_image

logger = logging.getLogger(__name__)

SEARCH_MIN_SIDE = 480
"""A page is never searched smaller than this (long side, pixels): below it even headings blur into blots."""
SEARCH_MAX_SIDE = 1024
"""Nor larger: a huge photograph at a placeholder DPI would cost seconds for nothing more."""
SEARCH_MARGIN = 16
"""Paper-coloured pixels around the shrunk page: the detector misses text touching the image edge."""
ELONGATION = 2.0
"""A text box is a line, wide or tall, when its long side is this many times its short side (a lone 男 is not)."""
SIDEWAYS_RATIO = 2.0
"""The page lies sideways when the summed length of its tall lines is this many times that of its wide ones."""
MIN_LINES = 2
"""Fewer lines than this: too little text to tell (blank page, photograph); the page is left as it is."""
LINES_READ = 8
"""How many of the longest lines are cut into pieces for the classifier and the recogniser."""
PIECES_PER_LINE = 2
"""Pieces cut from each of those lines (spread along it): more votes, each undistorted."""
PIECE_ASPECT = 4.0
"""A piece is this many times as wide as the line is high: the classifier's own 192 x 48 input."""
PIECES_RECOGNISED = 4
"""Pieces the recogniser reads both ways before a turn is made (only when a turn is in question)."""
MIN_READ_SCORE = 0.75
"""A turn is made only when the pieces, turned so, read with at least this mean recogniser confidence,"""
MIN_READ_MARGIN = 0.15
"""and this much better than turned the other way round (upright print reads ~0.99, upside-down ~0.3-0.6)."""


class OrientationModels(Protocol):
    """What an engine lends to find a page's orientation. Images are RGB ``uint8``."""

    def detect(self, image: np.ndarray) -> np.ndarray:
        """Quadrilaterals (N x 4 x 2) of the text found in ``image``, searched at its own size, in its pixels."""
        ...

    def upright_probability(self, pieces: list[np.ndarray]) -> list[float]:
        """For each horizontal piece of a line, the probability that it is upright rather than upside down."""
        ...

    def read_scores(self, pieces: list[np.ndarray]) -> list[float]:
        """For each horizontal piece of a line, the recogniser's confidence in what it reads there (0..1)."""
        ...


def orienting_engine(options: OcrOptions | None) -> PageOrienter | None:
    """The engine that turns pages upright under ``options``, or None: orientation off, or no engine to be had.

    An engine that cannot be built is not the render stage's failure: the OCR stage reports it, page by page.
    """
    if options is None or not options.auto_orient:
        return None
    try:
        engine = get_engine(options)
    except (ImportError, ValueError, OSError) as exc:
        logger.warning("pages are not turned upright: the OCR engine %r cannot be built: %s", options.engine, exc)
        return None
    return engine if isinstance(engine, PageOrienter) else None


def upright_turn(image: np.ndarray, engine: PageOrienter | None) -> int:
    """Degrees clockwise that turn the RGB page ``image`` upright, as ``engine`` finds it.

    Never raises: an engine that cannot tell (or is None, or fails on this page) leaves the page as it is (0).
    """
    if engine is None:
        return 0
    try:
        clockwise = int(engine.upright_turn(image)) % 360
    except Exception:  # orientation is a help, never a reason to lose a page
        logger.warning("could not tell which way up a page is; it is kept as rendered", exc_info=True)
        return 0
    return clockwise if clockwise in (0, 90, 180, 270) else 0


def find_upright_turn(image: np.ndarray, models: OrientationModels, options: OcrOptions) -> int:
    """Degrees clockwise (0, 90, 180, 270) that turn the RGB page ``image`` upright; 0 when it cannot tell."""
    boxes = _search(image, models, options)
    wide, tall = _lines(boxes)
    if len(wide) + len(tall) < MIN_LINES:
        return 0
    sideways = _length(boxes[tall]) >= SIDEWAYS_RATIO * _length(boxes[wide])
    base = 90 if sideways else 0
    chosen = boxes[tall] if sideways else boxes[wide]
    longest = chosen[np.argsort(-_long_sides(chosen))[:LINES_READ]]
    pieces = _pieces(turn_image(image, base), _turn_points(longest, image.shape, base))
    if not pieces:
        return 0
    if sideways:
        return _confirmed(base, pieces[:PIECES_RECOGNISED], models)
    upright = models.upright_probability(pieces)
    if float(np.mean(upright)) >= 0.5:
        return 0
    # Upside down, says the classifier: the pieces it is surest of are read both ways before the page is turned.
    doubted = [pieces[i] for i in np.argsort(upright)[:PIECES_RECOGNISED]]
    return _confirmed(base, doubted, models)


def _search(image: np.ndarray, models: OrientationModels, options: OcrOptions) -> np.ndarray:
    """The text boxes of the page found on a shrunk copy, in the page's pixels."""
    long_side = max(image.shape[:2])
    side = min(long_side, max(SEARCH_MIN_SIDE, min(SEARCH_MAX_SIDE, round(options.orientation_scale * long_side))))
    scale = side / long_side
    small = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if options.remove_red_ink:
        small = remove_red_ink(small)
    found = np.asarray(models.detect(pad_with_paper(small, SEARCH_MARGIN)), dtype=float).reshape(-1, 4, 2)
    boxes: np.ndarray = (found - SEARCH_MARGIN) / scale
    return boxes


def _lines(boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the wide and of the tall boxes that are lines (long and thin, whatever their corner order)."""
    first, second = boxes[:, 1] - boxes[:, 0], boxes[:, 3] - boxes[:, 0]
    first_len, second_len = np.linalg.norm(first, axis=1), np.linalg.norm(second, axis=1)
    axis = np.where((first_len >= second_len)[:, None], first, second)
    long_len, short_len = np.maximum(first_len, second_len), np.minimum(first_len, second_len)
    is_line = long_len >= ELONGATION * np.maximum(short_len, 1e-6)
    is_wide = np.abs(axis[:, 0]) >= np.abs(axis[:, 1])
    return np.flatnonzero(is_line & is_wide), np.flatnonzero(is_line & ~is_wide)


def _long_sides(boxes: np.ndarray) -> np.ndarray:
    sides: np.ndarray = np.maximum(
        np.linalg.norm(boxes[:, 1] - boxes[:, 0], axis=1), np.linalg.norm(boxes[:, 3] - boxes[:, 0], axis=1)
    )
    return sides


def _length(boxes: np.ndarray) -> float:
    return float(_long_sides(boxes).sum()) if len(boxes) else 0.0


def _turn_points(boxes: np.ndarray, shape: tuple[int, ...], clockwise: int) -> np.ndarray:
    """Points of an image of ``shape`` where they are once it is turned ``clockwise`` (0 or 90) degrees."""
    if clockwise == 0:
        return boxes
    height = shape[0]
    return np.stack([height - boxes[..., 1], boxes[..., 0]], axis=-1)


def _pieces(image: np.ndarray, boxes: np.ndarray) -> list[np.ndarray]:
    """Horizontal pieces of the wide ``boxes``, cut straight from ``image`` (a skewed line is warped level).

    The first piece of every line comes first, then the second ones: any leading slice spans many lines.
    """
    by_line = [_line_pieces(image, box) for box in boxes]
    return [line[rank] for rank in range(PIECES_PER_LINE) for line in by_line if rank < len(line)]


def _line_pieces(image: np.ndarray, box: np.ndarray) -> list[np.ndarray]:
    top_left, top_right, bottom_right, bottom_left = _corners(box)
    height = float(np.linalg.norm(bottom_left - top_left))
    length = float(np.linalg.norm(top_right - top_left))
    if height < 1 or length < 1:
        return []
    piece_length = min(length, PIECE_ASPECT * height)
    count = min(PIECES_PER_LINE, max(1, math.floor(length / piece_length)))
    pieces = []
    for start in np.linspace(0.0, length - piece_length, count):
        a, b = start / length, (start + piece_length) / length
        quad = np.array(
            [
                top_left + a * (top_right - top_left),
                top_left + b * (top_right - top_left),
                bottom_left + b * (bottom_right - bottom_left),
                bottom_left + a * (bottom_right - bottom_left),
            ],
            dtype=np.float32,
        )
        pieces.append(_warp(image, quad, round(piece_length), round(height)))
    return pieces


def _corners(box: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The corners of a near-horizontal box as top-left, top-right, bottom-right, bottom-left."""
    total, diff = box.sum(axis=1), box[:, 1] - box[:, 0]
    return box[np.argmin(total)], box[np.argmin(diff)], box[np.argmax(total)], box[np.argmax(diff)]


def _warp(image: np.ndarray, quad: np.ndarray, width: int, height: int) -> np.ndarray:
    # Only the quad's neighbourhood is copied: ``image`` may be a turned view of a whole page.
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + 1
    x0, y0 = max(x0, 0), max(y0, 0)
    region = np.ascontiguousarray(image[y0:y1, x0:x1])
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad - np.array([x0, y0], dtype=np.float32), target)
    return cv2.warpPerspective(region, matrix, (max(width, 1), max(height, 1)), borderMode=cv2.BORDER_REPLICATE)


def _confirmed(base: int, pieces: list[np.ndarray], models: OrientationModels) -> int:
    """``base`` or ``base + 180``, whichever the pieces read clearly and clearly better in; else 0 (as it is)."""
    flipped = [turn_image(piece, 180) for piece in pieces]  # views: the models copy what they read
    scores = models.read_scores(pieces + flipped)
    as_cut, turned = float(np.mean(scores[: len(pieces)])), float(np.mean(scores[len(pieces) :]))
    if turned >= MIN_READ_SCORE and turned - as_cut >= MIN_READ_MARGIN:
        return (base + 180) % 360
    if base and as_cut >= MIN_READ_SCORE and as_cut - turned >= MIN_READ_MARGIN:
        return base
    return 0
