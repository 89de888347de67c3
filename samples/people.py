"""Realistic fake applicants and apprentices for the sample-packet generator.

Every value is drawn from the ``random.Random`` passed in, so one seed always gives the
same people. The people fit the city of a profile (employers, recommending units,
region codes, provincial contests and titles), and their ID numbers are real GB 11643
numbers: a region code that ``stdnum.cn.ric`` knows for the birth year, the birth date,
a sex digit matching the gender and a correct ISO 7064 MOD 11-2 check digit.

The competition and honour entries carry a ``raw`` string written the way applicants
write them ("2016年四川省职业技能竞赛焊接项目第一名", "获省级一类竞赛第二名"), and the
structured fields state exactly what that text states: ``year``, ``event`` or
``category`` are ``None`` when the raw text does not say them.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from stdnum.cn import ric

from models.dates import age_on, year_month
from models.idnumber import id_check_digit

T = TypeVar("T")

Gender = Literal["男", "女"]
Scope = Literal["world", "national", "provincial", "municipal"]
Category = Literal["class1", "class2"]

MALE: Gender = "男"
FEMALE: Gender = "女"
MALE_SHARE = 0.8  # skilled-trade applicants are mostly men

# --- ID numbers (GB 11643-1999; the check digit is models.idnumber.id_check_digit) -------------------------
REGION_CODE_LENGTH = 6
ID_SERIAL_MAX = 99
MALE_SEX_DIGITS = (1, 3, 5, 7, 9)
FEMALE_SEX_DIGITS = (0, 2, 4, 6, 8)


def birth_from_id(id_number: str) -> dt.date:
    """The birth date written in digits 7-14 of an 18-character ID number."""
    return dt.datetime.strptime(id_number[6:14], "%Y%m%d").date()


def gender_from_id(id_number: str) -> Gender:
    """``男`` for an odd 17th digit, ``女`` for an even one."""
    return MALE if int(id_number[16]) % 2 else FEMALE


def make_id_number(rng: random.Random, region_code: str, birth: dt.date, gender: Gender) -> str:
    """An 18-character ID number: region, birth date, serial, sex digit and check digit.

    Args:
        rng: the source of the serial and sex digit.
        region_code: six digits; pick one valid for the birth year with :func:`region_code_for`.
        birth: the birth date written into digits 7-14.
        gender: ``男`` gives an odd sex digit, ``女`` an even one.
    """
    if len(region_code) != REGION_CODE_LENGTH or not region_code.isdigit():
        raise ValueError(f"a region code is {REGION_CODE_LENGTH} digits, got {region_code!r}")
    sex_digits = MALE_SEX_DIGITS if gender == MALE else FEMALE_SEX_DIGITS
    body = f"{region_code}{birth:%Y%m%d}{rng.randint(0, ID_SERIAL_MAX):02d}{rng.choice(sex_digits)}"
    return body + id_check_digit(body)


# --- the cities -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Employer:
    """A company of the city, the district it sits in and the trades it employs."""

    name: str
    district: str
    occupations: tuple[str, ...]


@dataclass(frozen=True)
class CityProfile:
    """What a profile's people have in common: the city, its province and its institutions.

    ``region_codes`` lists candidate ID region codes, most usual first and repeated for weight;
    only those ``stdnum.cn.ric`` accepts for a person's birth year are drawn.
    ``municipal`` is False where the city is itself provincial-level (重庆).
    """

    city: str
    province: str
    region_codes: tuple[str, ...]
    employers: tuple[Employer, ...]
    district_units: dict[str, str]
    departments: tuple[str, ...]
    minorities: tuple[str, ...]
    provincial_titles: tuple[str, ...]
    municipal_titles: tuple[str, ...]
    city_contest_first_year: int
    municipal: bool = True
    senior_share: float = 0.45


def _hrss(district: str) -> str:
    return f"{district}人力资源和社会保障局"


_LUZHOU = CityProfile(
    city="泸州市",
    province="四川省",
    region_codes=(
        *("510502", "510502", "510503", "510504", "510521", "510522", "510524", "510525"),
        *("512502", "512502", "512521", "512523", "512524", "512525", "512526"),
    ),
    employers=(
        Employer("泸州老窖股份有限公司", "江阳区", ("白酒酿造工", "品酒师", "维修电工", "钳工")),
        Employer("泸州北方化学工业有限公司", "江阳区", ("化工总控工", "维修电工", "钳工", "焊工")),
        Employer("四川泸天化股份有限公司", "纳溪区", ("化工总控工", "化学检验员", "仪表维修工", "焊工")),
        Employer("四川郎酒股份有限公司", "古蔺县", ("白酒酿造工", "品酒师", "电工")),
        Employer("四川长江液压件有限责任公司", "龙马潭区", ("车工", "数控车工", "铣工", "装配钳工")),
        Employer("四川长江工程起重机有限责任公司", "龙马潭区", ("焊工", "装配钳工", "维修电工")),
        Employer("四川川南减震器集团有限公司", "龙马潭区", ("数控车工", "焊工", "装配钳工")),
        Employer("泸州川南发电有限责任公司", "纳溪区", ("电工", "维修电工", "仪表维修工")),
        Employer("泸州市公共交通集团有限公司", "江阳区", ("汽车维修工", "电工")),
    ),
    district_units={
        "江阳区": _hrss("泸州市江阳区"),
        "龙马潭区": _hrss("泸州市龙马潭区"),
        "纳溪区": _hrss("泸州市纳溪区"),
        "古蔺县": _hrss("古蔺县"),
    },
    departments=("泸州市经济和信息化局", "泸州市国有资产监督管理委员会", "泸州高新技术产业开发区管理委员会"),
    minorities=("苗族", "彝族", "回族"),
    provincial_titles=("四川省技术能手", "四川省五一劳动奖章", "四川工匠"),
    municipal_titles=("泸州市技术能手", "泸州市五一劳动奖章", "泸州市劳动模范"),
    city_contest_first_year=2013,
)

_LIAOCHENG = CityProfile(
    city="聊城市",
    province="山东省",
    region_codes=(
        *("371502", "371502", "371521", "371522", "371524", "371525", "371526", "371581"),
        *("372501", "372501", "372502", "372522", "372523", "372524", "372525", "372526", "372527"),
    ),
    employers=(
        Employer("山东时风(集团)有限责任公司", "高唐县", ("焊工", "装配钳工", "数控车工", "汽车装调工")),
        Employer("中通客车股份有限公司", "东昌府区", ("焊工", "汽车装调工", "维修电工")),
        Employer("鲁西化工集团股份有限公司", "东昌府区", ("化工总控工", "仪表维修工", "维修电工", "化学检验员")),
        Employer("信发集团有限公司", "茌平县", ("铝电解工", "维修电工", "焊工")),
        Employer("阳谷祥光铜业有限公司", "阳谷县", ("维修电工", "钳工", "化学检验员")),
        Employer("东阿阿胶股份有限公司", "东阿县", ("中药炮制工", "维修电工")),
        Employer("聊城市公共交通集团有限公司", "东昌府区", ("汽车维修工", "电工")),
        Employer("山东中钰装备制造有限公司", "临清市", ("车工", "铣工", "数控铣工", "钳工")),
    ),
    district_units={
        "东昌府区": _hrss("聊城市东昌府区"),
        "高唐县": _hrss("高唐县"),
        "茌平县": _hrss("茌平县"),
        "阳谷县": _hrss("阳谷县"),
        "东阿县": _hrss("东阿县"),
        "临清市": _hrss("临清市"),
    },
    departments=("聊城市工业和信息化局", "聊城市国有资产监督管理委员会", "聊城市交通运输局"),
    minorities=("回族", "满族"),
    provincial_titles=("山东省技术能手", "山东省有突出贡献技师", "齐鲁首席技师", "山东省五一劳动奖章"),
    municipal_titles=("聊城市技术能手", "聊城市突出贡献技师", "聊城市五一劳动奖章"),
    city_contest_first_year=2010,
)

_SHIZHONG = CityProfile(
    city="枣庄市",
    province="山东省",
    region_codes=("370402", "370402", "370402", "370403", "370404", "370405", "370420", "370420"),
    employers=(
        Employer("国网山东省电力公司枣庄供电公司", "市中区", ("电工", "维修电工", "仪表维修工")),
        Employer("枣庄矿业（集团）有限责任公司", "市中区", ("维修电工", "钳工", "焊工")),
        Employer("山东益康药业股份有限公司", "市中区", ("中药炮制工", "化学检验员", "维修电工")),
        Employer("鲁南中联水泥有限公司", "市中区", ("维修电工", "焊工", "钳工")),
        Employer("枣庄市公共汽车公司", "市中区", ("汽车维修工", "电工")),
        Employer("山东鲁南机床有限公司", "市中区", ("车工", "数控车工", "铣工", "装配钳工")),
    ),
    district_units={
        "市中区": "枣庄市市中区人力资源和社会保障局",
        "中心街街道": "市中区中心街街道人力资源和社会保障所",
        "光明路街道": "市中区光明路街道人力资源和社会保障所",
        "税郭镇": "市中区税郭镇人力资源和社会保障所",
    },
    departments=("市中区工业和信息化局", "市中区国有资产管理服务中心"),
    minorities=("回族", "满族"),
    provincial_titles=("山东省技术能手", "山东省有突出贡献技师", "山东省五一劳动奖章"),
    municipal_titles=("枣庄市技术能手", "枣庄市五一劳动奖章", "枣庄市首席技师"),
    city_contest_first_year=2009,
)

_CHONGQING = CityProfile(
    city="重庆市",
    province="重庆市",
    region_codes=(
        *("500103", "500104", "500105", "500106", "500107", "500108", "500112", "500113", "500115"),
        *("510202", "510203", "510211", "510212", "510213", "510214", "510215", "510221", "510223"),
    ),
    employers=(
        Employer("重庆长安汽车股份有限公司", "江北区", ("汽车装调工", "焊工", "维修电工", "数控车工")),
        Employer("重庆建设工业（集团）有限责任公司", "巴南区", ("车工", "钳工", "数控铣工")),
        Employer("重庆机床（集团）有限责任公司", "南岸区", ("数控铣工", "装配钳工", "车工")),
        Employer("中国石化集团重庆川维化工有限公司", "长寿区", ("化工总控工", "仪表维修工", "化学检验员")),
        Employer("重庆钢铁股份有限公司", "长寿区", ("维修电工", "焊工", "钳工")),
        Employer("重庆水泵厂有限责任公司", "沙坪坝区", ("装配钳工", "车工", "焊工")),
        Employer("重庆市公共交通控股（集团）有限公司", "渝中区", ("汽车维修工", "电工")),
        Employer("重庆陶然居饮食文化（集团）股份有限公司", "九龙坡区", ("中式烹调师",)),
    ),
    district_units={
        district: _hrss(f"重庆市{district}")
        for district in ("江北区", "巴南区", "南岸区", "长寿区", "沙坪坝区", "渝中区", "九龙坡区")
    },
    departments=("重庆市经济和信息化委员会", "重庆市国有资产监督管理委员会", "重庆市总工会"),
    minorities=("土家族", "苗族", "回族"),
    provincial_titles=("重庆市技术能手", "重庆技能大师", "重庆市五一劳动奖章"),
    municipal_titles=(),
    city_contest_first_year=2010,
    municipal=False,
    senior_share=0.8,
)

_WENZHOU = CityProfile(
    city="温州市",
    province="浙江省",
    region_codes=(
        *("330302", "330302", "330303", "330304", "330324", "330326", "330327", "330328", "330381", "330382"),
        *("330320", "332422", "332423", "332426"),
    ),
    employers=(
        Employer("正泰集团股份有限公司", "乐清市", ("维修电工", "装配钳工", "模具工")),
        Employer("人民电器集团有限公司", "乐清市", ("维修电工", "装配钳工", "数控车工")),
        Employer("德力西集团有限公司", "乐清市", ("模具工", "维修电工", "电工")),
        Employer("瑞立集团有限公司", "瑞安市", ("数控车工", "钳工", "焊工")),
        Employer("华峰集团有限公司", "瑞安市", ("化工总控工", "化学检验员", "仪表维修工")),
        Employer("温州港集团有限公司", "龙湾区", ("维修电工", "焊工", "电工")),
        Employer("温州市现代集团有限公司", "鹿城区", ("汽车维修工", "电工")),
        Employer("温州大酒店有限公司", "鹿城区", ("中式烹调师",)),
    ),
    district_units={
        "乐清市": _hrss("乐清市"),
        "瑞安市": _hrss("瑞安市"),
        "龙湾区": _hrss("温州市龙湾区"),
        "鹿城区": _hrss("温州市鹿城区"),
    },
    departments=("温州市经济和信息化局", "温州市总工会", "温州市电气行业协会"),
    minorities=("畲族", "回族"),
    provincial_titles=("浙江省技术能手", "浙江省五一劳动奖章"),
    municipal_titles=("温州市技术能手", "温州市青年岗位能手", "温州市五一劳动奖章"),
    city_contest_first_year=2008,
)

PROFILES: dict[str, CityProfile] = {
    "luzhou-2019": _LUZHOU,
    "liaocheng-2019": _LIAOCHENG,
    "shizhong-2020": _SHIZHONG,
    "chongqing-bayu": _CHONGQING,
    "wenzhou-7": _WENZHOU,
}
"""The city of each profile (keys are the profile ids of REPORT_FORMAT.md)."""


def city_profile(profile_id: str) -> CityProfile:
    """The city data of a profile; ``ValueError`` names the known ids for an unknown one."""
    try:
        return PROFILES[profile_id]
    except KeyError:
        raise ValueError(f"unknown profile {profile_id!r}; known: {', '.join(PROFILES)}") from None


@functools.lru_cache(maxsize=1024)
def valid_region_codes(profile_id: str, birth_year: int) -> tuple[str, ...]:
    """The profile's candidate region codes that ``stdnum.cn.ric`` accepts for a birth year.

    stdnum checks the code against the year only (a county exists from its creation year
    to its abolition year), so a probe number born on 1 January of that year decides it.
    """
    accepted: list[str] = []
    for code in city_profile(profile_id).region_codes:
        body = f"{code}{birth_year:04d}0101001"
        if ric.is_valid(body + id_check_digit(body)):
            accepted.append(code)
    return tuple(accepted)


def region_code_for(rng: random.Random, profile_id: str, birth: dt.date) -> str:
    """A region code of the profile's city that was in force in the birth year."""
    codes = valid_region_codes(profile_id, birth.year)
    if not codes:
        raise ValueError(f"no region code of {profile_id!r} is valid for a birth in {birth.year}")
    return rng.choice(codes)


