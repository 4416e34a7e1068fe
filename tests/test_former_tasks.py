"""A signed plan update moves task 1 from 碑林区 (which has entries for it) to 雁塔区: the caution names both units;
once saved, 碑林区 still reads what it entered (facade and command line), can change none of it, is never asked for
the task again, and 雁塔区 answers for it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from ipdesk import Workspace
from ipdesk.domain import InvalidInput
from ipdesk.domain.former_tasks import FormerTask, could_be_former, former_tasks, tasks_seen
from ipdesk.domain.periods import Period
from ipdesk.domain.plan import Role
from ipdesk.domain.statuses import TaskStatus

from .test_plans import BEILIN, CITY_PASS, _publish, make_offices

YANTA = "雁塔区人民政府"


def moved_task_update(tmp_path: Path) -> tuple[Workspace, Workspace, Path]:
    """The city office, 碑林区 after it entered task 1 for 2026-09 (evidence only) and 2026-10 (progress and
    evidence), and the office's signed plan update giving task 1 to 雁塔区 (not yet imported)."""
    from ipdesk.exchange import plan_file as plan_files

    city, unit = make_offices(tmp_path)
    plan_file, certificate = _publish(city, tmp_path)
    unit.trust.add(certificate)
    unit.plans.save(unit.plans.read(plan_file), use=True)
    assert unit.plan.task(1).role_of(BEILIN) is Role.LEAD and unit.plan.task(1).role_of(YANTA) is None
    unit.progress.save(
        unit.progress.get(1, BEILIN, "2026-10").with_changes(
            status=TaskStatus.IN_PROGRESS, percent=40, achievements="培育高价值专利 12 件", problems="资金不足"
        )
    )
    unit.progress.save(unit.progress.get(2, BEILIN, "2026-10").with_changes(achievements="导航基地选址"))
    proof = tmp_path / "培育名单.pdf"
    proof.write_bytes(b"%PDF-1.4 evidence")
    unit.evidence.add(1, BEILIN, "2026-10", proof)
    unit.evidence.add(1, BEILIN, "2026-09", proof)

    first = city.plan
    task = first.task(1)
    coop = tuple(u for u in task.coop_units if u != BEILIN)
    moved = dataclasses.replace(task, lead_text=YANTA, lead_units=(YANTA,), coop_text="、".join(coop), coop_units=coop)
    newer = dataclasses.replace(first, tasks=tuple(moved if t.seq == 1 else t for t in first.tasks))
    update = tmp_path / "moved.json"
    update.write_bytes(plan_files.signed_bytes(newer, city.city.unlock(CITY_PASS), "张主任"))
    return city, unit, update


def moved_task_workspaces(tmp_path: Path) -> tuple[Workspace, Workspace, list[str]]:
    """As ``moved_task_update``, the update then read and saved, confirmed. Returns the cautions shown."""
    city, unit, update = moved_task_update(tmp_path)
    preview = unit.plans.read(update)
    cautions = list(preview.cautions)
    with pytest.raises(InvalidInput, match="请先核对提醒"):
        unit.plans.save(preview)
    assert unit.plan.task(1).role_of(BEILIN) is Role.LEAD  # not confirmed: nothing changed
    assert unit.plans.save(preview, confirmed=True).outcome == "updated"
    return city, unit, cautions


@pytest.fixture
def moved(tmp_path):
    city, unit, cautions = moved_task_workspaces(tmp_path)
    yield city, unit, cautions
    city.close()
    unit.close()


def test_the_caution_names_the_unit_that_loses_the_task_and_the_one_that_gains_it(moved):
    _, _, cautions = moved
    [caution] = [c for c in cautions if "责任单位已改变" in c]
    assert caution == (
        "第 1 项任务“培育高价值专利”的责任单位已改变：新增雁塔区人民政府（牵头）；"
        "不再由碑林区人民政府承担，其中碑林区人民政府已填报的内容保留、可以查阅，但不再要求填报"
    )


