"""Warning lights (红/黄/绿灯) by 序时进度: how far a task or indicator is from where the time elapsed says it
should be.

A task is expected to be as far along as the share of its time span that has passed by the end of the period
(at the end of November, 11/12 of a one-year task). It is green at 95% or more of that expectation, yellow from 85%,
red below; the two thresholds are settings. Before a span starts nothing is expected (green); after it ends, all of
it is. An indicator compares its entered value with the value expected this year. Colour is only an aid: the
label always says the light in words, since printouts are often black and white.

What an indicator is expected to reach by the end of a period follows its kind (``IndicatorKind``): a yearly amount
(flow) the year's expected amount × the share of the year elapsed (序时: by September 1500 of a yearly 2000); a stock
the path from the baseline to the target, part-way through the year; a rate or a level to hold, the year's expected
level. ``judge_indicator`` is the one place that works this out: the unit's window, its PDF and workbook, the city's
reports, the scores and the plan-end evaluation all take an indicator's light and verdict from it.

At the end of the target's year the question is no longer "on schedule?" but "reached?": a value short of the
target is 未达标 and never green, however close it is (24 of 25 is yellow), so no report can print 绿灯 beside
未达标.

A threshold (≥95%) or a level to hold (保持30亿元) is met or it is not: 80.99 against ≥85 is 95% of the way, but the
threshold is missed. Such a value is never green: red from the year the target is due, and before that year yellow
at best (a value far below still shows red by the ratio, as any other indicator would).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ipdesk.domain.indicators import Indicator, IndicatorKind
from ipdesk.domain.periods import Period
from ipdesk.domain.progress import Progress
from ipdesk.domain.statuses import TaskStatus


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "none": "—"}[self.value]

    @property
    def rank(self) -> int:
        """For sorting: red first."""
        return {"red": 0, "yellow": 1, "green": 2, "none": 3}[self.value]


@dataclass(frozen=True)
class Thresholds:
    """The ratios of done to due below which a task's light turns yellow, then red."""

    green: float = 0.95
    yellow: float = 0.85

    def __post_init__(self) -> None:
        if not 0 < self.yellow <= self.green <= 1.5:
            raise ValueError("thresholds must satisfy 0 < yellow <= green")

    def light(self, ratio: float) -> Light:
        if ratio >= self.green:
            return Light.GREEN
        if ratio >= self.yellow:
            return Light.YELLOW
        return Light.RED


def expected_percent(period: Period, span_start: dt.date, span_end: dt.date) -> float:
    """序时进度: the percentage of the task due by the end of ``period``."""
    return round(period.elapsed_share(span_start, span_end) * 100, 1)


def task_light(progress: Progress, span_start: dt.date, span_end: dt.date, thresholds: Thresholds) -> Light:
    status, percent = progress.status, progress.percent
    if status is TaskStatus.DONE or (percent is not None and percent >= 100):
        return Light.GREEN
    if status is TaskStatus.LAGGING:
        return Light.RED  # the clerk says so; a reason is then required
    if percent is None:
        if status is TaskStatus.NOT_STARTED:
            percent = 0.0
        elif status is TaskStatus.ONGOING:
            return Light.GREEN  # standing work with no end point is on schedule while it goes on
        else:
            return Light.NONE
    expected = expected_percent(progress.period, span_start, span_end)
    if expected <= 0:
        return Light.GREEN
    return thresholds.light(percent / expected)


def completion_rate(value: float | None, expected: float | None) -> float | None:
    """The entered value as a share of the value expected this year (1.0 = on track)."""
    if value is None or expected is None or expected <= 0:
        return None
    return value / expected


def indicator_light(
    value: float | None,
    expected: float | None,
    thresholds: Thresholds,
    *,
    must_reach: bool = False,
    due: bool = False,
) -> Light:
    """The light of an indicator's value against the value expected this year.

    ``must_reach``: the expected value is a threshold or a level to hold (≥, 保持), so any value below it is not
    green; ``due``: the target's year has come, so a value below it is red.
    """
    rate = completion_rate(value, expected)
    if rate is None or value is None or expected is None:  # no rate without both
        return Light.NONE
    light = thresholds.light(rate)
    if must_reach and value < expected:
        if due:
            return Light.RED
        return Light.YELLOW if light is Light.GREEN else light
    return light


