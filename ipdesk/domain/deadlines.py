"""Which periods a unit owes a return for, when each is due, and which period to open by default.

Everything is computed against the plan's span, not against today alone, so the lists read sensibly before the plan
starts (nothing due yet), during it, and after it ends (the plan's last periods stay open until they are submitted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.periods import Period, PeriodKind


class DueState(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    OPEN = "open"

    @property
    def label(self) -> str:
        return {"overdue": "已逾期", "due": "待报送", "open": "填报中"}[self.value]


@dataclass(frozen=True)
class DueItem:
    period: Period
    due_date: dt.date
    state: DueState


def plan_periods(kind: PeriodKind, span_start: dt.date, span_end: dt.date) -> list[Period]:
    """Every period of ``kind`` that overlaps the plan's span, in order."""
    periods, period = [], Period.containing(span_start, kind)
    last = Period.containing(span_end, kind)
    while period <= last:
        periods.append(period)
        period = period.next()
    return periods


def in_plan(period: Period, span_start: dt.date, span_end: dt.date) -> bool:
    """True when ``period`` overlaps the plan's span: exactly the periods ``plan_periods`` offers."""
    return period.end >= span_start and period.start <= span_end


def check_in_plan(period: Period, span_start: dt.date, span_end: dt.date) -> Period:
    """``period`` itself when the plan covers it; otherwise ``InvalidInput`` naming the periods that may be used.

    One rule for the window, the command line and scripts: data is entered, submitted and exported only for the
    periods of the plan (those that overlap its span), never for a period before it starts or after it ends.
    """
    if in_plan(period, span_start, span_end):
        return period
    periods = plan_periods(period.kind, span_start, span_end)
    first, last = periods[0], periods[-1]
    when = "方案开始之前" if period.end < span_start else "方案期满之后"
    raise InvalidInput(
        f"{period.chinese}在{when}（方案实施期为 {span_start.year}年{span_start.month}月至"
        f"{span_end.year}年{span_end.month}月），只能填报、提交和导出方案期内的报送期；{period.kind.label}可选 "
        f"{first.chinese}（{first.code}）至 {last.chinese}（{last.code}）。"
    )


def default_period(kind: PeriodKind, span_start: dt.date, span_end: dt.date, today: dt.date) -> Period:
    """The period whose return is being prepared now: the last one ended, kept within the plan's span."""
    periods = plan_periods(kind, span_start, span_end)
    ended = Period.containing(today, kind).previous()
    if ended.end < periods[0].end:
        return periods[0]
    if ended.end > periods[-1].end:
        return periods[-1]
    return ended


def due_periods(
    kind: PeriodKind,
    span_start: dt.date,
    span_end: dt.date,
    today: dt.date,
    due_day: int,
    submitted: set[str],
    since: dt.date | None = None,
) -> list[DueItem]:
    """Periods of the plan not yet submitted that are owed (ended) or being filled (current), newest first.

    ``since`` is the first day of the period from which the unit reports with ipdesk: earlier periods were
    reported some other way (on paper, by e-mail) and are not owed here.
    """
    items = []
    for period in plan_periods(kind, span_start, span_end):
        if period.code in submitted or period.start > today:
            continue
        if since is not None and period.end < since:
            continue
        due = period.due_date(due_day)
        if period.end >= today:
            state = DueState.OPEN
        elif today > due:
            state = DueState.OVERDUE
        else:
            state = DueState.DUE
        items.append(DueItem(period, due, state))
    return sorted(items, key=lambda item: item.period.end, reverse=True)
