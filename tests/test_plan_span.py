"""One rule for periods everywhere: entry, submission and export only within the plan's span; the period from which
the unit reports with ipdesk; the 50 % change rule; and the small things a newcomer trips on at the command line."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ipdesk import Period, Workspace
from ipdesk.cli import main
from ipdesk.domain import IndicatorValue, InvalidInput, PeriodKind, Progress
from ipdesk.domain.deadlines import DueState, check_in_plan, due_periods, in_plan, plan_periods
from ipdesk.domain.progress import large_change

START, END = dt.date(2022, 7, 1), dt.date(2025, 12, 31)
UNIT = "碑林区人民政府"


@pytest.mark.parametrize(
    ("code", "inside"),
    [
        ("2022-06", False),
        ("2022-07", True),
        ("2021Q4", False),
        ("2022Q3", True),
        ("2022H1", False),
        ("2022H2", True),
        ("2022", True),  # overlaps the span: the window offers it too
        ("2025-12", True),
        ("2025Q4", True),
        ("2026-01", False),
        ("2026", False),
    ],
)
def test_in_plan_is_exactly_what_the_window_offers(code, inside):
    period = Period.parse(code)
    assert in_plan(period, START, END) is inside
    assert (period in plan_periods(period.kind, START, END)) is inside
    if inside:
        assert check_in_plan(period, START, END) == period
    else:
        with pytest.raises(InvalidInput) as error:
            check_in_plan(period, START, END)
        assert "方案实施期为 2022年7月至2025年12月" in str(error.value)
        assert period.chinese in str(error.value)


def test_the_message_names_the_periods_that_may_be_used():
    with pytest.raises(InvalidInput) as error:
        check_in_plan(Period.parse("2021Q4"), START, END)
    assert "方案开始之前" in str(error.value) and "2022Q3" in str(error.value) and "2025Q4" in str(error.value)
    with pytest.raises(InvalidInput) as error:
        check_in_plan(Period.parse("2026"), START, END)
    assert "方案期满之后" in str(error.value) and "2022" in str(error.value) and "2025年（2025）" in str(error.value)


@pytest.mark.parametrize(
    "command",
    [
        ["demo", "--unit", "碑林区", "--period", "2026"],
        ["demo", "--unit", "碑林区", "--period", "2021Q4"],
        ["submit", "--unit", "碑林区", "--period", "2026-01"],
        ["export", "--unit", "碑林区", "--period", "2022H1"],
    ],
)
def test_the_command_line_applies_the_same_rule(db_path, tmp_path, capsys, command):
    out = tmp_path / "out"
    args = [*command, "--out", str(out)] if command[0] == "export" else command
    assert main(["--db", str(db_path), *args]) == 2
    err = capsys.readouterr().err
    assert "方案实施期为 2022年7月至2025年12月" in err
    with Workspace(db_path, read_only=True) as ws:
        assert ws.audit.entries(entity="progress") == []
        assert ws.reports.submitted_periods(UNIT) == set()
    assert not out.exists() or not list(out.iterdir())


def test_scripts_meet_the_rule_too(ws, tmp_path):
    with pytest.raises(InvalidInput):
        ws.indicator_values.save(IndicatorValue(14, "市法院", Period.parse("2026-03"), 90))
    with pytest.raises(InvalidInput):
        ws.reports.export(UNIT, "2026", tmp_path)
    with pytest.raises(InvalidInput):
        ws.settings.set(ws.settings.FIRST_PERIOD, "2021-12")
    assert list(tmp_path.iterdir()) == []
    assert ws.plan_period("2025Q4") == Period.parse("2025Q4")


def test_the_first_reporting_period_starts_the_list_of_periods_owed(ws):
    today = dt.date(2026, 11, 25)  # after the plan
    assert len(ws.reports.due(UNIT, today)) == 42  # July 2022 to December 2025, all overdue
    ws.settings.set(ws.settings.FIRST_PERIOD, "2025-11")
    due = ws.reports.due(UNIT, today)
    assert [item.period.code for item in due] == ["2025-12", "2025-11"]
    assert all(item.state is DueState.OVERDUE for item in due)
    quarters = ws.reports.due(UNIT, today, kind=PeriodKind.QUARTER)
    assert [item.period.code for item in quarters] == ["2025Q4"]  # the quarter that holds November


def test_due_periods_since():
    items = due_periods(PeriodKind.MONTH, START, END, dt.date(2025, 12, 3), 5, set(), since=dt.date(2025, 10, 1))
    assert [(i.period.code, i.state) for i in items] == [
        ("2025-12", DueState.OPEN),
        ("2025-11", DueState.DUE),
        ("2025-10", DueState.OVERDUE),
    ]


def test_the_large_change_rule():
    assert large_change(50, 96).share == pytest.approx(0.92)
    assert large_change(50, 75) is None  # exactly half is still ordinary
    assert large_change(50, 24.9) is not None
    assert large_change(None, 5) is None and large_change(0, 5) is None and large_change(5, None) is None
    assert "+92%" in large_change(50, 96).question("%")


def test_the_workspace_compares_with_the_previous_period(ws):
    nov = Period.parse("2025-11")
    ws.indicator_values.save(IndicatorValue(14, "市法院", nov.previous(), 50))
    assert ws.indicator_values.large_change(IndicatorValue(14, "市法院", nov, 96)) is not None
    assert ws.indicator_values.large_change(IndicatorValue(14, "市法院", nov, 60)) is None


# -- the command line for a newcomer ---------------------------------------------------------------------------------
def test_export_creates_a_folder_that_does_not_exist(db_path, tmp_path, capsys):
    target = tmp_path / "新建" / "2025年11月"
    assert main(["--db", str(db_path), "export", "--unit", "碑林区", "--period", "2025-11", "--out", str(target)]) == 0
    assert sorted(p.suffix for p in target.iterdir()) == [".pdf", ".xlsx"]


def test_export_cert_takes_the_workspaces_unit(db_path, tmp_path, capsys, monkeypatch):
    with Workspace(db_path) as ws:
        ws.settings.update({"unit": UNIT, "clerk_name": "王芳", "reviewer_name": "李强"})
        ws.signoff.create_identity(UNIT, "审核人的口令")
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(db_path), "keys", "export-cert", "--out", "证书/本单位.cer", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unit"] == UNIT and (tmp_path / "证书" / "本单位.cer").stat().st_size > 0


def test_operating_system_errors_are_said_in_chinese(db_path, tmp_path, capsys):
    assert main(["--db", str(db_path), "verify", str(tmp_path / "没有这个文件.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "无法读取文件：文件或文件夹不存在" in out and "No such file" not in out


def test_the_task_count_is_explained_the_same_way_as_in_the_window(db_path, capsys):
    assert main(["--db", str(db_path), "tasks", "--unit", "市场监管局"]) == 0
    heading = capsys.readouterr().out.splitlines()[0]
    assert "86 项" in heading and "其中 11 项是主要指标" in heading and "75 项填写工作进展" in heading


def test_an_entry_outside_the_plan_changes_nothing(ws):
    before = ws.audit.entries()
    with pytest.raises(InvalidInput):
        ws.progress.save(Progress(47, UNIT, Period.parse("2022-06"), achievements="方案开始前"))
    assert ws.audit.entries() == before


def test_backup_and_audit_verify_while_the_window_is_open(db_path, capsys):
    with Workspace(db_path) as ws:
        ws.progress.save(Progress(47, UNIT, Period.parse("2025-11"), achievements="窗口开着时的内容"))
        assert main(["--db", str(db_path), "backup", "--json"]) == 0
        made = json.loads(capsys.readouterr().out)["file"]
        assert main(["--db", str(db_path), "audit", "verify", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["database_ok"] is True and report["intact"] is True and report["integrity"] == "ok"
    with Workspace(made, read_only=True) as copy:
        assert copy.progress.get(47, UNIT, "2025-11").achievements == "窗口开着时的内容"
