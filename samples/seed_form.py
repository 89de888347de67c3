"""Render the committed ``luzhou-2019`` demo packet as a *scanned*, image-only PDF.

The forms follow the notice 泸市人社办〔2019〕94号 (泸州市首席技师评审推荐): 附件1
《泸州市首席技师申报表》 (cover page and first table page) and 附件3
《泸州市首席技师申报人员基本情况汇总表》 (A4 landscape). The pages are first drawn as
vector pages with PyMuPDF, rasterised at 200 DPI, made to look scanned (paper tone,
slight skew, blur, noise) and finally written as JPEG images into a PDF without any
text layer, the way a document scanner produces it.

Everything is deterministic: the applicant is fixed and the scan effects come from a
seeded random generator, so ``python -m samples.seed_form`` reproduces the committed
``samples/packets/luzhou-2019-sample.pdf`` and its ``.truth.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import pymupdf

PROFILE_ID = "luzhou-2019"
PACKET_STEM = f"{PROFILE_ID}-sample"
DOC_TYPES = ("application_form", "application_form", "summary_sheet")
DEFAULT_OUT_DIR = pathlib.Path(__file__).resolve().parent / "packets"
TRUTH_SUFFIX = ".truth.json"
JSON_INDENT = 2

# --- fonts and text layout -------------------------------------------------------------------------------
FONT_NAME = "china-s"  # PyMuPDF built-in CJK font (Droid Sans Fallback)
# ``insert_text(fontname="china-s")`` gives every glyph a full em (Latin digits come out spaced like
# "5 1 0 5 …"), so the same built-in font is embedded under this alias to keep real glyph widths.
FONT_ALIAS = "cjk"
FONT = pymupdf.Font(FONT_NAME)
LINE_SPACING = 1.35  # > ascender - descender of the font, so a line box contains its glyphs
CELL_PADDING = 4.0
CELL_INSET = (CELL_PADDING, CELL_PADDING, -CELL_PADDING, -CELL_PADDING)  # added to a cell rect
FONT_STEP = 0.5
MIN_FONT_SIZE = 5.0
NO_WRAP_SIZE_RATIO = 0.8
ALIGN_CENTER = "center"
ALIGN_LEFT = "left"

# --- ruling -----------------------------------------------------------------------------------------------
INK = (0.0, 0.0, 0.0)
RULE_WIDTH = 0.8
FRAME_WIDTH = 1.3

# --- page geometry (PDF points) ---------------------------------------------------------------------------
A4_SHORT = 595.0
A4_LONG = 842.0
PORTRAIT = pymupdf.Rect(0, 0, A4_SHORT, A4_LONG)
LANDSCAPE = pymupdf.Rect(0, 0, A4_LONG, A4_SHORT)

# --- scan simulation --------------------------------------------------------------------------------------
SCAN_DPI = 200
POINTS_PER_INCH = 72.0
JPEG_QUALITY = 80
PAPER_TONE_RGB = (247.0, 244.0, 235.0)
PAPER_TONE_JITTER = 3
INK_BLACK_LEVEL = 28.0
WHITE = 255.0
MAX_SKEW_DEGREES = 0.4
BLUR_KERNEL = (3, 3)
BLUR_SIGMA = 0.6
NOISE_SIGMA = 3.0

# --- resident identity number (GB 11643-1999, ISO 7064 MOD 11-2) ----------------------------------------
ID_BODY_LENGTH = 17
ID_MODULUS = 11
ID_CHECK_OFFSET = 12
ID_CHECK_TEN = 10
ID_CHECK_TEN_CHAR = "X"
ID_SEX_DIGIT_CHOICES = 5  # the sex digit is 2 * k + (1 if male), k in 0..4
MALE = "男"
FEMALE = "女"

DOTTED_MONTH = "%Y.%m"
ISO_MONTH = "%Y-%m"


@dataclass(frozen=True)
class Candidate:
    """One 首席技师 candidate as printed on the forms.

    Attributes:
        name: Full name.
        gender: ``男`` or ``女``.
        birth: Date of birth (also encoded in the identity number).
        region_code: Six-digit administrative division code of the identity number.
        serial: Two-digit registration serial of the identity number.
        employer: 工作单位.
        occupation: 职业（工种）.
        qualification_level: 职业资格等级.
        qualified_since: When the current qualification was obtained.
        work_start: 参工时间.
        political_status: 政治面貌.
        education: 文化程度.
        phone: Mobile phone number.
        career: Short 主要工作经历 for the 汇总表.
        achievements: Short 主要技术成果、贡献 for the 汇总表.
    """

    name: str
    gender: str
    birth: dt.date
    region_code: str
    serial: int
    employer: str
    occupation: str
    qualification_level: str
    qualified_since: dt.date
    work_start: dt.date
    political_status: str
    education: str
    phone: str
    career: str
    achievements: str

    @property
    def id_number(self) -> str:
        """The 18-character resident identity number with a valid check character."""
        return make_id_number(self.region_code, self.birth, self.serial, self.gender)


@dataclass(frozen=True)
class FormDetails:
    """Details only printed on the applicant's own 申报表.

    Attributes:
        email: 电子信箱.
        bank: 个人银行账户信息 (two lines: bank, account).
        landline: 座机 number.
        qq: QQ number.
        address: 单位地址.
        experience: 主要学习和工作经历 rows as (起止年月, 何校、何单位学习、工作, 证明人).
        signature_skill: 绝技绝活及创造先进操作法情况 paragraph.
    """

    email: str
    bank: str
    landline: str
    qq: str
    address: str
    experience: tuple[tuple[str, str, str], ...]
    signature_skill: str


@dataclass(frozen=True)
class TextStyle:
    """How text is set inside a cell.

    Attributes:
        max_size: Largest font size tried; smaller sizes are used until the text fits.
        align: ``ALIGN_CENTER`` or ``ALIGN_LEFT``.
        wrap: Whether lines may be broken at any character to fit the width.
    """

    max_size: float
    align: str = ALIGN_CENTER
    wrap: bool = True


@dataclass(frozen=True)
class Cell:
    """A table cell spanning grid columns ``first`` (inclusive) to ``last`` (exclusive)."""

    first: int
    last: int
    text: str
    style: TextStyle


@dataclass(frozen=True)
class TableRow:
    """A table row: its height in points and its cells."""

    height: float
    cells: tuple[Cell, ...]


# The identity numbers use the 泸州 division codes valid in each candidate's birth year: 5105xx only
# exists since 1983 (before that 泸州 belonged to 宜宾地区, 5125xx), and python-stdnum's
# ``cn.ric.validate`` rejects a code that did not exist when its holder was born.
RECOMMENDER = "泸州市江阳区人力资源和社会保障局"

APPLICANT = Candidate(
    name="王建国",
    gender=MALE,
    birth=dt.date(1978, 5, 12),
    region_code="512502",  # 宜宾地区泸州市 (the city's code until 1983)
    serial=3,
    employer="泸州北方化学工业有限公司",
    occupation="焊工",
    qualification_level="高级技师",
    qualified_since=dt.date(2012, 10, 1),
    work_start=dt.date(1996, 7, 1),
    political_status="中共党员",
    education="大专",
    phone="13981562047",
    career="1996年至今在泸州北方化学工业有限公司从事焊接工作",
    achievements="攻克压力容器焊接变形难题，推广小口径管全位置焊接操作法",
)

OTHER_CANDIDATES = (
    Candidate(
        name="李秀英",
        gender=FEMALE,
        birth=dt.date(1981, 9, 23),
        region_code="512521",  # 宜宾地区泸县
        serial=17,
        employer="泸州老窖股份有限公司",
        occupation="白酒酿造工",
        qualification_level="高级技师",
        qualified_since=dt.date(2014, 6, 1),
        work_start=dt.date(2000, 8, 1),
        political_status="群众",
        education="本科",
        phone="13908307415",
        career="2000年至今在泸州老窖股份有限公司从事酿酒工作",
        achievements="优化窖池发酵工艺，优级酒率提高4个百分点",
    ),
    Candidate(
        name="张德明",
        gender=MALE,
        birth=dt.date(1972, 11, 4),
        region_code="512524",  # 宜宾地区纳溪县
        serial=42,
        employer="泸州长江机械制造有限公司",
        occupation="车工",
        qualification_level="技师",
        qualified_since=dt.date(2009, 12, 1),
        work_start=dt.date(1990, 9, 1),
        political_status="中共党员",
        education="中专",
        phone="13882760358",
        career="1990年至今在泸州长江机械制造有限公司从事车工工作",
        achievements="改进液压缸体加工夹具，加工效率提高约三成",
    ),
)

APPLICANT_RANK = 2  # 推荐排序 of the applicant in the 汇总表

APPLICANT_DETAILS = FormDetails(
    email="wangjg1978@163.com",
    bank="开户行：中国工商银行泸州江阳支行\n账  号：6212 2623 0500 4418 276",
    landline="0830-2391275",
    qq="625318804",
    address="四川省泸州市江阳区江北路18号",
    experience=(
        ("1993.09-1996.07", "泸州市技工学校焊接专业学习", "陈国华"),
        ("1996.07-至今", "泸州北方化学工业有限公司焊接车间，焊工", "刘志强"),
        ("2003.09-2006.07", "四川理工学院机械制造与自动化专业（函授大专）", "赵  明"),
    ),
    signature_skill=(
        "熟练掌握手工电弧焊、二氧化碳气体保护焊、氩弧焊等焊接技术，总结出“小口径管全位置焊接操作法”，"
        "在公司推广应用后焊缝一次探伤合格率由92%提高到99.5%；掌握“听焊”绝活，凭电弧声音即可判断"
        "焊接规范是否匹配。"
    ),
)


# ======================================================================================================
# identity numbers
# ======================================================================================================
def id_check_character(body: str) -> str:
    """Compute the GB 11643 check character of a resident identity number.

    Args:
        body: The first 17 digits.

    Returns:
        The check character, ``0``-``9`` or ``X``.

    Raises:
        ValueError: If ``body`` is not 17 ASCII digits.
    """
    if len(body) != ID_BODY_LENGTH or not (body.isascii() and body.isdigit()):
        raise ValueError(f"identity number body must be {ID_BODY_LENGTH} digits: {body!r}")
    total = sum(int(digit) * pow(2, ID_BODY_LENGTH - index, ID_MODULUS) for index, digit in enumerate(body))
    check = (ID_CHECK_OFFSET - total % ID_MODULUS) % ID_MODULUS
    return ID_CHECK_TEN_CHAR if check == ID_CHECK_TEN else str(check)


def make_id_number(region_code: str, birth: dt.date, serial: int, gender: str) -> str:
    """Build an 18-character identity number whose birth date and sex digit agree with the person.

    Args:
        region_code: Six-digit administrative division code.
        birth: Date of birth.
        serial: Registration serial, 0-99 (two digits).
        gender: ``男`` (odd sex digit) or ``女`` (even sex digit).

    Returns:
        The identity number including its check character.
    """
    sex_digit = 2 * (serial % ID_SEX_DIGIT_CHOICES) + (1 if gender == MALE else 0)
    body = f"{region_code}{birth:%Y%m%d}{serial:02d}{sex_digit}"
    return body + id_check_character(body)


# ======================================================================================================
# text and table drawing
# ======================================================================================================
def new_vector_page(doc: pymupdf.Document, rect: pymupdf.Rect) -> pymupdf.Page:
    """Add a blank page of the given size with the CJK font registered under ``FONT_ALIAS``."""
    page = doc.new_page(width=rect.width, height=rect.height)
    page.insert_font(fontname=FONT_ALIAS, fontbuffer=FONT.buffer)
    return page


def text_width(text: str, size: float) -> float:
    """Width of ``text`` in points at ``size``."""
    return float(FONT.text_length(text, fontsize=size))


def wrap_text(text: str, width: float, size: float, wrap: bool) -> list[str]:
    """Split ``text`` into lines at explicit newlines and, if ``wrap``, at any character."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for char in paragraph:
            if wrap and current and text_width(current + char, size) > width:
                lines.append(current)
                current = char
            else:
                current += char
        lines.append(current)
    return lines