# --- trades -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occupation:
    """A trade: how its competition event is written, its industry, its WorldSkills skill (if any)."""

    events: tuple[str, ...]
    industry: str
    world_skill: str | None = None


OCCUPATIONS: dict[str, Occupation] = {
    "焊工": Occupation(("焊工", "焊接"), "机械", "焊接"),
    "电工": Occupation(("电工",), "电力", "电气装置"),
    "维修电工": Occupation(("维修电工",), "机械", "工业控制"),
    "车工": Occupation(("车工",), "机械"),
    "数控车工": Occupation(("数控车工", "数控车"), "机械", "数控车"),
    "铣工": Occupation(("铣工",), "机械"),
    "数控铣工": Occupation(("数控铣工", "数控铣"), "机械", "数控铣"),
    "钳工": Occupation(("钳工",), "机械"),
    "装配钳工": Occupation(("装配钳工",), "机械"),
    "模具工": Occupation(("模具工",), "机械"),
    "汽车装调工": Occupation(("汽车装调工",), "机械"),
    "汽车维修工": Occupation(("汽车维修工", "汽车维修"), "交通运输", "汽车技术"),
    "化工总控工": Occupation(("化工总控工",), "化工"),
    "化学检验员": Occupation(("化学检验员", "化学检验工"), "化工"),
    "仪表维修工": Occupation(("仪表维修工", "化工仪表维修工"), "化工"),
    "白酒酿造工": Occupation(("白酒酿造工", "白酒酿造"), "酒类"),
    "品酒师": Occupation(("品酒师", "白酒品评"), "酒类"),
    "中式烹调师": Occupation(("中式烹调师", "中式烹调"), "餐饮"),
    "中药炮制工": Occupation(("中药炮制工", "中药炮制"), "医药"),
    "铝电解工": Occupation(("铝电解工",), "有色金属"),
}
"""Every occupation an employer lists, keyed by the name written in 职业（工种）."""

