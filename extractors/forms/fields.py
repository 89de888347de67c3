"""Labelled values on a page: a label's value cell (right of it or below it), or the text after it on its line.

Two readings, used together:

- in a table, a label fills its own cell and the value is the cell to its right
  (or, when that holds nothing, the cell below, as in header rows);
- outside a table (a cover page, a certificate, an ID card) the value is the
  text after the label on the same line, up to the next label.

A label read together with its value ("姓名：冯清宇", or across a faint rule)
is split in either reading. Each value becomes a field object with the page,
the box it was read in, the raw text and a confidence that drops with the OCR
score, a fuzzy label match, or a value its parser cannot read (then the value
is null: never a guess).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from extractors.forms.labels import IGNORED, LabelMatch, Vocabulary
from extractors.forms.table import Cell, Piece, Rules, reading_order, text_rows, union_box
from extractors.parsers import (
    normalize_education,
    normalize_ethnicity,
    normalize_name,
    normalize_text_value,
    parse_gender,
    parse_id_number,
    parse_phone,
    parse_qualification_level,
    parse_year_month,
)
from extractors.text import compact
from models.report import Field

Normalizer = Callable[[str], str | None]

FUZZY_LABEL_FACTOR = 0.9
"""Confidence kept when the label was matched with an OCR error in it."""
UNREADABLE_CONFIDENCE = 0.2
"""Most confidence a field whose value could not be parsed (so is null) is given."""
CORRECTED_ID_FACTOR = 0.9
"""Confidence kept for an ID number made valid by undoing an OCR confusion (O for 0 …)."""


def _level(text: str) -> str | None:
    level = parse_qualification_level(text)
    return level.value if level is not None else None


def as_written(text: str) -> str | None:
    """A value kept as written (工作单位, 职业 …): only the spaces dropped, the OCR's own characters kept, so
    山东时风（集团） and 山东时风(集团) stay as the paper prints them."""
    value = "".join(text.split())
    return value or None


def _age(text: str) -> str | None:
    digits = "".join(char for char in compact(text) if char.isdigit())
    return digits if digits and 10 <= int(digits) <= 99 else None


NORMALIZERS: dict[str, Normalizer] = {
    "name": normalize_name,
    "holder": normalize_name,
    "gender": parse_gender,
    "birth_month": parse_year_month,
    "birth_date": parse_year_month,
    "work_start": parse_year_month,
    "qualification_date": parse_year_month,
    "issue_date": parse_year_month,
    "ethnicity": normalize_ethnicity,
    "education": normalize_education,
    "qualification_level": _level,
    "phone": parse_phone,
    "age": _age,
}
"""How each key's value is normalised (REPORT_FORMAT.md); ID numbers are parsed in :func:`_value`, and other
keys are kept as written."""


@dataclass
class Labelled:
    """A value found for a key: the pieces it was read from, or the text that followed its label."""

    key: str
    match: LabelMatch
    pieces: list[Piece]
    text: str
    """The value's text, normalised (the remainder after the label when both were one piece)."""
    raw: str | None = None
    """The value as the OCR returned it, where it is whole pieces; else ``text`` is the raw text."""


def make_field(found: Labelled, page: int) -> Field:
    """The field object of a found value: normalised, with page, box, raw text and confidence."""
    raw = (found.raw or found.text).strip()
    ocr = min((piece.score for piece in found.pieces), default=0.0)
    bbox = list(union_box(found.pieces)) if found.pieces else None
    value, kept = _value(found)
    if value is None:
        return Field(value=None, confidence=min(UNREADABLE_CONFIDENCE, ocr), page=page, bbox=bbox, raw=raw or None)
    confidence = ocr * kept * (1.0 if found.match.exact else FUZZY_LABEL_FACTOR)
    return Field(value=value, confidence=round(confidence, 4), page=page, bbox=bbox, raw=raw)


