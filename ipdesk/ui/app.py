"""Starting the window: Qt application, Chinese translations, fonts, the workspace, first-run setup."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from ipdesk.domain.errors import IpdeskError
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
    return app  # type: ignore[return-value]


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
    try:
        ws = Workspace(db_path)
    except IpdeskError as error:
        if smoke_test:
            print(f"ipdesk：错误：{error}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "ipdesk", str(error))
        return 2
    try:
        unit = choose_unit(ws, smoke_test)
        if not unit:
            return 0
        from ipdesk.ui.main_window import MainWindow

        window = MainWindow(ws, unit)
        window.show()
        if smoke_test:
            app.processEvents()
            print(f"shown in {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)
            window.close()
            return 0
        QTimer.singleShot(0, window.raise_)
        return app.exec()
    finally:
        ws.close()
