"""Page types from titles, continuation pages, and the profile from the forms' own titles."""

from __future__ import annotations

import pytest

from extractors.forms.classify import classify_pages, detect_profile
from extractors.text import normalize_text
from models import DocType, load_profiles
from models.text import PageText, TextLine

SIZE = (1654.0, 2339.0)


def page(index: int, *lines: tuple[str, float]) -> PageText:
    """A page with lines centred at the given heights from the top (each 40 px tall)."""
    return PageText(
        page=index,
        engine="fake",
        lines=[TextLine(text=normalize_text(t), raw=t, score=1.0, bbox=[427, y, 1227, y + 40]) for t, y in lines],
    )


def row(y: float, *cells: str) -> list[TextLine]:
    """One table row: its cells side by side, 300 px apart."""
    return [
        TextLine(text=normalize_text(t), raw=t, score=1.0, bbox=[100 + 300 * i, y, 350 + 300 * i, y + 40])
        for i, t in enumerate(cells)
    ]


BODY = [("内容一", 1200.0), ("内容二", 1300.0), ("内容三", 1400.0)]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("泸州市首席技师申报表", DocType.APPLICATION_FORM),
        ("温州市第七轮首席技师推荐表", DocType.APPLICATION_FORM),
        ("温州市第七轮首席技师推荐人选情况一览表", DocType.OVERVIEW_SHEET),
        ("泸州市首席技师申报人员基本情况汇总表", DocType.SUMMARY_SHEET),
        ("泸州市首席技师拟带徒情况汇总表", DocType.APPRENTICE_SHEET),
        ("王建国个人事迹材料", DocType.DEEDS),
        ("承 诺 书", DocType.PLEDGE),
        ("推荐报告", DocType.RECOMMENDATION),
        ("中华人民共和国居民身份证", DocType.ID_COPY),
        ("职业资格证书", DocType.CERTIFICATE),
        ("会议通知", DocType.OTHER),
    ],
)
def test_title_gives_the_doc_type(title: str, expected: DocType) -> None:
    assert classify_pages([page(0, (title, 150.0), *BODY)], [SIZE]) == [expected]


def test_table_labels_are_not_titles_but_make_the_page_a_form() -> None:
    labels = [
        *row(150.0, "姓名", "王建国", "性别", "男"),
        *row(250.0, "职业资格等级", "高级技师", "取得职业资格证书"),
        *row(350.0, "个人身份证号", "512502197805120370"),
    ]
    table_page = PageText(page=0, engine="fake", lines=labels)
    # 取得职业资格证书 is no title (it shares its row), and the field labels say what the page is.
    assert classify_pages([table_page], [SIZE]) == [DocType.APPLICATION_FORM]


def test_section_text_low_on_a_page_is_no_title() -> None:
    lines = [
        *row(150.0, "姓名", "王建国"),
        *row(250.0, "民族", "汉族"),
        *row(350.0, "手机", "13980001234"),
        TextLine(text="带徒12人,其中3人在市级技能竞赛中获奖", raw="", score=1.0, bbox=[427, 900, 1227, 940]),
    ]
    assert classify_pages([PageText(page=0, engine="fake", lines=lines)], [SIZE]) == [DocType.OTHER]


def test_an_untitled_sheet_is_known_by_its_header_row() -> None:
    header = row(400.0, "序号", "姓名", "性别", "身份证号码", "工作单位")
    sheet = PageText(page=0, engine="fake", lines=header + row(500.0, "1", "王建国", "男"))
    assert classify_pages([sheet, sheet.model_copy(update={"page": 1})], [SIZE] * 2) == [
        DocType.OVERVIEW_SHEET,
        DocType.SUMMARY_SHEET,
    ]


def test_an_untitled_apprentice_sheet_is_known_by_its_columns() -> None:
    header = row(400.0, "带徒姓名", "年龄", "工种", "现有等级", "身份证号")
    assert classify_pages([PageText(page=0, engine="fake", lines=header)], [SIZE]) == [DocType.APPRENTICE_SHEET]


