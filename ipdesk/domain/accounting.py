"""The city office's accounting of returns: what was due from each unit, what came, when, and what counts.

One function, ``account``, answers for any stretch of time — a month, a quarter, a half-year, a year, a phase, the
whole plan — under the office's own reporting rules (``CollectionRules``): its rhythm (月/季/半年/年: each unit owes
one return per rhythm period), the first period it collects with ipdesk (earlier ones are 未纳入汇总, *not
collected*: never 未报送, never scored, never a 0 % rate), the plan's span and the deadline rule (the Nth of the
next month, moved to the next working day: ``domain.deadlines.deadline``).

A stretch owes the returns of the rhythm periods that *end* inside it: a quarter under a monthly rhythm owes its
three months, a year its twelve, a month under a quarterly rhythm owes the quarter's return only in the quarter's
last month. So the months of a year add up to the year, and the phases to the plan.

Each unit × rhythm period is a ``DueReturn`` (未到期 / 未报 / 待审 / 已接收 / 已退回, with the day each version was
received, and whether the first version came by the deadline or how many days late); each unit × stretch is a
``UnitAccount`` (``due``, ``received``, ``on_time``, ``late``, ``missing``, and one ``state``: 未纳入汇总 / 未到期 /
已齐 / 缺报 / 逾期 / 待审 / 已接收 / 已退回). Every consumer — ``city status``, ``city remind``, the window's matrix,
the reports, the scores, the 通报 and the plan-end evaluation — reads these, so they cannot disagree.

A return is the one for a rhythm period when its period code is that period's (a unit sending quarterly returns to an
office whose rhythm is monthly is asked for its months). Timeliness is judged by the day the office received the
*first* version: a version sent again after a 退回 does not make a return late, and keeps its own received day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from ipdesk.domain.deadlines import deadline, plan_periods
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.domain.plan import Unit
from ipdesk.domain.reports import ReportStatus
from ipdesk.domain.returns import ReceivedReturn, Timeliness


@dataclass(frozen=True)
class CollectionRules:
    """How the office collects: every setting the accounting depends on (nothing else is read)."""

    rhythm: PeriodKind  # one return per period of this kind
    span: tuple[dt.date, dt.date]  # the plan's first and last day
    due_day: int = 5  # the Nth day of the month after the period, moved to the next working day
    collecting_from: dt.date | None = None  # first day of the first collected month; None: the whole plan

    def deadline(self, period: Period) -> dt.date:
        return deadline(period, self.due_day)

    @cached_property
    def _rhythm_periods(self) -> tuple[Period, ...]:
        return tuple(plan_periods(self.rhythm, *self.span))

    @cached_property
    def _bounds(self) -> tuple[tuple[Period, dt.date, dt.date], ...]:
        """Each rhythm period with its first and last day, worked out once (the matrix asks thousands of times)."""
        return tuple((p, p.start, p.end) for p in self._rhythm_periods)

    def rhythm_periods(self) -> list[Period]:
        """Every rhythm period of the plan, collected or not."""
        return list(self._rhythm_periods)

    def collected(self, period: Period) -> bool:
        """A rhythm period is collected when it ends on or after the first collected month's first day."""
        return self.collecting_from is None or period.end >= self.collecting_from

    def periods_in(self, start: dt.date, end: dt.date) -> list[Period]:
        """The rhythm periods of the plan that end within ``start``–``end`` (collected or not)."""
        return [p for p, _, last in self._bounds if start <= last <= end]


class ReturnState(StrEnum):
    """The state of one due return (a unit × a rhythm period)."""

    NOT_DUE = "not_due"  # nothing received, the deadline has not passed
    MISSING = "missing"  # nothing received and the deadline has passed: 未报
    PENDING = "pending"  # the newest version waits for the office's review
    ACCEPTED = "accepted"
    RETURNED = "returned"  # sent back; the corrected version has not come

    @property
    def label(self) -> str:
        return {
            "not_due": "未到期",
            "missing": "未报",
            "pending": "待审",
            "accepted": "已接收",
            "returned": "已退回",
        }[self.value]

    @property
    def owing(self) -> bool:
        """The unit still owes this return (it belongs on the 催报 list)."""
        return self in (ReturnState.NOT_DUE, ReturnState.MISSING, ReturnState.RETURNED)


def received_day(item: ReceivedReturn) -> dt.date:
    """The day the office received a version (its ``received_at`` in the time zone it was recorded in)."""
    return dt.datetime.fromisoformat(item.received_at).date()


