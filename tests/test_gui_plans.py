"""The plans in the window: 文件 → 导入方案 shows what was read before anything is saved; the toolbar names the
current plan; the 方案 menu switches plans. Driven through the real widgets."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu

from ipdesk import Workspace
from ipdesk.domain.plan import UnitKind

from .gui_support import _none_guard, _synchronous_ops  # noqa: F401 (autouse fixtures)

TODAY = dt.date(2026, 11, 25)
UNIT = "碑林区人民政府"


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace(tmp_path / "clerk.db", actor="王芳")
    ws.settings.update({"unit": UNIT, "clerk_name": "王芳", "reviewer_name": "李强"})
    yield ws
    ws.close()


@pytest.fixture
def window(qtbot, workspace):
    from ipdesk.ui.main_window import MainWindow

    win = MainWindow(workspace, UNIT, today=TODAY)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def task_list(path, bad: bool = False):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务清单"
    sheet.append(["西安市国家知识产权强市建设示范城市工作任务清单(2026—2030年)"])
    sheet.append(["序号", "重点任务", "具体任务", "牵头单位", "配合单位", "完成时限"])
    sheet.append([1, "推进创造", "实施高价值专利培育计划", "碑林区人民政府", "市科技局、工信局", "2030年"])
    sheet.append([2, None, "建设专利导航服务基地", "市科技局", "碑林区政府、秦岭保护区管委会", "2028年"])
    sheet.merge_cells("B3:B4")
    if bad:
        sheet.append([3, "保障措施", "没有写明单位的任务", "", "", ""])
    book.save(path)
    return path


def preview_dialog(window, path):
    from ipdesk.ui.plan_menu import import_plan

    import_plan(window, path)
    dialog = window.plan_import_dialog
    assert dialog.isVisible()
    return dialog


def test_the_toolbar_names_the_current_plan_and_the_menu_lists_the_plans(window):
    assert window.plan_button.text() == "方案：西安市2022—2025年 ▾"
    menus = [a.text() for a in window.menuBar().actions()]
    assert "方案(&P)" in menus
    # (not QAction.menu(): PySide6 6.8 hands back a wrapper whose QMenu is already deleted)
    file_menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "文件(&F)")
    assert "导入方案…" in [a.text() for a in file_menu.actions()]
    plans = window.plan_button.menu()
    plans.aboutToShow.emit()
    checked = [a.text() for a in plans.actions() if a.isCheckable() and a.isChecked()]
    assert checked == ["西安市国家知识产权强市建设示范城市工作方案(2022—2025年)（xian-2022-2025）"]


def test_import_shows_what_was_read_and_saves_only_when_accepted(qtbot, window, workspace, tmp_path):
    dialog = preview_dialog(window, task_list(tmp_path / "next.xlsx", bad=True))
    assert dialog.title.text() == "西安市国家知识产权强市建设示范城市工作方案(2026—2030年)"
    assert (dialog.code.text(), dialog.city.text()) == ("xian-2026-2030", "西安市")
    assert (dialog.start.text(), dialog.end.text()) == ("2026-01-01", "2030-12-31")
    assert dialog.report_title.text() == "西安市国家知识产权强市建设示范城市工作进展情况表"
    assert dialog.tasks.rowCount() == 2 and dialog.tasks.rows[1][4] == ("市科技局", "市科技局")
    assert dialog.tasks.rows[0][5] == ("市科技局、工信局（2 个单位）", "市科技局、市工信局")
    assert dialog.tabs.tabText(0) == "任务清单（2）" and dialog.tabs.tabText(4) == "无法读取的行（1）"
    assert dialog.tabs.currentIndex() == 4  # the rows that could not be read are shown first
    assert dialog.unreadable.rows == [("任务清单", 5, "没有责任单位")]
    assert "1 行无法读取" in dialog.summary.text()
    # A new unit is marked, and its kind guessed from its name.
    units = {row[1]: row for row in dialog.units.rows}
    assert units["秦岭保护区管委会"][2:] == ("开发区", "新增", 0, 1) and units[UNIT][3:] == ("名册", 1, 1)
    assert dialog.units.rows[0][1] == "秦岭保护区管委会"  # new units first
    assert not dialog.save_button.isEnabled()  # not with a row that cannot be read …
    assert [p.code for p in workspace.plans.all()] == ["xian-2022-2025"]
    box = dialog.accept_rejects
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert dialog.save_button.isEnabled()  # … unless the clerk says to leave it out
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert workspace.plan.code == "xian-2026-2030"
    new = next(w for w in QApplication.topLevelWidgets() if w.isVisible() and hasattr(w, "plan_button"))
    qtbot.addWidget(new)
    assert new.plan_button.text() == "方案：西安市2026—2030年 ▾"
    assert [r.task.seq for r in new.model.rows] == [1, 2] and new.unit == UNIT
    assert not window.isVisible()


def test_a_changed_task_with_entries_must_be_confirmed_in_the_dialog(qtbot, window, workspace, tmp_path):
    workspace.plans.save(workspace.plans.read(task_list(tmp_path / "v1.xlsx")))
    window.close()
    workspace.plans.use("xian-2026-2030")
    workspace.progress.save(workspace.progress.get(2, "市科技局", "2026-10").with_changes(achievements="导航进展"))
    book = openpyxl.load_workbook(tmp_path / "v1.xlsx")
    book.active["C4"] = "建设专利导航服务中心"
    book.save(tmp_path / "v2.xlsx")
    from ipdesk.ui.main_window import MainWindow

    win = MainWindow(workspace, UNIT, today=TODAY)
    qtbot.addWidget(win)
    dialog = preview_dialog(win, tmp_path / "v2.xlsx")
    assert dialog.confirm.isVisibleTo(dialog) and not dialog.confirm.isChecked()
    assert "保存前请核对" in dialog.problem.text() and "第 2 项任务" in dialog.problem.text()
    assert any(row[0].startswith("须确认：第 2 项任务") for row in dialog.notes.rows)
    assert dialog.tabs.tabText(5) == "说明（2）"  # the note on the new version, and the caution
    assert not dialog.save_button.isEnabled()
    box = dialog.confirm
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert dialog.save_button.isEnabled()
    dialog.use.setChecked(False)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert workspace.plans.get("xian-2026-2030").task(2).content == "建设专利导航服务中心"
    # The current plan was updated in place: the window is rebuilt for it.
    new = next(w for w in QApplication.topLevelWidgets() if w.isVisible() and hasattr(w, "plan_button"))
    qtbot.addWidget(new)
    assert new is not win and not win.isVisible()
    assert new.model.rows[1].task.content == "建设专利导航服务中心"
    new.close()


def test_fields_and_kinds_corrected_in_the_dialog(qtbot, window, workspace, tmp_path, monkeypatch):
    dialog = preview_dialog(window, task_list(tmp_path / "next.xlsx"))
    dialog.code.setText("xian-next")
    dialog.report_title.setText("西安市知识产权强市建设工作进展情况表")
    row = next(i for i, r in enumerate(dialog.units.rows) if r[1] == "秦岭保护区管委会")
    dialog.unit_view.selectRow(row)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **kwargs: ("新区", True))
    qtbot.mouseClick(dialog.change_kind, Qt.MouseButton.LeftButton)
    assert dialog.preview.plan.code == "xian-next"
    assert dialog.preview.plan.report_title == "西安市知识产权强市建设工作进展情况表"
    kinds = {u.name: u.kind for u in dialog.preview.plan.units}
    assert kinds["秦岭保护区管委会"] is UnitKind.NEW_AREA
    dialog.use.setChecked(False)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert workspace.plan.code == "xian-2022-2025" and window.isVisible()
    assert [p.code for p in workspace.plans.all()] == ["xian-2022-2025", "xian-next"]
    assert "已保存" in window.statusBar().currentMessage()


def test_switching_plans_from_the_menu(qtbot, window, workspace, tmp_path):
    import gc

    from ipdesk.ui.plan_menu import switch_plan

    workspace.plans.save(workspace.plans.read(task_list(tmp_path / "next.xlsx")))
    menu = window.plan_button.menu()
    menu.aboutToShow.emit()
    target = next(a for a in menu.actions() if a.data() == "xian-2026-2030")
    gc.freeze()  # as the program does once its first window is shown (ipdesk.collector)
    target.trigger()
    assert workspace.plan.code == "xian-2026-2030"
    assert gc.get_freeze_count() == 0  # the window let go is the collector's again, with everything frozen at start
    new = next(w for w in QApplication.topLevelWidgets() if w.isVisible() and hasattr(w, "plan_button"))
    qtbot.addWidget(new)
    assert new.plan_button.text() == "方案：西安市2026—2030年 ▾"
    assert [r.task.seq for r in new.model.rows] == [1, 2]
    back = switch_plan(new, "xian-2022-2025")
    qtbot.addWidget(back)
    assert len(back.model.rows) == 30 and workspace.plan.code == "xian-2022-2025"


def test_a_unit_the_other_plan_lacks_is_chosen_again(qtbot, workspace, tmp_path, monkeypatch):
    from ipdesk.ui.main_window import MainWindow
    from ipdesk.ui.plan_menu import switch_plan

    workspace.settings.set("unit", "市教育局")
    win = MainWindow(workspace, "市教育局", today=TODAY)
    qtbot.addWidget(win)
    workspace.plans.save(workspace.plans.read(task_list(tmp_path / "next.xlsx")))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **kwargs: ("", False))
    assert switch_plan(win, "xian-2026-2030") is None  # cancelled: the plan stays as it was
    assert workspace.plan.code == "xian-2022-2025"
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args, **kwargs: ("市科技局", True))
    new = switch_plan(win, "xian-2026-2030")
    qtbot.addWidget(new)
    assert new.unit == "市科技局" and workspace.settings.get("unit") == "市科技局"


def test_damage_reported_after_a_switch_offers_the_restore(qtbot, workspace, tmp_path, monkeypatch):
    """The application's host owns the window: after a plan switch the error handler reports to the new window, so
    a damaged database found then still offers the newest good backup (never "Internal C++ object already
    deleted" from the window the switch let go)."""
    import sqlite3

    import shiboken6
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QMessageBox

    from ipdesk.ui.error_handler import ErrorHandler
    from ipdesk.ui.host import HOST
    from ipdesk.ui.main_window import MainWindow
    from ipdesk.ui.plan_menu import switch_plan

    first = MainWindow(workspace, UNIT, today=TODAY)  # as app.run shows it (not closed by qtbot: the switch does)
    handler = ErrorHandler()
    HOST.attach(handler)
    HOST.adopt(first)
    first.show()
    try:
        good = workspace.backup_before("manual")
        workspace.plans.save(workspace.plans.read(task_list(tmp_path / "next.xlsx")))
        new = switch_plan(first, "xian-2026-2030")
        assert new is not None
        qtbot.addWidget(new)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert not shiboken6.isValid(first)  # the old window is gone for good
        assert HOST.window is new and handler.window is new

        asked = []

        def question(parent, title, text, *args, **kwargs):
            asked.append((parent, text))
            return QMessageBox.StandardButton.No

        monkeypatch.setattr(QMessageBox, "question", question)
        handler.handle(sqlite3.DatabaseError("database disk image is malformed"))
        assert len(asked) == 1
        parent, text = asked[0]
        assert parent is new and "已损坏" in text and good is not None and good.name in text
        assert handler.shown == []  # offered as damage, not shown as an error
    finally:
        HOST.release()
