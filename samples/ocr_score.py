"""Character error rate of an OCR engine's lines against the printed lines a generated packet records.

Engines cut and order lines differently (one engine reads a label and its value as one line, another as
two), so text is compared where it stands on the page, not in reading order: every character read is
placed along its line's box (full-width characters twice as wide as ASCII), given to the printed line
whose box holds that spot, and each printed line is compared with the characters it got, left to right.
Characters that land on no printed line (a seal's legend, speckle read as text) are counted apart as
``stray``; they are not errors of the printed text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from extractors.text import compact
from models.text import TextLine, edit_distance

_ASCII_WIDTH = 0.55
_VERTICAL_RATIO = 1.5
_SIDE_MARGIN = 0.3
_ROW_MARGIN = 0.25
# Printed placeholders, not text: the blanks of "编号：____".
_NOT_TEXT = str.maketrans("", "", "_")


@dataclass
class TextScore:
    """Edit operations, printed characters and stray characters, summed over pages."""

    errors: int = 0
    characters: int = 0
    stray: int = 0
    worst: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def cer(self) -> float | None:
        return self.errors / self.characters if self.characters else None

    def add(self, other: TextScore) -> None:
        self.errors += other.errors
        self.characters += other.characters
        self.stray += other.stray
        self.worst = sorted([*self.worst, *other.worst], reverse=True)[:10]


@dataclass(frozen=True)
class _Printed:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def holds(self, x: float, y: float) -> bool:
        height = self.y1 - self.y0
        side = _SIDE_MARGIN * min(height, self.x1 - self.x0)
        return self.x0 - side <= x <= self.x1 + side and self.y0 - _ROW_MARGIN * height <= y <= self.y1 + (
            _ROW_MARGIN * height
        )

    def distance(self, x: float, y: float) -> float:
        return abs(y - (self.y0 + self.y1) / 2) + 0.01 * abs(x - (self.x0 + self.x1) / 2)


def score_page(printed: Sequence[dict[str, Any]], lines: Iterable[TextLine]) -> TextScore:
    """The errors of ``lines`` (one page's OCR) against ``printed`` (``[{"text", "bbox"}]`` of that page)."""
    truth = [
        _Printed(text, *line["bbox"]) for line in printed if (text := compact(str(line["text"]).translate(_NOT_TEXT)))
    ]
    got: list[list[tuple[float, str]]] = [[] for _ in truth]
    score = TextScore()
    for line in lines:
        vertical = _vertical(line)
        for x, y, char in _placed_characters(line):
            holders = [index for index, printed_line in enumerate(truth) if printed_line.holds(x, y)]
            if not holders:
                score.stray += 1
                continue
            best = min(holders, key=lambda index: truth[index].distance(x, y))
            got[best].append((y if vertical else x, char))
    for printed_line, chars in zip(truth, got, strict=True):
        read = "".join(char for _, char in sorted(chars, key=lambda item: item[0]))
        errors = edit_distance(read, printed_line.text)
        score.errors += errors
        score.characters += len(printed_line.text)
        if errors:
            score.worst.append((errors, printed_line.text, read))
    score.worst = sorted(score.worst, reverse=True)[:10]
    return score


def _vertical(line: TextLine) -> bool:
    x0, y0, x1, y1 = line.bbox
    return (y1 - y0) > _VERTICAL_RATIO * (x1 - x0) and len(compact(line.text)) > 1


def _placed_characters(line: TextLine) -> list[tuple[float, float, str]]:
    """Each character of ``line`` at its estimated centre, spread along the line's box by character width."""
    text = compact(line.text)
    if not text:
        return []
    x0, y0, x1, y1 = line.bbox
    vertical = _vertical(line)
    widths = [_ASCII_WIDTH if ord(char) < 128 else 1.0 for char in text]
    total = sum(widths)
    placed, before = [], 0.0
    for char, width in zip(text, widths, strict=True):
        share = (before + width / 2) / total
        before += width
        if vertical:
            placed.append(((x0 + x1) / 2, y0 + share * (y1 - y0), char))
        else:
            placed.append((x0 + share * (x1 - x0), (y0 + y1) / 2, char))
    return placed
