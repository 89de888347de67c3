"""The documents of a packet, drawn as the notices' templates lay them out.

Each builder draws one document onto new pages of a PyMuPDF document and
returns its :class:`~samples.draw.Sheet` objects, which remember where every
value and every 盖章 went.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pymupdf

from samples import draw
from samples.draw import LABEL, PARAGRAPH, VALUE, Cell, Row, Sheet, Style
from samples.layouts import EMPLOYER, NOBODY, RECOMMENDER, FormLayout, PacketLayout, SheetLayout
from samples.seals import SealShape

ROW_HEIGHT = 30.0
SECTION_HEIGHT = 120.0
OPINION_HEIGHT = 110.0
TITLE_SIZE = 20.0
LABEL_WIDTH = 78.0
PHOTO_WIDTH = 78.0
PHOTO_ROWS = 3
BOTTOM_MARGIN = 60.0
LETTER = Style(size=12.0, align="left", color=draw.VALUE_INK, valign="top")


@dataclass(frozen=True)
class Entry:
    """One value of a record: normalised as the report contract wants it, and as written on paper."""

    value: str
    raw: str


Record = dict[str, Entry]


@dataclass
class Packet:
    """Everything the documents are drawn from (after faults were applied to it)."""

    layout: PacketLayout
    form: Record
    """The applicant as the application form writes them."""
    rows: list[Record]
    """Summary-sheet rows, the applicant among them (at ``applicant_row``)."""
    applicant_row: int
    apprentices: list[Record]
    competitions: list[str]
    honors: list[str]
    experience: list[tuple[str, str]]
    employer_seal: str
    recommender_seal: str
    certificate: Record
    id_card: Record
    uncertified: set[str] = field(default_factory=set)
    """doc_types of copies missing 与原件一致 (a fault)."""
    deeds_paragraphs: list[str] = field(default_factory=list)


def units(packet: Packet, who: str) -> str | None:
    return {EMPLOYER: packet.employer_seal, RECOMMENDER: packet.recommender_seal, NOBODY: None}[who]


def application_form(doc: pymupdf.Document, packet: Packet) -> list[Sheet]:
    """The 申报表 / 推荐表: optional cover, the basic table with photo box, sections, opinion boxes."""
    layout = packet.layout.form
    sheets: list[Sheet] = []
    if layout.cover_fields:
        sheets.append(_cover(doc, layout, packet.form))
    sheet = draw.new_sheet(doc, "application_form")
    sheets.append(sheet)
    y = draw.MARGIN
    if not layout.cover_fields:
        draw.write_centred(sheet, y + TITLE_SIZE, layout.title, TITLE_SIZE)
        y += TITLE_SIZE * 2.5
    y = _basic_table(sheet, y, layout, packet.form)
    for heading, content in layout.sections:
        text = _section_text(packet, content)
        sheet, y = _room(doc, sheets, sheet, y, SECTION_HEIGHT)
        y = _two_column_row(sheet, y, SECTION_HEIGHT, heading, Cell(1, 2, text, PARAGRAPH))
    for box, who in layout.opinions:
        sheet, y = _room(doc, sheets, sheet, y, OPINION_HEIGHT)
        unit = units(packet, who)
        opinion = "情况属实，同意推荐。" if unit else ""
        y = _two_column_row(sheet, y, OPINION_HEIGHT, box, Cell(1, 2, opinion, VALUE, seal_unit=unit or "", box=box))
    return sheets


def _cover(doc: pymupdf.Document, layout: FormLayout, form: Record) -> Sheet:
    sheet = draw.new_sheet(doc, "application_form")
    draw.write_line(sheet, (draw.MARGIN + 16, 90), "附件", 14)
    draw.write_line(sheet, (330, 140), "编号：__________", 12)
    draw.write_centred(sheet, 300, layout.title, 26)
    y = 460.0
    for label_text, key in layout.cover_fields:
        draw.write_line(sheet, (130, y), label_text, 16)
        sheet.page.draw_line((250, y + 4), (470, y + 4), color=draw.INK, width=draw.RULE_WIDTH)
        entry = form[key]
        draw.write_line(sheet, (262, y), entry.raw, 15, key=f"applicant.{key}", style=VALUE)
        y += 52
    draw.write_centred(sheet, 720, "二〇一九年    月    日" if "泸州" in layout.title else "年    月    日", 15)
    return sheet


def _basic_table(sheet: Sheet, top: float, layout: FormLayout, form: Record) -> float:
    """The basic-information table: each row its own grid (label, value, label, value …), the photo box at right."""
    left, right = draw.MARGIN, sheet.width - draw.MARGIN
    y = top
    for index, pairs in enumerate(layout.rows):
        row_right = right - PHOTO_WIDTH if index < PHOTO_ROWS else right
        value_width = (row_right - left) / len(pairs) - LABEL_WIDTH
        columns = [left]
        cells: list[Cell] = []
        for number, (label_text, key) in enumerate(pairs):
            columns += [columns[-1] + LABEL_WIDTH, columns[-1] + LABEL_WIDTH + value_width]
            entry = form.get(key)
            cells.append(draw.label(2 * number, 2 * number + 1, label_text))
            text, truth_key = (entry.raw, f"applicant.{key}") if entry else ("", None)
            cells.append(draw.value(2 * number + 1, 2 * number + 2, text, truth_key))
        y = draw.draw_table(sheet, columns, y, [Row(ROW_HEIGHT, tuple(cells))])
    photo = pymupdf.Rect(right - PHOTO_WIDTH, top, right, top + PHOTO_ROWS * ROW_HEIGHT)
    sheet.page.draw_rect(photo, color=draw.INK, width=draw.FRAME_WIDTH)
    draw.write(sheet, photo, "照\n片", LABEL)
    return y


def _two_column_row(sheet: Sheet, top: float, height: float, heading: str, content: Cell) -> float:
    columns = [draw.MARGIN, draw.MARGIN + LABEL_WIDTH * 1.3, sheet.width - draw.MARGIN]
    return draw.draw_table(sheet, columns, top, [Row(height, (draw.label(0, 1, heading), content))])


def _room(doc: pymupdf.Document, sheets: list[Sheet], sheet: Sheet, y: float, need: float) -> tuple[Sheet, float]:
    """Continue on a new page of the same document when ``need`` points do not fit."""
    if y + need <= sheet.page.rect.height - BOTTOM_MARGIN:
        return sheet, y
    sheet = draw.new_sheet(doc, sheet.doc_type)
    sheets.append(sheet)
    return sheet, draw.MARGIN


def _section_text(packet: Packet, content: str) -> str:
    if content == "competitions":
        return "\n".join(packet.competitions) or "无"
    if content == "honors":
        return "\n".join(packet.honors) or "无"
    if content == "experience":
        return "\n".join(f"{period}  {what}" for period, what in packet.experience)
    return "带徒12人，其中5人取得技师资格，3人在市级技能竞赛中获奖；组织技能培训20余期，培训职工600余人次。"


def summary_sheet(doc: pymupdf.Document, packet: Packet, layout: SheetLayout) -> list[Sheet]:
    """A 一览表 / 汇总表: the recommending unit's line (with its seal), a header, one row per candidate."""
    sheet = draw.new_sheet(doc, layout.doc_type, layout.rect)
    draw.write_centred(sheet, draw.MARGIN + 10, layout.title, 18)
    unit_line = f"推荐单位（盖章）：{packet.recommender_seal}"
    right = draw.write_line(sheet, (draw.MARGIN, draw.MARGIN + 48), unit_line, 11)
    if layout.stamped:
        sheet.seal_spots.append(draw.SealSpot((right - 60, draw.MARGIN + 40), packet.recommender_seal, "推荐单位"))
    left, width = draw.MARGIN, sheet.width - 2 * draw.MARGIN
    scale = width / (0.6 + sum(w for _, _, w in layout.columns))
    columns = [left, left + 0.6 * scale]
    for _, _, relative in layout.columns:
        columns.append(columns[-1] + relative * scale)
    header = Row(
        ROW_HEIGHT * 1.3,
        (draw.label(0, 1, "序号"), *[draw.label(i + 1, i + 2, h) for i, (h, _, _) in enumerate(layout.columns)]),
    )
    rows = [header]
    for number, record in enumerate(packet.rows):
        cells = [draw.label(0, 1, str(number + 1))]
        for i, (_, key, _) in enumerate(layout.columns):
            entry = record.get(key)
            cells.append(draw.value(i + 1, i + 2, entry.raw if entry else "", f"{layout.doc_type}[{number}].{key}"))
        rows.append(Row(ROW_HEIGHT * 1.5, tuple(cells)))
    draw.draw_table(sheet, columns, draw.MARGIN + 60, rows)
    return [sheet]


