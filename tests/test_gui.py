"""The clerk's window driven as a clerk would: real widgets and keys, checked on screen and in the database."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ipdesk import Period, Workspace
from ipdesk.domain import IndicatorValue, Progress, TaskStatus
from ipdesk.domain.reports import ReportStatus
from ipdesk.ui.task_editor import AUTOSAVE_MS

from .conftest import ROOT
from .gui_support import _none_guard, _synchronous_ops  # noqa: F401 (autouse fixtures)

TODAY = dt.date(2025, 12, 3)  # the November return is being prepared
NOV = Period.parse("2025-11")
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
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    forget_unsaved(win)


def forget_unsaved(win) -> None:
    """Close the window; what a test left unsaved on purpose must not hold it open with a question."""
    win.editor.forget_drafts()
    if win._indicator_panel is not None:  # built only once its tab was shown
        win._indicator_panel.forget_drafts()
    win.close()
    win.deleteLater()


def ime_type(widget, text: str) -> None:
    """Type ``text`` the way a Chinese input method delivers it: one committed string per phrase.

    (QTest's key clicks only know Latin-1 keys; an IME commits whole hanzi or full-width characters.)
    """
    from PySide6.QtGui import QInputMethodEvent, QTextCursor
    from PySide6.QtWidgets import QPlainTextEdit

    widget.setFocus()
    if isinstance(widget, QPlainTextEdit):
        widget.moveCursor(QTextCursor.MoveOperation.End)
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def select(window, qtbot, seq: int) -> None:
    window.select_task(seq)
    assert window.editor.row.task.seq == seq


def test_first_run_setup(qtbot, tmp_path):
    from ipdesk.ui.setup_dialog import SetupDialog

    ws = Workspace(tmp_path / "new.db")
    dialog = SetupDialog(ws, first_run=True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.accept()
    assert "请先选择本单位" in dialog.error.text()
    ime_type(dialog.picker.search, "碑林")
    assert dialog.picker.selected() == UNIT
    dialog.accept()
    assert "填报人" in dialog.error.text()
    ime_type(dialog.clerk, "王芳")
    qtbot.keyClicks(dialog.phone, "029-88886666")
    ime_type(dialog.reviewer, "李强")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert ws.settings.get("unit") == UNIT
    assert (ws.settings.get("clerk_name"), ws.settings.get("clerk_phone"), ws.settings.get("reviewer_name")) == (
        "王芳",
        "029-88886666",
        "李强",
    )
    ws.close()


def test_unit_list_is_grouped_by_kind(qtbot, workspace):
    from ipdesk.ui.setup_dialog import SetupDialog

    dialog = SetupDialog(workspace, first_run=True)
    qtbot.addWidget(dialog)
    groups = [dialog.picker.model.item(r).text() for r in range(dialog.picker.model.rowCount())]
    assert groups == ["市级部门", "区县", "开发区（新区）"]
    assert dialog.picker.selected() == UNIT  # the current unit is preselected


def test_short_columns_are_as_wide_as_qt_would_fit_them(qtbot, workspace):
    """The window fits 序号, 角色, 状态 … asking the delegate once per different text (``_fit_columns``): the widths
    are those ``resizeColumnToContents`` gives, here with texts of every width (statuses, percents, counts)."""
    from ipdesk.domain import Progress, TaskStatus
    from ipdesk.ui.main_window import FITTED_COLUMNS, MainWindow

    statuses = [TaskStatus.IN_PROGRESS, TaskStatus.ONGOING, TaskStatus.DONE, TaskStatus.LAGGING, None]
    for number, row in enumerate(workspace.progress.for_unit(UNIT, NOV)):
        status = statuses[number % len(statuses)]
        if status is not None:
            percent = None if status is TaskStatus.ONGOING else [7, 100, 33.5, 92][number % 4]
            workspace.progress.save(Progress(row.task.seq, UNIT, NOV, status, percent, "进展", "", ""))
    win = MainWindow(workspace, UNIT, today=TODAY)
    qtbot.addWidget(win)
    header = win.table.horizontalHeader()
    header.setMinimumSectionSize(1)
    win.model.setHorizontalHeaderLabels([""] * len(win.model.COLUMNS))  # so that the cells decide, not the titles
    win._fit_columns()
    fitted = {column: header.sectionSize(column) for column in FITTED_COLUMNS}
    for column in FITTED_COLUMNS:
        win.table.resizeColumnToContents(column)
    assert fitted == {column: header.sectionSize(column) for column in FITTED_COLUMNS}
    assert len(set(fitted.values())) > 3  # the columns do differ: the comparison says something
    forget_unsaved(win)


def test_window_opens_on_the_period_now_due(window):
    assert window.picker.current() == NOV
    assert window.model.rowCount() == 30
    assert "2025年11月" in window.report_state.text()
    assert "逾期未报" in window.due_label.text()
    assert window.editor.row.task.seq == 16


def test_typing_is_saved_and_survives_reopening(qtbot, window, workspace, tmp_path):
    select(window, qtbot, 47)
    ime_type(window.editor.achievements, "完成国家知识产权强县申报材料")
    qtbot.waitUntil(
        lambda: workspace.progress.get(47, UNIT, NOV).achievements == "完成国家知识产权强县申报材料",
        timeout=AUTOSAVE_MS + 1000,
    )
    window.editor.status.setCurrentIndex(window.editor.status.findData(TaskStatus.IN_PROGRESS.value))
    window.editor.status.activated.emit(window.editor.status.currentIndex())
    window.editor.percent.setFocus()
    ime_type(window.editor.percent, "６０")
    qtbot.keyClick(window.editor.percent, Qt.Key.Key_Tab)
    stored = workspace.progress.get(47, UNIT, NOV)
    assert (stored.status, stored.percent) == (TaskStatus.IN_PROGRESS, 60)
    row = window.model.rows[window.model.row_of(47)]
    assert row.progress.percent == 60 and row.progress.status is TaskStatus.IN_PROGRESS

    # switching task and period keeps everything; reopening the file shows it
    window.step_task(1)
    assert window.editor.row.task.seq == 48
    ime_type(window.editor.next_steps, "迎接省局评审")
    window.picker.step(-1)
    assert window.period == NOV.previous()
    assert workspace.progress.get(48, UNIT, NOV).next_steps == "迎接省局评审"
    window.close()
    with Workspace(tmp_path / "clerk.db", read_only=True) as again:
        assert again.progress.get(47, UNIT, NOV).achievements == "完成国家知识产权强县申报材料"
        assert again.progress.get(48, UNIT, NOV).next_steps == "迎接省局评审"


def test_ctrl_s_saves_at_once_and_says_so(qtbot, window, workspace):
    select(window, qtbot, 94)
    window.editor.problems.setFocus()
    ime_type(window.editor.problems, "人员不足")
    qtbot.keyClick(window.editor.problems, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert workspace.progress.get(94, UNIT, NOV).problems == "人员不足"
    assert "已保存" in window.statusBar().currentMessage()


def test_closing_the_window_saves_what_was_typed(qtbot, window, workspace):
    select(window, qtbot, 95)
    ime_type(window.editor.achievements, "专项资金已列入预算")
    window.close()
    assert workspace.progress.get(95, UNIT, NOV).achievements == "专项资金已列入预算"


def test_impossible_percent_is_refused_and_nothing_else_is_touched(qtbot, window, workspace):
    select(window, qtbot, 47)
    workspace.progress.save(Progress(47, UNIT, NOV, TaskStatus.IN_PROGRESS, 40, "已有进展"))
    window.load_period()
    window.editor.percent.setFocus()
    window.editor.percent.selectAll()
    qtbot.keyClicks(window.editor.percent, "120")
    ime_type(window.editor.achievements, "，又有新进展")
    window.editor.flush()
    assert "不能超过 100" in window.editor.percent_error.text()
    stored = workspace.progress.get(47, UNIT, NOV)
    assert stored.percent == 40
    assert stored.achievements == "已有进展，又有新进展"
    window.editor.percent.selectAll()
    ime_type(window.editor.percent, "七十")
    window.editor.flush()
    window.editor.dirty = True
    window.editor.flush()
    assert "不是数字" in window.editor.percent_error.text()
    assert workspace.progress.get(47, UNIT, NOV).percent == 40


def test_undo_and_redo_in_the_editor(qtbot, window):
    select(window, qtbot, 47)
    box = window.editor.achievements
    box.setFocus()
    ime_type(box, "第一句")
    window.undo()
    assert box.toPlainText() == ""
    window.redo()
    assert box.toPlainText() == "第一句"


def test_alt_arrows_move_between_tasks(qtbot, window):
    select(window, qtbot, 16)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.editor.row.task.seq == 17
    qtbot.keyClick(window.table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.editor.row.task.seq == 16


def test_search_and_filters(qtbot, window, workspace):
    workspace.progress.save(Progress(59, UNIT, NOV, TaskStatus.LAGGING, 10, "植物新品种保护", "缺少执法人员"))
    window.load_period()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    ime_type(window.search, "执法人员")
    assert window.proxy.rowCount() == 1
    assert window.proxy.index(0, 0).data() == "59"
    window.search.clear()
    window.light_filter.setCurrentIndex(window.light_filter.findText("红灯"))
    assert [window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())] == ["59"]
    window.clear_filters()
    window.role_filter.setCurrentIndex(window.role_filter.findText("牵头"))
    assert window.proxy.rowCount() == 6
    assert "显示 6 项" in window.count_label.text()


def test_submit_lists_what_is_missing_and_goes_there(qtbot, window, workspace):
    window.submit()
    dialog = window.missing_dialog
    assert dialog.model.rowCount() == 60  # 30 tasks × (status, progress text)
    first = dialog.model.index(4, 0)
    assert "第21项" in first.data()
    dialog.view.activated.emit(first)
    assert window.editor.row.task.seq == 21
    assert workspace.reports.status(UNIT, NOV) is ReportStatus.DRAFT

    for row in workspace.progress.for_unit(UNIT, NOV):
        workspace.progress.save(row.progress.with_changes(status=TaskStatus.ONGOING, achievements="持续开展"))
    window.load_period()
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert workspace.reports.status(UNIT, NOV) is ReportStatus.SUBMITTED
    assert "已提交审核" in window.report_state.text()
    assert not window.submit_action.isEnabled()


def test_carry_forward_all(qtbot, window, workspace):
    workspace.progress.save(Progress(47, UNIT, NOV.previous(), TaskStatus.IN_PROGRESS, 30, "十月的进展"))
    window.carry_all_action.trigger()
    assert workspace.progress.get(47, UNIT, NOV).achievements == "十月的进展"
    select(window, qtbot, 47)
    assert window.editor.achievements.toPlainText() == "十月的进展"
    assert "沿用" in window.statusBar().currentMessage()


def test_signed_period_is_read_only(qtbot, window, workspace):
    _submit_all(workspace)
    workspace.signoff.sign(UNIT, NOV, "正确的签署口令", create=True)
    window.load_period()
    select(window, qtbot, 47)
    assert window.editor.lock_banner.isVisibleTo(window)
    assert "已锁定" in window.editor.lock_banner.text()
    assert window.editor.achievements.isReadOnly()
    before = workspace.progress.get(47, UNIT, NOV).achievements
    ime_type(window.editor.achievements, "不应保存")
    window.editor.flush()
    assert workspace.progress.get(47, UNIT, NOV).achievements == before


def test_evidence_added_and_counted(qtbot, window, workspace, tmp_path):
    document = tmp_path / "推进会纪要.docx"
    document.write_bytes(b"minutes")
    select(window, qtbot, 47)
    window.editor.add_evidence([document])
    assert window.editor.evidence_model.rowCount() == 1
    assert "推进会纪要.docx" in window.editor.evidence_model.item(0).text()
    assert window.model.rows[window.model.row_of(47)].evidence == 1
    window.editor.evidence_view.setCurrentIndex(window.editor.evidence_model.index(0, 0))
    window.editor.remove_evidence()
    assert workspace.evidence.for_task(47, UNIT, NOV) == []


@pytest.fixture
def court_window(qtbot, workspace):
    from ipdesk.ui.main_window import MainWindow

    workspace.settings.set("unit", "市法院")
    win = MainWindow(workspace, "市法院", today=TODAY)
    win.show()
    win.tabs.setCurrentWidget(win.indicators_tab)
    yield win
    forget_unsaved(win)


def test_the_indicators_tab_is_built_when_first_shown_with_the_period_then_shown(qtbot, workspace):
    from ipdesk.ui.main_window import MainWindow

    workspace.indicator_values.save(IndicatorValue(14, "市法院", Period.parse("2025-10"), 91.5, "", "本院台账"))
    workspace.settings.set("unit", "市法院")
    win = MainWindow(workspace, "市法院", today=TODAY)
    win.show()
    assert win._indicator_panel is None  # the window opens on the tasks: nothing built for the other tab
    win.set_period(Period.parse("2025-10"))
    assert win._indicator_panel is None
    win.tabs.setCurrentWidget(win.indicators_tab)
    panel = win._indicator_panel
    assert panel is not None and panel.isVisibleTo(win) and panel.period == Period.parse("2025-10")
    row = next(r for r in panel.model.rows if r.owned.indicator.seq == 14)
    assert row.entry.value == 91.5
    win.set_period(NOV)  # from now on it follows the window's period like the task list
    assert panel.period == NOV and win.indicators is panel
    forget_unsaved(win)


def test_indicator_values_typed_the_chinese_way(qtbot, court_window, workspace):
    panel = court_window.indicators
    assert [r.owned.indicator.seq for r in panel.model.rows] == [14, 15]
    panel.table.selectRow(0)
    ime_type(panel.value, "９６．５%")
    ime_type(panel.source, "市法院审判管理办公室")
    panel.commit()
    stored = workspace.indicator_values.get(14, "市法院", NOV)
    assert (stored.value, stored.data_source) == (96.5, "市法院审判管理办公室")
    assert panel.model.index(0, 10).data() == "101.6%"
    assert panel.model.index(0, 11).data() == "绿灯"

    panel.value.setFocus()
    panel.value.selectAll()
    ime_type(panel.value, "约九成")
    panel.commit()
    assert "不是数字" in panel.error.text()
    assert workspace.indicator_values.get(14, "市法院", NOV).value == 96.5


def test_a_large_jump_needs_confirmation_and_a_note(qtbot, court_window, workspace, monkeypatch):
    workspace.indicator_values.save(IndicatorValue(14, "市法院", NOV.previous(), 50))
    panel = court_window.indicators
    court_window.load_period()
    panel.table.selectRow(0)
    monkeypatch.setattr(panel, "confirm_jump", lambda previous, new, unit: None)
    qtbot.keyClicks(panel.value, "96")
    panel.commit()
    assert workspace.indicator_values.get(14, "市法院", NOV).value is None
    assert "超过50%" in panel.error.text()
    monkeypatch.setattr(panel, "confirm_jump", lambda previous, new, unit: "上期为半年数据")
    qtbot.keyClicks(panel.value, "96")
    panel.commit()
    stored = workspace.indicator_values.get(14, "市法院", NOV)
    assert (stored.value, stored.note) == (96, "变化原因：上期为半年数据")


def test_a_target_that_is_an_indicator_shows_the_indicator(qtbot, court_window, workspace):
    """工程5's 民事案件结收比 is indicator 14: the court enters it once, in the indicator table."""
    panel = court_window.indicators
    assert panel.target_model.rowCount() == 1
    target = workspace.projects.targets_for_unit("市法院")[0].target
    assert target.indicator_seq == 14
    panel.target_table.selectRow(0)
    assert not panel.value.isEnabled() and "与指标14为同一数据" in panel.editing.text()
    panel.table.selectRow(0)  # indicator 14 (after a target: a switch between the tables)
    assert panel.value.isEnabled(), panel.editing.text()
    qtbot.keyClicks(panel.value, "97")
    panel.commit()
    assert workspace.indicator_values.get(14, "市法院", NOV).value == 97
    assert workspace.target_values.get(5, target.seq, "市法院", NOV).value == 97
    assert panel.target_model.index(0, 3).data() == "97%"  # the target's row shows the indicator's figure


def test_missing_indicator_takes_the_clerk_to_the_indicators_tab(qtbot, court_window):
    court_window.tabs.setCurrentIndex(0)
    court_window.submit()
    dialog = court_window.missing_dialog
    rows = [dialog.model.index(r, 0) for r in range(dialog.model.rowCount())]
    indicator = next(index for index in rows if "指标14" in index.data())
    dialog.view.activated.emit(indicator)
    assert court_window.tabs.currentWidget() is court_window.indicators_tab
    assert court_window.indicators.table.currentIndex().row() == 0


def test_chinese_font_is_available(qapp):
    from PySide6.QtGui import QFontDatabase, QFontMetrics

    from ipdesk.ui.fonts import register_fonts

    family = register_fonts(QApplication.instance())
    assert family
    font = QApplication.instance().font()
    metrics = QFontMetrics(font)
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "碑林区人民政府知识产权强市")
    assert QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)


