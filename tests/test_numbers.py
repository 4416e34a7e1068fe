from __future__ import annotations

import pytest

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.numbers import check_whole, is_count, parse_number


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("1648", "", 1648),
        ("1,648", "亿元", 1648),
        ("1,648亿元", "亿元", 1648),
        ("１６４８", "", 1648),
        ("１，６４８亿元", "亿元", 1648),
        (" 2.02 万件", "万件", 2.02),
        ("2．02", "", 2.02),
        ("60%", "%", 60),
        ("６０％", "%", 60),
        ("1 000 000", "", 1_000_000),
        ("95", "%", 95),
        ("0", "家", 0),
        ("", "", None),
        ("   ", "件", None),
    ],
)
def test_understood(text, unit, value):
    assert parse_number(text, unit=unit) == value


@pytest.mark.parametrize(
    ("text", "unit", "maximum", "message"),
    [
        ("abc", "", None, "不是数字"),
        ("一千", "", None, "不是数字"),
        ("12件", "亿元", None, "单位应为“亿元”"),
        ("1e3", "", None, "科学计数法"),
        ("12 到 15", "", None, "多个数字"),
        ("-5", "家", None, "负数"),
        ("120", "%", 100, "不能超过 100"),
        ("nan", "", None, "不是数字"),
        ("inf", "", None, "不是数字"),
        ("1,2,3", "", None, "多个数字"),
    ],
)
def test_refused_with_a_reason(text, unit, maximum, message):
    with pytest.raises(InvalidInput) as error:
        parse_number(text, unit=unit, maximum=maximum, label="完成进度")
    assert message in str(error.value)
    assert "完成进度" in str(error.value)


def test_negative_allowed_when_asked():
    assert parse_number("-3.5", allow_negative=True) == -3.5


@pytest.mark.parametrize(
    ("unit", "name", "counts"),
    [
        ("件", "海外专利年申请量", True),
        ("家", "知识产权优势和示范企业数量", True),
        ("场次", "知识产权纠纷多元化解调解", True),
        ("件", "每万人口高价值发明专利拥有量", False),  # a ratio in 件
        ("件", "每万人高价值发明专利拥有量", False),
        ("万件", "著作权登记数", False),
        ("亿元", "全市技术合同成交额", False),
        ("万人", "知识产权服务业从业人员", False),
        ("%", "知识产权行政执法案件结案率", False),
        ("分", "知识产权保护社会满意度", False),
    ],
)
def test_which_quantities_are_counts(unit, name, counts):
    assert is_count(unit, name) is counts


def test_a_count_is_a_whole_number():
    assert parse_number("703", unit="件", whole=True) == 703
    with pytest.raises(InvalidInput) as error:
        parse_number("703.43件", unit="件", label="本期数值", whole=True)
    assert "整数" in str(error.value) and "703.43" in str(error.value)
    check_whole(None)
    check_whole(12.0, "家")
    with pytest.raises(InvalidInput):
        check_whole(157.36, "家")
