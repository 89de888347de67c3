"""How each notice's documents look: titles, the form's rows, the summary sheets' columns, the packet's order.

Written from the notices' own templates in ``shared/seeds/``. The drawing code
in :mod:`samples.documents` is shared; a notice is this data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pymupdf

from samples.draw import A3_LANDSCAPE, A4, A4_LANDSCAPE

# Who stamps an opinion box: the applicant's employer, the recommending unit, or nobody yet (the jury's box).
EMPLOYER, RECOMMENDER, NOBODY = "employer", "recommender", "nobody"


@dataclass(frozen=True)
class FormLayout:
    """The application form (申报表 / 推荐表)."""

    title: str
    cover_fields: tuple[tuple[str, str], ...]
    """(label, key) lines of the cover page; empty: no cover."""
    rows: tuple[tuple[tuple[str, str], ...], ...]
    """Rows of the basic table: (label, key) pairs, one to three per row."""
    sections: tuple[tuple[str, str], ...]
    """(heading, content) rows after the basic table; content is competitions, honors, experience or text."""
    opinions: tuple[tuple[str, str], ...]
    """(box label, who stamps it) opinion boxes at the end of the form."""
    date_format: str = "%Y.%m"
    level_format: str = "{level}"


@dataclass(frozen=True)
class SheetLayout:
    """A summary sheet: one row per candidate."""

    doc_type: str
    title: str
    columns: tuple[tuple[str, str, float], ...]
    """(header, key, relative width)."""
    rect: pymupdf.Rect = A4_LANDSCAPE
    date_format: str = "%Y.%m"
    stamped: bool = True


@dataclass(frozen=True)
class PacketLayout:
    profile: str
    city: str
    form: FormLayout
    sheets: tuple[SheetLayout, ...]
    documents: tuple[str, ...]
    """The packet's documents in order: form, the sheets' doc types, apprentice_sheet, deeds, certificate,
    id_copy, pledge, recommendation."""
    apprentice_title: str | None = None


_BASIC_LUZHOU = (
    (("姓名", "name"), ("性别", "gender"), ("出生年月", "birth_month")),
    (("参工时间", "work_start"), ("政治面貌", "political_status"), ("文化程度", "education")),
    (("职业（工种）", "occupation"), ("职业资格等级", "qualification_level")),
    (("个人身份证号", "id_number"), ("电子信箱", "email")),
    (("个人联系电话", "phone"),),
    (("工作单位", "employer"),),
)

LUZHOU = PacketLayout(
    profile="luzhou-2019",
    city="泸州",
    form=FormLayout(
        title="泸州市首席技师申报表",
        cover_fields=(("姓名", "name"), ("工作单位", "employer"), ("职业（工种）", "occupation")),
        rows=_BASIC_LUZHOU,
        sections=(
            ("主要学习和工作经历", "experience"),
            ("技能竞赛及技能竞赛获奖情况", "competitions"),
            ("获得荣誉及奖励情况", "honors"),
            ("带徒传艺及人才培养情况", "text"),
        ),
        opinions=(("所在单位申报意见", EMPLOYER), ("推荐单位意见", RECOMMENDER), ("评审委员会意见", NOBODY)),
    ),
    sheets=(
        SheetLayout(
            "overview_sheet",
            "泸州市首席技师申报人员基本情况一览表",
            (
                ("姓名", "name", 1.0),
                ("性别", "gender", 0.6),
                ("身份证号码", "id_number", 2.6),
                ("工作单位", "employer", 2.8),
                ("文化程度", "education", 0.9),
                ("政治面貌", "political_status", 1.1),
                ("参加工作时间", "work_start", 1.1),
                ("职业（工种）", "occupation", 1.2),
                ("现职业资格等级", "qualification_level", 1.3),
            ),
            rect=A3_LANDSCAPE,
        ),
        SheetLayout(
            "summary_sheet",
            "泸州市首席技师申报人员基本情况汇总表",
            (
                ("推荐单位", "recommending_unit", 2.2),
                ("姓名", "name", 0.9),
                ("性别", "gender", 0.5),
                ("出生年月", "birth_month", 0.9),
                ("身份证号", "id_number", 2.4),
                ("工作单位", "employer", 2.4),
                ("文化程度", "education", 0.8),
                ("参工时间", "work_start", 0.9),
                ("职业(工种)", "occupation", 1.0),
                ("现职业资格", "qualification_level", 1.0),
            ),
        ),
    ),
    documents=(
        "application_form",
        "overview_sheet",
        "summary_sheet",
        "apprentice_sheet",
        "certificate",
        "id_copy",
        "deeds",
    ),
    apprentice_title="泸州市首席技师拟带徒情况汇总表",
)

LIAOCHENG = PacketLayout(
    profile="liaocheng-2019",
    city="聊城",
    form=FormLayout(
        title="聊城市首席技师申报表",
        cover_fields=(("姓名", "name"), ("工作单位", "employer"), ("职业（工种）", "occupation")),
        rows=(
            (("姓名", "name"), ("性别", "gender"), ("出生年月", "birth_month")),
            (("民族", "ethnicity"), ("政治面貌", "political_status"), ("文化程度", "education")),
            (("参加工作时间", "work_start"), ("现技术等级", "qualification_level")),
            (("身份证号码", "id_number"), ("手机", "phone")),
            (("工作单位", "employer"),),
        ),
        sections=(("近4年技能竞赛获奖情况", "competitions"), ("获得荣誉情况", "honors"), ("主要业绩", "text")),
        opinions=(("单位意见", EMPLOYER), ("县（市、区）推荐意见", RECOMMENDER)),
        date_format="%Y年%m月",
    ),
    sheets=(
        SheetLayout(
            "overview_sheet",
            "聊城市首席技师申报人员基本情况一览表",
            (
                ("姓名", "name", 1.0),
                ("性别", "gender", 0.6),
                ("出生年月", "birth_month", 1.1),
                ("身份证号码", "id_number", 2.6),
                ("工作单位", "employer", 3.0),
                ("职业（工种）", "occupation", 1.3),
                ("技术等级", "qualification_level", 1.2),
                ("文化程度", "education", 0.9),
                ("推荐单位", "recommending_unit", 2.4),
            ),
            rect=A3_LANDSCAPE,
            date_format="%Y年%m月",
        ),
    ),
    documents=("recommendation", "overview_sheet", "application_form", "pledge", "deeds", "certificate"),
)

SHIZHONG = PacketLayout(
    profile="shizhong-2020",
    city="枣庄",
    form=FormLayout(
        title="市中首席技师申报表",
        cover_fields=(),
        rows=(
            (("姓名", "name"), ("性别", "gender"), ("出生年月", "birth_month")),
            (("民族", "ethnicity"), ("政治面貌", "political_status"), ("学历", "education")),
            (("参加工作时间", "work_start"), ("职业资格等级", "qualification_level")),
            (("职业（工种）", "occupation"), ("手机", "phone")),
            (("身份证号码", "id_number"),),
            (("所在单位", "employer"),),
        ),
        sections=(("技能竞赛获奖情况", "competitions"), ("获得荣誉情况", "honors"), ("主要技术成果", "text")),
        opinions=(("所在单位意见", EMPLOYER), ("主管部门意见", RECOMMENDER)),
    ),
    sheets=(),
    documents=("application_form", "deeds", "certificate"),
)

CHONGQING = PacketLayout(
    profile="chongqing-bayu",
    city="重庆",
    form=FormLayout(
        title="“巴渝特级技师”申报表",
        cover_fields=(),
        rows=(
            (("姓名", "name"), ("性别", "gender"), ("出生年月", "birth_month")),
            (("民族", "ethnicity"), ("政治面貌", "political_status")),
            (("参加工作时间", "work_start"), ("学历", "education")),
            (("取得职业资格/技能等级证书职业", "occupation"), ("取得职业资格/技能等级证书等级", "qualification_level")),
            (("申请对象称号", "honor_title"), ("联系人及电话", "phone")),
            (("所在单位", "employer"),),
            (("证件类型", "id_type"), ("证件号码", "id_number")),
        ),
        sections=(("工作经历", "experience"), ("主要业绩及获奖情况", "competitions"), ("获得荣誉", "honors")),
        opinions=(
            ("所在单位意见", EMPLOYER),
            ("区县人力社保部门意见", RECOMMENDER),
            ("市级行业主管部门意见", NOBODY),
            ("专家评审意见", NOBODY),
            ("市人力社保局意见", NOBODY),
        ),
        date_format="%Y年%m月",
    ),
    sheets=(),
    documents=("application_form", "id_copy", "deeds"),
)

WENZHOU = PacketLayout(
    profile="wenzhou-7",
    city="温州",
    form=FormLayout(
        title="温州市第七轮首席技师推荐表",
        cover_fields=(
            ("被推荐人姓名", "name"),
            ("工作单位", "employer"),
            ("工种岗位", "occupation"),
            ("推荐单位", "recommending_unit"),
        ),
        rows=(
            (("姓名", "name"), ("性别", "gender"), ("出生年月", "birth_month")),
            (("民族", "ethnicity"), ("文化程度", "education"), ("参加工作时间", "work_start")),
            (("现工种岗位", "occupation"), ("现技术等级", "qualification_level")),
            (("身份证号码", "id_number"), ("手机", "phone")),
            (("工作单位", "employer"),),
        ),
        sections=(("主要技术成果和业绩", "text"), ("技能竞赛获奖情况", "competitions"), ("获得荣誉", "honors")),
        opinions=(("所在单位意见", EMPLOYER), ("推荐单位意见", RECOMMENDER), ("评选办意见", NOBODY)),
    ),
    sheets=(
        SheetLayout(
            "overview_sheet",
            "温州市第七轮首席技师推荐人选情况一览表",
            (
                ("推荐单位", "recommending_unit", 2.2),
                ("姓名", "name", 0.9),
                ("性别", "gender", 0.5),
                ("出生年月", "birth_month", 1.0),
                ("身份证号码", "id_number", 2.4),
                ("工作单位", "employer", 2.6),
                ("工种岗位", "occupation", 1.1),
                ("技术等级", "qualification_level", 1.0),
                ("手机", "phone", 1.4),
            ),
        ),
    ),
    documents=("application_form", "overview_sheet", "deeds", "id_copy", "certificate"),
)

LAYOUTS: dict[str, PacketLayout] = {
    layout.profile: layout for layout in (LUZHOU, LIAOCHENG, SHIZHONG, CHONGQING, WENZHOU)
}
PORTRAIT = A4
