"""The `ipdesk` command: JSON with exactly the documented keys, Chinese tables, clear errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ipdesk import __version__
from ipdesk.cli import build_parser, main

from .conftest import ROOT

COMMANDS = [
    "plan",
    "units",
    "tasks",
    "show",
    "indicators",
    "export",
    "demo",
    "submit",
    "todo",
    "sent",
    "sign",
    "revise",
    "verify",
    "keys",
    "backup",
    "restore",
    "audit",
    "city",
    "trust",
    "feedback",
]
CITY_STEPS = [
    "import",
    "status",
    "remind",
    "show",
    "accept",
    "return",
    "feedback",
    "report",
    "settings",
    "rules",
    "adjust",
]


@pytest.fixture
def run(db_path, capsys):
    def invoke(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def test_version():
    result = subprocess.run(
        [sys.executable, "-m", "ipdesk", "--version"], capture_output=True, text=True, encoding="utf-8"
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"ipdesk {__version__}"


# The program run as `ipdesk units`, then whether Python's cyclic collector is on and how many objects it froze.
COMMAND_AND_COLLECTOR = """
import gc, runpy, sys
sys.argv = ["ipdesk", "--db", sys.argv[1], "units", "--json"]
try:
    runpy.run_module("ipdesk", run_name="__main__", alter_sys=True)
except SystemExit as done:
    print("collector:", gc.isenabled(), gc.get_freeze_count(), done.code, file=sys.stderr)
