"""The pre-filled record of a packet: the applicant, the summary-sheet rows, the apprentices and the certificates.

Each page is read by what it is (its ``doc_type``): the application form's
labelled cells and sections, the sheets' rows under their header, the
certificates' and ID card's "label value" lines. Tables are read with the
page's ruling lines (:mod:`extractors.forms.table`); a page that fails is
recorded as an error and the rest is still read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import cv2
import numpy as np

from extractors.forms.classify import SHEET_TYPES
from extractors.forms.fields import (
    Labelled,
    best_fields,
    cell_span,
    cells_of,
    joined,
    make_field,
    read_cells,
    read_lines,
    right_of,
)
from extractors.forms.labels import (
    APPLICANT_LABELS,
    APPRENTICE_VOCABULARY,
    BOX_LABEL_ENDINGS,
    CERTIFICATE_VOCABULARY,
    KNOWN_OTHER_LABELS,
    Vocabulary,
    label_form,
)
from extractors.forms.sheets import read_rows
from extractors.forms.table import (
    Piece,
    Rules,
    brightest_channel,
    find_rules,
    place_text,
    text_rows,
    typical_line_height,
)
from extractors.parsers import parse_competitions, parse_honors
from extractors.text import compact
from models.profile import Profile
from models.report import Applicant, Apprentice, Certificate, CertificateKind, DocType, Field
from models.stages import Box, PacketFacts
from models.text import PageText, TextLine

logger = logging.getLogger(__name__)

TABLE_TYPES = frozenset(
    {DocType.APPLICATION_FORM, DocType.OVERVIEW_SHEET, DocType.SUMMARY_SHEET, DocType.APPRENTICE_SHEET}
)
COPY_TYPES = frozenset({DocType.CERTIFICATE, DocType.ID_COPY})

COMPETITION_HEADINGS = ("竞赛", "获奖", "比赛", "大赛")
HONOR_HEADINGS = ("荣誉", "称号", "表彰")
"""Words of the form's section headings whose box lists competition results, and honours (tried first)."""
CERTIFIED_COPY_MARKS = ("与原件一致", "与原件相符", "与原件核对无误", "经核对与原件一致")
CERTIFICATE_KINDS: tuple[tuple[CertificateKind, tuple[str, ...]], ...] = (
    (CertificateKind.QUALIFICATION, ("职业资格证书", "技能等级证书", "职业资格", "技能等级")),
    (CertificateKind.PATENT, ("专利",)),
    (CertificateKind.HONOR, ("荣誉证书", "荣誉称号", "荣誉")),
    (CertificateKind.AWARD, ("获奖证书", "奖状", "获奖", "奖")),
)
"""A certificate's kind by the words on it, most specific first."""
CERTIFICATE_TITLE_HEIGHT_RATIO = 1.5
"""A line on a certificate or ID-card copy this many times taller than the page's median line is the
certificate's own title (职业资格证书), not a labelled value."""
WRAP_SLACK_CHARS = 2.0
"""A line ending within this many characters of its box's right rule wraps onto the next line."""

STAMP_WORD = "盖章"
STAMP_REACH_LINES = 5.0
"""A seal for a "（盖章）" line is stamped within this many line heights of it."""
ENTRY_START = re.compile(r"^\s*(?:(?:19|20)\d{2}|\d{1,2}[.、)]|[(（]\d{1,2}[)）]|[一二三四五六七八九十]+、|[获荣曾被])")
"""How a line that starts a new entry of a list begins: a year, a list number, or 获/荣获/曾获/被授予."""

RowModel = TypeVar("RowModel", Applicant, Apprentice)
ImageLoader = Callable[[int], np.ndarray | None]
Reader = Callable[[np.ndarray], Sequence[TextLine]]
SEAL_RED_MARGIN = 30
"""A pixel whose red exceeds its green and blue by this much is seal ink (whitened before a copy is read again)."""
SEAL_FRINGE_PX = 3
"""Seal ink is widened by this many pixels before it is painted over."""
COPY_MARK_STEM = "与原件"
DARK_INK = 110
"""A pixel darker than this in every channel is print or writing, not seal ink."""