@dataclass(frozen=True)
class DueReturn:
    """One return a unit owes the office: a unit and a rhythm period, with every version received (oldest first)."""

    unit: str
    period: Period
    deadline: dt.date
    state: ReturnState
    versions: tuple[ReceivedReturn, ...] = ()

    @property
    def latest(self) -> ReceivedReturn | None:
        return self.versions[-1] if self.versions else None

    @property
    def received(self) -> bool:
        return bool(self.versions)

    @property
    def first_received(self) -> dt.date | None:
        """The day the first version came (None: nothing yet)."""
        return min(received_day(v) for v in self.versions) if self.versions else None

    @property
    def on_time(self) -> bool | None:
        """Whether the first version came by the deadline; None when nothing has come."""
        first = self.first_received
        return None if first is None else first <= self.deadline

    @property
    def late(self) -> bool:
        return self.on_time is False

    @property
    def days_late(self) -> int:
        """Days after the deadline the first version came; while nothing has come, 0 (see ``days_overdue``)."""
        first = self.first_received
        return max((first - self.deadline).days, 0) if first is not None else 0

    def days_overdue(self, today: dt.date) -> int:
        """Days past the deadline with nothing received (0 once something came, or before the deadline)."""
        return max((today - self.deadline).days, 0) if not self.versions else 0

    @property
    def due(self) -> bool:
        """Counted as owed in the stretch: its deadline has passed, or it came already."""
        return self.state is not ReturnState.NOT_DUE

    @property
    def timeliness_text(self) -> str:
        """按时 / 逾期报送N天 / "" (nothing received)."""
        if self.on_time is None:
            return ""
        return "按时" if self.on_time else f"逾期报送{self.days_late}天"

    @property
    def text(self) -> str:
        """What a cell shows: 待审 / 已接收 逾期3天 / 未报 / 未到期, with the version when it is not the first."""
        words = self.state.label
        if self.latest is not None and self.latest.version > 1:
            words += f" v{self.latest.version}"
        if self.late:
            words += f" 逾期{self.days_late}天"
        return words


class UnitState(StrEnum):
    """One unit's state over a stretch (the ``state`` of ``city status``)."""

    NOT_COLLECTED = "not_collected"  # the stretch lies before the office began collecting
    NOT_DUE = "not_due"  # nothing due yet and nothing received
    COMPLETE = "complete"  # every due return received (over more than one return)
    INCOMPLETE = "incomplete"  # some due returns received, some missing
    OVERDUE = "overdue"  # due returns, none received
    PENDING = "pending"  # the one due return waits for review
    ACCEPTED = "accepted"  # the one due return accepted
    RETURNED = "returned"  # a return sent back and not yet sent again (nothing missing)

    @property
    def label(self) -> str:
        return {
            "not_collected": "未纳入汇总",
            "not_due": "未到期",
            "complete": "已齐",
            "incomplete": "缺报",
            "overdue": "逾期",
            "pending": "待审",
            "accepted": "已接收",
            "returned": "已退回",
        }[self.value]

    @property
    def owing(self) -> bool:
        return self in (UnitState.INCOMPLETE, UnitState.OVERDUE, UnitState.RETURNED)


