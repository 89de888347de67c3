"""Competition results and honour titles from the 获奖情况 / 荣誉 sections of an application form.

A section holds several entries, one a line, separated by ``；`` or ``。``, numbered (``1、``,
``（2）``, ``③``) or wrapped over lines. :func:`split_entries` cuts it into entries;
:func:`parse_competitions` reads each entry that states a competition result into a
:class:`~models.report.Competition` and :func:`parse_honors` each honour title into a
:class:`~models.report.Honor`. ``raw`` is always the entry as written.

How the text is read
--------------------
A blank spaCy Chinese pipeline segments the entry with jieba (a private jieba dictionary that also
knows the contest, rank and honour words and every full place name of ``stdnum``'s GB/T 2260 table,
so that ``泸州市`` or ``第一名`` stay one token; jieba's HMM guesser is off, so that it does not glue
``年省`` or ``获省`` together), then a :class:`spacy.pipeline.SpanRuler` labels spans:

``YEAR``     ``2016年``, ``2016.05``, ``2016``
``SCOPE``    ``全国``, ``国家级``, ``省级``, ``全市``, ``世界技能大赛`` … (id: the level they state)
``PLACE``    ``四川省``, ``泸州市``, ``凉山州``, ``古蔺县`` … (id: provincial, municipal or county)
``CLASS``    ``国家一类``, ``省级二类``, ``市一类`` (scope and category in one word)
``CATEGORY`` ``一类``, ``第二类``, ``II类``
``CONTEST``  words ending in 大赛, 竞赛, 比赛, 比武, 选拔赛, 锦标赛 …
``RANK``     ``第一名``, ``第12名``, ``前三名``, ``一等奖``, ``金牌``, ``冠军``, ``优秀奖`` …
``HONOR``    the core of an honour title: 技术能手, 劳动模范, 五一劳动奖章, 技能大奖, 特殊津贴, 工匠 …

The spans overlap freely (``世界技能大赛`` is both a SCOPE and a CONTEST). The rules below read them.

Competitions
------------
An entry is a result when it has a RANK and a CONTEST (or, for ``第N名`` / medals, at least a scope
or a place): a science prize (``科技进步一等奖``) is not a competition. Ranks: 第N名 up to 99 in either
numeral script, 前N名 -> N, 一/二/三等奖, 金/银/铜牌 or 奖, 冠/亚/季军, 特等奖 -> 1; 优秀奖, 优胜奖, 鼓励奖
and 纪念奖 are results without a rank (``rank`` None). ``第二届`` is an edition, never a rank. Where an
entry names a team and an individual place, the individual one is taken.

*scope*: an explicit level word (``国家级``, ``省级``, ``市级``, or the scope of a CLASS label) wins;
otherwise the most specific level named in the contest's name (``全国…四川省选拔赛`` is provincial,
``四川省泸州市…`` municipal). The provincial-level municipalities (北京市, 天津市, 上海市, 重庆市) are
provincial. County and district level (``区级``, ``县级``, ``古蔺县``, ``江阳区``, county-level cities such
as ``乐清市``) gives ``None``: the notices rank only national, provincial and municipal results, and
calling a county contest municipal would over-credit it. A company's own contest (公司, 集团, 厂)
without an explicit level also gives ``None``.

*category*: only where stated (一类 / 二类, 国家一类, 省级二类 …).

*year*: the first year written in the entry (never an edition ``第45届``, never a month).

*event*: the text between the contest's name (and a bracketed label after it) and the rank, without
the words 项目 / 比赛 / 决赛 / 赛项 / 组 / 个人 around it; failing that, an occupation in that bracket
(``职业技能大赛（焊工）``); failing that, the occupation named inside the contest's name
(``泸州市首届焊工技能大赛`` -> 焊工) once places, levels, editions, cups, organisers and the words
职工 / 职业 / 技能 are taken away (an industry, ``电力行业``, is no event); failing that, a bracket after
the rank (``一等奖（钳工项目）``). Without a contest word, the text between the last level word and the
rank (``四川省焊工第一名``). ``None`` when nothing is left.

Honours
-------
A HONOR span is widened to the left over the place, level or organisation words before it
(``四川省`` + ``技术能手``, ``全国`` + ``五一劳动奖章``, ``泸州`` + ``工匠``) up to a year, a verb (荣获, 获得,
被授予, 评为 …), an edition, a punctuation mark or the quote that opens a quoted title, and to the
right over ``专家`` (国务院特殊津贴专家).
So the title is the one written, open to any place or organisation, not a closed list. Quotes and
称号 / 荣誉称号 are not part of it. A core followed by 选拔赛, 评选, 申报, 工作室 … is not a title. The
year is the nearest one written before the title in the entry, else the first one after it
(``全国技术能手（2009年）``).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from extractors.parsers.dates import chinese_date_numerals, chinese_numeral_value, parse_year
from extractors.parsers.values import ETHNIC_GROUPS
from extractors.text import normalize_text
from models.report import Competition, CompetitionCategory, Honor, Scope

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["build_pipeline", "parse_competitions", "parse_honors", "split_entries"]

SPANS_KEY = "dossier_parsers"

# --- levels ------------------------------------------------------------------------------------------------

WORLD = "world"
NATIONAL = "national"
PROVINCIAL = "provincial"
MUNICIPAL = "municipal"
COUNTY = "county"
_SPECIFICITY = (WORLD, NATIONAL, PROVINCIAL, MUNICIPAL, COUNTY)
"""Levels from the widest to the narrowest; a contest's name is as narrow as its narrowest place."""
_SCOPES: dict[str, Scope] = {
    WORLD: Scope.WORLD,
    NATIONAL: Scope.NATIONAL,
    PROVINCIAL: Scope.PROVINCIAL,
    MUNICIPAL: Scope.MUNICIPAL,
}

