"""One judgement everywhere: the same figure gets the same light in the unit's window, its signed workbook and PDF,
the city's quarterly report, the plan-end evaluation and the scores (``domain.lights.judge_indicator``)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

pytest.importorskip("PySide6.QtWidgets")

from openpyxl import load_workbook

from ipdesk import Period, Workspace
from ipdesk.domain.progress import IndicatorValue
from ipdesk.signing.identity import KeyStore
from ipdesk.workspace.sample_data import fill_sample

from .gui_support import _none_guard, _synchronous_ops  # noqa: F401 (autouse fixtures)
from .unit_desk import UnitDesk

KEJI = "市科技局"
SEPTEMBER = Period.parse("2025-09")


def _row_with(rows, text: str) -> tuple:
    return next(row for row in rows if any(isinstance(cell, str) and text in cell for cell in row))


def test_technology_contracts_in_september_are_green_everywhere(qtbot, tmp_path):
    """全市技术合同成交额 1523.6 of a yearly 2000 in September: 1500 is due by then (序时), so it is on schedule."""
    from ipdesk.ui.main_window import MainWindow

    desk = UnitDesk(tmp_path / "keji", KEJI)
    fill_sample(desk.ws, KEJI, SEPTEMBER, mark=False)
    desk.ws.indicator_values.save(IndicatorValue(5, KEJI, SEPTEMBER, 1523.6, "", "市技术市场登记"))
    judgement = desk.ws.lights.judge(desk.ws.indicators.get(5), 1523.6, SEPTEMBER)
    assert (judgement.expected, judgement.light.label) == (1500, "绿灯")

    # the unit's window
    window = MainWindow(desk.ws, KEJI, today=dt.date(2025, 10, 3))
    window.indicators.load(KEJI, SEPTEMBER, False)
    model = window.indicators.model
    row = next(n for n, r in enumerate(model.rows) if r.owned.indicator.seq == 5)
    assert model.index(row, model.LIGHT).data() == "绿灯" and model.index(row, 8).data() == "1500"

    # the unit's signed workbook and PDF
    files = desk.sign("2025-09", tmp_path / "out")
    line = next(i for i in desk.ws.signoff.signed(KEJI, SEPTEMBER).snapshot.indicators if i.seq == 5)
    assert line.light == "green" and round(line.rate, 4) == 0.7618  # the return's rate: of the year's 2000
    book = load_workbook(files[".xlsx"])
    rows = [r for sheet in book.worksheets if sheet.sheet_state == "visible" for r in sheet.iter_rows(values_only=True)]
    assert "绿灯" in _row_with(rows, "全市技术合同成交额")
    if shutil.which("pdftotext"):  # poppler (absent from the Windows lane)
        text = subprocess.run(["pdftotext", "-layout", str(files[".pdf"]), "-"], capture_output=True, text=True).stdout
        assert any("1523.6" in ln and "绿灯" in ln for ln in text.splitlines())

    # the city: the Q3 report, the plan-end evaluation, the scores
    city = Workspace(tmp_path / "city.db", actor="张主任")
    city.signoff._keys = KeyStore(tmp_path / "city-keys")
    city.trust.add(desk.certificate())
    city.city.import_files([files[".xlsx"]], today=dt.date(2025, 10, 3))
    quarter = next(i for i in city.city.reports.consolidation("2025Q3").indicators if i.indicator.seq == 5)
    assert (quarter.city_value, quarter.light, quarter.verdict) == (1523.6, "green", "达到序时进度")
    paths = city.city.reports.report("2025Q3", tmp_path / "q3", dt.date(2025, 10, 20))
    rows = list(load_workbook(paths[0])["主要指标"].iter_rows(values_only=True))
    assert "绿灯" in _row_with(rows, "全市技术合同成交额")
    plan = city.plan
    final = next(
        i for i in city.city.reports.consolidation((plan.start_date, plan.end_date)).indicators if i.indicator.seq == 5
    )
    assert (final.light, final.verdict, final.source_period) == ("green", "达到序时进度", "2025-09")
    evaluation = city.city.reports.final(tmp_path / "final", dt.date(2025, 10, 20))
    row = _row_with(
        list(load_workbook(evaluation[0])["主要指标终期"].iter_rows(values_only=True)), "全市技术合同成交额"
    )
    assert "达到序时进度" in row and "未达标" not in row
    card = next(c for c in city.city.reports.scores(2025, dt.date(2025, 10, 20)) if c.unit == KEJI)
    detail = next(item.detail for item in card.items if item.cause == "指标完成")
    assert "指标5全市技术合同成交额：完成本期应达值的 101.6%，计 1.00" in detail
    window.close()
    city.close()
    desk.ws.close()
