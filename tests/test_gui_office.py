"""The clerk's window on real office screens, never losing typing, and the feedback a newcomer needs.

Driven as a clerk would: real widgets, keys and input-method text; checked on screen and in the database. Saves are
made to fail the way disks fail (sqlite3's "database or disk is full") by replacing the store's save.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from ipdesk import Period, Workspace
from ipdesk.domain import IndicatorValue, PeriodKind, Progress, TaskStatus
from ipdesk.domain.deadlines import DueState
from ipdesk.domain.reports import ReportStatus

from .conftest import ROOT
from .gui_support import _none_guard, _synchronous_ops  # noqa: F401 (autouse fixtures)
from .test_gui import forget_unsaved, ime_type, select

TODAY = dt.date(2025, 12, 3)
NOV = Period.parse("2025-11")
UNIT = "碑林区人民政府"
BUREAU = "市市场监管局(知识产权局)"


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace(tmp_path / "clerk.db", actor="王芳")
    ws.settings.update({"unit": UNIT, "clerk_name": "王芳", "reviewer_name": "李强", "first_period": "2025-10"})
    yield ws
    ws.close()


def open_window(workspace, unit=UNIT):
    from ipdesk.ui.main_window import MainWindow

    win = MainWindow(workspace, unit, today=TODAY)
    win.show()
    return win


@pytest.fixture
def window(qtbot, workspace):
    win = open_window(workspace)
    qtbot.waitExposed(win)
    yield win
    forget_unsaved(win)


def disk_full(monkeypatch):
    """Make every save of task progress fail as a full disk makes it fail."""
    from ipdesk.store import entries_store

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(entries_store, "save_progress", full)


# -- screens -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("width", "height"), [(1280, 640), (1366, 688)])
def test_every_control_and_the_status_bar_fit_an_office_screen(qtbot, workspace, width, height):
    """1280×720 and 1366×768 logical pixels, less the taskbar and the title bar."""
    from ipdesk.ui.window_memory import fits
    from ipdesk.workspace.sample_data import fill_sample

    fill_sample(workspace, BUREAU, NOV)
    workspace.settings.set("unit", BUREAU)
    win = open_window(workspace, BUREAU)
    try:
        win.setWindowState(Qt.WindowState.WindowNoState)
        win.resize(width, height)
        qtbot.waitUntil(lambda: win.size().height() == height)
        QApplication.processEvents()
        minimum = win.minimumSizeHint()
        assert minimum.width() <= width and minimum.height() <= height
        editor = win.editor
        for widget in (
            win.statusBar(),
            win.due_label,
            win.count_label,
            win.picker.period,
            win.report_state,
            win.search,
            editor.status,
            editor.percent,
            editor.achievements,
            editor.next_steps,
            editor.add_button,
            editor.open_button,
            editor.remove_button,
            win.todo.view,
        ):
            assert fits(widget, win), widget
        assert win.editor_scroll.verticalScrollBar().maximum() == 0  # nothing of the editor hidden below
        header = win.table.horizontalHeader()
        name_width = header.sectionSize(2)
        assert name_width >= 150 and name_width > 1.5 * header.sectionSize(1)
        assert header.isSectionHidden(8)  # 修改时间 is shown on request only
        assert "86 项" in win.count_label.text() and "75 项" in win.count_label.text()
        period_combo = win.picker.period
        assert period_combo.width() >= period_combo.fontMetrics().horizontalAdvance("2025年第四季度") + 20
    finally:
        forget_unsaved(win)


def test_a_very_low_window_scrolls_the_editor_instead_of_hiding_it(qtbot, workspace):
    win = open_window(workspace)
    try:
        win.setWindowState(Qt.WindowState.WindowNoState)
        win.resize(1100, 420)
        qtbot.waitUntil(lambda: win.size().height() == 420)
        QApplication.processEvents()
        bar = win.editor_scroll.verticalScrollBar()
        assert bar.maximum() > 0  # reachable by scrolling
        bar.setValue(bar.maximum())
        QApplication.processEvents()
        assert win.editor.add_button.visibleRegion().boundingRect().height() > 0
    finally:
        forget_unsaved(win)


REMEMBER = """
import datetime as dt, json, sys
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ipdesk.ui.app import make_application
from ipdesk.ui.main_window import MainWindow
from ipdesk import Workspace

