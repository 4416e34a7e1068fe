"""The office's accounting end to end, on returns signed and received on chosen days: ``city status`` and ``city
remind`` for a quarter under a monthly rhythm, ``city settings``, the matrix, the reports, the scores, the 通报 and the
final evaluation all read the same unit the same way; months before the first collected period count nowhere.

Received (the office collects from July 2025; deadlines: July → 5 August, August → 5 September, September → 9
October, the 5th falling in the National Day holiday):
- 市发改委: March (before collection began), July, August, September, each on its deadline day;
- 市法院: July and August on time, September on 13 October (4 days late);
- 碑林区: July and August on time, September never;
- 市科技局: nothing.

What is counted here does not depend on a return's size, so the unit always on time is 市发改委 (four tasks) rather
than the 86-task 市市场监管局, whose returns test_city_reports.py consolidates.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from ipdesk import Workspace
from ipdesk.domain.accounting import UnitState
from ipdesk.domain.periods import PeriodKind
from ipdesk.domain.returns import Timeliness
from ipdesk.signing.identity import KeyStore

from .unit_desk import UnitDesk, new_workspace

FGW, FAYUAN, BEILIN, KEJI = "市发改委", "市法院", "碑林区人民政府", "市科技局"
TODAY = dt.date(2025, 10, 20)
SENT = {  # unit → (period, day received)
    FGW: [
        ("2025-03", dt.date(2025, 4, 7)),
        ("2025-07", dt.date(2025, 8, 5)),
        ("2025-08", dt.date(2025, 9, 5)),
        ("2025-09", dt.date(2025, 10, 9)),
    ],
    FAYUAN: [("2025-07", dt.date(2025, 8, 4)), ("2025-08", dt.date(2025, 9, 1)), ("2025-09", dt.date(2025, 10, 13))],
    BEILIN: [("2025-07", dt.date(2025, 8, 5)), ("2025-08", dt.date(2025, 9, 5))],
}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    root = tmp_path_factory.mktemp("accounting")
    ws = new_workspace(root / "city.db", actor="张主任")
    ws.signoff._keys = KeyStore(root / "city-keys")
    desks = {}
    for unit in (FGW, FAYUAN, BEILIN, KEJI):
        desk = desks[unit] = UnitDesk(root / unit, unit)
        desk.create_key(now=dt.datetime(2025, 1, 2, tzinfo=dt.UTC))
        ws.trust.add(desk.certificate())
    ws.city.change_settings(collecting_from="2025-07")
    for unit, sent in SENT.items():
        for period, day in sent:
            signed_on = dt.datetime(day.year, day.month, day.day, 1, 0, tzinfo=dt.UTC)
            files = desks[unit].sign(period, root / "out", now=signed_on)
            result = ws.city.import_files([files[".xlsx"]], today=TODAY, received_on=day)[0]
            assert result.outcome.value == "已导入", result.reason
    yield ws, root
    ws.close()
    for desk in desks.values():
        desk.ws.close()


def test_status_for_a_quarter_under_a_monthly_rhythm(office):
    ws, _ = office
    accounts = {a.unit: a for a in ws.city.status("2025Q3", today=TODAY)}
    assert accounts[FGW].state is UnitState.COMPLETE and accounts[FGW].summary == "已报 3/3"
    assert accounts[FAYUAN].state is UnitState.COMPLETE and accounts[FAYUAN].late == 1
    assert accounts[FAYUAN].summary == "已报 3/3，逾期报送 1 期（最多 4 天）"
    assert accounts[BEILIN].state is UnitState.INCOMPLETE and accounts[BEILIN].summary == "已报 2/3，缺 2025年9月"
    assert accounts[KEJI].state is UnitState.OVERDUE and len(accounts[KEJI].missing) == 3
    assert ws.city.timeliness_text(FAYUAN, "2025-09") == "截止日 2025年10月9日，逾期报送4天"  # the review dialog
    assert ws.city.timeliness_text(FGW, "2025-09") == "截止日 2025年10月9日，按时"
    assert ws.city.timeliness_text(FGW, "2025-03") == ""  # before collection began
    assert sum(1 for a in accounts.values() if a.state is UnitState.OVERDUE) == 43 - 3
    reminders = {r.unit: r for r in ws.city.reminders("2025Q3", today=TODAY)}
    assert FGW not in reminders and FAYUAN not in reminders
    assert [p.code for p in reminders[BEILIN].owed] == ["2025-09"] and reminders[BEILIN].days_late == 11
    assert reminders[KEJI].owed_text == "2025年7月、2025年8月、2025年9月"
    # the March return came before collection began: the first half-year is not collected, not missing
    first_half = {a.unit: a for a in ws.city.status("2025H1", today=TODAY)}
    assert {a.state for a in first_half.values()} == {UnitState.NOT_COLLECTED}


def test_the_same_unit_reads_the_same_everywhere(office, tmp_path):
    """Status, the matrix, the report's reporting table, the scores and the 通报 for 2025Q3 and the year."""
    ws, _ = office
    expected = {FGW: Timeliness.ON_TIME, FAYUAN: Timeliness.LATE, BEILIN: Timeliness.MISSING, KEJI: Timeliness.MISSING}
    status = {a.unit: a.timeliness for a in ws.city.status("2025Q3", today=TODAY)}
    matrix = ws.city.matrix(PeriodKind.QUARTER, today=TODAY)
    in_matrix = {unit: matrix.cell(unit, "2025Q3").timeliness for unit in expected}
    reported = ws.city.reports.timeliness(dt.date(2025, 7, 1), dt.date(2025, 9, 30), TODAY)
    assert {u: status[u] for u in expected} == in_matrix == {u: reported[u] for u in expected} == expected
    month = ws.city.matrix(today=TODAY)
    assert month.cell(FAYUAN, "2025-09").text == "待审 逾期4天" and month.cell(FGW, "2025-09").text == "待审"
    assert month.cell(BEILIN, "2025-09").text == "逾期"
    assert month.periods[0].code == "2025-07"  # nothing before the first collected month
    # the scores' 报送 part for the year so far (deadlines up to 9 October have passed)
    cards = {c.unit: {i.cause: i for i in c.items} for c in ws.city.reports.scores(2025, TODAY)}
    fgw, court, beilin, keji = (cards[u]["报送"] for u in (FGW, FAYUAN, BEILIN, KEJI))
    assert fgw.count == 3 and "按时 3 期，逾期 0 期" in fgw.detail and "未报送 0 期" in fgw.detail  # not Jan–Jun
    assert court.count == 3 and "按时 2 期，逾期 1 期" in court.detail and "（2025年9月）" in court.detail
    assert beilin.count == 3 and "未报送 1 期（2025年9月）" in beilin.detail
    assert keji.count == 3 and "未报送 3 期" in keji.detail
    # the quarter's report and its 通报
    paths = ws.city.reports.report("2025Q3", tmp_path, TODAY)
    workbook = load_workbook(next(p for p in paths if p.suffix == ".xlsx"))
    table = " ".join(str(c) for row in workbook["报送情况"].iter_rows(values_only=True) for c in row if c)
    assert f"{FAYUAN}（逾期报送）" in table and f"{BEILIN}（未报送）" in table and f"{KEJI}（未报送）" in table
    assert FGW not in table
    document = Document(str(next(p for p in paths if p.suffix == ".docx")))
    notice = "\n".join(p.text for p in document.paragraphs)
    # 41 units behind: named in the annex 未按时报送的单位 (序号, 单位, 报送情况), counted in the body
    behind = {
        row.cells[1].text: row.cells[2].text
        for table in document.tables
        for row in table.rows[1:]
        if len(row.cells) == 3 and table.rows[0].cells[2].text == "报送情况"
    }
    assert behind[FAYUAN] == "逾期报送" and behind[BEILIN] == behind[KEJI] == "未报送" and FGW not in behind
    assert "未按时报送的单位共 42 个，其中未报送 41 个、逾期报送 1 个" in notice
    assert "本期应报送单位 43 个，按时报送 1 个" in notice


