"""Headline indicators (主要发展指标) and the value each one is expected to reach in a given year.

The plan publishes a 2020 baseline, a 2025 target and a yearly growth that is the compound rate from one to the
other (13 → 20 件 over five years is 9.0%). The expected value in a year between the two follows that compound path;
the exact rate is used, so the path ends on the target rather than a rounding away from it. Outside the span the
values read sensibly too: the baseline in its own year, nothing before it, and the target from the target year on
(the next plan will set new ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.numbers import is_count

TARGET_OPS = ("=", "≥", "保持")


class IndicatorKind(StrEnum):
    """What an indicator's figure is, which decides what is expected of it part-way through a year.

    * ``flow`` 年度流量: an amount per year (年申请量, 成交额, 融资金额); a unit enters the amount so far this year,
      and by the end of September three quarters of the year's expected amount is due (序时);
    * ``stock`` 存量: a count or holding at a moment (拥有量, 数量, cumulative counts); it is expected to lie on the
      path from the baseline to the target, part-way between last year's expected value and this year's;
    * ``rate`` 比率: a rate or level (满意度, %); the year's expected level applies all year;
    * ``hold`` 保持: a level to hold (保持30亿元); the level applies every year.
    """

    FLOW = "flow"
    STOCK = "stock"
    RATE = "rate"
    HOLD = "hold"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    IndicatorKind.FLOW: "年度流量",
    IndicatorKind.STOCK: "存量",
    IndicatorKind.RATE: "比率",
    IndicatorKind.HOLD: "保持",
}
_RATE_UNITS = ("%", "％", "分", "‰")
_RATE_WORDS = ("率", "满意度", "比", "占比", "指数", "覆盖率")
_STOCK_WORDS = ("拥有量", "累计", "总数", "数量")
_FLOW_WORDS = ("年申请量", "年度", "年质押", "年新增", "成交额", "融资金额", "申请量", "登记数", "登记量")


def guess_kind(name: str, unit_of_measure: str = "", target_op: str = "=") -> IndicatorKind:
    """The kind an indicator's name suggests, for a person to confirm (an imported plan's indicator table).

    Rates and levels by their unit (%, 分) or word (率, 满意度, 比); yearly amounts by 年…量/成交额/融资金额/登记数;
    holdings by 拥有量/数量/累计; a level to hold (保持) that is not a yearly amount is ``hold``; anything else is a
    ``stock``, the kind whose expectation (the path from the baseline) asks least of a guess.
    """
    text = name.strip()
    if unit_of_measure.strip() in _RATE_UNITS or any(word in text for word in _RATE_WORDS):
        return IndicatorKind.RATE
    if any(word in text for word in _STOCK_WORDS):
        return IndicatorKind.STOCK
    if any(word in text for word in _FLOW_WORDS):
        return IndicatorKind.FLOW
    if target_op == "保持":
        return IndicatorKind.HOLD
    return IndicatorKind.STOCK


def read_kind(text: str) -> IndicatorKind | None:
    """A kind from a cell: the code (flow) or the label (年度流量, 流量, 存量, 比率, 水平, 保持); None when empty."""
    cell = (text or "").strip()
    if not cell:
        return None
    for kind in IndicatorKind:
        if cell in (kind.value, kind.label):
            return kind
    for words, kind in (
        (("流量", "年度", "每年"), IndicatorKind.FLOW),
        (("存量", "累计", "拥有"), IndicatorKind.STOCK),
        (("比率", "率", "水平", "比例"), IndicatorKind.RATE),
        (("保持",), IndicatorKind.HOLD),
    ):
        if any(word in cell for word in words):
            return kind
    raise InvalidInput(f"指标类型“{text}”无法识别（应为年度流量、存量、比率或保持）")


@dataclass(frozen=True)
class Indicator:
    """One of the plan's main development indicators (主要发展指标): its baseline, target and published growth."""

    seq: int
    group: str  # 创造质量, 运用效益, 管理效能, 服务保障, 保护水平
    name: str
    unit_of_measure: str
    baseline: float | None
    baseline_year: int | None
    target: float
    target_year: int
    target_op: str  # "=" a value to reach, "≥" a threshold to stay above, "保持" hold the baseline level
    growth: float | None  # the published yearly growth as a fraction (0.09 for 9.0%), None where none is published
    growth_text: str  # exactly as published: "9.0%", "保持", "高于全国平均水平" or ""
    task_seq: int | None  # the task-list row that assigns it; None when the indicator table names its units
    lead_units: tuple[str, ...] = ()  # only without a task-list row: the units the indicator table names
    coop_units: tuple[str, ...] = ()
    kind: IndicatorKind | None = None  # None: as ``guess_kind`` reads the name (see ``kind_of``)
    kind_note: str = ""  # why the kind was chosen where the reading is a judgement

    def __post_init__(self) -> None:
        if self.target_op not in TARGET_OPS:
            raise ValueError(f"unknown target_op {self.target_op!r}")
        if (self.baseline is None) != (self.baseline_year is None):
            raise ValueError("baseline and baseline_year go together")
        if self.kind is not None and not isinstance(self.kind, IndicatorKind):
            object.__setattr__(self, "kind", IndicatorKind(self.kind))

    @property
    def kind_of(self) -> IndicatorKind:
        """The indicator's kind: as the plan states it, else as its name suggests."""
        return self.kind if self.kind is not None else guess_kind(self.name, self.unit_of_measure, self.target_op)

    @property
    def counts(self) -> bool:
        """Whether the indicator counts whole things (件, 家), so its values are whole numbers."""
        return is_count(self.unit_of_measure, self.name)

    @property
    def must_reach(self) -> bool:
        """A threshold (≥) or a level to hold (保持): a value below the expected one is not on track."""
        return self.target_op in ("≥", "保持")

    def due(self, year: int) -> bool:
        """Whether the target's year has come by ``year``."""
        return year >= self.target_year

    @property
    def compound_rate(self) -> float | None:
        """The exact yearly rate that takes the baseline to the target, or None where there is no such path."""
        if not self._has_growth_path or self.baseline is None or self.baseline_year is None:
            return None
        years = self.target_year - self.baseline_year
        return (self.target / self.baseline) ** (1 / years) - 1

    @property
    def _has_growth_path(self) -> bool:
        if self.baseline is None or self.baseline_year is None or self.baseline <= 0:
            return False
        if self.target_op == "保持" or self.target_year <= self.baseline_year:
            return False
        # A threshold already met by the baseline ("≥95" from 100) is to be held, not approached.
        return not (self.target_op == "≥" and self.baseline >= self.target)

    def expected(self, year: int) -> float | None:
        """The value this indicator should reach by the end of ``year``; None where the plan gives none."""
        if self.target_op == "保持":
            if self.baseline_year is not None and year < self.baseline_year:
                return None
            return self.target
        if self.baseline is None:
            # A standing threshold applies in any year; a plain target with no baseline only from its year on.
            if self.target_op == "≥" or year >= self.target_year:
                return self.target
            return None
        assert self.baseline_year is not None
        if year < self.baseline_year:
            return None
        if year >= self.target_year:
            return self.target
        if year == self.baseline_year:
            return self.baseline
        rate = self.compound_rate
        if rate is None:
            return self.target
        return self.baseline * (1 + rate) ** (year - self.baseline_year)
