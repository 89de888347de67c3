"""What a scanner does to a page: paper tone, uneven lighting, skew, slight scale, blur, noise, JPEG.

Geometric effects are one affine transform, returned with the image so the
ground truth's boxes can be moved exactly as the pixels were.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_SKEW_DEGREES = 1.2
MAX_SCALE_CHANGE = 0.015
MAX_SHIFT_PX = 12.0
PAPER_TONES = ((250, 249, 244), (246, 243, 232), (242, 238, 226), (252, 252, 252), (238, 236, 230))
MAX_LIGHT_FALLOFF = 0.12
MAX_NOISE_SIGMA = 6.0
MAX_BLUR_SIGMA = 1.1
JPEG_QUALITY_RANGE = (55, 88)
LIGHTING_GRID = 4


@dataclass(frozen=True)
class ScanEffects:
    """How strongly one page is degraded; ``strength`` 0 is a pristine scan, 1 a poor one."""

    skew_degrees: float
    scale: float
    shift: tuple[float, float]
    paper: tuple[int, int, int]
    light_falloff: float
    noise_sigma: float
    blur_sigma: float
    jpeg_quality: int


def random_effects(rng: np.random.Generator, strength: float) -> ScanEffects:
    """Effects drawn at random, scaled by ``strength`` in 0..1."""
    low, high = JPEG_QUALITY_RANGE
    return ScanEffects(
        skew_degrees=float(rng.uniform(-1, 1) * MAX_SKEW_DEGREES * strength),
        scale=float(1 + rng.uniform(-1, 1) * MAX_SCALE_CHANGE * strength),
        shift=(
            float(rng.uniform(-1, 1) * MAX_SHIFT_PX * strength),
            float(rng.uniform(-1, 1) * MAX_SHIFT_PX * strength),
        ),
        paper=PAPER_TONES[int(rng.integers(len(PAPER_TONES)))],
        light_falloff=float(rng.uniform(0, MAX_LIGHT_FALLOFF) * strength),
        noise_sigma=float(rng.uniform(0.5, 1.0) * MAX_NOISE_SIGMA * strength),
        blur_sigma=float(rng.uniform(0.3, 1.0) * MAX_BLUR_SIGMA * max(strength, 0.3)),
        jpeg_quality=round(high - (high - low) * strength),
    )


def _signed(rng: np.random.Generator, limit: float) -> float:
    return float(rng.uniform(-1, 1) * limit)


def scan(image: np.ndarray, effects: ScanEffects, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The page as scanned, and the 2x3 affine matrix that moved its pixels."""
    height, width = image.shape[:2]
    toned = (image.astype(np.float32) * (np.array(effects.paper, np.float32) / 255.0)).astype(np.float32)
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), effects.skew_degrees, effects.scale)
    matrix[:, 2] += np.asarray(effects.shift)
    warped = cv2.warpAffine(
        toned,
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=effects.paper,
    )
    lit = warped * _lighting(rng, height, width, effects.light_falloff)[:, :, None]
    if effects.blur_sigma > 0:
        lit = cv2.GaussianBlur(lit, (0, 0), effects.blur_sigma)
    noisy = lit + rng.normal(0.0, effects.noise_sigma, size=(height, width, 1)).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8), matrix


def _lighting(rng: np.random.Generator, height: int, width: int, falloff: float) -> np.ndarray:
    """A smooth brightness field in ``1 - falloff .. 1`` (a lid not quite shut, a lamp to one side)."""
    coarse = rng.uniform(1 - falloff, 1.0, size=(LIGHTING_GRID, LIGHTING_GRID)).astype(np.float32)
    return cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def map_box(matrix: np.ndarray, box: tuple[float, float, float, float]) -> list[float]:
    """The axis-aligned box around ``box``'s corners after the affine ``matrix``."""
    x0, y0, x1, y1 = box
    corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
    moved = corners @ matrix.T
    return [round(float(v), 1) for v in (*moved.min(axis=0), *moved.max(axis=0))]


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """RGB image as JPEG bytes at ``quality`` (the scanner's compression artefacts)."""
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(data)
