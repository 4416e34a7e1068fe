"""The completeness matrix (报送情况): every unit × every period of a kind, from the returns received.

Each cell is a ``Submission`` (未报 / 逾期 / 待审 / 已接收 / 已退回, with the due date and whether the first version
came on time). Only periods of the plan's span that have begun are shown; due dates follow the deadline rule in 设置
(the Nth day of the month after the period).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ipdesk.domain.deadlines import plan_periods
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.domain.plan import Unit
from ipdesk.domain.returns import ReceivedReturn, Submission, SubmissionState, submission_state


@dataclass(frozen=True)
class Matrix:
    units: tuple[Unit, ...]
    periods: tuple[Period, ...]
    cells: dict[tuple[str, str], Submission]

    def cell(self, unit: str, period: str | Period) -> Submission:
        return self.cells[(unit, str(period))]

    def column(self, period: str | Period) -> list[Submission]:
        return [self.cells[(u.name, str(period))] for u in self.units]

    def counts(self, period: str | Period) -> Counter[SubmissionState]:
        return Counter(s.state for s in self.column(period))

    def on_time(self, period: str | Period) -> tuple[int, int]:
        """(reported on time, reported at all) for the period: DHIS2's two reporting rates."""
        reported = [s for s in self.column(period) if s.first_received_at]
        return sum(1 for s in reported if s.on_time), len(reported)


def periods_shown(kind: PeriodKind, span: tuple[dt.date, dt.date], today: dt.date) -> list[Period]:
    """The plan's periods of ``kind`` that have begun by ``today`` (all of them once the plan has ended)."""
    return [p for p in plan_periods(kind, *span) if p.start <= today]


def build_matrix(
    units: list[Unit],
    periods: list[Period],
    received: list[ReceivedReturn],
    due_day: int,
    today: dt.date,
) -> Matrix:
    """The matrix from every version received (in any order)."""
    wanted = {p.code for p in periods}
    latest: dict[tuple[str, str], ReceivedReturn] = {}
    first: dict[tuple[str, str], str] = {}
    for item in received:
        if item.period not in wanted:
            continue
        key = (item.unit, item.period)
        if key not in latest or item.version > latest[key].version:
            latest[key] = item
        if key not in first or item.received_at < first[key]:
            first[key] = item.received_at
    cells = {}
    for period in periods:
        due = period.due_date(due_day)
        for unit in units:
            key = (unit.name, period.code)
            found = latest.get(key)
            cells[key] = Submission(
                unit.name, period, submission_state(found, due, today), due, found, first.get(key, "")
            )
    return Matrix(tuple(units), tuple(periods), cells)
