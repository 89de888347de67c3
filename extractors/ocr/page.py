"""What every engine does around its models: the page prepared for reading, and its lines put in order.

Every adapter (:mod:`extractors.ocr.rapid`, :mod:`extractors.ocr.paddle`, :mod:`extractors.ocr.tesseract`)
reads the same prepared image, so the benchmark compares the models, not their preparation.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors.ocr.base import OcrOptions
from extractors.text import normalize_text
from models.text import TextLine

DETECTION_MARGIN = 48
"""Paper-coloured pixels added around the image: the detector misses text that touches the image edge
(a tightly cropped line, a value written to the page border)."""

# Red seal ink, in OpenCV's HSV (hue 0-180): red hues either side of 0, clearly coloured, not dark. Print
# under a seal stays: where black ink and red ink overlap the pixel is dark, and dark pixels are kept.
_RED_HUE_LOW, _RED_HUE_HIGH = 12, 160
_RED_MIN_SATURATION = 60
_RED_MIN_VALUE = 90


@dataclass(frozen=True)
class Prepared:
    """A page as the engines read it, and how its pixels map back to the page's."""

    image: np.ndarray
    scale: float
    """Prepared pixels per page pixel (below 1 when the page was shrunk to ``max_side``)."""

    def line(self, box: np.ndarray, text: str, score: float, page_shape: tuple[int, ...]) -> TextLine:
        """A line the engine found at ``box`` (in prepared pixels), with its box in the page's pixels."""
        return text_line(box, text, score, page_shape, DETECTION_MARGIN, self.scale)


def prepare(image: np.ndarray, options: OcrOptions) -> Prepared:
    """``image`` as the engines read it: red seal ink removed (when asked), shrunk to ``max_side`` if longer,
    a paper margin around it."""
    if options.remove_red_ink:
        image = remove_red_ink(image)
    scale = min(1.0, options.max_side / max(image.shape[:2]))
    if scale < 1.0:
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return Prepared(pad_with_paper(image, DETECTION_MARGIN), scale)


def remove_red_ink(image: np.ndarray) -> np.ndarray:
    """``image`` with red ink (seals, 与原件一致 stamps) turned to white; black and blue print left as it is.

    A seal stamped over a line of print breaks the line up for the detector and adds its own characters to
    it; without the red, the print reads as if unstamped. Seals themselves are read by the seal stage, from
    the page image, not from this copy. A grey scan has no red and is returned unchanged.
    """
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    # Red: a hue below _RED_HUE_LOW or above _RED_HUE_HIGH, saturation and value above their minima. OpenCV's
    # range tests and masked add do it in a third of the time of NumPy's masks (35 against 120 ms a page).
    strong = (_RED_MIN_SATURATION + 1, _RED_MIN_VALUE + 1)
    red = cv2.bitwise_or(
        cv2.inRange(hsv, (0, *strong), (_RED_HUE_LOW - 1, 255, 255)),
        cv2.inRange(hsv, (_RED_HUE_HIGH + 1, *strong), (255, 255, 255)),
    )
    if not cv2.countNonZero(red):
        return image
    cleaned: np.ndarray = cv2.add(image, np.full(3, 255.0), mask=red, dst=image.copy())  # saturates at white
    return cleaned


def to_bgr(image: np.ndarray) -> np.ndarray:
    """An RGB image in OpenCV's BGR order, contiguous, as the engines' models take it.

    OpenCV swaps the channels of a contiguous page in under a millisecond, where NumPy's reversed copy takes
    ~30 ms at 200 DPI; a turned page (a view) is made contiguous first.
    """
    bgr: np.ndarray = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2BGR)
    return bgr


def pad_with_paper(image: np.ndarray, margin: int) -> np.ndarray:
    """``image`` with a ``margin``-pixel border in the median colour of its own edge pixels."""
    edges = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    paper = [int(v) for v in np.median(edges, axis=0)]
    return cv2.copyMakeBorder(image, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=paper)


def detection_side(shape: tuple[int, ...], options: OcrOptions) -> int:
    """The longest side the text detector sees an image of ``shape`` at.

    A page is searched for text at ``detection_scale`` of its resolution (boxes found there are read at full
    resolution); an image whose long side is under ``detection_min_side`` (a crop, a seal legend) as it is.
    """
    long_side = max(shape[:2])
    return min(long_side, max(round(options.detection_scale * long_side), options.detection_min_side))


def text_line(
    box: np.ndarray, text: str, score: float, shape: tuple[int, ...], margin: int = 0, scale: float = 1.0
) -> TextLine:
    """A recognised line from its detection polygon (in an image scaled by ``scale``, then padded by ``margin``),
    clipped to the image of ``shape``."""
    points = (box.reshape(-1, 2) - margin) / scale
    height, width = shape[:2]
    x0, y0 = np.clip(points.min(axis=0), 0, [width, height])
    x1, y1 = np.clip(points.max(axis=0), 0, [width, height])
    return TextLine(
        text=normalize_text(text),
        raw=text,
        score=float(min(max(score, 0.0), 1.0)),
        bbox=[round(float(x0), 1), round(float(y0), 1), round(float(x1), 1), round(float(y1), 1)],
    )


def whole_image_line(text: str, score: float, shape: tuple[int, ...]) -> TextLine:
    """A line recognised without detection: its box is the whole image (a strip cut to one line)."""
    height, width = shape[:2]
    return text_line(np.array([0.0, 0.0, width, height]), text, score, shape)


def sort_reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Lines in reading order: rows top to bottom (a row = vertically overlapping lines), each left to right."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2):
        centre = (line.bbox[1] + line.bbox[3]) / 2
        if rows and abs(centre - _row_centre(rows[-1])) < 0.5 * min(line.height, rows[-1][0].height):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda ln: ln.bbox[0])]


def _row_centre(row: list[TextLine]) -> float:
    return sum((ln.bbox[1] + ln.bbox[3]) / 2 for ln in row) / len(row)
