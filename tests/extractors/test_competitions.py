"""Competition results and honour titles read from the 获奖情况 / 荣誉 sections of a form."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from extractors.parsers import parse_competitions, parse_honors, split_entries
from extractors.parsers.competitions import SPANS_KEY, build_pipeline, gazetteer
from models.report import Competition
from samples.people import PROFILES, make_people

Expected = tuple[int | None, str | None, str | None, str | None, int | None]
"""(year, scope, category, event, rank) as the report writes them."""


def _fields(competition: Competition) -> Expected:
    scope = competition.scope.value if competition.scope is not None else None
    category = competition.category.value if competition.category is not None else None
    return (competition.year, scope, category, competition.event, competition.rank)


# Entries as applicants write them: the examples of the brief, other common phrasings (a verb before
# the contest, the event in the contest's name, group labels, team and individual places, medals,
# Chinese-numeral years, table rows), and the levels' edge cases (municipalities, counties, companies).
COMPETITIONS: list[tuple[str, Expected]] = [
    ("2016年四川省职业技能竞赛焊接项目第一名", (2016, "provincial", None, "焊接", 1)),
    ("2018年全国职工职业技能大赛（国家一类）数控车工第二名", (2018, "national", "class1", "数控车工", 2)),
    ("2017年荣获泸州市职业技能大赛钳工比赛第一名", (2017, "municipal", None, "钳工", 1)),
    ("2015.05 四川省职工职业技能大赛维修电工第三名", (2015, "provincial", None, "维修电工", 3)),
    ("2019年第45届世界技能大赛焊接项目金牌", (2019, "world", None, "焊接", 1)),
    ("2011年获第41届世界技能大赛焊接项目银牌", (2011, "world", None, "焊接", 2)),
    ("2018年全国电力行业职业技能竞赛变电检修决赛第二名", (2018, "national", None, "变电检修", 2)),
    ("获省级一类竞赛第二名", (None, "provincial", "class1", None, 2)),
    ("2018年获省级二类竞赛第一名", (2018, "provincial", "class2", None, 1)),
    ("2014年泸州市第十二届职业技能大赛焊工第十二名", (2014, "municipal", None, "焊工", 12)),
    ("中国技能大赛——全国职工职业技能大赛数控车工第2名", (None, "national", None, "数控车工", 2)),
    ("在2016年四川省职业技能竞赛中获焊接项目第一名", (2016, "provincial", None, "焊接", 1)),
    ("2016年5月，在四川省第三届职业技能大赛中荣获焊工项目第一名", (2016, "provincial", None, "焊工", 1)),
    ("2015年泸州市焊工技能比赛第一名", (2015, "municipal", None, "焊工", 1)),
    ("2017年获得泸州市首届焊工技能大赛一等奖", (2017, "municipal", None, "焊工", 1)),
    ("2014年四川省焊工职业技能竞赛第一名", (2014, "provincial", None, "焊工", 1)),
    ("2013年度获聊城市职业技能大赛（市级一类）电工第三名", (2013, "municipal", "class1", "电工", 3)),
    ("2019年温州市职工职业技能竞赛（市级二类）模具工第四名", (2019, "municipal", "class2", "模具工", 4)),
    ("2017年全国钢铁行业职业技能竞赛（国家二类）电工第六名", (2017, "national", "class2", "电工", 6)),
    ("2019年四川省第二届职业技能大赛焊接项目第二名（省级一类）", (2019, "provincial", "class1", "焊接", 2)),
    ("2014年参加国家级一类竞赛“全国职工职业技能大赛”获得焊工第三名", (2014, "national", "class1", "焊工", 3)),
    ("荣获2018年泸州市“泸州老窖杯”职业技能大赛白酒品评第一名", (2018, "municipal", None, "白酒品评", 1)),
    ("2017年度全省电力行业技能竞赛配电线路工个人第二名", (2017, "provincial", None, "配电线路工", 2)),
    ("2015年全市职工职业技能大赛焊工比赛第一名", (2015, "municipal", None, "焊工", 1)),
    ("2013年省第五届职业技能大赛维修电工第二名", (2013, "provincial", None, "维修电工", 2)),
    ("市第三届职工技能大赛钳工第一名（2014年）", (2014, "municipal", None, "钳工", 1)),
    ("2012年全国数控技能大赛四川赛区选拔赛数控车工（职工组）第一名", (2012, "provincial", None, "数控车工", 1)),
    ("2017年第45届世界技能大赛全国选拔赛焊接项目第三名", (2017, "national", None, "焊接", 3)),
    ("2012年第四届全国职工职业技能大赛四川省选拔赛焊工第一名", (2012, "provincial", None, "焊工", 1)),
    ("第六届全国数控技能大赛决赛数控铣工第三名", (None, "national", None, "数控铣工", 3)),
    ("2010年获聊城市技术比武钳工第一名", (2010, "municipal", None, "钳工", 1)),
    ("2013年在泸州市总工会举办的全市职工技能竞赛中获电工第一名", (2013, "municipal", None, "电工", 1)),
    ("2016年重庆市职业技能大赛数控铣工第二名", (2016, "provincial", None, "数控铣工", 2)),
    ("2019年重庆市第一届职业技能大赛（巴渝工匠杯）数控车项目第三名", (2019, "provincial", None, "数控车", 3)),
    ("2016年重庆市渝中区职业技能竞赛车工第一名", (2016, None, None, "车工", 1)),
    ("2018年泸州市江阳区职业技能竞赛焊工第一名", (2018, None, None, "焊工", 1)),
    ("2016年乐清市职业技能大赛电工第一名", (2016, None, None, "电工", 1)),
    ("2016年公司技术比武第一名", (2016, None, None, None, 1)),
    ("2016年国家电网公司生产技能人员职业能力竞赛变电运维第一名", (2016, None, None, "变电运维", 1)),
    ("2014年中央企业职工技能大赛焊工第八名", (2014, "national", None, "焊工", 8)),
    ("2016年获凉山州职业技能大赛汽车维修项目第一名", (2016, "municipal", None, "汽车维修", 1)),
    ("2014年度凉山彝族自治州职业技能大赛焊工第一名", (2014, "municipal", None, "焊工", 1)),
    ("2017年参加四川省职业技能大赛，获得焊工项目金奖", (2017, "provincial", None, "焊工", 1)),
    ("参加2016年泸州市职业技能大赛，获焊工组第二名", (2016, "municipal", None, "焊工", 2)),
    ("2016年四川省职业技能大赛焊工（个人）第一名", (2016, "provincial", None, "焊工", 1)),
    ("2016年四川省职业技能大赛一等奖（钳工项目）", (2016, "provincial", None, "钳工", 1)),
    ("2015年荣获全国焊工技能大赛银奖", (2015, "national", None, "焊工", 2)),
    ("2009年全国职业技能竞赛焊工决赛前三名", (2009, "national", None, "焊工", 3)),
    ("2013年荣获第五届全国农民工技能大赛焊工优秀奖", (2013, "national", None, "焊工", None)),
    ("2016年第四届全国工业机器人技术应用技能大赛二等奖", (2016, "national", None, "工业机器人技术应用", 2)),
    ("在2017年泸州市职业技能大赛焊接比赛中荣获第一名", (2017, "municipal", None, "焊接", 1)),
    ("2017年宜宾市第二届职业技能大赛电工决赛第十一名", (2017, "municipal", None, "电工", 11)),
    ("2015年获得泸州市职业技能竞赛车工项目三等奖", (2015, "municipal", None, "车工", 3)),
    ("2014年获自贡市职业技能竞赛第二名", (2014, "municipal", None, None, 2)),
    ("第二届泸州市职业技能大赛焊工第二名", (None, "municipal", None, "焊工", 2)),
    ("二〇一八年十月 四川省职业技能大赛 电工 第三名", (2018, "provincial", None, "电工", 3)),
    ("2016 | 四川省职业技能大赛 | 焊工 | 第一名", (2016, "provincial", None, "焊工", 1)),
    ("2017年 市级一类竞赛 焊工 第一名", (2017, "municipal", "class1", "焊工", 1)),
    ("2016.11 “川南杯”四川省焊工技能大赛 一等奖", (2016, "provincial", None, "焊工", 1)),
    ("2017年山东省职工职业技能大赛（省级一类）化工总控工第3名", (2017, "provincial", "class1", "化工总控工", 3)),
    ("2015年荣获聊城市第六届职业技能大赛中药炮制工比赛第六名", (2015, "municipal", None, "中药炮制工", 6)),
    ("2016年度聊城市“技术能手”选拔赛焊工第一名", (2016, "municipal", None, "焊工", 1)),
    (
        "2016年参加全国行业职业技能竞赛——第八届全国化工行业职业技能竞赛化工总控工决赛，获个人第二名、团体第一名",
        (2016, "national", None, "化工总控工", 2),
    ),
    ("16年泸州市职业技能大赛焊工第一名", (2016, "municipal", None, "焊工", 1)),
    ("2008年全国技能大赛 数控车 第5名", (2008, "national", None, "数控车", 5)),
    ("2016年在泸州市职工职业技能大赛（焊工）中荣获第一名", (2016, "municipal", None, "焊工", 1)),
    ("2015年获温州市“技能之星”维修电工比赛第二名", (2015, "municipal", None, "维修电工", 2)),
    ("2018年四川省第十一届职业技能大赛焊工职工组二等奖", (2018, "provincial", None, "焊工", 2)),
    ("获得2012年全国职业院校技能大赛高职组数控车项目二等奖", (2012, "national", None, "数控车", 2)),
    ("2016年全国第六届职工职业技能大赛焊工决赛中获得第十名", (2016, "national", None, "焊工", 10)),
    ("2017年度枣庄市市中区职业技能大赛电工第一名", (2017, None, None, "电工", 1)),
    ("2019年“中国梦·劳动美”泸州市职工技能大赛焊工第一名", (2019, "municipal", None, "焊工", 1)),
    ("2010年度长江液压件公司技能比武车工第一名", (2010, None, None, "车工", 1)),
    ("2016年四川省焊工第一名", (2016, "provincial", None, "焊工", 1)),
]


@pytest.mark.parametrize(("raw", "expected"), COMPETITIONS, ids=[raw for raw, _ in COMPETITIONS])
def test_competition_entry(raw: str, expected: Expected) -> None:
    competitions = parse_competitions(raw)
    assert [_fields(competition) for competition in competitions] == [expected]
    assert competitions[0].raw == raw


@pytest.mark.parametrize(
    "text",
    [
        "无",
        "暂无",
        "",
        "获奖情况",
        "2015年获泸州市科技进步一等奖",
        "2016年荣获四川省技术能手称号",
        "2018年第十届全国职业院校技能大赛",
        "2019年参加四川省职业技能大赛",
        "2017年获国家实用新型专利一项",
        "第二届泸州市职业技能大赛",
    ],
)
def test_text_that_states_no_result(text: str) -> None:
    assert parse_competitions(text) == []


def test_an_edition_is_never_a_rank_nor_a_year() -> None:
    (competition,) = parse_competitions("第二届四川省职业技能大赛焊工第三名")
    assert competition.rank == 3 and competition.year is None
    (world,) = parse_competitions("第45届世界技能大赛焊接项目铜牌")
    assert world.rank == 3 and world.year is None and world.scope is not None


def test_a_month_is_never_the_year() -> None:
    (competition,) = parse_competitions("2015.05 四川省职工职业技能大赛维修电工第三名")
    assert competition.year == 2015


SECTION = """获奖情况：
1、2016年四川省职业技能竞赛焊接项目第
一名；2、2017年泸州市职业技能大赛焊工第二名
（3）2018年全国职工职业技能大赛（国家一
类）焊工第五名
④ 2019年获泸州市技术能手称号。2020年荣获四川省技术能手，2021年被授予“四川工匠”称号
2015年四川省焊工职业技能竞赛第一名，2016年泸州市职业技能大赛焊接项目第二名"""


def test_a_section_with_numbered_wrapped_and_separated_entries() -> None:
    competitions = parse_competitions(SECTION)
    assert [_fields(competition) for competition in competitions] == [
        (2016, "provincial", None, "焊接", 1),
        (2017, "municipal", None, "焊工", 2),
        (2018, "national", "class1", "焊工", 5),
        (2015, "provincial", None, "焊工", 1),
        (2016, "municipal", None, "焊接", 2),
    ]
    assert competitions[0].raw == "2016年四川省职业技能竞赛焊接项目第一名"
    assert competitions[2].raw == "2018年全国职工职业技能大赛（国家一类）焊工第五名"
    honors = parse_honors(SECTION)
    assert [(honor.title, honor.year) for honor in honors] == [
        ("泸州市技术能手", 2019),
        ("四川省技术能手", 2020),
        ("四川工匠", 2021),
    ]


def test_split_entries() -> None:
    assert split_entries("无") == []
    assert split_entries("1.2016年焊工第一名\n2.2017年钳工第二名") == ["2016年焊工第一名", "2017年钳工第二名"]
    assert split_entries("全国技术能手\n四川省技术能手") == ["全国技术能手", "四川省技术能手"]
    assert split_entries("2012年获全国五一劳动\n奖章") == ["2012年获全国五一劳动奖章"]
    assert split_entries("①2016年A第一名 ②2017年B第二名") == ["2016年A第一名", "2017年B第二名"]


HONORS: list[tuple[str, list[tuple[str, int | None]]]] = [
    ("2012年荣获四川省技术能手", [("四川省技术能手", 2012)]),
    ("全国技术能手（2009年）", [("全国技术能手", 2009)]),
    ("2016.05 泸州工匠", [("泸州工匠", 2016)]),
    ("2014年被授予“泸州市劳动模范”荣誉称号", [("泸州市劳动模范", 2014)]),
    ("2015年获得“全国五一劳动奖章”", [("全国五一劳动奖章", 2015)]),
    ("享受国务院政府特殊津贴（2018年）", [("享受国务院政府特殊津贴", 2018)]),
    ("国务院特殊津贴专家", [("国务院特殊津贴专家", None)]),
    ("2018年被评为齐鲁工匠", [("齐鲁工匠", 2018)]),
    ("2020年 温州工匠", [("温州工匠", 2020)]),
    ("2014年入选“巴渝工匠”", [("巴渝工匠", 2014)]),
    ("2009年被授予全国技术能手、四川省劳动模范称号", [("全国技术能手", 2009), ("四川省劳动模范", 2009)]),
    ("2016年获得四川省人力资源和社会保障厅颁发的四川省技术能手称号", [("四川省技术能手", 2016)]),
    ("2010年12月被中华全国总工会授予全国五一劳动奖章", [("全国五一劳动奖章", 2010)]),
    ("2011年被四川省人民政府授予“四川省劳动模范”称号", [("四川省劳动模范", 2011)]),
    ("2017年被重庆市人民政府评为重庆市劳动模范", [("重庆市劳动模范", 2017)]),
    ("2017年荣获中华技能大奖", [("中华技能大奖", 2017)]),
    ("2016年荣获第十三届中华技能大奖", [("中华技能大奖", 2016)]),
    ("2013年荣获聊城市突出贡献技师称号", [("聊城市突出贡献技师", 2013)]),
    ("2018年获得“山东省有突出贡献技师”称号", [("山东省有突出贡献技师", 2018)]),
    ("荣获“重庆市技术能手”称号", [("重庆市技术能手", None)]),
    ("2019年度温州市青年岗位能手", [("温州市青年岗位能手", 2019)]),
    ("2012年获评泸州市首席技师", [("泸州市首席技师", 2012)]),
    ("2015年被聘为公司首席技师", [("公司首席技师", 2015)]),
    ("被授予2014年度泸州市劳动模范", [("泸州市劳动模范", 2014)]),
    ("四川省技术能手称号（2012年12月）", [("四川省技术能手", 2012)]),
    ("全国五一劳动奖章获得者", [("全国五一劳动奖章", None)]),
    ("二〇一五年获浙江省技术能手称号", [("浙江省技术能手", 2015)]),
    ("2017年荣获泸州市五一劳动奖章、泸州市技术能手", [("泸州市五一劳动奖章", 2017), ("泸州市技术能手", 2017)]),
    ("2019年获得泸州市总工会授予的泸州市五一劳动奖章", [("泸州市五一劳动奖章", 2019)]),
    ("获2018年度温州市职业技能大赛模具工第一名，并被授予“温州市技术能手”称号", [("温州市技术能手", 2018)]),
    ("2015年被评为四川省技术能手；2017年被评为全国技术能手", [("四川省技术能手", 2015), ("全国技术能手", 2017)]),
    ("2005年全国技术能手，2008年中华技能大奖", [("全国技术能手", 2005), ("中华技能大奖", 2008)]),
    ("2018年被泸州市人民政府命名为“泸州工匠”", [("泸州工匠", 2018)]),
    ("2016年被认定为泸州市首席技师", [("泸州市首席技师", 2016)]),
    ("被评为2016年度四川省优秀共产党员", [("四川省优秀共产党员", 2016)]),
    ("荣获“四川省技术能手”“四川省五一劳动奖章”", [("四川省技术能手", None), ("四川省五一劳动奖章", None)]),
    ("2019年温州市“五一劳动奖章”", [("温州市五一劳动奖章", 2019)]),
    ("2016年度浙江省“万人计划”高技能领军人才", [("浙江省万人计划高技能领军人才", 2016)]),
    ("2017年荣获泸州市总工会“泸州市五一劳动奖章”", [("泸州市五一劳动奖章", 2017)]),
]


@pytest.mark.parametrize(("raw", "expected"), HONORS, ids=[raw for raw, _ in HONORS])
def test_honor_entry(raw: str, expected: list[tuple[str, int | None]]) -> None:
    honors = parse_honors(raw)
    assert [(honor.title, honor.year) for honor in honors] == expected
    assert all(honor.raw for honor in honors)


@pytest.mark.parametrize(
    "text",
    ["无", "", "2016年四川省技术能手选拔赛第一名", "2019年在泸州工匠杯焊接大赛中获第一名", "弘扬工匠精神"],
)
def test_text_that_states_no_honour(text: str) -> None:
    assert parse_honors(text) == []


def test_the_span_ruler_labels_the_entry() -> None:
    doc = build_pipeline()("2018年全国职工职业技能大赛（国家一类）数控车工第二名")
    labels = {(span.label_, span.text) for span in doc.spans[SPANS_KEY]}
    assert {("SCOPE", "全国"), ("CLASS", "国家一类"), ("CONTEST", "职业技能大赛"), ("RANK", "第二名")} <= labels
    assert any(label == "YEAR" for label, _text in labels)


def test_the_gazetteer_knows_the_levels() -> None:
    places = gazetteer()
    assert places.level("四川省") == "provincial" and places.level("重庆市") == "provincial"
    assert places.level("泸州市") == "municipal" and places.level("凉山州") == "municipal"
    assert places.level("乐清市") == "county" and places.level("古蔺县") == "county"
    assert places.level("齐鲁") == "provincial"


def test_the_sample_generators_entries_read_back() -> None:
    """A regression check on one writer's styles (the tables above cover the others)."""
    rng = random.Random(20190601)
    people = [person for profile in PROFILES for person in make_people(rng, profile, dt.date(2019, 6, 1), 12)]
    entries = [entry for person in people for entry in person.competitions]
    honors = [honor for person in people for honor in person.honors]
    assert len(entries) > 40 and len(honors) > 40
    for entry in entries:
        got = [_fields(competition) for competition in parse_competitions(entry.raw)]
        assert got == [(entry.year, entry.scope, entry.category, entry.event, entry.rank)], entry.raw
    for honor in honors:
        assert [(item.title, item.year) for item in parse_honors(honor.raw)] == [(honor.title, honor.year)]
