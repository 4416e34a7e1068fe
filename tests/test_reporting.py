"""Submitting a period, locks, 沿用上期, evidence files and project sub-target values through the Workspace."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from ipdesk import Period, Workspace
from ipdesk.domain import IndicatorValue, InvalidInput, Progress, TaskStatus
from ipdesk.domain.deadlines import DueState
from ipdesk.domain.lights import Light
from ipdesk.domain.progress import TargetValue
from ipdesk.domain.reports import ReportStatus

NOV = Period.parse("2025-11")
UNIT = "碑林区人民政府"


def fill_all(ws, unit=UNIT, period=NOV):
    for row in ws.progress.for_unit(unit, period):
        if row.task.kind.value == "indicator":
            continue
        ws.progress.save(row.progress.with_changes(status=TaskStatus.IN_PROGRESS, percent=95, achievements="已推进"))


def test_missing_lists_every_gap(ws):
    missing = ws.reports.missing(UNIT, NOV)
    assert len([m for m in missing if "未选择完成状态" in m.message]) == 30
    assert all(m.kind == "task" for m in missing)
    fill_all(ws)
    assert ws.reports.missing(UNIT, NOV) == []


def test_red_task_needs_a_reason(ws):
    fill_all(ws)
    ws.progress.save(ws.progress.get(47, UNIT, NOV).with_changes(percent=10))
    assert ws.lights.for_task(ws.progress.get(47, UNIT, NOV)) is Light.RED
    missing = ws.reports.missing(UNIT, NOV)
    assert [(m.kind, m.seq) for m in missing] == [("task", 47)]
    assert "存在问题" in missing[0].message
    ws.progress.save(ws.progress.get(47, UNIT, NOV).with_changes(problems="专家评审推迟到12月"))
    assert ws.reports.missing(UNIT, NOV) == []


def test_owned_indicators_need_a_value_or_a_reason(ws):
    court = "市法院"
    missing = [m for m in ws.reports.missing(court, NOV) if m.kind == "indicator"]
    assert [m.seq for m in missing] == [14]  # 15 is only cooperated on
    ws.indicator_values.save(IndicatorValue(14, court, NOV, None, "年度数据，12月底统计"))
    assert [m for m in ws.reports.missing(court, NOV) if m.kind == "indicator"] == []


def test_submit_then_edit_returns_to_draft(ws):
    with pytest.raises(InvalidInput) as error:
        ws.reports.submit(UNIT, NOV)
    assert "未填写完整" in str(error.value)
    assert ws.reports.status(UNIT, NOV) is ReportStatus.DRAFT
    fill_all(ws)
    state = ws.reports.submit(UNIT, NOV)
    assert state.status is ReportStatus.SUBMITTED and state.version == 1 and state.submitted_by == "测试员"
    with pytest.raises(InvalidInput):
        ws.reports.submit(UNIT, NOV)
    assert ws.progress.save(ws.progress.get(47, UNIT, NOV)) == []
    assert ws.reports.status(UNIT, NOV) is ReportStatus.SUBMITTED  # no real change, still submitted
    ws.progress.save(ws.progress.get(47, UNIT, NOV).with_changes(next_steps="补充材料"))
    assert ws.reports.status(UNIT, NOV) is ReportStatus.DRAFT


def test_signed_period_is_locked(ws):
    fill_all(ws)
    ws.reports.submit(UNIT, NOV)
    ws.signoff.sign(UNIT, NOV, "正确的签署口令", create=True, reviewer="李强")
    before = ws.progress.get(47, UNIT, NOV)
    with pytest.raises(InvalidInput) as error:
        ws.progress.save(before.with_changes(achievements="签署后改动"))
    assert "已锁定" in str(error.value)
    assert ws.progress.get(47, UNIT, NOV) == before
    ws.progress.save(Progress(47, UNIT, NOV.next(), achievements="下个月可以填"))


def test_due_list_and_default_period(ws):
    items = ws.reports.due(UNIT, today=dt.date(2026, 11, 24))
    assert len(items) == 42 and items[0].period.code == "2025-12"
    fill_all(ws, period=Period.parse("2025-12"))
    ws.reports.submit(UNIT, "2025-12")
    items = ws.reports.due(UNIT, today=dt.date(2026, 11, 24))
    assert len(items) == 41 and items[0].period.code == "2025-11" and items[0].state is DueState.OVERDUE
    assert ws.reports.default_period(today=dt.date(2026, 11, 24)).code == "2025-12"
    ws.settings.set("report_kind", "quarter")
    assert ws.reports.default_period(today=dt.date(2024, 8, 1)).code == "2024Q2"


def test_carry_forward_fills_only_empty_fields(ws):
    october = NOV.previous()
    ws.progress.save(Progress(47, UNIT, october, TaskStatus.IN_PROGRESS, 40, "十月进展", "十月问题", "十月计划"))
    ws.progress.save(Progress(48, UNIT, october, TaskStatus.ONGOING, None, "工程四进展"))
    ws.progress.save(Progress(47, UNIT, NOV, achievements="十一月已写"))
    changed = ws.progress.carry_forward(UNIT, NOV)
    assert changed == [47, 48]
    kept = ws.progress.get(47, UNIT, NOV)
    assert (kept.achievements, kept.problems, kept.status, kept.percent) == (
        "十一月已写",
        "十月问题",
        TaskStatus.IN_PROGRESS,
        40,
    )
    assert ws.progress.carry_forward(UNIT, NOV) == []
    assert ws.progress.carry_forward(UNIT, NOV, [47], overwrite=True) == [47]
    assert ws.progress.get(47, UNIT, NOV).achievements == "十月进展"
    with pytest.raises(InvalidInput):
        ws.progress.carry_forward(UNIT, NOV, [1])


def test_evidence_is_copied_and_kept_by_hash(tmp_path):
    source = tmp_path / "会议纪要.pdf"
    source.write_bytes(b"%PDF-1.4 minutes")
    with Workspace(tmp_path / "ws.db", actor="测试员") as ws:
        first = ws.evidence.add(47, "碑林区", NOV, source)
        again = ws.evidence.add(47, "碑林区", NOV, source)
        assert first == again
        ws.evidence.add(48, "碑林区", NOV, source)
        stored = ws.evidence.path(first)
        assert stored.parent.parent == tmp_path / "evidence"
        assert stored.read_bytes() == b"%PDF-1.4 minutes" and stored.suffix == ".pdf"
        assert len(list((tmp_path / "evidence").rglob("*.pdf"))) == 1
        assert ws.evidence.counts("碑林区", NOV) == {47: 1, 48: 1}
        ws.evidence.remove(first, 47, "碑林区", NOV)
        assert ws.evidence.for_task(47, "碑林区", NOV) == []
        assert stored.exists()  # still used by task 48
        log = ws.audit.entries(entity="evidence")
        assert [e.action for e in log] == ["delete", "insert", "insert"]


def test_evidence_names_are_made_safe(tmp_path):
    from ipdesk.store.evidence_store import safe_file_name

    assert safe_file_name("CON.txt") == "_CON.txt"
    if sys.platform != "win32":  # about reserved names: Windows cannot make a file named CON.txt, other systems can
        source = tmp_path / "CON.txt"
        source.write_text("x", encoding="utf-8")
        with Workspace(tmp_path / "ws.db") as ws:
            assert ws.evidence.add(47, "碑林区", NOV, source).file_name == "_CON.txt"

    assert safe_file_name("..\\..\\windows/system32:evil?.doc") == "system32_evil_.doc"
    assert len(safe_file_name("长" * 300 + ".docx")) <= 125


def test_missing_evidence_file_is_refused(ws, tmp_path):
    with pytest.raises(InvalidInput) as error:
        ws.evidence.add(47, UNIT, NOV, tmp_path / "不存在.pdf")
    assert "无法读取" in str(error.value)
    assert ws.evidence.for_task(47, UNIT, NOV) == []


def test_target_values(ws):
    owned = ws.projects.targets_for_unit("市检察院")
    assert [(o.project.no, o.target.name) for o in owned] == [(5, "知识产权检察保护中心")]
    ws.target_values.save(TargetValue(5, owned[0].target.seq, "市检察院", NOV, 14, "已挂牌14家"))
    assert ws.target_values.get(5, owned[0].target.seq, "市检察院", NOV).value == 14
    with pytest.raises(InvalidInput):
        ws.target_values.save(TargetValue(5, owned[0].target.seq, UNIT, NOV, 1))


def test_counts_are_whole_numbers_wherever_they_are_entered(ws):
    with pytest.raises(InvalidInput) as error:
        ws.target_values.save(TargetValue(5, 3, "市检察院", NOV, 14.5))
    assert "整数" in str(error.value)
    assert ws.target_values.get(5, 3, "市检察院", NOV).value is None  # nothing saved
    agency = "市市场监管局(知识产权局)"
    with pytest.raises(InvalidInput) as error:
        ws.indicator_values.save(IndicatorValue(2, agency, NOV, 703.43))  # 海外专利年申请量（件）
    assert "703.43" in str(error.value) and "整数" in str(error.value)
    assert ws.indicator_values.get(2, agency, NOV).value is None
    ws.indicator_values.save(IndicatorValue(2, agency, NOV, 703))
    ws.indicator_values.save(IndicatorValue(1, agency, NOV, 20.47))  # 每万人口…拥有量: a ratio, in 件
    ws.indicator_values.save(IndicatorValue(4, "市委宣传部", NOV, 2.87))  # 万件


def test_sample_data_draws_whole_counts(ws):
    from ipdesk.workspace.sample_data import fill_sample

    agency = "市市场监管局(知识产权局)"
    fill_sample(ws, agency, NOV)
    values = ws.indicator_values.for_unit(agency, NOV)
    counted = [o.indicator for o in ws.indicators.for_unit(agency) if o.indicator.counts]
    assert len(counted) >= 4
    assert all(values[i.seq].value.is_integer() for i in counted)
    targets = ws.target_values.for_unit(agency, NOV)
    own = [k for k in targets if ws.target_values.linked_indicator(*k, agency) is None]
    assert own and all(targets[k].value.is_integer() for k in own)


def test_a_target_linked_to_an_indicator_is_entered_once_as_the_indicator(ws):
    """技术合同成交额 is indicator 5 and a target of 工程2: the unit enters the indicator, the target shows it."""
    keji = "市科技局"
    assert ws.target_values.linked_indicator(2, 3, keji).seq == 5
    with pytest.raises(InvalidInput) as error:
        ws.target_values.save(TargetValue(2, 3, keji, NOV, 1749))
    assert "同一数据" in str(error.value) and "指标5" in str(error.value)
    assert ws.target_values.get(2, 3, keji, NOV).value is None
    ws.indicator_values.save(IndicatorValue(5, keji, NOV, 2036.8))
    shown = ws.target_values.get(2, 3, keji, NOV)
    assert (shown.value, shown.note) == (2036.8, "同指标5“全市技术合同成交额”")
    line = next(t for t in ws.reports.snapshot(keji, NOV).targets if t.project_no == 2 and t.seq == 3)
    assert line.value == 2036.8  # the return carries one figure for the quantity
    # a target with no indicator behind it is entered as before
    ws.target_values.save(TargetValue(5, 3, "市检察院", NOV, 14))


def test_settings_are_checked(ws):
    with pytest.raises(InvalidInput):
        ws.settings.set("due_day", "31")
    with pytest.raises(InvalidInput):
        ws.settings.set("light_yellow", "0.99")
    with pytest.raises(InvalidInput):
        ws.settings.set("report_kind", "weekly")
    ws.settings.set("light_green", "1.0")
    assert ws.settings.thresholds().green == 1.0
    assert ws.settings.due_day() == 5