# --- names, and the small facts of a person -----------------------------------------------------------------

_SURNAME_TABLE = """
王 wang 72  李 li 70  张 zhang 66  刘 liu 54  陈 chen 45  杨 yang 31  黄 huang 24  赵 zhao 20  周 zhou 18
吴 wu 18  徐 xu 15  孙 sun 15  马 ma 13  胡 hu 12  朱 zhu 12  郭 guo 11  何 he 11  罗 luo 10  高 gao 10
林 lin 10  郑 zheng 8  梁 liang 8  谢 xie 8  唐 tang 7  宋 song 7  许 xu 7  邓 deng 6  冯 feng 6  韩 han 6
曹 cao 6  曾 zeng 6  彭 peng 6  萧 xiao 5  蔡 cai 5  潘 pan 5  田 tian 5  董 dong 5  袁 yuan 5  于 yu 5
余 yu 5  叶 ye 5  蒋 jiang 5  杜 du 4  苏 su 4  魏 wei 4  程 cheng 4  吕 lv 4  丁 ding 4  任 ren 3  卢 lu 3
"""
_SURNAME_WORDS = _SURNAME_TABLE.split()
SURNAMES: tuple[tuple[str, str, int], ...] = tuple(
    (surname, pinyin, int(weight))
    for surname, pinyin, weight in zip(_SURNAME_WORDS[::3], _SURNAME_WORDS[1::3], _SURNAME_WORDS[2::3], strict=True)
)
"""(surname, pinyin for e-mail addresses, relative frequency)."""