# Level words, with whether they are an explicit statement of the contest's level (国家级) or a place-like
# word inside a contest's name (全国).
_SCOPE_WORDS: dict[str, tuple[str, bool]] = {
    **dict.fromkeys(("世界技能大赛", "世赛"), (WORLD, False)),
    **dict.fromkeys(("世界", "国际", "国际性", "国际级"), (WORLD, False)),
    **dict.fromkeys(("全国", "全国性", "中国技能大赛", "国赛", "国家"), (NATIONAL, False)),
    **dict.fromkeys(("国家级", "部级", "中央企业", "央企"), (NATIONAL, True)),
    **dict.fromkeys(("全省", "省赛", "省", "自治区"), (PROVINCIAL, False)),
    **dict.fromkeys(("省级", "省部级"), (PROVINCIAL, True)),
    **dict.fromkeys(("全市", "市赛", "市", "州"), (MUNICIPAL, False)),
    **dict.fromkeys(("市级", "地市级", "地级", "州级", "市州级"), (MUNICIPAL, True)),
    **dict.fromkeys(("全县", "县"), (COUNTY, False)),
    **dict.fromkeys(("县级", "区级", "区县级", "县区级", "县市级"), (COUNTY, True)),
}
_CLASS_LEVELS: dict[str, str] = {
    "国家级": NATIONAL,
    "国家": NATIONAL,
    "省部级": PROVINCIAL,
    "省级": PROVINCIAL,
    "省": PROVINCIAL,
    "地市级": MUNICIPAL,
    "市级": MUNICIPAL,
    "市": MUNICIPAL,
}
_CATEGORY_NUMERALS: dict[str, CompetitionCategory] = {
    **dict.fromkeys(("一", "1", "I"), CompetitionCategory.CLASS1),
    **dict.fromkeys(("二", "2", "II"), CompetitionCategory.CLASS2),
}
_CLASS_WORD = re.compile(r"^(国家级|国家|省部级|省级|省|地市级|市级|市)(一|二|1|2|II|I)类")
_CATEGORY_WORD = re.compile(r"(?:^|第)(一|二|1|2|II|I)类")

# --- the gazetteer -----------------------------------------------------------------------------------------

_PROVINCE_ALIASES: dict[str, str] = {
    "齐鲁": "山东",
    "巴渝": "重庆",
    "巴蜀": "四川",
    "天府": "四川",
    "三秦": "陕西",
    "燕赵": "河北",
    "荆楚": "湖北",
    "三湘": "湖南",
    "八闽": "福建",
    "龙江": "黑龙江",
    "中原": "河南",
    "江淮": "安徽",
    "八桂": "广西",
    "陇原": "甘肃",
    "三晋": "山西",
    "黔": "贵州",
}
"""Literary names of provinces used in provincial honour titles (齐鲁工匠, 巴渝工匠) and contest names."""

# Region-table entries that are administrative groupings, not places anyone writes.
_GENERIC_PLACES = frozenset(
    ("市辖区", "市区", "郊区", "城区", "矿区", "县", "东区", "西区", "南区", "北区", "中区", "新区", "特区", "林区")
)
_ETHNIC_STEMS = tuple(sorted({group.removesuffix("族") for group in ETHNIC_GROUPS} | {"维吾尔"}, key=len, reverse=True))
_LOC_LINE = re.compile(r'^(\s*)(\d+)\s+(province|county)="([^"]*)"')
_YEARS_PREFIX = re.compile(r"^\[[^\]]*\]")
_TRADITIONAL = str.maketrans({"別": "别", "區": "区", "門": "门"})


@dataclass(frozen=True)
class Gazetteer:
    """Place names by level, from the GB/T 2260 table that ships with ``stdnum.cn`` (all years)."""

    provinces: frozenset[str]
    prefectures: frozenset[str]
    counties: frozenset[str]

    def all_names(self) -> frozenset[str]:
        """Every name of every level."""
        return self.provinces | self.prefectures | self.counties

    def level(self, name: str) -> str | None:
        """``provincial``, ``municipal``, ``county`` or None (a province's name wins over a city's)."""
        if name in self.provinces:
            return PROVINCIAL
        if name in self.prefectures:
            return MUNICIPAL
        if name in self.counties:
            return COUNTY
        return None


