"""Round trips through the Workspace facade, with the audit log written on every change."""

from __future__ import annotations

import pytest

from ipdesk import Period, Workspace
from ipdesk.domain import AmbiguousUnit, IndicatorValue, InvalidInput, Progress, Role, TaskStatus, UnitNotFound

NOV = Period.parse("2025-11")


def test_units_are_found_by_any_unique_part(ws):
    assert ws.units.find("碑林区").name == "碑林区人民政府"
    assert ws.units.find("碑林区人民政府").name == "碑林区人民政府"
    assert ws.units.find("高新区").name == "高新区管委会"
    assert ws.units.find("市市场监管局（知识产权局）").name == "市市场监管局(知识产权局)"
    assert ws.units.find(" 蓝田 ").name == "蓝田县人民政府"
    assert ws.units.find("关中海关").kind.value == "department"


def test_ambiguous_and_unknown_units(ws):
    with pytest.raises(AmbiguousUnit) as error:
        ws.units.find("新区")
    assert "西咸新区管委会" in error.value.matches and "曲江新区管委会" in error.value.matches
    with pytest.raises(UnitNotFound) as error:
        ws.units.find("碑林县")
    assert "碑林区人民政府" in error.value.suggestions
    assert "碑林区人民政府" in str(error.value)
    with pytest.raises(UnitNotFound):
        ws.units.find("")


def test_tasks_for_a_unit_with_roles(ws):
    beilin = ws.tasks.for_unit("碑林区")
    assert len(beilin) == 30
    lead = ws.tasks.for_unit("碑林区", Role.LEAD)
    assert [a.task.seq for a in lead] == [47, 48, 94, 95, 96, 97]
    coop = ws.tasks.for_unit("碑林区", "coop")
    assert len(lead) + len(coop) == len(beilin)
    assert all(a.role is Role.COOP for a in coop)
    bureau = ws.tasks.for_unit("市市场监管局")
    assert len(bureau) > 70


def test_indicators_owned_by_a_unit(ws):
    owned = ws.indicators.for_unit("市法院")
    assert [(o.indicator.seq, o.role) for o in owned] == [(14, Role.LEAD), (15, Role.COOP)]
    assert [o.indicator.seq for o in ws.indicators.for_unit("市委宣传部")] == [4, 7]
    assert ws.indicators.for_unit("碑林区") == []


def test_expected_values_come_from_the_stored_plan(ws):
    patents = ws.indicators.get(1)
    assert ws.indicators.expected(patents, 2020) == 13
    assert ws.indicators.expected(1, 2023) == pytest.approx(13 * (20 / 13) ** 0.6)
    assert ws.indicators.expected(1, 2026) == 20
    assert ws.indicators.expected(10, 2023) is None


def test_progress_round_trip_and_audit(ws):
    unit = ws.units.find("碑林区")
    assert ws.progress.get(47, unit, NOV).is_empty
    changed = ws.progress.save(
        Progress(47, unit.name, NOV, TaskStatus.IN_PROGRESS, 40, "完成强县申报材料", "", "迎接评审")
    )
    assert changed == ["status", "percent", "achievements", "next_steps"]
    stored = ws.progress.get(47, "碑林区", "2025-11")
    assert (stored.status, stored.percent, stored.achievements, stored.next_steps) == (
        TaskStatus.IN_PROGRESS,
        40,
        "完成强县申报材料",
        "迎接评审",
    )
    assert stored.updated_by == "测试员" and stored.updated_at

    assert ws.progress.save(stored.with_changes(percent=55, problems="专家评审推迟")) == ["percent", "problems"]
    entries = ws.audit.for_progress(47, unit, NOV)
    assert [(e.field, e.old_value, e.new_value) for e in entries[:2]] == [
        ("problems", "", "专家评审推迟"),
        ("percent", "40", "55"),
    ]
    assert all(e.actor == "测试员" for e in entries)
    assert ws.audit.verify() is None


