"""Opening and rendering scans: every format, rotation and DPI, and a clear error for every bad input."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from extractors.pdf import DocumentError, RenderedPage, RenderOptions, iter_pages, opened, sha256_file, sniff_format
from tests import factories

OPTIONS = RenderOptions()
A4_AT_200 = (1654, 2339)  # width, height in pixels, +-1 for rounding


def render_all(path: Path, options: RenderOptions = OPTIONS) -> list[RenderedPage]:
    with opened(path, options) as document:
        pages = list(iter_pages(document))
    assert all(isinstance(p, RenderedPage) for p in pages), pages
    return [p for p in pages if isinstance(p, RenderedPage)]


def assert_a4(page: RenderedPage, landscape: bool = False) -> None:
    width, height = A4_AT_200[::-1] if landscape else A4_AT_200
    assert abs(page.width - width) <= 1 and abs(page.height - height) <= 1, (page.width, page.height)


def test_pdf_pages_render_once_each_at_200_dpi(tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "form.pdf", [["泸州市首席技师申报表"], ["第二页"], ["第三页"]])
    pages = render_all(pdf)
    assert [p.index for p in pages] == [0, 1, 2]
    for page in pages:
        assert_a4(page)
        assert page.image.dtype == np.uint8 and page.image.shape[2] == 3
        assert page.rotation == 0
    assert pages[0].image.min() < 50  # the title's ink is there


def test_pdf_rotation_is_honoured(tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "rotated.pdf", [["横向页面"]], rotate=90)
    (page,) = render_all(pdf)
    assert page.rotation == 90
    assert_a4(page, landscape=True)


def test_png_jpeg_bmp_scans_are_one_page_each(tmp_path: Path) -> None:
    image = factories.page_image()
    for name in ("scan.png", "scan.jpg", "scan.bmp"):
        (page,) = render_all(factories.image_file(tmp_path / name, image))
        assert_a4(page)
        assert np.abs(page.image.astype(int) - image.astype(int)).mean() < 8, name


def test_multipage_tiff_gives_every_frame(tmp_path: Path) -> None:
    image = factories.page_image()
    tiff = factories.multipage_tiff(tmp_path / "scan.tif", [image, 255 - image, image])
    pages = render_all(tiff)
    assert len(pages) == 3
    assert pages[1].image.mean() < pages[0].image.mean()


def test_a_300_dpi_scan_is_resampled_to_200_dpi(tmp_path: Path) -> None:
    image = np.full((3508, 2480, 3), 255, dtype=np.uint8)  # A4 at 300 DPI
    (page,) = render_all(factories.image_file(tmp_path / "scan300.png", image, dpi=300))
    assert_a4(page)


def test_a_placeholder_dpi_tag_is_not_believed(tmp_path: Path) -> None:
    # 72 DPI on a 2480 x 3508 image would mean a 48-inch sheet: the tag is a placeholder.
    image = np.full((3508, 2480, 3), 255, dtype=np.uint8)
    (page,) = render_all(factories.image_file(tmp_path / "scan72.jpg", image, dpi=72))
    assert (page.width, page.height) == (2480, 3508)


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    image = np.full((200, 100, 3), 255, dtype=np.uint8)
    image[:20] = 0  # ink at the top
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned; viewers rotate 90 degrees clockwise
    (page,) = render_all(factories.image_file(tmp_path / "phone.jpg", image, dpi=None, exif=exif.tobytes()))
    assert (page.width, page.height) == (200, 100)
    assert page.rotation == 90  # turned clockwise, as /Rotate counts
    assert page.image[:, -20:].mean() < 60  # the ink is now on the right edge


def test_text_only_in_the_alpha_channel_survives(tmp_path: Path) -> None:
    rgba = np.zeros((100, 300, 4), dtype=np.uint8)
    rgba[40:60, 50:250, 3] = 255  # black "text" drawn only through alpha
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    (page,) = render_all(path)
    assert page.image[0, 0].tolist() == [255, 255, 255]
    assert page.image[50, 150].tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d, good: factories.truncated_pdf(d / "cut.pdf", good), "truncated"),
        (lambda d, good: factories.encrypted_pdf(d / "locked.pdf", good), "encrypted"),
        (lambda d, good: _write(d / "notes.pdf", b"hello, I am a text file\n"), "plain text"),
        (lambda d, good: _write(d / "empty.pdf", b""), "empty"),
        (lambda d, good: factories.zip_named_pdf(d / "archive.pdf"), "ZIP"),
        (lambda d, good: _write(d / "program.pdf", b"\x7fELF\x02\x01\x01" + bytes(200)), "executable"),
        (lambda d, good: factories.zero_page_pdf(d / "nopages.pdf"), "no pages"),
        (lambda d, good: factories.bomb_png(d / "bomb.png"), "pixels"),
        (lambda d, good: _write(d / "garbage.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"%%EOF"), "corrupt"),
        (lambda d, good: _write(d / "broken.png", b"\x89PNG\r\n\x1a\n" + bytes(40)), "corrupt"),
    ],
)
def test_bad_inputs_raise_a_readable_error(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    good = factories.text_pdf(tmp_path / "good.pdf", [["第一页"], ["第二页"]])
    bad = make(tmp_path, good)
    with pytest.raises(DocumentError, match=message), opened(bad, OPTIONS):
        pass


def test_an_encrypted_pdf_with_an_empty_user_password_opens(tmp_path: Path) -> None:
    good = factories.text_pdf(tmp_path / "good.pdf", [["第一页"]])
    locked = factories.encrypted_pdf(tmp_path / "owner-only.pdf", good, user_password="")
    assert len(render_all(locked)) == 1


def test_page_count_and_page_size_limits(tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "three.pdf", [["一"], ["二"], ["三"]])
    with pytest.raises(DocumentError, match="3 pages, above the limit of 2"), opened(pdf, RenderOptions(max_pages=2)):
        pass
    poster = factories.text_pdf(tmp_path / "poster.pdf", [["海报"]], page_size=(5000.0, 5000.0))
    with opened(poster, OPTIONS) as document:
        (result,) = list(iter_pages(document))
    assert isinstance(result, DocumentError) and "megapixels" in str(result)


def test_sniff_ignores_the_file_name() -> None:
    assert sniff_format(b"%PDF-1.4\n...") == "pdf"
    assert sniff_format(b"II*\x00rest") == "tiff"
    assert sniff_format(b"\xff\xd8\xff\xe0") == "jpeg"


def test_sha256_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "abc.bin", b"abc")
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", ["named pipe", "folder"])
def test_sha256_file_refuses_what_is_not_a_regular_file_without_waiting(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "scan.pdf"
    if kind == "named pipe":
        os.mkfifo(path)  # reading it would wait for a writer that never comes
    else:
        path.mkdir()
    with pytest.raises(OSError, match="not a regular file"):
        sha256_file(path)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD = Path(__file__).resolve().parents[1] / "data" / "bad"


@pytest.mark.parametrize(
    ("name", "size"),
    [("pdf-embedded-image-60000x60000.pdf", "60000 x 60000"), ("pdf-embedded-jpx-bomb.pdf", "20000 x 20000")],
)
def test_a_pdf_page_drawing_a_gigantic_image_is_refused_before_it_is_decoded(name: str, size: str) -> None:
    with opened(BAD / name, OPTIONS) as document:
        (result,) = list(iter_pages(document))
    assert isinstance(result, DocumentError)
    assert f"page 1 embeds an image of {size} pixels, above the limit of 240 megapixels" in str(result)


def test_the_embedded_image_limit_reads_the_image_itself_not_what_the_pdf_says_of_it(tmp_path: Path) -> None:
    doc = pymupdf.open(BAD / "pdf-embedded-jpx-bomb.pdf")
    xref = doc[0].get_images()[0][0]
    doc.xref_set_key(xref, "Width", "100")  # the JPEG 2000 stream still says 20000 x 20000
    doc.xref_set_key(xref, "Height", "100")
    doc.save(tmp_path / "lying.pdf")
    doc.close()
    with opened(tmp_path / "lying.pdf", OPTIONS) as document:
        (result,) = list(iter_pages(document))
    assert isinstance(result, DocumentError) and "20000 x 20000" in str(result)


def test_the_embedded_image_limit_is_four_times_the_page_limit(tmp_path: Path) -> None:
    options = RenderOptions(max_page_pixels=1_000_000)  # images up to 4 M pixels
    for side, refused in ((2000, False), (2001, True)):
        doc = pymupdf.open()
        page = doc.new_page(width=300, height=300)  # 833 x 833 pixels at 200 DPI: the page itself is allowed
        png = factories.image_file(tmp_path / f"{side}.png", np.full((side, side), 255, np.uint8), dpi=None)
        page.insert_image(page.rect, filename=str(png))
        doc.save(tmp_path / f"{side}.pdf")
        doc.close()
        with opened(tmp_path / f"{side}.pdf", options) as document:
            (result,) = list(iter_pages(document))
        assert isinstance(result, DocumentError) == refused, (side, result)


def test_a_tiff_page_is_size_checked_before_it_is_decoded_not_only_the_first() -> None:
    with opened(BAD / "tiff-huge-second-page.tif", OPTIONS) as document:
        first, second = list(iter_pages(document))
    assert isinstance(first, RenderedPage)
    assert isinstance(second, DocumentError) and "page 2 is 60000 x 60000 pixels" in str(second)
