"""The clerk's side of a month: 待办 until the return is sent, and what the reviewer is shown before signing."""

from __future__ import annotations

import datetime as dt

import pytest

from ipdesk import Workspace
from ipdesk.domain import InvalidInput
from ipdesk.domain.deadlines import DueState
from ipdesk.signing.identity import KeyStore
from ipdesk.workspace.sample_data import fill_sample

UNIT = "碑林区人民政府"
TODAY = dt.date(2025, 12, 3)


@pytest.fixture
def ws(tmp_path):
    ws = Workspace(tmp_path / "unit.db", actor="王芳")
    ws.signoff._keys = KeyStore(tmp_path / "keys")
    ws.settings.update({"unit": UNIT, "clerk_name": "王芳", "reviewer_name": "李强", "first_period": "2025-10"})
    yield ws
    ws.close()


def _states(ws: Workspace) -> dict[str, tuple[DueState, str]]:
    return {item.period.code: (item.state, item.folder) for item in ws.reports.due(UNIT, TODAY)}


def test_a_period_stays_in_todo_until_it_is_sent(ws, tmp_path):
    assert _states(ws)["2025-11"][0] is DueState.DUE
    fill_sample(ws, UNIT, "2025-11", mark=False)
    with pytest.raises(InvalidInput):  # nothing signed to send yet
        ws.reports.mark_sent(UNIT, "2025-11")
    ws.reports.submit(UNIT, "2025-11")
    assert _states(ws)["2025-11"] == (DueState.TO_SIGN, "")
    ws.signoff.sign(UNIT, "2025-11", "签署口令123", create=True)
    assert _states(ws)["2025-11"] == (DueState.TO_EXPORT, "")
    folder = tmp_path / "报送"
    folder.mkdir()
    ws.reports.export(UNIT, "2025-11", folder)
    assert _states(ws)["2025-11"] == (DueState.EXPORTED, str(folder))
    assert "2025-10" in _states(ws)  # October, never submitted, is still owed
    ws.reports.mark_sent(UNIT, "2025-11")
    assert "2025-11" not in _states(ws)
    sent = [e for e in ws.audit.entries() if e.entity == "report" and e.field in ("sent", "exported_to")]
    assert sorted(e.field for e in sent) == ["exported_to", "sent"]


def test_a_revised_version_is_owed_again_and_follows_the_same_way(ws, tmp_path):
    fill_sample(ws, UNIT, "2025-11", mark=False)
    ws.reports.submit(UNIT, "2025-11")
    ws.signoff.sign(UNIT, "2025-11", "签署口令123", create=True)
    ws.reports.export(UNIT, "2025-11", tmp_path)
    ws.reports.mark_sent(UNIT, "2025-11")
    ws.signoff.revise(UNIT, "2025-11")
    assert _states(ws)["2025-11"][0] is DueState.OPEN or _states(ws)["2025-11"][0] is DueState.DUE
    ws.reports.submit(UNIT, "2025-11")
    assert _states(ws)["2025-11"] == (DueState.TO_SIGN, "")  # v2's own way out, not v1's


def test_the_overview_counts_what_is_signed(ws):
    fill_sample(ws, UNIT, "2025-11", mark=False)
    rows = [r for r in ws.progress.for_unit(UNIT, "2025-11") if r.task.kind.value != "indicator"]
    red = sum(1 for r in rows if ws.lights.for_task(r.progress).label == "红灯")
    overview = ws.reports.overview(UNIT, "2025-11")
    assert overview.tasks == len(rows) == 30
    assert dict(overview.by_light).get("红灯", 0) == red
    assert sum(count for _, count in overview.by_light) == len(rows)
    assert sum(count for _, count in overview.by_status) == len(rows)
    assert overview.version == 1 and overview.missing == ()
    # a task emptied: it is counted as 未填 and named as missing
    first = rows[0].progress
    ws.progress.save(first.with_changes(status=None, achievements=""))
    overview = ws.reports.overview(UNIT, "2025-11")
    assert dict(overview.by_status)["未填"] == 1
    assert len(overview.missing) == 2 and any("未选择完成状态" in m for m in overview.missing)
    assert any(line.startswith("尚缺 2 处") for line in overview.lines())