def _province_short(name: str) -> str:
    for suffix in ("特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            break
    for stem in _ETHNIC_STEMS:
        if name.endswith(stem + "族"):
            return name.removesuffix(stem + "族")
        if name.endswith(stem) and len(name) > len(stem) + 1:
            return name.removesuffix(stem)
    return name


def _prefecture_short_forms(name: str) -> list[str]:
    """泸州市 -> 泸州; 凉山彝族自治州 -> 凉山州; 黔东南苗族侗族自治州 -> 黔东南州."""
    if name.endswith("自治州"):
        positions = [name.find(stem) for stem in _ETHNIC_STEMS if name.find(stem) > 0]
        return [name[: min(positions)] + "州"] if positions else []
    if name.endswith("市") and len(name) >= 3:
        return [name.removesuffix("市")]
    return []


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The place names of ``stdnum``'s region table (``stdnum/cn/loc.dat``), read once."""
    text = (resources.files("stdnum.cn") / "loc.dat").read_text(encoding="utf-8")
    provinces: set[str] = set()
    prefectures: set[str] = set()
    counties: set[str] = set()
    for line in text.splitlines():
        match = _LOC_LINE.match(line)
        if match is None:
            continue
        _indent, code, kind, names = match.groups()
        for entry in names.split(","):
            name = _YEARS_PREFIX.sub("", entry).strip().translate(_TRADITIONAL)
            if not name or name in _GENERIC_PLACES or "直辖" in name or "行政区划" in name:
                continue
            if kind == "province":
                provinces.update((name, _province_short(name)))
            elif code.endswith("00") and code != "0000":
                prefectures.update((name, *_prefecture_short_forms(name)))
            elif code != "0000":
                counties.add(name)
    provinces.update(_PROVINCE_ALIASES)
    prefectures -= provinces
    counties -= provinces | prefectures
    return Gazetteer(frozenset(provinces), frozenset(prefectures), frozenset(counties))


# --- vocabulary --------------------------------------------------------------------------------------------

_NUMERAL = r"[0-9一二三四五六七八九十两]"
_STRONG_CONTEST = r"(?:大赛|竞赛|技能赛|技术比赛|技能比赛|比武|选拔赛|锦标赛|邀请赛|擂台赛|大奖赛|技能赛事)"
_WEAK_CONTEST = r"(?:比赛|决赛|总决赛|复赛|初赛|赛)"
_CONTEST_TOKEN = re.compile(rf"(?:{_STRONG_CONTEST}|{_WEAK_CONTEST})$")
_STRONG_TOKEN = re.compile(rf"{_STRONG_CONTEST}$")

HONOR_CORES: tuple[str, ...] = (
    *("技术能手", "劳动模范", "劳模", "五一劳动奖章", "劳动奖章", "五一奖章", "技能大奖", "特殊津贴"),
    *("突出贡献技师", "首席技师", "技能大师", "岗位能手", "优秀共产党员", "先进工作者", "工匠", "技术标兵"),
    *("岗位标兵", "技能标兵", "技术状元", "五四青年奖章", "青年五四奖章", "三八红旗手", "巾帼建功标兵"),
    *("先进个人", "优秀技能人才", "技能人才", "青年突击手", "最美职工", "拔尖人才", "技术带头人", "中青年专家"),
    *("技术创新能手", "创新能手", "技术骨干", "技能明星", "技术明星", "首席员工", "劳动奖状", "领军人才"),
)
"""Words an honour title ends with; the place, level or organisation before them is read from the text."""
_HONOR_TOKEN = re.compile("(?:" + "|".join(sorted(HONOR_CORES, key=len, reverse=True)) + ")$")
# What may follow a core word when it is not a title: a contest, a selection, a studio, a spirit.
_NOT_A_TITLE_AFTER = re.compile(
    r"^(?:选拔|竞赛|大赛|比赛|评选|评审|候选|推荐|申报|人选|培育|培养|精神|工作室|称号评|技能竞赛|实训|学院|杯)"
)


def _chinese_number(number: int) -> str:
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else "一二三四五六七八九"[tens - 1] + "十")
    return head + ("" if units == 0 else "一二三四五六七八九"[units - 1])


_RANK_WORDS = (
    *(f"{word}{number}名" for word in "第前" for number in range(1, 100)),
    *(f"{word}{_chinese_number(number)}名" for word in "第前" for number in range(1, 100)),
    *("一等奖", "二等奖", "三等奖", "特等奖", "金牌", "银牌", "铜牌"),
    *("金奖", "银奖", "铜奖", "冠军", "亚军", "季军", "优秀奖", "优胜奖", "鼓励奖", "纪念奖"),
)
_DOMAIN_WORDS = (
    *_RANK_WORDS,
    *("职业技能大赛", "职业技能竞赛", "技能大赛", "技能竞赛", "世界技能大赛", "中国技能大赛", "技术比武"),
    *("技能比武", "选拔赛", "国家一类", "国家二类", "省级一类", "省级二类", "市级一类", "市级二类"),
    *("国家级", "省级", "市级", "一类", "二类", "荣誉称号", "被授予", "被评为", "中央企业"),
    *HONOR_CORES,
)


def _rank_patterns() -> list[dict[str, Any]]:
    """RANK spans. jieba sometimes glues 第 to the word before it (化学检验工第1名 -> 检验 / 工第 / 1 / 名), so
    the patterns accept a token that ends in 第 or 前; :func:`_rank_start` finds where the rank begins."""
    number = {"REGEX": rf"^{_NUMERAL}{{1,3}}$"}
    ordinal = {"REGEX": r"[第前]$"}
    return [
        {"label": "RANK", "pattern": [{"TEXT": {"REGEX": rf"[第前]{_NUMERAL}{{1,3}}名$"}}]},
        {"label": "RANK", "pattern": [{"TEXT": ordinal}, {"TEXT": number}, {"TEXT": "名"}]},
        {"label": "RANK", "pattern": [{"TEXT": ordinal}, {"TEXT": {"REGEX": rf"^{_NUMERAL}{{1,3}}名$"}}]},
        {"label": "RANK", "pattern": [{"TEXT": {"REGEX": rf"[第前]{_NUMERAL}{{1,3}}$"}}, {"TEXT": "名"}]},
        {"label": "RANK", "pattern": [{"TEXT": {"REGEX": r"^(?:个人|团体)?[一二三123特]等奖$"}}]},
        {"label": "RANK", "pattern": [{"TEXT": {"REGEX": r"^[一二三123特]$"}}, {"TEXT": {"IN": ["等奖", "等"]}}]},
        {"label": "RANK", "pattern": [{"TEXT": {"REGEX": r"^(?:金|银|铜)(?:牌|奖)$|^(?:冠|亚|季)军$"}}]},
        {"label": "RANK", "pattern": [{"TEXT": {"IN": ["金", "银", "铜"]}}, {"TEXT": {"IN": ["牌", "奖"]}}]},
        {"label": "RANK", "pattern": [{"TEXT": {"REGEX": r"^(?:优秀|优胜|鼓励|纪念)奖$"}}]},
    ]


