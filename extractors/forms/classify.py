"""First page classifier (doc_type from title keywords) and profile detection from form titles."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

from extractors.text import compact
from models.profile import Profile
from models.report import DocType
from models.text import PageText, TextLine

# Title phrases per document type, most specific first: the first match wins, so
# 拟带徒情况汇总表 is an apprentice sheet before it is a 汇总表, and 推荐人选情况一览表
# an overview sheet before 推荐表 makes it an application form.
TITLE_KEYWORDS: tuple[tuple[DocType, tuple[str, ...]], ...] = (
    (DocType.APPRENTICE_SHEET, ("拟带徒", "带徒情况")),
    (DocType.OVERVIEW_SHEET, ("一览表",)),
    (DocType.SUMMARY_SHEET, ("汇总表",)),
    (DocType.APPLICATION_FORM, ("申报表", "推荐表", "申请表", "登记表")),
    (DocType.PLEDGE, ("承诺书",)),
    (DocType.RECOMMENDATION, ("推荐报告", "推荐函", "推荐信")),
    (DocType.DEEDS, ("事迹材料", "个人事迹", "先进事迹", "主要事迹")),
    (DocType.ID_COPY, ("居民身份证", "身份证复印件")),
    (DocType.CERTIFICATE, ("证书", "荣誉称号", "获奖")),
)

# Wording printed on the ID card itself, recognised anywhere on the page (a copy
# has no title). The form's own label 身份证号 is not among them.
ID_CARD_WORDING = ("公民身份号码", "签发机关", "居民身份证")

# Documents that run over several pages: an untitled page right after one continues it.
CONTINUED_TYPES = frozenset({DocType.APPLICATION_FORM, DocType.DEEDS, DocType.RECOMMENDATION, DocType.PLEDGE})

TITLE_ZONE = 0.4
"""Fraction of the page height, from the top, where a document's title is looked for."""
TITLE_HEIGHT_RATIO = 1.3
"""A line this many times taller than the page's median line is a title wherever it stands."""
TITLE_CENTRE_TOLERANCE = 0.15
"""A title's centre lies within this fraction of the page width from the page's centre."""
MIN_CONTINUATION_LINES = 3
"""An untitled page needs this many lines to count as the continuation of the previous document."""


def title_text(lines: Sequence[TextLine], width: float, height: float) -> str:
    """The compacted text of a page's title lines.

    A title is either unusually large, or alone on its row, centred, and near the
    top. Table labels (职业资格等级, 身份证号 …) share their row with other cells,
    so they are never taken for a title.
    """
    if not lines:
        return ""
    median_height = statistics.median(line.height for line in lines)
    titles = [
        line
        for line in lines
        if line.height >= TITLE_HEIGHT_RATIO * median_height
        or (line.bbox[1] < TITLE_ZONE * height and _centred(line, width) and _alone_on_its_row(line, lines))
    ]
    return "".join(compact(line.text) for line in titles)


def _centred(line: TextLine, width: float) -> bool:
    centre = (line.bbox[0] + line.bbox[2]) / 2
    return abs(centre - width / 2) <= TITLE_CENTRE_TOLERANCE * width


def _alone_on_its_row(line: TextLine, lines: Sequence[TextLine]) -> bool:
    return not any(
        other is not line and min(line.bbox[3], other.bbox[3]) - max(line.bbox[1], other.bbox[1]) > 0.5 * line.height
        for other in lines
    )


def doc_type_of_title(title: str) -> DocType | None:
    """The document type a title names, or ``None``."""
    for doc_type, keywords in TITLE_KEYWORDS:
        if any(keyword in title for keyword in keywords):
            return doc_type
    return None


def classify_pages(pages: Sequence[PageText], sizes: Sequence[tuple[float, float]]) -> list[DocType]:
    """``doc_type`` of every page, in order; untitled pages continue a multi-page document before them.

    Args:
        pages: The text of each page.
        sizes: ``(width, height)`` of each page, in the pixels of its text's boxes.
    """
    doc_types: list[DocType] = []
    previous: DocType | None = None
    for page, (width, height) in zip(pages, sizes, strict=True):
        doc_type = doc_type_of_title(title_text(page.lines, width, height)) or _id_card(page)
        if doc_type is None:
            continues = previous in CONTINUED_TYPES and len(page.lines) >= MIN_CONTINUATION_LINES
            doc_type = previous if continues and previous is not None else DocType.OTHER
        doc_types.append(doc_type)
        previous = doc_type
    return doc_types


def _id_card(page: PageText) -> DocType | None:
    text = "".join(compact(line.text) for line in page.lines)
    return DocType.ID_COPY if any(wording in text for wording in ID_CARD_WORDING) else None


def detect_profile(pages: Sequence[PageText], profiles: Sequence[Profile]) -> str | None:
    """The profile whose form titles the packet's pages carry most often, or ``None`` if none or a tie."""
    hits: Counter[str] = Counter()
    for page in pages:
        text = "".join(compact(line.text) for line in page.lines)
        for profile in profiles:
            if any(compact(keyword) in text for keyword in profile.title_keywords):
                hits[profile.id] += 1
    ranked = hits.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]
