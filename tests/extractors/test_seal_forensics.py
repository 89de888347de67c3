"""Pasted-seal forensics: one ink pasted twice is caught through two scans; two real stampings are not.

Impressions come from the project's renderer (``samples.seals``), stamped over a few lines of black text
and scanned page by page with its scanner model (``samples.scan``: skew, scale, shift, blur, noise, JPEG)
at random strengths up to 0.8. The seal records carry the ink read back from the scan's redness.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pydantic
import pytest
from numpy.typing import NDArray

from extractors.seals.forensics import ForensicsOptions, PastedPair, _warp_at_scale, find_pasted_seals, paste_score
from extractors.seals.types import DetectedSeal
from samples import scan, seals

SPEC = seals.SealSpec("round", "泸州北方化学工业有限公司", "人事专用章", star=True, size_mm=(42.0, 42.0))
PAGE = 440  # pixels a side: a 42 mm seal at 200 DPI is ~336 px, with room for the scan's shift
TRIALS = 20
STRENGTH = (0.15, 0.8)  # the generator's range of scan strengths
MIN_RECALL = 0.95
FULL_REDNESS = 150.0  # red minus max(green, blue) of fully inked seal red on paper
TEXT_INK = (20, 20, 20)

Image = NDArray[np.uint8]


def _page(rng: np.random.Generator) -> Image:
    """A white page with a few short lines of scribbled black text, somewhere under the seal."""
    page = np.full((PAGE, PAGE, 3), 255, dtype=np.uint8)
    for _ in range(int(rng.integers(1, 4))):
        x, y = int(rng.integers(40, 160)), int(rng.integers(50, PAGE - 70))
        for _ in range(int(rng.integers(3, 8))):
            for _ in range(3):
                start = (x + int(rng.integers(0, 22)), y + int(rng.integers(0, 24)))
                end = (x + int(rng.integers(0, 22)), y + int(rng.integers(0, 24)))
                cv2.line(page, start, end, TEXT_INK, 2)
            x += 30
    return page


def _impression(seal: seals.SealImage, page_index: int, rng: np.random.Generator) -> DetectedSeal:
    """``seal`` stamped on its own page, the page scanned and JPEG-compressed, the ink read back."""
    page = _page(rng)
    centre = (PAGE / 2 + rng.uniform(-6, 6), PAGE / 2 + rng.uniform(-6, 6))
    placed = seals.stamp(page, seal, centre)
    effects = scan.random_effects(rng, rng.uniform(*STRENGTH))
    scanned, matrix = scan.scan(page, effects, rng)
    data = np.frombuffer(scan.encode_jpeg(scanned, effects.jpeg_quality), dtype=np.uint8)
    decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
    assert decoded is not None
    image = cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)
    box = scan.map_box(matrix, placed.bbox)
    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    x1, y1 = min(int(np.ceil(box[2])), PAGE), min(int(np.ceil(box[3])), PAGE)
    rgb = image[y0:y1, x0:x1].astype(np.float32)
    ink = np.clip((rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2])) / FULL_REDNESS, 0.0, 1.0)
    radius = seal.ink.shape[0] / 2
    return DetectedSeal(
        page=page_index,
        bbox=(x0, y0, x1, y1),
        shape="round",
        partial=False,
        edge=None,
        confidence=0.9,
        centre=((x0 + x1) / 2, (y0 + y1) / 2),
        axes=(radius, radius),
        angle=0.0,
        ink=ink.astype(np.float32),
        color=seal.color,
    )


def _pasted(rng: np.random.Generator) -> tuple[DetectedSeal, DetectedSeal]:
    seal = seals.render_seal(SPEC, rng)
    return _impression(seal, 0, rng), _impression(seal, 1, rng)


def _genuine(rng: np.random.Generator) -> tuple[DetectedSeal, DetectedSeal]:
    return _impression(seals.render_seal(SPEC, rng), 0, rng), _impression(seals.render_seal(SPEC, rng), 1, rng)


def test_one_ink_pasted_on_two_pages_is_flagged_through_two_scans() -> None:
    rng = np.random.default_rng(11)
    found = [find_pasted_seals(_pasted(rng)) for _ in range(TRIALS)]
    assert sum(len(pairs) == 1 for pairs in found) >= MIN_RECALL * TRIALS
    pair = next(pairs[0] for pairs in found if pairs)
    assert isinstance(pair, PastedPair)
    assert (pair.first.page, pair.second.page) == (0, 1)
    assert ForensicsOptions().thresholds.round <= pair.score <= 1.0


def test_two_stampings_of_one_seal_are_never_flagged() -> None:
    rng = np.random.default_rng(12)
    flagged = [pairs for pairs in (find_pasted_seals(_genuine(rng)) for _ in range(TRIALS)) if pairs]
    assert flagged == []


def test_a_paste_scores_far_above_two_stampings() -> None:
    rng = np.random.default_rng(13)
    first, second = _pasted(rng)
    third, fourth = _genuine(rng)
    pasted = paste_score(first.ink, second.ink)
    genuine = paste_score(third.ink, fourth.ink)
    assert pasted is not None and genuine is not None
    assert pasted - genuine > 0.2


def test_only_whole_impressions_of_one_shape_and_size_are_compared() -> None:
    first, second = _pasted(np.random.default_rng(14))
    assert len(find_pasted_seals([first, second])) == 1
    assert find_pasted_seals([first, dataclasses.replace(second, partial=True, edge="right")]) == []
    assert find_pasted_seals([first, dataclasses.replace(second, shape="oval")]) == []
    x0, y0, x1, y1 = second.bbox
    larger = dataclasses.replace(second, bbox=(x0, y0, x1 + 60, y1 + 60))
    assert find_pasted_seals([first, larger]) == []


def test_impressions_whose_legends_name_different_units_are_not_aligned() -> None:
    first, second = _pasted(np.random.default_rng(14))
    unit, other = "泸州北方化学工业有限公司", "泸州市江阳区人力资源和社会保障局"
    assert find_pasted_seals([dataclasses.replace(first, text=unit), dataclasses.replace(second, text=other)]) == []
    # A legend misread in places, or not read at all, still lets the pair be compared.
    misread = "泸州北方化学工业有限公日"
    assert (
        len(find_pasted_seals([dataclasses.replace(first, text=unit), dataclasses.replace(second, text=misread)])) == 1
    )
    assert len(find_pasted_seals([dataclasses.replace(first, text=unit), second])) == 1
    # A legend read only in part is the same seal; two units sharing only their legal form and 专用章 are not.
    whole, part = "泸州北方化学工业有限公司人事专用章", "泸州北方化"
    assert len(find_pasted_seals([dataclasses.replace(first, text=whole), dataclasses.replace(second, text=part)])) == 1
    another = "泸州老窖股份有限公司人事专用章"
    assert find_pasted_seals([dataclasses.replace(first, text=whole), dataclasses.replace(second, text=another)]) == []


def test_unrelated_ink_does_not_align() -> None:
    first, _ = _pasted(np.random.default_rng(15))
    noise = np.random.default_rng(16).random(first.ink.shape).astype(np.float32)
    assert find_pasted_seals([first, dataclasses.replace(first, page=2, ink=noise)]) == []


def test_a_warp_found_on_half_size_maps_maps_the_same_points_at_full_size() -> None:
    # ECC aligns half-size maps; its warp must carry over to full size exactly (cv2.resize's pixel centres).
    turned = cv2.getRotationMatrix2D((170.0, 170.0), 12.0, 1.01).astype(np.float32)
    turned[:, 2] += (3.2, -1.7)
    scale = 0.5
    centre = (scale - 1) / 2
    for point in ((0.0, 0.0), (340.0, 17.5), (101.25, 260.0)):
        full = turned @ np.array([*point, 1.0], dtype=np.float32)
        half = _warp_at_scale(turned, scale) @ np.array([scale * point[0] + centre, scale * point[1] + centre, 1.0])
        assert np.allclose(half, scale * full + centre, atol=1e-3)
    assert np.allclose(_warp_at_scale(_warp_at_scale(turned, scale), 1 / scale), turned, atol=1e-4)


def test_options_refuse_unknown_keys() -> None:
    with pytest.raises(pydantic.ValidationError):
        ForensicsOptions(paste_treshold=0.5)  # type: ignore[call-arg]