def _patterns(places: Gazetteer) -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = [
        {"label": "YEAR", "pattern": [{"TEXT": {"REGEX": r"^(?:19|20)\d{2}(?:[./\-]\d{1,2}){0,2}$"}}]},
        {"label": "YEAR", "pattern": [{"TEXT": {"REGEX": r"^(?:19|20)\d{2}年度?$"}}]},
        {"label": "YEAR", "pattern": [{"TEXT": {"REGEX": r"^(?:19|20)\d{2}$"}}, {"TEXT": {"IN": ["年", "年度"]}}]},
        {"label": "YEAR", "pattern": [{"TEXT": {"REGEX": r"^\d{2}$"}}, {"TEXT": {"IN": ["年", "年度"]}}]},
        {"label": "CONTEST", "pattern": [{"TEXT": {"REGEX": _CONTEST_TOKEN.pattern}}]},
        {"label": "CLASS", "pattern": [{"TEXT": {"REGEX": _CLASS_WORD.pattern + r"(?:竞赛|大赛|赛事)?$"}}]},
        {
            "label": "CLASS",
            "pattern": [{"TEXT": {"IN": list(_CLASS_LEVELS)}}, {"TEXT": {"REGEX": r"^(?:一|二|1|2|II|I)类"}}],
        },
        {"label": "CATEGORY", "pattern": [{"TEXT": {"REGEX": r"^第?(?:一|二|1|2|II|I)类(?:竞赛|大赛|赛事)?$"}}]},
        {"label": "CATEGORY", "pattern": [{"TEXT": {"IN": ["一", "二", "1", "2", "I", "II"]}}, {"TEXT": "类"}]},
        {"label": "HONOR", "pattern": [{"TEXT": {"REGEX": _HONOR_TOKEN.pattern}}]},
        *({"label": "HONOR", "pattern": core} for core in HONOR_CORES),
        *_rank_patterns(),
    ]
    for word, (level, _explicit) in _SCOPE_WORDS.items():
        patterns.append({"label": "SCOPE", "pattern": [{"TEXT": word}], "id": level})
    for names, level in (
        (places.provinces, PROVINCIAL),
        (places.prefectures, MUNICIPAL),
        (places.counties, COUNTY),
    ):
        # Full place names are jieba words (one token each); short ones (泸州, 四川) are in jieba's dictionary.
        patterns.append({"label": "PLACE", "pattern": [{"TEXT": {"IN": sorted(names)}}], "id": level})
    # Places the table does not know (a new city, an OCR variant): by their suffix.
    patterns.append({"label": "PLACE", "pattern": [{"TEXT": {"REGEX": r"^[\u4e00-\u9fff]{2,8}(?:市|州)$"}}], "id": ""})
    patterns.append({"label": "PLACE", "pattern": [{"TEXT": {"REGEX": r"^[\u4e00-\u9fff]{2,8}县$"}}], "id": COUNTY})
    return patterns


_USER_WORD_FREQ = 100_000
"""jieba frequency of the domain words and full place names: high enough that they are always one token."""


class _DictionarySegmenter:
    """jieba's dictionary segmentation without its HMM guesser, in the shape spaCy calls (``cut(text, cut_all)``).

    The HMM glues unknown character pairs into new words (``2013年省第五届`` -> ``年省``, ``获省一类`` ->
    ``获省``), which would hide the single-character level words 省 / 市 / 县 from the span ruler. Without it,
    text outside the dictionary falls apart into single characters, which the rules read just as well.
    """

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer

    def cut(self, text: str, cut_all: bool = False) -> Any:
        """The words of ``text`` (a generator, as jieba's own ``cut``)."""
        return self._tokenizer.cut(text, cut_all=cut_all, HMM=False)


def _segmenter() -> _DictionarySegmenter:
    """A private jieba tokenizer: the default dictionary (copied from the one spaCy has loaded) plus our words.

    Copying the loaded dictionary instead of loading it again halves the start-up time; the process-wide
    ``jieba`` dictionary is left untouched, so other users of jieba segment as before.
    """
    import jieba

    jieba.dt.check_initialized()
    segmenter = jieba.Tokenizer()
    segmenter.FREQ = dict(jieba.dt.FREQ)
    segmenter.total = jieba.dt.total
    segmenter.initialized = True
    places = gazetteer()
    full_names = (name for name in places.all_names() if name.endswith(("省", "市", "州", "县", "区", "盟", "旗")))
    for word in (*_DOMAIN_WORDS, *full_names):
        if len(word) > 1:
            segmenter.add_word(word, freq=_USER_WORD_FREQ)
    return _DictionarySegmenter(segmenter)


