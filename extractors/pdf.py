"""Open a scanned packet (PDF, multi-page TIFF, PNG, JPEG, BMP) and render each page once at 200 DPI.

Every way a file can be unusable (empty, truncated, encrypted, corrupt, not a
document at all, too many pages, pages too large) raises :class:`DocumentError`
with a sentence a registry clerk can act on, before any large allocation.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pydantic
import pymupdf
from PIL import Image, ImageOps, ImageSequence
from pydantic import BaseModel, ConfigDict

from extractors.text_layer import text_layer
from models.text import TextLine

logger = logging.getLogger(__name__)

POINTS_PER_INCH = 72.0
_SNIFF_BYTES = 1024
_EOF_TAIL_BYTES = 4096
# Plausible physical size of a scanned sheet (A6 .. A2, inches): an image whose
# DPI tag implies anything else carries a placeholder DPI (often 72) and is kept at its pixel size.
_PLAUSIBLE_LONG_SIDE_INCHES = (5.0, 24.0)
_EXIF_ROTATION = {3: 180, 4: 180, 5: 270, 6: 90, 7: 90, 8: 270}  # the clockwise turn each orientation asks
EMBEDDED_IMAGE_FACTOR = 4
"""An image drawn on a PDF page may hold at most this many times ``RenderOptions.max_page_pixels``: the largest
page allowed, scanned at twice the render DPI (240 M pixels at the defaults; an A4 scan at 600 DPI is 35 M).
MuPDF decodes some images (JPEG 2000) in full before scaling them to the page, whatever the page's size: a PDF
of 2 kB drawing a 20000 x 20000 one on an A4 page takes 2 GB and 15 s to render, and it grows with the square."""

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


class RenderOptions(BaseModel):
    """Options and limits of the load-and-render stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dpi: int = pydantic.Field(default=200, ge=72, le=600, description="Resolution every page is rendered at")
    max_pages: int = pydantic.Field(default=300, ge=1, description="Packets with more pages are refused")
    max_page_pixels: int = pydantic.Field(
        default=60_000_000,
        ge=1_000_000,
        description="Largest page, in pixels at the render DPI (A2 at 200 DPI is ~31 M); larger is refused. "
        "An image drawn on a PDF page may hold EMBEDDED_IMAGE_FACTOR (4) times as many",
    )
    max_file_bytes: int = pydantic.Field(
        default=1 << 30, ge=1 << 20, description="Files larger than this are refused unread"
    )
    use_text_layer: bool = pydantic.Field(
        default=True,
        description="Read a born-digital PDF page's own visible text instead of OCR (not a scan: no image covers "
        "more than 4% of it, nor all together a tenth; see extractors.text_layer); false reads every page by OCR",
    )


class DocumentError(Exception):
    """The file cannot be used as a packet; ``str(exc)`` is the readable reason."""


@dataclass(frozen=True)
class RenderedPage:
    """One page as an upright RGB image at the render DPI."""

    index: int
    image: np.ndarray
    rotation: int
    """Degrees the page was turned to be upright (its PDF /Rotate or EXIF orientation, and any turn after)."""
    text_layer: list[TextLine] | None = None
    """The page's own text where a born-digital PDF page carries it (:mod:`extractors.text_layer`), in this
    image's pixels, read instead of OCR; None where OCR reads the page."""

    def turned(self, clockwise: int) -> RenderedPage:
        """This page turned ``clockwise`` degrees more (a multiple of 90), its ``rotation`` counting the turn (a
        turned page is read by OCR: its text layer is left behind)."""
        if clockwise % 360 == 0:
            return self
        image = np.ascontiguousarray(turn_image(self.image, clockwise))
        return RenderedPage(index=self.index, image=image, rotation=(self.rotation + clockwise) % 360)

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