@dataclass(frozen=True)
class IndicatorJudgement:
    """Where an indicator's figure for a period stands: its expectation, light and, at the target's end, verdict."""

    value: float | None
    year_expected: float | None  # the value expected by the end of the period's year
    expected: float | None  # the value expected by the end of the period (序时 for a flow)
    light: Light
    final: bool  # the period ends at or after the end of the target's year: reached or not
    reached: bool | None  # True once the target is met in its year; False when its year ended short of it; else None

    @property
    def rate(self) -> float | None:
        """The value as a share of what is expected by the end of the period (1.0 = on schedule)."""
        return completion_rate(self.value, self.expected)

    @property
    def year_rate(self) -> float | None:
        """The value as a share of the year's expected value (the ``rate`` a return carries)."""
        return completion_rate(self.value, self.year_expected)

    @property
    def verdict(self) -> str:
        """In words: 达标 / 未达标 at the target's end; before it 达到序时进度 / 略低于序时进度 / 低于序时进度;
        未报送 without a value; 无预期值 where the plan expects nothing yet."""
        if self.value is None:
            return "未报送"
        if self.reached is not None:
            return "达标" if self.reached else "未达标"
        return {
            Light.GREEN: "达到序时进度",
            Light.YELLOW: "略低于序时进度",
            Light.RED: "低于序时进度",
            Light.NONE: "无预期值",
        }[self.light]


def year_share(period: Period) -> float:
    """The share of its year that has passed by the end of ``period`` (September: 0.75; a year: 1)."""
    return period.last_month / 12


def expected_by(
    indicator: Indicator, period: Period, year_expected: Callable[[int], float | None] | None = None
) -> tuple[float | None, float | None]:
    """(the year's expected value, the value expected by the end of ``period``) by the indicator's kind.

    ``year_expected(year)`` gives the plan's yearly expected values (a workspace's stored ones); by default the
    indicator's own rule.
    """
    yearly = year_expected or indicator.expected
    year, share = period.year, year_share(period)
    this_year = yearly(year)
    if this_year is None:
        return None, None
    kind = indicator.kind_of
    if kind is IndicatorKind.FLOW:
        return this_year, this_year * share
    if kind is IndicatorKind.STOCK and share < 1:
        last_year = yearly(year - 1)
        if last_year is None:
            return this_year, this_year
        if last_year > 0 and this_year > 0:
            return this_year, last_year * (this_year / last_year) ** share
        return this_year, last_year + (this_year - last_year) * share
    return this_year, this_year


def judge_indicator(
    indicator: Indicator,
    value: float | None,
    period: Period,
    thresholds: Thresholds,
    year_expected: Callable[[int], float | None] | None = None,
) -> IndicatorJudgement:
    """The one judgement of an indicator's figure for a period: every light and verdict comes from here.

    The light compares the value with what is expected by the end of the period (``expected_by``). A threshold or
    a level to hold is met or it is not (yellow at best below it, red from the target's year on — for a yearly
    amount, once the year is complete). In the target's year a value at or above the target is 达标 (green); at the
    end of that year a value below it is 未达标 and at best yellow.
    """
    this_year, expected = expected_by(indicator, period, year_expected)
    final = period.end >= dt.date(indicator.target_year, 12, 31)
    if indicator.kind_of is IndicatorKind.FLOW:
        due = indicator.due(period.year) and year_share(period) >= 1
    else:
        due = indicator.due(period.year)
    light = indicator_light(value, expected, thresholds, must_reach=indicator.must_reach, due=due)
    reached: bool | None = None
    if value is not None and period.year >= indicator.target_year:
        goal = expected if final and expected is not None else indicator.target
        if value >= goal:  # the target is met, even before the year is out (an amount only grows within it)
            reached, light = True, Light.GREEN
        elif final:
            reached = False
            if light is Light.GREEN:
                light = Light.YELLOW
    return IndicatorJudgement(value, this_year, expected, light, final, reached)
