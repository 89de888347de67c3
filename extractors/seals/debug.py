"""The debug image of a page: every seal's box, shape and legend drawn over the page (reused by the reviewer UI)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache

import numpy as np
import pymupdf
from PIL import Image, ImageDraw, ImageFont

from extractors.seals.types import DetectedSeal

BOX_COLOUR = (0, 90, 255)
PARTIAL_COLOUR = (255, 140, 0)
BOX_WIDTH = 4
LABEL_SIZE = 28
LABEL_BACKGROUND = (255, 255, 255, 210)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    # PyMuPDF ships a CJK font: legends are Chinese, and nothing may be downloaded.
    return ImageFont.truetype(io.BytesIO(pymupdf.Font("china-s").buffer), size)


def draw_seals(page: np.ndarray, seals: Sequence[DetectedSeal]) -> np.ndarray:
    """A copy of the RGB ``page`` with each seal's box and a label (shape, legend, confidence)."""
    image = Image.fromarray(page).convert("RGBA")
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    font = _font(LABEL_SIZE)
    for seal in seals:
        colour = PARTIAL_COLOUR if seal.partial else BOX_COLOUR
        draw.rectangle(seal.bbox, outline=(*colour, 255), width=BOX_WIDTH)
        label = f"{seal.shape} {seal.confidence:.2f}" + (f" {seal.text}" if seal.text else "")
        if seal.partial:
            label += f" ({seal.edge})"
        x, y = seal.bbox[0], max(0, seal.bbox[1] - LABEL_SIZE - 6)
        left, top, right, bottom = draw.textbbox((x, y), label, font=font)
        draw.rectangle((left - 2, top - 2, right + 2, bottom + 2), fill=LABEL_BACKGROUND)
        draw.text((x, y), label, font=font, fill=(*colour, 255))
    return np.asarray(Image.alpha_composite(image, overlay).convert("RGB"))