def test_saving_unchanged_progress_writes_nothing(ws):
    progress = Progress(47, "碑林区人民政府", NOV, TaskStatus.DONE, 100, "已完成")
    ws.progress.save(progress)
    count = len(ws.audit.entries())
    assert ws.progress.save(progress) == []
    assert len(ws.audit.entries()) == count
    assert ws.progress.save(Progress(48, "碑林区人民政府", NOV)) == []  # an empty row is not stored


def test_progress_for_a_unit_and_period(ws):
    ws.progress.save(Progress(94, "碑林区人民政府", NOV, TaskStatus.ONGOING, None, "召开领导小组会议"))
    rows = ws.progress.for_unit("碑林区", NOV)
    assert len(rows) == 30
    by_seq = {r.task.seq: r for r in rows}
    assert by_seq[94].progress.achievements == "召开领导小组会议"
    assert by_seq[94].role is Role.LEAD
    assert by_seq[16].progress.is_empty and by_seq[16].role is Role.COOP
    assert ws.progress.for_unit("碑林区", "2025-10")[0].progress.is_empty


def test_progress_history(ws):
    for month, percent in (("2025-10", 30), ("2025-09", 10), ("2025-11", 50)):
        ws.progress.save(Progress(47, "碑林区人民政府", Period.parse(month), TaskStatus.IN_PROGRESS, percent))
    assert [p.percent for p in ws.progress.history(47, "碑林区")] == [10, 30, 50]


def test_invalid_progress_is_refused_and_nothing_changes(ws):
    with pytest.raises(InvalidInput) as error:
        Progress(47, "碑林区人民政府", NOV, percent=120)
    assert "0 到 100" in str(error.value)
    with pytest.raises(InvalidInput):
        Progress(47, "碑林区人民政府", NOV, percent=float("nan"))
    with pytest.raises(InvalidInput) as error:
        ws.progress.save(Progress(1, "碑林区人民政府", NOV, achievements="不是本单位的任务"))
    assert "不是第 1 项任务" in str(error.value)
    with pytest.raises(InvalidInput):
        ws.progress.save(Progress(98, "碑林区人民政府", NOV))
    assert ws.audit.entries(entity="progress") == []


def test_indicator_values_round_trip(ws):
    entry = IndicatorValue(14, "市法院", NOV, 96.5, "截至11月底", "市法院审判管理办公室")
    assert ws.indicator_values.save(entry) == ["value", "note", "data_source"]
    stored = ws.indicator_values.get(14, "市法院", NOV)
    assert (stored.value, stored.note, stored.data_source) == (96.5, "截至11月底", "市法院审判管理办公室")
    ws.indicator_values.save(stored.with_changes(value=97.0))
    entries = ws.audit.entries(entity="indicator_value")
    assert (entries[0].field, entries[0].old_value, entries[0].new_value) == ("value", "96.5", "97")
    assert ws.indicator_values.for_unit("市法院", NOV)[14].value == 97.0


def test_indicator_history(ws):
    for month, value in (("2025-11", 3.1), ("2025-10", 2.9)):
        ws.indicator_values.save(IndicatorValue(4, "市委宣传部", Period.parse(month), value))
    assert [v.value for v in ws.indicator_values.history(4)] == [2.9, 3.1]
    assert ws.indicator_values.history(4, "市委宣传部")[0].period.code == "2025-10"


def test_indicator_values_are_checked(ws):
    with pytest.raises(InvalidInput):
        IndicatorValue(4, "市委宣传部", NOV, -1)
    with pytest.raises(InvalidInput):
        IndicatorValue(4, "市委宣传部", NOV, float("inf"))
    with pytest.raises(InvalidInput) as error:
        ws.indicator_values.save(IndicatorValue(4, "碑林区人民政府", NOV, 1))
    assert "不负责指标" in str(error.value)


def test_settings_are_audited(ws):
    assert ws.settings.set("clerk_name", "李四") is True
    assert ws.settings.set("clerk_name", "李四") is False
    assert ws.settings.get("clerk_name") == "李四"
    entry = ws.audit.entries(entity="setting")[0]
    assert (entry.entity_key, entry.old_value, entry.new_value) == ("clerk_name", None, "李四")


