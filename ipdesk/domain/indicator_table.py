"""Reading the cells of a plan's indicator table (主要发展指标表) the way the embedded plan reads them.

* a target is a value to reach (``20``), a threshold (``≧95``, ``≥95``, ``>=95``, ``95以上``, ``不低于95``) or a
  level to hold (``保持``, ``保持30``, or ``保持`` in the yearly-growth column with the baseline as the level);
* a missing baseline (empty, ``—``, ``/``, ``无``) is no baseline: a threshold then applies in every year and a plain
  target only from its year on (``Indicator.expected``);
* the yearly growth is kept as published (``9.0%``, ``保持``, ``高于全国平均水平``); a percentage is also read as a
  number, for the record — expected values always follow the compound path from baseline to target;
* a name may carry its unit in brackets at its end: ``每万人口高价值发明专利拥有量(件)``.
"""

from __future__ import annotations

import re
import unicodedata

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.numbers import parse_number

HOLD = "保持"
_MISSING = {"", "—", "–", "-", "－", "/", "／", "无", "暂无", "空缺", "——", "…"}
_AT_LEAST = ("≥", "≧", ">=", "＞＝", "不低于", "不少于", "至少", ">", "超过", "突破", "高于")
_AT_LEAST_AFTER = ("以上", "及以上")
_UNIT_AT_END = re.compile(r"^(.+?)[(（]([^()（）]{1,8})[)）]$")


def is_missing(text: str) -> bool:
    return unicodedata.normalize("NFKC", text or "").strip() in _MISSING


def split_name_and_unit(text: str) -> tuple[str, str]:
    """``知识产权服务业从业人员(万人)`` → (知识产权服务业从业人员, 万人); a name without a unit is returned whole."""
    match = _UNIT_AT_END.match(text.strip())
    if not match:
        return text.strip(), ""
    return match.group(1).strip(), match.group(2).strip()


def read_baseline(text: str, unit: str) -> float | None:
    if is_missing(text):
        return None
    return parse_number(text, unit=unit, label="基数")


def read_target(text: str, unit: str, growth_text: str = "", baseline: float | None = None) -> tuple[str, float]:
    """(target_op, target) from the target cell; ``InvalidInput`` says why a cell cannot be a target."""
    cell = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "")
    holds = cell.startswith(HOLD) or cell.endswith(HOLD) or growth_text.strip() == HOLD
    if holds:
        number = cell.replace(HOLD, "")
        if is_missing(number):
            if baseline is None:
                raise InvalidInput("目标为“保持”，但没有基数，无法确定保持的水平")
            return HOLD, baseline
        level = parse_number(number, unit=unit, label="目标")
        if level is None:  # is_missing caught every empty cell above
            raise InvalidInput("没有目标值")
        return HOLD, level
    if is_missing(cell):
        raise InvalidInput("没有目标值")
    if cell.startswith(("≤", "≦", "<", "不高于", "不超过", "低于")):
        raise InvalidInput(f"目标“{text}”是上限（越低越好），ipdesk 暂只支持要达到或保持的目标")
    op = "="
    for word in _AT_LEAST:
        if cell.startswith(word):
            op, cell = "≥", cell[len(word) :]
            break
    for word in _AT_LEAST_AFTER:
        if cell.endswith(word):
            op, cell = "≥", cell[: -len(word)]
            break
    try:
        target = parse_number(cell, unit=unit, label="目标")
    except InvalidInput:
        target = None
    if target is None:  # not a number, or a threshold word with no number after it (``≥``, ``以上``)
        raise InvalidInput(f"目标“{text}”不是数值（应为数字，或“≥数字”“保持”）")
    return op, target


def read_growth(text: str) -> tuple[float | None, str]:
    """(growth as a fraction or None, the text as published)."""
    published = (text or "").strip()
    cell = unicodedata.normalize("NFKC", published).replace(" ", "")
    if is_missing(cell):
        return None, ""
    match = re.fullmatch(r"([+-]?\d+(?:\.\d+)?)%", cell)
    if match:
        return round(float(match.group(1)) / 100, 10), published
    return None, published


def read_project_value(text: str, unit: str) -> tuple[str, float]:
    """(op, value) of a demonstration project's numeric target: ``≥1000`` (不少于1000), ``>20`` (突破20), ``30``."""
    cell = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "")
    if is_missing(cell):
        raise InvalidInput("没有目标值")
    op = "="
    for words, sign in ((("≥", "≧", ">=", "不少于", "不低于", "至少"), "≥"), ((">", "超过", "突破", "高于"), ">")):
        for word in words:
            if cell.startswith(word):
                op, cell = sign, cell[len(word) :]
                break
        if op != "=":
            break
    for word in ("以上", "及以上"):
        if cell.endswith(word):
            op, cell = "≥", cell[: -len(word)]
    try:
        value = parse_number(cell, unit=unit, label="目标值")
    except InvalidInput:
        value = None
    if value is None:  # not a number, or a threshold word with no number after it (``≥``, ``以上``)
        raise InvalidInput(f"目标值“{text}”不是数值（应为数字，或“≥数字”“>数字”）")
    return op, value


MEASURES = {"cumulative": "累计", "level": "目标年水平", "per_year": "每年"}


def read_measure(text: str) -> str:
    """What a project target counts: cumulative (累计到目标年), level (目标年达到的水平) or per_year (每年)."""
    cell = unicodedata.normalize("NFKC", text or "").strip()
    if not cell or cell in MEASURES:
        return cell or "cumulative"
    if "每年" in cell or "年度" in cell or "每" in cell:
        return "per_year"
    if "水平" in cell or "达到" in cell or "年末" in cell or "目标年" in cell:
        return "level"
    if "累计" in cell or "总" in cell:
        return "cumulative"
    raise InvalidInput(f"口径“{text}”无法识别（应为累计、目标年水平或每年）")
