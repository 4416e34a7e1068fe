"""Reading numbers as clerks type them with a Chinese input method.

"1,648亿元", "１６４８", "1 648", "60%", "2.02万件" are understood; anything that is not one number (text, two
numbers, exponent forms, NaN) is refused with a message saying why, in Chinese.

Some quantities are counts (件, 家, 场次 …): whole things, never 703.43 件. Which ones is decided here, once, by the
unit of measure and the quantity's name (``is_count``), and every place that takes, makes or prints such a number
asks it: number entry refuses a fraction (``check_whole``), the sample data generator draws whole numbers and the
report writers print whole numbers.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from ipdesk.domain.errors import InvalidInput


@functools.cache  # compiled when first needed, not when the program starts
def _number() -> re.Pattern[str]:
    return re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(.*)$")


@functools.cache  # compiled when first needed, not when the program starts
def _thousands() -> re.Pattern[str]:
    return re.compile(r"(?<=\d)[,\s](?=\d{3}(?:\D|$))")


def parse_number(
    text: str,
    *,
    unit: str = "",
    label: str = "数值",
    allow_negative: bool = False,
    maximum: float | None = None,
    whole: bool = False,
) -> float | None:
    """The number in ``text``, or None when it is empty.

    ``unit`` may follow the number ("亿元", "%"); ``maximum`` caps it (100 for a percentage); ``whole`` refuses
    a fraction (for a count, see ``is_count``).
    """
    cleaned = unicodedata.normalize("NFKC", str(text)).strip()
    cleaned = cleaned.replace("\u3000", " ").replace("。", ".")
    if not cleaned:
        return None
    cleaned = _thousands().sub("", cleaned).replace(" ", "")
    match = _number().match(cleaned)
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
    if whole:
        check_whole(value, unit, label)
    return value


# Units that count whole things. 万件, 万人 (ten thousands), 亿元 (money), %, 分 (a score) are not counts.
COUNT_UNITS = frozenset({"件", "家", "场次", "场", "个", "项", "人", "人次", "次", "笔", "所", "座", "部", "名", "户"})
# A count divided by something is a ratio: 每万人口高价值发明专利拥有量 is in 件 but reads 20.5 件.
RATIO_WORDS = ("每万", "每千", "每百", "每十万", "人均", "户均", "平均", "占比", "比例", "比重", "率", "增幅")


def is_count(unit_of_measure: str, name: str = "") -> bool:
    """Whether a quantity in ``unit_of_measure`` (named ``name``) counts whole things, so it is a whole number.

    专利开放许可（件）, 维权援助工作站（家）, 调解（场次） are counts; 每万人口高价值发明专利拥有量（件） is a ratio;
    万件, 亿元, % and 分 are not counts.
    """
    return unit_of_measure.strip() in COUNT_UNITS and not any(word in name for word in RATIO_WORDS)


def check_whole(value: float | None, unit_of_measure: str = "", label: str = "数值") -> None:
    """Refuse a fraction where a whole number is meant (a count)."""
    if value is not None and not float(value).is_integer():
        unit = f"（{unit_of_measure}）" if unit_of_measure else ""
        raise InvalidInput(f"{label}{unit}是计数，应为整数，不能是 {value:g}")


def number_text(value: float | None, digits: int = 2) -> str:
    """A number as the forms print it in running text: no trailing zeros; — when there is none."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def target_text(op: str, value: float) -> str:
    if op == "保持":
        return f"保持{number_text(value)}"
    return f"{'' if op == '=' else op}{number_text(value)}"