@functools.lru_cache(maxsize=1)
def build_pipeline() -> Language:
    """The blank Chinese spaCy pipeline with jieba and the span ruler, built once and cached (about 1 s).

    jieba gets a private tokenizer that also knows the domain words and the full place names (see
    :func:`_segmenter`); its start-up chatter on the ``jieba`` logger is silenced. spaCy is imported here, not
    at module load, so that importing the parsers does not pay for it.
    """
    import jieba
    import spacy
    from spacy.lang.zh import ChineseTokenizer
    from spacy.pipeline import SpanRuler

    jieba.setLogLevel(logging.WARNING)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    tokenizer = nlp.tokenizer
    if not isinstance(tokenizer, ChineseTokenizer):
        raise TypeError(f"expected spaCy's ChineseTokenizer, got {type(tokenizer).__name__}")
    tokenizer.jieba_seg = _segmenter()
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": SPANS_KEY, "overwrite": True})
    if not isinstance(ruler, SpanRuler):
        raise TypeError(f"expected a SpanRuler, got {type(ruler).__name__}")
    ruler.add_patterns(_patterns(gazetteer()))
    return nlp


# --- entries -----------------------------------------------------------------------------------------------

_MARKER = r"(?:\d{1,2}\s*[、.．)）]|[(（]\s*\d{1,2}\s*[)）]|[①-⑳]|[一二三四五六七八九十]{1,2}\s*、|[•·●▪◆■*]\s*|-\s+)"
_LEADING_MARKER = re.compile(rf"^\s*{_MARKER}\s*")
_MID_MARKER = re.compile(r"(?<=\s)(?=(?:\d{1,2}[、)）]|[(（]\d{1,2}[)）])\D)|(?=[①-⑳])")
_ENTRY_START = re.compile(
    rf"^\s*(?:{_MARKER}|(?:19|20)\d{{2}}|[〇零○一二三四五六七八九]{{4}}年|\d{{2}}年|获|荣获|曾获|被|在|于|参加)"
)
_COMPLETE_END = re.compile(r"(?:名|奖|牌|军|手|范|模|章|贴|匠|员|者|号|家|兵|才|星|状|师|元|[:：；;。]|年[)）])\s*$")
_CONTINUATION = re.compile(
    rf"^\s*(?:第?{_NUMERAL}+名|前{_NUMERAL}+名|[一二三]等奖|[金银铜][牌奖]|[冠亚季]军|项目|比赛|决赛|称号|荣誉称号|[)）])"
)
_STRONG_SEPARATORS = re.compile(r"[；;。]+")
_YEAR_AFTER_COMMA = re.compile(r"[,，]\s*(?=(?:19|20)\d{2}\s*(?:年|[./\-]\d))")
_EMPTY = re.compile(r"^(?:无|暂无|没有|空|/|-+|—+|略)?$")
_TRIM = re.compile(r"^[\s,，、:：;；。]+|[\s,，、:：;；。]+$")  # \s: also the full-width space typed after ；


def _join(previous: str, line: str) -> str:
    glue = " " if previous[-1:].isascii() and previous[-1:].isalnum() and line[:1].isascii() else ""
    return previous + glue + line


