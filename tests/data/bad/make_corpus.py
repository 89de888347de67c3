"""Regenerate the bad-input corpus of this folder: ``python -m tests.data.bad.make_corpus``.

Every file is made here, from the pages of a committed sample packet or from
bytes written by hand, so the corpus can be rebuilt and reviewed. Run again, it
writes the same bytes (with the same PyMuPDF, Pillow and zlib), except the two
encrypted PDFs, whose AES salt is random: their outcome is the same.
``expected.toml`` beside it says what the watcher must make of each file.
"""

from __future__ import annotations

import argparse
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageDraw, ImageFilter

from samples import PACKETS_DIR
from tests.factories import A4, bilevel_png, png_chunk, zero_page_pdf

HERE = Path(__file__).resolve().parent
SOURCE = PACKETS_DIR / "chongqing-bayu-1-003-clean.pdf"
"""The sample packet the scans are cut from. Its pages (``index`` counts from 0): 0 the application form, 1 the
opinions with their seals, 2 the certified ID copy, 3 the deeds. The form is read once (it is the slowest to
read); the lighter pages make the other scans."""
SCAN_DPI = 150
"""Resolution of the scans (the pipeline resamples them to its render DPI); low enough to keep the files small."""
# Pillow refuses images above 2 x Image.MAX_IMAGE_PIXELS (~179 M); the render limit is 60 M pixels.
HUGE_SIDE = 60_000
BOMB_SIDE = 20_000
OVER_LIMIT_SIDE = 10_000
TEXT_BOMB_BYTES = 20 << 20  # 20 MiB of zeros behind a PNG text chunk; Pillow reads at most 1 MiB of one
FORM_LINES = ("“巴渝特级技师”申报表", "姓名：陈红东    性别：男", "工作单位：重庆长安汽车股份有限公司")

Maker = Callable[[Path], None]
MAKERS: dict[str, Maker] = {}


def corpus_file(name: str) -> Callable[[Maker], Maker]:
    """Register the function that writes the corpus file ``name``."""

    def register(make: Maker) -> Maker:
        MAKERS[name] = make
        return make

    return register


# --- sources -------------------------------------------------------------------------------------------------------


def scan_page(index: int, dpi: int = SCAN_DPI, mode: str = "L") -> Image.Image:
    """Page ``index`` of the sample packet as a scanner would deliver it: ``mode`` L (grey), 1 (bi-level) or RGB."""
    with pymupdf.open(SOURCE) as doc:
        colorspace = pymupdf.csRGB if mode == "RGB" else pymupdf.csGRAY
        pixmap = doc[index].get_pixmap(dpi=dpi, colorspace=colorspace, alpha=False)
        image = Image.frombytes("RGB" if mode == "RGB" else "L", (pixmap.width, pixmap.height), pixmap.samples)
    if mode == "1":
        # A fixed threshold, as office scanners in black-and-white mode do (dither would only make files bigger).
        return image.point(lambda value: 255 if value > 160 else 0).convert("1", dither=Image.Dither.NONE)
    return image


def text_pdf(lines: tuple[str, ...] = FORM_LINES) -> bytes:
    """A one-page A4 PDF with ``lines`` in a CJK font (vector text: small, and quick to read)."""
    with pymupdf.open() as doc:
        page = doc.new_page(width=A4[0], height=A4[1])
        for row, text in enumerate(lines):
            page.insert_text((60, 80 + 40 * row), text, fontname="china-s", fontsize=16)
        return save_pdf(doc)


def save_pdf(doc: pymupdf.Document, **options: object) -> bytes:
    """The document's bytes, without the random file ID and dates that would change them on every run."""
    doc.set_metadata({})
    buffer = io.BytesIO()
    doc.save(buffer, garbage=4, deflate=True, no_new_id=True, **options)
    return buffer.getvalue()