def test_the_reason_for_a_large_change_goes_when_the_value_is_corrected_back(tmp_path):
    from ipdesk import Period
    from ipdesk.domain.progress import IndicatorValue, with_change_reason

    ws = Workspace(tmp_path / "bureau.db", actor="王芳")
    unit = "市市场监管局(知识产权局)"
    indicator = ws.indicators.for_unit(unit)[0].indicator
    october, november = Period.parse("2025-10"), Period.parse("2025-11")
    ws.indicator_values.save(IndicatorValue(indicator.seq, unit, october, 100.0, "按季度统计"))
    jump = IndicatorValue(indicator.seq, unit, november, 1000.0, "按季度统计")
    assert ws.indicator_values.large_change(jump) is not None
    ws.indicator_values.save(jump.with_changes(note=with_change_reason("按季度统计", "统计口径调整")))
    assert ws.indicator_values.get(indicator.seq, unit, "2025-11").note == "按季度统计；变化原因：统计口径调整"
    # 1000 was a slip for 100.0: corrected, the explanation no longer fits and is taken out …
    stored = ws.indicator_values.get(indicator.seq, unit, "2025-11")
    ws.indicator_values.save(stored.with_changes(value=105.0))
    assert ws.indicator_values.get(indicator.seq, unit, "2025-11").note == "按季度统计"
    # … while the audit log keeps it
    notes = [e.old_value for e in ws.audit.entries() if e.field == "note" and e.old_value]
    assert "按季度统计；变化原因：统计口径调整" in notes
    ws.close()


def test_the_roster_carries_whom_to_call_and_the_reminders_use_it(tmp_path):
    from openpyxl import load_workbook

    from ipdesk.domain import InvalidInput as Refused

    ws = Workspace(tmp_path / "city.db", actor="张主任")
    ws.set_kind("city")
    ws.plans.set_contact("碑林区人民政府", "赵敏", "029-87654321")
    with pytest.raises(Refused):
        ws.plans.set_contact("雁塔区人民政府", "钱", "电话号码")
    exported = ws.plans.export_roster(tmp_path / "名册.xlsx")
    sheet = load_workbook(exported).active
    header = [c.value for c in sheet[2]]
    assert header[-2:] == ["联系人", "联系电话"]
    row = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] == "碑林区人民政府")
    assert row[-2:] == ("赵敏", "029-87654321")
    # edited in Excel and imported with the roster
    for cells in sheet.iter_rows(min_row=3):
        if cells[1].value == "雁塔区人民政府":
            cells[6].value, cells[7].value = "孙立", "029-85550000"
    book = sheet.parent
    book.save(tmp_path / "名册-改.xlsx")
    _, rejected = ws.plans.import_roster(tmp_path / "名册-改.xlsx")
    assert rejected == []
    assert ws.plans.contacts()["雁塔区人民政府"] == ("孙立", "029-85550000")
    assert ws.plans.contacts()["碑林区人民政府"] == ("赵敏", "029-87654321")
    # 催报: a unit that never reported has someone to call
    reminders = {r.unit: r for r in ws.city.reminders("2025-10", today=dt.date(2025, 11, 20))}
    assert (reminders["雁塔区人民政府"].clerk, reminders["雁塔区人民政府"].phone) == ("孙立", "029-85550000")
    assert any(e.entity == "unit_contact" and e.new_value == "孙立" for e in ws.audit.entries())
    ws.close()


def test_a_return_with_carried_texts_verifies_and_says_so(ws, tmp_path):
    from ipdesk.exchange.importing import ImportOutcome

    fill_sample(ws, UNIT, "2025-10", mark=False)
    ws.progress.carry_forward(UNIT, "2025-11")
    ws.reports.submit(UNIT, "2025-11")
    ws.signoff.sign(UNIT, "2025-11", "签署口令123", create=True)
    files = {p.suffix: p for p in ws.reports.export(UNIT, "2025-11", tmp_path)}
    signed = ws.signoff.signed(UNIT, "2025-11").snapshot
    assert all("achievements" in t.carried for t in signed.tasks)
    city = Workspace(tmp_path / "city.db", actor="张主任")
    city.trust.add(ws.signoff.keys.export_certificate(UNIT, tmp_path / "unit.cer"))
    results = city.city.import_files([files[".xlsx"], files[".pdf"]], today=TODAY)
    assert [r.outcome for r in results] == [ImportOutcome.IMPORTED, ImportOutcome.DUPLICATE], results[0].reason
    assert city.city.snapshot(UNIT, "2025-11").tasks[0].carried == signed.tasks[0].carried
    city.close()
