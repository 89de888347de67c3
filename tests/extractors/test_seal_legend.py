"""Seal legends: real seals, the project's own rendered seals (round at any rotation, oval, square, under print,
overlapping a neighbour), and the reading plumbing with fake engines."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pydantic
import pytest
from numpy.typing import NDArray

from extractors.ocr import OcrEngine, OcrOptions, get_engine
from extractors.ocr.fake import FakeOcrEngine
from extractors.seals.legend import LegendOptions, LineRecogniser, SealText, read_legend, read_seal_text, red_ink
from extractors.seals.types import DetectedSeal, Shape
from extractors.text import character_error_rate, normalize_text
from models.text import TextLine
from samples import seals
from tests.conftest import shared_path

# Real seals: one slip in ten characters, as for the other real-photo OCR tests.
REALDATA_CER_LIMIT = 0.10
# Rendered round seals are clean; their legend must read nearly perfectly at every rotation.
ROUND_CER_LIMIT = 0.05
# Legend and centre line together, and the oval's more squeezed glyphs, may slip a little more.
FULL_TEXT_CER_LIMIT = 0.10
# A four-character square seal: one character in four over the seeds, on average.
SQUARE_CER_LIMIT = 0.25
SEEDS = range(8)  # render_seal turns each impression by up to 25 degrees either way, drawn from the seed
PAPER = (243, 240, 232)
PAGE_SIZE = (900, 900)  # rows, columns: room for a 45 mm seal at 200 DPI
BLACK = (20, 20, 20)

ROUND = seals.SealSpec("round", "泸州北方化学工业有限公司", "人事专用章")
OVAL = seals.SealSpec("oval", "泸州北方化学工业有限公司", "财务专用章", star=False, size_mm=(45.0, 30.0))
SQUARE = seals.SealSpec("square", "王建国印", None, star=False, size_mm=(20.0, 20.0))
NEIGHBOUR = seals.SealSpec("round", "泸州市人力资源和社会保障局", "人事专用章")


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    return get_engine(OcrOptions())


# --- helpers -------------------------------------------------------------------------------------------------


def detected(bbox: tuple[int, int, int, int], shape: Shape) -> DetectedSeal:
    """A seal as a detector might report it: centre and semi-axes straight from the bbox."""
    x0, y0, x1, y1 = bbox
    return DetectedSeal(
        page=0,
        bbox=bbox,
        shape=shape,
        partial=False,
        edge=None,
        confidence=1.0,
        centre=((x0 + x1) / 2, (y0 + y1) / 2),
        axes=((x1 - x0) / 2, (y1 - y0) / 2),
        angle=0.0,
        ink=np.zeros((y1 - y0, x1 - x0), dtype=np.float32),
    )


def paper() -> NDArray[np.uint8]:
    return np.full((*PAGE_SIZE, 3), PAPER, dtype=np.uint8)


def stamped(spec: seals.SealSpec, seed: int, page: NDArray[np.uint8] | None = None) -> tuple[np.ndarray, DetectedSeal]:
    """The seal rendered with ``seed`` and stamped in the middle of the page (paper when None)."""
    page = paper() if page is None else page
    impression = seals.render_seal(spec, np.random.default_rng(seed))
    result = seals.stamp(page, impression, (PAGE_SIZE[1] / 2, PAGE_SIZE[0] / 2))
    return page, detected(result.bbox, spec.shape)


def red_bbox(image: np.ndarray) -> tuple[int, int, int, int]:
    """The bounding box of the largest patch of clearly red pixels, the way a simple detector would find it."""
    rgb = image.astype(np.int16)
    red = ((rgb[..., 0] > 150) & (rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2]) > 60)).astype(np.uint8)
    closed = cv2.morphologyEx(red, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    x, y, w, h = cv2.boundingRect(max(contours, key=cv2.contourArea))
    return x, y, x + w, y + h


def load_rgb(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None, path
    return np.ascontiguousarray(image[..., ::-1])


def cer(read: str | None, truth: str) -> float:
    return character_error_rate(normalize_text(read or ""), normalize_text(truth))


# --- real seals ------------------------------------------------------------------------------------------------


@pytest.mark.ocr
@pytest.mark.parametrize(
    ("name", "legend"),
    [("getseal_source.png", "北京中导开源科技有限公司"), ("paddlex_seal_text_det.png", "天津君和缘商贸有限公司")],
)
def test_real_round_seals_read_their_legend(engine: OcrEngine, name: str, legend: str) -> None:
    image = load_rgb(shared_path("realdata", "seals", name))
    text = read_seal_text(image, detected(red_bbox(image), "round"), engine)
    assert cer(text.arc, legend) <= REALDATA_CER_LIMIT, text
    assert text.text is not None and text.text.startswith(text.arc or "")


@pytest.mark.ocr
def test_real_invoice_seal_reads_its_centre_line_not_the_emblem_or_the_serial(engine: OcrEngine) -> None:
    image = load_rgb(shared_path("realdata", "seals", "paddlex_seal_text_det.png"))
    text = read_seal_text(image, detected(red_bbox(image), "round"), engine)
    assert cer(text.centre, "发票专用章") <= 0.2, text  # one character in five


# --- rendered seals ----------------------------------------------------------------------------------------------


@pytest.mark.ocr
def test_rendered_round_seals_read_at_any_rotation(engine: OcrEngine) -> None:
    legend_cers, full_cers = [], []
    for seed in SEEDS:
        page, seal = stamped(ROUND, seed)
        text = read_seal_text(page, seal, engine)
        legend_cers.append(cer(text.arc, ROUND.legend))
        full_cers.append(cer(text.text, ROUND.legend + (ROUND.centre_text or "")))
    assert float(np.mean(legend_cers)) <= ROUND_CER_LIMIT, legend_cers
    assert float(np.mean(full_cers)) <= FULL_TEXT_CER_LIMIT, full_cers


@pytest.mark.ocr
def test_read_legend_gives_the_legend_then_the_centre_line(engine: OcrEngine) -> None:
    page, seal = stamped(ROUND, 3)
    assert cer(read_legend(page, seal, engine), "泸州北方化学工业有限公司人事专用章") <= FULL_TEXT_CER_LIMIT


@pytest.mark.ocr
def test_rendered_oval_seals_read_legend_and_centre_line(engine: OcrEngine) -> None:
    truth = OVAL.legend + (OVAL.centre_text or "")
    cers = [cer(read_legend(*stamped(OVAL, seed), engine), truth) for seed in SEEDS[:4]]
    assert float(np.mean(cers)) <= FULL_TEXT_CER_LIMIT, cers


@pytest.mark.ocr
def test_rendered_square_seal_reads_its_columns_from_the_right(engine: OcrEngine) -> None:
    texts = [read_seal_text(*stamped(SQUARE, seed), engine) for seed in SEEDS[:4]]
    assert float(np.mean([cer(text.arc, SQUARE.legend) for text in texts])) <= SQUARE_CER_LIMIT, texts
    assert all(text.centre is None for text in texts)


@pytest.mark.ocr
def test_seal_over_a_table_rule_and_black_text_still_reads(engine: OcrEngine) -> None:
    page = paper()
    cv2.line(page, (0, 515), (PAGE_SIZE[1], 515), BLACK, 3)  # through the legend's first and last glyphs
    cv2.putText(page, "( seal )   2019   05   12", (250, 550), cv2.FONT_HERSHEY_SIMPLEX, 1.2, BLACK, 3)
    page, seal = stamped(ROUND, 5, page)
    assert cer(read_seal_text(page, seal, engine).arc, ROUND.legend) <= FULL_TEXT_CER_LIMIT


@pytest.mark.ocr
def test_seal_overlapped_by_a_neighbour_reads_its_own_legend(engine: OcrEngine) -> None:
    page = paper()
    neighbour = seals.render_seal(NEIGHBOUR, np.random.default_rng(11))
    seals.stamp(page, neighbour, (PAGE_SIZE[1] / 2 + 30, PAGE_SIZE[0] / 2 - 280))  # its lower edge crosses ours
    page, seal = stamped(ROUND, 2, page)
    assert cer(read_seal_text(page, seal, engine).arc, ROUND.legend) <= FULL_TEXT_CER_LIMIT


@pytest.mark.ocr
def test_a_rough_centre_and_radius_are_refitted_from_the_ink(engine: OcrEngine) -> None:
    page, seal = stamped(ROUND, 4)
    radius = seal.axes[0]
    seal.centre = (seal.centre[0] + 0.08 * radius, seal.centre[1] - 0.06 * radius)
    seal.axes = (0.9 * radius, 0.9 * radius)
    assert cer(read_seal_text(page, seal, engine).arc, ROUND.legend) <= ROUND_CER_LIMIT


# --- plumbing, with fake engines ---------------------------------------------------------------------------------


class FakeRecogniser:
    """A :class:`LineRecogniser` that answers each line image in turn from a list and keeps the images."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.images: list[np.ndarray] = []

    @property
    def name(self) -> str:
        return "fake-recogniser"

    def read(self, image: np.ndarray) -> list[TextLine]:
        raise AssertionError("a line recogniser is never asked to detect lines")

    def read_line(self, image: np.ndarray) -> TextLine | None:
        self.images.append(image)
        text = self.answers[len(self.images) - 1] if len(self.images) <= len(self.answers) else ""
        height, width = image.shape[:2]
        return TextLine(text=text, raw=text, score=0.9, bbox=[0.0, 0.0, float(width), float(height)]) if text else None


