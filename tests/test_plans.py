"""Several plans in one workspace: plans own their units; switching; a new version of a plan; removing an unused
plan; the migration that brought existing workspaces there; the signed plan file from the city office to the units;
returns checked against the plan they name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from cryptography.hazmat.primitives import serialization

from ipdesk import Workspace
from ipdesk.domain import InvalidInput
from ipdesk.domain.errors import UnitNotFound
from ipdesk.domain.statuses import TaskStatus
from ipdesk.exchange.importing import Outcome
from ipdesk.signing.identity import KeyStore
from ipdesk.store import migrations
from ipdesk.workspace.sample_data import fill_sample

from .conftest import FIXTURES

BEILIN = "碑林区人民政府"
XIAN, NEXT = "xian-2022-2025", "xian-2026-2030"
PASS, CITY_PASS = "单位签署口令", "市局签署口令"
TODAY = dt.date(2026, 11, 25)


def next_plan(path: Path, *, content: str = "实施高价值专利培育计划", drop_third: bool = False) -> Path:
    """Xi'an's next task list, small: three tasks, the first led by 碑林区."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["西安市国家知识产权强市建设示范城市工作任务清单(2026—2030年)"])
    sheet.append(["序号", "任务类别", "任务名称", "任务内容", "责任单位", "协作单位"])
    sheet.append([1, "推进创造", "培育高价值专利", content, "碑林区人民政府", "市科技局"])
    sheet.append([2, "推进创造", "专利导航", "开展专利导航", "市科技局", "各区县政府"])
    if not drop_third:
        sheet.append([3, "保障措施", "加强督导", "纳入考核", "市市场监管局", "碑林区政府"])
    book.save(path)
    return path


def add_next_plan(ws: Workspace, tmp_path: Path, use: bool = False, **kwargs) -> None:
    preview = ws.plans.read(next_plan(tmp_path / f"next-{kwargs.get('content', '')[:4]}.xlsx", **kwargs))
    assert preview.rejected_rows == []
    ws.plans.save(preview, use=use)


# -- several plans ------------------------------------------------------------------------------------------------
def test_plans_own_their_units_and_the_window_switches_between_them(tmp_path):
    path = tmp_path / "desk.db"
    with Workspace(path, actor="王芳") as ws:
        ws.progress.save(ws.progress.get(47, BEILIN, "2025-11").with_changes(achievements="旧方案的进展"))
        add_next_plan(ws, tmp_path)
        assert ws.plan.code == XIAN and [p.code for p in ws.plans.all()] == [XIAN, NEXT]
        assert [p.current for p in ws.plans.all()] == [True, False]
        with pytest.raises(UnitNotFound):  # a unit of another plan is not found from this one
            ws.tasks.for_unit("天府新区")
        assert len(ws.units.all()) == 43
        ws.plans.use(NEXT)
        assert (ws.plan.code, len(ws.plan.tasks), len(ws.units.all())) == (NEXT, 3, 15)
        assert [t.task.seq for t in ws.tasks.for_unit(BEILIN)] == [1, 2, 3]
        fill_sample(ws, BEILIN, "2026-10", mark=False)
        progress = ws.progress.get(1, BEILIN, "2026-10")
        ws.progress.save(progress.with_changes(status=TaskStatus.IN_PROGRESS, achievements="新方案的进展"))
        ws.reports.submit(BEILIN, "2026-10")
        # The audit log names the plan of what changed.
        keys = {e.entity_key for e in ws.audit.entries(entity="progress")}
        assert f"plan={NEXT};task=1;unit={BEILIN};period=2026-10" in keys
        assert f"plan={XIAN};task=47;unit={BEILIN};period=2025-11" in keys
        assert ws.audit.for_progress(1, BEILIN, "2026-10")[0].new_value == "新方案的进展"
    with Workspace(path) as ws:  # the current plan is remembered
        assert ws.plan.code == NEXT
        assert ws.progress.get(1, BEILIN, "2026-10").achievements == "新方案的进展"
        assert ws.reports.state(BEILIN, "2026-10").status.value == "submitted"
        ws.plans.use(XIAN)
        assert ws.progress.get(47, BEILIN, "2025-11").achievements == "旧方案的进展"
        assert ws.reports.state(BEILIN, "2026-10") is None  # a report belongs to its plan's unit
        with pytest.raises(InvalidInput, match="没有方案"):
            ws.plans.use("chengdu")


