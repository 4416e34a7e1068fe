"""The completeness matrix (报送情况): every unit × every period of a kind, from the office's accounting.

Each cell is the unit's ``UnitAccount`` for that period (``domain.accounting``): under the office's own rhythm one
return (未到期 / 逾期 / 待审 / 已接收 / 已退回, and 逾期N天 when it came late); for a longer column — quarters under a
monthly rhythm — the returns of its months (已齐 / 缺报 / 逾期 …, 已报 2/3). Only periods of the plan's span that have
begun, and that owe at least one collected return, are shown; columns shorter than the rhythm are not offered.
"""

from __future__ import annotations

import datetime as dt

from ipdesk.domain.accounting import CollectionRules, Matrix, account
from ipdesk.domain.deadlines import plan_periods
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.domain.plan import Unit
from ipdesk.domain.returns import ReceivedReturn


def periods_shown(rules: CollectionRules, kind: PeriodKind, today: dt.date) -> list[Period]:
    """The plan's periods of ``kind`` that have begun by ``today`` and owe a collected return."""
    return [
        p
        for p in plan_periods(kind, *rules.span)
        if p.start <= today and any(rules.collected(r) for r in rules.periods_in(p.start, p.end))
    ]


def build_matrix(
    rules: CollectionRules, units: list[Unit], kind: PeriodKind, received: list[ReceivedReturn], today: dt.date
) -> Matrix:
    """The matrix from every version received (in any order). ``kind`` shorter than the rhythm is read as the
    rhythm."""
    if kind.months < rules.rhythm.months:
        kind = rules.rhythm
    periods = periods_shown(rules, kind, today)
    names = [u.name for u in units]
    by_period: dict[str, list[ReceivedReturn]] = {}
    for item in received:
        by_period.setdefault(item.period, []).append(item)
    columns = {}
    for p in periods:
        own = [item for r in rules.periods_in(p.start, p.end) for item in by_period.get(r.code, ())]
        columns[p.code] = account(rules, names, own, p, today)
    return Matrix(tuple(units), tuple(periods), columns)