MALE_GIVEN = tuple(
    "伟强军勇涛斌波明刚平辉建国华林峰杰磊鹏超亮海东文志兵龙飞春永成德友红学忠宏俊浩宇晓中清江庆小新金荣光"
)
FEMALE_GIVEN = tuple("芳丽敏静艳娟霞燕玲红梅琴萍英慧洁莉婷雪兰凤秀春晓小丹颖琳娜倩利云华佳媛")
SINGLE_GIVEN_SHARE = 0.3  # 2-character names (surname + one character)

ETHNIC_HAN = "汉族"
HAN_SHARE = 0.93
POLITICAL_STATUSES: tuple[tuple[str, int], ...] = (
    ("中共党员", 45),
    ("群众", 40),
    ("中共预备党员", 3),
    ("民盟盟员", 1),
    ("九三学社社员", 1),
    ("民建会员", 1),
    ("农工党党员", 1),
    ("无党派人士", 1),
)
EDUCATION_ERA_YEAR = 1975  # later-born workers more often hold 大专 / 本科
EDUCATION_OLDER: tuple[tuple[str, int], ...] = (
    ("初中", 10),
    ("技校", 25),
    ("中专", 25),
    ("高中", 20),
    ("大专", 15),
    ("本科", 5),
)
EDUCATION_YOUNGER: tuple[tuple[str, int], ...] = (
    ("初中", 3),
    ("技校", 20),
    ("中专", 15),
    ("职高", 5),
    ("高中", 10),
    ("大专", 32),
    ("本科", 15),
)
WORK_START_AGE: dict[str, tuple[int, int]] = {
    "初中": (16, 18),
    "技校": (17, 19),
    "中专": (18, 20),
    "职高": (18, 20),
    "高中": (18, 20),
    "大专": (20, 22),
    "本科": (22, 22),
}
WORK_START_MONTHS = (7, 7, 7, 8, 8, 9, 3, 10, 12)  # most start after summer graduation

MOBILE_PREFIXES = (
    *(f"13{digit}" for digit in "0123456789"),
    *(f"15{digit}" for digit in "012356789"),
    *(f"18{digit}" for digit in "0123456789"),
    *("191", "198", "199"),
)
MOBILE_LENGTH = 11
NAME_MAIL_DOMAINS = ("163.com", "126.com", "sina.com")
QQ_MAIL_SHARE = 0.45
QQ_DIGITS = (6, 10)
BIRTH_YEAR_MAIL_SHARE = 0.5  # wang1978@163.com, else wang5821@163.com
MAIL_NUMBER_RANGE = (100, 9999)

# --- qualifications -----------------------------------------------------------------------------------------

TECHNICIAN = "技师"
SENIOR_TECHNICIAN = "高级技师"
QUALIFICATION_MIN_YEARS = {TECHNICIAN: 8, SENIOR_TECHNICIAN: 12}  # years of work before the certificate
QUALIFICATION_MIN_AGE = 25
QUALIFICATION_MARGIN = dt.timedelta(days=90)  # a certificate is at least this old on the reference date
DEFAULT_AGE_RANGE = (30, 52)
DISTRICT_RECOMMENDS_SHARE = 0.7  # else a municipal department recommends


# --- the records --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetitionEntry:
    """One competition result as the form states it (``None`` where ``raw`` does not say)."""

    year: int | None
    scope: Scope
    category: Category | None
    event: str | None
    rank: int
    raw: str

    def as_dict(self) -> dict[str, object]:
        """The report's plain object ``{year, scope, category, event, rank, raw}``."""
        return {
            "year": self.year,
            "scope": self.scope,
            "category": self.category,
            "event": self.event,
            "rank": self.rank,
            "raw": self.raw,
        }