def fit_lines(text: str, box: pymupdf.Rect, sizes: tuple[float, float], wrap: bool) -> tuple[float, list[str]] | None:
    """Try font sizes from ``sizes[0]`` down to ``sizes[1]``; return the first that fits ``box``, if any."""
    size, smallest = sizes
    while size >= smallest:
        lines = wrap_text(text, box.width, size, wrap)
        widest = max(text_width(line, size) for line in lines)
        if widest <= box.width and len(lines) * size * LINE_SPACING <= box.height:
            return size, lines
        size -= FONT_STEP
    return None


def fit_text(text: str, box: pymupdf.Rect, style: TextStyle) -> tuple[float, list[str]]:
    """Find the largest font size (<= ``style.max_size``) at which ``text`` fits in ``box``.

    Keeping the author's line breaks is preferred down to ``NO_WRAP_SIZE_RATIO`` of the
    maximum size (a short label shrinks a little rather than breaking off its last character);
    below that the text is wrapped if the style allows it.

    Returns:
        The font size and the lines.

    Raises:
        ValueError: If the text does not fit even at ``MIN_FONT_SIZE``.
    """
    unwrapped = fit_lines(text, box, (style.max_size, style.max_size * NO_WRAP_SIZE_RATIO), wrap=False)
    fitted = unwrapped or fit_lines(text, box, (style.max_size, MIN_FONT_SIZE), style.wrap)
    if fitted is None:
        raise ValueError(f"text does not fit in {box}: {text!r}")
    return fitted