"""


def test_the_collector_paused_while_the_program_starts_runs_for_the_command(db_path, run):
    """ipdesk.collector: paused from main's start, frozen and back on when the command's work begins; a caller
    passing its own arguments (a test, a script) keeps its collector untouched."""
    import gc

    frozen = gc.get_freeze_count()
    assert run("units", "--json")[0] == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    result = subprocess.run(
        [sys.executable, "-c", COMMAND_AND_COLLECTOR, str(db_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert json.loads(result.stdout)  # the command ran
    line = next(line for line in result.stderr.splitlines() if line.startswith("collector: ")).split()
    assert line[1] == "True" and int(line[2]) > 10_000 and line[3] == "0"


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "用法" in out and "--smoke-test" in out
    for name in COMMANDS:
        assert name in out


def test_plan_json(run):
    code, out, _ = run("plan", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"title", "tasks", "indicators", "projects", "phases", "units"}
    assert (data["tasks"], data["indicators"], data["projects"], data["phases"], data["units"]) == (97, 15, 8, 3, 43)
    assert data["title"].startswith("西安市国家知识产权强市建设示范城市工作方案")


def test_plan_table(run):
    code, out, _ = run("plan")
    assert code == 0
    assert "任务清单 97 项" in out and "启动部署阶段（2022年7月—2023年6月）" in out


def test_units(run):
    code, out, _ = run("units", "--json")
    assert code == 0
    data = json.loads(out)
    assert all(set(item) == {"name", "kind"} for item in data)
    assert {"name": "碑林区人民政府", "kind": "district"} in data
    assert {"name": "蓝田县人民政府", "kind": "county"} in data
    assert {"name": "高新区管委会", "kind": "zone"} in data
    _code, out, _ = run("units")
    assert "碑林区人民政府" in out and "市级部门" in out


def test_tasks(run):
    code, out, _ = run("tasks", "--unit", "碑林区", "--json")
    assert code == 0
    data = json.loads(out)
    assert len(data) == 30
    keys = {"seq", "category", "name", "content", "role", "lead_units", "coop_units"}
    assert all(set(item) == keys for item in data)
    first = data[0]
    assert first["seq"] == 16 and first["role"] == "coop" and "碑林区人民政府" in first["coop_units"]
    code, out, _ = run("tasks", "--unit", "碑林区", "--role", "lead", "--json")
    assert [t["seq"] for t in json.loads(out)] == [47, 48, 94, 95, 96, 97]
    code, out, _ = run("tasks", "--unit", "碑林区", "--role", "lead")
    assert "碑林区人民政府 牵头的任务：6 项" in out and "加强督导考核" in out


def test_indicators(run):
    code, out, _ = run("indicators", "--year", "2023", "--json")
    assert code == 0
    data = json.loads(out)
    keys = {
        "seq",
        "name",
        "unit",
        "baseline",
        "baseline_year",
        "target",
        "target_year",
        "target_op",
        "growth",
        "expected",
    }
    assert len(data) == 15 and all(set(item) == keys for item in data)
    first = data[0]
    assert (first["baseline"], first["target"], first["growth"], first["target_op"]) == (13, 20, 0.09, "=")
    assert first["expected"] == pytest.approx(13 * (20 / 13) ** 0.6, abs=1e-4)
    assert data[5]["target_op"] == "保持" and data[5]["expected"] == 30
    assert data[10]["target_op"] == "≥"
    code, out, _ = run("indicators", "--year", "2030", "--json")
    assert json.loads(out)[0]["expected"] == 20
    _code, out, _ = run("indicators", "--year", "2023")
    assert "2023年预期值" in out and "高于全国平均水平" in out


def test_indicators_default_to_this_year(run):
    import datetime as dt

    code, out, _ = run("indicators")
    assert code == 0
    assert f"{dt.date.today().year}年预期值" in out


@pytest.mark.parametrize(("unit", "expected"), [("碑林县", "碑林区人民政府"), ("新区", "西咸新区管委会")])
def test_unknown_or_ambiguous_unit_exits_2_with_closest_names(run, unit, expected):
    code, out, err = run("tasks", "--unit", unit)
    assert code == 2
    assert out == ""
    assert expected in err and "错误" in err


def test_bad_arguments_are_explained_in_chinese(run):
    with pytest.raises(SystemExit) as exit_info:
        run("tasks", "--unit", "碑林区", "--role", "boss")
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        run("indicators", "--year", "明年")
    assert exit_info.value.code == 2


def test_bad_year_message(db_path, capsys):
    with pytest.raises(SystemExit):
        main(["--db", str(db_path), "indicators", "--year", "明年"])
    assert "年份" in capsys.readouterr().err


@pytest.mark.parametrize("content", [b"", b"hello, not a database", b"SQLite format 3\x00" + b"\x00" * 50])
def test_bad_database_files_exit_2_untouched(tmp_path, capsys, content):
    path = tmp_path / "x.db"
    path.write_bytes(content)
    assert main(["--db", str(path), "plan"]) == 2
    err = capsys.readouterr().err
    assert "错误" in err
    assert path.read_bytes() == content


def test_missing_folder_exits_2(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "nope" / "x.db"), "units"]) == 2
    assert "不存在" in capsys.readouterr().err
    assert main(["--db", str(tmp_path), "units"]) == 2


def test_every_command_is_documented_in_help():
    parser = build_parser()
    text = parser.format_help()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    assert sorted(subparsers.choices) == sorted(COMMANDS)
    helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
    for name, sub in subparsers.choices.items():
        assert name in text
        assert helps[name], name
        assert sub.description
        for action in sub._actions:
            assert action.help, f"{name} {action.dest}"
    city = subparsers.choices["city"]
    steps = next(a for a in city._actions if a.dest == "city_command")
    assert sorted(steps.choices) == sorted(CITY_STEPS)
    for name, sub in steps.choices.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help, f"city {name} {action.dest}"


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"ipdesk {name}" in readme, name
    for name in CITY_STEPS:
        assert f"ipdesk city {name}" in readme, name


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["--smoke-test"],
        ["--db", "工作/x.db"],
        ["--db=x.db", "--smoke-test", "--screenshot", "窗口.png"],
        ["--smoke"],  # an abbreviation, as argparse allows
        ["--db", "tasks"],  # a database named like a command
    ],
)
def test_the_window_s_options_are_read_as_the_whole_parser_reads_them(words):
    """The window's start reads its options without building every command's parser (``_window_arguments``): the
    same values as the whole parser gives."""
    from ipdesk.cli import _window_arguments

    quick = _window_arguments(words)
    assert quick is not None
    whole = build_parser().parse_args(words)
    assert vars(quick) == {**vars(whole), "command": None}


@pytest.mark.parametrize(
    "words",
    [
        ["units"],
        ["--db", "x.db", "tasks", "--unit", "碑林区"],
        ["-h"],
        ["--help"],
        ["--he"],  # abbreviates --help
        ["--bogus"],
        ["--db"],
        ["--smoke-test", "extra"],
        ["--", "units"],
    ],
)
def test_anything_but_the_window_s_options_goes_to_the_whole_parser(words):
    from ipdesk.cli import _window_arguments

    assert _window_arguments(words) is None


def test_help_and_mistakes_on_the_window_s_line_say_what_they_always_said(capsys):
    with pytest.raises(SystemExit) as exit_help:
        main(["--he"])
    assert exit_help.value.code == 0
    assert "子命令" in capsys.readouterr().out  # the whole parser's help, with the commands
    with pytest.raises(SystemExit) as exit_error:
        main(["--screenshot", "x.png"])
    assert exit_error.value.code == 2
    err = capsys.readouterr().err
    assert "--screenshot 需要与 --smoke-test 一起使用" in err
    assert "子命令" in err  # the usage line of the whole parser