@dataclass(frozen=True)
class HonorEntry:
    """One honour title as the form states it (``year`` is ``None`` where ``raw`` has none)."""

    title: str
    year: int | None
    raw: str

    def as_dict(self) -> dict[str, object]:
        """The report's plain object ``{title, year, raw}``."""
        return {"title": self.title, "year": self.year, "raw": self.raw}


@dataclass(frozen=True)
class Person:
    """A fake applicant; the values are the normalised truth of REPORT_FORMAT.md's applicant."""

    profile_id: str
    name: str
    gender: Gender
    birth: dt.date
    id_number: str
    ethnicity: str
    political_status: str
    education: str
    work_start: dt.date
    employer: str
    district: str
    occupation: str
    qualification_level: str
    qualification_date: dt.date
    phone: str
    email: str
    recommending_unit: str
    competitions: tuple[CompetitionEntry, ...]
    honors: tuple[HonorEntry, ...]

    def age_on(self, reference: dt.date) -> int:
        """Full years of age on ``reference``."""
        return age_on(self.birth, reference)


@dataclass(frozen=True)
class Apprentice:
    """A row of the apprentice sheet (拟带徒情况汇总表)."""

    name: str
    gender: Gender
    birth: dt.date
    age: int
    id_number: str
    employer: str
    occupation: str
    qualification_level: str
    position: str
    phone: str


# --- dates --------------------------------------------------------------------------------------------------