def split_entries(text: str) -> list[str]:
    """The entries of a section, each stripped of its numbering and surrounding punctuation.

    A new entry starts on a new line that starts like one (a year, a number, 获 / 荣获 / 被 …) or that
    follows a line that ends like a complete entry (a rank, a title, a colon); any other line continues
    the entry above it (a wrapped line). Entries are further cut at ``；`` ``;`` ``。``, at numbering
    inside a line (``… ②…``) and at a comma followed by a year (``…第一名，2017年…``). Empty entries and
    ``无`` / ``暂无`` are dropped.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    merged: list[str] = []
    for line in lines:
        starts = bool(_ENTRY_START.match(line))
        continues = (not _COMPLETE_END.search(merged[-1]) or bool(_CONTINUATION.match(line))) if merged else False
        if merged and not starts and continues:
            merged[-1] = _join(merged[-1], line)
        else:
            merged.append(line)
    entries: list[str] = []
    for line in merged:
        for piece in _STRONG_SEPARATORS.split(line):
            for part in _MID_MARKER.split(piece):
                for entry in _YEAR_AFTER_COMMA.split(part):
                    entry = _TRIM.sub("", _LEADING_MARKER.sub("", entry))
                    if not _EMPTY.match(entry):
                        entries.append(entry)
    return entries


# --- reading an entry --------------------------------------------------------------------------------------

_OPENING_QUOTES = "“‘「『《〈\"'"
_CLOSING_QUOTES = "”’」』》〉"
_QUOTES = str.maketrans(dict.fromkeys(_OPENING_QUOTES + _CLOSING_QUOTES, None))


@dataclass(frozen=True)
class _Mark:
    """One labelled span, in character offsets of the prepared text."""

    label: str
    id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Entry:
    raw: str
    text: str
    doc: Doc
    marks: tuple[_Mark, ...]

    def of(self, label: str, start: int = 0, end: int | None = None) -> list[_Mark]:
        """The marks of one label lying within [start, end)."""
        stop = len(self.text) if end is None else end
        return [mark for mark in self.marks if mark.label == label and mark.start >= start and mark.end <= stop]


def _prepare(raw: str) -> str:
    """The text the rules read: normalised (full-width to ASCII), date numerals as digits; quotes are kept."""
    return chinese_date_numerals(normalize_text(raw))


def _read(raw: str) -> _Entry:
    text = _prepare(raw)
    doc = build_pipeline()(text)
    marks = sorted(
        (
            _Mark(span.label_, span.id_, span.start_char, span.end_char, span.text)
            for span in doc.spans.get(SPANS_KEY, [])
        ),
        key=lambda mark: (mark.start, -mark.end),
    )
    return _Entry(raw, text, doc, tuple(marks))


def _entries(text: str) -> list[_Entry]:
    return [_read(entry) for entry in split_entries(text)]


# --- competitions ------------------------------------------------------------------------------------------

_PLACE_STOPWORDS = frozenset(("城市", "全市", "本市", "该市", "各市", "超市", "都市", "省市", "门市", "股市", "外州"))
_ORGANISATION = re.compile(r"公司|集团|有限|厂|车间|分局|矿务局")
_TEAM = "团体"
_RANK_NUMBER = re.compile(rf"[第前]({_NUMERAL}{{1,3}})名?")
_MEDALS = {"金": 1, "银": 2, "铜": 3, "冠": 1, "亚": 2, "季": 3, "特": 1}
_PRIZE = re.compile(r"([一二三123])等")
_NO_RANK = re.compile(r"(?:优秀|优胜|鼓励|纪念)奖")
_MAX_RANK = 99


def _rank_value(text: str) -> int | None:
    """第一名 -> 1, 第12名 -> 12, 前三名 -> 3, 二等奖 -> 2, 银牌 -> 2, 季军 -> 3; 优秀奖 -> None."""
    if _NO_RANK.search(text):
        return None
    match = _RANK_NUMBER.search(text)
    if match is not None:
        value = chinese_numeral_value(match.group(1))
        return value if value is not None and 1 <= value <= _MAX_RANK else None
    prize = _PRIZE.search(text)
    if prize is not None:
        return chinese_numeral_value(prize.group(1))
    for word, value in _MEDALS.items():
        if word in text:
            return value
    return None


def _is_prize(text: str) -> bool:
    """Ranks that any award has (一等奖, 优秀奖), which need a contest word to be a competition result."""
    return "奖" in text and not any(metal in text for metal in "金银铜")


def _rank_start(mark: _Mark) -> int:
    """Where the rank itself begins inside a RANK span (after a glued word: 工第1名 -> 第1名)."""
    match = _RANK_NUMBER.search(mark.text)
    return mark.start + match.start() if match is not None else mark.start


def _choose_rank(entry: _Entry) -> _Mark | None:
    """The first individual rank (团体第一名 only where no other is written)."""
    ranks = entry.of("RANK")
    individual = [
        mark for mark in ranks if entry.text[max(0, _rank_start(mark) - len(_TEAM)) : _rank_start(mark)] != _TEAM
    ]
    individual = [mark for mark in individual if not mark.text.startswith(_TEAM)]
    if individual:
        return individual[0]
    return ranks[0] if ranks else None


def _main_contest(entry: _Entry, before: int) -> _Mark | None:
    """The contest word that closes the contest's name: the last strong one before the rank."""
    contests = entry.of("CONTEST", 0, before)
    strong = [mark for mark in contests if _STRONG_TOKEN.search(mark.text)]
    if strong:
        return strong[-1]
    return contests[0] if contests else None


def _after_label(text: str, position: int, limit: int) -> int:
    """Skip a bracketed label right after the contest's name: （国家一类）, (省级二类)."""
    match = re.match(r"\s*\([^()]{0,20}\)", text[position:limit])
    return position + match.end() if match else position


def _place_level(mark: _Mark) -> str | None:
    if mark.label == "PLACE" and mark.text in _PLACE_STOPWORDS:
        return None
    if mark.id:
        return mark.id
    # A place by its suffix only (not in the table): a 州 or a 市 is read as prefecture-level.
    return MUNICIPAL


def _scope(entry: _Entry, region_end: int) -> Scope | None:
    """A class label's or explicit level word's scope, else the narrowest level named in the contest's name."""
    explicit: list[str] = []
    named: list[str] = []
    places: dict[tuple[int, int], str | None] = {}
    for mark in entry.marks:
        if mark.label == "CLASS":  # a class label states the level wherever it stands
            match = _CLASS_WORD.match(mark.text.replace(" ", ""))
            if match is not None:
                explicit.append(_CLASS_LEVELS[match.group(1)])
            continue
        if mark.end > region_end:
            continue
        if mark.label == "SCOPE":
            level, is_explicit = _SCOPE_WORDS[mark.text]
            (explicit if is_explicit else named).append(level)
        elif mark.label == "PLACE" and (places.get((mark.start, mark.end)) is None or mark.id):
            # The table's level wins over the level guessed from the suffix for the same words.
            places[mark.start, mark.end] = _place_level(mark)
    named.extend(level for level in places.values() if level is not None)
    if explicit:
        return _SCOPES.get(explicit[-1])
    if _ORGANISATION.search(entry.text[:region_end]):
        return None
    if not named:
        return None
    narrowest = max(named, key=_SPECIFICITY.index)
    return _SCOPES.get(narrowest)


def _category(entry: _Entry) -> CompetitionCategory | None:
    """一类 / 二类 wherever the entry states it (before or after the rank)."""
    for mark in entry.marks:
        if mark.label not in ("CLASS", "CATEGORY"):
            continue
        match = re.search(r"(一|二|1|2|II|I)类", mark.text.replace(" ", ""))
        if match is not None:
            return _CATEGORY_NUMERALS[match.group(1)]
    return None


def _year(entry: _Entry) -> int | None:
    """The first year the entry writes (16年 only at the entry's start)."""
    for mark in entry.of("YEAR"):
        if len(re.sub(r"\D", "", mark.text)) == 2 and entry.text[: mark.start].strip():
            continue  # 16年 is a year only where the entry starts with it
        year = parse_year(mark.text)
        if year is not None:
            return year
    return None