def turn_image(image: np.ndarray, clockwise: int) -> np.ndarray:
    """``image`` turned ``clockwise`` degrees (a multiple of 90), as a view."""
    return np.rot90(image, -(clockwise // 90) % 4)


class Document(Protocol):
    """An opened packet: its page count and its pages, rendered one at a time."""

    page_count: int

    def render(self, index: int) -> RenderedPage: ...

    def close(self) -> None: ...


def sha256_file(path: Path) -> str:
    """SHA-256 of the file's bytes, hex.

    Raises:
        OSError: The file cannot be read, or is not a regular file: a named pipe is never read (opened without
            waiting, as reading one waits for a writer that may never come), nor a device.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        stream = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def sniff_format(head: bytes) -> str:
    """The document format from the file's first bytes, whatever its name says.

    Returns:
        ``pdf``, ``png``, ``jpeg``, ``tiff`` or ``bmp``.

    Raises:
        DocumentError: the bytes are not one of those formats (the message says what they look like).
    """
    if not head:
        raise DocumentError("文件为空 (the file is empty: 0 bytes)")
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    # Readers accept a PDF header anywhere in the first 1024 bytes, but a ZIP or a
    # program that merely contains the string is not a PDF.
    if b"%PDF-" in head[:_SNIFF_BYTES] and not head.startswith(_FOREIGN_MAGIC):
        return "pdf"
    raise DocumentError(f"不是 PDF 或扫描图像 (not a PDF or a scanned image: {_describe(head)})")


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
)


_ZIP_MAGIC = b"PK\x03\x04"
_PROGRAM_MAGIC = (b"\x7fELF", b"MZ", b"\xcf\xfa\xed\xfe", b"#!")
_FOREIGN_MAGIC = (_ZIP_MAGIC, *_PROGRAM_MAGIC)


def _describe(head: bytes) -> str:
    if head.startswith(_ZIP_MAGIC):
        return "the file is a ZIP archive (or an Office document)"
    if head.startswith(_PROGRAM_MAGIC):
        return "the file is an executable program"
    if head.startswith((b"GIF8", b"RIFF")):
        return "the file is an image format that scanners do not produce (GIF/WebP); convert it to PDF or PNG"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "the content is unrecognised binary data"
    return "the file is plain text"


def open_document(path: Path, options: RenderOptions) -> Document:
    """Open ``path`` as a packet after checking it is a usable document within the limits.

    Raises:
        DocumentError: why the file cannot be used.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
    except OSError as exc:
        raise DocumentError(f"无法读取文件 (cannot read the file: {exc.strerror or exc})") from exc
    if size > options.max_file_bytes:
        raise DocumentError(
            f"文件过大 (the file is {size / 2**20:.0f} MiB, "
            f"above the limit of {options.max_file_bytes / 2**20:.0f} MiB)"
        )
    fmt = sniff_format(head)
    document: Document = _PdfDocument(path, options) if fmt == "pdf" else _ImageDocument(path, options)
    if document.page_count == 0:
        document.close()
        raise DocumentError("文件没有页面 (the document has no pages)")
    if document.page_count > options.max_pages:
        count = document.page_count
        document.close()
        raise DocumentError(f"页数过多 (the document has {count} pages, above the limit of {options.max_pages})")
    return document


class _PdfDocument:
    def __init__(self, path: Path, options: RenderOptions) -> None:
        _refuse_truncated(path)
        try:
            self._doc = pymupdf.open(path, filetype="pdf")
        except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
            raise DocumentError(f"PDF 文件已损坏，无法打开 (the PDF is corrupt and cannot be opened: {exc})") from exc
        if self._doc.needs_pass and not self._doc.authenticate(""):
            self._doc.close()
            raise DocumentError("PDF 已加密，需要密码才能打开 (the PDF is encrypted and needs a password)")
        self._options = options
        self.page_count = self._doc.page_count
        if self._doc.is_repaired:
            logger.warning("%s: damaged PDF structure was repaired while opening", path.name)

    def render(self, index: int) -> RenderedPage:
        page = self._doc.load_page(index)
        scale = self._options.dpi / POINTS_PER_INCH
        width, height = page.rect.width * scale, page.rect.height * scale
        _check_pixels(index, width, height, self._options)
        # The page's content is interpreted once, into a display list, for both the image check and the pixels
        # (Page.get_pixmap would interpret it again); the page is drawn as displayed, with its /Rotate applied.
        display = page.get_displaylist()
        images = pymupdf.TextPage(display.get_textpage(flags=pymupdf.TEXT_PRESERVE_IMAGES)).extractIMGINFO()
        _check_embedded_images(images, index, self._options)
        pixmap = display.get_pixmap(matrix=pymupdf.Matrix(scale, scale), colorspace=pymupdf.csRGB, alpha=False)
        image = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, 3).copy()
        if images:
            # MuPDF keeps what it decoded in a process-wide store (256 MB at most) in case it is drawn again; a
            # scanned page's image never is. Emptied after every page that drew an image, the store and what it
            # fragmented no longer hold ~300 MB through the packet's later stages (rendering the bench's 100-page
            # packet got no slower). Pages of text keep their fonts cached.
            pymupdf.TOOLS.store_shrink(100)
        layer = text_layer(display, images, scale) if self._options.use_text_layer else None
        return RenderedPage(index=index, image=image, rotation=page.rotation % 360, text_layer=layer)

    def close(self) -> None:
        self._doc.close()


def _check_embedded_images(images: list[dict[str, Any]], index: int, options: RenderOptions) -> None:
    """Refuse a page drawing an image larger than :data:`EMBEDDED_IMAGE_FACTOR` x ``max_page_pixels``.

    ``images`` is the page's image information (``TextPage.extractIMGINFO``): the sizes the decoder will see (a
    JPEG 2000 image's own header, not the PDF dictionary, which can say anything), of every image the page
    draws: in its content, in form XObjects, inline. Reading them decodes nothing.
    """
    limit = options.max_page_pixels * EMBEDDED_IMAGE_FACTOR
    for image in images:
        width, height = int(image["width"]), int(image["height"])
        if width * height > limit:
            raise DocumentError(
                f"第 {index + 1} 页含有尺寸异常的图像，拒绝解码 (page {index + 1} embeds an image of "
                f"{width} x {height} pixels, above the limit of {limit / 1e6:.0f} megapixels)"
            )


def _refuse_truncated(path: Path) -> None:
    # MuPDF "repairs" a truncated file into whatever pages survive; a clerk must
    # instead be told the upload was cut short and asked for the whole file.
    with path.open("rb") as stream:
        stream.seek(max(0, path.stat().st_size - _EOF_TAIL_BYTES))
        tail = stream.read()
    if b"%%EOF" not in tail:
        raise DocumentError("PDF 文件不完整，可能上传或复制中断 (the PDF is truncated: it has no end-of-file marker)")


class _ImageDocument:
    def __init__(self, path: Path, options: RenderOptions) -> None:
        self._options = options
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                self._image = Image.open(path)
            # Image.open reads only the header: check the size before decoding anything.
            _check_pixels(0, *self._image.size, options)
            self.page_count = getattr(self._image, "n_frames", 1)
        except Image.DecompressionBombError as exc:
            raise DocumentError(f"图像尺寸异常，拒绝解码 (the image is a decompression bomb: {exc})") from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise DocumentError(f"图像文件已损坏，无法打开 (the image is corrupt: {exc})") from exc

    def render(self, index: int) -> RenderedPage:
        frame = ImageSequence.Iterator(self._image)[index]
        _check_pixels(index, *frame.size, self._options)
        orientation = frame.getexif().get(0x0112, 1)
        upright = ImageOps.exif_transpose(frame) or frame
        rgb = _to_rgb(upright)
        rgb = _to_render_dpi(rgb, frame.info.get("dpi"), self._options)
        return RenderedPage(
            index=index, image=np.asarray(rgb, dtype=np.uint8).copy(), rotation=_EXIF_ROTATION.get(orientation, 0)
        )

    def close(self) -> None:
        self._image.close()


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Text drawn only in the alpha channel would vanish on a naive RGB conversion: lay it on white.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode == "I;16" or image.mode.startswith("I;16"):
        image = image.point(lambda v: v / 256).convert("L")
    return image.convert("RGB")


def _to_render_dpi(image: Image.Image, dpi: object, options: RenderOptions) -> Image.Image:
    """Resample a scan to the render DPI when its DPI tag is believable; keep its pixels otherwise."""
    if not isinstance(dpi, tuple) or len(dpi) != 2:
        return image
    try:
        x_dpi, y_dpi = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError):
        return image
    if x_dpi <= 0 or y_dpi <= 0:
        return image
    long_side_inches = max(image.width / x_dpi, image.height / y_dpi)
    low, high = _PLAUSIBLE_LONG_SIDE_INCHES
    if not low <= long_side_inches <= high:
        return image
    width = round(image.width * options.dpi / x_dpi)
    height = round(image.height * options.dpi / y_dpi)
    if abs(width - image.width) <= 2 and abs(height - image.height) <= 2:
        return image
    _check_pixels(0, width, height, options)
    return image.resize((width, height), Image.Resampling.LANCZOS if width < image.width else Image.Resampling.BICUBIC)


