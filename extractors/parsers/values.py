"""Normalisers for the application form's simple fields (REPORT_FORMAT.md, ``applicant``).

Each takes the text of one cell as read (possibly still carrying its label, ``性别：男``) and returns
the contract's normalised value, or ``None`` when the text does not state one clearly. None of them
guesses: ``男女`` is no gender, ``二级/高级技师`` is no level, an eight-digit number is no phone.
"""

from __future__ import annotations

import re
import unicodedata

from extractors.text import compact
from models.report import QualificationLevel

__all__ = [
    "ETHNIC_GROUPS",
    "normalize_education",
    "normalize_ethnicity",
    "normalize_name",
    "normalize_political_status",
    "normalize_text_value",
    "parse_gender",
    "parse_phone",
    "parse_qualification_level",
    "strip_label",
]

# A short label ending in a colon at the start of a cell: "姓名:", "职业(工种):", "联系电话:".
_LEADING_LABEL = re.compile(r"^[\u4e00-\u9fff()/、·]{1,12}:")  # matched on compacted text: ： is already :


def strip_label(text: str, labels: tuple[str, ...] = ()) -> str:
    """The compacted text without a leading ``label:``, nor one of ``labels`` written without a colon."""
    value = compact(text)
    value = _LEADING_LABEL.sub("", value, count=1)
    for label in sorted(labels, key=len, reverse=True):
        if value.startswith(label) and len(value) > len(label):
            value = value[len(label) :]
            break
    return value.lstrip(":")


def normalize_text_value(text: str) -> str | None:
    """Generic field value: compacted (no spaces, full-width made ASCII), a leading ``label:`` removed.

    ``None`` when nothing is left.
    """
    value = strip_label(text)
    return value or None


# --- gender ------------------------------------------------------------------------------------------------

_MALE_WORDS = re.compile(r"(?<![A-Za-z])(?:M|MALE|Male|male)(?![A-Za-z])")
_FEMALE_WORDS = re.compile(r"(?<![A-Za-z])(?:F|FEMALE|Female|female)(?![A-Za-z])")


_CHECKED = "☑✔✓√■●▇█"
_BOXES = _CHECKED + "□☐○"


def _checked_gender(value: str) -> str | None:
    """The ticked choice of ``☑男 □女`` (box before the word) or ``男☑ 女□`` (box after it)."""
    box_first = value[:1] in _BOXES
    checked = {
        word
        for word in "男女"
        if re.search(f"[{_CHECKED}]{word}" if box_first else f"{word}[{_CHECKED}]", value) is not None
    }
    return checked.pop() if len(checked) == 1 else None


def parse_gender(text: str) -> str | None:
    """``男`` or ``女`` from ``男``, ``男性``, ``性别：女``, ``M``/``F``, ``Male``/``Female``.

    Where a form prints both choices with check boxes (``☑男 □女``, ``男□ 女☑``), the ticked one counts.
    ``None`` when the text states neither, or both (``男女``, a form's unfilled ``男□ 女□``).
    """
    value = strip_label(text, ("性别",))
    male = "男" in value or bool(_MALE_WORDS.search(value))
    female = "女" in value or bool(_FEMALE_WORDS.search(value))
    if male and female:
        return _checked_gender(value)
    if not (male or female):
        return None
    return "男" if male else "女"


# --- phone -------------------------------------------------------------------------------------------------

# Digits with the separators people put inside phone numbers: spaces, dashes, brackets round the area code.
_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s\-()]*\d")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")  # area code 0xx / 0xxx, then 7 or 8 digits
_COUNTRY = "86"


def _phone_digits(candidate: str) -> str | None:
    digits = re.sub(r"\D", "", candidate)
    if digits.startswith("00" + _COUNTRY):
        digits = digits[2:]
    if digits.startswith(_COUNTRY) and len(digits) in (12, 13):
        rest = digits[len(_COUNTRY) :]
        if _MOBILE.fullmatch(rest):
            return rest
        # +86 830 1234567: the trunk 0 of the area code is dropped after the country code.
        return "0" + rest if _LANDLINE.fullmatch("0" + rest) else None
    if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits):
        return digits
    return None


def parse_phone(text: str) -> str | None:
    """The first plausible phone number in the text, digits only.

    A mobile number is 11 digits starting ``1[3-9]``; a landline carries its area code
    (``0830-1234567`` -> ``08301234567``, ``(0830)1234567``). Labels, spaces, dashes and a ``+86``
    prefix are dropped. A local number without its area code, or any other count of digits, is not
    plausible: ``None``.
    """
    normalized = unicodedata.normalize("NFKC", text)
    for match in _PHONE_RUN.finditer(normalized):
        run = match.group(0)
        found = _phone_digits(run)
        if found is not None:
            return found
        # Two numbers written side by side ("13912345678 0830-1234567"): try the space-separated parts.
        for part in re.split(r"\s{1,}|/", run):
            found = _phone_digits(part)
            if found is not None:
                return found
    return None