def test_bundled_font_families_are_the_faces_of_the_bundled_file(qapp):
    # register_fonts takes a system listing these families to have the bundled font installed (and does not read
    # the file again): they must be the file's own faces.
    from PySide6.QtGui import QFontDatabase

    from ipdesk.paths import resources_dir
    from ipdesk.ui.fonts import BUNDLED_FAMILIES, BUNDLED_FONT

    font_id = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / BUNDLED_FONT))
    assert font_id >= 0
    try:
        assert sorted(QFontDatabase.applicationFontFamilies(font_id)) == sorted(BUNDLED_FAMILIES)
    finally:
        QFontDatabase.removeApplicationFont(font_id)


# `python -m ipdesk --smoke-test`, then the names of the modules the clerk's window needed, on stderr
SMOKE_TEST_AND_MODULES = """
import runpy, sys
sys.argv = ["ipdesk", "--smoke-test"]
try:
    runpy.run_module("ipdesk", run_name="__main__", alter_sys=True)
except SystemExit as done:
    import gc
    print("modules:", " ".join(sorted(sys.modules)), file=sys.stderr)
    print("collector:", "on" if gc.isenabled() else "off", gc.get_freeze_count(), file=sys.stderr)
    made = vars(sys.modules["PySide6.QtWidgets"])  # the Python types PySide6 has made (it makes them when first used)
    names = ("QMessageBox", "QFileDialog", "QCalendarWidget")
    print("types:", " ".join(name for name in names if name in made), file=sys.stderr)
    raise
"""


