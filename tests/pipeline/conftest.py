"""Fixtures of the pipeline tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.ocr.fake import FakeOcrEngine
from pipeline.inbox import Inbox


@pytest.fixture
def inbox(tmp_path: Path, fake_engine: FakeOcrEngine) -> Inbox:
    """A prepared watched folder under ``tmp_path``; the fake engine reads every page as a 温州 form."""
    fake_engine.lines = [("温州市第七轮首席技师推荐表", (300, 150, 1300, 220)), ("姓名 冯清宇", (100, 500, 600, 540))]
    folder = Inbox.at(tmp_path / "inbox")
    folder.prepare()
    return folder