@dataclass
class FormsResult:
    """What the field stage read from a packet."""

    applicant: Applicant = field(default_factory=Applicant)
    summary_rows: list[Applicant] = field(default_factory=list)
    apprentices: list[Apprentice] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    """(page, message) for every page that could not be read."""
    facts: PacketFacts = field(default_factory=PacketFacts)
    """The boxes that certify with a seal, and the form sections found: what the checks need besides."""


_VOCABULARIES: dict[str | None, Vocabulary] = {}


def applicant_vocabulary(profile: Profile | None) -> Vocabulary:
    """The applicant's labels, with the profile's own additions (built once per profile)."""
    key = profile.id if profile is not None else None
    if key not in _VOCABULARIES:
        extra = dict(profile.field_labels) if profile is not None else {}
        _VOCABULARIES[key] = Vocabulary.of(APPLICANT_LABELS, extra, ignored=KNOWN_OTHER_LABELS)
    return _VOCABULARIES[key]


def extract_forms(
    texts: Sequence[PageText],
    doc_types: Sequence[DocType],
    load_image: ImageLoader,
    profile: Profile | None = None,
    reread: Reader | None = None,
) -> FormsResult:
    """Read the applicant, summary rows, apprentices and certificates of a packet.

    Args:
        texts: Every page's OCR text, in page order.
        doc_types: Every page's document type.
        load_image: The page image at the render DPI, or None where it is missing (then tables are read
            without their rules).
        profile: The packet's profile (adds its form labels), if known.
        reread: An OCR engine's ``read``: a copy whose 与原件一致 was not found is read again with the seal's
            red ink whitened, since the seal is usually stamped across the mark.
    """
    vocabulary = applicant_vocabulary(profile)
    result = FormsResult()
    form_values: list[tuple[Labelled, int]] = []
    sections: dict[str, list[str]] = {"competitions": [], "honors": []}
    boxes: list[Box] = []
    for text, doc_type in zip(texts, doc_types, strict=True):
        if not text.lines:
            continue
        try:
            pieces, rules, image = _pieces(text, doc_type, load_image)
            boxes += _stamp_lines(pieces, text.page)
            if doc_type == DocType.APPLICATION_FORM:
                boxes += _opinion_boxes(pieces, rules, vocabulary, text.page, image)
                form_values += [(found, text.page) for found in _form_values(pieces, rules, vocabulary)]
                for kind, section in _sections(pieces, rules, vocabulary):
                    sections[kind].append(section)
            elif doc_type in SHEET_TYPES:
                result.summary_rows += _records(pieces, rules, vocabulary, text.page, Applicant)
            elif doc_type == DocType.APPRENTICE_SHEET:
                result.apprentices += _records(pieces, rules, APPRENTICE_VOCABULARY, text.page, Apprentice)
            elif doc_type in COPY_TYPES:
                copy = _certificate(pieces, doc_type, text.page)
                if not copy.certified_copy and reread is not None:
                    copy.certified_copy = _mark_under_seal(load_image(text.page), reread)
                result.certificates.append(copy)
        except Exception as exc:  # a page the readers cannot handle must not lose the rest of the packet
            logger.exception("field extraction failed on page %d", text.page)
            result.errors.append((text.page, f"{type(exc).__name__}: {exc}"))
    fields = best_fields(form_values)
    read = frozenset(kind for kind, texts in sections.items() if texts)
    result.facts = PacketFacts(boxes=boxes, sections_read=read)
    result.applicant = Applicant(
        **{key: value for key, value in fields.items() if key in Applicant.model_fields},
        competitions=[entry for section in sections["competitions"] for entry in parse_competitions(section)],
        honors=[entry for section in sections["honors"] for entry in parse_honors(section)],
    )
    return result


def _pieces(text: PageText, doc_type: DocType, load_image: ImageLoader) -> tuple[list[Piece], Rules, np.ndarray | None]:
    """The page's text placed in its table cells (and the page image, for a table page)."""
    rules, image = Rules(), None
    if doc_type in TABLE_TYPES:
        image = load_image(text.page)
        if image is not None:
            rules = find_rules(image, typical_line_height(text.lines))
    return place_text(text.lines, rules), rules, image


