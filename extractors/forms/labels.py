"""The label vocabulary of the forms: which printed label names which field.

Written from the five notices' templates in ``shared/seeds/`` and from the
usual wording of 申报表, 一览表, 汇总表 and certificates; a profile can add its
own labels (``field_labels`` in its TOML file). Labels are matched on their
compacted text (no spaces, full-width brackets and colons unified), so a label
printed with stray spaces or split over two lines of a cell still matches, and
one wrong character in a long label is forgiven.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from extractors.text import compact
from models.text import edit_distance

IGNORED = "_ignored"
"""Key of labels that are known but not read (序号, 照片, 电子信箱 …): they end the value before them."""

APPLICANT_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "被推荐人姓名", "申报人姓名", "申请人姓名", "推荐人选姓名", "候选人姓名"),
    "gender": ("性别",),
    "birth_month": ("出生年月", "出生日期", "出生年月日", "出生时间"),
    "id_number": (
        "个人身份证号",
        "身份证号",
        "身份证号码",
        "证件号码",
        "身份证件号码",
        "公民身份号码",
        "居民身份证号码",
    ),
    "ethnicity": ("民族",),
    "political_status": ("政治面貌",),
    "education": ("文化程度", "学历", "最高学历", "文化程度(学历)"),
    "work_start": ("参工时间", "参加工作时间", "参加工作年月", "参加工作日期"),
    "employer": ("工作单位", "所在单位", "单位名称", "工作单位名称", "所在单位名称"),
    "occupation": (
        "职业(工种)",
        "职业工种",
        "工种",
        "职业",
        "现工种岗位",
        "工种岗位",
        "现从事职业(工种)",
        "从事职业(工种)",
        "申报职业(工种)",
        "取得职业资格/技能等级证书职业",
    ),
    "qualification_level": (
        "职业资格等级",
        "现职业资格等级",
        "现职业资格",
        "取得职业资格等级",
        "现技术等级",
        "技术等级",
        "技能等级",
        "职业技能等级",
        "现有等级",
        "取得职业资格/技能等级证书等级",
        "职业资格/技能等级",
    ),
    "qualification_date": ("取得职业资格时间", "取得时间", "取证时间", "取得等级时间", "发证时间"),
    "phone": ("手机", "手机号码", "联系电话", "个人联系电话", "联系人及电话", "联系方式", "电话"),
    "recommending_unit": ("推荐单位", "推荐单位名称", "推荐部门"),
}
"""Applicant fields (REPORT_FORMAT.md keys) by the labels that name them on forms and summary sheets."""

KNOWN_OTHER_LABELS: tuple[str, ...] = (
    "序号",
    "照片",
    "编号",
    "电子信箱",
    "电子邮箱",
    "邮箱",
    "证件类型",
    "申请对象称号",
    "职务",
    "职称",
    "备注",
    "邮政编码",
    "通讯地址",
    "住址",
    "从事本职业年限",
)
"""Labels that name nothing the report carries; known so their values are not taken for a neighbour's."""

APPRENTICE_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("带徒姓名", "徒弟姓名", "学徒姓名", "姓名"),
    "age": ("年龄",),
    "occupation": ("工种", "职业(工种)", "职业", "工种岗位"),
    "qualification_level": ("现有等级", "技能等级", "职业资格等级", "技术等级", "等级", "现技术等级"),
    "position": ("职务", "岗位", "职务(岗位)"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "phone": ("联系电话", "电话", "手机", "手机号码"),
}
"""Columns of the apprentice sheet (拟带徒情况汇总表)."""

CERTIFICATE_LABELS: dict[str, tuple[str, ...]] = {
    "holder": ("姓名", "持证人", "持证人姓名"),
    "gender": ("性别",),
    "birth_date": ("出生", "出生日期", "出生年月"),
    "id_number": ("身份证号", "身份证号码", "身份证件号码", "证件号码", "公民身份号码"),
    "occupation": ("职业(工种)", "职业名称", "职业", "工种", "职业(工种)名称"),
    "qualification_level": ("职业资格等级", "等级", "技能等级", "资格等级", "职业技能等级"),
    "certificate_number": ("证书编号", "编号", "证书号码"),
    "issue_date": ("发证日期", "发证时间", "颁发日期", "核发日期", "签发日期", "批准日期"),
    "title": ("荣誉称号", "获奖项目", "奖项名称", "专利名称"),
}
"""Fields of a certificate or ID-card copy (``models.report.Certificate`` keys)."""

ID_CARD_OTHER_LABELS = ("民族", "住址", "签发机关", "有效期限")

BOX_LABEL_ENDINGS = ("意见", "签字", "签名", "盖章")
"""Endings of the labels of opinion and signature boxes (所在单位意见, 推荐单位意见 …): known, never a field,
however they begin."""

