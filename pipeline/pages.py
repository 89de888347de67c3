"""Where rendered page images are kept: ``<page root>/<packet sha256>/page-NNNN.png`` (the pipeline writes them,
the reviewer app serves them)."""

from __future__ import annotations

from pathlib import Path


def page_image_path(page_root: Path, packet_id: str, index: int) -> Path:
    """The PNG of page ``index`` of packet ``packet_id``."""
    return page_root / packet_id / f"page-{index:04d}.png"
