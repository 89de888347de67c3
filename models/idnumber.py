"""The check character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2).

Shared by the parsers that read ID numbers and the sample generator that writes them.
"""

from __future__ import annotations

__all__ = ["ID_BODY_LENGTH", "ID_CHECK_TEN", "id_check_digit"]

ID_BODY_LENGTH = 17
"""Digits before the check character."""
ID_MODULUS = 11
ID_CHECK_BASE = 12
ID_CHECK_TEN = "X"
"""The check character written for the value 10."""


def id_check_digit(body17: str) -> str:
    """The GB 11643 check digit of the first 17 digits of an ID number.

    Args:
        body17: the 17 digits before the check digit.

    Returns:
        ``"0"`` … ``"9"`` or ``"X"``.

    Raises:
        ValueError: when ``body17`` is not exactly 17 ASCII digits.
    """
    if len(body17) != ID_BODY_LENGTH or not (body17.isascii() and body17.isdigit()):
        raise ValueError(f"an ID number body is {ID_BODY_LENGTH} digits, got {body17!r}")
    total = sum(int(digit) * (2 ** (ID_BODY_LENGTH - index) % ID_MODULUS) for index, digit in enumerate(body17))
    check = (ID_CHECK_BASE - total % ID_MODULUS) % ID_MODULUS
    return ID_CHECK_TEN if check == ID_MODULUS - 1 else str(check)
