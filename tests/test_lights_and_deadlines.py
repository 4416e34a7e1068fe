from __future__ import annotations

import datetime as dt

import pytest

from ipdesk.domain.deadlines import DueState, default_period, due_periods, plan_periods
from ipdesk.domain.lights import Light, Thresholds, indicator_light, task_light
from ipdesk.domain.periods import Period, PeriodKind
from ipdesk.domain.progress import Progress
from ipdesk.domain.statuses import TaskStatus

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
T = Thresholds()


def progress(period: str, percent=None, status=TaskStatus.IN_PROGRESS) -> Progress:
    return Progress(1, "碑林区人民政府", Period.parse(period), status, percent)


def test_task_light_follows_elapsed_share():
    # End of November: 334/365 = 91.5% of a one-year task is expected.
    assert task_light(progress("2025-11", 90), START, END, T) is Light.GREEN  # 98% of expected
    assert task_light(progress("2025-11", 80), START, END, T) is Light.YELLOW  # 87%
    assert task_light(progress("2025-11", 70), START, END, T) is Light.RED  # 76%


def test_task_light_before_and_after_the_span():
    assert task_light(progress("2024-11", 0, TaskStatus.NOT_STARTED), START, END, T) is Light.GREEN
    assert task_light(progress("2026-11", 90), START, END, T) is Light.YELLOW
    assert task_light(progress("2026-11", 100), START, END, T) is Light.GREEN


def test_task_light_from_status():
    assert task_light(progress("2025-11", None, TaskStatus.DONE), START, END, T) is Light.GREEN
    assert task_light(progress("2025-11", 95, TaskStatus.LAGGING), START, END, T) is Light.RED
    assert task_light(progress("2025-11", None, TaskStatus.ONGOING), START, END, T) is Light.GREEN
    assert task_light(progress("2025-11", None, TaskStatus.NOT_STARTED), START, END, T) is Light.RED
    assert task_light(progress("2025-11", None, TaskStatus.IN_PROGRESS), START, END, T) is Light.NONE
    assert task_light(progress("2025-11", None, None), START, END, T) is Light.NONE


def test_thresholds_are_settings():
    strict = Thresholds(green=1.0, yellow=0.9)
    assert task_light(progress("2025-11", 90), START, END, strict) is Light.YELLOW
    with pytest.raises(ValueError):
        Thresholds(green=0.8, yellow=0.9)


def test_the_lights_of_several_tasks_are_each_tasks_light_under_the_workspaces_thresholds(ws):
    # The embedded plan runs 2022-07-01 … 2025-12-31 (1280 days); by the end of June 2024, 731 of them have passed:
    # 57.1% is expected. With green at 100% of that and yellow at 90%: 60 is green, 55 yellow (96%), 30 red.
    ws.settings.update({ws.settings.LIGHT_GREEN: "1.0", ws.settings.LIGHT_YELLOW: "0.9"})
    assert ws.lights.expected_percent("2024-06") == pytest.approx(731 / 1280 * 100, abs=0.05)
    june = Period.parse("2024-06")
    cases = [
        (TaskStatus.IN_PROGRESS, 60, Light.GREEN),
        (TaskStatus.IN_PROGRESS, 55, Light.YELLOW),
        (TaskStatus.IN_PROGRESS, 30, Light.RED),
        (TaskStatus.DONE, None, Light.GREEN),
        (TaskStatus.LAGGING, 95, Light.RED),
        (None, None, Light.NONE),
    ]
    progresses = [Progress(1, "碑林区人民政府", june, status, percent) for status, percent, _ in cases]
    lights = ws.lights.for_tasks(iter(progresses))  # any iterable, the thresholds read once
    assert lights == [light for *_, light in cases]
    assert lights == [ws.lights.for_task(p) for p in progresses]


def test_indicator_light():
    assert indicator_light(20, 20, T) is Light.GREEN
    assert indicator_light(18, 20, T) is Light.YELLOW
    assert indicator_light(10, 20, T) is Light.RED
    assert indicator_light(None, 20, T) is Light.NONE
    assert indicator_light(5, None, T) is Light.NONE
    assert indicator_light(98, 95, T, must_reach=True, due=True) is Light.GREEN  # a ≥95% threshold that is met
    assert indicator_light(95, 95, T, must_reach=True, due=True) is Light.GREEN


