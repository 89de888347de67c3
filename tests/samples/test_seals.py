"""Seal impressions: reproducible per seed, never twice alike, red, stamped only where the ink is."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from samples.seals import SealImage, SealSpec, cross_page_slivers, render_seal, stamp, stamp_pixels, stamp_sliver

ROUND = SealSpec("round", "泸州北方化学工业有限公司", "人事专用章", star=True, size_mm=(42.0, 42.0))
OVAL = SealSpec("oval", "泸州北方化学工业有限公司", "财务专用章", star=False, size_mm=(45.0, 30.0))
SQUARE = SealSpec("square", "王建国印", None, star=False, size_mm=(20.0, 20.0))
PAGE_SIZE = (1000, 800)  # rows, columns: enough for a 42 mm seal at 200 DPI
PAPER = 230  # a paper tone below white, so darkening anywhere would show
TEXT_ROWS = slice(480, 500)  # a black text bar under the seal
STRONG_INK = 0.8


@pytest.fixture(scope="module")
def round_seal() -> SealImage:
    return render_seal(ROUND, np.random.default_rng(7))


def _page(value: int = PAPER) -> NDArray[np.uint8]:
    return np.full((*PAGE_SIZE, 3), value, dtype=np.uint8)


@pytest.mark.parametrize("spec", [ROUND, OVAL, SQUARE], ids=lambda spec: spec.shape)
def test_same_seed_gives_the_same_impression(spec: SealSpec) -> None:
    first = render_seal(spec, np.random.default_rng(42))
    second = render_seal(spec, np.random.default_rng(42))
    assert first.color == second.color
    np.testing.assert_array_equal(first.ink, second.ink)
    assert first.ink.dtype == np.float32
    assert first.ink.min() >= 0.0 and first.ink.max() <= 1.0


@pytest.mark.parametrize("spec", [ROUND, OVAL, SQUARE], ids=lambda spec: spec.shape)
def test_two_stampings_never_match_pixel_for_pixel(spec: SealSpec) -> None:
    first = render_seal(spec, np.random.default_rng(1)).ink
    second = render_seal(spec, np.random.default_rng(2)).ink
    assert first.shape != second.shape or not np.array_equal(first, second)


def test_stamp_changes_only_pixels_under_the_ink_and_keeps_text_black(round_seal: SealImage) -> None:
    page = _page()
    page[TEXT_ROWS] = 0
    before = page.copy()
    result = stamp(page, round_seal, (400.0, 490.0))
    h, w = round_seal.ink.shape
    x0, y0 = round(400 - w / 2), round(490 - h / 2)
    under = np.zeros(PAGE_SIZE, dtype=bool)
    under[y0 : y0 + h, x0 : x0 + w] = round_seal.ink > 0
    changed = np.any(page != before, axis=2)
    assert changed.any()
    assert not (changed & ~under).any()
    assert (page[TEXT_ROWS] == 0).all()  # multiplicative ink leaves black text black
    assert not result.partial and result.edge is None
    bx0, by0, bx1, by1 = result.bbox
    assert x0 <= bx0 < bx1 <= x0 + w and y0 <= by0 < by1 <= y0 + h


def test_ink_stamped_on_white_is_red(round_seal: SealImage) -> None:
    page = _page(255)
    stamp(page, round_seal, (400.0, 500.0))
    h, w = round_seal.ink.shape
    strong = round_seal.ink > STRONG_INK
    pixels = page[500 - h // 2 : 500 - h // 2 + h, 400 - w // 2 : 400 - w // 2 + w][strong].astype(int)
    assert len(pixels) > 0
    red, green, blue = pixels.mean(axis=0)
    assert red > 190 and green < 110 and blue < 120


def test_stamp_over_the_right_edge_is_partial(round_seal: SealImage) -> None:
    page = _page()
    result = stamp(page, round_seal, (PAGE_SIZE[1] - 20.0, 500.0))
    assert result.partial
    assert result.edge == "right"
    assert result.bbox[2] == PAGE_SIZE[1]


def test_stamp_entirely_off_the_page_is_refused(round_seal: SealImage) -> None:
    with pytest.raises(ValueError, match="off"):
        stamp(_page(), round_seal, (-1000.0, 500.0))


def test_pasting_the_same_ink_twice_gives_identical_marks(round_seal: SealImage) -> None:
    first, second = _page(), _page()
    stamp_pixels(first, round_seal.ink, round_seal.color, (100, 200))
    stamp_pixels(second, round_seal.ink, round_seal.color, (100, 200))
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("n_pages", [2, 3, 5])
def test_slivers_side_by_side_give_back_the_seal(round_seal: SealImage, n_pages: int) -> None:
    slivers = cross_page_slivers(round_seal, n_pages)
    assert len(slivers) == n_pages
    widths = {sliver.shape[1] for sliver in slivers}
    assert max(widths) - min(widths) <= 1
    np.testing.assert_array_equal(np.hstack(slivers), round_seal.ink)


def test_sliver_lands_flush_on_the_right_edge(round_seal: SealImage) -> None:
    page = _page()
    sliver = cross_page_slivers(round_seal, 3)[0]
    result = stamp_sliver(page, sliver, round_seal.color, 500.0)
    assert result.partial and result.edge == "right"
    x0, y0, x1, y1 = result.bbox
    assert x1 == PAGE_SIZE[1]  # the ring's left arc reaches the strip's right end, cut by the edge
    assert PAGE_SIZE[1] - sliver.shape[1] <= x0
    assert abs((y0 + y1) / 2 - 500) < sliver.shape[0] * 0.1
