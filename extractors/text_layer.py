"""A born-digital PDF page's own text, read instead of OCR.

A page exported from Word or Excel (a summary sheet, a typed form) carries its text exactly; reading it costs
nothing and makes no OCR error. The text is taken only where it is the page's real text:

- it is drawn visibly, inside the page and its clipping (a scan's invisible OCR layer, text render mode 3, is
  somebody else's OCR: the page is read by ours);
- no image covers more than :data:`MAX_IMAGE_SHARE` of the page, nor all together more than
  :data:`MAX_IMAGES_SHARE` (a scan, or a page holding a copy of an ID card, 7% of A4, or of a certificate, is
  read by OCR: what matters is in the image; a seal, a signature or a photo of 1 inch is smaller);
- every line runs left to right (a page laid sideways is turned upright and read by OCR);
- its characters decode (a font without a Unicode map gives U+FFFD or private-use code points).

Lines are cut where the print leaves a gap wider than :data:`GAP_EM` of its size, as the OCR detector cuts
them (a table row's cells are separate lines), and their boxes are in the rendered image's pixels.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pymupdf

from extractors.ocr.page import sort_reading_order, text_line
from models.text import TextLine

logger = logging.getLogger(__name__)

MAX_IMAGE_SHARE = 0.04
"""An image covering more of the page than this may hold text (an ID card's copy is 7% of A4): OCR reads it."""
MAX_IMAGES_SHARE = 0.1
"""Images covering more of the page than this together: OCR reads it."""
GAP_EM = 1.0
"""A gap wider than this many times the print's size (blank or spaces) ends a line: table cells stay apart."""
MAX_UNDECODED_SHARE = 0.02
"""More characters than this that decode to nothing readable (U+FFFD, private use, controls): OCR reads it."""
TEXT_LAYER_ENGINE = "pdf-text-layer"
"""``pages[].ocr_engine`` of a page whose own text was read."""


def text_layer(display: pymupdf.DisplayList, images: Sequence[dict[str, Any]], scale: float) -> list[TextLine] | None:
    """The page's own text as lines in reading order, boxes in pixels (page points times ``scale``); None
    where the page must be read by OCR instead (see the module's conditions).

    Args:
        display: The page's display list, as drawn (its /Rotate applied).
        images: The page's image information (``TextPage.extractIMGINFO``), each with its ``bbox``.
        scale: Pixels per point of the rendered image.
    """
    page_area = display.rect.get_area()
    covered = [_area_within(pymupdf.Rect(image["bbox"]), display.rect) for image in images]
    if any(area > MAX_IMAGE_SHARE * page_area for area in covered) or sum(covered) > MAX_IMAGES_SHARE * page_area:
        return None
    try:
        return _lines(display, scale)
    except (RuntimeError, ValueError, KeyError, TypeError):  # a text layer MuPDF cannot take apart: OCR reads it
        logger.warning("the page's text layer could not be read; the page is read by OCR", exc_info=True)
        return None


def _lines(display: pymupdf.DisplayList, scale: float) -> list[TextLine] | None:
    # Only what shows: text outside the page or its clipping paths is left out, as OCR would not see it.
    flags = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
    page = pymupdf.TextPage(display.get_textpage(flags=flags)).extractRAWDICT()
    width, height = display.rect.width * scale, display.rect.height * scale
    lines: list[TextLine] = []
    characters = undecoded = 0
    for block in page["blocks"]:
        for line in block.get("lines", ()):
            if any("alpha" not in span for span in line["spans"]):
                return None  # a PyMuPDF too old to tell invisible text from visible
            spans = [span for span in line["spans"] if span["alpha"] > 0 and span["chars"]]
            if not spans:
                continue
            dx, dy = line["dir"]
            if dx < 0.99 or abs(dy) > 0.05:
                return None
            for piece in _pieces(spans):
                printed = [char for char in piece if not char["c"].isspace()]
                raw = " ".join("".join(char["c"] for char in piece).split())
                characters += len(printed)
                undecoded += sum(_undecoded(char["c"]) for char in printed)
                corners = np.array([char["bbox"] for char in printed], dtype=float)
                # As an engine's line: the box around the characters in pixels, clipped to the page; the text
                # normalised; exact.
                lines.append(text_line(corners * scale, raw, 1.0, (height, width)))
    if not characters or undecoded > MAX_UNDECODED_SHARE * characters:
        return None
    return sort_reading_order(lines)


def _pieces(spans: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The characters of a line's spans in runs, each starting and ending with a printed one, split where the
    print leaves a gap wider than :data:`GAP_EM` (spaces between words inside a run are kept)."""
    piece: list[dict[str, Any]] = []
    spaces: list[dict[str, Any]] = []
    right = 0.0
    for span in spans:
        gap = GAP_EM * float(span["size"])
        for char in span["chars"]:
            if char["c"].isspace():
                spaces.append(char)
                continue
            if piece and char["bbox"][0] - right > gap:
                yield piece
                piece = []
            elif piece:
                piece += spaces
            spaces = []
            piece.append(char)
            right = char["bbox"][2]
    if piece:
        yield piece


def _area_within(rect: pymupdf.Rect, page: pymupdf.Rect) -> float:
    inside = rect & page
    return 0.0 if inside.is_empty else float(inside.get_area())


def _undecoded(char: str) -> bool:
    return char == "\ufffd" or unicodedata.category(char) in ("Co", "Cc", "Cn")
