"""Records handed between pipeline stages (not part of the report contract)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pydantic
from pydantic import BaseModel, ConfigDict

from models.report import CrossPageSeal, Finding, Page, Seal, StageError
from models.text import TextLine


class RenderedPacket(BaseModel):
    """A packet after load-and-render: its identity, its pages and where their images were written."""

    model_config = ConfigDict(extra="forbid")

    packet_id: str = pydantic.Field(description="SHA-256 of the input file's bytes")
    source: str = pydantic.Field(description="Input file name")
    pages: list[Page] = pydantic.Field(default_factory=list)
    page_images: list[str | None] = pydantic.Field(
        default_factory=list, description="PNG path of each page at the render DPI, null where rendering failed"
    )
    text_layers: list[list[TextLine] | None] = pydantic.Field(
        default_factory=list,
        description="Per page: its own text where a born-digital PDF page carries it, read instead of OCR; null "
        "where OCR reads the page",
    )
    errors: list[StageError] = pydantic.Field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Nothing usable came out of the file."""
        return not any(self.page_images)

    def pages_to_read(self) -> list[tuple[str, int]]:
        """(image path, page index) of every rendered page OCR must read: those without a text layer."""
        return [
            (image, index)
            for index, (image, layer) in enumerate(zip(self.page_images, self.text_layers, strict=True))
            if image is not None and layer is None
        ]


class SealStageResult(BaseModel):
    """What the seal stage found in a packet."""

    model_config = ConfigDict(extra="forbid")

    seals: list[Seal] = pydantic.Field(default_factory=list)
    cross_page_seals: list[CrossPageSeal] = pydantic.Field(default_factory=list)
    findings: list[Finding] = pydantic.Field(default_factory=list)
    errors: list[StageError] = pydantic.Field(default_factory=list)
    debug_images: list[str | None] = pydantic.Field(
        default_factory=list, description="Per page: PNG with the seals drawn, for the reviewer UI"
    )


@dataclass(frozen=True)
class Box:
    """A box or line of the packet that certifies something with a seal (单位意见, 推荐单位（盖章）…)."""

    label: str
    """The printed label, compacted (所在单位意见)."""
    page: int
    bbox: tuple[float, float, float, float]
    """The region a seal for it is stamped in, 200-DPI pixels."""
    unit: str | None = None
    """The unit the line names itself (推荐单位：XXX（盖章）), if it does."""
    filled: bool = False
    """The line names its unit (推荐单位：XXX（盖章）): it was filled in and must carry that unit's seal."""
    writing: tuple[tuple[str, tuple[float, float, float, float]], ...] = ()
    """(text, box) of what is written in the box beyond its label: an opinion, or a seal's legend spilling
    over from the box above; the checks tell them apart with the seals found."""


@dataclass
class PacketFacts:
    """What the field stage saw beyond the report's records, for the checks."""

    boxes: list[Box] = field(default_factory=list)
    sections_read: frozenset[str] = frozenset()
    """The form's sections whose box was found (competitions, honors), even if it lists nothing."""