def draw_text(page: pymupdf.Page, rect: pymupdf.Rect, text: str, style: TextStyle) -> None:
    """Set ``text`` inside ``rect`` (minus padding), vertically centred, shrinking it to fit."""
    if not text:
        return
    box = rect + CELL_INSET
    size, lines = fit_text(text, box, style)
    line_height = size * LINE_SPACING
    glyph_height = size * (FONT.ascender - FONT.descender)
    top = box.y0 + (box.height - len(lines) * line_height) / 2
    for index, line in enumerate(lines):
        baseline = top + index * line_height + (line_height - glyph_height) / 2 + size * FONT.ascender
        x = box.x0
        if style.align == ALIGN_CENTER:
            x += (box.width - text_width(line, size)) / 2
        page.insert_text((x, baseline), line, fontname=FONT_ALIAS, fontsize=size, color=INK)


def draw_line_text(page: pymupdf.Page, point: tuple[float, float], text: str, size: float) -> float:
    """Write one line of text with its baseline at ``point``; return its right edge."""
    page.insert_text(point, text, fontname=FONT_ALIAS, fontsize=size, color=INK)
    return point[0] + text_width(text, size)


def draw_centered_line(page: pymupdf.Page, baseline: float, text: str, size: float) -> None:
    """Write one line of text horizontally centred on the page."""
    x = (page.rect.width - text_width(text, size)) / 2
    draw_line_text(page, (x, baseline), text, size)


