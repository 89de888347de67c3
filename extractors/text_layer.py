"""A born-digital PDF page's own text, read instead of OCR.

A page exported from Word or Excel (a summary sheet, a typed form) carries its text exactly; reading it costs
nothing and makes no OCR error. The text is taken only where it is the page's real text:

- it is drawn visibly (a scan's invisible OCR layer, text render mode 3, is somebody else's OCR: the page is
  read by ours);
- images cover at most :data:`MAX_IMAGE_SHARE` of the page (a scan, or a page holding a copy of an ID card or
  a certificate, is read by OCR: what matters is in the image);
- every line runs left to right (a page laid sideways is turned upright and read by OCR);
- its characters decode (a font without a Unicode map gives U+FFFD or private-use code points).

Lines are cut where the print leaves a gap wider than :data:`GAP_EM` of its size, as the OCR detector cuts
them (a table row's cells are separate lines), and their boxes are in the rendered image's pixels.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

import pymupdf

from extractors.ocr.page import sort_reading_order
from extractors.text import normalize_text
from models.text import TextLine

MAX_IMAGE_SHARE = 0.1
"""Images covering more of the page than this make it a scan, or a page holding one: OCR reads it."""
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
    covered = sum((_area_within(pymupdf.Rect(image["bbox"]), display.rect) for image in images), 0.0)
    if covered > MAX_IMAGE_SHARE * display.rect.get_area():
        return None
    page = pymupdf.TextPage(display.get_textpage(flags=pymupdf.TEXT_PRESERVE_WHITESPACE)).extractRAWDICT()
    lines: list[TextLine] = []
    characters = undecoded = 0
    for block in page["blocks"]:
        for line in block.get("lines", ()):
            spans = [span for span in line["spans"] if span.get("alpha", 255) > 0 and span["chars"]]
            if not spans:
                continue
            dx, dy = line["dir"]
            if dx < 0.99 or abs(dy) > 0.05:
                return None
            for piece in _pieces(spans):
                raw = "".join(char["c"] for char in piece).strip()
                characters += len(raw)
                undecoded += sum(_undecoded(char) for char in raw)
                x0 = min(char["bbox"][0] for char in piece) * scale
                y0 = min(char["bbox"][1] for char in piece) * scale
                x1 = max(char["bbox"][2] for char in piece) * scale
                y1 = max(char["bbox"][3] for char in piece) * scale
                lines.append(
                    TextLine(
                        text=normalize_text(raw),
                        raw=raw,
                        score=1.0,
                        bbox=[round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)],
                    )
                )
    if not characters or undecoded > MAX_UNDECODED_SHARE * characters:
        return None
    return sort_reading_order(lines)


def _pieces(spans: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The printed characters of a line's spans, in runs split at gaps wider than :data:`GAP_EM`."""
    piece: list[dict[str, Any]] = []
    right = 0.0
    for span in spans:
        gap = GAP_EM * float(span["size"])
        for char in span["chars"]:
            if char["c"].isspace():
                continue
            if piece and char["bbox"][0] - right > gap:
                yield piece
                piece = []
            piece.append(char)
            right = char["bbox"][2]
    if piece:
        yield piece


def _area_within(rect: pymupdf.Rect, page: pymupdf.Rect) -> float:
    inside = rect & page
    return 0.0 if inside.is_empty else float(inside.get_area())


def _undecoded(char: str) -> bool:
    return char == "\ufffd" or unicodedata.category(char) in ("Co", "Cc", "Cn")
