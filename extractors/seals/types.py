"""The record every seal stage shares: one detected impression, with its ink, on one page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from models.report import Edge, Seal, SealColor, SealShape

Shape = Literal["round", "oval", "square"]
PageEdge = Literal["left", "right", "top", "bottom"]


@dataclass
class DetectedSeal:
    """One seal impression found on a page (numpy stays inside ``extractors``; records leave as :class:`Seal`).

    Attributes:
        page: Page index.
        bbox: ``(x0, y0, x1, y1)`` in page pixels (200 DPI), ends exclusive, tight around the ink.
        shape: round, oval or square.
        partial: The impression is cut by the page edge.
        edge: Which edge cuts it, or None.
        confidence: 0..1.
        centre: Estimated centre of the whole impression in page pixels (off the page for an edge sliver).
        axes: Semi-axes in pixels (round: equal; square: half width and half height).
        angle: Orientation of the fitted ellipse or rectangle, degrees.
        ink: ``float32`` array of the bbox's shape, 0..1: how much seal ink covers each pixel (other inks removed).
        color: Mean RGB of the seal's ink.
        text: The legend as read, or None.
    """

    page: int
    bbox: tuple[int, int, int, int]
    shape: Shape
    partial: bool
    edge: PageEdge | None
    confidence: float
    centre: tuple[float, float]
    axes: tuple[float, float]
    angle: float
    ink: np.ndarray = field(repr=False)
    color: tuple[int, int, int] = (200, 30, 40)
    text: str | None = None

    def to_record(self) -> Seal:
        """The report's ``seals[]`` entry."""
        red = self.color[0] > max(self.color[1], self.color[2]) + 40
        return Seal(
            page=self.page,
            bbox=[float(v) for v in self.bbox],
            shape=SealShape(self.shape),
            color=SealColor.RED if red else SealColor.OTHER,
            text=self.text,
            partial=self.partial,
            edge=Edge(self.edge) if self.edge else None,
            confidence=round(min(max(self.confidence, 0.0), 1.0), 3),
        )