def test_a_line_recogniser_reads_each_crop_alone_as_black_text_on_white() -> None:
    page, seal = stamped(ROUND, 1)
    recogniser = FakeRecogniser(["泸州北方化学工业有限公司", "", "人事专用章"])
    assert isinstance(recogniser, LineRecogniser)
    text = read_seal_text(page, seal, recogniser)
    assert (text.arc, text.centre) == ("泸州北方化学工业有限公司", "人事专用章")
    assert text.score == pytest.approx(0.9)
    strip = recogniser.images[0]
    assert strip.shape[1] > 4 * strip.shape[0]  # the arc unwrapped into one long line
    assert np.median(strip) == 255 and strip.min() < 64  # white paper, black ink
    assert np.array_equal(strip[..., 0], strip[..., 2])  # grey: the red is gone


def test_an_engine_that_must_detect_lines_reads_all_crops_of_a_seal_in_one_call() -> None:
    page, seal = stamped(ROUND, 1)
    fake = FakeOcrEngine(lines=[("泸州北方化学工业有限公司", [5, 5, 400, 50])])
    text = read_seal_text(page, seal, fake)
    assert fake.calls == 1
    assert text.arc == "泸州北方化学工业有限公司"
    assert text.centre is None


def test_a_square_seal_set_in_rows_is_reordered_when_only_that_order_ends_like_a_seal() -> None:
    page, seal = stamped(SQUARE, 0)
    # cells are lined up right column first: a seal set in rows 王建 / 国印 reads 建印王国 that way
    assert read_legend(page, seal, FakeRecogniser(["建印王国"])) == "王建国印"
    assert read_legend(page, seal, FakeRecogniser(["王建国印"])) == "王建国印"


