"""Page types (``doc_type``) from titles and content, and profile detection from the forms' own titles.

A page is what its title says. Titles are looked for only where titles stand
(the first rows of text, or a line much larger than the rest in the upper
half), and matched with one OCR error forgiven. A page without a readable title
is judged by its content: the ID card's own wording, a sheet's header row, the
form's field labels and opinion boxes, a certificate's wording. A page that
shows none of these continues the multi-page document before it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence

from extractors.forms.labels import APPLICANT_VOCABULARY, APPRENTICE_VOCABULARY, FUZZY_MIN_LENGTH, IGNORED
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

TITLE_ROWS = 3
"""A centred line alone on its row is a title only among the page's first rows of text."""
TITLE_ZONE = 0.5
"""A line much larger than the rest is a title only in this upper fraction of the page."""
TITLE_HEIGHT_RATIO = 1.3
"""A line this many times taller than the page's median line is a title wherever it stands."""
TITLE_CENTRE_TOLERANCE = 0.15
"""A title's centre lies within this fraction of the page width from the page's centre."""
MIN_CONTINUATION_LINES = 3
"""An untitled page needs this many lines to count as the continuation of the previous document."""
SHEET_TYPES = frozenset({DocType.OVERVIEW_SHEET, DocType.SUMMARY_SHEET})
"""The sheets that list applicants row by row (一览表, 汇总表); an untitled one is told apart by its place."""
MIN_CONTENT_LABELS = 4
"""Distinct field labels that make an untitled page a form (or, with 序号, a sheet)."""
SEQUENCE_HEADER = "序号"
APPRENTICE_HEADER_WORDS = ("带徒", "徒弟", "学徒")
"""An apprentice sheet's name column says whose names these are (带徒姓名)."""
OPINION_BOX = "意见"
MIN_OPINION_BOXES = 2
"""Opinion boxes (单位意见, 推荐单位意见 …) that make an untitled page the end of a form."""
CERTIFICATE_WORDING = ("证书编号", "发证日期", "发证机关", "发证单位", "颁发日期")


def title_text(lines: Sequence[TextLine], width: float, height: float) -> str:
    """The compacted text of a page's title lines.

    A title is either much larger than the page's other lines and in its upper
    half, or centred and alone on its row among the first rows of text. Table
    labels (职业资格等级, 身份证号 …) share their row with other cells and section
    text stands below the first rows, so neither is taken for a title.
    """
    if not lines:
        return ""
    median_height = statistics.median(line.height for line in lines)
    first_rows = _first_rows(lines, TITLE_ROWS)
    titles = [
        line
        for line in lines
        if (line.height >= TITLE_HEIGHT_RATIO * median_height and line.bbox[1] < TITLE_ZONE * height)
        or (id(line) in first_rows and _centred(line, width) and _alone_on_its_row(line, lines))
    ]
    return "".join(compact(line.text) for line in titles)


def _first_rows(lines: Sequence[TextLine], count: int) -> set[int]:
    """``id`` of the lines in the first ``count`` rows of text from the top."""
    taken: set[int] = set()
    rows = 0
    last_bottom = -1.0
    for line in sorted(lines, key=lambda line: line.bbox[1]):
        if line.bbox[1] >= last_bottom - 0.5 * line.height:
            rows += 1
            if rows > count:
                break
        last_bottom = max(last_bottom, line.bbox[3])
        taken.add(id(line))
    return taken


def _centred(line: TextLine, width: float) -> bool:
    centre = (line.bbox[0] + line.bbox[2]) / 2
    return abs(centre - width / 2) <= TITLE_CENTRE_TOLERANCE * width


def _alone_on_its_row(line: TextLine, lines: Sequence[TextLine]) -> bool:
    return not any(
        other is not line and min(line.bbox[3], other.bbox[3]) - max(line.bbox[1], other.bbox[1]) > 0.5 * line.height
        for other in lines
    )


