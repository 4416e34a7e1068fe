"""Starting the window: Qt application, Chinese translations, fonts, the error handler, the workspace, first-run
setup, and the smoke test (which can also save a picture of the window as shown)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator

# QMessageBox and QFileDialog are imported where a message or a file dialog is shown: the start makes no
# Python type (nor its enums) for them.
from PySide6.QtWidgets import QApplication, QWidget

from ipdesk import collector
from ipdesk.domain.errors import CorruptDatabase, IpdeskError, WorkspaceInUse
from ipdesk.ui import none_guard
from ipdesk.ui.error_handler import ErrorHandler
from ipdesk.ui.fonts import register_fonts
from ipdesk.ui.host import HOST
from ipdesk.workspace import Workspace

if TYPE_CHECKING:
    from ipdesk.ui.city_window import CityWindow
    from ipdesk.ui.main_window import MainWindow


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    none_guard.install(app)  # before any window: see none_guard for the binding's fault it guards against
    app.setApplicationName("ipdesk")
    app.setOrganizationName("ipdesk")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    if translator.load(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China),
        "qtbase",  # qt_zh_CN is a catalogue of catalogues PySide6-Essentials does not all ship
        "_",
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    ):
        app.installTranslator(translator)  # Chinese for Qt's own dialogs and buttons
    register_fonts(app)
    from PySide6.QtGui import QIcon

    from ipdesk.paths import resources_dir

    app.setWindowIcon(QIcon(str(resources_dir() / "icons" / "ipdesk.png")))
    return app


def open_workspace(db_path: Path | None, quiet: bool) -> Workspace | None:
    """Open the workspace; when another copy is writing it (or the file has several names), offer read-only; when
    it is damaged, offer the newest good backup, or read-only viewing. None when it cannot be opened (the reason has
    been shown)."""

    def fail(error: IpdeskError) -> None:
        if quiet:
            print(f"ipdesk：错误：{error}", file=sys.stderr)
        else:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "ipdesk", str(error))

    def read_only() -> Workspace | None:
        try:
            return Workspace(db_path, read_only=True)
        except IpdeskError as second:
            fail(second)
            return None

    try:
        return Workspace(db_path)
    except WorkspaceInUse as error:  # also a file with several names (LinkedDatabase)
        if quiet:
            fail(error)
            return None
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(None, "ipdesk", f"{error}\n\n以只读方式打开查看吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return read_only()
    except CorruptDatabase as error:
        if quiet:
            fail(error)
            return None
        from PySide6.QtWidgets import QMessageBox

        newest = Workspace.newest_good_backup(db_path)
        box = QMessageBox(QMessageBox.Icon.Warning, "ipdesk", str(error))
        restore = None
        if newest is not None:
            box.setInformativeText(
                f"找到一份完好的备份：{newest.path.name}（{newest.made_at:%Y-%m-%d %H:%M}）。"
                "用它恢复吗？损坏的文件会保留在原处（改名），不会删除。"
            )
            restore = box.addButton("用备份恢复", QMessageBox.ButtonRole.AcceptRole)
        else:
            box.setInformativeText("没有找到完好的备份。可以只读打开查看还能读出的内容，并联系技术支持。")
        view = box.addButton("只读打开查看", QMessageBox.ButtonRole.ActionRole)
        box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if restore is not None and box.clickedButton() is restore and newest is not None:
            kept = Workspace.restore(db_path, newest.path)
            QMessageBox.information(None, "ipdesk", f"已从备份恢复。损坏的文件保存为：{kept}")
            return Workspace(db_path)
        if box.clickedButton() is view:
            return read_only()
        return None
    except IpdeskError as error:
        fail(error)
        return None


def choose_unit(ws: Workspace, smoke_test: bool) -> str | None:
    """The unit this copy reports for; on first run the setup dialog asks (the smoke test takes the busiest)."""
    unit = ws.settings.get(ws.settings.UNIT)
    if unit:
        return unit
    if smoke_test:
        return max(ws.units.all(), key=lambda u: len(ws.tasks.for_unit(u))).name
    from ipdesk.ui.setup_dialog import SetupDialog

    dialog = SetupDialog(ws, first_run=True)
    if not dialog.exec():
        return None
    return ws.settings.get(ws.settings.UNIT)


def open_window(ws: Workspace, smoke_test: bool) -> MainWindow | CityWindow | None:
    """The city office's window for its workspace, else the clerk's (asking, on a new workspace, which it is);
    None when the user cancelled the first-run questions."""
    if not smoke_test and not ws.read_only and not ws.kind:
        from ipdesk.ui.city_setup import choose_side

        if choose_side(ws) is None:
            return None
    if ws.kind == ws.CITY:
        from ipdesk.ui.city_window import CityWindow

        return CityWindow(ws)
    unit = choose_unit(ws, smoke_test)
    if not unit:
        return None
    if not smoke_test:
        ask_first_period(ws)
    from ipdesk.ui.main_window import MainWindow

    return MainWindow(ws, unit)


def ask_first_period(ws: Workspace) -> None:
    """A workspace set up before ipdesk asked: from which period does the unit report with it? (once)"""
    if ws.read_only or ws.settings.first_period() is not None:
        return
    from ipdesk.ui.setup_dialog import FirstPeriodDialog

    FirstPeriodDialog(ws).exec()


def save_screenshot(window: QWidget, target: Path) -> str:
    """Save a PNG of ``window`` as shown; returns "" or what went wrong, in Chinese."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        from ipdesk.domain.errors import os_error_text

        return f"无法创建文件夹“{target.parent}”：{os_error_text(error)}"
    if not window.grab().save(str(target), "PNG"):
        return f"无法写入截图文件：{target}"
    return ""


def run(
    db_path: Path | None, smoke_test: bool = False, started: float | None = None, screenshot: Path | None = None
) -> int:
    started = started if started is not None else time.perf_counter()
    app = make_application()
    handler = ErrorHandler(app)
    if not smoke_test:
        handler.install()  # from here on no error ends in a console the clerk never sees
    ws = open_workspace(db_path, smoke_test)
    if ws is None:
        return 2
    try:
        window = open_window(ws, smoke_test)
        if window is None:
            return 0
        HOST.attach(handler)
        HOST.adopt(window)  # a plan switch replaces the window through the host, which rewires the handler
        window.show()
        collector.resume()  # paused by main while the program started
        for warning in ws.warnings:
            window.show_message(warning)
        if smoke_test:
            app.processEvents()
            print(f"shown in {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)
            problem = save_screenshot(window, screenshot) if screenshot is not None else ""
            window.close()
            if problem:
                print(f"ipdesk：错误：{problem}", file=sys.stderr)
                return 2
            return 0
        QTimer.singleShot(0, window.raise_)
        QTimer.singleShot(1500, window.start_integrity_check)
        return app.exec()
    finally:
        HOST.release()
        ws.close()