def test_a_new_version_of_a_plan_keeps_what_was_entered(tmp_path):
    with Workspace(tmp_path / "desk.db", actor="王芳") as ws:
        add_next_plan(ws, tmp_path, use=True)
        ws.progress.save(ws.progress.get(2, "市科技局", "2026-10").with_changes(achievements="导航进展"))
        preview = ws.plans.read(next_plan(tmp_path / "v2.xlsx", content="实施高价值专利培育计划（修订）"))
        assert preview.existing == "update" and any("另一版本" in n for n in preview.notes)
        before = ws.plan_sha256
        saved = ws.plans.save(preview)
        assert (saved.outcome, saved.current) == ("updated", True)
        assert ws.plan.task(1).content == "实施高价值专利培育计划（修订）" and ws.plan_sha256 != before
        assert ws.progress.get(2, "市科技局", "2026-10").achievements == "导航进展"
        # A version that drops a task someone reported on is refused; nothing changes.
        ws.progress.save(ws.progress.get(3, "市市场监管局(知识产权局)", "2026-10").with_changes(achievements="督导"))
        dropped = ws.plans.read(next_plan(tmp_path / "v3.xlsx", drop_third=True))
        sha = ws.plan_sha256
        with pytest.raises(InvalidInput, match="第 3 项任务"):
            ws.plans.save(dropped)
        assert ws.plan_sha256 == sha and len(ws.plans.get(NEXT).tasks) == 3


def test_removing_a_plan(tmp_path):
    with Workspace(tmp_path / "desk.db", actor="王芳") as ws:
        add_next_plan(ws, tmp_path)
        with pytest.raises(InvalidInput, match="当前方案"):
            ws.plans.remove(XIAN)
        ws.plans.use(NEXT)
        ws.progress.save(ws.progress.get(1, BEILIN, "2026-10").with_changes(achievements="有内容"))
        ws.plans.use(XIAN)
        with pytest.raises(InvalidInput, match="已有 1 个单位的填报"):
            ws.plans.remove(NEXT)
        ws.plans.use(NEXT)
        ws.plans.remove(XIAN)  # a city that adopts ipdesk for its own plan drops the embedded one
        assert [p.code for p in ws.plans.all()] == [NEXT]


def test_read_only_workspace_cannot_switch_or_import(tmp_path):
    path = tmp_path / "desk.db"
    with Workspace(path) as ws:
        add_next_plan(ws, tmp_path)
    with Workspace(path, read_only=True) as ws:
        with pytest.raises(InvalidInput, match="只读"):
            ws.plans.use(NEXT)


# -- the migration -------------------------------------------------------------------------------------------------
TABLES = ("report", "report_file", "progress", "indicator_value", "project_target_value", "sample_data",
          "progress_attachment", "trusted_certificate", "audit_log", "setting", "unit")  # fmt: skip


def _rows(path: Path, columns: dict[str, list[str]] | None = None) -> tuple[dict[str, list[str]], dict[str, list]]:
    """The rows of every table that holds what units entered, signed or trusted (with the columns it had)."""
    conn = sqlite3.connect(path)
    try:
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if columns is None:
            columns = {t: [r[1] for r in conn.execute(f"PRAGMA table_info({t})")] for t in TABLES if t in present}
        if "unit" in columns:
            columns["unit"] = ["id", "name", "kind", "short_name"]
        rows = {
            t: conn.execute(f"SELECT {', '.join(cols)} FROM {t} ORDER BY 1, 2").fetchall()
            for t, cols in columns.items()
        }
        return columns, rows
    finally:
        conn.close()


@pytest.mark.parametrize("fixture", ["release1-signed.db", "ipdesk-v1.db"])
def test_workspaces_of_earlier_releases_keep_every_row(tmp_path, fixture):
    path = tmp_path / fixture
    shutil.copy(FIXTURES / fixture, path)
    columns, before = _rows(path)
    with Workspace(path) as ws:
        plan_id = ws.plan_id
        assert ws.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert ws.plans.current().legacy_audit_keys
        assert ws.plan_sha256 == "11192f01e5d7202e928a002ef4504b327e3b9e813f778f6a4b832cd25f25c549"
        assert all(u.code for u in ws.plan.units) and len(ws.plan.units) == 43
    _, after = _rows(path, columns)
    for table, rows in before.items():
        assert after[table][: len(rows)] == rows, table  # the upgrade only adds (audit entries of the upgrade)
    assert len(after["unit"]) == len(before["unit"])  # every unit kept its id, now a unit of the plan
    conn = sqlite3.connect(path)
    assert {row[0] for row in conn.execute("SELECT plan_id FROM unit")} == {plan_id}
    conn.close()