APPRENTICE_COLUMNS = (
    ("带徒姓名", "name", 1.0),
    ("年龄", "age", 0.6),
    ("工  种", "occupation", 1.1),
    ("现有等级", "qualification_level", 1.0),
    ("职务", "position", 1.0),
    ("身份证号", "id_number", 2.5),
    ("联系电话", "phone", 1.6),
)


def apprentice_sheet(doc: pymupdf.Document, packet: Packet) -> list[Sheet]:
    """The 拟带徒情况汇总表: one row per apprentice."""
    sheet = draw.new_sheet(doc, "apprentice_sheet")
    draw.write_centred(sheet, draw.MARGIN + 20, packet.layout.apprentice_title or "拟带徒情况汇总表", 18)
    left, width = draw.MARGIN, sheet.width - 2 * draw.MARGIN
    scale = width / sum(w for _, _, w in APPRENTICE_COLUMNS)
    columns = [left]
    for _, _, relative in APPRENTICE_COLUMNS:
        columns.append(columns[-1] + relative * scale)
    rows = [Row(ROW_HEIGHT, tuple(draw.label(i, i + 1, h) for i, (h, _, _) in enumerate(APPRENTICE_COLUMNS)))]
    for number, record in enumerate(packet.apprentices):
        rows.append(
            Row(
                ROW_HEIGHT,
                tuple(
                    draw.value(i, i + 1, record[key].raw, f"apprentices[{number}].{key}")
                    for i, (_, key, _) in enumerate(APPRENTICE_COLUMNS)
                ),
            )
        )
    y = draw.draw_table(sheet, columns, draw.MARGIN + 50, rows)
    draw.write_line(sheet, (left, y + 24), "备注：所带徒弟需是首席技师本单位人员。", 10.5)
    return [sheet]


