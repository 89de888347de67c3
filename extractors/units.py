"""Whether two written unit names (an employer, a recommending unit, a seal's legend) name the same unit."""

from __future__ import annotations

import functools
import re
from difflib import SequenceMatcher

from extractors.text import compact

SAME_UNIT, OTHER_UNIT = 0.6, 0.34
"""Similarity of the distinctive part of two unit names above which they are one unit, and below which
they are surely two; in between the reviewer is asked to look."""

_PLACE_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{1,6}?(?:省|自治区|市|自治州|州|地区|盟|县|区|旗))+")
_GENERIC_PARTS = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|股份公司|集团|公司|\(集团\)|（集团）|人事专用章|合同专用章|专用章|公章|人力资源部|人事部|人事处)"
)


@functools.lru_cache(maxsize=4096)
def _unit_forms(name: str) -> tuple[str, str]:
    """A unit name without its legal form and 专用章 suffix, and that without its place prefix (kept when empty).

    Cached: the same few unit names are compared again and again (quotas, seals, the database's earlier packets).
    """
    whole = _GENERIC_PARTS.sub("", compact(name))
    return whole, _PLACE_PREFIX.sub("", whole) or whole


def unit_similarity(a: str, b: str) -> float:
    """How alike two unit names are, 0..1, on their distinctive parts (one inside the other counts as 1).

    A name read only in part (泸州市江阳区, cut where a seal covers the line) is inside the whole one
    (泸州市江阳区人力资源和社会保障局): the same unit, as far as can be told.
    """
    (whole_a, core_a), (whole_b, core_b) = _unit_forms(a), _unit_forms(b)
    if whole_a and whole_b and (whole_a in whole_b or whole_b in whole_a):
        return 1.0
    if not core_a or not core_b:
        return 0.0
    if core_a in core_b or core_b in core_a:
        return 1.0
    return SequenceMatcher(None, core_a, core_b).ratio()


def same_unit(one: str, other: str) -> bool:
    """Whether two written unit names name the same unit (legal-form words, place prefixes, partial reads)."""
    return unit_similarity(one, other) >= SAME_UNIT