def image_bytes(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def with_chunk_after_header(png: bytes, chunk: bytes) -> bytes:
    ihdr_end = 8 + 4 + 4 + 13 + 4
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def pdf_with_image(
    width: int, height: int, data: bytes, image_keys: str, filter_: str, decode_parms: str | None = None
) -> bytes:
    """An A4 page showing one image XObject: ``data`` kept as it is, decoded by ``filter_``."""
    with pymupdf.open() as doc:
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_image(page.rect, stream=image_bytes(Image.new("L", (8, 8), 255), "PNG"))
        xref = page.get_images()[0][0]
        doc.update_object(xref, f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} {image_keys} >>")
        doc.update_stream(xref, data, compress=False)
        # update_stream drops the filter of a stream it stores raw: the data is encoded already.
        doc.xref_set_key(xref, "Filter", filter_)
        if decode_parms is not None:
            doc.xref_set_key(xref, "DecodeParms", decode_parms)
        return save_pdf(doc)


def write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


# --- not documents at all ------------------------------------------------------------------------------------------


@corpus_file("empty.pdf")
def _empty(path: Path) -> None:
    write(path, b"")


@corpus_file("text-file-named.pdf")
def _text_file(path: Path) -> None:
    write(path, "会议通知\n请各单位于本周五前报送首席技师推荐材料。\n".encode())


@corpus_file("zip-named.pdf")
def _zip(path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entry = zipfile.ZipInfo("申报材料/申报表.pdf", date_time=(2024, 5, 1, 9, 0, 0))
        archive.writestr(entry, text_pdf())
    write(path, buffer.getvalue())


@corpus_file("executable-named.pdf")
def _executable(path: Path) -> None:
    # The header of a 64-bit Linux program, then padding: what `cp /usr/bin/x scan.pdf` would give.
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + struct.pack("<HHI", 2, 0x3E, 1) + bytes(40)
    write(path, elf + bytes(4096 - len(elf)))


# --- damaged or refused PDFs ---------------------------------------------------------------------------------------


@corpus_file("truncated.pdf")
def _truncated(path: Path) -> None:
    data = pdf_of_scan(1)
    write(path, data[: len(data) // 2])


@corpus_file("broken-xref.pdf")
def _broken_xref(path: Path) -> None:
    # A classic cross-reference table whose every offset points 7 bytes off: MuPDF rebuilds it by scanning.
    data = text_pdf()
    start = data.rindex(b"\nxref\n") + 1
    table_end = data.index(b"trailer", start)
    table = data[start:table_end]
    lines = table.split(b"\n")
    for number, line in enumerate(lines):
        if line.endswith(b" n "):
            lines[number] = b"%010d" % (int(line[:10]) + 7) + line[10:]
    broken = data[:start] + b"\n".join(lines) + data[table_end:]
    assert len(broken) == len(data), "the table must keep its length, or startxref would be wrong too"
    write(path, broken)


@corpus_file("encrypted-password.pdf")
def _encrypted(path: Path) -> None:
    with pymupdf.open(stream=text_pdf(), filetype="pdf") as doc:
        aes = pymupdf.PDF_ENCRYPT_AES_256  # type: ignore[attr-defined]
        write(path, save_pdf(doc, encryption=aes, user_pw="secret", owner_pw="owner-secret"))


@corpus_file("encrypted-empty-user-password.pdf")
def _encrypted_owner_only(path: Path) -> None:
    # Only an owner password (printing restricted): every reader opens it without asking.
    with pymupdf.open(stream=text_pdf(("“巴渝特级技师”申报表", "姓名：李四")), filetype="pdf") as doc:
        aes = pymupdf.PDF_ENCRYPT_AES_256  # type: ignore[attr-defined]
        write(path, save_pdf(doc, encryption=aes, user_pw="", owner_pw="owner-secret", permissions=0))


@corpus_file("zero-pages.pdf")
def _zero_pages(path: Path) -> None:
    zero_page_pdf(path)


@corpus_file("5000-pages.pdf")
def _many_pages(path: Path) -> None:
    with pymupdf.open() as doc:
        for _ in range(5000):
            doc.new_page(width=A4[0], height=A4[1])
        write(path, save_pdf(doc, use_objstms=1))


@corpus_file("pdf-embedded-image-60000x60000.pdf")
def _embedded_huge(path: Path) -> None:
    # A 60000 x 60000 bi-level image on an A4 page, CCITT G4: every all-white row codes as one bit (V0), so
    # 3.6 G pixels take 7.5 kB.
    data = b"\xff" * (HUGE_SIDE // 8)
    image, parms = "/BitsPerComponent 1 /ColorSpace /DeviceGray", f"<< /K -1 /Columns {HUGE_SIDE} /Rows {HUGE_SIDE} >>"
    write(path, pdf_with_image(HUGE_SIDE, HUGE_SIDE, data, image, "/CCITTFaxDecode", parms))


@corpus_file("pdf-embedded-jpx-bomb.pdf")
def _embedded_jpx(path: Path) -> None:
    # JPEG 2000 is decoded in full before it is scaled to the page: 400 M pixels from a few kB (2 GB, 20 s).
    jpx = image_bytes(
        Image.new("L", (BOMB_SIDE, BOMB_SIDE), 255), "JPEG2000", quality_mode="rates", quality_layers=[200]
    )
    write(path, pdf_with_image(BOMB_SIDE, BOMB_SIDE, jpx, "/BitsPerComponent 8 /ColorSpace /DeviceGray", "/JPXDecode"))


# --- refused images ------------------------------------------------------------------------------------------------


@corpus_file("image-60000x60000.png")
def _huge_png(path: Path) -> None:
    write(path, bilevel_png(HUGE_SIDE))


@corpus_file("png-bomb-20000x20000.png")
def _bomb_png(path: Path) -> None:
    # A complete, valid PNG of 50 kB that decodes to 400 M pixels (1.2 GB as RGB).
    write(path, bilevel_png(BOMB_SIDE))


@corpus_file("png-over-page-limit-10000x10000.png")
def _over_limit_png(path: Path) -> None:
    # 100 M pixels: under Pillow's own bomb limit, over the render limit (the header claims them; one row follows).
    write(path, bilevel_png(OVER_LIMIT_SIDE, rows=1))


@corpus_file("png-ztxt-bomb.png")
def _ztxt_bomb(path: Path) -> None:
    text = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(bytes(TEXT_BOMB_BYTES), 9))
    write(path, with_chunk_after_header(image_bytes(scan_page(1, dpi=50, mode="1"), "PNG"), text))


@corpus_file("png-iccp-bomb.png")
def _iccp_bomb(path: Path) -> None:
    profile = png_chunk(b"iCCP", b"scanner\x00\x00" + zlib.compress(bytes(TEXT_BOMB_BYTES), 9))
    write(path, with_chunk_after_header(image_bytes(scan_page(0, dpi=50, mode="1"), "PNG"), profile))


@corpus_file("tiff-huge-second-page.tif")
def _tiff_huge_second(path: Path) -> None:
    # Page 1 a real scan, page 2's header claims 60000 x 60000 pixels: page 2 must be refused before it is decoded.
    small = Image.new("1", (64, 64), 1)
    data = bytearray(
        image_bytes(
            scan_page(1, mode="1"),
            "TIFF",
            save_all=True,
            append_images=[small],
            compression="group4",
            dpi=(SCAN_DPI, SCAN_DPI),
        )
    )
    second = _tiff_ifd_offsets(bytes(data))[1]
    for entry in _tiff_entries(bytes(data), second):
        tag, kind = struct.unpack("<HH", data[entry : entry + 4])
        if tag in (256, 257, 278):  # ImageWidth, ImageLength, RowsPerStrip
            value = struct.pack("<H", HUGE_SIDE) + b"\x00\x00" if kind == 3 else struct.pack("<I", HUGE_SIDE)
            data[entry + 8 : entry + 12] = value
    write(path, bytes(data))


@corpus_file("tiff-ifd-loop.tif")
def _tiff_loop(path: Path) -> None:
    # Page 2's "next page" pointer leads back to page 1: a reader that follows it blindly never ends.
    blank = Image.new("1", (400, 300), 1)
    data = bytearray(image_bytes(blank, "TIFF", save_all=True, append_images=[blank], compression="group4"))
    first, second = _tiff_ifd_offsets(bytes(data))
    count = struct.unpack("<H", data[second : second + 2])[0]
    next_pointer = second + 2 + 12 * count
    data[next_pointer : next_pointer + 4] = struct.pack("<I", first)
    write(path, bytes(data))


def _tiff_ifd_offsets(data: bytes) -> list[int]:
    assert data[:4] == b"II*\x00", "Pillow writes little-endian TIFF"
    offsets, offset = [], struct.unpack("<I", data[4:8])[0]
    while offset and offset not in offsets:
        offsets.append(offset)
        count = struct.unpack("<H", data[offset : offset + 2])[0]
        offset = struct.unpack("<I", data[offset + 2 + 12 * count : offset + 6 + 12 * count])[0]
    return offsets


def _tiff_entries(data: bytes, ifd: int) -> list[int]:
    count = struct.unpack("<H", data[ifd : ifd + 2])[0]
    return [ifd + 2 + 12 * number for number in range(count)]


# --- scans that must be read ---------------------------------------------------------------------------------------


def pdf_of_scan(index: int, rotate_pixels: int = 0) -> bytes:
    """An image-only A4 PDF of page ``index`` (a grey JPEG, as scanners write PDFs), the pixels turned if asked."""
    image = scan_page(index).rotate(rotate_pixels, expand=True)
    with pymupdf.open() as doc:
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_image(page.rect, stream=image_bytes(image, "JPEG", quality=60))
        return save_pdf(doc)


@corpus_file("scan.jpg")
def _scan_jpeg(path: Path) -> None:
    write(path, image_bytes(scan_page(0, mode="RGB"), "JPEG", quality=70, dpi=(SCAN_DPI, SCAN_DPI)))


@corpus_file("scan.png")
def _scan_png(path: Path) -> None:
    write(path, image_bytes(scan_page(1, mode="1"), "PNG", dpi=(SCAN_DPI, SCAN_DPI), optimize=True))


@corpus_file("scan.bmp")
def _scan_bmp(path: Path) -> None:
    write(path, image_bytes(scan_page(1, dpi=100, mode="1"), "BMP", dpi=(100, 100)))


@corpus_file("scan-2-pages.tif")
def _scan_tiff(path: Path) -> None:
    pages = [scan_page(2, mode="1"), scan_page(3, mode="1")]
    write(
        path,
        image_bytes(
            pages[0], "TIFF", save_all=True, append_images=pages[1:], compression="group4", dpi=(SCAN_DPI, SCAN_DPI)
        ),
    )


@corpus_file("scan-rotated-90.png")
def _rotated_90(path: Path) -> None:
    write(path, image_bytes(scan_page(1, mode="1").rotate(90, expand=True), "PNG", dpi=(SCAN_DPI, SCAN_DPI)))


@corpus_file("scan-rotated-180.jpg")
def _rotated_180(path: Path) -> None:
    write(path, image_bytes(scan_page(3).rotate(180), "JPEG", quality=60, dpi=(SCAN_DPI, SCAN_DPI)))


@corpus_file("scan-rotated-270.jpg")
def _rotated_270(path: Path) -> None:
    write(path, image_bytes(scan_page(1).rotate(270, expand=True), "JPEG", quality=60, dpi=(SCAN_DPI, SCAN_DPI)))


@corpus_file("scan-upside-down.pdf")
def _upside_down(path: Path) -> None:
    write(path, pdf_of_scan(1, rotate_pixels=180))


@corpus_file("blank-page.jpg")
def _blank(path: Path) -> None:
    # Paper is never pure white: a faint grey gradient, as a scanner's lamp leaves it.
    width, height = round(A4[0] / 72 * SCAN_DPI), round(A4[1] / 72 * SCAN_DPI)
    ramp = np.linspace(246, 238, height, dtype=np.float32)[:, None] * np.ones((1, width), np.float32)
    write(path, image_bytes(Image.fromarray(ramp.astype(np.uint8), "L"), "JPEG", quality=60, dpi=(SCAN_DPI, SCAN_DPI)))


@corpus_file("photo-page.jpg")
def _photo(path: Path) -> None:
    write(path, image_bytes(photo(), "JPEG", quality=60, dpi=(SCAN_DPI, SCAN_DPI)))


def photo() -> Image.Image:
    """A page that is all photograph (a landscape, made of gradients and shapes): no text anywhere."""
    width, height = round(A4[0] / 72 * SCAN_DPI), round(A4[1] / 72 * SCAN_DPI)
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    sky = np.array([70, 130, 200], np.float32) * (1 - rows) + np.array([200, 220, 235], np.float32) * rows
    pixels = np.broadcast_to(sky, (height, width, 3)).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.65, height * 0.08, width * 0.85, height * 0.22), fill=(250, 220, 120))
    hills = [(0, height)] + [
        (x, int(height * (0.55 + 0.06 * np.sin(x / width * 7.0) + 0.03 * np.sin(x / width * 23.0))))
        for x in range(0, width + 1, 8)
    ]
    draw.polygon([*hills, (width, height)], fill=(70, 120, 60))
    for number in range(7):  # houses
        left = int(width * (0.08 + 0.12 * number))
        top = int(height * (0.62 + 0.02 * (number % 3)))
        draw.rectangle((left, top, left + 90, top + 80), fill=(180 - 10 * number, 90, 70))
        draw.polygon([(left - 10, top), (left + 45, top - 45), (left + 100, top)], fill=(90, 50, 40))
    return image.filter(ImageFilter.GaussianBlur(2))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these files (default: all)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write to (default: this one)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(MAKERS))
    if unknown:
        parser.error(f"not corpus files: {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, make in MAKERS.items():
        if not args.names or name in args.names:
            make(args.out / name)
            print(f"{(args.out / name).stat().st_size:>9}  {name}")


if __name__ == "__main__":
    main()