_EVENT_LEAD = re.compile(
    r"^(?:[-\s,:、|/]|年度?|[中上里](?=[获荣取夺摘勇斩,])|的|在|并|决赛|总决赛|复赛|初赛|比赛|赛区|获得了?|荣获了?|获|取得|夺得|摘得|勇夺|荣膺|斩获|中获|中荣获|"
    r"(?:职工|学生|教师|中职|高职|青年|企业|成人|青工|社会|公开|女子|男子|职业|专业)组)+"
)
_EVENT_TAIL = re.compile(
    r"(?:[-\s,:、|/]|项目|赛项|比赛|决赛|总决赛|复赛|初赛|竞赛|大赛|个人赛|团体赛|个人|团体|工种|专业|单项|"
    r"(?:职工|学生|教师|中职|高职|青年|企业|成人|青工|社会|公开|女子|男子|职业|专业)?组|"
    r"中|获|荣获|获得|取得|并|的|第|名列|荣获了|获得了|成绩|比赛中)+$"
)
_NOT_AN_EVENT = re.compile(rf"{_STRONG_CONTEST}|{_NUMERAL}名|等奖|^\d+$|届")
# Inside a contest's name, what stands before the occupation: an edition, a cup, an organiser.
_INNER_CUT = re.compile(
    r".*(?:[”’」』》〉]|第[0-9一二三四五六七八九十百]+届|首届|年度|杯|公司|集团|厂|局|工会|协会|学会|委员会|系统|举办的|组织的|--)"
)
_INNER_HEAD = re.compile(r"^(?:职工|职业|青年|农民工|青工|中国|全国|首届|[-\s])+")
_INNER_TAIL = re.compile(r"(?:职业技能|技能|技术|职工|职业|岗位|[-\s])+$")
_INDUSTRY = re.compile(r"行业$|系统$|院校$")
_INNER_START = re.compile(r".*(?:荣获|获得|获|参加|在|于|[,:;、\s])")
_MAX_EVENT = 20


_LEVEL_LABELS = ("PLACE", "SCOPE", "CLASS", "CATEGORY", "YEAR")


def _clean_event(text: str) -> str | None:
    """The event named by a stretch of text, without the verbs, markers and labels around it, or None."""
    text = re.sub(r"\([^()]*\)", "", text.translate(_QUOTES))
    previous = None
    while previous != text:
        previous = text
        text = _EVENT_LEAD.sub("", text)
        text = _EVENT_TAIL.sub("", text)
    if not text or len(text) > _MAX_EVENT or _NOT_AN_EVENT.search(text):
        return None
    return text


def _inner_event(entry: _Entry, contest: _Mark) -> str | None:
    """The occupation named inside the contest's name: 泸州市首届焊工技能大赛 -> 焊工.

    What follows the last place, level or year word and the last edition, cup or organiser in the name,
    without 职工 / 职业 / 技能 around it; an industry (电力行业) is not an event.
    """
    start = 0
    for mark in entry.marks:
        if mark.label in (*_LEVEL_LABELS, "CONTEST") and mark.end <= contest.start:
            start = max(start, mark.end)
    head = entry.text[start : contest.start]
    lead = _INNER_START.match(head)
    name = head[lead.end() :] if lead else head
    cut = _INNER_CUT.match(name)
    if cut is not None:
        name = name[cut.end() :]
    name = _INNER_TAIL.sub("", _INNER_HEAD.sub("", name))
    if not name or _INDUSTRY.search(name):
        return None
    return _clean_event(name)


def _label_event(entry: _Entry, contest: _Mark, region_end: int) -> str | None:
    """An occupation in the bracket after the contest's name (职工职业技能大赛（焊工）), not a level label."""
    if region_end == contest.end or any(entry.of(label, contest.end, region_end) for label in _LEVEL_LABELS):
        return None
    inside = entry.text[contest.end : region_end].strip().removeprefix("(").removesuffix(")")
    return None if "类" in inside else _clean_event(inside)


def _event(entry: _Entry, contest: _Mark | None, region_end: int, rank: _Mark) -> str | None:
    """The event: after the contest's name, else in its label or inside it, else in a bracket after the rank."""
    rank_start = _rank_start(rank)
    if contest is not None and region_end <= rank_start:
        for event in (
            _clean_event(entry.text[region_end:rank_start]),
            _label_event(entry, contest, region_end),
            _inner_event(entry, contest),
        ):
            if event is not None:
                return event
    if contest is None:
        # No contest word (2016年四川省焊工第一名): what stands between the last level word and the rank.
        level_end = max(
            (mark.end for mark in entry.marks if mark.label in _LEVEL_LABELS and mark.end <= rank_start), default=0
        )
        event = _clean_event(entry.text[level_end:rank_start]) if level_end else None
        if event is not None:
            return event
    after = re.match(r"\s*\(([^()]{1,20})\)", entry.text[rank.end :])
    return _clean_event(after.group(1)) if after else None