app = make_application()
ws = Workspace(sys.argv[1])
win = MainWindow(ws, "碑林区人民政府", today=dt.date(2025, 12, 3))
win.show()
app.processEvents()
header = win.table.horizontalHeader()
if sys.argv[2] == "change":
    win.setWindowState(Qt.WindowState.WindowNoState)
    win.resize(1180, 660)
    app.processEvents()
    win.splitter.setSizes([700, 400])
    header.resizeSection(1, 150)
    header.setSectionHidden(8, False)
    app.processEvents()
seen = {
    "size": [win.width(), win.height()],
    "maximized": win.isMaximized(),
    "splitter": win.splitter.sizes(),
    "category": header.sectionSize(1),
    "changed_hidden": header.isSectionHidden(8),
}
win.close()
ws.close()
print(json.dumps(seen))
"""


def test_size_maximised_state_splitters_and_columns_are_remembered(tmp_path, workspace):
    """On a 1366×768 screen: opened maximised the first time; then as the clerk left it."""
    db = workspace.path
    workspace.close()
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{"name": "S", "width": 1366, "height": 768, "logicalDpi": 96}]}))
    # a relative configfile, run in its folder: Qt splits QT_QPA_PLATFORM at ':', which cuts C:\… on Windows
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen.name}", "PYTHONPATH": str(ROOT)}

    def run(step: str) -> dict:
        result = subprocess.run(
            [sys.executable, "-c", REMEMBER, str(db), step],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    first = run("change")
    assert first["size"] == [1180, 660] and not first["changed_hidden"]
    again = run("look")
    assert again["size"] == [1180, 660] and not again["maximized"]
    assert again["splitter"] == first["splitter"]
    assert again["category"] == 150 and again["changed_hidden"] is False


def test_a_new_window_opens_maximised_on_a_small_screen(tmp_path, workspace):
    db = workspace.path
    workspace.close()
    screen = tmp_path / "screen.json"
    screen.write_text(json.dumps({"screens": [{"name": "S", "width": 1280, "height": 720, "logicalDpi": 96}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen.name}", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", REMEMBER, str(db), "look"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["maximized"] and seen["changed_hidden"] is True


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1366, 768)])
def test_smoke_test_saves_a_picture_of_the_window(tmp_path, width, height):
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps({"screens": [{"name": "S", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96}]}),
        encoding="utf-8",
    )
    picture = tmp_path / "截图" / "window.png"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": f"offscreen:configfile={screen.name}",  # relative: Qt splits at ':', cutting C:\…
        "IPDESK_HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "ipdesk", "--smoke-test", "--screenshot", str(picture)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(picture))
    assert not image.isNull()
    assert width - 40 <= image.width() <= width and height - 60 <= image.height() <= height  # maximised on that screen


# -- never losing typing -------------------------------------------------------------------------------------------
def test_a_failed_save_keeps_the_text_says_so_beside_the_field_and_retries(qtbot, window, workspace, monkeypatch):
    select(window, qtbot, 47)
    disk_full(monkeypatch)
    ime_type(window.editor.achievements, "完成国家知识产权强县申报材料")
    window.editor.flush()
    editor = window.editor
    assert workspace.progress.get(47, UNIT, NOV).achievements == ""
    assert editor.achievements.toPlainText() == "完成国家知识产权强县申报材料"
    assert editor.dirty
    assert "未保存" in editor.labels["achievements"].text()
    assert "未保存" not in editor.labels["problems"].text()
    assert "磁盘空间已满" in editor.save_state.text() and editor.save_state.isVisibleTo(window)
    assert editor._retry.isActive()

    window.step_task(1)  # moving on must not throw the text away
    assert editor.row.task.seq == 48
    window.select_task(47)
    assert editor.achievements.toPlainText() == "完成国家知识产权强县申报材料"
    assert "未保存" in editor.labels["achievements"].text()

    monkeypatch.undo()  # room on the disk again: the retry lands
    assert editor.retry_drafts() == 0
    assert workspace.progress.get(47, UNIT, NOV).achievements == "完成国家知识产权强县申报材料"
    assert not editor.dirty and not editor._retry.isActive()
    assert "未保存" not in editor.labels["achievements"].text() and "已保存" in editor.saved_at.text()


def test_ctrl_s_says_saved_only_after_the_write_succeeded(qtbot, window, workspace, monkeypatch):
    select(window, qtbot, 47)
    disk_full(monkeypatch)
    ime_type(window.editor.achievements, "完成申报材料")
    window.activateWindow()
    qtbot.keyClick(window.editor.achievements, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    shown = window.statusBar().currentMessage()
    assert "已保存" not in shown and "没有保存" in shown and "磁盘空间已满" in shown
    assert workspace.progress.get(47, UNIT, NOV).achievements == ""
    monkeypatch.undo()
    window.save_now()
    assert window.statusBar().currentMessage().startswith("已保存")
    assert workspace.progress.get(47, UNIT, NOV).achievements == "完成申报材料"


def test_a_draft_of_another_task_is_saved_by_the_timer(qtbot, window, workspace, monkeypatch):
    import ipdesk.ui.task_editor as task_editor

    select(window, qtbot, 47)
    disk_full(monkeypatch)
    ime_type(window.editor.problems, "人员不足")
    window.step_task(1)
    assert list(window.editor.drafts) == [(47, UNIT, NOV.code)]
    monkeypatch.undo()
    monkeypatch.setattr(task_editor, "RETRY_MS", 50)
    window.editor._retry.setInterval(50)
    qtbot.waitUntil(lambda: workspace.progress.get(47, UNIT, NOV).problems == "人员不足", timeout=3000)
    assert window.editor.drafts == {}
    assert window.model.rows[window.model.row_of(47)].progress.problems == "人员不足"


def test_an_invalid_percent_stays_until_corrected(qtbot, window, workspace):
    workspace.progress.save(Progress(47, UNIT, NOV, TaskStatus.IN_PROGRESS, 40, "已有进展"))
    window.load_period()
    select(window, qtbot, 47)
    window.editor.percent.setFocus()
    window.editor.percent.selectAll()
    qtbot.keyClicks(window.editor.percent, "150")
    window.editor.flush()
    assert "不能超过 100" in window.editor.percent_error.text()
    window.step_task(1)
    window.select_task(47)
    assert window.editor.percent.text() == "150"  # what was typed, not the stored 40
    assert "不能超过 100" in window.editor.percent_error.text()
    assert window.editor.percent_error.isVisibleTo(window)
    assert workspace.progress.get(47, UNIT, NOV).percent == 40
    window.editor.percent.selectAll()
    qtbot.keyClicks(window.editor.percent, "65")
    window.editor.flush()
    assert workspace.progress.get(47, UNIT, NOV).percent == 65
    assert window.editor.drafts == {} and not window.editor.percent_error.isVisibleTo(window)


def test_a_kept_percent_does_not_undo_what_was_stored_meanwhile(qtbot, window, workspace):
    workspace.progress.save(Progress(47, UNIT, NOV.previous(), TaskStatus.IN_PROGRESS, 30, "十月", "十月的问题"))
    select(window, qtbot, 47)
    window.editor.percent.setFocus()
    qtbot.keyClicks(window.editor.percent, "150")
    window.step_task(1)  # the 150 is kept as a draft of task 47
    window.carry_all_action.trigger()  # fills task 47's empty fields from October
    window.select_task(47)
    assert window.editor.percent.text() == "150"
    assert window.editor.problems.toPlainText() == "十月的问题"
    window.editor.flush()
    assert workspace.progress.get(47, UNIT, NOV).problems == "十月的问题"


def test_closing_with_unsaved_text_keeps_it_in_a_file(qtbot, workspace, monkeypatch, tmp_path):
    win = open_window(workspace)
    select(win, qtbot, 47)
    disk_full(monkeypatch)
    ime_type(win.editor.achievements, "断电前写的一段话")
    asked = []
    monkeypatch.setattr(win, "ask_about_unsaved", lambda count: asked.append(count) or "keep")
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    win.close()
    assert asked == [1]
    files = list((tmp_path.parent / os.environ["IPDESK_HOME"]).rglob("未保存的填写-*.txt"))
    assert len(files) == 1
    text = files[0].read_text(encoding="utf-8-sig")
    assert "断电前写的一段话" in text and "第47项" in text and "磁盘空间已满" in text


def test_closing_can_be_cancelled_while_a_save_fails(qtbot, workspace, monkeypatch):
    win = open_window(workspace)
    select(win, qtbot, 47)
    disk_full(monkeypatch)
    ime_type(win.editor.achievements, "还没保存")
    monkeypatch.setattr(win, "ask_about_unsaved", lambda count: "cancel")
    assert not win.close()
    assert win.isVisible() and win.editor.achievements.toPlainText() == "还没保存"
    monkeypatch.undo()
    win.close()  # the save lands on the way out
    assert workspace.progress.get(47, UNIT, NOV).achievements == "还没保存"


def test_damage_met_while_typing_offers_the_newest_good_backup(qtbot, window, workspace, monkeypatch):
    from ipdesk.store import entries_store
    from ipdesk.store.connection import StoreDamaged

    good = workspace.backup_before("manual")

    def damaged(*args, **kwargs):
        raise StoreDamaged("数据库文件已损坏（SQLite 报告：database disk image is malformed）")

    monkeypatch.setattr(entries_store, "save_progress", damaged)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    select(window, qtbot, 47)
    ime_type(window.editor.achievements, "损坏后写的")
    window.editor.flush()
    assert len(asked) == 1 and good.name in asked[0] and "已损坏" in asked[0]
    assert "另存到" in asked[0]  # what could not be saved is written to a text file first
    assert window.editor.achievements.toPlainText() == "损坏后写的"
    assert not window.editor._retry.isActive()  # a damaged database is not retried


def test_the_global_error_handler_speaks_chinese_and_logs_details(qtbot, monkeypatch):
    import errno

    from ipdesk.ui import error_handler

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.text(), box.informativeText())))
    handler = error_handler.ErrorHandler()
    try:
        raise OSError(errno.ENOSPC, "No space left on device", "/data/ipdesk.db")
    except OSError as error:
        handler.handle(error)
    assert shown[0][0] == "磁盘空间已满：/data/ipdesk.db"
    log = error_handler.log_path()
    assert str(log) in shown[0][1]
    details = log.read_text(encoding="utf-8")
    assert "Traceback" in details and "No space left on device" in details

    damage = []
    handler.on_damage = damage.append
    handler.handle(sqlite3.DatabaseError("database disk image is malformed"))
    assert len(shown) == 1 and "已损坏" in damage[0]

    old_hook = sys.excepthook
    try:
        handler.install()
        assert sys.excepthook == handler._excepthook
        sys.excepthook(ValueError, ValueError("x"), None)
        assert "程序内部出错（ValueError）" in shown[-1][0]
    finally:
        sys.excepthook = old_hook
        import threading

        threading.excepthook = threading.__excepthook__


def test_the_log_file_rotates_through_logging(monkeypatch):
    """Past its limit the log moves aside to ipdesk.log.1 (one kept) and a new one begins: stdlib logging's
    RotatingFileHandler, never a hand-made rename."""
    import logging.handlers

    from ipdesk.ui import log_file

    monkeypatch.setattr(log_file, "LOG_LIMIT_BYTES", 4000)
    log = log_file.log_path()
    for number in range(40):
        try:
            raise ValueError(f"错误第{number}号")
        except ValueError as error:
            assert log_file.write_log(error, f"第{number}次") == log
    files = [h for h in logging.getLogger("ipdesk").handlers if isinstance(h, logging.FileHandler)]
    assert len(files) == 1 and isinstance(files[0], logging.handlers.RotatingFileHandler)
    older = log.with_name("ipdesk.log.1")
    assert sorted(p.name for p in log.parent.iterdir()) == ["ipdesk.log", "ipdesk.log.1"]
    for path in (log, older):  # logging counts characters; Windows writes each line break as two bytes
        assert path.stat().st_size - path.read_bytes().count(b"\r\n") <= 4000
    newest = log.read_text(encoding="utf-8")
    assert "错误第39号" in newest and "Traceback" in newest and newest.startswith("==== ")
    assert "错误第0号" not in newest + older.read_text(encoding="utf-8")  # the oldest went with the rotation


# -- feedback ------------------------------------------------------------------------------------------------------
def _submitted(workspace):
    from ipdesk.workspace.sample_data import fill_sample

    fill_sample(workspace, UNIT, NOV)
    workspace.reports.submit(UNIT, NOV)


def test_editing_a_submitted_report_asks_first_and_says_what_happens(qtbot, window, workspace, monkeypatch):
    _submitted(workspace)
    window.load_period()
    due = {i.period: i.state for i in workspace.reports.due(UNIT, TODAY)}
    assert due[NOV] is DueState.TO_SIGN  # submitted is not sent: 待办 keeps it, 待签署
    select(window, qtbot, 47)
    before = workspace.progress.get(47, UNIT, NOV).next_steps
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    ime_type(window.editor.next_steps, "再补充一句")
    window.editor.flush()
    assert len(asked) == 1 and "撤回这次提交" in asked[0] and "再次“提交审核”" in asked[0]
    assert window.editor.next_steps.toPlainText() == before  # the key press went nowhere
    assert workspace.reports.status(UNIT, NOV) is ReportStatus.SUBMITTED

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    ime_type(window.editor.next_steps, "再补充一句")
    ime_type(window.editor.next_steps, "，又一句")  # asked once, not at every key
    window.editor.flush()
    assert len(asked) == 2
    assert workspace.progress.get(47, UNIT, NOV).next_steps.endswith("再补充一句，又一句")
    assert workspace.reports.status(UNIT, NOV) is ReportStatus.DRAFT
    assert "填报中" in window.report_state.text()
    assert "撤回" in window.statusBar().currentMessage()
    assert any(item.period == NOV and not item.state.in_flight for item in workspace.reports.due(UNIT, TODAY))
    todo = [window.todo.model.item(r).text() for r in range(window.todo.model.rowCount())]
    assert any("2025年11月" in text for text in todo)  # 待办 follows at once
    assert window.submit_action.isEnabled()


def test_the_large_change_question_is_asked_once_and_the_value_is_saved(qtbot, workspace, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    workspace.settings.set("unit", "市法院")
    workspace.indicator_values.save(IndicatorValue(14, "市法院", NOV.previous(), 50))
    win = open_window(workspace, "市法院")
    try:
        win.tabs.setCurrentWidget(win.indicators_tab)
        panel = win.indicators
        panel.table.selectRow(0)
        calls = []

        def answer(*args, **kwargs):
            calls.append(args[2])
            panel.value.editingFinished.emit()  # what focus moving to the dialog does
            return "上期为半年数据", True

        monkeypatch.setattr(QInputDialog, "getText", answer)
        ime_type(panel.value, "96")
        panel.value.editingFinished.emit()
        assert len(calls) == 1 and "+92%" in calls[0]
        stored = workspace.indicator_values.get(14, "市法院", NOV)
        assert (stored.value, stored.note) == (96, "变化原因：上期为半年数据")
        assert "未保存" not in panel.error.text()
    finally:
        forget_unsaved(win)


def test_a_signed_period_offers_no_carry_forward_and_says_signed_once(qtbot, window, workspace):
    _submitted(workspace)
    workspace.signoff.sign(UNIT, NOV, "正确的签署口令", create=True)
    window.load_period()
    assert not window.carry_all_action.isEnabled() and not window.carry_one_action.isEnabled()
    select(window, qtbot, 47)
    assert "已已" not in window.editor.lock_banner.text()
    window.picker.step(-1)
    assert window.carry_all_action.isEnabled()


def test_the_toolbar_period_kind_is_the_setting(qtbot, window, workspace):
    window.picker.kind.setCurrentIndex(window.picker.kind.findData(PeriodKind.QUARTER.value))
    assert workspace.settings.report_kind() is PeriodKind.QUARTER
    assert window.period == Period.parse("2025Q4")
    todo = [window.todo.model.item(r).text() for r in range(window.todo.model.rowCount())]
    assert todo and all("季度" in text for text in todo)
    assert "季报" in window.statusBar().currentMessage()


def test_settings_period_kind_moves_the_toolbar(qtbot, window, workspace, monkeypatch):
    from ipdesk.ui.setup_dialog import SetupDialog  # the window loads it when 设置 is first opened

    def exec_and_choose_year(dialog):
        dialog.kind.setCurrentIndex(dialog.kind.findData(PeriodKind.YEAR.value))
        dialog.accept()
        return True

    monkeypatch.setattr(SetupDialog, "exec", exec_and_choose_year)
    window.open_settings()
    assert window.picker.kind.currentData() == PeriodKind.YEAR.value
    assert window.period.kind is PeriodKind.YEAR


def test_a_wrong_passphrase_returns_focus_to_the_field(qtbot, window, workspace):
    _submitted(workspace)
    workspace.signoff.create_identity(UNIT, "正确的签署口令")
    window.load_period()
    window.sign()
    dialog = window.sign_dialog
    dialog.buttons.setFocus()
    ime_type(dialog.passphrase, "错误的口令")
    dialog.buttons.setFocus()
    dialog.accept()
    assert "口令不正确" in dialog.error.text()
    assert dialog.focusWidget() is dialog.passphrase and dialog.passphrase.text() == ""
    dialog.reject()


# -- a newcomer's first day ----------------------------------------------------------------------------------------
def test_first_run_asks_from_which_period_and_todo_starts_there(qtbot, tmp_path):
    from ipdesk.ui.main_window import MainWindow
    from ipdesk.ui.setup_dialog import SetupDialog

    today = dt.date(2026, 11, 25)  # after the plan
    ws = Workspace(tmp_path / "new.db")
    dialog = SetupDialog(ws, first_run=True, today=today)
    qtbot.addWidget(dialog)
    assert dialog.first_period.currentText() == "2025年12月"  # the period now due
    ime_type(dialog.picker.search, "碑林")
    ime_type(dialog.clerk, "王芳")
    dialog.accept()
    assert ws.settings.first_period() == Period.parse("2025-12")
    win = MainWindow(ws, UNIT, today=today)
    try:
        items = [win.todo.model.item(r).text() for r in range(win.todo.model.rowCount())]
        assert items == ["2025年12月　已逾期"]
        assert "2022年7月" not in win.due_label.text()
    finally:
        forget_unsaved(win)
        ws.close()


def test_an_existing_workspace_is_asked_once(qtbot, tmp_path):
    from ipdesk.ui.setup_dialog import FirstPeriodDialog

    ws = Workspace(tmp_path / "old.db")
    dialog = FirstPeriodDialog(ws, today=dt.date(2025, 12, 3))
    qtbot.addWidget(dialog)
    assert dialog.first_period.currentText() == "2025年11月"
    dialog.first_period.setCurrentIndex(dialog.first_period.findData("2025-06"))
    dialog.accept()
    assert ws.settings.first_period() == Period.parse("2025-06")
    ws.close()


def test_f1_opens_the_user_guide(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = window.help_dialog
    assert guide.isVisible()
    text = guide.browser.toPlainText()
    steps = ("第一次使用", "填写任务进展", "保存失败时", "提交审核", "审核人签署", "导出并报送", "数据库损坏时", "F1")
    for step in steps:
        assert step in text, step
    assert window.help_action.text() == "使用说明"
    guide.close()


def test_a_qt_binding_that_drops_references_to_none_cannot_abort_the_program(tmp_path):
    """PySide6 6.12.0 on Python 3.11 drops a reference to None at each call returning nothing; without the guard
    this many calls end the process with "Fatal Python error: none_dealloc"."""
    code = (
        "import sys\n"
        "from PySide6.QtCore import QObject\n"
        "from ipdesk.ui.app import make_application\n"
        "app = make_application()\n"
        "probe = QObject()\n"
        "for _ in range(300_000):\n"
        "    probe.setObjectName('ipdesk')\n"
        "print('alive', sys.getrefcount(None) > 1000)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IPDESK_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.split() == ["alive", "True"]


@pytest.mark.parametrize("choice", ["用备份恢复", "只读打开查看", "退出"])
def test_a_damaged_database_at_start_offers_the_backup_or_a_look(qtbot, tmp_path, monkeypatch, choice):
    from ipdesk.ui.app import open_workspace
    from ipdesk.workspace.sample_data import fill_sample

    from .test_damaged_store import damage

    db = tmp_path / "ws.db"
    with Workspace(db) as ws:
        fill_sample(ws, UNIT, NOV)
        good = ws.backup_before("manual")
    damage(db, "audit pages overwritten")
    content = db.read_bytes()
    seen, chosen = [], []

    def fake_exec(box):
        seen.append(box.text() + box.informativeText())
        chosen.append(next(b for b in box.buttons() if b.text() == choice))

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "clickedButton", lambda box: chosen[-1])
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    ws = open_workspace(db, quiet=False)
    assert "已损坏" in seen[0] and good.name in seen[0]
    try:
        if choice == "用备份恢复":
            assert ws is not None and not ws.read_only and ws.integrity_full() == "ok"
            assert ws.progress.get(47, UNIT, NOV).achievements
            kept = next(tmp_path.glob("ws.db.replaced-*"))
            assert kept.read_bytes() == content  # the damaged file is kept
        elif choice == "只读打开查看":
            assert ws is not None and ws.read_only
            assert db.read_bytes() == content
        else:
            assert ws is None and db.read_bytes() == content
    finally:
        if ws is not None:
            ws.close()


# -- 沿用上期 is a starting point ------------------------------------------------------------------------------------
def test_carried_texts_are_marked_until_edited_warned_at_submit_and_printed_as_same(
    qtbot, window, workspace, monkeypatch
):
    from ipdesk.reports.layout import progress_text, task_table
    from ipdesk.workspace.sample_data import fill_sample

    october = NOV.previous()
    fill_sample(workspace, UNIT, october, mark=False)
    window.carry_forward_all()
    carried = workspace.progress.carried(UNIT, NOV)
    copied = [seq for seq, fields in carried.items() if "achievements" in fields]
    assert len(copied) == len(window.model.rows)  # every task had October's progress to copy
    select(window, qtbot, copied[0])
    editor = window.editor
    assert editor.carried_note.isVisibleTo(window) and "沿用上期，请更新" in editor.carried_note.text()
    assert "工作进展及成效" in editor.carried_note.text() and "background" in editor.achievements.styleSheet()
    # edited: the mark goes, at once and in what is stored
    ime_type(editor.achievements, "；十一月新增专利质押融资 2 亿元")
    assert "工作进展及成效" not in editor.carried_note.text() and editor.achievements.styleSheet() == ""
    editor.flush()
    assert "achievements" not in workspace.progress.carried(UNIT, NOV).get(copied[0], ())
    # submit warns with the number and the list, and can go back
    told = []

    def clicked(box):
        told.append(box.text() + box.informativeText())
        return next(b for b in box.buttons() if b.text() == "返回更新")

    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    monkeypatch.setattr(QMessageBox, "clickedButton", clicked)
    window.submit()
    assert told and f"{len(copied) - 1} 项工作进展与上期相同" in told[0]
    assert workspace.reports.status(UNIT, NOV) is ReportStatus.DRAFT
    assert window.editor.row.task.seq == copied[1]
    # the printed report never passes an unedited copy off as November's progress
    snapshot = workspace.reports.snapshot(UNIT, NOV, TODAY)
    lines = {t.seq: t for t in snapshot.tasks}
    assert progress_text(lines[copied[1]]).startswith("（同上期）")
    assert not progress_text(lines[copied[0]]).startswith("（同上期）")
    table = task_table(snapshot)
    assert any("（同上期）" in str(cell.value) for row in table.items if isinstance(row, tuple) for cell in row)
