"""Seal detection: real seals, the project's own rendered seals on text pages, rules, colour casts, a packet."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pydantic
import pytest

from extractors.pdf import RenderOptions, render_images
from extractors.seals.detect import DetectOptions, detect_seals
from extractors.seals.types import DetectedSeal
from samples import seals
from samples.evaluate import match_seals
from tests.conftest import shared_path

REPO = Path(__file__).resolve().parents[2]
A4 = (1654, 2339)  # width, height at 200 DPI
INK_RED = (210, 32, 44)
BLACK = (25, 25, 25)
Box = tuple[int, int, int, int]

ROUND = seals.SealSpec(shape="round", legend="泸州市人力资源和社会保障局", centre_text="人事专用章")
OVAL = seals.SealSpec(shape="oval", legend="泸州市机械制造有限公司", centre_text="人事专用章", size_mm=(45.0, 30.0))
SQUARE = seals.SealSpec(shape="square", legend="王建国印", star=False, size_mm=(20.0, 20.0))
CROSS = seals.SealSpec(shape="round", legend="泸州市机械制造有限公司")


# --- helpers -------------------------------------------------------------------------------------------------


def load_rgb(path: Path) -> np.ndarray:
    """An image file as RGB ``uint8``; transparency composited on white."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert image is not None, path
    if image.ndim == 3 and image.shape[2] == 4:
        alpha = image[..., 3:].astype(np.float32) / 255.0
        image = (image[..., :3] * alpha + 255.0 * (1.0 - alpha)).astype(np.uint8)
    return np.ascontiguousarray(image[..., ::-1])


def text_page(size: tuple[int, int] = A4) -> np.ndarray:
    """A white page covered with lines of black text."""
    width, height = size
    page = np.full((height, width, 3), 255, np.uint8)
    for y in range(160, height - 120, 64):
        cv2.putText(page, "Applicant 2019 record: work unit, rank, years 12345", (90, y), 0, 1.4, BLACK, 3, cv2.LINE_AA)
    return page


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    inter_w = min(a[2], b[2]) - max(a[0], b[0])
    inter_h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(0.0, inter_w) * max(0.0, inter_h)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def best(found: list[DetectedSeal], box: Sequence[float]) -> tuple[DetectedSeal, float]:
    """The detected seal overlapping ``box`` most, and their IoU."""
    assert found, "no seal found"
    seal = max(found, key=lambda s: iou(s.bbox, box))
    return seal, iou(seal.bbox, box)


def assert_well_formed(seal: DetectedSeal) -> None:
    x0, y0, x1, y1 = seal.bbox
    assert seal.ink.shape == (y1 - y0, x1 - x0) and seal.ink.dtype == np.float32
    assert float(seal.ink.min()) >= 0.0 and float(seal.ink.max()) <= 1.0
    assert 0.0 <= seal.confidence <= 1.0
    assert seal.color[0] > max(seal.color[1], seal.color[2]) + 40  # reads as red


# --- real seals ------------------------------------------------------------------------------------------------


def test_three_real_seals_and_nothing_else() -> None:
    image = load_rgb(shared_path("realdata", "seals", "getseal_ly_three_seals.png"))
    # A screenshot: the seals are 115-250 px across, and handwritten captions sit under them.
    found = detect_seals(image, 0, DetectOptions(min_diameter_px=80, max_diameter_px=400))
    assert [s.shape for s in sorted(found, key=lambda s: s.bbox[0])] == ["round", "round", "square"]
    for seal in found:
        assert not seal.partial
        assert_well_formed(seal)


def test_photo_of_a_round_seal_on_textured_paper() -> None:
    image = load_rgb(shared_path("realdata", "seals", "sealhacker_test.jpg"))
    height, width = image.shape[:2]
    found = detect_seals(image, 0, DetectOptions(min_diameter_px=200, max_diameter_px=800))
    seal, overlap = best(found, (0, 0, width, height))
    assert seal.shape == "round" and overlap > 0.8, (seal.bbox, overlap)


# --- the project's own seals on a text page --------------------------------------------------------------------