def test_no_red_ink_reads_nothing_and_calls_no_engine() -> None:
    page = paper()
    cv2.putText(page, "black text only", (100, 450), cv2.FONT_HERSHEY_SIMPLEX, 2.0, BLACK, 4)
    fake = FakeOcrEngine(lines=[("不该读到", [0, 0, 10, 10])])
    assert read_legend(page, detected((100, 100, 800, 800), "round"), fake) is None
    assert fake.calls == 0


def test_red_ink_is_one_for_seal_red_and_zero_for_paper_black_and_blue() -> None:
    swatches = np.array([[[213, 33, 43], PAPER, [20, 20, 20], [40, 50, 140], [236, 160, 160]]], dtype=np.uint8)
    ink = red_ink(np.repeat(swatches, 4, axis=0))[0]
    assert ink[0] == pytest.approx(1.0)
    assert ink[1] == ink[2] == ink[3] == 0.0
    assert 0.2 < ink[4] < 1.0  # a faint impression is partial ink


def test_red_ink_keeps_the_paper_between_a_dense_glyphs_strokes_open() -> None:
    # Scanned colours of a bold 重: its strokes, the pink paper squeezed between them, and the paper around it.
    # Their redness differs little (115 and 95), since thick ink lowers the red channel as well.
    stroke, between = [190, 75, 70], [250, 150, 155]
    ink = red_ink(np.repeat(np.array([[stroke, between, PAPER]], dtype=np.uint8), 4, axis=0))[0]
    assert ink[0] == pytest.approx(1.0)
    assert ink[1] < 0.6 * ink[0]
    assert ink[2] == 0.0


def test_seal_text_joins_legend_and_centre_line() -> None:
    assert SealText(arc="泸州北方化学工业有限公司", centre="人事专用章").text == "泸州北方化学工业有限公司人事专用章"
    assert SealText(arc="王建国印").text == "王建国印"
    assert SealText().text is None


def test_options_reject_unknown_keys() -> None:
    with pytest.raises(pydantic.ValidationError):
        LegendOptions(band_hieght=0.3)  # type: ignore[call-arg]
