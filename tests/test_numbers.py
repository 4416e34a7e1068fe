from __future__ import annotations

import pytest

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.numbers import parse_number


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
