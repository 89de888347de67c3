"""The reviewer app over real data: two sample packets processed by the real pipeline, one hostile report, three
accounts; a live server for the browser, and Debian's Chromium (installed with apt when it is missing)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from extractors.checks import finish_findings
from models.report import Applicant, Field, Finding, FindingCode, PacketReport, PacketStatus, Page, Severity
from pipeline.inbox import Inbox
from pipeline.settings import get_settings
from pipeline.storage import Store
from review.app import ReviewConfig, create_app
from review.security import LoginLimiter, Role, add_user

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "packets"
PROCESSED_SAMPLES = (
    "luzhou-2019-2-000-qualification_below_minimum.pdf",
    "wenzhou-7-2-004-duplicate_seal_impression.pdf",
)
PASSWORD = "correct horse battery"
USERS = {"admin": Role.ADMIN, "reviewer": Role.REVIEWER, "staff": Role.STAFF}
HOSTILE_NAME = "<script>window.pwned=1</script>"
HOSTILE_MESSAGE = '<img src=x onerror="window.pwned=2">汇总表不一致'
BROWSER_REQUIRED = os.environ.get("DOSSIER_TEST_BROWSER") == "required"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_PACKAGES = ("chromium", "fonts-wqy-microhei")  # the font: screenshots show the Chinese, not boxes


@dataclass(frozen=True)
class ReviewSite:
    """The data behind the app: its store, folders, and the packets in it."""

    store: Store
    config: ReviewConfig
    data_dir: Path
    packet_ids: dict[str, str]
    """Sample file name (or "hostile") -> packet id."""

    def app(self, limiter: LoginLimiter | None = None) -> FastAPI:
        return create_app(self.config, limiter)


@pytest.fixture(scope="session")
def review_site(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> ReviewSite:
    """Sample packets processed and stored as `dossier demo` does it, a report holding markup, and accounts."""
    from pipeline.runner import ingest_files
    from pipeline.storage.store import get_store

    data_dir = tmp_path_factory.mktemp("review-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DOSSIER_DATA_DIR", str(data_dir))
        patch.delenv("DOSSIER_DB_URL", raising=False)
        get_settings.cache_clear()
        settings = get_settings()
        outcomes = ingest_files([SAMPLES / name for name in PROCESSED_SAMPLES], data_dir / "reports")
        store = get_store(settings.database_url)
        page_dir, inbox = settings.page_dir, Inbox.at(settings.inbox_dir)
    get_settings.cache_clear()
    ids = {outcome.source.name: outcome.report.packet_id for outcome in outcomes}
    hostile = finish_findings(hostile_report())
    store.record(hostile, file_name="hostile.pdf", drop_key="hostile", report_path=None)
    ids["hostile"] = hostile.packet_id
    for username, role in USERS.items():
        add_user(store, username, PASSWORD, role, actor="test")
    return ReviewSite(store, ReviewConfig(store=store, inbox=inbox, page_dir=page_dir), data_dir, ids)


def hostile_report() -> PacketReport:
    """A report whose OCR'd text holds markup: it must be shown as text."""
    name = Field(value=HOSTILE_NAME, confidence=0.9, page=0, bbox=[10, 10, 200, 40], raw=HOSTILE_NAME)
    return PacketReport(
        packet_id="f" * 64,
        source='"><svg onload=alert(1)>.pdf',
        profile="luzhou-2019",
        status=PacketStatus.OK,
        pages=[Page(index=0, width=400, height=600, rotation=0, ocr_engine="fake")],
        applicant=Applicant(name=name),
        findings=[
            Finding(
                code=FindingCode.SUMMARY_MISMATCH,
                severity=Severity.ERROR,
                field="name",
                message=HOSTILE_MESSAGE,
                pages=[0],
                evidence={"form": HOSTILE_NAME, "form_page": 0, "form_bbox": [10, 10, 200, 40]},
            )
        ],
    )


@pytest.fixture(scope="session")
def live_server(review_site: ReviewSite) -> Iterator[str]:
    """The app served on a free loopback port, for the browser."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(review_site.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the reviewer app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, installed with apt when absent (Playwright cannot download its own browser here)."""
    if not CHROMIUM.exists() and shutil.which("apt-get") and os.geteuid() == 0:
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends", *CHROMIUM_PACKAGES]
        if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, capture_output=True, check=False)
            subprocess.run(install, env=env, capture_output=True, check=False)
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is absent and could not be installed with apt-get ({' '.join(CHROMIUM_PACKAGES)})"
        if BROWSER_REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM
