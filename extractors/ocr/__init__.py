"""OCR engines behind one small protocol, and the cached getter that loads each once per process."""

from extractors.ocr.base import (
    OcrEngine,
    OcrOptions,
    PageOrienter,
    available_engines,
    get_engine,
    register_engine,
    unregister_engine,
)

__all__ = [
    "OcrEngine",
    "OcrOptions",
    "PageOrienter",
    "available_engines",
    "get_engine",
    "register_engine",
    "unregister_engine",
]
