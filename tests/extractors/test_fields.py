"""Labelled values read from drawn form pages: cells right of and below labels, cover lines, sheets, copies."""

from __future__ import annotations

import pytest

from extractors.forms.extract import extract_forms
from extractors.forms.fields import read_cells, read_lines
from extractors.forms.labels import APPLICANT_VOCABULARY, APPRENTICE_VOCABULARY, CERTIFICATE_VOCABULARY
from extractors.forms.sheets import read_rows
from extractors.forms.table import Rules, find_rules, place_text, typical_line_height
from extractors.ocr import OcrOptions, get_engine
from models.report import CertificateKind, DocType
from models.text import PageText, TextLine
from tests.factories import RuledPage, ruled_page

ROW = 30.0
LANDSCAPE = (842.0, 595.0)
FORM = (
    100.0,
    [
        (ROW, [("姓名", 70), ("王建国", 120), ("性别", 70), ("男", 60), ("出生年月", 70), ("1978.05", 85)]),
        (ROW, [("职业（工种）", 80), ("焊工", 150), ("职业资格等级", 80), ("二级（技师）", 165)]),
        (ROW, [("个人身份证号", 80), ("51050219780512003X", 210), ("手机", 50), ("13980001234", 135)]),
        (ROW, [("工作单位", 80), ("泸州北方化学工业有限公司", 395)]),
        (120.0, [("技能竞赛获\n奖情况", 80), ("2016年四川省职业技能竞赛焊工项目第一名\n获省级一类竞赛第二名", 395)]),
        (90.0, [("获得荣誉情况", 80), ("2012年荣获四川省技术能手", 395)]),
    ],
)


def _pieces(page: RuledPage) -> tuple[list, Rules]:  # type: ignore[type-arg]
    rules = find_rules(page.image, typical_line_height(page.lines))
    return place_text(page.lines, rules), rules


