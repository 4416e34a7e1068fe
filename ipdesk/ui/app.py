"""Starting the window: Qt application, Chinese translations, fonts, the workspace, first-run setup."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from ipdesk.domain.errors import CorruptDatabase, IpdeskError, WorkspaceInUse
from ipdesk.ui.fonts import register_fonts
from ipdesk.workspace import Workspace


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
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
    return app  # type: ignore[return-value]


def open_workspace(db_path: Path | None, quiet: bool) -> Workspace | None:
    """Open the workspace; when another copy is writing it, offer read-only; when it is damaged, offer the newest
    good backup. None when it cannot be opened (the reason has been shown)."""

    def fail(error: IpdeskError) -> None:
        if quiet:
            print(f"ipdesk：错误：{error}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "ipdesk", str(error))

    try:
        return Workspace(db_path)
    except WorkspaceInUse as error:
        if quiet:
            fail(error)
            return None
        answer = QMessageBox.question(None, "ipdesk", f"{error}\n\n以只读方式打开查看吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        try:
            return Workspace(db_path, read_only=True)
        except IpdeskError as second:
            fail(second)
            return None
    except CorruptDatabase as error:
        newest = Workspace.newest_good_backup(db_path)
        if quiet or newest is None:
            fail(error)
            return None
        answer = QMessageBox.question(
            None,
            "ipdesk",
            f"{error}\n\n找到一份完好的备份：{newest.path.name}（{newest.made_at:%Y-%m-%d %H:%M}）。"
            "用它恢复吗？损坏的文件会保留在原处（改名），不会删除。",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        kept = Workspace.restore(db_path, newest.path)
        QMessageBox.information(None, "ipdesk", f"已从备份恢复。损坏的文件保存为：{kept}")
        return Workspace(db_path)
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


def run(db_path: Path | None, smoke_test: bool = False, started: float | None = None) -> int:
    started = started if started is not None else time.perf_counter()
    app = make_application()
    ws = open_workspace(db_path, smoke_test)
    if ws is None:
        return 2
    try:
        unit = choose_unit(ws, smoke_test)
        if not unit:
            return 0
        from ipdesk.ui.main_window import MainWindow

        window = MainWindow(ws, unit)
        window.show()
        for warning in ws.warnings:
            window.show_message(warning)
        if smoke_test:
            app.processEvents()
            print(f"shown in {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)
            window.close()
            return 0
        QTimer.singleShot(0, window.raise_)
        QTimer.singleShot(1500, window.start_integrity_check)
        return app.exec()
    finally:
        ws.close()
