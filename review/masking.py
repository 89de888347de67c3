"""Masking of personal numbers wherever a page lists many people (the queue, exports' previews, staff views).

Resident ID numbers keep their first 3 and last 4 characters (enough to tell two
apart, not the birth date or place); mobile numbers their first 3 and last 4;
bank card and account numbers their last 4.
"""

from __future__ import annotations

import re

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")
_OLD_ID_NUMBER = re.compile(r"(?<!\d)(\d{3})\d{8}(\d{4})(?!\d)")  # the 15-digit numbers issued before 1999
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_BANK_ACCOUNT = re.compile(r"(?<!\d)\d{12,15}(\d{4})(?!\d)")
_SPACED_BANK_ACCOUNT = re.compile(r"(?<!\d)(?:\d{4}[ -]){3,4}(\d{1,4})(?!\d)")  # 6222 0200 1234 5678 901


def mask_text(text: str | None) -> str | None:
    """``text`` with every resident ID, mobile and bank account number in it masked."""
    if text is None:
        return None
    text = _ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 11}{m[2]}", text)
    text = _SPACED_BANK_ACCOUNT.sub(lambda m: f"**** {m[1]}", text)
    text = _BANK_ACCOUNT.sub(lambda m: f"{'*' * (len(m[0]) - 4)}{m[1]}", text)
    text = _OLD_ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 8}{m[2]}", text)
    return _MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", text)