@dataclass(frozen=True)
class UnitAccount:
    """One unit over a stretch: its due returns (collected rhythm periods ending in the stretch) and the periods of
    the stretch before the office began collecting."""

    unit: str
    start: dt.date
    end: dt.date
    returns: tuple[DueReturn, ...]
    not_collected: tuple[Period, ...] = ()

    # -- counts ------------------------------------------------------------------------------------------------
    @property
    def collected(self) -> bool:
        """False when nothing of the stretch is collected (未纳入汇总)."""
        return bool(self.returns)

    @property
    def owed(self) -> list[DueReturn]:
        """The returns counted as due: deadline passed, or already received."""
        return [r for r in self.returns if r.due]

    @property
    def due(self) -> int:
        return len(self.owed)

    @property
    def received(self) -> int:
        return sum(1 for r in self.returns if r.received)

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.returns if r.on_time)

    @property
    def late(self) -> int:
        return sum(1 for r in self.returns if r.late)

    @property
    def late_returns(self) -> list[DueReturn]:
        return [r for r in self.returns if r.late]

    @property
    def missing(self) -> list[Period]:
        """The periods whose return is past its deadline and never came (未报)."""
        return [r.period for r in self.returns if r.state is ReturnState.MISSING]

    @property
    def returned(self) -> list[Period]:
        """The periods whose newest version was sent back and not sent again."""
        return [r.period for r in self.returns if r.state is ReturnState.RETURNED]

    @property
    def not_yet_due(self) -> list[Period]:
        return [r.period for r in self.returns if r.state is ReturnState.NOT_DUE]

    @property
    def days_late(self) -> int:
        """The most days late of a return received late (0 when none)."""
        return max((r.days_late for r in self.returns), default=0)

    def days_overdue(self, today: dt.date) -> int:
        """The most days past a deadline of a return still missing."""
        return max((r.days_overdue(today) for r in self.returns if r.state is ReturnState.MISSING), default=0)

    # -- in words ----------------------------------------------------------------------------------------------
    @property
    def state(self) -> UnitState:
        if not self.returns:  # before collection began; or no return of the rhythm ends in the stretch (yet)
            return UnitState.NOT_COLLECTED if self.not_collected else UnitState.NOT_DUE
        owed = self.owed
        if not owed:
            return UnitState.NOT_DUE
        if self.missing:
            return UnitState.OVERDUE if not any(r.received for r in owed) else UnitState.INCOMPLETE
        if self.returned:
            return UnitState.RETURNED
        if len(owed) == 1:
            return UnitState.ACCEPTED if owed[0].state is ReturnState.ACCEPTED else UnitState.PENDING
        return UnitState.COMPLETE

    @property
    def timeliness(self) -> Timeliness:
        """How the unit reported over the stretch, as reports and the 通报 say it."""
        if not self.returns:
            return Timeliness.NOT_COLLECTED if self.not_collected else Timeliness.NOT_DUE
        if not self.owed:
            return Timeliness.NOT_DUE
        if self.missing:
            return Timeliness.MISSING
        if self.returned:
            return Timeliness.RETURNED
        if self.late:
            return Timeliness.LATE
        return Timeliness.ON_TIME

    @property
    def text(self) -> str:
        """What a cell of the matrix shows: 待审 / 已接收 v2 逾期3天 / 逾期 / 未到期 for one return;
        已齐 3/3 / 缺报 2/3 / 已齐 3/3 逾期1期 over several; 未纳入汇总."""
        state = self.state
        if state in (UnitState.NOT_COLLECTED, UnitState.NOT_DUE):
            return state.label
        owed = self.owed
        if len(self.returns) == 1:
            words = state.label
            latest = owed[0].latest if owed else None
            if latest is not None and latest.version > 1:
                words += f" v{latest.version}"
            return words + (f" 逾期{self.days_late}天" if self.late else "")
        return f"{state.label} {self.received}/{self.due}" + (f" 逾期{self.late}期" if self.late else "")

    @property
    def summary(self) -> str:
        """已报 3/3 · 缺 2025年9月 · 逾期报送 1 期（最多 4 天） · 退回 2025年8月 · 未纳入汇总."""
        if not self.returns:
            return "未纳入汇总" if self.not_collected else "本期无应报"
        if not self.owed:
            return "未到期"
        parts = [f"已报 {self.received}/{self.due}"]
        if self.missing:
            parts.append("缺 " + "、".join(p.chinese for p in self.missing))
        if self.late:
            parts.append(f"逾期报送 {self.late} 期（最多 {self.days_late} 天）")
        if self.returned:
            parts.append("退回 " + "、".join(p.chinese for p in self.returned))
        return "，".join(parts)

    def to_dict(self) -> dict:
        return {
            "unit": self.unit,
            "state": self.state.label,
            "due": self.due,
            "received": self.received,
            "on_time": self.on_time,
            "late": self.late,
            "missing": [p.code for p in self.missing],
            "returned": [p.code for p in self.returned],
            "not_yet_due": [p.code for p in self.not_yet_due],
            "not_collected": [p.code for p in self.not_collected],
            "days_late": self.days_late,
            "returns": [
                {
                    "period": r.period.code,
                    "deadline": r.deadline.isoformat(),
                    "state": r.state.label,
                    "on_time": r.on_time,
                    "days_late": r.days_late,
                    "versions": [
                        {"version": v.version, "received_at": v.received_at, "status": v.status.value}
                        for v in r.versions
                    ],
                }
                for r in self.returns
            ],
        }


