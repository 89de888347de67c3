"""Pasted-seal forensics: find two impressions that are one image pasted twice, not two stampings.

Every real stamping leaves its own ink: the pad's pressure, the paper's grain and the little gaps where
nothing printed differ from one impression to the next, even from the same seal. A seal image copied and
pasted onto two pages keeps the very same speckle, however each page was scanned afterwards. So:

1. Only complete impressions of the same shape and size are compared (:func:`_comparable`).
2. The second ink map is aligned onto the first: a coarse search over rotations on small, blurred maps,
   then ECC (affine: scanners add a slight scale as well as skew) on blurred half-size maps.
3. The *texture* is compared, not the seal: only the flat inside of thick strokes is used (the ring, the
   star, broad glyph parts; no stroke edges, which every stamping of one engraving shares), and there the
   ink minus its local mean, so the pressure's slow drift is gone too. What is left is grain and gaps.
4. The normalised cross-correlation of the two textures is the score: about 0.45-0.85 for a pasted image
   after two scans, about -0.15-0.3 for two genuine stampings of a round or oval seal aligned as well as
   they can be. Small square seals are mostly dense glyphs, whose strokes leak into the texture: their
   genuine pairs reach ~0.55, so each shape has its own threshold (:class:`PasteThresholds`, with the
   measurements).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
import pydantic
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from extractors.parallel import available_cores
from extractors.seals.types import DetectedSeal, Shape
from extractors.units import OTHER_UNIT, unit_similarity

logger = logging.getLogger(__name__)

FloatImage = NDArray[np.float32]
Mask = NDArray[np.bool_]
Affine = NDArray[np.float32]

EPSILON = 1e-6  # guards divisions by a spread or a weight that can be zero


class PasteThresholds(BaseModel):
    """Texture correlation from which two impressions of a shape are one pasted image.

    Measured with the project's renderer and scanner: one rendered ink stamped on two pages over random text,
    each page scanned with ``samples.scan.random_effects`` at strength 0.15-0.8 and JPEG-compressed (pasted),
    against two renderings of one ``SealSpec`` through the same pipeline (genuine), 60 pairs of each per seal;
    "undecided" pairs share too little flat ink to be scored and are never flagged:

    ======================  ==========================  ============================  =========
    seal                    pasted: min / 5% / median   genuine: max / 95% / median   undecided
    ======================  ==========================  ============================  =========
    round, unit + 人事专用章  0.48 / 0.53 / 0.63          0.18 / 0.16 / 0.06            0
    round, long unit name   0.48 / 0.50 / 0.63          0.19 / 0.18 / 0.08            0
    oval, 45 x 30 mm        0.43 / 0.52 / 0.65          0.29 / 0.28 / 0.11            12 genuine
    square 王建国印          0.60 / 0.63 / 0.76          0.54 / 0.51 / 0.37            25 genuine
    square 曾慧印            0.53 / 0.59 / 0.72          0.42 / 0.39 / 0.20            7 genuine
    ======================  ==========================  ============================  =========

    On 58 generated packets (``samples.generate``, seals found by ``extractors.seals.detect``): the 11 pasted
    round pairs score 0.48-0.63, the 593 other comparable pairs (mostly one unit's seal stamped again) at
    most 0.24, median 0.03. Round and oval thresholds sit midway; the square one sits above every genuine
    pair seen, at the cost of missing the faintest square pastes.

    The table was measured with ECC on full-size maps. With the half-size alignment (``align_scale``), 40 pairs
    of each kind per seal (the round unit seal, the oval, both square seals; one seed, both ways) gave the same
    lowest pasted and highest genuine scores to within 0.02 (square 王建国印: 0.49 and 0.55 both ways), no paste
    undecided, and the same single faint square paste missed per square seal.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    round: float = pydantic.Field(default=0.36, gt=0, lt=1, description="Round seals")
    oval: float = pydantic.Field(default=0.36, gt=0, lt=1, description="Oval seals")
    square: float = pydantic.Field(
        default=0.56, gt=0, lt=1, description="Square seals (small and glyph-dense: little margin either side)"
    )

    def of(self, shape: Shape) -> float:
        """The threshold of ``shape``."""
        return {"round": self.round, "oval": self.oval, "square": self.square}[shape]


class ForensicsOptions(BaseModel):
    """Options of pasted-seal detection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    thresholds: PasteThresholds = pydantic.Field(
        default_factory=PasteThresholds, description="Score from which a pair is a paste, per shape"
    )
    max_size_difference: float = pydantic.Field(
        default=0.08,
        ge=0,
        lt=1,
        description="Largest relative difference of bbox width or height for two impressions to be compared "
        "(a scan rescales by up to 1.5%; the rest is bbox slack)",
    )
    min_legend_similarity: float = pydantic.Field(
        default=OTHER_UNIT,
        ge=0,
        le=1,
        description="Two impressions whose legends were both read and are less alike than this as unit names "
        "(extractors.units.unit_similarity: legal forms and 专用章 aside, a legend read only in part counts as the "
        "whole) are surely different seals, and are not aligned: one pasted image reads the same twice. Most pairs "
        "of a packet are its different units' seals, which otherwise all reach the costly alignment",
    )
    max_rotation_deg: float = pydantic.Field(
        default=30.0, ge=0, le=180, description="Relative rotation searched for (a scan skews by up to ~1.2 degrees)"
    )
    rotation_step_deg: float = pydantic.Field(default=1.0, gt=0, description="Step of the coarse rotation search")
    coarse_scale: float = pydantic.Field(
        default=0.25, gt=0, le=1, description="Scale of the ink maps in the coarse rotation search"
    )
    coarse_blur_px: float = pydantic.Field(
        default=2.0, gt=0, description="Blur (full-resolution pixels) of the maps in the coarse search"
    )
    min_coarse_correlation: float = pydantic.Field(
        default=0.6,
        ge=-1,
        le=1,
        description="Below this correlation of the coarse, blurred maps the two are not one image (pastes: > 0.9)",
    )
    align_scale: float = pydantic.Field(
        default=0.5,
        ge=0.1,
        le=1,
        description="Scale of the maps ECC aligns. Half size costs a quarter per iteration, and the sub-pixel warp "
        "it finds holds at full size: on 12 pasted packets every paste scored as at full size (the lowest 0.454 -> "
        "0.457); on the 557 genuine pairs of one unit's seal in the speed bench's 100-page packet the highest score "
        "stayed 0.26, and the check took 56 ms a pair instead of 89",
    )
    align_blur_px: float = pydantic.Field(
        default=3.0, gt=0, description="Blur (full-resolution pixels) of the maps ECC aligns, before they are scaled"
    )
    align_iterations: int = pydantic.Field(default=60, ge=1, description="Most ECC iterations")
    align_epsilon: float = pydantic.Field(default=1e-5, gt=0, description="ECC stops when its step is below this")
    interior_blur_px: float = pydantic.Field(
        default=1.5, gt=0, description="Blur of the ink before it is thresholded into strokes (fills grain holes)"
    )
    interior_level: float = pydantic.Field(
        default=0.65,
        gt=0,
        lt=1,
        description="Strokes: blurred ink above this share of the impression's full ink (its 99th percentile)",
    )
    interior_erode_px: int = pydantic.Field(
        default=1, ge=0, description="Strokes are shrunk by this much so their edges stay out"
    )
    flat_blur_px: float = pydantic.Field(
        default=2.0, gt=0, description="Blur of the ink whose gradient tells stroke edges from flat insides"
    )
    max_flat_gradient: float = pydantic.Field(
        default=0.05,
        gt=0,
        description="Flat inside: gradient of the blurred ink below this share of full ink per pixel",
    )
    hole_close_px: int = pydantic.Field(
        default=3,
        ge=1,
        description="Closing that fills grain holes (<= 2 px) but not the gaps between a glyph's strokes",
    )
    fine_blur_px: float = pydantic.Field(
        default=1.0, gt=0, description="Blur of the closed ink whose gradient shows a glyph's strokes"
    )
    max_fine_gradient: float = pydantic.Field(
        default=0.05,
        gt=0,
        description="Flat at the fine scale too: dense glyphs look flat blurred, yet carry the engraving "
        "(shared by every stamping), not grain",
    )
    texture_blur_px: float = pydantic.Field(
        default=1.0, gt=0, description="Blur of the texture: keeps grain (~1-3 px), drops scanner noise and JPEG"
    )
    texture_background_px: float = pydantic.Field(
        default=8.0, gt=0, description="Scale of the local mean taken off the texture (the pressure's drift)"
    )
    min_texture_pixels: int = pydantic.Field(
        default=1500, ge=1, description="Fewer flat-inside pixels than this in common: too little to decide"
    )


@dataclass(frozen=True)
class PastedPair:
    """Two impressions whose ink is one image pasted twice.

    Attributes:
        first: The impression on the earlier page (or earlier in reading order on one page).
        second: The other impression.
        score: Texture correlation after alignment, -1..1; from the shape's threshold up it is a paste.
    """

    first: DetectedSeal
    second: DetectedSeal
    score: float


def find_pasted_seals(seals: Sequence[DetectedSeal], options: ForensicsOptions | None = None) -> list[PastedPair]:
    """Find pairs of complete impressions that are one pasted image.

    Args:
        seals: Every impression of a packet (partial ones are skipped: a sliver has too little ink).
        options: Thresholds; the defaults are documented in :class:`ForensicsOptions`.

    Returns:
        The pasted pairs, highest score first.
    """
    options = options or ForensicsOptions()
    whole = sorted((s for s in seals if not s.partial and s.ink.size), key=lambda s: (s.page, s.bbox[1], s.bbox[0]))
    candidates = [(a, b) for a, b in itertools.combinations(whole, 2) if _comparable(a, b, options)]

    def score(pair: tuple[DetectedSeal, DetectedSeal]) -> float | None:
        first, second = pair
        found = paste_score(first.ink, second.ink, options)
        logger.debug("paste score, pages %d and %d: %s", first.page, second.page, found)
        return found

    # OpenCV and NumPy let go of the GIL in the alignment's heavy calls, so pairs are scored side by side (the
    # seal stage of the 100-page bench packet, 557 pairs: 26.6 to 20.8 s on 2 cores, the same scores).
    with ThreadPoolExecutor(max_workers=available_cores(), thread_name_prefix="paste-score") as pool:
        scores = list(pool.map(score, candidates))
    pairs = [
        PastedPair(first=first, second=second, score=found)
        for (first, second), found in zip(candidates, scores, strict=True)
        if found is not None and found >= options.thresholds.of(first.shape)
    ]
    return sorted(pairs, key=lambda pair: -pair.score)


def paste_score(ink_a: FloatImage, ink_b: FloatImage, options: ForensicsOptions | None = None) -> float | None:
    """How alike the fine texture of two impressions is, after aligning the second onto the first.

    Args:
        ink_a: Seal-ink coverage 0..1 of one impression, cropped around it.
        ink_b: The other impression's.
        options: Alignment and texture settings.

    Returns:
        The texture correlation, -1..1 (near 1: one image); None when the two do not align as one seal
        at all, or share too little flat ink to judge.
    """
    options = options or ForensicsOptions()
    side = max(*ink_a.shape, *ink_b.shape) + 2 * math.ceil(3 * options.coarse_blur_px)
    a, b = _centred(ink_a, side), _centred(ink_b, side)
    aligned = _align(a, b, options)
    if aligned is None:
        return None
    mask = _flat_inside(a, options) & _flat_inside(aligned, options)
    if int(mask.sum()) < options.min_texture_pixels:
        return None
    return _ncc(_texture(a, mask, options), _texture(aligned, mask, options), mask)


def _comparable(a: DetectedSeal, b: DetectedSeal, options: ForensicsOptions) -> bool:
    """Same shape, same size, and not two legends read as different units: only such impressions can be one image."""
    if a.shape != b.shape:
        return False
    if a.text and b.text and unit_similarity(a.text, b.text) < options.min_legend_similarity:
        return False
    size_a = (a.bbox[2] - a.bbox[0], a.bbox[3] - a.bbox[1])
    size_b = (b.bbox[2] - b.bbox[0], b.bbox[3] - b.bbox[1])
    return all(abs(p - q) <= options.max_size_difference * max(p, q, 1) for p, q in zip(size_a, size_b, strict=True))


# --- alignment --------------------------------------------------------------------------------------------------


def _centred(ink: FloatImage, side: int) -> FloatImage:
    """The ink on a square zero canvas, its box centred (a complete seal's box centre is the seal's centre)."""
    canvas = np.zeros((side, side), dtype=np.float32)
    h, w = ink.shape
    y0, x0 = (side - h) // 2, (side - w) // 2
    canvas[y0 : y0 + h, x0 : x0 + w] = ink
    return canvas


def _align(a: FloatImage, b: FloatImage, options: ForensicsOptions) -> FloatImage | None:
    """``b`` warped onto ``a``; None when no rotation makes them one seal or ECC does not converge."""
    coarse = _coarse_warp(a, b, options)
    if coarse is None:
        return None
    scale = options.align_scale
    small_a, small_b = (_blurred_and_resized(ink, options.align_blur_px, scale, cv2.INTER_AREA) for ink in (a, b))
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, options.align_iterations, options.align_epsilon)
    try:
        everywhere = np.ones(small_a.shape, dtype=np.uint8)
        _, warp = cv2.findTransformECC(
            small_a, small_b, _warp_at_scale(coarse, scale), cv2.MOTION_AFFINE, criteria, everywhere, 1
        )
    except cv2.error:
        logger.debug("ECC did not converge")
        return None
    side = a.shape[1], a.shape[0]
    full = _warp_at_scale(np.asarray(warp, dtype=np.float32), 1 / scale)
    return np.asarray(cv2.warpAffine(b, full, side, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP), dtype=np.float32)


def _blurred_and_resized(ink: FloatImage, blur_px: float, scale: float, interpolation: int) -> FloatImage:
    """``ink`` blurred by ``blur_px`` (its own pixels), then resized by ``scale``."""
    blurred = _blur(ink, blur_px)
    if scale == 1:
        return blurred
    small = cv2.resize(blurred, None, fx=scale, fy=scale, interpolation=interpolation)
    return np.asarray(small, dtype=np.float32)


def _warp_at_scale(warp: Affine, scale: float) -> Affine:
    """An affine warp between two images, for the two images resized by ``scale``.

    ``cv2.resize`` puts a pixel centre ``x`` at ``scale * x + c`` with ``c = (scale - 1) / 2``: the linear part
    stays, the shift becomes ``scale * t + (I - A) c``.
    """
    linear, shift = warp[:, :2], warp[:, 2]
    centre = np.full(2, (scale - 1) / 2)
    rescaled = np.hstack([linear, (scale * shift + centre - linear @ centre)[:, None]])
    return np.asarray(rescaled, dtype=np.float32)


def _coarse_warp(a: FloatImage, b: FloatImage, options: ForensicsOptions) -> Affine | None:
    """The best rotation and shift of ``b`` onto ``a`` on small blurred maps, as ECC's full-size initial warp.

    The warp maps ``a``'s pixels to ``b``'s (ECC's convention). None when even the best correlation is below
    ``min_coarse_correlation``: two different seals, or one seal turned further than a paste would be.
    """
    scale = options.coarse_scale
    small_a = _shrink(a, options)
    small_b = _shrink(b, options)
    reference = small_a.astype(np.float64)  # phaseCorrelate's type, converted once for every angle
    centre = (small_a.shape[1] / 2, small_a.shape[0] / 2)
    steps = math.floor(options.max_rotation_deg / options.rotation_step_deg)
    best: tuple[float, float, tuple[float, float]] | None = None
    for angle in np.arange(-steps, steps + 1) * options.rotation_step_deg:
        turned = _warp(small_b, cv2.getRotationMatrix2D(centre, float(angle), 1.0))
        (dx, dy), _ = cv2.phaseCorrelate(reference, turned.astype(np.float64))
        score = _ncc(small_a, _warp(turned, np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float32)))
        if best is None or score > best[0]:
            best = (score, float(angle), (dx / scale, dy / scale))
    if best is None or best[0] < options.min_coarse_correlation:
        return None
    _, angle, shift = best
    forward = cv2.getRotationMatrix2D((a.shape[1] / 2, a.shape[0] / 2), angle, 1.0)
    forward[:, 2] += np.asarray(shift)
    return np.asarray(cv2.invertAffineTransform(forward), dtype=np.float32)


def _shrink(ink: FloatImage, options: ForensicsOptions) -> FloatImage:
    return _blurred_and_resized(ink, options.coarse_blur_px, options.coarse_scale, cv2.INTER_LINEAR)


def _warp(image: FloatImage, matrix: np.ndarray) -> FloatImage:
    size = image.shape[1], image.shape[0]
    return np.asarray(cv2.warpAffine(image, matrix, size, flags=cv2.INTER_LINEAR), dtype=np.float32)


# --- texture ------------------------------------------------------------------------------------------------------


def _flat_inside(ink: FloatImage, options: ForensicsOptions) -> Mask:
    """The flat inside of thick strokes: well inked, away from edges, where only grain and gaps vary."""
    filled = _blur(ink, options.interior_blur_px)
    full = max(float(np.percentile(filled, 99)), EPSILON)
    size = 2 * options.interior_erode_px + 1
    strokes = cv2.erode(
        (filled > options.interior_level * full).astype(np.uint8),
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)),
    )
    flat = _slope(_blur(ink, options.flat_blur_px)) < options.max_flat_gradient * full
    closed = cv2.morphologyEx(
        ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (options.hole_close_px,) * 2)
    )
    fine = _slope(_blur(np.asarray(closed, dtype=np.float32), options.fine_blur_px)) < options.max_fine_gradient * full
    return np.asarray(strokes.astype(bool) & flat & fine, dtype=np.bool_)


def _slope(image: FloatImage) -> FloatImage:
    """Gradient magnitude per pixel (Sobel with ksize 3 sums 8 times the slope)."""
    gx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3)
    return np.asarray(np.hypot(gx, gy) / 8, dtype=np.float32)


def _texture(ink: FloatImage, mask: Mask, options: ForensicsOptions) -> FloatImage:
    """Grain and gaps: the lightly blurred ink minus its local mean over the mask (a normalised convolution)."""
    weight = mask.astype(np.float32)
    local = _blur(ink * weight, options.texture_background_px) / np.maximum(
        _blur(weight, options.texture_background_px), EPSILON
    )
    return np.asarray(_blur(ink, options.texture_blur_px) - local, dtype=np.float32)


def _ncc(a: FloatImage, b: FloatImage, mask: Mask | None = None) -> float:
    """Normalised cross-correlation, over ``mask`` when given; 0 when either side is constant."""
    x = (a[mask] if mask is not None else a.ravel()).astype(np.float64)
    y = (b[mask] if mask is not None else b.ravel()).astype(np.float64)
    x -= x.mean()
    y -= y.mean()
    spread = math.sqrt(float((x * x).sum()) * float((y * y).sum()))
    return float((x * y).sum()) / spread if spread > EPSILON else 0.0


def _blur(image: FloatImage, sigma: float) -> FloatImage:
    return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma), dtype=np.float32)
