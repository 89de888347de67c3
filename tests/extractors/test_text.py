from __future__ import annotations

import pytest

from extractors.text import character_error_rate, compact, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("姓  名", "姓名"),
        ("5105 0219 7805 1200 3x", "51050219780512003x"),
        ("2016 年四川省", "2016年四川省"),
        ("职业（工种）：焊工", "职业(工种):焊工"),
        ("１２３ＡＢＣ", "123ABC"),
        ("手机： 139 8000 1234", "手机:13980001234"),
        ("Zhang   San", "Zhang San"),
        ("泸市人社办〔2019〕94号", "泸市人社办[2019]94号"),
        ("  \t", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_text_is_idempotent() -> None:
    for raw in ("职 业（工 种）： 焊 工", "个人身份证号：5105 0219 7805 1200 3X"):
        once = normalize_text(raw)
        assert normalize_text(once) == once


def test_compact_drops_every_space() -> None:
    assert compact("Zhang San 工作 单位") == "ZhangSan工作单位"


def test_character_error_rate() -> None:
    assert character_error_rate("泸州市首席技师", "泸州市首席技师") == 0.0
    assert character_error_rate("泸州市首席技帅", "泸州市首席技师") == pytest.approx(1 / 7)
    assert character_error_rate("", "abcd") == 1.0
    assert character_error_rate("ab", "") == 1.0
    assert character_error_rate("", "") == 0.0
