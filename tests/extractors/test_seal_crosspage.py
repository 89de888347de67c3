"""骑缝章 joining: slivers at one height join; a swapped, missing or taken-out page breaks the join.

Pages are stamped with the project's own renderer (``samples.seals``) and scanned with its scanner model
(``samples.scan``, strength 0.8: skew, scale, shift, blur, noise), each page on its own, as a packet is.
The seal records are built from the known stamping, with the ink read back from the scan's redness.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pydantic
import pytest
from numpy.typing import NDArray

from extractors.seals.crosspage import CrossPageOptions, CrossPageSealResult, join_cross_page_seals
from extractors.seals.types import DetectedSeal
from models.report import CrossPageSeal, Edge
from samples import scan, seals

PAGE_W, PAGE_H = 1654, 2339  # A4 at 200 DPI
PAGES = [3, 4, 5]  # the document's pages inside a packet: indices need not start at 0
SIZES = {page: (PAGE_W, PAGE_H) for page in PAGES}
SPEC = seals.SealSpec("round", "泸州北方化学工业有限公司", None, star=True, size_mm=(42.0, 42.0))
CENTRE_Y = 0.45 * PAGE_H
SWAPPED_SHIFT = 0.12 * PAGE_H  # the generator's shift of a sliver from a page replaced after stamping
SCAN_STRENGTH = 0.8
FULL_REDNESS = 150.0  # red minus max(green, blue) of fully inked seal red on paper


Image = NDArray[np.uint8]


@dataclass(frozen=True)
class Document:
    """Scanned slivers of one 骑缝章 over PAGES, and the variants a tampered document would show."""

    slivers: dict[int, DetectedSeal]
    swapped: DetectedSeal
    """Page 4's sliver if that page had been replaced: another stamping, 12% of page height lower."""
    whole: DetectedSeal
    """An ordinary seal near page 3's right margin: no sliver."""


def _redness(image: Image) -> NDArray[np.float32]:
    rgb = image.astype(np.float32)
    redness = (rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2])) / FULL_REDNESS
    return np.asarray(np.clip(redness, 0.0, 1.0), dtype=np.float32)


def _record(page: int, image: Image, box: list[float], centre: tuple[float, float], radius: float) -> DetectedSeal:
    """A detector's record of the ink inside the scanned ``box``."""
    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    x1, y1 = min(int(np.ceil(box[2])), image.shape[1]), min(int(np.ceil(box[3])), image.shape[0])
    crop = image[y0:y1, x0:x1]
    ink = _redness(crop)
    r, g, b = (int(v) for v in crop[ink > 0.3].mean(axis=0))
    partial = x1 >= image.shape[1] - 20
    return DetectedSeal(
        page=page,
        bbox=(x0, y0, x1, y1),
        shape="round",
        partial=partial,
        edge="right" if partial else None,
        confidence=0.9,
        centre=centre,
        axes=(radius, radius),
        angle=0.0,
        ink=ink,
        color=(r, g, b),
    )


def _stamp_sliver(
    page: int, seal: seals.SealImage, index: int, centre_y: float, rng: np.random.Generator
) -> DetectedSeal:
    """Sliver ``index`` of ``seal`` on a blank page, scanned."""
    strips = seals.cross_page_slivers(seal, len(PAGES))
    image = np.full((PAGE_H, PAGE_W, 3), 255, dtype=np.uint8)
    placed = seals.stamp_sliver(image, strips[index], seal.color, centre_y)
    scanned, matrix = scan.scan(image, scan.random_effects(rng, SCAN_STRENGTH), rng)
    ends = sum(strip.shape[1] for strip in strips[: index + 1])  # where the page edge cuts the seal
    centre = (PAGE_W + seal.ink.shape[1] / 2 - ends, centre_y)
    return _record(page, scanned, scan.map_box(matrix, placed.bbox), centre, seal.ink.shape[0] / 2)


def _stamp_whole(page: int, seal: seals.SealImage, rng: np.random.Generator) -> DetectedSeal:
    image = np.full((PAGE_H, PAGE_W, 3), 255, dtype=np.uint8)
    centre = (PAGE_W - seal.ink.shape[1] / 2 - 5, 0.8 * PAGE_H)
    placed = seals.stamp(image, seal, centre)
    scanned, matrix = scan.scan(image, scan.random_effects(rng, SCAN_STRENGTH), rng)
    return _record(page, scanned, scan.map_box(matrix, placed.bbox), centre, seal.ink.shape[0] / 2)


@pytest.fixture(scope="module")
def document() -> Document:
    rng = np.random.default_rng(2024)
    seal = seals.render_seal(SPEC, rng)
    slivers = {page: _stamp_sliver(page, seal, i, CENTRE_Y, rng) for i, page in enumerate(PAGES)}
    other = seals.render_seal(SPEC, rng)
    swapped = _stamp_sliver(PAGES[1], other, 1, CENTRE_Y + SWAPPED_SHIFT, rng)
    return Document(slivers, swapped, _stamp_whole(PAGES[0], other, rng))