def test_legacy_audit_entries_stay_in_the_history(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "release1-signed.db", path)
    conn = sqlite3.connect(path)
    legacy = conn.execute("SELECT entity_key FROM audit_log WHERE entity = 'progress' LIMIT 1").fetchone()[0]
    conn.close()
    task, unit, period = (part.split("=", 1)[1] for part in legacy.split(";"))
    with Workspace(path) as ws:
        history = ws.audit.for_progress(int(task), unit, period)
        assert history and all(e.entity_key == legacy for e in history)


def test_a_plan_saved_beside_another_by_an_earlier_release_gets_its_own_units(tmp_path):
    """Release 0.2 let a script save a second plan whose units were shared with the first; the upgrade gives it
    copies of the units it names, and moves what was entered against its tasks to them."""
    path = tmp_path / "two.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    migrations.migrate(conn, target=6)
    plan = (
        "INSERT INTO plan (id, code, title, task_list_title, issuer, issued_on, start_year, end_year, start_date,"
        " end_date, source_sha256, loaded_at, is_active) VALUES (?, ?, ?, '', '', '2022-01-01', ?, ?, ?, ?, '', '', ?)"
    )
    conn.execute(plan, [1, "a", "西安市甲方案(2022—2025年)", 2022, 2025, "2022-01-01", "2025-12-31", 1])
    conn.execute(plan, [2, "b", "西安市乙方案(2026—2030年)", 2026, 2030, "2026-01-01", "2030-12-31", 0])
    unit = "INSERT INTO unit (id, name, kind, short_name, sort_order, code) VALUES (?, ?, ?, ?, ?, ?)"
    conn.execute(unit, [1, BEILIN, "district", "碑林区", 1, "610103"])
    conn.execute(unit, [2, "市科技局", "department", "市科技局", 2, "610100-D02"])
    task = (
        "INSERT INTO task (id, plan_id, seq, category, name, content, kind, lead_text)"
        " VALUES (?, ?, 1, '创造', ?, ?, 'task', '')"
    )
    conn.execute(task, [10, 1, "甲任务", "甲"])
    conn.execute(task, [20, 2, "乙任务", "乙"])
    for row in ([10, 1, "lead", 1], [10, 2, "coop", 1], [20, 1, "lead", 1]):
        conn.execute("INSERT INTO task_unit (task_id, unit_id, role, position) VALUES (?, ?, ?, ?)", row)
    for code, start, end in (("2025-10", "2025-10-01", "2025-10-31"), ("2026-10", "2026-10-01", "2026-10-31")):
        conn.execute("INSERT INTO period VALUES (?, 'month', ?, ?)", [code, start, end])
    progress = (
        "INSERT INTO progress (unit_id, period, task_id, achievements, updated_at, updated_by)"
        " VALUES (1, ?, ?, ?, '', '')"
    )
    conn.execute(progress, ["2025-10", 10, "甲的进展"])
    conn.execute(progress, ["2026-10", 20, "乙的进展"])
    conn.execute(
        "INSERT INTO report (unit_id, period, version, status, created_at) VALUES (1, '2025-10', 1, 'draft', '')"
    )
    conn.close()
    with Workspace(path) as ws:
        assert ws.plan.code == "a" and ws.units.get(BEILIN).code == "610103"
        assert ws.progress.get(1, BEILIN, "2025-10").achievements == "甲的进展"
        assert ws.reports.state(BEILIN, "2025-10").version == 1
        ws.plans.use("b")
        assert [u.name for u in ws.plan.units] == [BEILIN]
        assert ws.units.get(BEILIN).code == "610103"
        assert ws.progress.get(1, BEILIN, "2026-10").achievements == "乙的进展"
        ids = ws.db.execute("SELECT plan_id, id FROM unit WHERE name = ? ORDER BY plan_id", [BEILIN]).fetchall()
        assert ids[0] == (1, 1) and ids[1][0] == 2 and ids[1][1] != 1
        assert ws.db.execute("PRAGMA foreign_key_check").fetchall() == []