# --- names -------------------------------------------------------------------------------------------------

_NAME_DOTS = re.compile(r"(?<=[\u4e00-\u9fff])[.·•・‧∙⋅●](?=[\u4e00-\u9fff])")
_HAS_LETTER = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def normalize_name(text: str) -> str | None:
    """A personal name without spaces or label (``姓 名：张 三`` -> ``张三``).

    The middle dot of minority names is kept and written ``·`` whatever dot was typed
    (``阿不都•热合曼`` -> ``阿不都·热合曼``). ``None`` when no name is left.
    """
    value = strip_label(text, ("姓名", "名字", "申报人", "推荐人选"))
    value = _NAME_DOTS.sub("·", value)
    if not _HAS_LETTER.search(value):
        return None
    return value


# --- qualification level -----------------------------------------------------------------------------------

# Longest first, so that 高级技师 is never read as 技师, nor 高级工 as 高级.
_LEVEL_WORDS = re.compile(
    r"特级技师|高级技师|(?<!首席)技师|高级工|中级工|初级工|高级(?!技)|中级|初级"
    r"|(?<![0-9一二三四五六七八九十])([1-5一二三四五])级(?!建|教|律|会计|注册|裁判|运动|职称)"
)
_LEVEL_BY_WORD: dict[str, QualificationLevel] = {
    "特级技师": QualificationLevel.PRINCIPAL_TECHNICIAN,
    "高级技师": QualificationLevel.SENIOR_TECHNICIAN,
    "技师": QualificationLevel.TECHNICIAN,
    "高级工": QualificationLevel.SENIOR,
    "高级": QualificationLevel.SENIOR,
    "中级工": QualificationLevel.INTERMEDIATE,
    "中级": QualificationLevel.INTERMEDIATE,
    "初级工": QualificationLevel.JUNIOR,
    "初级": QualificationLevel.JUNIOR,
}
_LEVEL_BY_GRADE: dict[str, QualificationLevel] = {
    "1": QualificationLevel.SENIOR_TECHNICIAN,
    "2": QualificationLevel.TECHNICIAN,
    "3": QualificationLevel.SENIOR,
    "4": QualificationLevel.INTERMEDIATE,
    "5": QualificationLevel.JUNIOR,
}
_GRADE_NUMERALS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}


def parse_qualification_level(text: str) -> QualificationLevel | None:
    """The vocational qualification level stated in the text.

    The national grades map as the contract says: 五级 / 初级工 / 初级 -> 初级工, 四级 / 中级工 ->
    中级工, 三级 / 高级工 -> 高级工, 二级 / 技师 -> 技师, 一级 / 高级技师 -> 高级技师, and 特级技师 stays.
    Grades may be written with Chinese or Arabic numerals and with their name beside them
    (``二级（技师）``, ``二级/技师``, ``国家职业资格二级``, ``职业资格一级``, ``1级``). ``None`` when no
    level is stated, or when the text states two different ones (``二级/高级技师``).
    """
    value = compact(text)
    levels: set[QualificationLevel] = set()
    for match in _LEVEL_WORDS.finditer(value):
        grade = match.group(1)
        if grade is not None:
            levels.add(_LEVEL_BY_GRADE[_GRADE_NUMERALS.get(grade, grade)])
        else:
            levels.add(_LEVEL_BY_WORD[match.group(0)])
    if len(levels) != 1:
        return None
    return levels.pop()


# --- education, political status -------------------------------------------------------------------------


def normalize_education(text: str) -> str | None:
    """学历 / 文化程度 as written, without spaces or label (``大 专`` -> ``大专``); ``None`` if empty."""
    value = strip_label(text, ("最高学历", "文化程度", "学历"))
    return value or None


def normalize_political_status(text: str) -> str | None:
    """政治面貌 as written, without spaces or label (``中共党员``, ``群众``); ``None`` if empty."""
    value = strip_label(text, ("政治面貌",))
    return value or None


# --- ethnicity ---------------------------------------------------------------------------------------------

ETHNIC_GROUPS: tuple[str, ...] = (
    *("汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族"),
    *("瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族"),
    *("水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族"),
    *("毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族"),
    *("德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族"),
)
"""The 56 officially recognised ethnic groups of China (GB 3304), as written on ID cards plus 族."""

_ETHNICITY_ALIASES: dict[str, str] = {
    **{group: group for group in ETHNIC_GROUPS},
    **{group.removesuffix("族"): group for group in ETHNIC_GROUPS},
    "蒙": "蒙古族",
}


def normalize_ethnicity(text: str) -> str | None:
    """The ethnic group's full name: ``汉`` -> ``汉族``, ``回族`` stays, ``蒙古`` -> ``蒙古族``.

    ``None`` for text that names none of the 56 groups (no group is invented from an unknown word).
    """
    value = strip_label(text, ("民族",))
    return _ETHNICITY_ALIASES.get(value)