def _form_values(pieces: Sequence[Piece], rules: Rules, vocabulary: Vocabulary) -> list[Labelled]:
    """Labelled values of a form page: its table cells, and the lines outside the tables (a cover page)."""
    loose = [piece for piece in pieces if not piece.cell.boxed]
    return read_cells(pieces, rules, vocabulary) + read_lines(loose, vocabulary)


def _sections(pieces: Sequence[Piece], rules: Rules, vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """(competitions or honors, the text of its box) for each section box of a form page."""
    cells = cells_of(pieces)
    found: list[tuple[str, str]] = []
    for cell, cell_pieces in cells.items():
        heading = joined(cell_pieces)
        if vocabulary.match(heading) is not None:
            continue
        kind = _section_kind(heading)
        if kind is None:
            continue
        _columns, row = cell_span(cell, cell_pieces, rules)
        content = right_of(cell, cells, row)
        if content and content[0].cell.right is not None:
            box = content[0].cell.right
            right_edge = rules.vertical[box].position_at(sum(row) / 2)
            found.append((kind, _entries_text(content, right_edge)))
    return found


def _opinion_boxes(
    pieces: Sequence[Piece], rules: Rules, vocabulary: Vocabulary, page: int, image: np.ndarray | None
) -> list[Box]:
    """The form's opinion boxes (所在单位意见 …): the label cell and the row to the table's right edge, with
    what is written in them (text in red seal ink, a seal's legend, is not writing)."""
    cells = cells_of(pieces)
    boxes: list[Box] = []
    for cell, cell_pieces in cells.items():
        label = label_form(joined(cell_pieces))
        if not label.endswith(BOX_LABEL_ENDINGS):
            continue
        (left, _right), row = cell_span(cell, cell_pieces, rules)
        middle = sum(row) / 2
        edge = max((rule.position_at(middle) for rule in rules.vertical if rule.covers(middle, 0)), default=left)
        writing = tuple(
            (compact(piece.text), piece.bbox)
            for piece in right_of(cell, cells, row)
            if image is None or not in_red_ink(image, piece.bbox)
        )
        boxes.append(Box(label=label, page=page, bbox=(left, row[0], edge, row[1]), writing=writing))
    return boxes


def _stamp_lines(pieces: Sequence[Piece], page: int) -> list[Box]:
    """Lines outside the tables that ask for a seal (推荐单位（盖章）：XXX, 推荐单位：XXX（盖章））.

    The seal's region reaches a seal's size around the line.
    """
    boxes: list[Box] = []
    for piece in pieces:
        text = compact(piece.text)
        if piece.cell.boxed or STAMP_WORD not in text:
            continue
        label, _, unit = text.replace(f"({STAMP_WORD})", "").replace(STAMP_WORD, "").partition(":")
        if not label:
            continue
        reach = STAMP_REACH_LINES * piece.height
        x0, y0, x1, y1 = piece.bbox
        box = (x0, y0 - reach, x1 + reach, y1 + reach)
        boxes.append(Box(label=label, page=page, bbox=box, unit=unit or None, filled=bool(unit)))
    return boxes


def _section_kind(heading: str) -> str | None:
    if any(word in heading for word in HONOR_HEADINGS):
        return "honors"
    if any(word in heading for word in COMPETITION_HEADINGS):
        return "competitions"
    return None


def _entries_text(pieces: Sequence[Piece], right_edge: float) -> str:
    """A box's lines as entries, one per line; a line that runs to the box's right rule wraps onto the next,
    unless the next begins an entry of its own (a year, a number, 获 …)."""
    entries: list[str] = []
    wraps = False
    for row in text_rows(pieces):
        line = "".join(piece.text for piece in row)
        if wraps and entries and not ENTRY_START.match(line):
            entries[-1] += line
        else:
            entries.append(line)
        width = sum(piece.bbox[2] - piece.bbox[0] for piece in row)
        char_width = width / max(len(compact(line)), 1)
        wraps = row[-1].bbox[2] >= right_edge - WRAP_SLACK_CHARS * char_width
    return "\n".join(entries)


def _records(
    pieces: Sequence[Piece], rules: Rules, vocabulary: Vocabulary, page: int, model: type[RowModel]
) -> list[RowModel]:
    """One ``model`` per row of a sheet's table that names someone (summary rows, apprentices)."""
    rows: list[RowModel] = []
    for record in read_rows(pieces, rules, vocabulary):
        fields = {key: make_field(found, page) for key, found in record.items() if key in model.model_fields}
        if _has_person(fields):
            rows.append(model(**fields))
    return rows


def _has_person(fields: dict[str, Field]) -> bool:
    """A row that names someone (a name or an ID number), not a blank or a note."""
    return any(fields[key].value is not None for key in ("name", "id_number") if key in fields)


def _certificate(pieces: Sequence[Piece], doc_type: DocType, page: int) -> Certificate:
    """A certificate or ID-card copy: its labelled values, its kind, and whether it is certified as a copy."""
    page_text = "".join(compact(piece.text) for piece in pieces)
    kind = CertificateKind.ID_CARD if doc_type == DocType.ID_COPY else _certificate_kind(page_text)
    # The certificate's own title (职业资格证书) is printed large; it is no "label value" line. (Without
    # pieces there is no body whatever the height, so the default height of an empty page does not matter.)
    body_height = typical_line_height(pieces)
    body = [piece for piece in pieces if piece.height < CERTIFICATE_TITLE_HEIGHT_RATIO * body_height]
    values = [(found, page) for found in read_lines(body, CERTIFICATE_VOCABULARY)]
    fields = {key: value for key, value in best_fields(values).items() if key in Certificate.model_fields}
    certified = _has_copy_mark(page_text)
    return Certificate(kind=kind, page=page, certified_copy=certified, **fields)


def red_ink(image: np.ndarray) -> np.ndarray:
    """Where an RGB image holds seal ink: red well above both green and blue."""
    pixels = image.astype(np.int16)
    return np.asarray((pixels[..., 0] - np.maximum(pixels[..., 1], pixels[..., 2])) > SEAL_RED_MARGIN)


def in_red_ink(image: np.ndarray, bbox: Sequence[float]) -> bool:
    """The text in ``bbox`` is mostly red ink (a seal's legend), not the black or blue of writing and print."""
    x0, y0 = max(int(bbox[0]), 0), max(int(bbox[1]), 0)
    region = image[y0 : max(int(bbox[3]), y0), x0 : max(int(bbox[2]), x0)]
    if region.size == 0 or region.ndim != 3:
        return False
    red = int(np.count_nonzero(red_ink(region)))
    dark = int(np.count_nonzero(brightest_channel(region) < DARK_INK))
    return red > dark


def _has_copy_mark(text: str) -> bool:
    """与原件一致 (or 与原件相符 …) is written on the page; its distinctive start is enough, since the seal
    stamped across the mark often hides its last character."""
    return any(mark in text for mark in CERTIFIED_COPY_MARKS) or COPY_MARK_STEM in text


def _mark_under_seal(image: np.ndarray | None, reread: Reader) -> bool:
    """与原件一致 found on the page once the red seal ink over it is whitened."""
    if image is None:
        return False
    red = red_ink(image).astype(np.uint8)
    # The ink's fringes too, and painted in the paper's own colour so no white outline of the seal is left.
    red = cv2.dilate(red, np.ones((SEAL_FRINGE_PX, SEAL_FRINGE_PX), np.uint8)).astype(bool)
    cleaned = image.copy()
    cleaned[red] = np.median(image.reshape(-1, image.shape[-1]), axis=0).astype(image.dtype)
    return _has_copy_mark("".join(compact(line.text) for line in reread(cleaned)))


def _certificate_kind(page_text: str) -> CertificateKind:
    for kind, words in CERTIFICATE_KINDS:
        if any(word in page_text for word in words):
            return kind
    return CertificateKind.OTHER