@dataclass(frozen=True)
class Accounting:
    """Every unit's account over one stretch, in the order the units were given."""

    start: dt.date
    end: dt.date
    rules: CollectionRules
    periods: tuple[Period, ...] = ()  # the collected rhythm periods the stretch owes (begun by today)
    not_collected: tuple[Period, ...] = ()  # those before the office began collecting
    accounts: dict[str, UnitAccount] = field(default_factory=dict)

    @property
    def collected(self) -> bool:
        return bool(self.periods)

    def __getitem__(self, unit: str) -> UnitAccount:
        return self.accounts[unit]

    def units(self) -> list[UnitAccount]:
        return list(self.accounts.values())

    def returns(self) -> list[DueReturn]:
        return [r for account in self.accounts.values() for r in account.returns]

    def timeliness(self) -> dict[str, Timeliness]:
        return {unit: account.timeliness for unit, account in self.accounts.items()}

    @property
    def due(self) -> int:
        return sum(a.due for a in self.accounts.values())

    @property
    def received(self) -> int:
        return sum(a.received for a in self.accounts.values())

    @property
    def on_time(self) -> int:
        return sum(a.on_time for a in self.accounts.values())

    @property
    def late(self) -> int:
        return sum(a.late for a in self.accounts.values())

    @property
    def missing(self) -> int:
        return sum(len(a.missing) for a in self.accounts.values())

    def deadline(self) -> dt.date | None:
        """The deadline of the stretch's last return (the one of the period itself under the office's rhythm), also
        while that return's period has not begun; None when nothing of the stretch is collected."""
        owed = [p for p in self.rules.periods_in(self.start, self.end) if self.rules.collected(p)]
        return self.rules.deadline(owed[-1]) if owed else None

    def tally_text(self) -> str:
        """The header the window and ``city status`` show: returns due, received (on time and late), missing; then
        the units by state."""
        if not self.periods:
            if self.not_collected:
                return "未纳入汇总（在本办公室开始汇总之前）"
            return f"本期没有应报的报送（报送周期为{self.rules.rhythm.label}，每期报送计入该期最后一个月）"
        text = (
            f"{len(self.accounts)} 个单位应报 {self.due} 份，已收到 {self.received} 份，其中按时 {self.on_time} 份、"
            f"逾期报送 {self.late} 份；未报 {self.missing} 份。"
        )
        counts = Counter(a.state for a in self.accounts.values())
        return text + "各单位：" + "，".join(f"{state.label} {counts[state]}" for state in UnitState if counts[state])


@dataclass(frozen=True)
class Matrix:
    """The completeness matrix (报送情况): every unit × every period of a kind, each column the accounting of that
    period (built by ``exchange.completeness.build_matrix``)."""

    units: tuple[Unit, ...]
    periods: tuple[Period, ...]
    columns: dict[str, Accounting]

    def cell(self, unit: str, period: str | Period) -> UnitAccount:
        return self.columns[str(period)][unit]

    def column(self, period: str | Period) -> list[UnitAccount]:
        accounting = self.columns[str(period)]
        return [accounting[u.name] for u in self.units]

    def counts(self, period: str | Period) -> Counter[UnitState]:
        return Counter(a.state for a in self.column(period))

    def on_time(self, period: str | Period) -> tuple[int, int]:
        """(returns received on time, returns received) in the column: DHIS2's two reporting counts."""
        column = self.column(period)
        return sum(a.on_time for a in column), sum(a.received for a in column)

    def deadline(self, period: str | Period) -> dt.date | None:
        """The deadline of the column's last return (the one of the column itself under the office's rhythm)."""
        return self.columns[str(period)].deadline()


def kinds_shown(rhythm: PeriodKind) -> list[PeriodKind]:
    """The column kinds the matrix offers: the rhythm and every longer kind."""
    return [kind for kind in PeriodKind if kind.months >= rhythm.months]


def return_state(versions: Sequence[ReceivedReturn], due: dt.date, today: dt.date) -> ReturnState:
    """The state of one return from its versions (oldest first; none: nothing received)."""
    if not versions:
        return ReturnState.MISSING if today > due else ReturnState.NOT_DUE
    latest = versions[-1]
    if latest.status is ReportStatus.ACCEPTED:
        return ReturnState.ACCEPTED
    if latest.status is ReportStatus.RETURNED:
        return ReturnState.RETURNED
    return ReturnState.PENDING


def stretch_of(period: Period | tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
    return (period.start, period.end) if isinstance(period, Period) else period


def account(
    rules: CollectionRules,
    units: Sequence[str],
    received: Sequence[ReceivedReturn],
    period: Period | tuple[dt.date, dt.date],
    today: dt.date,
) -> Accounting:
    """Each unit's account of the returns due over ``period`` (a period of any kind, or a span of days).

    ``received``: every version the office holds (any order, any period; others are ignored). Rhythm periods that
    have not begun by ``today`` are left out; one that has begun but whose deadline has not passed is 未到期.
    """
    start, end = stretch_of(period)
    in_stretch = [p for p, first, last in rules._bounds if start <= last <= end and first <= today]
    collected = [p for p in in_stretch if rules.collected(p)]
    skipped = tuple(p for p in in_stretch if not rules.collected(p))
    wanted = {p.code for p in collected}
    by_key: dict[tuple[str, str], list[ReceivedReturn]] = {}
    for item in received:
        if item.period in wanted:
            by_key.setdefault((item.unit, item.period), []).append(item)
    owed = [(p, p.code, rules.deadline(p)) for p in collected]
    accounts = {}
    for unit in units:
        items = []
        for p, code, due in owed:
            found = by_key.get((unit, code))
            versions = tuple(sorted(found, key=lambda v: v.version)) if found else ()
            items.append(DueReturn(unit, p, due, return_state(versions, due, today), versions))
        accounts[unit] = UnitAccount(unit, start, end, tuple(items), skipped)
    return Accounting(start, end, rules, tuple(collected), skipped, accounts)