def test_a_threshold_or_level_not_reached_is_never_green():
    # 市法院 2025: 知识产权保护社会满意度 ≥85, 80.99 entered: 95.3% of the way, but the threshold is missed.
    assert indicator_light(80.99, 85, T) is Light.GREEN  # as a plain target it would be on track
    assert indicator_light(80.99, 85, T, must_reach=True, due=True) is Light.RED  # the target's year: red
    assert indicator_light(80.99, 85, T, must_reach=True, due=False) is Light.YELLOW  # before it: yellow
    assert indicator_light(29, 30, T, must_reach=True, due=True) is Light.RED  # 保持 30 亿元, not held
    assert indicator_light(29, 30, T, must_reach=True, due=False) is Light.YELLOW
    assert indicator_light(20, 30, T, must_reach=True, due=False) is Light.RED  # far below: red by the ratio
    assert indicator_light(None, 30, T, must_reach=True, due=True) is Light.NONE


def test_the_workspace_applies_the_threshold_rule(ws):
    from ipdesk.domain.progress import IndicatorValue

    court = "市法院"
    satisfaction = ws.indicators.get(15)
    assert (satisfaction.target_op, satisfaction.target, satisfaction.must_reach) == ("≥", 85, True)
    for period, light in (("2025", Light.RED), ("2024", Light.YELLOW)):
        ws.indicator_values.save(IndicatorValue(15, court, Period.parse(period), 80.99))
        assert ws.lights.for_indicator(satisfaction, 80.99, period) is light, period
        snapshot = ws.reports.snapshot(court, period)
        line = next(i for i in snapshot.indicators if i.seq == 15)
        assert (line.light, round(line.rate, 3)) == (light.value, 0.953)
    assert ws.lights.for_indicator(satisfaction, 86, "2025") is Light.GREEN
    pledge = ws.indicators.get(6)  # 知识产权年质押融资金额 保持30亿元
    assert pledge.must_reach and ws.lights.for_indicator(pledge, 29, "2025") is Light.RED
    patents = ws.indicators.get(2)  # 海外专利年申请量 800 件: a value to approach, not a threshold
    assert not patents.must_reach and ws.lights.for_indicator(patents, 780, "2024") is Light.GREEN
    # ... until the target's year is over: then 780 of 800 is 未达标, and never green beside it
    judgement = ws.lights.judge(patents, 780, "2025")
    assert (judgement.light, judgement.verdict) == (Light.YELLOW, "未达标")
    assert ws.lights.judge(patents, 800, "2025-12").verdict == "达标"


def _indicator(kind, name="指标", unit="件", baseline=100.0, target=200.0, op="="):
    from ipdesk.domain.indicators import Indicator

    return Indicator(1, "组", name, unit, baseline, 2020 if baseline is not None else None, target, 2025, op, None,
                     "", 1, kind=kind)  # fmt: skip


def test_a_yearly_amount_is_expected_in_proportion_to_the_year_elapsed():
    """序时: 技术合同成交额 1523.6 of a yearly 2000 in September is on schedule (1500 due), not red."""
    from ipdesk.domain.indicators import IndicatorKind
    from ipdesk.domain.lights import expected_by, judge_indicator
    from ipdesk.plans.embedded import load_embedded_plan

    plan = load_embedded_plan()
    contracts, overseas = plan.indicator(5), plan.indicator(2)
    assert contracts.kind_of is IndicatorKind.FLOW and overseas.kind_of is IndicatorKind.FLOW
    september = judge_indicator(contracts, 1523.6, Period.parse("2025-09"), T)
    assert (september.year_expected, september.expected) == (2000, 1500)
    assert september.light is Light.GREEN and september.verdict == "达到序时进度"
    assert round(september.year_rate, 4) == 0.7618  # the rate a return carries: value ÷ the year's amount
    assert judge_indicator(overseas, 655, Period.parse("2025-09"), T).light is Light.GREEN  # 655 of 600 due
    assert judge_indicator(contracts, 1523.6, Period.parse("2025Q3"), T).light is Light.GREEN
    assert judge_indicator(contracts, 1300, Period.parse("2025-09"), T).light is Light.YELLOW  # 86.7 % of 1500
    assert judge_indicator(contracts, 1200, Period.parse("2025-09"), T).light is Light.RED  # 80 %
    flow = _indicator(IndicatorKind.FLOW)
    assert expected_by(flow, Period.parse("2021-03"), lambda year: 120.0) == (120.0, 30.0)
    assert expected_by(flow, Period.parse("2021H1"), lambda year: 120.0) == (120.0, 60.0)