def draw_distributed(page: pymupdf.Page, span: tuple[float, float], baseline: float, text: str, size: float) -> None:
    """Spread the characters of ``text`` evenly over ``span`` (Word's 分散对齐)."""
    left, right = span
    gap = (right - left - text_width(text, size)) / max(len(text) - 1, 1)
    x = left
    for char in text:
        x = draw_line_text(page, (x, baseline), char, size) + gap


def draw_table(page: pymupdf.Page, columns: Sequence[float], top: float, rows: Sequence[TableRow]) -> float:
    """Draw a ruled table; every cell gets its own rectangle and its text.

    Args:
        page: Target page.
        columns: x positions of the column rules, left to right.
        top: y of the top rule.
        rows: Rows from top to bottom.

    Returns:
        y of the bottom rule.
    """
    y = top
    for row in rows:
        for cell in row.cells:
            rect = pymupdf.Rect(columns[cell.first], y, columns[cell.last], y + row.height)
            page.draw_rect(rect, color=INK, width=RULE_WIDTH)
            draw_text(page, rect, cell.text, cell.style)
        y += row.height
    page.draw_rect(pymupdf.Rect(columns[0], top, columns[-1], y), color=INK, width=FRAME_WIDTH)
    return y


# ======================================================================================================
# page 1: cover of the 申报表
# ======================================================================================================
COVER_MARGIN = 72.0
COVER_ATTACHMENT_BASELINE = 80.0
COVER_ATTACHMENT_SIZE = 15.0
COVER_NUMBER_X = 330.0
COVER_NUMBER_BASELINE = 140.0
COVER_NUMBER_SIZE = 13.0
COVER_NUMBER_NOTE_SIZE = 10.0
COVER_NUMBER_BLANK = 70.0
COVER_TITLE_BASELINE = 310.0
COVER_TITLE_SIZE = 28.0
COVER_FIELD_FIRST_BASELINE = 480.0
COVER_FIELD_PITCH = 56.0
COVER_FIELD_SIZE = 17.0
COVER_LABEL_SPAN = (128.0, 230.0)
COVER_LINE_SPAN = (240.0, 470.0)
COVER_UNDERLINE_DROP = 5.0
COVER_ISSUER_BASELINE = 700.0
COVER_DATE_BASELINE = 738.0
COVER_FOOTER_SIZE = 16.0
COVER_DATE = "2019年 7 月 10 日"


def draw_cover_number(page: pymupdf.Page) -> None:
    """Write the ``编号：____（由市人社局填写）`` line."""
    label_end = draw_line_text(page, (COVER_NUMBER_X, COVER_NUMBER_BASELINE), "编号：", COVER_NUMBER_SIZE)
    line_y = COVER_NUMBER_BASELINE + COVER_UNDERLINE_DROP
    page.draw_line((label_end, line_y), (label_end + COVER_NUMBER_BLANK, line_y), color=INK, width=RULE_WIDTH)
    note_point = (label_end + COVER_NUMBER_BLANK, COVER_NUMBER_BASELINE)
    draw_line_text(page, note_point, "（由市人社局填写）", COVER_NUMBER_NOTE_SIZE)


def draw_cover_field(page: pymupdf.Page, baseline: float, label: str, value: str) -> None:
    """Write a distributed label and its value centred on an underline."""
    draw_distributed(page, COVER_LABEL_SPAN, baseline, label, COVER_FIELD_SIZE)
    left, right = COVER_LINE_SPAN
    line_y = baseline + COVER_UNDERLINE_DROP
    page.draw_line((left, line_y), (right, line_y), color=INK, width=RULE_WIDTH)
    size = COVER_FIELD_SIZE
    while text_width(value, size) > right - left and size > MIN_FONT_SIZE:
        size -= FONT_STEP
    draw_line_text(page, (left + (right - left - text_width(value, size)) / 2, baseline), value, size)


