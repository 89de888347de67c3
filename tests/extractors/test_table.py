"""Ruling lines and the cells text falls in, on pages drawn with real rules and CJK text."""

from __future__ import annotations

import numpy as np
import pytest

from extractors.forms.table import (
    Rules,
    brightest_channel,
    find_rules,
    place_text,
    reading_order,
    typical_line_height,
)
from tests.factories import ruled_page

ROW = 30.0
BASIC = (
    100.0,
    [
        (ROW, [("姓名", 70), ("王建国", 120), ("性别", 70), ("男", 60), ("出生年月", 70), ("1978.05", 85)]),
        (ROW, [("职业（工种）", 80), ("焊工", 150), ("职业资格等级", 80), ("二级（技师）", 165)]),
        (ROW, [("工作单位", 80), ("泸州北方化学工业有限公司", 395)]),
    ],
)


def test_the_brightest_channel_is_the_channel_maximum() -> None:
    image = np.random.default_rng(3).integers(0, 256, (37, 41, 3), dtype=np.uint8)
    assert np.array_equal(brightest_channel(image), image.max(axis=2))
    grey = image[..., 0]
    assert np.array_equal(brightest_channel(grey), grey)


def _rules(page_lines: object, image: object) -> Rules:
    return find_rules(image, typical_line_height(page_lines))  # type: ignore[arg-type]


@pytest.mark.parametrize("skew", [0.0, 1.2, -1.8])
def test_rules_of_a_table_are_found_whole_on_straight_and_skewed_scans(skew: float) -> None:
    page = ruled_page([BASIC], skew_degrees=skew, free_text=[(200, 70, "泸州市首席技师申报表", 20)])
    rules = _rules(page.lines, page.image)
    # Four horizontal rules across the table. Vertical: the outer edges and the edge at 140 pt shared by rows
    # 2 and 3 each run as one rule, plus the 5 inner edges of row 1 and 2 of row 2.
    assert len(rules.horizontal) == 4
    assert len(rules.vertical) == 10
    # No rule is drawn in the title's large characters.
    assert all(rule.y0 > 250 for rule in rules.vertical)


def test_a_red_seal_over_the_table_neither_hides_nor_adds_rules() -> None:
    page = ruled_page([BASIC], red_disc=(250, 130, 45))
    rules = _rules(page.lines, page.image)
    assert len(rules.horizontal) == 4
    assert len(rules.vertical) == 10


def test_text_is_placed_in_the_cell_its_rules_bound() -> None:
    page = ruled_page([BASIC], free_text=[(200, 70, "泸州市首席技师申报表", 20)])
    pieces = place_text(page.lines, _rules(page.lines, page.image))
    by_text = {piece.text: piece for piece in pieces}
    assert not by_text["泸州市首席技师申报表"].cell.boxed
    name_label, name = by_text["姓名"], by_text["王建国"]
    assert name_label.cell.boxed and name.cell.boxed
    assert name_label.cell.right == name.cell.left
    assert name_label.cell.top == name.cell.top
    assert by_text["工作单位"].cell.top == by_text["职业(工种)"].cell.bottom


def test_a_line_read_across_a_rule_is_split_at_the_rule() -> None:
    page = ruled_page([BASIC])
    rules = _rules(page.lines, page.image)
    label = next(line for line in page.lines if line.text == "性别")
    value = next(line for line in page.lines if line.text == "男")
    merged = label.model_copy(update={"text": "性别男", "raw": "性别男", "bbox": [*label.bbox[:2], *value.bbox[2:]]})
    pieces = place_text([merged], rules)
    assert [piece.text for piece in pieces] == ["性别", "男"]
    assert pieces[0].cell.right == pieces[1].cell.left


def test_reading_order_is_rows_then_left_to_right() -> None:
    page = ruled_page([BASIC])
    pieces = place_text(reversed(page.lines), Rules())
    assert [piece.text for piece in reading_order(pieces)][:4] == ["姓名", "王建国", "性别", "男"]
