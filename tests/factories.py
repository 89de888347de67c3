"""Small test files made on the fly: rendered form pages, scans in every format, and broken inputs."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pymupdf
from PIL import Image

from extractors.text import normalize_text
from models.report import Field
from models.text import TextLine

A4 = (595.0, 842.0)
DPI = 200

# Text of a rendered luzhou form page, line by line: the ground truth of the OCR tests.
FORM_LINES = (
    "泸州市首席技师申报表",
    "姓名：王建国    性别：男    出生年月：1978.05",
    "个人身份证号：51050219780512003X",
    "工作单位：泸州北方化学工业有限公司",
    "职业（工种）：焊工    职业资格等级：高级技师",
    "参工时间：1996.07    政治面貌：中共党员    文化程度：大专",
    "个人联系电话：手机 13980001234",
)


def text_pdf(path: Path, pages: Sequence[Sequence[str]], page_size: tuple[float, float] = A4, rotate: int = 0) -> Path:
    """A PDF whose pages carry the given lines in the CJK font, 40 pt apart."""
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page(width=page_size[0], height=page_size[1])
        for row, text in enumerate(lines):
            page.insert_text((60, 80 + 40 * row), text, fontname="china-s", fontsize=14)
        if rotate:
            page.set_rotation(rotate)
    doc.save(path)
    doc.close()
    return path


def page_image(lines: Sequence[str] = FORM_LINES) -> np.ndarray:
    """One A4 page with ``lines``, rendered at 200 DPI as an RGB array."""
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    for row, text in enumerate(lines):
        page.insert_text((60, 80 + 40 * row), text, fontname="china-s", fontsize=14)
    pixmap = page.get_pixmap(dpi=DPI, alpha=False)
    image = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, 3).copy()
    doc.close()
    return image


def image_file(path: Path, image: np.ndarray, dpi: int | None = DPI, **save: object) -> Path:
    """Save an RGB array as PNG, JPEG, BMP or TIFF (by suffix), with a DPI tag unless ``dpi`` is None."""
    pil = Image.fromarray(image)
    if dpi is not None:
        save.setdefault("dpi", (dpi, dpi))
    pil.save(path, **save)  # type: ignore[arg-type]
    return path


def multipage_tiff(path: Path, images: Sequence[np.ndarray], dpi: int = DPI) -> Path:
    frames = [Image.fromarray(image) for image in images]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(dpi, dpi), compression="tiff_deflate")
    return path


def truncated_pdf(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def encrypted_pdf(path: Path, source: Path, user_password: str = "secret") -> Path:
    doc = pymupdf.open(source)
    aes_256 = pymupdf.PDF_ENCRYPT_AES_256  # type: ignore[attr-defined]
    doc.save(path, encryption=aes_256, user_pw=user_password, owner_pw="owner-password")
    doc.close()
    return path


def zero_page_pdf(path: Path) -> Path:
    """A well-formed PDF with an empty page tree (PyMuPDF refuses to save one, so it is written by hand)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    body = io.BytesIO()
    body.write(b"%PDF-1.7\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(body.tell())
        body.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = body.tell()
    body.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        body.write(b"%010d 00000 n \n" % offset)
    body.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path.write_bytes(body.getvalue())
    return path


def zip_named_pdf(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("scan.pdf", b"%PDF-1.7 not really")
    return path


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bilevel_png(side: int, rows: int | None = None) -> bytes:
    """A 1-bit black PNG of ``side`` x ``side`` pixels: all its rows, or only ``rows`` of them (a short stream).

    The rows are compressed as they are made, so even 60000 x 60000 pixels never sit in memory.
    """
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit per pixel, greyscale
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte 0, then all-zero (black) pixels
    compressor = zlib.compressobj(9)
    written, parts = 0, []
    total = side if rows is None else rows
    while written < total:
        batch = min(1000, total - written)
        parts.append(compressor.compress(row * batch))
        written += batch
    parts.append(compressor.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", b"".join(parts))
        + png_chunk(b"IEND", b"")
    )


def bomb_png(path: Path, side: int = 60_000) -> Path:
    """A tiny PNG whose header claims ``side`` x ``side`` pixels of one colour (a decompression bomb)."""
    path.write_bytes(bilevel_png(side, rows=1))  # one row only: the file stays tiny
    return path


FORM_FONT = 11.0
CELL_PADDING = 4.0
PT_TO_PX = DPI / 72


@dataclass
class RuledPage:
    """A page with ruled tables drawn by PyMuPDF, and the text lines an ideal OCR would return for it."""

    image: np.ndarray
    lines: list[TextLine]


Cell = tuple[str, float]
"""(text, width in points) of one cell; the text may hold several lines separated by newlines."""


def ruled_page(
    tables: Sequence[tuple[float, Sequence[tuple[float, Sequence[Cell]]]]],
    *,
    free_text: Sequence[tuple[float, float, str, float]] = (),
    page_size: tuple[float, float] = A4,
    left: float = 60.0,
    skew_degrees: float = 0.0,
    red_disc: tuple[float, float, float] | None = None,
    skip_vertical: Sequence[tuple[int, int, int]] = (),
) -> RuledPage:
    """Draw tables (``(top, [(row height, [cells])])``, each row with its own columns) and free text.

    Args:
        tables: Each table's top (points) and rows; a row is its height and its cells left to right.
        free_text: ``(x, y, text, size)`` lines outside the tables (titles, cover labels), baseline at y.
        page_size: Page size in points (A4 portrait by default).
        left: Left edge of the tables.
        skew_degrees: Rotate the rendered page (and the text boxes) by this angle, as a skewed scan.
        red_disc: ``(x, y, radius)`` in points of a red disc of seal ink stamped over everything.
        skip_vertical: ``(table, row, cell)`` whose right rule is not drawn (a faint or missing rule).
    """
    doc = pymupdf.open()
    page = doc.new_page(width=page_size[0], height=page_size[1])
    boxes: list[tuple[str, tuple[float, float, float, float]]] = []
    for table_index, (top, rows) in enumerate(tables):
        y = top
        for row_index, (height, cells) in enumerate(rows):
            x = left
            page.draw_line((x, y), (x, y + height), width=0.8)
            for cell_index, (text, width) in enumerate(cells):
                parts = [part for part in text.split("\n") if part]
                line_height = FORM_FONT * 1.4
                first = y + (height - line_height * len(parts)) / 2
                for number, part in enumerate(parts):
                    baseline = first + line_height * number + FORM_FONT
                    page.insert_text((x + CELL_PADDING, baseline), part, fontname="china-s", fontsize=FORM_FONT)
                    length = pymupdf.get_text_length(part, fontname="china-s", fontsize=FORM_FONT)
                    boxes.append(
                        (part, (x + CELL_PADDING, baseline - FORM_FONT, x + CELL_PADDING + length, baseline + 2))
                    )
                x += width
                if (table_index, row_index, cell_index) not in skip_vertical:
                    page.draw_line((x, y), (x, y + height), width=0.8)
            page.draw_line((left, y), (x, y), width=0.8)
            page.draw_line((left, y + height), (x, y + height), width=0.8)
            y += height
    for x, y, text, size in free_text:
        page.insert_text((x, y), text, fontname="china-s", fontsize=size)
        length = pymupdf.get_text_length(text, fontname="china-s", fontsize=size)
        boxes.append((text, (x, y - size, x + length, y + 2)))
    pixmap = page.get_pixmap(dpi=DPI, alpha=False)
    image: np.ndarray = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, 3).copy()
    doc.close()
    if red_disc is not None:
        # Seal ink is translucent: it multiplies the paper and the print under it (black stays black).
        cx, cy, radius = (value * PT_TO_PX for value in red_disc)
        ys, xs = np.ogrid[: image.shape[0], : image.shape[1]]
        inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= radius**2
        image[inside] = (image[inside] * np.array([0.92, 0.3, 0.3])).astype(np.uint8)
    matrix = cv2.getRotationMatrix2D((image.shape[1] / 2, image.shape[0] / 2), skew_degrees, 1.0)
    if skew_degrees:
        image = cv2.warpAffine(image, matrix, (image.shape[1], image.shape[0]), borderValue=(255, 255, 255))
    lines = []
    for text, (x0, y0, x1, y1) in boxes:
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]]) * [PT_TO_PX, PT_TO_PX, 1]
        moved = corners @ matrix.T
        bbox = [float(moved[:, 0].min()), float(moved[:, 1].min()), float(moved[:, 0].max()), float(moved[:, 1].max())]
        lines.append(TextLine(text=normalize_text(text), raw=text, score=0.98, bbox=bbox))
    return RuledPage(image=image, lines=lines)


def read(value: str | None, page: int = 0, confidence: float = 0.99) -> Field:
    """A confident field read on ``page`` (the reports the checks, storage and reviewer tests build)."""
    return Field(value=value, confidence=confidence, page=page, bbox=[10, 10, 200, 50], raw=value)