def test_smoke_test_command(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "IPDESK_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", SMOKE_TEST_AND_MODULES], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("shown in ") and lines[0].endswith(" ms")
    # The first window loads none of the code for the city, signatures, report files or plan import (issue 24).
    modules = next(line for line in result.stderr.splitlines() if line.startswith("modules: ")).split()[1:]
    assert "ipdesk.ui.main_window" in modules  # what was shown is the clerk's window
    unwanted = (
        *("ipdesk.exchange", "ipdesk.signing", "ipdesk.reports", "ipdesk.workspace.city", "ipdesk.workspace.signoff"),
        *("ipdesk.plans.task_list", "ipdesk.plans.plan_builder", "pyhanko", "openpyxl", "reportlab", "docx"),
        *("logging.handlers",),  # the log file's rotation loads when something is first written to it
        *("ipdesk.ui.indicator_panel",),  # the indicators tab is built when first shown
        # the window's options are read without the commands' parsers and their modules
        *("ipdesk.cli.lists", "ipdesk.cli.exchange", "ipdesk.cli.signing", "ipdesk.cli.reports"),
        *("ipdesk.plans.roster", "socket", "difflib", "getpass"),  # loaded when first used
    )
    assert [m for m in modules if m.split(".")[0] in unwanted or m.startswith(unwanted)] == []
    # The collector, paused while the program started, runs again once the window is shown, with what the start
    # made frozen out of its way (ipdesk.collector).
    collector = next(line for line in result.stderr.splitlines() if line.startswith("collector: ")).split()
    assert collector[1] == "on" and int(collector[2]) > 10_000
    # Message boxes and file dialogs are imported where they are shown: the start makes no Python type for them
    # (where PySide6 makes its types when first used: a type the program never uses, QCalendarWidget, is not made).
    types = next(line for line in result.stderr.splitlines() if line.startswith("types:")).split()[1:]
    if "QCalendarWidget" not in types:
        assert types == []