def _check_pixels(index: int, width: float, height: float, options: RenderOptions) -> None:
    if width * height > options.max_page_pixels:
        raise DocumentError(
            f"第 {index + 1} 页尺寸过大 (page {index + 1} is {width:.0f} x {height:.0f} pixels, "
            f"above the limit of {options.max_page_pixels / 1e6:.0f} megapixels)"
        )


def iter_pages(document: Document) -> Iterator[RenderedPage | DocumentError]:
    """Each page rendered in turn; a page that cannot be rendered yields its error instead."""
    for index in range(document.page_count):
        try:
            yield document.render(index)
        except DocumentError as exc:
            yield exc
        except (RuntimeError, ValueError, OSError, MemoryError) as exc:
            yield DocumentError(f"第 {index + 1} 页无法渲染 (page {index + 1} cannot be rendered: {exc})")


def render_images(path: Path, options: RenderOptions) -> list[np.ndarray]:
    """Every page of ``path`` as an RGB image, as the pipeline renders them (benchmarks and tests).

    Raises:
        DocumentError: the file cannot be used, or one of its pages cannot be rendered.
    """
    with opened(path, options) as document:
        pages = list(iter_pages(document))
    for page in pages:
        if isinstance(page, DocumentError):
            raise page
    return [page.image for page in pages if isinstance(page, RenderedPage)]


@contextmanager
def opened(path: Path, options: RenderOptions) -> Iterator[Document]:
    """:func:`open_document` as a context manager that closes the document."""
    document = open_document(path, options)
    try:
        yield document
    finally:
        document.close()
