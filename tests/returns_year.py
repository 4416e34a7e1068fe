"""A year of returns as the city office would hold them, made without signing anything: for tests of the office's
accounting (``ipdesk.domain.accounting``) and of what is built on it (scores, reports).

Each unit follows a *pattern*: a function that, given a rhythm period and its deadline, says which versions the
unit sent and when (days after the deadline; negative before it) and what the office did with each. The patterns
below are the kinds of units an office meets — on time, late, silent, lagging (stops after a month), returned and
sent again, returned and never sent again — and they combine (``each``). ``year_of_returns`` applies them to every
rhythm period of a year, *including* those before the office's first collected period (units send those too; the
accounting must leave them out).

    rules = CollectionRules(PeriodKind.MONTH, (date(2022, 7, 1), date(2025, 12, 31)), 5, date(2025, 7, 1))
    received = year_of_returns(rules, 2025, {"甲": ON_TIME, "乙": late(3, {"2025-09"}), "丙": SILENT})
    accounting = account(rules, ["甲", "乙", "丙"], received, Period.parse("2025"), today=date(2026, 1, 20))

Nothing here computes an expected figure: tests write those by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from ipdesk.domain.accounting import CollectionRules
from ipdesk.domain.periods import Period
from ipdesk.domain.reports import ReportStatus
from ipdesk.domain.returns import ReceivedReturn


@dataclass(frozen=True)
class Sent:
    """One version a unit sent: received ``days`` after the deadline (0 on the day, negative before it), and what
    the office did with it (待审 = SIGNED, ACCEPTED or RETURNED)."""

    days: int = 0
    status: ReportStatus = ReportStatus.SIGNED


Pattern = Callable[[Period, dt.date], tuple[Sent, ...]]


def ON_TIME(period: Period, deadline: dt.date) -> tuple[Sent, ...]:
    """Every return received on its deadline day, waiting for review."""
    return (Sent(0),)


def ACCEPTED(period: Period, deadline: dt.date) -> tuple[Sent, ...]:
    """Every return received two days before its deadline and accepted."""
    return (Sent(-2, ReportStatus.ACCEPTED),)


def SILENT(period: Period, deadline: dt.date) -> tuple[Sent, ...]:
    """Never sends anything."""
    return ()


def late(days: int, periods: Collection[str] | None = None) -> Pattern:
    """Received ``days`` after the deadline — for the period codes given (on time for the others), or for all."""

    def pattern(period: Period, deadline: dt.date) -> tuple[Sent, ...]:
        return (Sent(days),) if periods is None or period.code in periods else (Sent(0),)

    return pattern


def stops_after(last: str) -> Pattern:
    """On time up to and including period ``last``, then silent (a lagging unit)."""
    end = Period.parse(last).end

    def pattern(period: Period, deadline: dt.date) -> tuple[Sent, ...]:
        return (Sent(0),) if period.end <= end else ()

    return pattern


def returned(periods: Collection[str], resent_days: int | None = None) -> Pattern:
    """On time; for ``periods`` the first version is sent back (退回) and, when ``resent_days`` is given, a second
    version comes that many days after the deadline (waiting for review)."""

    def pattern(period: Period, deadline: dt.date) -> tuple[Sent, ...]:
        if period.code not in periods:
            return (Sent(0),)
        first = Sent(0, ReportStatus.RETURNED)
        return (first,) if resent_days is None else (first, Sent(resent_days))

    return pattern


def each(patterns: Mapping[str, Pattern], otherwise: Pattern = SILENT) -> Pattern:
    """Per period code its own pattern, ``otherwise`` for the rest."""

    def pattern(period: Period, deadline: dt.date) -> tuple[Sent, ...]:
        return patterns.get(period.code, otherwise)(period, deadline)

    return pattern


def received_at(day: dt.date, hour: int = 10) -> str:
    """A received moment as the store writes it (ISO 8601 with the offset of China)."""
    moment = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return moment.isoformat(timespec="milliseconds")


def year_of_returns(
    rules: CollectionRules, year: int, patterns: Mapping[str, Pattern], plan_code: str = "TEST"
) -> list[ReceivedReturn]:
    """Every version each unit sent for the rhythm periods of ``year`` (those before the office's first collected
    period too), as ``ReceivedReturn`` records like the store's."""
    made = []
    for period in rules.rhythm_periods():
        if period.end.year != year:
            continue
        deadline = rules.deadline(period)
        for unit, pattern in patterns.items():
            for version, sent in enumerate(pattern(period, deadline), 1):
                day = deadline + dt.timedelta(days=sent.days)
                made.append(
                    ReceivedReturn(
                        unit=unit,
                        period=period.code,
                        version=version,
                        status=sent.status,
                        signed_at=received_at(day, 9),
                        signed_by="审核人",
                        received_at=received_at(day),
                        fingerprint="",
                        format="2",
                        plan_code=plan_code,
                        decided_at=received_at(day, 15) if sent.status is not ReportStatus.SIGNED else "",
                        comment="请补充佐证材料" if sent.status is ReportStatus.RETURNED else "",
                    )
                )
    return made
