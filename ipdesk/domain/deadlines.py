"""Which periods a unit owes a return for, when each is due, and which period to open by default.

Everything is computed against the plan's span, not against today alone, so the lists read sensibly before the plan
starts (nothing due yet), during it, and after it ends (the plan's last periods stay open until they are submitted).

The deadline rule is one for both sides — the unit's 待办 and the city office's accounting: the Nth day of the month
after the period (设置 → 报送截止日), moved to the next working day when it falls on a weekend or a statutory holiday.
Working days follow China's published holiday arrangements, 调休 make-up working days included, as the maintained
``chinesecalendar`` library knows them; for a year beyond its knowledge only weekends are skipped (and the office's
reports say so: ``calendar_note``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.periods import Period, PeriodKind


class DueState(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    OPEN = "open"
    # submitted, but not on its way yet: the period stays in 待办 until it is sent
    TO_SIGN = "to_sign"
    TO_EXPORT = "to_export"
    EXPORTED = "exported"

    @property
    def label(self) -> str:
        return {
            "overdue": "已逾期",
            "due": "待报送",
            "open": "填报中",
            "to_sign": "待签署",
            "to_export": "待导出",
            "exported": "已导出，待报送",
        }[self.value]

    @property
    def in_flight(self) -> bool:
        """Submitted in ipdesk, not yet sent to the city office."""
        return self in (DueState.TO_SIGN, DueState.TO_EXPORT, DueState.EXPORTED)


def is_working_day(day: dt.date) -> bool:
    """True on a working day in China: Monday to Friday except statutory holidays, and the 调休 weekend days worked
    in their place. For a year the calendar library does not know yet, Monday to Friday."""
    known, holidays, workdays = _calendar()
    if day.year not in known:  # a year not (yet) published in the library
        return day.weekday() < 5
    return day in workdays or (day.weekday() < 5 and day not in holidays)


def holidays_known(year: int) -> bool:
    """Whether the statutory holidays and 调休 days of ``year`` are known (else only weekends are skipped)."""
    return year in _calendar()[0]


@functools.cache
def _calendar() -> tuple[range, Mapping[dt.date, object], Mapping[dt.date, object]]:
    """The years ``chinesecalendar`` knows, its statutory holidays and its 调休 working days, read once.

    Its ``is_workday`` is this rule, but it finds the years it knows by scanning every holiday it lists at each
    call (some 1,700 dates): a 待办 list of four years of months asked it for some milliseconds at each start."""
    import chinese_calendar

    years = [day.year for day in chinese_calendar.holidays]
    return range(min(years), max(years) + 1), chinese_calendar.holidays, chinese_calendar.workdays


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@functools.lru_cache(maxsize=4096)
def deadline(period: Period, due_day: int) -> dt.date:
    """When the return for ``period`` is due: the ``due_day``th of the month after it, or the next working day when
    that day is a weekend or a holiday (2025-10-05, in the National Day holiday, becomes 2025-10-09)."""
    return next_working_day(period.due_date(due_day))


def calendar_note(deadlines: list[dt.date]) -> str:
    """A sentence for a report's notes when some of ``deadlines`` fall in a year whose holidays are not known ("" when
    all are known)."""
    unknown = sorted({day.year for day in deadlines if not holidays_known(day.year)})
    if not unknown:
        return ""
    years = "、".join(f"{year}年" for year in unknown)
    return (
        f"本程序的节假日日历尚未收录{years}的法定节假日和调休安排，这些年份的截止日只顺延周末，"
        "未顺延法定节假日；请更新 ipdesk 后重新生成。"
    )


@dataclass(frozen=True)
class DueItem:
    """A period the unit still owes or is sending (待办), with its deadline and where it stands."""

    period: Period
    due_date: dt.date
    state: DueState
    folder: str = ""  # 已导出: where the files were written


def sending_state(status: str, exported_to: str | None, sent: bool) -> DueState | None:
    """Where a submitted period is on its way out: 待签署 → 待导出 → 已导出 (with the folder), None once sent.

    ``status`` is the latest version's status code; a period accepted by the city office, or marked 已报送 by the
    clerk (``sent``), is done; a draft is not on its way (it is owed as usual).
    """
    if sent or status == "accepted":
        return None
    if status == "submitted":
        return DueState.TO_SIGN
    if status == "signed":
        return DueState.EXPORTED if exported_to else DueState.TO_EXPORT
    return None


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
    in_flight: dict[str, tuple[DueState, str]] | None = None,
) -> list[DueItem]:
    """Periods of the plan not yet submitted that are owed (ended) or being filled (current), newest first.

    ``since`` is the first day of the period from which the unit reports with ipdesk: earlier periods were
    reported some other way (on paper, by e-mail) and are not owed here. ``in_flight`` names the periods submitted
    but not yet sent (state and, once exported, the folder): they stay listed, with that state.
    """
    items = []
    flying = in_flight or {}
    for period in plan_periods(kind, span_start, span_end):
        if period.code in flying:
            state, folder = flying[period.code]
            items.append(DueItem(period, deadline(period, due_day), state, folder))  # working days, like the rest
            continue
        if period.code in submitted or period.start > today:
            continue
        if since is not None and period.end < since:
            continue
        due = deadline(period, due_day)
        if period.end >= today:
            state = DueState.OPEN
        elif today > due:
            state = DueState.OVERDUE
        else:
            state = DueState.DUE
        items.append(DueItem(period, due, state))
    return sorted(items, key=lambda item: item.period.end, reverse=True)