# -- the city's plan file -------------------------------------------------------------------------------------------
def test_a_new_version_that_changes_a_task_already_reported_on_needs_confirmation(tmp_path):
    """Tasks are matched by number: when the office renumbers, progress would sit under another task. The person
    importing is shown which reported tasks changed and must confirm; until then nothing changes."""
    with Workspace(tmp_path / "desk.db", actor="王芳") as ws:
        add_next_plan(ws, tmp_path, use=True)
        ws.progress.save(ws.progress.get(1, BEILIN, "2026-10").with_changes(achievements="培育进展"))
        preview = ws.plans.read(next_plan(tmp_path / "v2.xlsx", content="开展知识产权质押融资"))
        assert len(preview.cautions) == 1
        caution = preview.cautions[0]
        assert "第 1 项任务“培育高价值专利”已填报进展" in caution and "开展知识产权质押融资" in caution
        assert preview.to_dict()["cautions"] == preview.cautions
        sha = ws.plan_sha256
        with pytest.raises(InvalidInput, match="请先核对提醒：第 1 项任务“培育高价值专利”"):
            ws.plans.save(preview)
        assert ws.plan_sha256 == sha and ws.plan.task(1).content == "实施高价值专利培育计划"
        assert ws.plans.save(preview, confirmed=True).outcome == "updated"
        assert ws.plan.task(1).content == "开展知识产权质押融资"
        assert ws.progress.get(1, BEILIN, "2026-10").achievements == "培育进展"
        # A version that drops it says so in the preview already.
        dropped = ws.plans.read(next_plan(tmp_path / "v3.xlsx", content="开展知识产权质押融资", drop_third=True))
        assert dropped.cautions == [] and not any("删去" in n for n in dropped.notes)  # task 3 has no entries


def test_a_plan_of_another_city_never_replaces_one_with_the_same_code(tmp_path):
    from ipdesk.plans.plan_builder import PlanOptions

    with Workspace(tmp_path / "desk.db", actor="王芳") as ws:
        add_next_plan(ws, tmp_path)
        with pytest.raises(InvalidInput, match="不能用另一城市的方案替换它"):
            ws.plans.read(next_plan(tmp_path / "other.xlsx"), PlanOptions(code=NEXT, city="宝鸡市"))
        assert ws.plans.get(NEXT).city == "西安市"


def make_offices(tmp_path: Path, unit_name: str = BEILIN, next_plan: bool = True) -> tuple[Workspace, Workspace]:
    """The city office (with the next plan as its current one, unless not ``next_plan``) and a unit's workspace."""
    city = Workspace(tmp_path / "city.db", actor="张主任")
    city.signoff._keys = KeyStore(tmp_path / "city-keys")
    city.set_kind(city.CITY)
    if next_plan:
        add_next_plan(city, tmp_path, use=True)
    unit = Workspace(tmp_path / "unit.db", actor="王芳")
    unit.signoff._keys = KeyStore(tmp_path / "unit-keys")
    unit.settings.update({"unit": unit_name, "clerk_name": "王芳", "reviewer_name": "李强"})
    return city, unit


@pytest.fixture
def offices(tmp_path):
    """The city office with the next plan as its current one, and 碑林区's workspace."""
    city, unit = make_offices(tmp_path)
    yield city, unit
    city.close()
    unit.close()


def _publish(city: Workspace, tmp_path: Path) -> tuple[Path, Path]:
    plan_file = city.plans.publish(tmp_path / "out", CITY_PASS, signer="张主任", create=True)
    certificate = tmp_path / "市局.cer"
    city.signoff.keys.export_certificate(city.city.name, certificate)
    return plan_file, certificate


def test_units_work_from_the_plan_the_city_signed(offices, tmp_path):
    city, unit = offices
    plan_file, certificate = _publish(city, tmp_path)
    assert plan_file.name == "西安市_xian-2026-2030_方案文件.json"
    envelope = json.loads(plan_file.read_text(encoding="utf-8"))
    document = json.loads(envelope["document"])
    assert document["plan_sha256"] == city.plan_sha256 and document["office"] == city.city.name
    with pytest.raises(InvalidInput, match="未在本工作区登记"):
        unit.plans.read(plan_file)
    assert unit.trust.add(certificate).kind == "city"
    preview = unit.plans.read(plan_file)
    assert preview.origin == "plan_file" and preview.existing == "" and preview.rejected_rows == []
    assert "张主任" in preview.signed_by and preview.fingerprint
    saved = unit.plans.save(preview, use=True)
    assert (saved.outcome, saved.current) == ("new", True)
    assert unit.plan_sha256 == city.plan_sha256 and unit.plan == city.plan
    record = unit.plans.current()
    assert record.origin == "plan_file" and "张主任" in record.origin_detail
    assert unit.plans.save(unit.plans.read(plan_file)).outcome == "same"
    # The unit's return names the plan; the city imports it.
    fill_sample(unit, BEILIN, "2026-10", mark=False)
    unit.reports.submit(BEILIN, "2026-10")
    unit.signoff.sign(BEILIN, "2026-10", PASS, create=True)
    (tmp_path / "return").mkdir()
    files = unit.reports.export(BEILIN, "2026-10", tmp_path / "return")
    unit.signoff.keys.export_certificate(BEILIN, tmp_path / "碑林.cer")
    city.trust.add(tmp_path / "碑林.cer")
    city.plans.use(XIAN)  # a return is checked against the plan it names, not the one on the office's screen
    results = city.city.import_files([files[0]], today=TODAY)
    assert [r.outcome for r in results] == [Outcome.IMPORTED], results[0].reason
    city.plans.use(NEXT)
    assert city.city.received(BEILIN, "2026-10").version == 1
    city.plans.use(XIAN)
    assert city.city.received(BEILIN, "2026-10") is None  # stored with the next plan's 碑林区