def test_qt_speaks_chinese(qapp):
    from PySide6.QtWidgets import QDialogButtonBox

    from ipdesk.ui.app import make_application

    make_application()
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    texts = {
        box.button(b).text().replace("&", "")
        for b in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Cancel)
    }
    assert texts == {"确定", "取消"}


def test_export_from_the_window(qtbot, window, workspace, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from ipdesk.ui import export_dialog

    opened = []
    monkeypatch.setattr(export_dialog, "open_folder", opened.append)
    target = tmp_path / "exports"
    target.mkdir()

    def fake_exec(dialog):
        dialog.folder.setText(str(target))
        dialog.pdf.setChecked(False)
        dialog.accept()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(export_dialog.ExportDialog, "exec", fake_exec)
    window.export_action.trigger()
    assert [p.name for p in target.iterdir()] == ["碑林区人民政府_2025-11_工作进展_草稿（未签署）_v1.xlsx"]
    assert opened == [target]
    assert "已导出" in window.statusBar().currentMessage()
    assert workspace.settings.get("export_folder") == str(target)


def test_export_dialog_refuses_nothing_chosen(qtbot, tmp_path):
    from ipdesk.ui.export_dialog import ExportDialog

    dialog = ExportDialog(UNIT, NOV, str(tmp_path))
    qtbot.addWidget(dialog)
    dialog.xlsx.setChecked(False)
    dialog.pdf.setChecked(False)
    dialog.accept()
    assert "至少选择一种格式" in dialog.error.text()
    dialog.xlsx.setChecked(True)
    dialog.folder.setText(str(tmp_path / "missing"))
    dialog.accept()
    assert "文件夹不存在" in dialog.error.text()


def _submit_all(workspace):
    from ipdesk.workspace.sample_data import fill_sample

    fill_sample(workspace, UNIT, NOV)
    workspace.reports.submit(UNIT, NOV)


def test_signing_from_the_window_locks_it_and_says_who_signed(qtbot, window, workspace, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    from ipdesk.ui.signing_dialogs import SignDialog

    _submit_all(workspace)
    window.load_period()
    assert window.sign_action.isEnabled() and not window.revise_action.isEnabled()
    window.sign()
    dialog = window.sign_dialog
    assert isinstance(dialog, SignDialog) and dialog.creating
    # the reviewer sees what is signed: unit, period, version, tasks by light, and can open the draft PDF
    summary = dialog.summary.text()
    assert UNIT in summary and "2025年11月" in summary and "第 1 版（已提交审核）" in summary
    lights = [window.model.rows[r].light.label for r in range(window.model.rowCount())]
    red = lights.count("红灯")
    assert red and f"红灯 {red} 项" in summary and f"任务 {len(lights)} 项" in summary
    assert "填报完整" in summary
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or True)
    dialog.preview_button.click()
    assert opened and opened[0].endswith(".pdf") and "草稿" in Path(opened[0]).name and Path(opened[0]).is_file()
    ime_type(dialog.passphrase, "口令一二三四")
    ime_type(dialog.confirm, "口令一二三")
    dialog.accept()
    assert "不一致" in dialog.error.text()
    dialog.confirm.clear()
    ime_type(dialog.confirm, "口令一二三四")
    dialog.accept()
    assert workspace.reports.status(UNIT, NOV) is ReportStatus.SIGNED
    select(window, qtbot, 47)
    banner = window.editor.lock_banner.text()
    assert "已于" in banner and "签署" in banner and "修订" in banner
    assert window.editor.achievements.isReadOnly()
    assert window.revise_action.isEnabled() and not window.sign_action.isEnabled()


# What the window offers for the version shown, written out by hand from the life cycle (domain/reports.py):
# a returned version is answered in version n+1, so nothing is offered on it; signed and accepted ones are revised.
OFFERED = {
    ReportStatus.DRAFT: {"submit"},
    ReportStatus.SUBMITTED: {"sign"},
    ReportStatus.SIGNED: {"revise"},
    ReportStatus.ACCEPTED: {"revise"},
    ReportStatus.RETURNED: set(),
}


@pytest.mark.parametrize("status", list(ReportStatus))
def test_the_actions_offered_follow_the_life_cycle(window, workspace, monkeypatch, status):
    from dataclasses import replace

    from ipdesk.domain.reports import ReportState

    state = ReportState(UNIT, NOV.code, 2, status)
    monkeypatch.setattr(workspace.reports, "state", lambda unit, period: replace(state, unit=unit))
    window.load_period()
    actions = {"submit": window.submit_action, "sign": window.sign_action, "revise": window.revise_action}
    assert {name for name, action in actions.items() if action.isEnabled()} == OFFERED[status]


def test_a_wrong_passphrase_is_said_in_the_dialog(qtbot, window, workspace):
    _submit_all(workspace)
    workspace.signoff.create_identity(UNIT, "正确的签署口令")
    window.load_period()
    window.sign()
    dialog = window.sign_dialog
    assert not dialog.creating
    ime_type(dialog.passphrase, "错误的口令")
    dialog.accept()
    assert "口令不正确" in dialog.error.text()
    assert workspace.reports.status(UNIT, NOV) is ReportStatus.SUBMITTED


def test_revise_after_signing(qtbot, window, workspace, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    _submit_all(workspace)
    workspace.signoff.sign(UNIT, NOV, "正确的签署口令", create=True)
    window.load_period()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.revise_action.trigger()
    assert workspace.reports.state(UNIT, NOV).version == 2
    select(window, qtbot, 47)
    assert not window.editor.achievements.isReadOnly()
    assert "第 2 版" in window.statusBar().currentMessage()
    assert "v2 填报中" in window.report_state.text()  # after 修订 the toolbar names the version


def test_verify_dialog_gives_a_verdict_per_file(qtbot, window, workspace, tmp_path):
    _submit_all(workspace)
    workspace.signoff.sign(UNIT, NOV, "正确的签署口令", create=True)
    files = workspace.reports.export(UNIT, NOV, tmp_path)
    stray = tmp_path / "会议记录.txt"
    stray.write_text("无关文件", encoding="utf-8")
    window.open_verify([*files, stray])
    dialog = window.verify_dialog
    verdicts = [dialog.model.item(r, 0).text() for r in range(dialog.model.rowCount())]
    assert verdicts == ["有效", "有效", "有效", "不是ipdesk文件"]
    assert "碑林区人民政府" in dialog.model.item(0, 2).text()


def test_certificate_dialog_imports_a_city_issued_key(qtbot, window, workspace, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    from ipdesk.ui.signing_dialogs import CertificateDialog

    from .test_signing import _city_issued

    p12 = _city_issued(tmp_path, UNIT)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(p12), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("city-pass", True))
    dialog = CertificateDialog(workspace, UNIT)
    qtbot.addWidget(dialog)
    dialog.import_pkcs12()
    assert "已导入" in dialog.message.text()
    assert workspace.signoff.identity(UNIT).signer == "张主任"


def test_history_of_a_task_shows_who_changed_what(qtbot, window, workspace):
    select(window, qtbot, 47)
    ime_type(window.editor.achievements, "第一稿")
    window.editor.flush()
    window.editor.achievements.clear()
    ime_type(window.editor.achievements, "第二稿")
    window.editor.flush()
    window.history_action.trigger()
    model = window.history_dialog.model
    rows = [[model.item(r, c).text() for c in range(5)] for r in range(model.rowCount())]
    assert rows[0][1:] == ["王芳", "工作进展及成效", "第一稿", "第二稿"]
    assert rows[-1][2:] == ["工作进展及成效", "（空）", "第一稿"]
    dialog = window.history_dialog
    dialog.field.setCurrentIndex(dialog.field.findText("存在问题"))
    assert dialog.proxy.rowCount() == 0
    dialog.field.setCurrentIndex(dialog.field.findText("工作进展及成效"))
    assert dialog.proxy.rowCount() == 2


def test_damage_found_after_start_offers_the_newest_good_backup(qtbot, window, workspace, monkeypatch):
    from PySide6.QtWidgets import QApplication, QMessageBox

    good = workspace.backup_before("manual")
    asked, told = [], []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    monkeypatch.setattr(QApplication, "quit", lambda *a: None)
    monkeypatch.setattr(
        workspace,
        "integrity_of_file",
        lambda: "*** in database main ***\nPage 7: btreeInitPage() returns error code 11",
    )
    window.start_integrity_check()
    assert good.name in asked[0]
    assert "已从备份恢复" in told[0]


def _drop_on(widget, paths) -> None:
    """Drag ``paths`` over ``widget`` and drop them, as the file manager does (enter, move, drop)."""
    from PySide6.QtCore import QMimeData, QPoint, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = widget.rect().center()
    actions, button, none = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(widget, QDragEnterEvent(QPoint(where), actions, data, button, none))
    QApplication.sendEvent(widget, QDragMoveEvent(QPoint(where), actions, data, button, none))
    QApplication.sendEvent(widget, QDropEvent(QPointF(where), actions, data, button, none))


def test_a_file_dropped_on_the_evidence_box_is_attached_elsewhere_verified(qtbot, window, workspace, tmp_path):
    select(window, qtbot, 47)
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo")
    _drop_on(window.editor.evidence_view.viewport(), [photo])
    attached = workspace.evidence.for_task(47, UNIT, NOV)
    assert [e.file_name for e in attached] == ["现场照片.jpg"]
    assert window.editor.evidence_model.rowCount() == 1
    assert getattr(window, "verify_dialog", None) is None  # not taken for a return to verify
    _drop_on(window.table.viewport(), [photo])  # elsewhere on the window: verified, as before
    assert window.verify_dialog.isVisible()
    assert len(workspace.evidence.for_task(47, UNIT, NOV)) == 1
    window.verify_dialog.close()


def _keys_in_readme() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| 快捷键 | 作用 |") :].split("\n\n", 1)[0]
    return [line.split("|")[1].strip() for line in table.splitlines()[2:]]


def test_the_focus_chain_and_the_keys_the_readme_lists(qtbot, window):
    from PySide6.QtWidgets import QComboBox

    listed = _keys_in_readme()
    assert "Tab / Shift+Tab" in listed and "F6 / Shift+F6" in listed
    shortcuts = {
        a.shortcut().toString() for a in window.findChildren(type(window.save_action)) if not a.shortcut().isEmpty()
    }
    for entry in listed:
        for key in entry.replace("↑", "Up").replace("↓", "Down").split(" / "):
            if key in ("Tab", "Shift+Tab"):
                continue
            assert key.replace("Enter", "Return") in shortcuts or key in shortcuts, key
    # Tab from the search box goes through the filters into the table, and Tab leaves the table for the editor
    window.search.setFocus()
    chain = [window.focusWidget()]
    for _ in range(12):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
        chain.append(window.focusWidget())
        if chain[-1] is window.editor.status:
            break
    assert window.table in chain, chain
    assert chain[chain.index(window.table) + 1] is window.editor.status  # out of the table in one key
    qtbot.keyClick(window.editor.status, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert window.focusWidget() is window.table  # and back
    # F6 cycles the panes: task list → editor → 待办 → task list
    qtbot.keyClick(window.table, Qt.Key.Key_F6)
    assert window.focusWidget() is window.editor.status
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_F6)
    assert window.focusWidget() is window.todo.view
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_F6)
    assert window.focusWidget() is window.table
    qtbot.keyClick(window.table, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert window.focusWidget() is window.todo.view
    # Alt+↓ on a focused combo box opens its list instead of moving to the next task
    select(window, qtbot, 47)
    window.editor.status.setFocus()
    opened = []
    window.editor.status.showPopup = lambda: opened.append(True)  # the real popup would block offscreen
    qtbot.keyClick(window.editor.status, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert opened and window.editor.row.task.seq == 47
    assert isinstance(window.editor.status, QComboBox)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.editor.row.task.seq != 47  # elsewhere Alt+↓ is still the next task


def test_a_unit_that_leads_no_indicator_is_told_so(qtbot, window, workspace):
    assert workspace.indicators.for_unit(UNIT) == []  # 碑林区 leads none of the 15
    window.tabs.setCurrentWidget(window.indicators_tab)
    panel = window.indicators
    assert panel.no_indicators.isVisibleTo(window) and "不牵头主要发展指标" in panel.no_indicators.text()
    assert not panel.table.isVisibleTo(window)
