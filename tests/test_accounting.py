"""The city office's accounting (``ipdesk.domain.accounting``): a year of returns under each rhythm from a mid-year
first collected period, every figure checked against expectations worked out by hand below; deadlines on working
days (2025-10-05, in the National Day holiday, becomes 2025-10-09; a 调休 Sunday is a working day)."""

from __future__ import annotations

import datetime as dt

import pytest

from ipdesk.domain.accounting import CollectionRules, ReturnState, UnitState, account
from ipdesk.domain.deadlines import calendar_note, deadline, due_periods, holidays_known, is_working_day
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.domain.returns import Timeliness

from .returns_year import ON_TIME, SILENT, late, returned, stops_after, year_of_returns

SPAN = (dt.date(2022, 7, 1), dt.date(2025, 12, 31))
FROM_JULY = dt.date(2025, 7, 1)  # the office began collecting with the July 2025 returns
AFTER = dt.date(2026, 1, 20)  # every 2025 deadline has passed (the last, 2026-01-05)
UNITS = ["甲", "乙", "丙", "丁", "戊", "己"]


def rules(rhythm: PeriodKind, due_day: int = 5, since: dt.date | None = FROM_JULY) -> CollectionRules:
    return CollectionRules(rhythm, SPAN, due_day, since)


# -- working days -------------------------------------------------------------------------------------------------
def test_a_deadline_in_a_holiday_moves_to_the_next_working_day():
    september = Period.parse("2025-09")
    assert september.due_date(5) == dt.date(2025, 10, 5)  # the nominal day, a Sunday in the National Day holiday
    assert deadline(september, 5) == dt.date(2025, 10, 9)  # 1–8 October are holidays: Thursday the 9th
    assert deadline(Period.parse("2025Q3"), 5) == dt.date(2025, 10, 9)
    assert deadline(Period.parse("2025-06"), 5) == dt.date(2025, 7, 7)  # a Saturday: Monday
    assert deadline(Period.parse("2025-04"), 5) == dt.date(2025, 5, 6)  # 1–5 May are holidays
    assert deadline(Period.parse("2025-08"), 5) == dt.date(2025, 9, 5)  # a Friday stays


def test_a_make_up_sunday_is_a_working_day():
    assert dt.date(2025, 9, 28).weekday() == 6 and is_working_day(dt.date(2025, 9, 28))  # 调休 for National Day
    assert deadline(Period.parse("2025-08"), 28) == dt.date(2025, 9, 28)  # not moved to Monday the 29th
    assert dt.date(2026, 1, 4).weekday() == 6 and is_working_day(dt.date(2026, 1, 4))  # 调休 for New Year
    assert deadline(Period.parse("2025-12"), 4) == dt.date(2026, 1, 4)
    assert not is_working_day(dt.date(2025, 10, 4))  # a Saturday inside the holiday


def test_beyond_the_calendar_only_weekends_are_skipped_and_the_report_says_so():
    assert holidays_known(2025) and holidays_known(2026) and not holidays_known(2099)
    assert deadline(Period(2099, PeriodKind.MONTH, 8), 5) == dt.date(2099, 9, 7)  # Saturday the 5th → Monday
    assert deadline(Period(2099, PeriodKind.MONTH, 3), 5) == dt.date(2099, 4, 6)  # Sunday → Monday
    assert calendar_note([dt.date(2025, 10, 9)]) == ""
    note = calendar_note([dt.date(2025, 10, 9), dt.date(2099, 9, 7)])
    assert "2099年" in note and "只顺延周末" in note and "2025" not in note


def test_working_days_are_the_calendar_librarys_day_by_day():
    """ipdesk reads the library's lists once instead of asking its is_workday; every day from 2000 to 2040 must
    come out as the library says (and, in a year it does not know, as Monday to Friday)."""
    import chinese_calendar

    day, known_years = dt.date(2000, 1, 1), set()
    while day.year <= 2040:
        try:
            expected = chinese_calendar.is_workday(day)
            known_years.add(day.year)
        except NotImplementedError:  # the library's word for a year it has no holidays for
            expected = day.weekday() < 5
        assert is_working_day(day) is expected, day
        day += dt.timedelta(days=1)
    assert {year for year in range(2000, 2041) if holidays_known(year)} == known_years
    assert {2004, 2025, 2026} <= known_years and 2040 not in known_years


