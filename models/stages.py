"""Records handed between pipeline stages (not part of the report contract)."""

from __future__ import annotations

import pydantic
from pydantic import BaseModel, ConfigDict

from models.report import CrossPageSeal, Finding, Page, Seal, StageError


class RenderedPacket(BaseModel):
    """A packet after load-and-render: its identity, its pages and where their images were written."""

    model_config = ConfigDict(extra="forbid")

    packet_id: str = pydantic.Field(description="SHA-256 of the input file's bytes")
    source: str = pydantic.Field(description="Input file name")
    pages: list[Page] = pydantic.Field(default_factory=list)
    page_images: list[str | None] = pydantic.Field(
        default_factory=list, description="PNG path of each page at the render DPI, null where rendering failed"
    )
    errors: list[StageError] = pydantic.Field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Nothing usable came out of the file."""
        return not any(self.page_images)


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