def draw_cover(doc: pymupdf.Document, applicant: Candidate) -> None:
    """Draw the cover page of 附件1 泸州市首席技师申报表."""
    page = new_vector_page(doc, PORTRAIT)
    draw_line_text(page, (COVER_MARGIN, COVER_ATTACHMENT_BASELINE), "附件1", COVER_ATTACHMENT_SIZE)
    draw_cover_number(page)
    draw_centered_line(page, COVER_TITLE_BASELINE, "泸州市首席技师申报表", COVER_TITLE_SIZE)
    fields = (
        ("姓名", applicant.name),
        ("工作单位", applicant.employer),
        ("职业（工种）", applicant.occupation),
    )
    for index, (label, value) in enumerate(fields):
        draw_cover_field(page, COVER_FIELD_FIRST_BASELINE + index * COVER_FIELD_PITCH, label, value)
    draw_centered_line(page, COVER_ISSUER_BASELINE, "泸州市首席技师评审委员会", COVER_FOOTER_SIZE)
    draw_centered_line(page, COVER_DATE_BASELINE, COVER_DATE, COVER_FOOTER_SIZE)


# ======================================================================================================
# page 2: first table page of the 申报表
# ======================================================================================================
FORM_COLUMNS = (50.0, 122.0, 210.0, 266.0, 340.0, 400.0, 470.0, 545.0)
FORM_TOP = 56.0
PHOTO_COLUMN = 6
PHOTO_ROWS = 4
FIELD_ROW_HEIGHT = 40.0
BANK_ROW_HEIGHT = 46.0
SINGLE_ROW_HEIGHT = 36.0
HISTORY_ROW_HEIGHT = 34.0
HISTORY_ROW_COUNT = 5
SKILL_ROW_HEIGHT = 150.0
LAST_COLUMN = len(FORM_COLUMNS) - 1
HISTORY_HEADING = "主要学习和工作经历（包括技术培训和进修）"

LABEL = TextStyle(max_size=11.5)
VALUE = TextStyle(max_size=12.0)
NUMBER = TextStyle(max_size=12.0, wrap=False)
PARAGRAPH = TextStyle(max_size=11.0, align=ALIGN_LEFT)
SECTION = TextStyle(max_size=12.5)


def personal_rows(applicant: Candidate, details: FormDetails) -> list[TableRow]:
    """Rows with the applicant's personal data (the photo column is drawn separately)."""
    return [
        TableRow(
            FIELD_ROW_HEIGHT,
            (
                Cell(0, 1, "姓名", LABEL),
                Cell(1, 2, applicant.name, VALUE),
                Cell(2, 3, "性别", LABEL),
                Cell(3, 4, applicant.gender, VALUE),
                Cell(4, 5, "出生年月", LABEL),
                Cell(5, 6, f"{applicant.birth:{DOTTED_MONTH}}", NUMBER),
            ),
        ),
        TableRow(
            FIELD_ROW_HEIGHT,
            (
                Cell(0, 1, "参工时间", LABEL),
                Cell(1, 2, f"{applicant.work_start:{DOTTED_MONTH}}", NUMBER),
                Cell(2, 3, "政治面貌", LABEL),
                Cell(3, 4, applicant.political_status, VALUE),
                Cell(4, 5, "文化程度", LABEL),
                Cell(5, 6, applicant.education, VALUE),
            ),
        ),
        TableRow(
            FIELD_ROW_HEIGHT,
            (
                Cell(0, 1, "职业\n（工种）", LABEL),
                Cell(1, 2, applicant.occupation, VALUE),
                Cell(2, 3, "职业资格\n等级", LABEL),
                Cell(3, 6, applicant.qualification_level, VALUE),
            ),
        ),
        TableRow(
            FIELD_ROW_HEIGHT,
            (
                Cell(0, 1, "个人身份证号", LABEL),
                Cell(1, 3, applicant.id_number, NUMBER),
                Cell(3, 4, "电子信箱", LABEL),
                Cell(4, 6, details.email, NUMBER),
            ),
        ),
        TableRow(
            BANK_ROW_HEIGHT,
            (
                Cell(0, 1, "个人银行\n账户信息", LABEL),
                Cell(1, LAST_COLUMN, details.bank, PARAGRAPH),
            ),
        ),
        TableRow(
            FIELD_ROW_HEIGHT,
            (
                Cell(0, 1, "个人联系电话", LABEL),
                Cell(1, 4, f"手机：{applicant.phone}\n座机：{details.landline}", PARAGRAPH),
                Cell(4, 5, "QQ号", LABEL),
                Cell(5, LAST_COLUMN, details.qq, NUMBER),
            ),
        ),
        TableRow(
            SINGLE_ROW_HEIGHT,
            (
                Cell(0, 1, "单位地址", LABEL),
                Cell(1, LAST_COLUMN, details.address, PARAGRAPH),
            ),
        ),
    ]