def test_the_unit_and_the_office_see_the_same_deadline():
    """The unit's 待办 takes its deadline from the same rule as the office's accounting."""
    items = due_periods(PeriodKind.MONTH, *SPAN, dt.date(2025, 10, 7), 5, submitted=set(), since=FROM_JULY)
    september = next(item for item in items if item.period.code == "2025-09")
    assert september.due_date == dt.date(2025, 10, 9) == rules(PeriodKind.MONTH).deadline(Period.parse("2025-09"))
    assert september.state.value == "due"  # on 7 October, not yet overdue


# -- a year of returns under each rhythm --------------------------------------------------------------------------
# Per rhythm: the period a unit is late for (2 days), the last one a lagging unit sends, the one sent back and not
# sent again, the one sent back and sent again 10 days after its deadline.
CODES = {
    PeriodKind.MONTH: ("2025-09", "2025-08", "2025-10", "2025-07"),
    PeriodKind.QUARTER: ("2025Q3", "2025Q3", "2025Q4", "2025Q3"),
    PeriodKind.HALF: ("2025H2", "2025H1", "2025H2", "2025H2"),
    PeriodKind.YEAR: ("2025", "2024", "2025", "2025"),
}


def patterns(rhythm: PeriodKind) -> dict:
    late_code, last, sent_back, resent = CODES[rhythm]
    return {
        "甲": ON_TIME,
        "乙": late(2, {late_code}),
        "丙": SILENT,
        "丁": stops_after(last),
        "戊": returned({sent_back}),
        "己": returned({resent}, resent_days=10),
    }


# Worked out by hand. Deadlines (the 5th, moved to a working day): July → 5 Aug, August → 5 Sep, September → 9 Oct
# (National Day), October → 5 Nov, November → 5 Dec, December → 5 Jan 2026; Q3 → 9 Oct, Q4 → 5 Jan; H2 and the
# year → 5 Jan 2026. Collected from July 2025: January–June (Q1, Q2, H1) are 未纳入汇总; the year 2025 ends after
# 1 July, so its return is collected.
# unit: (due, received, on_time, late, missing, state, timeliness)
EXPECTED = {
    PeriodKind.MONTH: {
        "periods": ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"],
        "not_collected": ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"],
        "deadlines": ["2025-08-05", "2025-09-05", "2025-10-09", "2025-11-05", "2025-12-05", "2026-01-05"],
        "甲": (6, 6, 6, 0, [], "已齐", Timeliness.ON_TIME),
        "乙": (6, 6, 5, 1, [], "已齐", Timeliness.LATE),
        "丙": (
            6,
            0,
            0,
            0,
            ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"],
            "逾期",
            Timeliness.MISSING,
        ),
        "丁": (6, 2, 2, 0, ["2025-09", "2025-10", "2025-11", "2025-12"], "缺报", Timeliness.MISSING),
        "戊": (6, 6, 6, 0, [], "已退回", Timeliness.RETURNED),
        "己": (6, 6, 6, 0, [], "已齐", Timeliness.ON_TIME),
    },
    PeriodKind.QUARTER: {
        "periods": ["2025Q3", "2025Q4"],
        "not_collected": ["2025Q1", "2025Q2"],
        "deadlines": ["2025-10-09", "2026-01-05"],
        "甲": (2, 2, 2, 0, [], "已齐", Timeliness.ON_TIME),
        "乙": (2, 2, 1, 1, [], "已齐", Timeliness.LATE),
        "丙": (2, 0, 0, 0, ["2025Q3", "2025Q4"], "逾期", Timeliness.MISSING),
        "丁": (2, 1, 1, 0, ["2025Q4"], "缺报", Timeliness.MISSING),
        "戊": (2, 2, 2, 0, [], "已退回", Timeliness.RETURNED),
        "己": (2, 2, 2, 0, [], "已齐", Timeliness.ON_TIME),
    },
    PeriodKind.HALF: {
        "periods": ["2025H2"],
        "not_collected": ["2025H1"],
        "deadlines": ["2026-01-05"],
        "甲": (1, 1, 1, 0, [], "待审", Timeliness.ON_TIME),
        "乙": (1, 1, 0, 1, [], "待审", Timeliness.LATE),
        "丙": (1, 0, 0, 0, ["2025H2"], "逾期", Timeliness.MISSING),
        "丁": (1, 0, 0, 0, ["2025H2"], "逾期", Timeliness.MISSING),
        "戊": (1, 1, 1, 0, [], "已退回", Timeliness.RETURNED),
        "己": (1, 1, 1, 0, [], "待审", Timeliness.ON_TIME),
    },
    PeriodKind.YEAR: {
        "periods": ["2025"],
        "not_collected": [],
        "deadlines": ["2026-01-05"],
        "甲": (1, 1, 1, 0, [], "待审", Timeliness.ON_TIME),
        "乙": (1, 1, 0, 1, [], "待审", Timeliness.LATE),
        "丙": (1, 0, 0, 0, ["2025"], "逾期", Timeliness.MISSING),
        "丁": (1, 0, 0, 0, ["2025"], "逾期", Timeliness.MISSING),
        "戊": (1, 1, 1, 0, [], "已退回", Timeliness.RETURNED),
        "己": (1, 1, 1, 0, [], "待审", Timeliness.ON_TIME),
    },
}