def test_a_return_for_a_plan_the_office_does_not_have_is_refused(offices, tmp_path):
    city, unit = offices
    preview = unit.plans.read(next_plan(tmp_path / "own.xlsx"), None)
    unit.plans.save(preview, use=True)
    unit.plans.remove(XIAN)
    city.plans.use(XIAN)
    city.plans.remove(NEXT)
    fill_sample(unit, BEILIN, "2026-10", mark=False)
    unit.reports.submit(BEILIN, "2026-10")
    unit.signoff.sign(BEILIN, "2026-10", PASS, create=True)
    (tmp_path / "return").mkdir()
    files = unit.reports.export(BEILIN, "2026-10", tmp_path / "return")
    unit.signoff.keys.export_certificate(BEILIN, tmp_path / "碑林.cer")
    city.trust.add(tmp_path / "碑林.cer")
    result = city.city.import_files([files[0]], today=TODAY)[0]
    assert result.outcome is Outcome.REFUSED
    assert f"属于另一个方案（{NEXT}），本工作区没有该方案" in result.reason


def test_a_changed_plan_file_is_refused(offices, tmp_path):
    city, unit = offices
    plan_file, certificate = _publish(city, tmp_path)
    unit.trust.add(certificate)
    envelope = json.loads(plan_file.read_text(encoding="utf-8"))
    envelope["document"] = envelope["document"].replace("开展专利导航", "开展专利导航和预警")
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(envelope, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InvalidInput, match="签名与内容不符"):
        unit.plans.read(tampered)
    # Re-signing by someone else (here, a unit's own key) does not make it the office's.
    from ipdesk.exchange import plan_file as plan_files

    identity = unit.signoff.keys.create(BEILIN, "李强", PASS)
    forged = tmp_path / "forged.json"
    forged.write_bytes(plan_files.signed_bytes(city.plan, identity, "李强"))
    with pytest.raises(InvalidInput, match="不是由西安市知识产权强市建设工作领导小组办公室签发"):
        unit.plans.read(forged)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="已损坏"):
        unit.plans.read(tmp_path / "broken.json")
    assert [p.code for p in unit.plans.all()] == [XIAN]


