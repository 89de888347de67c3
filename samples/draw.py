"""Drawing forms the way the notices' templates are laid out, remembering where every value went.

Pages are drawn as vectors with PyMuPDF's built-in CJK font, then rasterised
like a scanner would see them. Every value written is recorded as a
:class:`Placed` (its truth key, the text and the rectangle of its ink, in
points), and every place that says 盖章 as a :class:`SealSpot`, so the ground
truth knows exactly what is where.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pymupdf

from samples.seals import SealShape

FONT = pymupdf.Font("china-s")
FONT_ALIAS = "cjk"
LINE_SPACING = 1.35
CELL_PADDING = 4.0
FONT_STEP = 0.5
MIN_FONT_SIZE = 5.0
NO_WRAP_SIZE_RATIO = 0.8
INK = (0.0, 0.0, 0.0)
VALUE_INK = (0.05, 0.05, 0.12)
RULE_WIDTH = 0.8
FRAME_WIDTH = 1.3

A4 = pymupdf.Rect(0, 0, 595.28, 841.89)
A4_LANDSCAPE = pymupdf.Rect(0, 0, 841.89, 595.28)
A3_LANDSCAPE = pymupdf.Rect(0, 0, 1190.55, 841.89)
MARGIN = 56.0


@dataclass(frozen=True)
class Style:
    """How text is set inside a box: the largest size tried, alignment, wrapping."""

    size: float = 11.0
    align: str = "center"
    wrap: bool = True
    color: tuple[float, float, float] = INK
    valign: str = "middle"


LABEL = Style(size=11.0)
VALUE = Style(size=11.0, color=VALUE_INK)
PARAGRAPH = Style(size=11.0, align="left", color=VALUE_INK, valign="top")


@dataclass(frozen=True)
class Placed:
    """A value written on a page: its truth key (``applicant.name``, ``summary[2].id_number`` …)."""

    key: str
    text: str
    rect: pymupdf.Rect


@dataclass(frozen=True)
class SealSpot:
    """A place that says 盖章: whose seal belongs there, and the box it certifies."""

    centre: tuple[float, float]
    unit: str
    box: str
    shape: SealShape = "round"


@dataclass
class Sheet:
    """One page being drawn, with what was written on it."""

    page: pymupdf.Page
    doc_type: str
    placed: list[Placed] = field(default_factory=list)
    seal_spots: list[SealSpot] = field(default_factory=list)
    copy_mark_spot: tuple[float, float] | None = None

    @property
    def width(self) -> float:
        return float(self.page.rect.width)


def new_sheet(doc: pymupdf.Document, doc_type: str, rect: pymupdf.Rect = A4) -> Sheet:
    """A blank page of ``rect``'s size with the CJK font registered."""
    page = doc.new_page(width=rect.width, height=rect.height)
    page.insert_font(fontname=FONT_ALIAS, fontbuffer=FONT.buffer)
    return Sheet(page=page, doc_type=doc_type)


def text_width(text: str, size: float) -> float:
    return float(FONT.text_length(text, fontsize=size))


def _wrap(text: str, width: float, size: float, wrap: bool) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for char in paragraph:
            if wrap and current and text_width(current + char, size) > width:
                lines.append(current)
                current = char
            else:
                current += char
        lines.append(current)
    return lines


def _fit(text: str, box: pymupdf.Rect, sizes: tuple[float, float], wrap: bool) -> tuple[float, list[str]] | None:
    size, smallest = sizes
    while size >= smallest:
        lines = _wrap(text, box.width, size, wrap)
        widest = max(text_width(line, size) for line in lines)
        if widest <= box.width and len(lines) * size * LINE_SPACING <= box.height:
            return size, lines
        size -= FONT_STEP
    return None


def fit_text(text: str, box: pymupdf.Rect, style: Style) -> tuple[float, list[str]]:
    """The largest size (<= ``style.size``) at which ``text`` fits ``box``, and its lines.

    Short labels shrink a little before they wrap; below that, wrapping is allowed.

    Raises:
        ValueError: the text does not fit even at the smallest size.
    """
    fitted = _fit(text, box, (style.size, style.size * NO_WRAP_SIZE_RATIO), wrap=False) or _fit(
        text, box, (style.size, MIN_FONT_SIZE), style.wrap
    )
    if fitted is None:
        raise ValueError(f"text does not fit in {box}: {text!r}")
    return fitted