def history_rows(details: FormDetails) -> list[TableRow]:
    """The 主要学习和工作经历 block: heading, column heads, filled and blank rows."""
    rows = [
        TableRow(SINGLE_ROW_HEIGHT, (Cell(0, LAST_COLUMN, HISTORY_HEADING, SECTION),)),
        TableRow(
            HISTORY_ROW_HEIGHT,
            (
                Cell(0, 2, "起止年月", LABEL),
                Cell(2, PHOTO_COLUMN, "何校、何单位学习、工作", LABEL),
                Cell(PHOTO_COLUMN, LAST_COLUMN, "证明人", LABEL),
            ),
        ),
    ]
    entries = list(details.experience) + [("", "", "")] * (HISTORY_ROW_COUNT - len(details.experience))
    for period, place, witness in entries:
        rows.append(
            TableRow(
                HISTORY_ROW_HEIGHT,
                (
                    Cell(0, 2, period, NUMBER),
                    Cell(2, PHOTO_COLUMN, place, VALUE),
                    Cell(PHOTO_COLUMN, LAST_COLUMN, witness, VALUE),
                ),
            )
        )
    return rows


def achievement_rows(details: FormDetails) -> list[TableRow]:
    """The start of the 主要技术成果、贡献 block."""
    return [
        TableRow(SINGLE_ROW_HEIGHT, (Cell(0, LAST_COLUMN, "主要技术成果、贡献", SECTION),)),
        TableRow(
            HISTORY_ROW_HEIGHT,
            (
                Cell(0, 2, "项  目", LABEL),
                Cell(2, LAST_COLUMN, "内          容", LABEL),
            ),
        ),
        TableRow(
            SKILL_ROW_HEIGHT,
            (
                Cell(0, 2, "绝技绝活及创造\n先进操作法情况", LABEL),
                Cell(2, LAST_COLUMN, details.signature_skill, PARAGRAPH),
            ),
        ),
    ]


def draw_form_table(doc: pymupdf.Document, applicant: Candidate, details: FormDetails) -> None:
    """Draw the first table page of 附件1 泸州市首席技师申报表."""
    page = new_vector_page(doc, PORTRAIT)
    personal = personal_rows(applicant, details)
    photo_bottom = FORM_TOP + sum(row.height for row in personal[:PHOTO_ROWS])
    photo = pymupdf.Rect(FORM_COLUMNS[PHOTO_COLUMN], FORM_TOP, FORM_COLUMNS[LAST_COLUMN], photo_bottom)
    page.draw_rect(photo, color=INK, width=RULE_WIDTH)
    draw_text(page, photo, "照\n片", LABEL)
    draw_table(page, FORM_COLUMNS, FORM_TOP, personal + history_rows(details) + achievement_rows(details))


# ======================================================================================================
# page 3: 附件3 汇总表 (A4 landscape)
# ======================================================================================================
SHEET_MARGIN = 30.0
SHEET_ATTACHMENT_BASELINE = 42.0
SHEET_ATTACHMENT_SIZE = 13.0
SHEET_TITLE_BASELINE = 80.0
SHEET_TITLE_SIZE = 19.0
SHEET_RECOMMENDER_BASELINE = 112.0
SHEET_TEXT_SIZE = 11.0
SHEET_TOP = 124.0
SHEET_HEAD_HEIGHT = 50.0
SHEET_ROW_HEIGHT = 68.0
SHEET_ROW_COUNT = 5
SHEET_FOOTER_GAP = 24.0
SHEET_FOOTER_COLUMNS = (SHEET_MARGIN, 250.0, 620.0)
# 排序 推荐单位 姓名 性别 出生年月 身份证号 工作单位 文化程度 参工时间 职业 现资格 经历 (成果: the rest)
SHEET_WIDTHS = (30.0, 78.0, 44.0, 28.0, 48.0, 116.0, 130.0, 38.0, 44.0, 48.0, 62.0, 54.0)
SHEET_HEADINGS = (
    "推荐\n排序",
    "推荐单位",
    "姓  名",
    "性别",
    "出生年月",
    "身份证号",
    "工作单位",
    "文化\n程度",
    "参工\n时间",
    "职业(工种)",
    "现职业资格及\n取得时间",
    "主要工作\n经历",
    "主要技术成果、贡献",
)
SHEET_FILLER = "张  丽"
SHEET_FILLER_MOBILE = "13908301256"
SHEET_FILLER_LANDLINE = "0830-3125560"
SHEET_DATE = "2019年7月12日"

SHEET_HEAD = TextStyle(max_size=10.0)
SHEET_VALUE = TextStyle(max_size=10.0)
SHEET_NUMBER = TextStyle(max_size=10.0, wrap=False)
SHEET_NOTE = TextStyle(max_size=8.0)