@pytest.fixture(scope="module")
def stamped_page() -> tuple[np.ndarray, np.ndarray, dict[str, seals.StampResult]]:
    """A text page with a round seal over text, an oval, a square seal and a 骑缝章 sliver; the clean page too."""
    rng = np.random.default_rng(7)
    clean = text_page()
    page = clean.copy()
    placed = {
        "round": seals.stamp(page, seals.render_seal(ROUND, rng), (520, 640)),
        "oval": seals.stamp(page, seals.render_seal(OVAL, rng), (560, 1500)),
        "square": seals.stamp(page, seals.render_seal(SQUARE, rng), (1150, 700)),
    }
    cross = seals.render_seal(CROSS, rng)
    placed["sliver"] = seals.stamp_sliver(page, seals.cross_page_slivers(cross, 3)[0], cross.color, 1500.0)
    return page, clean, placed


def test_every_seal_on_a_text_page_is_found_with_its_shape(
    stamped_page: tuple[np.ndarray, np.ndarray, dict[str, seals.StampResult]],
) -> None:
    page, _, placed = stamped_page
    found = detect_seals(page, 3)
    assert len(found) == len(placed)
    for name, truth in placed.items():
        seal, overlap = best(found, truth.bbox)
        assert overlap > 0.85, (name, seal.bbox, truth.bbox)
        assert seal.page == 3
        assert seal.shape == ("round" if name == "sliver" else name)
        assert seal.partial == (name == "sliver")
        assert_well_formed(seal)


def test_a_sliver_is_cut_by_the_right_edge_and_centred_off_the_page(
    stamped_page: tuple[np.ndarray, np.ndarray, dict[str, seals.StampResult]],
) -> None:
    page, _, placed = stamped_page
    seal, _ = best(detect_seals(page, 0), placed["sliver"].bbox)
    radius = 42.0 / 2 / 25.4 * 200  # px
    assert seal.partial and seal.edge == "right"
    # The first of three slivers is the seal's left third: its centre lies a sixth of a diameter off the page.
    assert seal.centre[0] > A4[0] + radius / 6
    assert abs(seal.axes[0] - radius) < 0.08 * radius
    assert abs(seal.centre[1] - 1500) < 0.05 * radius


def test_whole_seals_have_centres_and_axes(
    stamped_page: tuple[np.ndarray, np.ndarray, dict[str, seals.StampResult]],
) -> None:
    page, _, placed = stamped_page
    found = detect_seals(page, 0)
    expectations = {"round": ((520, 640), (165, 165)), "oval": ((560, 1500), (177, 118))}
    for name, (centre, axes) in expectations.items():
        seal, _ = best(found, placed[name].bbox)
        assert np.allclose(seal.centre, centre, atol=6), (name, seal.centre)
        assert np.allclose(sorted(seal.axes, reverse=True), axes, rtol=0.06), (name, seal.axes)
    square, _ = best(found, placed["square"].bbox)
    assert np.allclose(square.axes, (79, 79), rtol=0.08), square.axes


def test_black_text_under_a_seal_is_not_seal_ink(
    stamped_page: tuple[np.ndarray, np.ndarray, dict[str, seals.StampResult]],
) -> None:
    page, clean, placed = stamped_page
    seal, _ = best(detect_seals(page, 0), placed["round"].bbox)
    x0, y0, x1, y1 = seal.bbox
    text = clean[y0:y1, x0:x1, 0] < 60  # the cores of the black strokes under the seal
    assert text.sum() > 1000  # the seal does lie over text
    assert float(seal.ink[text].mean()) < 0.05
    assert float(seal.ink[~text].max()) > 0.8  # while its own ink reads as ink


def test_overlapping_seals_are_two_seals() -> None:
    rng = np.random.default_rng(11)
    page = text_page()
    first = seals.stamp(page, seals.render_seal(ROUND, rng), (600, 800))
    second = seals.stamp(page, seals.render_seal(ROUND, rng), (640, 1080))  # centres 0.86 diameters apart
    found = detect_seals(page, 0)
    assert len(found) == 2
    for truth in (first, second):
        seal, overlap = best(found, truth.bbox)
        assert overlap > 0.8 and seal.shape == "round" and not seal.partial


