"""Records of OCR'd text: what the OCR stage hands to the later stages."""

from __future__ import annotations

import pydantic
from pydantic import BaseModel, ConfigDict

from models.report import BBox


class TextLine(BaseModel):
    """One line of text read from a page image."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = pydantic.Field(description="Normalised text (see extractors.text.normalize_text)")
    raw: str = pydantic.Field(description="The text exactly as the engine returned it")
    score: float = pydantic.Field(ge=0.0, le=1.0, description="The engine's confidence")
    bbox: BBox

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


class PageText(BaseModel):
    """Every line read on one page, in reading order, with the engine that read them."""

    model_config = ConfigDict(extra="forbid")

    page: int = pydantic.Field(ge=0)
    engine: str | None = pydantic.Field(description="The engine's name, null if the page was not read")
    lines: list[TextLine] = pydantic.Field(default_factory=list)
    error: str | None = pydantic.Field(default=None, description="Why the page could not be read")
    seconds: float = pydantic.Field(default=0.0, ge=0.0, description="Time spent reading the page")

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions turning ``a`` into ``b``."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]
