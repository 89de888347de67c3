"""Text normalisation that real forms need before any matching or parsing."""

from __future__ import annotations

import re
import unicodedata

from models.text import edit_distance

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A run of whitespace is dropped unless it separates two Latin words ("Zhang San"):
# forms print "姓  名", "5105 0219 7805", "2016 年" and OCR keeps those gaps.
_GAP = re.compile(rf"(?<=[{_CJK}0-9:()\[\],.;%/\-])\s+|\s+(?=[{_CJK}0-9:()\[\],.;%/\-])")
_SPACES = re.compile(r"\s+")

# Punctuation NFKC leaves as-is but forms use interchangeably with the ASCII forms, and traditional
# variants the OCR model sometimes returns for the simplified characters printed on mainland forms.
_PUNCT = str.maketrans(
    {"〔": "[", "〕": "]", "【": "[", "】": "]", "—": "-", "－": "-", "–": "-", "·": "·"}
    | dict(zip("決説別戶強絶為與黃", "决说别户强绝为与黄", strict=True))
)


def normalize_text(text: str) -> str:
    """Canonical form of OCR'd or typed text for matching and parsing.

    Full-width letters, digits and punctuation become ASCII (NFKC: ``（`` -> ``(``,
    ``：`` -> ``:``, ``１`` -> ``1``); spaces inside Chinese text and digit runs are
    removed, a single space is kept between Latin words.

    Args:
        text: Text as read.

    Returns:
        The normalised text.
    """
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT)
    text = _SPACES.sub(" ", text).strip()
    return _GAP.sub("", text)


def compact(text: str) -> str:
    """``normalize_text`` with every space removed: for keyword and label matching."""
    return normalize_text(text).replace(" ", "")


def character_error_rate(hypothesis: str, reference: str) -> float:
    """Edit distance between the two strings over the reference's length (0 is perfect).

    Both are compared as written; normalise them first when layout spaces should not count.
    """
    if not reference:
        return 0.0 if not hypothesis else 1.0
    return edit_distance(hypothesis, reference) / len(reference)