@pytest.mark.parametrize("rhythm", list(PeriodKind), ids=lambda kind: kind.value)
def test_a_year_of_returns_from_a_mid_year_first_period(rhythm):
    office = rules(rhythm)
    received = year_of_returns(office, 2025, patterns(rhythm))
    result = account(office, UNITS, received, Period.parse("2025"), AFTER)
    expected = EXPECTED[rhythm]
    assert [p.code for p in result.periods] == expected["periods"]
    assert [p.code for p in result.not_collected] == expected["not_collected"]
    assert [result.rules.deadline(p).isoformat() for p in result.periods] == expected["deadlines"]
    for unit in UNITS:
        own = result[unit]
        due, got, on_time, late_count, missing, state, timeliness = expected[unit]
        assert (own.due, own.received, own.on_time, own.late) == (due, got, on_time, late_count), unit
        assert [p.code for p in own.missing] == missing, unit
        assert own.state.label == state and own.timeliness is timeliness, unit
        assert [p.code for p in own.not_collected] == expected["not_collected"]
    assert result["乙"].days_late == 2
    assert result.due == 6 * len(expected["periods"])


def test_what_came_before_the_first_period_is_never_counted():
    """Units sent January–June too; the office collects from July: those returns are 未纳入汇总, not 未报送."""
    office = rules(PeriodKind.MONTH)
    received = year_of_returns(office, 2025, {"甲": ON_TIME, "丙": SILENT})
    assert any(r.period == "2025-03" for r in received)
    first_half = account(office, ["甲", "丙"], received, Period.parse("2025H1"), AFTER)
    assert not first_half.collected and first_half.due == 0
    for unit in ("甲", "丙"):
        own = first_half[unit]
        assert own.state is UnitState.NOT_COLLECTED and own.timeliness is Timeliness.NOT_COLLECTED
        assert (own.due, own.received, own.missing, own.summary) == (0, 0, [], "未纳入汇总")
    # without a first period, the same silent unit owes all twelve months
    everything = account(rules(PeriodKind.MONTH, since=None), ["丙"], received, Period.parse("2025"), AFTER)
    assert len(everything["丙"].missing) == 12