def doc_type_of_title(title: str, *, fuzzy: bool = False) -> DocType | None:
    """The document type a title names, or ``None``; with ``fuzzy`` a keyword of four or more characters may
    have one OCR error.

    The fuzzy length is the labels' :data:`~extractors.forms.labels.FUZZY_MIN_LENGTH`: a keyword that long is
    recognised with one misread character (事迹材枓 for 事迹材料); shorter ones (推荐表) would be confused with
    ordinary words (推荐单位).
    """
    for doc_type, keywords in TITLE_KEYWORDS:
        if any(keyword in title for keyword in keywords):
            return doc_type
    if not fuzzy:
        return None
    for doc_type, keywords in TITLE_KEYWORDS:
        if any(len(keyword) >= FUZZY_MIN_LENGTH and _contains_within_one(title, keyword) for keyword in keywords):
            return doc_type
    return None


def _contains_within_one(text: str, keyword: str) -> bool:
    """``keyword`` occurs in ``text`` with at most one character substituted."""
    size = len(keyword)
    return any(
        sum(a != b for a, b in zip(text[start : start + size], keyword, strict=True)) <= 1
        for start in range(len(text) - size + 1)
    )


def classify_pages(pages: Sequence[PageText], sizes: Sequence[tuple[float, float]]) -> list[DocType]:
    """``doc_type`` of every page, in order.

    Args:
        pages: The text of each page.
        sizes: ``(width, height)`` of each page, in the pixels of its text's boxes.
    """
    doc_types: list[DocType] = []
    previous: DocType | None = None
    for page, (width, height) in zip(pages, sizes, strict=True):
        title = title_text(page.lines, width, height)
        # A title read exactly, else what the content shows, else a title read with one error.
        titled = doc_type_of_title(title)
        doc_type = titled or content_type(page) or doc_type_of_title(title, fuzzy=True)
        if doc_type in SHEET_TYPES and titled not in SHEET_TYPES:
            # An untitled sheet: the first one of a packet is its overview, a second one its summary.
            doc_type = DocType.SUMMARY_SHEET if DocType.OVERVIEW_SHEET in doc_types else DocType.OVERVIEW_SHEET
        if doc_type is None:
            continues = previous in CONTINUED_TYPES and len(page.lines) >= MIN_CONTINUATION_LINES
            doc_type = previous if continues and previous is not None else DocType.OTHER
        doc_types.append(doc_type)
        previous = doc_type
    return doc_types


def content_type(page: PageText) -> DocType | None:
    """The document type a page's content shows when its title does not: None if it shows none."""
    texts = [compact(line.text) for line in page.lines]
    whole = "".join(texts)
    if any(wording in whole for wording in ID_CARD_WORDING):
        return DocType.ID_COPY
    apprentice = [found for text in texts if (found := APPRENTICE_VOCABULARY.match(text))]
    apprentice_labels = {found.key for found in apprentice if not found.rest}
    applicant_labels = {found.key for text in texts if (found := APPLICANT_VOCABULARY.match(text)) and not found.rest}
    applicant_labels.discard(IGNORED)
    apprentice_header = any(any(word in found.label for word in APPRENTICE_HEADER_WORDS) for found in apprentice)
    if apprentice_header and len(apprentice_labels) >= MIN_CONTENT_LABELS:
        return DocType.APPRENTICE_SHEET
    if SEQUENCE_HEADER in texts and len(applicant_labels) >= MIN_CONTENT_LABELS:
        return DocType.OVERVIEW_SHEET
    if len(applicant_labels) >= MIN_CONTENT_LABELS:
        return DocType.APPLICATION_FORM
    if sum(text.endswith(OPINION_BOX) for text in texts) >= MIN_OPINION_BOXES:
        return DocType.APPLICATION_FORM
    if any(word in whole for word in CERTIFICATE_WORDING):
        return DocType.CERTIFICATE
    return None


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