def write(sheet: Sheet, rect: pymupdf.Rect, text: str, style: Style, key: str | None = None) -> pymupdf.Rect | None:
    """Set ``text`` in ``rect`` (padded), vertically centred, shrunk to fit; record it under ``key``.

    Returns:
        The rectangle of the written text, or None for empty text.
    """
    if not text:
        return None
    box = pymupdf.Rect(rect.x0 + CELL_PADDING, rect.y0 + CELL_PADDING, rect.x1 - CELL_PADDING, rect.y1 - CELL_PADDING)
    size, lines = fit_text(text, box, style)
    line_height = size * LINE_SPACING
    glyph_height = size * (FONT.ascender - FONT.descender)
    top = box.y0 + ((box.height - len(lines) * line_height) / 2 if style.valign == "middle" else 0.0)
    ink = pymupdf.Rect()
    for index, line in enumerate(lines):
        baseline = top + index * line_height + (line_height - glyph_height) / 2 + size * FONT.ascender
        width = text_width(line, size)
        x = box.x0 + ((box.width - width) / 2 if style.align == "center" else 0.0)
        sheet.page.insert_text((x, baseline), line, fontname=FONT_ALIAS, fontsize=size, color=style.color)
        ink |= pymupdf.Rect(x, baseline - size * FONT.ascender, x + width, baseline - size * FONT.descender)
    if key is not None:
        sheet.placed.append(Placed(key=key, text=text, rect=ink))
    return ink


def write_line(
    sheet: Sheet, point: tuple[float, float], text: str, size: float, key: str | None = None, style: Style = LABEL
) -> float:
    """One line of text with its baseline at ``point``; returns its right edge."""
    sheet.page.insert_text(point, text, fontname=FONT_ALIAS, fontsize=size, color=style.color)
    right = point[0] + text_width(text, size)
    if key is not None:
        ink = pymupdf.Rect(point[0], point[1] - size * FONT.ascender, right, point[1] - size * FONT.descender)
        sheet.placed.append(Placed(key=key, text=text, rect=ink))
    return right


def write_centred(sheet: Sheet, baseline: float, text: str, size: float) -> None:
    """A line centred on the page (titles)."""
    write_line(sheet, ((sheet.width - text_width(text, size)) / 2, baseline), text, size)


@dataclass(frozen=True)
class Cell:
    """A table cell over grid columns ``first`` (inclusive) to ``last`` (exclusive)."""

    first: int
    last: int
    text: str = ""
    style: Style = LABEL
    key: str | None = None
    seal_unit: str | None = None
    box: str | None = None


@dataclass(frozen=True)
class Row:
    height: float
    cells: tuple[Cell, ...]


def label(first: int, last: int, text: str) -> Cell:
    return Cell(first, last, text, LABEL)


def value(first: int, last: int, text: str, key: str | None, style: Style = VALUE) -> Cell:
    return Cell(first, last, text, style, key)


def draw_table(sheet: Sheet, columns: Sequence[float], top: float, rows: Sequence[Row]) -> float:
    """A ruled table; cells with a ``seal_unit`` get a 盖章 line and a seal spot. Returns the bottom y."""
    y = top
    for row in rows:
        for cell in row.cells:
            rect = pymupdf.Rect(columns[cell.first], y, columns[cell.last], y + row.height)
            sheet.page.draw_rect(rect, color=INK, width=RULE_WIDTH)
            if cell.seal_unit is not None:
                _opinion_box(sheet, rect, cell)
            else:
                write(sheet, rect, cell.text, cell.style, cell.key)
        y += row.height
    sheet.page.draw_rect(pymupdf.Rect(columns[0], top, columns[-1], y), color=INK, width=FRAME_WIDTH)
    return y


OPINION_SIZE = 10.5


def _opinion_box(sheet: Sheet, rect: pymupdf.Rect, cell: Cell) -> None:
    """An opinion box: its text at the top, 签字/（盖章）/年 月 日 at the bottom right, and where the seal goes."""
    body = pymupdf.Rect(rect.x0, rect.y0, rect.x1, rect.y1 - 3 * OPINION_SIZE)
    write(sheet, body, cell.text, Style(size=OPINION_SIZE, align="left", color=VALUE_INK))
    baseline = rect.y1 - OPINION_SIZE
    stamp_text = "（盖章）      年    月    日"
    x = rect.x1 - CELL_PADDING * 3 - text_width(stamp_text, OPINION_SIZE)
    write_line(sheet, (x, baseline), stamp_text, OPINION_SIZE)
    centre = (x + text_width("（盖章）", OPINION_SIZE) / 2 + 20, baseline - 22)
    sheet.seal_spots.append(SealSpot(centre=centre, unit=cell.seal_unit or "", box=cell.box or cell.text))
