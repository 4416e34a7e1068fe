"""What a unit enters each period: the progress of a task (工作进展) and the value of an indicator."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.periods import Period
from ipdesk.domain.statuses import TaskStatus

MAX_TEXT_LENGTH = 20_000  # characters in one text field; a page of a form holds far less
LARGE_CHANGE = 0.5  # a value more than half above or below the previous period's must be confirmed and explained


@dataclass(frozen=True)
class LargeChange:
    """A value that moved more than ``LARGE_CHANGE`` from the previous period's: kept only once the clerk confirms
    it and says why (a typing slip such as 1648 for 164.8 is the usual cause)."""

    previous: float
    new: float

    @property
    def share(self) -> float:
        return (self.new - self.previous) / self.previous

    def question(self, unit_of_measure: str = "") -> str:
        return (
            f"本期数值 {_plain(self.new)}{unit_of_measure} 比上期 {_plain(self.previous)}{unit_of_measure} "
            f"变化了 {self.share * 100:+.0f}%（超过 {LARGE_CHANGE * 100:.0f}%）。"
        )


def typed_texts(entry: Progress | IndicatorValue | TargetValue) -> None:
    """Refuse, naming the field and the position, a control character (NUL …) in what a clerk typed or pasted: it
    cannot be written to a workbook or a PDF and hides text on screen. Checked when an entry is saved, not when one
    is read, so that an entry stored before this rule still opens."""
    from ipdesk.domain.limits import control_character

    fields: tuple[tuple[str, str], ...]
    if isinstance(entry, Progress):
        fields = (("工作进展及成效", entry.achievements), ("存在问题", entry.problems), ("下步计划", entry.next_steps))
    elif isinstance(entry, IndicatorValue):
        fields = (("说明", entry.note), ("数据来源", entry.data_source))
    else:
        fields = (("说明", entry.note),)
    for label, text in fields:
        found = control_character(text)
        if found is not None:
            position, code = found
            raise InvalidInput(f"“{label}”的第 {position} 个字符是控制字符（{code}），不能保存：请删去后再保存")


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")


def large_change(previous: float | None, new: float | None, limit: float = LARGE_CHANGE) -> LargeChange | None:
    """The change from ``previous`` to ``new`` when it exceeds ``limit`` (a share of ``previous``), else None.

    Nothing to compare — no previous value, a previous value of 0, or no new value — is never a large change.
    """
    if previous is None or new is None or previous == 0:
        return None
    change = LargeChange(previous, new)
    return change if abs(change.share) > limit else None


@dataclass(frozen=True)
class Progress:
    """A unit's progress on one task in one period. Empty text and ``None`` mean "not entered yet"."""

    task_seq: int
    unit: str
    period: Period
    status: TaskStatus | None = None
    percent: float | None = None
    achievements: str = ""  # 工作进展及成效
    problems: str = ""  # 存在问题
    next_steps: str = ""  # 下步计划
    updated_at: str = ""
    updated_by: str = ""

    def __post_init__(self) -> None:
        if self.percent is not None:
            if not isinstance(self.percent, (int, float)) or math.isnan(self.percent) or math.isinf(self.percent):
                raise InvalidInput("完成进度必须是 0 到 100 之间的数字")
            if not 0 <= self.percent <= 100:
                raise InvalidInput(f"完成进度必须在 0 到 100 之间，不能是 {self.percent:g}")
        for label, text in (
            ("工作进展及成效", self.achievements),
            ("存在问题", self.problems),
            ("下步计划", self.next_steps),
        ):
            if len(text) > MAX_TEXT_LENGTH:
                raise InvalidInput(f"“{label}”过长（{len(text)} 字），请控制在 {MAX_TEXT_LENGTH} 字以内")

    @property
    def is_empty(self) -> bool:
        return (
            self.status is None and self.percent is None and not (self.achievements or self.problems or self.next_steps)
        )

    def with_changes(self, **changes: Any) -> Progress:
        return replace(self, **changes)


@dataclass(frozen=True)
class IndicatorValue:
    """A unit's value of an indicator for a period, with where the figure comes from (数据来源)."""

    indicator_seq: int
    unit: str
    period: Period
    value: float | None = None
    note: str = ""
    data_source: str = ""
    updated_at: str = ""
    updated_by: str = ""

    def __post_init__(self) -> None:
        if self.value is not None:
            if not isinstance(self.value, (int, float)) or math.isnan(self.value) or math.isinf(self.value):
                raise InvalidInput("指标值必须是一个有限的数字")
            if self.value < 0:
                raise InvalidInput(f"指标值不能为负数：{self.value:g}")
        for label, text in (("说明", self.note), ("数据来源", self.data_source)):
            if len(text) > MAX_TEXT_LENGTH:
                raise InvalidInput(f"“{label}”过长（{len(text)} 字），请控制在 {MAX_TEXT_LENGTH} 字以内")

    def with_changes(self, **changes: Any) -> IndicatorValue:
        return replace(self, **changes)


@dataclass(frozen=True)
class TargetValue:
    """A unit's cumulative value to date for a project's sub-target (e.g. 维权援助工作站 so far: 41 家)."""

    project_no: int
    target_seq: int
    unit: str
    period: Period
    value: float | None = None
    note: str = ""
    updated_at: str = ""
    updated_by: str = ""

    def __post_init__(self) -> None:
        if self.value is not None:
            if not isinstance(self.value, (int, float)) or math.isnan(self.value) or math.isinf(self.value):
                raise InvalidInput("目标值必须是一个有限的数字")
            if self.value < 0:
                raise InvalidInput(f"累计值不能为负数：{self.value:g}")
        if len(self.note) > MAX_TEXT_LENGTH:
            raise InvalidInput(f"“说明”过长（{len(self.note)} 字），请控制在 {MAX_TEXT_LENGTH} 字以内")

    def with_changes(self, **changes: Any) -> TargetValue:
        return replace(self, **changes)