def test_actor_defaults_to_the_clerk(tmp_path):
    with Workspace(tmp_path / "a.db") as ws:
        ws.settings.set("clerk_name", "王芳")
        ws.progress.save(Progress(47, "碑林区人民政府", NOV, achievements="由王芳填写"))
        assert ws.progress.get(47, "碑林区", NOV).updated_by == "王芳"


def test_saved_edits_survive_reopening(db_path):
    with Workspace(db_path, actor="甲") as ws:
        ws.progress.save(Progress(95, "蓝田县人民政府", NOV, TaskStatus.IN_PROGRESS, 70, "专项资金已列入预算"))
    with Workspace(db_path) as ws:
        assert ws.progress.get(95, "蓝田县", NOV).achievements == "专项资金已列入预算"
        assert ws.audit.verify() is None


def test_bulk_changes_land_together_or_not_at_all(ws):
    with pytest.raises(RuntimeError):
        with ws.bulk():
            ws.progress.save(Progress(47, "碑林区人民政府", NOV, achievements="第一条"))
            raise RuntimeError("停电")
    assert ws.progress.get(47, "碑林区", NOV).is_empty
    with ws.bulk():
        ws.progress.save(Progress(47, "碑林区人民政府", NOV, achievements="第一条"))
        ws.progress.save(Progress(48, "碑林区人民政府", NOV, achievements="第二条"))
    assert len(ws.audit.entries(entity="progress")) == 2


def test_tampering_with_the_audit_log_is_detected(ws):
    for percent in (10, 20, 30):
        ws.progress.save(Progress(47, "碑林区人民政府", NOV, percent=percent))
    assert ws.audit.verify() is None
    second = ws.audit.entries()[-2].id
    ws.db.execute("UPDATE audit_log SET new_value = '99' WHERE id = ?", [second])
    assert ws.audit.verify() == second


def test_a_deleted_audit_entry_is_detected(ws):
    for percent in (10, 20, 30):
        ws.progress.save(Progress(47, "碑林区人民政府", NOV, percent=percent))
    ids = [e.id for e in reversed(ws.audit.entries())]
    ws.db.execute("DELETE FROM audit_log WHERE id = ?", [ids[1]])
    assert ws.audit.verify() == ids[2]


def test_the_entries_of_chosen_tasks_are_the_units_own_progress_and_evidence_for_them(ws, tmp_path):
    """entered_task_periods: for the tasks asked about, every period in which this unit (not another) has progress or
    evidence for each; the others' entries and the tasks not asked about stay out."""
    from ipdesk.store import entries_store

    beilin, yanta = "碑林区人民政府", "雁塔区人民政府"
    october = Period.parse("2025-10")
    first, second = (a.task.seq for a in ws.tasks.for_unit(beilin)[:2])  # both are 雁塔区人民政府's tasks too
    ws.progress.save(Progress(first, beilin, NOV, TaskStatus.IN_PROGRESS, 40, "进展"))
    ws.progress.save(Progress(second, beilin, october, TaskStatus.IN_PROGRESS, 20, "进展"))
    ws.progress.save(Progress(first, yanta, october, TaskStatus.IN_PROGRESS, 30, "进展"))
    note = tmp_path / "纪要.pdf"
    note.write_bytes(b"%PDF-1.4 minutes")
    ws.evidence.add(second, beilin, NOV, note)  # evidence alone, no progress in November

    def entered(unit, seqs):
        return sorted(entries_store.entered_task_periods(ws.db, ws.plan_id, unit, seqs))

    assert entered(beilin, [first, second]) == sorted([(first, "2025-11"), (second, "2025-10"), (second, "2025-11")])
    assert entered(beilin, [first]) == [(first, "2025-11")]
    assert entered(yanta, [first, second]) == [(first, "2025-10")]
    assert entered(beilin, []) == []
