"""Turning pages upright: the real engine on a sample page turned every way, the render stage, the fake engine."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from extractors.ocr import OcrOptions, PageOrienter, register_engine, unregister_engine
from extractors.ocr.fake import FakeOcrEngine
from extractors.ocr.orientation import MIN_LINES, find_upright_turn, orienting_engine, upright_turn
from extractors.pdf import RenderOptions, render_images, turn_image
from models.stages import RenderedPacket
from models.text import TextLine
from pipeline import stages
from samples import sample_packets
from tests import factories


def _luzhou() -> Path:
    return next(path for path in sample_packets() if path.name.startswith("luzhou-2019-1-"))


@pytest.fixture(scope="module")
def engine() -> PageOrienter:
    orienter = orienting_engine(OcrOptions())
    assert orienter is not None, "the default engine turns pages"
    return orienter


@pytest.fixture(scope="module")
def sample_pages() -> list[np.ndarray]:
    """The luzhou sample packet's first two pages (the form's cover and its page with the ID number), upright."""
    return render_images(_luzhou(), RenderOptions(dpi=factories.DPI))[:2]


def scanned_turned(upright: np.ndarray, counterclockwise: int) -> np.ndarray:
    """The page as a scanner fed it turned ``counterclockwise`` degrees: ``counterclockwise`` clockwise undoes it."""
    return np.ascontiguousarray(np.rot90(upright, counterclockwise // 90))


def best_match(image: np.ndarray, upright: np.ndarray) -> int:
    """The clockwise turn of ``image`` closest, pixel for pixel, to ``upright`` (0 when it is upright)."""
    errors = {}
    for clockwise in (0, 90, 180, 270):
        candidate = turn_image(image, clockwise)
        if candidate.shape == upright.shape:
            errors[clockwise] = float(np.mean(np.abs(candidate.astype(np.int16) - upright.astype(np.int16))))
    return min(errors, key=errors.__getitem__)


def image_pdf(path: Path, images: list[np.ndarray], rotate: int = 0) -> Path:
    """A PDF of scanned pages: each image fills its page at ``factories.DPI``, the page carrying /Rotate ``rotate``."""
    doc = pymupdf.open()
    for image in images:
        ok, png = cv2.imencode(".png", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        assert ok
        height, width = image.shape[:2]
        page = doc.new_page(width=width * 72 / factories.DPI, height=height * 72 / factories.DPI)
        page.insert_image(page.rect, stream=png.tobytes())
        if rotate:
            page.set_rotation(rotate)
    doc.save(path)
    doc.close()
    return path


# The real engine ---------------------------------------------------------------------------------------------


@pytest.mark.ocr
@pytest.mark.parametrize("counterclockwise", [0, 90, 180, 270])
def test_a_sample_page_turned_any_way_is_turned_back_upright(
    engine: PageOrienter, sample_pages: list[np.ndarray], counterclockwise: int
) -> None:
    upright = sample_pages[0]
    scan = scanned_turned(upright, counterclockwise)
    found = upright_turn(scan, engine)
    assert found == counterclockwise
    assert np.array_equal(turn_image(scan, found), upright)


@pytest.mark.ocr
@pytest.mark.parametrize("kind", ["blank", "noise", "photo"])
def test_a_page_with_no_text_is_left_as_it_is(engine: PageOrienter, kind: str) -> None:
    rng = np.random.default_rng(7)
    shape = (2339, 1654, 3)
    page: np.ndarray
    if kind == "blank":
        page = np.full(shape, 246, np.uint8)
    elif kind == "noise":
        page = rng.integers(0, 256, shape, dtype=np.uint8)
    else:  # smooth blotches of colour, as a photograph's content is at this scale
        small = rng.integers(0, 256, (shape[0] // 16, shape[1] // 16, 3), dtype=np.uint8)
        page = cv2.resize(cv2.GaussianBlur(small, (5, 5), 0), shape[1::-1], interpolation=cv2.INTER_CUBIC)
    assert upright_turn(page, engine) == 0


@pytest.mark.ocr
def test_render_stage_writes_a_sideways_jpeg_upright(sample_pages: list[np.ndarray], tmp_path: Path) -> None:
    upright = sample_pages[0]
    jpeg = factories.image_file(tmp_path / "sideways.jpg", scanned_turned(upright, 90), quality=90)
    rendered = stages.render_packet(jpeg, tmp_path / "pages", RenderOptions(), OcrOptions())
    assert rendered.errors == []
    (page,) = rendered.pages
    assert page.rotation == 90
    assert (page.width, page.height) == (upright.shape[1], upright.shape[0])
    written = stages.load_page_image(Path(rendered.page_images[0] or ""))
    assert best_match(written, upright) == 0


@pytest.mark.ocr
def test_render_stage_adds_its_turn_to_the_pdf_rotate(sample_pages: list[np.ndarray], tmp_path: Path) -> None:
    # Stored upside down on a page that says /Rotate 90: shown sideways, then turned 90 more by the stage.
    upright = sample_pages[0]
    pdf = image_pdf(tmp_path / "turned.pdf", [scanned_turned(upright, 180)], rotate=90)
    rendered = stages.render_packet(pdf, tmp_path / "pages", RenderOptions(), OcrOptions())
    (page,) = rendered.pages
    assert page.rotation == 180
    written = stages.load_page_image(Path(rendered.page_images[0] or ""))
    assert written.shape == upright.shape and best_match(written, upright) == 0


@pytest.mark.ocr
def test_the_id_number_is_read_from_a_page_scanned_sideways(sample_pages: list[np.ndarray], tmp_path: Path) -> None:
    truth = json.loads(_luzhou().with_suffix(".truth.json").read_text(encoding="utf-8"))
    id_page = truth["applicant"]["id_number"]["page"]
    pdf = image_pdf(tmp_path / "sideways.pdf", [scanned_turned(sample_pages[id_page], 270)])
    ocr = OcrOptions()

    rendered = stages.render_packet(pdf, tmp_path / "pages", RenderOptions(), ocr)
    texts = [stages.read_page(image or "", index, ocr) for index, image in enumerate(rendered.page_images)]
    report = stages.assemble_report(rendered, texts, "luzhou-2019", {})
    forms = stages.read_fields(rendered, texts, [page.doc_type for page in report.pages], report.profile, ocr)

    assert report.pages[0].rotation == 270
    assert forms.applicant is not None and forms.applicant.id_number is not None
    assert forms.applicant.id_number.value == truth["applicant"]["id_number"]["value"]


# The render stage with the fake engine: orientation is the engine's to tell, and off unless asked ---------------


@pytest.fixture
def fake_pdf(tmp_path: Path) -> Path:
    return factories.text_pdf(tmp_path / "form.pdf", [["一页"]])


def _render(pdf: Path, root: Path, ocr: OcrOptions | None) -> tuple[RenderedPacket, np.ndarray]:
    # The PDF is born digital: here it stands for a scan, whose turn is searched for (its text layer is not read).
    rendered = stages.render_packet(pdf, root, RenderOptions(use_text_layer=False), ocr)
    return rendered, stages.load_page_image(Path(rendered.page_images[0] or ""))


def test_the_fake_engine_leaves_pages_as_rendered(fake_engine: FakeOcrEngine, fake_pdf: Path, tmp_path: Path) -> None:
    _, as_rendered = _render(fake_pdf, tmp_path / "plain", None)
    rendered, image = _render(fake_pdf, tmp_path / "pages", OcrOptions(engine="fake"))
    assert rendered.pages[0].rotation == 0 and np.array_equal(image, as_rendered)
    assert fake_engine.calls == 0


def test_a_turn_the_engine_finds_is_applied_and_recorded(
    fake_engine: FakeOcrEngine, fake_pdf: Path, tmp_path: Path
) -> None:
    _, as_rendered = _render(fake_pdf, tmp_path / "plain", None)
    fake_engine.turns = 90
    rendered, image = _render(fake_pdf, tmp_path / "pages", OcrOptions(engine="fake"))
    page = rendered.pages[0]
    assert (page.rotation, page.width, page.height) == (90, as_rendered.shape[0], as_rendered.shape[1])
    assert np.array_equal(image, np.rot90(as_rendered, -1))


def test_the_turn_adds_to_the_pdf_rotate(fake_engine: FakeOcrEngine, tmp_path: Path) -> None:
    pdf = factories.text_pdf(tmp_path / "rotated.pdf", [["横向页面"]], rotate=90)
    fake_engine.turns = 270
    rendered, _ = _render(pdf, tmp_path / "pages", OcrOptions(engine="fake"))
    assert rendered.pages[0].rotation == 0  # 90 + 270: the /Rotate was wrong and is undone


def test_auto_orient_off_or_no_ocr_options_leave_pages_as_rendered(
    fake_engine: FakeOcrEngine, fake_pdf: Path, tmp_path: Path
) -> None:
    fake_engine.turns = 180
    off, _ = _render(fake_pdf, tmp_path / "off", OcrOptions(engine="fake", auto_orient=False))
    unasked, _ = _render(fake_pdf, tmp_path / "unasked", None)
    assert off.pages[0].rotation == 0 and unasked.pages[0].rotation == 0


def test_an_engine_failing_to_orient_a_page_loses_nothing(
    fake_engine: FakeOcrEngine, fake_pdf: Path, tmp_path: Path
) -> None:
    def crash(image: np.ndarray) -> int:
        raise RuntimeError("orientation model crashed")

    _, as_rendered = _render(fake_pdf, tmp_path / "plain", None)
    fake_engine.turns = crash
    rendered, image = _render(fake_pdf, tmp_path / "pages", OcrOptions(engine="fake"))
    assert rendered.errors == [] and rendered.pages[0].rotation == 0 and np.array_equal(image, as_rendered)


def test_an_engine_that_cannot_orient_leaves_pages_as_rendered(fake_pdf: Path, tmp_path: Path) -> None:
    class ReadOnly:
        name = "read-only"

        def read(self, image: np.ndarray) -> list[TextLine]:
            return []

    register_engine("read-only", lambda _options: ReadOnly())
    try:
        rendered, _ = _render(fake_pdf, tmp_path / "pages", OcrOptions(engine="read-only"))
    finally:
        unregister_engine("read-only")
    assert rendered.pages[0].rotation == 0


def test_an_unknown_engine_does_not_stop_the_render(fake_pdf: Path, tmp_path: Path) -> None:
    rendered, _ = _render(fake_pdf, tmp_path / "pages", OcrOptions(engine="no-such-engine"))
    assert rendered.errors == [] and rendered.pages[0].rotation == 0


# The vote, on stand-in models ---------------------------------------------------------------------------------


class StandInModels:
    """Boxes, classifier and recogniser answers fixed by the test; records what was asked."""

    def __init__(self, boxes: Sequence[tuple[float, float, float, float]], upright: float = 0.9, reads: float = 0.99):
        self.boxes = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]] for x0, y0, x1, y1 in boxes], dtype=float)
        self.upright, self.reads = upright, reads
        self.asked: list[str] = []

    def detect(self, image: np.ndarray) -> np.ndarray:
        self.asked.append("detect")
        return self.boxes

    def upright_probability(self, pieces: list[np.ndarray]) -> list[float]:
        self.asked.append("classify")
        return [self.upright] * len(pieces)

    def read_scores(self, pieces: list[np.ndarray]) -> list[float]:
        # The first half are the pieces as cut, the second half the same pieces turned round.
        self.asked.append("read")
        half = len(pieces) // 2
        return [self.reads] * half + [1.0 - self.reads] * half


PAGE = np.full((460, 400, 3), 255, np.uint8)
# Under the smallest searched side, the page is searched at its own size: boxes in its pixels, plus the margin.
WIDE = [(20, 20 + 40 * row, 380, 45 + 40 * row) for row in range(5)]
TALL = [(20 + 40 * col, 20, 45 + 40 * col, 380) for col in range(5)]


def test_an_upright_page_costs_one_search_and_one_classification() -> None:
    models = StandInModels(WIDE)
    assert find_upright_turn(PAGE, models, OcrOptions()) == 0
    assert models.asked == ["detect", "classify"]


def test_upside_down_is_turned_only_when_the_recogniser_agrees() -> None:
    assert find_upright_turn(PAGE, StandInModels(WIDE, upright=0.1, reads=0.2), OcrOptions()) == 180
    assert find_upright_turn(PAGE, StandInModels(WIDE, upright=0.1, reads=0.6), OcrOptions()) == 0


def test_a_sideways_page_is_turned_the_way_it_reads_best() -> None:
    assert find_upright_turn(PAGE, StandInModels(TALL, reads=0.95), OcrOptions()) == 90
    assert find_upright_turn(PAGE, StandInModels(TALL, reads=0.05), OcrOptions()) == 270
    # Vertical script, or no text at all: it reads badly both ways and stays.
    assert find_upright_turn(PAGE, StandInModels(TALL, reads=0.5), OcrOptions()) == 0


def test_too_few_lines_leave_the_page_and_ask_nothing_more() -> None:
    models = StandInModels([*WIDE[: MIN_LINES - 1], (20, 400, 50, 430)])  # one line and one lone character
    assert find_upright_turn(PAGE, models, OcrOptions()) == 0
    assert models.asked == ["detect"]