def _join(pages: list[int], found: list[DetectedSeal]) -> CrossPageSealResult:
    results = join_cross_page_seals(pages, found, SIZES)
    assert len(results) == 1
    return results[0]


def test_slivers_at_one_height_join_into_one_seal(document: Document) -> None:
    found = [*document.slivers.values(), document.whole]
    result = _join(PAGES, found)
    assert result.complete and result.missing_pages == []
    assert result.edge == "right" and result.pages == PAGES
    assert [s.page for s in result.seals] == PAGES  # the whole seal near the margin is no sliver
    assert result.coverage is not None and 0.85 < result.coverage < 1.15
    assert result.height is not None and abs(result.height - CENTRE_Y / PAGE_H) < 0.02
    assert result.confidence > 0.6


def test_a_sliver_from_another_stamping_elsewhere_marks_its_page(document: Document) -> None:
    found = [document.slivers[3], document.swapped, document.slivers[5]]
    result = _join(PAGES, found)
    assert not result.complete
    assert result.missing_pages == [4]
    assert [s.page for s in result.seals] == [3, 5]


def test_a_page_without_its_sliver_is_missing(document: Document) -> None:
    result = _join(PAGES, [document.slivers[3], document.slivers[4]])
    assert not result.complete and result.missing_pages == [5]


def test_no_sliver_on_any_page_leaves_every_page_missing(document: Document) -> None:
    result = _join(PAGES, [document.whole])
    assert not result.complete and result.missing_pages == PAGES
    assert result.seals == [] and result.height is None
    assert result.edge == "right"


def test_two_pages_disagreeing_keep_the_first_and_say_it_is_a_guess(document: Document) -> None:
    sizes = {3: (PAGE_W, PAGE_H), 4: (PAGE_W, PAGE_H)}
    result = join_cross_page_seals([3, 4], [document.slivers[3], document.swapped], sizes)[0]
    assert result.missing_pages == [4]
    assert result.confidence <= CrossPageOptions().tie_confidence


def test_a_sliver_of_another_seal_at_the_right_height_does_not_line_up(document: Document) -> None:
    smaller = _shrunk(document.slivers[4], 0.7)  # a 30 mm seal's sliver, centred at the same height
    blue = dataclasses.replace(document.slivers[5], color=(40, 60, 190))
    result = _join(PAGES, [document.slivers[3], smaller, blue])
    assert result.missing_pages == [4, 5]


def _shrunk(seal: DetectedSeal, factor: float) -> DetectedSeal:
    x0, y0, x1, y1 = seal.bbox
    cut = round((y1 - y0) * (1 - factor) / 2)
    return dataclasses.replace(
        seal,
        bbox=(x0, y0 + cut, x1, y1 - cut),
        axes=(seal.axes[0] * factor, seal.axes[1] * factor),
        ink=np.ascontiguousarray(seal.ink[cut:-cut]),
    )


def test_a_page_taken_out_after_stamping_breaks_the_join(document: Document) -> None:
    # Page 5 gone: the two left slivers cover two thirds of the circle and page 4's ends mid-circle.
    result = _join([3, 4], [document.slivers[3], document.slivers[4]])
    assert not result.complete
    assert result.coverage is not None and result.coverage < CrossPageOptions().min_coverage
    assert result.missing_pages == [4]


def test_slivers_on_the_left_edge_are_joined_too(document: Document) -> None:
    mirrored = [_mirrored(s) for s in document.slivers.values()]
    result = _join(PAGES, mirrored)
    assert result.complete and result.edge == "left"


def _mirrored(seal: DetectedSeal) -> DetectedSeal:
    x0, y0, x1, y1 = seal.bbox
    return dataclasses.replace(
        seal, bbox=(PAGE_W - x1, y0, PAGE_W - x0, y1), edge="left", ink=np.ascontiguousarray(seal.ink[:, ::-1])
    )


def test_a_single_page_has_no_cross_page_seal(document: Document) -> None:
    assert join_cross_page_seals([3], [document.slivers[3]], SIZES) == []


def test_the_record_is_the_reports_entry(document: Document) -> None:
    record = _join(PAGES, [document.slivers[3], document.slivers[5]]).to_record()
    assert isinstance(record, CrossPageSeal)
    assert record.pages == PAGES and record.edge == Edge.RIGHT
    assert not record.complete and record.missing_pages == [4]
    assert 0.0 <= record.confidence <= 1.0


def test_options_refuse_unknown_keys() -> None:
    with pytest.raises(pydantic.ValidationError):
        CrossPageOptions(height_tolerence=0.1)  # type: ignore[call-arg]