def _value(found: Labelled) -> tuple[str | None, float]:
    """The normalised value, and the share of the read's confidence it keeps."""
    if found.key == "id_number":
        parsed = parse_id_number(found.text)
        if parsed is None:
            return None, 1.0
        return parsed.value, CORRECTED_ID_FACTOR if parsed.corrected else 1.0
    parse = NORMALIZERS.get(found.key)
    if parse is None and found.raw is not None:
        return as_written(found.raw), 1.0
    return ((parse or normalize_text_value)(found.text) if found.text else None), 1.0


def joined(pieces: Iterable[Piece]) -> str:
    """The text of pieces in reading order, as one string (a cell's lines joined)."""
    return "".join(compact(piece.text) for piece in reading_order(pieces))


def joined_raw(pieces: Iterable[Piece]) -> str:
    """The pieces' text exactly as the OCR returned it, in reading order, lines joined."""
    return "".join(piece.raw.strip() for piece in reading_order(pieces))


# --- table cells -----------------------------------------------------------------------------------------


def cells_of(pieces: Iterable[Piece]) -> dict[Cell, list[Piece]]:
    """Pieces grouped by their table cell (only pieces boxed on all four sides)."""
    cells: dict[Cell, list[Piece]] = defaultdict(list)
    for piece in pieces:
        if piece.cell.boxed:
            cells[piece.cell].append(piece)
    return dict(cells)


def right_of(cell: Cell, cells: Mapping[Cell, list[Piece]], row: tuple[float, float]) -> list[Piece]:
    """Pieces of the cells that start at ``cell``'s right rule and lie in its row."""
    return [
        piece
        for other, pieces in cells.items()
        if other.left == cell.right and other != cell
        for piece in pieces
        if row[0] <= piece.centre[1] <= row[1]
    ]


def below(cell: Cell, cells: Mapping[Cell, list[Piece]], column: tuple[float, float]) -> list[Piece]:
    """Pieces of the cells that start at ``cell``'s bottom rule and lie in its column."""
    return [
        piece
        for other, pieces in cells.items()
        if other.top == cell.bottom and other != cell
        for piece in pieces
        if column[0] <= piece.centre[0] <= column[1]
    ]


def cell_span(cell: Cell, pieces: Sequence[Piece], rules: Rules) -> tuple[tuple[float, float], tuple[float, float]]:
    """The x range and y range a cell covers, from its rules at the middle of its text."""
    box = union_box(pieces)
    middle_x, middle_y = sum(box[0::2]) / 2, sum(box[1::2]) / 2
    if cell.top is None or cell.bottom is None or cell.left is None or cell.right is None:
        raise ValueError(f"cell_span needs a cell boxed by rules on all four sides, got {cell}")
    top = rules.horizontal[cell.top].position_at(middle_x)
    bottom = rules.horizontal[cell.bottom].position_at(middle_x)
    left = rules.vertical[cell.left].position_at(middle_y)
    right = rules.vertical[cell.right].position_at(middle_y)
    return (left, right), (top, bottom)


def read_cells(pieces: Sequence[Piece], rules: Rules, vocabulary: Vocabulary) -> list[Labelled]:
    """Values of the labelled cells of a page's tables, in reading order of their labels."""
    cells = cells_of(pieces)
    order = sorted(cells, key=lambda cell: _top_left(cells[cell]))
    results: list[Labelled] = []
    taken: set[Cell] = set()
    for cell in order:
        if cell in taken:
            continue
        found = cell_label(cells[cell], vocabulary)
        if found is None:
            found = vocabulary.match(joined(cells[cell]))
            if found is None or not found.rest:
                continue
            # Label and value in one cell: a faint rule between them, or "姓名：冯清宇".
            results.append(Labelled(found.key, found, cells[cell], found.rest))
            continue
        if found.key == IGNORED:
            continue
        columns, row = cell_span(cell, cells[cell], rules)
        value = right_of(cell, cells, row)
        if not value or _is_label_text(value, vocabulary):
            value = below(cell, cells, columns)
            if _is_label_text(value, vocabulary):
                value = []
        taken.update(piece.cell for piece in value)
        results.append(Labelled(found.key, found, value, joined(value), joined_raw(value)))
    return results


