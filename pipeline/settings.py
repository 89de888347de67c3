"""The one settings class: environment variables with the ``DOSSIER_`` prefix."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pydantic
from pydantic_settings import BaseSettings, SettingsConfigDict

from extractors.ocr import OcrOptions
from extractors.pdf import RenderOptions
from extractors.seals.analyse import SealOptions
from pipeline.privacy import ensure_private_folder


class Settings(BaseSettings):
    """Settings of the whole pipeline.

    Nested options use ``__``: ``DOSSIER_RENDER__MAX_PAGES=500``, ``DOSSIER_OCR__ENGINE=rapidocr``.
    """

    model_config = SettingsConfigDict(env_prefix="DOSSIER_", env_nested_delimiter="__", extra="forbid")

    data_dir: Path = pydantic.Field(
        default=Path.home() / ".dossier", description="Where page images, the OCR cache and the database are kept"
    )
    db_url: str | None = pydantic.Field(
        default=None,
        description="SQLAlchemy URL of the database (e.g. postgresql+psycopg://user@host/dossier); "
        "default: a SQLite file in the data folder",
    )
    inbox: Path | None = pydantic.Field(
        default=None,
        description="The watched folder: `dossier watch` reads it, the reviewer app's uploads go to it; "
        "default: <data_dir>/inbox",
    )
    dask_address: str | None = pydantic.Field(
        default=None,
        description="Dask scheduler (tcp://host:8786) that reads the pages; default: threads of this process",
    )
    render: RenderOptions = pydantic.Field(default_factory=RenderOptions)
    ocr: OcrOptions = pydantic.Field(default_factory=OcrOptions)
    seals: SealOptions = pydantic.Field(default_factory=SealOptions)

    @property
    def page_dir(self) -> Path:
        """Rendered page images, one folder per packet (by SHA-256)."""
        return self.data_dir / "pages"

    @property
    def database_url(self) -> str:
        """``db_url``, or the embedded SQLite database ``<data_dir>/dossier.db``."""
        return self.db_url or f"sqlite:///{self.data_dir / 'dossier.db'}"

    @property
    def inbox_dir(self) -> Path:
        """``inbox``, or ``<data_dir>/inbox``."""
        return self.inbox or self.data_dir / "inbox"

    @property
    def reports_dir(self) -> Path:
        """Report files of packets ingested without a reports folder of their own."""
        return self.data_dir / "reports"

    @property
    def ocr_cache_dir(self) -> Path:
        """OCR results by page-image hash and OCR options: a page is never read twice."""
        return self.data_dir / "ocr-cache"


@cache
def get_settings() -> Settings:
    """Settings read once per process from the environment; the data folder is created owner-only (0700)."""
    settings = Settings()
    ensure_private_folder(settings.data_dir)
    return settings
