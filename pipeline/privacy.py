"""Personal data kept out of sight: personal numbers masked wherever they are not needed in full (the queue,
export previews, staff views, every log line), and dossier's data folder readable by its owner only.

Resident ID numbers keep their first 3 and last 4 characters (enough to tell two
apart, not the birth date or place); mobile and landline numbers their first 3
(the area code) and last 4; bank card and account numbers their last 4.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")
_SPACED_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{3}[ -]\d{8}[ -](\d{3}[\dXx])(?![0-9A-Za-z])")  # 6-8-4
_OLD_ID_NUMBER = re.compile(r"(?<!\d)(\d{3})\d{8}(\d{4})(?!\d)")  # the 15-digit numbers issued before 1999
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<![\d-])(0\d{2,3})([ -]?)(\d{3,4})(\d{4})(?![\d-])")  # 0577-88881234
_BANK_ACCOUNT = re.compile(r"(?<!\d)\d{12,15}(\d{4})(?!\d)")
_SPACED_BANK_ACCOUNT = re.compile(r"(?<!\d)(?:\d{4}[ -]){3,4}(\d{1,4})(?!\d)")  # 6222 0200 1234 5678 901

OWNER_ONLY_FOLDER = 0o700
OWNER_ONLY_FILE = 0o600


def mask_text(text: str | None) -> str | None:
    """``text`` with every resident ID, mobile, landline and bank account number in it masked."""
    if text is None:
        return None
    text = _ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 11}{m[2]}", text)
    text = _SPACED_ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 11}{m[2]}", text)
    text = _SPACED_BANK_ACCOUNT.sub(lambda m: f"**** {m[1]}", text)
    text = _BANK_ACCOUNT.sub(lambda m: f"{'*' * (len(m[0]) - 4)}{m[1]}", text)
    text = _OLD_ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 8}{m[2]}", text)
    text = _MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", text)
    return _LANDLINE.sub(lambda m: f"{m[1]}{m[2]}{'*' * len(m[3])}{m[4]}", text)


def install_log_masking() -> None:
    """Mask personal numbers in every log record this process creates, whoever logs it (dossier, Prefect, a
    library), at every level: the message with its arguments, and the traceback of a logged exception (a file
    name, a value in an error). Call it once, early; calling it again changes nothing."""
    current = logging.getLogRecordFactory()
    if getattr(current, "masks_personal_numbers", False):
        return

    def masked_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = current(*args, **kwargs)
        record.msg, record.args = mask_text(record.getMessage()), None  # formatted here, once
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_text(_TRACEBACKS.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return record

    masked_record.masks_personal_numbers = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masked_record)


_TRACEBACKS = logging.Formatter()


def ensure_private_folder(folder: Path) -> Path:
    """``folder`` created readable by its owner only (0700); an existing one of ours that others could read is
    closed to them, with a warning (it holds scans, reports and the database: personal data)."""
    folder.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_FOLDER)
    info = folder.stat()
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
        logger.warning("%s was open to other users (mode %o): now owner-only", folder, stat.S_IMODE(info.st_mode))
        folder.chmod(OWNER_ONLY_FOLDER)
    return folder


def ensure_private_file(path: Path) -> Path:
    """``path`` created empty if absent, readable and writable by its owner only (0600); an existing one of ours
    that others could read is closed to them."""
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, OWNER_ONLY_FILE)
    try:
        info = os.fstat(descriptor)
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(descriptor, OWNER_ONLY_FILE)
    finally:
        os.close(descriptor)
    return path
