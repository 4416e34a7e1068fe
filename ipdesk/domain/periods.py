"""Reporting periods: a month (``2025-11``), a quarter (``2025Q4``), a half-year (``2025H2``) or a year (``2025``).

A period knows its first and last day, its Chinese name (2025年11月, 2025年第四季度, 2025年下半年, 2025年), the
periods before and after it, which periods it contains, and when its return is due.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from ipdesk.domain.errors import InvalidInput


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF = "half"
    YEAR = "year"

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "half": 6, "year": 12}[self.value]

    @property
    def label(self) -> str:
        return {"month": "月报", "quarter": "季报", "half": "半年报", "year": "年报"}[self.value]


_CHINESE_ORDINALS = "一二三四"
_FULLWIDTH = str.maketrans("０１２３４５６７８９ＱＨｑｈ－", "0123456789QHqh-")
_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), PeriodKind.MONTH),
    (re.compile(r"^(\d{4})[Qq]([1-4])$"), PeriodKind.QUARTER),
    (re.compile(r"^(\d{4})[Hh]([12])$"), PeriodKind.HALF),
    (re.compile(r"^(\d{4})$"), PeriodKind.YEAR),
)


def days_in_month(year: int, month: int) -> int:
    """How many days ``month`` of ``year`` has (as ``calendar.monthrange``, without loading that module and its
    locale support at the window's start)."""
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return (following - dt.date(year, month, 1)).days


def chinese_date(day: dt.date) -> str:
    """A date as official documents write it: 2025年3月1日 (Arabic digits, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(moment: str | dt.datetime) -> str:
    """A moment as a form writes it: 2026年11月25日 14:07 (in the time zone it was recorded in)."""
    if isinstance(moment, str):
        try:
            when = dt.datetime.fromisoformat(moment)
        except ValueError:
            return moment
    else:
        when = moment
    return f"{chinese_date(when.date())} {when:%H:%M}"


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period. ``index`` is the month (1–12), quarter (1–4) or half (1–2); 1 for a year."""

    year: int
    kind: PeriodKind
    index: int = 1

    def __post_init__(self) -> None:
        count = 12 // self.kind.months
        if not 1 <= self.index <= count:
            raise InvalidInput(f"报送期次超出范围：{self.year}年的{self.kind.label}只有第1至第{count}期")
        if not 1900 <= self.year <= 9999:
            raise InvalidInput(f"年份不合理：{self.year}")

    # -- reading and writing ------------------------------------------------------------------------------------
    @staticmethod
    def parse(text: str) -> Period:
        """Read ``2025-11``, ``2025Q4``, ``2025H2`` or ``2025`` (full-width digits are accepted).

        A text is read once and its period kept (periods are immutable): a unit's ten years of entries name some
        hundred periods ten thousand times."""
        return _parse(str(text))

    @classmethod
    def containing(cls, day: dt.date, kind: PeriodKind) -> Period:
        """The period of ``kind`` that ``day`` falls in."""
        return cls(day.year, kind, (day.month - 1) // kind.months + 1)

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}Q{self.index}"
        if self.kind is PeriodKind.HALF:
            return f"{self.year}H{self.index}"
        return f"{self.year}"

    @property
    def chinese(self) -> str:
        """The name used on forms: 2025年11月, 2025年第四季度, 2025年上半年, 2025年."""
        if self.kind is PeriodKind.MONTH:
            return f"{self.year}年{self.index}月"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year}年第{_CHINESE_ORDINALS[self.index - 1]}季度"
        if self.kind is PeriodKind.HALF:
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        return f"{self.year}年"

    def __str__(self) -> str:
        return self.code

    # -- calendar ------------------------------------------------------------------------------------------------
    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.kind.months + 1

    @property
    def last_month(self) -> int:
        return self.first_month + self.kind.months - 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        last = self.last_month
        return dt.date(self.year, last, days_in_month(self.year, last))

    def months(self) -> list[Period]:
        return [Period(self.year, PeriodKind.MONTH, m) for m in range(self.first_month, self.last_month + 1)]

    def contains(self, other: Period | dt.date) -> bool:
        """True when ``other`` (a period or a day) lies wholly inside this period."""
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        return self.start <= other <= self.end

    def __contains__(self, other: Period | dt.date) -> bool:
        return self.contains(other)

    def next(self) -> Period:
        count = 12 // self.kind.months
        if self.index < count:
            return Period(self.year, self.kind, self.index + 1)
        return Period(self.year + 1, self.kind, 1)

    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.year, self.kind, self.index - 1)
        return Period(self.year - 1, self.kind, 12 // self.kind.months)

    def due_date(self, day_of_next_month: int = 5) -> dt.date:
        """The nominal due day: by default the 5th of the month after the period ends. The deadline itself moves to
        the next working day (``domain.deadlines.deadline``): use that wherever a deadline is shown or judged."""
        after = self.end + dt.timedelta(days=1)
        last_day = days_in_month(after.year, after.month)
        return after.replace(day=min(max(day_of_next_month, 1), last_day))

    def elapsed_share(self, start: dt.date, end: dt.date) -> float:
        """Share (0–1) of the span ``start``–``end`` that has passed by the end of this period (序时进度)."""
        if end < start:
            raise ValueError("span ends before it starts")
        total = (end - start).days + 1
        done = (min(self.end, end) - start).days + 1
        return min(max(done / total, 0.0), 1.0)


@functools.lru_cache(maxsize=1024)
def _parse(text: str) -> Period:
    cleaned = text.strip().translate(_FULLWIDTH)
    for pattern, kind in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            year = int(match.group(1))
            index = int(match.group(2)) if kind is not PeriodKind.YEAR else 1
            return Period(year, kind, index)
    raise InvalidInput(f"无法识别的报送期：“{text}”。请写成 2025-11（月）、2025Q4（季度）、2025H2（半年）或 2025（年）")