def test_a_quarter_under_a_monthly_rhythm_is_its_three_months():
    office = rules(PeriodKind.MONTH)
    received = year_of_returns(office, 2025, patterns(PeriodKind.MONTH))
    quarter = account(office, UNITS, received, Period.parse("2025Q3"), dt.date(2025, 10, 20))
    assert [p.code for p in quarter.periods] == ["2025-07", "2025-08", "2025-09"]
    assert quarter["甲"].state is UnitState.COMPLETE and quarter["甲"].summary == "已报 3/3"
    assert quarter["丁"].state is UnitState.INCOMPLETE and quarter["丁"].summary == "已报 2/3，缺 2025年9月"
    assert quarter["乙"].summary == "已报 3/3，逾期报送 1 期（最多 2 天）"
    assert quarter["乙"].text == "已齐 3/3 逾期1期"
    assert quarter["己"].returns[0].versions[1].version == 2
    data = quarter["丁"].to_dict()
    assert (data["due"], data["received"], data["on_time"], data["late"], data["missing"], data["state"]) == (
        3,
        2,
        2,
        0,
        ["2025-09"],
        "缺报",
    )


def test_before_a_holiday_deadline_nothing_is_overdue():
    """On 8 October the September return (due 9 October) is not yet owed; sent on the 9th, it is on time."""
    office = rules(PeriodKind.MONTH)
    received = year_of_returns(office, 2025, {"甲": ON_TIME, "丙": SILENT})
    on_the_8th = account(office, ["甲", "丙"], received, Period.parse("2025-09"), dt.date(2025, 10, 8))
    assert on_the_8th["丙"].state is UnitState.NOT_DUE and on_the_8th["丙"].due == 0
    september = on_the_8th["甲"].returns[0]
    assert september.first_received == dt.date(2025, 10, 9) and september.on_time and september.days_late == 0
    on_the_10th = account(office, ["丙"], received, Period.parse("2025-09"), dt.date(2025, 10, 10))
    assert on_the_10th["丙"].state is UnitState.OVERDUE and on_the_10th["丙"].days_overdue(dt.date(2025, 10, 10)) == 1


def test_each_version_keeps_its_own_received_day_and_the_first_decides_timeliness():
    office = rules(PeriodKind.MONTH)
    received = year_of_returns(office, 2025, {"己": returned({"2025-07"}, resent_days=10)})
    july = account(office, ["己"], received, Period.parse("2025-07"), AFTER)["己"].returns[0]
    assert [v.received_at[:10] for v in july.versions] == ["2025-08-05", "2025-08-15"]
    assert july.state is ReturnState.PENDING and july.on_time and july.first_received == dt.date(2025, 8, 5)


def test_the_months_add_up_to_the_year():
    office = rules(PeriodKind.MONTH)
    received = year_of_returns(office, 2025, patterns(PeriodKind.MONTH))
    year = account(office, UNITS, received, Period.parse("2025"), AFTER)
    months = [account(office, UNITS, received, m, AFTER) for m in Period.parse("2025").months()]
    assert sum(m.due for m in months) == year.due == 36
    assert sum(m.on_time for m in months) == year.on_time
    assert sum(m.missing for m in months) == year.missing == 10
    phases = [(dt.date(2025, 1, 1), dt.date(2025, 6, 30)), (dt.date(2025, 7, 1), dt.date(2025, 12, 31))]
    assert [account(office, UNITS, received, span, AFTER).collected for span in phases] == [False, True]


def test_a_month_under_a_quarterly_rhythm_owes_the_quarter_only_in_its_last_month():
    office = rules(PeriodKind.QUARTER)
    received = year_of_returns(office, 2025, {"甲": ON_TIME, "丙": SILENT})
    august = account(office, ["甲", "丙"], received, Period.parse("2025-08"), AFTER)
    assert not august.collected and not august.not_collected
    assert august["丙"].state is UnitState.NOT_DUE and august["丙"].summary == "本期无应报"
    assert "报送周期为季报" in august.tally_text()
    september = account(office, ["甲", "丙"], received, Period.parse("2025-09"), AFTER)
    assert [p.code for p in september.periods] == ["2025Q3"] and september["丙"].missing[0].code == "2025Q3"
