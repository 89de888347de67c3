"""A born-digital PDF page's own text, read instead of OCR, and the pages where it must not be."""

from __future__ import annotations

from pathlib import Path

import cv2
import pymupdf
import pytest

from extractors.pdf import RenderedPage, RenderOptions, opened
from extractors.text import compact
from extractors.text_layer import MAX_IMAGE_SHARE, _undecoded
from tests import factories


def _rendered(pdf: Path, options: RenderOptions | None = None) -> RenderedPage:
    with opened(pdf, options or RenderOptions()) as document:
        return document.render(0)


def _pdf(path: Path, draw: object) -> Path:
    document = pymupdf.open()
    page = document.new_page(width=factories.A4[0], height=factories.A4[1])
    draw(page)  # type: ignore[operator]
    document.save(path)
    document.close()
    return path


def test_a_born_digital_page_is_read_from_its_text_in_the_image_pixels(tmp_path: Path) -> None:
    page = _rendered(factories.text_pdf(tmp_path / "form.pdf", [factories.FORM_LINES]))
    assert page.text_layer is not None
    texts = [line.text for line in page.text_layer]
    assert texts[0] == "泸州市首席技师申报表"
    assert "个人身份证号:51050219780512003X" in texts
    # The lines are where the page image shows them: 60 pt from the left, baselines 40 pt apart, at 200 DPI.
    title = page.text_layer[0]
    assert title.bbox[0] == pytest.approx(60 * 200 / 72, abs=2)
    assert title.bbox[1] < 80 * 200 / 72 < title.bbox[3]
    assert all(line.score == 1.0 for line in page.text_layer)
    ink = cv2.cvtColor(page.image, cv2.COLOR_RGB2GRAY) < 128
    x0, y0, x1, y1 = (round(v) for v in title.bbox)
    assert ink[y0:y1, x0:x1].sum() > 0.9 * ink[max(y0 - 20, 0) : y1 + 20, max(x0 - 20, 0) : x1 + 20].sum()


def test_a_table_rows_cells_are_separate_lines(tmp_path: Path) -> None:
    pdf = _pdf(
        tmp_path / "row.pdf",
        lambda page: page.insert_text((60, 80), "姓名          张三", fontname="china-s", fontsize=14),
    )
    layer = _rendered(pdf).text_layer
    assert layer is not None and [line.text for line in layer] == ["姓名", "张三"]
    assert layer[0].bbox[2] < layer[1].bbox[0]


def test_a_scan_with_an_invisible_ocr_layer_is_read_by_ocr(tmp_path: Path) -> None:
    pdf = _pdf(
        tmp_path / "invisible.pdf",
        lambda page: page.insert_text((60, 80), "某扫描软件识别的文字", fontname="china-s", fontsize=14, render_mode=3),
    )
    assert _rendered(pdf).text_layer is None


def test_a_page_mostly_image_is_read_by_ocr_even_with_some_text(tmp_path: Path) -> None:
    image = tmp_path / "scan.png"
    cv2.imwrite(str(image), factories.page_image())

    def draw(page: pymupdf.Page) -> None:
        page.insert_image(page.rect, filename=str(image))
        page.insert_text((60, 800), "第 1 页", fontname="china-s", fontsize=10)

    assert _rendered(_pdf(tmp_path / "scan.pdf", draw)).text_layer is None


def test_a_small_image_does_not_stop_the_text_being_read(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), factories.page_image()[:400, :300])
    side = (MAX_IMAGE_SHARE / 2 * factories.A4[0] * factories.A4[1]) ** 0.5

    def draw(page: pymupdf.Page) -> None:
        page.insert_image(pymupdf.Rect(400, 60, 400 + side, 60 + side), filename=str(photo))
        page.insert_text((60, 80), "泸州市首席技师申报表", fontname="china-s", fontsize=14)

    layer = _rendered(_pdf(tmp_path / "photo.pdf", draw)).text_layer
    assert layer is not None and [compact(line.text) for line in layer] == ["泸州市首席技师申报表"]


def test_a_page_laid_sideways_is_left_to_ocr_and_its_orientation_search(tmp_path: Path) -> None:
    assert _rendered(factories.text_pdf(tmp_path / "side.pdf", [factories.FORM_LINES], rotate=90)).text_layer is None


def test_characters_a_font_without_a_unicode_map_gives_count_as_undecoded() -> None:
    assert all(_undecoded(char) for char in ("\ufffd", "\ue000", "\x07"))
    assert not any(_undecoded(char) for char in "申报表Aa1:（")


def test_the_text_layer_can_be_turned_off_and_a_turned_page_leaves_it(tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "form.pdf", [factories.FORM_LINES])
    assert _rendered(pdf, RenderOptions(use_text_layer=False)).text_layer is None
    page = _rendered(pdf)
    assert page.turned(0).text_layer is page.text_layer
    assert page.turned(180).text_layer is None


def test_an_id_card_copy_on_a_typed_page_is_read_by_ocr(tmp_path: Path) -> None:
    card = tmp_path / "card.png"
    cv2.imwrite(str(card), factories.page_image()[:540, :856])

    def draw(page: pymupdf.Page) -> None:
        page.insert_text((60, 80), "身份证复印件", fontname="china-s", fontsize=14)
        page.insert_image(pymupdf.Rect(60, 120, 60 + 85.6 / 25.4 * 72, 120 + 54 / 25.4 * 72), filename=str(card))

    assert _rendered(_pdf(tmp_path / "card.pdf", draw)).text_layer is None


def test_latin_words_keep_their_spaces_and_text_off_the_page_is_left_out(tmp_path: Path) -> None:
    def draw(page: pymupdf.Page) -> None:
        page.insert_text((60, 80), "Luzhou North Chemical Co Ltd", fontname="china-s", fontsize=14)
        page.insert_text((60, 1000), "页外文字", fontname="china-s", fontsize=14)  # below the page

    page = _rendered(_pdf(tmp_path / "latin.pdf", draw))
    assert page.text_layer is not None
    assert [line.text for line in page.text_layer] == ["Luzhou North Chemical Co Ltd"]
    assert all(0 <= line.bbox[0] < line.bbox[2] <= page.width for line in page.text_layer)
    assert all(0 <= line.bbox[1] < line.bbox[3] <= page.height for line in page.text_layer)
