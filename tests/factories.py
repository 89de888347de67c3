"""Small test files made on the fly: rendered form pages, scans in every format, and broken inputs."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image

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


def bomb_png(path: Path, side: int = 60_000) -> Path:
    """A tiny PNG whose header claims ``side`` x ``side`` pixels of one colour (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * (1 + side // 8), 9)  # one row only: the file stays tiny
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    return path