def _top_left(pieces: Sequence[Piece]) -> tuple[float, float]:
    """(topmost centre y, leftmost centre x) of a cell's pieces: the order labels are read in."""
    return min(piece.centre[1] for piece in pieces), min(piece.centre[0] for piece in pieces)


def cell_label(pieces: Sequence[Piece], vocabulary: Vocabulary) -> LabelMatch | None:
    """The label a cell holds: its whole text, or one of its lines when something else was read into the cell
    with it (a seal's legend stamped across the label)."""
    found = vocabulary.match(joined(pieces))
    if found is not None and not found.rest:
        return found
    if len(pieces) > 1:
        for piece in reading_order(pieces):
            found = vocabulary.match(piece.text)
            if found is not None and not found.rest:
                return found
    return None


def _is_label_text(pieces: Sequence[Piece], vocabulary: Vocabulary) -> bool:
    return bool(pieces) and vocabulary.is_label(joined(pieces))


# --- free lines ------------------------------------------------------------------------------------------


def read_lines(pieces: Sequence[Piece], vocabulary: Vocabulary) -> list[Labelled]:
    """Values that follow their labels on the same line of text (cover pages, certificates, ID cards).

    A row of text is cut at every label in it, whether the label is a piece of its
    own or sits inside a piece ("性别男民族汉"); each label's value is the text up
    to the next label. A piece right after a label is its value even when it
    happens to begin like a label (a unit called 职业技术学院 …).
    """
    results: list[Labelled] = []
    for row in text_rows(pieces):
        current: Labelled | None = None
        for piece in _join_split_labels(row, vocabulary):
            segments = _label_segments(piece.text, vocabulary)
            if not segments or (current is not None and not current.text and segments[0][0].rest):
                if current is not None:
                    current.pieces.append(piece)
                    current.text += compact(piece.text)
                continue
            for match, value in segments:
                if current is not None:
                    results.append(current)
                current = Labelled(match.key, match, [piece] if value else [], value)
        if current is not None:
            results.append(current)
    return [result for result in results if result.key != IGNORED]


def _join_split_labels(row: Sequence[Piece], vocabulary: Vocabulary) -> list[Piece]:
    """The row with a label the OCR read as two pieces (性 | 别：, printed 性　　别) joined back into one."""
    joined_row: list[Piece] = []
    index = 0
    while index < len(row):
        piece = row[index]
        if index + 1 < len(row) and vocabulary.match(piece.text) is None:
            both = row[index + 1]
            found = vocabulary.match(piece.text + both.text)
            if found is not None and found.exact:
                box = union_box([piece, both])
                joined_row.append(
                    Piece(piece.text + both.text, piece.raw + both.raw, min(piece.score, both.score), box)
                )
                index += 2
                continue
        joined_row.append(piece)
        index += 1
    return joined_row


def _label_segments(text: str, vocabulary: Vocabulary) -> list[tuple[LabelMatch, str]]:
    """A text that starts with a label, cut into (label, value) at each further label inside it; [] otherwise."""
    found = vocabulary.match(text)
    if found is None:
        return []
    segments: list[tuple[LabelMatch, str]] = []
    rest = found.rest
    while True:
        cut = vocabulary.find_inside(rest)
        if cut is None:
            segments.append((found, rest))
            return segments
        position, inner = cut
        segments.append((found, rest[:position]))
        found, rest = inner, inner.rest


def best_fields(found: Iterable[tuple[Labelled, int]]) -> dict[str, Field]:
    """One field per key from values found on several pages: the most confident readable one."""
    best: dict[str, Field] = {}
    for labelled, page in found:
        field = make_field(labelled, page)
        current = best.get(labelled.key)
        if current is None or _rank(field) > _rank(current):
            best[labelled.key] = field
    return best


def _rank(field: Field) -> tuple[bool, float]:
    return field.value is not None, field.confidence