def _competition(entry: _Entry) -> Competition | None:
    """The result an entry states, or None.

    A rank is needed, and a contest word; a place or level word is enough for 第N名 and medals, but
    not for 一等奖 / 优秀奖, which any award has. Where the contest is named only after the rank
    (``第一名（2016年泸州市技能大赛）``) the whole entry is the contest's region.
    """
    rank = _choose_rank(entry)
    if rank is None:
        return None
    has_contest = bool(entry.of("CONTEST"))
    has_level = any(entry.of(label) for label in ("SCOPE", "PLACE", "CLASS"))
    if not has_contest and (_is_prize(rank.text) or not has_level):
        return None
    contest = _main_contest(entry, rank.start)
    if contest is not None:
        region_end = _after_label(entry.text, contest.end, rank.start)
    else:
        region_end = len(entry.text) if has_contest else rank.start
    return Competition(
        year=_year(entry),
        scope=_scope(entry, region_end),
        category=_category(entry),
        event=_event(entry, contest, region_end, rank),
        rank=_rank_value(rank.text),
        raw=entry.raw,
    )


def parse_competitions(text: str) -> list[Competition]:
    """Every competition result stated in a section's text, in the order written (see the module docs).

    Args:
        text: the section as read: entries on lines, separated by ；/。, numbered, or wrapped.

    Returns:
        One :class:`~models.report.Competition` per entry that states a result; ``[]`` for ``无``,
        headings, honours and other awards.
    """
    results: list[Competition] = []
    for entry in _entries(text):
        competition = _competition(entry)
        if competition is not None:
            results.append(competition)
    return results


# --- honours -----------------------------------------------------------------------------------------------

_TITLE_BOUNDARY_WORDS = frozenset(
    (
        *("年", "年度", "年底", "年初", "月", "日", "获", "荣获", "获得", "被", "授予", "被授予", "评为", "被评为"),
        *("荣膺", "当选", "当选为", "获评", "获授", "颁发", "的", "并", "和", "及", "以及", "与", "曾", "曾获"),
        *("先后", "还", "同年", "起", "为", "称号", "荣誉称号", "因", "于", "由", "在", "被聘为", "聘为", "受聘"),
        *("获得了", "荣获了", "、", "是", "系", "分别", "两次", "多次", "连续", "入选", "届", "首届"),
    )
)
_TITLE_BOUNDARY_END = re.compile(r"(?:获|授予|评为|荣膺|当选为?|颁发|聘为|获得|荣获|认定为|命名为|入选|届)$")
_TITLE_LEAD = re.compile(r"^(?:被|获|荣获|获得|授予|评为)+")
_TITLE_EXTENSION = re.compile(r"^专家")
_MAX_TITLE = 30


def _title_start(entry: _Entry, honor: _Mark, stops: list[_Mark]) -> int:
    """Walk left from the core over the tokens of the title's prefix (place, level, organisation).

    Quotes: an opening quote right before the core (四川省“技术能手”) is passed over; one that opens
    a quoted title (获“四川省技术能手”) ends it; a quoted phrase inside the title (浙江省“万人计划”高技能
    领军人才) is passed over whole.
    """
    tokens = [token for token in entry.doc if token.idx + len(token.text) <= honor.start]
    start = honor.start
    inside_quotes = False
    for token in reversed(tokens):
        text = token.text
        if text and all(char in _CLOSING_QUOTES for char in text):
            inside_quotes = True
            continue
        if text and all(char in _OPENING_QUOTES for char in text):
            if inside_quotes or start == honor.start:
                inside_quotes = False
                continue
            break
        inside_stop = any(mark.start <= token.idx < mark.end for mark in stops)
        if (
            inside_stop
            or token.is_space
            or token.is_punct
            or token.like_num
            or text in _TITLE_BOUNDARY_WORDS
            or _TITLE_BOUNDARY_END.search(text)
            or not re.search(r"[\u4e00-\u9fffA-Za-z]", text)
        ):
            break
        start = token.idx
        if honor.end - start >= _MAX_TITLE:
            break
    return start


def _honors(entry: _Entry) -> list[Honor]:
    cores: list[_Mark] = []
    for mark in entry.of("HONOR"):
        if cores and mark.start < cores[-1].end:
            if mark.end > cores[-1].end:
                cores[-1] = mark  # overlapping matches of one core: keep the longer
            continue
        cores.append(mark)
    stops = [mark for mark in entry.marks if mark.label in ("YEAR", "RANK", "CONTEST")]
    years = entry.of("YEAR")
    honors: list[Honor] = []
    previous_end = 0
    for core in cores:
        after = entry.text[core.end :].lstrip(_CLOSING_QUOTES)
        if _NOT_A_TITLE_AFTER.match(after):
            continue
        end = core.end + (len("专家") if _TITLE_EXTENSION.match(entry.text[core.end :]) else 0)
        start = max(_title_start(entry, core, stops), previous_end)
        title = _TITLE_LEAD.sub("", entry.text[start:end].translate(_QUOTES)).strip()
        previous_end = end
        if not title:
            continue
        before = [mark for mark in years if mark.end <= start]
        later = [mark for mark in years if mark.start >= end]
        year_mark = before[-1] if before else (later[0] if later else None)
        year = parse_year(year_mark.text) if year_mark is not None else None
        honors.append(Honor(title=title, year=year, raw=entry.raw))
    return honors


def parse_honors(text: str) -> list[Honor]:
    """Every honour title stated in a section's text, in the order written (see the module docs).

    Args:
        text: the section as read (one entry a line, or separated by ；/。; numbered or wrapped).

    Returns:
        One :class:`~models.report.Honor` per title: ``title`` as written (全国技术能手, 四川省技术能手,
        泸州市劳动模范, 齐鲁工匠 …) without 荣获 / 称号 / quotes, ``year`` where the entry states one.
    """
    honors: list[Honor] = []
    for entry in _entries(text):
        honors.extend(_honors(entry))
    return honors
