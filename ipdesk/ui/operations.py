"""The one helper for work that must not freeze the window (as Anki's CollectionOp / QueryOp).

``run_in_background(parent, work, on_done)`` runs ``work()`` on a pool thread while the window is disabled; the
result or the error comes back on the GUI thread. A progress dialog appears only when the work takes longer than
~600 ms. Tests set ``BackgroundOp.synchronous = True`` to run the work inline.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

SHOW_PROGRESS_AFTER_MS = 600


class _Signals(QObject):
    finished = Signal(object, object)  # result, error


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any]):
        super().__init__()
        self.work = work
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.work()
        except BaseException as error:
            self.signals.finished.emit(None, error)
        else:
            self.signals.finished.emit(result, None)


class BackgroundOp:
    synchronous = False
    _running: ClassVar[set[QRunnable]] = set()

    @classmethod
    def run(
        cls,
        parent: QWidget,
        label: str,
        work: Callable[[], Any],
        on_done: Callable[[Any], object],
        on_error: Callable[[BaseException], object],
        modal: bool = True,
    ) -> None:
        if cls.synchronous:
            try:
                result = work()
            except Exception as error:
                on_error(error)
            else:
                on_done(result)
            return
        window = parent.window()
        job = _Job(work)
        cls._running.add(job)

        def settle(result: object, error: BaseException | None) -> None:
            cls._running.discard(job)
            if error is not None:
                on_error(error)
            else:
                on_done(result)

        if not modal:  # quiet work that must not stop the clerk (a check after start)
            job.signals.finished.connect(settle, Qt.ConnectionType.QueuedConnection)
            QThreadPool.globalInstance().start(job)
            return
        window.setEnabled(False)
        dialog = QProgressDialog(label, "", 0, 0, window)
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.reset()
        timer = QTimer(window)
        timer.setSingleShot(True)
        timer.timeout.connect(dialog.show)
        timer.start(SHOW_PROGRESS_AFTER_MS)

        def finished(result: object, error: BaseException | None) -> None:
            timer.stop()
            dialog.close()
            window.setEnabled(True)
            settle(result, error)

        job.signals.finished.connect(finished, Qt.ConnectionType.QueuedConnection)
        QThreadPool.globalInstance().start(job)


def run_in_background(
    parent: QWidget,
    label: str,
    work: Callable[[], Any],
    on_done: Callable[[Any], object],
    on_error: Callable[[BaseException], object],
    modal: bool = True,
) -> None:
    BackgroundOp.run(parent, label, work, on_done, on_error, modal)


# -- long work the user watches and may stop ------------------------------------------------------------------------
Report = Callable[[int, int, str], None]  # (done, total, what is being done)


class _ProgressSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object, object)


class _ProgressJob(QRunnable):
    def __init__(self, work: Callable[[Report, Callable[[], bool]], Any]):
        super().__init__()
        self.work = work
        self.signals = _ProgressSignals()
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            result = self.work(self.signals.progress.emit, self.stop.is_set)
        except BaseException as error:
            self.signals.finished.emit(None, error)
        else:
            self.signals.finished.emit(result, None)


def run_with_progress(
    parent: QWidget,
    label: str,
    work: Callable[[Report, Callable[[], bool]], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> None:
    """Run ``work(report, cancelled)`` off the GUI thread with a progress bar and a 取消 button.

    ``work`` calls ``report(done, total, text)`` as it goes and stops early when ``cancelled()`` says so; what it
    returns (or raises) comes back on the GUI thread. Tests (``BackgroundOp.synchronous``) run it inline.
    """
    if BackgroundOp.synchronous:
        try:
            result = work(lambda done, total, text: None, lambda: False)
        except Exception as error:
            on_error(error)
        else:
            on_done(result)
        return
    window = parent.window()
    job = _ProgressJob(work)
    BackgroundOp._running.add(job)
    dialog = QProgressDialog(label, parent.tr("取消"), 0, 0, window)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def cancel() -> None:
        job.stop.set()
        dialog.setLabelText(parent.tr("正在停止：当前文件处理完后停止…"))

    def progress(done: int, total: int, text: str) -> None:
        if total:
            dialog.setMaximum(total)
            dialog.setValue(done)
        if text and not job.stop.is_set():
            dialog.setLabelText(f"{label}\n{text}")

    def finished(result: object, error: BaseException | None) -> None:
        BackgroundOp._running.discard(job)
        dialog.close()
        if error is not None:
            on_error(error)
        else:
            on_done(result)

    dialog.canceled.connect(cancel)
    job.signals.progress.connect(progress, Qt.ConnectionType.QueuedConnection)
    job.signals.finished.connect(finished, Qt.ConnectionType.QueuedConnection)
    QThreadPool.globalInstance().start(job)