def test_an_older_plan_file_or_another_certificate_needs_confirmation(offices, tmp_path):
    """A unit that has the office's newest plan file is warned before an older one (a stale USB stick) or one signed
    with a certificate other than the one before replaces it."""
    from ipdesk.exchange import plan_file as plan_files

    city, unit = offices
    first_plan = city.plan
    plan_file, certificate = _publish(city, tmp_path)
    unit.trust.add(certificate)
    unit.plans.save(unit.plans.read(plan_file), use=True)
    unit.progress.save(unit.progress.get(1, BEILIN, "2026-10").with_changes(achievements="培育进展"))
    identity = city.city.unlock(CITY_PASS)
    old = tmp_path / "old.json"
    changed = dataclasses.replace(
        first_plan, tasks=(dataclasses.replace(first_plan.tasks[0], content="旧的内容"), *first_plan.tasks[1:])
    )
    old.write_bytes(plan_files.signed_bytes(changed, identity, "张主任", published_at="2026-01-05T09:00:00+08:00"))
    preview = unit.plans.read(old)
    assert preview.existing == "update"
    assert any("早于工作区中已导入的方案文件" in c and "2026-01-05 09:00" in c for c in preview.cautions)
    assert any("第 1 项任务“培育高价值专利”已填报进展" in c for c in preview.cautions)
    with pytest.raises(InvalidInput, match="请先核对提醒"):
        unit.plans.save(preview)
    assert unit.plan.task(1).content == first_plan.tasks[0].content
    # The office's second certificate (a new key), registered too: the unit is asked to check by phone.
    other = KeyStore(tmp_path / "other-keys").create(city.city.name, "张主任", CITY_PASS)
    (tmp_path / "新证书.cer").write_bytes(other.certificate.public_bytes(serialization.Encoding.PEM))
    unit.trust.add(tmp_path / "新证书.cer", key_change_confirmed=True)
    renewed = tmp_path / "renewed.json"
    renewed.write_bytes(plan_files.signed_bytes(first_plan, other, "张主任"))
    again = unit.plans.read(renewed)
    assert again.existing == "same" and again.cautions == []  # the same plan: nothing to confirm
    newer = dataclasses.replace(
        first_plan, tasks=(*first_plan.tasks[:2], dataclasses.replace(first_plan.tasks[2], content="新增督导要求"))
    )
    renewed.write_bytes(plan_files.signed_bytes(newer, other, "张主任"))
    again = unit.plans.read(renewed)
    assert [c for c in again.cautions if "签发证书" in c and "不同" in c]
    assert unit.plans.save(again, confirmed=True).outcome == "updated"
    assert unit.plan.task(3).content == "新增督导要求"
    # The replaced key signs a plan with a new code after the replacement: refused, nothing saved.
    before = [p.code for p in unit.plans.all()]
    stale = tmp_path / "stale-key.json"
    other_plan = dataclasses.replace(first_plan, code="xian-2031-2035", title=first_plan.title + "（续）")
    stale.write_bytes(plan_files.signed_bytes(other_plan, identity, "张主任"))
    with pytest.raises(InvalidInput, match=r"更换证书.*方案文件由更换前的旧证书在更换后签署"):
        unit.plans.read(stale)
    assert [p.code for p in unit.plans.all()] == before


def test_only_the_city_office_publishes_plan_files(offices, tmp_path):
    _, unit = offices
    with pytest.raises(InvalidInput, match="单位的填报工作区"):
        unit.plans.publish(tmp_path, CITY_PASS, create=True)


def test_a_unit_registers_the_office_of_a_city_whose_plan_it_does_not_have_yet(tmp_path):
    """成都's units start from ipdesk's embedded Xi'an plan; they register 成都's office, then import its plan."""
    city = Workspace(tmp_path / "chengdu.db", actor="刘主任")
    city.signoff._keys = KeyStore(tmp_path / "chengdu-keys")
    city.set_kind(city.CITY)
    book = openpyxl.Workbook()
    book.active.append(["成都市知识产权强市建设工作任务清单（2026—2030年）"])
    book.active.append(["序号", "任务名称", "任务内容", "责任单位"])
    book.active.append([1, "专利导航", "开展专利导航", "锦江区政府"])
    book.save(tmp_path / "成都.xlsx")
    city.plans.save(city.plans.read(tmp_path / "成都.xlsx"), use=True)
    city.plans.remove(XIAN)
    plan_file, certificate = _publish(city, tmp_path)
    unit = Workspace(tmp_path / "jinjiang.db")
    assert unit.trust.add(certificate).holder == "成都市知识产权强市建设工作领导小组办公室"
    assert unit.kind == unit.UNIT
    unit.plans.save(unit.plans.read(plan_file), use=True)
    assert unit.plan.city == "成都市" and unit.units.find("锦江区").name == "锦江区人民政府"
    unit.settings.set("unit", "锦江区人民政府")
    city.close()
    unit.close()


def test_a_units_workspace_keeps_its_unit_when_the_plan_changes(tmp_path):
    with Workspace(tmp_path / "desk.db", actor="王芳") as ws:
        ws.settings.set("unit", "市教育局")  # not in the next plan under that name …
        book = openpyxl.Workbook()
        book.active.append(["西安市国家知识产权强市建设示范城市工作任务清单(2026—2030年)"])
        book.active.append(["序号", "任务名称", "任务内容", "责任单位"])
        book.active.append([1, "人才培养", "开设知识产权课程", "市教育局（市教育委员会）"])
        book.active.append([2, "专利导航", "开展专利导航", "市科技局"])
        book.save(tmp_path / "next.xlsx")
        preview = ws.plans.read(tmp_path / "next.xlsx")
        saved = ws.plans.save(preview, use=True)
        assert (saved.current, saved.unit_missing) == (False, "市教育局")  # saved, but not switched
        with pytest.raises(InvalidInput, match="没有本单位“市教育局”"):
            ws.plans.use(NEXT)
        ws.plans.use(NEXT, unit="市教育局（市教育委员会）")  # as written in the list, or part of the name
        assert ws.settings.get("unit") == "市教育局(市教育委员会)" and ws.plan.code == NEXT
        with pytest.raises(InvalidInput):  # … and back: the units' codes differ, so the unit must be named again
            ws.plans.use(XIAN)
        assert ws.plan.code == NEXT
        ws.plans.use(XIAN, unit="市教育局")
        assert ws.plan.code == XIAN and ws.settings.get("unit") == "市教育局"


