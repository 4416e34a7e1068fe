"""The clerk's window after a plan update gave task 1 to 雁塔区: 碑林区 still sees task 1 in the periods it entered,
grey, marked 原承担 / 已调整给…, with its entries and evidence, read-only; a new period does not list it but says
where the kept entries are."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt

from ipdesk.domain.periods import Period
from ipdesk.ui.task_table import SEQ_ROLE, TaskTableModel

from .gui_support import _none_guard, _synchronous_ops  # noqa: F401 (autouse fixtures)
from .test_former_tasks import (
    PUBLICITY,
    SCIENCE,
    YANTA,
    moved_indicator_workspaces,
    moved_task_update,
    moved_task_workspaces,
)
from .test_plans import BEILIN

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def window(qtbot, tmp_path):
    from ipdesk.ui.main_window import MainWindow

    city, unit, _ = moved_task_workspaces(tmp_path)
    win = MainWindow(unit, BEILIN, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.editor.forget_drafts()
    city.close()
    unit.close()


def _cells(window, seq: int) -> list[str]:
    row = window.model.row_of(seq)
    return [window.model.index(row, c).data() for c in range(len(TaskTableModel.COLUMNS))]


def test_the_window_shows_a_former_task_read_only_in_the_periods_it_was_entered(window, qtbot):
    window.open_period(Period.parse("2026-10"))
    assert [r.task.seq for r in window.model.rows] == [2, 3, 1]
    cells = _cells(window, 1)
    assert cells[TaskTableModel.ROLE] == "原承担"
    assert cells[TaskTableModel.NAME] == f"培育高价值专利（已调整给{YANTA}、市科技局，只能查看）"
    assert (cells[TaskTableModel.STATUS], cells[TaskTableModel.PERCENT], cells[TaskTableModel.EVIDENCE]) == (
        "推进中",
        "40%",
        "1",
    )
    index = window.model.index(window.model.row_of(1), TaskTableModel.NAME)
    assert "不能修改" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None  # grey
    assert "另列 1 项原承担任务" in window.count_label.text() and "本表 2 项任务" in window.count_label.text()

    window.select_task(1)
    editor = window.editor
    assert editor.row is not None and editor.row.task.seq == 1
    assert editor.achievements.toPlainText() == "培育高价值专利 12 件" and editor.problems.toPlainText() == "资金不足"
    assert editor.lock_banner.isVisibleTo(window) and "原承担任务" in editor.lock_banner.text()
    assert editor.achievements.isReadOnly() and not editor.status.isEnabled()
    assert not editor.add_button.isEnabled() and not editor.remove_button.isEnabled()
    assert editor.evidence_model.rowCount() == 1 and "培育名单.pdf" in editor.evidence_model.item(0).text()
    assert "原承担" in editor.units_line.text()
    # typing cannot reach the store: the box is read-only, and 沿用上期 says why instead of copying
    qtbot.keyClicks(editor.achievements, "abc")
    window.flush()
    assert window.ws.progress.get(1, BEILIN, "2026-10").achievements == "培育高价值专利 12 件"
    window.carry_forward_one()
    assert "原承担任务" in window.statusBar().currentMessage()

    # the unit's own task of the same period stays editable
    window.select_task(2)
    assert not editor.achievements.isReadOnly() and not editor.lock_banner.isVisibleTo(window)


def test_a_new_period_does_not_list_the_former_task_but_says_where_it_is(window):
    window.open_period(Period.parse("2026-10"))
    window.select_task(1)
    window.open_period(Period.parse("2026-11"))
    assert [window.proxy.index(r, 0).data(SEQ_ROLE) for r in range(window.proxy.rowCount())] == [2, 3]
    # the editor moves to the first task of the period, editable, the former task's banner gone
    assert window.editor.row is not None and window.editor.row.task.seq == 2
    assert not window.editor.lock_banner.isVisibleTo(window) and not window.editor.achievements.isReadOnly()
    text = window.count_label.text()
    assert "原承担任务第 1 项" in text and f"已调整给{YANTA}" in text and "2026年10月" in text
    window.open_period(Period.parse("2026-09"))  # evidence only: listed, with its evidence
    assert [r.task.seq for r in window.model.rows if r.former is not None] == [1]
    assert _cells(window, 1)[TaskTableModel.EVIDENCE] == "1"


def test_the_plan_dialog_names_both_units_and_the_new_window_keeps_the_entries(qtbot, tmp_path):
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    from ipdesk.ui.main_window import MainWindow
    from ipdesk.ui.plan_menu import import_plan

    city, unit, update = moved_task_update(tmp_path)
    window = MainWindow(unit, BEILIN, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    import_plan(window, update)
    dialog = window.plan_import_dialog
    assert dialog.isVisible()
    text = dialog.problem.text()
    assert f"责任单位已改变：新增{YANTA}（牵头）" in text and f"不再由{BEILIN}承担" in text
    assert not dialog.save_button.isEnabled()  # only once confirmed
    box = dialog.confirm
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert unit.plan.task(1).role_of(YANTA) is not None
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible() and isinstance(w, MainWindow)]
    for other in shown:
        if other is not window:
            qtbot.addWidget(other)
    current = shown[-1]
    current.open_period(Period.parse("2026-10"))
    assert [(r.task.seq, r.former is not None) for r in current.model.rows] == [(2, False), (3, False), (1, True)]
    for w in shown:
        w.editor.forget_drafts()
    city.close()
    unit.close()


def test_the_indicator_page_shows_a_former_indicator_read_only(qtbot, tmp_path):
    from ipdesk.ui.main_window import MainWindow

    city, unit = moved_indicator_workspaces(tmp_path)
    window = MainWindow(unit, PUBLICITY, today=dt.date(2025, 11, 20))
    qtbot.addWidget(window)
    window.show()
    window.open_period(Period.parse("2025-10"))
    panel = window.indicators
    rows = {row.owned.indicator.seq: row for row in panel.model.rows}
    assert sorted(rows) == [4, 7] and rows[4].former is not None and rows[7].former is None
    number = panel.model.rows.index(rows[4])
    assert panel.model.index(number, 2).data() == "原承担"
    assert panel.model.index(number, 9).data() == "5200"
    assert f"已调整给{SCIENCE}" in panel.model.index(number, 1).data(Qt.ItemDataRole.ToolTipRole)
    panel.table.selectRow(number)
    assert panel.value.text() == "5200" and panel.value.isReadOnly() and "原承担指标，只能查看" in panel.editing.text()
    assert f"已调整给{SCIENCE}" in panel.editing.toolTip()
    panel.value.setText("1")  # even if the box were changed, nothing is written
    panel.commit()
    assert unit.indicator_values.get(4, PUBLICITY, "2025-10").value == 5200
    window.open_period(Period.parse("2025-11"))
    assert [row.owned.indicator.seq for row in panel.model.rows] == [7]
    window.editor.forget_drafts()
    city.close()
    unit.close()