def _values(found: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {item.key: item.text for item in found}


def test_values_are_read_from_the_cell_right_of_their_label() -> None:
    pieces, rules = _pieces(ruled_page([FORM]))
    values = _values(read_cells(pieces, rules, APPLICANT_VOCABULARY))
    assert values["name"] == "王建国"
    assert values["gender"] == "男"
    assert values["birth_month"] == "1978.05"
    assert values["occupation"] == "焊工"
    assert values["qualification_level"] == "二级(技师)"
    assert values["id_number"] == "51050219780512003X"
    assert values["employer"] == "泸州北方化学工业有限公司"


def test_values_below_header_labels_and_labels_split_over_two_lines() -> None:
    table = (100.0, [(36.0, [("参加工作\n时间", 80), ("政治面貌", 80)]), (ROW, [("1996.07", 80), ("中共党员", 80)])])
    pieces, rules = _pieces(ruled_page([table]))
    assert _values(read_cells(pieces, rules, APPLICANT_VOCABULARY)) == {
        "work_start": "1996.07",
        "political_status": "中共党员",
    }


def test_a_missing_rule_between_label_and_value_still_gives_the_value() -> None:
    page = ruled_page([FORM], skip_vertical=[(0, 0, 0)])
    pieces, rules = _pieces(page)
    values = _values(read_cells(pieces, rules, APPLICANT_VOCABULARY) + read_lines(pieces, APPLICANT_VOCABULARY))
    assert values["name"] == "王建国"


def test_an_empty_value_cell_is_not_filled_from_a_neighbour() -> None:
    table = (100.0, [(ROW, [("姓名", 70), ("", 120), ("性别", 70), ("女", 60)])])
    pieces, rules = _pieces(ruled_page([table]))
    values = _values(read_cells(pieces, rules, APPLICANT_VOCABULARY))
    assert values.get("name", "") == ""
    assert values["gender"] == "女"


def test_cover_page_lines_give_label_and_value() -> None:
    page = ruled_page([], free_text=[(130, 460, "姓名", 16), (262, 460, "王建国", 15), (130, 512, "工作单位", 16)])
    page.lines.append(
        TextLine(text="职业(工种):焊工", raw="职业（工种）：焊工", score=0.9, bbox=[361, 1500, 900, 1540])
    )
    pieces = place_text(page.lines, Rules())
    values = _values(read_lines(pieces, APPLICANT_VOCABULARY))
    assert values["name"] == "王建国"
    assert values["occupation"] == "焊工"
    assert values["employer"] == ""


def test_labels_run_together_on_an_id_card_line_are_cut_apart() -> None:
    line = TextLine(text="性别男民族汉", raw="性别 男 民族 汉", score=0.95, bbox=[100, 100, 500, 140])
    values = _values(read_lines(place_text([line], Rules()), CERTIFICATE_VOCABULARY))
    assert values == {"gender": "男"}


SHEET = (
    120.0,
    [
        (36.0, [("序号", 30), ("姓名", 60), ("性别", 40), ("身份证号码", 210), ("工作单位", 160), ("技术等级", 70)]),
        (
            40.0,
            [
                ("1", 30),
                ("王建国", 60),
                ("男", 40),
                ("51050219780512003X", 210),
                ("泸州北方化学\n工业有限公司", 160),
                ("二级/技师", 70),
            ],
        ),
        (
            40.0,
            [
                ("2", 30),
                ("李丽", 60),
                ("女", 40),
                ("510502198001010026", 210),
                ("泸州老窖股份有限公司", 160),
                ("高级技师", 70),
            ],
        ),
    ],
)


def test_summary_sheet_rows_map_to_the_header_columns() -> None:
    page = ruled_page([SHEET], free_text=[(200, 90, "申报人员基本情况一览表", 16)], page_size=LANDSCAPE)
    pieces, rules = _pieces(page)
    rows = read_rows(pieces, rules, APPLICANT_VOCABULARY)
    assert [{key: found.text for key, found in row.items()} for row in rows] == [
        {
            "name": "王建国",
            "gender": "男",
            "id_number": "51050219780512003X",
            "employer": "泸州北方化学工业有限公司",
            "qualification_level": "二级/技师",
        },
        {
            "name": "李丽",
            "gender": "女",
            "id_number": "510502198001010026",
            "employer": "泸州老窖股份有限公司",
            "qualification_level": "高级技师",
        },
    ]


def test_apprentice_rows_use_the_apprentice_columns() -> None:
    table = (
        100.0,
        [
            (ROW, [("带徒姓名", 60), ("年龄", 40), ("工  种", 60), ("现有等级", 60), ("身份证号", 210)]),
            (ROW, [("陈建", 60), ("24", 40), ("维修电工", 60), ("高级工", 60), ("510525199503085110", 210)]),
        ],
    )
    pieces, rules = _pieces(ruled_page([table]))
    rows = read_rows(pieces, rules, APPRENTICE_VOCABULARY)
    assert {key: found.text for key, found in rows[0].items()} == {
        "name": "陈建",
        "age": "24",
        "occupation": "维修电工",
        "qualification_level": "高级工",
        "id_number": "510525199503085110",
    }


def _text(page: RuledPage, index: int) -> PageText:
    return PageText(page=index, engine="test", lines=page.lines)


def test_the_packet_record_is_filled_and_normalised() -> None:
    form = ruled_page([FORM], free_text=[(200, 70, "泸州市首席技师申报表", 20)])
    sheet = ruled_page([SHEET], free_text=[(200, 90, "申报人员基本情况一览表", 16)], page_size=LANDSCAPE)
    certificate = ruled_page(
        [],
        free_text=[
            (230, 150, "职业资格证书", 24),
            (130, 210, "姓　　名：", 12),
            (240, 210, "王建国", 12),
            (130, 250, "身份证号：", 12),
            (240, 250, "51050219780512003X", 12),
            (130, 290, "职业资格等级：", 12),
            (240, 290, "二级/技师", 12),
            (130, 330, "发证日期：", 12),
            (240, 330, "2003年1月8日", 12),
            (330, 650, "与原件一致", 16),
        ],
    )
    pages = [form, sheet, certificate]
    texts = [_text(page, index) for index, page in enumerate(pages)]
    doc_types = [DocType.APPLICATION_FORM, DocType.OVERVIEW_SHEET, DocType.CERTIFICATE]
    result = extract_forms(texts, doc_types, lambda index: pages[index].image)
    applicant = result.applicant
    assert applicant.name is not None and applicant.name.value == "王建国"
    assert applicant.name.page == 0 and applicant.name.bbox is not None and applicant.name.confidence > 0.9
    assert applicant.birth_month is not None and applicant.birth_month.value == "1978-05"
    assert applicant.qualification_level is not None and applicant.qualification_level.value == "技师"
    assert applicant.id_number is not None and applicant.id_number.value == "51050219780512003X"
    assert applicant.phone is not None and applicant.phone.value == "13980001234"
    assert applicant.ethnicity is None
    assert [(c.year, c.scope, c.rank) for c in applicant.competitions] == [
        (2016, "provincial", 1),
        (None, "provincial", 2),
    ]
    assert [honor.title for honor in applicant.honors] == ["四川省技术能手"]
    assert [row.name.value for row in result.summary_rows if row.name] == ["王建国", "李丽"]
    assert result.summary_rows[1].qualification_level is not None
    assert result.summary_rows[1].qualification_level.value == "高级技师"
    [copy] = result.certificates
    assert copy.kind == CertificateKind.QUALIFICATION and copy.page == 2 and copy.certified_copy is True
    assert copy.holder is not None and copy.holder.value == "王建国"
    assert copy.issue_date is not None and copy.issue_date.value == "2003-01"
    assert not result.errors


def test_an_unreadable_value_is_null_with_low_confidence_never_a_guess() -> None:
    table = (100.0, [(ROW, [("出生年月", 70), ("约四十岁", 120), ("性别", 70), ("?", 60)])])
    page = ruled_page([table])
    result = extract_forms([_text(page, 0)], [DocType.APPLICATION_FORM], lambda index: page.image)
    birth = result.applicant.birth_month
    assert birth is not None and birth.value is None and birth.raw == "约四十岁" and birth.confidence <= 0.2


def test_a_header_a_seal_made_unreadable_is_named_by_its_values() -> None:
    table = (
        120.0,
        [
            (36.0, [("序号", 30), ("姓名", 60), ("", 40), ("", 90), ("身份证号码", 210)]),
            (40.0, [("1", 30), ("王建国", 60), ("男", 40), ("1978年5月", 90), ("51050219780512003X", 210)]),
            (40.0, [("2", 30), ("李丽", 60), ("女", 40), ("1980年1月", 90), ("510502198001010026", 210)]),
        ],
    )
    pieces, rules = _pieces(ruled_page([table], page_size=LANDSCAPE))
    rows = read_rows(pieces, rules, APPLICANT_VOCABULARY)
    assert [(row["gender"].text, row["birth_month"].text) for row in rows] == [("男", "1978年5月"), ("女", "1980年1月")]


@pytest.mark.ocr
@pytest.mark.parametrize("marked", [True, False])
def test_a_copy_mark_under_a_seal_is_read_once_the_red_ink_is_whitened(marked: bool) -> None:
    words = [(130, 210, "姓名：", 12), (240, 210, "王建国", 12)] + ([(330, 650, "与原件一致", 16)] if marked else [])
    page = ruled_page([], free_text=words, red_disc=(380, 660, 60))
    # The first reading missed the mark the seal is stamped across.
    seen = PageText(page=0, engine="test", lines=[line for line in page.lines if line.text != "与原件一致"])
    engine = get_engine(OcrOptions())
    result = extract_forms([seen], [DocType.CERTIFICATE], lambda index: page.image, reread=engine.read)
    assert result.certificates[0].certified_copy is marked
