from __future__ import annotations

import datetime as dt

import pytest

from ipdesk.domain.errors import InvalidInput
from ipdesk.domain.periods import Period, PeriodKind


@pytest.mark.parametrize(
    ("code", "chinese", "start", "end"),
    [
        ("2025-11", "2025年11月", "2025-11-01", "2025-11-30"),
        ("2024-02", "2024年2月", "2024-02-01", "2024-02-29"),
        ("2025Q4", "2025年第四季度", "2025-10-01", "2025-12-31"),
        ("2025Q1", "2025年第一季度", "2025-01-01", "2025-03-31"),
        ("2025H1", "2025年上半年", "2025-01-01", "2025-06-30"),
        ("2025H2", "2025年下半年", "2025-07-01", "2025-12-31"),
        ("2025", "2025年", "2025-01-01", "2025-12-31"),
    ],
)
def test_parse_and_format(code, chinese, start, end):
    period = Period.parse(code)
    assert period.code == code
    assert str(period) == code
    assert period.chinese == chinese
    assert period.start.isoformat() == start
    assert period.end.isoformat() == end


def test_lenient_input():
    assert Period.parse(" 2025-3 ").code == "2025-03"
    assert Period.parse("２０２５Ｑ４").code == "2025Q4"
    assert Period.parse("2025q2") == Period(2025, PeriodKind.QUARTER, 2)
    assert Period.parse("2025h1").code == "2025H1"


def test_a_text_read_again_gives_the_same_period_and_a_bad_one_is_refused_each_time():
    """Periods read from text are kept (a history names a hundred periods ten thousand times); a refusal is not."""
    assert Period.parse("2025-11") is Period.parse("2025-11") == Period(2025, PeriodKind.MONTH, 11)
    assert Period.parse(" 2025-11") == Period.parse("2025-11")  # another text, the same period
    for _ in range(2):
        with pytest.raises(InvalidInput):
            Period.parse("2025-13")


@pytest.mark.parametrize("bad", ["", "2025-13", "2025-00", "2025Q5", "2025H3", "25-11", "十一月", "2025/11", "abc"])
def test_invalid_periods_are_refused_in_chinese(bad):
    with pytest.raises(InvalidInput) as error:
        Period.parse(bad)
    assert "报送期" in str(error.value)


@pytest.mark.parametrize(
    ("code", "following", "preceding"),
    [
        ("2025-11", "2025-12", "2025-10"),
        ("2025-12", "2026-01", "2025-11"),
        ("2025-01", "2025-02", "2024-12"),
        ("2025Q4", "2026Q1", "2025Q3"),
        ("2025Q1", "2025Q2", "2024Q4"),
        ("2025H2", "2026H1", "2025H1"),
        ("2025", "2026", "2024"),
    ],
)
def test_next_and_previous(code, following, preceding):
    period = Period.parse(code)
    assert period.next().code == following
    assert period.previous().code == preceding
    assert period.next().previous() == period


def test_containment():
    assert Period.parse("2025-11") in Period.parse("2025Q4")
    assert Period.parse("2025-11") in Period.parse("2025H2")
    assert Period.parse("2025Q4") in Period.parse("2025")
    assert Period.parse("2025-09") not in Period.parse("2025Q4")
    assert Period.parse("2025") not in Period.parse("2025Q4")
    assert Period.parse("2025Q4").contains(dt.date(2025, 12, 31))
    assert not Period.parse("2025Q4").contains(dt.date(2026, 1, 1))
    assert [p.code for p in Period.parse("2025Q2").months()] == ["2025-04", "2025-05", "2025-06"]


def test_containing_a_day():
    day = dt.date(2026, 11, 24)
    assert Period.containing(day, PeriodKind.MONTH).code == "2026-11"
    assert Period.containing(day, PeriodKind.QUARTER).code == "2026Q4"
    assert Period.containing(day, PeriodKind.HALF).code == "2026H2"
    assert Period.containing(day, PeriodKind.YEAR).code == "2026"


def test_due_dates():
    assert Period.parse("2025-11").due_date() == dt.date(2025, 12, 5)
    assert Period.parse("2025-12").due_date() == dt.date(2026, 1, 5)
    assert Period.parse("2025Q4").due_date(10) == dt.date(2026, 1, 10)
    assert Period.parse("2025-01").due_date(31) == dt.date(2025, 2, 28)


def test_elapsed_share_before_during_and_after_a_span():
    start, end = dt.date(2022, 7, 1), dt.date(2025, 12, 31)
    assert Period.parse("2021-12").elapsed_share(start, end) == 0.0
    assert Period.parse("2026-11").elapsed_share(start, end) == 1.0
    middle = Period.parse("2024-03").elapsed_share(start, end)
    assert middle == pytest.approx(((dt.date(2024, 3, 31) - start).days + 1) / ((end - start).days + 1))
    year = Period.parse("2025-11").elapsed_share(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert year == pytest.approx(334 / 365)


def test_ordering_is_stable():
    periods = [Period.parse(c) for c in ("2025-02", "2024-12", "2025-01")]
    assert [p.code for p in sorted(periods)] == ["2024-12", "2025-01", "2025-02"]