FUZZY_MIN_LENGTH = 4
"""Labels at least this long match with one wrong character (OCR); shorter ones must be exact."""
LONG_LABEL = 9
"""Labels at least this long match with two wrong characters."""


def label_form(text: str) -> str:
    """Text as labels are compared: compacted, no ``(盖章)`` note, no trailing colon.

    :func:`~extractors.text.compact` already makes brackets, colons and slashes half-width (``（`` -> ``(``,
    ``：`` -> ``:``) and ``【】`` square (``[]``).
    """
    return compact(text).replace("(盖章)", "").rstrip(":")


@dataclass(frozen=True)
class LabelMatch:
    key: str
    label: str
    exact: bool
    rest: str
    """What follows the label in the text (its value, when label and value were read as one)."""


@dataclass(frozen=True)
class Vocabulary:
    """Labels by the key they name; matches whole texts or their beginning."""

    labels: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, *parts: Mapping[str, Iterable[str]], ignored: Iterable[str] = ()) -> Vocabulary:
        """A vocabulary joining ``parts`` (later parts add labels), with ``ignored`` known-but-unread labels."""
        merged: dict[str, list[str]] = {}
        for part in parts:
            for key, labels in part.items():
                merged.setdefault(key, []).extend(label_form(label) for label in labels)
        merged.setdefault(IGNORED, []).extend(label_form(label) for label in ignored)
        return cls({key: tuple(dict.fromkeys(labels)) for key, labels in merged.items()})

    @cached_property
    def _by_length(self) -> list[tuple[str, str]]:
        """(label, key), longest label first, so 身份证号码 is tried before 身份证号 and 现技术等级 before 技术等级."""
        pairs = [(label, key) for key, labels in self.labels.items() for label in labels]
        return sorted(pairs, key=lambda pair: -len(pair[0]))

    @cached_property
    def _exact(self) -> dict[str, str]:
        """The key of each label; where two keys share a label, the first in :attr:`_by_length` order wins."""
        keys: dict[str, str] = {}
        for label, key in self._by_length:
            keys.setdefault(label, key)
        return keys

    def match(self, text: str, *, fuzzy_prefix: bool = False) -> LabelMatch | None:
        """The label ``text`` is (exactly or within OCR error), or starts with (then ``rest`` is the remainder).

        With ``fuzzy_prefix`` a long label also matches the start of the text with one wrong character (a
        header cell whose label a seal's ink garbled: 出生年有专用章).
        """
        form = label_form(text)
        if not form:
            return None
        if form.endswith(BOX_LABEL_ENDINGS):
            return LabelMatch(IGNORED, form, exact=True, rest="")
        exact_key = self._exact.get(form)
        if exact_key is not None:
            return LabelMatch(exact_key, form, exact=True, rest="")
        for label, key in self._by_length:
            if len(label) >= FUZZY_MIN_LENGTH and abs(len(form) - len(label)) <= 1:
                allowed = 2 if len(label) >= LONG_LABEL else 1
                if edit_distance(form, label) <= allowed:
                    return LabelMatch(key, label, exact=False, rest="")
        for label, key in self._by_length:
            if form.startswith(label) and len(form) > len(label):
                rest = form[len(label) :].lstrip(":")
                return LabelMatch(key, label, exact=True, rest=rest)
        if fuzzy_prefix:
            for label, key in self._by_length:
                if len(label) >= FUZZY_MIN_LENGTH and edit_distance(form[: len(label)], label) <= 1:
                    return LabelMatch(key, label, exact=False, rest=form[len(label) :])
        return None

    def find_inside(self, text: str) -> tuple[int, LabelMatch] | None:
        """The first label written inside ``text`` after its first character: (where, the label with the rest)."""
        best: tuple[int, LabelMatch] | None = None
        for label, key in self._by_length:
            position = text.find(label, 1)
            if position > 0 and (best is None or position < best[0]):
                best = (position, LabelMatch(key, label, exact=True, rest=text[position + len(label) :].lstrip(":")))
        return best

    def is_label(self, text: str) -> bool:
        """The whole text is a label of this vocabulary."""
        found = self.match(text)
        return found is not None and not found.rest


APPLICANT_VOCABULARY = Vocabulary.of(APPLICANT_LABELS, ignored=KNOWN_OTHER_LABELS)
APPRENTICE_VOCABULARY = Vocabulary.of(APPRENTICE_LABELS, ignored=("序号", "备注", "性别", "出生年月", "文化程度"))
CERTIFICATE_VOCABULARY = Vocabulary.of(CERTIFICATE_LABELS, ignored=ID_CARD_OTHER_LABELS)
