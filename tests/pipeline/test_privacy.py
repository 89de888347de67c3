"""Personal data: never in a log line, whoever logs it; the data folder and the database owner-only."""

from __future__ import annotations

import logging
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.ocr.fake import FakeOcrEngine
from pipeline.inbox import Inbox
from pipeline.privacy import install_log_masking
from pipeline.settings import get_settings
from pipeline.storage import get_store
from tests import factories
from tests.pipeline.watching import files_in, wait_for, watching

ID_NUMBER = "110101199003071234"
MOBILE = "13980001234"
BANK_ACCOUNT = "6222020012345678901"


class Everything(logging.Handler):
    """Every record of every logger, formatted as a log file would hold it (the traceback included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def every_log_line() -> Iterator[list[str]]:
    handler = Everything()
    loggers = [logging.getLogger(), logging.getLogger("prefect")]  # Prefect's loggers do not propagate to root
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler.lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_no_id_phone_or_bank_number_reaches_the_logs(
    tmp_path: Path, fake_engine: FakeOcrEngine, every_log_line: list[str]
) -> None:
    """Scans named by the applicant's numbers, one of them breaking OCR with the ID number in the error."""
    install_log_masking()
    fake_engine.fail_on = ID_NUMBER

    def lines_for(image):  # type: ignore[no-untyped-def]
        if image.mean() < 128:
            return [(ID_NUMBER, (0, 0, 10, 10))]
        return [("身份证号码 " + ID_NUMBER, (100, 500, 900, 540)), ("账号 " + BANK_ACCOUNT, (100, 600, 900, 640))]

    fake_engine.pages = lines_for
    inbox = Inbox.at(tmp_path / "inbox")
    inbox.prepare()
    light = factories.page_image()
    names = [f"张三_{ID_NUMBER}_{MOBILE}.tif", f"账号 {BANK_ACCOUNT}.txt.pdf", f"{ID_NUMBER}.png"]
    factories.multipage_tiff(tmp_path / names[0], [light, 255 - light])  # its second page makes OCR raise
    (tmp_path / names[1]).write_text(f"not a scan {ID_NUMBER}", encoding="utf-8")
    factories.image_file(tmp_path / names[2], light)
    with watching(inbox, settle=0.2, tick=0.1) as (_store, filed):
        for name in names:
            shutil.copy(tmp_path / name, inbox.root / name)
        wait_for(lambda: len(filed) == len(names), 120, "every scan filed")
    assert sorted(files_in(inbox.done) + files_in(inbox.failed)) == sorted([*names, names[1] + ".error.txt"])

    logged = "\n".join(every_log_line)
    for number in (ID_NUMBER, MOBILE, BANK_ACCOUNT):
        assert number not in logged
    assert "110***********1234" in logged  # the names and the OCR error were logged, masked
    assert "Traceback" in logged and "fake engine told to fail on '110***********1234'" in logged


def test_the_data_folder_and_the_database_are_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "fresh" / "data"
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(data))
    get_settings.cache_clear()
    get_store(get_settings().database_url).audit("test", "opened")
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    database_files = [path for path in data.iterdir() if path.name.startswith("dossier.db")]
    assert database_files and all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in database_files)


def test_a_data_folder_others_could_read_is_closed_to_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "dossier.db").touch(mode=0o644)
    (data / "dossier.db").chmod(0o644)
    monkeypatch.setenv("DOSSIER_DATA_DIR", str(data))
    get_settings.cache_clear()
    get_store(get_settings().database_url)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "dossier.db").stat().st_mode) == 0o600
