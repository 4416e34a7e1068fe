"""The plans in the window: which plan is current (on the toolbar), switching between plans (the 方案 menu), and
文件 → 导入方案… (a task list or the city's plan file, previewed before it is saved).

Switching rebuilds the window for the chosen plan: every table, filter and period list belongs to one plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QToolBar, QToolButton

from ipdesk.domain.errors import IpdeskError
from ipdesk.ui.host import HOST
from ipdesk.ui.operations import run_in_background

if TYPE_CHECKING:
    from ipdesk.ui.main_window import MainWindow
    from ipdesk.workspace.plans import SavedPlan


def plan_label(window: MainWindow) -> str:
    plan = window.ws.plan
    return window.tr("方案：{0}{1}—{2}年 ▾").format(plan.city, plan.start_year, plan.end_year)


def install_plan_menu(window: MainWindow, file_menu: QMenu, bar: QToolBar) -> None:
    """文件 → 导入方案… and 导出为任务清单…, the 方案 menu, and the current plan on the toolbar."""
    ws = window.ws
    window.plan_code_shown = ws.plan.code
    import_action = QAction(window.tr("导入方案…"), window)
    import_action.setStatusTip(window.tr("导入任务清单（Excel）或市局签发的方案文件，先预览，确认后保存"))
    import_action.triggered.connect(lambda: choose_and_import(window))
    export_action = QAction(window.tr("导出为任务清单…"), window)
    export_action.setStatusTip(window.tr("把当前方案导出为可以编辑、再导入的 Excel 任务清单"))
    export_action.triggered.connect(lambda: export_task_list(window))
    file_menu.addAction(import_action)
    file_menu.addAction(export_action)

    menu = window.menuBar().addMenu(window.tr("方案(&P)"))
    menu.setObjectName("planMenu")
    menu.aboutToShow.connect(lambda: fill_plan_menu(window, menu, import_action, export_action))
    fill_plan_menu(window, menu, import_action, export_action)
    button = QToolButton()
    button.setObjectName("planButton")
    button.setText(plan_label(window))
    button.setToolTip(window.tr("当前方案：{0}（{1}）。单击切换方案").format(window.ws.plan.title, window.ws.plan.code))
    button.setMenu(menu)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
    window.plan_button = button
    actions = bar.actions()
    if len(actions) > 1:
        bar.insertWidget(actions[1], button)
        bar.insertSeparator(actions[1])
    else:
        bar.addWidget(button)


def fill_plan_menu(window: MainWindow, menu: QMenu, import_action: QAction, export_action: QAction) -> None:
    menu.clear()
    group = QActionGroup(menu)
    for record in window.ws.plans.all():
        action = QAction(f"{record.title}（{record.code}）", menu)
        action.setCheckable(True)
        action.setChecked(record.id == window.ws.plan_id)
        action.setData(record.code)
        action.triggered.connect(lambda _=False, code=record.code: switch_plan(window, code))
        group.addAction(action)
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(import_action)
    menu.addAction(export_action)


def switch_plan(window: MainWindow, code: str) -> MainWindow | None:
    """Make ``code`` the current plan and show the window for it; returns the new window (None when unchanged)."""
    from PySide6.QtWidgets import QMessageBox

    ws = window.ws
    if code == ws.plan.code:
        return None
    window.flush()
    try:
        unit = _unit_in_plan(window, code)
        if unit is None:
            return None
        ws.plans.use(code, unit)
    except IpdeskError as error:
        QMessageBox.warning(window, window.tr("不能切换方案"), str(error))
        return None
    return reopen(window, unit)


def _unit_in_plan(window: MainWindow, code: str) -> str | None:
    """The window's unit in the plan ``code``: the same name, or the same code, or one the clerk chooses."""
    ws = window.ws
    target = ws.plans.get(code)
    found = ws.plans.unit_in(target, window.unit)
    if found is not None:
        return found
    return _choose(window, target.title, window.unit, [u.name for u in target.units])


def reopen(window: MainWindow, unit: str) -> MainWindow:
    """The window again, for the workspace's current plan, put in the old one's place by the application's host."""
    from ipdesk.ui.main_window import MainWindow

    window.flush()
    new = MainWindow(window.ws, unit, window.today)
    HOST.replace(window, new)  # the error handler now reports to the new window
    new.show_message(window.tr("当前方案：{0}").format(window.ws.plan.title))
    return new


def choose_and_import(window: MainWindow) -> None:
    from PySide6.QtWidgets import QFileDialog  # the dialogs' Python types: made when first used

    from ipdesk.ui.plan_import_dialog import file_filter

    path, _ = QFileDialog.getOpenFileName(window, window.tr("导入方案"), "", window.tr(file_filter()))
    if path:
        import_plan(window, Path(path))


def import_plan(window: MainWindow, path: Path) -> None:
    """Read ``path`` off the GUI thread, then show what it holds (nothing is saved until the clerk accepts)."""
    from PySide6.QtWidgets import QMessageBox

    from ipdesk.ui.plan_import_dialog import PlanImportDialog

    window.flush()

    def show(preview) -> None:
        dialog = PlanImportDialog(window.ws, preview, window)
        window.plan_import_dialog = dialog
        dialog.saved.connect(lambda saved: after_import(window, saved))
        dialog.open()

    def failed(error: BaseException) -> None:
        QMessageBox.warning(window, window.tr("导入方案"), str(error))

    run_in_background(window, window.tr("正在读取方案…"), lambda: window.ws.plans.read(path), show, failed)


def after_import(window: MainWindow, saved: SavedPlan) -> None:
    """After a plan was saved: the window for it when it is now the current plan (or was updated in place)."""
    ws = window.ws
    message = window.tr("{0}：{1}（{2}）").format(window.tr(saved.label), saved.title, saved.code)
    if saved.unit_missing:  # it is to be the current plan, but this unit is not in it under its name or code
        if not saved.current:
            switched = switch_plan(window, saved.code)
            if switched is not None:
                switched.show_message(message)
            else:
                window.show_message(message)
            return
        unit = _choose(window, ws.plan.title, saved.unit_missing, [u.name for u in ws.units.all()])
        if unit is not None:
            ws.settings.set(ws.settings.UNIT, unit)
            reopen(window, unit).show_message(message)
            return
    if saved.current and (ws.plan.code != window.plan_code_shown or saved.outcome == "updated"):
        reopen(window, ws.settings.get(ws.settings.UNIT) or window.unit).show_message(message)
        return
    window.show_message(message)


def _choose(window: MainWindow, title: str, missing: str, names: list[str]) -> str | None:
    from PySide6.QtWidgets import QInputDialog

    chosen, ok = QInputDialog.getItem(
        window,
        window.tr("选择本单位"),
        window.tr("方案“{0}”中没有“{1}”。请选择本单位：").format(title, missing),
        names,
        0,
        False,
    )
    return chosen if ok and chosen else None


def export_task_list(window: MainWindow) -> None:
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    plan = window.ws.plan
    path, _ = QFileDialog.getSaveFileName(
        window, window.tr("导出为任务清单"), f"{plan.code}_任务清单.xlsx", window.tr("Excel 工作簿 (*.xlsx)")
    )
    if not path:
        return
    run_in_background(
        window,
        window.tr("正在导出任务清单…"),
        lambda: window.ws.plans.export(path),
        lambda target: window.show_message(window.tr("已导出任务清单：{0}").format(target)),
        lambda error: QMessageBox.warning(window, window.tr("导出失败"), str(error)),
    )
