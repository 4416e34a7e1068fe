"""``ipdesk plan …`` on the command line: JSON with the documented keys, Chinese tables, nothing saved on doubt."""

from __future__ import annotations

import json

import openpyxl
import pytest

from ipdesk.cli import build_parser, main
from ipdesk.cli.plans import ACTIONS

from .conftest import ROOT


@pytest.fixture
def run(db_path, capsys):
    def invoke(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _task_list(path, bad: bool = False):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务清单"
    sheet.append(["西安市国家知识产权强市建设示范城市工作任务清单(2026—2030年)"])
    sheet.append(["序号", "任务类别", "任务名称", "任务内容", "责任单位", "协作单位", "完成时限"])
    sheet.append(
        [1, "推进创造", "培育高价值专利", "实施高价值专利培育计划", "市市场监管局", "各开发区管委会", "2030年"]
    )
    sheet.append([2, "推进创造", "专利导航", "开展专利导航", "市科技局、工信局", "碑林区政府", ""])
    if bad:
        sheet.append([3, "推进创造", "无人负责", "没有责任单位的任务", "", "", ""])
    book.save(path)
    return path


def test_import_prints_the_documented_json_and_saves_only_a_clean_file(run, tmp_path):
    code, out, err = run("plan", "import", str(_task_list(tmp_path / "bad.xlsx", bad=True)), "--json")
    assert code == 1
    data = json.loads(out)
    assert {"title", "tasks", "units", "rejected_rows"} <= set(data)
    assert data["title"] == "西安市国家知识产权强市建设示范城市工作方案(2026—2030年)" and data["tasks"] == 2
    assert "市工信局" in data["units"] and len(data["units"]) == 11
    assert data["rejected_rows"] == [{"sheet": "任务清单", "row": 5, "reason": "没有责任单位"}]
    assert data["saved"] is False and data["code"] == "xian-2026-2030"
    assert run("plan", "list", "--json")[1].count('"code"') == 1  # nothing was saved
    code, out, err = run("plan", "import", str(tmp_path / "bad.xlsx"))
    assert code == 1 and "第 5 行：没有责任单位" in out and "--accept-rejects" in err
    code, out, _ = run("plan", "import", str(tmp_path / "bad.xlsx"), "--accept-rejects", "--use", "--json")
    data = json.loads(out)
    assert code == 0 and (data["saved"], data["outcome"], data["current"]) == (True, "new", True)
    code, out, _ = run("plan", "--json")
    assert json.loads(out)["tasks"] == 2


def test_a_changed_task_with_entries_is_saved_only_with_confirm(run, db_path, tmp_path):
    from ipdesk import Workspace

    assert run("plan", "import", str(_task_list(tmp_path / "v1.xlsx")), "--use")[0] == 0
    with Workspace(db_path, actor="王芳") as ws:
        ws.progress.save(ws.progress.get(2, "市科技局", "2026-10").with_changes(achievements="导航进展"))
    book = openpyxl.load_workbook(tmp_path / "v1.xlsx")
    book.active["C4"] = "专利导航与预警"
    book.save(tmp_path / "v2.xlsx")
    code, out, err = run("plan", "import", str(tmp_path / "v2.xlsx"))
    assert code == 1 and "须确认：第 2 项任务已填报进展，新版本中其名称已改变" in out and "--confirm" in err
    code, out, _ = run("plan", "import", str(tmp_path / "v2.xlsx"), "--confirm", "--json")
    data = json.loads(out)
    assert code == 0 and data["outcome"] == "updated" and len(data["cautions"]) == 1


def test_dry_run_list_use_export_and_remove(run, tmp_path):
    clean = _task_list(tmp_path / "clean.xlsx")
    code, out, _ = run("plan", "import", str(clean), "--dry-run")
    assert code == 0 and "任务清单 2 项" in out and "方案：西安市" in out
    assert json.loads(run("plan", "list", "--json")[1])[0]["code"] == "xian-2022-2025"
    assert run("plan", "import", str(clean), "--code", "xian-next")[0] == 0
    code, out, _ = run("plan", "list")
    assert code == 0 and "xian-next" in out and "任务清单导入" in out and "当前" in out
    code, out, _ = run("plan", "use", "xian-next", "--json")
    assert json.loads(out) == {"code": "xian-next", "title": "西安市国家知识产权强市建设示范城市工作方案(2026—2030年)"}
    code, out, _ = run("tasks", "--unit", "市工信局", "--json")
    assert [t["seq"] for t in json.loads(out)] == [2]
    target = tmp_path / "export" / "next.xlsx"
    code, out, _ = run("plan", "export", str(target), "--json")
    assert code == 0 and json.loads(out) == {"file": str(target), "code": "xian-next"}
    assert openpyxl.load_workbook(target)["任务清单"]["G2"].value == "完成时限"
    code, _, err = run("plan", "remove", "xian-next")
    assert code == 2 and "当前方案" in err
    run("plan", "use", "xian-2022-2025")
    assert json.loads(run("plan", "remove", "xian-next", "--json")[1])["code"] == "xian-next"


def test_missing_fields_and_bad_files_exit_2(run, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["序号", "任务内容", "责任单位"])
    book.active.append([1, "开展专利导航", "市科技局"])
    book.save(tmp_path / "untitled.xlsx")
    code, out, err = run("plan", "import", str(tmp_path / "untitled.xlsx"))
    assert code == 2 and "方案名称" in err and "--title" in err
    code, out, err = run(
        "plan", "import", str(tmp_path / "untitled.xlsx"), "--title", "西安市专项方案", "--start", "2026-01-01",
        "--end", "2026-12-31", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["code"] == "xian-2026-2026"
    (tmp_path / "x.xlsx").write_text("不是工作簿", encoding="utf-8")
    code, _, err = run("plan", "import", str(tmp_path / "x.xlsx"))
    assert code == 2 and "不是 Excel 工作簿" in err
    code, _, err = run("plan", "import")
    assert code == 2 and "需要给出文件" in err
    with pytest.raises(SystemExit):
        run("plan", "import", "x.xlsx", "--start", "明年")


def test_roster_export_edit_and_import(run, tmp_path):
    code, out, _ = run("plan", "roster", "--json")
    data = json.loads(out)
    assert data["city"] == "西安市" and len(data["units"]) == 43
    assert data["units"][0]["aliases"][0] == "市市场监管局"
    target = tmp_path / "名册.xlsx"
    assert run("plan", "roster", "--export", str(target))[0] == 0
    book = openpyxl.load_workbook(target)
    sheet = book.active
    sheet.append(["610100-D23", "市统计局", "市级部门", "", "统计局", ""])
    book.save(target)
    code, out, _ = run("plan", "roster", "--import", str(target), "--json")
    assert code == 0 and json.loads(out)["units"] == 44
    code, out, _ = run("plan", "roster")
    assert "市统计局" in out and "44 个单位" in out
    sheet.append(["", "某某", "外星机构", "", "", ""])
    book.save(target)
    code, out, _ = run("plan", "roster", "--import", str(target))
    assert code == 1 and "外星机构" in out and "未改动" in out


def test_plan_help_names_every_action_and_the_readme_documents_them():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["plan"]
    text = sub.format_help()
    for action in ACTIONS:
        assert action in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for action in ACTIONS[1:]:
        assert f"ipdesk plan {action}" in readme, action
    assert "导入方案" in readme and "Import a task list" in readme
