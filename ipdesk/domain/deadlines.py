"""Which periods a unit owes a return for, when each is due, and which period to open by default.

Everything is computed against the plan's span, not against today alone, so the lists read sensibly before the plan
starts (nothing due yet), during it, and after it ends (the plan's last periods stay open until they are submitted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

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
    kind: PeriodKind, span_start: dt.date, span_end: dt.date, today: dt.date, due_day: int, submitted: set[str]
) -> list[DueItem]:
    """Periods of the plan not yet submitted that are owed (ended) or being filled (current), newest first."""
    items = []
    for period in plan_periods(kind, span_start, span_end):
        if period.code in submitted or period.start > today:
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
