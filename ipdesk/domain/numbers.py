"""Reading numbers as clerks type them with a Chinese input method.

"1,648亿元", "１６４８", "1 648", "60%", "2.02万件" are understood; anything that is not one number (text, two
numbers, exponent forms, NaN) is refused with a message saying why, in Chinese.
"""

from __future__ import annotations

import re
import unicodedata

from ipdesk.domain.errors import InvalidInput

_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(.*)$")
_THOUSANDS = re.compile(r"(?<=\d)[,\s](?=\d{3}(?:\D|$))")


def parse_number(
    text: str,
    *,
    unit: str = "",
    label: str = "数值",
    allow_negative: bool = False,
    maximum: float | None = None,
) -> float | None:
    """The number in ``text``, or None when it is empty.

    ``unit`` may follow the number ("亿元", "%"); ``maximum`` caps it (100 for a percentage).
    """
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    cleaned = cleaned.replace("\u3000", " ").replace("。", ".")
    if not cleaned:
        return None
    cleaned = _THOUSANDS.sub("", cleaned).replace(" ", "")
    match = _NUMBER.match(cleaned)
    if not match:
        raise InvalidInput(f"{label}“{text}”不是数字，请只填写阿拉伯数字（可带小数点）")
    sign, digits, rest = match.groups()
    rest = rest.strip()
    accepted = {"", unit, unit.strip("()（）")} if unit else {""}
    if unit in ("%", "％"):
        accepted |= {"%"}
    if rest not in accepted:
        if re.match(r"^[eE][+-]?\d", rest):
            raise InvalidInput(f"{label}“{text}”请直接写出数字，不要用科学计数法")
        if re.search(r"\d", rest):
            raise InvalidInput(f"{label}“{text}”中有多个数字，请只填写一个数")
        expected = f"，单位应为“{unit}”" if unit else ""
        raise InvalidInput(f"{label}“{text}”后面的“{rest}”无法识别{expected}")
    value = float(digits) * (-1 if sign == "-" else 1)
    if value < 0 and not allow_negative:
        raise InvalidInput(f"{label}不能为负数：{text}")
    if maximum is not None and value > maximum:
        raise InvalidInput(f"{label}不能超过 {maximum:g}：{text}")
    return value
