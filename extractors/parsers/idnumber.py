"""Resident ID numbers (居民身份证号码, GB 11643-1999) as read from forms, sheets and ID-card copies.

:func:`parse_id_number` finds the ID-number-like token in a cell (``身份证号：5105 0219 7805 1200 3x``),
normalises it (full-width digits, lower-case ``x``, ``×`` typed for ``X``, spaces and dashes inside),
upgrades a 15-digit legacy number to 18 digits, and checks it:

1. **length**: 18 characters (or 15 for a legacy number);
2. **format**: 17 digits and a check character ``0``-``9`` or ``X``;
3. **date**: digits 7-14 are a real calendar date, not before 1890 nor in the future;
4. **region**: the first two digits are a province-level code — 11-15, 21-23, 31-37, 41-46, 50-54,
   61-65, 71 (Taiwan), 81/82 (the Hong Kong / Macao residence permits), 83 (the Taiwan residence
   permit) — or ``9`` followed by a mainland province code (the 2023 foreign permanent-residence ID);
5. **checksum**: ISO 7064 MOD 11-2.

The region rule is deliberately the province, not the county. ``stdnum.cn.ric`` also checks the six-
digit county code against the years that county existed, and rejects numbers that are perfectly real:
codes first published after the holder's birth year (``500154199301135886``: a 1993 birth registered
under a code created later, as happens whenever a county is re-coded and people are re-issued cards),
codes of counties abolished since, and the residence-permit codes 81/82/83. Calling such a number
invalid would raise a false ``ID_NUMBER_INVALID`` against an honest applicant, so the number stays
valid and :attr:`IdNumber.region_known` says whether stdnum knows the county for that year (then
:attr:`IdNumber.birth_place` is ``省 + 县``; otherwise just the province where stdnum knows it). A
number whose first two digits are no province-level code (``99…``) is invalid with reason ``region``.
The checks run in the order above and the first that fails is the reason (so ``440308199902301512``,
30 February and a wrong check digit, is a ``date`` error).

OCR confusions (``O``/``o``/``D``/``Q`` for 0, ``l``/``I``/``i``/``L``/``|``/``!`` for 1, ``Z`` for 2,
``S`` for 5, ``G``/``b`` for 6, ``T`` for 7, ``B`` for 8, ``g``/``q`` for 9) are undone only when the
number as read is invalid and exactly one reading of its letters makes it fully valid. Only letters
are ever replaced, never a digit, so a wrong check digit stays a wrong check digit. A 15-digit number
has no check digit to confirm such a guess, so it is never corrected.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from models.idnumber import ID_BODY_LENGTH, ID_CHECK_TEN, id_check_digit

__all__ = ["PROVINCE_CODES", "IdNumber", "parse_id_number"]

LENGTH = 18
LEGACY_LENGTH = 15
EARLIEST_BIRTH_YEAR = 1890
"""Births before this year are not read as birth dates (the oldest living card holders were born after it)."""

PROVINCE_CODES: frozenset[str] = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    )
)
"""The first two digits an ID number may start with (GB/T 2260 provinces; 81-83 residence permits)."""
_MAINLAND_PROVINCE_CODES = frozenset(code for code in PROVINCE_CODES if code < "70")
_FOREIGN_RESIDENT_PREFIX = "9"

# What OCR reads for a digit: tried only when the number as read is invalid (see the module docstring).
_CONFUSIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys("OoDQ", ("0",)),
    **dict.fromkeys("lIi|L!", ("1",)),
    **dict.fromkeys("Zz", ("2",)),
    **dict.fromkeys("Ss", ("5",)),
    **dict.fromkeys("Gb", ("6",)),
    "T": ("7",),
    "B": ("8",),
    **dict.fromkeys("gq", ("9",)),
}
_MAX_CONFUSIONS = 4  # more letters than this in one number: it is not a misread number
_X_FORMS = str.maketrans({"x": "X", "×": "X"})  # full-width Ｘ/ｘ are folded by _ascii_forms before this

# A run of ID characters: digits, letters (check X, OCR confusions, a label such as "ID"), with spaces
# or dashes inside ("5105 0219 7805 1200 3X", "510502-19780512-0011").
_RUN = re.compile(r"[0-9A-Za-z|!×](?:[ \t\-]*[0-9A-Za-z|!×])*")
_MIN_DIGITS = 11  # a run with fewer digits is a word, not a misread ID number
_MIN_CANDIDATE = LEGACY_LENGTH
_MAX_CANDIDATE = LENGTH


@dataclass(frozen=True)
class IdNumber:
    """An ID number as read, normalised and checked.

    Attributes:
        value: 18 characters with an upper-case check ``X`` (after any OCR correction); for an invalid
            number, the characters as read (full-width made ASCII, ``x`` made ``X``); for a 15-digit
            legacy number, its 18-digit upgrade when valid.
        raw: the token as read (label removed, spaces kept).
        valid: passes GB 11643 (format, date, province-level region code, check digit).
        reason: why it is invalid: ``length``, ``format``, ``date``, ``region`` or ``checksum``.
        birth_date: digits 7-14 when they are a real date (also given for an invalid number).
        sex: ``男`` for an odd 17th digit, ``女`` for an even one (also given for an invalid number).
        birth_place: ``省`` + ``县`` from ``stdnum.cn.ric`` when it knows the county for the birth year,
            else the province's name where known.
        corrected: OCR confusions were undone to make the number valid.
        region_known: ``stdnum.cn.ric`` knows the six-digit region code for the birth year.
        upgraded: the text held a 15-digit legacy number, upgraded to 18 digits in ``value``.
    """

    value: str
    raw: str
    valid: bool
    reason: str | None
    birth_date: dt.date | None
    sex: str | None
    birth_place: str | None
    corrected: bool
    region_known: bool = False
    upgraded: bool = False


def _birth_date(number: str) -> dt.date | None:
    digits = number[6:14]
    if not (digits.isascii() and digits.isdigit()):
        return None
    try:
        born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    if born.year < EARLIEST_BIRTH_YEAR or born > dt.date.today():
        return None
    return born


def _sex(number: str) -> str | None:
    digit = number[16] if len(number) > 16 else ""
    if not (digit.isascii() and digit.isdigit()):
        return None
    return "男" if int(digit) % 2 else "女"


def _region_ok(number: str) -> bool:
    prefix = number[:2]
    if prefix in PROVINCE_CODES:
        return True
    return number.startswith(_FOREIGN_RESIDENT_PREFIX) and number[1:3] in _MAINLAND_PROVINCE_CODES


@functools.lru_cache(maxsize=64)
def _province_name(code: str) -> str | None:
    """The province's name from stdnum's region table, or None where it has none (83, 9x)."""
    from stdnum import numdb

    for _part, props in numdb.get("cn/loc").info(code + "0000"):
        province = props.get("province")
        if province:
            return str(province)
    return None


def _birth_place(number: str) -> tuple[bool, str | None]:
    """(stdnum knows the county for the birth year, the place as text)."""
    try:
        place = ric.get_birth_place(number)
    except (ValidationError, ValueError, KeyError):
        return False, _province_name(number[:2]) if number[:2] in PROVINCE_CODES else None
    province = str(place.get("province", ""))
    county = str(place.get("county", ""))
    if number[2:6] == "0000":  # the province-level unit itself (stdnum's county is its simplified name)
        return True, county or province or None
    if county in (province, "市辖区", "县", ""):
        return True, province or None
    return True, province + county


def _problem(number: str) -> str | None:
    """The first GB 11643 check an 18-character number fails, or None."""
    if len(number) != LENGTH:
        return "length"
    if not (number[:ID_BODY_LENGTH].isascii() and number[:ID_BODY_LENGTH].isdigit()) or number[-1] not in "0123456789X":
        return "format"
    if _birth_date(number) is None:
        return "date"
    if not _region_ok(number):
        return "region"
    if id_check_digit(number[:ID_BODY_LENGTH]) != number[-1]:
        return "checksum"
    return None


def _corrections(number: str) -> list[str]:
    """Every fully valid number obtained by reading the letters of ``number`` as the digits OCR confuses."""
    letters = [index for index, char in enumerate(number) if not char.isdigit() and char != ID_CHECK_TEN]
    if not letters or len(letters) > _MAX_CONFUSIONS:
        return []
    if any(number[index] not in _CONFUSIONS for index in letters):
        return []
    found: list[str] = []
    for digits in itertools.product(*(_CONFUSIONS[number[index]] for index in letters)):
        chars = list(number)
        for index, digit in zip(letters, digits, strict=True):
            chars[index] = digit
        candidate = "".join(chars)
        if _problem(candidate) is None:
            found.append(candidate)
    return found


def _normalize(token: str) -> str:
    """The token's ID characters: spaces and dashes dropped, ``x`` and ``×`` as ``X``.

    ``token`` is a piece of a :data:`_RUN` match in text that :func:`_ascii_forms` has already folded, so it
    holds only ASCII letters and digits, ``|``, ``!``, ``×``, spaces, tabs and dashes: no NFKC is needed.
    """
    return re.sub(r"[\s\-]", "", token.translate(_X_FORMS))


def _result(raw: str, chars: str) -> IdNumber:
    """Check a candidate of 15-18 characters and describe it."""
    if len(chars) == LEGACY_LENGTH:
        return _legacy(raw, chars)
    problem = _problem(chars)
    corrected = False
    value = chars
    if problem is not None and problem != "length":
        fixes = _corrections(chars)
        if len(fixes) == 1:
            value, problem, corrected = fixes[0], None, True
    if problem is None:
        known, place = _birth_place(value)
        return IdNumber(value, raw, True, None, _birth_date(value), _sex(value), place, corrected, known)
    if problem == "length":
        return IdNumber(value, raw, False, problem, None, None, None, False)
    return IdNumber(value, raw, False, problem, _birth_date(value), _sex(value), None, False)


def _legacy(raw: str, chars: str) -> IdNumber:
    """A 15-digit number (6 region, YYMMDD, 3 serial): upgraded to 18 digits in the 1900s when valid."""
    if not (chars.isascii() and chars.isdigit()):
        return IdNumber(chars, raw, False, "format", None, None, None, False)
    body = chars[:6] + "19" + chars[6:]
    upgraded = body + id_check_digit(body)
    problem = _problem(upgraded)
    if problem is not None:
        return IdNumber(chars, raw, False, problem, _birth_date(upgraded), _sex(upgraded), None, False, upgraded=True)
    known, place = _birth_place(upgraded)
    return IdNumber(upgraded, raw, True, None, _birth_date(upgraded), _sex(upgraded), place, False, known, True)


@dataclass(frozen=True)
class _Window:
    raw: str
    chars: str
    start: int


def _ascii_forms(text: str) -> str:
    """Full-width letters and digits as ASCII, character for character (so offsets and raw slices hold)."""
    return "".join(
        folded if len(folded := unicodedata.normalize("NFKC", char)) == 1 and folded.isascii() else char
        for char in text
    )


def _windows(text: str, original: str) -> list[_Window]:
    """Candidate tokens of 15-18 ID characters.

    ``text`` has full-width forms folded to ASCII, ``original`` is the text as read (same length), from
    which ``raw`` is sliced. A run of ID characters is cut into groups at its spaces and dashes; a
    candidate is any sequence of whole groups, from which letters standing before the first digit or
    after the last one (a label such as ``ID``, a word after the number) may be left out, never a digit.
    """
    windows: list[_Window] = []
    for match in _RUN.finditer(text):
        run = match.group(0)
        groups = [(group.start(), group.group(0)) for group in re.finditer(r"[^ \t\-]+", run)]
        for first, last in itertools.combinations_with_replacement(range(len(groups)), 2):
            span_start = groups[first][0]
            span_end = groups[last][0] + len(groups[last][1])
            piece = run[span_start:span_end]
            positions = [index for index, char in enumerate(piece) if char not in " \t-"]
            chars = _normalize(piece)
            if len(chars) != len(positions) or sum(char.isdigit() for char in chars) < _MIN_DIGITS:
                continue
            digit_at = [index for index, char in enumerate(chars) if char.isdigit()]
            for start in range(digit_at[0] + 1):
                for end in range(digit_at[-1] + 1, len(chars) + 1):
                    if _MIN_CANDIDATE <= end - start <= _MAX_CANDIDATE:
                        offset = match.start() + span_start + positions[start]
                        raw = original[offset : offset + positions[end - 1] + 1 - positions[start]]
                        windows.append(_Window(raw, chars[start:end], offset))
    return windows


def _preference(number: IdNumber) -> tuple[bool, bool, bool, int, bool]:
    letters = sum(not char.isdigit() for char in number.value[:-1])
    return (
        number.valid and not number.corrected,
        number.valid,
        number.reason != "length",
        -letters,
        len(number.raw.replace(" ", "")) >= LENGTH,
    )


def parse_id_number(text: str) -> IdNumber | None:
    """The ID number written in the text, checked (see the module docstring), or ``None``.

    The text may carry a label (``身份证号：``), spaces or dashes inside the number, full-width digits,
    a lower-case ``x``. Where several tokens could be the number, a valid one is preferred to one valid
    only after OCR correction, and either to an invalid one. ``None`` when no token has 15 to 18 ID
    characters at all; a 16- or 17-character token is returned invalid with reason ``length``.
    """
    best: IdNumber | None = None
    best_key: tuple[bool, bool, bool, int, bool] | None = None
    for window in _windows(_ascii_forms(text), text):
        number = _result(window.raw, window.chars)
        key = _preference(number)
        if best_key is None or key > best_key:
            best, best_key = number, key
    return best
