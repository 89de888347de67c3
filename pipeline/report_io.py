"""Writing reports to disk: atomically, so a crash or a full disk never leaves a half report that looks valid."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from models.report import PacketReport
from pipeline.errors import WorkspaceWriteError


def write_text_atomically(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` through a temporary file and an atomic rename: all of it or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def write_json_atomically(path: Path, data: Any) -> Path:
    """``data`` as indented UTF-8 JSON (Chinese as-is) at ``path``, atomically."""
    return write_text_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_report(report: PacketReport, path: Path) -> Path:
    """Write ``report`` as UTF-8 JSON to ``path``, atomically (see :func:`write_report_text`)."""
    return write_report_text(path, report.to_json() + "\n")


def write_report_text(path: Path, text: str) -> Path:
    """Write a report's JSON ``text`` to ``path``, atomically.

    Raises:
        WorkspaceWriteError: It could not be written (disk full, folder read-only); no report file is left half
            written, and one that was there is left as it was.
    """
    try:
        return write_text_atomically(path, text)
    except OSError as exc:
        reason = exc.strerror or exc
        raise WorkspaceWriteError(f"无法写入报告文件 (cannot write the report file {path}: {reason})") from exc


def read_report(path: Path) -> PacketReport:
    """Load a report written by :func:`write_report`.

    Raises:
        OSError: The file cannot be read.
        pydantic.ValidationError: It is not a report (see :meth:`PacketReport.from_json`).
    """
    return PacketReport.from_json(path.read_bytes())