def test_seals_cut_by_the_left_and_bottom_edges_are_partial() -> None:
    rng = np.random.default_rng(5)
    page = text_page()
    left = seals.stamp(page, seals.render_seal(ROUND, rng), (60, 900))
    bottom = seals.stamp(page, seals.render_seal(ROUND, rng), (900, A4[1] - 40))
    found = detect_seals(page, 0)
    assert len(found) == 2
    for truth in (left, bottom):
        seal, overlap = best(found, truth.bbox)
        assert overlap > 0.85 and seal.partial and seal.edge == truth.edge, (seal, truth)


# --- no seal, and seals under a colour cast --------------------------------------------------------------------


def test_black_text_and_red_rules_are_no_seal() -> None:
    page = text_page()
    cv2.line(page, (80, 1200), (1570, 1203), INK_RED, 3)  # a printed rule across the page
    cv2.line(page, (300, 1600), (760, 1600), INK_RED, 4)  # a seal-long red underline
    cv2.line(page, (1500, 200), (1500, 2100), INK_RED, 2)  # a margin rule
    cv2.putText(page, "ok", (400, 1900), 0, 2.0, INK_RED, 4, cv2.LINE_AA)  # red handwriting, too small
    assert detect_seals(page, 0) == []


def test_a_red_rule_through_a_seal_leaves_the_seal() -> None:
    rng = np.random.default_rng(3)
    page = text_page()
    truth = seals.stamp(page, seals.render_seal(ROUND, rng), (800, 1000))
    cv2.line(page, (0, 1010), (A4[0], 1016), INK_RED, 4)
    (seal,) = detect_seals(page, 0)
    assert iou(seal.bbox, truth.bbox) > 0.9 and seal.shape == "round"


def test_a_yellow_scan_still_shows_its_seals() -> None:
    rng = np.random.default_rng(9)
    page = text_page()
    truths = [
        seals.stamp(page, seals.render_seal(ROUND, rng), (700, 900)),
        seals.stamp(page, seals.render_seal(SQUARE, rng), (1200, 1700)),
    ]
    yellowed = np.clip(page.astype(np.float32) * np.array([0.97, 0.9, 0.7]) + 4, 0, 255).astype(np.uint8)
    found = detect_seals(yellowed, 0)
    assert sorted(s.shape for s in found) == ["round", "square"]
    for truth in truths:
        assert best(found, truth.bbox)[1] > 0.85


# --- options and input ----------------------------------------------------------------------------------------


def test_options_are_validated() -> None:
    with pytest.raises(pydantic.ValidationError):
        DetectOptions(min_diameter_px=300, max_diameter_px=200)
    with pytest.raises(pydantic.ValidationError):
        DetectOptions.model_validate({"min_diameter": 100})


def test_an_image_that_is_not_rgb_is_refused() -> None:
    with pytest.raises(ValueError, match="RGB"):
        detect_seals(np.zeros((100, 100), np.uint8), 0)


def test_a_blank_page_has_no_seal() -> None:
    assert detect_seals(np.full((A4[1], A4[0], 3), (240, 236, 222), np.uint8), 0) == []


# --- a generated packet --------------------------------------------------------------------------------------


def test_every_seal_of_a_sample_packet_is_found() -> None:
    pdf = REPO / "samples" / "packets" / "luzhou-2019-1-000-clean.pdf"
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))["seals"]
    report: list[dict[str, object]] = []
    for index, image in enumerate(render_images(pdf, RenderOptions())):
        report += [seal.to_record().model_dump(mode="json") for seal in detect_seals(image, index)]
    pairs = match_seals(truth, report)
    assert len(pairs) == len(truth) > 0
    for truth_seal, found in pairs:
        assert (truth_seal["shape"], truth_seal["partial"], truth_seal["edge"]) == (
            found["shape"],
            found["partial"],
            found["edge"],
        )