def sheet_columns() -> list[float]:
    """x positions of the 汇总表 column rules (the last column takes the remaining width)."""
    columns = [SHEET_MARGIN]
    for width in SHEET_WIDTHS:
        columns.append(columns[-1] + width)
    columns.append(LANDSCAPE.width - SHEET_MARGIN)
    return columns


def sheet_row(rank: int, candidate: Candidate | None) -> TableRow:
    """One numbered 汇总表 row; blank apart from the rank when ``candidate`` is None."""
    values: list[tuple[str, TextStyle]] = [(str(rank), SHEET_NUMBER)]
    if candidate is not None:
        values += [
            (RECOMMENDER, SHEET_NOTE),
            (candidate.name, SHEET_VALUE),
            (candidate.gender, SHEET_VALUE),
            (f"{candidate.birth:{DOTTED_MONTH}}", SHEET_NUMBER),
            (candidate.id_number, SHEET_NUMBER),
            (candidate.employer, SHEET_VALUE),
            (candidate.education, SHEET_VALUE),
            (f"{candidate.work_start:{DOTTED_MONTH}}", SHEET_NUMBER),
            (candidate.occupation, SHEET_VALUE),
            (f"{candidate.qualification_level}\n{candidate.qualified_since:{DOTTED_MONTH}}", SHEET_VALUE),
            (candidate.career, SHEET_NOTE),
            (candidate.achievements, SHEET_NOTE),
        ]
    values += [("", SHEET_VALUE)] * (len(SHEET_HEADINGS) - len(values))
    cells = tuple(Cell(index, index + 1, text, style) for index, (text, style) in enumerate(values))
    return TableRow(SHEET_ROW_HEIGHT, cells)


def sheet_candidates(applicant: Candidate) -> list[Candidate]:
    """The candidates in 推荐排序 order, with the applicant at ``APPLICANT_RANK``."""
    ordered = list(OTHER_CANDIDATES)
    ordered.insert(APPLICANT_RANK - 1, applicant)
    return ordered


def draw_sheet_footer(page: pymupdf.Page, baseline: float) -> None:
    """Write the 填表人 / 联系电话 / 填表日期 line under the 汇总表."""
    parts = (
        f"填表人：{SHEET_FILLER}",
        f"联系电话：手机 {SHEET_FILLER_MOBILE}  座机 {SHEET_FILLER_LANDLINE}",
        f"填表日期：{SHEET_DATE}",
    )
    for x, text in zip(SHEET_FOOTER_COLUMNS, parts, strict=True):
        draw_line_text(page, (x, baseline), text, SHEET_TEXT_SIZE)


def draw_summary_sheet(doc: pymupdf.Document, applicant: Candidate) -> None:
    """Draw 附件3 泸州市首席技师申报人员基本情况汇总表 on an A4 landscape page."""
    page = new_vector_page(doc, LANDSCAPE)
    draw_line_text(page, (SHEET_MARGIN, SHEET_ATTACHMENT_BASELINE), "附件3", SHEET_ATTACHMENT_SIZE)
    draw_centered_line(page, SHEET_TITLE_BASELINE, "泸州市首席技师申报人员基本情况汇总表", SHEET_TITLE_SIZE)
    draw_line_text(
        page, (SHEET_MARGIN, SHEET_RECOMMENDER_BASELINE), f"推荐单位（盖章）：{RECOMMENDER}", SHEET_TEXT_SIZE
    )
    heading = TableRow(
        SHEET_HEAD_HEIGHT, tuple(Cell(index, index + 1, text, SHEET_HEAD) for index, text in enumerate(SHEET_HEADINGS))
    )
    candidates = sheet_candidates(applicant)
    rows = [heading] + [
        sheet_row(rank, candidates[rank - 1] if rank <= len(candidates) else None)
        for rank in range(1, SHEET_ROW_COUNT + 1)
    ]
    bottom = draw_table(page, sheet_columns(), SHEET_TOP, rows)
    draw_sheet_footer(page, bottom + SHEET_FOOTER_GAP)


# ======================================================================================================
# scan simulation and image-only PDF
# ======================================================================================================
def rasterize(page: pymupdf.Page) -> np.ndarray:
    """Render a vector page to an RGB ``uint8`` array at ``SCAN_DPI``."""
    pix = page.get_pixmap(dpi=SCAN_DPI, alpha=False)
    pixels: np.ndarray = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
    return pixels[:, :, :3].copy()


def paper_tone(rng: np.random.Generator) -> np.ndarray:
    """A slightly off-white paper colour (RGB floats)."""
    jitter = rng.integers(-PAPER_TONE_JITTER, PAPER_TONE_JITTER + 1, size=3)
    return np.asarray(PAPER_TONE_RGB, dtype=np.float32) + jitter.astype(np.float32)