def test_the_losing_unit_reads_its_entries_for_the_periods_it_entered_and_changes_none(moved, tmp_path):
    _, unit, _ = moved
    # the period with progress: task 1 is listed after the unit's own tasks, read-only, with what was entered
    rows = unit.progress.seen(BEILIN, "2026-10")
    assert [(r.task.seq, r.role) for r in rows] == [(2, Role.COOP), (3, Role.COOP), (1, None)]
    former = rows[-1]
    assert former.former is not None and former.former.mark == f"已调整给{YANTA}、市科技局"
    p = former.progress
    assert (p.status, p.percent, p.achievements, p.problems) == (
        TaskStatus.IN_PROGRESS,
        40,
        "培育高价值专利 12 件",
        "资金不足",
    )
    assert [e.file_name for e in unit.evidence.for_task(1, BEILIN, "2026-10")] == ["培育名单.pdf"]
    # the period with evidence only lists it too; a new period (nothing entered) does not
    assert [r.task.seq for r in unit.progress.seen(BEILIN, "2026-09") if r.former] == [1]
    assert [r.task.seq for r in unit.progress.seen(BEILIN, "2026-11")] == [2, 3]
    assert [(f.task.seq, [q.code for q in f.periods]) for f in unit.progress.former(BEILIN)] == [
        (1, ["2026-09", "2026-10"])
    ]
    # the unit's own tasks are what for_unit gives (reports, carry forward, completeness): task 1 is not among them
    assert [r.task.seq for r in unit.progress.for_unit(BEILIN, "2026-10")] == [2, 3]
    # nothing of it can be changed, in the period entered or in a new one
    for period in ("2026-10", "2026-11"):
        with pytest.raises(InvalidInput, match="不是第 1 项任务的责任单位或协作单位"):
            unit.progress.save(unit.progress.get(1, BEILIN, period).with_changes(achievements="改写"))
    with pytest.raises(InvalidInput, match="不是第 1 项任务的责任单位或协作单位"):
        unit.evidence.add(1, BEILIN, "2026-11", tmp_path / "培育名单.pdf")
    [kept] = unit.evidence.for_task(1, BEILIN, "2026-10")
    with pytest.raises(InvalidInput, match="佐证材料只能查看"):
        unit.evidence.remove(kept, 1, BEILIN, "2026-10")
    with pytest.raises(InvalidInput, match="不是本单位的任务"):
        unit.progress.carry_forward(BEILIN, "2026-11", [1])
    assert unit.progress.get(1, BEILIN, "2026-10").achievements == "培育高价值专利 12 件"
    assert unit.evidence.for_task(1, BEILIN, "2026-10") == [kept]
    # the report of the period does not carry it
    assert 1 not in [t.seq for t in unit.reports.snapshot(BEILIN, "2026-10").tasks]


def test_the_gaining_unit_answers_for_the_task(moved):
    _, unit, _ = moved
    rows = {r.task.seq: r for r in unit.progress.for_unit(YANTA, "2026-11")}
    assert rows[1].role is Role.LEAD and rows[1].progress.is_empty and rows[1].former is None
    assert unit.progress.former(YANTA) == []
    unit.progress.save(unit.progress.get(1, YANTA, "2026-11").with_changes(achievements="雁塔区接手"))
    assert unit.progress.get(1, YANTA, "2026-11").achievements == "雁塔区接手"


