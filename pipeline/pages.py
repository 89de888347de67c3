"""Where rendered page images and their OCR are kept (the pipeline writes them, the reviewer app serves the
images, ``dossier purge`` deletes both):

```
<page root>/<packet sha256>/page-NNNN.png
<OCR cache>/<page image sha256>-<OCR options hash>.json
```
"""

from __future__ import annotations

from pathlib import Path


def page_folder(page_root: Path, packet_id: str) -> Path:
    """The folder of packet ``packet_id``'s page images (and the seal stage's debug images, when asked)."""
    return page_root / packet_id


def page_image_path(page_root: Path, packet_id: str, index: int) -> Path:
    """The PNG of page ``index`` of packet ``packet_id``."""
    return page_folder(page_root, packet_id) / f"page-{index:04d}.png"


def seal_debug_image_path(page_image: Path) -> Path:
    """The debug image of the seals found on ``page_image``, beside it."""
    return page_image.with_suffix(".seals.png")


def page_images(page_root: Path, packet_id: str) -> list[Path]:
    """The page images written for packet ``packet_id`` (not the debug images beside them, whose second suffix
    :func:`seal_debug_image_path` adds)."""
    return sorted(path for path in page_folder(page_root, packet_id).glob("page-*.png") if path.suffixes == [".png"])


def ocr_cache_path(cache_dir: Path, image_sha256: str, options_key: str) -> Path:
    """The OCR of the page image with hash ``image_sha256``, read with the options whose key is ``options_key``."""
    return cache_dir / f"{image_sha256}-{options_key}.json"


def ocr_cache_entries(cache_dir: Path, image_sha256: str) -> list[Path]:
    """Every OCR kept of the page image with hash ``image_sha256``, whatever the options."""
    return sorted(cache_dir.glob(f"{image_sha256}-*.json"))
