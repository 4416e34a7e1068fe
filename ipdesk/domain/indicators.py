"""Headline indicators (主要发展指标) and the value each one is expected to reach in a given year.

The plan publishes a 2020 baseline, a 2025 target and a yearly growth that is the compound rate from one to the
other (13 → 20 件 over five years is 9.0%). The expected value in a year between the two follows that compound path;
the exact rate is used, so the path ends on the target rather than a rounding away from it. Outside the span the
values read sensibly too: the baseline in its own year, nothing before it, and the target from the target year on
(the next plan will set new ones).
"""

from __future__ import annotations

from dataclasses import dataclass

from ipdesk.domain.numbers import is_count

TARGET_OPS = ("=", "≥", "保持")


@dataclass(frozen=True)
class Indicator:
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

    def __post_init__(self) -> None:
        if self.target_op not in TARGET_OPS:
            raise ValueError(f"unknown target_op {self.target_op!r}")
        if (self.baseline is None) != (self.baseline_year is None):
            raise ValueError("baseline and baseline_year go together")

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
