"""Tables with a header row and one record per row: summary sheets (一览表, 汇总表) and the apprentice sheet.

The header row is the first row of cells with at least three labels of the
vocabulary (序号 and other known labels count too); each labelled header cell
names the column between its left and right rules. A header cell whose label
cannot be read (a seal stamped over it) leaves a column whose values can still
name it when they are unmistakable: every value a sex, an ID number, or the
birth month the row's ID number encodes. Every later row of the table
becomes one record: the pieces of text whose middles fall in a column's range
are that column's value (several lines of a wrapped cell are joined). Rows
are told apart by the horizontal rules, or by the text's own rows where rules
are missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from extractors.forms.fields import Labelled, cell_label, cells_of, joined, joined_raw
from extractors.forms.labels import IGNORED, LabelMatch, Vocabulary
from extractors.forms.table import Cell, Piece, Rules, text_rows
from extractors.parsers import parse_gender, parse_id_number, parse_year_month
from models.dates import year_month

MIN_HEADER_LABELS = 3
"""A header row names at least this many columns."""


@dataclass(frozen=True)
class Column:
    key: str
    match: LabelMatch | None
    """The header label, or None for a column named by its values."""
    left: float
    right: float


@dataclass(frozen=True)
class Header:
    columns: list[Column]
    """The named columns, left to right."""
    unnamed: list[tuple[float, float]]
    """(left, right) of header cells whose text is no known label, or unreadable."""
    bottom: float


CONTENT_KEYS: dict[str, Callable[[str], object]] = {
    "gender": parse_gender,
    "id_number": lambda text: ((found := parse_id_number(text)) is not None and found.valid) or None,
}
"""Keys a column can be named by when its header is unreadable: every value in it must parse as one."""


def find_header(pieces: Sequence[Piece], rules: Rules, vocabulary: Vocabulary) -> Header | None:
    """The first header row of the page's table: a row of cells with at least three labels; None if none."""
    cells = cells_of(pieces)
    rows: dict[tuple[int | None, int | None], list[Cell]] = defaultdict(list)
    for cell in cells:
        rows[cell.top, cell.bottom].append(cell)
    for _, row_cells in sorted(rows.items(), key=lambda item: min(p.centre[1] for c in item[1] for p in cells[c])):
        columns: list[Column] = []
        spans: list[tuple[float, float]] = []
        labels = 0
        for cell in row_cells:
            if cell.left is None or cell.right is None:
                raise ValueError(f"a header cell needs a rule on its left and right, got {cell}")
            middle_y = sum(p.centre[1] for p in cells[cell]) / len(cells[cell])
            left = rules.vertical[cell.left].position_at(middle_y)
            right = rules.vertical[cell.right].position_at(middle_y)
            # A header cell is a label; text after it is seal ink or a note read along with it (性别事专用章).
            found = cell_label(cells[cell], vocabulary) or vocabulary.match(joined(cells[cell]), fuzzy_prefix=True)
            if found is None:
                continue
            labels += 1
            spans.append((left, right))
            if found.key != IGNORED:
                columns.append(Column(found.key, found, left, right))
        if labels >= MIN_HEADER_LABELS and columns:
            header_pieces = [p for cell in row_cells for p in cells[cell]]
            middle_y = sum(p.centre[1] for p in header_pieces) / len(header_pieces)
            unnamed = [span for span in _column_spans(rules, middle_y) if not _overlaps(span, spans)]
            bottom = max(p.bbox[3] for p in header_pieces)
            return Header(sorted(columns, key=lambda column: column.left), unnamed, bottom)
    return None


def _column_spans(rules: Rules, y: float) -> list[tuple[float, float]]:
    """(left, right) between consecutive vertical rules crossing the header row at ``y``."""
    edges = sorted(rule.position_at(y) for rule in rules.vertical if rule.covers(y, 0))
    return list(pairwise(edges))


def _overlaps(span: tuple[float, float], others: Sequence[tuple[float, float]]) -> bool:
    middle = (span[0] + span[1]) / 2
    return any(left <= middle <= right for left, right in others)


def read_rows(pieces: Sequence[Piece], rules: Rules, vocabulary: Vocabulary) -> list[dict[str, Labelled]]:
    """One record per table row below the header: the found values by key (rows with no value left out)."""
    header = find_header(pieces, rules, vocabulary)
    if header is None:
        return []
    edges = [edge for column in header.columns for edge in (column.left, column.right)]
    edges += [edge for span in header.unnamed for edge in span]
    table_left, table_right = min(edges), max(edges)
    middle = (table_left + table_right) / 2
    table_bottom = max((rule.position_at(middle) for rule in rules.horizontal if rule.covers(middle, 0)), default=0.0)
    body = [
        piece
        for piece in pieces
        if header.bottom < piece.centre[1] < table_bottom
        and table_left - piece.height <= piece.centre[0] <= table_right + piece.height
    ]
    rows = _table_rows(body)
    columns = header.columns + _columns_named_by_values(header, rows)
    records: list[dict[str, Labelled]] = []
    for row in rows:
        record: dict[str, Labelled] = {}
        for column in columns:
            inside = [piece for piece in row if column.left <= piece.centre[0] <= column.right]
            if inside:
                match = column.match or LabelMatch(column.key, "", exact=False, rest="")
                record[column.key] = Labelled(column.key, match, inside, joined(inside), joined_raw(inside))
        if record:
            records.append(record)
    return records


def _columns_named_by_values(header: Header, rows: Sequence[Sequence[Piece]]) -> list[Column]:
    """Columns of unreadable header cells whose values are unmistakably one key's: every value a sex, an ID
    number, or a year-month that is the birth month the same row's ID number encodes."""
    named = {column.key: column for column in header.columns}
    found: list[Column] = []
    for left, right in header.unnamed:
        values = [joined([p for p in row if left <= p.centre[0] <= right]) for row in rows]
        filled = [value for value in values if value]
        if not filled:
            continue
        for key, parses in CONTENT_KEYS.items():
            if key not in named and all(parses(value) for value in filled):
                found.append(Column(key, None, left, right))
                named[key] = found[-1]
                break
        else:
            if "birth_month" not in named and "id_number" in named and _birth_months(values, rows, named["id_number"]):
                found.append(Column("birth_month", None, left, right))
                named["birth_month"] = found[-1]
    return found


def _birth_months(values: Sequence[str], rows: Sequence[Sequence[Piece]], id_column: Column) -> bool:
    """Every filled value is the birth month of its row's ID number (where that number is valid)."""
    agreeing = 0
    for value, row in zip(values, rows, strict=True):
        if not value:
            continue
        month = parse_year_month(value)
        number = parse_id_number(joined([p for p in row if id_column.left <= p.centre[0] <= id_column.right]))
        if month is None:
            return False
        if number is not None and number.birth_date is not None:
            if month != year_month(number.birth_date):
                return False
            agreeing += 1
    return agreeing > 0


def _table_rows(pieces: Sequence[Piece]) -> list[list[Piece]]:
    """Pieces grouped into table rows: by the rules above and below them, or by text rows where unruled."""
    boxed: dict[tuple[int | None, int | None], list[Piece]] = defaultdict(list)
    loose: list[Piece] = []
    for piece in pieces:
        if piece.cell.top is not None and piece.cell.bottom is not None:
            boxed[piece.cell.top, piece.cell.bottom].append(piece)
        else:
            loose.append(piece)
    rows = list(boxed.values()) + text_rows(loose)
    return sorted(rows, key=lambda row: min(piece.centre[1] for piece in row))