def test_the_year_counts_only_the_collected_months_and_the_final_evaluation_says_not_collected(office, tmp_path):
    ws, _ = office
    after = dt.date(2026, 1, 20)
    year = ws.city.accounting("2025", after)
    assert [p.code for p in year.periods] == [f"2025-{m:02d}" for m in range(7, 13)]
    assert year[FGW].received == 3 and [p.code for p in year[FGW].missing] == ["2025-10", "2025-11", "2025-12"]
    cards = {c.unit: {i.cause: i for i in c.items} for c in ws.city.reports.scores(2025, after)}
    assert cards[FGW]["报送"].count == 6 and "未报送 3 期" in cards[FGW]["报送"].detail  # not 12 due, 9 missing
    assert cards[KEJI]["报送"].count == 6 and "未报送 6 期" in cards[KEJI]["报送"].detail
    paths = ws.city.reports.final(tmp_path, after)
    workbook = load_workbook(next(p for p in paths if p.suffix == ".xlsx"))
    rows = [row for row in workbook["分阶段"].iter_rows(values_only=True) if row[1] and "月—" in str(row[1])]
    before, last = rows[:-1], rows[-1]
    assert before and all(row[2] == "未纳入汇总" and row[4] == "未纳入汇总" for row in before)
    assert last[0] == "方案期末" and last[2] == 43 * 6 and last[3] == 3 + 2 + 2  # July–December, on time
    notes = " ".join(str(c) for row in workbook["总体情况"].iter_rows(values_only=True) for c in row if c)
    assert "2022年7月至2025年6月在本办公室开始用 ipdesk 汇总之前，未纳入汇总" in notes