def test_the_same_unit_code_is_the_same_unit(tmp_path):
    with Workspace(tmp_path / "desk.db", actor="王芳") as ws:
        ws.settings.set("unit", BEILIN)
        roster = ws.plans.roster()
        renamed = [u if u.name != BEILIN else dataclasses.replace(u, name="碑林区政府办") for u in roster.units]
        ws.plans.save_roster("西安市", renamed)
        book = openpyxl.Workbook()
        book.active.append(["西安市国家知识产权强市建设示范城市工作任务清单(2026—2030年)"])
        book.active.append(["序号", "任务名称", "任务内容", "责任单位"])
        book.active.append([1, "专利导航", "开展专利导航", "碑林区政府办"])
        book.save(tmp_path / "next.xlsx")
        ws.plans.save(ws.plans.read(tmp_path / "next.xlsx"), use=True)
        assert ws.plan.code == NEXT and ws.settings.get("unit") == "碑林区政府办"
        assert ws.units.get("碑林区政府办").code == "610103"


def test_a_month_of_exchange_made_by_the_release_before_keeps_working(tmp_path):
    """release2-*.db: 碑林区 signed October (format 2), the city office imported it and returned it with a signed
    feedback file, 碑林区 imported the feedback (v1 已退回, v2 a draft). Both upgrade with every row kept, the signed
    files come out byte for byte and verify, and the office still recognises the return."""
    from ipdesk.signing.verify import VerdictStatus, verify_file

    unit_db, city_db = tmp_path / "unit.db", tmp_path / "city.db"
    shutil.copy(FIXTURES / "release2-unit.db", unit_db)
    shutil.copy(FIXTURES / "release2-city.db", city_db)
    columns, before = {}, {}
    for path in (unit_db, city_db):
        columns[path], before[path] = _rows(path)
    conn = sqlite3.connect(unit_db)
    stored = dict(
        conn.execute(
            "SELECT f.kind, f.content FROM report_file f JOIN report r ON r.id = f.report_id WHERE r.version = 1"
        ).fetchall()
    )
    conn.close()
    with Workspace(unit_db) as unit:
        assert unit.plan_sha256 == "11192f01e5d7202e928a002ef4504b327e3b9e813f778f6a4b832cd25f25c549"
        states = unit.reports.versions(BEILIN, "2025-10")
        assert [(s.version, s.status.value) for s in states] == [(1, "returned"), (2, "draft")]
        assert [c.comment for c in unit.reports.comments(BEILIN, "2025-10", 1)] == [
            "请补充佐证材料",
            "请写明区县强县工程申报进展",
        ]
        out = tmp_path / "out"
        out.mkdir()
        signed = unit.signoff.signed(BEILIN, "2025-10", 1)
        assert {kind: content for kind, (_, content) in signed.files.items()} == stored
        for name, content in signed.files.values():
            (out / name).write_bytes(content)
        trusted = unit.signoff.trusted()
        xlsx = next(out.glob("*.xlsx"))
        assert verify_file(xlsx, trusted).status is VerdictStatus.VALID
        assert unit.progress.for_unit(BEILIN, "2025-11")[0].progress.status is not None
    with Workspace(city_db) as city:
        assert city.kind == city.CITY and city.plans.current().legacy_audit_keys
        item = city.city.received(BEILIN, "2025-10")
        assert (item.version, item.status.value, item.plan_code) == (1, "returned", XIAN)
        cells = {c.unit: c for c in city.city.status("2025-10", today=TODAY)}
        assert cells[BEILIN].state.value == "returned"
        again = city.city.import_files([xlsx], today=TODAY)
        assert [r.outcome for r in again] == [Outcome.DUPLICATE]  # the same return, recognised after the upgrade
    for path in (unit_db, city_db):
        _, after = _rows(path, columns[path])
        for table, rows in before[path].items():
            assert after[table][: len(rows)] == rows, (path.name, table)


