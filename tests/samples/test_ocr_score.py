"""The OCR benchmark's character error rate: text compared where it stands, not in reading order."""

from __future__ import annotations

import pytest

from extractors.ocr.tesseract import lines_from_tsv
from models.text import TextLine
from samples.ocr_score import score_page

PRINTED = [
    {"text": "姓名", "bbox": [100.0, 100.0, 160.0, 130.0]},
    {"text": "王建国", "bbox": [170.0, 100.0, 260.0, 130.0]},
    {"text": "编号：______", "bbox": [100.0, 200.0, 400.0, 230.0]},
]


def line(text: str, bbox: list[float]) -> TextLine:
    return TextLine(text=text, raw=text, score=1.0, bbox=bbox)


def test_a_perfect_read_split_or_joined_differently_scores_zero() -> None:
    as_printed = [
        line("姓名", [100, 100, 160, 130]),
        line("王建国", [170, 100, 260, 130]),
        line("编号:", [100, 200, 190, 230]),
    ]
    # One engine reads the label and the value as one line spanning both boxes.
    joined = [line("姓名王建国", [100, 100, 260, 130]), line("编号:", [100, 200, 190, 230])]
    for read in (as_printed, joined):
        score = score_page(PRINTED, read)
        assert (score.errors, score.stray) == (0, 0), score.worst
        assert score.characters == len("姓名王建国编号:")


def test_misreads_and_misses_count_and_seal_text_is_stray() -> None:
    read = [line("姓石", [100, 100, 160, 130]), line("人事专用章", [600, 600, 800, 640])]
    score = score_page(PRINTED, read)
    assert score.errors == 1 + 3 + 3  # 名 misread; 王建国 and 编号: not read
    assert score.stray == 5
    assert score.cer == pytest.approx(7 / 8)


def test_tesseract_words_become_lines_in_page_pixels() -> None:
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "5\t1\t1\t1\t1\t1\t148\t148\t60\t30\t91.5\t姓名",
        "5\t1\t1\t1\t1\t2\t348\t148\t90\t30\t80.0\t王 建国",
        "5\t1\t1\t1\t2\t1\t148\t248\t40\t30\t-1\t ",
    ]
    (read,) = lines_from_tsv("\n".join([header, *rows]), (2000, 1500, 3))
    assert read.text == "姓名王建国"
    assert read.bbox == [100.0, 100.0, 390.0, 130.0]
    assert read.score == pytest.approx((0.915 + 0.8) / 2)