def deeds(doc: pymupdf.Document, packet: Packet) -> list[Sheet]:
    """The 事迹材料: a title, paragraphs, and the recommending unit's signature line with its seal."""
    sheet = draw.new_sheet(doc, "deeds")
    name = packet.form["name"].raw
    draw.write_centred(sheet, draw.MARGIN + 24, f"{name}个人事迹材料", 18)
    body = pymupdf.Rect(draw.MARGIN + 10, draw.MARGIN + 50, sheet.width - draw.MARGIN - 10, 690)
    text = "\n".join("    " + paragraph for paragraph in packet.deeds_paragraphs)
    draw.write(sheet, body, text, LETTER)
    right = draw.write_line(sheet, (300, 730), f"推荐单位：{packet.recommender_seal}（盖章）", 11)
    draw.write_line(sheet, (380, 760), "年    月    日", 11)
    sheet.seal_spots.append(draw.SealSpot((right - 70, 735), packet.recommender_seal, "推荐单位"))
    return [sheet]


def _copy_page(doc: pymupdf.Document, doc_type: str, packet: Packet) -> Sheet:
    sheet = draw.new_sheet(doc, doc_type)
    # ID copies are often certified with the personnel department's oval seal.
    shape: SealShape = "oval" if doc_type == "id_copy" else "round"
    sheet.seal_spots.append(draw.SealSpot((400, 700), packet.employer_seal, "复印件", shape=shape))
    if doc_type not in packet.uncertified:
        sheet.copy_mark_spot = (330, 650)
        draw.write_line(sheet, (330, 650), "与原件一致", 16, style=Style(size=16, color=(0.1, 0.1, 0.35)))
    return sheet


