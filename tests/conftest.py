"""Shared fixtures: isolated settings and data folder, the fake OCR engine, the Prefect test harness."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.ocr import register_engine, unregister_engine
from extractors.ocr.fake import FakeOcrEngine
from pipeline.settings import get_settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ``../shared``; the test is skipped, saying so, when the folder is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared material is checked out beside the repository")
    return path


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data folder, and settings re-read from the environment."""
    data_dir = tmp_path_factory.mktemp("dossier-data")
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOcrEngine]:
    """Select a fake OCR engine (its lines can be set per test) for everything run in this process."""
    engine = FakeOcrEngine()
    register_engine("fake", lambda _options: engine)
    monkeypatch.setenv("DOSSIER_OCR__ENGINE", "fake")
    get_settings.cache_clear()
    yield engine
    unregister_engine("fake")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throw-away Prefect API and database for the whole session (started once: it takes seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