def test_the_command_line_lists_and_shows_the_former_task(moved, capsys):
    from ipdesk.cli import main

    _, unit, _ = moved
    db = str(unit.path)
    unit.close()
    assert main(["--db", db, "tasks", "--unit", "碑林区"]) == 0
    out = capsys.readouterr().out
    assert "原承担任务：1 项" in out and "2026年10月" in out and "2026年9月" in out and YANTA in out
    assert main(["--db", db, "tasks", "--unit", "碑林区", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(t["seq"], t["role"]) for t in listed] == [(2, "coop"), (3, "coop"), (1, "former")]
    assert listed[-1]["moved_to"] == [YANTA, "市科技局"] and listed[-1]["periods_with_entries"] == [
        "2026-09",
        "2026-10",
    ]
    assert main(["--db", db, "tasks", "--unit", "碑林区", "--role", "coop", "--json"]) == 0
    assert [t["seq"] for t in json.loads(capsys.readouterr().out)] == [2, 3]

    assert main(["--db", db, "show", "--unit", "碑林区", "--period", "2026-10", "--json"]) == 0
    shown = {t["seq"]: t for t in json.loads(capsys.readouterr().out)["tasks"]}
    assert shown[1]["role"] == "former" and shown[1]["editable"] is False
    assert (shown[1]["status"], shown[1]["percent"], shown[1]["achievements"]) == (
        "in_progress",
        40,
        "培育高价值专利 12 件",
    )
    assert shown[1]["evidence"] == ["培育名单.pdf"] and shown[2]["achievements"] == "导航基地选址"
    assert main(["--db", db, "show", "--unit", "碑林区", "--period", "2026-10", "--task", "1"]) == 0
    out = capsys.readouterr().out
    assert "原承担" in out and "培育高价值专利 12 件" in out and "只能查看" in out
    assert main(["--db", db, "show", "--unit", "碑林区", "--period", "2026-11", "--json"]) == 0
    assert [t["seq"] for t in json.loads(capsys.readouterr().out)["tasks"]] == [2, 3]
    assert main(["--db", db, "show", "--unit", "碑林区", "--period", "2026-11", "--task", "1"]) != 0
    assert "没有第 1 项" in capsys.readouterr().err


def test_the_rule_of_what_a_unit_sees_is_one_function_of_the_plan_and_the_entries(moved):
    _, unit, _ = moved
    plan = unit.plan
    october, november = Period.parse("2026-10"), Period.parse("2026-11")
    entered = [(1, october), (2, october), (1, november)]  # entries the unit still answers for are not former
    assert former_tasks(plan, BEILIN, entered) == [FormerTask(plan.task(1), (october, november))]
    assert [(s.task.seq, s.role_label, s.editable) for s in tasks_seen(plan, BEILIN, october, entered)] == [
        (2, "协作", True),
        (3, "协作", True),
        (1, "原承担", False),
    ]
    assert [s.task.seq for s in tasks_seen(plan, BEILIN, Period.parse("2026-12"), entered)] == [2, 3]
    assert former_tasks(plan, YANTA, entered) == []
    # what a reader asks the store for: the entries of the tasks the unit does not answer for, and only those
    assert 1 in could_be_former(plan, BEILIN) and not {2, 3} & set(could_be_former(plan, BEILIN))
    assert set(could_be_former(plan, BEILIN)) == {t.seq for t in plan.tasks if t.role_of(BEILIN) is None}
    narrowed = [(seq, period) for seq, period in entered if seq in could_be_former(plan, BEILIN)]
    assert former_tasks(plan, BEILIN, narrowed) == former_tasks(plan, BEILIN, entered)
    assert tasks_seen(plan, BEILIN, october, narrowed) == tasks_seen(plan, BEILIN, october, entered)


def test_the_command_line_import_shows_the_caution_and_saves_only_confirmed(tmp_path, capsys):
    from ipdesk.cli import main

    city, unit, update = moved_task_update(tmp_path)
    db = str(unit.path)
    unit.close()
    city.close()
    assert main(["--db", db, "plan", "import", str(update)]) == 1
    out = capsys.readouterr().out
    assert f"须确认：第 1 项任务“培育高价值专利”的责任单位已改变：新增{YANTA}（牵头）；不再由{BEILIN}承担" in out
    with Workspace(db) as ws:
        assert ws.plan.task(1).role_of(BEILIN) is Role.LEAD  # nothing saved
    assert main(["--db", db, "plan", "import", str(update), "--confirm", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "updated"
    with Workspace(db) as ws:
        assert ws.plan.task(1).role_of(YANTA) is Role.LEAD
        assert [f.task.seq for f in ws.progress.former(BEILIN)] == [1]
        assert ws.progress.get(1, BEILIN, "2026-10").achievements == "培育高价值专利 12 件"


PUBLICITY, SCIENCE = "市委宣传部", "市科技局"


def moved_indicator_workspaces(tmp_path: Path) -> tuple[Workspace, Workspace]:
    """The embedded plan's indicator 4 (著作权登记数, task 4, led by 市委宣传部) given to 市科技局 by a signed
    update, confirmed, after 市委宣传部 entered 5200 for 2025-10."""
    from ipdesk.exchange import plan_file as plan_files

    city, unit = make_offices(tmp_path, PUBLICITY, next_plan=False)
    plan_file, certificate = _publish(city, tmp_path)
    unit.trust.add(certificate)
    unit.plans.save(unit.plans.read(plan_file))
    entry = unit.indicator_values.get(4, PUBLICITY, "2025-10").with_changes(value=5200, note="全年登记")
    unit.indicator_values.save(entry)
    first = city.plan
    task = dataclasses.replace(first.task(4), lead_text=SCIENCE, lead_units=(SCIENCE,))
    newer = dataclasses.replace(first, tasks=tuple(task if t.seq == 4 else t for t in first.tasks))
    update = tmp_path / "moved.json"
    update.write_bytes(plan_files.signed_bytes(newer, city.city.unlock(CITY_PASS), "张主任"))
    preview = unit.plans.read(update)
    assert any(
        c.startswith("第 4 项任务") and f"新增{SCIENCE}（牵头）" in c and f"不再由{PUBLICITY}" in c
        for c in preview.cautions
    )
    unit.plans.save(preview, confirmed=True)
    return city, unit


def test_an_indicator_given_to_another_unit_stays_readable_where_it_was_entered(tmp_path, capsys):
    """Its value is listed read-only for 2025-10, by the facade and ``ipdesk show``, and cannot change."""
    from ipdesk.cli import main

    city, unit = moved_indicator_workspaces(tmp_path)
    assert [o.indicator.seq for o in unit.indicators.for_unit(PUBLICITY)] == [7]  # its other indicator
    [former] = unit.indicator_values.former(PUBLICITY, "2025-10")
    assert former.indicator.seq == 4 and former.mark == f"已调整给{SCIENCE}"
    assert unit.indicator_values.get(4, PUBLICITY, "2025-10").value == 5200
    assert unit.indicator_values.former(PUBLICITY, "2025-11") == []
    with pytest.raises(InvalidInput):
        unit.indicator_values.save(unit.indicator_values.get(4, PUBLICITY, "2025-11").with_changes(value=1))
    assert [o.indicator.seq for o in unit.indicators.for_unit(SCIENCE) if o.indicator.seq == 4] == [4]
    db = str(unit.path)
    unit.close()
    city.close()
    assert main(["--db", db, "show", "--unit", PUBLICITY, "--period", "2025-10", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["indicators"]
    assert [(i["seq"], i["role"]) for i in listed] == [(7, "lead"), (4, "former")]
    shown = listed[-1]
    assert (shown["seq"], shown["role"], shown["editable"], shown["value"], shown["note"]) == (
        4,
        "former",
        False,
        5200,
        "全年登记",
    )
    assert main(["--db", db, "show", "--unit", PUBLICITY, "--period", "2025-10"]) == 0
    out = capsys.readouterr().out
    assert f"著作权登记数（已调整给{SCIENCE}，只能查看）" in out and "原承担指标" in out