def test_a_title_with_one_misread_character_still_counts() -> None:
    assert classify_pages([page(0, ("王建国个人事迹材枓", 150.0), *BODY)], [SIZE]) == [DocType.DEEDS]


def test_a_short_keyword_is_not_matched_loosely() -> None:
    # 推荐单位 is one character from 推荐表; the header row says what the page is.
    lines = [
        TextLine(text="推荐单位(盖章):瑞安市人力资源和社会保障局", raw="", score=1.0, bbox=[146, 230, 832, 286]),
        *row(400.0, "序号", "推荐单位", "姓名", "性别", "身份证号码"),
    ]
    assert classify_pages([PageText(page=0, engine="fake", lines=lines)], [SIZE]) == [DocType.OVERVIEW_SHEET]


def test_the_opinion_boxes_page_continues_the_form_even_after_a_misread_page() -> None:
    opinions = row(300.0, "推荐单位意见", "情况属实,同意推荐。") + row(700.0, "评审委员会意见", "(盖章)")
    pages = [page(0, ("会议通知", 150.0), *BODY), PageText(page=1, engine="fake", lines=opinions)]
    assert classify_pages(pages, [SIZE] * 2) == [DocType.OTHER, DocType.APPLICATION_FORM]


def test_an_id_card_copy_is_known_by_the_card_wording_anywhere() -> None:
    card = PageText(page=0, engine="fake", lines=[*row(1500.0, "公民身份号码", "512502197805120370")])
    assert classify_pages([card], [SIZE]) == [DocType.ID_COPY]


def test_untitled_pages_continue_a_multi_page_document() -> None:
    pages = [page(0, ("泸州市首席技师申报表", 150.0), *BODY), page(1, *BODY), page(2, *BODY)]
    assert classify_pages(pages, [SIZE] * 3) == [DocType.APPLICATION_FORM] * 3


def test_an_untitled_page_after_a_single_page_sheet_is_other() -> None:
    pages = [page(0, ("汇总表", 150.0), *BODY), page(1, *BODY)]
    assert classify_pages(pages, [SIZE] * 2) == [DocType.SUMMARY_SHEET, DocType.OTHER]


def test_a_large_title_low_on_a_cover_page_counts() -> None:
    cover = PageText(
        page=0,
        engine="fake",
        lines=[
            TextLine(text="泸州市首席技师申报表", raw="", score=1.0, bbox=[300, 1000, 1300, 1100]),
            *[
                TextLine(text=f"行{i}", raw="", score=1.0, bbox=[300, 1300 + 60 * i, 600, 1340 + 60 * i])
                for i in range(4)
            ],
        ],
    )
    assert classify_pages([cover], [SIZE]) == [DocType.APPLICATION_FORM]


def test_an_empty_page_is_other() -> None:
    assert classify_pages([PageText(page=0, engine="fake")], [SIZE]) == [DocType.OTHER]


@pytest.mark.parametrize(
    ("title", "profile"),
    [
        ("泸州市首席技师申报表", "luzhou-2019"),
        ("聊城市首席技师申报表", "liaocheng-2019"),
        ("市中首席技师申报表", "shizhong-2020"),
        ("“巴渝特级技师”申报表", "chongqing-bayu"),
        ("温州市第七轮首席技师推荐表", "wenzhou-7"),
    ],
)
def test_profile_is_detected_from_form_titles(title: str, profile: str) -> None:
    pages = [page(0, (title, 150.0)), page(1, *BODY)]
    assert detect_profile(pages, list(load_profiles().values())) == profile


def test_no_title_or_a_tie_gives_no_profile() -> None:
    profiles = list(load_profiles().values())
    assert detect_profile([page(0, *BODY)], profiles) is None
    tie = [page(0, ("泸州市首席技师申报表", 150.0)), page(1, ("聊城市首席技师申报表", 150.0))]
    assert detect_profile(tie, profiles) is None