def simulate_scan(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Make a clean rendering look scanned: paper tone, grey ink, small skew, blur, sensor noise.

    Args:
        rgb: Clean page image, ``uint8`` RGB.
        rng: Seeded random generator (the only source of randomness).

    Returns:
        The "scanned" page image, ``uint8`` RGB, same size.
    """
    tone = paper_tone(rng)
    toned = INK_BLACK_LEVEL + rgb.astype(np.float32) * ((tone - INK_BLACK_LEVEL) / WHITE)
    height, width = rgb.shape[:2]
    angle = float(rng.uniform(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES))
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    skewed = cv2.warpAffine(
        toned,
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=tuple(float(c) for c in tone),
    )
    blurred = cv2.GaussianBlur(skewed, BLUR_KERNEL, BLUR_SIGMA)
    noise = rng.normal(0.0, NOISE_SIGMA, size=(height, width, 1)).astype(np.float32)
    scanned: np.ndarray = np.clip(blurred + noise, 0, WHITE).astype(np.uint8)
    return scanned


def encode_jpeg(rgb: np.ndarray) -> bytes:
    """Encode an RGB image as a JPEG of quality ``JPEG_QUALITY``."""
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    ok, buffer = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buffer.tobytes()


def scanned_pdf(vector: pymupdf.Document, seed: int) -> pymupdf.Document:
    """Scan every page of ``vector`` into a new image-only document.

    Each page is sized so that rendering it back at ``SCAN_DPI`` gives the scanned pixel size.
    """
    scanned = pymupdf.open()
    for index in range(vector.page_count):
        image = simulate_scan(rasterize(vector[index]), np.random.default_rng([seed, index]))
        height, width = image.shape[:2]
        scale = POINTS_PER_INCH / SCAN_DPI
        rect = pymupdf.Rect(0, 0, width * scale, height * scale)
        scanned.new_page(width=rect.width, height=rect.height).insert_image(rect, stream=encode_jpeg(image))
    scanned.set_metadata({"producer": "dossier samples.seed_form", "creator": "simulated flatbed scan"})
    return scanned


# ======================================================================================================
# entry points
# ======================================================================================================
def applicant_truth(applicant: Candidate) -> dict[str, str]:
    """The applicant's values in the truth-file vocabulary."""
    return {
        "name": applicant.name,
        "gender": applicant.gender,
        "birth_month": f"{applicant.birth:{ISO_MONTH}}",
        "id_number": applicant.id_number,
        "employer": applicant.employer,
        "occupation": applicant.occupation,
        "qualification_level": applicant.qualification_level,
        "work_start": f"{applicant.work_start:{ISO_MONTH}}",
        "political_status": applicant.political_status,
        "education": applicant.education,
        "phone": applicant.phone,
    }


def truth_path(out_pdf: pathlib.Path) -> pathlib.Path:
    """``<stem>.truth.json`` beside the packet."""
    return out_pdf.with_name(out_pdf.stem + TRUTH_SUFFIX)


def render_luzhou_sample(out_pdf: pathlib.Path, seed: int = 0) -> dict[str, str]:
    """Render the scanned ``luzhou-2019`` sample packet and its truth file.

    Args:
        out_pdf: Where to write the image-only PDF; ``<stem>.truth.json`` is written beside it.
        seed: Seed of the scan effects (paper tone, skew, noise).

    Returns:
        The applicant's values (keys: name, gender, birth_month, id_number, employer, occupation,
        qualification_level, work_start, political_status, education, phone).
    """
    vector = pymupdf.open()
    draw_cover(vector, APPLICANT)
    draw_form_table(vector, APPLICANT, APPLICANT_DETAILS)
    draw_summary_sheet(vector, APPLICANT)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    scanned_pdf(vector, seed).save(out_pdf, garbage=4, deflate=True, no_new_id=True)
    truth = applicant_truth(APPLICANT)
    document = {"profile": PROFILE_ID, "applicant": truth, "doc_types": list(DOC_TYPES)}
    truth_path(out_pdf).write_text(
        json.dumps(document, ensure_ascii=False, indent=JSON_INDENT) + "\n", encoding="utf-8"
    )
    return truth


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m samples.seed_form [--out DIR] [--seed N]``."""
    parser = argparse.ArgumentParser(description="Render the scanned luzhou-2019 sample packet.")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT_DIR, help="output folder")
    parser.add_argument("--seed", type=int, default=0, help="seed of the scan effects")
    args = parser.parse_args(argv)
    out_pdf = args.out / f"{PACKET_STEM}.pdf"
    applicant = render_luzhou_sample(out_pdf, seed=args.seed)
    size = out_pdf.stat().st_size
    print(f"wrote {out_pdf} ({size} bytes) for {applicant['name']} {applicant['id_number']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