def test_city_settings_and_status_on_the_command_line(office, capsys):
    from ipdesk.cli import main

    ws, root = office
    db = str(ws.path)
    ws.close()  # the last test of the module: the command line opens the database itself
    assert main(["--db", db, "city", "settings", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["rhythm"], shown["from"], shown["deadline_day"]) == ("month", "2025-07", 5)
    assert main(["--db", db, "city", "status", "--period", "2025Q3", "--json"]) == 0
    rows = {r["unit"]: r for r in json.loads(capsys.readouterr().out)}
    keys = ("due", "received", "on_time", "late", "missing", "state")
    assert [rows[FGW][k] for k in keys] == [3, 3, 3, 0, [], "已齐"]
    assert [rows[FAYUAN][k] for k in keys] == [3, 3, 2, 1, [], "已齐"]
    assert [rows[BEILIN][k] for k in keys] == [3, 2, 2, 0, ["2025-09"], "缺报"]
    assert main(["--db", db, "city", "status", "--period", "2025Q3"]) == 0
    text = capsys.readouterr().out
    assert "已报 2/3，缺 2025年9月" in text and "逾期报送 1 份" in text
    out = root / "remind.xlsx"
    assert main(["--db", db, "city", "remind", "--period", "2025Q3", "--out", str(out), "--json"]) == 0
    units = {u["unit"]: u for u in json.loads(capsys.readouterr().out)["units"]}
    assert FGW not in units and FAYUAN not in units and units[BEILIN]["owed"] == ["2025-09"]
    assert main(["--db", db, "city", "settings", "--rhythm", "quarter", "--deadline-day", "10"]) == 0
    assert "已保存设置" in capsys.readouterr().out
    assert main(["--db", db, "city", "status", "--period", "2025Q3", "--json"]) == 0
    rows = {r["unit"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[FGW]["state"] == "逾期" and rows[FGW]["missing"] == ["2025Q3"]  # now a quarterly return is owed
    assert main(["--db", db, "city", "settings", "--from", "2021-01"]) == 2
    assert "不在方案实施期内" in capsys.readouterr().err
    bad = ["--deadline-day", "40", "--rhythm", "year"]  # refused as a whole: the rhythm does not change either
    assert main(["--db", db, "city", "settings", *bad]) == 2 and "1 日至 28 日" in capsys.readouterr().err
    assert main(["--db", db, "city", "settings", "--green", "80%", "--yellow", "90%"]) == 2
    assert "预警阈值" in capsys.readouterr().err
    assert main(["--db", db, "city", "settings", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rhythm"] == "quarter"
    assert main(["--db", db, "city", "settings", "--rhythm", "month", "--deadline-day", "5", "--from", "all"]) == 0
    capsys.readouterr()
    with Workspace(db) as again:
        assert again.city.collecting_from() is None
        assert len(again.city.accounting("2025", dt.date(2026, 1, 20))[FGW].missing) == 8  # March counts now


def test_the_notice_settings_and_the_adjustments_on_the_command_line(office, capsys):
    from ipdesk.cli import main

    ws, _ = office
    db = str(ws.path)
    ws.close()  # the command line opens the database itself
    number = ["--notice-number", "市知识产权强市办〔{年}〕N号", "--notice-copy-to", "市委办公厅，市政府办公厅。"]
    assert main(["--db", db, "city", "settings", *number, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["notice_number"] == "市知识产权强市办〔{年}〕N号" and shown["notice_copy_to"].startswith("市委办公厅")
    assert main(["--db", db, "city", "settings", "--notice-number", "市知识产权强市办[2025]1号"]) == 2
    assert "六角括号" in capsys.readouterr().err
    # 加分 / 扣分: each with its reason, listed, counted in the year's score (capped at ±5), removable by number
    adjust = ["--db", db, "city", "adjust", "--year", "2025"]
    assert main([*adjust, "--unit", "市法院", "--points", "-2", "--reason", "通报批评"]) == 0
    assert f"已记下：{FAYUAN} -2 分（通报批评）" in capsys.readouterr().out
    assert main([*adjust, "--unit", "发改委", "--points", "4", "--reason", "创新工作"]) == 0
    assert main([*adjust, "--unit", "发改委", "--points", "3", "--reason", "通报表扬"]) == 0
    capsys.readouterr()
    for bad, said in (
        (["--unit", "市法院", "--points", "1"], "--reason"),  # no reason
        (["--unit", "市法院", "--points", "nan", "--reason", "x"], "不等于 0 的数"),
        (["--unit", "市法院", "--points", "0", "--reason", "x"], "不等于 0 的数"),
        (["--remove", "9"], "没有第 9 条"),
    ):
        assert main([*adjust, *bad]) == 2, bad
        assert said in capsys.readouterr().err
    assert main([*adjust, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(a["unit"], a["points"]) for a in listed["adjustments"]] == [(FAYUAN, -2), (FGW, 4), (FGW, 3)]
    assert listed["cap"] == 5
    with Workspace(db) as again:
        cards = {c.unit: c for c in again.city.reports.scores(2025, TODAY)}
        assert cards[FAYUAN].parts["加分扣分"] == -2 and cards[FGW].parts["加分扣分"] == 5  # 4 + 3 capped at 5
        assert cards[FGW].total == round(cards[FGW].raw + 5, 2)
    assert main([*adjust, "--remove", "1"]) == 0
    assert f"已删除：{FAYUAN} -2 分（通报批评）" in capsys.readouterr().out
    with Workspace(db) as again:
        assert [a.unit for a in again.city.reports.adjustments(2025)] == [FGW, FGW]