def birth_month(person: Person | Apprentice) -> str:
    """The person's 出生年月 as the report writes it (``YYYY-MM``)."""
    return year_month(person.birth)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def years_after(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` later (29 February becomes the 28th)."""
    return years_before(day, -years)


def random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A uniformly drawn day in ``[first, last]`` (``first`` when the range is empty)."""
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def birth_for_age(rng: random.Random, reference: dt.date, age: int) -> dt.date:
    """A birth date that makes the person exactly ``age`` on ``reference``."""
    last = years_before(reference, age)
    first = years_before(reference, age + 1) + dt.timedelta(days=1)
    return random_day(rng, first, last)


def _weighted(rng: random.Random, table: Sequence[tuple[T, int]]) -> T:
    values = [value for value, _weight in table]
    return rng.choices(values, weights=[weight for _value, weight in table])[0]


# --- small draws --------------------------------------------------------------------------------------------


def make_name(rng: random.Random, gender: Gender) -> tuple[str, str]:
    """A 2- or 3-character name and the surname's pinyin."""
    surname, pinyin, _weight = rng.choices(SURNAMES, weights=[row[2] for row in SURNAMES])[0]
    pool = MALE_GIVEN if gender == MALE else FEMALE_GIVEN
    size = 1 if rng.random() < SINGLE_GIVEN_SHARE else 2
    return surname + "".join(rng.sample(pool, size)), pinyin


def make_phone(rng: random.Random) -> str:
    """An 11-digit mainland mobile number."""
    prefix = rng.choice(MOBILE_PREFIXES)
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(MOBILE_LENGTH - len(prefix)))


def make_email(rng: random.Random, pinyin: str, birth: dt.date) -> str:
    """A QQ-number address or a surname-based one, as applicants write them."""
    if rng.random() < QQ_MAIL_SHARE:
        digits = rng.randint(*QQ_DIGITS)
        return f"{rng.randint(1, 9)}{''.join(str(rng.randint(0, 9)) for _ in range(digits - 1))}@qq.com"
    suffix = birth.year if rng.random() < BIRTH_YEAR_MAIL_SHARE else rng.randint(*MAIL_NUMBER_RANGE)
    return f"{pinyin}{suffix}@{rng.choice(NAME_MAIL_DOMAINS)}"


def _ethnicity(rng: random.Random, city: CityProfile) -> str:
    return ETHNIC_HAN if rng.random() < HAN_SHARE else rng.choice(city.minorities)


def _education(rng: random.Random, birth: dt.date) -> str:
    return _weighted(rng, EDUCATION_OLDER if birth.year < EDUCATION_ERA_YEAR else EDUCATION_YOUNGER)


def _work_start(rng: random.Random, birth: dt.date, education: str, reference: dt.date) -> dt.date:
    youngest, oldest = WORK_START_AGE[education]
    start = dt.date(birth.year + rng.randint(youngest, oldest), rng.choice(WORK_START_MONTHS), 1)
    if age_on(birth, start) < youngest:  # a birthday late in the year: start the following year
        start = start.replace(year=start.year + 1)
    return min(start, reference.replace(day=1))


def _qualification(
    rng: random.Random, city: CityProfile, birth: dt.date, work_start: dt.date, reference: dt.date
) -> tuple[str, dt.date]:
    level = SENIOR_TECHNICIAN if rng.random() < city.senior_share else TECHNICIAN
    latest = reference - QUALIFICATION_MARGIN
    if _earliest_qualification(level, birth, work_start) > latest:
        level = TECHNICIAN  # too short a career for the senior grade
    earliest = min(_earliest_qualification(level, birth, work_start), latest)
    return level, random_day(rng, earliest, latest)


def _earliest_qualification(level: str, birth: dt.date, work_start: dt.date) -> dt.date:
    return max(years_after(work_start, QUALIFICATION_MIN_YEARS[level]), years_after(birth, QUALIFICATION_MIN_AGE))


def _recommending_unit(rng: random.Random, city: CityProfile, employer: Employer) -> str:
    district_unit = city.district_units.get(employer.district)
    if district_unit is not None and rng.random() < DISTRICT_RECOMMENDS_SHARE:
        return district_unit
    return rng.choice(city.departments)


# --- competitions -------------------------------------------------------------------------------------------

CHINESE_DIGITS = "零一二三四五六七八九"
TEN = 10
WORLDSKILLS_FIRST = (2011, 41)  # (year, edition): London; held every odd year until 2019
WORLDSKILLS_LAST_YEAR = 2019
WORLDSKILLS_MAX_AGE = 22
WORLD_SHARE = 0.5  # of the people young enough to have been WorldSkills competitors
MEDALS = {1: "金牌", 2: "银牌", 3: "铜牌"}
SCOPE_WEIGHTS: dict[Scope, int] = {"national": 20, "provincial": 40, "municipal": 40}
RANK_WEIGHTS: tuple[tuple[int, int], ...] = ((1, 34), (2, 26), (3, 20), (4, 8), (5, 6), (6, 6))
COMPETITION_COUNTS: tuple[tuple[int, int], ...] = ((0, 15), (1, 40), (2, 30), (3, 15))
HONOR_COUNTS: tuple[tuple[int, int], ...] = ((0, 25), (1, 40), (2, 25), (3, 10))
RECENT_YEARS = 10  # results are drawn from the last ten years before the reference year
FIRST_RESULT_AFTER = 2  # years of work before a first result
CATEGORY_WORDS: dict[Category, str] = {"class1": "一类", "class2": "二类"}
SCOPE_WORDS: dict[Scope, str] = {"world": "世界", "national": "国家", "provincial": "省级", "municipal": "市级"}
"""How a class label names the scope: 国家一类, 省级二类, 市级一类."""
CONTEST_TEMPLATES: dict[tuple[Scope, Category], tuple[str, ...]] = {
    ("national", "class1"): ("全国职工职业技能大赛", "中国技能大赛——全国职工职业技能大赛"),
    ("national", "class2"): ("全国{industry}行业职业技能竞赛", "中国技能大赛——全国{industry}行业职业技能竞赛"),
    ("provincial", "class1"): ("{province}职业技能大赛", "{province}职业技能竞赛", "{province}职工职业技能大赛"),
    ("provincial", "class2"): ("{province}{industry}行业职业技能竞赛",),
    ("municipal", "class1"): ("{city}职业技能大赛", "{city}职工职业技能竞赛", "{city}第{edition}届职业技能大赛"),
    ("municipal", "class2"): ("{city}{industry}行业职业技能竞赛",),
}
"""Contest names by scope and class (一类: run by the labour bureau; 二类: by an industry)."""
EDITION_FIELD = "{edition}"
CLASS1_SHARE = 0.6
COMPETITION_STYLES = (
    "{year}年{contest}（{label}）{event}{place}",
    "{year}年{contest}{event}项目{place}",
    "{year}年荣获{contest}{event}比赛{place}",
    "{year}年{contest}{event}决赛{place}",
    "{year}.{month:02d} {contest}{event}{place}",
)
"""How results are written; only a style with ``{label}`` states the class (国家二类, 省级一类…)."""
LABEL_FIELD = "{label}"
BARE_STYLE = "获{}竞赛{}"  # 获省级一类竞赛第二名: neither year nor event
BARE_STYLE_SHARE = 0.15
CONTEST_MONTHS = (4, 11)
ARABIC_RANK_SHARE = 0.1  # 第1名 instead of 第一名
ARABIC_EDITION_SHARE = 0.5  # 第45届 instead of 第四十五届


def chinese_number(number: int) -> str:
    """1 … 99 in Chinese numerals (十二, 二十, 四十五)."""
    if not 0 < number < TEN * TEN:
        raise ValueError(f"only 1 … 99 are written, got {number}")
    tens, units = divmod(number, TEN)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_DIGITS[tens] + "十")
    return head + (CHINESE_DIGITS[units] if units else "")


def rank_text(rng: random.Random, rank: int) -> str:
    """第一名, now and then 第1名."""
    return f"第{rank}名" if rng.random() < ARABIC_RANK_SHARE else f"第{chinese_number(rank)}名"


@dataclass(frozen=True)
class _Contest:
    scope: Scope
    category: Category
    name: str


def _contest(rng: random.Random, city: CityProfile, scope: Scope, occupation: Occupation, year: int) -> _Contest:
    category: Category = "class1" if rng.random() < CLASS1_SHARE else "class2"
    edition = year - city.city_contest_first_year + 1
    templates = [
        template for template in CONTEST_TEMPLATES[scope, category] if edition > 0 or EDITION_FIELD not in template
    ]
    name = rng.choice(templates).format(
        province=city.province,
        city=city.city,
        industry=occupation.industry,
        edition=chinese_number(edition) if edition > 0 else "",
    )
    return _Contest(scope, category, name)


def _world_years(birth: dt.date, reference: dt.date) -> list[int]:
    first_year, _edition = WORLDSKILLS_FIRST
    return [
        year
        for year in range(first_year, min(WORLDSKILLS_LAST_YEAR, reference.year - 1) + 1, 2)
        if year - birth.year <= WORLDSKILLS_MAX_AGE
    ]


def make_world_entry(rng: random.Random, skill: str, year: int) -> CompetitionEntry:
    """A WorldSkills medal: "2019年第45届世界技能大赛焊接项目金牌"."""
    first_year, first_edition = WORLDSKILLS_FIRST
    edition = first_edition + (year - first_year) // 2
    rank = rng.choice(tuple(MEDALS))
    raw = f"{year}年第{chinese_number(edition)}届世界技能大赛{skill}项目{MEDALS[rank]}"
    if rng.random() < ARABIC_EDITION_SHARE:
        raw = f"{year}年获第{edition}届世界技能大赛{skill}项目{MEDALS[rank]}"
    return CompetitionEntry(year, "world", None, skill, rank, raw)


def make_competition(rng: random.Random, contest: _Contest, event: str, year: int, rank: int) -> CompetitionEntry:
    """One result written in one of the styles applicants use; the fields state what the text says."""
    label = SCOPE_WORDS[contest.scope] + CATEGORY_WORDS[contest.category]
    place = rank_text(rng, rank)
    if rng.random() < BARE_STYLE_SHARE:
        return CompetitionEntry(None, contest.scope, contest.category, None, rank, BARE_STYLE.format(label, place))
    style = rng.choice(COMPETITION_STYLES)
    raw = style.format(
        year=year, month=rng.randint(*CONTEST_MONTHS), contest=contest.name, label=label, event=event, place=place
    )
    category = contest.category if LABEL_FIELD in style else None
    return CompetitionEntry(year, contest.scope, category, event, rank, raw)


def _result_years(work_start: dt.date, reference: dt.date) -> list[int]:
    """Years open to results: recent, after some years of work, before the reference year."""
    first = max(work_start.year + FIRST_RESULT_AFTER, reference.year - RECENT_YEARS)
    return list(range(max(work_start.year, min(first, reference.year - 1)), reference.year))


def make_competitions(
    rng: random.Random, city: CityProfile, occupation: str, birth: dt.date, work_start: dt.date, reference: dt.date
) -> tuple[CompetitionEntry, ...]:
    """0-3 results in the last years before ``reference``, oldest first (at most one per year)."""
    trade = OCCUPATIONS[occupation]
    years = _result_years(work_start, reference)
    count = min(len(years), _weighted(rng, COMPETITION_COUNTS))
    entries: list[CompetitionEntry] = []
    world_years = _world_years(birth, reference)
    if count and trade.world_skill is not None and world_years and rng.random() < WORLD_SHARE:
        entries.append(make_world_entry(rng, trade.world_skill, rng.choice(world_years)))
        count -= 1
    scopes = {scope: weight for scope, weight in SCOPE_WEIGHTS.items() if city.municipal or scope != "municipal"}
    for year in sorted(rng.sample(years, count)):
        scope = rng.choices(list(scopes), weights=list(scopes.values()))[0]
        contest = _contest(rng, city, scope, trade, year)
        entries.append(make_competition(rng, contest, rng.choice(trade.events), year, _weighted(rng, RANK_WEIGHTS)))
    return tuple(sorted(entries, key=lambda entry: entry.year or 0))


# --- honours ------------------------------------------------------------------------------------------------

NATIONAL_TITLES: tuple[tuple[str, int], ...] = (("全国技术能手", 6), ("全国五一劳动奖章", 2), ("中华技能大奖", 1))
LEADING_TITLE_WEIGHTS = {"provincial": 20, "municipal": 30}  # the 技术能手 title listed first for the city
OTHER_TITLE_WEIGHT = 6
AWARD_SUFFIXES = ("奖章", "大奖")  # medals and prizes are 获得, not 称号
HONOR_WITHOUT_YEAR_SHARE = 0.1
MONTHS = 12


def make_honor(rng: random.Random, title: str, year: int) -> HonorEntry:
    """One honour written in one of the usual styles."""
    is_award = title.endswith(AWARD_SUFFIXES)
    styles = [
        f"{year}年荣获{title}",
        f"{title}（{year}年）",
        f"{year}.{rng.randint(1, MONTHS):02d} {title}",
        f"{year}年获得“{title}”" if is_award else f"{year}年获“{title}”称号",
    ]
    if not is_award:
        styles.append(f"{year}年被授予“{title}”荣誉称号")
    if rng.random() < HONOR_WITHOUT_YEAR_SHARE:
        return HonorEntry(title, None, f"荣获“{title}”" + ("" if is_award else "称号"))
    return HonorEntry(title, year, rng.choice(styles))


def _honor_titles(city: CityProfile) -> list[tuple[str, int]]:
    """Every title open to the city's people, with its relative frequency."""
    titles = list(NATIONAL_TITLES)
    for level, level_titles in (("provincial", city.provincial_titles), ("municipal", city.municipal_titles)):
        titles += [
            (title, LEADING_TITLE_WEIGHTS[level] if index == 0 else OTHER_TITLE_WEIGHT)
            for index, title in enumerate(level_titles)
        ]
    return titles


def make_honors(
    rng: random.Random, city: CityProfile, work_start: dt.date, reference: dt.date, *, at_least_one: bool = False
) -> tuple[HonorEntry, ...]:
    """0-3 distinct titles in the last years before ``reference``, oldest first."""
    years = _result_years(work_start, reference)
    count = min(len(years), max(int(at_least_one), _weighted(rng, HONOR_COUNTS)))
    pool = _honor_titles(city)
    chosen: list[str] = []
    while len(chosen) < min(count, len(pool)):
        title = _weighted(rng, pool)
        if title not in chosen:
            chosen.append(title)
    honors = [
        make_honor(rng, title, year) for title, year in zip(chosen, sorted(rng.sample(years, len(chosen))), strict=True)
    ]
    return tuple(sorted(honors, key=lambda honor: honor.year or 0))


# --- people -------------------------------------------------------------------------------------------------


def make_person(
    rng: random.Random,
    profile_id: str,
    reference: dt.date,
    *,
    age_range: tuple[int, int] = DEFAULT_AGE_RANGE,
    gender: Gender | None = None,
) -> Person:
    """A realistic applicant of the profile's city, aged within ``age_range`` on ``reference``.

    Args:
        rng: the only source of randomness (same seed, same person).
        profile_id: one of :data:`PROFILES`.
        reference: the notice's reference date (ages, certificate and result dates are before it).
        age_range: inclusive bounds of the age on ``reference``.
        gender: forced, or drawn (mostly 男).
    """
    city = city_profile(profile_id)
    sex: Gender = gender or (MALE if rng.random() < MALE_SHARE else FEMALE)
    name, pinyin = make_name(rng, sex)
    birth = birth_for_age(rng, reference, rng.randint(*age_range))
    id_number = make_id_number(rng, region_code_for(rng, profile_id, birth), birth, sex)
    education = _education(rng, birth)
    work_start = _work_start(rng, birth, education, reference)
    employer = rng.choice(city.employers)
    occupation = rng.choice(employer.occupations)
    level, qualified = _qualification(rng, city, birth, work_start, reference)
    competitions = make_competitions(rng, city, occupation, birth, work_start, reference)
    return Person(
        profile_id=profile_id,
        name=name,
        gender=sex,
        birth=birth,
        id_number=id_number,
        ethnicity=_ethnicity(rng, city),
        political_status=_weighted(rng, POLITICAL_STATUSES),
        education=education,
        work_start=work_start,
        employer=employer.name,
        district=employer.district,
        occupation=occupation,
        qualification_level=level,
        qualification_date=qualified,
        phone=make_phone(rng),
        email=make_email(rng, pinyin, birth),
        recommending_unit=_recommending_unit(rng, city, employer),
        competitions=competitions,
        honors=make_honors(rng, city, work_start, reference, at_least_one=not competitions),
    )


def make_people(
    rng: random.Random,
    profile_id: str,
    reference: dt.date,
    count: int,
    *,
    age_range: tuple[int, int] = DEFAULT_AGE_RANGE,
) -> list[Person]:
    """``count`` applicants of one profile, drawn one after the other with :func:`make_person`."""
    return [make_person(rng, profile_id, reference, age_range=age_range) for _ in range(count)]


# --- apprentices --------------------------------------------------------------------------------------------

APPRENTICE_AGE_RANGE = (20, 40)
APPRENTICE_AGE_GAP = 5  # an apprentice is at least this much younger than the master
APPRENTICE_SAME_TRADE_SHARE = 0.85
APPRENTICE_MALE_SHARE = 0.75
APPRENTICE_LEVELS: tuple[tuple[str, int], ...] = (("中级工", 30), ("高级工", 45), ("技师", 25))
APPRENTICE_TECHNICIAN_MIN_AGE = 27
APPRENTICE_FALLBACK_LEVEL = "高级工"
APPRENTICE_POSITIONS: tuple[tuple[str, int], ...] = (
    ("操作工", 35),
    ("班组长", 20),
    ("技术员", 15),
    ("副班长", 10),
    ("主操", 8),
    ("检修工", 8),
    ("工段长", 4),
)


def _trades_of(master: Person) -> tuple[str, ...]:
    """The trades of the master's employer (the master's own when the employer is not a listed one)."""
    for employer in city_profile(master.profile_id).employers:
        if employer.name == master.employer:
            return employer.occupations
    return (master.occupation,)


def make_apprentice(rng: random.Random, master: Person, reference: dt.date) -> Apprentice:
    """An apprentice of the master's unit, usually of the master's trade, younger than the master."""
    youngest, oldest = APPRENTICE_AGE_RANGE
    oldest = max(youngest, min(oldest, master.age_on(reference) - APPRENTICE_AGE_GAP))
    age = rng.randint(youngest, oldest)
    birth = birth_for_age(rng, reference, age)
    sex: Gender = MALE if rng.random() < APPRENTICE_MALE_SHARE else FEMALE
    name, _pinyin = make_name(rng, sex)
    occupation = master.occupation
    if rng.random() > APPRENTICE_SAME_TRADE_SHARE:
        occupation = rng.choice(_trades_of(master))
    level = _weighted(rng, APPRENTICE_LEVELS)
    if level == TECHNICIAN and age < APPRENTICE_TECHNICIAN_MIN_AGE:
        level = APPRENTICE_FALLBACK_LEVEL
    return Apprentice(
        name=name,
        gender=sex,
        birth=birth,
        age=age,
        id_number=make_id_number(rng, region_code_for(rng, master.profile_id, birth), birth, sex),
        employer=master.employer,
        occupation=occupation,
        qualification_level=level,
        position=_weighted(rng, APPRENTICE_POSITIONS),
        phone=make_phone(rng),
    )


def make_apprentices(rng: random.Random, master: Person, reference: dt.date, count: int) -> list[Apprentice]:
    """``count`` apprentices of one master."""
    return [make_apprentice(rng, master, reference) for _ in range(count)]
