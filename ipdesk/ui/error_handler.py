"""The window's last line of defence: an error nobody caught is written with its details to a log file under the
user data folder and shown to the clerk as a Chinese dialog; the program keeps running, and what was saved stays
saved. A damaged database is not shown as an error but handed to the window, which offers the newest good backup.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QApplication, QWidget

from ipdesk.ui.log_file import log_path, write_log
from ipdesk.workspace.errors import is_damaged_database, user_message


class ErrorHandler(QObject):
    """Installed once by ``app.run``: ``sys.excepthook`` and ``threading.excepthook`` come here."""

    _from_thread = Signal(object)  # an error from another thread, shown on the GUI thread

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.window: QWidget | None = None
        self.on_damage: Callable[[str], None] | None = None
        self.shown: list[str] = []  # what the clerk was told, newest last (tests read it)
        self._showing = False
        self._from_thread.connect(self.tell)

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook

    def _excepthook(self, kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        error.__traceback__ = trace
        self.handle(error)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.handle(args.exc_value, f"后台线程 {args.thread.name if args.thread else ''} 中未处理的错误")

    def handle(self, error: BaseException, context: str = "未处理的错误") -> None:
        """Log ``error`` and tell the clerk, from whichever thread it arrived on."""
        write_log(error, context)
        app = QApplication.instance()
        if app is not None and QThread.currentThread() is not app.thread():
            self._from_thread.emit(error)
            return
        self.tell(error)

    def tell(self, error: BaseException) -> None:
        """Show ``error`` in Chinese (already logged); a damaged database goes to the window's offer of a backup."""
        from PySide6.QtWidgets import QMessageBox

        if is_damaged_database(error) and self.on_damage is not None:
            self.on_damage(user_message(error))
            return
        text = user_message(error)
        self.shown.append(text)
        if self._showing:  # one dialog at a time; the rest are in the log
            return
        self._showing = True
        try:
            box = QMessageBox(self.window)
            box.setIcon(QMessageBox.Icon.Critical)
            box.setWindowTitle(self.tr("ipdesk 出错了"))
            box.setText(text)
            where = str(log_path())
            box.setInformativeText(
                self.tr(
                    "已经保存的填写内容不受影响；刚才的操作可能没有完成，可以再试一次。\n"
                    "详细情况已记录在：{0}\n如果反复出现，请把这个文件发给技术支持。"
                ).format(where)
            )
            box.exec()
        finally:
            self._showing = False