def test_the_workspaces_roster_changes_and_hides_units_of_the_shipped_one(tmp_path):
    from ipdesk.domain.plan import Unit, UnitKind

    with Workspace(tmp_path / "desk.db", actor="王芳") as ws:
        roster = ws.plans.roster()
        assert roster.city_code == "610100" and len(roster.units) == 43
        added = Unit("市统计局", UnitKind.DEPARTMENT, "市统计局", code="610100-D23", aliases=("统计局",))
        ws.plans.save_roster("西安市", [u for u in roster.units if u.name != "市科协"] + [added])
        names = [u.name for u in ws.plans.roster().units]
        assert "市科协" not in names and names[-1] == "市统计局" and len(names) == 43
        book = openpyxl.Workbook()
        book.active.append(["西安市国家知识产权强市建设示范城市工作任务清单(2026—2030年)"])
        book.active.append(["序号", "任务名称", "任务内容", "责任单位"])
        book.active.append([1, "统计监测", "开展知识产权统计监测", "统计局、市科协"])
        book.save(tmp_path / "next.xlsx")
        preview = ws.plans.read(tmp_path / "next.xlsx")
        assert preview.plan.task(1).lead_units == ("市统计局", "市科协")
        assert preview.new_units == ["市科协"]  # no longer in the roster: a new unit again, with a new code
        codes = {u.name: u.code for u in preview.plan.units}
        assert codes == {"市统计局": "610100-D23", "市科协": "610100-D24"}
        assert [e.entity_key for e in ws.audit.entries(entity="roster_unit")] == [
            "city=西安市;unit=市科协",
            "city=西安市;unit=市统计局",
        ]


def test_a_plan_update_moving_a_task_to_another_unit_needs_confirming_and_keeps_the_entries(offices, tmp_path):
    """Task 1 goes from 碑林区 (which has entries for it) to 雁塔区: a caution names both; once confirmed the task
    leaves 碑林区's list, and what 碑林区 entered stays readable."""
    from ipdesk.exchange import plan_file as plan_files

    city, unit = offices
    first_plan = city.plan
    plan_file, certificate = _publish(city, tmp_path)
    unit.trust.add(certificate)
    unit.plans.save(unit.plans.read(plan_file), use=True)
    task = unit.plan.task(1)
    assert task.role_of(BEILIN) is not None
    unit.progress.save(unit.progress.get(1, BEILIN, "2026-10").with_changes(achievements="培育进展"))
    yanta = "雁塔区人民政府"
    moved = dataclasses.replace(
        first_plan.tasks[0],
        lead_units=tuple(u for u in first_plan.tasks[0].lead_units if u != BEILIN) or (yanta,),
        coop_units=(*[u for u in first_plan.tasks[0].coop_units if u != BEILIN], yanta),
    )
    moved = dataclasses.replace(
        moved, coop_units=tuple(dict.fromkeys(u for u in moved.coop_units if u not in moved.lead_units))
    )
    newer = dataclasses.replace(first_plan, tasks=(moved, *first_plan.tasks[1:]))
    update = tmp_path / "moved.json"
    update.write_bytes(plan_files.signed_bytes(newer, city.city.unlock(CITY_PASS), "张主任"))

    preview = unit.plans.read(update)
    caution = next(c for c in preview.cautions if "责任单位已改变" in c)
    assert caution.startswith("第 1 项任务") and f"新增{yanta}" in caution
    assert f"不再由{BEILIN}" in caution and f"其中{BEILIN}已填报的内容保留、可以查阅" in caution
    with pytest.raises(InvalidInput, match="请先核对提醒"):
        unit.plans.save(preview)
    assert unit.plan.task(1).role_of(BEILIN) is not None  # nothing changed
    assert unit.plans.save(preview, confirmed=True).outcome == "updated"
    assert 1 not in [row.task.seq for row in unit.progress.for_unit(BEILIN, "2026-10")]
    kept = unit.progress.former(BEILIN)
    assert [(f.task.seq, [p.code for p in f.periods]) for f in kept] == [(1, ["2026-10"])]
    assert [p.achievements for p in unit.progress.history(1, BEILIN)] == ["培育进展"]
    # the unit's report of the period no longer carries the task; exporting it still works
    files = unit.reports.export(BEILIN, "2026-10", tmp_path / "out")
    assert files and 1 not in [t.seq for t in unit.reports.snapshot(BEILIN, "2026-10").tasks]