def test_a_stock_follows_the_path_and_a_rate_its_years_level():
    from ipdesk.domain.indicators import IndicatorKind
    from ipdesk.domain.lights import expected_by

    yearly = {2020: 100.0, 2021: 121.0}.get
    stock = _indicator(IndicatorKind.STOCK)
    assert expected_by(stock, Period.parse("2021-06"), yearly) == (121.0, pytest.approx(110.0))  # halfway: 100 → 121
    assert expected_by(stock, Period.parse("2021"), yearly) == (121.0, 121.0)
    rate = _indicator(IndicatorKind.RATE, unit="%")
    assert expected_by(rate, Period.parse("2021-03"), yearly) == (121.0, 121.0)
    held = _indicator(IndicatorKind.HOLD, op="保持")
    assert expected_by(held, Period.parse("2021-03"), lambda year: 30.0) == (30.0, 30.0)


def test_plan_periods():
    months = plan_periods(PeriodKind.MONTH, dt.date(2022, 7, 1), dt.date(2025, 12, 31))
    assert months[0].code == "2022-07" and months[-1].code == "2025-12" and len(months) == 42
    quarters = plan_periods(PeriodKind.QUARTER, dt.date(2022, 7, 1), dt.date(2025, 12, 31))
    assert quarters[0].code == "2022Q3" and len(quarters) == 14


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2021, 3, 1), "2022-07"),  # before the plan: its first period
        (dt.date(2023, 5, 3), "2023-04"),  # during: the month just ended
        (dt.date(2026, 11, 24), "2025-12"),  # after: the plan's last period
    ],
)
def test_default_period(today, expected):
    assert default_period(PeriodKind.MONTH, dt.date(2022, 7, 1), dt.date(2025, 12, 31), today).code == expected


def test_due_periods_during_and_after():
    start, end = dt.date(2022, 7, 1), dt.date(2025, 12, 31)
    items = due_periods(PeriodKind.MONTH, start, end, dt.date(2023, 5, 3), 5, submitted={"2022-07"})
    assert [(i.period.code, i.state) for i in items[:3]] == [
        ("2023-05", DueState.OPEN),
        ("2023-04", DueState.DUE),
        ("2023-03", DueState.OVERDUE),
    ]
    assert items[1].due_date == dt.date(2023, 5, 5)
    assert "2022-07" not in [i.period.code for i in items]
    after = due_periods(PeriodKind.MONTH, start, end, dt.date(2026, 11, 24), 5, submitted=set())
    assert len(after) == 42 and all(i.state is DueState.OVERDUE for i in after)
    before = due_periods(PeriodKind.MONTH, start, end, dt.date(2021, 1, 1), 5, submitted=set())
    assert before == []


def test_the_window_and_the_units_return_show_each_task_with_the_same_light(ws, qtbot):
    """The clerk's task table and the snapshot the signed workbook and PDF are written from take each task's light
    from ``Lights.for_tasks`` (one rule, ``domain.lights.task_light``), under the workspace's own thresholds."""
    pytest.importorskip("PySide6.QtWidgets")
    from ipdesk.ui.main_window import MainWindow
    from ipdesk.ui.task_table import TaskTableModel
    from ipdesk.workspace.snapshots import build_snapshot

    unit, june = "碑林区人民政府", Period.parse("2024-06")
    ws.settings.update({ws.settings.LIGHT_GREEN: "1.0", ws.settings.LIGHT_YELLOW: "0.9"})
    cases = [(TaskStatus.IN_PROGRESS, 60), (TaskStatus.IN_PROGRESS, 55), (TaskStatus.IN_PROGRESS, 30)]
    cases += [(TaskStatus.DONE, None), (TaskStatus.LAGGING, 95)]
    seqs = [row.task.seq for row in ws.progress.for_unit(unit, june)][: len(cases)]
    for seq, (status, percent) in zip(seqs, cases, strict=True):
        ws.progress.save(Progress(seq, unit, june, status, percent, "进展"))
    expected = {seq: ws.lights.for_task(ws.progress.get(seq, unit, june)) for seq in seqs}
    assert {light for light in expected.values()} == {Light.GREEN, Light.YELLOW, Light.RED}

    window = MainWindow(ws, unit, today=dt.date(2024, 7, 15))
    qtbot.addWidget(window)
    window.open_period(june)
    model = window.model
    shown = {row.task.seq: model.index(n, TaskTableModel.LIGHT).data() for n, row in enumerate(model.rows)}
    signed = {line.seq: Light(line.light) for line in build_snapshot(ws, [unit], june).tasks}
    for seq in seqs:
        assert shown[seq] == expected[seq].label and signed[seq] is expected[seq], seq
