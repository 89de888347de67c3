"""Shared fixtures: isolated settings and data folder, the fake OCR engine, the Prefect test harness."""

from __future__ import annotations

import os
import uuid
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
    # The test's PDFs are born digital: the fake engine, not their text layer, is to read them.
    monkeypatch.setenv("DOSSIER_RENDER__USE_TEXT_LAYER", "false")
    get_settings.cache_clear()
    yield engine
    unregister_engine("fake")


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throw-away Prefect API and database for the whole session (started once: it takes seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


POSTGRES_URL = os.environ.get("DOSSIER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
POSTGRES_REQUIRED = os.environ.get("DOSSIER_TEST_POSTGRES") == "required"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, and a schema of its own on the PostgreSQL server.

    PostgreSQL tests are skipped, saying why, when no server answers at
    ``DOSSIER_TEST_POSTGRES_URL``; CI sets ``DOSSIER_TEST_POSTGRES=required`` so that there they fail instead.
    """
    from pipeline.storage.store import close_stores

    try:
        if request.param == "sqlite":
            yield f"sqlite:///{tmp_path / 'dossier.db'}"
        else:
            yield from _postgres_schema()
    finally:
        close_stores()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A schema of its own on the PostgreSQL server (see :func:`db_url` for when it is skipped)."""
    from pipeline.storage.store import close_stores

    try:
        yield from _postgres_schema()
    finally:
        close_stores()


def _postgres_schema() -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    schema = f"dossier_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        engine.dispose()
        message = f"no PostgreSQL server at {POSTGRES_URL} ({exc.orig}); set DOSSIER_TEST_POSTGRES_URL"
        if POSTGRES_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        from pipeline.storage.store import close_stores

        close_stores()  # its connections hold the schema
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