def certificate_copy(doc: pymupdf.Document, packet: Packet) -> list[Sheet]:
    """A copy of the 职业资格证书: the certificate's page, 与原件一致 and the employer's seal."""
    sheet = _copy_page(doc, "certificate", packet)
    frame = pymupdf.Rect(90, 90, sheet.width - 90, 560)
    sheet.page.draw_rect(frame, color=(0.45, 0.1, 0.1), width=3)
    sheet.page.draw_rect(
        pymupdf.Rect(frame.x0 + 8, frame.y0 + 8, frame.x1 - 8, frame.y1 - 8), color=(0.45, 0.1, 0.1), width=1
    )
    draw.write_centred(sheet, 150, "职业资格证书", 24)
    y = 210.0
    for label_text, key in (
        ("姓　　名", "holder"),
        ("性　　别", "gender"),
        ("身份证号", "id_number"),
        ("职业（工种）", "occupation"),
        ("职业资格等级", "qualification_level"),
        ("证书编号", "certificate_number"),
        ("发证日期", "issue_date"),
    ):
        draw.write_line(sheet, (130, y), f"{label_text}：", 12)
        draw.write_line(sheet, (240, y), packet.certificate[key].raw, 12, key=f"certificate.{key}", style=VALUE)
        y += 40
    return [sheet]


def id_copy(doc: pymupdf.Document, packet: Packet) -> list[Sheet]:
    """A copy of both sides of the resident ID card, 与原件一致 and the employer's seal."""
    sheet = _copy_page(doc, "id_copy", packet)
    card = packet.id_card
    front = pymupdf.Rect(150, 90, 150 + 243, 90 + 153)
    back = pymupdf.Rect(150, 300, 150 + 243, 300 + 153)
    for rect in (front, back):
        sheet.page.draw_rect(rect, color=(0.55, 0.6, 0.7), width=1.2, radius=0.06)
    lines = (
        ("姓名", "holder", front.y0 + 28),
        ("性别", "gender", front.y0 + 50),
        ("出生", "birth_date", front.y0 + 72),
        ("住址", "address", front.y0 + 94),
    )
    for label_text, key, y in lines:
        draw.write_line(sheet, (front.x0 + 12, y), label_text, 8.5)
        draw.write_line(sheet, (front.x0 + 44, y), card[key].raw, 9, key=f"id_card.{key}", style=VALUE)
    draw.write_line(sheet, (front.x0 + 100, front.y0 + 50), f"民族  {card['ethnicity'].raw}", 8.5)
    draw.write_line(sheet, (front.x0 + 12, front.y1 - 16), "公民身份号码", 8.5)
    draw.write_line(
        sheet, (front.x0 + 76, front.y1 - 16), card["id_number"].raw, 10, key="id_card.id_number", style=VALUE
    )
    draw.write_line(sheet, (back.x0 + 60, back.y0 + 50), "中华人民共和国", 13)
    draw.write_line(sheet, (back.x0 + 70, back.y0 + 80), "居民身份证", 15)
    draw.write_line(sheet, (back.x0 + 20, back.y1 - 34), f"签发机关  {card['issuer'].raw}", 8.5)
    draw.write_line(sheet, (back.x0 + 20, back.y1 - 16), f"有效期限  {card['valid'].raw}", 8.5)
    return [sheet]


def letter(
    doc: pymupdf.Document, packet: Packet, doc_type: str, title: str, paragraphs: Sequence[str], signer: str
) -> list[Sheet]:
    """A one-page letter (承诺书, 推荐报告) signed by ``signer`` with its seal (or the applicant's name)."""
    sheet = draw.new_sheet(doc, doc_type)
    draw.write_centred(sheet, draw.MARGIN + 30, title, 20)
    body = pymupdf.Rect(draw.MARGIN + 10, draw.MARGIN + 70, sheet.width - draw.MARGIN - 10, 600)
    draw.write(sheet, body, "\n".join("    " + p for p in paragraphs), LETTER)
    right = draw.write_line(sheet, (300, 680), signer, 12)
    draw.write_line(sheet, (360, 712), "年    月    日", 12)
    if signer == packet.recommender_seal:
        sheet.seal_spots.append(draw.SealSpot((right - 60, 676), packet.recommender_seal, title))
    elif doc_type == "pledge":
        # The applicant signs and adds a personal name seal (私章).
        name_seal = f"{packet.form['name'].raw}印"
        sheet.seal_spots.append(draw.SealSpot((right + 30, 676), name_seal, title, shape="square"))
    return [sheet]
