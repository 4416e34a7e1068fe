"""A damaged workspace found while a window is open: offer the newest good backup (both windows use this)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QWidget

from ipdesk.ui.operations import run_in_background
from ipdesk.workspace import Workspace


def check_in_background(parent: QWidget, ws: Workspace, offer_restore: Callable[[str], None]) -> None:
    """Check the whole database file in the background after start; on damage, mark the workspace damaged (nothing
    more is written) and call ``offer_restore`` with what is wrong."""
    if ws.path is None:
        return

    def done(result: str) -> None:
        if result != "ok":
            offer_restore(str(ws.mark_damaged(result)))

    run_in_background(parent, parent.tr("正在检查数据库…"), ws.integrity_of_file, done, lambda error: None, modal=False)


def offer_newest_backup(parent: QWidget, ws: Workspace, problem: str, note: str = "", before_restore=None) -> bool:
    """Say what is wrong and offer the newest good backup; on yes, restore it and quit (True).

    ``note`` is added to the message (where unsaved text was kept); ``before_restore`` runs just before the damaged
    file is replaced (the window lets go of what it held)."""
    from PySide6.QtWidgets import QMessageBox

    newest = Workspace.newest_good_backup(ws.path) if ws.path is not None else None
    if newest is None:
        QMessageBox.critical(
            parent,
            parent.tr("数据库有损坏"),
            parent.tr("{0}\n\n没有找到完好的备份，请联系技术支持。{1}").format(problem, note),
        )
        return False
    answer = QMessageBox.question(
        parent,
        parent.tr("数据库有损坏"),
        parent.tr(
            "{0}\n\n找到一份完好的备份：{1}（{2:%Y-%m-%d %H:%M}）。现在用它恢复吗？"
            "恢复后程序将关闭，请重新打开并检查此后的内容；损坏的文件会改名保留。{3}"
        ).format(problem, newest.path.name, newest.made_at, note),
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    path = ws.path
    if before_restore is not None:
        before_restore()
    ws.close()
    kept_file = Workspace.restore(path, newest.path)
    QMessageBox.information(
        parent, parent.tr("已恢复"), parent.tr("已从备份恢复。损坏的文件保存为：{0}").format(kept_file)
    )
    app = QApplication.instance()
    if app is not None:
        app.quit()
    return True
