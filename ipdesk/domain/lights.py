"""Warning lights (红/黄/绿灯) by 序时进度: how far a task or indicator is from where the time elapsed says it
should be.

A task is expected to be as far along as the share of its time span that has passed by the end of the period
(at the end of November, 11/12 of a one-year task). It is green at 95% or more of that expectation, yellow from 85%,
red below; the two thresholds are settings. Before a span starts nothing is expected (green); after it ends, all of
it is. An indicator compares its entered value with the value expected this year. Colour is only an aid: the
label always says the light in words, since printouts are often black and white.

A threshold (≥95%) or a level to hold (保持30亿元) is met or it is not: 80.99 against ≥85 is 95% of the way, but the
threshold is missed. Such a value is never green: red from the year the target is due, and before that year yellow
at best (a value far below still shows red by the ratio, as any other indicator would).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

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
