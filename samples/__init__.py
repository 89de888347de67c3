"""Sample packets: the committed demo packets and the code that renders them."""

from __future__ import annotations

from pathlib import Path

PACKETS_DIR = Path(__file__).resolve().parent / "packets"
"""The committed sample packets (image-only PDFs with ``<stem>.truth.json`` beside them)."""


def sample_packets() -> list[Path]:
    """The committed sample packets, sorted by name."""
    return sorted(PACKETS_DIR.glob("*.pdf"))
