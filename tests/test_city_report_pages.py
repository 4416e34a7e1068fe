"""The city's reports as a leader reads them, with every one of the plan's 43 units reporting 2025-09 (each unit's
entries as the sample filler makes them: on time, lagging, red, with their problems): the main report stays within
six pages for a quarter, a month and a year, and the 881 task × unit rows go to the 附件 it names."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from ipdesk import Workspace
from ipdesk.domain.periods import Period

from .conftest import keep_for_review
from .test_report_pages import page_count


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A city workspace whose consolidation is that of 43 units' 2025-09 returns (the units' snapshots are made in a
    unit workspace with the sample filler; nothing is signed: the consolidation is what the report reads)."""
    from ipdesk.exchange.consolidate import Position, consolidate
    from ipdesk.workspace.sample_data import fill_sample

    root = tmp_path_factory.mktemp("city-43")
    with Workspace(root / "units.db", actor="测试") as units:
        snapshots = {}
        for unit in units.plan.units:
            fill_sample(units, unit, "2025-09", mark=False)
            snapshots[unit.name] = units.reports.snapshot(unit, "2025-09")
    ws = Workspace(root / "city.db", actor="张主任")
    ws.city.set_collecting_from("2025-07")
    positions = {name: Position(name, "2025-09", 1, None, snap) for name, snap in snapshots.items()}  # type: ignore[arg-type]

    def consolidation(period):
        span = period if isinstance(period, Period) else ws.city.plan_period(period)
        return consolidate(ws.plan, span, positions, ws.settings.thresholds())

    ws.city.reports.consolidation = consolidation  # type: ignore[method-assign]
    yield ws
    ws.close()


@pytest.mark.parametrize(
    ("period", "today", "name"),
    [
        ("2025Q3", dt.date(2025, 10, 20), "季度督导报告"),
        ("2025-09", dt.date(2025, 10, 20), "月度汇总"),
        ("2025", dt.date(2026, 1, 20), "年度考核"),
    ],
)
def test_the_main_report_of_43_units_takes_at_most_six_pages_and_names_its_annex(office, tmp_path, period, today, name):
    paths = office.city.reports.report(period, tmp_path, today)
    stem = f"西安市_{period}_{name}"
    assert [p.name for p in paths] == [
        f"{stem}.xlsx",
        f"{stem}.pdf",
        f"{stem}_附件_任务明细.xlsx",
        f"{stem}_附件_任务明细.pdf",
        f"西安市_{period}_通报（草稿）.docx",
    ]
    assert all(p.exists() for p in paths)
    pages = page_count(paths[1])
    assert pages <= 6, pages
    assert page_count(paths[3]) > 30  # the detail: every task × unit with the clerks' words
    if shutil.which("pdftotext"):  # poppler (absent from the Windows lane)
        printed = subprocess.run(["pdftotext", str(paths[1]), "-"], capture_output=True, text=True).stdout
        text = re.sub(r"\s+", "", printed)
        assert f"见附件《{stem}_附件_任务明细.pdf》" in text and f"{stem}_附件_任务明细.xlsx" in text
    consolidation = office.city.reports.consolidation(period)
    red = sorted(t.seq for t in consolidation.tasks if t.lead_attention)
    # counted here from the parts: a task is red or 滞后 when one of its lead units' parts is
    assert red == sorted(
        t.seq
        for t in consolidation.tasks
        if any(p.role.value == "lead" and p.reported and (p.light == "red" or p.status == "lagging") for p in t.parts)
    )
    assert red  # the sample data has some
    sheet = load_workbook(paths[0])["红灯和滞后任务"]
    seqs = [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert seqs == red  # each task once, in plan order
    annex = load_workbook(paths[2])["重点任务进展情况"]
    rows = [row for row in annex.iter_rows(values_only=True) if row[1] in ("牵头", "协作")]
    assert len(rows) == sum(len(t.parts) for t in consolidation.tasks)
    if period == "2025Q3":
        keep_for_review(paths[1], "city-quarterly-report-43-units", page=4)
